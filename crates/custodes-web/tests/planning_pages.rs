//! The planning pages, on both backends: the portfolio's forms name every problem and
//! change nothing on bad input, permissions are asked, a plan is optimised from the web
//! form and shown with its chart, spend, gaps and reasons, goes through its life cycle,
//! and two plans are compared side by side. Optimisations run in the background: their
//! progress page (and its htmx part) while a long search runs, stopping one and keeping
//! its best plan, a job without a plan saying why, the limit on solves at once, the API's
//! jobs, and nobody but the owner seeing or stopping a job.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use custodes_core::audit::Actor;
use custodes_core::{Level, Role};
use custodes_testkit::{Flavour, on_both_backends};

mod site;

use site::Site;

async fn site(flavour: Flavour) -> Site {
    site::site(flavour, "Planning test").await
}

/// A small portfolio in workspace "land": a goal, a horizon of 3 years, one capability,
/// the treasury, and two programmes of which only one fits the money.
async fn portfolio(s: &Site) {
    use custodes_core::framework::ReformField;
    use custodes_core::plan::{Contribution, ProgrammeKind, SourceCost};
    use custodes_core::planning::{
        Assumption, CapabilityFields, CurrentLevel, Horizon, OptionFields, ProgrammeFields,
        Scenario, SourceFields,
    };
    use custodes_core::policy::Classification;
    use custodes_store::capability::CapabilityInput;
    use custodes_store::goal::GoalInput;
    use custodes_store::programme::{OptionEdit, ProgrammeInput};
    let ws = s.store.list_workspaces().await.unwrap()[0].id;
    let u = s.store.user_by_username("pl").await.unwrap();
    let v = s.store.viewer(u.id).await.unwrap().unwrap();
    let a = Actor::System;
    let today = chrono::Utc::now().date_naive();
    let goal = s
        .store
        .create_goal(
            &a,
            &v,
            today,
            ws,
            GoalInput {
                fields: custodes_core::strategy::GoalFields {
                    title: "Control the border".into(),
                    description: String::new(),
                    weight_override: Some(custodes_core::strategy::WeightOverride {
                        weight: custodes_core::strategy::Weight::parse("0.8").unwrap(),
                        reason: "the border is the first threat".into(),
                    }),
                },
                threats: Default::default(),
                deficits: Default::default(),
            },
        )
        .await
        .unwrap();
    s.store
        .set_horizon(
            &a,
            &v,
            ws,
            Horizon {
                first_year: 2027,
                years: 3,
                discount_rate: 0.0,
            },
        )
        .await
        .unwrap();
    s.store
        .create_capability(
            &a,
            &v,
            today,
            ws,
            CapabilityInput {
                goal,
                fields: CapabilityFields {
                    key: "border".into(),
                    name: "Border surveillance".into(),
                    description: String::new(),
                    required: vec![60.0, 70.0, 80.0],
                    current: CurrentLevel::Entered {
                        levels: vec![30.0; 3],
                    },
                },
            },
        )
        .await
        .unwrap();
    s.store
        .save_source(
            &a,
            &v,
            chrono::Utc::now().date_naive(),
            ws,
            SourceFields {
                key: "treasury".into(),
                name: "Treasury".into(),
                ceilings: vec![3.0e6; 3],
                eligible_fields: vec![],
                carry_over: false,
            },
            vec![],
        )
        .await
        .unwrap();
    for (key, name, cost, points) in [
        ("p-posts", "Joint border posts", 2.0e6, 30.0),
        ("p-radar", "Coastal radar", 2.5e6, 40.0),
    ] {
        s.store
            .create_programme(
                &a,
                &v,
                today,
                ws,
                ProgrammeInput {
                    fields: ProgrammeFields {
                        key: key.into(),
                        name: name.into(),
                        description: String::new(),
                        kind: ProgrammeKind::Sectoral,
                        field: ReformField::Professionalisation,
                        mandatory: false,
                        earliest_start: None,
                        latest_start: None,
                    },
                    lead_actor: None,
                    partners: Default::default(),
                    donors: Default::default(),
                    after: Default::default(),
                    gated_by: Default::default(),
                    classification: Classification::public(),
                },
            )
            .await
            .unwrap();
        s.store
            .save_option(
                &a,
                &v,
                today,
                ws,
                OptionEdit {
                    programme: key.into(),
                    editing: None,
                    fields: OptionFields {
                        key: "full".into(),
                        name: "Full".into(),
                        duration: 2,
                        costs: vec![SourceCost {
                            source: "treasury".into(),
                            per_year: vec![cost, cost],
                        }],
                        contributions: vec![Contribution {
                            capability: "border".into(),
                            per_year: vec![points / 2.0, points],
                        }],
                    },
                },
            )
            .await
            .unwrap();
    }
    for (key, name, assumptions) in [
        ("baseline", "Baseline", vec![]),
        (
            "cut",
            "Treasury cut",
            vec![Assumption::Factor {
                source: "treasury".into(),
                from_year: 2027,
                factor: 0.7,
            }],
        ),
    ] {
        s.store
            .save_scenario(
                &a,
                &v,
                ws,
                Scenario {
                    key: key.into(),
                    name: name.into(),
                    description: String::new(),
                    assumptions,
                },
            )
            .await
            .unwrap();
    }
}

async fn portfolio_forms_name_every_problem_and_change_nothing(flavour: Flavour) {
    let s = site(flavour).await;
    let planner = s.person("pl", Role::Planner, Level::Confidential).await;
    let mp = s.person("mp", Role::Parliament, Level::Secret).await;
    portfolio(&s).await;
    let before = s.entries().await;
    let (status, _, html) = s
        .post(
            &planner,
            "/w/land/planning/programmes/new",
            &[
                ("key", "Bad Key"),
                ("name", ""),
                ("kind", "sectoral"),
                ("field", "rule_of_law"),
                ("earliest_start", "20x"),
                ("level", "PUBLIC"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Enter a year, like 2028"), "{html}");
    let (status, _, html) = s
        .post(
            &planner,
            "/w/land/planning/programmes/new",
            &[
                ("key", "Bad Key"),
                ("name", ""),
                ("kind", "sectoral"),
                ("field", "rule_of_law"),
                ("latest_start", "2040"),
                ("level", "PUBLIC"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "There is a problem",
        "The key must be 1 to 60 lowercase letters",
        "Enter the programme&#39;s name",
        "The year must be within the horizon, 2027 to 2029",
    ] {
        assert!(html.contains(message), "{message} missing from {html}");
    }
    let (status, _, html) = s
        .post(
            &planner,
            "/w/land/planning/programmes/p-posts/options/new",
            &[
                ("key", "lean"),
                ("name", "Lean"),
                ("duration", "2"),
                ("cost-treasury", "1000000, lots"),
                ("contribution-border", "10, 20, 30"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("“lots” is not a number"), "{html}");
    let (status, _, html) = s
        .post(
            &planner,
            "/w/land/planning/programmes/p-posts/options/new",
            &[
                ("key", "lean"),
                ("name", "Lean"),
                ("duration", "2"),
                ("cost-treasury", "1000000, 1000000, 1000000"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("run for 3 years, longer than the option"),
        "{html}"
    );
    let (status, _, html) = s
        .post(
            &planner,
            "/w/land/planning/capabilities/new",
            &[
                ("key", "cyber"),
                ("name", "Cyber"),
                ("goal", ""),
                ("required", "1, 2"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Choose the goal the capability serves"),
        "{html}"
    );
    let (status, _, html) = s
        .post(
            &planner,
            "/w/land/planning/funding/new",
            &[("key", "donor"), ("name", "Donor"), ("ceilings", "1, 2")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("give one value for each of the 3 years")
            || html.contains("Give one value for each of the 3 years"),
        "{html}"
    );
    assert_eq!(s.entries().await, before, "a refused form wrote something");

    // Parliament reads the portfolio but does not edit it.
    let (status, html) = s.get(&mp, "/w/land/planning/programmes").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Joint border posts") && !html.contains("Add a programme"));
    let (status, _) = s.get(&mp, "/w/land/planning/programmes/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A good option is saved and shown in the cost and contribution tables.
    let (status, location, _) = s
        .post(
            &planner,
            "/w/land/planning/programmes/p-posts/options/new",
            &[
                ("key", "lean"),
                ("name", "Lean posts"),
                ("duration", "2"),
                ("cost-treasury", "1000000, 1200000"),
                ("contribution-border", "10, 20"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let (_, html) = s.get(&planner, "/w/land/planning/programmes/p-posts").await;
    assert!(
        html.contains("Lean posts") && html.contains("1.20 M") && html.contains("+20"),
        "{html}"
    );
    let (_, html) = s
        .get(&planner, "/w/land/planning/programmes?field=rule_of_law")
        .await;
    assert!(html.contains("0 programmes"), "{html}");
    let (_, html) = s.get(&planner, "/w/land/planning/capabilities").await;
    assert!(
        html.contains("Border surveillance") && html.contains(">50<"),
        "{html}"
    );
    let (_, html) = s.get(&planner, "/w/land/planning/funding").await;
    assert!(
        html.contains("Treasury cut") && html.contains("treasury ceilings cut by 30% from 2027"),
        "{html}"
    );
}

async fn a_plan_is_optimised_shown_approved_and_compared(flavour: Flavour) {
    let s = site(flavour).await;
    let planner = s.person("pl", Role::Planner, Level::Confidential).await;
    let mp = s.person("mp", Role::Parliament, Level::Secret).await;
    portfolio(&s).await;
    let (status, _, html) = s
        .post(
            &planner,
            "/w/land/planning",
            &[
                ("scenario", "baseline"),
                ("time_limit", "0"),
                ("gap", "0.01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("The time limit must be from 0.1"), "{html}");
    let (status, job, _) = s
        .post(
            &planner,
            "/w/land/planning",
            &[
                ("scenario", "baseline"),
                ("name", "Plan A"),
                ("time_limit", "10"),
                ("gap", "0"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(job.starts_with("/w/land/planning/jobs/"), "{job}");
    let location = follow_job(&s, &planner, &job).await;
    let (status, html) = s.get(&planner, &location).await;
    assert_eq!(status, StatusCode::OK);
    for part in [
        "<svg",
        "Programmes by year",
        "Spend against ceilings",
        "Residual gap per goal",
        "Control the border",
        "Rules that bind",
        "Marginal value of money",
        "Programmes left out",
        "Submit to parliament",
        "proven optimal",
    ] {
        assert!(html.contains(part), "{part} missing from {html}");
    }
    // Only one programme fits the 3 M a year: the other is left out with its reason.
    assert!(html.contains("Treasury ceiling"), "{html}");
    // The public does not see a draft.
    let anon = Request::get(location.as_str()).body(Body::empty()).unwrap();
    let (status, _, _) = s.send(anon).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let plan = location.rsplit('/').next().unwrap().to_owned();
    let status_path = format!("/w/land/planning/plans/{plan}/status");
    let (status, _, _) = s.post(&planner, &status_path, &[("step", "submit")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let donor = s.person("donor", Role::Donor, Level::Secret).await;
    let (status, _, _) = s
        .post(
            &donor,
            &status_path,
            &[
                ("step", "approve"),
                ("approved_on", "2026-01-01"),
                ("approval_reference", "X"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, html) = s
        .post(
            &mp,
            &status_path,
            &[
                ("step", "approve"),
                ("approved_on", "2026-01-01"),
                ("approval_reference", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Enter the reference of parliament"), "{html}");
    let today = chrono::Utc::now().date_naive().to_string();
    let (status, _, _) = s
        .post(
            &mp,
            &status_path,
            &[
                ("step", "approve"),
                ("approved_on", &today),
                ("approval_reference", "NA/1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = s.get(&mp, &location).await;
    assert!(html.contains("frozen") && html.contains("NA/1"), "{html}");
    let anon = Request::get(location.as_str()).body(Body::empty()).unwrap();
    let (status, _, _) = s.send(anon).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an approved public plan is for everyone"
    );

    let (status, job_b, _) = s
        .post(
            &planner,
            "/w/land/planning",
            &[
                ("scenario", "cut"),
                ("name", "Plan B"),
                ("time_limit", "10"),
                ("gap", "0"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location_b = follow_job(&s, &planner, &job_b).await;
    let plan_b = location_b.rsplit('/').next().unwrap().to_owned();
    let (status, html) = s
        .get(
            &planner,
            &format!("/w/land/planning/compare?a={plan}&b={plan_b}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for part in [
        "What enters",
        "What leaves",
        "What moves",
        "Change in residual gap per goal",
        "Treasury cut",
    ] {
        assert!(html.contains(part), "{part} missing from {html}");
    }
    let (_, html) = s.get(&planner, "/w/land/planning").await;
    assert!(
        html.contains("Plan A") && html.contains("Plan B") && html.contains("Approved"),
        "{html}"
    );
}

/// Follows the progress page of an optimisation until it sends its owner to the saved
/// plan, and returns the plan's address; fails if no plan is made.
async fn follow_job(s: &Site, who: &site::Person, job: &str) -> String {
    for _ in 0..1200 {
        let req = Request::get(job)
            .header(axum::http::header::COOKIE, &who.cookie)
            .body(Body::empty())
            .unwrap();
        let (status, location, html) = s.send(req).await;
        match status {
            StatusCode::SEE_OTHER => {
                assert!(location.contains("/planning/plans/"), "{location}");
                return location;
            }
            StatusCode::OK => assert!(!html.contains("No plan was made"), "{html}"),
            other => panic!("{job} answered {other}: {html}"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{job} did not end within a minute")
}

/// Waits until the job's page shows a plan found by the search (the page says
/// "Weighted gap"), so that stopping it keeps a plan.
async fn until_a_plan_is_found(s: &Site, who: &site::Person, job: &str) {
    for _ in 0..600 {
        let (status, html) = s.get(who, job).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        if html.contains("Weighted gap ") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{job} found no plan within 30 s")
}

/// A portfolio in a workspace of its own, "big", whose best plan takes long to prove: 60
/// programmes of two options each over ten years, twelve capabilities under four goals
/// whose gaps no affordable plan closes, and one treasury that pays for about a quarter
/// of the programmes, under the scenario "baseline". The numbers come from a fixed
/// sequence, so every run solves the same problem. (Measured on a loaded 2-core machine:
/// a first plan within about a second, and still 0.4% from proven at 30 s.)
async fn big_portfolio(s: &Site) {
    use custodes_core::framework::ReformField;
    use custodes_core::plan::{Contribution, ProgrammeKind, SourceCost};
    use custodes_core::planning::{
        CapabilityFields, CurrentLevel, Horizon, OptionFields, ProgrammeFields, Scenario,
        SourceFields,
    };
    use custodes_core::policy::Classification;
    use custodes_core::workspace::{Slug, WorkspaceKind};
    use custodes_store::capability::CapabilityInput;
    use custodes_store::goal::GoalInput;
    use custodes_store::programme::{OptionEdit, ProgrammeInput};
    let a = Actor::System;
    let ws = s
        .store
        .create_workspace(
            &a,
            Slug::parse("big").unwrap(),
            "Big",
            WorkspaceKind::Country,
        )
        .await
        .unwrap()
        .id;
    let u = s.store.user_by_username("pl").await.unwrap();
    let v = s.store.viewer(u.id).await.unwrap().unwrap();
    let today = chrono::Utc::now().date_naive();
    let mut seed: u64 = 7;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as f64 / (1u64 << 31) as f64
    };
    s.store
        .set_horizon(
            &a,
            &v,
            ws,
            Horizon {
                first_year: 2027,
                years: 10,
                discount_rate: 0.03,
            },
        )
        .await
        .unwrap();
    let mut capabilities = Vec::new();
    for g in 0..4 {
        let goal = s
            .store
            .create_goal(
                &a,
                &v,
                today,
                ws,
                GoalInput {
                    fields: custodes_core::strategy::GoalFields {
                        title: format!("Goal {g}"),
                        description: String::new(),
                        weight_override: Some(custodes_core::strategy::WeightOverride {
                            weight: custodes_core::strategy::Weight::parse(&format!("0.{}", 5 + g))
                                .unwrap(),
                            reason: "a test".into(),
                        }),
                    },
                    threats: Default::default(),
                    deficits: Default::default(),
                },
            )
            .await
            .unwrap();
        for c in 0..3 {
            let key = format!("cap-{g}-{c}");
            s.store
                .create_capability(
                    &a,
                    &v,
                    today,
                    ws,
                    CapabilityInput {
                        goal,
                        fields: CapabilityFields {
                            key: key.clone(),
                            name: format!("Capability {g}.{c}"),
                            description: String::new(),
                            required: vec![100.0; 10],
                            current: CurrentLevel::Entered {
                                levels: vec![10.0; 10],
                            },
                        },
                    },
                )
                .await
                .unwrap();
            capabilities.push(key);
        }
    }
    s.store
        .save_source(
            &a,
            &v,
            chrono::Utc::now().date_naive(),
            ws,
            SourceFields {
                key: "treasury".into(),
                name: "Treasury".into(),
                ceilings: vec![12.0e6; 10],
                eligible_fields: vec![],
                carry_over: false,
            },
            vec![],
        )
        .await
        .unwrap();
    for p in 0..60 {
        let key = format!("p-{p:02}");
        s.store
            .create_programme(
                &a,
                &v,
                today,
                ws,
                ProgrammeInput {
                    fields: ProgrammeFields {
                        key: key.clone(),
                        name: format!("Programme {p}"),
                        description: String::new(),
                        kind: ProgrammeKind::Sectoral,
                        field: ReformField::ALL[p % 4],
                        mandatory: false,
                        earliest_start: None,
                        latest_start: None,
                    },
                    lead_actor: None,
                    partners: Default::default(),
                    donors: Default::default(),
                    after: Default::default(),
                    gated_by: Default::default(),
                    classification: Classification::public(),
                },
            )
            .await
            .unwrap();
        let duration = 2 + (next() * 4.0) as u32;
        let cost = (1.0 + next() * 2.5) * 1.0e6;
        let points = 5.0 + next() * 15.0;
        let first = (next() * 12.0) as usize;
        let second = (first + 1 + (next() * 11.0) as usize) % 12;
        for (option, share, years) in [("full", 1.0, duration), ("lean", 0.55, duration - 1)] {
            let ramp = |weight: f64| -> Vec<f64> {
                (1..=years)
                    .map(|t| (points * share * weight * t as f64 / years as f64).round())
                    .collect()
            };
            s.store
                .save_option(
                    &a,
                    &v,
                    today,
                    ws,
                    OptionEdit {
                        programme: key.clone(),
                        editing: None,
                        fields: OptionFields {
                            key: option.into(),
                            name: option.into(),
                            duration: years,
                            costs: vec![SourceCost {
                                source: "treasury".into(),
                                per_year: vec![(cost * share).round(); years as usize],
                            }],
                            contributions: vec![
                                Contribution {
                                    capability: capabilities[first].as_str().into(),
                                    per_year: ramp(1.0),
                                },
                                Contribution {
                                    capability: capabilities[second].as_str().into(),
                                    per_year: ramp(0.5),
                                },
                            ],
                        },
                    },
                )
                .await
                .unwrap();
        }
    }
    s.store
        .save_scenario(
            &a,
            &v,
            ws,
            Scenario {
                key: "baseline".into(),
                name: "Baseline".into(),
                description: String::new(),
                assumptions: vec![],
            },
        )
        .await
        .unwrap();
}

/// What the optimise form posts for the big portfolio: a search that would run for 30 s
/// at a gap tolerance of zero.
const LONG_SOLVE: [(&str, &str); 4] = [
    ("scenario", "baseline"),
    ("name", "Long search"),
    ("time_limit", "30"),
    ("gap", "0"),
];

async fn a_running_optimisation_shows_its_progress_and_stops_keeping_the_best_plan(
    flavour: Flavour,
) {
    let s = site(flavour).await;
    let planner = s.person("pl", Role::Planner, Level::Confidential).await;
    let other = s.person("pl2", Role::Planner, Level::Secret).await;
    let donor = s.person("donor", Role::Donor, Level::Secret).await;
    big_portfolio(&s).await;
    let (status, job, _) = s.post(&planner, "/w/big/planning", &LONG_SOLVE).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(job.starts_with("/w/big/planning/jobs/"), "{job}");

    // The page: the scenario, the time against the limit, the search's numbers, the stop
    // button, and a reload every two seconds without JavaScript.
    let (status, html) = s.get(&planner, &job).await;
    assert_eq!(status, StatusCode::OK);
    for part in [
        "<h1 class=\"heading-xl\">Optimising a plan</h1>",
        "Long search, under the scenario Baseline",
        "<noscript><meta http-equiv=\"refresh\" content=\"2\"></noscript>",
        "<progress class=\"job-progress\" id=\"job-time\" max=\"30\"",
        "<label class=\"job-status__label\" for=\"job-time\">Time: ",
        "s used of the 30 s time limit",
        "Proven bound",
        "Optimality gap",
        "Nodes explored",
        "The search ends when it reaches 0%, or at the time limit.",
        "Stop and keep the best plan",
        &format!("action=\"{job}/stop\""),
    ] {
        assert!(html.contains(part), "{part} missing from {html}");
    }
    // htmx asks for the status part alone, which asks again every second.
    let (status, headers, part) = s.get_htmx(&planner, &job).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("hx-redirect").is_none());
    assert!(
        part.starts_with("<div class=\"job-status\" id=\"job-status\"")
            && part.contains(&format!("hx-get=\"{job}\""))
            && part.contains("hx-trigger=\"every 1s\"")
            && !part.contains("<html"),
        "{part}"
    );
    // The plans page links back to it while it runs.
    let (_, html) = s.get(&planner, "/w/big/planning").await;
    assert!(
        html.contains("Your optimisations") && html.contains(&format!("href=\"{job}\"")),
        "{html}"
    );

    // Nobody else sees or stops it: another planner, a donor, the public.
    let stop = format!("{job}/stop");
    for who in [&other, &donor] {
        let (status, html) = s.get(who, &job).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!html.contains("Long search"), "{html}");
        let (status, _, _) = s.post(who, &stop, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, html) = s.get(who, "/w/big/planning").await;
        assert!(!html.contains("Your optimisations"), "{html}");
    }
    let (status, location, _) = s
        .send(Request::get(job.as_str()).body(Body::empty()).unwrap())
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/sign-in")
    );
    let (status, location, _) = s
        .send(
            Request::post(stop.as_str())
                .header(axum::http::header::HOST, "custodes.test")
                .header(
                    axum::http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/sign-in")
    );
    // A job is found under its own workspace only.
    let elsewhere = job.replace("/w/big/", "/w/land/");
    let (status, _) = s.get(&planner, &elsewhere).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The owner stops it once a plan is found: the best plan is explained and saved.
    until_a_plan_is_found(&s, &planner, &job).await;
    let (status, location, _) = s.post(&planner, &stop, &[]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, job.as_str())
    );
    let plan = follow_job(&s, &planner, &job).await;
    let (status, html) = s.get(&planner, &plan).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Long search") && html.contains("stopped by the user"),
        "{html}"
    );
    // htmx is sent to the plan too.
    let (status, headers, _) = s.get_htmx(&planner, &job).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["hx-redirect"], plan.as_str());
    let plan_id = plan.rsplit('/').next().unwrap();
    let stored = s
        .store
        .get_plan(
            &s.store
                .viewer(s.store.user_by_username("pl").await.unwrap().id)
                .await
                .unwrap()
                .unwrap(),
            chrono::Utc::now().date_naive(),
            plan_id.parse().unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.report.status, "stopped");
}

async fn an_optimisation_without_a_plan_says_why_and_keeps_the_form(flavour: Flavour) {
    use custodes_core::framework::ReformField;
    use custodes_core::plan::{Contribution, ProgrammeKind, SourceCost};
    use custodes_core::planning::{OptionFields, ProgrammeFields};
    use custodes_core::policy::Classification;
    use custodes_store::programme::{OptionEdit, ProgrammeInput};
    let s = site(flavour).await;
    let planner = s.person("pl", Role::Planner, Level::Confidential).await;
    portfolio(&s).await;
    // A mandatory programme that costs more each year than the treasury has.
    let ws = s.store.list_workspaces().await.unwrap()[0].id;
    let u = s.store.user_by_username("pl").await.unwrap();
    let v = s.store.viewer(u.id).await.unwrap().unwrap();
    let today = chrono::Utc::now().date_naive();
    s.store
        .create_programme(
            &Actor::System,
            &v,
            today,
            ws,
            ProgrammeInput {
                fields: ProgrammeFields {
                    key: "p-must".into(),
                    name: "Mandatory fleet".into(),
                    description: String::new(),
                    kind: ProgrammeKind::Sectoral,
                    field: ReformField::Professionalisation,
                    mandatory: true,
                    earliest_start: None,
                    latest_start: None,
                },
                lead_actor: None,
                partners: Default::default(),
                donors: Default::default(),
                after: Default::default(),
                gated_by: Default::default(),
                classification: Classification::public(),
            },
        )
        .await
        .unwrap();
    s.store
        .save_option(
            &Actor::System,
            &v,
            today,
            ws,
            OptionEdit {
                programme: "p-must".into(),
                editing: None,
                fields: OptionFields {
                    key: "only".into(),
                    name: "Only".into(),
                    duration: 2,
                    costs: vec![SourceCost {
                        source: "treasury".into(),
                        per_year: vec![5.0e6, 5.0e6],
                    }],
                    contributions: vec![Contribution {
                        capability: "border".into(),
                        per_year: vec![1.0, 2.0],
                    }],
                },
            },
        )
        .await
        .unwrap();
    let before = s.entries().await;
    let (status, job, _) = s
        .post(
            &planner,
            "/w/land/planning",
            &[
                ("scenario", "baseline"),
                ("name", "Doomed"),
                ("time_limit", "7.5"),
                ("gap", "0.02"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut html = String::new();
    for _ in 0..600 {
        let (status, page) = s.get(&planner, &job).await;
        assert_eq!(status, StatusCode::OK);
        html = page;
        if html.contains("No plan was made") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for part in [
        "<h1 class=\"heading-xl\">No plan was made</h1>",
        "Baseline: the optimiser could not make a plan",
        "No plan can exist: mandatory programme Mandatory fleet does not fit even alone",
        "href=\"/w/land/planning?scenario=baseline&#38;name=Doomed&#38;time_limit=7.5&#38;gap=0.02#optimise\"",
    ] {
        assert!(html.contains(part), "{part} missing from {html}");
    }
    assert!(
        !html.contains("http-equiv") && !html.contains("Stop and keep"),
        "{html}"
    );
    assert_eq!(
        s.entries().await,
        before,
        "a failed optimisation wrote something"
    );
    // htmx reloads the whole page, which says what happened.
    let (status, headers, _) = s.get_htmx(&planner, &job).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["hx-refresh"], "true");
    // The link back fills the form in with the same values.
    let (status, html) = s
        .get(
            &planner,
            "/w/land/planning?scenario=baseline&name=Doomed&time_limit=7.5&gap=0.02",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for part in [
        "<option value=\"baseline\" selected>",
        "name=\"name\" type=\"text\" value=\"Doomed\"",
        "value=\"7.5\"",
        "value=\"0.02\"",
        "Your optimisations",
        "No plan was made",
    ] {
        assert!(html.contains(part), "{part} missing from {html}");
    }
}

async fn the_server_solves_two_plans_at_once_and_says_so_to_a_third(flavour: Flavour) {
    use custodes_core::permission::TokenScope;
    let s = site(flavour).await;
    let planner = s.person("pl", Role::Planner, Level::Confidential).await;
    let other = s.person("pl2", Role::Planner, Level::Secret).await;
    big_portfolio(&s).await;
    let (status, first, _) = s.post(&planner, "/w/big/planning", &LONG_SOLVE).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, second, _) = s.post(&other, "/w/big/planning", &LONG_SOLVE).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, html) = s.post(&planner, "/w/big/planning", &LONG_SOLVE).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    for part in [
        "There is a problem",
        "href=\"#optimise-button\"",
        "This server is already optimising 2 plans, as many as it runs at once; try again when one has finished",
        "value=\"Long search\"",
    ] {
        assert!(html.contains(part), "{part} missing from {html}");
    }
    let token = s.token("pl", TokenScope::Write).await;
    let (status, headers, json) = s
        .api(
            "POST",
            "/api/v1/workspaces/big/plans?wait=false",
            Some(&token),
            Some(serde_json::json!({"scenario": "baseline"})),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{json}");
    assert_eq!(headers["retry-after"], "10");
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("already optimising 2 plans"),
        "{json}"
    );
    // Once one ends, another may start.
    let (status, _, _) = s.post(&planner, &format!("{first}/stop"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    until_ended(&s, &planner, &first).await;
    let (status, third, _) = s.post(&planner, "/w/big/planning", &LONG_SOLVE).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{third}");
    for (who, job) in [(&other, &second), (&planner, &third)] {
        let (status, _, _) = s.post(who, &format!("{job}/stop"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    for (who, job) in [(&other, &second), (&planner, &third)] {
        until_ended(&s, who, job).await;
    }
}

/// Waits until the job ends, with a plan or without one: stopped at once, a job may not
/// have found a plan yet.
async fn until_ended(s: &Site, who: &site::Person, job: &str) {
    for _ in 0..1200 {
        let req = Request::get(job)
            .header(axum::http::header::COOKIE, &who.cookie)
            .body(Body::empty())
            .unwrap();
        let (status, _, html) = s.send(req).await;
        if status == StatusCode::SEE_OTHER || html.contains("No plan was made") {
            return;
        }
        assert_eq!(status, StatusCode::OK, "{html}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{job} did not end within a minute")
}

async fn the_api_optimises_in_the_background_when_asked(flavour: Flavour) {
    use custodes_core::permission::TokenScope;
    let s = site(flavour).await;
    let _planner = s.person("pl", Role::Planner, Level::Confidential).await;
    let _other = s.person("pl2", Role::Planner, Level::Secret).await;
    let _donor = s.person("donor", Role::Donor, Level::Secret).await;
    portfolio(&s).await;
    big_portfolio(&s).await;
    let write = s.token("pl", TokenScope::Write).await;
    let read = s.token("pl", TokenScope::Read).await;
    let others = s.token("pl2", TokenScope::Write).await;
    let donors = s.token("donor", TokenScope::Write).await;
    let body = serde_json::json!({"scenario": "baseline", "name": "By API", "time_limit_seconds": 10, "gap": 0});

    // By default the answer waits for the plan, as it always has.
    let (status, headers, json) = s
        .api(
            "POST",
            "/api/v1/workspaces/land/plans",
            Some(&write),
            Some(body.clone()),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    assert_eq!(json["name"], "By API");
    assert_eq!(json["search"], "optimal");
    assert_eq!(
        headers["location"],
        format!("/api/v1/plans/{}", json["id"].as_str().unwrap()).as_str()
    );
    // A donor may not optimise, and is told so before any solving.
    let (status, _, _) = s
        .api(
            "POST",
            "/api/v1/workspaces/land/plans?wait=false",
            Some(&donors),
            Some(body.clone()),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A scenario that does not exist is refused at once.
    let (status, _, _) = s
        .api(
            "POST",
            "/api/v1/workspaces/land/plans?wait=false",
            Some(&write),
            Some(serde_json::json!({"scenario": "nothing"})),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // With wait=false, or Prefer: respond-async, the job comes back at once.
    for (path, extra) in [
        ("/api/v1/workspaces/land/plans?wait=false", vec![]),
        (
            "/api/v1/workspaces/land/plans",
            vec![("prefer", "respond-async")],
        ),
    ] {
        let (status, headers, job) = s
            .api("POST", path, Some(&write), Some(body.clone()), &extra)
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{job}");
        let url = job["url"].as_str().unwrap().to_owned();
        assert_eq!(headers["location"], url.as_str());
        assert_eq!(headers["preference-applied"], "respond-async");
        assert!(url.starts_with("/api/v1/jobs/"), "{url}");
        assert_eq!(job["scenario_key"], "baseline");
        assert_eq!(job["name"], "By API");
        assert_eq!(job["time_limit_seconds"], 10.0);
        assert!(
            ["running", "succeeded"].contains(&job["state"].as_str().unwrap()),
            "{job}"
        );
        let done = poll(&s, &url, &read, |j| j["state"] != "running").await;
        assert_eq!(done["state"], "succeeded", "{done}");
        assert_eq!(done["stage"], "The plan is saved.");
        assert!(done["search"]["incumbent"].is_number(), "{done}");
        let plan_url = done["plan_url"].as_str().unwrap();
        assert_eq!(
            plan_url,
            format!("/api/v1/plans/{}", done["plan"].as_str().unwrap())
        );
        let (status, _, plan) = s.api("GET", plan_url, Some(&read), None, &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(plan["search"], "optimal");

        // Nobody else sees it; the public must sign in.
        let (status, _, _) = s.api("GET", &url, Some(&others), None, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, headers, _) = s.api("GET", &url, None, None, &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(headers["www-authenticate"], "Bearer");
        let (status, _, _) = s
            .api("POST", &format!("{url}/stop"), Some(&others), None, &[])
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Stopping an ended job changes nothing.
        let (status, _, same) = s
            .api("POST", &format!("{url}/stop"), Some(&write), None, &[])
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(same["state"], "succeeded");
    }
    let (status, _, _) = s
        .api("GET", "/api/v1/jobs/not-a-job", Some(&read), None, &[])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A long search, stopped through the API once it has a plan, keeps that plan.
    let (status, _, job) = s
        .api(
            "POST",
            "/api/v1/workspaces/big/plans?wait=false",
            Some(&write),
            Some(serde_json::json!({"scenario": "baseline", "time_limit_seconds": 30, "gap": 0})),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let url = job["url"].as_str().unwrap().to_owned();
    // Until the search has proven a bound, the bound and the gap are null.
    let found = poll(&s, &url, &read, |j| {
        j["search"]["incumbent"].is_number() && j["search"]["bound"].is_number()
    })
    .await;
    assert_eq!(found["state"], "running", "{found}");
    assert!(found["search"]["gap"].is_number(), "{found}");
    assert!(found["progress"]["event"].is_string(), "{found}");
    // A read token may look but not stop.
    let (status, _, _) = s
        .api("POST", &format!("{url}/stop"), Some(&read), None, &[])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, stopping) = s
        .api("POST", &format!("{url}/stop"), Some(&write), None, &[])
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{stopping}");
    assert!(
        ["stopping", "succeeded"].contains(&stopping["state"].as_str().unwrap()),
        "{stopping}"
    );
    let done = poll(&s, &url, &read, |j| {
        j["state"] != "running" && j["state"] != "stopping"
    })
    .await;
    assert_eq!(done["state"], "succeeded", "{done}");
    let (_, _, plan) = s
        .api(
            "GET",
            done["plan_url"].as_str().unwrap(),
            Some(&read),
            None,
            &[],
        )
        .await;
    assert_eq!(plan["search"], "stopped", "{plan}");
    assert!(done["elapsed_seconds"].as_f64().unwrap() < 30.0, "{done}");
}

/// Asks for the job at `url` until `until` holds, and returns it.
async fn poll(
    s: &Site,
    url: &str,
    token: &str,
    until: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    for _ in 0..1200 {
        let (status, _, job) = s.api("GET", url, Some(token), None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        if until(&job) {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{url} did not get there within a minute")
}

/// Stopping the server stops the optimisations under way and waits for each to end (a
/// stopped solve explains and saves its best plan) before `serve` returns.
#[tokio::test]
async fn stopping_the_server_stops_the_optimisations_under_way() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use custodes_web::planning::jobs::{About, Jobs};
    let s = site(Flavour::Sqlite).await;
    let jobs = Jobs::new(2);
    let state = custodes_web::AppState {
        store: s.store.clone(),
        instance: custodes_web::Instance {
            name: "Shutdown".into(),
            version: "0",
        },
        limits: Default::default(),
        jobs: jobs.clone(),
    };
    let ended = Arc::new(AtomicBool::new(false));
    let done = ended.clone();
    let owner = custodes_core::UserId::from_uuid(uuid::Uuid::now_v7());
    let ws = s.store.list_workspaces().await.unwrap()[0].id;
    let about = About {
        scenario_key: "baseline".into(),
        scenario: "Baseline".into(),
        name: "Plan".into(),
        settings: Default::default(),
    };
    jobs.start(owner, ws, about, move |handle| async move {
        while !handle.stop().is_stopped() {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        // Explaining and saving the best plan takes a moment.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        done.store(true, Ordering::SeqCst);
        Err("stopped".into())
    })
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(custodes_web::serve(listener, state, async move {
        let _ = rx.await;
    }));
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(!ended.load(Ordering::SeqCst));
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(
        ended.load(Ordering::SeqCst),
        "serve returned before the job ended"
    );
}

on_both_backends!(
    portfolio_forms_name_every_problem_and_change_nothing,
    a_plan_is_optimised_shown_approved_and_compared,
    a_running_optimisation_shows_its_progress_and_stops_keeping_the_best_plan,
    an_optimisation_without_a_plan_says_why_and_keeps_the_form,
    the_server_solves_two_plans_at_once_and_says_so_to_a_third,
    the_api_optimises_in_the_background_when_asked,
);

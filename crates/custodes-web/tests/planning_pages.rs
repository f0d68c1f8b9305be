//! The planning pages, on both backends: the portfolio's forms name every problem and
//! change nothing on bad input, permissions are asked, a plan is optimised from the web
//! form and shown with its chart, spend, gaps and reasons, goes through its life cycle,
//! and two plans are compared side by side.

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
    let (status, location, _) = s
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

    let (status, location_b, _) = s
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

on_both_backends!(
    portfolio_forms_name_every_problem_and_change_nothing,
    a_plan_is_optimised_shown_approved_and_compared,
);

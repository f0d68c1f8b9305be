//! The forms and API routes of the rules that bind every plan, on both backends:
//! exclusions, capacities of lead actors, minimum shares, budget scenarios, and
//! dependencies and gates through the API. Each form renders; a bad submission shows the
//! problem beside its field and changes nothing; a good one redirects and the rule
//! appears; removal works from the list. A programme or actor the visitor may not read is
//! neither shown nor accepted. A scenario that a plan was optimised under is kept.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use custodes_core::access::CompartmentKind;
use custodes_core::audit::Actor;
use custodes_core::permission::TokenScope;
use custodes_core::{Level, Role, WorkspaceId};
use custodes_testkit::{Flavour, on_both_backends};
use serde_json::{Value, json};

mod site;

use site::{Person, Site};

struct World {
    s: Site,
    ws: WorkspaceId,
    /// A planner cleared for everything, in the SIS compartment.
    planner: Person,
    /// A planner with OFFICIAL clearance: the SIS programme and actor are hidden.
    outsider: Person,
    /// Parliament: reads, does not plan.
    mp: Person,
    police: String,
    sis: String,
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Workspace "land" with a horizon of 2027–2029, a goal, the treasury, two actors (the
/// State Intelligence Service CONFIDENTIAL in compartment "sis"), and three programmes
/// with one option each: two public ("Joint border posts", "Coastal radar") and one
/// CONFIDENTIAL in "sis" ("Covert listening posts").
async fn world(flavour: Flavour) -> World {
    use custodes_core::framework::ReformField;
    use custodes_core::plan::{ProgrammeKind, SourceCost};
    use custodes_core::planning::{Horizon, OptionFields, ProgrammeFields, SourceFields};
    use custodes_core::policy::Classification;
    use custodes_core::sector::{ActorFields, ActorKind};
    use custodes_store::actor::ActorInput;
    use custodes_store::goal::GoalInput;
    use custodes_store::programme::{OptionEdit, ProgrammeInput};
    let s = site::site(flavour, "Planning rules test").await;
    let planner = s.person("pl", Role::Planner, Level::Secret).await;
    let outsider = s.person("out", Role::Planner, Level::Official).await;
    let mp = s.person("mp", Role::Parliament, Level::Secret).await;
    let st = &s.store;
    let a = Actor::System;
    let sis_group = st
        .create_compartment(&a, "sis", "SIS", CompartmentKind::Agency, "")
        .await
        .unwrap()
        .id;
    st.set_membership(&a, sis_group, "pl", true).await.unwrap();
    let u = st.user_by_username("pl").await.unwrap();
    let v = st.viewer(u.id).await.unwrap().unwrap();
    let ws = st.list_workspaces().await.unwrap()[0].id;
    let secret = Classification::new(
        Level::Confidential,
        [sis_group].into(),
        Some("names an intelligence source".into()),
        None,
        Level::Public,
    )
    .unwrap();
    let mut actors = Vec::new();
    for (name, c) in [
        ("National Police Service", Classification::public()),
        ("State Intelligence Service", secret.clone()),
    ] {
        actors.push(
            st.create_actor(
                &a,
                &v,
                today(),
                ws,
                ActorInput {
                    fields: ActorFields {
                        name: name.into(),
                        kind: ActorKind::Police,
                        mandate: String::new(),
                        legal_basis: String::new(),
                        personnel: None,
                        budget: None,
                    },
                    parent: None,
                    classification: c,
                },
            )
            .await
            .unwrap()
            .id
            .to_string(),
        );
    }
    st.create_goal(
        &a,
        &v,
        today(),
        ws,
        GoalInput {
            fields: custodes_core::strategy::GoalFields {
                title: "Control the border".into(),
                description: String::new(),
                weight_override: None,
            },
            threats: Default::default(),
            deficits: Default::default(),
        },
    )
    .await
    .unwrap();
    st.set_horizon(
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
    st.save_source(
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
    for (key, name, c) in [
        ("p-posts", "Joint border posts", Classification::public()),
        ("p-radar", "Coastal radar", Classification::public()),
        ("p-secret", "Covert listening posts", secret.clone()),
    ] {
        st.create_programme(
            &a,
            &v,
            today(),
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
                classification: c,
            },
        )
        .await
        .unwrap();
        st.save_option(
            &a,
            &v,
            today(),
            ws,
            OptionEdit {
                programme: key.into(),
                editing: None,
                fields: OptionFields {
                    key: "full".into(),
                    name: "Full".into(),
                    duration: 1,
                    costs: vec![SourceCost {
                        source: "treasury".into(),
                        per_year: vec![1.0e6],
                    }],
                    contributions: vec![],
                },
            },
        )
        .await
        .unwrap();
    }
    World {
        ws,
        planner,
        outsider,
        mp,
        police: actors[0].clone(),
        sis: actors[1].clone(),
        s,
    }
}

/// Asserts that `html` holds every one of `parts`.
fn shows(html: &str, parts: &[&str]) {
    for part in parts {
        assert!(html.contains(part), "{part} missing from {html}");
    }
}

async fn exclusions_are_added_and_removed_from_the_portfolio(flavour: Flavour) {
    let w = world(flavour).await;
    let s = &w.s;
    let (status, html) = s.get(&w.planner, "/w/land/planning/exclusions/new").await;
    assert_eq!(status, StatusCode::OK);
    shows(
        &html,
        &[
            "Add an exclusion",
            "name=\"csrf\"",
            "Joint border posts",
            "Covert listening posts",
        ],
    );
    let (_, html) = s.get(&w.outsider, "/w/land/planning/exclusions/new").await;
    assert!(!html.contains("Covert listening"), "{html}");
    let (status, _) = s.get(&w.mp, "/w/land/planning/exclusions/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let before = s.entries().await;
    let (status, _, html) = s
        .post(
            &w.planner,
            "/w/land/planning/exclusions/new",
            &[("name", " "), ("programmes", "p-posts")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(
        &html,
        &[
            "There is a problem",
            "href=\"#name\"",
            "Enter the exclusion&#39;s name",
            "href=\"#programmes\"",
            "Choose two programmes or more",
        ],
    );
    // The outsider's choice of the hidden programme is refused as one that does not
    // exist, without its name.
    let (status, _, html) = s
        .post(
            &w.outsider,
            "/w/land/planning/exclusions/new",
            &[
                ("name", "Either"),
                ("programmes", "p-posts"),
                ("programmes", "p-secret"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&html, &["There is no programme p-secret"]);
    assert!(!html.contains("Covert listening"), "{html}");
    assert_eq!(s.entries().await, before, "a refused form wrote something");

    let (status, location, _) = s
        .post(
            &w.planner,
            "/w/land/planning/exclusions/new",
            &[
                ("name", "One border system"),
                ("programmes", "p-posts"),
                ("programmes", "p-radar"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/w/land/planning/programmes#exclusions");
    let (status, _, _) = s
        .post(
            &w.planner,
            "/w/land/planning/exclusions/new",
            &[
                ("name", "Listening or posts"),
                ("programmes", "p-posts"),
                ("programmes", "p-secret"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = s.get(&w.planner, "/w/land/planning/programmes").await;
    shows(
        &html,
        &[
            "One border system",
            "At most one of Joint border posts or Coastal radar.",
            "Listening or posts",
            "Add an exclusion",
        ],
    );
    // The exclusion that names the hidden programme is left out whole for the outsider.
    let (_, html) = s.get(&w.outsider, "/w/land/planning/programmes").await;
    assert!(html.contains("One border system"), "{html}");
    assert!(
        !html.contains("Listening or posts") && !html.contains("Covert"),
        "{html}"
    );
    let (_, html) = s.get(&w.mp, "/w/land/planning/programmes").await;
    assert!(html.contains("One border system") && !html.contains("Add an exclusion"));

    let viewer = {
        let u = s.store.user_by_username("pl").await.unwrap();
        s.store.viewer(u.id).await.unwrap().unwrap()
    };
    let all = s
        .store
        .list_exclusions(&viewer, today(), w.ws)
        .await
        .unwrap();
    let hidden = all.iter().find(|e| e.name == "Listening or posts").unwrap();
    let open = all.iter().find(|e| e.name == "One border system").unwrap();
    let (status, _, _) = s
        .post(
            &w.outsider,
            &format!("/w/land/planning/exclusions/{}/delete", hidden.id),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = s
        .post(
            &w.mp,
            &format!("/w/land/planning/exclusions/{}/delete", open.id),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, location, _) = s
        .post(
            &w.planner,
            &format!("/w/land/planning/exclusions/{}/delete", open.id),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let (_, html) = s.get(&w.planner, "/w/land/planning/programmes").await;
    assert!(!html.contains("One border system") && html.contains("Listening or posts"));
}

async fn capacities_are_set_changed_and_removed(flavour: Flavour) {
    let w = world(flavour).await;
    let s = &w.s;
    let (status, html) = s.get(&w.planner, "/w/land/planning/capacities/edit").await;
    assert_eq!(status, StatusCode::OK);
    shows(
        &html,
        &[
            "Set a lead actor’s capacity",
            "National Police Service",
            "State Intelligence Service",
        ],
    );
    let (_, html) = s.get(&w.outsider, "/w/land/planning/capacities/edit").await;
    assert!(!html.contains("State Intelligence"), "{html}");
    let (status, _) = s.get(&w.mp, "/w/land/planning/capacities/edit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let before = s.entries().await;
    for (actor, max, field, message) in [
        (
            w.police.as_str(),
            "0",
            "max_running",
            "The capacity must be at least 1",
        ),
        (
            w.police.as_str(),
            "two",
            "max_running",
            "Enter the capacity as a whole number",
        ),
        ("", "2", "actor", "Choose the lead actor"),
    ] {
        let (status, _, html) = s
            .post(
                &w.planner,
                "/w/land/planning/capacities/edit",
                &[("actor", actor), ("max_running", max)],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        shows(&html, &[&format!("href=\"#{field}\""), message]);
    }
    let (status, _, html) = s
        .post(
            &w.outsider,
            "/w/land/planning/capacities/edit",
            &[("actor", &w.sis), ("max_running", "2")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&html, &["Choose an actor of the sector map"]);
    assert_eq!(s.entries().await, before, "a refused form wrote something");

    for (actor, max) in [(&w.police, "2"), (&w.sis, "1")] {
        let (status, location, _) = s
            .post(
                &w.planner,
                "/w/land/planning/capacities/edit",
                &[("actor", actor), ("max_running", max)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, "/w/land/planning/programmes#capacities");
    }
    let (_, html) = s.get(&w.planner, "/w/land/planning/programmes").await;
    shows(
        &html,
        &[
            "National Police Service</dt><dd>At most 2 programmes at once.",
            "State Intelligence Service</dt><dd>At most 1 programme at once.",
        ],
    );
    // The outsider is not told of the hidden actor's capacity, even without its name.
    let (_, html) = s.get(&w.outsider, "/w/land/planning/programmes").await;
    assert!(html.contains("At most 2 programmes"), "{html}");
    assert!(
        !html.contains("At most 1 programme") && !html.contains(&w.sis),
        "{html}"
    );
    // Changing: the form is filled in with the capacity there is.
    let (_, html) = s
        .get(
            &w.planner,
            &format!("/w/land/planning/capacities/edit?actor={}", w.police),
        )
        .await;
    assert!(html.contains("value=\"2\""), "{html}");
    let (_, html) = s
        .get(
            &w.outsider,
            &format!("/w/land/planning/capacities/edit?actor={}", w.sis),
        )
        .await;
    assert!(!html.contains("value=\"1\""), "{html}");
    let (status, _, _) = s
        .post(
            &w.outsider,
            &format!("/w/land/planning/capacities/{}/delete", w.sis),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = s
        .post(
            &w.planner,
            &format!("/w/land/planning/capacities/{}/delete", w.police),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = s.get(&w.planner, "/w/land/planning/programmes").await;
    assert!(!html.contains("At most 2 programmes") && html.contains("At most 1 programme"));
}

async fn minimum_shares_are_set_changed_and_removed(flavour: Flavour) {
    let w = world(flavour).await;
    let s = &w.s;
    let (status, html) = s.get(&w.planner, "/w/land/planning/shares/edit").await;
    assert_eq!(status, StatusCode::OK);
    shows(
        &html,
        &[
            "Set a minimum share of the spend",
            "Rule of law",
            "Control the border",
        ],
    );
    let (status, _) = s.get(&w.mp, "/w/land/planning/shares/edit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let before = s.entries().await;
    for (of, share, field, message) in [
        (
            "field:rule_of_law",
            "150",
            "share",
            "The share must be more than 0% and at most 100%",
        ),
        (
            "field:rule_of_law",
            "0",
            "share",
            "The share must be more than 0% and at most 100%",
        ),
        (
            "field:rule_of_law",
            "a lot",
            "share",
            "Enter the share as a percentage",
        ),
        ("", "12", "of", "Choose the reform field or goal"),
        ("goal:not-a-goal", "12", "of", "There is no goal not-a-goal"),
    ] {
        let (status, _, html) = s
            .post(
                &w.planner,
                "/w/land/planning/shares/edit",
                &[("of", of), ("share", share)],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{of} {share}");
        shows(&html, &[&format!("href=\"#{field}\""), message]);
    }
    assert_eq!(s.entries().await, before, "a refused form wrote something");
    let (status, location, _) = s
        .post(
            &w.planner,
            "/w/land/planning/shares/edit",
            &[("of", "field:rule_of_law"), ("share", "12")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/w/land/planning/funding#shares");
    let (_, html) = s.get(&w.planner, "/w/land/planning/funding").await;
    shows(
        &html,
        &[
            "Reform field: Rule of law",
            "at least 12% of the total spend",
            "/w/land/planning/shares/field:rule_of_law/delete",
        ],
    );
    let (_, html) = s
        .get(
            &w.planner,
            "/w/land/planning/shares/edit?of=field:rule_of_law",
        )
        .await;
    assert!(html.contains("value=\"12\""), "{html}");
    let (status, _, _) = s
        .post(
            &w.planner,
            "/w/land/planning/shares/field:rule_of_law/delete",
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = s.get(&w.planner, "/w/land/planning/funding").await;
    assert!(html.contains("No minimum share is set"), "{html}");
    let (status, _, _) = s
        .post(
            &w.planner,
            "/w/land/planning/shares/field:rule_of_law/delete",
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn scenarios_are_added_edited_and_deleted_unless_a_plan_uses_them(flavour: Flavour) {
    let w = world(flavour).await;
    let s = &w.s;
    let (status, html) = s.get(&w.planner, "/w/land/planning/scenarios/new").await;
    assert_eq!(status, StatusCode::OK);
    shows(
        &html,
        &[
            "Add a budget scenario",
            "assumption-1-source",
            "assumption-3-factor",
            "A year from 2027 to 2029.",
        ],
    );
    let (status, _) = s.get(&w.mp, "/w/land/planning/scenarios/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let before = s.entries().await;
    let (status, _, html) = s
        .post(
            &w.planner,
            "/w/land/planning/scenarios/new",
            &[
                ("key", "Bad Key"),
                ("name", "Cut"),
                ("assumption-1-source", "treasury"),
                ("assumption-1-kind", "factor"),
                ("assumption-1-from_year", "2028"),
                ("assumption-1-factor", "-0.5"),
                ("assumption-2-source", ""),
                ("assumption-2-kind", "factor"),
                ("assumption-2-from_year", "2028"),
                ("assumption-2-factor", ""),
                ("assumption-3-source", "treasury"),
                ("assumption-3-kind", "leaves"),
                ("assumption-3-from_year", "2040"),
                ("assumption-3-factor", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(
        &html,
        &[
            "href=\"#key\"",
            "The key must be 1 to 60 lowercase letters",
            "href=\"#assumption-1-factor\"",
            "Assumption 1: the factor must be a number from 0 to 10",
            "href=\"#assumption-2-source\"",
            "Choose the funding source of assumption 2",
            "href=\"#assumption-2-factor\"",
            "href=\"#assumption-3-from_year\"",
            "Assumption 3: 2040 is outside the horizon, 2027 to 2029",
            // What was typed is kept.
            "value=\"-0.5\"",
        ],
    );
    assert_eq!(s.entries().await, before, "a refused form wrote something");

    let (status, location, _) = s
        .post(
            &w.planner,
            "/w/land/planning/scenarios/new",
            &[
                ("key", "cut"),
                ("name", "Treasury cut"),
                ("description", "The treasury loses a fifth"),
                ("assumption-1-source", "treasury"),
                ("assumption-1-kind", "factor"),
                ("assumption-1-from_year", "2028"),
                ("assumption-1-factor", "0.8"),
                ("assumption-2-source", ""),
                ("assumption-2-kind", "factor"),
                ("assumption-2-from_year", ""),
                ("assumption-2-factor", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/w/land/planning/funding#scenarios");
    let (_, html) = s.get(&w.planner, "/w/land/planning/funding").await;
    shows(
        &html,
        &[
            "Treasury cut",
            "The treasury loses a fifth",
            "treasury ceilings cut by 20% from 2028",
            "/w/land/planning/scenarios/cut/edit",
        ],
    );
    let (status, _, html) = s
        .post(
            &w.planner,
            "/w/land/planning/scenarios/new",
            &[("key", "cut"), ("name", "Again")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(
        &html,
        &["Another scenario of this workspace has the key cut"],
    );

    let (status, html) = s
        .get(&w.planner, "/w/land/planning/scenarios/cut/edit")
        .await;
    assert_eq!(status, StatusCode::OK);
    shows(
        &html,
        &[
            "Edit Treasury cut",
            "value=\"0.8\"",
            "readonly",
            "<option value=\"treasury\" selected>",
        ],
    );
    let (status, _, _) = s
        .post(
            &w.planner,
            "/w/land/planning/scenarios/cut/edit",
            &[
                ("key", "ignored"),
                ("name", "Treasury leaves"),
                ("assumption-1-source", "treasury"),
                ("assumption-1-kind", "leaves"),
                ("assumption-1-from_year", "2029"),
                ("assumption-1-factor", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = s.get(&w.planner, "/w/land/planning/funding").await;
    shows(
        &html,
        &["Treasury leaves", "treasury leaves: no money from 2029"],
    );
    assert!(!html.contains("Treasury cut"), "{html}");

    // A scenario no plan uses is deleted; one a plan was optimised under is kept.
    let (status, _, _) = s
        .post(
            &w.planner,
            "/w/land/planning/scenarios/new",
            &[("key", "spare"), ("name", "Spare")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = s
        .post(&w.mp, "/w/land/planning/scenarios/spare/delete", &[])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = s
        .post(&w.planner, "/w/land/planning/scenarios/spare/delete", &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = s.get(&w.planner, "/w/land/planning/funding").await;
    assert!(!html.contains("Spare"), "{html}");
    plan_under(&w, "cut", "Plan under the cut").await;
    let before = s.entries().await;
    let (status, _, html) = s
        .post(&w.planner, "/w/land/planning/scenarios/cut/delete", &[])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    shows(
        &html,
        &[
            "There is a problem",
            "href=\"#scenario-cut\"",
            "Plans were optimised under the scenario Treasury leaves (“Plan under the cut”)",
            "id=\"scenario-cut\"",
        ],
    );
    assert_eq!(s.entries().await, before);
}

/// Saves a plan (choosing nothing) under the scenario `key`, as the store would after
/// optimising.
async fn plan_under(w: &World, key: &str, name: &str) {
    use custodes_core::plan::Plan;
    use custodes_core::planning::{SolveReport, SolveSettings};
    let st = &w.s.store;
    let u = st.user_by_username("pl").await.unwrap();
    let v = st.viewer(u.id).await.unwrap().unwrap();
    let found = st.find_scenario(w.ws, key).await.unwrap().unwrap();
    let assembled = st
        .plan_problem(&v, today(), w.ws, &found.scenario)
        .await
        .unwrap();
    st.create_plan(
        &Actor::System,
        &v,
        w.ws,
        custodes_store::plan::NewPlan {
            name: name.into(),
            scenario_id: Some(found.id),
            scenario: found.scenario,
            settings: SolveSettings::default(),
            assembled,
            choices: Plan::new(),
            report: SolveReport::default(),
            outcome: json!({}),
        },
    )
    .await
    .unwrap();
}

/// A personal token of `username` with `scope`.
async fn token(s: &Site, username: &str, scope: TokenScope) -> String {
    let u = s.store.user_by_username(username).await.unwrap();
    s.store
        .create_token(
            &u,
            "rules test",
            scope,
            std::time::Duration::from_secs(3600),
        )
        .await
        .unwrap()
        .1
}

/// Calls the API with a token and an optional JSON body; returns the status and the JSON
/// answer (or the text when it is not JSON).
async fn call(
    s: &Site,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let (status, _, text) = s.send(req).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn the_api_keeps_the_rules(flavour: Flavour) {
    let w = world(flavour).await;
    let s = &w.s;
    let write = token(s, "pl", TokenScope::Write).await;
    let read = token(s, "pl", TokenScope::Read).await;
    let outsider = token(s, "out", TokenScope::Write).await;
    let mp = token(s, "mp", TokenScope::Write).await;
    let base = "/api/v1/workspaces/land";
    let before = s.entries().await;

    // Exclusions.
    let path = format!("{base}/exclusions");
    let (status, body) = call(
        s,
        "POST",
        &path,
        &write,
        Some(json!({"name": "", "programmes": ["p-posts"]})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("name: enter the exclusion's name")
            && message.contains("programmes: choose two programmes or more"),
        "{message}"
    );
    let (status, body) = call(
        s,
        "POST",
        &path,
        &outsider,
        Some(json!({"name": "Either", "programmes": ["p-posts", "p-secret"]})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "programmes: there is no programme p-secret"
    );
    let new = json!({"name": "One system", "programmes": ["p-posts", "p-radar"]});
    let (status, _) = call(s, "POST", &path, &read, Some(new.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a read token does not write");
    let (status, _) = call(s, "POST", &path, &mp, Some(new.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "parliament does not plan");
    assert_eq!(s.entries().await, before, "a refused call wrote something");
    let (status, created) = call(s, "POST", &path, &write, Some(new)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["programmes"], json!(["p-posts", "p-radar"]));
    let (status, _) = call(
        s,
        "POST",
        &path,
        &write,
        Some(json!({"name": "Hidden", "programmes": ["p-posts", "p-secret"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = call(s, "GET", &path, &read, None).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (_, list) = call(s, "GET", &path, &outsider, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let one = format!("{path}/{}", created["id"].as_str().unwrap());
    let (status, _) = call(s, "DELETE", &one, &write, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(s, "DELETE", &one, &write, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Dependencies and integrity gates.
    let links = format!("{base}/programmes/p-posts/links");
    let (status, body) = call(
        s,
        "POST",
        &links,
        &write,
        Some(json!({"before": "p-posts", "kind": "dependency"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "before: a programme cannot wait for itself"
    );
    let (status, body) = call(
        s,
        "POST",
        &links,
        &write,
        Some(json!({"before": "p-radar", "kind": "after"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "kind: 'after' is not one of dependency, gate"
    );
    let (status, body) = call(
        s,
        "POST",
        &links,
        &outsider,
        Some(json!({"before": "p-secret", "kind": "gate"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "before: there is no programme p-secret");
    let (status, body) = call(
        s,
        "POST",
        &links,
        &write,
        Some(json!({"before": "p-radar", "kind": "dependency"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["after"], json!(["p-radar"]));
    let (status, body) = call(
        s,
        "POST",
        &links,
        &write,
        Some(json!({"before": "p-secret", "kind": "gate"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["gated_by"], json!(["p-secret"]));
    let (status, _) = call(
        s,
        "DELETE",
        &format!("{links}/gate/p-secret"),
        &outsider,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = call(
        s,
        "DELETE",
        &format!("{links}/dependency/p-radar"),
        &write,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["after"], json!([]));

    // Capacities.
    let police = format!("{base}/capacities/{}", w.police);
    let sis = format!("{base}/capacities/{}", w.sis);
    let (status, body) = call(s, "PUT", &police, &write, Some(json!({"max_running": 0}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("max_running: the capacity must be at least 1")
    );
    let (status, body) = call(s, "PUT", &police, &write, Some(json!({"max_running": -3}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = call(s, "PUT", &sis, &outsider, Some(json!({"max_running": 2}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "actor: choose an actor of the sector map");
    let (status, body) = call(s, "PUT", &police, &write, Some(json!({"max_running": 2}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["actor_name"], "National Police Service");
    let (status, _) = call(s, "PUT", &sis, &write, Some(json!({"max_running": 1}))).await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = call(s, "GET", &format!("{base}/capacities"), &read, None).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (_, list) = call(s, "GET", &format!("{base}/capacities"), &outsider, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(&w.sis), "{list}");
    let (status, _) = call(s, "DELETE", &sis, &outsider, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(s, "DELETE", &police, &write, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Minimum shares.
    let law = format!("{base}/minimum-shares/field/rule_of_law");
    let (status, body) = call(s, "PUT", &law, &write, Some(json!({"share": 1.2}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "share: the share must be more than 0% and at most 100%"
    );
    let (status, body) = call(
        s,
        "PUT",
        &format!("{base}/minimum-shares/field/law"),
        &write,
        Some(json!({"share": 0.1})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().starts_with("of: "),
        "{body}"
    );
    let (status, body) = call(s, "PUT", &law, &write, Some(json!({"share": 0.12}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"of_kind": "field", "of": "rule_of_law", "share": 0.12})
    );
    let (_, list) = call(s, "GET", &format!("{base}/minimum-shares"), &read, None).await;
    assert_eq!(
        list,
        json!([{"of_kind": "field", "of": "rule_of_law", "share": 0.12}])
    );
    let (status, _) = call(s, "DELETE", &law, &write, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(s, "DELETE", &law, &write, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Scenarios.
    let scenarios = format!("{base}/scenarios");
    let (status, body) = call(s, "POST", &scenarios, &write, Some(json!({
        "key": "cut", "name": "Cut",
        "assumptions": [{"kind": "factor", "source": "treasury", "from_year": 2028, "factor": -1.0}]
    }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "assumptions: assumption 1: the factor must be a number from 0 to 10, like 0.8 for a cut of 20%"
    );
    let (status, body) = call(
        s,
        "POST",
        &scenarios,
        &write,
        Some(json!({
            "key": "cut", "name": "Cut",
            "assumptions": [{"kind": "factor", "source": "treasury", "from_year": 2028}]
        })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "assumptions: assumption 1: a factor is required with the kind factor"
    );
    let (status, body) = call(s, "POST", &scenarios, &write, Some(json!({
        "key": "cut", "name": "Cut", "description": "A fifth less",
        "assumptions": [{"kind": "factor", "source": "treasury", "from_year": 2028, "factor": 0.8}]
    }))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["assumptions"][0]["factor"], 0.8);
    let (status, body) = call(
        s,
        "POST",
        &scenarios,
        &write,
        Some(json!({"key": "cut", "name": "Again"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["message"],
        "key: another scenario of this workspace has the key cut"
    );
    let one = format!("{scenarios}/cut");
    let (status, body) = call(s, "PUT", &one, &write, Some(json!({
        "name": "Treasury leaves", "assumptions": [{"kind": "leaves", "source": "treasury", "from_year": 2029}]
    }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["key"], "cut");
    let (status, body) = call(s, "GET", &one, &read, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["name"], "Treasury leaves");
    assert_eq!(
        body["assumptions"],
        json!([{"kind": "leaves", "source": "treasury", "from_year": 2029}])
    );
    let (status, _) = call(
        s,
        "PUT",
        &format!("{scenarios}/none"),
        &write,
        Some(json!({"name": "X"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    plan_under(&w, "cut", "Plan under the cut").await;
    let (status, body) = call(s, "DELETE", &one, &write, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("“Plan under the cut”"),
        "{body}"
    );
    let (status, _) = call(
        s,
        "POST",
        &scenarios,
        &write,
        Some(json!({"key": "spare", "name": "Spare"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = call(s, "DELETE", &format!("{scenarios}/spare"), &write, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = call(s, "GET", &scenarios, &read, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    // The OpenAPI document describes the routes.
    let (_, doc) = call(s, "GET", "/api/v1/openapi.json", &read, None).await;
    for (path, method) in [
        ("/api/v1/workspaces/{slug}/exclusions", "post"),
        ("/api/v1/workspaces/{slug}/exclusions/{id}", "delete"),
        ("/api/v1/workspaces/{slug}/programmes/{key}/links", "post"),
        (
            "/api/v1/workspaces/{slug}/programmes/{key}/links/{kind}/{before}",
            "delete",
        ),
        ("/api/v1/workspaces/{slug}/capacities/{actor}", "put"),
        ("/api/v1/workspaces/{slug}/capacities/{actor}", "delete"),
        (
            "/api/v1/workspaces/{slug}/minimum-shares/{kind}/{of}",
            "put",
        ),
        ("/api/v1/workspaces/{slug}/scenarios", "post"),
        ("/api/v1/workspaces/{slug}/scenarios/{key}", "put"),
        ("/api/v1/workspaces/{slug}/scenarios/{key}", "delete"),
        ("/api/v1/workspaces/{slug}/programmes", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
}

on_both_backends!(
    exclusions_are_added_and_removed_from_the_portfolio,
    capacities_are_set_changed_and_removed,
    minimum_shares_are_set_changed_and_removed,
    scenarios_are_added_edited_and_deleted_unless_a_plan_uses_them,
    the_api_keeps_the_rules,
);

//! The threat-first strategy pages, on both backends: bad form input gets field errors
//! and changes nothing, illegal steps of a strategy's life cycle are refused in words,
//! permissions are asked, a strategy goes from draft to approval through its pages, and
//! the threat form names the actors that must respond, among those the visitor may read.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use custodes_core::audit::Actor;
use custodes_core::permission::TokenScope;
use custodes_core::policy::{Classification, Viewer};
use custodes_core::sector::{ActorFields, ActorKind};
use custodes_core::{ActorId, Level, Role, ThreatId};
use custodes_store::actor::ActorInput;
use custodes_testkit::{Flavour, on_both_backends};

mod site;

use site::Site;

async fn site(flavour: Flavour) -> Site {
    site::site(flavour, "Strategy test").await
}

async fn threat_and_goal_forms_name_every_problem_and_change_nothing(flavour: Flavour) {
    let s = site(flavour).await;
    let planner = s.person("pl", Role::Planner, Level::Confidential).await;
    let before = s.entries().await;
    let (status, _, html) = s
        .post(
            &planner,
            "/w/land/threats/new",
            &[
                ("name", ""),
                ("origin", "outer-space"),
                ("likelihood", "9"),
                ("impact", "3"),
                ("scope", "national"),
                ("source_kind", "criminal"),
                ("trend", "rising"),
                ("level", "OFFICIAL"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "There is a problem",
        "Choose where the threat comes from",
        "Enter the threat&#39;s name",
        "Secrecy must be argued",
    ] {
        assert!(html.contains(message), "{message} missing from {html}");
    }
    // A rating outside 1 to 5 with every other field right.
    let good = [
        ("name", "Floods"),
        ("origin", "internal"),
        ("scope", "national"),
        ("targets", "way_of_life"),
        ("source_kind", "natural"),
        ("impact", "3"),
        ("trend", "rising"),
        ("level", "PUBLIC"),
    ];
    let mut bad = good.to_vec();
    bad.push(("likelihood", "6"));
    let (status, _, html) = s.post(&planner, "/w/land/threats/new", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Likelihood must be from 1 to 5"), "{html}");
    let mut no_target: Vec<(&str, &str)> = good
        .iter()
        .copied()
        .filter(|(k, _)| *k != "targets")
        .collect();
    no_target.push(("likelihood", "5"));
    let (_, _, html) = s.post(&planner, "/w/land/threats/new", &no_target).await;
    assert!(
        html.contains("Choose at least one thing the threat aims at"),
        "{html}"
    );
    // Above the planner's clearance: the form offers no SECRET, and the store refuses it.
    let mut secret = no_target.clone();
    secret.extend([
        ("targets", "policy"),
        ("level", "SECRET"),
        ("justification", "sources"),
    ]);
    secret.retain(|(k, v)| !(*k == "level" && *v == "PUBLIC"));
    let (status, _, html) = s.post(&planner, "/w/land/threats/new", &secret).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("above your own clearance"), "{html}");
    assert_eq!(s.entries().await, before, "a refused form wrote something");

    // A good threat is saved and shown, with its risk in words and in the matrix.
    let mut ok = good.to_vec();
    ok.push(("likelihood", "5"));
    let (status, location, _) = s.post(&planner, "/w/land/threats/new", &ok).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = s.get(&planner, &location).await;
    assert!(
        html.contains("high (15: likelihood 5 × impact 3)"),
        "{html}"
    );
    let (_, html) = s.get(&planner, "/w/land/threats/matrix").await;
    assert!(html.contains("1 threat"), "{html}");
    let threat = location.rsplit('/').next().unwrap().to_owned();

    // A goal: an override without a reason, and an unknown indicator, are refused.
    let before = s.entries().await;
    let (status, _, html) = s
        .post(
            &planner,
            "/w/land/goals/new",
            &[
                ("title", "Prepare for floods"),
                ("threats", &threat),
                ("indicators", "ideal-security-sector/nope"),
                ("weight_override", "1.5"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("is not an indicator of a framework"),
        "{html}"
    );
    assert!(
        html.contains("The weight must be a number from 0 to 1"),
        "{html}"
    );
    let (_, _, html) = s
        .post(
            &planner,
            "/w/land/goals/new",
            &[("title", "Prepare for floods"), ("weight_override", "0.9")],
        )
        .await;
    assert!(
        html.contains("Give the reason for overriding the computed weight"),
        "{html}"
    );
    assert_eq!(s.entries().await, before);
    let (status, location, _) = s
        .post(
            &planner,
            "/w/land/goals/new",
            &[
                ("title", "Prepare for floods"),
                ("threats", &threat),
                ("sources", "chronic_underfunding"),
                ("indicators", "ideal-security-sector/c2.6"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = s.get(&planner, &location).await;
    for text in [
        "Priority weight: 0.60",
        "Highest rating 15 ÷ 25 = 0.60.",
        "divided by 25, plus 0.05 for each further threat",
        "Chronic underfunding",
        "Indicator ideal-security-sector/c2.6: Rapid reaction",
        "Floods",
    ] {
        assert!(html.contains(text), "{text} missing from {html}");
    }
}

async fn a_strategy_moves_through_its_pages_and_refuses_illegal_steps(flavour: Flavour) {
    let s = site(flavour).await;
    let planner = s.person("pl", Role::Planner, Level::Secret).await;
    let mp = s.person("mp", Role::Parliament, Level::Official).await;
    let donor = s.person("donor", Role::Donor, Level::Official).await;
    let (status, _, html) = s
        .post(
            &planner,
            "/w/land/strategies/new",
            &[("title", ""), ("review_years", "0")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Enter the strategy&#39;s title"), "{html}");
    assert!(
        html.contains("The review period must be from 1 to 10 years"),
        "{html}"
    );
    let (status, location, _) = s
        .post(
            &planner,
            "/w/land/strategies/new",
            &[
                ("title", "National Security Strategy"),
                ("summary", "Start from the threat."),
                ("review_years", "5"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let status_path = format!("{location}/status");
    // Parliament may not open consultation, and a draft cannot be approved.
    let today = chrono::Utc::now().date_naive();
    let (status, _, _) = s
        .post(
            &mp,
            &status_path,
            &[
                ("step", "open_consultation"),
                ("consultation_opens_on", &today.to_string()),
                ("consultation_closes_on", &today.to_string()),
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
                ("approved_on", &today.to_string()),
                ("vote_reference", "NA/1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(
            "A strategy in draft cannot be approved: a draft can only go to public consultation"
        ),
        "{html}"
    );
    // Consultation that closes before it opens, then a good one.
    let (status, _, html) = s
        .post(
            &planner,
            &status_path,
            &[
                ("step", "open_consultation"),
                ("consultation_opens_on", "2099-02-01"),
                ("consultation_closes_on", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("The consultation must close on or after the day it opens"),
        "{html}"
    );
    let (status, _, _) = s
        .post(
            &planner,
            &status_path,
            &[
                ("step", "open_consultation"),
                ("consultation_opens_on", &today.to_string()),
                ("consultation_closes_on", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Comments: an empty one is refused, a real one is shown with its author.
    let comments = format!("{location}/comments");
    let (status, _, html) = s.post(&donor, &comments, &[("comment", "  ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Enter your comment"), "{html}");
    let (status, _, _) = s
        .post(&donor, &comments, &[("comment", "Name the border first.")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = s.get(&mp, &location).await;
    assert!(
        html.contains("Name the border first.") && html.contains("donor person"),
        "{html}"
    );
    // To parliament, then an approval without a reference, then a real one.
    let (status, _, _) = s
        .post(&planner, &status_path, &[("step", "send_to_parliament")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = s.post(&donor, &comments, &[("comment", "Late")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, html) = s
        .post(
            &mp,
            &status_path,
            &[
                ("step", "approve"),
                ("approved_on", &today.to_string()),
                ("vote_reference", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Enter the reference of parliament&#39;s vote"),
        "{html}"
    );
    // A missing day, and one that is not a date, are named on the form.
    for (day, message) in [
        ("", "Give the day of parliament&#39;s vote"),
        (
            "14/11/2026",
            "Enter the day of the vote as a real date, like 2027-03-31",
        ),
    ] {
        let (status, _, html) = s
            .post(
                &mp,
                &status_path,
                &[
                    ("step", "approve"),
                    ("approved_on", day),
                    ("vote_reference", "NA/2026/9"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains(message), "{message} missing from {html}");
        assert_eq!(
            html.matches(message).count(),
            2,
            "summary and field: {html}"
        );
    }
    let (status, _, _) = s
        .post(
            &mp,
            &status_path,
            &[
                ("step", "approve"),
                ("approved_on", &today.to_string()),
                ("vote_reference", "NA/2026/9"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = s.get(&donor, &location).await;
    assert!(
        html.contains("Approved") && html.contains("NA/2026/9"),
        "{html}"
    );
    assert!(!html.contains("Review due</strong>"), "{html}");
    // An approved strategy is frozen.
    let (status, _) = s.get(&planner, &format!("{location}/edit")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The public reads it, and its review date.
    let req = Request::get(&location).body(Body::empty()).unwrap();
    let (status, _, html) = s.send(req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("review due on"), "{html}");
}

async fn the_review_flag_shows_wherever_a_strategy_appears(flavour: Flavour) {
    let s = site(flavour).await;
    let planner = s.person("pl", Role::Planner, Level::Secret).await;
    let mp = s.person("mp", Role::Parliament, Level::Official).await;
    // A strategy approved eleven years ago with a review period of two years.
    let (_, location, _) = s
        .post(
            &planner,
            "/w/land/strategies/new",
            &[("title", "Old White Paper"), ("review_years", "2")],
        )
        .await;
    let id: custodes_core::StrategyId = location.rsplit('/').next().unwrap().parse().unwrap();
    let planner_v = {
        let u = s.store.user_by_username("pl").await.unwrap();
        s.store.viewer(u.id).await.unwrap().unwrap()
    };
    let mp_v = {
        let u = s.store.user_by_username("mp").await.unwrap();
        s.store.viewer(u.id).await.unwrap().unwrap()
    };
    let past = |d: &str| d.parse::<chrono::NaiveDate>().unwrap();
    use custodes_core::strategy::Transition;
    for (who, on, step) in [
        (
            &planner_v,
            "2015-01-10",
            Transition::OpenConsultation {
                opens_on: past("2015-01-10"),
                closes_on: past("2015-02-10"),
            },
        ),
        (&planner_v, "2015-03-01", Transition::SendToParliament),
        (
            &mp_v,
            "2015-06-30",
            Transition::Approve {
                approved_on: past("2015-06-30"),
                vote_reference: "NA/2015/3".into(),
            },
        ),
    ] {
        s.store
            .change_strategy_status(&Actor::System, who, past(on), id, step)
            .await
            .unwrap();
    }
    for path in ["/w/land/strategies", &location, "/w/land/goals", "/"] {
        let (status, html) = s.get(&mp, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains("Review due"), "no flag on {path}: {html}");
    }
    let (_, html) = s.get(&mp, &location).await;
    assert!(html.contains("since 30 June 2017"), "{html}");
    let (_, json) = s.get(&mp, &format!("/api/v1/strategies/{id}")).await;
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["review_due"], true);
    assert_eq!(doc["review_due_on"], "2017-06-30");
}

/// Adds an actor as the viewer.
async fn add_actor(s: &Site, viewer: &Viewer, name: &str, c: Classification) -> ActorId {
    let ws = s.store.list_workspaces().await.unwrap()[0].id;
    s.store
        .create_actor(
            &Actor::System,
            viewer,
            chrono::Utc::now().date_naive(),
            ws,
            ActorInput {
                fields: ActorFields {
                    name: name.into(),
                    kind: ActorKind::BorderGuard,
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
}

async fn the_threat_form_names_the_actors_that_must_respond(flavour: Flavour) {
    let s = site(flavour).await;
    let planner = s.person("pl", Role::Planner, Level::Confidential).await;
    s.person("adm", Role::Administrator, Level::Secret).await;
    let adm = s.store.user_by_username("adm").await.unwrap();
    let admin = s.store.viewer(adm.id).await.unwrap().unwrap();
    let guard = add_actor(&s, &admin, "Coast Watch", Classification::public()).await;
    let police = add_actor(&s, &admin, "Harbour Police", Classification::public()).await;
    let secret = Classification::new(
        Level::Secret,
        Default::default(),
        Some("covert".into()),
        None,
        Level::Public,
    )
    .unwrap();
    let cell = add_actor(&s, &admin, "Covert Cell", secret).await;
    let (guard_s, police_s, cell_s) = (guard.to_string(), police.to_string(), cell.to_string());

    // The form offers the actors the planner may read, and no other.
    let (status, html) = s.get(&planner, "/w/land/threats/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Actors that must respond"), "{html}");
    assert!(
        html.contains(&format!(
            r#"name="responders" type="checkbox" value="{guard_s}""#
        )),
        "{html}"
    );
    assert!(html.contains("Harbour Police"), "{html}");
    assert!(
        !html.contains("Covert Cell") && !html.contains(&cell_s),
        "{html}"
    );

    // Something that is not an actor's id, and an actor the planner may not read, are
    // refused in words and change nothing.
    let good = [
        ("name", "Smuggling by sea"),
        ("origin", "external"),
        ("scope", "regional"),
        ("targets", "business"),
        ("source_kind", "criminal"),
        ("likelihood", "4"),
        ("impact", "3"),
        ("trend", "rising"),
        ("level", "PUBLIC"),
    ];
    let before = s.entries().await;
    let mut bad = good.to_vec();
    bad.extend([("responders", guard_s.as_str()), ("responders", "the navy")]);
    let (status, _, html) = s.post(&planner, "/w/land/threats/new", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Choose the responding actors from the list"),
        "{html}"
    );
    assert!(html.contains(r##"href="#responders""##), "{html}");
    // The ticked actor stays ticked.
    assert!(
        html.contains(&format!(r#"value="{guard_s}" checked"#)),
        "{html}"
    );
    let mut hidden = good.to_vec();
    hidden.push(("responders", cell_s.as_str()));
    let (status, _, html) = s.post(&planner, "/w/land/threats/new", &hidden).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Choose the responding actors from this workspace"),
        "{html}"
    );
    assert!(!html.contains("Covert Cell"), "{html}");
    assert_eq!(s.entries().await, before, "a refused form wrote something");

    // Saved with two actors: the page links to them, the register counts them, the edit
    // form has them ticked.
    let mut ok = good.to_vec();
    ok.extend([
        ("responders", guard_s.as_str()),
        ("responders", police_s.as_str()),
    ]);
    let (status, location, _) = s.post(&planner, "/w/land/threats/new", &ok).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = s.get(&planner, &location).await;
    for text in [
        format!(r#"<a href="/w/land/actors/{guard_s}">Coast Watch</a>"#),
        format!(r#"<a href="/w/land/actors/{police_s}">Harbour Police</a>"#),
    ] {
        assert!(html.contains(&text), "{text} missing from {html}");
    }
    let (_, html) = s.get(&planner, "/w/land/threats").await;
    assert!(
        html.contains(r#"<th scope="col">Responders</th>"#),
        "{html}"
    );
    assert!(html.contains("<td>2</td>"), "{html}");
    let (_, html) = s.get(&planner, &format!("{location}/edit")).await;
    for id in [&guard_s, &police_s] {
        assert!(html.contains(&format!(r#"value="{id}" checked"#)), "{html}");
    }

    // The admin adds the cell; the planner neither sees it nor loses it when saving.
    let id: ThreatId = location.rsplit('/').next().unwrap().parse().unwrap();
    let today = chrono::Utc::now().date_naive();
    let mut threat = s
        .store
        .get_threat(&admin, today, id)
        .await
        .unwrap()
        .unwrap();
    let fields = custodes_core::strategy::ThreatFields {
        name: threat.fields.name.clone(),
        description: threat.fields.description.clone(),
        origin: threat.fields.origin,
        scope: threat.fields.scope,
        targets: threat.fields.targets.iter().copied().collect(),
        source_kind: threat.fields.source_kind,
        likelihood: threat.fields.likelihood,
        impact: threat.fields.impact,
        trend: threat.fields.trend,
        review_on: threat.fields.review_on,
    };
    s.store
        .update_threat(
            &Actor::System,
            &admin,
            today,
            id,
            custodes_store::threat::ThreatInput {
                fields,
                classification: threat.classification.clone(),
                responders: vec![guard, police, cell],
            },
        )
        .await
        .unwrap();
    for path in [location.clone(), format!("{location}/edit")] {
        let (_, html) = s.get(&planner, &path).await;
        assert!(
            !html.contains("Covert Cell") && !html.contains(&cell_s),
            "{path}: {html}"
        );
    }
    let mut only_police = good.to_vec();
    only_police.push(("responders", police_s.as_str()));
    let (status, _, _) = s
        .post(&planner, &format!("{location}/edit"), &only_police)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    threat = s
        .store
        .get_threat(&admin, today, id)
        .await
        .unwrap()
        .unwrap();
    let names: Vec<&str> = threat.responders.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["Covert Cell", "Harbour Police"]);

    // The API names them, ids and names, and takes them as ids.
    let token = s
        .store
        .create_token(
            &s.store.user_by_username("pl").await.unwrap(),
            "t",
            TokenScope::Write,
            std::time::Duration::from_secs(600),
        )
        .await
        .unwrap()
        .1;
    let api = |method: &str, path: String, body: serde_json::Value| {
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let (status, _, json) = s
        .send(api(
            "GET",
            format!("/api/v1/threats/{id}"),
            serde_json::Value::Null,
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        doc["responders"],
        serde_json::json!([{ "id": police_s, "name": "Harbour Police" }])
    );
    let new = |responders: Vec<&str>| {
        serde_json::json!({
            "name": "Piracy", "origin": "external", "scope": "regional",
            "targets": ["business"], "source_kind": "criminal", "likelihood": 2,
            "impact": 4, "trend": "stable", "level": "PUBLIC", "responders": responders,
        })
    };
    let path = "/api/v1/workspaces/land/threats".to_owned();
    let (status, _, json) = s.send(api("POST", path.clone(), new(vec![&guard_s]))).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["responders"][0]["name"], "Coast Watch");
    for bad in [vec![cell_s.as_str()], vec!["the navy"]] {
        let (status, _, json) = s.send(api("POST", path.clone(), new(bad))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
        assert!(
            json.contains("responders") && !json.contains("Covert"),
            "{json}"
        );
    }
}

on_both_backends!(
    threat_and_goal_forms_name_every_problem_and_change_nothing,
    a_strategy_moves_through_its_pages_and_refuses_illegal_steps,
    the_review_flag_shows_wherever_a_strategy_appears,
    the_threat_form_names_the_actors_that_must_respond,
);

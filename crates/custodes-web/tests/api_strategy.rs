//! The threat-first strategy API on both backends, driven with tokens as a script would:
//! threats, goals and strategies changed field by field, bad input refused with the field
//! named and nothing changed, a strategy taken through its life cycle with consultation
//! comments, and records the caller may not read answered as if they did not exist.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use custodes_core::permission::TokenScope;
use custodes_core::{Level, Role};
use custodes_testkit::{Flavour, on_both_backends};
use serde_json::{Value, json};

mod site;

use site::Site;

/// A site with people who hold write tokens.
struct Api {
    site: Site,
}

impl Api {
    async fn new(flavour: Flavour) -> Api {
        Api {
            site: site::site(flavour, "Strategy API test").await,
        }
    }

    /// A person with a token of `scope`.
    async fn token(&self, name: &str, role: Role, clearance: Level, scope: TokenScope) -> String {
        self.site.person(name, role, clearance).await;
        let user = self.site.store.user_by_username(name).await.unwrap();
        self.site
            .store
            .create_token(&user, "t", scope, std::time::Duration::from_secs(600))
            .await
            .unwrap()
            .1
    }

    async fn writer(&self, name: &str, role: Role, clearance: Level) -> String {
        self.token(name, role, clearance, TokenScope::Write).await
    }

    /// Sends `body` (when not null) as JSON with the token (when not empty).
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if !token.is_empty() {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let req = if body.is_null() {
            req.body(Body::empty())
        } else {
            req.header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
        }
        .unwrap();
        let (status, _, text) = self.site.send(req).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call("GET", path, token, Value::Null).await
    }

    async fn entries(&self) -> u64 {
        self.site.entries().await
    }
}

/// Asserts a 400 with a JSON message, and returns the message.
#[track_caller]
fn rejected(got: (StatusCode, Value)) -> String {
    let (status, body) = got;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    body["message"].as_str().unwrap().to_owned()
}

/// Asserts a 400 whose JSON message names the field, and returns the message.
#[track_caller]
fn refused(got: (StatusCode, Value), field: &str) -> String {
    let message = rejected(got);
    assert!(
        message.contains(&format!("{field}:")),
        "{field} is not named in {message}"
    );
    message
}

fn threat(name: &str, likelihood: i64, impact: i64) -> Value {
    json!({
        "name": name, "origin": "external", "scope": "regional", "targets": ["policy"],
        "source_kind": "criminal", "likelihood": likelihood, "impact": impact,
        "trend": "rising", "level": "PUBLIC",
    })
}

async fn threats_goals_and_strategies_change_field_by_field(flavour: Flavour) {
    let api = Api::new(flavour).await;
    let planner = api.writer("pl", Role::Planner, Level::Confidential).await;
    let donor = api.writer("donor", Role::Donor, Level::Official).await;
    let reader = api
        .token("reader", Role::Planner, Level::Official, TokenScope::Read)
        .await;
    let threats = "/api/v1/workspaces/land/threats";
    let (status, a) = api
        .call("POST", threats, &planner, threat("Arms trafficking", 4, 4))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let (_, b) = api
        .call("POST", threats, &planner, threat("Floods", 3, 3))
        .await;
    let a_path = format!("/api/v1/threats/{}", a["id"].as_str().unwrap());

    // One field changes; the others keep their values.
    let (status, changed) = api
        .call("PATCH", &a_path, &planner, json!({ "likelihood": 5 }))
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        changed["risk"],
        json!({ "rating": 20, "band": "very_high" })
    );
    assert_eq!(changed["name"], "Arms trafficking");
    assert_eq!(changed["targets"], json!(["policy"]));

    // Bad input names the field, and nothing changes.
    let before = api.entries().await;
    refused(
        api.call("PATCH", &a_path, &planner, json!({ "likelihood": 9 }))
            .await,
        "likelihood",
    );
    refused(
        api.call("PATCH", &a_path, &planner, json!({ "likelyhood": 3 }))
            .await,
        "likelyhood",
    );
    refused(
        api.call("PATCH", &a_path, &planner, json!({ "origin": "space" }))
            .await,
        "origin",
    );
    refused(
        api.call(
            "PATCH",
            &a_path,
            &planner,
            json!({ "review_on": "next spring" }),
        )
        .await,
        "review_on",
    );
    refused(
        api.call(
            "PATCH",
            &a_path,
            &planner,
            json!({ "justification": "sources" }),
        )
        .await,
        "level",
    );
    refused(
        api.call(
            "PATCH",
            &a_path,
            &planner,
            json!({ "level": "SECRET", "justification": "x" }),
        )
        .await,
        "level",
    );
    assert_eq!(
        api.entries().await,
        before,
        "a refused change wrote something"
    );
    assert_eq!(api.get(&a_path, &planner).await.1, changed);

    // Only write tokens of those who keep the strategy write.
    for (token, status) in [
        (&donor, StatusCode::FORBIDDEN),
        (&reader, StatusCode::FORBIDDEN),
        (&String::new(), StatusCode::UNAUTHORIZED),
    ] {
        let (got, body) = api
            .call("PATCH", &a_path, token, json!({ "name": "Renamed" }))
            .await;
        assert_eq!(got, status, "{body}");
    }
    assert_eq!(api.entries().await, before);

    // The responding actors are replaced when given, and kept when not.
    let (status, guard) = api
        .call(
            "POST",
            "/api/v1/workspaces/land/actors",
            &planner,
            json!({ "name": "Border Guard", "kind": "border_guard", "level": "PUBLIC" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{guard}");
    let (_, t) = api
        .call(
            "PATCH",
            &a_path,
            &planner,
            json!({ "responders": [guard["id"]] }),
        )
        .await;
    assert_eq!(
        t["responders"],
        json!([{ "id": guard["id"], "name": "Border Guard" }])
    );
    let (_, t) = api
        .call("PATCH", &a_path, &planner, json!({ "trend": "stable" }))
        .await;
    assert_eq!(t["responders"][0]["name"], "Border Guard");
    assert_eq!(t["trend"], "stable");
    refused(
        api.call(
            "PATCH",
            &a_path,
            &planner,
            json!({ "responders": ["the navy"] }),
        )
        .await,
        "responders",
    );

    // A date is set and cleared; a reclassification is audited as one of its own.
    let (_, t) = api
        .call(
            "PATCH",
            &a_path,
            &planner,
            json!({ "review_on": "2030-01-31" }),
        )
        .await;
    assert_eq!(t["review_on"], "2030-01-31");
    let (_, t) = api
        .call("PATCH", &a_path, &planner, json!({ "review_on": null }))
        .await;
    assert_eq!(t["review_on"], Value::Null);
    let before = api.entries().await;
    let (status, t) = api
        .call(
            "PATCH",
            &a_path,
            &planner,
            json!({ "level": "OFFICIAL", "justification": "Names the routes watched" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(t["classification"]["level"], "OFFICIAL");
    assert_eq!(t["likelihood"], 5);
    assert_eq!(api.entries().await, before + 2, "update and reclassify");

    // A goal answers both threats: 20 ÷ 25 + 0.05.
    let (status, goal) = api
        .call(
            "POST",
            "/api/v1/workspaces/land/goals",
            &planner,
            json!({ "title": "Control the borders", "threats": [a["id"], b["id"]],
                    "deficits": ["chronic_underfunding"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{goal}");
    assert_eq!(goal["weight"]["computed"], 0.85);
    let g_path = format!("/api/v1/goals/{}", goal["id"].as_str().unwrap());

    // An override without its reason is refused, and nothing changes.
    let before = api.entries().await;
    let message = refused(
        api.call(
            "PATCH",
            &g_path,
            &planner,
            json!({ "override_weight": 0.9 }),
        )
        .await,
        "override_reason",
    );
    assert!(message.contains("give the reason"), "{message}");
    refused(
        api.call(
            "PATCH",
            &g_path,
            &planner,
            json!({ "override_weight": 0.9, "override_reason": "  " }),
        )
        .await,
        "override_reason",
    );
    refused(
        api.call(
            "PATCH",
            &g_path,
            &planner,
            json!({ "override_weight": "1.5", "override_reason": "x" }),
        )
        .await,
        "override_weight",
    );
    refused(
        api.call(
            "PATCH",
            &g_path,
            &planner,
            json!({ "override_reason": "x" }),
        )
        .await,
        "override_weight",
    );
    refused(
        api.call(
            "PATCH",
            &g_path,
            &planner,
            json!({ "deficits": ["chronic_underfunding", "nope"] }),
        )
        .await,
        "deficits",
    );
    refused(
        api.call("PATCH", &g_path, &planner, json!({ "title": " " }))
            .await,
        "title",
    );
    refused(
        api.call("PATCH", &g_path, &planner, json!({ "threats": ["x"] }))
            .await,
        "threats",
    );
    assert_eq!(
        api.entries().await,
        before,
        "a refused change wrote something"
    );
    assert_eq!(api.get(&g_path, &planner).await.1, goal);

    // With a reason it holds; the reason can be reworded; null removes it.
    let (status, g) = api
        .call(
            "PATCH",
            &g_path,
            &planner,
            json!({ "override_weight": 0.9, "override_reason": "NSC decision 7" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{g}");
    assert_eq!(
        (
            &g["weight"]["effective"],
            &g["weight"]["computed"],
            &g["weight"]["override_reason"]
        ),
        (&json!(0.9), &json!(0.85), &json!("NSC decision 7"))
    );
    assert_eq!(g["deficits"], json!(["chronic_underfunding"]));
    let (_, g) = api
        .call(
            "PATCH",
            &g_path,
            &planner,
            json!({ "override_reason": "NSC decision 7 of 2025" }),
        )
        .await;
    assert_eq!(g["weight"]["override_weight"], 0.9);
    assert_eq!(g["weight"]["override_reason"], "NSC decision 7 of 2025");
    let (_, g) = api
        .call(
            "PATCH",
            &g_path,
            &planner,
            json!({ "override_weight": null }),
        )
        .await;
    assert_eq!(g["weight"]["effective"], 0.85);
    assert_eq!(g["weight"]["override_weight"], Value::Null);
    // Dropping a threat recomputes the weight: 9 ÷ 25.
    let (_, g) = api
        .call("PATCH", &g_path, &planner, json!({ "threats": [b["id"]] }))
        .await;
    assert_eq!(g["weight"]["computed"], 0.36);
    assert_eq!(g["title"], "Control the borders");
    let (status, _) = api
        .call("PATCH", &g_path, &donor, json!({ "title": "Mine" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A strategy's text changes field by field.
    let (_, s) = api
        .call(
            "POST",
            "/api/v1/workspaces/land/strategies",
            &planner,
            json!({ "title": "National Security Strategy", "review_years": 4 }),
        )
        .await;
    let s_path = format!("/api/v1/strategies/{}", s["id"].as_str().unwrap());
    let (status, s) = api
        .call(
            "PATCH",
            &s_path,
            &planner,
            json!({ "summary": "Start from the threat." }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(
        (&s["title"], &s["summary"], &s["review_years"]),
        (
            &json!("National Security Strategy"),
            &json!("Start from the threat."),
            &json!(4)
        )
    );
    let before = api.entries().await;
    refused(
        api.call("PATCH", &s_path, &planner, json!({ "review_years": 0 }))
            .await,
        "review_years",
    );
    refused(
        api.call("PATCH", &s_path, &planner, json!({ "title": "" }))
            .await,
        "title",
    );
    assert_eq!(api.entries().await, before);
}

async fn a_strategy_goes_through_its_life_cycle(flavour: Flavour) {
    let api = Api::new(flavour).await;
    let planner = api.writer("pl", Role::Planner, Level::Secret).await;
    let mp = api.writer("mp", Role::Parliament, Level::Official).await;
    let donor = api.writer("donor", Role::Donor, Level::Official).await;
    let today = chrono::Utc::now().date_naive();
    let (_, s) = api
        .call(
            "POST",
            "/api/v1/workspaces/land/strategies",
            &planner,
            json!({ "title": "National Security Strategy" }),
        )
        .await;
    let id = s["id"].as_str().unwrap().to_owned();
    let s_path = format!("/api/v1/strategies/{id}");
    let status_path = format!("{s_path}/status");
    let comments = format!("{s_path}/comments");
    let step = |token: &str, body: Value| {
        let token = token.to_owned();
        let status_path = status_path.clone();
        let api = &api;
        async move { api.call("POST", &status_path, &token, body).await }
    };

    // Wrong steps, missing or malformed fields, and roles that may not: nothing changes.
    let before = api.entries().await;
    let message = rejected(
        step(
            &mp,
            json!({ "step": "approve", "approved_on": today.to_string(), "vote_reference": "NA/1" }),
        )
        .await,
    );
    assert!(
        message.contains(
            "a strategy in draft cannot be approved: a draft can only go to public consultation"
        ),
        "{message}"
    );
    let (status, _) = step(
        &mp,
        json!({ "step": "open_consultation", "consultation_opens_on": today.to_string(),
                "consultation_closes_on": "2099-01-01" }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    refused(
        step(
            &planner,
            json!({ "step": "open_consultation", "consultation_opens_on": today.to_string() }),
        )
        .await,
        "consultation_closes_on",
    );
    refused(
        step(
            &planner,
            json!({ "step": "open_consultation", "consultation_opens_on": today.to_string(),
                    "consultation_closes_on": "31/12/2099" }),
        )
        .await,
        "consultation_closes_on",
    );
    refused(
        step(
            &planner,
            json!({ "step": "open_consultation", "consultation_opens_on": "2099-02-01",
                    "consultation_closes_on": "2099-01-01" }),
        )
        .await,
        "consultation_closes_on",
    );
    let message = refused(step(&planner, json!({ "step": "publish" })).await, "step");
    assert!(
        message.contains("open_consultation, send_to_parliament"),
        "{message}"
    );
    rejected(
        api.call("POST", &comments, &donor, json!({ "body": "Too early" }))
            .await,
    );
    // The public does not see a draft, nor its comments.
    assert_eq!(api.get(&s_path, "").await.0, StatusCode::NOT_FOUND);
    assert_eq!(api.get(&comments, "").await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        api.entries().await,
        before,
        "a refused step wrote something"
    );

    // Draft → public consultation.
    let (status, s) = step(
        &planner,
        json!({ "step": "open_consultation", "consultation_opens_on": today.to_string(),
                "consultation_closes_on": "2099-01-01" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["status"], "consultation");
    assert_eq!(s["consultation_closes_on"], "2099-01-01");
    assert_eq!(api.get(&comments, "").await, (StatusCode::OK, json!([])));

    // Comments: an empty one is refused; a real one is signed and listed.
    refused(
        api.call("POST", &comments, &donor, json!({ "body": "  " }))
            .await,
        "body",
    );
    let (status, c) = api
        .call(
            "POST",
            &comments,
            &donor,
            json!({ "body": "Name the border first." }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    assert_eq!(c["author"], "donor person");
    let (status, _) = api
        .call("POST", &comments, "", json!({ "body": "Anonymous" }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, listed) = api.get(&comments, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed, json!([c]));
    assert_eq!(api.get(&s_path, &mp).await.1["comments"], json!([c]));

    // Consultation → parliamentary debate: comments close, whoever sends them.
    let (_, s) = step(&planner, json!({ "step": "send_to_parliament" })).await;
    assert_eq!(s["status"], "debate");
    assert_eq!(s["consultation_closes_on"], today.to_string());
    let message = rejected(
        api.call("POST", &comments, &donor, json!({ "body": "Late" }))
            .await,
    );
    assert!(message.contains("not open for comments"), "{message}");

    // Parliament's decision needs its day and reference.
    refused(
        step(
            &mp,
            json!({ "step": "approve", "approved_on": today.to_string() }),
        )
        .await,
        "vote_reference",
    );
    refused(
        step(
            &mp,
            json!({ "step": "approve", "vote_reference": "NA/2026/9" }),
        )
        .await,
        "approved_on",
    );
    refused(
        step(
            &mp,
            json!({ "step": "approve", "approved_on": "2099-01-01", "vote_reference": "NA/2026/9" }),
        )
        .await,
        "approved_on",
    );
    let (status, s) = step(
        &mp,
        json!({ "step": "approve", "approved_on": today.to_string(), "vote_reference": "NA/2026/9" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(
        (&s["status"], &s["vote_reference"], &s["review_due"]),
        (&json!("approved"), &json!("NA/2026/9"), &json!(false))
    );
    assert_eq!(s["approved_on"], today.to_string());
    let due = custodes_core::strategy::review_due_on(today, 5).to_string();
    assert_eq!(s["review_due_on"], due);
    assert_eq!(s["comments"], json!([c]));

    // An approved strategy is final.
    let before = api.entries().await;
    let message = rejected(
        api.call("PATCH", &s_path, &planner, json!({ "title": "Changed" }))
            .await,
    );
    assert!(message.contains("final"), "{message}");
    let message = rejected(step(&planner, json!({ "step": "return_to_draft" })).await);
    assert!(
        message.contains("an approved strategy is final"),
        "{message}"
    );
    assert_eq!(api.entries().await, before);
    assert_eq!(api.get(&s_path, "").await.1["status"], "approved");

    // Parliament may send one back to draft instead; the public then loses sight of it.
    let (_, other) = api
        .call(
            "POST",
            "/api/v1/workspaces/land/strategies",
            &planner,
            json!({ "title": "Border Strategy" }),
        )
        .await;
    let other_status = format!(
        "/api/v1/strategies/{}/status",
        other["id"].as_str().unwrap()
    );
    for (token, body) in [
        (
            &planner,
            json!({ "step": "open_consultation", "consultation_opens_on": today.to_string(),
                    "consultation_closes_on": today.to_string() }),
        ),
        (&planner, json!({ "step": "send_to_parliament" })),
        (&mp, json!({ "step": "return_to_draft" })),
    ] {
        let (status, s) = api.call("POST", &other_status, token, body).await;
        assert_eq!(status, StatusCode::OK, "{s}");
    }
    let other_path = format!("/api/v1/strategies/{}", other["id"].as_str().unwrap());
    let (_, s) = api.get(&other_path, &donor).await;
    assert_eq!(s["status"], "draft");
    assert_eq!(s["consultation_opens_on"], Value::Null);
    assert_eq!(api.get(&other_path, "").await.0, StatusCode::NOT_FOUND);
}

async fn what_the_caller_may_not_read_is_not_found(flavour: Flavour) {
    let api = Api::new(flavour).await;
    let admin = api.writer("adm", Role::Administrator, Level::Secret).await;
    let planner = api.writer("pl", Role::Planner, Level::Official).await;
    let threats = "/api/v1/workspaces/land/threats";
    let mut secret = threat("Covert support HIDDENNAME", 2, 5);
    secret["level"] = json!("SECRET");
    secret["justification"] = json!("sources");
    let (status, hidden) = api.call("POST", threats, &admin, secret).await;
    assert_eq!(status, StatusCode::CREATED, "{hidden}");
    let (_, open) = api
        .call("POST", threats, &admin, threat("Insurgents", 3, 4))
        .await;
    let hidden_id = hidden["id"].as_str().unwrap().to_owned();
    let nowhere = "0193b4c2-0000-7000-8000-000000000000";

    // A change to a threat the planner may not read is answered as for no threat at all.
    let before = api.entries().await;
    let change = json!({ "name": "Renamed" });
    let on_hidden = api
        .call(
            "PATCH",
            &format!("/api/v1/threats/{hidden_id}"),
            &planner,
            change.clone(),
        )
        .await;
    let on_nothing = api
        .call(
            "PATCH",
            &format!("/api/v1/threats/{nowhere}"),
            &planner,
            change,
        )
        .await;
    assert_eq!(on_hidden.0, StatusCode::NOT_FOUND);
    assert_eq!(on_hidden, on_nothing);
    assert!(!on_hidden.1.to_string().contains("HIDDENNAME"));
    assert_eq!(api.entries().await, before);

    // A goal that answers both: the planner sees and weighs only the one it may read.
    let (_, goal) = api
        .call(
            "POST",
            "/api/v1/workspaces/land/goals",
            &admin,
            json!({ "title": "Pacify the north", "threats": [hidden["id"], open["id"]] }),
        )
        .await;
    let g_path = format!("/api/v1/goals/{}", goal["id"].as_str().unwrap());
    assert_eq!(
        goal["weight"]["computed"], 0.53,
        "12 ÷ 25 + 0.05 for the admin"
    );
    let (_, seen) = api.get(&g_path, &planner).await;
    assert_eq!(seen["weight"]["computed"], 0.48, "12 ÷ 25 for the planner");
    assert_eq!(seen["threats"].as_array().unwrap().len(), 1);
    assert!(!seen.to_string().contains(&hidden_id));

    // Naming the hidden threat in a goal is refused exactly as naming none that exists.
    let before = api.entries().await;
    let with_hidden = api
        .call(
            "PATCH",
            &g_path,
            &planner,
            json!({ "threats": [hidden_id] }),
        )
        .await;
    let with_nothing = api
        .call("PATCH", &g_path, &planner, json!({ "threats": [nowhere] }))
        .await;
    assert_eq!(with_hidden.0, StatusCode::BAD_REQUEST);
    assert_eq!(with_hidden, with_nothing);
    assert_eq!(api.entries().await, before);

    // The planner's change keeps the link it cannot see.
    let (status, changed) = api
        .call(
            "PATCH",
            &g_path,
            &planner,
            json!({ "title": "Bring peace to the north" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["weight"]["computed"], 0.48);
    let (_, whole) = api.get(&g_path, &admin).await;
    assert_eq!(whole["title"], "Bring peace to the north");
    assert_eq!(whole["threats"].as_array().unwrap().len(), 2);
    assert_eq!(whole["weight"]["computed"], 0.53);

    // A draft's comments are for those signed in, and so is the draft.
    let (_, draft) = api
        .call(
            "POST",
            "/api/v1/workspaces/land/strategies",
            &admin,
            json!({ "title": "Draft strategy" }),
        )
        .await;
    let draft_comments = format!(
        "/api/v1/strategies/{}/comments",
        draft["id"].as_str().unwrap()
    );
    let nowhere_comments = format!("/api/v1/strategies/{nowhere}/comments");
    assert_eq!(api.get(&draft_comments, &planner).await.0, StatusCode::OK);
    assert_eq!(
        api.get(&draft_comments, "").await,
        api.get(&nowhere_comments, "").await
    );
    assert_eq!(api.get(&draft_comments, "").await.0, StatusCode::NOT_FOUND);
}

async fn the_openapi_document_describes_the_new_routes(flavour: Flavour) {
    let api = Api::new(flavour).await;
    let (status, doc) = api.get("/api/v1/openapi.json", "").await;
    assert_eq!(status, StatusCode::OK);
    for (path, method) in [
        ("/api/v1/threats/{id}", "patch"),
        ("/api/v1/goals/{id}", "patch"),
        ("/api/v1/strategies/{id}", "patch"),
        ("/api/v1/strategies/{id}/status", "post"),
        ("/api/v1/strategies/{id}/comments", "get"),
        ("/api/v1/strategies/{id}/comments", "post"),
    ] {
        assert!(
            doc["paths"][path].get(method).is_some(),
            "{method} {path} is not documented"
        );
    }
}

on_both_backends!(
    threats_goals_and_strategies_change_field_by_field,
    a_strategy_goes_through_its_life_cycle,
    what_the_caller_may_not_read_is_not_found,
    the_openapi_document_describes_the_new_routes,
);

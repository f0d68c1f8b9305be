//! The assessment API on both backends, driven with tokens as a script would: open,
//! answer (JSON and an answer file, all or nothing), submit, review, publish, results,
//! and who may read what.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use custodes_core::audit::Actor;
use custodes_core::permission::TokenScope;
use custodes_core::{Level, Role};
use custodes_testkit::{Flavour, TestDb, on_both_backends};
use custodes_web::{AppState, Instance, router};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

struct Api {
    _db: TestDb,
    app: axum::Router,
}

impl Api {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<(&str, String)>,
    ) -> (StatusCode, String) {
        let mut req = Request::builder().method(method).uri(path);
        if !token.is_empty() {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let req = match body {
            Some((kind, text)) => req
                .header(header::CONTENT_TYPE, kind)
                .body(Body::from(text)),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let response = self.app.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    async fn json(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let (status, text) = self
            .call(
                method,
                path,
                token,
                Some(("application/json", body.to_string())),
            )
            .await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

async fn token(
    store: &custodes_store::Store,
    username: &str,
    role: Role,
    clearance: Level,
) -> String {
    let user = store
        .create_user(
            &Actor::System,
            custodes_store::user::NewUser {
                username: username.into(),
                display_name: username.into(),
                role,
                clearance,
                password: format!("{username} password 12"),
            },
        )
        .await
        .unwrap();
    store
        .create_token(
            &user,
            "t",
            TokenScope::Write,
            std::time::Duration::from_secs(600),
        )
        .await
        .unwrap()
        .1
}

async fn the_whole_cycle_runs_through_the_api(flavour: Flavour) {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    custodes_testkit::arvenia(&store, &Actor::System).await;
    let planner = token(&store, "planner", Role::Planner, Level::Secret).await;
    let assessor = token(&store, "assessor", Role::Assessor, Level::Official).await;
    let reviewer = token(&store, "reviewer", Role::Reviewer, Level::Official).await;
    let donor = token(&store, "donor", Role::Donor, Level::Official).await;
    let api = Api {
        _db: db,
        app: router(AppState {
            store,
            instance: Instance {
                name: "Test".into(),
                version: "0",
            },
            limits: custodes_store::session::SessionLimits::default(),
            jobs: Default::default(),
        }),
    };

    let new = json!({
        "framework": "ideal-security-sector", "framework_version": "1.0.0",
        "title": "Baseline", "period": "2024",
        "assessors": ["assessor"], "reviewers": ["reviewer"]
    });
    let (status, _) = api
        .json(
            "POST",
            "/api/v1/workspaces/arvenia/assessments",
            &assessor,
            new.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, a) = api
        .json(
            "POST",
            "/api/v1/workspaces/arvenia/assessments",
            &planner,
            new,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["status"], "draft");
    let id = a["id"].as_str().unwrap().to_owned();
    // The donor does not see a draft at all.
    let (status, _) = api
        .call("GET", &format!("/api/v1/assessments/{id}"), &donor, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = api
        .json(
            "GET",
            "/api/v1/workspaces/arvenia/assessments",
            &donor,
            Value::Null,
        )
        .await;
    assert_eq!(list, json!([]));

    // JSON answers are all or nothing.
    let (status, e) = api
        .json(
            "PUT",
            &format!("/api/v1/assessments/{id}/answers"),
            &assessor,
            json!([{"indicator": "c1.1", "level": "1"}, {"indicator": "c1.2", "level": "9"}]),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert!(e["message"].as_str().unwrap().contains("c1.2"), "{e}");
    let (_, answers) = api
        .json(
            "GET",
            &format!("/api/v1/assessments/{id}/answers"),
            &assessor,
            Value::Null,
        )
        .await;
    assert_eq!(answers, json!([]));

    // The demo's baseline answer file, with an actor column removed (no sector map here).
    let file = include_str!("../../custodes-cli/demo/assessment-2024.csv");
    let mut rdr = csv_without_actor(file);
    let (status, body) = api
        .call(
            "PUT",
            &format!("/api/v1/assessments/{id}/answers.csv"),
            &assessor,
            Some(("text/csv", rdr.clone())),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, r#"{"changed":37}"#);
    // A bad file names its line and changes nothing.
    rdr = rdr.replacen("c1.1,0,", "c1.1,seven,", 1);
    let (status, body) = api
        .call(
            "PUT",
            &format!("/api/v1/assessments/{id}/answers.csv"),
            &assessor,
            Some(("text/csv", rdr)),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("request body:2:2: level: 'seven' is not a level of c1.1"),
        "{body}"
    );

    let (status, a) = api
        .json(
            "POST",
            &format!("/api/v1/assessments/{id}/submit"),
            &assessor,
            Value::Null,
        )
        .await;
    assert_eq!(
        (status, a["status"].clone()),
        (StatusCode::OK, json!("submitted"))
    );
    let (status, _) = api
        .json(
            "POST",
            &format!("/api/v1/assessments/{id}/comments"),
            &reviewer,
            json!({"indicator": "c1.1", "body": "agreed"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, a) = api
        .json(
            "POST",
            &format!("/api/v1/assessments/{id}/reviews"),
            &reviewer,
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(
        (status, a["status"].clone()),
        (StatusCode::OK, json!("validated")),
        "{a}"
    );
    let (status, a) = api
        .json(
            "POST",
            &format!("/api/v1/assessments/{id}/publish"),
            &planner,
            Value::Null,
        )
        .await;
    assert_eq!(
        (status, a["status"].clone()),
        (StatusCode::OK, json!("published"))
    );

    // Published: the donor reads it and its results.
    let (status, r) = api
        .json(
            "GET",
            &format!("/api/v1/assessments/{id}/results"),
            &donor,
            Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["format"], "custodes-results/1");
    assert_eq!(r["scores"]["nodes"]["root"]["coverage"]["indicators"], 37);
    assert!(!r["diagnosis"]["by_deficit"].as_array().unwrap().is_empty());
    // Frozen.
    let (status, _) = api
        .json(
            "PUT",
            &format!("/api/v1/assessments/{id}/answers"),
            &assessor,
            json!([{"indicator": "c1.1", "level": "4"}]),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A correction is a new draft version.
    let (status, c) = api
        .json(
            "POST",
            &format!("/api/v1/assessments/{id}/corrections"),
            &planner,
            Value::Null,
        )
        .await;
    assert_eq!(
        (status, c["version"].clone(), c["corrects"].clone()),
        (StatusCode::CREATED, json!(2), json!(id))
    );
    // The OpenAPI document names the new routes.
    let (_, doc) = api
        .json("GET", "/api/v1/openapi.json", "", Value::Null)
        .await;
    assert!(doc["paths"]["/api/v1/assessments/{id}/results"].is_object());
}

/// Empties the actor column of an answer file.
fn csv_without_actor(text: &str) -> String {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(r.headers().unwrap()).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let fields: Vec<&str> = rec
            .iter()
            .enumerate()
            .map(|(i, f)| if i == 3 { "" } else { f })
            .collect();
        w.write_record(fields).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

on_both_backends!(the_whole_cycle_runs_through_the_api);

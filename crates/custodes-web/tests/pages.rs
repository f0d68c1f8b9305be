//! Every page the web layer serves today, on both backends: status, content and the
//! security headers.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use custodes_core::audit::Actor;
use custodes_core::workspace::{Slug, WorkspaceKind};
use custodes_testkit::{Flavour, TestDb, on_both_backends};
use custodes_web::{AppState, Instance, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn app(flavour: Flavour) -> (TestDb, axum::Router, custodes_store::Store) {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    let state = AppState {
        store: store.clone(),
        instance: Instance {
            name: "Custodes – Test".into(),
            version: "9.9.9",
        },
        limits: custodes_store::session::SessionLimits::default(),
    };
    (db, router(state), store)
}

async fn get(app: &axum::Router, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

async fn landing_lists_workspaces(flavour: Flavour) {
    let (_db, app, store) = app(flavour).await;
    let (status, _, body) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("<h1 class=\"heading-xl\">Custodes – Test</h1>"),
        "{body}"
    );
    assert!(body.contains("No country or region has been set up"));

    store
        .create_workspace(
            &Actor::System,
            Slug::parse("arvenia").unwrap(),
            "Republic of <Arvenia>",
            WorkspaceKind::Country,
        )
        .await
        .unwrap();
    let (_, _, body) = get(&app, "/").await;
    // Names are escaped.
    assert!(
        body.contains("<td>Republic of &#60;Arvenia&#62;</td><td>Country</td>"),
        "{body}"
    );
    assert!(body.contains("Custodes 9.9.9"));
}

async fn health_reports_the_database(flavour: Flavour) {
    let (_db, app, store) = app(flavour).await;
    let (status, headers, body) = get(&app, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(body, r#"{"status":"ok","database":"ok","version":"9.9.9"}"#);
    store.close().await;
    let (status, _, body) = get(&app, "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body,
        r#"{"status":"unavailable","database":"unreachable","version":"9.9.9"}"#
    );
}

async fn unknown_pages_are_404_pages(flavour: Flavour) {
    let (_db, app, _) = app(flavour).await;
    let (status, _, body) = get(&app, "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"));
    let (status, _, _) = get(&app, "/assets/missing.css").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn assets_are_served_from_the_binary(flavour: Flavour) {
    let (_db, app, _) = app(flavour).await;
    let (status, headers, body) = get(&app, "/assets/custodes.css").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    assert!(body.contains("--focus"));
}

async fn every_response_carries_the_security_headers(flavour: Flavour) {
    let (_db, app, _) = app(flavour).await;
    for path in ["/", "/healthz", "/assets/custodes.css", "/missing"] {
        let (_, headers, _) = get(&app, path).await;
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers[header::REFERRER_POLICY], "same-origin", "{path}");
    }
}

on_both_backends!(
    landing_lists_workspaces,
    health_reports_the_database,
    unknown_pages_are_404_pages,
    assets_are_served_from_the_binary,
    every_response_carries_the_security_headers,
);

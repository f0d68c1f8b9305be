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
        jobs: Default::default(),
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

async fn the_framework_browser_shows_the_built_in_frameworks(flavour: Flavour) {
    let (_db, app, _) = app(flavour).await;
    let (status, _, body) = get(&app, "/frameworks").await;
    assert_eq!(status, StatusCode::OK);
    for name in [
        "Ideal Security Sector",
        "Good Governance of the Security Sector",
        "Integrity of the Security Sector",
    ] {
        assert!(body.contains(name), "{name}");
    }
    let (status, _, body) = get(&app, "/frameworks/ideal-security-sector").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("<span class=\"details__id\">c1.1</span>"),
        "{body}"
    );
    assert_eq!(body.matches("<details class=\"details\">").count(), 37);
    assert!(body.contains("What must be true"));
    let (status, _, _) = get(&app, "/frameworks/no-such-framework").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, json) = get(&app, "/api/v1/frameworks/integrity").await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["id"], "integrity");
    assert!(doc["nodes"].as_array().unwrap().len() > 20);
    let (status, _, json) = get(&app, "/api/v1/frameworks").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        3
    );
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
    the_framework_browser_shows_the_built_in_frameworks,
    every_response_carries_the_security_headers,
    sign_in_sets_a_safe_cookie_and_forms_need_their_token,
    the_api_answers_in_json_with_the_right_codes,
);

async fn request(
    app: &axum::Router,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

fn form_post(path: &str, _body: &str) -> axum::http::request::Builder {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "custodes.test")
}

async fn sign_in_sets_a_safe_cookie_and_forms_need_their_token(flavour: Flavour) {
    let (_db, app, store) = app(flavour).await;
    store
        .create_workspace(
            &Actor::System,
            Slug::parse("land").unwrap(),
            "Land",
            WorkspaceKind::Country,
        )
        .await
        .unwrap();
    store
        .create_user(
            &Actor::System,
            custodes_store::user::NewUser {
                username: "pl".into(),
                display_name: "Planner".into(),
                role: custodes_core::Role::Planner,
                clearance: custodes_core::Level::Secret,
                password: "planner password 1".into(),
            },
        )
        .await
        .unwrap();
    let body = "username=pl&password=planner+password+1";

    // From another site: refused.
    let req = form_post("/sign-in", body)
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(body))
        .unwrap();
    let (status, _, _) = request(&app, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A wrong password: the form again, with an error summary.
    let wrong = "username=pl&password=nope";
    let (status, _, html) = request(
        &app,
        form_post("/sign-in", wrong)
            .body(Body::from(wrong))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("There is a problem")
            && html.contains("The username or password is not right")
    );

    // Behind TLS: the cookie is Secure, HttpOnly and SameSite.
    let req = form_post("/sign-in", body)
        .header(header::ORIGIN, "https://custodes.test")
        .header("x-forwarded-proto", "https")
        .body(Body::from(body))
        .unwrap();
    let (status, headers, _) = request(&app, req).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    let session = cookie.split(';').next().unwrap().to_owned();

    // Signed in, a form without the session's token is refused and changes nothing.
    let add = "name=Sneaky&kind=police&level=PUBLIC";
    let req = form_post("/w/land/actors/new", add)
        .header(header::COOKIE, &session)
        .body(Body::from(add))
        .unwrap();
    let (status, _, _) = request(&app, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let req = Request::get("/w/land/actors")
        .header(header::COOKIE, &session)
        .body(Body::empty())
        .unwrap();
    let (_, _, html) = request(&app, req).await;
    assert!(html.contains("0 actors"), "{html}");

    // With the token it works.
    let page = request(
        &app,
        Request::get("/w/land/actors/new")
            .header(header::COOKIE, &session)
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .2;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let add = format!("csrf={csrf}&name=Border+police&kind=police&level=PUBLIC");
    let req = form_post("/w/land/actors/new", &add)
        .header(header::COOKIE, &session)
        .body(Body::from(add.clone()))
        .unwrap();
    let (status, headers, _) = request(&app, req).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{add}");
    assert!(
        headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/w/land/actors/")
    );

    // Above PUBLIC without a justification: the form again, naming the field.
    let add = format!("csrf={csrf}&name=Secret+unit&kind=police&level=SECRET");
    let req = form_post("/w/land/actors/new", &add)
        .header(header::COOKIE, &session)
        .body(Body::from(add.clone()))
        .unwrap();
    let (status, _, html) = request(&app, req).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#justification\""), "{html}");

    // Sign out ends the session.
    let out = format!("csrf={csrf}");
    let req = form_post("/sign-out", &out)
        .header(header::COOKIE, &session)
        .body(Body::from(out.clone()))
        .unwrap();
    let (status, headers, _) = request(&app, req).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let req = Request::get("/account/tokens")
        .header(header::COOKIE, &session)
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = request(&app, req).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/sign-in");
}

async fn the_api_answers_in_json_with_the_right_codes(flavour: Flavour) {
    let (_db, app, store) = app(flavour).await;
    let (status, headers, body) = get(&app, "/api/v1/users").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
    assert!(body.starts_with("{\"error\":"), "{body}");
    let req = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, "Bearer cst_forged")
        .body(Body::empty())
        .unwrap();
    let (status, _, _) = request(&app, req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let user = store
        .create_user(
            &Actor::System,
            custodes_store::user::NewUser {
                username: "dn".into(),
                display_name: "Donor".into(),
                role: custodes_core::Role::Donor,
                clearance: custodes_core::Level::Official,
                password: "donor password 12".into(),
            },
        )
        .await
        .unwrap();
    let (_, read) = store
        .create_token(
            &user,
            "r",
            custodes_core::permission::TokenScope::Read,
            std::time::Duration::from_secs(60),
        )
        .await
        .unwrap();
    let req = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, format!("Bearer {read}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = request(&app, req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        r#"{"username":"dn","role":"donor","clearance":"OFFICIAL","scope":"read"}"#
    );
    let req = Request::get("/api/v1/users")
        .header(header::AUTHORIZATION, format!("Bearer {read}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(request(&app, req).await.0, StatusCode::FORBIDDEN);

    // The OpenAPI document lists every API route the router serves.
    let (status, _, doc) = get(&app, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/frameworks",
        "/api/v1/frameworks/{id}",
        "/api/v1/workspaces",
        "/api/v1/workspaces/{slug}/actors",
        "/api/v1/actors/{id}",
        "/api/v1/workspaces/{slug}/relations",
        "/api/v1/workspaces/{slug}/checks",
        "/api/v1/compartments",
        "/api/v1/users",
        "/api/v1/permissions",
        "/api/v1/audit",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is not documented");
    }
}

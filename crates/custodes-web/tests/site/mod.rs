//! The web test harness the page tests share: a router over a fresh database with one
//! workspace ("land"), people signed in with their session cookie and form token, and
//! requests as a browser sends them.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use custodes_core::audit::Actor;
use custodes_core::workspace::{Slug, WorkspaceKind};
use custodes_core::{Level, Role};
use custodes_store::Store;
use custodes_store::audit::Verdict;
use custodes_store::session::SessionLimits;
use custodes_testkit::{Flavour, TestDb};
use custodes_web::{AppState, Instance, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub struct Site {
    _db: TestDb,
    pub store: Store,
    pub app: axum::Router,
}

/// A signed-in person: their session cookie and form token.
pub struct Person {
    pub cookie: String,
    pub csrf: String,
}

pub async fn site(flavour: Flavour, name: &str) -> Site {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    store
        .create_workspace(
            &Actor::System,
            Slug::parse("land").unwrap(),
            "Land",
            WorkspaceKind::Country,
        )
        .await
        .unwrap();
    let app = router(AppState {
        store: store.clone(),
        instance: Instance {
            name: name.into(),
            version: "0",
        },
        limits: SessionLimits::default(),
        jobs: Default::default(),
    });
    Site {
        _db: db,
        store,
        app,
    }
}

impl Site {
    pub async fn person(&self, name: &str, role: Role, clearance: Level) -> Person {
        let password = format!("{name} has a long password");
        self.store
            .create_user(
                &Actor::System,
                custodes_store::user::NewUser {
                    username: name.into(),
                    display_name: format!("{name} person"),
                    role,
                    clearance,
                    password: password.clone(),
                },
            )
            .await
            .unwrap();
        let (_, session) = self
            .store
            .sign_in(name, &password, None, "127.0.0.1", SessionLimits::default())
            .await
            .unwrap()
            .unwrap();
        Person {
            cookie: format!("custodes_session={}", session.token),
            csrf: session.csrf,
        }
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, String, String) {
        let response = self.app.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, location, String::from_utf8(body.to_vec()).unwrap())
    }

    pub async fn get(&self, who: &Person, path: &str) -> (StatusCode, String) {
        let req = Request::get(path)
            .header(header::COOKIE, &who.cookie)
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = self.send(req).await;
        (status, body)
    }

    /// Posts a form with the person's token; returns the status, the redirect and the page.
    pub async fn post(
        &self,
        who: &Person,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let mut all = vec![("csrf", who.csrf.as_str())];
        all.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&all).unwrap();
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "custodes.test")
            .header(header::COOKIE, &who.cookie)
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub async fn entries(&self) -> u64 {
        match self.store.verify_audit().await.unwrap() {
            Verdict::Intact { entries, .. } => entries,
            Verdict::Broken(b) => panic!("{b}"),
        }
    }
}

impl Site {
    /// Requests `path` as htmx does (with `HX-Request`); returns the status, the headers
    /// and the body.
    pub async fn get_htmx(
        &self,
        who: &Person,
        path: &str,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let req = Request::get(path)
            .header(header::COOKIE, &who.cookie)
            .header("hx-request", "true")
            .body(Body::empty())
            .unwrap();
        let response = self.app.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    /// A personal API token of user `name` with `scope`.
    pub async fn token(&self, name: &str, scope: custodes_core::permission::TokenScope) -> String {
        let user = self.store.user_by_username(name).await.unwrap();
        let (_, secret) = self
            .store
            .create_token(&user, "test", scope, std::time::Duration::from_secs(3600))
            .await
            .unwrap();
        secret
    }

    /// Calls the API with `token` (the public without one) and a JSON body (for POST);
    /// returns the status, the headers and the JSON answer (null when there is none).
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
        extra: &[(&str, &str)],
    ) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let response = self.app.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (status, headers, json)
    }
}

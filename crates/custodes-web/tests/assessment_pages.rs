//! The assessment pages over HTTP, on both backends: an assessment of the built-in Ideal
//! Security Sector framework is opened, answered (with a refused answer and a refused
//! source), submitted, commented on, sent back for changes, approved, published, read by
//! a donor, corrected and compared, as each person would do it in a browser.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use custodes_core::audit::Actor;
use custodes_core::workspace::{Slug, WorkspaceKind};
use custodes_core::{Level, Role};
use custodes_store::Store;
use custodes_store::user::NewUser;
use custodes_testkit::{Flavour, TestDb, on_both_backends};
use custodes_web::{AppState, Instance, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

struct Page {
    status: StatusCode,
    location: String,
    body: String,
}

/// A person using the site: their session cookie and the form token.
struct Browser {
    app: axum::Router,
    cookie: String,
    csrf: String,
}

async fn send(app: &axum::Router, req: Request<Body>) -> Page {
    let response = app.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Page {
        status,
        location,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

fn encode(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).unwrap()
}

impl Browser {
    async fn sign_in(app: &axum::Router, username: &str) -> Browser {
        let body = encode(&[
            ("username", username),
            ("password", &format!("{username} password 123")),
        ]);
        let req = Request::post("/sign-in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "custodes.test")
            .body(Body::from(body))
            .unwrap();
        let response = app.clone().oneshot(req).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign in {username}"
        );
        let cookie = response.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let mut b = Browser {
            app: app.clone(),
            cookie,
            csrf: String::new(),
        };
        let home = b.get("/").await;
        b.csrf = home
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        b
    }

    async fn get(&self, path: &str) -> Page {
        let req = Request::get(path)
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .unwrap();
        send(&self.app, req).await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_as(path, fields, false).await
    }

    async fn htmx(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_as(path, fields, true).await
    }

    async fn post_as(&self, path: &str, fields: &[(&str, &str)], htmx: bool) -> Page {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "custodes.test")
            .header(header::COOKIE, &self.cookie);
        if htmx {
            req = req.header("HX-Request", "true");
        }
        send(&self.app, req.body(Body::from(encode(&all))).unwrap()).await
    }
}

async fn person(store: &Store, username: &str, name: &str, role: Role) {
    store
        .create_user(
            &Actor::System,
            NewUser {
                username: username.into(),
                display_name: name.into(),
                role,
                clearance: Level::Confidential,
                password: format!("{username} password 123"),
            },
        )
        .await
        .unwrap();
}

async fn world(flavour: Flavour) -> (TestDb, axum::Router, Store) {
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
    person(&store, "planner", "Pia Planner", Role::Planner).await;
    person(&store, "assessor", "Ada Assessor", Role::Assessor).await;
    person(&store, "reviewer", "Rui Reviewer", Role::Reviewer).await;
    person(&store, "donor", "Dan Donor", Role::Donor).await;
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

/// The value of the check box or option labelled `label` in `html`.
fn value_before(html: &str, label: &str) -> String {
    let at = html.find(label).unwrap_or_else(|| panic!("no {label}"));
    let before = &html[..at];
    let v = before.rfind("value=\"").unwrap();
    before[v + 7..].split('"').next().unwrap().to_owned()
}

/// Every indicator of the Ideal Security Sector framework.
fn indicators() -> Vec<String> {
    let f = custodes_formats::framework::read(
        "ideal-security-sector.toml",
        custodes_formats::builtin::FRAMEWORKS[0].text,
    )
    .unwrap();
    f.indicators().map(|n| n.id.to_string()).collect()
}

async fn an_assessment_goes_through_its_life_cycle_in_the_pages(flavour: Flavour) {
    let (_db, app, _store) = world(flavour).await;
    let planner = Browser::sign_in(&app, "planner").await;
    let assessor = Browser::sign_in(&app, "assessor").await;
    let reviewer = Browser::sign_in(&app, "reviewer").await;
    let donor = Browser::sign_in(&app, "donor").await;

    // The list offers managers to open one; others only read.
    let list = planner.get("/w/land/assessments").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Open an assessment"), "{}", list.body);
    assert!(
        list.body.contains(">Assessments</a>"),
        "the navigation has it"
    );
    let list = assessor.get("/w/land/assessments").await;
    assert!(!list.body.contains("Open an assessment"));
    assert_eq!(
        assessor.get("/w/land/assessments/new").await.status,
        StatusCode::FORBIDDEN
    );

    // The form: refused without a title or people, with an error summary.
    let form = planner.get("/w/land/assessments/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let assessor_id = value_before(&form.body, "Ada Assessor (Assessor)");
    let reviewer_id = value_before(&form.body, "Rui Reviewer (Reviewer)");
    assert!(
        !form.body.contains("Dan Donor"),
        "only people who may answer or review are offered"
    );
    let refused = planner
        .post(
            "/w/land/assessments/new",
            &[
                ("framework", "ideal-security-sector@1.0.0"),
                ("level", "PUBLIC"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["#title", "#period", "#assessors", "#reviewers"] {
        assert!(
            refused.body.contains(&format!("href=\"{field}\"")),
            "{field}: {}",
            refused.body
        );
    }
    let opened = planner
        .post(
            "/w/land/assessments/new",
            &[
                ("framework", "ideal-security-sector@1.0.0"),
                ("title", "Sector baseline"),
                ("period", "2024"),
                ("level", "PUBLIC"),
                ("assessors", &assessor_id),
                ("reviewers", &reviewer_id),
            ],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let base = opened.location.clone();
    assert!(base.starts_with("/w/land/assessments/"));

    // The assessor's home page points to it.
    let home = assessor.get("/").await;
    assert!(
        home.body
            .contains("Answer it: Sector baseline (2024, version 1)"),
        "{}",
        home.body
    );

    // Before publication a donor finds nothing, not even in the list.
    assert_eq!(donor.get(&base).await.status, StatusCode::NOT_FOUND);
    for tail in ["/answer", "/review", "/results", "/history", "/answers.csv"] {
        assert_eq!(
            donor.get(&format!("{base}{tail}")).await.status,
            StatusCode::NOT_FOUND,
            "{tail}"
        );
    }
    assert!(
        !donor
            .get("/w/land/assessments")
            .await
            .body
            .contains("Sector baseline")
    );

    // The overview: a draft, nothing answered, a way to answer for the assessor only.
    let overview = assessor.get(&base).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.body.contains("aria-current=\"step\""));
    assert!(overview.body.contains("0 of 37"), "{}", overview.body);
    assert!(overview.body.contains("Answer the indicators"));
    assert!(!overview.body.contains("Submit for review"));
    assert!(
        !planner
            .get(&base)
            .await
            .body
            .contains("Answer the indicators")
    );

    // Answer entry: cards with levels, missing states, guidance and the shortcut script.
    let page = assessor.get(&format!("{base}/answer")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("<article class=\"answer-card").count(),
        37
    );
    assert!(page.body.contains("id=\"indicator-c1-1\""));
    assert!(
        page.body
            .contains("value=\"missing:not_enough_information\"")
    );
    assert!(page.body.contains("/assets/assessment-keys.js"));
    assert!(
        page.body.contains("hx-post=\"") && page.body.contains("hx-trigger=\"change, submit\"")
    );
    // A reviewer reads the same page without forms.
    let read = reviewer.get(&format!("{base}/answer")).await;
    assert!(!read.body.contains("class=\"answer-form\""));

    // An answer without a level is refused: the page again without JavaScript, an
    // inline message with htmx.
    let refused = assessor
        .post(
            &format!("{base}/answer/c1.1"),
            &[("explanation", "Not sure yet")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("There is a problem"));
    assert!(refused.body.contains("href=\"#indicator-c1-1-value-0\""));
    assert!(
        refused.body.contains("Not sure yet"),
        "what was typed is kept"
    );
    let refused = assessor
        .htmx(&format!("{base}/answer/c1.1"), &[("value", "level:9")])
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("Not saved:"), "{}", refused.body);

    // Saved without JavaScript: back to the indicator.
    let saved = assessor
        .post(
            &format!("{base}/answer/c1.1"),
            &[
                ("value", "level:1"),
                ("explanation", "The 2012 strategy was never reviewed."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location, format!("{base}/answer#indicator-c1-1"));
    // Saved with htmx: the status and the progress, out of band.
    let saved = assessor
        .htmx(
            &format!("{base}/answer/c1.2"),
            &[("value", "missing:not_enough_information")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(saved.body.contains("Saved "), "{}", saved.body);
    assert!(
        saved
            .body
            .contains("id=\"answer-progress\" hx-swap-oob=\"true\"")
    );
    assert!(
        saved.body.contains("<strong>2 of 37</strong>"),
        "{}",
        saved.body
    );
    assert!(
        saved
            .body
            .contains("id=\"answer-nav-list\" hx-swap-oob=\"true\"")
    );

    // Sources: a bad link is refused, a good one listed.
    let bad = assessor
        .post(
            &format!("{base}/answer/c1.1/sources"),
            &[
                ("title", "Strategy"),
                ("url", "ftp://x"),
                ("level", "PUBLIC"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("href=\"#indicator-c1-1-source-url\""),
        "{}",
        bad.body
    );
    let added = assessor
        .post(
            &format!("{base}/answer/c1.1/sources"),
            &[
                ("title", "National Security Strategy 2012"),
                ("url", "https://example.org/nss"),
                ("level", "PUBLIC"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = assessor.get(&format!("{base}/answer")).await;
    assert!(page.body.contains("National Security Strategy 2012"));
    assert!(page.body.contains("<strong>2 of 37</strong>"));

    // Every other indicator, then submission.
    for id in indicators()
        .iter()
        .filter(|i| !["c1.1", "c1.2"].contains(&i.as_str()))
    {
        let level = if id.starts_with("c3") {
            "level:0"
        } else {
            "level:3"
        };
        let r = assessor
            .post(&format!("{base}/answer/{id}"), &[("value", level)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{id}: {}", r.body);
    }
    let overview = assessor.get(&base).await;
    assert!(overview.body.contains("Submit for review"));
    let submitted = assessor.post(&format!("{base}/submit"), &[]).await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER);
    let overview = assessor.get(&base).await;
    assert!(!overview.body.contains("Answer the indicators"));
    assert!(
        assessor
            .get(&format!("{base}/answer"))
            .await
            .body
            .contains("answers can change only while it is a draft")
    );

    // Review: the answer beside the comments; a comment, then a request for changes,
    // which needs a comment.
    let review = reviewer.get(&format!("{base}/review")).await;
    assert_eq!(review.status, StatusCode::OK);
    assert!(review.body.contains("Record the decision"));
    assert!(
        review
            .body
            .contains("The 2012 strategy was never reviewed.")
    );
    assert!(review.body.contains("Not enough information (NEI)"));
    assert!(
        !assessor
            .get(&format!("{base}/review"))
            .await
            .body
            .contains("Record the decision")
    );
    let commented = reviewer
        .post(
            &format!("{base}/review/comment"),
            &[
                ("indicator", "c1.1"),
                ("body", "Is the 2019 draft in force?"),
            ],
        )
        .await;
    assert_eq!(commented.status, StatusCode::SEE_OTHER);
    assert_eq!(commented.location, format!("{base}/review#indicator-c1-1"));
    assert!(
        reviewer
            .get(&format!("{base}/review"))
            .await
            .body
            .contains("Is the 2019 draft in force?")
    );
    let refused = reviewer
        .post(
            &format!("{base}/review/decision"),
            &[("decision", "request_changes")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("href=\"#decision-comment\""),
        "{}",
        refused.body
    );
    let sent_back = reviewer
        .post(
            &format!("{base}/review/decision"),
            &[
                ("decision", "request_changes"),
                ("comment", "Check c1.1 against the 2019 draft."),
            ],
        )
        .await;
    assert_eq!(sent_back.status, StatusCode::SEE_OTHER);
    let overview = assessor.get(&base).await;
    assert!(overview.body.contains("Round 2"), "{}", overview.body);
    assert!(overview.body.contains("Submit for review"));

    // The assessor changes the answer and submits again; the reviewer approves.
    let changed = assessor
        .post(
            &format!("{base}/answer/c1.1"),
            &[
                ("value", "level:0"),
                ("explanation", "The 2019 text is a draft only."),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        assessor.post(&format!("{base}/submit"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let approved = reviewer
        .post(
            &format!("{base}/review/decision"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let review = reviewer.get(&format!("{base}/review")).await;
    assert!(review.body.contains("Round 1") && review.body.contains("requested changes"));
    assert!(review.body.contains("approved"));

    // Published by the planner; the button is theirs only.
    assert!(!assessor.get(&base).await.body.contains(">Publish</button>"));
    assert!(planner.get(&base).await.body.contains(">Publish</button>"));
    let published = planner.post(&format!("{base}/publish"), &[]).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);

    // Now the donor reads it, its results and its history.
    assert_eq!(donor.get(&base).await.status, StatusCode::OK);
    assert!(
        donor
            .get("/w/land/assessments")
            .await
            .body
            .contains("Sector baseline")
    );
    let results = donor.get(&format!("{base}/results")).await;
    assert_eq!(results.status, StatusCode::OK);
    for expected in [
        "Scores of the characteristics, 2024",
        "role=\"img\"",
        "overall score",
        "By source of deficit",
        "By kind of actor",
        "De jure and de facto",
        "Chronic underfunding",
        "confidence: 36 of 37 indicators scored (1 NEI)",
        "Adequate arrangements and access to intelligence",
    ] {
        assert!(
            results.body.contains(expected),
            "{expected}: {}",
            results.body
        );
    }
    assert!(!results.body.contains("provisional"));
    // Intelligence (c3) was answered 0 everywhere: it leads the diagnosis by characteristic.
    let by_char = results
        .body
        .split("id=\"by-characteristic\"")
        .nth(1)
        .unwrap();
    let first = by_char.split("diagnosis__label\">").nth(1).unwrap();
    assert!(first.starts_with("Adequate arrangements"), "{first}");
    let history = donor.get(&format!("{base}/history?indicator=c1.1")).await;
    assert_eq!(history.status, StatusCode::OK);
    assert!(
        history.body.contains("2 changes of this indicator"),
        "{}",
        history.body
    );
    assert!(history.body.contains("The 2019 text is a draft only."));
    let csv = donor.get(&format!("{base}/answers.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body
            .starts_with("indicator,level,missing,actor,explanation,sources")
    );
    assert!(
        csv.body.contains("c1.1,0,,,The 2019 text is a draft only."),
        "{}",
        csv.body
    );
    let json = donor.get(&format!("{base}/results.json")).await;
    assert!(json.body.contains("custodes-results/1"));
    assert!(
        donor
            .get(&format!("{base}/results.csv"))
            .await
            .body
            .starts_with("node,parent")
    );
    // A donor may not answer, review or correct.
    assert!(!donor.get(&base).await.body.contains("Open a correction"));
    assert_eq!(
        donor
            .post(&format!("{base}/answer/c1.1"), &[("value", "level:4")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // A correction: a new draft version that shows what changed since version 1.
    let corrected = planner.post(&format!("{base}/correct"), &[]).await;
    assert_eq!(corrected.status, StatusCode::SEE_OTHER);
    let v2 = corrected.location.clone();
    assert_ne!(v2, base);
    assert!(
        planner
            .get(&base)
            .await
            .body
            .contains("Read the newer version")
    );
    let fixed = assessor
        .post(
            &format!("{v2}/answer/c3.1"),
            &[
                ("value", "level:2"),
                ("explanation", "A committee now exists."),
            ],
        )
        .await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER);
    let overview = assessor.get(&v2).await;
    assert!(
        overview.body.contains("What changed since version 1"),
        "{}",
        overview.body
    );
    assert!(overview.body.contains("A committee now exists."));
    // Its results compared with version 1: c3.1 is the largest improvement.
    let v1_id = base.rsplit('/').next().unwrap();
    let compared = assessor.get(&format!("{v2}/results?compare={v1_id}")).await;
    assert_eq!(compared.status, StatusCode::OK);
    assert!(compared.body.contains("provisional"));
    let improvements = compared.body.split("Largest improvements").nth(1).unwrap();
    assert!(improvements.contains("+50"), "{improvements}");
    assert!(
        compared.body.contains("(compared)"),
        "the radar's second polygon"
    );
    // The correction is a draft: the donor does not see it.
    assert_eq!(donor.get(&v2).await.status, StatusCode::NOT_FOUND);
}

on_both_backends!(an_assessment_goes_through_its_life_cycle_in_the_pages);

//! Nothing leaks. Records at every level and in every combination of compartments carry a
//! unique canary in every text field. For every combination of role, clearance and
//! compartment membership (and the anonymous public), every page and API route is
//! requested — lists, details, searches, exports, counts, edit forms, the audit log — and
//! no response may carry the canary of a record the viewer may not read, in its body or
//! its headers; counts must equal what the viewer may read. Then the same over random
//! users and records. On both backends.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, header};
use chrono::NaiveDate;
use custodes_core::access::CompartmentKind;
use custodes_core::audit::Actor;
use custodes_core::permission::TokenScope;
use custodes_core::policy::{Classification, Viewer, can_read};
use custodes_core::sector::{ActorFields, ActorKind};
use custodes_core::workspace::{Slug, WorkspaceKind};
use custodes_core::{CompartmentId, Level, Role};
use custodes_store::Store;
use custodes_store::actor::ActorInput;
use custodes_store::session::SessionLimits;
use custodes_store::user::NewUser;
use custodes_testkit::{Flavour, TestDb, on_both_backends};
use custodes_web::{AppState, Instance, router};
use http_body_util::BodyExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tower::ServiceExt;

mod leak_strategy;

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

struct Record {
    canary: String,
    id: String,
    classification: Classification,
    /// The threat with the same classification and canary, and the goal that answers it.
    threat: String,
    goal: String,
}

struct World {
    _db: TestDb,
    store: Store,
    app: axum::Router,
    compartments: Vec<CompartmentId>,
    records: Vec<Record>,
    users: usize,
    /// A draft assessment per record, classified like it, with the record's canary in its
    /// title: (id, classification).
    assessments: Vec<(String, Classification)>,
    /// A published PUBLIC assessment whose answers name the records' actors and carry
    /// sources classified like the records, with their canaries.
    published: Option<String>,
    /// A strategy in consultation and one sent back to draft.
    strategies: leak_strategy::Strategies,
    /// An optimisation under way, started by the loader, whose scenario's name is
    /// `JOB_CANARY`: no viewer checked is its owner, so none may see it.
    job: String,
}

const JOB_CANARY: &str = "JOBCNRY";

fn canary(n: usize) -> String {
    format!("CNRY{n:04}")
}

async fn world(flavour: Flavour) -> World {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    let ws = store
        .create_workspace(
            &Actor::System,
            Slug::parse("land").unwrap(),
            "Land",
            WorkspaceKind::Country,
        )
        .await
        .unwrap();
    let mut compartments = Vec::new();
    for slug in ["alpha", "bravo"] {
        compartments.push(
            store
                .create_compartment(
                    &Actor::System,
                    slug,
                    &format!("Group {slug}"),
                    CompartmentKind::SharingGroup,
                    "",
                )
                .await
                .unwrap()
                .id,
        );
    }
    let boss = store
        .create_user(
            &Actor::System,
            new_user("loader", Role::Administrator, Level::Secret),
        )
        .await
        .unwrap();
    for c in &compartments {
        store
            .set_membership(&Actor::System, *c, "loader", true)
            .await
            .unwrap();
    }
    // The assessor and reviewer of the assessments (the viewers checked are never members).
    store
        .create_user(
            &Actor::System,
            new_user("la", Role::Assessor, Level::Secret),
        )
        .await
        .unwrap();
    store
        .create_user(
            &Actor::System,
            new_user("lr", Role::Reviewer, Level::Official),
        )
        .await
        .unwrap();
    for c in &compartments {
        store
            .set_membership(&Actor::System, *c, "la", true)
            .await
            .unwrap();
    }
    let jobs = custodes_web::planning::jobs::Jobs::default();
    let job = jobs
        .start(
            boss.id,
            ws.id,
            custodes_web::planning::jobs::About {
                scenario_key: JOB_CANARY.to_lowercase(),
                scenario: format!("{JOB_CANARY} scenario"),
                name: format!("{JOB_CANARY} plan"),
                settings: Default::default(),
            },
            |_| std::future::pending(),
        )
        .unwrap()
        .to_string();
    let app = router(AppState {
        store: store.clone(),
        instance: Instance {
            name: "Leak test".into(),
            version: "0",
        },
        limits: SessionLimits::default(),
        jobs: jobs.clone(),
    });
    let loader = store.viewer(boss.id).await.unwrap().unwrap();
    let strategies = leak_strategy::add_strategies(&store, &loader, ws.id).await;
    World {
        _db: db,
        store,
        app,
        compartments,
        records: Vec::new(),
        users: 0,
        assessments: Vec::new(),
        published: None,
        strategies,
        job,
    }
}

fn new_user(name: &str, role: Role, clearance: Level) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: format!("User {name}"),
        role,
        clearance,
        password: format!("{name} has a long password"),
    }
}

impl World {
    async fn add_record(&mut self, c: Classification) {
        let n = self.records.len();
        let canary = canary(n);
        let boss = self.store.user_by_username("loader").await.unwrap();
        let viewer = self.store.viewer(boss.id).await.unwrap().unwrap();
        let ws = self.store.list_workspaces().await.unwrap()[0].id;
        let mut c = c;
        if c.level > Level::Public {
            c.justification = Some(format!("{canary} justification"));
        }
        let created = self
            .store
            .create_actor(
                &Actor::System,
                &viewer,
                today(),
                ws,
                ActorInput {
                    fields: ActorFields {
                        name: format!("Unit {canary} name"),
                        kind: ActorKind::Intelligence,
                        mandate: format!("{canary} mandate"),
                        legal_basis: format!("{canary} law"),
                        personnel: Some(10),
                        budget: None,
                    },
                    parent: self.records.last().map(|r| r.id.parse().unwrap()),
                    classification: c.clone(),
                },
            )
            .await
            .unwrap();
        if let Some(prev) = self.records.last() {
            self.store
                .create_relation(
                    &Actor::System,
                    &viewer,
                    today(),
                    custodes_store::relation::NewRelation {
                        from: created.id,
                        to: prev.id.parse().unwrap(),
                        kind: custodes_core::sector::RelationKind::Oversees(
                            custodes_core::sector::OversightKind::Independent,
                        ),
                        note: &format!("{canary} relation note"),
                    },
                )
                .await
                .unwrap();
        }
        let assessment = self
            .store
            .create_assessment(
                &Actor::System,
                &viewer,
                today(),
                ws,
                self.assessment_input(&format!("{canary} assessment"), c.clone())
                    .await,
            )
            .await
            .unwrap();
        self.assessments
            .push((assessment.id.to_string(), c.clone()));
        let responders: Vec<String> = self
            .records
            .iter()
            .map(|r| r.id.clone())
            .chain([created.id.to_string()])
            .collect();
        let (threat, goal) = leak_strategy::add(
            &self.store,
            &viewer,
            ws,
            &canary,
            n,
            &c,
            self.records.last().map(|r| r.threat.as_str()),
            &responders,
        )
        .await;
        self.records.push(Record {
            canary,
            id: created.id.to_string(),
            classification: c,
            threat,
            goal,
        });
    }

    async fn assessment_input(
        &self,
        title: &str,
        classification: Classification,
    ) -> custodes_store::assessment::AssessmentInput {
        let la = self.store.user_by_username("la").await.unwrap();
        let lr = self.store.user_by_username("lr").await.unwrap();
        custodes_store::assessment::AssessmentInput {
            framework_key: "ideal-security-sector".into(),
            framework_version: "1.0.0".into(),
            title: title.into(),
            period: "2026".into(),
            classification,
            assessors: vec![la.id],
            reviewers: vec![lr.id],
            actors: vec![],
        }
    }

    /// Publishes a PUBLIC assessment whose answers name the records' actors and carry a
    /// source classified like each record, titled with its canary.
    async fn publish_public_assessment(&mut self) {
        use custodes_core::framework::AnswerValue;
        use custodes_store::assessment::{AnswerInput, SourceInput};
        let ws = self.store.list_workspaces().await.unwrap()[0].id;
        let boss = self.store.user_by_username("loader").await.unwrap();
        let manager = self.store.viewer(boss.id).await.unwrap().unwrap();
        let la = self.store.user_by_username("la").await.unwrap();
        let assessor = self.store.viewer(la.id).await.unwrap().unwrap();
        let lr = self.store.user_by_username("lr").await.unwrap();
        let reviewer = self.store.viewer(lr.id).await.unwrap().unwrap();
        let input = self
            .assessment_input("Public baseline", Classification::public())
            .await;
        let a = self
            .store
            .create_assessment(&Actor::System, &manager, today(), ws, input)
            .await
            .unwrap();
        let framework = self
            .store
            .framework("ideal-security-sector", "1.0.0")
            .await
            .unwrap();
        let mut answers = Vec::new();
        let mut sources = Vec::new();
        for (i, node) in framework.indicators().enumerate() {
            let record = self.records.get(i);
            answers.push(AnswerInput {
                indicator: node.id.clone(),
                value: AnswerValue::Level("1".into()),
                explanation: "a public explanation".into(),
                actor: record.map(|r| r.id.parse().unwrap()),
            });
            if let Some(r) = record {
                sources.push((
                    node.id.clone(),
                    SourceInput {
                        title: format!("{} source", r.canary),
                        url: String::new(),
                        classification: r.classification.clone(),
                    },
                ));
            }
        }
        self.store
            .save_answers(&Actor::System, &assessor, today(), a.id, &answers, &sources)
            .await
            .unwrap();
        self.store
            .submit_assessment(&Actor::System, &assessor, today(), a.id)
            .await
            .unwrap();
        self.store
            .decide_on_assessment(
                &Actor::System,
                &reviewer,
                today(),
                a.id,
                custodes_core::assessment::Decision::Approve,
                "",
            )
            .await
            .unwrap();
        self.store
            .publish_assessment(&Actor::System, &manager, today(), a.id)
            .await
            .unwrap();
        self.published = Some(a.id.to_string());
    }

    /// Creates a user and returns their viewer, a session cookie and an API token.
    async fn visitor(
        &mut self,
        role: Role,
        clearance: Level,
        member_of: &[CompartmentId],
    ) -> (Viewer, String, String) {
        self.users += 1;
        let name = format!("u{}", self.users);
        let user = self
            .store
            .create_user(&Actor::System, new_user(&name, role, clearance))
            .await
            .unwrap();
        for c in member_of {
            self.store
                .set_membership(&Actor::System, *c, &name, true)
                .await
                .unwrap();
        }
        let (_, session) = self
            .store
            .sign_in(
                &name,
                &format!("{name} has a long password"),
                None,
                "127.0.0.1",
                SessionLimits::default(),
            )
            .await
            .unwrap()
            .unwrap();
        let (_, token) = self
            .store
            .create_token(
                &user,
                "leak test",
                TokenScope::Read,
                std::time::Duration::from_secs(3600),
            )
            .await
            .unwrap();
        let viewer = self.store.viewer(user.id).await.unwrap().unwrap();
        (viewer, format!("custodes_session={}", session.token), token)
    }

    /// Sends a JSON change with a token; returns the status and the body.
    async fn send_json(&self, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        let response = self.app.clone().oneshot(req).await.unwrap();
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// With a write token, a change to a threat the viewer may not read is answered
    /// exactly as a change to a threat that does not exist, and so is naming it in a goal.
    /// Nothing is written.
    async fn check_writes(&self, viewer: &Viewer, hidden: &[&Record], goals: &[&str]) {
        let Some(user) = viewer.user else { return };
        let user = self.store.user_by_id(user).await.unwrap();
        let (_, token) = self
            .store
            .create_token(
                &user,
                "leak test writes",
                TokenScope::Write,
                std::time::Duration::from_secs(3600),
            )
            .await
            .unwrap();
        let nowhere = "0193b4c2-0000-7000-8000-000000000000";
        let entries = self.store.verify_audit().await.unwrap();
        let change = r#"{"name": "Renamed"}"#;
        let absent = self
            .send_json(
                "PATCH",
                &format!("/api/v1/threats/{nowhere}"),
                &token,
                change,
            )
            .await;
        let goal = format!("/api/v1/goals/{}", goals[0]);
        let naming = |t: &str| format!(r#"{{"threats": ["{t}"]}}"#);
        let naming_absent = self
            .send_json("PATCH", &goal, &token, &naming(nowhere))
            .await;
        for h in hidden {
            let path = format!("/api/v1/threats/{}", h.threat);
            let got = self.send_json("PATCH", &path, &token, change).await;
            assert_eq!(got, absent, "PATCH {path} for {viewer:?}");
            let got = self
                .send_json("PATCH", &goal, &token, &naming(&h.threat))
                .await;
            assert_eq!(
                got, naming_absent,
                "PATCH {goal} naming {} for {viewer:?}",
                h.threat
            );
        }
        assert_eq!(
            self.store.verify_audit().await.unwrap(),
            entries,
            "a refused change wrote something for {viewer:?}"
        );
    }

    async fn get(&self, path: &str, cookie: Option<&str>, token: Option<&str>) -> (u16, String) {
        let mut req = Request::get(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let response = self
            .app
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let mut text = String::new();
        for (k, v) in response.headers() {
            text.push_str(&format!("{k}: {}\n", v.to_str().unwrap_or_default()));
        }
        let body = response.into_body().collect().await.unwrap().to_bytes();
        text.push_str(&String::from_utf8_lossy(&body));
        (status, text)
    }

    /// Requests every route as the viewer and checks each response.
    async fn check(&self, viewer: &Viewer, cookie: Option<&str>, token: Option<&str>) {
        let readable: Vec<&Record> = self
            .records
            .iter()
            .filter(|r| can_read(viewer, &r.classification, today()))
            .collect();
        let hidden: Vec<&Record> = self
            .records
            .iter()
            .filter(|r| !can_read(viewer, &r.classification, today()))
            .collect();
        let mut pages: Vec<(String, bool)> = vec![
            ("/".into(), false),
            ("/workspaces".into(), false),
            ("/w/land/actors".into(), false),
            ("/w/land/actors?q=CNRY".into(), false),
            ("/w/land/actors?q=CNRY&page=2".into(), false),
            ("/w/land/actors?kind=intelligence".into(), false),
            ("/w/land/actors.csv".into(), false),
            ("/w/land/map".into(), false),
            ("/w/land/actors/new".into(), false),
            ("/admin/audit".into(), false),
            ("/admin/audit?entity_kind=actor".into(), false),
            ("/admin/users".into(), false),
            ("/admin/compartments".into(), false),
            ("/admin/permissions".into(), false),
            ("/account/tokens".into(), false),
            ("/account/security".into(), false),
            ("/api/docs".into(), false),
            ("/api/v1/me".into(), true),
            ("/api/v1/tokens".into(), true),
            ("/api/v1/workspaces/land/relations".into(), true),
            ("/api/v1/workspaces/land/checks".into(), true),
            ("/api/v1/compartments".into(), true),
            ("/api/v1/users".into(), true),
            ("/api/v1/permissions".into(), true),
            ("/api/v1/audit?limit=500".into(), true),
            ("/api/v1/audit?entity_kind=actor&limit=500".into(), true),
            ("/api/v1/workspaces".into(), true),
            ("/api/v1/workspaces/land/actors".into(), true),
            (
                "/api/v1/workspaces/land/actors?q=CNRY&limit=500".into(),
                true,
            ),
        ];
        pages.push(("/w/land/assessments".into(), false));
        pages.push(("/admin/audit?entity_kind=assessment".into(), false));
        pages.push(("/api/v1/workspaces/land/assessments".into(), true));
        pages.push((
            "/api/v1/audit?entity_kind=assessment&limit=500".into(),
            true,
        ));
        pages.push((
            "/api/v1/audit?entity_kind=answer_source&limit=500".into(),
            true,
        ));
        // Every page of the published assessment; the overview and the API record of
        // each draft (their other pages share the same read).
        if let Some(id) = &self.published {
            for page in ["", "/answer", "/review", "/results", "/history"] {
                pages.push((format!("/w/land/assessments/{id}{page}"), false));
            }
            for api in ["", "/answers", "/answers.csv", "/results"] {
                pages.push((format!("/api/v1/assessments/{id}{api}"), true));
            }
        }
        for (id, _) in &self.assessments {
            pages.push((format!("/w/land/assessments/{id}"), false));
            pages.push((format!("/api/v1/assessments/{id}"), true));
        }
        for r in &self.records {
            pages.push((
                format!("/w/land/planning/capacities/edit?actor={}", r.id),
                false,
            ));
            pages.push((format!("/w/land/actors/{}", r.id), false));
            pages.push((format!("/w/land/actors/{}/edit", r.id), false));
            pages.push((format!("/api/v1/actors/{}", r.id), true));
        }
        let threats: Vec<&str> = self.records.iter().map(|r| r.threat.as_str()).collect();
        let goals: Vec<&str> = self.records.iter().map(|r| r.goal.as_str()).collect();
        pages.extend(leak_strategy::routes(&threats, &goals, &self.strategies));
        pages.push((format!("/w/land/planning/jobs/{}", self.job), false));
        pages.push((format!("/api/v1/jobs/{}", self.job), true));
        for (path, api) in &pages {
            let (status, text) = if *api {
                self.get(path, None, token).await
            } else {
                self.get(path, cookie, None).await
            };
            assert!(
                !text.contains(JOB_CANARY),
                "{path} shows another person's optimisation to {viewer:?} (status {status})"
            );
            if path.contains(&self.job) {
                assert!(
                    [303, 401, 404].contains(&status),
                    "{path} answers {status} to {viewer:?}"
                );
            }
            for h in &hidden {
                assert!(
                    !text.contains(&h.canary),
                    "{path} shows {} to {viewer:?} (status {status})",
                    h.canary
                );
            }
            for h in &hidden {
                let key = format!("p-{}", h.canary.to_lowercase());
                assert!(
                    !text.contains(&key),
                    "{path} names hidden programme {key} to {viewer:?} (status {status})"
                );
                assert!(
                    !text.contains(&h.threat),
                    "{path} names hidden threat {} to {viewer:?} (status {status})",
                    h.threat
                );
                assert!(
                    !text.contains(&h.id),
                    "{path} names hidden actor {} to {viewer:?} (status {status})",
                    h.id
                );
            }
            leak_strategy::check_strategies(viewer, &self.strategies, path, status, &text);
            if let Some(id) = path.strip_prefix("/api/v1/threats/") {
                let visible = readable.iter().any(|r| r.threat == id);
                assert_eq!(status == 200, visible, "{path} for {viewer:?}");
            }
            if let Some(id) = path.strip_prefix("/api/v1/actors/") {
                let visible = readable.iter().any(|r| r.id == id);
                assert_eq!(status == 200, visible, "{path} for {viewer:?}");
            }
            // A draft is read by those its classification allows and who manage
            // assessments (the viewers here are never its members).
            if let Some(id) = path.strip_prefix("/api/v1/assessments/")
                && let Some((_, c)) = self.assessments.iter().find(|(a, _)| a == id)
            {
                let visible = can_read(viewer, c, today())
                    && custodes_core::assessment::may_see_unpublished(viewer.role, false);
                assert_eq!(status == 200, visible, "{path} for {viewer:?}");
            }
        }
        // A parent is named only when the viewer may read it.
        let (_, text) = self
            .get("/api/v1/workspaces/land/actors?limit=500", None, token)
            .await;
        let body = &text[text.find('{').unwrap()..];
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        for item in json["items"].as_array().unwrap() {
            if let Some(parent) = item["parent"].as_str() {
                assert!(
                    readable.iter().any(|r| r.id == parent),
                    "hidden parent {parent} named to {viewer:?}"
                );
            }
        }
        let (_, csv) = self.get("/w/land/actors.csv", cookie, None).await;
        for h in &hidden {
            assert!(
                !csv.contains(&h.id),
                "CSV names hidden {} to {viewer:?}",
                h.id
            );
        }
        // Counts: the API's total and the page's count equal what the viewer may read.
        let (_, text) = self
            .get("/api/v1/workspaces/land/actors?limit=1", None, token)
            .await;
        let body = &text[text.find('{').unwrap()..];
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["total"], readable.len(), "API count for {viewer:?}");
        let (_, html) = self.get("/w/land/actors", cookie, None).await;
        let noun = if readable.len() == 1 {
            "actor"
        } else {
            "actors"
        };
        assert!(
            html.contains(&format!("{} {noun}", readable.len())),
            "page count for {viewer:?}"
        );
        let readable_threats: BTreeSet<String> =
            readable.iter().map(|r| r.threat.clone()).collect();
        leak_strategy::check_counts(
            viewer,
            &readable_threats,
            &self
                .get("/api/v1/workspaces/land/threats?limit=1", None, token)
                .await
                .1,
            &self
                .get("/api/v1/workspaces/land/threats/matrix", None, token)
                .await
                .1,
            &self
                .get("/api/v1/workspaces/land/goals", None, token)
                .await
                .1,
            &self.get("/w/land/threats", cookie, None).await.1,
        );
        leak_strategy::check_weights(
            viewer,
            &threats,
            &goals,
            &readable_threats,
            &self
                .get("/api/v1/workspaces/land/goals", None, token)
                .await
                .1,
        );
        self.check_writes(viewer, &hidden, &goals).await;
        // The rules between programmes name only programmes and actors the viewer may
        // read, and leave none of those out.
        leak_strategy::check_rules(
            viewer,
            &self
                .records
                .iter()
                .enumerate()
                .filter(|(_, r)| can_read(viewer, &r.classification, today()))
                .map(|(n, _)| n)
                .collect(),
            &readable.iter().map(|r| r.id.clone()).collect(),
            &self
                .get("/api/v1/workspaces/land/exclusions", None, token)
                .await
                .1,
            &self
                .get("/api/v1/workspaces/land/capacities", None, token)
                .await
                .1,
        );
        // A threat names exactly the responders the viewer may read.
        let expected: Vec<(String, BTreeSet<String>)> = self
            .records
            .iter()
            .enumerate()
            .filter(|(_, r)| can_read(viewer, &r.classification, today()))
            .map(|(n, r)| {
                let actors = self.records[..=n]
                    .iter()
                    .filter(|a| can_read(viewer, &a.classification, today()))
                    .map(|a| a.id.clone())
                    .collect();
                (r.threat.clone(), actors)
            })
            .collect();
        leak_strategy::check_responders(
            viewer,
            &expected,
            &self
                .get("/api/v1/workspaces/land/threats?limit=500", None, token)
                .await
                .1,
        );
        // Every readable record is found.
        let (_, csv) = self.get("/w/land/actors.csv", cookie, None).await;
        for r in &readable {
            assert!(
                csv.contains(&r.canary),
                "CSV misses {} for {viewer:?}",
                r.canary
            );
        }
    }
}

/// Every level, each above PUBLIC in every combination of the two compartments, plus
/// records declassified in the past and in the future.
async fn every_combination_sees_only_what_it_may(flavour: Flavour) {
    let mut w = world(flavour).await;
    let (a, b) = (w.compartments[0], w.compartments[1]);
    let combos: [BTreeSet<CompartmentId>; 4] =
        [BTreeSet::new(), [a].into(), [b].into(), [a, b].into()];
    w.add_record(Classification::public()).await;
    for level in [Level::Official, Level::Confidential, Level::Secret] {
        for comps in &combos {
            w.add_record(
                Classification::new(level, comps.clone(), Some("x".into()), None, Level::Public)
                    .unwrap(),
            )
            .await;
        }
    }
    let past = NaiveDate::from_ymd_opt(2020, 1, 1);
    let future = NaiveDate::from_ymd_opt(2099, 1, 1);
    w.add_record(
        Classification::new(
            Level::Secret,
            [a].into(),
            Some("x".into()),
            past,
            Level::Public,
        )
        .unwrap(),
    )
    .await;
    w.add_record(
        Classification::new(
            Level::Secret,
            [a].into(),
            Some("x".into()),
            future,
            Level::Public,
        )
        .unwrap(),
    )
    .await;
    w.add_record(
        Classification::new(
            Level::Secret,
            [a].into(),
            Some("x".into()),
            past,
            Level::Official,
        )
        .unwrap(),
    )
    .await;
    w.publish_public_assessment().await;

    w.check(&Viewer::public(), None, None).await;
    for role in Role::ALL {
        for clearance in Level::ALL {
            for comps in &combos {
                let members: Vec<CompartmentId> = comps.iter().copied().collect();
                let (viewer, cookie, token) = w.visitor(role, clearance, &members).await;
                w.check(&viewer, Some(&cookie), Some(&token)).await;
            }
        }
    }
}

/// Random records and random users.
async fn random_worlds_do_not_leak(flavour: Flavour) {
    for seed in 0..2u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut w = world(flavour).await;
        for _ in 0..12 {
            let level = Level::ALL[rng.random_range(0..4)];
            let comps: BTreeSet<CompartmentId> = if level == Level::Public {
                BTreeSet::new()
            } else {
                w.compartments
                    .iter()
                    .copied()
                    .filter(|_| rng.random_bool(0.5))
                    .collect()
            };
            w.add_record(
                Classification::new(level, comps, Some("x".into()), None, Level::Public).unwrap(),
            )
            .await;
        }
        for _ in 0..6 {
            let role = Role::ALL[rng.random_range(0..8)];
            let clearance = Level::ALL[rng.random_range(0..4)];
            let members: Vec<CompartmentId> = w
                .compartments
                .iter()
                .copied()
                .filter(|_| rng.random_bool(0.5))
                .collect();
            let (viewer, cookie, token) = w.visitor(role, clearance, &members).await;
            w.check(&viewer, Some(&cookie), Some(&token)).await;
        }
    }
}

on_both_backends!(
    every_combination_sees_only_what_it_may,
    random_worlds_do_not_leak
);

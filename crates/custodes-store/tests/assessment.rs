//! Assessments on both backends: the life cycle from draft to published and corrected,
//! answers checked all-or-nothing with their history, sources with their own
//! classification, and who may read what before and after publication; a plan draws only
//! on published results and is classified to cover them.

use chrono::NaiveDate;
use custodes_core::assessment::{Decision, Status};
use custodes_core::audit::Actor;
use custodes_core::framework::{AnswerValue, MissingState, NodeId};
use custodes_core::planning::{CapabilityFields, CurrentLevel, Horizon, Scenario};
use custodes_core::policy::{Classification, Viewer};
use custodes_core::strategy::GoalFields;
use custodes_core::{Level, Role, WorkspaceId};
use custodes_store::assessment::{AnswerInput, AssessmentInput, SourceInput};
use custodes_store::audit::Verdict;
use custodes_store::capability::CapabilityInput;
use custodes_store::goal::GoalInput;
use custodes_store::user::NewUser;
use custodes_store::{Store, StoreError};
use custodes_testkit::{Flavour, TestDb, on_both_backends};

fn today() -> NaiveDate {
    "2026-11-23".parse().unwrap()
}

/// A framework of three indicators under one root that asks for two reviewers.
const SMALL: &str = r#"
format = "custodes-framework/1"

[framework]
id = "oversight-check"
version = "1.0.0"
name = "Oversight check"
reviewers = 2

[[scale]]
id = "three"
kind = "numeric"
levels = [
  { id = "low", value = 0 },
  { id = "mid", value = 50 },
  { id = "high", value = 100 },
]

[[node]]
id = "root"
title = "Oversight"
aggregation = "mean"

[[node]]
id = "budget"
parent = "root"
title = "Budget access"
scale = "three"
anchors = ["none", "partial", "full"]

[[node]]
id = "hearings"
parent = "root"
title = "Hearings"
scale = "three"
anchors = ["none", "some", "regular"]

[[node]]
id = "intelligence"
parent = "root"
title = "Intelligence oversight"
scale = "three"
anchors = ["none", "partial", "full"]
"#;

struct World {
    _db: TestDb,
    store: Store,
    ws: WorkspaceId,
    manager: Viewer,
    assessor: Viewer,
    reviewers: [Viewer; 2],
    donor: Viewer,
}

async fn person(store: &Store, name: &str, role: Role, clearance: Level) -> Viewer {
    let u = store
        .create_user(
            &Actor::System,
            NewUser {
                username: name.into(),
                display_name: format!("{name} (display)"),
                role,
                clearance,
                password: format!("{name} password 123"),
            },
        )
        .await
        .unwrap();
    store.viewer(u.id).await.unwrap().unwrap()
}

fn as_actor(v: &Viewer) -> Actor {
    Actor::User {
        id: v.user.unwrap(),
        username: "someone".into(),
    }
}

async fn world(flavour: Flavour) -> World {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    let ws = custodes_testkit::arvenia(&store, &Actor::System).await.id;
    let manager = person(&store, "planner", Role::Planner, Level::Secret).await;
    let assessor = person(&store, "assessor", Role::Assessor, Level::Confidential).await;
    let r1 = person(&store, "reviewer1", Role::Reviewer, Level::Official).await;
    let r2 = person(&store, "reviewer2", Role::Reviewer, Level::Official).await;
    let donor = person(&store, "donor", Role::Donor, Level::Public).await;
    let framework = custodes_formats::framework::read("oversight.toml", SMALL).unwrap();
    store
        .import_framework(
            &as_actor(&manager),
            &manager,
            "oversight.toml",
            SMALL,
            &framework,
        )
        .await
        .unwrap();
    World {
        _db: db,
        store,
        ws,
        manager,
        assessor,
        reviewers: [r1, r2],
        donor,
    }
}

fn input(w: &World) -> AssessmentInput {
    AssessmentInput {
        framework_key: "oversight-check".into(),
        framework_version: "1.0.0".into(),
        title: "Oversight baseline".into(),
        period: "2026".into(),
        classification: Classification::public(),
        assessors: vec![w.assessor.user.unwrap()],
        reviewers: w.reviewers.iter().map(|r| r.user.unwrap()).collect(),
        actors: vec![],
    }
}

fn level(indicator: &str, level: &str, why: &str) -> AnswerInput {
    AnswerInput {
        indicator: NodeId::from(indicator),
        value: AnswerValue::Level(level.into()),
        explanation: why.into(),
        actor: None,
    }
}

/// Checks the audit chain and returns its length.
async fn verify(store: &Store) -> u64 {
    match store.verify_audit().await.unwrap() {
        Verdict::Intact { entries, .. } => entries,
        Verdict::Broken(b) => panic!("audit chain broken: {b}"),
    }
}

async fn an_assessment_goes_from_draft_to_published_and_is_corrected(flavour: Flavour) {
    let w = world(flavour).await;
    let s = &w.store;
    let a = s
        .create_assessment(&as_actor(&w.manager), &w.manager, today(), w.ws, input(&w))
        .await
        .unwrap();
    assert_eq!(
        (a.status, a.version, a.required_reviewers),
        (Status::Draft, 1, 2)
    );
    // Before publication, the donor sees nothing of it.
    assert!(
        s.get_assessment(&w.donor, today(), a.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.list_assessments(&w.donor, today(), w.ws)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        s.answers(&w.donor, today(), a.id).await,
        Err(StoreError::NotFound { .. })
    ));

    let assessor = as_actor(&w.assessor);
    let n = s
        .save_answers(
            &assessor,
            &w.assessor,
            today(),
            a.id,
            &[level("budget", "low", "no access")],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    // Saving the same answer again changes nothing and writes no history.
    let n = s
        .save_answers(
            &assessor,
            &w.assessor,
            today(),
            a.id,
            &[level("budget", "low", "no access")],
            &[],
        )
        .await
        .unwrap();
    assert_eq!(n, 0);
    let e = s
        .submit_assessment(&assessor, &w.assessor, today(), a.id)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "2 indicators still have no answer (a level or a missing state); answer them before submitting"
    );
    s.save_answers(
        &assessor,
        &w.assessor,
        today(),
        a.id,
        &[
            level("hearings", "mid", "some hearings"),
            AnswerInput {
                indicator: "intelligence".into(),
                value: AnswerValue::Missing(MissingState::NotEnoughInformation),
                explanation: "the committee's minutes are classified".into(),
                actor: None,
            },
        ],
        &[],
    )
    .await
    .unwrap();
    // A reviewer cannot answer; a reviewer cannot review a draft.
    let r1 = &w.reviewers[0];
    assert!(matches!(
        s.save_answers(
            &as_actor(r1),
            r1,
            today(),
            a.id,
            &[level("budget", "high", "")],
            &[]
        )
        .await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        s.comment_on_assessment(&as_actor(r1), r1, today(), a.id, None, "too early")
            .await,
        Err(StoreError::Invalid(_))
    ));

    let a = s
        .submit_assessment(&assessor, &w.assessor, today(), a.id)
        .await
        .unwrap();
    assert_eq!(a.status, Status::Submitted);
    // Frozen for the assessor while in review.
    assert!(matches!(
        s.save_answers(
            &assessor,
            &w.assessor,
            today(),
            a.id,
            &[level("budget", "mid", "x")],
            &[]
        )
        .await,
        Err(StoreError::Invalid(_))
    ));
    s.comment_on_assessment(
        &as_actor(r1),
        r1,
        today(),
        a.id,
        Some("budget"),
        "the 2025 amendment gives partial access",
    )
    .await
    .unwrap();
    assert_eq!(
        s.get_assessment(r1, today(), a.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        Status::InReview
    );
    // A request for changes needs a reason, and sends the draft back for a new round.
    assert!(matches!(
        s.decide_on_assessment(
            &as_actor(r1),
            r1,
            today(),
            a.id,
            Decision::RequestChanges,
            " "
        )
        .await,
        Err(StoreError::Fields(_))
    ));
    let a = s
        .decide_on_assessment(
            &as_actor(r1),
            r1,
            today(),
            a.id,
            Decision::RequestChanges,
            "rescore budget",
        )
        .await
        .unwrap();
    assert_eq!((a.status, a.review_round), (Status::Draft, 2));
    s.save_answers(
        &assessor,
        &w.assessor,
        today(),
        a.id,
        &[level("budget", "mid", "partial access since 2025")],
        &[],
    )
    .await
    .unwrap();
    s.submit_assessment(&assessor, &w.assessor, today(), a.id)
        .await
        .unwrap();
    let a = s
        .decide_on_assessment(&as_actor(r1), r1, today(), a.id, Decision::Approve, "")
        .await
        .unwrap();
    assert_eq!(
        a.status,
        Status::InReview,
        "one approval of the two required"
    );
    assert!(matches!(
        s.decide_on_assessment(&as_actor(r1), r1, today(), a.id, Decision::Approve, "")
            .await,
        Err(StoreError::Conflict(_))
    ));
    let r2 = &w.reviewers[1];
    let a = s
        .decide_on_assessment(
            &as_actor(r2),
            r2,
            today(),
            a.id,
            Decision::Approve,
            "agreed",
        )
        .await
        .unwrap();
    assert_eq!(a.status, Status::Validated);
    // Only a manager publishes.
    assert!(matches!(
        s.publish_assessment(&assessor, &w.assessor, today(), a.id)
            .await,
        Err(StoreError::Forbidden(_))
    ));
    let a = s
        .publish_assessment(&as_actor(&w.manager), &w.manager, today(), a.id)
        .await
        .unwrap();
    assert_eq!(a.status, Status::Published);
    assert!(a.published_at.is_some());
    // Now the public donor reads it and its answers.
    assert!(
        s.get_assessment(&w.donor, today(), a.id)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(s.answers(&w.donor, today(), a.id).await.unwrap().len(), 3);

    // The budget answer's history: low, then mid.
    let history = s
        .answer_history(&w.manager, today(), a.id, Some("budget"))
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0].before.is_none());
    assert_eq!(history[1].after.value, AnswerValue::Level("mid".into()));
    assert_eq!(
        history[1].before.as_ref().map(|b| b.value.clone()),
        Some(AnswerValue::Level("low".into()))
    );
    assert_eq!(
        s.review_decisions(&w.manager, today(), a.id)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        s.review_comments(&w.manager, today(), a.id)
            .await
            .unwrap()
            .len(),
        1
    );

    // A correction is a new draft version with the same answers; the published stays.
    let c = s
        .correct_assessment(&as_actor(&w.manager), &w.manager, today(), a.id)
        .await
        .unwrap();
    assert_eq!(
        (c.status, c.version, c.corrects),
        (Status::Draft, 2, Some(a.id))
    );
    assert_eq!(c.answered, 3);
    assert_eq!(c.members.len(), 3);
    assert!(matches!(
        s.correct_assessment(&as_actor(&w.manager), &w.manager, today(), a.id)
            .await,
        Err(StoreError::Conflict(_))
    ));
    s.save_answers(
        &assessor,
        &w.assessor,
        today(),
        c.id,
        &[level("hearings", "high", "monthly")],
        &[],
    )
    .await
    .unwrap();
    let old = s.answers(&w.manager, today(), a.id).await.unwrap();
    assert_eq!(
        old[1].value,
        AnswerValue::Level("mid".into()),
        "the published version is frozen"
    );
    verify(s).await;
}

async fn bad_answers_change_nothing(flavour: Flavour) {
    let w = world(flavour).await;
    let s = &w.store;
    let a = s
        .create_assessment(&as_actor(&w.manager), &w.manager, today(), w.ws, input(&w))
        .await
        .unwrap();
    let before = verify(s).await;
    let e = s
        .save_answers(
            &as_actor(&w.assessor),
            &w.assessor,
            today(),
            a.id,
            &[
                level("budget", "mid", "ok"),
                level("hearings", "very-high", "not a level"),
                level("nowhere", "mid", "not an indicator"),
                level("budget", "low", "twice"),
            ],
            &[],
        )
        .await
        .unwrap_err();
    let message = e.to_string();
    assert!(message.contains("hearings"), "{message}");
    assert!(message.contains("nowhere"), "{message}");
    assert!(
        message.contains("indicator budget is answered twice"),
        "{message}"
    );
    assert!(
        s.answers(&w.manager, today(), a.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(verify(s).await, before);
}

async fn sources_keep_their_own_classification(flavour: Flavour) {
    let w = world(flavour).await;
    let s = &w.store;
    let a = s
        .create_assessment(&as_actor(&w.manager), &w.manager, today(), w.ws, input(&w))
        .await
        .unwrap();
    let assessor = as_actor(&w.assessor);
    s.save_answers(
        &assessor,
        &w.assessor,
        today(),
        a.id,
        &[level("budget", "low", "none")],
        &[],
    )
    .await
    .unwrap();
    let public = SourceInput {
        title: "Budget law 2025".into(),
        url: "https://example.org/budget".into(),
        classification: Classification::public(),
    };
    let confidential = SourceInput {
        title: "Committee minutes, closed session".into(),
        url: String::new(),
        classification: Classification::new(
            Level::Confidential,
            Default::default(),
            Some("closed session".into()),
            None,
            Level::Public,
        )
        .unwrap(),
    };
    s.add_source(&assessor, &w.assessor, today(), a.id, "budget", public)
        .await
        .unwrap();
    s.add_source(
        &assessor,
        &w.assessor,
        today(),
        a.id,
        "budget",
        confidential.clone(),
    )
    .await
    .unwrap();
    // Above the assessor's own clearance: refused.
    let secret = SourceInput {
        classification: Classification::new(
            Level::Secret,
            Default::default(),
            Some("x".into()),
            None,
            Level::Public,
        )
        .unwrap(),
        ..confidential
    };
    assert!(matches!(
        s.add_source(&assessor, &w.assessor, today(), a.id, "budget", secret)
            .await,
        Err(StoreError::Fields(_))
    ));
    // A bad link is refused with its field.
    let e = s
        .add_source(
            &assessor,
            &w.assessor,
            today(),
            a.id,
            "budget",
            SourceInput {
                title: "x".into(),
                url: "ftp://x".into(),
                classification: Classification::public(),
            },
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("url"), "{e}");
    let seen = |v: &Viewer| {
        let v = v.clone();
        async move {
            s.answers(&v, today(), a.id).await.unwrap()[0]
                .sources
                .iter()
                .map(|x| x.title.clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(seen(&w.assessor).await.len(), 2);
    assert_eq!(seen(&w.manager).await.len(), 2);
    // Reviewers are cleared to OFFICIAL only: the closed-session minutes stay hidden.
    assert_eq!(
        seen(&w.reviewers[0]).await,
        vec!["Budget law 2025".to_owned()]
    );
}

async fn frameworks_are_imported_once_per_version(flavour: Flavour) {
    let w = world(flavour).await;
    let s = &w.store;
    let framework = custodes_formats::framework::read("oversight.toml", SMALL).unwrap();
    let e = s
        .import_framework(
            &as_actor(&w.manager),
            &w.manager,
            "oversight.toml",
            SMALL,
            &framework,
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "framework oversight-check version 1.0.0 exists already; a changed framework needs a new version"
    );
    let builtin = custodes_formats::builtin::FRAMEWORKS[0];
    let f = custodes_formats::framework::read(builtin.file, builtin.text).unwrap();
    assert!(matches!(
        s.import_framework(
            &as_actor(&w.manager),
            &w.manager,
            builtin.file,
            builtin.text,
            &f
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        s.import_framework(
            &as_actor(&w.assessor),
            &w.assessor,
            "x.toml",
            SMALL,
            &framework
        )
        .await,
        Err(StoreError::Forbidden(_))
    ));
    let list = s.frameworks().await.unwrap();
    assert_eq!(list.iter().filter(|f| f.built_in).count(), 3);
    assert_eq!(list.iter().filter(|f| !f.built_in).count(), 1);
    let loaded = s.framework("oversight-check", "1.0.0").await.unwrap();
    assert_eq!(loaded.framework().reviewers, 2);
}

async fn opening_an_assessment_checks_its_people(flavour: Flavour) {
    let w = world(flavour).await;
    let s = &w.store;
    let mut bad = input(&w);
    bad.title = " ".into();
    bad.reviewers = vec![w.assessor.user.unwrap()];
    bad.assessors.push(w.donor.user.unwrap());
    let e = s
        .create_assessment(&as_actor(&w.manager), &w.manager, today(), w.ws, bad)
        .await
        .unwrap_err();
    let StoreError::Fields(fields) = e else {
        panic!("{e}")
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field).collect();
    assert!(names.contains(&"title"), "{names:?}");
    assert!(names.contains(&"reviewers"), "{names:?}");
    assert!(names.contains(&"assessors"), "{names:?}");
    assert!(
        fields
            .iter()
            .any(|f| f.message.contains("asks for 2 reviewers")),
        "{fields:?}"
    );
    assert!(matches!(
        s.create_assessment(
            &as_actor(&w.assessor),
            &w.assessor,
            today(),
            w.ws,
            input(&w)
        )
        .await,
        Err(StoreError::Forbidden(_))
    ));
}

/// A plan states the current levels it draws from an assessment as fact: it draws only on
/// published results, and it is classified to cover the assessment they come from.
async fn a_plan_draws_only_on_published_assessments_and_covers_their_classification(
    flavour: Flavour,
) {
    let w = world(flavour).await;
    let s = &w.store;
    let manager = as_actor(&w.manager);
    let mut official = input(&w);
    official.classification = Classification::new(
        Level::Official,
        Default::default(),
        Some("names the committee's closed sessions".into()),
        None,
        Level::Public,
    )
    .unwrap();
    let a = s
        .create_assessment(&manager, &w.manager, today(), w.ws, official)
        .await
        .unwrap();
    let assessor = as_actor(&w.assessor);
    s.save_answers(
        &assessor,
        &w.assessor,
        today(),
        a.id,
        &[
            level("budget", "mid", "partial access"),
            level("hearings", "mid", "some hearings"),
            level("intelligence", "low", "none"),
        ],
        &[],
    )
    .await
    .unwrap();
    s.submit_assessment(&assessor, &w.assessor, today(), a.id)
        .await
        .unwrap();
    for r in &w.reviewers {
        s.decide_on_assessment(&as_actor(r), r, today(), a.id, Decision::Approve, "")
            .await
            .unwrap();
    }
    s.set_horizon(
        &manager,
        &w.manager,
        w.ws,
        Horizon {
            first_year: 2027,
            years: 3,
            discount_rate: 0.03,
        },
    )
    .await
    .unwrap();
    let goal = s
        .create_goal(
            &manager,
            &w.manager,
            today(),
            w.ws,
            GoalInput {
                fields: GoalFields {
                    title: "Oversee the budget".into(),
                    description: String::new(),
                    weight_override: None,
                },
                threats: Default::default(),
                deficits: Default::default(),
            },
        )
        .await
        .unwrap();
    s.create_capability(
        &manager,
        &w.manager,
        today(),
        w.ws,
        CapabilityInput {
            goal,
            fields: CapabilityFields {
                key: "budget-scrutiny".into(),
                name: "Budget scrutiny".into(),
                description: String::new(),
                required: vec![80.0; 3],
                current: CurrentLevel::Indicator {
                    assessment: a.id,
                    indicator: "budget".into(),
                },
            },
        },
    )
    .await
    .unwrap();

    // Validated but not published: no plan may state its results.
    match s
        .plan_problem(&w.manager, today(), w.ws, &Scenario::default())
        .await
    {
        Err(StoreError::Invalid(m)) => {
            assert!(m.contains("budget-scrutiny"), "{m}");
            assert!(m.contains("not published yet"), "{m}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }

    s.publish_assessment(&manager, &w.manager, today(), a.id)
        .await
        .unwrap();
    let assembled = s
        .plan_problem(&w.manager, today(), w.ws, &Scenario::default())
        .await
        .unwrap();
    assert_eq!(assembled.problem.capabilities[0].current, vec![50.0; 3]);
    assert_eq!(assembled.classification.level, Level::Official);
    let why = assembled.classification.justification.unwrap();
    assert!(
        why.contains("draws current levels from assessments classified OFFICIAL"),
        "{why}"
    );
}

on_both_backends!(
    a_plan_draws_only_on_published_assessments_and_covers_their_classification,
    an_assessment_goes_from_draft_to_published_and_is_corrected,
    bad_answers_change_nothing,
    sources_keep_their_own_classification,
    frameworks_are_imported_once_per_version,
    opening_an_assessment_checks_its_people,
);

//! Threat-first strategy on both backends: threats, goals and strategy documents are
//! created, changed and audited; the policy keeps classified threats out of every list,
//! count, matrix, goal and audit entry of a viewer who may not read them; bad input and
//! illegal steps change nothing; a threat names the actors that must respond, only those
//! the viewer may read, and keeps the links an editor cannot see; and a backup carries it
//! all.

use std::collections::BTreeSet;
use std::io::Cursor;

use chrono::NaiveDate;
use custodes_core::access::CompartmentKind;
use custodes_core::audit::Actor;
use custodes_core::framework::DeficitSource;
use custodes_core::policy::{Classification, Viewer, can_read};
use custodes_core::sector::{ActorFields, ActorKind};
use custodes_core::strategy::{
    Deficit, GoalFields, Origin, Scope, SourceKind, Status, StrategyFields, Target, ThreatFields,
    Transition, Trend, Weight, WeightOverride,
};
use custodes_core::workspace::WorkspaceKind;
use custodes_core::{ActorId, CompartmentId, Level, Role, ThreatId, WorkspaceId};
use custodes_store::actor::ActorInput;
use custodes_store::audit::{AuditFilter, Verdict};
use custodes_store::goal::GoalInput;
use custodes_store::threat::{ThreatInput, ThreatQuery};
use custodes_store::user::NewUser;
use custodes_store::{Store, StoreError};
use custodes_testkit::{Flavour, TestDb, on_both_backends};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn today() -> NaiveDate {
    "2026-11-23".parse().unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn system() -> Actor {
    Actor::System
}

struct Setup {
    _db: TestDb,
    store: Store,
    ws: WorkspaceId,
    sis: CompartmentId,
}

async fn setup(flavour: Flavour) -> Setup {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    let ws = custodes_testkit::arvenia(&store, &system()).await.id;
    let sis = store
        .create_compartment(&system(), "sis", "SIS", CompartmentKind::Agency, "")
        .await
        .unwrap()
        .id;
    Setup {
        _db: db,
        store,
        ws,
        sis,
    }
}

async fn user(store: &Store, name: &str, role: Role, clearance: Level) -> Viewer {
    let u = store
        .create_user(
            &system(),
            NewUser {
                username: name.into(),
                display_name: format!("{name} display"),
                role,
                clearance,
                password: format!("{name} has a long password"),
            },
        )
        .await
        .unwrap();
    store.viewer(u.id).await.unwrap().unwrap()
}

async fn join(store: &Store, c: CompartmentId, name: &str) -> Viewer {
    store
        .set_membership(&system(), c, name, true)
        .await
        .unwrap();
    let u = store.user_by_username(name).await.unwrap();
    store.viewer(u.id).await.unwrap().unwrap()
}

fn fields(name: &str, likelihood: i64, impact: i64) -> ThreatFields {
    ThreatFields {
        name: name.into(),
        description: format!("{name}, described"),
        origin: Origin::Mixed,
        scope: Scope::Regional,
        targets: [Target::StateInstitutions, Target::WayOfLife].into(),
        source_kind: SourceKind::NonStateArmed,
        likelihood,
        impact,
        trend: Trend::Rising,
        review_on: Some(day("2027-06-30")),
    }
}

fn secret(c: CompartmentId) -> Classification {
    Classification::new(
        Level::Secret,
        [c].into(),
        Some("sources and methods".into()),
        None,
        Level::Public,
    )
    .unwrap()
}

/// Adds an actor to a workspace's sector map as the viewer.
async fn actor(
    store: &Store,
    viewer: &Viewer,
    ws: WorkspaceId,
    name: &str,
    kind: ActorKind,
    c: Classification,
) -> ActorId {
    store
        .create_actor(
            &system(),
            viewer,
            today(),
            ws,
            ActorInput {
                fields: ActorFields {
                    name: name.into(),
                    kind,
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

/// The names of a threat's responders, as the viewer reads them.
async fn responders(store: &Store, viewer: &Viewer, id: ThreatId) -> Vec<String> {
    store
        .get_threat(viewer, today(), id)
        .await
        .unwrap()
        .unwrap()
        .responders
        .into_iter()
        .map(|(_, name)| name)
        .collect()
}

async fn intact(store: &Store) -> u64 {
    match store.verify_audit().await.unwrap() {
        Verdict::Intact { entries, .. } => entries,
        Verdict::Broken(b) => panic!("chain broken: {b}"),
    }
}

async fn actions(store: &Store, viewer: &Viewer, kind: &str) -> Vec<String> {
    let (entries, _) = store
        .audit_log(
            viewer,
            today(),
            &AuditFilter {
                entity_kind: Some(kind.into()),
                ..AuditFilter::default()
            },
            100,
            0,
        )
        .await
        .unwrap();
    entries.into_iter().rev().map(|e| e.action).collect()
}

async fn threats_are_created_updated_reclassified_and_audited(flavour: Flavour) {
    let s = setup(flavour).await;
    user(&s.store, "admin", Role::Administrator, Level::Secret).await;
    let admin = join(&s.store, s.sis, "admin").await;
    let created = s
        .store
        .create_threat(
            &system(),
            &admin,
            today(),
            s.ws,
            ThreatInput {
                fields: fields("Arms trafficking", 4, 4),
                classification: Classification::public(),
                responders: Vec::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(created.risk().rating, 16);
    let mut changed = fields("Arms trafficking across the border", 5, 4);
    changed.trend = Trend::Stable;
    let updated = s
        .store
        .update_threat(
            &system(),
            &admin,
            today(),
            created.id,
            ThreatInput {
                fields: changed,
                classification: secret(s.sis),
                responders: Vec::new(),
            },
        )
        .await
        .unwrap();
    let read = s
        .store
        .get_threat(&admin, today(), created.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read, updated);
    assert_eq!(read.fields.name, "Arms trafficking across the border");
    assert_eq!(read.fields.trend, Trend::Stable);
    assert_eq!(
        read.fields.targets,
        vec![Target::StateInstitutions, Target::WayOfLife]
    );
    assert_eq!(read.classification.compartments, [s.sis].into());
    assert_eq!(
        actions(&s.store, &admin, "threat").await,
        ["threat.create", "threat.update", "threat.reclassify"]
    );
    // The reclassification hides it from the public at once, and from its audit log.
    let public = Viewer::public();
    assert!(
        s.store
            .get_threat(&public, today(), created.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(actions(&s.store, &public, "threat").await.is_empty());
    assert_eq!(intact(&s.store).await, 4 + 3);
}

async fn bad_input_is_refused_and_changes_nothing(flavour: Flavour) {
    let s = setup(flavour).await;
    let planner = user(&s.store, "planner", Role::Planner, Level::Confidential).await;
    let donor = user(&s.store, "donor", Role::Donor, Level::Secret).await;
    let before = intact(&s.store).await;
    let mut f = fields(" ", 0, 6);
    f.targets.clear();
    let e = s
        .store
        .create_threat(
            &system(),
            &planner,
            today(),
            s.ws,
            ThreatInput {
                fields: f,
                classification: Classification::public(),
                responders: Vec::new(),
            },
        )
        .await
        .unwrap_err();
    let StoreError::Fields(problems) = e else {
        panic!("expected field errors, got {e}")
    };
    let named: Vec<&str> = problems.iter().map(|p| p.field).collect();
    assert_eq!(named, ["name", "targets", "likelihood", "impact"]);
    // Above the planner's clearance, and in a compartment they do not belong to.
    let e = s
        .store
        .create_threat(
            &system(),
            &planner,
            today(),
            s.ws,
            ThreatInput {
                fields: fields("Hidden", 3, 3),
                classification: secret(s.sis),
                responders: Vec::new(),
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Fields(ref p) if p[0].field == "level"),
        "{e}"
    );
    let e = s
        .store
        .create_threat(
            &system(),
            &donor,
            today(),
            s.ws,
            ThreatInput {
                fields: fields("Donor's", 3, 3),
                classification: Classification::public(),
                responders: Vec::new(),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
    // A goal with an override but no reason, and a threat that does not exist.
    let e = s
        .store
        .create_goal(
            &system(),
            &planner,
            today(),
            s.ws,
            GoalInput {
                fields: GoalFields {
                    title: "Control the border".into(),
                    description: String::new(),
                    weight_override: Some(WeightOverride {
                        weight: Weight::MAX,
                        reason: String::new(),
                    }),
                },
                threats: [ThreatId::from_uuid(uuid::Uuid::now_v7())].into(),
                deficits: BTreeSet::new(),
            },
        )
        .await
        .unwrap_err();
    let StoreError::Fields(problems) = e else {
        panic!("expected field errors, got {e}")
    };
    let named: Vec<&str> = problems.iter().map(|p| p.field).collect();
    assert_eq!(named, ["override_reason", "threats"]);
    let e = s
        .store
        .create_strategy(
            &system(),
            &planner,
            s.ws,
            StrategyFields {
                title: String::new(),
                summary: String::new(),
                body: String::new(),
                review_years: 0,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Fields(ref p) if p.len() == 2),
        "{e}"
    );
    assert_eq!(intact(&s.store).await, before);
    assert!(
        s.store
            .list_goals(&planner, today(), s.ws)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn goals_never_name_a_threat_the_viewer_cannot_read(flavour: Flavour) {
    let s = setup(flavour).await;
    user(&s.store, "admin", Role::Administrator, Level::Secret).await;
    let admin = join(&s.store, s.sis, "admin").await;
    let planner = user(&s.store, "planner", Role::Planner, Level::Confidential).await;
    let mk = |name: &'static str, l, i, c: Classification| ThreatInput {
        fields: fields(name, l, i),
        classification: c,
        responders: Vec::new(),
    };
    let open = s
        .store
        .create_threat(
            &system(),
            &admin,
            today(),
            s.ws,
            mk("Floods", 5, 3, Classification::public()),
        )
        .await
        .unwrap();
    let hidden = s
        .store
        .create_threat(
            &system(),
            &admin,
            today(),
            s.ws,
            mk("Hostile service", 4, 5, secret(s.sis)),
        )
        .await
        .unwrap();
    let goal = s
        .store
        .create_goal(
            &system(),
            &admin,
            today(),
            s.ws,
            GoalInput {
                fields: GoalFields {
                    title: "Protect the state".into(),
                    description: "from floods and spies".into(),
                    weight_override: None,
                },
                threats: [open.id, hidden.id].into(),
                deficits: [
                    Deficit::Source(DeficitSource::ChronicUnderfunding),
                    "ideal-security-sector/intelligence-1".parse().unwrap(),
                ]
                .into(),
            },
        )
        .await
        .unwrap();
    let seen_by_admin = s
        .store
        .get_goal(&admin, today(), goal)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen_by_admin.threats.len(), 2);
    assert_eq!(seen_by_admin.threats[0].name, "Hostile service");
    // 20 ÷ 25 + 0.05.
    assert_eq!(seen_by_admin.weight.computed.thousandths(), 850);
    assert_eq!(seen_by_admin.deficits.len(), 2);
    for viewer in [&planner, &Viewer::public()] {
        let g = s
            .store
            .get_goal(viewer, today(), goal)
            .await
            .unwrap()
            .unwrap();
        let names: Vec<&str> = g.threats.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Floods"]);
        assert_eq!(g.weight.computed.thousandths(), 600);
        let listed = s.store.list_goals(viewer, today(), s.ws).await.unwrap();
        assert_eq!(listed[0].threats.len(), 1);
        assert!(
            s.store
                .goals_answering(viewer, today(), s.ws, hidden.id)
                .await
                .unwrap()
                .is_empty()
        );
    }
    // The planner saves the goal with an override and without the floods: the hidden
    // link stays, the override and its reason are kept.
    s.store
        .update_goal(
            &system(),
            &planner,
            today(),
            goal,
            GoalInput {
                fields: GoalFields {
                    title: "Protect the state".into(),
                    description: String::new(),
                    weight_override: Some(WeightOverride {
                        weight: Weight::parse("0.9").unwrap(),
                        reason: "Cabinet decision 14/2026".into(),
                    }),
                },
                threats: BTreeSet::new(),
                deficits: BTreeSet::new(),
            },
        )
        .await
        .unwrap();
    let g = s
        .store
        .get_goal(&admin, today(), goal)
        .await
        .unwrap()
        .unwrap();
    let names: Vec<&str> = g.threats.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Hostile service"]);
    assert_eq!(g.weight.effective().thousandths(), 900);
    assert_eq!(
        g.weight.overridden.unwrap().reason,
        "Cabinet decision 14/2026"
    );
    assert!(g.deficits.is_empty());
    assert_eq!(
        actions(&s.store, &admin, "goal").await,
        ["goal.create", "goal.update"]
    );
}

async fn a_strategy_goes_through_its_life_cycle(flavour: Flavour) {
    let s = setup(flavour).await;
    let planner = user(&s.store, "planner", Role::Planner, Level::Confidential).await;
    let mp = user(&s.store, "mp", Role::Parliament, Level::Official).await;
    let donor = user(&s.store, "donor", Role::Donor, Level::Official).await;
    let text = |title: &str| StrategyFields {
        title: title.into(),
        summary: "Start from the threat.".into(),
        body: "Full text.".into(),
        review_years: 5,
    };
    let st = s
        .store
        .create_strategy(
            &system(),
            &planner,
            s.ws,
            text("National Security Strategy"),
        )
        .await
        .unwrap();
    assert_eq!(st.lifecycle.status, Status::Draft);
    // Drafts are for people who have signed in.
    let public = Viewer::public();
    assert!(
        s.store
            .get_strategy(&public, st.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.store
            .list_strategies(&public, s.ws)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.store.list_strategies(&donor, s.ws).await.unwrap().len(),
        1
    );
    let approve = Transition::Approve {
        approved_on: day("2026-11-23"),
        vote_reference: "NA/2026/88".into(),
    };
    let e = s
        .store
        .change_strategy_status(&system(), &mp, today(), st.id, approve.clone())
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "a strategy in draft cannot be approved: a draft can only go to public consultation"
    );
    let open = Transition::OpenConsultation {
        opens_on: day("2026-11-01"),
        closes_on: day("2026-12-31"),
    };
    let e = s
        .store
        .change_strategy_status(&system(), &mp, today(), st.id, open.clone())
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
    let e = s
        .store
        .comment_on_strategy(&system(), &donor, today(), st.id, "Donor", "Too early")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not open for comments"), "{e}");
    s.store
        .change_strategy_status(&system(), &planner, today(), st.id, open)
        .await
        .unwrap();
    assert!(
        s.store
            .get_strategy(&public, st.id)
            .await
            .unwrap()
            .is_some()
    );
    let e = s
        .store
        .comment_on_strategy(&system(), &donor, today(), st.id, "Donor", "  ")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Fields(_)), "{e}");
    s.store
        .comment_on_strategy(
            &system(),
            &donor,
            today(),
            st.id,
            "Donor officer",
            "Name the border threat first.",
        )
        .await
        .unwrap();
    let e = s
        .store
        .comment_on_strategy(&system(), &public, today(), st.id, "Anon", "Hello")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
    s.store
        .change_strategy_status(
            &system(),
            &planner,
            today(),
            st.id,
            Transition::SendToParliament,
        )
        .await
        .unwrap();
    let e = s
        .store
        .comment_on_strategy(&system(), &donor, today(), st.id, "Donor", "Late")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not open for comments"), "{e}");
    let e = s
        .store
        .change_strategy_status(
            &system(),
            &mp,
            today(),
            st.id,
            Transition::Approve {
                approved_on: day("2026-11-22"),
                vote_reference: " ".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Fields(ref f) if f[0].field == "vote_reference"),
        "{e}"
    );
    let approved = s
        .store
        .change_strategy_status(&system(), &mp, today(), st.id, approve)
        .await
        .unwrap();
    assert_eq!(approved.lifecycle.status, Status::Approved);
    assert!(!approved.review_due(today()));
    assert!(!approved.review_due(day("2031-11-22")));
    assert!(approved.review_due(day("2031-11-23")));
    assert_eq!(approved.review_due_on(), Some(day("2031-11-23")));
    let e = s
        .store
        .update_strategy(&system(), &planner, st.id, text("Changed"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("approved strategy is final"), "{e}");
    let comments = s.store.strategy_comments(&public, st.id).await.unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].author, "Donor officer");
    assert_eq!(
        actions(&s.store, &planner, "strategy").await,
        [
            "strategy.create",
            "strategy.open_consultation",
            "strategy.send_to_parliament",
            "strategy.approve"
        ]
    );
    assert_eq!(
        actions(&s.store, &planner, "strategy_comment").await,
        ["strategy.comment"]
    );
}

async fn threats_name_the_actors_that_must_respond(flavour: Flavour) {
    let s = setup(flavour).await;
    user(&s.store, "admin", Role::Administrator, Level::Secret).await;
    let admin = join(&s.store, s.sis, "admin").await;
    let planner = user(&s.store, "planner", Role::Planner, Level::Confidential).await;
    let public = Viewer::public();
    let pc = Classification::public;
    let police = actor(&s.store, &admin, s.ws, "Police", ActorKind::Police, pc()).await;
    let guard = actor(
        &s.store,
        &admin,
        s.ws,
        "Border Guard",
        ActorKind::BorderGuard,
        pc(),
    )
    .await;
    let customs = actor(&s.store, &admin, s.ws, "Customs", ActorKind::Customs, pc()).await;
    let cell = actor(
        &s.store,
        &admin,
        s.ws,
        "Covert Cell",
        ActorKind::Intelligence,
        secret(s.sis),
    )
    .await;
    let elsewhere = s
        .store
        .create_workspace(
            &system(),
            custodes_core::workspace::Slug::parse("elsewhere").unwrap(),
            "Elsewhere",
            WorkspaceKind::Country,
        )
        .await
        .unwrap()
        .id;
    let foreign = actor(
        &s.store,
        &admin,
        elsewhere,
        "Foreign Police",
        ActorKind::Police,
        pc(),
    )
    .await;
    let input = |name: &str, responders: Vec<ActorId>| ThreatInput {
        fields: fields(name, 4, 4),
        classification: Classification::public(),
        responders,
    };

    // Set: the admin names four actors (one twice), one of them SECRET in a compartment.
    let created = s
        .store
        .create_threat(
            &system(),
            &admin,
            today(),
            s.ws,
            input("Arms trafficking", vec![police, guard, cell, guard]),
        )
        .await
        .unwrap();
    let names: Vec<&str> = created.responders.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["Border Guard", "Covert Cell", "Police"]);
    assert_eq!(
        s.store
            .get_threat(&admin, today(), created.id)
            .await
            .unwrap()
            .unwrap(),
        created
    );
    // Those who may not read the cell are not told of it, in a single read or a list.
    for viewer in [&planner, &public] {
        assert_eq!(
            responders(&s.store, viewer, created.id).await,
            ["Border Guard", "Police"]
        );
        let listed = s
            .store
            .list_threats(viewer, today(), s.ws, &ThreatQuery::default())
            .await
            .unwrap();
        assert_eq!(listed.items[0].responders.len(), 2);
        assert!(listed.items[0].responders.iter().all(|(a, _)| *a != cell));
    }

    // Refuse: an actor the planner may not read, one that does not exist, one of another
    // workspace; on create and on update, and nothing is written.
    let before = intact(&s.store).await;
    let unknown = ActorId::from_uuid(uuid::Uuid::now_v7());
    for bad in [cell, unknown, foreign] {
        let e = s
            .store
            .create_threat(
                &system(),
                &planner,
                today(),
                s.ws,
                input("Smuggling", vec![police, bad]),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Fields(ref p) if p.len() == 1 && p[0].field == "responders"),
            "{e}"
        );
        let e = s
            .store
            .update_threat(
                &system(),
                &planner,
                today(),
                created.id,
                input("Arms trafficking", vec![bad]),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Fields(ref p) if p[0].field == "responders"),
            "{e}"
        );
    }
    assert_eq!(
        intact(&s.store).await,
        before,
        "a refused change wrote something"
    );
    assert_eq!(
        responders(&s.store, &admin, created.id).await,
        ["Border Guard", "Covert Cell", "Police"]
    );

    // Keep hidden links: the planner replaces what they can see; the cell stays linked.
    let updated = s
        .store
        .update_threat(
            &system(),
            &planner,
            today(),
            created.id,
            input("Arms trafficking", vec![customs, police]),
        )
        .await
        .unwrap();
    let names: Vec<&str> = updated.responders.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["Customs", "Police"]);
    assert_eq!(
        responders(&s.store, &planner, created.id).await,
        ["Customs", "Police"]
    );
    assert_eq!(
        responders(&s.store, &admin, created.id).await,
        ["Covert Cell", "Customs", "Police"]
    );

    // Replace: the admin, who sees the cell, drops it with everything else, then names one.
    s.store
        .update_threat(
            &system(),
            &admin,
            today(),
            created.id,
            input("Arms trafficking", Vec::new()),
        )
        .await
        .unwrap();
    assert!(responders(&s.store, &admin, created.id).await.is_empty());
    s.store
        .update_threat(
            &system(),
            &admin,
            today(),
            created.id,
            input("Arms trafficking", vec![guard]),
        )
        .await
        .unwrap();
    assert_eq!(
        responders(&s.store, &public, created.id).await,
        ["Border Guard"]
    );
    assert_eq!(
        actions(&s.store, &admin, "threat").await,
        [
            "threat.create",
            "threat.update",
            "threat.update",
            "threat.update"
        ]
    );
}

/// Random threats and viewers: the register's list, count, search, filters, single reads
/// and matrix show each viewer exactly what `can_read` allows.
async fn the_policy_keeps_classified_threats_out(flavour: Flavour) {
    let mut rng = StdRng::seed_from_u64(0x7447);
    let s = setup(flavour).await;
    let other = s
        .store
        .create_compartment(
            &system(),
            "border",
            "Border",
            CompartmentKind::SharingGroup,
            "",
        )
        .await
        .unwrap()
        .id;
    let comps = [s.sis, other];
    user(&s.store, "boss", Role::Administrator, Level::Secret).await;
    join(&s.store, s.sis, "boss").await;
    let boss = join(&s.store, other, "boss").await;
    let mut records = Vec::new();
    for i in 0..30 {
        let level = Level::ALL[rng.random_range(0..4)];
        let cs: BTreeSet<CompartmentId> = if level == Level::Public {
            BTreeSet::new()
        } else {
            comps
                .iter()
                .copied()
                .filter(|_| rng.random_bool(0.4))
                .collect()
        };
        let declassify_on = (level > Level::Public && rng.random_bool(0.3)).then(|| {
            day(if rng.random_bool(0.5) {
                "2026-01-01"
            } else {
                "2030-01-01"
            })
        });
        let c = Classification::new(
            level,
            cs,
            (level > Level::Public).then(|| "argued".to_owned()),
            declassify_on,
            Level::Public,
        )
        .unwrap();
        let mut f = fields(
            &format!("Threat {i:02}"),
            rng.random_range(1..=5),
            rng.random_range(1..=5),
        );
        f.origin = Origin::ALL[i % 3];
        let t = s
            .store
            .create_threat(
                &system(),
                &boss,
                today(),
                s.ws,
                ThreatInput {
                    fields: f,
                    classification: c.clone(),
                    responders: Vec::new(),
                },
            )
            .await
            .unwrap();
        records.push((t, c));
    }
    let mut viewers = vec![Viewer::public(), boss.clone()];
    for (i, role) in [Role::Planner, Role::Donor, Role::Parliament, Role::Auditor]
        .into_iter()
        .enumerate()
    {
        let name = format!("u{i}");
        let mut v = user(&s.store, &name, role, Level::ALL[rng.random_range(0..4)]).await;
        for c in comps {
            if rng.random_bool(0.5) {
                v = join(&s.store, c, &name).await;
            }
        }
        viewers.push(v);
    }
    for v in &viewers {
        let expected: BTreeSet<ThreatId> = records
            .iter()
            .filter(|(_, c)| can_read(v, c, today()))
            .map(|(t, _)| t.id)
            .collect();
        let page = s
            .store
            .list_threats(
                v,
                today(),
                s.ws,
                &ThreatQuery {
                    limit: Some(500),
                    ..ThreatQuery::default()
                },
            )
            .await
            .unwrap();
        let listed: BTreeSet<ThreatId> = page.items.iter().map(|t| t.id).collect();
        assert_eq!(listed, expected);
        assert_eq!(page.total as usize, expected.len());
        let external = s
            .store
            .list_threats(
                v,
                today(),
                s.ws,
                &ThreatQuery {
                    origin: Some(Origin::External),
                    search: Some("threat".into()),
                    ..ThreatQuery::default()
                },
            )
            .await
            .unwrap();
        let want = records
            .iter()
            .filter(|(t, c)| t.fields.origin == Origin::External && can_read(v, c, today()))
            .count();
        assert_eq!(external.total as usize, want);
        let matrix = s.store.threat_matrix(v, today(), s.ws).await.unwrap();
        assert_eq!(matrix.len(), 25);
        let in_matrix: BTreeSet<ThreatId> = matrix
            .iter()
            .flat_map(|c| c.threats.iter().map(|(id, _)| *id))
            .collect();
        assert_eq!(in_matrix, expected);
        for (t, _) in &records {
            let got = s.store.get_threat(v, today(), t.id).await.unwrap();
            assert_eq!(got.is_some(), expected.contains(&t.id));
        }
        let (_, audited) = s
            .store
            .audit_log(
                v,
                today(),
                &AuditFilter {
                    entity_kind: Some("threat".into()),
                    ..AuditFilter::default()
                },
                500,
                0,
            )
            .await
            .unwrap();
        assert_eq!(audited as usize, expected.len());
    }
}

async fn a_backup_carries_threats_goals_and_strategies(flavour: Flavour) {
    let s = setup(flavour).await;
    user(&s.store, "admin", Role::Administrator, Level::Secret).await;
    let admin = join(&s.store, s.sis, "admin").await;
    let sis = actor(
        &s.store,
        &admin,
        s.ws,
        "State Intelligence Service",
        ActorKind::Intelligence,
        secret(s.sis),
    )
    .await;
    let t = s
        .store
        .create_threat(
            &system(),
            &admin,
            today(),
            s.ws,
            ThreatInput {
                fields: fields("Spies", 2, 5),
                classification: secret(s.sis),
                responders: vec![sis],
            },
        )
        .await
        .unwrap();
    s.store
        .create_goal(
            &system(),
            &admin,
            today(),
            s.ws,
            GoalInput {
                fields: GoalFields {
                    title: "Counter-intelligence".into(),
                    description: String::new(),
                    weight_override: None,
                },
                threats: [t.id].into(),
                deficits: [Deficit::Source(DeficitSource::PoorLegislation)].into(),
            },
        )
        .await
        .unwrap();
    let st = s
        .store
        .create_strategy(
            &system(),
            &admin,
            s.ws,
            StrategyFields {
                title: "Strategy".into(),
                summary: String::new(),
                body: String::new(),
                review_years: 4,
            },
        )
        .await
        .unwrap();
    s.store
        .change_strategy_status(
            &system(),
            &admin,
            today(),
            st.id,
            Transition::OpenConsultation {
                opens_on: today(),
                closes_on: today(),
            },
        )
        .await
        .unwrap();
    s.store
        .comment_on_strategy(&system(), &admin, today(), st.id, "Admin", "Fine")
        .await
        .unwrap();
    let mut first = Vec::new();
    s.store.backup(&mut first).await.unwrap();
    let other = match flavour {
        Flavour::Sqlite => Flavour::Postgres,
        Flavour::Postgres => Flavour::Sqlite,
    };
    let target = TestDb::new(other).await;
    let restored = target.open().await;
    restored
        .restore(&system(), "backup.jsonl", Cursor::new(first))
        .await
        .unwrap();
    assert_eq!(
        responders(&restored, &admin, t.id).await,
        ["State Intelligence Service"]
    );
    let g = restored.list_goals(&admin, today(), s.ws).await.unwrap();
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].threats[0].name, "Spies");
    assert_eq!(g[0].deficits.len(), 1);
    assert_eq!(
        restored
            .get_threat(&admin, today(), t.id)
            .await
            .unwrap()
            .unwrap(),
        s.store
            .get_threat(&admin, today(), t.id)
            .await
            .unwrap()
            .unwrap()
    );
    assert_eq!(
        restored
            .strategy_comments(&admin, st.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        restored.get_strategy(&admin, st.id).await.unwrap(),
        s.store.get_strategy(&admin, st.id).await.unwrap()
    );
    assert!(matches!(
        restored.verify_audit().await.unwrap(),
        Verdict::Intact { .. }
    ));
}

on_both_backends!(
    threats_are_created_updated_reclassified_and_audited,
    bad_input_is_refused_and_changes_nothing,
    threats_name_the_actors_that_must_respond,
    goals_never_name_a_threat_the_viewer_cannot_read,
    a_strategy_goes_through_its_life_cycle,
    the_policy_keeps_classified_threats_out,
    a_backup_carries_threats_goals_and_strategies,
);

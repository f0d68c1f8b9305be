//! The access policy inside the store's SQL agrees with the rule in `custodes-core`, on
//! both backends: lists, counts, searches and single reads show a viewer exactly the
//! records `can_read` allows, and nothing else.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use custodes_core::access::CompartmentKind;
use custodes_core::audit::Actor;
use custodes_core::policy::{Classification, Viewer, can_read};
use custodes_core::sector::{ActorFields, ActorKind};
use custodes_core::{CompartmentId, Level, Role, WorkspaceId};
use custodes_store::actor::{ActorInput, ActorQuery};
use custodes_store::user::NewUser;
use custodes_store::{Store, StoreError};
use custodes_testkit::{Flavour, TestDb, on_both_backends};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn today() -> NaiveDate {
    "2026-11-23".parse().unwrap()
}

/// A viewer that may create anything: an administrator cleared to SECRET and a member of
/// every compartment.
async fn creator(store: &Store, compartments: &[CompartmentId]) -> Viewer {
    let admin = store
        .create_user(
            &Actor::System,
            NewUser {
                username: "creator".into(),
                display_name: String::new(),
                role: Role::Administrator,
                clearance: Level::Secret,
                password: "creator password 123".into(),
            },
        )
        .await
        .unwrap();
    for c in compartments {
        store
            .set_membership(&Actor::System, *c, "creator", true)
            .await
            .unwrap();
    }
    store.viewer(admin.id).await.unwrap().unwrap()
}

fn fields(name: String) -> ActorFields {
    ActorFields {
        name,
        kind: ActorKind::Intelligence,
        mandate: "collects foreign intelligence".into(),
        legal_basis: "Intelligence Act 2014".into(),
        personnel: Some(1200),
        budget: Some(4.5e7),
    }
}

struct World {
    _db: TestDb,
    store: Store,
    workspace: WorkspaceId,
    compartments: Vec<CompartmentId>,
    /// Every record and its classification, as created.
    records: Vec<(String, Classification)>,
}

/// A workspace with three compartments and `n` random records.
async fn world(flavour: Flavour, rng: &mut StdRng, n: usize) -> World {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    let ws = custodes_testkit::arvenia(&store, &Actor::System).await;
    let mut compartments = Vec::new();
    for (slug, kind) in [
        ("border", CompartmentKind::SharingGroup),
        ("defence", CompartmentKind::Committee),
        ("sis", CompartmentKind::Agency),
    ] {
        let c = store
            .create_compartment(&Actor::System, slug, slug, kind, "")
            .await
            .unwrap();
        compartments.push(c.id);
    }
    let boss = creator(&store, &compartments).await;
    let mut records = Vec::new();
    for i in 0..n {
        let level = Level::ALL[rng.random_range(0..4)];
        let comps: BTreeSet<CompartmentId> = if level == Level::Public {
            BTreeSet::new()
        } else {
            compartments
                .iter()
                .copied()
                .filter(|_| rng.random_bool(0.3))
                .collect()
        };
        let declassify_on = (level > Level::Public && rng.random_bool(0.3)).then(|| {
            if rng.random_bool(0.5) {
                "2026-01-01"
            } else {
                "2030-01-01"
            }
            .parse()
            .unwrap()
        });
        let declassify_to = if declassify_on.is_some() {
            Level::ALL[rng.random_range(0..level as usize)]
        } else {
            Level::Public
        };
        let c = Classification::new(
            level,
            comps,
            Some("test".into()),
            declassify_on,
            declassify_to,
        )
        .unwrap();
        let name = format!("canary-{i:03}");
        store
            .create_actor(
                &Actor::System,
                &boss,
                today(),
                ws.id,
                ActorInput {
                    fields: fields(name.clone()),
                    parent: None,
                    classification: c.clone(),
                },
            )
            .await
            .unwrap();
        records.push((name, c));
    }
    World {
        _db: db,
        store,
        workspace: ws.id,
        compartments,
        records,
    }
}

/// A viewer with a random clearance and random memberships (a real user, so that the
/// store sees the same memberships).
async fn random_viewer(w: &World, rng: &mut StdRng, i: usize) -> Viewer {
    let name = format!("viewer{i}");
    let user = w
        .store
        .create_user(
            &Actor::System,
            NewUser {
                username: name.clone(),
                display_name: String::new(),
                role: Role::ALL[rng.random_range(0..8)],
                clearance: Level::ALL[rng.random_range(0..4)],
                password: "viewer password 123".into(),
            },
        )
        .await
        .unwrap();
    for c in &w.compartments {
        if rng.random_bool(0.5) {
            w.store
                .set_membership(&Actor::System, *c, &name, true)
                .await
                .unwrap();
        }
    }
    w.store.viewer(user.id).await.unwrap().unwrap()
}

async fn check_viewer(w: &World, viewer: &Viewer) {
    let expected: Vec<&str> = w
        .records
        .iter()
        .filter(|(_, c)| can_read(viewer, c, today()))
        .map(|(n, _)| n.as_str())
        .collect();
    let page = w
        .store
        .list_actors(
            viewer,
            today(),
            w.workspace,
            &ActorQuery {
                limit: Some(500),
                ..ActorQuery::default()
            },
        )
        .await
        .unwrap();
    let got: Vec<&str> = page.items.iter().map(|a| a.fields.name.as_str()).collect();
    assert_eq!(got, expected, "list for {viewer:?}");
    assert_eq!(page.total, expected.len() as i64, "count for {viewer:?}");

    // Search finds only readable records, and counts only them.
    let search = ActorQuery {
        search: Some("CANARY-0".into()),
        limit: Some(3),
        ..ActorQuery::default()
    };
    let page = w
        .store
        .list_actors(viewer, today(), w.workspace, &search)
        .await
        .unwrap();
    let readable_0xx = expected
        .iter()
        .filter(|n| n.starts_with("canary-0"))
        .count() as i64;
    assert_eq!(page.total, readable_0xx);
    assert!(page.items.len() as i64 <= 3.min(readable_0xx));

    // Single reads agree, and compartments are shown only to their members.
    let all = w
        .store
        .list_actors(
            &creator_view(w),
            today(),
            w.workspace,
            &ActorQuery {
                limit: Some(500),
                ..ActorQuery::default()
            },
        )
        .await
        .unwrap();
    for a in &all.items {
        let (_, c) = w.records.iter().find(|(n, _)| *n == a.fields.name).unwrap();
        let one = w.store.get_actor(viewer, today(), a.id).await.unwrap();
        assert_eq!(
            one.is_some(),
            can_read(viewer, c, today()),
            "{} for {viewer:?}",
            a.fields.name
        );
        if let Some(one) = one
            && viewer.role != Some(Role::Administrator)
        {
            assert!(
                one.classification
                    .compartments
                    .is_subset(&viewer.compartments)
            );
        }
    }
}

fn creator_view(w: &World) -> Viewer {
    Viewer {
        user: None,
        role: Some(Role::Administrator),
        clearance: Level::Secret,
        compartments: w.compartments.iter().copied().collect(),
    }
}

async fn sql_and_core_agree_on_random_worlds(flavour: Flavour) {
    for seed in 0..4u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let w = world(flavour, &mut rng, 40).await;
        check_viewer(&w, &Viewer::public()).await;
        for i in 0..12 {
            let v = random_viewer(&w, &mut rng, i).await;
            check_viewer(&w, &v).await;
        }
    }
}

async fn classification_rules_are_enforced_on_write(flavour: Flavour) {
    let mut rng = StdRng::seed_from_u64(7);
    let w = world(flavour, &mut rng, 0).await;
    let planner = w
        .store
        .create_user(
            &Actor::System,
            NewUser {
                username: "pl".into(),
                display_name: String::new(),
                role: Role::Planner,
                clearance: Level::Confidential,
                password: "planner password 1".into(),
            },
        )
        .await
        .unwrap();
    let viewer = w.store.viewer(planner.id).await.unwrap().unwrap();
    let actor = Actor::User {
        id: planner.id,
        username: "pl".into(),
    };
    let secret = Classification::new(
        Level::Secret,
        BTreeSet::new(),
        Some("x".into()),
        None,
        Level::Public,
    )
    .unwrap();
    let err = w
        .store
        .create_actor(
            &actor,
            &viewer,
            today(),
            w.workspace,
            ActorInput {
                fields: fields("Too secret".into()),
                parent: None,
                classification: secret,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Fields(f) if f[0].field == "level"),
        "{err:?}"
    );
    let in_compartment = Classification::new(
        Level::Official,
        [w.compartments[0]].into(),
        Some("x".into()),
        None,
        Level::Public,
    )
    .unwrap();
    let err = w
        .store
        .create_actor(
            &actor,
            &viewer,
            today(),
            w.workspace,
            ActorInput {
                fields: fields("Not a member".into()),
                parent: None,
                classification: in_compartment,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Fields(f) if f[0].field == "level"),
        "{err:?}"
    );
    // A donor may not add actors at all.
    let donor = w
        .store
        .create_user(
            &Actor::System,
            NewUser {
                username: "dn".into(),
                display_name: String::new(),
                role: Role::Donor,
                clearance: Level::Secret,
                password: "donor password 12".into(),
            },
        )
        .await
        .unwrap();
    let dv = w.store.viewer(donor.id).await.unwrap().unwrap();
    let err = w
        .store
        .create_actor(
            &actor,
            &dv,
            today(),
            w.workspace,
            ActorInput {
                fields: fields("Donor's".into()),
                parent: None,
                classification: Classification::public(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "you may not add actors to the sector map");
}

async fn reclassification_is_audited_and_moves_the_record(flavour: Flavour) {
    let mut rng = StdRng::seed_from_u64(9);
    let w = world(flavour, &mut rng, 0).await;
    let boss = creator_view(&w);
    let boss = Viewer {
        user: w.store.user_by_username("creator").await.ok().map(|u| u.id),
        ..boss
    };
    let created = w
        .store
        .create_actor(
            &Actor::System,
            &boss,
            today(),
            w.workspace,
            ActorInput {
                fields: fields("Joint cell".into()),
                parent: None,
                classification: Classification::public(),
            },
        )
        .await
        .unwrap();
    assert!(
        w.store
            .get_actor(&Viewer::public(), today(), created.id)
            .await
            .unwrap()
            .is_some()
    );
    let secret = Classification::new(
        Level::Secret,
        [w.compartments[2]].into(),
        Some("sources and methods".into()),
        None,
        Level::Public,
    )
    .unwrap();
    w.store
        .update_actor(
            &Actor::System,
            &boss,
            today(),
            created.id,
            ActorInput {
                fields: fields("Joint cell".into()),
                parent: None,
                classification: secret,
            },
        )
        .await
        .unwrap();
    assert!(
        w.store
            .get_actor(&Viewer::public(), today(), created.id)
            .await
            .unwrap()
            .is_none()
    );
    let page = w
        .store
        .list_actors(
            &Viewer::public(),
            today(),
            w.workspace,
            &ActorQuery::default(),
        )
        .await
        .unwrap();
    assert_eq!(page.total, 0);
    // create + update + reclassify, after 3 compartments, 1 user and 3 memberships.
    match w.store.verify_audit().await.unwrap() {
        custodes_store::audit::Verdict::Intact { entries, .. } => {
            assert_eq!(entries, 1 + 3 + 1 + 3 + 3)
        }
        other => panic!("{other:?}"),
    }
}

on_both_backends!(
    sql_and_core_agree_on_random_worlds,
    classification_rules_are_enforced_on_write,
    reclassification_is_audited_and_moves_the_record,
    relations_and_checks_follow_the_policy,
);

/// Relations show only between actors the viewer may read, and the checks run on what
/// the viewer may read.
async fn relations_and_checks_follow_the_policy(flavour: Flavour) {
    use custodes_core::sector::{CheckKind, OversightKind, RelationKind};
    use custodes_store::relation::NewRelation;
    let mut rng = StdRng::seed_from_u64(11);
    let w = world(flavour, &mut rng, 0).await;
    let boss = w.store.user_by_username("creator").await.unwrap();
    let boss = w.store.viewer(boss.id).await.unwrap().unwrap();
    let add = |name: &str, kind: ActorKind, c: Classification| ActorInput {
        fields: ActorFields {
            kind,
            ..fields(name.into())
        },
        parent: None,
        classification: c,
    };
    let secret = Classification::new(
        Level::Secret,
        BTreeSet::new(),
        Some("x".into()),
        None,
        Level::Public,
    )
    .unwrap();
    let police = w
        .store
        .create_actor(
            &Actor::System,
            &boss,
            today(),
            w.workspace,
            add("Police", ActorKind::Police, Classification::public()),
        )
        .await
        .unwrap();
    let committee = w
        .store
        .create_actor(
            &Actor::System,
            &boss,
            today(),
            w.workspace,
            add("Committee", ActorKind::ParliamentaryCommittee, secret),
        )
        .await
        .unwrap();
    w.store
        .create_relation(
            &Actor::System,
            &boss,
            today(),
            NewRelation {
                from: committee.id,
                to: police.id,
                kind: RelationKind::Oversees(OversightKind::Legislative),
                note: "",
            },
        )
        .await
        .unwrap();
    // A relation to itself and a duplicate are refused.
    assert!(
        w.store
            .create_relation(
                &Actor::System,
                &boss,
                today(),
                NewRelation {
                    from: police.id,
                    to: police.id,
                    kind: RelationKind::Funds,
                    note: ""
                }
            )
            .await
            .is_err()
    );
    let dup = w
        .store
        .create_relation(
            &Actor::System,
            &boss,
            today(),
            NewRelation {
                from: committee.id,
                to: police.id,
                kind: RelationKind::Oversees(OversightKind::Legislative),
                note: "",
            },
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");

    // Cleared: the police is overseen. The public sees neither the committee nor the relation,
    // and to them the police has no civilian oversight.
    let (_, rels, findings) = w
        .store
        .sector_map(&boss, today(), w.workspace)
        .await
        .unwrap();
    assert_eq!(rels.len(), 1);
    assert!(!findings.iter().any(|f| f.actor == police.id));
    let public = Viewer::public();
    let (actors, rels, findings) = w
        .store
        .sector_map(&public, today(), w.workspace)
        .await
        .unwrap();
    assert_eq!(actors.len(), 1);
    assert!(rels.is_empty());
    assert_eq!(
        findings.iter().map(|f| f.check).collect::<Vec<_>>(),
        vec![CheckKind::NoCivilianOversight]
    );
    assert!(
        w.store
            .list_relations(&public, today(), w.workspace, Some(police.id))
            .await
            .unwrap()
            .is_empty()
    );
}

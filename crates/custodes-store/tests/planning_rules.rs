//! The rules of the portfolio that bind every plan, on both backends: exclusions between
//! programmes, dependencies and integrity gates, the absorptive capacity of lead actors,
//! minimum shares of the spend and budget scenarios. Each is created and removed with its
//! audit entry; bad input is refused, naming the field, and writes nothing to the chain;
//! a programme or an actor the person may not read is refused as one that does not exist,
//! and a rule that names one is kept out of what they see; a scenario that plans were
//! optimised under is kept.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use custodes_core::access::CompartmentKind;
use custodes_core::audit::Actor;
use custodes_core::framework::ReformField;
use custodes_core::plan::{MinimumShare, Plan, PrecedenceKind, ProgrammeKind, ShareOf, SourceCost};
use custodes_core::planning::{
    Assumption, ExclusionFields, Horizon, OptionFields, ProgrammeFields, Scenario, SolveReport,
    SolveSettings, SourceFields,
};
use custodes_core::policy::{Classification, Viewer};
use custodes_core::sector::{ActorFields, ActorKind};
use custodes_core::strategy::GoalFields;
use custodes_core::{ActorId, CompartmentId, GoalId, Level, Role, WorkspaceId};
use custodes_store::actor::ActorInput;
use custodes_store::audit::Verdict;
use custodes_store::goal::GoalInput;
use custodes_store::plan::NewPlan;
use custodes_store::programme::{OptionEdit, ProgrammeInput};
use custodes_store::user::NewUser;
use custodes_store::{Store, StoreError};
use custodes_testkit::{Flavour, TestDb, on_both_backends};

fn today() -> NaiveDate {
    "2026-11-23".parse().unwrap()
}

fn system() -> Actor {
    Actor::System
}

struct Setup {
    _db: TestDb,
    store: Store,
    ws: WorkspaceId,
    /// A SECRET planner in the SIS compartment: reads everything.
    planner: Viewer,
    /// An OFFICIAL planner: may not read the SIS programme or the SIS actor.
    outsider: Viewer,
    /// Parliament: reads, does not plan.
    mp: Viewer,
    /// Reads the audit log.
    auditor: Viewer,
    goal: GoalId,
    police: ActorId,
    /// A CONFIDENTIAL actor in the SIS compartment.
    sis: ActorId,
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

fn secret(c: CompartmentId) -> Classification {
    Classification::new(
        Level::Confidential,
        [c].into(),
        Some("names an intelligence source".into()),
        None,
        Level::Public,
    )
    .unwrap()
}

fn programme(key: &str, classification: Classification) -> ProgrammeInput {
    ProgrammeInput {
        fields: ProgrammeFields {
            key: key.into(),
            name: format!("Programme {key}"),
            description: String::new(),
            kind: ProgrammeKind::Sectoral,
            field: ReformField::Professionalisation,
            mandatory: false,
            earliest_start: None,
            latest_start: None,
        },
        lead_actor: None,
        partners: BTreeSet::new(),
        donors: BTreeSet::new(),
        after: BTreeSet::new(),
        gated_by: BTreeSet::new(),
        classification,
    }
}

async fn actor(
    store: &Store,
    admin: &Viewer,
    ws: WorkspaceId,
    name: &str,
    c: Classification,
) -> ActorId {
    store
        .create_actor(
            &system(),
            admin,
            today(),
            ws,
            ActorInput {
                fields: ActorFields {
                    name: name.into(),
                    kind: ActorKind::Police,
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

/// A workspace with a horizon of 2027–2030, a goal, the treasury, two actors (one
/// classified), and three programmes: `p-a` and `p-b` public, `p-secret` classified.
async fn setup(flavour: Flavour) -> Setup {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    let ws = custodes_testkit::arvenia(&store, &system()).await.id;
    let sis = store
        .create_compartment(&system(), "sis", "SIS", CompartmentKind::Agency, "")
        .await
        .unwrap()
        .id;
    user(&store, "planner", Role::Planner, Level::Secret).await;
    user(&store, "auditor", Role::Auditor, Level::Secret).await;
    for member in ["planner", "auditor"] {
        store
            .set_membership(&system(), sis, member, true)
            .await
            .unwrap();
    }
    let u = store.user_by_username("planner").await.unwrap();
    let planner = store.viewer(u.id).await.unwrap().unwrap();
    let u = store.user_by_username("auditor").await.unwrap();
    let auditor = store.viewer(u.id).await.unwrap().unwrap();
    let outsider = user(&store, "outsider", Role::Planner, Level::Official).await;
    let mp = user(&store, "mp", Role::Parliament, Level::Secret).await;
    let police = actor(
        &store,
        &planner,
        ws,
        "National Police Service",
        Classification::public(),
    )
    .await;
    let sis_actor = actor(
        &store,
        &planner,
        ws,
        "State Intelligence Service",
        secret(sis),
    )
    .await;
    let goal = store
        .create_goal(
            &system(),
            &planner,
            today(),
            ws,
            GoalInput {
                fields: GoalFields {
                    title: "Control the border".into(),
                    description: String::new(),
                    weight_override: None,
                },
                threats: BTreeSet::new(),
                deficits: BTreeSet::new(),
            },
        )
        .await
        .unwrap();
    store
        .set_horizon(
            &system(),
            &planner,
            ws,
            Horizon {
                first_year: 2027,
                years: 4,
                discount_rate: 0.03,
            },
        )
        .await
        .unwrap();
    store
        .save_source(
            &system(),
            &planner,
            chrono::Utc::now().date_naive(),
            ws,
            SourceFields {
                key: "treasury".into(),
                name: "Treasury".into(),
                ceilings: vec![10.0e6; 4],
                eligible_fields: vec![],
                carry_over: false,
            },
            vec![],
        )
        .await
        .unwrap();
    for (key, c) in [
        ("p-a", Classification::public()),
        ("p-b", Classification::public()),
        ("p-secret", secret(sis)),
    ] {
        store
            .create_programme(&system(), &planner, today(), ws, programme(key, c))
            .await
            .unwrap();
        store
            .save_option(
                &system(),
                &planner,
                today(),
                ws,
                OptionEdit {
                    programme: key.into(),
                    editing: None,
                    fields: OptionFields {
                        key: "full".into(),
                        name: "Full".into(),
                        duration: 1,
                        costs: vec![SourceCost {
                            source: "treasury".into(),
                            per_year: vec![1.0e6],
                        }],
                        contributions: vec![],
                    },
                },
            )
            .await
            .unwrap();
    }
    Setup {
        _db: db,
        store,
        ws,
        planner,
        outsider,
        mp,
        auditor,
        goal,
        police,
        sis: sis_actor,
    }
}

/// The number of entries in the audit chain, which must be intact.
async fn entries(store: &Store) -> u64 {
    match store.verify_audit().await.unwrap() {
        Verdict::Intact { entries, .. } => entries,
        Verdict::Broken(b) => panic!("{b}"),
    }
}

/// The actions of the chain's last `n` entries, oldest first.
async fn last_actions(s: &Setup, n: i64) -> Vec<String> {
    let (entries, _) = s
        .store
        .audit_log(
            &s.auditor,
            today(),
            &custodes_store::audit::AuditFilter::default(),
            n,
            0,
        )
        .await
        .unwrap();
    entries.into_iter().rev().map(|e| e.action).collect()
}

/// The field names of a refusal, which must be field errors.
fn fields(result: Result<impl std::fmt::Debug, StoreError>) -> Vec<&'static str> {
    match result {
        Err(StoreError::Fields(f)) => f.iter().map(|e| e.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn exclusion(name: &str, programmes: &[&str]) -> ExclusionFields {
    ExclusionFields {
        name: name.into(),
        programmes: programmes.iter().map(|k| (*k).to_owned()).collect(),
    }
}

async fn exclusions_are_added_and_removed(flavour: Flavour) {
    let s = setup(flavour).await;
    let (st, p) = (&s.store, &s.planner);
    let before = entries(st).await;
    for (bad, expected) in [
        (exclusion("", &["p-a", "p-b"]), vec!["name"]),
        (exclusion("One", &["p-a"]), vec!["programmes"]),
        (
            exclusion("One", &["p-a", "p-a"]),
            vec!["programmes", "programmes"],
        ),
        (exclusion("One", &["p-a", "p-none"]), vec!["programmes"]),
    ] {
        assert_eq!(
            fields(st.create_exclusion(&system(), p, today(), s.ws, bad).await),
            expected
        );
    }
    // Parliament reads the portfolio but may not change its rules.
    assert!(matches!(
        st.create_exclusion(
            &system(),
            &s.mp,
            today(),
            s.ws,
            exclusion("One", &["p-a", "p-b"])
        )
        .await,
        Err(StoreError::Forbidden(_))
    ));
    // A programme the outsider may not read is refused as one that does not exist.
    match st
        .create_exclusion(
            &system(),
            &s.outsider,
            today(),
            s.ws,
            exclusion("One", &["p-a", "p-secret"]),
        )
        .await
    {
        Err(StoreError::Fields(f)) => {
            assert_eq!(f[0].field, "programmes");
            assert_eq!(f[0].message, "there is no programme p-secret");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        entries(st).await,
        before,
        "a refused exclusion wrote something"
    );

    let open = st
        .create_exclusion(
            &system(),
            p,
            today(),
            s.ws,
            exclusion(" One system ", &["p-b", "p-a"]),
        )
        .await
        .unwrap();
    assert_eq!(open.name, "One system");
    assert_eq!(open.programmes, ["p-a", "p-b"]);
    let hidden = st
        .create_exclusion(
            &system(),
            p,
            today(),
            s.ws,
            exclusion("Either the secret one", &["p-a", "p-secret"]),
        )
        .await
        .unwrap();
    assert_eq!(st.list_exclusions(p, today(), s.ws).await.unwrap().len(), 2);
    // An exclusion that names a programme the outsider may not read is left out whole.
    let seen = st
        .list_exclusions(&s.outsider, today(), s.ws)
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0], open);
    assert!(matches!(
        st.delete_exclusion(&system(), &s.outsider, today(), s.ws, &hidden.id)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        st.delete_exclusion(&system(), p, today(), s.ws, "no-such-id")
            .await,
        Err(StoreError::NotFound { .. })
    ));
    st.delete_exclusion(&system(), &s.outsider, today(), s.ws, &open.id)
        .await
        .unwrap();
    assert_eq!(
        st.list_exclusions(p, today(), s.ws).await.unwrap(),
        [hidden]
    );
    assert_eq!(entries(st).await, before + 3);
    assert_eq!(
        last_actions(&s, 3).await,
        ["exclusion.create", "exclusion.create", "exclusion.delete"]
    );
}

async fn dependencies_and_gates_are_added_and_removed(flavour: Flavour) {
    let s = setup(flavour).await;
    let (st, p) = (&s.store, &s.planner);
    let before = entries(st).await;
    let dep = PrecedenceKind::Dependency;
    let gate = PrecedenceKind::Gate;
    assert_eq!(
        fields(
            st.add_programme_link(&system(), p, today(), s.ws, "p-a", dep, "p-a")
                .await
        ),
        ["before"]
    );
    assert_eq!(
        fields(
            st.add_programme_link(&system(), p, today(), s.ws, "p-a", dep, "p-none")
                .await
        ),
        ["before"]
    );
    // The outsider may not read the secret programme: as a predecessor it does not
    // exist, and as the programme that waits it is not found.
    assert_eq!(
        fields(
            st.add_programme_link(
                &system(),
                &s.outsider,
                today(),
                s.ws,
                "p-a",
                gate,
                "p-secret"
            )
            .await
        ),
        ["before"]
    );
    assert!(matches!(
        st.add_programme_link(
            &system(),
            &s.outsider,
            today(),
            s.ws,
            "p-secret",
            dep,
            "p-a"
        )
        .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        st.add_programme_link(&system(), &s.mp, today(), s.ws, "p-a", dep, "p-b")
            .await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        st.remove_programme_link(&system(), p, today(), s.ws, "p-a", dep, "p-b")
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(entries(st).await, before);

    let a = st
        .add_programme_link(&system(), p, today(), s.ws, "p-a", dep, "p-b")
        .await
        .unwrap();
    assert_eq!(a.after, ["p-b"]);
    assert_eq!(
        fields(
            st.add_programme_link(&system(), p, today(), s.ws, "p-a", dep, "p-b")
                .await
        ),
        ["before"],
        "a link that exists is refused"
    );
    let a = st
        .add_programme_link(&system(), p, today(), s.ws, "p-a", gate, "p-secret")
        .await
        .unwrap();
    assert_eq!(a.gated_by, ["p-secret"]);
    // The outsider sees the dependency but not the gate, and cannot remove the gate.
    let seen = st
        .get_programme(&s.outsider, today(), s.ws, "p-a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.after, ["p-b"]);
    assert!(seen.gated_by.is_empty());
    assert!(matches!(
        st.remove_programme_link(
            &system(),
            &s.outsider,
            today(),
            s.ws,
            "p-a",
            gate,
            "p-secret"
        )
        .await,
        Err(StoreError::NotFound { .. })
    ));
    let a = st
        .remove_programme_link(&system(), &s.outsider, today(), s.ws, "p-a", dep, "p-b")
        .await
        .unwrap();
    assert!(a.after.is_empty());
    let a = st
        .get_programme(p, today(), s.ws, "p-a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.gated_by, ["p-secret"], "the hidden gate stays");
    assert_eq!(
        last_actions(&s, 3).await,
        [
            "programme.link.add",
            "programme.link.add",
            "programme.link.remove"
        ]
    );
    assert_eq!(entries(st).await, before + 3);
}

async fn capacities_are_set_and_removed(flavour: Flavour) {
    let s = setup(flavour).await;
    let (st, p) = (&s.store, &s.planner);
    let before = entries(st).await;
    assert_eq!(
        fields(
            st.set_capacity(&system(), p, today(), s.ws, s.police, 0)
                .await
        ),
        ["max_running"]
    );
    // The outsider may not read the SIS: it is not an actor they may choose.
    assert_eq!(
        fields(
            st.set_capacity(&system(), &s.outsider, today(), s.ws, s.sis, 0)
                .await
        ),
        ["actor", "max_running"]
    );
    assert!(matches!(
        st.set_capacity(&system(), &s.mp, today(), s.ws, s.police, 2)
            .await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        st.remove_capacity(&system(), p, today(), s.ws, s.police)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(entries(st).await, before);

    let set = st
        .set_capacity(&system(), p, today(), s.ws, s.police, 2)
        .await
        .unwrap();
    assert_eq!(set.max_running, 2);
    st.set_capacity(&system(), p, today(), s.ws, s.police, 3)
        .await
        .unwrap();
    st.set_capacity(&system(), p, today(), s.ws, s.sis, 1)
        .await
        .unwrap();
    let all = st.list_capacities(p, today(), s.ws).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(
        all.iter()
            .any(|c| c.actor.id == s.police && c.max_running == 3)
    );
    // The outsider's list has the SIS's limit without its name, and may not remove it.
    let seen = st
        .list_capacities(&s.outsider, today(), s.ws)
        .await
        .unwrap();
    assert!(
        seen.iter()
            .any(|c| c.actor.id == s.sis && c.actor.name.is_none())
    );
    assert!(matches!(
        st.remove_capacity(&system(), &s.outsider, today(), s.ws, s.sis)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    st.remove_capacity(&system(), p, today(), s.ws, s.police)
        .await
        .unwrap();
    let all = st.list_capacities(p, today(), s.ws).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].actor.id, s.sis);
    assert_eq!(
        last_actions(&s, 4).await,
        [
            "planning.capacity",
            "planning.capacity",
            "planning.capacity",
            "planning.capacity.remove"
        ]
    );
    assert_eq!(entries(st).await, before + 4);
}

async fn minimum_shares_are_set_and_removed(flavour: Flavour) {
    let s = setup(flavour).await;
    let (st, p) = (&s.store, &s.planner);
    let field = |f, share| MinimumShare {
        of: ShareOf::Field(f),
        share,
    };
    let before = entries(st).await;
    for share in [0.0, -0.2, 1.5, f64::NAN] {
        assert_eq!(
            fields(
                st.set_minimum_share(&system(), p, s.ws, field(ReformField::RuleOfLaw, share))
                    .await
            ),
            ["share"]
        );
    }
    assert_eq!(
        fields(
            st.set_minimum_share(
                &system(),
                p,
                s.ws,
                MinimumShare {
                    of: ShareOf::Goal("0190a0a0-0000-7000-8000-000000000000".into()),
                    share: 0.1,
                },
            )
            .await
        ),
        ["of"]
    );
    assert!(matches!(
        st.set_minimum_share(&system(), &s.mp, s.ws, field(ReformField::RuleOfLaw, 0.1))
            .await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        st.remove_minimum_share(&system(), p, s.ws, &ShareOf::Field(ReformField::RuleOfLaw))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(entries(st).await, before);

    st.set_minimum_share(&system(), p, s.ws, field(ReformField::RuleOfLaw, 0.6))
        .await
        .unwrap();
    // The fields' shares may not add up to more than the whole spend; the share being
    // replaced does not count.
    assert_eq!(
        fields(
            st.set_minimum_share(
                &system(),
                p,
                s.ws,
                field(ReformField::Professionalisation, 0.5)
            )
            .await
        ),
        ["share"]
    );
    st.set_minimum_share(&system(), p, s.ws, field(ReformField::RuleOfLaw, 0.4))
        .await
        .unwrap();
    st.set_minimum_share(
        &system(),
        p,
        s.ws,
        field(ReformField::Professionalisation, 0.5),
    )
    .await
    .unwrap();
    let goal = MinimumShare {
        of: ShareOf::Goal(s.goal.to_string().as_str().into()),
        share: 0.9,
    };
    st.set_minimum_share(&system(), p, s.ws, goal.clone())
        .await
        .unwrap();
    assert_eq!(st.list_minimum_shares(s.ws).await.unwrap().len(), 3);
    st.remove_minimum_share(&system(), p, s.ws, &goal.of)
        .await
        .unwrap();
    let left = st.list_minimum_shares(s.ws).await.unwrap();
    assert_eq!(
        left,
        [
            field(ReformField::Professionalisation, 0.5),
            field(ReformField::RuleOfLaw, 0.4)
        ]
    );
    assert_eq!(
        last_actions(&s, 5).await,
        [
            "planning.minimum_share",
            "planning.minimum_share",
            "planning.minimum_share",
            "planning.minimum_share",
            "planning.minimum_share.remove"
        ]
    );
    assert_eq!(entries(st).await, before + 5);
}

fn scenario(key: &str, assumptions: Vec<Assumption>) -> Scenario {
    Scenario {
        key: key.into(),
        name: format!("Scenario {key}"),
        description: String::new(),
        assumptions,
    }
}

fn cut(factor: f64, from_year: i32) -> Assumption {
    Assumption::Factor {
        source: "treasury".into(),
        from_year,
        factor,
    }
}

async fn scenarios_are_created_changed_and_deleted_unless_a_plan_uses_them(flavour: Flavour) {
    let s = setup(flavour).await;
    let (st, p) = (&s.store, &s.planner);
    let before = entries(st).await;
    assert_eq!(
        fields(
            st.create_scenario(
                &system(),
                p,
                s.ws,
                Scenario {
                    name: String::new(),
                    ..scenario(
                        "Bad Key",
                        vec![
                            cut(-0.2, 2028),
                            Assumption::Leaves {
                                source: "nobody".into(),
                                from_year: 2040
                            }
                        ]
                    )
                },
            )
            .await
        ),
        ["key", "name", "assumptions", "assumptions", "assumptions"]
    );
    assert!(matches!(
        st.create_scenario(&system(), &s.mp, s.ws, scenario("cut", vec![]))
            .await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        st.update_scenario(&system(), p, s.ws, "none", scenario("none", vec![]))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        st.delete_scenario(&system(), p, today(), s.ws, "none")
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(entries(st).await, before);

    st.create_scenario(&system(), p, s.ws, scenario("cut", vec![cut(0.8, 2028)]))
        .await
        .unwrap();
    assert_eq!(
        fields(
            st.create_scenario(&system(), p, s.ws, scenario("cut", vec![]))
                .await
        ),
        ["key"],
        "a key that exists is refused, not overwritten"
    );
    let changed = st
        .update_scenario(
            &system(),
            p,
            s.ws,
            "cut",
            Scenario {
                key: "ignored".into(),
                ..scenario("x", vec![cut(0.7, 2029)])
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.scenario.key, "cut");
    let found = st.find_scenario(s.ws, "cut").await.unwrap().unwrap();
    assert_eq!(found.scenario.assumptions, [cut(0.7, 2029)]);
    st.create_scenario(&system(), p, s.ws, scenario("spare", vec![]))
        .await
        .unwrap();
    st.delete_scenario(&system(), p, today(), s.ws, "spare")
        .await
        .unwrap();
    assert!(st.find_scenario(s.ws, "spare").await.unwrap().is_none());

    // A plan optimised under "cut" keeps it: deleting is refused and changes nothing.
    let assembled = st
        .plan_problem(p, today(), s.ws, &found.scenario)
        .await
        .unwrap();
    st.create_plan(
        &system(),
        p,
        s.ws,
        NewPlan {
            name: "Lean plan".into(),
            scenario_id: Some(found.id),
            scenario: found.scenario.clone(),
            settings: SolveSettings::default(),
            assembled,
            choices: Plan::new(),
            report: SolveReport::default(),
            outcome: serde_json::json!({}),
        },
    )
    .await
    .unwrap();
    let counted = entries(st).await;
    match st.delete_scenario(&system(), p, today(), s.ws, "cut").await {
        Err(StoreError::Conflict(m)) => assert!(
            m.contains("plans were optimised under the scenario Scenario x (“Lean plan”)"),
            "{m}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // The plan is classified like the portfolio it weighed, which holds the secret
    // programme: the outsider is refused without its name.
    match st
        .delete_scenario(&system(), &s.outsider, today(), s.ws, "cut")
        .await
    {
        Err(StoreError::Conflict(m)) => {
            assert!(m.contains("plans were optimised"), "{m}");
            assert!(!m.contains("Lean plan"), "{m}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(entries(st).await, counted);
    assert!(st.find_scenario(s.ws, "cut").await.unwrap().is_some());
    assert_eq!(
        last_actions(&s, 5).await,
        [
            "scenario.create",
            "scenario.update",
            "scenario.create",
            "scenario.delete",
            "plan.create"
        ]
    );
}

fn donor_fields() -> SourceFields {
    SourceFields {
        key: "donor".into(),
        name: "Donor".into(),
        ceilings: vec![1.0e6; 4],
        eligible_fields: vec![],
        carry_over: false,
    }
}

/// A source's eligible programmes are chosen among those the writer may read: a hidden
/// programme is refused as unknown, and a hidden link survives a save by someone who
/// cannot see it.
async fn sources_keep_the_programmes_their_writer_cannot_see(flavour: Flavour) {
    let s = setup(flavour).await;
    let st = &s.store;
    st.save_source(
        &system(),
        &s.planner,
        today(),
        s.ws,
        donor_fields(),
        vec!["p-a".into(), "p-secret".into()],
    )
    .await
    .unwrap();
    let before = entries(st).await;
    let refused = st
        .save_source(
            &system(),
            &s.outsider,
            today(),
            s.ws,
            donor_fields(),
            vec!["p-secret".into()],
        )
        .await;
    match refused {
        Err(StoreError::Fields(problems)) => {
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].field, "eligible_programmes");
            assert_eq!(problems[0].message, "there is no programme p-secret");
        }
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(entries(st).await, before, "a refusal writes nothing");
    // The outsider replaces p-a by p-b; the hidden link stays.
    st.save_source(
        &system(),
        &s.outsider,
        today(),
        s.ws,
        donor_fields(),
        vec!["p-b".into()],
    )
    .await
    .unwrap();
    let donor = st.get_source(s.ws, "donor").await.unwrap().unwrap();
    assert_eq!(donor.eligible_programmes, ["p-b", "p-secret"]);
}

on_both_backends!(
    sources_keep_the_programmes_their_writer_cannot_see,
    exclusions_are_added_and_removed,
    dependencies_and_gates_are_added_and_removed,
    capacities_are_set_and_removed,
    minimum_shares_are_set_and_removed,
    scenarios_are_created_changed_and_deleted_unless_a_plan_uses_them,
);

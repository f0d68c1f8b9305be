//! Capabilities-based planning on both backends: the horizon, capabilities, funding
//! sources, programmes with options, links, exclusions, capacities, shares and scenarios
//! are created, changed and audited; bad input changes nothing; the plan problem is
//! assembled from what is stored (and refused to a viewer who cannot read the whole
//! portfolio), its goals weighed only by the threats every reader of the plan may read;
//! plans go through their life cycle and are frozen once approved; classified programmes
//! stay out of every list of a viewer who may not read them; a backup carries it all.

use std::collections::BTreeSet;
use std::io::Cursor;

use chrono::NaiveDate;
use custodes_core::access::CompartmentKind;
use custodes_core::audit::Actor;
use custodes_core::framework::ReformField;
use custodes_core::plan::{Contribution, MinimumShare, Plan, ProgrammeKind, ShareOf, SourceCost};
use custodes_core::planning::{
    Assumption, CapabilityFields, CurrentLevel, ExclusionFields, Horizon, OptionFields, PlanStatus,
    PlanStep, ProgrammeFields, Scenario, SolveReport, SolveSettings, SourceFields,
};
use custodes_core::policy::{Classification, Viewer};
use custodes_core::sector::{ActorFields, ActorKind};
use custodes_core::strategy::{
    GoalFields, Origin, Scope, SourceKind, Target, ThreatFields, Trend, Weight, WeightOverride,
};
use custodes_core::{ActorId, CompartmentId, GoalId, Level, Role, WorkspaceId};
use custodes_store::actor::ActorInput;
use custodes_store::audit::{AuditFilter, Verdict};
use custodes_store::capability::CapabilityInput;
use custodes_store::goal::GoalInput;
use custodes_store::plan::NewPlan;
use custodes_store::programme::{OptionEdit, ProgrammeInput, ProgrammeQuery};
use custodes_store::threat::ThreatInput;
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
    sis: CompartmentId,
    planner: Viewer,
    goal: GoalId,
    police: ActorId,
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

fn horizon() -> Horizon {
    Horizon {
        first_year: 2027,
        years: 4,
        discount_rate: 0.03,
    }
}

/// A workspace with a horizon, a goal, a lead actor, two capabilities and two sources.
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
    let planner = join(&store, sis, "planner").await;
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
    let admin = user(&store, "admin", Role::Administrator, Level::Secret).await;
    let police = store
        .create_actor(
            &system(),
            &admin,
            today(),
            ws,
            ActorInput {
                fields: ActorFields {
                    name: "National Police Service".into(),
                    kind: ActorKind::Police,
                    mandate: String::new(),
                    legal_basis: String::new(),
                    personnel: None,
                    budget: None,
                },
                parent: None,
                classification: Classification::public(),
            },
        )
        .await
        .unwrap()
        .id;
    store
        .set_horizon(&system(), &planner, ws, horizon())
        .await
        .unwrap();
    for (key, name) in [("border", "Border surveillance"), ("policing", "Policing")] {
        store
            .create_capability(
                &system(),
                &planner,
                today(),
                ws,
                CapabilityInput {
                    goal,
                    fields: CapabilityFields {
                        key: key.into(),
                        name: name.into(),
                        description: String::new(),
                        required: vec![60.0, 70.0, 80.0, 80.0],
                        current: CurrentLevel::Entered {
                            levels: vec![30.0; 4],
                        },
                    },
                },
            )
            .await
            .unwrap();
    }
    for (key, name, ceiling, fields) in [
        ("treasury", "Treasury", 10.0e6, vec![]),
        (
            "union",
            "Union Development Fund",
            5.0e6,
            vec![ReformField::CivilDemocraticControl],
        ),
    ] {
        store
            .save_source(
                &system(),
                &planner,
                chrono::Utc::now().date_naive(),
                ws,
                SourceFields {
                    key: key.into(),
                    name: name.into(),
                    ceilings: vec![ceiling; 4],
                    eligible_fields: fields,
                    carry_over: false,
                },
                vec![],
            )
            .await
            .unwrap();
    }
    Setup {
        _db: db,
        store,
        ws,
        sis,
        planner,
        goal,
        police,
    }
}

fn programme(key: &str, lead: Option<ActorId>, classification: Classification) -> ProgrammeInput {
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
        lead_actor: lead,
        partners: BTreeSet::new(),
        donors: BTreeSet::new(),
        after: BTreeSet::new(),
        gated_by: BTreeSet::new(),
        classification,
    }
}

fn option(key: &str, cost: f64, cap: &str, points: f64) -> OptionFields {
    OptionFields {
        key: key.into(),
        name: format!("Option {key}"),
        duration: 2,
        costs: vec![SourceCost {
            source: "treasury".into(),
            per_year: vec![cost, cost],
        }],
        contributions: vec![Contribution {
            capability: cap.into(),
            per_year: vec![points / 2.0, points],
        }],
    }
}

fn confidential(c: CompartmentId) -> Classification {
    Classification::new(
        Level::Confidential,
        [c].into(),
        Some("names an intelligence source".into()),
        None,
        Level::Public,
    )
    .unwrap()
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

async fn the_portfolio_is_created_updated_and_audited(flavour: Flavour) {
    let s = setup(flavour).await;
    let (st, p) = (&s.store, &s.planner);
    let caps = st.list_capabilities(p, today(), s.ws).await.unwrap();
    assert_eq!(caps.len(), 2);
    assert_eq!(caps[0].gaps().unwrap(), vec![30.0, 40.0, 50.0, 50.0]);

    let a = st
        .create_programme(
            &system(),
            p,
            today(),
            s.ws,
            programme("p-academy", Some(s.police), Classification::public()),
        )
        .await
        .unwrap();
    assert_eq!(
        a.lead_actor.unwrap().name.unwrap(),
        "National Police Service"
    );
    st.save_option(
        &system(),
        p,
        today(),
        s.ws,
        OptionEdit {
            programme: "p-academy".into(),
            editing: None,
            fields: option("full", 2.0e6, "policing", 30.0),
        },
    )
    .await
    .unwrap();
    let mut b = programme("p-border", None, Classification::public());
    b.after = ["p-academy".to_owned()].into();
    st.create_programme(&system(), p, today(), s.ws, b.clone())
        .await
        .unwrap();
    b.fields.name = "Border surveillance and joint posts".into();
    b.gated_by = ["p-academy".to_owned()].into();
    b.after.clear();
    let b = st
        .update_programme(&system(), p, today(), s.ws, "p-border", b)
        .await
        .unwrap();
    assert_eq!(b.fields.name, "Border surveillance and joint posts");
    assert_eq!(b.gated_by, ["p-academy"]);
    assert!(b.after.is_empty());
    let b = st
        .save_option(
            &system(),
            p,
            today(),
            s.ws,
            OptionEdit {
                programme: "p-border".into(),
                editing: None,
                fields: option("phased", 1.0e6, "border", 20.0),
            },
        )
        .await
        .unwrap();
    let mut changed = option("ignored", 1.5e6, "border", 25.0);
    changed.name = "Phased, revised".into();
    let b2 = st
        .save_option(
            &system(),
            p,
            today(),
            s.ws,
            OptionEdit {
                programme: "p-border".into(),
                editing: Some("phased".into()),
                fields: changed,
            },
        )
        .await
        .unwrap();
    assert_eq!(b2.options.len(), 1);
    assert_eq!(b2.options[0].fields.key, "phased");
    assert_eq!(b2.options[0].fields.name, "Phased, revised");
    assert_ne!(b2.options, b.options);

    st.create_exclusion(
        &system(),
        p,
        today(),
        s.ws,
        ExclusionFields {
            name: "One of the two".into(),
            programmes: vec!["p-academy".to_owned(), "p-border".to_owned()],
        },
    )
    .await
    .unwrap();
    st.set_capacity(&system(), p, today(), s.ws, s.police, 2)
        .await
        .unwrap();
    st.set_minimum_share(
        &system(),
        p,
        s.ws,
        MinimumShare {
            of: ShareOf::Field(ReformField::Professionalisation),
            share: 0.1,
        },
    )
    .await
    .unwrap();
    st.save_scenario(
        &system(),
        p,
        s.ws,
        Scenario {
            key: "treasury-minus-20".into(),
            name: "Treasury −20%".into(),
            description: String::new(),
            assumptions: vec![Assumption::Factor {
                source: "treasury".into(),
                from_year: 2028,
                factor: 0.8,
            }],
        },
    )
    .await
    .unwrap();

    let filtered = st
        .list_programmes(
            p,
            today(),
            s.ws,
            &ProgrammeQuery {
                lead: Some(s.police),
                ..ProgrammeQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(filtered.len(), 1);
    assert_eq!(
        st.list_exclusions(p, today(), s.ws).await.unwrap()[0].programmes,
        ["p-academy", "p-border"]
    );
    assert_eq!(
        actions(st, p, "programme").await,
        [
            "programme.create",
            "programme.option.create",
            "programme.create",
            "programme.update",
            "programme.option.create",
            "programme.option.update"
        ]
    );
    assert_eq!(
        actions(st, p, "capability").await,
        ["capability.create", "capability.create"]
    );
    assert!(matches!(
        st.verify_audit().await.unwrap(),
        Verdict::Intact { .. }
    ));
    let found = st
        .find_scenario(s.ws, "treasury −20%")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.scenario.key, "treasury-minus-20");
}

async fn bad_input_is_refused_and_changes_nothing(flavour: Flavour) {
    let s = setup(flavour).await;
    let (st, p) = (&s.store, &s.planner);
    let before = st.verify_audit().await.unwrap();
    let mut bad = programme("Bad Key", Some(s.police), Classification::public());
    bad.fields.earliest_start = Some(2040);
    bad.after = ["p-nothing".to_owned()].into();
    match st.create_programme(&system(), p, today(), s.ws, bad).await {
        Err(StoreError::Fields(f)) => {
            let names: Vec<_> = f.iter().map(|e| e.field).collect();
            assert_eq!(names, ["key", "earliest_start", "after"]);
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    st.create_programme(
        &system(),
        p,
        today(),
        s.ws,
        programme("p-a", None, Classification::public()),
    )
    .await
    .unwrap();
    let mut o = option("full", -1.0, "nowhere", 30.0);
    o.costs[0].source = "nobody".into();
    match st
        .save_option(
            &system(),
            p,
            today(),
            s.ws,
            OptionEdit {
                programme: "p-a".into(),
                editing: None,
                fields: o,
            },
        )
        .await
    {
        Err(StoreError::Fields(f)) => {
            let names: Vec<_> = f.iter().map(|e| e.field).collect();
            assert_eq!(names, ["costs", "costs", "contributions"]);
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    let dup = st
        .create_programme(
            &system(),
            p,
            today(),
            s.ws,
            programme("p-a", None, Classification::public()),
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Fields(f)) if f[0].field == "key"));
    let reader = user(st, "reader", Role::Parliament, Level::Secret).await;
    assert!(matches!(
        st.create_programme(
            &system(),
            &reader,
            today(),
            s.ws,
            programme("p-b", None, Classification::public())
        )
        .await,
        Err(StoreError::Forbidden(_))
    ));
    let programmes = st
        .list_programmes(p, today(), s.ws, &ProgrammeQuery::default())
        .await
        .unwrap();
    assert_eq!(programmes.len(), 1);
    assert!(programmes[0].options.is_empty());
    let after = st.verify_audit().await.unwrap();
    match (before, after) {
        (Verdict::Intact { entries: a, .. }, Verdict::Intact { entries: b, .. }) => {
            // Two entries: the programme that was created and the reader.
            assert_eq!(b, a + 2);
        }
        other => panic!("chain broken: {other:?}"),
    }
}

/// The portfolio of the plan tests: an academy (public) and a border programme
/// (confidential, in the SIS compartment), each with one option.
async fn portfolio(s: &Setup) {
    let (st, p) = (&s.store, &s.planner);
    st.create_programme(
        &system(),
        p,
        today(),
        s.ws,
        programme("p-academy", Some(s.police), Classification::public()),
    )
    .await
    .unwrap();
    st.save_option(
        &system(),
        p,
        today(),
        s.ws,
        OptionEdit {
            programme: "p-academy".into(),
            editing: None,
            fields: option("full", 2.0e6, "policing", 30.0),
        },
    )
    .await
    .unwrap();
    let mut b = programme("p-border", None, confidential(s.sis));
    b.after = ["p-academy".to_owned()].into();
    st.create_programme(&system(), p, today(), s.ws, b)
        .await
        .unwrap();
    st.save_option(
        &system(),
        p,
        today(),
        s.ws,
        OptionEdit {
            programme: "p-border".into(),
            editing: None,
            fields: option("full", 3.0e6, "border", 40.0),
        },
    )
    .await
    .unwrap();
}

async fn the_problem_is_assembled_from_what_the_viewer_may_read(flavour: Flavour) {
    let s = setup(flavour).await;
    portfolio(&s).await;
    let (st, p) = (&s.store, &s.planner);
    let cut = Scenario {
        key: "cut".into(),
        name: "Cut".into(),
        description: String::new(),
        assumptions: vec![Assumption::Leaves {
            source: "union".into(),
            from_year: 2029,
        }],
    };
    let a = st.plan_problem(p, today(), s.ws, &cut).await.unwrap();
    assert!(a.problems.is_empty(), "{:?}", a.problems);
    assert_eq!(a.problem.first_year, 2027);
    assert_eq!(a.problem.programmes.len(), 2);
    assert_eq!(a.problem.dependencies.len(), 1);
    assert_eq!(a.problem.dependencies[0].before.as_str(), "p-academy");
    assert_eq!(a.problem.capabilities.len(), 2);
    // The goal has no threat, so its weight is 0, shared by its two capabilities.
    assert_eq!(a.problem.capabilities[0].weight, 0.0);
    assert_eq!(a.problem.goals()[0].as_str(), s.goal.to_string());
    let union = a.problem.sources.iter().find(|x| x.id.as_str() == "union");
    assert_eq!(union.unwrap().ceilings, vec![5.0e6, 5.0e6, 0.0, 0.0]);
    assert_eq!(a.classification.level, Level::Confidential);
    assert_eq!(a.classification.compartments, [s.sis].into());

    // A planner who may not read the border programme may not optimise at all.
    let outsider = user(st, "outsider", Role::Planner, Level::Official).await;
    let refused = st.plan_problem(&outsider, today(), s.ws, &cut).await;
    match refused {
        Err(StoreError::Invalid(m)) => {
            assert!(m.contains("programmes you may not read"), "{m}");
            assert!(!m.contains("border"), "{m}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // A cycle of dependencies is named by the core's validation.
    let mut academy = st
        .get_programme(p, today(), s.ws, "p-academy")
        .await
        .unwrap()
        .unwrap();
    academy.after.push("p-border".into());
    let input = ProgrammeInput {
        fields: academy.fields.clone(),
        lead_actor: Some(s.police),
        partners: BTreeSet::new(),
        donors: BTreeSet::new(),
        after: academy.after.iter().cloned().collect(),
        gated_by: BTreeSet::new(),
        classification: Classification::public(),
    };
    st.update_programme(&system(), p, today(), s.ws, "p-academy", input)
        .await
        .unwrap();
    let a = st.plan_problem(p, today(), s.ws, &cut).await.unwrap();
    assert!(
        a.problems
            .iter()
            .any(|x| x.to_string().contains("p-academy")),
        "{:?}",
        a.problems
    );
}

fn new_plan(assembled: custodes_store::plan::Assembled, name: &str, choices: Plan) -> NewPlan {
    NewPlan {
        name: name.into(),
        scenario_id: None,
        scenario: Scenario::default(),
        settings: SolveSettings::default(),
        assembled,
        choices,
        report: SolveReport::default(),
        outcome: serde_json::json!({}),
    }
}

async fn a_plan_goes_through_its_life_cycle_and_is_frozen(flavour: Flavour) {
    let s = setup(flavour).await;
    portfolio(&s).await;
    let (st, p) = (&s.store, &s.planner);
    let assembled = st
        .plan_problem(p, today(), s.ws, &Scenario::default())
        .await
        .unwrap();
    // The core's checker refuses a plan that breaks a rule: the border programme starts
    // before the academy it depends on has finished.
    let broken = Plan::new()
        .with("p-academy", "full", 2027)
        .with("p-border", "full", 2028);
    let refused = st
        .create_plan(
            &system(),
            p,
            s.ws,
            new_plan(assembled.clone(), "Broken", broken),
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Invalid(m)) if m.contains("breaks a rule")));
    let good = Plan::new()
        .with("p-academy", "full", 2027)
        .with("p-border", "full", 2029);
    let first = st
        .create_plan(
            &system(),
            p,
            s.ws,
            new_plan(assembled.clone(), "Plan 2027", good.clone()),
        )
        .await
        .unwrap();
    assert_eq!(first.lifecycle.status, PlanStatus::Draft);
    assert_eq!(first.classification.level, Level::Confidential);
    user(st, "mp", Role::Parliament, Level::Secret).await;
    let mp = join(st, s.sis, "mp").await;
    assert!(st.get_plan(&mp, today(), first.id).await.unwrap().is_none());
    st.change_plan_status(&system(), p, today(), first.id, PlanStep::Submit)
        .await
        .unwrap();
    assert!(st.get_plan(&mp, today(), first.id).await.unwrap().is_some());
    // Only parliament's recorders approve, with a reference.
    let approve = PlanStep::Approve {
        approved_on: today(),
        reference: "NA/2026/233".into(),
    };
    let no_ref = st
        .change_plan_status(
            &system(),
            &mp,
            today(),
            first.id,
            PlanStep::Approve {
                approved_on: today(),
                reference: " ".into(),
            },
        )
        .await;
    assert!(matches!(no_ref, Err(StoreError::Fields(f)) if f[0].field == "approval_reference"));
    let approved = st
        .change_plan_status(&system(), &mp, today(), first.id, approve.clone())
        .await
        .unwrap();
    assert_eq!(approved.lifecycle.status, PlanStatus::Approved);
    let frozen = st
        .rename_plan(&system(), p, today(), first.id, "Another name")
        .await;
    assert!(matches!(frozen, Err(StoreError::Invalid(m)) if m.contains("frozen")));
    let again = st
        .change_plan_status(&system(), p, today(), first.id, PlanStep::Submit)
        .await;
    assert!(matches!(again, Err(StoreError::Invalid(_))));

    // A second approved plan supersedes the first.
    let second = st
        .create_plan(
            &system(),
            p,
            s.ws,
            new_plan(
                assembled,
                "Plan 2028",
                Plan::new().with("p-academy", "full", 2028),
            ),
        )
        .await
        .unwrap();
    st.rename_plan(&system(), p, today(), second.id, "Plan 2028, revised")
        .await
        .unwrap();
    st.change_plan_status(&system(), p, today(), second.id, PlanStep::Submit)
        .await
        .unwrap();
    st.change_plan_status(&system(), &mp, today(), second.id, approve)
        .await
        .unwrap();
    let old = st.get_plan(p, today(), first.id).await.unwrap().unwrap();
    assert_eq!(old.lifecycle.status, PlanStatus::Superseded);
    assert_eq!(old.choices, good);
    let plans = st.list_plans(p, today(), s.ws).await.unwrap();
    assert_eq!(plans.len(), 2);
    assert_eq!(plans[0].name, "Plan 2028, revised");
    assert_eq!(
        actions(st, p, "plan").await,
        [
            "plan.create",
            "plan.submit",
            "plan.approve",
            "plan.create",
            "plan.rename",
            "plan.submit",
            "plan.supersede",
            "plan.approve"
        ]
    );
    // The plans name a confidential programme: the public sees none of them, even
    // approved.
    assert!(
        st.list_plans(&Viewer::public(), today(), s.ws)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn classified_programmes_stay_out(flavour: Flavour) {
    let s = setup(flavour).await;
    portfolio(&s).await;
    let st = &s.store;
    let official = user(st, "donor", Role::Donor, Level::Official).await;
    let seen = st
        .list_programmes(&official, today(), s.ws, &ProgrammeQuery::default())
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].fields.key, "p-academy");
    assert!(
        st.get_programme(&official, today(), s.ws, "p-border")
            .await
            .unwrap()
            .is_none()
    );
    // The reader who cannot read the border programme does not see it in the academy's
    // links, and an audit log entry about it is hidden.
    let cleared_no_compartment = user(st, "secret", Role::Auditor, Level::Secret).await;
    let seen = st
        .list_programmes(
            &cleared_no_compartment,
            today(),
            s.ws,
            &ProgrammeQuery::default(),
        )
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].after.is_empty());
    let hidden = actions(st, &cleared_no_compartment, "programme").await;
    assert_eq!(hidden, ["programme.create", "programme.option.create"]);
}

async fn a_backup_carries_the_portfolio_and_plans(flavour: Flavour) {
    let s = setup(flavour).await;
    portfolio(&s).await;
    let (st, p) = (&s.store, &s.planner);
    let assembled = st
        .plan_problem(p, today(), s.ws, &Scenario::default())
        .await
        .unwrap();
    let plan = st
        .create_plan(
            &system(),
            p,
            s.ws,
            new_plan(
                assembled,
                "Plan",
                Plan::new().with("p-academy", "full", 2027),
            ),
        )
        .await
        .unwrap();
    let mut out = Vec::new();
    st.backup(&mut out).await.unwrap();
    let other = match flavour {
        Flavour::Sqlite => Flavour::Postgres,
        Flavour::Postgres => Flavour::Sqlite,
    };
    let target = TestDb::new(other).await;
    let restored = target.open().await;
    restored
        .restore(&system(), "backup.jsonl", Cursor::new(out))
        .await
        .unwrap();
    assert_eq!(
        restored
            .list_programmes(p, today(), s.ws, &ProgrammeQuery::default())
            .await
            .unwrap(),
        st.list_programmes(p, today(), s.ws, &ProgrammeQuery::default())
            .await
            .unwrap()
    );
    assert_eq!(
        restored.get_plan(p, today(), plan.id).await.unwrap(),
        st.get_plan(p, today(), plan.id).await.unwrap()
    );
    assert_eq!(restored.horizon(s.ws).await.unwrap(), Some(horizon()));
    assert_eq!(
        restored.list_sources(s.ws).await.unwrap(),
        st.list_sources(s.ws).await.unwrap()
    );
}

fn threat(name: &str, likelihood: i64, impact: i64, classification: Classification) -> ThreatInput {
    ThreatInput {
        fields: ThreatFields {
            name: name.into(),
            description: String::new(),
            origin: Origin::Mixed,
            scope: Scope::National,
            targets: [Target::StateInstitutions].into(),
            source_kind: SourceKind::Criminal,
            likelihood,
            impact,
            trend: Trend::Rising,
            review_on: None,
        },
        classification,
        responders: Vec::new(),
    }
}

/// Every reader of a plan reads the goal weights in its problem, and a computed weight
/// counts the threats behind it; so a plan weighs its goals only by the threats its least
/// reader may read, while the planner's goal page weighs by all the planner may read.
async fn a_plan_weighs_goals_only_by_threats_its_readers_may_read(flavour: Flavour) {
    let s = setup(flavour).await;
    let (st, p) = (&s.store, &s.planner);
    let secret = Classification::new(
        Level::Secret,
        BTreeSet::new(),
        Some("sources and methods".into()),
        None,
        Level::Public,
    )
    .unwrap();
    let mut threats = BTreeSet::new();
    for input in [
        threat("Smuggling", 4, 4, Classification::public()),
        threat("Infiltration", 4, 5, confidential(s.sis)),
        threat("Sabotage", 5, 5, secret),
    ] {
        threats.insert(
            st.create_threat(&system(), p, today(), s.ws, input)
                .await
                .unwrap()
                .id,
        );
    }
    let mut goal = GoalInput {
        fields: GoalFields {
            title: "Control the border".into(),
            description: String::new(),
            weight_override: None,
        },
        threats,
        deficits: BTreeSet::new(),
    };
    st.update_goal(&system(), p, today(), s.goal, goal.clone())
        .await
        .unwrap();
    let page = st.get_goal(p, today(), s.goal).await.unwrap().unwrap();
    assert_eq!(
        page.weight.effective().thousandths(),
        1000,
        "25 ÷ 25 + 2 × 0.05, capped"
    );
    let weights = |a: &custodes_store::plan::Assembled| {
        a.problem
            .capabilities
            .iter()
            .map(|c| c.weight)
            .collect::<Vec<_>>()
    };

    // A public programme only: the plan is PUBLIC and counts the public threat alone,
    // 16 ÷ 25 = 0.64, shared by the goal's two capabilities.
    st.create_programme(
        &system(),
        p,
        today(),
        s.ws,
        programme("p-solo", Some(s.police), Classification::public()),
    )
    .await
    .unwrap();
    let a = st
        .plan_problem(p, today(), s.ws, &Scenario::default())
        .await
        .unwrap();
    assert_eq!(a.classification, Classification::public());
    assert_eq!(weights(&a), vec![0.32, 0.32]);

    // A CONFIDENTIAL programme in the SIS compartment: the SIS threat now counts, the
    // SECRET one still does not: 20 ÷ 25 + 0.05 = 0.85.
    portfolio(&s).await;
    let a = st
        .plan_problem(p, today(), s.ws, &Scenario::default())
        .await
        .unwrap();
    assert_eq!(a.classification.level, Level::Confidential);
    assert_eq!(weights(&a), vec![0.425, 0.425]);

    // A weight set by hand with its reason reveals no threat, and stands.
    goal.fields.weight_override = Some(WeightOverride {
        weight: Weight::from_thousandths(900).unwrap(),
        reason: "the minister's priority".into(),
    });
    st.update_goal(&system(), p, today(), s.goal, goal)
        .await
        .unwrap();
    let a = st
        .plan_problem(p, today(), s.ws, &Scenario::default())
        .await
        .unwrap();
    assert_eq!(weights(&a), vec![0.45, 0.45]);
}

on_both_backends!(
    a_plan_weighs_goals_only_by_threats_its_readers_may_read,
    the_portfolio_is_created_updated_and_audited,
    bad_input_is_refused_and_changes_nothing,
    the_problem_is_assembled_from_what_the_viewer_may_read,
    a_plan_goes_through_its_life_cycle_and_is_frozen,
    classified_programmes_stay_out,
    a_backup_carries_the_portfolio_and_plans,
);

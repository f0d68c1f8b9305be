//! The plan checker, evaluation and validation on a small portfolio whose answers are
//! computed by hand in the comments.

use custodes_core::framework::ReformField;
use custodes_core::plan::{
    Binding, Capability, Capacity, Contribution, Dependency, Exclusion, FundingSource, Gate,
    MinimumShare, Plan, PlanProblem, Problem, Programme, ProgrammeKind, ProgrammeOption, ShareOf,
    SourceCost, Violation, binding, check, evaluate, validate,
};

/// Three years, 2027–2029, discounted at 10%.
/// - c1 (goal g1, weight 2): required 50, current 30 each year; c2 (goal g2) has no gap.
/// - treasury: 100 a year, no carry-over, funds anything;
///   donor: 50 a year with carry-over, funds rule of law only.
/// - a (police): 2 years, treasury 60 + 60, adds 10 then 20 to c1;
///   b (justice, rule of law): 1 year, donor 80, adds 5 to c1;
///   c (police): 1 year, treasury 50, adds 10 to c1.
/// - c depends on a; b and c exclude each other; police runs one programme at a time.
fn portfolio() -> PlanProblem {
    let option =
        |id: &str, duration, source: &str, costs: Vec<f64>, adds: Vec<f64>| ProgrammeOption {
            id: id.into(),
            duration,
            costs: vec![SourceCost {
                source: source.into(),
                per_year: costs,
            }],
            contributions: vec![Contribution {
                capability: "c1".into(),
                per_year: adds,
            }],
        };
    let programme = |id: &str, field, actor: &str, option| Programme {
        id: id.into(),
        name: format!("Programme {id}"),
        kind: ProgrammeKind::Institutional,
        field,
        lead_actor: actor.into(),
        mandatory: false,
        earliest_start: None,
        latest_start: None,
        options: vec![option],
    };
    PlanProblem {
        first_year: 2027,
        years: 3,
        discount_rate: 0.1,
        capabilities: vec![
            Capability {
                id: "c1".into(),
                name: "Criminal investigation".into(),
                goal: "g1".into(),
                weight: 2.0,
                required: vec![50.0; 3],
                current: vec![30.0; 3],
            },
            Capability {
                id: "c2".into(),
                name: "Border control".into(),
                goal: "g2".into(),
                weight: 1.0,
                required: vec![40.0; 3],
                current: vec![40.0; 3],
            },
        ],
        programmes: vec![
            programme(
                "a",
                ReformField::Professionalisation,
                "police",
                option("full", 2, "treasury", vec![60.0, 60.0], vec![10.0, 20.0]),
            ),
            programme(
                "b",
                ReformField::RuleOfLaw,
                "justice",
                option("x", 1, "donor", vec![80.0], vec![5.0]),
            ),
            programme(
                "c",
                ReformField::Professionalisation,
                "police",
                option("y", 1, "treasury", vec![50.0], vec![10.0]),
            ),
        ],
        dependencies: vec![Dependency {
            before: "a".into(),
            after: "c".into(),
        }],
        exclusions: vec![Exclusion {
            programmes: vec!["b".into(), "c".into()],
        }],
        gates: vec![],
        capacities: vec![Capacity {
            actor: "police".into(),
            max_running: 1,
        }],
        sources: vec![
            FundingSource {
                id: "treasury".into(),
                name: "Treasury".into(),
                ceilings: vec![100.0; 3],
                eligible_fields: vec![],
                eligible_programmes: vec![],
                carry_over: false,
            },
            FundingSource {
                id: "donor".into(),
                name: "Donor".into(),
                ceilings: vec![50.0; 3],
                eligible_fields: vec![ReformField::RuleOfLaw],
                eligible_programmes: vec![],
                carry_over: true,
            },
        ],
        minimum_shares: vec![],
    }
}

fn messages(violations: &[Violation]) -> Vec<String> {
    violations.iter().map(ToString::to_string).collect()
}

#[test]
fn the_portfolio_is_valid() {
    assert_eq!(validate(&portfolio()), vec![]);
}

#[test]
fn a_feasible_plan_is_evaluated_by_hand() {
    let problem = portfolio();
    let plan = Plan::new().with("a", "full", 2027).with("b", "x", 2028);
    assert_eq!(check(&problem, &plan), vec![]);
    let e = evaluate(&problem, &plan);
    // c1: 2027 30 + 10 = 40 (gap 10); 2028 30 + 20 + 5 = 55 (gap 0); 2029 the same.
    // Objective 2 × 10 × 1 = 20; cost 60 + 60 + 80 = 200.
    assert!((e.objective - 20.0).abs() < 1e-9);
    assert!((e.total_cost - 200.0).abs() < 1e-9);
    let gaps: Vec<f64> = e
        .capabilities
        .iter()
        .filter(|c| c.capability.as_str() == "c1")
        .map(|c| c.gap)
        .collect();
    assert_eq!(gaps, vec![10.0, 0.0, 0.0]);
    let g1: Vec<(i32, f64, f64)> = e
        .goals
        .iter()
        .filter(|g| g.goal.as_str() == "g1")
        .map(|g| (g.year, g.gap, g.weighted))
        .collect();
    assert_eq!(
        g1,
        vec![(2027, 10.0, 20.0), (2028, 0.0, 0.0), (2029, 0.0, 0.0)]
    );
    // The donor carries over: 50 in 2027, 50 + 50 in 2028, then 100 − 80 + 50 in 2029.
    let donor: Vec<(f64, f64)> = e
        .spend
        .iter()
        .filter(|s| s.source.as_str() == "donor")
        .map(|s| (s.spent, s.available))
        .collect();
    assert_eq!(donor, vec![(0.0, 50.0), (80.0, 100.0), (0.0, 70.0)]);
}

#[test]
fn the_gap_is_discounted_year_by_year() {
    let problem = portfolio();
    let e = evaluate(&problem, &Plan::new().with("a", "full", 2028));
    // 2027: gap 20 → 2 × 20 = 40; 2028: gap 10 → 2 × 10 / 1.1; 2029: gap 0.
    assert!((e.objective - (40.0 + 20.0 / 1.1)).abs() < 1e-9);
    // The empty plan leaves 20 points each year: 40 × (1 + 1/1.1 + 1/1.21).
    let empty = evaluate(&problem, &Plan::new());
    assert!((empty.objective - 40.0 * (1.0 + 1.0 / 1.1 + 1.0 / 1.21)).abs() < 1e-9);
}

#[test]
fn overspending_names_the_source_year_and_amount() {
    let problem = portfolio();
    let plan = Plan::new().with("a", "full", 2027).with("b", "x", 2027);
    assert_eq!(
        messages(&check(&problem, &plan)),
        vec!["the 2027 Donor ceiling is exceeded by 30.00 (spend 80.00 against 50.00 available)"]
    );
}

#[test]
fn a_dependency_needs_its_programme_chosen_and_finished() {
    let problem = portfolio();
    assert_eq!(
        messages(&check(&problem, &Plan::new().with("c", "y", 2027))),
        vec!["c depends on a, which is not in the plan"]
    );
    // a runs 2027–2028, so c may start in 2029 at the earliest; in 2028 the treasury would
    // also pay 60 + 50 of its 100, and the police would run two programmes at once.
    assert_eq!(
        messages(&check(
            &problem,
            &Plan::new().with("a", "full", 2027).with("c", "y", 2028)
        )),
        vec![
            "the 2028 Treasury ceiling is exceeded by 10.00 (spend 110.00 against 100.00 available)",
            "c starts in 2028, but a, on which it depends, finishes only in 2028",
            "police would run 2 programmes in 2028, over its capacity of 1",
        ]
    );
    assert_eq!(
        check(
            &problem,
            &Plan::new().with("a", "full", 2027).with("c", "y", 2029)
        ),
        vec![]
    );
}

#[test]
fn a_gate_reads_as_a_gate() {
    let mut problem = portfolio();
    problem.gates.push(Gate {
        gate: "a".into(),
        gated: "b".into(),
    });
    assert_eq!(
        messages(&check(&problem, &Plan::new().with("b", "x", 2028))),
        vec!["b is gated by integrity programme a, which is not in the plan"]
    );
    assert_eq!(
        messages(&check(
            &problem,
            &Plan::new().with("a", "full", 2027).with("b", "x", 2028)
        )),
        vec!["b starts in 2028, but a, its integrity gate, finishes only in 2028"]
    );
}

#[test]
fn exclusions_windows_mandatories_and_unknown_choices() {
    let mut problem = portfolio();
    problem.programmes[1].mandatory = true;
    let plan = Plan::new()
        .with("a", "full", 2029)
        .with("c", "y", 2027)
        .with("z", "q", 2027);
    assert_eq!(
        messages(&check(&problem, &plan)),
        vec![
            "a (option full) cannot start in 2029: it may start from 2027 to 2028, to keep its window and finish within the horizon",
            "programme z is not in the portfolio",
            "mandatory programme b is not in the plan",
            "c starts in 2027, but a, on which it depends, finishes only in 2030",
        ]
    );
    let both = Plan::new()
        .with("a", "full", 2027)
        .with("b", "x", 2028)
        .with("c", "y", 2029);
    assert_eq!(
        messages(&check(&problem, &both)),
        vec!["b and c exclude each other, but all are in the plan"]
    );
}

#[test]
fn a_minimum_share_names_the_shortfall() {
    let mut problem = portfolio();
    problem.minimum_shares.push(MinimumShare {
        of: ShareOf::Field(ReformField::RuleOfLaw),
        share: 0.5,
    });
    let plan = Plan::new().with("a", "full", 2027).with("b", "x", 2028);
    // 80 of 200 is 40%; half of 200 would be 100, so 20 short.
    assert_eq!(
        messages(&check(&problem, &plan)),
        vec![
            "spend on reform field rule_of_law is 80.00 of 200.00, short of its minimum share of 50.0% by 20.00"
        ]
    );
    problem.minimum_shares[0] = MinimumShare {
        of: ShareOf::Goal("g1".into()),
        share: 1.0,
    };
    assert_eq!(check(&problem, &plan), vec![]);
}

#[test]
fn binding_rules_are_those_with_no_room_left() {
    let mut problem = portfolio();
    problem.sources[0].ceilings = vec![60.0, 60.0, 100.0];
    let plan = Plan::new().with("a", "full", 2027).with("b", "x", 2028);
    let e = evaluate(&problem, &plan);
    let found: Vec<String> = binding(&problem, &plan, &e)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        vec![
            "the 2027 Treasury ceiling: 60.00 spent of 60.00 available",
            "the 2028 Treasury ceiling: 60.00 spent of 60.00 available",
            "the absorptive capacity of police in 2027: 1 of 1 programmes running",
            "the absorptive capacity of police in 2028: 1 of 1 programmes running",
            "b is chosen, which excludes c",
        ]
    );
    assert!(matches!(
        binding(&problem, &plan, &e)[0],
        Binding::Ceiling { year: 2027, .. }
    ));
}

#[test]
fn validation_names_bad_input() {
    let mut problem = portfolio();
    problem.programmes[0].options[0].costs.push(SourceCost {
        source: "donor".into(),
        per_year: vec![-1.0],
    });
    problem.programmes[2].options[0].contributions[0].capability = "nowhere".into();
    problem.dependencies.push(Dependency {
        before: "c".into(),
        after: "b".into(),
    });
    problem.dependencies.push(Dependency {
        before: "b".into(),
        after: "a".into(),
    });
    problem.exclusions.push(Exclusion {
        programmes: vec!["ghost".into()],
    });
    let found: Vec<String> = validate(&problem).iter().map(ToString::to_string).collect();
    assert_eq!(
        found,
        vec![
            "option full of a is costed to donor, which may not fund it (field professionalisation)",
            "the cost of a/full to donor in its year 1 is -1, but must be a number of at least 0",
            "option y of c contributes to capability nowhere, which does not exist",
            "dependencies and gates form a cycle: a → c → b → a",
            "an exclusion needs at least two programmes, but names ghost",
            "an exclusion names programme ghost, which does not exist",
        ]
    );
    assert!(
        validate(&problem)
            .iter()
            .any(|p| matches!(p, Problem::Cycle { cycle } if cycle.len() == 3))
    );
}

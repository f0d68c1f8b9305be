//! On random instances small enough to enumerate, the optimiser's objective equals that
//! of brute-force enumeration (judged by the core's `check` and `evaluate`, not by the
//! solver), its cost is the least among plans with that objective, every plan it returns
//! passes `check`, and instances without a feasible plan are infeasible for both.

mod common;

use std::time::Duration;

use common::{capability, horizon, option, programme};
use custodes_core::framework::ReformField;
use custodes_core::plan::{
    Capacity, Checker, Dependency, Exclusion, FundingSource, Gate, MinimumShare, Plan, PlanProblem,
    ShareOf, SourceCost, check,
};
use custodes_optimise::{Infeasibility, Settings, cheaper_plan, greedy_plan, optimise};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The most plans the enumeration may visit.
const MOST_PLANS: usize = 30_000;

/// A random instance: up to 8 programmes with 1–2 options, 4 years, 1–2 sources, and some
/// dependencies, exclusions, gates, mandatory programmes, a capacity and a minimum share.
/// Programmes are dropped from the end until the plans fit the enumeration.
fn instance(seed: u64) -> PlanProblem {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut p = horizon(4, rng.random_range(4.0..12.0_f64).round());
    p.discount_rate = [0.0, 0.05][rng.random_range(0..2)];
    for c in 0..rng.random_range(1..=3) {
        capability(
            &mut p,
            &format!("c{c}"),
            &format!("g{}", c % 2),
            rng.random_range(10.0..60.0_f64).round(),
        );
        p.capabilities[c].weight = rng.random_range(1..=3) as f64;
    }
    let donor = rng.random_bool(0.5);
    if donor {
        p.sources.push(FundingSource {
            id: "donor".into(),
            name: "Donor".into(),
            ceilings: vec![rng.random_range(2.0..8.0_f64).round(); 4],
            eligible_fields: vec![ReformField::RuleOfLaw],
            eligible_programmes: vec![],
            carry_over: true,
        });
    }
    let n = rng.random_range(1..=8);
    for i in 0..n {
        let options = (0..rng.random_range(1..=2))
            .map(|o| {
                let duration = rng.random_range(1..=3);
                let costs: Vec<f64> = (0..duration)
                    .map(|_| rng.random_range(0.0..6.0_f64).round())
                    .collect();
                let caps = p.capabilities.len();
                let c = format!("c{}", rng.random_range(0..caps));
                let adds: Vec<f64> = (0..duration)
                    .map(|_| rng.random_range(0.0..25.0_f64).round())
                    .collect();
                option(&format!("o{o}"), duration, &costs, &[(c.as_str(), &adds)])
            })
            .collect();
        programme(&mut p, &format!("p{i}"), options);
        let last = p.programmes.last_mut().unwrap();
        last.mandatory = rng.random_bool(0.1);
        if rng.random_bool(0.3) {
            last.earliest_start = Some(2027 + rng.random_range(0..2));
        }
        if rng.random_bool(0.2) {
            last.latest_start = Some(2028 + rng.random_range(0..2));
        }
        if donor && rng.random_bool(0.4) {
            last.field = ReformField::RuleOfLaw;
            for o in &mut last.options {
                let per_year = o.costs[0]
                    .per_year
                    .iter()
                    .map(|c| (c / 2.0).round())
                    .collect();
                o.costs.push(SourceCost {
                    source: "donor".into(),
                    per_year,
                });
            }
        }
    }
    for a in 0..n {
        for b in a + 1..n {
            let (a_id, b_id) = (format!("p{a}"), format!("p{b}"));
            if rng.random_bool(0.12) {
                p.dependencies.push(Dependency {
                    before: a_id.clone().into(),
                    after: b_id.clone().into(),
                });
            } else if rng.random_bool(0.08) {
                p.gates.push(Gate {
                    gate: a_id.clone().into(),
                    gated: b_id.clone().into(),
                });
            } else if rng.random_bool(0.08) {
                p.exclusions.push(Exclusion {
                    programmes: vec![a_id.into(), b_id.into()],
                });
            }
        }
    }
    if rng.random_bool(0.4) {
        p.capacities.push(Capacity {
            actor: "police".into(),
            max_running: rng.random_range(1..=3),
        });
    }
    if donor && rng.random_bool(0.3) {
        p.minimum_shares.push(MinimumShare {
            of: ShareOf::Field(ReformField::RuleOfLaw),
            share: 0.2,
        });
    } else if rng.random_bool(0.2) {
        p.minimum_shares.push(MinimumShare {
            of: ShareOf::Goal("g0".into()),
            share: 0.3,
        });
    }
    while plan_count(&p) > MOST_PLANS {
        let gone = p.programmes.pop().unwrap().id;
        p.dependencies
            .retain(|d| d.before != gone && d.after != gone);
        p.gates.retain(|g| g.gate != gone && g.gated != gone);
        p.exclusions.retain(|e| !e.programmes.contains(&gone));
    }
    p
}

/// The choices of each programme: left out, or one option and start year.
fn alternatives(p: &PlanProblem) -> Vec<Vec<Option<(String, i32)>>> {
    p.programmes
        .iter()
        .map(|prog| {
            let mut alts = vec![None];
            for o in &prog.options {
                for s in prog.start_years(p, o) {
                    alts.push(Some((o.id.to_string(), s)));
                }
            }
            alts
        })
        .collect()
}

fn plan_count(p: &PlanProblem) -> usize {
    alternatives(p)
        .iter()
        .map(Vec::len)
        .fold(1usize, |a, b| a.saturating_mul(b))
}

/// The least objective over all feasible plans, and the least cost among the plans that
/// reach it; `None` when no plan is feasible. On the way it checks, for every plan, that
/// the quick evaluation for checking agrees with the full one.
fn brute_force(p: &PlanProblem) -> Option<(f64, f64)> {
    let alts = alternatives(p);
    let checker = Checker::new(p);
    let mut index = vec![0usize; alts.len()];
    let mut feasible: Vec<(f64, f64)> = Vec::new();
    loop {
        let mut plan = Plan::new();
        for (k, alt) in index.iter().enumerate() {
            if let Some((o, s)) = &alts[k][*alt] {
                plan.choose(p.programmes[k].id.clone(), o.as_str().into(), *s);
            }
        }
        let e = checker.evaluate(&plan);
        let violations = checker.check_evaluated(&plan, &e);
        // The quick evaluation the explanations use judges every plan the same way.
        let quick = checker.evaluate_for_check(&plan);
        assert_eq!(
            (
                quick.objective,
                quick.total_cost,
                &quick.spend,
                &quick.running,
                &quick.shares
            ),
            (e.objective, e.total_cost, &e.spend, &e.running, &e.shares)
        );
        assert_eq!(checker.check_evaluated(&plan, &quick), violations);
        // So does the evaluation of the plan without its last programme, plus that one
        // (added last, as evaluating the whole plan adds it, so the sums are the same).
        if let Some((id, choice)) = plan.choices.iter().next_back() {
            let mut base = plan.clone();
            base.choices.remove(id);
            let programme = checker.programme(id).unwrap();
            let option = programme.option(&choice.option).unwrap();
            let adding =
                checker.evaluate_adding(&checker.tally(&base), programme, option, choice.start);
            assert_eq!(adding, quick);
            assert_eq!(checker.check_evaluated(&plan, &adding), violations);
        }
        if violations.is_empty() {
            feasible.push((e.objective, e.total_cost));
        }
        // The next combination, like an odometer.
        let mut k = 0;
        loop {
            if k == alts.len() {
                let best = feasible.iter().map(|f| f.0).fold(f64::INFINITY, f64::min);
                if best.is_infinite() {
                    return None;
                }
                let cost = feasible
                    .iter()
                    .filter(|f| f.0 <= best + 1e-7 * best.abs().max(1.0))
                    .map(|f| f.1)
                    .fold(f64::INFINITY, f64::min);
                return Some((best, cost));
            }
            index[k] += 1;
            if index[k] < alts[k].len() {
                break;
            }
            index[k] = 0;
            k += 1;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_optimiser_matches_enumeration(seed in any::<u64>()) {
        let problem = instance(seed);
        let settings = Settings { time_limit: Duration::from_secs(30), relative_gap: 0.0 };
        let expected = brute_force(&problem);
        match (optimise(&problem, &settings, |_| {}), expected) {
            (Ok(outcome), Some((objective, cost))) => {
                prop_assert_eq!(check(&problem, &outcome.plan), vec![]);
                let got = outcome.evaluation.objective;
                prop_assert!((got - objective).abs() <= 1e-6 * objective.abs().max(1.0),
                    "objective {} against enumeration's {}", got, objective);
                let got_cost = outcome.evaluation.total_cost;
                prop_assert!((got_cost - cost).abs() <= 1e-6 * cost.abs().max(1.0),
                    "cost {} against enumeration's {}", got_cost, cost);
            }
            (Err(e), None) => {
                let named = matches!(e, Infeasibility::Precheck(_) | Infeasibility::Conflict(_));
                prop_assert!(named, "{}", e);
            }
            (Ok(outcome), None) => prop_assert!(false, "optimised {:?}, but no plan is feasible", outcome.plan),
            (Err(e), Some(best)) => prop_assert!(false, "{} but enumeration found {:?}", e, best),
        }
    }

    /// The greedy start heuristic offers the solver only plans that keep every rule, and
    /// none better than the optimum.
    #[test]
    fn the_greedy_start_keeps_every_rule(seed in any::<u64>()) {
        let problem = instance(seed);
        if let Some(plan) = greedy_plan(&problem) {
            prop_assert_eq!(check(&problem, &plan), vec![]);
            let (optimum, _) = brute_force(&problem).expect("the greedy found a plan");
            let got = Checker::new(&problem).evaluate(&plan).objective;
            prop_assert!(got >= optimum - 1e-6 * optimum.abs().max(1.0),
                "greedy {} beats the optimum {}", got, optimum);
        }
    }

    /// The tie-break's first step keeps every rule, never raises the objective and never
    /// raises the cost.
    #[test]
    fn cheapening_keeps_every_rule_and_the_gap(seed in any::<u64>()) {
        let problem = instance(seed);
        if let Some(plan) = greedy_plan(&problem) {
            let checker = Checker::new(&problem);
            let before = checker.evaluate(&plan);
            let cheaper = cheaper_plan(&problem, &plan);
            let after = checker.evaluate(&cheaper);
            prop_assert_eq!(check(&problem, &cheaper), vec![]);
            prop_assert!(after.objective <= before.objective + 1e-6 * before.objective.abs().max(1.0),
                "the objective rose from {} to {}", before.objective, after.objective);
            prop_assert!(after.total_cost <= before.total_cost,
                "the cost rose from {} to {}", before.total_cost, after.total_cost);
        }
    }
}

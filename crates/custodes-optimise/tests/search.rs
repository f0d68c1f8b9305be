//! The search as it runs: progress reported from HiGHS's callback while the gap solve
//! searches, and a stop that ends it early with the best plan so far, explained and
//! checked.

mod common;

use std::time::Duration;

use common::{capability, horizon, option, programme};
use custodes_core::plan::{PlanProblem, check};
use custodes_optimise::{
    Infeasibility, Progress, Settings, Status, Stop, optimise, optimise_until,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A portfolio too large to be solved in presolve: 40 programmes with two options each
/// over five years, eight capabilities, one tight treasury.
fn portfolio() -> PlanProblem {
    let mut rng = StdRng::seed_from_u64(7);
    let mut p = horizon(5, 40.0);
    for c in 0..8 {
        capability(&mut p, &format!("c{c}"), &format!("g{}", c % 3), 60.0);
        p.capabilities[c].weight = (c % 4 + 1) as f64;
    }
    for i in 0..40 {
        let options = (0..2)
            .map(|o| {
                let duration = rng.random_range(1..=3);
                let costs: Vec<f64> = (0..duration)
                    .map(|_| rng.random_range(3.0..17.0_f64).round())
                    .collect();
                let c = format!("c{}", rng.random_range(0..8));
                let adds: Vec<f64> = (1..=duration)
                    .map(|k| (rng.random_range(4.0..15.0_f64) * f64::from(k)).round())
                    .collect();
                option(&format!("o{o}"), duration, &costs, &[(c.as_str(), &adds)])
            })
            .collect();
        programme(&mut p, &format!("p{i:02}"), options);
    }
    p
}

fn exact() -> Settings {
    Settings {
        time_limit: Duration::from_secs(60),
        relative_gap: 0.0,
    }
}

#[test]
fn the_search_is_reported_while_it_runs() {
    let mut events = Vec::new();
    let outcome = optimise(&portfolio(), &exact(), |e| events.push(e)).unwrap();
    let searching: Vec<(Option<f64>, f64, f64)> = events
        .iter()
        .filter_map(|e| match e {
            Progress::Searching {
                incumbent,
                bound,
                seconds,
                ..
            } => Some((*incumbent, *bound, *seconds)),
            _ => None,
        })
        .collect();
    assert!(!searching.is_empty(), "no search was reported: {events:?}");
    // Reports come between the start and the end of the gap solve, in time order.
    let started = events
        .iter()
        .position(|e| matches!(e, Progress::Started { .. }))
        .unwrap();
    let solved = events
        .iter()
        .position(|e| matches!(e, Progress::Solved { .. }))
        .unwrap();
    for (i, e) in events.iter().enumerate() {
        if matches!(e, Progress::Searching { .. }) {
            assert!(started < i && i < solved, "{events:?}");
        }
    }
    assert!(searching.windows(2).all(|w| w[0].2 <= w[1].2));
    // The best plan only improves, and never beats the plan returned.
    let incumbents: Vec<f64> = searching.iter().filter_map(|s| s.0).collect();
    assert!(!incumbents.is_empty());
    assert!(incumbents.windows(2).all(|w| w[1] <= w[0] + 1e-9));
    assert!(incumbents.last().unwrap() + 1e-6 >= outcome.evaluation.objective);
    // No bound reported exceeds the optimum.
    for (_, bound, _) in &searching {
        assert!(*bound <= outcome.evaluation.objective + 1e-6);
    }
    assert_eq!(outcome.status, Status::Optimal);
}

#[test]
fn a_stop_keeps_the_best_plan_so_far() {
    let problem = portfolio();
    let stop = Stop::new();
    let on_first_plan = stop.clone();
    let result = optimise_until(
        &problem,
        &exact(),
        |e| {
            if let Progress::Searching {
                incumbent: Some(_), ..
            } = e
            {
                on_first_plan.stop();
            }
        },
        &stop,
    );
    let outcome = result.expect("a plan was found before the stop");
    assert_eq!(outcome.status, Status::Stopped);
    assert_eq!(check(&problem, &outcome.plan), vec![]);
    // Everything left out is still explained.
    assert_eq!(
        outcome.selected.len() + outcome.left_out.len(),
        problem.programmes.len()
    );
}

#[test]
fn a_stop_before_any_plan_says_so() {
    let stop = Stop::new();
    stop.stop();
    match optimise_until(&portfolio(), &exact(), |_| {}, &stop) {
        Err(e) => {
            assert_eq!(e, Infeasibility::Stopped);
            assert_eq!(
                e.to_string(),
                "the search was stopped before any plan was found"
            );
        }
        // HiGHS may find a first plan before it first asks whether to stop.
        Ok(outcome) => assert_eq!(outcome.status, Status::Stopped),
    }
}

#[test]
fn a_solve_without_a_stop_is_not_stopped() {
    let stop = Stop::new();
    let outcome = optimise_until(&portfolio(), &exact(), |_| {}, &stop).unwrap();
    assert_eq!(outcome.status, Status::Optimal);
    assert!(!stop.is_stopped());
}

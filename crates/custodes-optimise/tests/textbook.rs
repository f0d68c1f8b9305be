//! Fixed instances with known optima, infeasible inputs with their exact explanations,
//! deterministic tie-breaking, and the round trip of the exported model.

mod common;

use std::time::Duration;

use common::{capability, horizon, option, programme};
use custodes_core::plan::{Dependency, Exclusion, Plan, PlanProblem, check};
use custodes_optimise::{Format, Infeasibility, Outcome, Settings, Status, export_model, optimise};
use highs::{RowProblem, Sense};

fn exact() -> Settings {
    Settings {
        time_limit: Duration::from_secs(30),
        relative_gap: 0.0,
    }
}

fn solve(problem: &PlanProblem) -> Outcome {
    let outcome = optimise(problem, &exact(), |_| {}).expect("the instance is feasible");
    assert_eq!(check(problem, &outcome.plan), vec![]);
    outcome
}

fn infeasible(problem: &PlanProblem) -> String {
    optimise(problem, &exact(), |_| {})
        .expect_err("the instance is infeasible")
        .to_string()
}

/// The 0/1 knapsack P01 of John Burkardt's collection: capacity 165, weights 23 31 29 44
/// 53 38 63 85 89 82, values 92 57 49 68 60 43 67 84 87 72; the optimum takes items 1, 2,
/// 3, 4 and 6 for a value of 309. Here each item is a one-year programme costing its weight
/// and adding its value to one capability required at 1,000, so the least gap is 691.
fn knapsack() -> PlanProblem {
    let weights = [23.0, 31.0, 29.0, 44.0, 53.0, 38.0, 63.0, 85.0, 89.0, 82.0];
    let values = [92.0, 57.0, 49.0, 68.0, 60.0, 43.0, 67.0, 84.0, 87.0, 72.0];
    let mut p = horizon(1, 165.0);
    capability(&mut p, "c", "g", 1000.0);
    p.capabilities[0].required = vec![100.0];
    p.capabilities[0].weight = 10.0;
    for (i, (w, v)) in weights.iter().zip(values).enumerate() {
        // Levels are capped at 100, so values are scaled by 1/10 and the weight by 10.
        programme(
            &mut p,
            &format!("item{:02}", i + 1),
            vec![option("o", 1, &[*w], &[("c", &[v / 10.0])])],
        );
    }
    p
}

#[test]
fn the_knapsack_takes_the_textbook_items() {
    let outcome = solve(&knapsack());
    let chosen: Vec<&str> = outcome.plan.choices.keys().map(|k| k.as_str()).collect();
    assert_eq!(
        chosen,
        vec!["item01", "item02", "item03", "item04", "item06"]
    );
    // 10 × (100 − 30.9) = 691.
    assert!((outcome.evaluation.objective - 691.0).abs() < 1e-6);
    assert_eq!(outcome.status, Status::Optimal);
}

/// A knapsack whose relaxation is fractional needs the search to prove its optimum; with
/// room for every item, the relaxation's bound proves the first plan optimal and the
/// search is not run; with a loose tolerance, the first plan within it is kept as it is.
#[test]
fn the_search_runs_only_when_the_relaxation_leaves_something_to_prove() {
    let tight = solve(&knapsack());
    assert!(tight.searched);
    assert!((tight.bound - 691.0).abs() < 1e-6, "{}", tight.bound);

    let mut roomy = knapsack();
    roomy.sources[0].ceilings = vec![1000.0];
    let all = solve(&roomy);
    assert!(!all.searched);
    assert_eq!(all.status, Status::Optimal);
    assert_eq!(all.plan.choices.len(), 10);
    // 10 × (100 − 67.9) = 321, and the relaxation proves nothing less is possible.
    assert!((all.evaluation.objective - 321.0).abs() < 1e-6);
    assert!((all.bound - 321.0).abs() < 1e-6);
    assert_eq!(all.gap, 0.0);

    let loose = Settings {
        relative_gap: 0.5,
        ..exact()
    };
    let outcome = optimise(&knapsack(), &loose, |_| {}).unwrap();
    assert!(!outcome.searched);
    assert_eq!(check(&knapsack(), &outcome.plan), vec![]);
    // The relaxation's bound: items 1 to 4 and 38/53 of item 5, 309.02 of value.
    let relaxed = 10.0 * (100.0 - (92.0 + 57.0 + 49.0 + 68.0 + 60.0 * 38.0 / 53.0) / 10.0);
    assert!((outcome.bound - relaxed).abs() < 1e-6, "{}", outcome.bound);
    assert!(outcome.evaluation.objective >= 691.0 - 1e-6);
    assert!(outcome.gap <= 0.5);
    assert!(
        (outcome.gap - (outcome.evaluation.objective - relaxed) / outcome.evaluation.objective)
            .abs()
            < 1e-9
    );
}

/// Three years from 2027, undiscounted; one capability required at 10 each year.
/// - a: one year, costs 4, adds 4 (which stays);
/// - b: two years, costs 3 + 3, adds 2 then 6; b needs a finished first;
/// - c: one year, costs 5, adds 10;
/// - the treasury has 4 a year, without carry-over.
///
/// c never fits (5 > 4). a in 2027 then b in 2028 leaves gaps 6, 4 and 0: 10 in all. a
/// alone leaves 6 + 6 + 6 = 18; a in 2028 cannot be followed by b (it would not finish),
/// leaving 10 + 6 + 6 = 22. So the optimum is a in 2027 and b in 2028, with 10.
fn schedule() -> PlanProblem {
    let mut p = horizon(3, 4.0);
    capability(&mut p, "c1", "g", 10.0);
    programme(&mut p, "a", vec![option("o", 1, &[4.0], &[("c1", &[4.0])])]);
    programme(
        &mut p,
        "b",
        vec![option("o", 2, &[3.0, 3.0], &[("c1", &[2.0, 6.0])])],
    );
    programme(
        &mut p,
        "c",
        vec![option("o", 1, &[5.0], &[("c1", &[10.0])])],
    );
    p.dependencies.push(Dependency {
        before: "a".into(),
        after: "b".into(),
    });
    p
}

#[test]
fn the_schedule_is_the_one_computed_by_hand() {
    let outcome = solve(&schedule());
    assert_eq!(
        outcome.plan,
        Plan::new().with("a", "o", 2027).with("b", "o", 2028)
    );
    assert!((outcome.evaluation.objective - 10.0).abs() < 1e-9);
    let g: Vec<f64> = outcome.evaluation.goals.iter().map(|g| g.gap).collect();
    assert_eq!(g, vec![6.0, 4.0, 0.0]);
    let binding: Vec<String> = outcome.binding.iter().map(ToString::to_string).collect();
    assert_eq!(
        binding,
        vec![
            "the 2027 Treasury ceiling: 4.00 spent of 4.00 available",
            "b starts in 2028, as soon as a, on which it depends, has finished",
        ]
    );
    // c at 2027 would close the gap in 2027 and 2028 (10 points) but overspends by 5.
    let reasons: Vec<String> = outcome.left_out.iter().map(ToString::to_string).collect();
    assert_eq!(
        reasons,
        vec![
            "c: its best start (option o in 2027) would lower the weighted gap by 10.00 but costs more than the money left: it would exceed the 2027 Treasury ceiling by 5.00"
        ]
    );
    // A unit more in 2027 lets a fifth of c in (2 points a year in 2027 and 2028): the
    // 2027 money is worth something, the 2029 money (nothing left to close) is not.
    let value = |year| {
        outcome
            .marginal_values
            .iter()
            .find(|m| m.year == year)
            .unwrap()
            .value
    };
    assert!(value(2027) > 0.0, "{:?}", outcome.marginal_values);
    assert_eq!(value(2029), 0.0);
}

#[test]
fn ties_go_to_the_cheaper_plan_every_time() {
    let mut p = horizon(2, 100.0);
    capability(&mut p, "c1", "g", 10.0);
    programme(
        &mut p,
        "dear",
        vec![option("o", 1, &[5.0], &[("c1", &[10.0])])],
    );
    programme(
        &mut p,
        "cheap",
        vec![option("o", 1, &[3.0], &[("c1", &[10.0])])],
    );
    programme(
        &mut p,
        "twin",
        vec![option("o", 1, &[3.0], &[("c1", &[10.0])])],
    );
    let first = solve(&p);
    assert_eq!(first.evaluation.objective, 0.0);
    assert!((first.evaluation.total_cost - 3.0).abs() < 1e-9);
    for _ in 0..3 {
        assert_eq!(solve(&p).plan, first.plan);
    }
    let dear = first
        .left_out
        .iter()
        .find(|l| l.programme.as_str() == "dear")
        .unwrap();
    assert_eq!(
        dear.to_string(),
        "dear: it would not lower the weighted gap (what it adds is already met), so the cheaper plan leaves out its 5.00"
    );
}

#[test]
fn an_exclusion_is_named_with_the_programme_chosen() {
    let mut p = horizon(2, 100.0);
    capability(&mut p, "c1", "g", 10.0);
    programme(
        &mut p,
        "big",
        vec![option("o", 1, &[5.0], &[("c1", &[10.0])])],
    );
    programme(
        &mut p,
        "small",
        vec![option("o", 1, &[3.0], &[("c1", &[4.0])])],
    );
    p.exclusions.push(Exclusion {
        programmes: vec!["big".into(), "small".into()],
    });
    let outcome = solve(&p);
    assert_eq!(outcome.plan, Plan::new().with("big", "o", 2027));
    assert_eq!(
        outcome.left_out[0].to_string(),
        "small: excluded by big, which was chosen"
    );
}

#[test]
fn a_mandatory_programme_over_every_ceiling_is_named() {
    let mut p = schedule();
    p.programmes[2].mandatory = true;
    assert_eq!(
        infeasible(&p),
        "no plan can exist: mandatory programme c does not fit even alone: its cheapest option o starting in 2027, \
         the 2027 Treasury ceiling is exceeded by 1.00 (spend 5.00 against 4.00 available)"
    );
}

#[test]
fn a_dependency_cycle_is_named_in_order() {
    let mut p = schedule();
    p.dependencies.push(Dependency {
        before: "b".into(),
        after: "a".into(),
    });
    assert_eq!(
        infeasible(&p),
        "the plan problem is not valid: dependencies and gates form a cycle: a → b → a"
    );
}

#[test]
fn mandatory_programmes_that_exclude_each_other_are_named() {
    let mut p = schedule();
    p.programmes[0].mandatory = true;
    p.programmes[1].mandatory = true;
    p.exclusions.push(Exclusion {
        programmes: vec!["a".into(), "b".into()],
    });
    assert_eq!(
        infeasible(&p),
        "no plan can exist: mandatory programmes a and b exclude each other"
    );
}

#[test]
fn a_window_past_the_horizon_is_named() {
    let mut p = schedule();
    p.programmes[1].mandatory = true;
    p.programmes[1].earliest_start = Some(2029);
    assert_eq!(
        infeasible(&p),
        "no plan can exist: mandatory programme b cannot start within its window and finish by 2029"
    );
}

#[test]
fn a_conflict_between_rules_is_narrowed_to_those_involved() {
    // b needs a; a excludes d; b and d are mandatory. Each rule alone is harmless, and the
    // treasury (100 a year) plays no part, so it is not named.
    let mut p = horizon(3, 100.0);
    capability(&mut p, "c1", "g", 10.0);
    programme(&mut p, "a", vec![option("o", 1, &[1.0], &[("c1", &[1.0])])]);
    programme(&mut p, "b", vec![option("o", 1, &[1.0], &[("c1", &[1.0])])]);
    programme(&mut p, "d", vec![option("o", 1, &[1.0], &[("c1", &[1.0])])]);
    p.programmes[1].mandatory = true;
    p.programmes[2].mandatory = true;
    p.dependencies.push(Dependency {
        before: "a".into(),
        after: "b".into(),
    });
    p.exclusions.push(Exclusion {
        programmes: vec!["a".into(), "d".into()],
    });
    let err = optimise(&p, &exact(), |_| {}).unwrap_err();
    assert!(matches!(err, Infeasibility::Conflict(ref rules) if rules.len() == 4));
    assert_eq!(
        err.to_string(),
        "no plan keeps these rules together: b is mandatory; d is mandatory; \
         b needs a chosen and finished before it starts; at most one of a and d may be chosen"
    );
}

#[test]
fn progress_is_reported_at_each_stage() {
    let mut events = Vec::new();
    optimise(&schedule(), &exact(), |e| events.push(e)).unwrap();
    // Reports of the running search (tests/search.rs) come and go with the machine's speed.
    let kinds: Vec<String> = events
        .iter()
        .filter(|e| !matches!(e, custodes_optimise::Progress::Searching { .. }))
        .map(|e| {
            serde_json::to_value(e).unwrap()["event"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        vec!["started", "solved", "solved", "explaining", "finished"]
    );
}

/// Reads back an exported model with small readers written here, solves it with HiGHS and
/// returns the objective.
fn solve_text(text: &str, format: Format) -> f64 {
    let model = match format {
        Format::Mps => read_mps(text),
        Format::Lp => read_lp(text),
    };
    let mut pb = RowProblem::default();
    let cols: Vec<_> = model
        .columns
        .iter()
        .map(|c| {
            if c.integer {
                pb.add_integer_column(c.cost, c.lower..=c.upper)
            } else {
                pb.add_column(c.cost, c.lower..=c.upper)
            }
        })
        .collect();
    for (lower, upper, terms) in &model.rows {
        pb.add_row(*lower..=*upper, terms.iter().map(|(j, v)| (cols[*j], *v)));
    }
    let mut m = pb.optimise(Sense::Minimise);
    m.make_quiet();
    m.set_option("mip_rel_gap", 0.0);
    m.solve().objective_value()
}

/// A row read back: lower bound, upper bound and terms.
type ReadRow = (f64, f64, Vec<(usize, f64)>);

#[derive(Default)]
struct Read {
    columns: Vec<Col>,
    rows: Vec<ReadRow>,
}

#[derive(Clone)]
struct Col {
    name: String,
    cost: f64,
    lower: f64,
    upper: f64,
    integer: bool,
}

impl Read {
    fn col(&mut self, name: &str) -> usize {
        if let Some(j) = self.columns.iter().position(|c| c.name == name) {
            return j;
        }
        self.columns.push(Col {
            name: name.into(),
            cost: 0.0,
            lower: 0.0,
            upper: f64::INFINITY,
            integer: false,
        });
        self.columns.len() - 1
    }
}

fn read_mps(text: &str) -> Read {
    let mut read = Read::default();
    let mut row_names: Vec<(String, char)> = Vec::new();
    let mut section = "";
    let mut integer = false;
    for line in text.lines().filter(|l| !l.starts_with('*')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        if !line.starts_with(' ') {
            section = words[0];
            continue;
        }
        let row = |name: &str, rows: &[(String, char)]| rows.iter().position(|(n, _)| n == name);
        match section {
            "ROWS" if words[1] != "obj" => {
                let kind = words[0].chars().next().unwrap();
                row_names.push((words[1].to_owned(), kind));
                read.rows.push((f64::NEG_INFINITY, f64::INFINITY, vec![]));
            }
            "COLUMNS" if words[0] == "MARKER" => integer = words[2].contains("INTORG"),
            "COLUMNS" => {
                let j = read.col(words[0]);
                read.columns[j].integer = integer;
                let v: f64 = words[2].parse().unwrap();
                match row(words[1], &row_names) {
                    Some(r) => read.rows[r].2.push((j, v)),
                    None => read.columns[j].cost = v,
                }
            }
            "RHS" => {
                let r = row(words[1], &row_names).unwrap();
                let v: f64 = words[2].parse().unwrap();
                let rows = &mut read.rows[r];
                match row_names[r].1 {
                    'E' => (rows.0, rows.1) = (v, v),
                    'L' => rows.1 = v,
                    _ => rows.0 = v,
                }
            }
            "BOUNDS" => {
                let j = read.col(words[2]);
                match words[0] {
                    "BV" => read.columns[j].upper = 1.0,
                    _ => read.columns[j].upper = words[3].parse().unwrap(),
                }
            }
            _ => {}
        }
    }
    for (r, (_, kind)) in row_names.iter().enumerate() {
        let rows = &mut read.rows[r];
        match kind {
            'L' if rows.1 == f64::INFINITY => rows.1 = 0.0,
            'G' if rows.0 == f64::NEG_INFINITY => rows.0 = 0.0,
            'E' if rows.0 == f64::NEG_INFINITY => (rows.0, rows.1) = (0.0, 0.0),
            _ => {}
        }
    }
    read
}

fn read_lp(text: &str) -> Read {
    let mut read = Read::default();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('\\'))
        .collect::<Vec<_>>()
        .join("\n");
    let tokens: Vec<&str> = body.split_whitespace().collect();
    let mut section = "";
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i] {
            "Minimize" | "Bounds" | "Binary" | "End" => {
                section = tokens[i];
                i += 1;
                continue;
            }
            "Subject" => {
                section = "Subject";
                i += 2;
                continue;
            }
            _ => {}
        }
        match section {
            "Minimize" | "Subject" => {
                i += 1; // The row's name.
                let mut terms = Vec::new();
                while i < tokens.len() && (tokens[i] == "+" || tokens[i] == "-") {
                    let sign = if tokens[i] == "-" { -1.0 } else { 1.0 };
                    let v: f64 = tokens[i + 1].parse().unwrap();
                    let j = read.col(tokens[i + 2]);
                    terms.push((j, sign * v));
                    i += 3;
                }
                if section == "Minimize" {
                    for (j, v) in terms {
                        read.columns[j].cost += v;
                    }
                } else {
                    let rhs: f64 = tokens[i + 1].parse().unwrap();
                    let (lower, upper) = match tokens[i] {
                        "<=" => (f64::NEG_INFINITY, rhs),
                        ">=" => (rhs, f64::INFINITY),
                        _ => (rhs, rhs),
                    };
                    read.rows.push((lower, upper, terms));
                    i += 2;
                }
            }
            "Bounds" => {
                // `0 <= name <= upper`
                let j = read.col(tokens[i + 2]);
                read.columns[j].upper = tokens[i + 4].parse().unwrap();
                i += 5;
            }
            "Binary" => {
                let j = read.col(tokens[i]);
                read.columns[j].integer = true;
                read.columns[j].upper = 1.0;
                i += 1;
            }
            _ => i += 1,
        }
    }
    read
}

#[test]
fn the_exported_model_solves_to_the_same_objective() {
    for problem in [knapsack(), schedule()] {
        let outcome = solve(&problem);
        for format in [Format::Mps, Format::Lp] {
            let text = export_model(&problem, format);
            let objective = solve_text(&text, format);
            assert!(
                (objective - outcome.evaluation.objective).abs() < 1e-6,
                "{format:?}: {objective} against {}",
                outcome.evaluation.objective
            );
        }
    }
}

#[test]
fn the_exported_model_names_its_parts() {
    let lp = export_model(&schedule(), Format::Lp);
    assert!(lp.starts_with("\\ Custodes capabilities-based planning model\n"));
    assert!(lp.contains("\\ programme 1 = b (options 0=o)\n"));
    // b may start in 2027 or 2028; in each year it needs a finished before.
    assert!(lp.contains(" dep0_2027: + 1 x_1_0_2027 <= 0\n"), "{lp}");
    assert!(
        lp.contains(" dep0_2028: + 1 x_1_0_2027 + 1 x_1_0_2028 - 1 x_0_0_2027 <= 0\n"),
        "{lp}"
    );
    let mps = export_model(&schedule(), Format::Mps);
    assert!(mps.contains("    MARKER 'MARKER' 'INTORG'\n"));
    assert!(mps.contains(" BV bnd x_0_0_2027\n"));
}

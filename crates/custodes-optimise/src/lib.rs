//! The capabilities-based planning optimiser: a [`PlanProblem`] in, an optimised and
//! explained plan out, solved as a mixed-integer programme with HiGHS.
//!
//! Architecture invariant: this crate knows neither storage nor the web. It takes data and
//! returns data; the only outside thing it reads is a monotonic clock, to report solve
//! times. The rules it optimises are those of `custodes_core::plan`, and every plan it
//! returns has passed the core's independent checker.
//!
//! [`optimise`] runs in stages:
//! 1. validation and pre-checks (see [`Infeasibility`]);
//! 2. a first plan: the linear relaxation is solved (within a tenth of the time limit) and
//!    a greedy (`start.rs`) takes the choices it takes at least half, then fills up by
//!    weighted gap closed per unit of money, within every rule; unless the relaxation's
//!    optimum already proves that plan within the gap tolerance, an improvement step takes
//!    each chosen programme out in turn and lets the greedy refill the room, keeping what
//!    lowers the gap. The gap solve starts from it, so it never begins without a plan, and
//!    is skipped when the relaxation proves the first plan good enough;
//! 3. the gap solve: minimise the weighted, discounted capability gap (the formula of
//!    `custodes_core::plan`) within the time limit and relative gap tolerance;
//! 4. the tie-break: the least total cost among plans whose gap is at most the one found
//!    (plus a relative 1e-9). First each chosen programme in turn moves to a cheaper option
//!    or start year, or leaves the plan, where the gap does not rise and every rule holds
//!    (`start::cheapen`, bounded by counts, not by the clock); then HiGHS minimises the cost
//!    from that plan and stops after 500 branch-and-bound nodes or a tenth of the gap
//!    solve's time, keeping the cheapest plan found. On a model of at most 400 columns it
//!    gets at least 0.1 s, in which it finishes: small portfolios are tie-broken exactly.
//!    The same input gives the same plan: HiGHS runs on one thread with its fixed seed,
//!    and of plans with equal gaps the cheaper wins. A solve that stops on a time limit
//!    rather than on the gap tolerance or the node limit depends on the machine's speed;
//! 5. explanations: the binding rules, the marginal value of money per source and year
//!    (duals of the ceiling rows of the linear programme in which the chosen programmes are
//!    fixed and the ones left out may be taken fractionally), and a reason for every
//!    programme left out.
//!
//! Progress is reported at stage boundaries and, during the gap solve, from HiGHS's own
//! callback: on every better plan and at least every quarter of a second, with the best
//! plan's objective, the proven bound, the gap and the nodes explored. A [`Stop`] ends the
//! search early: the best plan so far is kept and explained ([`Status::Stopped`]).

mod explain;
mod export;
mod infeasible;
mod model;
mod solve;
mod start;
mod watch;

use std::time::{Duration, Instant};

use custodes_core::plan::{
    Binding, Checker, Evaluation, OptionId, Plan, PlanProblem, ProgrammeId, SourceId, binding,
    validate,
};
use serde::{Deserialize, Serialize};

pub use explain::{LeftOut, Reason};
pub use export::{Format, export_model};
pub use infeasible::{Finding, Infeasibility, Rule};

use model::Model;
use solve::{Job, Objective, Run, Solved, run};
pub use watch::Stop;
use watch::Watch;

/// The most branch-and-bound nodes of the tie-break solve.
const TIE_BREAK_NODES: i32 = 500;

/// Models with at most this many columns get at least [`TIE_BREAK_FLOOR`] seconds for the
/// tie-break solve, in which HiGHS finishes it: small portfolios are tie-broken exactly.
const SMALL_MODEL: usize = 400;

/// The least time of the tie-break solve on a small model, in seconds.
const TIE_BREAK_FLOOR: f64 = 0.1;

/// The time of the tie-break solve after a gap solve of `gap_seconds`: a tenth of it, and
/// at least [`TIE_BREAK_FLOOR`] on a small model.
fn tie_break_seconds(model: &Model, gap_seconds: f64) -> f64 {
    let tenth = 0.1 * gap_seconds;
    if model.columns.len() <= SMALL_MODEL {
        tenth.max(TIE_BREAK_FLOOR)
    } else {
        tenth
    }
}

/// What the user may set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The longest the solver may search, over all stages.
    pub time_limit: Duration,
    /// The relative optimality gap at which the search stops (0.01 for 1%).
    pub relative_gap: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(60),
            relative_gap: 1e-4,
        }
    }
}

/// What the optimiser reports while it works.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Progress {
    /// The model is built.
    Started {
        /// Its columns (variables).
        columns: usize,
        /// Its rows (constraints).
        rows: usize,
    },
    /// The gap solve is searching (reported on every better plan and at least every
    /// quarter of a second).
    Searching {
        /// The best plan's objective so far, if a plan was found.
        incumbent: Option<f64>,
        /// The best bound proven so far.
        bound: f64,
        /// The relative gap between them, if a plan was found.
        gap: Option<f64>,
        /// Branch-and-bound nodes explored.
        nodes: i64,
        /// Seconds since the start.
        seconds: f64,
    },
    /// A solve has ended.
    Solved {
        /// Which solve.
        stage: Stage,
        /// The best plan's objective in that solve (the gap, or the cost for the
        /// tie-break).
        incumbent: f64,
        /// The best bound proven.
        bound: f64,
        /// The relative gap between them.
        gap: f64,
        /// Seconds since the start.
        seconds: f64,
    },
    /// The plan is chosen; explanations are being derived.
    Explaining,
    /// Everything is done.
    Finished {
        /// Seconds since the start.
        seconds: f64,
    },
}

/// The solves of [`optimise`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Minimising the gap.
    Gap,
    /// Minimising the cost among plans with that gap.
    TieBreak,
}

/// How the search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Proven optimal within the gap tolerance.
    Optimal,
    /// Stopped by the time limit with a plan whose gap is reported.
    TimeLimit,
    /// Stopped by the user with a plan whose gap is reported.
    Stopped,
}

/// A chosen programme.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Selected {
    /// The programme.
    pub programme: ProgrammeId,
    /// Its option.
    pub option: OptionId,
    /// Its first year.
    pub start: i32,
    /// Its last year.
    pub finish: i32,
    /// What it costs over the horizon.
    pub cost: f64,
}

/// The marginal value of one more unit of money from a source in a year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarginalValue {
    /// The source.
    pub source: SourceId,
    /// The year.
    pub year: i32,
    /// By how much the objective (weighted, discounted gap) would fall per unit.
    pub value: f64,
}

/// An optimised plan and its explanations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The plan.
    pub plan: Plan,
    /// The chosen programmes, in id order.
    pub selected: Vec<Selected>,
    /// The plan's effects, computed by the core: spend per source and year against what
    /// is available, residual gaps per capability and per goal and year, the objective.
    pub evaluation: Evaluation,
    /// The rules the plan meets with no room left.
    pub binding: Vec<Binding>,
    /// The marginal value of money per source and year.
    pub marginal_values: Vec<MarginalValue>,
    /// Every programme left out, with the reason.
    pub left_out: Vec<LeftOut>,
    /// How the search ended.
    pub status: Status,
    /// The relative optimality gap reached by the gap solve.
    pub gap: f64,
    /// The best bound on the objective proven by the gap solve.
    pub bound: f64,
    /// Whether branch and bound ran: `false` when the linear relaxation's bound already
    /// proved the first plan within the gap tolerance (`bound` is then that relaxation's).
    /// Outcomes stored before it was recorded read as searched.
    #[serde(default = "searched_before_recorded")]
    pub searched: bool,
    /// Seconds spent in the solver (the relaxation, the first plan and both solves).
    pub solve_seconds: f64,
    /// Seconds from start to finish, explanations included.
    pub total_seconds: f64,
}

fn searched_before_recorded() -> bool {
    true
}

/// Chooses and schedules programmes to minimise the weighted, discounted capability gap
/// within every rule of `problem`, breaking ties by lower cost, and explains the result.
/// `progress` hears of each stage.
pub fn optimise(
    problem: &PlanProblem,
    settings: &Settings,
    progress: impl FnMut(Progress),
) -> Result<Outcome, Infeasibility> {
    optimise_until(problem, settings, progress, &Stop::new())
}

/// [`optimise`], which `stop` can end early: the best plan found by then is explained and
/// returned with [`Status::Stopped`], or [`Infeasibility::Stopped`] when there was none.
pub fn optimise_until(
    problem: &PlanProblem,
    settings: &Settings,
    mut progress: impl FnMut(Progress),
    stop: &Stop,
) -> Result<Outcome, Infeasibility> {
    let clock = Instant::now();
    let limit = settings.time_limit.as_secs_f64();
    let problems = validate(problem);
    if !problems.is_empty() {
        return Err(Infeasibility::Invalid(problems));
    }
    let findings = infeasible::precheck(problem);
    if !findings.is_empty() {
        return Err(Infeasibility::Precheck(findings));
    }

    let model = Model::build(problem, &|_| true);
    progress(Progress::Started {
        columns: model.columns.len(),
        rows: model.rows.len(),
    });

    let solve_clock = Instant::now();
    let greedy = first_plan(&model, limit, settings.relative_gap);
    // When the relaxation proves the first plan within the tolerance, the search has
    // nothing to add; otherwise HiGHS searches from it.
    let proven = greedy.proven(&model, settings.relative_gap);
    let searched = proven.is_none();
    let solved = match proven {
        Some(proven) => Run::Solved(proven),
        None => {
            let first = Job {
                objective: Objective::Gap,
                extra: None,
                time_limit: limit - clock.elapsed().as_secs_f64(),
                relative_gap: settings.relative_gap,
                start: greedy.values.as_deref(),
                relaxed_bounds: None,
                node_limit: None,
            };
            let mut watch = Watch::new(&mut progress, stop, clock);
            let solved = run(&model, &first, Some(&mut watch));
            drop(watch);
            solved
        }
    };
    let stopped = stop.is_stopped();
    let primary = match solved {
        Run::Solved(s) => s,
        Run::NoSolution if stopped => return Err(Infeasibility::Stopped),
        Run::Infeasible => return Err(infeasible::conflict(problem, limit)),
        Run::NoSolution => return Err(Infeasibility::NoPlanInTime { seconds: limit }),
        Run::Error(e) => return Err(Infeasibility::Solver(e)),
    };
    progress(Progress::Solved {
        stage: Stage::Gap,
        incumbent: primary.objective,
        bound: primary.bound,
        gap: primary.gap,
        seconds: clock.elapsed().as_secs_f64(),
    });

    // The tie-break: the least cost among plans whose gap is no worse. First the plan is
    // made cheaper by moving each programme to a cheaper option or start year, or leaving
    // it out, where the gap does not rise; then HiGHS searches from that plan.
    let gap_terms = model.gap_objective();
    let ceiling = primary.objective + 1e-9 * primary.objective.abs().max(1.0);
    let mut values = if stopped {
        primary.values.clone()
    } else {
        start::cheapen(&model, &primary.values, ceiling)
    };
    let cost_of = |values: &[f64]| -> f64 {
        model
            .columns
            .iter()
            .zip(values)
            .map(|(c, v)| c.money * v)
            .sum()
    };
    let remaining = (limit - clock.elapsed().as_secs_f64()).min(tie_break_seconds(
        &model,
        solve_clock.elapsed().as_secs_f64(),
    ));
    if remaining > 0.0 && !stopped {
        let second = Job {
            objective: Objective::Money,
            extra: Some((gap_terms, ceiling)),
            time_limit: remaining,
            relative_gap: settings.relative_gap,
            start: Some(&values),
            relaxed_bounds: None,
            node_limit: Some(TIE_BREAK_NODES),
        };
        if let Run::Solved(s) = run(&model, &second, None) {
            progress(Progress::Solved {
                stage: Stage::TieBreak,
                incumbent: s.objective,
                bound: s.bound,
                gap: s.gap,
                seconds: clock.elapsed().as_secs_f64(),
            });
            if s.objective < cost_of(&values) {
                values = s.values;
            }
        }
    }
    let solve_seconds = solve_clock.elapsed().as_secs_f64();

    progress(Progress::Explaining);
    let plan = plan_of(problem, &model, &values);
    let checker = Checker::new(problem);
    let evaluation = checker.evaluate(&plan);
    let violations = checker.check_evaluated(&plan, &evaluation);
    if !violations.is_empty() {
        let words: Vec<String> = violations.iter().map(ToString::to_string).collect();
        return Err(Infeasibility::Solver(format!(
            "the solver's plan breaks rules the checker found: {}",
            words.join("; ")
        )));
    }
    let selected = checker
        .resolved(&plan)
        .map(|(p, o, start)| Selected {
            programme: p.id.clone(),
            option: o.id.clone(),
            start,
            finish: o.finish(start),
            cost: o.total_cost(),
        })
        .collect();
    let binding = binding(problem, &plan, &evaluation);
    let marginal_values = marginal_values(problem, &model, &values, limit);
    let left_out = explain::left_out(&checker, &plan, evaluation.objective);
    let status = if primary.proven {
        Status::Optimal
    } else if stopped {
        Status::Stopped
    } else {
        Status::TimeLimit
    };
    let total_seconds = clock.elapsed().as_secs_f64();
    progress(Progress::Finished {
        seconds: total_seconds,
    });
    Ok(Outcome {
        plan,
        selected,
        evaluation,
        binding,
        marginal_values,
        left_out,
        status,
        gap: primary.gap,
        bound: primary.bound,
        searched,
        solve_seconds,
        total_seconds,
    })
}

/// The first plan `start.rs` finds for `problem` before the solver runs (the greedy and
/// its improvement), if it finds one; for tests and benchmarks.
#[doc(hidden)]
pub fn greedy_plan(problem: &PlanProblem) -> Option<Plan> {
    if !validate(problem).is_empty() {
        return None;
    }
    let model = Model::build(problem, &|_| true);
    first_plan(&model, 60.0, 0.0)
        .values
        .map(|values| plan_of(problem, &model, &values))
}

/// `plan` made cheaper as the tie-break's first step does, without raising its objective
/// (see `start::cheapen`); for tests. `plan` must keep every rule of a valid `problem`.
#[doc(hidden)]
pub fn cheaper_plan(problem: &PlanProblem, plan: &Plan) -> Plan {
    let model = Model::build(problem, &|_| true);
    let values: Vec<f64> = (0..model.columns.len())
        .map(|j| match model.choice_of(j) {
            Some((p, o, start)) => {
                let programme = &problem.programmes[p];
                let chosen = plan
                    .choice(&programme.id)
                    .is_some_and(|c| c.option == programme.options[o].id && c.start == start);
                if chosen { 1.0 } else { 0.0 }
            }
            None => 0.0,
        })
        .collect();
    let objective = Checker::new(problem).evaluate(plan).objective;
    let ceiling = objective + 1e-9 * objective.abs().max(1.0);
    plan_of(problem, &model, &start::cheapen(&model, &values, ceiling))
}

/// A first plan for the gap solve and what the linear relaxation proves about it.
struct FirstPlan {
    /// The column values of the greedy's plan, if it found one.
    values: Option<Vec<f64>>,
    /// The relaxation's optimum, a lower bound on every plan's objective, when it was
    /// solved to optimality in time.
    bound: Option<f64>,
}

impl FirstPlan {
    /// The first plan as a solution of the gap solve, when the relaxation's bound already
    /// proves it within `relative_gap` of the optimum (or within HiGHS's absolute
    /// tolerance of it): then branch and bound has nothing left to prove.
    fn proven(&self, model: &Model, relative_gap: f64) -> Option<Solved> {
        let (values, bound) = (self.values.as_ref()?, self.bound?);
        let objective: f64 = model
            .gap_objective()
            .iter()
            .map(|&(j, w)| w * values[j])
            .sum();
        within(objective, bound, relative_gap).then(|| Solved {
            values: values.clone(),
            objective,
            bound: bound.min(objective),
            gap: relative_gap_of(objective, bound),
            proven: true,
            row_duals: Vec::new(),
        })
    }
}

/// The absolute gap under which a plan counts as optimal: HiGHS's `mip_abs_gap` default.
const ABSOLUTE_GAP: f64 = 1e-6;

/// The relative gap between a plan's objective and a lower bound, as HiGHS measures it.
fn relative_gap_of(objective: f64, bound: f64) -> f64 {
    if objective.abs() > ABSOLUTE_GAP {
        ((objective - bound) / objective.abs()).max(0.0)
    } else {
        0.0
    }
}

/// Whether `bound` proves `objective` within `relative_gap` of the optimum, or within
/// HiGHS's absolute tolerance of it.
fn within(objective: f64, bound: f64, relative_gap: f64) -> bool {
    objective - bound <= ABSOLUTE_GAP || relative_gap_of(objective, bound) <= relative_gap
}

/// A first plan for the gap solve: the greedy of `start.rs`, guided by the linear
/// relaxation, or unguided if that cannot be solved in a tenth of the time limit.
fn first_plan(model: &Model, limit: f64, relative_gap: f64) -> FirstPlan {
    let bounds: Vec<(f64, f64)> = model.columns.iter().map(|c| (0.0, c.upper)).collect();
    let job = Job {
        objective: Objective::Gap,
        extra: None,
        time_limit: 0.1 * limit,
        relative_gap: 0.0,
        start: None,
        relaxed_bounds: Some(&bounds),
        node_limit: None,
    };
    let (relaxed, bound) = match run(model, &job, None) {
        Run::Solved(lp) => {
            let bound = lp.proven.then_some(lp.objective);
            (Some(lp.values), bound)
        }
        _ => (None, None),
    };
    let good_enough = |objective: f64| bound.is_some_and(|b| within(objective, b, relative_gap));
    FirstPlan {
        values: start::first_plan(model, relaxed.as_deref(), good_enough)
            .or_else(|| start::first_plan(model, None, good_enough)),
        bound,
    }
}

/// The plan a solution's choice columns describe.
fn plan_of(problem: &PlanProblem, model: &Model, values: &[f64]) -> Plan {
    let mut plan = Plan::new();
    for (j, value) in values.iter().enumerate() {
        if *value > 0.5
            && let Some((p, o, start)) = model.choice_of(j)
        {
            let programme = &problem.programmes[p];
            plan.choose(programme.id.clone(), programme.options[o].id.clone(), start);
        }
    }
    plan
}

/// The duals of the ceiling rows in the linear programme where the chosen programmes are
/// fixed, the other options of chosen programmes are barred, and the programmes left out
/// may be taken fractionally. With carry-over, a unit more in year `t` raises the
/// cumulative ceilings of `t` and every later year, so its value adds their duals.
fn marginal_values(
    problem: &PlanProblem,
    model: &Model,
    values: &[f64],
    limit: f64,
) -> Vec<MarginalValue> {
    let n = problem.horizon().count();
    let mut chosen = vec![false; problem.programmes.len()];
    for (j, v) in values.iter().enumerate() {
        if *v > 0.5
            && let Some((p, _, _)) = model.choice_of(j)
        {
            chosen[p] = true;
        }
    }
    let bounds: Vec<(f64, f64)> = model
        .columns
        .iter()
        .enumerate()
        .map(|(j, c)| match model.choice_of(j) {
            Some((p, _, _)) if chosen[p] => {
                let fixed = if values[j] > 0.5 { 1.0 } else { 0.0 };
                (fixed, fixed)
            }
            _ => (0.0, c.upper),
        })
        .collect();
    let job = Job {
        objective: Objective::Gap,
        extra: None,
        time_limit: limit.max(1.0),
        relative_gap: 0.0,
        start: None,
        relaxed_bounds: Some(&bounds),
        node_limit: None,
    };
    let mut duals = vec![0.0; problem.sources.len() * n];
    if let Run::Solved(lp) = run(model, &job, None) {
        for (r, row) in model.rows.iter().enumerate() {
            if let (Some((f, t)), Some(d)) = (row.ceiling, lp.row_duals.get(r)) {
                duals[f * n + t] = -d;
            }
        }
    }
    let mut found = Vec::with_capacity(duals.len());
    for (f, source) in problem.sources.iter().enumerate() {
        for t in 0..n {
            let value = if source.carry_over {
                (t..n).map(|u| duals[f * n + u]).sum()
            } else {
                duals[f * n + t]
            };
            found.push(MarginalValue {
                source: source.id.clone(),
                year: problem.first_year + t as i32,
                value: if value.abs() < 1e-12 { 0.0 } else { value },
            });
        }
    }
    found
}

/// `a`, `a and b`, `a, b and c`: lists in explanations.
pub(crate) fn words<T: std::fmt::Display>(items: &[T]) -> String {
    let items: Vec<String> = items.iter().map(ToString::to_string).collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

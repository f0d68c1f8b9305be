//! Running HiGHS on a [`Model`]: the gap solve, the tie-break solve on cost, the
//! feasibility solves of the conflict search, and the linear programme whose duals give
//! the marginal value of money.

use highs::{HighsModelStatus, HighsSolutionStatus, RowProblem, Sense};

use crate::model::{Model, Var};
use crate::watch::Watch;

/// Which objective a solve minimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Objective {
    /// The discounted, weighted capability gap.
    Gap,
    /// The total cost over the horizon.
    Money,
    /// Nothing: any feasible plan will do.
    Feasibility,
}

/// How a solve ended.
#[derive(Debug)]
pub(crate) enum Run {
    /// A plan was found.
    Solved(Solved),
    /// HiGHS proved that no plan exists.
    Infeasible,
    /// The time limit came before any plan was found.
    NoSolution,
    /// HiGHS failed.
    Error(String),
}

/// A solution.
#[derive(Debug)]
pub(crate) struct Solved {
    pub values: Vec<f64>,
    pub objective: f64,
    pub bound: f64,
    pub gap: f64,
    /// Whether HiGHS proved it optimal within the gap tolerance.
    pub proven: bool,
    /// The row duals, for linear programmes.
    pub row_duals: Vec<f64>,
}

/// What a solve is asked to do besides the model itself.
#[derive(Debug)]
pub(crate) struct Job<'a> {
    pub objective: Objective,
    /// An extra row `Σ terms ≤ bound` (the tie-break bounds the gap objective).
    pub extra: Option<(Vec<(usize, f64)>, f64)>,
    pub time_limit: f64,
    pub relative_gap: f64,
    /// A starting solution.
    pub start: Option<&'a [f64]>,
    /// Solve the linear programme with these column bounds instead (integrality dropped).
    pub relaxed_bounds: Option<&'a [(f64, f64)]>,
    /// The most branch-and-bound nodes, a limit that does not depend on the machine.
    pub node_limit: Option<i32>,
}

/// Solves `model` as `job` asks; `watch`, when given, hears of the search and may stop it.
pub(crate) fn run(model: &Model, job: &Job<'_>, mut watch: Option<&mut Watch<'_>>) -> Run {
    let mut pb = RowProblem::default();
    let columns: Vec<highs::Col> = model
        .columns
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let cost = match job.objective {
                Objective::Gap => c.gap_cost,
                Objective::Money => c.money,
                Objective::Feasibility => 0.0,
            };
            match job.relaxed_bounds {
                Some(bounds) => pb.add_column(cost, bounds[j].0..=bounds[j].1),
                None if matches!(c.var, Var::Choice { .. }) => {
                    pb.add_integer_column(cost, 0.0..=c.upper)
                }
                None => pb.add_column(cost, 0.0..=c.upper),
            }
        })
        .collect();
    for row in &model.rows {
        pb.add_row(
            row.lower..=row.upper,
            row.terms.iter().map(|&(j, v)| (columns[j], v)),
        );
    }
    if let Some((terms, bound)) = &job.extra {
        pb.add_row(
            f64::NEG_INFINITY..=*bound,
            terms.iter().map(|&(j, v)| (columns[j], v)),
        );
    }
    let rows = pb.num_rows();
    let mut highs = match pb.try_optimise(Sense::Minimise) {
        Ok(m) => m,
        Err(status) => return Run::Error(format!("HiGHS refused the model ({status:?})")),
    };
    highs.make_quiet();
    let settings: [(&str, f64); 2] = [
        ("time_limit", job.time_limit.max(0.01)),
        ("mip_rel_gap", job.relative_gap),
    ];
    for (name, value) in settings {
        if highs.try_set_option(name, value).is_err() {
            return Run::Error(format!("HiGHS refused option {name} = {value}"));
        }
    }
    // One thread keeps the search, and so the plan, the same from run to run.
    if highs.try_set_option("threads", 1).is_err() {
        return Run::Error("HiGHS refused option threads = 1".to_owned());
    }
    if let Some(nodes) = job.node_limit
        && highs.try_set_option("mip_max_nodes", nodes).is_err()
    {
        return Run::Error(format!("HiGHS refused option mip_max_nodes = {nodes}"));
    }
    if let Some(start) = job.start {
        let _ = highs.try_set_solution(Some(start), None, None, None);
    }
    if let Some(watch) = watch.as_deref_mut()
        && !watch.attach(&mut highs)
    {
        return Run::Error("HiGHS refused the progress callback".to_owned());
    }
    let solved = highs.try_solve();
    if let Some(watch) = watch {
        watch.raise_panic();
    }
    let solved = match solved {
        Ok(s) => s,
        Err(status) => return Run::Error(format!("HiGHS failed ({status:?})")),
    };
    let status = solved.status();
    match status {
        HighsModelStatus::Infeasible => return Run::Infeasible,
        HighsModelStatus::Optimal | HighsModelStatus::ModelEmpty => {}
        HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedMemoryLimit => {
            if solved.primal_solution_status() != HighsSolutionStatus::Feasible {
                return Run::NoSolution;
            }
        }
        other => return Run::Error(format!("HiGHS ended with status {other:?}")),
    }
    let solution = solved.get_solution();
    let integer = job.relaxed_bounds.is_none();
    let objective = solved.objective_value();
    let (bound, gap) = if integer && status != HighsModelStatus::ModelEmpty {
        let bound = solved
            .double_info_value(c"mip_dual_bound")
            .unwrap_or(objective);
        (bound, solved.mip_gap().max(0.0))
    } else {
        (objective, 0.0)
    };
    let mut row_duals = solution.dual_rows().to_vec();
    row_duals.truncate(rows);
    Run::Solved(Solved {
        values: solution.columns().to_vec(),
        objective,
        bound,
        gap: if gap.is_finite() { gap } else { 0.0 },
        proven: status == HighsModelStatus::Optimal || status == HighsModelStatus::ModelEmpty,
        row_duals,
    })
}

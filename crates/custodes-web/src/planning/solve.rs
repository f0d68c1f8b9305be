//! The one place that calls the optimiser: a stored portfolio is assembled into a plan
//! problem under a scenario (by the store, for the viewer), solved by
//! `custodes_optimise::optimise`, and saved as a draft plan with its explanations. The web
//! form, the API and the command line all come here.

use chrono::NaiveDate;
use custodes_core::WorkspaceId;
use custodes_core::audit::Actor;
use custodes_core::plan::PlanProblem;
use custodes_core::planning::{LeftOut, MarginalValue, SolveReport, SolveSettings};
use custodes_core::policy::Viewer;
use custodes_optimise::{Format, Infeasibility, Outcome, Progress, Settings, Status};
use custodes_store::plan::{NewPlan, StoredPlan};
use custodes_store::{Store, StoreError};

/// Why a plan could not be optimised.
#[derive(Debug, thiserror::Error)]
pub enum OptimiseError {
    /// The store refused (no such scenario, hidden programmes, bad settings, …) or failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The assembled problem is not valid: every problem, in words.
    #[error("the portfolio cannot be optimised: {}", .0.join("; "))]
    Invalid(Vec<String>),
    /// The optimiser found no plan, and says which rules conflict.
    #[error("{0}")]
    Infeasible(String),
}

/// A solved problem: the plan, its explanations in words, and the optimiser's answer.
#[derive(Clone, Debug)]
pub struct Solved {
    /// The plan.
    pub choices: custodes_core::plan::Plan,
    /// What the pages show.
    pub report: SolveReport,
    /// The optimiser's whole answer.
    pub outcome: Outcome,
}

/// Solves `problem` within `settings`, telling `progress` of each stage.
pub fn solve(
    problem: &PlanProblem,
    settings: &SolveSettings,
    progress: impl FnMut(Progress),
) -> Result<Solved, Infeasibility> {
    let settings = Settings {
        time_limit: std::time::Duration::from_secs_f64(settings.time_limit_seconds),
        relative_gap: settings.relative_gap,
    };
    let outcome = custodes_optimise::optimise(problem, &settings, progress)?;
    let report = SolveReport {
        status: match outcome.status {
            Status::Optimal => "optimal",
            Status::TimeLimit => "time_limit",
            Status::Stopped => "stopped",
        }
        .to_owned(),
        objective: outcome.evaluation.objective,
        bound: outcome.bound,
        gap: outcome.gap,
        solve_seconds: outcome.solve_seconds,
        total_seconds: outcome.total_seconds,
        marginal_values: outcome
            .marginal_values
            .iter()
            .map(|m| MarginalValue {
                source: m.source.clone(),
                year: m.year,
                value: m.value,
            })
            .collect(),
        left_out: outcome
            .left_out
            .iter()
            .map(|l| LeftOut {
                programme: l.programme.clone(),
                reason: l.reason.to_string(),
            })
            .collect(),
    };
    Ok(Solved {
        choices: outcome.plan.clone(),
        report,
        outcome,
    })
}

/// What to optimise: a scenario by key or name, a name for the plan, the settings.
#[derive(Clone, Debug)]
pub struct OptimiseRequest {
    /// The scenario's key or name.
    pub scenario: String,
    /// The new plan's name; the scenario's name and the day when empty.
    pub name: String,
    /// The time limit and gap tolerance.
    pub settings: SolveSettings,
}

/// Assembles the workspace's portfolio under the scenario for `viewer`, optimises it and
/// saves the result as a draft plan.
pub async fn optimise_plan(
    store: &Store,
    actor: &Actor,
    viewer: &Viewer,
    today: NaiveDate,
    workspace: WorkspaceId,
    request: OptimiseRequest,
    progress: impl FnMut(Progress) + Send + 'static,
) -> Result<StoredPlan, OptimiseError> {
    let problems = request.settings.check();
    if !problems.is_empty() {
        return Err(StoreError::Fields(problems).into());
    }
    let Some(scenario) = store.find_scenario(workspace, &request.scenario).await? else {
        return Err(StoreError::NotFound {
            kind: "scenario",
            key: request.scenario,
        }
        .into());
    };
    let assembled = store
        .plan_problem(viewer, today, workspace, &scenario.scenario)
        .await?;
    if !assembled.problems.is_empty() {
        return Err(OptimiseError::Invalid(
            assembled.problems.iter().map(ToString::to_string).collect(),
        ));
    }
    let problem = assembled.problem.clone();
    let settings = request.settings.clone();
    let solved = tokio::task::spawn_blocking(move || solve(&problem, &settings, progress))
        .await
        .map_err(|e| OptimiseError::Infeasible(format!("the optimiser stopped: {e}")))?
        .map_err(|e| OptimiseError::Infeasible(e.to_string()))?;
    let name = if request.name.trim().is_empty() {
        format!("{} ({today})", scenario.scenario.name)
    } else {
        request.name
    };
    let outcome = serde_json::to_value(&solved.outcome).unwrap_or_default();
    Ok(store
        .create_plan(
            actor,
            viewer,
            workspace,
            NewPlan {
                name,
                scenario_id: Some(scenario.id),
                scenario: scenario.scenario,
                settings: request.settings,
                assembled,
                choices: solved.choices,
                report: solved.report,
                outcome,
            },
        )
        .await?)
}

/// The optimiser's model of the workspace's portfolio under a scenario, as MPS or LP text,
/// for independent audit.
pub async fn export_model(
    store: &Store,
    viewer: &Viewer,
    today: NaiveDate,
    workspace: WorkspaceId,
    scenario: &str,
    format: Format,
) -> Result<String, OptimiseError> {
    let Some(scenario) = store.find_scenario(workspace, scenario).await? else {
        return Err(StoreError::NotFound {
            kind: "scenario",
            key: scenario.to_owned(),
        }
        .into());
    };
    let assembled = store
        .plan_problem(viewer, today, workspace, &scenario.scenario)
        .await?;
    if !assembled.problems.is_empty() {
        return Err(OptimiseError::Invalid(
            assembled.problems.iter().map(ToString::to_string).collect(),
        ));
    }
    Ok(custodes_optimise::export_model(&assembled.problem, format))
}

//! The one place that calls the optimiser: a stored portfolio is assembled into a plan
//! problem under a scenario (by the store, for the viewer) and checked ([`prepare`]),
//! solved by `custodes_optimise::optimise_until`, which a [`Stop`] can end early, and saved
//! as a draft plan with its explanations ([`solve_and_save`]). The web form and the API
//! (through background jobs, `super::jobs`) and the command line all come here.

use chrono::NaiveDate;
use custodes_core::audit::Actor;
use custodes_core::plan::PlanProblem;
use custodes_core::planning::Scenario;
use custodes_core::planning::{LeftOut, MarginalValue, SolveReport, SolveSettings};
use custodes_core::policy::Viewer;
use custodes_core::{UserId, WorkspaceId};
use custodes_optimise::{Format, Infeasibility, Outcome, Progress, Settings, Status, Stop};
use custodes_store::funding::StoredScenario;
use custodes_store::plan::{Assembled, NewPlan, StoredPlan};
use custodes_store::{Store, StoreError};

use super::jobs::{About, Busy, JobId, Jobs};

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
    /// The search was stopped before it found any plan, so none was saved.
    #[error("the search was stopped before it found any plan, so no plan was saved")]
    Stopped,
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
    solve_until(problem, settings, progress, &Stop::new())
}

/// [`solve`], which `stop` can end early: the best plan found by then is explained and
/// returned, or [`Infeasibility::Stopped`] when there was none.
pub fn solve_until(
    problem: &PlanProblem,
    settings: &SolveSettings,
    progress: impl FnMut(Progress),
    stop: &Stop,
) -> Result<Solved, Infeasibility> {
    let settings = Settings {
        time_limit: std::time::Duration::from_secs_f64(settings.time_limit_seconds),
        relative_gap: settings.relative_gap,
    };
    let outcome = custodes_optimise::optimise_until(problem, &settings, progress, stop)?;
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
        searched: outcome.searched,
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

/// A portfolio assembled under a scenario for a viewer and found valid: what a solve
/// needs, checked before any time is spent solving.
#[derive(Clone, Debug)]
pub struct Prepared {
    scenario: StoredScenario,
    assembled: Assembled,
    name: String,
    settings: SolveSettings,
}

impl Prepared {
    /// The scenario it is assembled under.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario.scenario
    }

    /// The name the plan will have.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The time limit and gap tolerance.
    pub fn settings(&self) -> &SolveSettings {
        &self.settings
    }
}

/// Checks the settings, finds the scenario and assembles the workspace's portfolio under
/// it for `viewer`, refusing what cannot be optimised (bad settings, an unknown scenario,
/// programmes the viewer may not read, an invalid problem) before anything is solved.
pub async fn prepare(
    store: &Store,
    viewer: &Viewer,
    today: NaiveDate,
    workspace: WorkspaceId,
    request: OptimiseRequest,
) -> Result<Prepared, OptimiseError> {
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
    let name = if request.name.trim().is_empty() {
        format!("{} ({today})", scenario.scenario.name)
    } else {
        request.name
    };
    Ok(Prepared {
        scenario,
        assembled,
        name,
        settings: request.settings,
    })
}

/// Solves a prepared portfolio (on a blocking thread, telling `progress` of each stage,
/// until it ends or `stop` is switched on) and saves the result as a draft plan.
pub async fn solve_and_save(
    store: &Store,
    actor: &Actor,
    viewer: &Viewer,
    workspace: WorkspaceId,
    prepared: Prepared,
    progress: impl FnMut(Progress) + Send + 'static,
    stop: &Stop,
) -> Result<StoredPlan, OptimiseError> {
    let solved = solve_prepared(prepared, progress, stop).await?;
    save_solved(store, actor, viewer, workspace, solved).await
}

/// A prepared portfolio and its solution, not saved yet.
#[derive(Debug)]
pub struct SolvedPlan {
    prepared: Prepared,
    solved: Solved,
}

/// Solves a prepared portfolio on a blocking thread, telling `progress` of each stage,
/// until it ends or `stop` is switched on. Several can run at once, one per core.
pub async fn solve_prepared(
    prepared: Prepared,
    progress: impl FnMut(Progress) + Send + 'static,
    stop: &Stop,
) -> Result<SolvedPlan, OptimiseError> {
    let problem = prepared.assembled.problem.clone();
    let solve_settings = prepared.settings.clone();
    let stop = stop.clone();
    let solved = tokio::task::spawn_blocking(move || {
        solve_until(&problem, &solve_settings, progress, &stop)
    })
    .await
    .map_err(|e| OptimiseError::Infeasible(format!("the optimiser stopped: {e}")))?
    .map_err(|e| match e {
        Infeasibility::Stopped => OptimiseError::Stopped,
        e => OptimiseError::Infeasible(e.to_string()),
    })?;
    Ok(SolvedPlan { prepared, solved })
}

/// Saves a solved portfolio as a draft plan.
pub async fn save_solved(
    store: &Store,
    actor: &Actor,
    viewer: &Viewer,
    workspace: WorkspaceId,
    solved: SolvedPlan,
) -> Result<StoredPlan, OptimiseError> {
    let SolvedPlan {
        prepared:
            Prepared {
                scenario,
                assembled,
                name,
                settings,
            },
        solved,
    } = solved;
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
                settings,
                assembled,
                choices: solved.choices,
                report: solved.report,
                outcome,
            },
        )
        .await?)
}

/// Assembles the workspace's portfolio under the scenario for `viewer`, optimises it
/// (until it ends or `stop` is switched on, keeping the best plan found by then) and saves
/// the result as a draft plan.
#[allow(clippy::too_many_arguments)]
pub async fn optimise_plan(
    store: &Store,
    actor: &Actor,
    viewer: &Viewer,
    today: NaiveDate,
    workspace: WorkspaceId,
    request: OptimiseRequest,
    progress: impl FnMut(Progress) + Send + 'static,
    stop: &Stop,
) -> Result<StoredPlan, OptimiseError> {
    let prepared = prepare(store, viewer, today, workspace, request).await?;
    solve_and_save(store, actor, viewer, workspace, prepared, progress, stop).await
}

/// Starts solving a prepared portfolio in the background, as a job of `owner` that saves
/// the plan as `actor` with what `viewer` may read, or refuses when the server is
/// solving as many plans as it runs at once.
pub fn optimise_in_background(
    jobs: &Jobs,
    store: &Store,
    owner: UserId,
    actor: Actor,
    viewer: Viewer,
    workspace: WorkspaceId,
    prepared: Prepared,
) -> Result<JobId, Busy> {
    let about = About {
        scenario_key: prepared.scenario().key.clone(),
        scenario: prepared.scenario().name.clone(),
        name: prepared.name().to_owned(),
        settings: prepared.settings().clone(),
    };
    let store = store.clone();
    jobs.start(owner, workspace, about, move |handle| async move {
        let hear = handle.clone();
        let saved = solve_and_save(
            &store,
            &actor,
            &viewer,
            workspace,
            prepared,
            move |p| hear.hear(p),
            handle.stop(),
        )
        .await;
        saved.map(|plan| plan.id).map_err(|e| match e {
            OptimiseError::Store(e) if !e.is_bad_input() => {
                tracing::error!(detail = %e, "an optimised plan could not be saved");
                "the plan could not be saved because of a problem with the service; the problem has been logged".to_owned()
            }
            e => e.to_string(),
        })
    })
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

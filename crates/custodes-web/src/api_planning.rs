//! The JSON API of capabilities-based planning: capabilities, programmes (through the
//! access policy, like threats), plans (read through the policy and the plan's life
//! cycle; optimised and moved through their life cycle with a write token), and the jobs
//! that optimise plans in the background (seen and stopped by their owner only). Its
//! OpenAPI paths are merged into the API's document by [`PlanningApi`].

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use custodes_core::PlanId;
use custodes_core::permission::Action;
use custodes_core::planning::{CurrentLevel, PlanStep, SolveSettings};
use custodes_store::StoreError;
use custodes_store::plan::StoredPlan;
use custodes_store::programme::{Programme, ProgrammeQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::actors::workspace;
use crate::api::{ClassificationDto, ErrorDto};
use crate::auth::{Visitor, check_api_write};
use crate::error::ApiError;
use crate::planning::jobs::{End, Snapshot};
use crate::planning::solve::{OptimiseError, OptimiseRequest, optimise_in_background, prepare};
use crate::{AppState, WebError, today};

/// The API routes of planning.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/workspaces/{slug}/capabilities",
            get(list_capabilities),
        )
        .route("/api/v1/workspaces/{slug}/programmes", get(list_programmes))
        .route(
            "/api/v1/workspaces/{slug}/plans",
            get(list_plans).post(create_plan),
        )
        .route("/api/v1/plans/{id}", get(get_plan))
        .route("/api/v1/plans/{id}/status", post(change_status))
        .route("/api/v1/jobs/{id}", get(get_job))
        .route("/api/v1/jobs/{id}/stop", post(stop_job))
}

/// Yearly values of one funding source or capability.
#[derive(Serialize, ToSchema)]
pub(crate) struct YearlyDto {
    /// The source's or capability's key.
    key: String,
    /// One value per year after the option's start.
    per_year: Vec<f64>,
}

/// An option of a programme.
#[derive(Serialize, ToSchema)]
pub(crate) struct OptionDto {
    key: String,
    name: String,
    /// Years it runs.
    duration: u32,
    /// Cost per year after the start, by funding source (USD).
    costs: Vec<YearlyDto>,
    /// Points added per year after the start, by capability.
    contributions: Vec<YearlyDto>,
}

/// A programme of the portfolio.
#[derive(Serialize, ToSchema)]
pub(crate) struct ProgrammeDto {
    id: String,
    key: String,
    name: String,
    description: String,
    /// `institutional` or `sectoral`.
    kind: String,
    /// `civil_democratic_control`, `professionalisation`, `rule_of_law` or
    /// `demilitarisation_peacebuilding`.
    field: String,
    /// The lead actor's id.
    lead_actor: Option<String>,
    partners: Vec<String>,
    donors: Vec<String>,
    mandatory: bool,
    earliest_start: Option<i32>,
    latest_start: Option<i32>,
    /// Keys of the programmes that must finish before it starts.
    after: Vec<String>,
    /// Keys of the integrity programmes that must finish before it starts.
    gated_by: Vec<String>,
    options: Vec<OptionDto>,
    classification: ClassificationDto,
}

impl ProgrammeDto {
    fn from(p: Programme) -> ProgrammeDto {
        let f = p.fields;
        ProgrammeDto {
            id: p.id.to_string(),
            key: f.key,
            name: f.name,
            description: f.description,
            kind: f.kind.to_string(),
            field: f.field.as_str().to_owned(),
            lead_actor: p.lead_actor.map(|a| a.id.to_string()),
            partners: p.partners.iter().map(|a| a.id.to_string()).collect(),
            donors: p.donors.iter().map(|a| a.id.to_string()).collect(),
            mandatory: f.mandatory,
            earliest_start: f.earliest_start,
            latest_start: f.latest_start,
            after: p.after,
            gated_by: p.gated_by,
            options: p
                .options
                .into_iter()
                .map(|o| OptionDto {
                    key: o.fields.key,
                    name: o.fields.name,
                    duration: o.fields.duration,
                    costs: o
                        .fields
                        .costs
                        .into_iter()
                        .map(|c| YearlyDto {
                            key: c.source.to_string(),
                            per_year: c.per_year,
                        })
                        .collect(),
                    contributions: o
                        .fields
                        .contributions
                        .into_iter()
                        .map(|c| YearlyDto {
                            key: c.capability.to_string(),
                            per_year: c.per_year,
                        })
                        .collect(),
                })
                .collect(),
            classification: ClassificationDto::of(&p.classification),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/programmes", tag = "planning",
    params(("slug" = String, Path, description = "The workspace")),
    responses((status = 200, description = "The programmes the caller may read, with their options and links", body = Vec<ProgrammeDto>), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn list_programmes(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ProgrammeDto>>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let all = state
        .store
        .list_programmes(&visitor.viewer, today(), ws.id, &ProgrammeQuery::default())
        .await?;
    Ok(Json(all.into_iter().map(ProgrammeDto::from).collect()))
}

/// A capability with its levels per year of the horizon.
#[derive(Serialize, ToSchema)]
pub(crate) struct CapabilityDto {
    key: String,
    name: String,
    /// The goal it serves.
    goal: String,
    required: Vec<f64>,
    /// The current level per year, when the caller may know it.
    current: Option<Vec<f64>>,
    /// The gap per year, when the current level is known.
    gap: Option<Vec<f64>>,
    /// `entered`, or the assessment and indicator it is read from.
    current_from: String,
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/capabilities", tag = "planning",
    params(("slug" = String, Path, description = "The workspace")),
    responses((status = 200, description = "The capabilities with their gaps", body = Vec<CapabilityDto>), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn list_capabilities(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<CapabilityDto>>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let caps = state
        .store
        .list_capabilities(&visitor.viewer, today(), ws.id)
        .await?;
    Ok(Json(
        caps.into_iter()
            .map(|c| CapabilityDto {
                gap: c.gaps(),
                key: c.fields.key,
                name: c.fields.name,
                goal: c.goal.to_string(),
                required: c.fields.required,
                current_from: match c.fields.current {
                    CurrentLevel::Entered { .. } => "entered".into(),
                    CurrentLevel::Indicator {
                        assessment,
                        indicator,
                    } => format!("assessment {assessment}, indicator {indicator}"),
                },
                current: c.current,
            })
            .collect(),
    ))
}

/// A programme chosen by a plan.
#[derive(Serialize, ToSchema)]
pub(crate) struct ChoiceDto {
    programme: String,
    option: String,
    start: i32,
}

/// A plan.
#[derive(Serialize, ToSchema)]
pub(crate) struct PlanDto {
    id: String,
    workspace: String,
    name: String,
    /// The scenario's key and name as they were when the plan was solved.
    scenario_key: String,
    scenario_name: String,
    /// `draft`, `submitted`, `approved` or `superseded`.
    status: String,
    submitted_on: Option<String>,
    approved_on: Option<String>,
    approval_reference: Option<String>,
    superseded_on: Option<String>,
    choices: Vec<ChoiceDto>,
    /// The weighted, discounted capability gap the plan leaves.
    objective: f64,
    /// The relative optimality gap reached.
    gap: f64,
    /// `optimal`, `time_limit` or `stopped` (by the user, keeping the best plan found).
    search: String,
    solve_seconds: f64,
    /// Every programme left out, with the reason in words.
    left_out: Vec<LeftOutDto>,
    classification: ClassificationDto,
    created_by: String,
    created_at: String,
    /// With `GET /api/v1/plans/{id}`: the plan problem it was solved on.
    #[schema(value_type = Object)]
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<serde_json::Value>,
    /// With `GET /api/v1/plans/{id}`: the optimiser's whole answer (spend, gaps, binding
    /// rules, marginal values, reasons).
    #[schema(value_type = Object)]
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<serde_json::Value>,
}

/// A programme left out of a plan.
#[derive(Serialize, ToSchema)]
pub(crate) struct LeftOutDto {
    programme: String,
    reason: String,
}

impl PlanDto {
    fn from(p: StoredPlan, whole: bool) -> PlanDto {
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string());
        PlanDto {
            id: p.id.to_string(),
            workspace: p.workspace.to_string(),
            name: p.name,
            scenario_key: p.scenario.key,
            scenario_name: p.scenario.name,
            status: p.lifecycle.status.as_str().to_owned(),
            submitted_on: day(p.lifecycle.submitted_on),
            approved_on: day(p.lifecycle.approved_on),
            approval_reference: p.lifecycle.approval_reference,
            superseded_on: day(p.lifecycle.superseded_on),
            choices: p
                .choices
                .choices
                .iter()
                .map(|(k, c)| ChoiceDto {
                    programme: k.to_string(),
                    option: c.option.to_string(),
                    start: c.start,
                })
                .collect(),
            objective: p.report.objective,
            gap: p.report.gap,
            search: p.report.status,
            solve_seconds: p.report.solve_seconds,
            left_out: p
                .report
                .left_out
                .into_iter()
                .map(|l| LeftOutDto {
                    programme: l.programme.to_string(),
                    reason: l.reason,
                })
                .collect(),
            classification: ClassificationDto::of(&p.classification),
            created_by: p.created_by,
            created_at: p.created_at,
            problem: whole.then(|| serde_json::to_value(&p.problem).unwrap_or_default()),
            outcome: whole.then_some(p.outcome),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/plans", tag = "planning",
    params(("slug" = String, Path, description = "The workspace")),
    responses((status = 200, description = "The plans the caller may read: drafts for planners, submitted plans for those signed in, approved and superseded plans for everyone (their classification permitting)", body = Vec<PlanDto>), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn list_plans(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<PlanDto>>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let plans = state
        .store
        .list_plans(&visitor.viewer, today(), ws.id)
        .await?;
    Ok(Json(
        plans.into_iter().map(|p| PlanDto::from(p, false)).collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "planning",
    params(("id" = String, Path, description = "The plan's id")),
    responses((status = 200, description = "The plan with its problem and the optimiser's answer", body = PlanDto), (status = 404, description = "No such plan, or the caller may not read it", body = ErrorDto)))]
pub(crate) async fn get_plan(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Json<PlanDto>, ApiError> {
    let id: PlanId = id.parse().map_err(|_| WebError::NotFound)?;
    let p = state
        .store
        .get_plan(&visitor.viewer, today(), id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(PlanDto::from(p, true)))
}

/// What to optimise.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewPlan {
    /// The scenario's key or name.
    scenario: String,
    /// The plan's name; the scenario's name and the day when absent.
    #[serde(default)]
    name: String,
    /// The time limit in seconds (default 60).
    time_limit_seconds: Option<f64>,
    /// The relative gap tolerance (default 0.001).
    gap: Option<f64>,
}

/// How to answer `POST /api/v1/workspaces/{slug}/plans`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct Wait {
    /// `true` (the default): answer when the plan is saved, with the plan (201). `false`:
    /// answer at once with the job that optimises it (202), which `GET /api/v1/jobs/{id}`
    /// follows. The header `Prefer: respond-async` (RFC 7240) asks for the same.
    wait: Option<bool>,
}

/// True when the request asks for an answer before the work is done: `?wait=false`, or
/// `Prefer: respond-async` unless `wait=true` says otherwise.
fn respond_async(wait: Option<bool>, headers: &HeaderMap) -> bool {
    wait.map_or_else(
        || {
            headers
                .get_all("prefer")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|p| p.trim().eq_ignore_ascii_case("respond-async"))
        },
        |w| !w,
    )
}

#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/plans", tag = "planning",
    params(("slug" = String, Path, description = "The workspace"), Wait,
           ("Prefer" = Option<String>, Header, description = "`respond-async` answers at once with the job, like `wait=false`")),
    request_body = NewPlan,
    description = "Optimises the portfolio under a scenario and saves the plan as a draft. By default the answer comes when the plan is saved, which takes up to the time limit and a little more. With `wait=false` (or `Prefer: respond-async`) the answer is 202 at once, with the job in the body and its address in `Location`; `GET /api/v1/jobs/{id}` then reports the search until the job ends with the plan's id, and `POST /api/v1/jobs/{id}/stop` stops it and keeps the best plan found. The server solves a few plans at once (two by default) and refuses more with 429 and `Retry-After`.",
    responses((status = 201, description = "Optimised and saved as a draft (waiting); `Location` is the plan", body = PlanDto),
              (status = 202, description = "Started (with `wait=false`): the job, whose address is in `Location`", body = JobDto),
              (status = 400, description = "Invalid input, hidden programmes, or no plan exists (with the rules that conflict)", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto), (status = 404, description = "No such workspace or scenario", body = ErrorDto),
              (status = 429, description = "The server is solving as many plans as it solves at once; `Retry-After` says when to try again", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn create_plan(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(wait): Query<Wait>,
    Json(body): Json<NewPlan>,
) -> Result<Response, ApiError> {
    check_api_write(&visitor)?;
    visitor.require(Action::EditPlanning)?;
    let user = visitor.signed_in()?;
    let ws = workspace(&state.store, &slug).await?;
    let defaults = SolveSettings::default();
    let request = OptimiseRequest {
        scenario: body.scenario,
        name: body.name,
        settings: SolveSettings {
            time_limit_seconds: body
                .time_limit_seconds
                .unwrap_or(defaults.time_limit_seconds),
            relative_gap: body.gap.unwrap_or(defaults.relative_gap),
        },
    };
    let prepared = prepare(&state.store, &visitor.viewer, today(), ws.id, request)
        .await
        .map_err(|e| match e {
            OptimiseError::Store(s) => WebError::from(s),
            other => WebError::BadRequest(other.to_string()),
        })?;
    let job = optimise_in_background(
        &state.jobs,
        &state.store,
        user.id,
        visitor.actor(),
        visitor.viewer.clone(),
        ws.id,
        prepared,
    )
    .map_err(|busy| WebError::Busy(busy.to_string()))?;
    if respond_async(wait.wait, &headers) {
        let job = state
            .jobs
            .find(&job.to_string(), user.id)
            .ok_or(WebError::NotFound)?;
        let mut response = (StatusCode::ACCEPTED, Json(JobDto::from(&job))).into_response();
        insert_location(&mut response, &format!("/api/v1/jobs/{}", job.id));
        response.headers_mut().insert(
            "preference-applied",
            HeaderValue::from_static("respond-async"),
        );
        return Ok(response);
    }
    let ended = state
        .jobs
        .wait(job, user.id)
        .await
        .ok_or(WebError::NotFound)?;
    match ended.end {
        Some(End::Plan(id)) => {
            let plan = state
                .store
                .get_plan(&visitor.viewer, today(), id)
                .await?
                .ok_or(WebError::NotFound)?;
            let mut response =
                (StatusCode::CREATED, Json(PlanDto::from(plan, false))).into_response();
            insert_location(&mut response, &format!("/api/v1/plans/{id}"));
            Ok(response)
        }
        Some(End::Failed(reason)) => Err(WebError::BadRequest(reason).into()),
        None => Err(WebError::Internal("a job ended without an outcome".into()).into()),
    }
}

fn insert_location(response: &mut Response, to: &str) {
    if let Ok(v) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, v);
    }
}

/// The search of a job, from the optimiser's latest report of it.
#[derive(Serialize, ToSchema)]
pub(crate) struct SearchDto {
    /// The best plan's weighted gap so far, once a plan is found.
    incumbent: Option<f64>,
    /// The lowest weighted gap proven possible so far.
    bound: Option<f64>,
    /// The relative optimality gap between the two, once a plan is found (0.01 for 1%).
    gap: Option<f64>,
    /// Branch-and-bound nodes explored.
    nodes: i64,
}

/// An optimisation under way or just ended.
#[derive(Serialize, ToSchema)]
pub(crate) struct JobDto {
    id: String,
    /// This job's address.
    url: String,
    /// `running`, `stopping` (asked to stop: the best plan so far is being explained and
    /// saved), `succeeded` (the plan is saved) or `failed` (no plan was made; see `error`).
    state: String,
    workspace: String,
    scenario_key: String,
    scenario_name: String,
    /// The name the plan will have.
    name: String,
    time_limit_seconds: f64,
    /// The relative gap tolerance.
    gap_tolerance: f64,
    started_at: String,
    /// Seconds it has run, or ran.
    elapsed_seconds: f64,
    /// What the optimiser is doing, in words.
    stage: String,
    /// The search so far, once it has begun.
    search: Option<SearchDto>,
    /// The optimiser's latest report as it made it (`event`: `started`, `searching`,
    /// `solved`, `explaining` or `finished`, with its numbers).
    #[schema(value_type = Object)]
    progress: Option<serde_json::Value>,
    /// When it succeeded: the plan's id and address.
    plan: Option<String>,
    plan_url: Option<String>,
    /// When it failed: why, in words.
    error: Option<String>,
}

impl JobDto {
    fn from(j: &Snapshot) -> JobDto {
        let plan = match &j.end {
            Some(End::Plan(id)) => Some(id.to_string()),
            _ => None,
        };
        JobDto {
            id: j.id.to_string(),
            url: format!("/api/v1/jobs/{}", j.id),
            state: j.state().as_str().to_owned(),
            workspace: j.workspace.to_string(),
            scenario_key: j.about.scenario_key.clone(),
            scenario_name: j.about.scenario.clone(),
            name: j.about.name.clone(),
            time_limit_seconds: j.about.settings.time_limit_seconds,
            gap_tolerance: j.about.settings.relative_gap,
            started_at: j.started_at.clone(),
            elapsed_seconds: j.elapsed.as_secs_f64(),
            stage: j.stage(),
            search: j.search.map(|s| SearchDto {
                incumbent: s.incumbent.filter(|v| v.is_finite()),
                bound: Some(s.bound).filter(|v| v.is_finite()),
                gap: s.gap.filter(|v| v.is_finite()),
                nodes: s.nodes,
            }),
            progress: j.latest.as_ref().and_then(|p| serde_json::to_value(p).ok()),
            plan_url: plan.as_ref().map(|id| format!("/api/v1/plans/{id}")),
            plan,
            error: match &j.end {
                Some(End::Failed(reason)) => Some(reason.clone()),
                _ => None,
            },
        }
    }
}

#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "planning",
    params(("id" = String, Path, description = "The job's id")),
    description = "An optimisation started with `POST /api/v1/workspaces/{slug}/plans?wait=false`, as it stands: its state, the optimiser's latest report, and once it has ended the plan's id or why there is none. A job is kept for 10 minutes after it ends, only in the server process that runs it, and only its owner sees it.",
    responses((status = 200, description = "The job", body = JobDto),
              (status = 401, description = "Not signed in", body = ErrorDto),
              (status = 404, description = "No such job, one that ended more than 10 minutes ago, or another person's", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn get_job(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Json<JobDto>, ApiError> {
    let user = visitor.signed_in()?;
    let job = state.jobs.find(&id, user.id).ok_or(WebError::NotFound)?;
    Ok(Json(JobDto::from(&job)))
}

#[utoipa::path(post, path = "/api/v1/jobs/{id}/stop", tag = "planning",
    params(("id" = String, Path, description = "The job's id")),
    description = "Stops the search: the best plan found so far is explained and saved as a draft (its search status is `stopped`), or, if there was none yet, the job fails and says so. Stopping a job that has ended changes nothing.",
    responses((status = 202, description = "Asked to stop; the job, now `stopping`", body = JobDto),
              (status = 200, description = "The job had already ended", body = JobDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not a write token", body = ErrorDto),
              (status = 404, description = "No such job, or another person's", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn stop_job(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<JobDto>), ApiError> {
    check_api_write(&visitor)?;
    let user = visitor.signed_in()?;
    let job = state.jobs.stop(&id, user.id).ok_or(WebError::NotFound)?;
    let status = if job.end.is_some() {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(JobDto::from(&job))))
}

/// A step of a plan's life cycle.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewStatus {
    /// `submit`, `approve` or `return_to_draft`.
    step: String,
    /// With `approve`: the day of parliament's decision (YYYY-MM-DD).
    approved_on: Option<String>,
    /// With `approve`: the decision's reference.
    reference: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/plans/{id}/status", tag = "planning",
    params(("id" = String, Path, description = "The plan's id")),
    request_body = NewStatus,
    responses((status = 200, description = "The plan after the step", body = PlanDto), (status = 400, description = "The step is not allowed now, or a field is wrong", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto), (status = 404, description = "No such plan", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn change_status(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Json(body): Json<NewStatus>,
) -> Result<Json<PlanDto>, ApiError> {
    check_api_write(&visitor)?;
    let id: PlanId = id.parse().map_err(|_| WebError::NotFound)?;
    let step = match body.step.as_str() {
        "submit" => PlanStep::Submit,
        "return_to_draft" => PlanStep::ReturnToDraft,
        "approve" => PlanStep::Approve {
            approved_on: body
                .approved_on
                .as_deref()
                .and_then(|d| d.parse().ok())
                .ok_or_else(|| {
                    WebError::BadRequest("approved_on: a date YYYY-MM-DD is required".into())
                })?,
            reference: body.reference.unwrap_or_default(),
        },
        other => {
            return Err(WebError::BadRequest(format!(
                "step: '{other}' is not one of submit, approve, return_to_draft"
            ))
            .into());
        }
    };
    let plan = state
        .store
        .change_plan_status(&visitor.actor(), &visitor.viewer, today(), id, step)
        .await
        .map_err(|e| match e {
            StoreError::Fields(_) | StoreError::Invalid(_) => WebError::BadRequest(e.to_string()),
            other => WebError::from(other),
        })?;
    Ok(Json(PlanDto::from(plan, false)))
}

/// The paths of this module, merged into the API's document.
#[derive(OpenApi)]
#[openapi(
    paths(
        list_capabilities,
        list_programmes,
        list_plans,
        create_plan,
        get_plan,
        change_status,
        get_job,
        stop_job
    ),
    components(schemas(
        YearlyDto,
        OptionDto,
        ProgrammeDto,
        CapabilityDto,
        ChoiceDto,
        LeftOutDto,
        PlanDto,
        NewPlan,
        NewStatus,
        JobDto,
        SearchDto
    ))
)]
pub(crate) struct PlanningApi;

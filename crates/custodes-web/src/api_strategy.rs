//! The JSON API of threat-first strategy: threats (through the access policy, like
//! actors), the likelihood × impact matrix, goals (with only the threats the caller may
//! read) and strategy documents with their comments. Its OpenAPI paths are merged into
//! the API's document by [`StrategyPaths`].

use std::collections::BTreeSet;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use custodes_core::strategy::{
    Deficit, GoalFields, Origin, Scope, SourceKind, StrategyFields, Target, ThreatFields, Trend,
    Weight, WeightOverride, describe_rule,
};
use custodes_core::{ActorId, GoalId, StrategyId, ThreatId};
use custodes_store::goal::{Goal, GoalInput};
use custodes_store::strategy::{Comment, Strategy};
use custodes_store::threat::{Threat, ThreatInput, ThreatQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::actors::workspace;
use crate::api::{ClassificationDto, ErrorDto, NewClassification};
use crate::auth::{Visitor, check_api_write};
use crate::error::ApiError;
use crate::{AppState, WebError, today};

/// The API routes of threat-first strategy.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/workspaces/{slug}/threats",
            get(list_threats).post(create_threat),
        )
        .route("/api/v1/workspaces/{slug}/threats/matrix", get(matrix))
        .route("/api/v1/threats/{id}", get(get_threat))
        .route(
            "/api/v1/workspaces/{slug}/goals",
            get(list_goals).post(create_goal),
        )
        .route("/api/v1/goals/{id}", get(get_goal))
        .route(
            "/api/v1/workspaces/{slug}/strategies",
            get(list_strategies).post(create_strategy),
        )
        .route("/api/v1/strategies/{id}", get(get_strategy))
}

fn bad(m: String) -> ApiError {
    ApiError(WebError::BadRequest(m))
}

fn required<T>(v: Option<T>, what: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| bad(format!("{what}: required")))
}

fn parse_name<T: std::str::FromStr<Err = custodes_core::access::UnknownName>>(
    s: Option<&str>,
) -> Result<Option<T>, ApiError> {
    s.filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|e: T::Err| bad(e.to_string())))
        .transpose()
}

/// A threat's risk.
#[derive(Serialize, ToSchema)]
pub(crate) struct RiskDto {
    /// Likelihood × impact, 1 to 25.
    rating: i64,
    /// `low` (1–4), `medium` (5–9), `high` (10–15) or `very_high` (16–25).
    band: String,
}

/// An actor that must respond to a threat.
#[derive(Serialize, ToSchema)]
pub(crate) struct ResponderDto {
    /// The actor's id.
    id: String,
    /// Its name.
    name: String,
}

/// A threat in the register.
#[derive(Serialize, ToSchema)]
pub(crate) struct ThreatDto {
    id: String,
    workspace: String,
    name: String,
    description: String,
    /// `external`, `internal` or `mixed`.
    origin: String,
    /// `global`, `regional`, `national` or `local`.
    scope: String,
    /// Any of `state_institutions`, `policy`, `business`, `way_of_life`.
    targets: Vec<String>,
    /// `state`, `non_state_armed`, `criminal`, `terrorist`, `economic`, `technological`,
    /// `natural`, `health` or `other`.
    source_kind: String,
    /// 1 to 5.
    likelihood: i64,
    /// 1 to 5.
    impact: i64,
    risk: RiskDto,
    /// `rising`, `stable` or `falling`.
    trend: String,
    review_on: Option<String>,
    classification: ClassificationDto,
    /// The actors that must respond to it that the caller may read, by name.
    responders: Vec<ResponderDto>,
    created_at: String,
    updated_at: String,
}

impl ThreatDto {
    fn from(t: Threat) -> ThreatDto {
        let risk = t.risk();
        let f = t.fields;
        ThreatDto {
            id: t.id.to_string(),
            workspace: t.workspace.to_string(),
            name: f.name,
            description: f.description,
            origin: f.origin.as_str().to_owned(),
            scope: f.scope.as_str().to_owned(),
            targets: f.targets.iter().map(|t| t.as_str().to_owned()).collect(),
            source_kind: f.source_kind.as_str().to_owned(),
            likelihood: f.likelihood,
            impact: f.impact,
            risk: RiskDto {
                rating: risk.rating,
                band: risk.band.as_str().to_owned(),
            },
            trend: f.trend.as_str().to_owned(),
            review_on: f.review_on.map(|d| d.to_string()),
            classification: ClassificationDto::of(&t.classification),
            responders: t
                .responders
                .into_iter()
                .map(|(id, name)| ResponderDto {
                    id: id.to_string(),
                    name,
                })
                .collect(),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A page of threats.
#[derive(Serialize, ToSchema)]
pub(crate) struct ThreatPage {
    items: Vec<ThreatDto>,
    /// How many threats match in all, counting only those the caller may read.
    total: i64,
}

/// Filters of the threat register.
#[derive(Deserialize, IntoParams)]
pub(crate) struct ThreatParams {
    /// Words to find in names and descriptions.
    q: Option<String>,
    /// Only this origin.
    origin: Option<String>,
    /// Only this scope.
    scope: Option<String>,
    /// Only this kind of source.
    source_kind: Option<String>,
    /// Only this trend.
    trend: Option<String>,
    /// At most this many (1–500, default 50).
    limit: Option<i64>,
    /// Skip this many.
    offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/threats", tag = "strategy",
    params(("slug" = String, Path, description = "The workspace"), ThreatParams),
    responses((status = 200, description = "Threats the caller may read, gravest first", body = ThreatPage), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn list_threats(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(p): Query<ThreatParams>,
) -> Result<Json<ThreatPage>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let query = ThreatQuery {
        search: p.q,
        origin: parse_name::<Origin>(p.origin.as_deref())?,
        scope: parse_name::<Scope>(p.scope.as_deref())?,
        source_kind: parse_name::<SourceKind>(p.source_kind.as_deref())?,
        trend: parse_name::<Trend>(p.trend.as_deref())?,
        limit: p.limit,
        offset: p.offset.unwrap_or(0),
    };
    let page = state
        .store
        .list_threats(&visitor.viewer, today(), ws.id, &query)
        .await?;
    Ok(Json(ThreatPage {
        total: page.total,
        items: page.items.into_iter().map(ThreatDto::from).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/threats/{id}", tag = "strategy",
    params(("id" = String, Path, description = "The threat's id")),
    responses((status = 200, description = "The threat", body = ThreatDto), (status = 404, description = "No such threat, or not readable by the caller", body = ErrorDto)))]
pub(crate) async fn get_threat(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Json<ThreatDto>, ApiError> {
    let id: ThreatId = id.parse().map_err(|_| WebError::NotFound)?;
    let threat = state
        .store
        .get_threat(&visitor.viewer, today(), id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(ThreatDto::from(threat)))
}

/// A new threat.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewThreat {
    name: String,
    #[serde(default)]
    description: String,
    origin: String,
    scope: String,
    targets: Vec<String>,
    source_kind: String,
    likelihood: i64,
    impact: i64,
    trend: String,
    /// YYYY-MM-DD.
    review_on: Option<String>,
    /// Ids of the actors that must respond: actors of the workspace the caller may read.
    #[serde(default)]
    responders: Vec<String>,
    #[serde(flatten)]
    classification: NewClassification,
}

#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/threats", tag = "strategy",
    params(("slug" = String, Path, description = "The workspace")),
    request_body = NewThreat,
    responses((status = 201, description = "Created", body = ThreatDto), (status = 400, description = "Invalid input", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn create_threat(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Json(body): Json<NewThreat>,
) -> Result<(StatusCode, Json<ThreatDto>), ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let targets = body
        .targets
        .iter()
        .map(|t| t.parse::<Target>().map_err(|e| bad(e.to_string())))
        .collect::<Result<BTreeSet<_>, _>>()?;
    let fields = ThreatFields {
        name: body.name,
        description: body.description,
        origin: required(parse_name(Some(&body.origin))?, "origin")?,
        scope: required(parse_name(Some(&body.scope))?, "scope")?,
        targets,
        source_kind: required(parse_name(Some(&body.source_kind))?, "source_kind")?,
        likelihood: body.likelihood,
        impact: body.impact,
        trend: required(parse_name(Some(&body.trend))?, "trend")?,
        review_on: body
            .review_on
            .as_deref()
            .map(|d| {
                d.parse()
                    .map_err(|_| bad(format!("review_on: '{d}' is not a date (YYYY-MM-DD)")))
            })
            .transpose()?,
    };
    let responders = body
        .responders
        .iter()
        .map(|a| {
            a.parse::<ActorId>()
                .map_err(|_| bad(format!("responders: '{a}' is not an actor id")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let input = ThreatInput {
        fields,
        classification: body.classification.parse()?,
        responders,
    };
    let created = state
        .store
        .create_threat(&visitor.actor(), &visitor.viewer, today(), ws.id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(ThreatDto::from(created))))
}

/// One cell of the likelihood × impact matrix.
#[derive(Serialize, ToSchema)]
pub(crate) struct MatrixCellDto {
    likelihood: i64,
    impact: i64,
    /// `low`, `medium`, `high` or `very_high`.
    band: String,
    /// How many threats the caller may read are in the cell.
    count: usize,
    /// Their ids.
    threats: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/threats/matrix", tag = "strategy",
    params(("slug" = String, Path, description = "The workspace")),
    responses((status = 200, description = "The 25 cells, counting only threats the caller may read", body = Vec<MatrixCellDto>), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn matrix(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<MatrixCellDto>>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let cells = state
        .store
        .threat_matrix(&visitor.viewer, today(), ws.id)
        .await?;
    Ok(Json(
        cells
            .into_iter()
            .map(|c| MatrixCellDto {
                band: custodes_core::strategy::Risk::new(c.likelihood, c.impact)
                    .band
                    .as_str()
                    .to_owned(),
                likelihood: c.likelihood,
                impact: c.impact,
                count: c.threats.len(),
                threats: c
                    .threats
                    .into_iter()
                    .map(|(id, _)| id.to_string())
                    .collect(),
            })
            .collect(),
    ))
}

/// A threat a goal answers.
#[derive(Serialize, ToSchema)]
pub(crate) struct GoalThreatDto {
    id: String,
    name: String,
    risk: RiskDto,
}

/// A goal's weight.
#[derive(Serialize, ToSchema)]
pub(crate) struct WeightDto {
    /// The weight in force, 0 to 1.
    effective: f64,
    /// The weight the rule gives, from the threats the caller may read.
    computed: f64,
    /// The rule, in words.
    rule: String,
    /// The override in force, if any.
    override_weight: Option<f64>,
    /// Why it was overridden.
    override_reason: Option<String>,
}

/// A goal.
#[derive(Serialize, ToSchema)]
pub(crate) struct GoalDto {
    id: String,
    workspace: String,
    title: String,
    description: String,
    /// The threats it answers that the caller may read.
    threats: Vec<GoalThreatDto>,
    /// Deficit keys: a source of deficit, or FRAMEWORK/INDICATOR.
    deficits: Vec<String>,
    weight: WeightDto,
    created_at: String,
    updated_at: String,
}

fn fraction(w: Weight) -> f64 {
    w.thousandths() as f64 / 1000.0
}

impl GoalDto {
    fn from(g: Goal) -> GoalDto {
        GoalDto {
            id: g.id.to_string(),
            workspace: g.workspace.to_string(),
            weight: WeightDto {
                effective: fraction(g.weight.effective()),
                computed: fraction(g.weight.computed),
                rule: describe_rule().to_owned(),
                override_weight: g.weight.overridden.as_ref().map(|o| fraction(o.weight)),
                override_reason: g.weight.overridden.map(|o| o.reason),
            },
            threats: g
                .threats
                .into_iter()
                .map(|t| GoalThreatDto {
                    id: t.id.to_string(),
                    name: t.name,
                    risk: RiskDto {
                        rating: t.risk.rating,
                        band: t.risk.band.as_str().to_owned(),
                    },
                })
                .collect(),
            deficits: g.deficits.iter().map(Deficit::key).collect(),
            title: g.title,
            description: g.description,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/goals", tag = "strategy",
    params(("slug" = String, Path, description = "The workspace")),
    responses((status = 200, description = "The goals, heaviest first", body = Vec<GoalDto>), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn list_goals(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<GoalDto>>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let goals = state
        .store
        .list_goals(&visitor.viewer, today(), ws.id)
        .await?;
    Ok(Json(goals.into_iter().map(GoalDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/goals/{id}", tag = "strategy",
    params(("id" = String, Path, description = "The goal's id")),
    responses((status = 200, description = "The goal", body = GoalDto), (status = 404, description = "No such goal", body = ErrorDto)))]
pub(crate) async fn get_goal(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Json<GoalDto>, ApiError> {
    let id: GoalId = id.parse().map_err(|_| WebError::NotFound)?;
    let goal = state
        .store
        .get_goal(&visitor.viewer, today(), id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(GoalDto::from(goal)))
}

/// A new goal.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewGoal {
    title: String,
    #[serde(default)]
    description: String,
    /// Ids of threats the caller may read.
    #[serde(default)]
    threats: Vec<String>,
    /// Deficit keys: a source of deficit, or FRAMEWORK/INDICATOR.
    #[serde(default)]
    deficits: Vec<String>,
    /// A weight from 0 to 1 that overrides the computed one; needs a reason.
    override_weight: Option<String>,
    override_reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/goals", tag = "strategy",
    params(("slug" = String, Path, description = "The workspace")),
    request_body = NewGoal,
    responses((status = 201, description = "Created", body = GoalDto), (status = 400, description = "Invalid input", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn create_goal(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Json(body): Json<NewGoal>,
) -> Result<(StatusCode, Json<GoalDto>), ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let threats = body
        .threats
        .iter()
        .map(|t| {
            t.parse::<ThreatId>()
                .map_err(|_| bad(format!("threats: '{t}' is not a threat id")))
        })
        .collect::<Result<BTreeSet<_>, _>>()?;
    let deficits = body
        .deficits
        .iter()
        .map(|d| d.parse::<Deficit>().map_err(|e| bad(e.to_string())))
        .collect::<Result<BTreeSet<_>, _>>()?;
    let weight_override = match body.override_weight.as_deref() {
        None => None,
        Some(w) => Some(WeightOverride {
            weight: Weight::parse(w).ok_or_else(|| {
                bad(format!(
                    "override_weight: '{w}' is not a weight from 0 to 1"
                ))
            })?,
            reason: body.override_reason.unwrap_or_default(),
        }),
    };
    let input = GoalInput {
        fields: GoalFields {
            title: body.title,
            description: body.description,
            weight_override,
        },
        threats,
        deficits,
    };
    let id = state
        .store
        .create_goal(&visitor.actor(), &visitor.viewer, today(), ws.id, input)
        .await?;
    let goal = state
        .store
        .get_goal(&visitor.viewer, today(), id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((StatusCode::CREATED, Json(GoalDto::from(goal))))
}

/// A consultation comment.
#[derive(Serialize, ToSchema)]
pub(crate) struct CommentDto {
    author: String,
    at: String,
    body: String,
}

impl From<Comment> for CommentDto {
    fn from(c: Comment) -> Self {
        CommentDto {
            author: c.author,
            at: c.at,
            body: c.body,
        }
    }
}

/// A strategy document.
#[derive(Serialize, ToSchema)]
pub(crate) struct StrategyDto {
    id: String,
    workspace: String,
    title: String,
    summary: String,
    body: String,
    /// `draft`, `consultation`, `debate` or `approved`.
    status: String,
    consultation_opens_on: Option<String>,
    consultation_closes_on: Option<String>,
    approved_on: Option<String>,
    vote_reference: Option<String>,
    review_years: i64,
    /// The day it falls due for review, once approved.
    review_due_on: Option<String>,
    /// True when it is older than its review period today.
    review_due: bool,
    /// The consultation comments (on a single strategy; empty in lists).
    comments: Vec<CommentDto>,
    created_at: String,
    updated_at: String,
}

impl StrategyDto {
    fn from(s: Strategy, comments: Vec<Comment>) -> StrategyDto {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
        StrategyDto {
            id: s.id.to_string(),
            workspace: s.workspace.to_string(),
            status: s.lifecycle.status.as_str().to_owned(),
            consultation_opens_on: date(s.lifecycle.consultation_opens_on),
            consultation_closes_on: date(s.lifecycle.consultation_closes_on),
            approved_on: date(s.lifecycle.approved_on),
            review_due_on: date(s.review_due_on()),
            review_due: s.review_due(today()),
            comments: comments.into_iter().map(CommentDto::from).collect(),
            vote_reference: s.lifecycle.vote_reference,
            review_years: s.review_years,
            title: s.title,
            summary: s.summary,
            body: s.body,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/strategies", tag = "strategy",
    params(("slug" = String, Path, description = "The workspace")),
    responses((status = 200, description = "The strategies the caller may read (drafts only for those signed in)", body = Vec<StrategyDto>), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn list_strategies(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<StrategyDto>>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let all = state.store.list_strategies(&visitor.viewer, ws.id).await?;
    Ok(Json(
        all.into_iter()
            .map(|s| StrategyDto::from(s, Vec::new()))
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/strategies/{id}", tag = "strategy",
    params(("id" = String, Path, description = "The strategy's id")),
    responses((status = 200, description = "The strategy with its comments", body = StrategyDto), (status = 404, description = "No such strategy, or a draft and the caller is not signed in", body = ErrorDto)))]
pub(crate) async fn get_strategy(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Json<StrategyDto>, ApiError> {
    let id: StrategyId = id.parse().map_err(|_| WebError::NotFound)?;
    let s = state
        .store
        .get_strategy(&visitor.viewer, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let comments = state.store.strategy_comments(&visitor.viewer, id).await?;
    Ok(Json(StrategyDto::from(s, comments)))
}

/// A new strategy, as a draft.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewStrategy {
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    /// Years after approval until it is due for review (1–10, default 5).
    review_years: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/strategies", tag = "strategy",
    params(("slug" = String, Path, description = "The workspace")),
    request_body = NewStrategy,
    responses((status = 201, description = "Created, as a draft", body = StrategyDto), (status = 400, description = "Invalid input", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn create_strategy(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Json(body): Json<NewStrategy>,
) -> Result<(StatusCode, Json<StrategyDto>), ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let created = state
        .store
        .create_strategy(
            &visitor.actor(),
            &visitor.viewer,
            ws.id,
            StrategyFields {
                title: body.title,
                summary: body.summary,
                body: body.body,
                review_years: body.review_years.unwrap_or(5),
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(StrategyDto::from(created, Vec::new())),
    ))
}

/// The paths of this module.
#[derive(OpenApi)]
#[openapi(
    paths(
        list_threats,
        create_threat,
        get_threat,
        matrix,
        list_goals,
        create_goal,
        get_goal,
        list_strategies,
        create_strategy,
        get_strategy
    ),
    components(schemas(
        RiskDto,
        ResponderDto,
        ThreatDto,
        ThreatPage,
        NewThreat,
        NewClassification,
        MatrixCellDto,
        GoalThreatDto,
        WeightDto,
        GoalDto,
        NewGoal,
        CommentDto,
        StrategyDto,
        NewStrategy
    ))
)]
struct StrategyApi;

/// Merges the strategy paths into the API's document.
#[derive(Debug)]
pub(crate) struct StrategyPaths;

impl utoipa::Modify for StrategyPaths {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.merge(StrategyApi::openapi());
    }
}

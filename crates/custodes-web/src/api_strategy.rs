//! The JSON API of threat-first strategy: threats (through the access policy, like
//! actors), the likelihood × impact matrix, goals (with only the threats the caller may
//! read) and strategy documents with their life cycle and consultation comments. Its
//! OpenAPI paths are merged into the API's document by [`StrategyPaths`].
//!
//! Changes are `PATCH`es: a field left out keeps its value. A threat, goal or strategy
//! the caller may not read is answered as if it did not exist (404), whatever is sent.
//!
//! The response types are public so that the command line prints the same shapes.

use std::collections::BTreeSet;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use custodes_core::permission::Action;
use custodes_core::strategy::{
    Deficit, GoalFields, Origin, Scope, SourceKind, StepFields, StrategyFields, Target,
    ThreatFields, Transition, Trend, Weight, WeightOverride, describe_rule,
};
use custodes_core::{ActorId, GoalId, StrategyId, ThreatId};
use custodes_store::goal::{Goal, GoalInput};
use custodes_store::strategy::{Comment, Strategy};
use custodes_store::threat::{MatrixCell, Threat, ThreatInput, ThreatQuery};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::actors::workspace;
use crate::api::{ClassificationDto, ErrorDto, NewClassification};
use crate::auth::{Visitor, check_api_write};
use crate::error::{ApiError, ApiJson};
use crate::{AppState, WebError, today};

/// The API routes of threat-first strategy.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/workspaces/{slug}/threats",
            get(list_threats).post(create_threat),
        )
        .route("/api/v1/workspaces/{slug}/threats/matrix", get(matrix))
        .route("/api/v1/threats/{id}", get(get_threat).patch(update_threat))
        .route(
            "/api/v1/workspaces/{slug}/goals",
            get(list_goals).post(create_goal),
        )
        .route("/api/v1/goals/{id}", get(get_goal).patch(update_goal))
        .route(
            "/api/v1/workspaces/{slug}/strategies",
            get(list_strategies).post(create_strategy),
        )
        .route(
            "/api/v1/strategies/{id}",
            get(get_strategy).patch(update_strategy),
        )
        .route(
            "/api/v1/strategies/{id}/status",
            axum::routing::post(change_status),
        )
        .route(
            "/api/v1/strategies/{id}/comments",
            get(list_comments).post(add_comment),
        )
}

fn bad(m: String) -> ApiError {
    ApiError(WebError::BadRequest(m))
}

fn required<T>(v: Option<T>, what: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| bad(format!("{what}: required")))
}

fn parse_name<T: std::str::FromStr<Err = custodes_core::access::UnknownName>>(
    field: &str,
    s: Option<&str>,
) -> Result<Option<T>, ApiError> {
    s.filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|e: T::Err| bad(format!("{field}: {e}"))))
        .transpose()
}

/// Reads a day written as YYYY-MM-DD, naming the field when it is not one.
fn parse_date(field: &str, d: &str) -> Result<NaiveDate, ApiError> {
    d.parse()
        .map_err(|_| bad(format!("{field}: '{d}' is not a date (YYYY-MM-DD)")))
}

fn parse_targets(targets: &[String]) -> Result<BTreeSet<Target>, ApiError> {
    targets
        .iter()
        .map(|t| {
            t.parse::<Target>()
                .map_err(|e| bad(format!("targets: {e}")))
        })
        .collect()
}

fn parse_responders(ids: &[String]) -> Result<Vec<ActorId>, ApiError> {
    ids.iter()
        .map(|a| {
            a.parse::<ActorId>()
                .map_err(|_| bad(format!("responders: '{a}' is not an actor id")))
        })
        .collect()
}

fn parse_threat_ids(ids: &[String]) -> Result<BTreeSet<ThreatId>, ApiError> {
    ids.iter()
        .map(|t| {
            t.parse::<ThreatId>()
                .map_err(|_| bad(format!("threats: '{t}' is not a threat id")))
        })
        .collect()
}

fn parse_deficits(keys: &[String]) -> Result<BTreeSet<Deficit>, ApiError> {
    keys.iter()
        .map(|d| {
            d.parse::<Deficit>()
                .map_err(|e| bad(format!("deficits: {e}")))
        })
        .collect()
}

/// A weight as JSON gives it: a number (0.8) or the same as text ("0.8").
#[derive(Deserialize)]
#[serde(untagged)]
enum WeightValue {
    Number(f64),
    Text(String),
}

impl WeightValue {
    fn parse(&self) -> Result<Weight, ApiError> {
        let text = match self {
            WeightValue::Number(n) => n.to_string(),
            WeightValue::Text(t) => t.clone(),
        };
        Weight::parse(&text).ok_or_else(|| {
            bad(format!(
                "override_weight: '{text}' is not a weight from 0 to 1 (at most three decimals)"
            ))
        })
    }
}

/// Reads a field that may be absent (`None`: keep the value), null (`Some(None)`: clear
/// it) or given (`Some(Some(value))`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A threat's risk.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskDto {
    /// Likelihood × impact, 1 to 25.
    rating: i64,
    /// `low` (1–4), `medium` (5–9), `high` (10–15) or `very_high` (16–25).
    band: String,
}

/// An actor that must respond to a threat.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResponderDto {
    /// The actor's id.
    id: String,
    /// Its name.
    name: String,
}

/// A threat in the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreatDto {
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
    /// A threat as the API shows it.
    pub fn from(t: Threat) -> ThreatDto {
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
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreatPage {
    items: Vec<ThreatDto>,
    /// How many threats match in all, counting only those the caller may read.
    total: i64,
}

impl ThreatPage {
    /// A page of threats as the API shows it: `threats`, of `total` that match.
    pub fn new(threats: Vec<Threat>, total: i64) -> ThreatPage {
        ThreatPage {
            items: threats.into_iter().map(ThreatDto::from).collect(),
            total,
        }
    }
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
        origin: parse_name::<Origin>("origin", p.origin.as_deref())?,
        scope: parse_name::<Scope>("scope", p.scope.as_deref())?,
        source_kind: parse_name::<SourceKind>("source_kind", p.source_kind.as_deref())?,
        trend: parse_name::<Trend>("trend", p.trend.as_deref())?,
        limit: p.limit,
        offset: p.offset.unwrap_or(0),
    };
    let page = state
        .store
        .list_threats(&visitor.viewer, today(), ws.id, &query)
        .await?;
    Ok(Json(ThreatPage::new(page.items, page.total)))
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
    ApiJson(body): ApiJson<NewThreat>,
) -> Result<(StatusCode, Json<ThreatDto>), ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let fields = ThreatFields {
        name: body.name,
        description: body.description,
        origin: required(parse_name("origin", Some(&body.origin))?, "origin")?,
        scope: required(parse_name("scope", Some(&body.scope))?, "scope")?,
        targets: parse_targets(&body.targets)?,
        source_kind: required(
            parse_name("source_kind", Some(&body.source_kind))?,
            "source_kind",
        )?,
        likelihood: body.likelihood,
        impact: body.impact,
        trend: required(parse_name("trend", Some(&body.trend))?, "trend")?,
        review_on: body
            .review_on
            .as_deref()
            .map(|d| parse_date("review_on", d))
            .transpose()?,
    };
    let responders = parse_responders(&body.responders)?;
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
#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixCellDto {
    likelihood: i64,
    impact: i64,
    /// `low`, `medium`, `high` or `very_high`.
    band: String,
    /// How many threats the caller may read are in the cell.
    count: usize,
    /// Their ids.
    threats: Vec<String>,
}

impl MatrixCellDto {
    /// A cell of the matrix as the API shows it.
    pub fn from(c: MatrixCell) -> MatrixCellDto {
        MatrixCellDto {
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
        }
    }
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
    Ok(Json(cells.into_iter().map(MatrixCellDto::from).collect()))
}

/// A threat a goal answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalThreatDto {
    id: String,
    name: String,
    risk: RiskDto,
}

/// A goal's weight.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeightDto {
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
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalDto {
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
    /// A goal as the API shows it.
    pub fn from(g: Goal) -> GoalDto {
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
    /// A weight from 0 to 1 (a number, or the same as text) that overrides the computed
    /// one; needs a reason.
    #[schema(value_type = Option<f64>)]
    override_weight: Option<WeightValue>,
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
    ApiJson(body): ApiJson<NewGoal>,
) -> Result<(StatusCode, Json<GoalDto>), ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let threats = parse_threat_ids(&body.threats)?;
    let deficits = parse_deficits(&body.deficits)?;
    let weight_override = match &body.override_weight {
        None => None,
        Some(w) => Some(WeightOverride {
            weight: w.parse()?,
            reason: body.override_reason.clone().unwrap_or_default(),
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
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentDto {
    id: String,
    /// The name the comment was signed with.
    author: String,
    at: String,
    body: String,
}

impl From<Comment> for CommentDto {
    fn from(c: Comment) -> Self {
        CommentDto {
            id: c.id,
            author: c.author,
            at: c.at,
            body: c.body,
        }
    }
}

/// A strategy document.
#[derive(Debug, Serialize, ToSchema)]
pub struct StrategyDto {
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
    /// A strategy as the API shows it on `today`, with its comments.
    pub fn from(s: Strategy, comments: Vec<Comment>, today: NaiveDate) -> StrategyDto {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
        StrategyDto {
            id: s.id.to_string(),
            workspace: s.workspace.to_string(),
            status: s.lifecycle.status.as_str().to_owned(),
            consultation_opens_on: date(s.lifecycle.consultation_opens_on),
            consultation_closes_on: date(s.lifecycle.consultation_closes_on),
            approved_on: date(s.lifecycle.approved_on),
            review_due_on: date(s.review_due_on()),
            review_due: s.review_due(today),
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
            .map(|s| StrategyDto::from(s, Vec::new(), today()))
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
    Ok(Json(StrategyDto::from(s, comments, today())))
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
    ApiJson(body): ApiJson<NewStrategy>,
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
        Json(StrategyDto::from(created, Vec::new(), today())),
    ))
}

/// A change to a threat: only the fields given change. Giving `level` replaces the whole
/// classification with the classification fields given (which needs the permission to
/// reclassify when it differs); the other classification fields may only come with it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ThreatChange {
    name: Option<String>,
    description: Option<String>,
    origin: Option<String>,
    scope: Option<String>,
    targets: Option<Vec<String>>,
    source_kind: Option<String>,
    likelihood: Option<i64>,
    impact: Option<i64>,
    trend: Option<String>,
    /// YYYY-MM-DD, or null to clear it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    review_on: Option<Option<String>>,
    /// Ids of the actors that must respond, replacing those the caller may read (links
    /// to actors the caller may not read are kept).
    responders: Option<Vec<String>>,
    /// PUBLIC, OFFICIAL, CONFIDENTIAL or SECRET: the new classification's level.
    level: Option<String>,
    compartments: Option<Vec<String>>,
    justification: Option<String>,
    declassify_on: Option<String>,
    declassify_to: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/threats/{id}", tag = "strategy",
    params(("id" = String, Path, description = "The threat's id")),
    request_body = ThreatChange,
    responses((status = 200, description = "Changed", body = ThreatDto), (status = 400, description = "Invalid input, naming the field; nothing changed", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto),
              (status = 404, description = "No such threat, or not readable by the caller", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn update_threat(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ThreatChange>,
) -> Result<Json<ThreatDto>, ApiError> {
    check_api_write(&visitor)?;
    visitor.require(Action::EditStrategy)?;
    let id: ThreatId = id.parse().map_err(|_| WebError::NotFound)?;
    let today = today();
    let current = state
        .store
        .get_threat(&visitor.viewer, today, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let f = current.fields;
    let fields = ThreatFields {
        name: body.name.unwrap_or(f.name),
        description: body.description.unwrap_or(f.description),
        origin: parse_name("origin", body.origin.as_deref())?.unwrap_or(f.origin),
        scope: parse_name("scope", body.scope.as_deref())?.unwrap_or(f.scope),
        targets: match &body.targets {
            Some(t) => parse_targets(t)?,
            None => f.targets.into_iter().collect(),
        },
        source_kind: parse_name("source_kind", body.source_kind.as_deref())?
            .unwrap_or(f.source_kind),
        likelihood: body.likelihood.unwrap_or(f.likelihood),
        impact: body.impact.unwrap_or(f.impact),
        trend: parse_name("trend", body.trend.as_deref())?.unwrap_or(f.trend),
        review_on: match &body.review_on {
            None => f.review_on,
            Some(None) => None,
            Some(Some(d)) => Some(parse_date("review_on", d)?),
        },
    };
    let classification = match body.level {
        Some(level) => NewClassification {
            level: Some(level),
            compartments: body.compartments.unwrap_or_default(),
            justification: body.justification,
            declassify_on: body.declassify_on,
            declassify_to: body.declassify_to,
        }
        .parse()?,
        None if body.compartments.is_some()
            || body.justification.is_some()
            || body.declassify_on.is_some()
            || body.declassify_to.is_some() =>
        {
            return Err(bad(
                "level: give the level with any change to the classification".into(),
            ));
        }
        None => current.classification,
    };
    let responders = match &body.responders {
        Some(r) => parse_responders(r)?,
        None => current.responders.iter().map(|(a, _)| *a).collect(),
    };
    let updated = state
        .store
        .update_threat(
            &visitor.actor(),
            &visitor.viewer,
            today,
            id,
            ThreatInput {
                fields,
                classification,
                responders,
            },
        )
        .await?;
    Ok(Json(ThreatDto::from(updated)))
}

/// A change to a goal: only the fields given change. An override of the computed weight
/// is given with its reason each time: `override_weight` with `override_reason` sets it,
/// `override_reason` alone rewords the reason of the override in force, and
/// `"override_weight": null` removes it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GoalChange {
    title: Option<String>,
    description: Option<String>,
    /// Ids of threats the caller may read, replacing those the caller may read (links to
    /// threats the caller may not read are kept).
    threats: Option<Vec<String>>,
    /// Deficit keys, replacing the goal's deficits.
    deficits: Option<Vec<String>>,
    /// A weight from 0 to 1 (a number, or the same as text), or null to remove the
    /// override.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<f64>)]
    override_weight: Option<Option<WeightValue>>,
    /// Why the weight is overridden.
    override_reason: Option<String>,
}

#[utoipa::path(patch, path = "/api/v1/goals/{id}", tag = "strategy",
    params(("id" = String, Path, description = "The goal's id")),
    request_body = GoalChange,
    responses((status = 200, description = "Changed", body = GoalDto), (status = 400, description = "Invalid input, naming the field; nothing changed", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto),
              (status = 404, description = "No such goal", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn update_goal(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<GoalChange>,
) -> Result<Json<GoalDto>, ApiError> {
    check_api_write(&visitor)?;
    visitor.require(Action::EditStrategy)?;
    let id: GoalId = id.parse().map_err(|_| WebError::NotFound)?;
    let today = today();
    let current = state
        .store
        .get_goal(&visitor.viewer, today, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let weight_override = match (&body.override_weight, body.override_reason) {
        (None, None) => current.weight.overridden,
        (Some(None), _) => None,
        (Some(Some(w)), reason) => Some(WeightOverride {
            weight: w.parse()?,
            reason: reason.unwrap_or_default(),
        }),
        (None, Some(reason)) => match current.weight.overridden {
            Some(o) => Some(WeightOverride { reason, ..o }),
            None => {
                return Err(bad(
                    "override_weight: give the weight that the reason is for".into(),
                ));
            }
        },
    };
    let input = GoalInput {
        fields: GoalFields {
            title: body.title.unwrap_or(current.title),
            description: body.description.unwrap_or(current.description),
            weight_override,
        },
        threats: match &body.threats {
            Some(t) => parse_threat_ids(t)?,
            None => current.threats.iter().map(|t| t.id).collect(),
        },
        deficits: match &body.deficits {
            Some(d) => parse_deficits(d)?,
            None => current.deficits.into_iter().collect(),
        },
    };
    state
        .store
        .update_goal(&visitor.actor(), &visitor.viewer, today, id, input)
        .await?;
    let goal = state
        .store
        .get_goal(&visitor.viewer, today, id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(GoalDto::from(goal)))
}

/// A change to a strategy's text: only the fields given change. An approved strategy is
/// final.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StrategyChange {
    title: Option<String>,
    summary: Option<String>,
    body: Option<String>,
    /// Years after approval until it is due for review (1–10).
    review_years: Option<i64>,
}

/// A strategy the caller may read, or 404.
async fn readable_strategy(
    state: &AppState,
    visitor: &Visitor,
    id: &str,
) -> Result<Strategy, ApiError> {
    let id: StrategyId = id.parse().map_err(|_| WebError::NotFound)?;
    Ok(state
        .store
        .get_strategy(&visitor.viewer, id)
        .await?
        .ok_or(WebError::NotFound)?)
}

/// A strategy and its comments as the API shows them after a change.
async fn strategy_dto(
    state: &AppState,
    visitor: &Visitor,
    s: Strategy,
) -> Result<StrategyDto, ApiError> {
    let comments = state.store.strategy_comments(&visitor.viewer, s.id).await?;
    Ok(StrategyDto::from(s, comments, today()))
}

#[utoipa::path(patch, path = "/api/v1/strategies/{id}", tag = "strategy",
    params(("id" = String, Path, description = "The strategy's id")),
    request_body = StrategyChange,
    responses((status = 200, description = "Changed", body = StrategyDto), (status = 400, description = "Invalid input, naming the field, or an approved strategy; nothing changed", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto),
              (status = 404, description = "No such strategy", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn update_strategy(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StrategyChange>,
) -> Result<Json<StrategyDto>, ApiError> {
    check_api_write(&visitor)?;
    visitor.require(Action::EditStrategy)?;
    let current = readable_strategy(&state, &visitor, &id).await?;
    let fields = StrategyFields {
        title: body.title.unwrap_or_else(|| current.title.clone()),
        summary: body.summary.unwrap_or_else(|| current.summary.clone()),
        body: body.body.unwrap_or_else(|| current.body.clone()),
        review_years: body.review_years.unwrap_or(current.review_years),
    };
    let updated = state
        .store
        .update_strategy(&visitor.actor(), &visitor.viewer, current.id, fields)
        .await?;
    Ok(Json(strategy_dto(&state, &visitor, updated).await?))
}

/// A step of a strategy's life cycle, with what the step needs.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StrategyStep {
    /// `open_consultation` (draft → public consultation), `send_to_parliament`
    /// (consultation → parliamentary debate), `approve` (debate → approved) or
    /// `return_to_draft` (debate → draft, when parliament sends it back).
    step: String,
    /// With `open_consultation`: the first day of consultation (YYYY-MM-DD).
    consultation_opens_on: Option<String>,
    /// With `open_consultation`: the last day of consultation (YYYY-MM-DD).
    consultation_closes_on: Option<String>,
    /// With `approve`: the day of parliament's vote (YYYY-MM-DD).
    approved_on: Option<String>,
    /// With `approve`: the vote's reference.
    vote_reference: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/strategies/{id}/status", tag = "strategy",
    params(("id" = String, Path, description = "The strategy's id")),
    request_body = StrategyStep,
    responses((status = 200, description = "The strategy after the step", body = StrategyDto), (status = 400, description = "The step is not allowed now, or a field is wrong (named); nothing changed", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "The caller's role may not take this step", body = ErrorDto),
              (status = 404, description = "No such strategy", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn change_status(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StrategyStep>,
) -> Result<Json<StrategyDto>, ApiError> {
    check_api_write(&visitor)?;
    let day =
        |field: &str, d: &Option<String>| d.as_deref().map(|d| parse_date(field, d)).transpose();
    let fields = StepFields {
        consultation_opens_on: day("consultation_opens_on", &body.consultation_opens_on)?,
        consultation_closes_on: day("consultation_closes_on", &body.consultation_closes_on)?,
        approved_on: day("approved_on", &body.approved_on)?,
        vote_reference: body.vote_reference.unwrap_or_default(),
    };
    let step = Transition::named(&body.step, fields)
        .map_err(|problems| ApiError::from(custodes_store::StoreError::Fields(problems)))?;
    visitor.require(step.action())?;
    let current = readable_strategy(&state, &visitor, &id).await?;
    let updated = state
        .store
        .change_strategy_status(&visitor.actor(), &visitor.viewer, today(), current.id, step)
        .await?;
    Ok(Json(strategy_dto(&state, &visitor, updated).await?))
}

#[utoipa::path(get, path = "/api/v1/strategies/{id}/comments", tag = "strategy",
    params(("id" = String, Path, description = "The strategy's id")),
    responses((status = 200, description = "Its consultation comments, oldest first", body = Vec<CommentDto>), (status = 404, description = "No such strategy, or a draft and the caller is not signed in", body = ErrorDto)))]
pub(crate) async fn list_comments(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Json<Vec<CommentDto>>, ApiError> {
    let s = readable_strategy(&state, &visitor, &id).await?;
    let comments = state.store.strategy_comments(&visitor.viewer, s.id).await?;
    Ok(Json(comments.into_iter().map(CommentDto::from).collect()))
}

/// A consultation comment.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewComment {
    /// What the caller has to say (at most 4,000 characters). It is signed with the
    /// caller's name.
    body: String,
}

#[utoipa::path(post, path = "/api/v1/strategies/{id}/comments", tag = "strategy",
    params(("id" = String, Path, description = "The strategy's id")),
    request_body = NewComment,
    responses((status = 201, description = "Added", body = CommentDto), (status = 400, description = "Not in consultation, or an empty or too long comment; nothing changed", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto),
              (status = 404, description = "No such strategy", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn add_comment(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<CommentDto>), ApiError> {
    check_api_write(&visitor)?;
    visitor.require(Action::CommentOnStrategy)?;
    let author = crate::strategies::comment_author(visitor.signed_in()?);
    let s = readable_strategy(&state, &visitor, &id).await?;
    let comment = state
        .store
        .comment_on_strategy(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            s.id,
            &author,
            &body.body,
        )
        .await
        .map_err(|e| match e {
            // The store names the pages' field; here it is `body`.
            custodes_store::StoreError::Fields(problems) => custodes_store::StoreError::Fields(
                problems
                    .into_iter()
                    .map(|mut p| {
                        if p.field == "comment" {
                            p.field = "body";
                        }
                        p
                    })
                    .collect(),
            ),
            other => other,
        })?;
    Ok((StatusCode::CREATED, Json(CommentDto::from(comment))))
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
        update_threat,
        update_goal,
        list_strategies,
        create_strategy,
        get_strategy,
        update_strategy,
        change_status,
        list_comments,
        add_comment
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
        NewStrategy,
        ThreatChange,
        GoalChange,
        StrategyChange,
        StrategyStep,
        NewComment
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

//! The API of assessments: list, open, read, answer (JSON or an answer file), review,
//! publish, correct, and results. Every call goes through the store, and so through the
//! same rules and access policy as the pages and the command line.

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use custodes_core::assessment::{Decision, parse_missing};
use custodes_core::framework::{AnswerValue, LevelId, NodeId};
use custodes_core::policy::Classification;
use custodes_core::{ActorId, AssessmentId, Level};
use custodes_store::assessment::{AnswerInput, Assessment, AssessmentInput, StoredAnswer};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::actors::workspace;
use crate::api::ErrorDto;
use crate::auth::{Visitor, check_api_write};
use crate::error::ApiError;
use crate::{AppState, WebError, today};

/// The assessment routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/workspaces/{slug}/assessments",
            get(list).post(create),
        )
        .route("/api/v1/assessments/{id}", get(show))
        .route(
            "/api/v1/assessments/{id}/answers",
            get(answers).put(put_answers),
        )
        .route(
            "/api/v1/assessments/{id}/answers.csv",
            get(answers_csv).put(put_answers_csv),
        )
        .route("/api/v1/assessments/{id}/results", get(results))
        .route("/api/v1/assessments/{id}/submit", post(submit))
        .route("/api/v1/assessments/{id}/comments", post(comment))
        .route("/api/v1/assessments/{id}/reviews", post(review))
        .route("/api/v1/assessments/{id}/publish", post(publish))
        .route("/api/v1/assessments/{id}/corrections", post(correct))
}

/// An assessment.
#[derive(Serialize, ToSchema)]
pub(crate) struct AssessmentDto {
    id: String,
    workspace: String,
    framework: String,
    framework_version: String,
    title: String,
    period: String,
    /// draft, submitted, in_review, validated or published.
    status: String,
    /// 1, then one more for each correction.
    version: i64,
    /// The published version this one corrects.
    corrects: Option<String>,
    review_round: i64,
    required_reviewers: i64,
    /// The level in force today.
    level: String,
    /// Assessors and reviewers: `{name, role}`.
    members: Vec<MemberDto>,
    /// The actors it is limited to, by name.
    actors: Vec<String>,
    answered: i64,
    created_at: String,
    updated_at: String,
    published_at: Option<String>,
}

/// A member of an assessment.
#[derive(Serialize, ToSchema)]
pub(crate) struct MemberDto {
    name: String,
    /// assessor or reviewer.
    role: String,
}

impl From<Assessment> for AssessmentDto {
    fn from(a: Assessment) -> Self {
        AssessmentDto {
            id: a.id.to_string(),
            workspace: a.workspace.to_string(),
            framework: a.framework_key,
            framework_version: a.framework_version,
            title: a.title,
            period: a.period,
            status: a.status.as_str().to_owned(),
            version: a.version,
            corrects: a.corrects.map(|c| c.to_string()),
            review_round: a.review_round,
            required_reviewers: a.required_reviewers,
            level: a
                .classification
                .effective_level(today())
                .as_str()
                .to_owned(),
            members: a
                .members
                .into_iter()
                .map(|m| MemberDto {
                    name: m.name,
                    role: m.role.as_str().to_owned(),
                })
                .collect(),
            actors: a.actors.into_iter().map(|x| x.name).collect(),
            answered: a.answered,
            created_at: a.created_at,
            updated_at: a.updated_at,
            published_at: a.published_at,
        }
    }
}

/// An answer, as read.
#[derive(Serialize, ToSchema)]
pub(crate) struct AnswerDto {
    indicator: String,
    /// The level given, if a level.
    level: Option<String>,
    /// The missing state given (not_applicable, not_enough_information, not_scored).
    missing: Option<String>,
    explanation: String,
    /// The actor concerned, when the caller may read it.
    actor: Option<String>,
    /// Sources the caller may read: `{title, url, level}`.
    sources: Vec<SourceDto>,
    updated_by: Option<String>,
    updated_at: String,
}

/// A source of an answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct SourceDto {
    title: String,
    url: String,
    level: String,
}

impl From<StoredAnswer> for AnswerDto {
    fn from(a: StoredAnswer) -> Self {
        let (level, missing) = match &a.value {
            AnswerValue::Level(l) => (Some(l.as_str().to_owned()), None),
            AnswerValue::Missing(m) => (
                None,
                Some(custodes_core::assessment::missing_name(*m).to_owned()),
            ),
        };
        AnswerDto {
            indicator: a.indicator.as_str().to_owned(),
            level,
            missing,
            explanation: a.explanation,
            actor: a.actor.map(|x| x.name),
            sources: a
                .sources
                .into_iter()
                .map(|s| SourceDto {
                    level: s
                        .classification
                        .effective_level(today())
                        .as_str()
                        .to_owned(),
                    title: s.title,
                    url: s.url,
                })
                .collect(),
            updated_by: a.updated_by,
            updated_at: a.updated_at,
        }
    }
}

/// An answer to give: a level or a missing state.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewAnswer {
    indicator: String,
    level: Option<String>,
    /// not_applicable, not_enough_information or not_scored.
    missing: Option<String>,
    #[serde(default)]
    explanation: String,
    /// The actor concerned, by id.
    actor: Option<String>,
}

/// A new assessment.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewAssessment {
    /// The framework's id.
    framework: String,
    framework_version: String,
    title: String,
    period: String,
    /// Assessors, by username.
    assessors: Vec<String>,
    /// Reviewers, by username.
    reviewers: Vec<String>,
    /// Actors it is limited to, by id.
    #[serde(default)]
    actors: Vec<String>,
    /// PUBLIC (default), OFFICIAL, CONFIDENTIAL or SECRET.
    level: Option<String>,
    justification: Option<String>,
}

/// A reviewer's comment.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewComment {
    /// The indicator; absent for the whole assessment.
    indicator: Option<String>,
    body: String,
}

/// A reviewer's decision.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewReview {
    /// approve or request_changes.
    decision: String,
    /// Required when requesting changes.
    #[serde(default)]
    comment: String,
}

/// How many answers an import changed.
#[derive(Serialize, ToSchema)]
pub(crate) struct ImportDto {
    changed: usize,
}

/// Options of the results.
#[derive(Deserialize, IntoParams)]
pub(crate) struct ResultsParams {
    /// Compare with this earlier assessment (same framework version).
    compare: Option<String>,
}

fn id_of(s: &str) -> Result<AssessmentId, ApiError> {
    s.parse().map_err(|_| ApiError(WebError::NotFound))
}

fn bad(message: String) -> ApiError {
    ApiError(WebError::BadRequest(message))
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/assessments", tag = "assessments",
    params(("slug" = String, Path, description = "The workspace")),
    responses((status = 200, description = "The assessments the caller may read", body = [AssessmentDto])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<AssessmentDto>>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let list = state
        .store
        .list_assessments(&visitor.viewer, today(), ws.id)
        .await?;
    Ok(Json(list.into_iter().map(AssessmentDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/assessments", tag = "assessments",
    params(("slug" = String, Path, description = "The workspace")),
    request_body = NewAssessment,
    responses((status = 201, description = "Opened as a draft", body = AssessmentDto), (status = 400, description = "Invalid input", body = ErrorDto),
              (status = 403, description = "Not allowed", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Json(body): Json<NewAssessment>,
) -> Result<(StatusCode, Json<AssessmentDto>), ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let mut people = [Vec::new(), Vec::new()];
    for (list, names, field) in [
        (0, &body.assessors, "assessors"),
        (1, &body.reviewers, "reviewers"),
    ] {
        for n in names {
            let u = state
                .store
                .user_by_username(n)
                .await
                .map_err(|_| bad(format!("{field}: there is no user '{n}'")))?;
            people[list].push(u.id);
        }
    }
    let [assessors, reviewers] = people;
    let actors = body
        .actors
        .iter()
        .map(|a| {
            a.parse::<ActorId>()
                .map_err(|_| bad(format!("actors: '{a}' is not an actor id")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let level: Level = match body.level.as_deref() {
        Some(l) => l
            .parse()
            .map_err(|e: custodes_core::access::UnknownName| bad(e.to_string()))?,
        None => Level::Public,
    };
    let classification = Classification::new(
        level,
        Default::default(),
        body.justification,
        None,
        Level::Public,
    )
    .map_err(|e| bad(e.to_string()))?;
    let created = state
        .store
        .create_assessment(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            ws.id,
            AssessmentInput {
                framework_key: body.framework,
                framework_version: body.framework_version,
                title: body.title,
                period: body.period,
                classification,
                assessors,
                reviewers,
                actors,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[utoipa::path(get, path = "/api/v1/assessments/{id}", tag = "assessments",
    params(("id" = String, Path, description = "The assessment's id")),
    responses((status = 200, description = "The assessment", body = AssessmentDto), (status = 404, description = "No such assessment, or not readable by the caller", body = ErrorDto)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Json<AssessmentDto>, ApiError> {
    let a = state
        .store
        .get_assessment(&visitor.viewer, today(), id_of(&id)?)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(a.into()))
}

#[utoipa::path(get, path = "/api/v1/assessments/{id}/answers", tag = "assessments",
    params(("id" = String, Path, description = "The assessment's id")),
    responses((status = 200, description = "The current answers", body = [AnswerDto]), (status = 404, description = "No such assessment, or not readable by the caller", body = ErrorDto)))]
pub(crate) async fn answers(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Json<Vec<AnswerDto>>, ApiError> {
    let list = state
        .store
        .answers(&visitor.viewer, today(), id_of(&id)?)
        .await?;
    Ok(Json(list.into_iter().map(AnswerDto::from).collect()))
}

#[utoipa::path(put, path = "/api/v1/assessments/{id}/answers", tag = "assessments",
    params(("id" = String, Path, description = "The assessment's id")),
    request_body = [NewAnswer],
    responses((status = 200, description = "Saved: all or nothing", body = ImportDto), (status = 400, description = "Every problem; nothing was saved", body = ErrorDto),
              (status = 403, description = "Not one of its assessors", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn put_answers(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Json(body): Json<Vec<NewAnswer>>,
) -> Result<Json<ImportDto>, ApiError> {
    check_api_write(&visitor)?;
    let mut inputs = Vec::with_capacity(body.len());
    for (i, a) in body.into_iter().enumerate() {
        let value = match (a.level, a.missing) {
            (Some(l), None) => AnswerValue::Level(LevelId::from(l)),
            (None, Some(m)) => AnswerValue::Missing(parse_missing(&m).ok_or_else(|| {
                bad(format!(
                    "[{i}].missing: '{m}' is not not_applicable, not_enough_information or not_scored"
                ))
            })?),
            _ => {
                return Err(bad(format!(
                    "[{i}]: give a level or a missing state, not both or neither"
                )));
            }
        };
        let actor = a
            .actor
            .as_deref()
            .map(|x| {
                x.parse::<ActorId>()
                    .map_err(|_| bad(format!("[{i}].actor: '{x}' is not an actor id")))
            })
            .transpose()?;
        inputs.push(AnswerInput {
            indicator: NodeId::from(a.indicator),
            value,
            explanation: a.explanation,
            actor,
        });
    }
    let changed = state
        .store
        .save_answers(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            id_of(&id)?,
            &inputs,
            &[],
        )
        .await?;
    Ok(Json(ImportDto { changed }))
}

#[utoipa::path(get, path = "/api/v1/assessments/{id}/answers.csv", tag = "assessments",
    params(("id" = String, Path, description = "The assessment's id")),
    responses((status = 200, description = "The answers as an answer file (text/csv)", body = String)))]
pub(crate) async fn answers_csv(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<([(axum::http::HeaderName, &'static str); 1], String), ApiError> {
    let text = state
        .store
        .export_answers(&visitor.viewer, today(), id_of(&id)?)
        .await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        text,
    ))
}

#[utoipa::path(put, path = "/api/v1/assessments/{id}/answers.csv", tag = "assessments",
    params(("id" = String, Path, description = "The assessment's id")),
    request_body(content = String, content_type = "text/csv", description = "An answer file: indicator, level, missing, actor, explanation, sources"),
    responses((status = 200, description = "Imported whole", body = ImportDto), (status = 400, description = "Every bad row with its line; nothing was imported", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn put_answers_csv(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: String,
) -> Result<Json<ImportDto>, ApiError> {
    check_api_write(&visitor)?;
    let changed = state
        .store
        .import_answers(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            id_of(&id)?,
            "request body",
            &body,
        )
        .await?;
    Ok(Json(ImportDto { changed }))
}

#[utoipa::path(get, path = "/api/v1/assessments/{id}/results", tag = "assessments",
    params(("id" = String, Path, description = "The assessment's id"), ResultsParams),
    responses((status = 200, description = "The results document (custodes-results/1): scores, confidence, diagnosis, changes", body = Object)))]
pub(crate) async fn results(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(params): Query<ResultsParams>,
) -> Result<([(axum::http::HeaderName, &'static str); 1], String), ApiError> {
    let compare = params.compare.as_deref().map(id_of).transpose()?;
    let (a, _, results) = state
        .store
        .assessment_results(&visitor.viewer, today(), id_of(&id)?, compare)
        .await?;
    let about = custodes_formats::results::About {
        title: &a.title,
        period: &a.period,
        version: a.version,
        status: a.status.as_str(),
        framework: &a.framework_key,
        framework_version: &a.framework_version,
    };
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        custodes_formats::results::to_json(&about, &results),
    ))
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/submit", tag = "assessments",
    params(("id" = String, Path, description = "The assessment's id")),
    responses((status = 200, description = "Submitted to its reviewers", body = AssessmentDto), (status = 400, description = "Not now (unanswered indicators, or not a draft)", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Json<AssessmentDto>, ApiError> {
    check_api_write(&visitor)?;
    let a = state
        .store
        .submit_assessment(&visitor.actor(), &visitor.viewer, today(), id_of(&id)?)
        .await?;
    Ok(Json(a.into()))
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/comments", tag = "assessments",
    params(("id" = String, Path, description = "The assessment's id")),
    request_body = NewComment,
    responses((status = 204, description = "Recorded"), (status = 403, description = "Not one of its reviewers", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn comment(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Json(body): Json<NewComment>,
) -> Result<StatusCode, ApiError> {
    check_api_write(&visitor)?;
    state
        .store
        .comment_on_assessment(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            id_of(&id)?,
            body.indicator.as_deref(),
            &body.body,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/reviews", tag = "assessments",
    params(("id" = String, Path, description = "The assessment's id")),
    request_body = NewReview,
    responses((status = 200, description = "Decided", body = AssessmentDto), (status = 400, description = "Not now, or a request for changes without a comment", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn review(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Json(body): Json<NewReview>,
) -> Result<Json<AssessmentDto>, ApiError> {
    check_api_write(&visitor)?;
    let decision: Decision = body
        .decision
        .parse()
        .map_err(|e: custodes_core::access::UnknownName| bad(e.to_string()))?;
    let a = state
        .store
        .decide_on_assessment(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            id_of(&id)?,
            decision,
            &body.comment,
        )
        .await?;
    Ok(Json(a.into()))
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/publish", tag = "assessments",
    params(("id" = String, Path, description = "The assessment's id")),
    responses((status = 200, description = "Published and frozen", body = AssessmentDto), (status = 400, description = "Not validated", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn publish(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Json<AssessmentDto>, ApiError> {
    check_api_write(&visitor)?;
    let a = state
        .store
        .publish_assessment(&visitor.actor(), &visitor.viewer, today(), id_of(&id)?)
        .await?;
    Ok(Json(a.into()))
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/corrections", tag = "assessments",
    params(("id" = String, Path, description = "The published assessment's id")),
    responses((status = 201, description = "A new draft version", body = AssessmentDto), (status = 400, description = "Not published", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn correct(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<AssessmentDto>), ApiError> {
    check_api_write(&visitor)?;
    let a = state
        .store
        .correct_assessment(&visitor.actor(), &visitor.viewer, today(), id_of(&id)?)
        .await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// The assessment part of the API's description, merged into the whole.
#[derive(OpenApi)]
#[openapi(
    paths(
        list,
        create,
        show,
        answers,
        put_answers,
        answers_csv,
        put_answers_csv,
        results,
        submit,
        comment,
        review,
        publish,
        correct
    ),
    components(schemas(
        AssessmentDto,
        MemberDto,
        AnswerDto,
        SourceDto,
        NewAnswer,
        NewAssessment,
        NewComment,
        NewReview,
        ImportDto
    ))
)]
pub(crate) struct AssessmentApi;

//! The JSON API under `/api/v1`: the same data as the pages, through the same policy, for
//! people with a token (or a browser session, read only). Its OpenAPI document is
//! generated from these handlers and types.

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use custodes_core::permission::Action;
use custodes_core::policy::Classification;
use custodes_core::sector::{ActorFields, ActorKind};
use custodes_core::{ActorId, CompartmentId, Level};
use custodes_store::actor::{ActorInput, ActorQuery, SectorActor};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::actors::workspace;
use crate::api_strategy::StrategyPaths;
use crate::auth::{Visitor, check_api_write};
use crate::chrome::Chrome;
use crate::error::ApiError;
use crate::{AppState, WebError, today};

/// Who the token or session belongs to.
#[derive(Serialize, ToSchema)]
pub(crate) struct Me {
    /// The username; absent for the public.
    username: Option<String>,
    /// The role; absent for the public.
    role: Option<String>,
    /// The highest level the caller may read.
    clearance: String,
    /// The token's scope, when a token was used.
    scope: Option<String>,
}

/// A country or region.
#[derive(Serialize, ToSchema)]
pub(crate) struct WorkspaceDto {
    slug: String,
    name: String,
    /// `country` or `region`.
    kind: String,
}

/// How a record is classified.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ClassificationDto {
    /// The level in force today: PUBLIC, OFFICIAL, CONFIDENTIAL or SECRET.
    level: String,
    /// The compartments the caller belongs to among those the record names.
    compartments: Vec<String>,
    /// Why it is above PUBLIC.
    justification: Option<String>,
    /// The day it is lowered, if any.
    declassify_on: Option<String>,
    /// The level it is lowered to on that day.
    declassify_to: String,
}

impl ClassificationDto {
    /// A record's classification as the API shows it.
    pub(crate) fn of(c: &Classification) -> ClassificationDto {
        ClassificationDto {
            level: c.effective_level(today()).as_str().to_owned(),
            compartments: c.compartments.iter().map(ToString::to_string).collect(),
            justification: c.justification.clone(),
            declassify_on: c.declassify_on.map(|d| d.to_string()),
            declassify_to: c.declassify_to.as_str().to_owned(),
        }
    }
}

/// A classification given to a new record: the same fields on every kind of record.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewClassification {
    /// PUBLIC (default), OFFICIAL, CONFIDENTIAL or SECRET.
    pub(crate) level: Option<String>,
    #[serde(default)]
    pub(crate) compartments: Vec<String>,
    pub(crate) justification: Option<String>,
    pub(crate) declassify_on: Option<String>,
    pub(crate) declassify_to: Option<String>,
}

impl NewClassification {
    /// The classification, checked by `Classification::new`, or why not.
    pub(crate) fn parse(self) -> Result<Classification, ApiError> {
        let bad = |m: String| ApiError(WebError::BadRequest(m));
        let level = |s: Option<&str>| -> Result<Level, ApiError> {
            s.map_or(Ok(Level::Public), |s| {
                s.parse()
                    .map_err(|e: custodes_core::access::UnknownName| bad(e.to_string()))
            })
        };
        let compartments = self
            .compartments
            .iter()
            .map(|c| {
                c.parse::<CompartmentId>()
                    .map_err(|_| bad(format!("compartments: '{c}' is not a compartment id")))
            })
            .collect::<Result<BTreeSet<_>, _>>()?;
        let declassify_on = self
            .declassify_on
            .as_deref()
            .map(|d| {
                d.parse()
                    .map_err(|_| bad(format!("declassify_on: '{d}' is not a date (YYYY-MM-DD)")))
            })
            .transpose()?;
        Classification::new(
            level(self.level.as_deref())?,
            compartments,
            self.justification,
            declassify_on,
            level(self.declassify_to.as_deref())?,
        )
        .map_err(|e| bad(e.to_string()))
    }
}

/// An actor of the security sector.
#[derive(Serialize, ToSchema)]
pub(crate) struct ActorDto {
    id: String,
    workspace: String,
    name: String,
    /// One of the actor kinds, such as `police` or `parliamentary_committee`.
    kind: String,
    /// The pillar the kind belongs to.
    pillar: String,
    mandate: String,
    legal_basis: String,
    personnel: Option<i64>,
    /// Annual budget in US dollars.
    budget: Option<f64>,
    parent: Option<String>,
    classification: ClassificationDto,
    created_at: String,
    updated_at: String,
}

impl ActorDto {
    fn from(a: SectorActor) -> ActorDto {
        let c = &a.classification;
        ActorDto {
            id: a.id.to_string(),
            workspace: a.workspace.to_string(),
            kind: a.fields.kind.as_str().to_owned(),
            pillar: a.fields.kind.pillar().label().to_owned(),
            name: a.fields.name,
            mandate: a.fields.mandate,
            legal_basis: a.fields.legal_basis,
            personnel: a.fields.personnel,
            budget: a.fields.budget,
            parent: a.parent.map(|p| p.to_string()),
            classification: ClassificationDto::of(c),
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// A page of actors.
#[derive(Serialize, ToSchema)]
pub(crate) struct ActorPage {
    items: Vec<ActorDto>,
    /// How many actors match in all, counting only those the caller may read.
    total: i64,
}

/// Filters of the actor list.
#[derive(Deserialize, IntoParams)]
pub(crate) struct ActorParams {
    /// Words to find in names, mandates and legal bases.
    q: Option<String>,
    /// Only this kind.
    kind: Option<String>,
    /// At most this many (1–500, default 50).
    limit: Option<i64>,
    /// Skip this many.
    offset: Option<i64>,
}

/// A new actor.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewActor {
    name: String,
    kind: String,
    #[serde(default)]
    mandate: String,
    #[serde(default)]
    legal_basis: String,
    personnel: Option<i64>,
    budget: Option<f64>,
    parent: Option<String>,
    #[serde(flatten)]
    classification: NewClassification,
}

/// An error.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorDto {
    error: String,
    message: String,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, description = "The caller", body = Me), (status = 401, description = "Bad token", body = ErrorDto)))]
pub(crate) async fn me(visitor: Visitor) -> Json<Me> {
    Json(Me {
        username: visitor.user.as_ref().map(|u| u.username.clone()),
        role: visitor.role().map(|r| r.as_str().to_owned()),
        clearance: visitor.viewer.clearance.as_str().to_owned(),
        scope: visitor.token_scope.map(|s| s.as_str().to_owned()),
    })
}

#[utoipa::path(get, path = "/api/v1/workspaces", tag = "workspaces",
    responses((status = 200, description = "Every country and region", body = Vec<WorkspaceDto>)))]
pub(crate) async fn workspaces(
    State(state): State<AppState>,
) -> Result<Json<Vec<WorkspaceDto>>, ApiError> {
    Ok(Json(
        state
            .store
            .list_workspaces()
            .await?
            .into_iter()
            .map(|w| WorkspaceDto {
                slug: w.slug.to_string(),
                name: w.name,
                kind: w.kind.as_str().to_owned(),
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/actors", tag = "sector map",
    params(("slug" = String, Path, description = "The workspace"), ActorParams),
    responses((status = 200, description = "Actors the caller may read", body = ActorPage), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn list_actors(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(p): Query<ActorParams>,
) -> Result<Json<ActorPage>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let kind = match p.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(
            k.parse::<ActorKind>()
                .map_err(|e| WebError::BadRequest(e.to_string()))?,
        ),
        None => None,
    };
    let page = state
        .store
        .list_actors(
            &visitor.viewer,
            today(),
            ws.id,
            &ActorQuery {
                search: p.q,
                kind,
                limit: p.limit,
                offset: p.offset.unwrap_or(0),
            },
        )
        .await?;
    Ok(Json(ActorPage {
        total: page.total,
        items: page.items.into_iter().map(ActorDto::from).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/actors/{id}", tag = "sector map",
    params(("id" = String, Path, description = "The actor's id")),
    responses((status = 200, description = "The actor", body = ActorDto), (status = 404, description = "No such actor, or not readable by the caller", body = ErrorDto)))]
pub(crate) async fn get_actor(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Json<ActorDto>, ApiError> {
    let id: ActorId = id.parse().map_err(|_| WebError::NotFound)?;
    let actor = state
        .store
        .get_actor(&visitor.viewer, today(), id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(ActorDto::from(actor)))
}

#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/actors", tag = "sector map",
    params(("slug" = String, Path, description = "The workspace")),
    request_body = NewActor,
    responses((status = 201, description = "Created", body = ActorDto), (status = 400, description = "Invalid input", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn create_actor(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Json(body): Json<NewActor>,
) -> Result<(StatusCode, Json<ActorDto>), ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let bad = |m: String| ApiError(WebError::BadRequest(m));
    let kind: ActorKind = body
        .kind
        .parse()
        .map_err(|e: custodes_core::access::UnknownName| bad(e.to_string()))?;
    let classification = body.classification.parse()?;
    let parent = body
        .parent
        .as_deref()
        .map(|p| {
            p.parse::<ActorId>()
                .map_err(|_| bad(format!("parent: '{p}' is not an actor id")))
        })
        .transpose()?;
    let input = ActorInput {
        fields: ActorFields {
            name: body.name,
            kind,
            mandate: body.mandate,
            legal_basis: body.legal_basis,
            personnel: body.personnel,
            budget: body.budget,
        },
        parent,
        classification,
    };
    let created = state
        .store
        .create_actor(&visitor.actor(), &visitor.viewer, today(), ws.id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(ActorDto::from(created))))
}

/// A user, as administrators see them.
#[derive(Serialize, ToSchema)]
pub(crate) struct UserDto {
    username: String,
    display_name: String,
    role: String,
    clearance: String,
    disabled: bool,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "administration",
    responses((status = 200, description = "Every user (administrators only)", body = Vec<UserDto>), (status = 403, description = "Not allowed", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn users(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Json<Vec<UserDto>>, ApiError> {
    visitor.require(Action::ManageUsers)?;
    Ok(Json(
        state
            .store
            .list_users()
            .await?
            .into_iter()
            .map(|u| UserDto {
                username: u.username,
                display_name: u.display_name,
                role: u.role.as_str().to_owned(),
                clearance: u.clearance.as_str().to_owned(),
                disabled: u.disabled,
            })
            .collect(),
    ))
}

/// A compartment.
#[derive(Serialize, ToSchema)]
pub(crate) struct CompartmentDto {
    id: String,
    slug: String,
    name: String,
    /// `agency`, `committee` or `sharing_group`.
    kind: String,
    description: String,
}

#[utoipa::path(get, path = "/api/v1/compartments", tag = "administration",
    responses((status = 200, description = "The compartments the caller belongs to (all of them for administrators)", body = Vec<CompartmentDto>)))]
pub(crate) async fn compartments(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Json<Vec<CompartmentDto>>, ApiError> {
    Ok(Json(
        state
            .store
            .list_compartments(&visitor.viewer)
            .await?
            .into_iter()
            .map(|c| CompartmentDto {
                id: c.id.to_string(),
                slug: c.slug,
                name: c.name,
                kind: c.kind.as_str().to_owned(),
                description: c.description,
            })
            .collect(),
    ))
}

/// A row of the permission table.
#[derive(Serialize, ToSchema)]
pub(crate) struct PermissionDto {
    action: String,
    description: String,
    roles: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/permissions", tag = "administration",
    responses((status = 200, description = "Who may do what", body = Vec<PermissionDto>), (status = 403, description = "Not allowed", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn permissions(visitor: Visitor) -> Result<Json<Vec<PermissionDto>>, ApiError> {
    visitor.require(Action::ReadPermissions)?;
    Ok(Json(
        custodes_core::permission::TABLE
            .iter()
            .map(|(a, roles)| PermissionDto {
                action: a.as_str().to_owned(),
                description: a.describe().to_owned(),
                roles: roles.iter().map(|r| r.as_str().to_owned()).collect(),
            })
            .collect(),
    ))
}

/// An entry of the audit chain.
#[derive(Serialize, ToSchema)]
pub(crate) struct AuditEntryDto {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity_kind: String,
    entity_id: String,
    state_digest: String,
    hash: String,
}

/// A page of audit entries.
#[derive(Serialize, ToSchema)]
pub(crate) struct AuditPageDto {
    items: Vec<AuditEntryDto>,
    /// How many entries match, counting only those the caller may see.
    total: i64,
    /// Whether the whole chain verifies.
    chain_intact: bool,
}

/// Filters of the audit log.
#[derive(Deserialize, IntoParams)]
pub(crate) struct AuditParams {
    action: Option<String>,
    entity_kind: Option<String>,
    actor: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "administration",
    params(AuditParams),
    responses((status = 200, description = "Audit entries, newest first (administrators and auditors)", body = AuditPageDto), (status = 403, description = "Not allowed", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn audit(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(p): Query<AuditParams>,
) -> Result<Json<AuditPageDto>, ApiError> {
    visitor.require(Action::ReadAuditLog)?;
    let filter = custodes_store::audit::AuditFilter {
        action: p.action,
        entity_kind: p.entity_kind,
        actor_name: p.actor,
    };
    let (entries, total) = state
        .store
        .audit_log(
            &visitor.viewer,
            today(),
            &filter,
            p.limit.unwrap_or(50),
            p.offset.unwrap_or(0),
        )
        .await?;
    let chain_intact = matches!(
        state.store.verify_audit().await?,
        custodes_store::audit::Verdict::Intact { .. }
    );
    Ok(Json(AuditPageDto {
        items: entries
            .into_iter()
            .map(|e| AuditEntryDto {
                seq: e.seq,
                at: e.at,
                actor: e.actor_name,
                action: e.action,
                entity_kind: e.entity_kind,
                entity_id: e.entity_id,
                state_digest: e.state_digest,
                hash: e.hash,
            })
            .collect(),
        total,
        chain_intact,
    }))
}

/// One of the caller's tokens (never its secret).
#[derive(Serialize, ToSchema)]
pub(crate) struct TokenDto {
    id: String,
    name: String,
    scope: String,
    created_at: String,
    expires_at: String,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "account",
    responses((status = 200, description = "The caller's tokens", body = Vec<TokenDto>), (status = 401, description = "Not signed in", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn tokens(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Json<Vec<TokenDto>>, ApiError> {
    let user = visitor.signed_in()?;
    Ok(Json(
        state
            .store
            .list_tokens(user)
            .await?
            .into_iter()
            .map(|t| TokenDto {
                id: t.id,
                name: t.name,
                scope: t.scope.as_str().to_owned(),
                created_at: t.created_at,
                expires_at: t.expires_at,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    ))
}

/// A relation between two actors.
#[derive(Serialize, ToSchema)]
pub(crate) struct RelationDto {
    id: String,
    from: String,
    from_name: String,
    /// `oversees`, `reports_to`, `coordinates_with` or `funds`.
    kind: String,
    /// For `oversees`: `budgetary`, `legislative`, `judicial`, `executive` or `independent`.
    oversight: Option<String>,
    to: String,
    to_name: String,
    note: String,
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/relations", tag = "sector map",
    params(("slug" = String, Path, description = "The workspace")),
    responses((status = 200, description = "Relations between actors the caller may read", body = Vec<RelationDto>), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn relations(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<RelationDto>>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let list = state
        .store
        .list_relations(&visitor.viewer, today(), ws.id, None)
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|r| RelationDto {
                id: r.id,
                from: r.from.to_string(),
                from_name: r.from_name,
                kind: r.kind.as_str().to_owned(),
                oversight: match r.kind {
                    custodes_core::sector::RelationKind::Oversees(k) => Some(k.as_str().to_owned()),
                    _ => None,
                },
                to: r.to.to_string(),
                to_name: r.to_name,
                note: r.note,
            })
            .collect(),
    ))
}

/// What a check found.
#[derive(Serialize, ToSchema)]
pub(crate) struct FindingDto {
    /// The check, such as `no_parliamentary_oversight`.
    check: String,
    title: String,
    /// Why the check matters.
    explanation: String,
    actor: String,
    message: String,
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/checks", tag = "sector map",
    params(("slug" = String, Path, description = "The workspace")),
    responses((status = 200, description = "What the checks find on the part of the map the caller may read", body = Vec<FindingDto>), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn checks(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<FindingDto>>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let (_, _, findings) = state
        .store
        .sector_map(&visitor.viewer, today(), ws.id)
        .await?;
    Ok(Json(
        findings
            .into_iter()
            .map(|f| FindingDto {
                check: serde_json::to_value(f.check)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                title: f.check.title().to_owned(),
                explanation: f.check.explain().to_owned(),
                actor: f.actor.to_string(),
                message: f.message,
            })
            .collect(),
    ))
}

/// A framework in the list.
#[derive(Serialize, ToSchema)]
pub(crate) struct FrameworkSummaryDto {
    id: String,
    version: String,
    name: String,
    indicators: usize,
    /// True for the frameworks built into this program; false for imported ones.
    built_in: bool,
}

#[utoipa::path(get, path = "/api/v1/frameworks", tag = "frameworks",
    responses((status = 200, description = "The frameworks built into this program and those imported, every version", body = Vec<FrameworkSummaryDto>)))]
pub(crate) async fn frameworks(
    State(state): State<AppState>,
) -> Result<Json<Vec<FrameworkSummaryDto>>, ApiError> {
    let mut out = Vec::new();
    for e in state.store.frameworks().await? {
        let f = state.store.framework(&e.key, &e.version).await?;
        out.push(FrameworkSummaryDto {
            indicators: f.indicators().count(),
            id: e.key,
            version: e.version,
            name: e.name,
            built_in: e.built_in,
        });
    }
    Ok(Json(out))
}

/// Which version of a framework.
#[derive(Deserialize, IntoParams)]
pub(crate) struct FrameworkParams {
    /// The version; the newest when absent.
    version: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/frameworks/{id}", tag = "frameworks",
    params(("id" = String, Path, description = "The framework's id"), FrameworkParams),
    responses((status = 200, description = "The whole framework: scales, nodes, scoring rules, anchors and tags (numbers as exact fractions)", body = Object), (status = 404, description = "No such framework", body = ErrorDto)))]
pub(crate) async fn framework(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<FrameworkParams>,
) -> Result<Json<custodes_core::framework::Framework>, ApiError> {
    let version = match params.version {
        Some(v) => v,
        None => state
            .store
            .frameworks()
            .await?
            .into_iter()
            .filter(|e| e.key == id)
            .map(|e| e.version)
            .max()
            .ok_or(WebError::NotFound)?,
    };
    let f = state.store.framework(&id, &version).await?;
    Ok(Json(f.into_inner()))
}

struct TokenSecurity;

impl utoipa::Modify for TokenSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal access token from /account/tokens"))
                    .build(),
            ),
        );
    }
}

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Custodes API", description = "The data of a security sector reform, through the same access policy as the web pages: every list, count and record shows only what the caller's clearance and compartments allow."),
    paths(me, tokens, frameworks, framework, workspaces, list_actors, get_actor, create_actor, relations, checks, compartments, users, permissions, audit),
    components(schemas(FrameworkSummaryDto, RelationDto, FindingDto, Me, TokenDto, WorkspaceDto, ActorDto, ActorPage, ClassificationDto, NewActor, ErrorDto, CompartmentDto, UserDto, PermissionDto, AuditEntryDto, AuditPageDto)),
    modifiers(&TokenSecurity, &StrategyPaths)
)]
pub(crate) struct ApiDoc;

/// The whole API's description: the core routes and each module's.
pub(crate) fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::api_assessments::AssessmentApi::openapi());
    doc.merge(crate::api_planning::PlanningApi::openapi());
    doc.merge(crate::api_planning_rules::PlanningRulesApi::openapi());
    doc
}

/// `GET /api/v1/openapi.json`.
pub(crate) async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

/// An operation as the reference page lists it.
pub(crate) struct Operation {
    method: String,
    path: String,
    summary: String,
    params: Vec<(String, String, String)>,
    responses: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "api_docs.html")]
pub(crate) struct DocsPage {
    chrome: Chrome,
    operations: Vec<Operation>,
}

/// `GET /api/docs`: the API reference, rendered from the OpenAPI document.
pub(crate) async fn docs(State(state): State<AppState>, visitor: Visitor) -> DocsPage {
    let doc = serde_json::to_value(document()).unwrap_or_default();
    let mut operations = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                let params = op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .map(|p| {
                                (
                                    p["name"].as_str().unwrap_or_default().to_owned(),
                                    p["in"].as_str().unwrap_or_default().to_owned(),
                                    p["description"].as_str().unwrap_or_default().to_owned(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let responses = op["responses"]
                    .as_object()
                    .map(|rs| {
                        rs.iter()
                            .map(|(code, r)| {
                                (
                                    code.clone(),
                                    r["description"].as_str().unwrap_or_default().to_owned(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                operations.push(Operation {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary: op["description"]
                        .as_str()
                        .or(op["summary"].as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    params,
                    responses,
                });
            }
        }
    }
    DocsPage {
        chrome: Chrome::new(&state, &visitor, "/api/docs").await,
        operations,
    }
}

//! The JSON API under `/api/v1`: the same data as the pages, through the same policy, for
//! people with a token (or a browser session, read only). Its OpenAPI document is
//! generated from these handlers and types.

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use custodes_core::policy::Classification;
use custodes_core::sector::{ActorFields, ActorKind};
use custodes_core::{ActorId, CompartmentId, Level};
use custodes_store::actor::{ActorInput, ActorQuery, SectorActor};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::actors::workspace;
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
#[derive(Serialize, ToSchema)]
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
            classification: ClassificationDto {
                level: c.effective_level(today()).as_str().to_owned(),
                compartments: c.compartments.iter().map(ToString::to_string).collect(),
                justification: c.justification.clone(),
                declassify_on: c.declassify_on.map(|d| d.to_string()),
                declassify_to: c.declassify_to.as_str().to_owned(),
            },
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
    /// PUBLIC (default), OFFICIAL, CONFIDENTIAL or SECRET.
    level: Option<String>,
    #[serde(default)]
    compartments: Vec<String>,
    justification: Option<String>,
    declassify_on: Option<String>,
    declassify_to: Option<String>,
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
    let level = |s: Option<&str>| -> Result<Level, ApiError> {
        s.map_or(Ok(Level::Public), |s| {
            s.parse()
                .map_err(|e: custodes_core::access::UnknownName| bad(e.to_string()))
        })
    };
    let compartments = body
        .compartments
        .iter()
        .map(|c| {
            c.parse::<CompartmentId>()
                .map_err(|_| bad(format!("compartments: '{c}' is not a compartment id")))
        })
        .collect::<Result<BTreeSet<_>, _>>()?;
    let declassify_on = body
        .declassify_on
        .as_deref()
        .map(|d| {
            d.parse()
                .map_err(|_| bad(format!("declassify_on: '{d}' is not a date (YYYY-MM-DD)")))
        })
        .transpose()?;
    let classification = Classification::new(
        level(body.level.as_deref())?,
        compartments,
        body.justification,
        declassify_on,
        level(body.declassify_to.as_deref())?,
    )
    .map_err(|e| bad(e.to_string()))?;
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
    paths(me, workspaces, list_actors, get_actor, create_actor),
    components(schemas(Me, WorkspaceDto, ActorDto, ActorPage, ClassificationDto, NewActor, ErrorDto)),
    modifiers(&TokenSecurity)
)]
pub(crate) struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub(crate) async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
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
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
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

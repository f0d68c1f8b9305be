//! The JSON API of the rules that bind every plan: exclusions between programmes,
//! dependencies and integrity gates, the absorptive capacity of lead actors, minimum
//! shares of the spend, and budget scenarios. Reads go through the access policy like the
//! pages (an exclusion that names a programme the caller may not read, or a capacity of
//! an actor the caller may not read, is left out); writes need a write-scoped token and
//! the permission to edit planning, and every one is audited by the store. Its OpenAPI
//! paths are merged into the API's document by [`PlanningRulesApi`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use custodes_core::ActorId;
use custodes_core::framework::ReformField;
use custodes_core::plan::{MinimumShare, PrecedenceKind, ShareOf};
use custodes_core::planning::{Assumption, ExclusionFields, Scenario};
use custodes_store::StoreError;
use custodes_store::funding::StoredScenario;
use custodes_store::programme::{Exclusion, Programme};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::actors::workspace;
use crate::api::ErrorDto;
use crate::auth::{Visitor, check_api_write};
use crate::error::ApiError;
use crate::{AppState, WebError, today};

/// The API routes of the planning rules.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/workspaces/{slug}/exclusions",
            get(list_exclusions).post(create_exclusion),
        )
        .route(
            "/api/v1/workspaces/{slug}/exclusions/{id}",
            axum::routing::delete(delete_exclusion),
        )
        .route(
            "/api/v1/workspaces/{slug}/programmes/{key}/links",
            post(add_link),
        )
        .route(
            "/api/v1/workspaces/{slug}/programmes/{key}/links/{kind}/{before}",
            axum::routing::delete(remove_link),
        )
        .route("/api/v1/workspaces/{slug}/capacities", get(list_capacities))
        .route(
            "/api/v1/workspaces/{slug}/capacities/{actor}",
            put(set_capacity).delete(remove_capacity),
        )
        .route("/api/v1/workspaces/{slug}/minimum-shares", get(list_shares))
        .route(
            "/api/v1/workspaces/{slug}/minimum-shares/{kind}/{of}",
            put(set_share).delete(remove_share),
        )
        .route(
            "/api/v1/workspaces/{slug}/scenarios",
            get(list_scenarios).post(create_scenario),
        )
        .route(
            "/api/v1/workspaces/{slug}/scenarios/{key}",
            get(get_scenario)
                .put(update_scenario)
                .delete(delete_scenario),
        )
}

fn bad(m: String) -> ApiError {
    ApiError(WebError::BadRequest(m))
}

/// An exclusion: of its programmes, a plan chooses at most one.
#[derive(Serialize, ToSchema)]
pub(crate) struct ExclusionDto {
    id: String,
    name: String,
    /// The programmes' keys.
    programmes: Vec<String>,
}

impl From<Exclusion> for ExclusionDto {
    fn from(e: Exclusion) -> Self {
        ExclusionDto {
            id: e.id,
            name: e.name,
            programmes: e.programmes,
        }
    }
}

/// A new exclusion.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewExclusion {
    name: String,
    /// The keys of two programmes or more that the caller may read.
    programmes: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/exclusions", tag = "planning",
    params(("slug" = String, Path, description = "The workspace")),
    responses((status = 200, description = "The exclusions whose every programme the caller may read", body = Vec<ExclusionDto>), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn list_exclusions(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ExclusionDto>>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let all = state
        .store
        .list_exclusions(&visitor.viewer, today(), ws.id)
        .await?;
    Ok(Json(all.into_iter().map(ExclusionDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/exclusions", tag = "planning",
    params(("slug" = String, Path, description = "The workspace")),
    request_body = NewExclusion,
    responses((status = 201, description = "Created", body = ExclusionDto), (status = 400, description = "Invalid input, each problem named by its field; a programme the caller may not read is one that does not exist", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto), (status = 404, description = "No such workspace", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn create_exclusion(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Json(body): Json<NewExclusion>,
) -> Result<(StatusCode, Json<ExclusionDto>), ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let created = state
        .store
        .create_exclusion(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            ws.id,
            ExclusionFields {
                name: body.name,
                programmes: body.programmes,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[utoipa::path(delete, path = "/api/v1/workspaces/{slug}/exclusions/{id}", tag = "planning",
    params(("slug" = String, Path, description = "The workspace"), ("id" = String, Path, description = "The exclusion's id")),
    responses((status = 204, description = "Removed"), (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto),
              (status = 404, description = "No such exclusion, or one that names a programme the caller may not read", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn delete_exclusion(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    state
        .store
        .delete_exclusion(&visitor.actor(), &visitor.viewer, today(), ws.id, &id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A programme's dependencies and integrity gates, among the programmes the caller may
/// read.
#[derive(Serialize, ToSchema)]
pub(crate) struct LinksDto {
    /// The programme's key.
    programme: String,
    /// Keys of the programmes that must finish before it starts.
    after: Vec<String>,
    /// Keys of the integrity programmes that must finish before it starts.
    gated_by: Vec<String>,
}

impl From<Programme> for LinksDto {
    fn from(p: Programme) -> Self {
        LinksDto {
            programme: p.fields.key,
            after: p.after,
            gated_by: p.gated_by,
        }
    }
}

/// A new dependency or integrity gate of the programme in the path.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewLink {
    /// The key of the programme that must finish first.
    before: String,
    /// `dependency` or `gate`.
    kind: String,
}

fn link_kind(kind: &str) -> Option<PrecedenceKind> {
    match kind {
        "dependency" => Some(PrecedenceKind::Dependency),
        "gate" => Some(PrecedenceKind::Gate),
        _ => None,
    }
}

#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/programmes/{key}/links", tag = "planning",
    params(("slug" = String, Path, description = "The workspace"), ("key" = String, Path, description = "The programme that waits")),
    request_body = NewLink,
    responses((status = 201, description = "Added; the programme's links", body = LinksDto), (status = 400, description = "Invalid input, named by its field; a programme the caller may not read is one that does not exist", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto), (status = 404, description = "No such workspace or programme", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn add_link(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, key)): Path<(String, String)>,
    Json(body): Json<NewLink>,
) -> Result<(StatusCode, Json<LinksDto>), ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let kind = link_kind(&body.kind).ok_or_else(|| {
        bad(format!(
            "kind: '{}' is not one of dependency, gate",
            body.kind
        ))
    })?;
    let p = state
        .store
        .add_programme_link(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            ws.id,
            &key,
            kind,
            body.before.trim(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

#[utoipa::path(delete, path = "/api/v1/workspaces/{slug}/programmes/{key}/links/{kind}/{before}", tag = "planning",
    params(("slug" = String, Path, description = "The workspace"), ("key" = String, Path, description = "The programme that waits"),
           ("kind" = String, Path, description = "`dependency` or `gate`"), ("before" = String, Path, description = "The programme it waits for")),
    responses((status = 200, description = "Removed; the programme's links", body = LinksDto), (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto),
              (status = 404, description = "No such programme or link among those the caller may read", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn remove_link(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, key, kind, before)): Path<(String, String, String, String)>,
) -> Result<Json<LinksDto>, ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let kind = link_kind(&kind).ok_or(WebError::NotFound)?;
    let p = state
        .store
        .remove_programme_link(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            ws.id,
            &key,
            kind,
            &before,
        )
        .await?;
    Ok(Json(p.into()))
}

/// The absorptive capacity of a lead actor.
#[derive(Serialize, ToSchema)]
pub(crate) struct CapacityDto {
    /// The actor's id.
    actor: String,
    /// The actor's name.
    actor_name: String,
    /// How many of the programmes it leads may run in the same year.
    max_running: u32,
}

/// A lead actor's capacity.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewCapacity {
    /// How many of the programmes it leads may run in the same year: at least 1.
    max_running: i64,
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/capacities", tag = "planning",
    params(("slug" = String, Path, description = "The workspace")),
    responses((status = 200, description = "The capacities of the lead actors the caller may read", body = Vec<CapacityDto>), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn list_capacities(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Json<Vec<CapacityDto>>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let all = state
        .store
        .list_capacities(&visitor.viewer, today(), ws.id)
        .await?;
    Ok(Json(
        all.into_iter()
            .filter_map(|c| {
                Some(CapacityDto {
                    actor_name: c.actor.name?,
                    actor: c.actor.id.to_string(),
                    max_running: c.max_running,
                })
            })
            .collect(),
    ))
}

#[utoipa::path(put, path = "/api/v1/workspaces/{slug}/capacities/{actor}", tag = "planning",
    params(("slug" = String, Path, description = "The workspace"), ("actor" = String, Path, description = "The lead actor's id")),
    request_body = NewCapacity,
    responses((status = 200, description = "Set, replacing the one there was", body = CapacityDto), (status = 400, description = "Invalid input, named by its field; an actor the caller may not read is one that does not exist", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto), (status = 404, description = "No such workspace", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn set_capacity(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, actor)): Path<(String, String)>,
    Json(body): Json<NewCapacity>,
) -> Result<Json<CapacityDto>, ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let lead: ActorId = actor
        .parse()
        .map_err(|_| bad(format!("actor: '{actor}' is not an actor id")))?;
    // A negative number is passed on as 0, which the core refuses in words.
    let max = u32::try_from(body.max_running.max(0))
        .map_err(|_| bad("max_running: the number is too large".into()))?;
    let set = state
        .store
        .set_capacity(&visitor.actor(), &visitor.viewer, today(), ws.id, lead, max)
        .await?;
    Ok(Json(CapacityDto {
        actor: set.actor.id.to_string(),
        actor_name: set.actor.name.unwrap_or_default(),
        max_running: set.max_running,
    }))
}

#[utoipa::path(delete, path = "/api/v1/workspaces/{slug}/capacities/{actor}", tag = "planning",
    params(("slug" = String, Path, description = "The workspace"), ("actor" = String, Path, description = "The lead actor's id")),
    responses((status = 204, description = "Removed: the actor may run any number of programmes at once"), (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto),
              (status = 404, description = "No capacity of this actor among those the caller may read", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn remove_capacity(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, actor)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let lead: ActorId = actor.parse().map_err(|_| WebError::NotFound)?;
    state
        .store
        .remove_capacity(&visitor.actor(), &visitor.viewer, today(), ws.id, lead)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A minimum share of the total spend.
#[derive(Serialize, ToSchema)]
pub(crate) struct ShareDto {
    /// `field` or `goal`.
    of_kind: String,
    /// The reform field's name (`rule_of_law`) or the goal's id.
    of: String,
    /// The share, as a fraction of the total spend (0.12 for 12%).
    share: f64,
}

impl ShareDto {
    fn of(m: MinimumShare) -> ShareDto {
        let (of_kind, of) = match m.of {
            ShareOf::Field(f) => ("field", f.as_str().to_owned()),
            ShareOf::Goal(g) => ("goal", g.to_string()),
        };
        ShareDto {
            of_kind: of_kind.into(),
            of,
            share: m.share,
        }
    }
}

/// A minimum share.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewShare {
    /// As a fraction of the total spend: more than 0 and at most 1.
    share: f64,
}

/// What a share is of, from the path, or what is wrong with the path.
fn share_of(kind: &str, of: &str) -> Result<ShareOf, String> {
    match kind {
        "field" => of
            .parse::<ReformField>()
            .map(ShareOf::Field)
            .map_err(|e| format!("of: {e}")),
        "goal" => Ok(ShareOf::Goal(of.into())),
        other => Err(format!("kind: '{other}' is not one of field, goal")),
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/minimum-shares", tag = "planning",
    params(("slug" = String, Path, description = "The workspace")),
    responses((status = 200, description = "The minimum shares of the spend", body = Vec<ShareDto>), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn list_shares(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ShareDto>>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let all = state.store.list_minimum_shares(ws.id).await?;
    Ok(Json(all.into_iter().map(ShareDto::of).collect()))
}

#[utoipa::path(put, path = "/api/v1/workspaces/{slug}/minimum-shares/{kind}/{of}", tag = "planning",
    params(("slug" = String, Path, description = "The workspace"), ("kind" = String, Path, description = "`field` or `goal`"), ("of" = String, Path, description = "The reform field's name or the goal's id")),
    request_body = NewShare,
    responses((status = 200, description = "Set, replacing the one there was", body = ShareDto), (status = 400, description = "Invalid input, named by its field (a share out of range; the fields' shares adding up to more than the whole spend; an unknown field or goal)", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto), (status = 404, description = "No such workspace", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn set_share(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, kind, of)): Path<(String, String, String)>,
    Json(body): Json<NewShare>,
) -> Result<Json<ShareDto>, ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let share = MinimumShare {
        of: share_of(&kind, &of).map_err(bad)?,
        share: body.share,
    };
    state
        .store
        .set_minimum_share(&visitor.actor(), &visitor.viewer, ws.id, share.clone())
        .await?;
    Ok(Json(ShareDto::of(share)))
}

#[utoipa::path(delete, path = "/api/v1/workspaces/{slug}/minimum-shares/{kind}/{of}", tag = "planning",
    params(("slug" = String, Path, description = "The workspace"), ("kind" = String, Path, description = "`field` or `goal`"), ("of" = String, Path, description = "The reform field's name or the goal's id")),
    responses((status = 204, description = "Removed"), (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto),
              (status = 404, description = "No such share", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn remove_share(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, kind, of)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let of = share_of(&kind, &of).map_err(|_| WebError::NotFound)?;
    state
        .store
        .remove_minimum_share(&visitor.actor(), &visitor.viewer, ws.id, &of)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One budget assumption of a scenario.
#[derive(Serialize, Deserialize, ToSchema)]
pub(crate) struct AssumptionDto {
    /// `factor` (the source's ceilings are multiplied by `factor` from `from_year`) or
    /// `leaves` (the source has no money from `from_year`).
    kind: String,
    /// The funding source's key.
    source: String,
    /// The first year it applies.
    from_year: i32,
    /// With `factor`: the multiplier, from 0 to 10 (0.8 for a cut of 20%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    factor: Option<f64>,
}

impl AssumptionDto {
    fn of(a: &Assumption) -> AssumptionDto {
        match a {
            Assumption::Factor {
                source,
                from_year,
                factor,
            } => AssumptionDto {
                kind: "factor".into(),
                source: source.to_string(),
                from_year: *from_year,
                factor: Some(*factor),
            },
            Assumption::Leaves { source, from_year } => AssumptionDto {
                kind: "leaves".into(),
                source: source.to_string(),
                from_year: *from_year,
                factor: None,
            },
        }
    }

    /// The assumption, or what is wrong with it, naming its position (from 1).
    fn parse(self, n: usize) -> Result<Assumption, ApiError> {
        let source = self.source.as_str().into();
        match self.kind.as_str() {
            "factor" => Ok(Assumption::Factor {
                source,
                from_year: self.from_year,
                factor: self.factor.ok_or_else(|| {
                    bad(format!(
                        "assumptions: assumption {n}: a factor is required with the kind factor"
                    ))
                })?,
            }),
            "leaves" => Ok(Assumption::Leaves {
                source,
                from_year: self.from_year,
            }),
            other => Err(bad(format!(
                "assumptions: assumption {n}: the kind '{other}' is not one of factor, leaves"
            ))),
        }
    }
}

/// A budget scenario.
#[derive(Serialize, ToSchema)]
pub(crate) struct ScenarioDto {
    id: String,
    key: String,
    name: String,
    description: String,
    /// Applied in order; none is the baseline.
    assumptions: Vec<AssumptionDto>,
}

impl From<StoredScenario> for ScenarioDto {
    fn from(s: StoredScenario) -> Self {
        ScenarioDto {
            id: s.id.to_string(),
            assumptions: s
                .scenario
                .assumptions
                .iter()
                .map(AssumptionDto::of)
                .collect(),
            key: s.scenario.key,
            name: s.scenario.name,
            description: s.scenario.description,
        }
    }
}

/// A new scenario.
#[derive(Deserialize, ToSchema)]
pub(crate) struct NewScenario {
    /// Lowercase letters, digits and hyphens, starting with a letter; it cannot change.
    key: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    assumptions: Vec<AssumptionDto>,
}

/// A scenario's new name, description and assumptions (its key stays).
#[derive(Deserialize, ToSchema)]
pub(crate) struct ScenarioChange {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    assumptions: Vec<AssumptionDto>,
}

fn assumptions(list: Vec<AssumptionDto>) -> Result<Vec<Assumption>, ApiError> {
    list.into_iter()
        .enumerate()
        .map(|(i, a)| a.parse(i + 1))
        .collect()
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/scenarios", tag = "planning",
    params(("slug" = String, Path, description = "The workspace")),
    responses((status = 200, description = "The budget scenarios, by name", body = Vec<ScenarioDto>), (status = 404, description = "No such workspace", body = ErrorDto)))]
pub(crate) async fn list_scenarios(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ScenarioDto>>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let all = state.store.list_scenarios(ws.id).await?;
    Ok(Json(all.into_iter().map(ScenarioDto::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/scenarios/{key}", tag = "planning",
    params(("slug" = String, Path, description = "The workspace"), ("key" = String, Path, description = "The scenario's key")),
    responses((status = 200, description = "The scenario", body = ScenarioDto), (status = 404, description = "No such workspace or scenario", body = ErrorDto)))]
pub(crate) async fn get_scenario(
    State(state): State<AppState>,
    Path((slug, key)): Path<(String, String)>,
) -> Result<Json<ScenarioDto>, ApiError> {
    let ws = workspace(&state.store, &slug).await?;
    let found = state
        .store
        .list_scenarios(ws.id)
        .await?
        .into_iter()
        .find(|s| s.scenario.key == key)
        .ok_or(WebError::NotFound)?;
    Ok(Json(found.into()))
}

#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/scenarios", tag = "planning",
    params(("slug" = String, Path, description = "The workspace")),
    request_body = NewScenario,
    responses((status = 201, description = "Created", body = ScenarioDto), (status = 400, description = "Invalid input, each problem named by its field (a key that exists, an unknown source, a year outside the horizon, a negative factor)", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto), (status = 404, description = "No such workspace", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn create_scenario(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Json(body): Json<NewScenario>,
) -> Result<(StatusCode, Json<ScenarioDto>), ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let scenario = Scenario {
        key: body.key,
        name: body.name,
        description: body.description,
        assumptions: assumptions(body.assumptions)?,
    };
    let saved = state
        .store
        .create_scenario(&visitor.actor(), &visitor.viewer, ws.id, scenario)
        .await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

#[utoipa::path(put, path = "/api/v1/workspaces/{slug}/scenarios/{key}", tag = "planning",
    params(("slug" = String, Path, description = "The workspace"), ("key" = String, Path, description = "The scenario's key")),
    request_body = ScenarioChange,
    responses((status = 200, description = "Changed; plans optimised under it keep the scenario as they were solved with it", body = ScenarioDto), (status = 400, description = "Invalid input, each problem named by its field", body = ErrorDto),
              (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto), (status = 404, description = "No such workspace or scenario", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn update_scenario(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, key)): Path<(String, String)>,
    Json(body): Json<ScenarioChange>,
) -> Result<Json<ScenarioDto>, ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    let scenario = Scenario {
        key: key.clone(),
        name: body.name,
        description: body.description,
        assumptions: assumptions(body.assumptions)?,
    };
    let saved = state
        .store
        .update_scenario(&visitor.actor(), &visitor.viewer, ws.id, &key, scenario)
        .await?;
    Ok(Json(saved.into()))
}

#[utoipa::path(delete, path = "/api/v1/workspaces/{slug}/scenarios/{key}", tag = "planning",
    params(("slug" = String, Path, description = "The workspace"), ("key" = String, Path, description = "The scenario's key")),
    responses((status = 204, description = "Deleted"), (status = 401, description = "No or bad token", body = ErrorDto), (status = 403, description = "Not allowed", body = ErrorDto),
              (status = 404, description = "No such workspace or scenario", body = ErrorDto),
              (status = 409, description = "Plans were optimised under it, so it is kept", body = ErrorDto)),
    security(("token" = [])))]
pub(crate) async fn delete_scenario(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, key)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    check_api_write(&visitor)?;
    let ws = workspace(&state.store, &slug).await?;
    state
        .store
        .delete_scenario(&visitor.actor(), &visitor.viewer, today(), ws.id, &key)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(m) => WebError::Conflict(m),
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// The paths of this module, merged into the API's document.
#[derive(OpenApi)]
#[openapi(
    paths(
        list_exclusions,
        create_exclusion,
        delete_exclusion,
        add_link,
        remove_link,
        list_capacities,
        set_capacity,
        remove_capacity,
        list_shares,
        set_share,
        remove_share,
        list_scenarios,
        get_scenario,
        create_scenario,
        update_scenario,
        delete_scenario
    ),
    components(schemas(
        ExclusionDto,
        NewExclusion,
        LinksDto,
        NewLink,
        CapacityDto,
        NewCapacity,
        ShareDto,
        NewShare,
        AssumptionDto,
        ScenarioDto,
        NewScenario,
        ScenarioChange
    ))
)]
pub(crate) struct PlanningRulesApi;

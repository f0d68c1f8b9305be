//! The rules that bind every plan, kept in forms: exclusions between programmes (added
//! and removed from the portfolio page), the absorptive capacity of lead actors (set and
//! removed from the same page), and minimum shares of the spend (set and removed from the
//! funding page). The rules themselves are checked by `custodes_core::planning` through
//! the store; these handlers read the forms and show what was refused.

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodes_core::ActorId;
use custodes_core::framework::ReformField;
use custodes_core::permission::Action;
use custodes_core::plan::{MinimumShare, ShareOf};
use custodes_core::planning::ExclusionFields;
use custodes_core::sector::ActorKind;
use custodes_store::programme::ProgrammeQuery;
use custodes_store::workspace::Workspace;
use serde::Deserialize;

use super::points;
use crate::actors::{Choice, store_problems, workspace};
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems};
use crate::{AppState, WebError, today};

#[derive(Template, WebTemplate)]
#[template(path = "planning/exclusion_form.html")]
pub(crate) struct ExclusionPage {
    chrome: Chrome,
    ws: Workspace,
    name: String,
    programmes: Vec<Choice>,
    problems: Problems,
}

async fn exclusion_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    name: String,
    chosen: &BTreeSet<String>,
    problems: Problems,
) -> Result<ExclusionPage, WebError> {
    let programmes = state
        .store
        .list_programmes(&visitor.viewer, today(), ws.id, &ProgrammeQuery::default())
        .await?
        .into_iter()
        .map(|p| Choice {
            selected: chosen.contains(&p.fields.key),
            value: p.fields.key,
            label: p.fields.name,
        })
        .collect();
    let path = format!("/w/{}/planning/exclusions/new", ws.slug);
    Ok(ExclusionPage {
        chrome: Chrome::new(state, visitor, &path).await,
        ws,
        name,
        programmes,
        problems,
    })
}

/// `GET /w/{slug}/planning/exclusions/new`.
pub(crate) async fn new_exclusion(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<ExclusionPage, WebError> {
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    exclusion_page(
        &state,
        &visitor,
        ws,
        String::new(),
        &BTreeSet::new(),
        Problems::default(),
    )
    .await
}

/// `POST /w/{slug}/planning/exclusions/new`.
pub(crate) async fn create_exclusion(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let fields = ExclusionFields {
        name: data.text("name"),
        programmes: data
            .all("programmes")
            .into_iter()
            .map(str::to_owned)
            .collect(),
    };
    let problems = match state
        .store
        .create_exclusion(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            ws.id,
            fields.clone(),
        )
        .await
    {
        Ok(_) => {
            return Ok(
                Redirect::to(&format!("/w/{slug}/planning/programmes#exclusions")).into_response(),
            );
        }
        Err(e) => store_problems(e)?,
    };
    let chosen = fields.programmes.into_iter().collect();
    let page = exclusion_page(&state, &visitor, ws, fields.name, &chosen, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /w/{slug}/planning/exclusions/{id}/delete`.
pub(crate) async fn delete_exclusion(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    state
        .store
        .delete_exclusion(&visitor.actor(), &visitor.viewer, today(), ws.id, &id)
        .await?;
    Ok(Redirect::to(&format!("/w/{slug}/planning/programmes#exclusions")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/capacity_form.html")]
pub(crate) struct CapacityPage {
    chrome: Chrome,
    ws: Workspace,
    actors: Vec<Choice>,
    max_running: String,
    problems: Problems,
}

/// The capacity form's address: `actor` chooses the lead actor whose capacity to change.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CapacityQuery {
    #[serde(default)]
    actor: String,
}

async fn capacity_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    actor: &str,
    max_running: String,
    problems: Problems,
) -> Result<CapacityPage, WebError> {
    let actors = state
        .store
        .all_actors(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .filter(|a| a.fields.kind != ActorKind::InternationalPartner)
        .map(|a| Choice {
            selected: a.id.to_string() == actor,
            value: a.id.to_string(),
            label: a.fields.name,
        })
        .collect();
    let path = format!("/w/{}/planning/capacities/edit", ws.slug);
    Ok(CapacityPage {
        chrome: Chrome::new(state, visitor, &path).await,
        ws,
        actors,
        max_running,
        problems,
    })
}

/// `GET /w/{slug}/planning/capacities/edit`: the form, with the capacity of `?actor=` when
/// the visitor may read that actor.
pub(crate) async fn capacity_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(query): Query<CapacityQuery>,
) -> Result<CapacityPage, WebError> {
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let current = state
        .store
        .list_capacities(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .find(|c| c.actor.name.is_some() && c.actor.id.to_string() == query.actor)
        .map(|c| c.max_running.to_string())
        .unwrap_or_default();
    capacity_page(
        &state,
        &visitor,
        ws,
        &query.actor,
        current,
        Problems::default(),
    )
    .await
}

/// `POST /w/{slug}/planning/capacities/edit`.
pub(crate) async fn set_capacity(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let (actor, max_running) = (data.text("actor"), data.text("max_running"));
    let mut problems = Problems::default();
    let lead = actor.parse::<ActorId>().ok();
    if lead.is_none() {
        problems.add("actor", "Choose the lead actor");
    }
    let max = max_running.parse::<u32>().ok();
    if max.is_none() {
        problems.add(
            "max_running",
            "Enter the capacity as a whole number of programmes, like 2",
        );
    }
    if let (Some(lead), Some(max)) = (lead, max) {
        match state
            .store
            .set_capacity(&visitor.actor(), &visitor.viewer, today(), ws.id, lead, max)
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/w/{slug}/planning/programmes#capacities"))
                        .into_response(),
                );
            }
            Err(e) => problems = store_problems(e)?,
        }
    }
    let page = capacity_page(&state, &visitor, ws, &actor, max_running, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /w/{slug}/planning/capacities/{actor}/delete`.
pub(crate) async fn delete_capacity(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, actor)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let lead: ActorId = actor.parse().map_err(|_| WebError::NotFound)?;
    state
        .store
        .remove_capacity(&visitor.actor(), &visitor.viewer, today(), ws.id, lead)
        .await?;
    Ok(Redirect::to(&format!("/w/{slug}/planning/programmes#capacities")).into_response())
}

/// What a minimum share is of, as forms and addresses write it: `field:NAME` or
/// `goal:ID`.
pub(crate) fn share_value(of: &ShareOf) -> String {
    match of {
        ShareOf::Field(f) => format!("field:{}", f.as_str()),
        ShareOf::Goal(g) => format!("goal:{g}"),
    }
}

/// Reads what [`share_value`] writes.
pub(crate) fn parse_share_of(text: &str) -> Option<ShareOf> {
    match text.split_once(':')? {
        ("field", f) => f.parse::<ReformField>().ok().map(ShareOf::Field),
        ("goal", g) if !g.trim().is_empty() => Some(ShareOf::Goal(g.trim().into())),
        _ => None,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/share_form.html")]
pub(crate) struct SharePage {
    chrome: Chrome,
    ws: Workspace,
    fields: Vec<Choice>,
    goals: Vec<Choice>,
    percent: String,
    problems: Problems,
}

/// The share form's address: `of` chooses the share to change.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ShareQuery {
    #[serde(default)]
    of: String,
}

async fn share_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    of: &str,
    percent: String,
    problems: Problems,
) -> Result<SharePage, WebError> {
    let fields = ReformField::ALL
        .iter()
        .map(|f| {
            let value = share_value(&ShareOf::Field(*f));
            Choice {
                selected: value == of,
                value,
                label: f.label().to_owned(),
            }
        })
        .collect();
    let goals = state
        .store
        .list_goals(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .map(|g| {
            let value = share_value(&ShareOf::Goal(g.id.to_string().as_str().into()));
            Choice {
                selected: value == of,
                value,
                label: g.title,
            }
        })
        .collect();
    let path = format!("/w/{}/planning/shares/edit", ws.slug);
    Ok(SharePage {
        chrome: Chrome::new(state, visitor, &path).await,
        ws,
        fields,
        goals,
        percent,
        problems,
    })
}

/// `GET /w/{slug}/planning/shares/edit`: the form, with the share of `?of=` when it is
/// set.
pub(crate) async fn share_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(query): Query<ShareQuery>,
) -> Result<SharePage, WebError> {
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let current = state
        .store
        .list_minimum_shares(ws.id)
        .await?
        .into_iter()
        .find(|m| share_value(&m.of) == query.of)
        .map(|m| points(m.share * 100.0))
        .unwrap_or_default();
    share_page(
        &state,
        &visitor,
        ws,
        &query.of,
        current,
        Problems::default(),
    )
    .await
}

/// `POST /w/{slug}/planning/shares/edit`. The share is typed as a percentage.
pub(crate) async fn set_share(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let (of_text, percent) = (data.text("of"), data.text("share"));
    let mut problems = Problems::default();
    let of = parse_share_of(&of_text);
    if of.is_none() {
        problems.add("of", "Choose the reform field or goal the share is of");
    }
    let share = percent
        .trim_end_matches('%')
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite());
    if share.is_none() {
        problems.add("share", "Enter the share as a percentage, like 12");
    }
    if let (Some(of), Some(share)) = (of, share) {
        match state
            .store
            .set_minimum_share(
                &visitor.actor(),
                &visitor.viewer,
                ws.id,
                MinimumShare {
                    of,
                    share: share / 100.0,
                },
            )
            .await
        {
            Ok(()) => {
                return Ok(
                    Redirect::to(&format!("/w/{slug}/planning/funding#shares")).into_response()
                );
            }
            Err(e) => problems = store_problems(e)?,
        }
    }
    let page = share_page(&state, &visitor, ws, &of_text, percent, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /w/{slug}/planning/shares/{of}/delete`, `of` as [`share_value`] writes it.
pub(crate) async fn delete_share(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, of)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let of = parse_share_of(&of).ok_or(WebError::NotFound)?;
    state
        .store
        .remove_minimum_share(&visitor.actor(), &visitor.viewer, ws.id, &of)
        .await?;
    Ok(Redirect::to(&format!("/w/{slug}/planning/funding#shares")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_values_read_back() {
        for of in [
            ShareOf::Field(ReformField::RuleOfLaw),
            ShareOf::Goal("0190a0a0-0000-7000-8000-000000000000".into()),
        ] {
            assert_eq!(parse_share_of(&share_value(&of)), Some(of));
        }
        assert_eq!(parse_share_of("field:nothing"), None);
        assert_eq!(parse_share_of("goal:"), None);
        assert_eq!(parse_share_of("rule_of_law"), None);
    }
}

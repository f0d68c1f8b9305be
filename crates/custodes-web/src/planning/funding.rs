//! Funding sources with their ceilings per year, eligibility and carry-over; the minimum
//! shares of the spend; the budget scenarios; and the funding source form. The forms of
//! shares and scenarios are in [`super::rules`] and [`super::scenarios`].

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodes_core::framework::ReformField;
use custodes_core::permission::Action;
use custodes_core::plan::ShareOf;
use custodes_core::planning::SourceFields;
use custodes_store::programme::ProgrammeQuery;
use custodes_store::workspace::Workspace;

use super::rules::share_value;
use super::{list_text, money, parse_list, points};
use crate::actors::{Choice, store_problems, workspace};
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::{AppState, WebError, today};

/// A source's row.
pub(crate) struct SourceRow {
    key: String,
    name: String,
    ceilings: Vec<String>,
    total: String,
    eligible: String,
    carry_over: bool,
}

/// A scenario's row.
pub(crate) struct ScenarioRow {
    name: String,
    key: String,
    description: String,
    assumptions: Vec<String>,
}

/// A minimum share's row: what it is of (as the form and the address write it, and in
/// words) and the share.
pub(crate) struct ShareRow {
    value: String,
    of: String,
    share: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/funding.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    ws: Workspace,
    tab: &'static str,
    years: Vec<i32>,
    sources: Vec<SourceRow>,
    totals: Vec<String>,
    shares: Vec<ShareRow>,
    scenarios: Vec<ScenarioRow>,
    may_edit: bool,
    problems: Problems,
}

/// `GET /w/{slug}/planning/funding`.
pub(crate) async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<ListPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    list_page(&state, &visitor, ws, Problems::default()).await
}

/// The funding page, with `problems` when an action taken from it was refused.
pub(crate) async fn list_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    problems: Problems,
) -> Result<ListPage, WebError> {
    let years = state
        .store
        .horizon(ws.id)
        .await?
        .map(|h| h.year_list())
        .unwrap_or_default();
    let sources = state.store.list_sources(ws.id).await?;
    let programmes = state
        .store
        .list_programmes(&visitor.viewer, today(), ws.id, &ProgrammeQuery::default())
        .await?;
    let name_of: BTreeMap<&str, &str> = programmes
        .iter()
        .map(|p| (p.fields.key.as_str(), p.fields.name.as_str()))
        .collect();
    let mut totals = vec![0.0; years.len()];
    let rows = sources
        .iter()
        .map(|s| {
            for (t, c) in totals.iter_mut().zip(&s.fields.ceilings) {
                *t += c;
            }
            let mut eligible: Vec<String> = s
                .fields
                .eligible_fields
                .iter()
                .map(|f| f.label().to_owned())
                .collect();
            eligible.extend(
                s.eligible_programmes
                    .iter()
                    .filter_map(|k| name_of.get(k.as_str()).map(|n| format!("programme “{n}”"))),
            );
            SourceRow {
                key: s.fields.key.clone(),
                name: s.fields.name.clone(),
                ceilings: s.fields.ceilings.iter().map(|c| money(*c)).collect(),
                total: money(s.fields.ceilings.iter().sum()),
                eligible: if eligible.is_empty() {
                    "Any programme".to_owned()
                } else {
                    eligible.join("; ")
                },
                carry_over: s.fields.carry_over,
            }
        })
        .collect();
    let goals = state
        .store
        .list_goals(&visitor.viewer, today(), ws.id)
        .await?;
    let shares = state
        .store
        .list_minimum_shares(ws.id)
        .await?
        .into_iter()
        .map(|m| {
            let of = match &m.of {
                ShareOf::Field(f) => format!("Reform field: {}", f.label()),
                ShareOf::Goal(g) => format!(
                    "Goal: {}",
                    goals
                        .iter()
                        .find(|x| x.id.to_string() == g.as_str())
                        .map_or(g.to_string(), |x| x.title.clone())
                ),
            };
            ShareRow {
                value: share_value(&m.of),
                of,
                share: format!("{}%", points(m.share * 100.0)),
            }
        })
        .collect();
    let scenarios = state
        .store
        .list_scenarios(ws.id)
        .await?
        .into_iter()
        .map(|s| ScenarioRow {
            name: s.scenario.name,
            key: s.scenario.key,
            description: s.scenario.description,
            assumptions: s
                .scenario
                .assumptions
                .iter()
                .map(ToString::to_string)
                .collect(),
        })
        .collect();
    let path = format!("/w/{}/planning/funding", ws.slug);
    Ok(ListPage {
        chrome: Chrome::new(state, visitor, &path).await,
        tab: "funding",
        years,
        sources: rows,
        totals: totals.into_iter().map(money).collect(),
        shares,
        scenarios,
        may_edit: visitor.may(Action::EditPlanning),
        problems,
        ws,
    })
}

/// The source form's values, as typed.
#[derive(Clone, Debug, Default)]
pub(crate) struct SourceForm {
    key: String,
    name: String,
    ceilings: String,
    fields: BTreeSet<String>,
    programmes: BTreeSet<String>,
    carry_over: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/source_form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    ws: Workspace,
    title: String,
    action: String,
    editing: bool,
    years_hint: String,
    fields: Vec<Choice>,
    programmes: Vec<Choice>,
    form: SourceForm,
    problems: Problems,
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    editing: Option<&str>,
    form: SourceForm,
    problems: Problems,
) -> Result<FormPage, WebError> {
    let programmes = state
        .store
        .list_programmes(&visitor.viewer, today(), ws.id, &ProgrammeQuery::default())
        .await?
        .into_iter()
        .map(|p| Choice {
            selected: form.programmes.contains(&p.fields.key),
            value: p.fields.key,
            label: p.fields.name,
        })
        .collect();
    let fields = ReformField::ALL
        .iter()
        .map(|f| Choice {
            value: f.as_str().to_owned(),
            label: f.label().to_owned(),
            selected: form.fields.contains(f.as_str()),
        })
        .collect();
    let years_hint = match state.store.horizon(ws.id).await? {
        Some(h) => format!(
            "In USD, {} amounts, one for each year from {} to {}, separated by commas.",
            h.years,
            h.first_year,
            h.last_year()
        ),
        None => "Set the planning horizon first, on the capabilities page.".to_owned(),
    };
    let (title, action) = match editing {
        Some(k) => (
            format!("Edit {}", form.name),
            format!("/w/{}/planning/funding/{k}/edit", ws.slug),
        ),
        None => (
            "Add a funding source".to_owned(),
            format!("/w/{}/planning/funding/new", ws.slug),
        ),
    };
    Ok(FormPage {
        chrome: Chrome::new(state, visitor, &action).await,
        title,
        action,
        editing: editing.is_some(),
        years_hint,
        fields,
        programmes,
        form,
        problems,
        ws,
    })
}

/// `GET /w/{slug}/planning/funding/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<FormPage, WebError> {
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    form_page(
        &state,
        &visitor,
        ws,
        None,
        SourceForm::default(),
        Problems::default(),
    )
    .await
}

/// `GET /w/{slug}/planning/funding/{key}/edit`.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, key)): Path<(String, String)>,
) -> Result<FormPage, WebError> {
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let s = state
        .store
        .get_source(ws.id, &key)
        .await?
        .ok_or(WebError::NotFound)?;
    let form = SourceForm {
        key: s.fields.key,
        name: s.fields.name,
        ceilings: list_text(&s.fields.ceilings),
        fields: s
            .fields
            .eligible_fields
            .iter()
            .map(|f| f.as_str().to_owned())
            .collect(),
        programmes: s.eligible_programmes.into_iter().collect(),
        carry_over: s.fields.carry_over,
    };
    form_page(&state, &visitor, ws, Some(&key), form, Problems::default()).await
}

async fn save(
    state: AppState,
    visitor: Visitor,
    headers: HeaderMap,
    slug: String,
    editing: Option<String>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let form = SourceForm {
        key: editing.clone().unwrap_or_else(|| data.text("key")),
        name: data.text("name"),
        ceilings: data.text("ceilings"),
        fields: data.all("fields").into_iter().map(str::to_owned).collect(),
        programmes: data
            .all("programmes")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        carry_over: data.get("carry_over").is_some(),
    };
    if editing.is_none() && state.store.get_source(ws.id, &form.key).await?.is_some() {
        let mut p = Problems::default();
        p.add(
            "key",
            "Another funding source of this workspace has this key",
        );
        let page = form_page(&state, &visitor, ws, None, form, p).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut problems = Problems::default();
    let ceilings = parse_list(&form.ceilings).unwrap_or_else(|e| {
        problems.add("ceilings", sentence(&e));
        Vec::new()
    });
    let fields: Vec<ReformField> = form.fields.iter().filter_map(|f| f.parse().ok()).collect();
    if problems.is_empty() {
        match state
            .store
            .save_source(
                &visitor.actor(),
                &visitor.viewer,
                today(),
                ws.id,
                SourceFields {
                    key: form.key.clone(),
                    name: form.name.clone(),
                    ceilings,
                    eligible_fields: fields,
                    carry_over: form.carry_over,
                },
                form.programmes.iter().cloned().collect(),
            )
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/w/{slug}/planning/funding")).into_response());
            }
            Err(custodes_store::StoreError::Invalid(m)) => problems.add("name", sentence(&m)),
            Err(e) => problems = store_problems(e)?,
        }
    }
    let page = form_page(&state, &visitor, ws, editing.as_deref(), form, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /w/{slug}/planning/funding/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    save(state, visitor, headers, slug, None, data).await
}

/// `POST /w/{slug}/planning/funding/{key}/edit`.
pub(crate) async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, key)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    save(state, visitor, headers, slug, Some(key), data).await
}

//! Budget scenarios: the same portfolio under other budget assumptions (a source's
//! ceilings multiplied by a factor from a year on, a donor leaving). The form that adds
//! and changes one, a row per assumption, and deletion, which the store refuses while
//! plans were optimised under the scenario.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodes_core::permission::Action;
use custodes_core::plan::SourceId;
use custodes_core::planning::{Assumption, Scenario};
use custodes_store::StoreError;
use custodes_store::workspace::Workspace;

use crate::actors::{Choice, store_problems, workspace};
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::{AppState, WebError, today};

/// How many empty rows the form offers for new assumptions.
const EMPTY_ROWS: usize = 2;

/// One assumption as typed: the source's key, `factor` or `leaves`, the first year and
/// the factor.
#[derive(Clone, Debug, Default)]
struct RowInput {
    source: String,
    kind: String,
    from_year: String,
    factor: String,
}

impl RowInput {
    fn of(a: &Assumption) -> RowInput {
        match a {
            Assumption::Factor {
                source,
                from_year,
                factor,
            } => RowInput {
                source: source.to_string(),
                kind: "factor".into(),
                from_year: from_year.to_string(),
                factor: points_exact(*factor),
            },
            Assumption::Leaves { source, from_year } => RowInput {
                source: source.to_string(),
                kind: "leaves".into(),
                from_year: from_year.to_string(),
                factor: String::new(),
            },
        }
    }

    fn is_empty(&self) -> bool {
        self.source.is_empty() && self.from_year.is_empty() && self.factor.is_empty()
    }
}

/// A factor as the form shows it, without needless zeros ("0.8", "1.05", "1").
fn points_exact(v: f64) -> String {
    format!("{v:.4}")
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_owned()
}

/// One row of the form: the assumption's fields with their choices and problems. `n`
/// counts from 1 and names the row's fields (`assumption-2-factor`).
pub(crate) struct AssumptionRow {
    n: usize,
    sources: Vec<Choice>,
    leaves: bool,
    from_year: String,
    factor: String,
    source_error: String,
    from_year_error: String,
    factor_error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/scenario_form.html")]
pub(crate) struct ScenarioPage {
    chrome: Chrome,
    ws: Workspace,
    title: String,
    action: String,
    editing: bool,
    key: String,
    name: String,
    description: String,
    rows: Vec<AssumptionRow>,
    years_hint: String,
    problems: Problems,
}

/// What the form was given.
#[derive(Clone, Debug, Default)]
struct ScenarioForm {
    key: String,
    name: String,
    description: String,
    rows: Vec<RowInput>,
}

async fn scenario_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    editing: Option<&str>,
    mut form: ScenarioForm,
    problems: Problems,
) -> Result<ScenarioPage, WebError> {
    let sources = state.store.list_sources(ws.id).await?;
    let empty = form.rows.iter().rev().take_while(|r| r.is_empty()).count();
    form.rows
        .extend((empty..EMPTY_ROWS).map(|_| RowInput::default()));
    let rows = form
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let n = i + 1;
            let on = |field: &str| problems.on(&format!("assumption-{n}-{field}")).to_owned();
            AssumptionRow {
                n,
                sources: sources
                    .iter()
                    .map(|s| Choice {
                        value: s.fields.key.clone(),
                        label: s.fields.name.clone(),
                        selected: s.fields.key == r.source,
                    })
                    .collect(),
                leaves: r.kind == "leaves",
                from_year: r.from_year.clone(),
                factor: r.factor.clone(),
                source_error: on("source"),
                from_year_error: on("from_year"),
                factor_error: on("factor"),
            }
        })
        .collect();
    let years_hint = match state.store.horizon(ws.id).await? {
        Some(h) => format!("A year from {} to {}.", h.first_year, h.last_year()),
        None => "Set the planning horizon first, on the capabilities page.".to_owned(),
    };
    let (title, action) = match editing {
        Some(k) => (
            format!("Edit {}", form.name),
            format!("/w/{}/planning/scenarios/{k}/edit", ws.slug),
        ),
        None => (
            "Add a budget scenario".to_owned(),
            format!("/w/{}/planning/scenarios/new", ws.slug),
        ),
    };
    Ok(ScenarioPage {
        chrome: Chrome::new(state, visitor, &action).await,
        title,
        action,
        editing: editing.is_some(),
        key: form.key,
        name: form.name,
        description: form.description,
        rows,
        years_hint,
        problems,
        ws,
    })
}

/// `GET /w/{slug}/planning/scenarios/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<ScenarioPage, WebError> {
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let form = ScenarioForm {
        rows: vec![RowInput::default(); 3],
        ..ScenarioForm::default()
    };
    scenario_page(&state, &visitor, ws, None, form, Problems::default()).await
}

/// `GET /w/{slug}/planning/scenarios/{key}/edit`.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, key)): Path<(String, String)>,
) -> Result<ScenarioPage, WebError> {
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let s = state
        .store
        .list_scenarios(ws.id)
        .await?
        .into_iter()
        .find(|s| s.scenario.key == key)
        .ok_or(WebError::NotFound)?
        .scenario;
    let form = ScenarioForm {
        rows: s.assumptions.iter().map(RowInput::of).collect(),
        key: s.key,
        name: s.name,
        description: s.description,
    };
    scenario_page(&state, &visitor, ws, Some(&key), form, Problems::default()).await
}

/// Reads the rows of the form (`assumption-N-source`, `-kind`, `-from_year`, `-factor`,
/// N from 1) and turns those not left empty into assumptions. Returns the assumptions,
/// the row of each, and the problems of rows that cannot be read.
fn read_rows(data: &FormData) -> (Vec<RowInput>, Vec<Assumption>, Vec<usize>, Problems) {
    let present = |name: &str| data.0.iter().any(|(k, _)| k == name);
    let mut rows = Vec::new();
    let mut assumptions = Vec::new();
    let mut row_of = Vec::new();
    let mut problems = Problems::default();
    let mut n = 1;
    while present(&format!("assumption-{n}-source")) {
        let field = |f: &str| data.text(&format!("assumption-{n}-{f}"));
        let row = RowInput {
            source: field("source"),
            kind: field("kind"),
            from_year: field("from_year"),
            factor: field("factor"),
        };
        if !row.is_empty() {
            let id = |f: &str| format!("assumption-{n}-{f}");
            if row.source.is_empty() {
                problems.add(
                    &id("source"),
                    format!("Choose the funding source of assumption {n}"),
                );
            }
            let year = row.from_year.parse::<i32>().ok();
            if year.is_none() {
                problems.add(
                    &id("from_year"),
                    format!("Enter the first year of assumption {n}, like 2028"),
                );
            }
            let leaves = row.kind == "leaves";
            let factor = if leaves {
                Some(0.0)
            } else {
                row.factor.parse::<f64>().ok().filter(|v| v.is_finite())
            };
            if factor.is_none() {
                problems.add(
                    &id("factor"),
                    format!(
                        "Enter the factor of assumption {n} as a number, like 0.8 for a cut of 20%"
                    ),
                );
            }
            if let (false, Some(from_year), Some(factor)) = (row.source.is_empty(), year, factor) {
                let source = SourceId::from(row.source.as_str());
                assumptions.push(if leaves {
                    Assumption::Leaves { source, from_year }
                } else {
                    Assumption::Factor {
                        source,
                        from_year,
                        factor,
                    }
                });
                row_of.push(n);
            }
        }
        rows.push(row);
        n += 1;
    }
    (rows, assumptions, row_of, problems)
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
    let (rows, assumptions, row_of, mut problems) = read_rows(&data);
    let scenario = Scenario {
        key: editing.clone().unwrap_or_else(|| data.text("key")),
        name: data.text("name"),
        description: data.get("description").unwrap_or_default().to_owned(),
        assumptions,
    };
    // The core's checks, run here as well as in the store so that each problem is shown
    // beside the row it concerns.
    if let Some(horizon) = state.store.horizon(ws.id).await? {
        let sources: Vec<SourceId> = state
            .store
            .list_sources(ws.id)
            .await?
            .into_iter()
            .map(|s| s.fields.key.as_str().into())
            .collect();
        for p in scenario.check(&horizon, &sources) {
            if p.field != "assumptions" {
                problems.add(p.field, sentence(&p.message));
            }
        }
        for a in scenario.check_assumptions(&horizon, &sources) {
            problems.add(
                &format!("assumption-{}-{}", row_of[a.index], a.problem.field),
                format!("Assumption {}: {}", row_of[a.index], a.problem.message),
            );
        }
    }
    if problems.is_empty() {
        let (actor, viewer) = (visitor.actor(), &visitor.viewer);
        let result = match &editing {
            Some(key) => {
                state
                    .store
                    .update_scenario(&actor, viewer, ws.id, key, scenario.clone())
                    .await
            }
            None => {
                state
                    .store
                    .create_scenario(&actor, viewer, ws.id, scenario.clone())
                    .await
            }
        };
        match result {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/w/{slug}/planning/funding#scenarios")).into_response(),
                );
            }
            Err(StoreError::Invalid(m)) => problems.add("name", sentence(&m)),
            Err(e) => problems = store_problems(e)?,
        }
    }
    let form = ScenarioForm {
        key: scenario.key,
        name: scenario.name,
        description: scenario.description,
        rows,
    };
    let page = scenario_page(&state, &visitor, ws, editing.as_deref(), form, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /w/{slug}/planning/scenarios/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    save(state, visitor, headers, slug, None, data).await
}

/// `POST /w/{slug}/planning/scenarios/{key}/edit`.
pub(crate) async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, key)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    save(state, visitor, headers, slug, Some(key), data).await
}

/// `POST /w/{slug}/planning/scenarios/{key}/delete`. A scenario that plans were optimised
/// under is kept: the funding page is shown again with the reason.
pub(crate) async fn delete(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, key)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    match state
        .store
        .delete_scenario(&visitor.actor(), &visitor.viewer, today(), ws.id, &key)
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/w/{slug}/planning/funding#scenarios")).into_response())
        }
        Err(StoreError::Conflict(m)) => {
            let mut problems = Problems::default();
            problems.add(&format!("scenario-{key}"), sentence(&m));
            let page = super::funding::list_page(&state, &visitor, ws, problems).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_are_shown_without_needless_zeros() {
        assert_eq!(points_exact(0.8), "0.8");
        assert_eq!(points_exact(1.05), "1.05");
        assert_eq!(points_exact(1.0), "1");
        assert_eq!(points_exact(0.0), "0");
        assert_eq!(points_exact(10.0), "10");
    }
}

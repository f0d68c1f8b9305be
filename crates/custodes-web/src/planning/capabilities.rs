//! The capabilities each goal needs, with their gap per year, the planning horizon, and
//! the capability form.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodes_core::GoalId;
use custodes_core::permission::Action;
use custodes_core::planning::{CapabilityFields, CurrentLevel, Horizon};
use custodes_store::capability::CapabilityInput;
use custodes_store::workspace::Workspace;

use super::{list_text, parse_list, points};
use crate::actors::{Choice, store_problems, workspace};
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::{AppState, WebError, today};

/// One capability's row.
pub(crate) struct CapRow {
    key: String,
    name: String,
    current_from: String,
    /// Per year: the gap, and "required R, current C" for the cell's title.
    cells: Vec<(String, String, bool)>,
}

/// The capabilities of one goal.
pub(crate) struct GoalGroup {
    id: String,
    title: String,
    weight: String,
    rows: Vec<CapRow>,
}

/// The horizon form's values.
#[derive(Clone, Debug, Default)]
pub(crate) struct HorizonForm {
    first_year: String,
    years: String,
    discount_rate: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/capabilities.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    ws: Workspace,
    tab: &'static str,
    years: Vec<i32>,
    groups: Vec<GoalGroup>,
    horizon_text: String,
    may_edit: bool,
    form: HorizonForm,
    problems: Problems,
}

async fn list_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    form: Option<HorizonForm>,
    problems: Problems,
) -> Result<ListPage, WebError> {
    let horizon = state.store.horizon(ws.id).await?;
    let goals = state
        .store
        .list_goals(&visitor.viewer, today(), ws.id)
        .await?;
    let caps = state
        .store
        .list_capabilities(&visitor.viewer, today(), ws.id)
        .await?;
    let assessments = state
        .store
        .list_assessments(&visitor.viewer, today(), ws.id)
        .await?;
    let years = horizon.as_ref().map(Horizon::year_list).unwrap_or_default();
    let mut groups: Vec<GoalGroup> = Vec::new();
    for g in &goals {
        let rows: Vec<CapRow> = caps
            .iter()
            .filter(|c| c.goal == g.id)
            .map(|c| {
                let current_from = match &c.fields.current {
                    CurrentLevel::Entered { .. } => "Entered".to_owned(),
                    CurrentLevel::Indicator {
                        assessment,
                        indicator,
                    } => {
                        let title = assessments
                            .iter()
                            .find(|a| a.id == *assessment)
                            .map_or("an assessment you may not read".to_owned(), |a| {
                                a.title.clone()
                            });
                        format!("Indicator {indicator} of {title}")
                    }
                };
                let cells = match &c.current {
                    Some(cur) => c
                        .fields
                        .required
                        .iter()
                        .zip(cur)
                        .map(|(r, k)| {
                            let gap = (r - k).max(0.0);
                            (
                                points(gap),
                                format!("required {}, current {}", points(*r), points(*k)),
                                gap > 0.0,
                            )
                        })
                        .collect(),
                    None => years
                        .iter()
                        .map(|_| {
                            (
                                "unknown".to_owned(),
                                "current level unknown".to_owned(),
                                false,
                            )
                        })
                        .collect(),
                };
                CapRow {
                    key: c.fields.key.clone(),
                    name: c.fields.name.clone(),
                    current_from,
                    cells,
                }
            })
            .collect();
        if !rows.is_empty() {
            groups.push(GoalGroup {
                id: g.id.to_string(),
                title: g.title.clone(),
                weight: g.weight.effective().to_string(),
                rows,
            });
        }
    }
    let horizon_text = horizon.as_ref().map_or(String::new(), |h| {
        format!(
            "{} to {}, gaps discounted at {}% a year",
            h.first_year,
            h.last_year(),
            points(h.discount_rate * 100.0)
        )
    });
    let form = form.unwrap_or_else(|| match &horizon {
        Some(h) => HorizonForm {
            first_year: h.first_year.to_string(),
            years: h.years.to_string(),
            discount_rate: h.discount_rate.to_string(),
        },
        None => HorizonForm {
            first_year: String::new(),
            years: "10".into(),
            discount_rate: "0.03".into(),
        },
    });
    let path = format!("/w/{}/planning/capabilities", ws.slug);
    Ok(ListPage {
        chrome: Chrome::new(state, visitor, &path).await,
        tab: "capabilities",
        years,
        groups,
        horizon_text,
        may_edit: visitor.may(Action::EditPlanning),
        form,
        problems,
        ws,
    })
}

/// `GET /w/{slug}/planning/capabilities`.
pub(crate) async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<ListPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    list_page(&state, &visitor, ws, None, Problems::default()).await
}

/// `POST /w/{slug}/planning/capabilities`: sets the horizon.
pub(crate) async fn set_horizon(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let form = HorizonForm {
        first_year: data.text("first_year"),
        years: data.text("years"),
        discount_rate: data.text("discount_rate"),
    };
    let mut p = Problems::default();
    let first_year = form.first_year.parse::<i32>().ok();
    let years = form.years.parse::<u32>().ok();
    let rate = form.discount_rate.parse::<f64>().ok();
    if first_year.is_none() {
        p.add("first_year", "Enter the first year, like 2027");
    }
    if years.is_none() {
        p.add("years", "Enter how many years, like 10");
    }
    if rate.is_none() {
        p.add(
            "discount_rate",
            "Enter the discount rate as a number, like 0.03",
        );
    }
    if let (Some(first_year), Some(years), Some(discount_rate)) = (first_year, years, rate) {
        match state
            .store
            .set_horizon(
                &visitor.actor(),
                &visitor.viewer,
                ws.id,
                Horizon {
                    first_year,
                    years,
                    discount_rate,
                },
            )
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/w/{slug}/planning/capabilities")).into_response()
                );
            }
            Err(e) => p = store_problems(e)?,
        }
    }
    let page = list_page(&state, &visitor, ws, Some(form), p).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The capability form's values, as typed.
#[derive(Clone, Debug, Default)]
pub(crate) struct CapForm {
    key: String,
    name: String,
    description: String,
    goal: String,
    required: String,
    current_from: String,
    current: String,
    assessment: String,
    indicator: String,
}

impl CapForm {
    fn from_data(data: &FormData) -> CapForm {
        CapForm {
            key: data.text("key"),
            name: data.text("name"),
            description: data.text("description"),
            goal: data.text("goal"),
            required: data.text("required"),
            current_from: data.text("current_from"),
            current: data.text("current"),
            assessment: data.text("assessment"),
            indicator: data.text("indicator"),
        }
    }

    fn parse(&self) -> Result<CapabilityInput, Problems> {
        let mut p = Problems::default();
        let goal = self.goal.parse::<GoalId>().ok();
        if goal.is_none() {
            p.add("goal", "Choose the goal the capability serves");
        }
        let list = |p: &mut Problems, field: &str, text: &str| match parse_list(text) {
            Ok(v) => v,
            Err(e) => {
                p.add(field, sentence(&e));
                Vec::new()
            }
        };
        let required = list(&mut p, "required", &self.required);
        let current = if self.current_from == "indicator" {
            match self.assessment.parse() {
                Ok(assessment) => Some(CurrentLevel::Indicator {
                    assessment,
                    indicator: self.indicator.clone(),
                }),
                Err(_) => {
                    p.add("assessment", "Choose the assessment the level comes from");
                    None
                }
            }
        } else {
            Some(CurrentLevel::Entered {
                levels: list(&mut p, "current", &self.current),
            })
        };
        match (goal, current) {
            (Some(goal), Some(current)) if p.is_empty() => Ok(CapabilityInput {
                goal,
                fields: CapabilityFields {
                    key: self.key.clone(),
                    name: self.name.clone(),
                    description: self.description.clone(),
                    required,
                    current,
                },
            }),
            _ => Err(p),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/capability_form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    ws: Workspace,
    title: String,
    action: String,
    editing: bool,
    goals: Vec<Choice>,
    assessments: Vec<Choice>,
    years_hint: String,
    form: CapForm,
    problems: Problems,
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    editing: Option<&str>,
    form: CapForm,
    problems: Problems,
) -> Result<FormPage, WebError> {
    let goals = state
        .store
        .list_goals(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .map(|g| Choice {
            selected: g.id.to_string() == form.goal,
            value: g.id.to_string(),
            label: g.title,
        })
        .collect();
    let assessments = state
        .store
        .list_assessments(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .map(|a| Choice {
            selected: a.id.to_string() == form.assessment,
            value: a.id.to_string(),
            label: format!("{} ({})", a.title, a.period),
        })
        .collect();
    let years_hint = match state.store.horizon(ws.id).await? {
        Some(h) => format!(
            "{} values, one for each year from {} to {}, each from 0 to 100, separated by commas.",
            h.years,
            h.first_year,
            h.last_year()
        ),
        None => "Set the planning horizon first, on the capabilities page.".to_owned(),
    };
    let (title, action) = match editing {
        Some(key) => (
            format!("Edit {}", form.name),
            format!("/w/{}/planning/capabilities/{key}/edit", ws.slug),
        ),
        None => (
            "Add a capability".to_owned(),
            format!("/w/{}/planning/capabilities/new", ws.slug),
        ),
    };
    Ok(FormPage {
        chrome: Chrome::new(state, visitor, &action).await,
        title,
        action,
        editing: editing.is_some(),
        goals,
        assessments,
        years_hint,
        form,
        problems,
        ws,
    })
}

/// `GET /w/{slug}/planning/capabilities/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<FormPage, WebError> {
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let form = CapForm {
        current_from: "entered".into(),
        ..CapForm::default()
    };
    form_page(&state, &visitor, ws, None, form, Problems::default()).await
}

/// `GET /w/{slug}/planning/capabilities/{key}/edit`.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, key)): Path<(String, String)>,
) -> Result<FormPage, WebError> {
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let c = state
        .store
        .get_capability(&visitor.viewer, today(), ws.id, &key)
        .await?
        .ok_or(WebError::NotFound)?;
    let (current_from, current, assessment, indicator) = match &c.fields.current {
        CurrentLevel::Entered { levels } => {
            ("entered", list_text(levels), String::new(), String::new())
        }
        CurrentLevel::Indicator {
            assessment,
            indicator,
        } => (
            "indicator",
            String::new(),
            assessment.to_string(),
            indicator.clone(),
        ),
    };
    let form = CapForm {
        key: c.fields.key.clone(),
        name: c.fields.name.clone(),
        description: c.fields.description.clone(),
        goal: c.goal.to_string(),
        required: list_text(&c.fields.required),
        current_from: current_from.into(),
        current,
        assessment,
        indicator,
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
    let mut form = CapForm::from_data(&data);
    if let Some(k) = &editing {
        form.key = k.clone();
    }
    let problems = match form.parse() {
        Ok(input) => {
            let (actor, viewer) = (visitor.actor(), &visitor.viewer);
            let result = match &editing {
                Some(key) => {
                    state
                        .store
                        .update_capability(&actor, viewer, today(), ws.id, key, input)
                        .await
                }
                None => {
                    state
                        .store
                        .create_capability(&actor, viewer, today(), ws.id, input)
                        .await
                }
            };
            match result {
                Ok(_) => {
                    return Ok(
                        Redirect::to(&format!("/w/{slug}/planning/capabilities")).into_response()
                    );
                }
                Err(custodes_store::StoreError::Invalid(m)) => {
                    let mut p = Problems::default();
                    p.add("name", sentence(&m));
                    p
                }
                Err(e) => store_problems(e)?,
            }
        }
        Err(p) => p,
    };
    let page = form_page(&state, &visitor, ws, editing.as_deref(), form, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /w/{slug}/planning/capabilities/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    save(state, visitor, headers, slug, None, data).await
}

/// `POST /w/{slug}/planning/capabilities/{key}/edit`.
pub(crate) async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, key)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    save(state, visitor, headers, slug, Some(key), data).await
}

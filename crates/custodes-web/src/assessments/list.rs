//! The assessments of a workspace, and the form that opens one.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodes_core::permission::{Action, permits};
use custodes_core::policy::{Classification, InvalidClassification};
use custodes_core::{ActorId, CompartmentId, Level, UserId};
use custodes_store::StoreError;
use custodes_store::assessment::AssessmentInput;
use custodes_store::workspace::Workspace;

use super::{Choice, manages, share};
use crate::actors::workspace;
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::{AppState, WebError, today};

/// A row of the list.
pub(crate) struct Row {
    href: String,
    title: String,
    framework: String,
    version_of_framework: String,
    period: String,
    version: i64,
    status: &'static str,
    status_css: &'static str,
    answered: i64,
    total: usize,
    pct: u32,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessments/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    ws: Workspace,
    rows: Vec<Row>,
    may_open: bool,
}

/// `GET /w/{slug}/assessments`.
pub(crate) async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<ListPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let items = state
        .store
        .list_assessments(&visitor.viewer, today(), ws.id)
        .await?;
    let names: BTreeMap<(String, String), String> = state
        .store
        .frameworks()
        .await?
        .into_iter()
        .map(|f| ((f.key, f.version), f.name))
        .collect();
    let mut totals: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut rows = Vec::with_capacity(items.len());
    for a in items {
        let key = (a.framework_key.clone(), a.framework_version.clone());
        let total = match totals.get(&key) {
            Some(t) => *t,
            None => {
                let t = state
                    .store
                    .framework(&key.0, &key.1)
                    .await
                    .map(|f| f.indicators().count())
                    .unwrap_or(0);
                totals.insert(key.clone(), t);
                t
            }
        };
        rows.push(Row {
            href: format!("/w/{slug}/assessments/{}", a.id),
            framework: names.get(&key).cloned().unwrap_or_else(|| key.0.clone()),
            version_of_framework: key.1,
            title: a.title,
            period: a.period,
            version: a.version,
            status: a.status.label(),
            status_css: a.status.as_str(),
            answered: a.answered,
            pct: share(a.answered as usize, total),
            total,
        });
    }
    Ok(ListPage {
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/assessments")).await,
        ws,
        rows,
        may_open: manages(&visitor),
    })
}

/// The form's values, as typed.
#[derive(Clone, Debug, Default)]
pub(crate) struct NewForm {
    framework: String,
    title: String,
    period: String,
    level: String,
    justification: String,
    compartments: BTreeSet<String>,
    assessors: BTreeSet<String>,
    reviewers: BTreeSet<String>,
    actors: BTreeSet<String>,
}

impl NewForm {
    fn from_form(f: &FormData) -> NewForm {
        let set = |name: &str| f.all(name).into_iter().map(str::to_owned).collect();
        NewForm {
            framework: f.text("framework"),
            title: f.text("title"),
            period: f.text("period"),
            level: f.text("level"),
            justification: f.text("justification"),
            compartments: set("compartments"),
            assessors: set("assessors"),
            reviewers: set("reviewers"),
            actors: set("actors"),
        }
    }

    /// The store's input, or the problems the form itself can see.
    fn parse(&self) -> Result<AssessmentInput, Problems> {
        let mut p = Problems::default();
        let (key, version) = match self.framework.split_once('@') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => {
                p.add("framework", "Choose the framework to apply");
                (String::new(), String::new())
            }
        };
        let ids = |set: &BTreeSet<String>, field: &str, p: &mut Problems| -> Vec<UserId> {
            let mut out = Vec::new();
            for s in set {
                match s.parse() {
                    Ok(id) => out.push(id),
                    Err(_) => p.add(field, "Choose people from the list"),
                }
            }
            out
        };
        let assessors = ids(&self.assessors, "assessors", &mut p);
        let reviewers = ids(&self.reviewers, "reviewers", &mut p);
        let mut actors = Vec::new();
        for s in &self.actors {
            match s.parse::<ActorId>() {
                Ok(id) => actors.push(id),
                Err(_) => p.add("actors", "Choose actors from the list"),
            }
        }
        let mut compartments = BTreeSet::new();
        for c in &self.compartments {
            match c.parse::<CompartmentId>() {
                Ok(id) => {
                    compartments.insert(id);
                }
                Err(_) => p.add("compartments", "Choose compartments from the list"),
            }
        }
        let level = self.level.parse::<Level>().unwrap_or(Level::Public);
        let classification = match Classification::new(
            level,
            compartments,
            Some(self.justification.clone()),
            None,
            Level::Public,
        ) {
            Ok(c) => Some(c),
            Err(e) => {
                let field = match e {
                    InvalidClassification::NoJustification(_) => "justification",
                    InvalidClassification::PublicWithCompartments => "compartments",
                    InvalidClassification::DeclassifyNotLower { .. } => "level",
                };
                p.add(field, sentence(&e.to_string()));
                None
            }
        };
        match classification {
            Some(classification) if p.is_empty() => Ok(AssessmentInput {
                framework_key: key,
                framework_version: version,
                title: self.title.clone(),
                period: self.period.clone(),
                classification,
                assessors,
                reviewers,
                actors,
            }),
            _ => Err(p),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "assessments/new.html")]
pub(crate) struct NewPage {
    chrome: Chrome,
    ws: Workspace,
    form: NewForm,
    problems: Problems,
    frameworks: Vec<Choice>,
    levels: Vec<Choice>,
    compartments: Vec<Choice>,
    assessors: Vec<Choice>,
    reviewers: Vec<Choice>,
    actors: Vec<Choice>,
}

async fn new_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    form: NewForm,
    problems: Problems,
) -> Result<NewPage, WebError> {
    let frameworks = state
        .store
        .frameworks()
        .await?
        .into_iter()
        .map(|f| {
            let value = format!("{}@{}", f.key, f.version);
            Choice {
                selected: form.framework == value,
                label: format!("{}, version {}", f.name, f.version),
                value,
            }
        })
        .collect();
    let levels = Level::ALL
        .iter()
        .filter(|l| **l <= visitor.viewer.clearance)
        .map(|l| Choice {
            value: l.as_str().to_owned(),
            label: l.as_str().to_owned(),
            selected: form.level == l.as_str() || (form.level.is_empty() && *l == Level::Public),
        })
        .collect();
    let compartments = state
        .store
        .list_compartments(&visitor.viewer)
        .await?
        .into_iter()
        .filter(|c| visitor.viewer.compartments.contains(&c.id))
        .map(|c| Choice {
            selected: form.compartments.contains(&c.id.to_string()),
            value: c.id.to_string(),
            label: c.name,
        })
        .collect();
    let users = state.store.list_users().await?;
    let people = |action: Action, chosen: &BTreeSet<String>| -> Vec<Choice> {
        users
            .iter()
            .filter(|u| !u.disabled && permits(Some(u.role), action))
            .map(|u| Choice {
                value: u.id.to_string(),
                label: format!("{} ({})", u.display_name, u.role.label()),
                selected: chosen.contains(&u.id.to_string()),
            })
            .collect()
    };
    let assessors = people(Action::AnswerAssessments, &form.assessors);
    let reviewers = people(Action::ReviewAssessments, &form.reviewers);
    let actors = state
        .store
        .all_actors(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .map(|a| Choice {
            selected: form.actors.contains(&a.id.to_string()),
            value: a.id.to_string(),
            label: a.fields.name,
        })
        .collect();
    Ok(NewPage {
        chrome: Chrome::new(state, visitor, &format!("/w/{}/assessments/new", ws.slug)).await,
        ws,
        form,
        problems,
        frameworks,
        levels,
        compartments,
        assessors,
        reviewers,
        actors,
    })
}

/// `GET /w/{slug}/assessments/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<NewPage, WebError> {
    visitor.require(Action::ManageAssessments)?;
    let ws = workspace(&state.store, &slug).await?;
    new_page(
        &state,
        &visitor,
        ws,
        NewForm::default(),
        Problems::default(),
    )
    .await
}

/// Turns the store's refusal into problems on a form, or passes it on.
pub(crate) fn store_problems(e: StoreError) -> Result<Problems, WebError> {
    match e {
        StoreError::Fields(fields) => {
            let mut p = Problems::default();
            for f in fields {
                p.add(f.field, sentence(&f.message));
            }
            Ok(p)
        }
        other => Err(other.into()),
    }
}

/// `POST /w/{slug}/assessments/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::ManageAssessments)?;
    let ws = workspace(&state.store, &slug).await?;
    let form = NewForm::from_form(&data);
    let problems = match form.parse() {
        Ok(input) => match state
            .store
            .create_assessment(&visitor.actor(), &visitor.viewer, today(), ws.id, input)
            .await
        {
            Ok(a) => {
                return Ok(Redirect::to(&format!("/w/{slug}/assessments/{}", a.id)).into_response());
            }
            Err(e) => store_problems(e)?,
        },
        Err(p) => p,
    };
    let page = new_page(&state, &visitor, ws, form, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

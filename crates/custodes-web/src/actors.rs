//! The sector map's actors: list, search, read, add, edit, export. Every read goes
//! through the store's viewer-aware queries.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use custodes_core::permission::Action;
use custodes_core::policy::{Classification, InvalidClassification, Viewer};
use custodes_core::sector::{ActorFields, ActorKind};
use custodes_core::{ActorId, CompartmentId, Level};
use custodes_store::actor::{ActorInput, ActorQuery, SectorActor};
use custodes_store::workspace::Workspace;
use custodes_store::{Store, StoreError};
use serde::Deserialize;

use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::{AppState, WebError, today};

/// The workspace with this short name (workspace names are public).
pub(crate) async fn workspace(store: &Store, slug: &str) -> Result<Workspace, WebError> {
    store
        .list_workspaces()
        .await?
        .into_iter()
        .find(|w| w.slug.as_str() == slug)
        .ok_or(WebError::NotFound)
}

/// How a classification is shown.
pub(crate) struct ClassView {
    pub level: &'static str,
    pub css: String,
    pub compartments: Vec<String>,
    pub justification: String,
    pub declassify: String,
}

/// The names of the compartments the viewer may know of, by id.
pub(crate) async fn compartment_names(
    store: &Store,
    viewer: &Viewer,
) -> Result<BTreeMap<CompartmentId, String>, WebError> {
    Ok(store
        .list_compartments(viewer)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

pub(crate) fn class_view(
    c: &Classification,
    names: &BTreeMap<CompartmentId, String>,
    today: NaiveDate,
) -> ClassView {
    let level = c.effective_level(today);
    ClassView {
        level: level.as_str(),
        css: level.as_str().to_lowercase(),
        compartments: c
            .compartments
            .iter()
            .filter_map(|id| names.get(id).cloned())
            .collect(),
        justification: c.justification.clone().unwrap_or_default(),
        declassify: match c.declassify_on {
            Some(d) if d > today => {
                format!("becomes {} on {}", c.declassify_to, d.format("%-d %B %Y"))
            }
            Some(d) => format!("was lowered from {} on {}", c.level, d.format("%-d %B %Y")),
            None => String::new(),
        },
    }
}

/// A row of the list.
pub(crate) struct ActorRow {
    id: String,
    name: String,
    kind: &'static str,
    pillar: &'static str,
    class: ClassView,
}

#[derive(Deserialize, Default)]
pub(crate) struct ListParams {
    q: Option<String>,
    kind: Option<String>,
    page: Option<i64>,
}

/// A choice in a select.
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "actors/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    ws: Workspace,
    rows: Vec<ActorRow>,
    total: i64,
    q: String,
    kinds: Vec<Choice>,
    page: i64,
    pages: i64,
    may_edit: bool,
    query_string: String,
}

const PER_PAGE: i64 = 25;

/// `GET /w/{slug}/actors`.
pub(crate) async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<ListPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let kind = params
        .kind
        .as_deref()
        .filter(|k| !k.is_empty())
        .and_then(|k| k.parse::<ActorKind>().ok());
    let page = params.page.unwrap_or(1).max(1);
    let query = ActorQuery {
        search: params.q.clone(),
        kind,
        limit: Some(PER_PAGE),
        offset: (page - 1) * PER_PAGE,
    };
    let result = state
        .store
        .list_actors(&visitor.viewer, today(), ws.id, &query)
        .await?;
    let names = compartment_names(&state.store, &visitor.viewer).await?;
    let rows = result
        .items
        .iter()
        .map(|a| ActorRow {
            id: a.id.to_string(),
            name: a.fields.name.clone(),
            kind: a.fields.kind.label(),
            pillar: a.fields.kind.pillar().label(),
            class: class_view(&a.classification, &names, today()),
        })
        .collect();
    let q = params.q.unwrap_or_default();
    let query_string =
        serde_urlencoded::to_string([("q", q.as_str()), ("kind", kind.map_or("", |k| k.as_str()))])
            .unwrap_or_default();
    Ok(ListPage {
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/actors")).await,
        rows,
        total: result.total,
        kinds: kind_choices(kind),
        q,
        page,
        pages: ((result.total + PER_PAGE - 1) / PER_PAGE).max(1),
        may_edit: visitor.may(Action::EditSectorMap),
        query_string,
        ws,
    })
}

fn kind_choices(selected: Option<ActorKind>) -> Vec<Choice> {
    ActorKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().to_owned(),
            label: format!("{} — {}", k.label(), k.pillar().label()),
            selected: Some(*k) == selected,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "actors/show.html")]
pub(crate) struct ShowPage {
    chrome: Chrome,
    ws: Workspace,
    actor: SectorActor,
    kind: &'static str,
    pillar: &'static str,
    class: ClassView,
    parent: Option<(String, String)>,
    personnel: String,
    budget: String,
    updated: String,
    may_edit: bool,
    relations: Vec<custodes_store::relation::Relation>,
    others: Vec<Choice>,
    relation_kinds: Vec<(String, String)>,
    back: String,
}

/// A stored time ("2026-11-23T13:11:50.275Z") as people read it ("23 November 2026, 13:11 UTC").
pub(crate) fn readable_time(stored: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stored)
        .map(|t| t.format("%-d %B %Y, %H:%M UTC").to_string())
        .unwrap_or_else(|_| stored.to_owned())
}

fn parse_id(id: &str) -> Result<ActorId, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

/// `GET /w/{slug}/actors/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<ShowPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let actor = state
        .store
        .get_actor(&visitor.viewer, today(), parse_id(&id)?)
        .await?
        .filter(|a| a.workspace == ws.id)
        .ok_or(WebError::NotFound)?;
    let parent = match actor.parent {
        Some(p) => state
            .store
            .get_actor(&visitor.viewer, today(), p)
            .await?
            .map(|p| (p.id.to_string(), p.fields.name)),
        None => None,
    };
    let names = compartment_names(&state.store, &visitor.viewer).await?;
    let relations = state
        .store
        .list_relations(&visitor.viewer, today(), ws.id, Some(actor.id))
        .await?;
    let may_edit = visitor.may(Action::EditSectorMap);
    let others = if may_edit {
        state
            .store
            .all_actors(&visitor.viewer, today(), ws.id)
            .await?
            .into_iter()
            .filter(|a| a.id != actor.id)
            .map(|a| Choice {
                value: a.id.to_string(),
                label: a.fields.name,
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ShowPage {
        relations,
        others,
        relation_kinds: crate::sector::relation_choices(),
        back: format!("/w/{slug}/actors/{id}#relations"),
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/actors/{id}")).await,
        kind: actor.fields.kind.label(),
        pillar: actor.fields.kind.pillar().label(),
        class: class_view(&actor.classification, &names, today()),
        parent,
        personnel: actor
            .fields
            .personnel
            .map_or_else(|| "Not recorded".into(), group_thousands),
        budget: actor.fields.budget.map_or_else(
            || "Not recorded".into(),
            |b| format!("USD {}", group_thousands(b.round() as i64)),
        ),
        may_edit,
        updated: readable_time(&actor.updated_at),
        actor,
        ws,
    })
}

/// 1234567 as "1,234,567".
pub(crate) fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The actor form's values, as typed.
#[derive(Clone, Debug, Default)]
pub(crate) struct ActorForm {
    name: String,
    kind: String,
    mandate: String,
    legal_basis: String,
    personnel: String,
    budget: String,
    parent: String,
    class: ClassForm,
}

/// The classification fields of a form, as typed. Every form of a classified record
/// includes `classification_fields.html`, which shows them.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClassForm {
    pub level: String,
    pub compartments: BTreeSet<String>,
    pub justification: String,
    pub declassify_on: String,
    pub declassify_to: String,
}

impl ClassForm {
    pub(crate) fn from_classification(c: &Classification) -> ClassForm {
        ClassForm {
            level: c.level.as_str().to_owned(),
            compartments: c.compartments.iter().map(ToString::to_string).collect(),
            justification: c.justification.clone().unwrap_or_default(),
            declassify_on: c.declassify_on.map(|d| d.to_string()).unwrap_or_default(),
            declassify_to: c.declassify_to.as_str().to_owned(),
        }
    }

    pub(crate) fn from_form(f: &FormData) -> ClassForm {
        ClassForm {
            level: f.text("level"),
            compartments: f
                .all("compartments")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            justification: f.text("justification"),
            declassify_on: f.text("declassify_on"),
            declassify_to: f.text("declassify_to"),
        }
    }

    /// Parses the fields into a classification, adding every problem found to `p`.
    pub(crate) fn parse(&self, p: &mut Problems) -> Option<Classification> {
        let level = self.level.parse::<Level>().unwrap_or(Level::Public);
        let declassify_to = self.declassify_to.parse::<Level>().unwrap_or(Level::Public);
        let declassify_on = match self.declassify_on.as_str() {
            "" => None,
            s => match s.parse::<NaiveDate>() {
                Ok(d) => Some(d),
                Err(_) => {
                    p.add(
                        "declassify_on",
                        "Enter the declassification date as a real date, like 2030-01-31",
                    );
                    None
                }
            },
        };
        let mut compartments = BTreeSet::new();
        for c in &self.compartments {
            match c.parse::<CompartmentId>() {
                Ok(id) => {
                    compartments.insert(id);
                }
                Err(_) => p.add("compartments", "Choose compartments from the list"),
            }
        }
        match Classification::new(
            level,
            compartments,
            Some(self.justification.clone()),
            declassify_on,
            declassify_to,
        ) {
            Ok(c) => Some(c),
            Err(e) => {
                let field = match e {
                    InvalidClassification::NoJustification(_) => "justification",
                    InvalidClassification::PublicWithCompartments => "compartments",
                    InvalidClassification::DeclassifyNotLower { .. } => "declassify_to",
                };
                p.add(field, sentence(&e.to_string()));
                None
            }
        }
    }
}

/// The choices of the classification fields: the levels within the writer's clearance
/// and the compartments they belong to (and any the record already names).
pub(crate) struct ClassChoices {
    pub levels: Vec<Choice>,
    pub declassify_levels: Vec<Choice>,
    pub compartments: Vec<CompartmentChoice>,
}

pub(crate) async fn class_choices(
    state: &AppState,
    visitor: &Visitor,
    form: &ClassForm,
) -> Result<ClassChoices, WebError> {
    let level_choices = |selected: &str| {
        Level::ALL
            .iter()
            .filter(|l| **l <= visitor.viewer.clearance)
            .map(|l| Choice {
                value: l.as_str().to_owned(),
                label: l.as_str().to_owned(),
                selected: selected == l.as_str() || (selected.is_empty() && *l == Level::Public),
            })
            .collect::<Vec<_>>()
    };
    let compartments = state
        .store
        .list_compartments(&visitor.viewer)
        .await?
        .into_iter()
        .filter(|c| {
            visitor.viewer.compartments.contains(&c.id)
                || form.compartments.contains(&c.id.to_string())
        })
        .map(|c| CompartmentChoice {
            checked: form.compartments.contains(&c.id.to_string()),
            id: c.id.to_string(),
            name: c.name,
        })
        .collect();
    Ok(ClassChoices {
        levels: level_choices(&form.level),
        declassify_levels: level_choices(&form.declassify_to),
        compartments,
    })
}

impl ActorForm {
    fn from_actor(a: &SectorActor) -> ActorForm {
        ActorForm {
            name: a.fields.name.clone(),
            kind: a.fields.kind.as_str().to_owned(),
            mandate: a.fields.mandate.clone(),
            legal_basis: a.fields.legal_basis.clone(),
            personnel: a
                .fields
                .personnel
                .map(|p| p.to_string())
                .unwrap_or_default(),
            budget: a.fields.budget.map(|b| b.to_string()).unwrap_or_default(),
            parent: a.parent.map(|p| p.to_string()).unwrap_or_default(),
            class: ClassForm::from_classification(&a.classification),
        }
    }

    fn from_form(f: &FormData) -> ActorForm {
        ActorForm {
            name: f.text("name"),
            kind: f.text("kind"),
            mandate: f.text("mandate"),
            legal_basis: f.text("legal_basis"),
            personnel: f.text("personnel"),
            budget: f.text("budget"),
            parent: f.text("parent"),
            class: ClassForm::from_form(f),
        }
    }

    /// Parses the form into the store's input, or every problem found.
    fn parse(&self) -> Result<ActorInput, Problems> {
        let mut p = Problems::default();
        if self.name.is_empty() {
            p.add("name", "Enter the actor's name");
        }
        let kind = match self.kind.parse::<ActorKind>() {
            Ok(k) => Some(k),
            Err(_) => {
                p.add("kind", "Choose what kind of actor this is");
                None
            }
        };
        let personnel = match self.personnel.replace([',', ' '], "") {
            s if s.is_empty() => None,
            s => match s.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    p.add("personnel", "Personnel must be a whole number, like 12000");
                    None
                }
            },
        };
        let budget = match self.budget.replace([',', ' '], "") {
            s if s.is_empty() => None,
            s => match s.parse::<f64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    p.add(
                        "budget",
                        "The budget must be an amount in US dollars, like 45000000",
                    );
                    None
                }
            },
        };
        let parent = match self.parent.as_str() {
            "" => None,
            s => match s.parse::<ActorId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    p.add("parent", "Choose a parent actor from the list");
                    None
                }
            },
        };
        let classification = self.class.parse(&mut p);
        let fields = kind.map(|kind| ActorFields {
            name: self.name.clone(),
            kind,
            mandate: self.mandate.clone(),
            legal_basis: self.legal_basis.clone(),
            personnel,
            budget,
        });
        if let Some(f) = &fields {
            for e in f.check() {
                if p.on(e.field).is_empty() {
                    p.add(e.field, sentence(&e.message));
                }
            }
        }
        match (fields, classification) {
            (Some(fields), Some(classification)) if p.is_empty() => Ok(ActorInput {
                fields,
                parent,
                classification,
            }),
            _ => Err(p),
        }
    }
}

/// A check box for a compartment.
pub(crate) struct CompartmentChoice {
    pub id: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "actors/form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    ws: Workspace,
    title: String,
    action: String,
    cancel: String,
    form: ActorForm,
    problems: Problems,
    kinds: Vec<Choice>,
    parents: Vec<Choice>,
    classes: ClassChoices,
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    editing: Option<ActorId>,
    form: ActorForm,
    problems: Problems,
) -> Result<FormPage, WebError> {
    let all = state
        .store
        .all_actors(&visitor.viewer, today(), ws.id)
        .await?;
    let mut parents = vec![Choice {
        value: String::new(),
        label: "None".into(),
        selected: form.parent.is_empty(),
    }];
    parents.extend(
        all.iter()
            .filter(|a| Some(a.id) != editing)
            .map(|a| Choice {
                value: a.id.to_string(),
                label: a.fields.name.clone(),
                selected: form.parent == a.id.to_string(),
            }),
    );
    let classes = class_choices(state, visitor, &form.class).await?;
    let (title, action, cancel) = match editing {
        Some(id) => (
            format!("Edit {}", form.name),
            format!("/w/{}/actors/{id}/edit", ws.slug),
            format!("/w/{}/actors/{id}", ws.slug),
        ),
        None => (
            "Add an actor".to_owned(),
            format!("/w/{}/actors/new", ws.slug),
            format!("/w/{}/actors", ws.slug),
        ),
    };
    Ok(FormPage {
        chrome: Chrome::new(state, visitor, &action).await,
        kinds: kind_choices(form.kind.parse().ok()),
        parents,
        classes,
        title,
        action,
        cancel,
        form,
        problems,
        ws,
    })
}

/// `GET /w/{slug}/actors/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<FormPage, WebError> {
    visitor.require(Action::EditSectorMap)?;
    let ws = workspace(&state.store, &slug).await?;
    form_page(
        &state,
        &visitor,
        ws,
        None,
        ActorForm::default(),
        Problems::default(),
    )
    .await
}

/// `GET /w/{slug}/actors/{id}/edit`.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<FormPage, WebError> {
    visitor.require(Action::EditSectorMap)?;
    let ws = workspace(&state.store, &slug).await?;
    let id = parse_id(&id)?;
    let actor = state
        .store
        .get_actor(&visitor.viewer, today(), id)
        .await?
        .filter(|a| a.workspace == ws.id)
        .ok_or(WebError::NotFound)?;
    form_page(
        &state,
        &visitor,
        ws,
        Some(id),
        ActorForm::from_actor(&actor),
        Problems::default(),
    )
    .await
}

/// Turns the store's refusal into problems on the form, or passes it on.
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

/// `POST /w/{slug}/actors/new` and `POST /w/{slug}/actors/{id}/edit`.
async fn save(
    state: AppState,
    visitor: Visitor,
    headers: HeaderMap,
    slug: String,
    editing: Option<ActorId>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditSectorMap)?;
    let ws = workspace(&state.store, &slug).await?;
    let form = ActorForm::from_form(&data);
    let problems = match form.parse() {
        Ok(input) => {
            let result = match editing {
                Some(id) => {
                    state
                        .store
                        .update_actor(&visitor.actor(), &visitor.viewer, today(), id, input)
                        .await
                }
                None => {
                    state
                        .store
                        .create_actor(&visitor.actor(), &visitor.viewer, today(), ws.id, input)
                        .await
                }
            };
            match result {
                Ok(saved) => {
                    return Ok(
                        Redirect::to(&format!("/w/{slug}/actors/{}", saved.id)).into_response()
                    );
                }
                Err(e) => store_problems(e)?,
            }
        }
        Err(problems) => problems,
    };
    let page = form_page(&state, &visitor, ws, editing, form, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /w/{slug}/actors/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    save(state, visitor, headers, slug, None, data).await
}

/// `POST /w/{slug}/actors/{id}/edit`.
pub(crate) async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    save(state, visitor, headers, slug, Some(id), data).await
}

/// `GET /w/{slug}/actors.csv`: what the viewer may read, as CSV.
pub(crate) async fn export_csv(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let slug = slug.strip_suffix(".csv").unwrap_or(&slug).to_owned();
    let ws = workspace(&state.store, &slug).await?;
    let actors = state
        .store
        .all_actors(&visitor.viewer, today(), ws.id)
        .await?;
    let mut out = String::from(
        "id,name,kind,pillar,mandate,legal_basis,personnel,budget_usd,parent_id,classification\r\n",
    );
    for a in actors {
        let cells = [
            a.id.to_string(),
            a.fields.name.clone(),
            a.fields.kind.as_str().to_owned(),
            a.fields.kind.pillar().label().to_owned(),
            a.fields.mandate.clone(),
            a.fields.legal_basis.clone(),
            a.fields
                .personnel
                .map(|p| p.to_string())
                .unwrap_or_default(),
            a.fields.budget.map(|b| b.to_string()).unwrap_or_default(),
            a.parent.map(|p| p.to_string()).unwrap_or_default(),
            a.classification
                .effective_level(today())
                .as_str()
                .to_owned(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{slug}-actors.csv\""),
            ),
        ],
        out,
    )
        .into_response())
}

/// A CSV cell, quoted when needed; a leading formula character is defused.
fn csv_cell(s: &str) -> String {
    let s = custodes_formats::answers::defuse(s).into_owned();
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(-1234567), "-1,234,567");
    }

    #[test]
    fn shows_times_for_people() {
        assert_eq!(
            readable_time("2026-11-23T13:11:50.275Z"),
            "23 November 2026, 13:11 UTC"
        );
        assert_eq!(readable_time("garbage"), "garbage");
    }

    #[test]
    fn quotes_csv_cells() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a, b"), "\"a, b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
    }
}

//! The programme portfolio editor: the list with filters by reform field and lead actor,
//! with the exclusions and capacities that bind the portfolio (their forms are in
//! [`super::rules`]); each programme with its
//! options (cost and contribution tables per year); the programme and option forms.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodes_core::ActorId;
use custodes_core::framework::ReformField;
use custodes_core::permission::Action;
use custodes_core::plan::{Contribution, ProgrammeKind, SourceCost};
use custodes_core::planning::{OptionFields, ProgrammeFields};
use custodes_core::sector::ActorKind;
use custodes_store::programme::{ActorRef, OptionEdit, Programme, ProgrammeInput, ProgrammeQuery};
use custodes_store::workspace::Workspace;
use serde::Deserialize;

use super::{field_choices, list_text, money, parse_list, points};
use crate::actors::{
    Choice, ClassChoices, ClassForm, ClassView, class_choices, class_view, compartment_names,
    store_problems, workspace,
};
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::{AppState, WebError, today};

fn actor_name(a: &ActorRef) -> String {
    a.name
        .clone()
        .unwrap_or_else(|| "an actor you may not read".to_owned())
}

fn names(list: &[ActorRef]) -> String {
    if list.is_empty() {
        "None".to_owned()
    } else {
        list.iter().map(actor_name).collect::<Vec<_>>().join(", ")
    }
}

/// A programme's row in the list.
pub(crate) struct Row {
    key: String,
    name: String,
    field: &'static str,
    kind: String,
    lead: String,
    options: usize,
    cost_range: String,
    mandatory: bool,
    class: ClassView,
}

/// The list's filters, from the address.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    lead: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/programmes.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    ws: Workspace,
    tab: &'static str,
    rows: Vec<Row>,
    q: String,
    fields: Vec<Choice>,
    leads: Vec<Choice>,
    exclusions: Vec<ExclusionRow>,
    capacities: Vec<CapacityRow>,
    may_edit: bool,
}

/// An exclusion as the portfolio lists it: its id, its name and its programmes in words.
pub(crate) struct ExclusionRow {
    id: String,
    name: String,
    members: String,
}

/// A lead actor's capacity as the portfolio lists it.
pub(crate) struct CapacityRow {
    actor: String,
    name: String,
    max_running: u32,
}

fn cost_range(p: &Programme) -> String {
    let costs: Vec<f64> = p.options.iter().map(|o| total(&o.fields)).collect();
    match (
        costs.iter().copied().reduce(f64::min),
        costs.iter().copied().reduce(f64::max),
    ) {
        (Some(a), Some(b)) if (a - b).abs() < 1.0 => money(a),
        (Some(a), Some(b)) => format!("{} to {}", money(a), money(b)),
        _ => "No option yet".to_owned(),
    }
}

fn total(o: &OptionFields) -> f64 {
    o.costs.iter().flat_map(|c| &c.per_year).sum()
}

/// `GET /w/{slug}/planning/programmes`.
pub(crate) async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<ListPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let field = query.field.parse::<ReformField>().ok();
    let lead = query.lead.parse::<ActorId>().ok();
    let all = state
        .store
        .list_programmes(&visitor.viewer, today(), ws.id, &ProgrammeQuery::default())
        .await?;
    let mut leads: BTreeMap<String, String> = BTreeMap::new();
    for p in &all {
        if let Some(l) = &p.lead_actor {
            leads.insert(l.id.to_string(), actor_name(l));
        }
    }
    let mut lead_choices: Vec<Choice> = leads
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == query.lead,
            value,
            label,
        })
        .collect();
    lead_choices.sort_by(|a, b| a.label.cmp(&b.label));
    let shown = state
        .store
        .list_programmes(
            &visitor.viewer,
            today(),
            ws.id,
            &ProgrammeQuery {
                field,
                lead,
                search: Some(query.q.clone()),
            },
        )
        .await?;
    let names = compartment_names(&state.store, &visitor.viewer).await?;
    let rows = shown
        .iter()
        .map(|p| Row {
            key: p.fields.key.clone(),
            name: p.fields.name.clone(),
            field: p.fields.field.label(),
            kind: p.fields.kind.to_string(),
            lead: p.lead_actor.as_ref().map_or("None".to_owned(), actor_name),
            options: p.options.len(),
            cost_range: cost_range(p),
            mandatory: p.fields.mandatory,
            class: class_view(&p.classification, &names, today()),
        })
        .collect();
    let by_key: BTreeMap<&str, &str> = all
        .iter()
        .map(|p| (p.fields.key.as_str(), p.fields.name.as_str()))
        .collect();
    let exclusions = state
        .store
        .list_exclusions(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .map(|e| {
            let members = e
                .programmes
                .iter()
                .map(|k| by_key.get(k.as_str()).copied().unwrap_or(k).to_owned())
                .collect::<Vec<_>>()
                .join(" or ");
            ExclusionRow {
                id: e.id,
                name: e.name,
                members,
            }
        })
        .collect();
    // A capacity of an actor the visitor may not read is left out: naming it, even as
    // "an actor you may not read", would tell that the actor exists.
    let capacities = state
        .store
        .list_capacities(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .filter_map(|c| {
            Some(CapacityRow {
                name: c.actor.name?,
                actor: c.actor.id.to_string(),
                max_running: c.max_running,
            })
        })
        .collect();
    let path = format!("/w/{}/planning/programmes", ws.slug);
    Ok(ListPage {
        chrome: Chrome::new(&state, &visitor, &path).await,
        tab: "programmes",
        rows,
        q: query.q,
        fields: field_choices(&query.field),
        leads: lead_choices,
        exclusions,
        capacities,
        may_edit: visitor.may(Action::EditPlanning),
        ws,
    })
}

/// One option as the programme page shows it.
pub(crate) struct OptionView {
    key: String,
    name: String,
    duration: u32,
    total: String,
    /// "Year 1", "Year 2", … of the option's run.
    columns: Vec<String>,
    /// Source name and amounts per year.
    costs: Vec<(String, Vec<String>)>,
    /// Capability name and points per year.
    contributions: Vec<(String, Vec<String>)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/programme.html")]
pub(crate) struct ShowPage {
    chrome: Chrome,
    ws: Workspace,
    p: Programme,
    class: ClassView,
    facts: Vec<(&'static str, String)>,
    options: Vec<OptionView>,
    may_edit: bool,
}

/// `GET /w/{slug}/planning/programmes/{key}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, key)): Path<(String, String)>,
) -> Result<ShowPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let p = state
        .store
        .get_programme(&visitor.viewer, today(), ws.id, &key)
        .await?
        .ok_or(WebError::NotFound)?;
    let sources: BTreeMap<String, String> = state
        .store
        .list_sources(ws.id)
        .await?
        .into_iter()
        .map(|s| (s.fields.key, s.fields.name))
        .collect();
    let caps: BTreeMap<String, String> = state
        .store
        .list_capabilities(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .map(|c| (c.fields.key, c.fields.name))
        .collect();
    let all = state
        .store
        .list_programmes(&visitor.viewer, today(), ws.id, &ProgrammeQuery::default())
        .await?;
    let title_of = |k: &String| {
        all.iter()
            .find(|x| &x.fields.key == k)
            .map_or(k.clone(), |x| x.fields.name.clone())
    };
    let list_or_none = |v: &[String]| {
        if v.is_empty() {
            "None".to_owned()
        } else {
            v.iter().map(title_of).collect::<Vec<_>>().join(", ")
        }
    };
    let f = &p.fields;
    let window = match (f.earliest_start, f.latest_start) {
        (None, None) => "Any year of the horizon".to_owned(),
        (Some(e), None) => format!("From {e}"),
        (None, Some(l)) => format!("By {l}"),
        (Some(e), Some(l)) => format!("From {e} to {l}"),
    };
    let facts = vec![
        ("Key", f.key.clone()),
        ("Reform field", f.field.label().to_owned()),
        ("Kind", sentence(&f.kind.to_string())),
        (
            "Lead actor",
            p.lead_actor.as_ref().map_or("None".to_owned(), actor_name),
        ),
        ("Partner actors", names(&p.partners)),
        ("Donors", names(&p.donors)),
        (
            "Mandatory",
            if f.mandatory {
                "Yes: every plan must contain it"
            } else {
                "No"
            }
            .to_owned(),
        ),
        ("May start", window),
        ("Starts after", list_or_none(&p.after)),
        ("Integrity gate", list_or_none(&p.gated_by)),
    ];
    let options = p
        .options
        .iter()
        .map(|o| {
            let d = o.fields.duration as usize;
            OptionView {
                key: o.fields.key.clone(),
                name: o.fields.name.clone(),
                duration: o.fields.duration,
                total: money(total(&o.fields)),
                columns: (1..=d).map(|i| format!("Year {i}")).collect(),
                costs: o
                    .fields
                    .costs
                    .iter()
                    .map(|c| {
                        (
                            sources
                                .get(c.source.as_str())
                                .cloned()
                                .unwrap_or_else(|| c.source.to_string()),
                            (0..d)
                                .map(|i| c.per_year.get(i).map_or("–".to_owned(), |v| money(*v)))
                                .collect(),
                        )
                    })
                    .collect(),
                contributions: o
                    .fields
                    .contributions
                    .iter()
                    .map(|c| {
                        (
                            caps.get(c.capability.as_str())
                                .cloned()
                                .unwrap_or_else(|| c.capability.to_string()),
                            (0..d)
                                .map(|i| {
                                    c.per_year
                                        .get(i)
                                        .or(c.per_year.last())
                                        .map_or("–".to_owned(), |v| format!("+{}", points(*v)))
                                })
                                .collect(),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let names = compartment_names(&state.store, &visitor.viewer).await?;
    let path = format!("/w/{}/planning/programmes/{}", ws.slug, p.fields.key);
    Ok(ShowPage {
        chrome: Chrome::new(&state, &visitor, &path).await,
        class: class_view(&p.classification, &names, today()),
        facts,
        options,
        may_edit: visitor.may(Action::EditPlanning),
        p,
        ws,
    })
}

/// The programme form's values, as typed.
#[derive(Clone, Debug, Default)]
pub(crate) struct ProgrammeForm {
    key: String,
    name: String,
    description: String,
    kind: String,
    field: String,
    lead: String,
    partners: BTreeSet<String>,
    donors: BTreeSet<String>,
    mandatory: bool,
    earliest_start: String,
    latest_start: String,
    after: BTreeSet<String>,
    gated_by: BTreeSet<String>,
    class: ClassForm,
}

impl ProgrammeForm {
    fn from_data(d: &FormData) -> ProgrammeForm {
        let set = |name: &str| d.all(name).into_iter().map(str::to_owned).collect();
        ProgrammeForm {
            key: d.text("key"),
            name: d.text("name"),
            description: d.text("description"),
            kind: d.text("kind"),
            field: d.text("field"),
            lead: d.text("lead"),
            partners: set("partners"),
            donors: set("donors"),
            mandatory: d.get("mandatory").is_some(),
            earliest_start: d.text("earliest_start"),
            latest_start: d.text("latest_start"),
            after: set("after"),
            gated_by: set("gated_by"),
            class: ClassForm::from_form(d),
        }
    }

    fn from_programme(p: &Programme) -> ProgrammeForm {
        let ids = |l: &[ActorRef]| l.iter().map(|a| a.id.to_string()).collect();
        ProgrammeForm {
            key: p.fields.key.clone(),
            name: p.fields.name.clone(),
            description: p.fields.description.clone(),
            kind: p.fields.kind.to_string(),
            field: p.fields.field.as_str().to_owned(),
            lead: p
                .lead_actor
                .as_ref()
                .map_or(String::new(), |a| a.id.to_string()),
            partners: ids(&p.partners),
            donors: ids(&p.donors),
            mandatory: p.fields.mandatory,
            earliest_start: p
                .fields
                .earliest_start
                .map_or(String::new(), |y| y.to_string()),
            latest_start: p
                .fields
                .latest_start
                .map_or(String::new(), |y| y.to_string()),
            after: p.after.iter().cloned().collect(),
            gated_by: p.gated_by.iter().cloned().collect(),
            class: ClassForm::from_classification(&p.classification),
        }
    }

    fn parse(&self) -> Result<ProgrammeInput, Problems> {
        let mut p = Problems::default();
        let kind = match self.kind.as_str() {
            "institutional" => Some(ProgrammeKind::Institutional),
            "sectoral" => Some(ProgrammeKind::Sectoral),
            _ => {
                p.add(
                    "kind",
                    "Choose whether the programme is institutional or sectoral",
                );
                None
            }
        };
        let field = self.field.parse::<ReformField>().ok();
        if field.is_none() {
            p.add("field", "Choose the programme's field of reform");
        }
        let mut year = |name: &str, text: &str| -> Option<i32> {
            if text.is_empty() {
                return None;
            }
            let y = text.parse::<i32>().ok();
            if y.is_none() {
                p.add(name, "Enter a year, like 2028");
            }
            y
        };
        let earliest_start = year("earliest_start", &self.earliest_start);
        let latest_start = year("latest_start", &self.latest_start);
        let actors = |set: &BTreeSet<String>| -> BTreeSet<ActorId> {
            set.iter().filter_map(|s| s.parse().ok()).collect()
        };
        let lead_actor = self.lead.parse::<ActorId>().ok();
        let classification = self.class.parse(&mut p);
        match (kind, field, classification) {
            (Some(kind), Some(field), Some(classification)) if p.is_empty() => Ok(ProgrammeInput {
                fields: ProgrammeFields {
                    key: self.key.clone(),
                    name: self.name.clone(),
                    description: self.description.clone(),
                    kind,
                    field,
                    mandatory: self.mandatory,
                    earliest_start,
                    latest_start,
                },
                lead_actor,
                partners: actors(&self.partners),
                donors: actors(&self.donors),
                after: self.after.clone(),
                gated_by: self.gated_by.clone(),
                classification,
            }),
            _ => Err(p),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/programme_form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    ws: Workspace,
    title: String,
    action: String,
    cancel: String,
    editing: bool,
    fields: Vec<Choice>,
    leads: Vec<Choice>,
    partners: Vec<Choice>,
    donors: Vec<Choice>,
    after: Vec<Choice>,
    gated_by: Vec<Choice>,
    classes: ClassChoices,
    form: ProgrammeForm,
    problems: Problems,
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    editing: Option<&str>,
    form: ProgrammeForm,
    problems: Problems,
) -> Result<FormPage, WebError> {
    let actors = state
        .store
        .all_actors(&visitor.viewer, today(), ws.id)
        .await?;
    let pick = |selected: &dyn Fn(&str) -> bool, international: Option<bool>| -> Vec<Choice> {
        actors
            .iter()
            .filter(|a| {
                international
                    .is_none_or(|i| (a.fields.kind == ActorKind::InternationalPartner) == i)
            })
            .map(|a| Choice {
                value: a.id.to_string(),
                label: a.fields.name.clone(),
                selected: selected(&a.id.to_string()),
            })
            .collect()
    };
    let leads = pick(&|id| id == form.lead, Some(false));
    let partners = pick(&|id| form.partners.contains(id), None);
    let donors = pick(&|id| form.donors.contains(id), Some(true));
    let programmes = state
        .store
        .list_programmes(&visitor.viewer, today(), ws.id, &ProgrammeQuery::default())
        .await?;
    let others = |set: &BTreeSet<String>| -> Vec<Choice> {
        programmes
            .iter()
            .filter(|p| Some(p.fields.key.as_str()) != editing)
            .map(|p| Choice {
                value: p.fields.key.clone(),
                label: p.fields.name.clone(),
                selected: set.contains(&p.fields.key),
            })
            .collect()
    };
    let after = others(&form.after);
    let gated_by = others(&form.gated_by);
    let classes = class_choices(state, visitor, &form.class).await?;
    let (title, action, cancel) = match editing {
        Some(key) => (
            format!("Edit {}", form.name),
            format!("/w/{}/planning/programmes/{key}/edit", ws.slug),
            format!("/w/{}/planning/programmes/{key}", ws.slug),
        ),
        None => (
            "Add a programme".to_owned(),
            format!("/w/{}/planning/programmes/new", ws.slug),
            format!("/w/{}/planning/programmes", ws.slug),
        ),
    };
    Ok(FormPage {
        chrome: Chrome::new(state, visitor, &action).await,
        title,
        action,
        cancel,
        editing: editing.is_some(),
        fields: field_choices(&form.field),
        leads,
        partners,
        donors,
        after,
        gated_by,
        classes,
        form,
        problems,
        ws,
    })
}

/// `GET /w/{slug}/planning/programmes/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<FormPage, WebError> {
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let form = ProgrammeForm {
        kind: "sectoral".into(),
        class: ClassForm::from_classification(&custodes_core::policy::Classification::public()),
        ..ProgrammeForm::default()
    };
    form_page(&state, &visitor, ws, None, form, Problems::default()).await
}

/// `GET /w/{slug}/planning/programmes/{key}/edit`.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, key)): Path<(String, String)>,
) -> Result<FormPage, WebError> {
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let p = state
        .store
        .get_programme(&visitor.viewer, today(), ws.id, &key)
        .await?
        .ok_or(WebError::NotFound)?;
    let form = ProgrammeForm::from_programme(&p);
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
    let mut form = ProgrammeForm::from_data(&data);
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
                        .update_programme(&actor, viewer, today(), ws.id, key, input)
                        .await
                }
                None => {
                    state
                        .store
                        .create_programme(&actor, viewer, today(), ws.id, input)
                        .await
                }
            };
            match result {
                Ok(p) => {
                    return Ok(Redirect::to(&format!(
                        "/w/{slug}/planning/programmes/{}",
                        p.fields.key
                    ))
                    .into_response());
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

/// `POST /w/{slug}/planning/programmes/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    save(state, visitor, headers, slug, None, data).await
}

/// `POST /w/{slug}/planning/programmes/{key}/edit`.
pub(crate) async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, key)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    save(state, visitor, headers, slug, Some(key), data).await
}

/// One row of the option form's cost or contribution table: a source or capability and
/// its yearly values as typed.
pub(crate) struct YearlyRow {
    id: String,
    label: String,
    value: String,
    error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/option_form.html")]
pub(crate) struct OptionPage {
    chrome: Chrome,
    ws: Workspace,
    programme: String,
    programme_key: String,
    title: String,
    action: String,
    editing: bool,
    key: String,
    name: String,
    duration: String,
    costs: Vec<YearlyRow>,
    contributions: Vec<YearlyRow>,
    problems: Problems,
}

/// What the option form was given: key, name, duration, and the typed yearly values by
/// source key and capability key.
#[derive(Clone, Debug, Default)]
struct OptionForm {
    key: String,
    name: String,
    duration: String,
    costs: BTreeMap<String, String>,
    contributions: BTreeMap<String, String>,
}

#[allow(clippy::too_many_arguments)]
async fn option_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    p: &Programme,
    editing: Option<&str>,
    form: OptionForm,
    problems: Problems,
) -> Result<OptionPage, WebError> {
    let sources = state.store.list_sources(ws.id).await?;
    let caps = state
        .store
        .list_capabilities(&visitor.viewer, today(), ws.id)
        .await?;
    let row = |prefix: &str, key: &str, label: String, values: &BTreeMap<String, String>| {
        let id = format!("{prefix}-{key}");
        YearlyRow {
            error: problems.on(&id).to_owned(),
            value: values.get(key).cloned().unwrap_or_default(),
            id,
            label,
        }
    };
    let costs = sources
        .iter()
        .map(|s| row("cost", &s.fields.key, s.fields.name.clone(), &form.costs))
        .collect();
    let contributions = caps
        .iter()
        .map(|c| {
            row(
                "contribution",
                &c.fields.key,
                c.fields.name.clone(),
                &form.contributions,
            )
        })
        .collect();
    let base = format!("/w/{}/planning/programmes/{}", ws.slug, p.fields.key);
    let (title, action) = match editing {
        Some(k) => (
            format!("Edit option {}", form.name),
            format!("{base}/options/{k}/edit"),
        ),
        None => ("Add an option".to_owned(), format!("{base}/options/new")),
    };
    Ok(OptionPage {
        chrome: Chrome::new(state, visitor, &action).await,
        programme: p.fields.name.clone(),
        programme_key: p.fields.key.clone(),
        title,
        action,
        editing: editing.is_some(),
        key: form.key,
        name: form.name,
        duration: form.duration,
        costs,
        contributions,
        problems,
        ws,
    })
}

async fn programme_for_options(
    state: &AppState,
    visitor: &Visitor,
    slug: &str,
    key: &str,
) -> Result<(Workspace, Programme), WebError> {
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, slug).await?;
    let p = state
        .store
        .get_programme(&visitor.viewer, today(), ws.id, key)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((ws, p))
}

/// `GET /w/{slug}/planning/programmes/{key}/options/new`.
pub(crate) async fn new_option(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, key)): Path<(String, String)>,
) -> Result<OptionPage, WebError> {
    let (ws, p) = programme_for_options(&state, &visitor, &slug, &key).await?;
    let form = OptionForm {
        duration: "3".into(),
        ..OptionForm::default()
    };
    option_page(&state, &visitor, ws, &p, None, form, Problems::default()).await
}

/// `GET /w/{slug}/planning/programmes/{key}/options/{option}/edit`.
pub(crate) async fn edit_option(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, key, option)): Path<(String, String, String)>,
) -> Result<OptionPage, WebError> {
    let (ws, p) = programme_for_options(&state, &visitor, &slug, &key).await?;
    let o = p.option(&option).ok_or(WebError::NotFound)?.fields.clone();
    let form = OptionForm {
        key: o.key,
        name: o.name,
        duration: o.duration.to_string(),
        costs: o
            .costs
            .iter()
            .map(|c| (c.source.to_string(), list_text(&c.per_year)))
            .collect(),
        contributions: o
            .contributions
            .iter()
            .map(|c| (c.capability.to_string(), list_text(&c.per_year)))
            .collect(),
    };
    option_page(
        &state,
        &visitor,
        ws,
        &p,
        Some(&option),
        form,
        Problems::default(),
    )
    .await
}

async fn save_option(
    state: AppState,
    visitor: Visitor,
    headers: HeaderMap,
    (slug, key): (String, String),
    editing: Option<String>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    let (ws, p) = programme_for_options(&state, &visitor, &slug, &key).await?;
    let mut form = OptionForm {
        key: editing.clone().unwrap_or_else(|| data.text("key")),
        name: data.text("name"),
        duration: data.text("duration"),
        ..OptionForm::default()
    };
    let mut problems = Problems::default();
    let mut costs = Vec::new();
    let mut contributions = Vec::new();
    for (name, value) in &data.0 {
        if let Some(source) = name.strip_prefix("cost-") {
            form.costs
                .insert(source.to_owned(), value.trim().to_owned());
            match parse_list(value) {
                Ok(v) if v.is_empty() => {}
                Ok(per_year) => costs.push(SourceCost {
                    source: source.into(),
                    per_year,
                }),
                Err(e) => problems.add(name, sentence(&e)),
            }
        } else if let Some(cap) = name.strip_prefix("contribution-") {
            form.contributions
                .insert(cap.to_owned(), value.trim().to_owned());
            match parse_list(value) {
                Ok(v) if v.is_empty() => {}
                Ok(per_year) => contributions.push(Contribution {
                    capability: cap.into(),
                    per_year,
                }),
                Err(e) => problems.add(name, sentence(&e)),
            }
        }
    }
    let duration = form.duration.parse::<u32>().ok();
    if duration.is_none() {
        problems.add("duration", "Enter the duration as a whole number of years");
    }
    if let (Some(duration), true) = (duration, problems.is_empty()) {
        let fields = OptionFields {
            key: form.key.clone(),
            name: form.name.clone(),
            duration,
            costs,
            contributions,
        };
        match state
            .store
            .save_option(
                &visitor.actor(),
                &visitor.viewer,
                today(),
                ws.id,
                OptionEdit {
                    programme: key.clone(),
                    editing: editing.clone(),
                    fields,
                },
            )
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/w/{slug}/planning/programmes/{key}#options"))
                        .into_response(),
                );
            }
            Err(e) => problems = store_problems(e)?,
        }
    }
    let page = option_page(&state, &visitor, ws, &p, editing.as_deref(), form, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /w/{slug}/planning/programmes/{key}/options/new`.
pub(crate) async fn create_option(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(path): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    save_option(state, visitor, headers, path, None, data).await
}

/// `POST /w/{slug}/planning/programmes/{key}/options/{option}/edit`.
pub(crate) async fn update_option(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, key, option)): Path<(String, String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    save_option(state, visitor, headers, (slug, key), Some(option), data).await
}

/// `POST /w/{slug}/planning/programmes/{key}/options/{option}/delete`.
pub(crate) async fn delete_option(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, key, option)): Path<(String, String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    let (ws, _) = programme_for_options(&state, &visitor, &slug, &key).await?;
    state
        .store
        .delete_option(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            ws.id,
            &key,
            &option,
        )
        .await?;
    Ok(Redirect::to(&format!("/w/{slug}/planning/programmes/{key}#options")).into_response())
}

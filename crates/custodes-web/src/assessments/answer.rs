//! Answer entry, built for speed: every indicator of the framework as a card with its
//! question, guidance and anchored levels, grouped by characteristic. Each card's form
//! posts on its own and works without JavaScript; with htmx it saves on every change
//! and reports "Saved 14:02" or the problem inline, and the progress at the top follows.
//! Read-only when the visitor may not answer or the assessment is no longer a draft.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodes_core::framework::{AnswerValue, MissingState, Node, NodeId};
use custodes_core::policy::{Classification, Viewer};
use custodes_core::{ActorId, CompartmentId, Level};
use custodes_store::StoreError;
use custodes_store::assessment::{AnswerInput, SourceInput, StoredAnswer};

use super::overview::{Head, head};
use super::{
    Choice, Loaded, dom_id, level_label, load, missing_label, parse_value_key, share, value_key,
    value_view,
};
use crate::actors::{ClassView, class_view, compartment_names, readable_time};
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::{AppState, WebError, today};

/// A level or missing state to choose.
pub(crate) struct Opt {
    id: String,
    value: String,
    label: String,
    descriptor: String,
    checked: bool,
    missing: bool,
}

/// A source as the card lists it.
pub(crate) struct SourceView {
    id: String,
    title: String,
    url: String,
    class: ClassView,
}

/// The "add a source" form's values, as typed.
#[derive(Clone, Debug, Default)]
pub(crate) struct SourceForm {
    title: String,
    url: String,
    level: String,
    justification: String,
}

/// One indicator.
pub(crate) struct Card {
    id: String,
    dom: String,
    title: String,
    question: String,
    guidance: String,
    options: Vec<Opt>,
    explanation: String,
    actors: Vec<Choice>,
    answered: bool,
    value_label: String,
    anchor: String,
    actor_name: String,
    status: String,
    error: String,
    sources: Vec<SourceView>,
    source: SourceForm,
    source_problems: Problems,
    source_open: bool,
}

/// The indicators of one characteristic.
pub(crate) struct Section {
    dom: String,
    title: String,
    cards: Vec<Card>,
}

/// A characteristic in the side list.
pub(crate) struct SideItem {
    dom: String,
    title: String,
    answered: usize,
    total: usize,
}

/// The progress shown at the top.
pub(crate) struct ProgressView {
    answered: usize,
    total: usize,
    pct: u32,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessments/answer.html")]
pub(crate) struct AnswerPage {
    chrome: Chrome,
    head: Head,
    base: String,
    editable: bool,
    reason: String,
    sections: Vec<Section>,
    side: Vec<SideItem>,
    progress: ProgressView,
    problems: Problems,
    levels: Vec<Choice>,
    oob: bool,
}

/// What htmx gets back after a save: the card's status, and the progress and side list
/// out of band.
#[derive(Template)]
#[template(path = "assessments/saved.html")]
struct Saved {
    message: String,
    error: bool,
    side: Vec<SideItem>,
    progress: ProgressView,
    oob: bool,
}

/// The indicators of the framework by characteristic: the root's children, each with the
/// indicators below it in framework order. Indicators right under the root form a
/// section of their own, named after the root.
pub(crate) fn sections(l: &Loaded) -> Vec<(&Node, Vec<&Node>)> {
    let f = &l.framework;
    let Some(root) = f.roots().first().copied() else {
        return Vec::new();
    };
    fn below<'a>(
        f: &'a custodes_core::framework::ValidFramework,
        id: &str,
        out: &mut Vec<&'a Node>,
    ) {
        for c in f.children(id) {
            if c.as_indicator().is_some() {
                out.push(c);
            } else {
                below(f, c.id.as_str(), out);
            }
        }
    }
    let mut out: Vec<(&Node, Vec<&Node>)> = Vec::new();
    let mut loose = Vec::new();
    for c in f.children(root.id.as_str()) {
        if c.as_indicator().is_some() {
            loose.push(c);
        } else {
            let mut list = Vec::new();
            below(f, c.id.as_str(), &mut list);
            out.push((c, list));
        }
    }
    if !loose.is_empty() {
        out.push((root, loose));
    }
    out
}

fn side_and_progress(
    l: &Loaded,
    answers: &BTreeMap<NodeId, StoredAnswer>,
) -> (Vec<SideItem>, ProgressView) {
    let side: Vec<SideItem> = sections(l)
        .into_iter()
        .map(|(c, list)| SideItem {
            dom: format!("section-{}", dom_id(c.id.as_str())),
            title: c.title.clone(),
            answered: list.iter().filter(|n| answers.contains_key(&n.id)).count(),
            total: list.len(),
        })
        .collect();
    let total = l.total();
    let answered = answers.len().min(total);
    (
        side,
        ProgressView {
            answered,
            total,
            pct: share(answered, total),
        },
    )
}

/// What the visitor typed into one card, when saving it failed without JavaScript.
struct Focus {
    indicator: String,
    value: String,
    explanation: String,
    actor: String,
    error: String,
}

/// What the visitor typed into a card's "add a source" form, when it was refused.
struct SourceFocus {
    indicator: String,
    form: SourceForm,
    problems: Problems,
}

async fn answer_page(
    state: &AppState,
    visitor: &Visitor,
    l: &Loaded,
    focus: Option<Focus>,
    source_focus: Option<SourceFocus>,
) -> Result<AnswerPage, WebError> {
    let viewer = &visitor.viewer;
    let answers: BTreeMap<NodeId, StoredAnswer> = state
        .store
        .answers(viewer, today(), l.a.id)
        .await?
        .into_iter()
        .map(|a| (a.indicator.clone(), a))
        .collect();
    let editable = l.may_answer_now(visitor);
    let actors = if editable {
        state.store.all_actors(viewer, today(), l.ws.id).await?
    } else {
        Vec::new()
    };
    let names = compartment_names(&state.store, viewer).await?;
    let mut problems = Problems::default();
    let mut sections_view = Vec::new();
    for (c, list) in sections(l) {
        let mut cards = Vec::new();
        for n in list {
            let id = n.id.as_str();
            let dom = dom_id(id);
            let ind = n.as_indicator().expect("sections hold indicators");
            let stored = answers.get(&n.id);
            let typed = focus.as_ref().filter(|f| f.indicator == id);
            let current_key = match typed {
                Some(f) => f.value.clone(),
                None => stored.map(|a| value_key(&a.value)).unwrap_or_default(),
            };
            let choices = l.framework.choices(id);
            let mut options: Vec<Opt> = choices
                .iter()
                .enumerate()
                .map(|(k, ch)| {
                    let value = value_key(&AnswerValue::Level(ch.level.clone()));
                    Opt {
                        id: format!("{dom}-value-{k}"),
                        checked: value == current_key,
                        label: level_label(ch.level.as_str(), ch.value, ch.missing),
                        descriptor: ch.descriptor.clone(),
                        missing: ch.missing.is_some(),
                        value,
                    }
                })
                .collect();
            // The missing states the scale does not already offer as levels.
            for m in MissingState::ALL {
                if choices.iter().any(|ch| ch.missing == Some(m)) {
                    continue;
                }
                let value = value_key(&AnswerValue::Missing(m));
                options.push(Opt {
                    id: format!("{dom}-value-{}", m.abbreviation().to_lowercase()),
                    checked: value == current_key,
                    label: missing_label(m).to_owned(),
                    descriptor: match m {
                        MissingState::NotApplicable => "The indicator does not apply here.",
                        MissingState::NotEnoughInformation => {
                            "Not enough information was found to score it."
                        }
                        MissingState::NotScored => "Deliberately left unscored.",
                    }
                    .to_owned(),
                    missing: true,
                    value,
                });
            }
            let error = typed.map(|f| f.error.clone()).unwrap_or_default();
            if !error.is_empty() {
                problems.add(&format!("{dom}-value-0"), format!("{id}: {error}"));
            }
            let chosen_actor = match typed {
                Some(f) => f.actor.clone(),
                None => stored
                    .and_then(|a| a.actor.as_ref())
                    .map(|a| a.id.to_string())
                    .unwrap_or_default(),
            };
            let (source, source_problems, source_open) = match &source_focus {
                Some(sf) if sf.indicator == id => {
                    for p in &sf.problems.0 {
                        problems.add(
                            &format!("{dom}-source-{}", p.field),
                            format!("{id}: {}", p.message),
                        );
                    }
                    (sf.form.clone(), sf.problems.clone(), true)
                }
                _ => (SourceForm::default(), Problems::default(), false),
            };
            let view = stored.map(|a| value_view(&l.framework, id, &a.value));
            cards.push(Card {
                id: id.to_owned(),
                title: n.title.clone(),
                question: ind.question.clone(),
                guidance: ind.guidance.clone(),
                options,
                explanation: match typed {
                    Some(f) => f.explanation.clone(),
                    None => stored.map(|a| a.explanation.clone()).unwrap_or_default(),
                },
                actors: actors
                    .iter()
                    .map(|a| Choice {
                        selected: chosen_actor == a.id.to_string(),
                        value: a.id.to_string(),
                        label: a.fields.name.clone(),
                    })
                    .collect(),
                answered: stored.is_some(),
                value_label: view.as_ref().map(|v| v.label.clone()).unwrap_or_default(),
                anchor: view.map(|v| v.anchor).unwrap_or_default(),
                actor_name: stored
                    .and_then(|a| a.actor.as_ref())
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                status: stored
                    .map(|a| {
                        format!(
                            "Answered by {}, {}",
                            a.updated_by.as_deref().unwrap_or("someone"),
                            readable_time(&a.updated_at)
                        )
                    })
                    .unwrap_or_default(),
                error,
                sources: stored
                    .map(|a| {
                        a.sources
                            .iter()
                            .map(|s| SourceView {
                                id: s.id.clone(),
                                title: s.title.clone(),
                                url: s.url.clone(),
                                class: class_view(&s.classification, &names, today()),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                source,
                source_problems,
                source_open,
                dom,
            });
        }
        sections_view.push(Section {
            dom: format!("section-{}", dom_id(c.id.as_str())),
            title: c.title.clone(),
            cards,
        });
    }
    let (side, progress) = side_and_progress(l, &answers);
    let reason = if editable {
        String::new()
    } else if !l.a.status.answers_open() {
        format!(
            "The assessment is {}: answers can change only while it is a draft.",
            l.a.status.label().to_lowercase()
        )
    } else {
        "Only the assessment's assessors may answer it.".to_owned()
    };
    Ok(AnswerPage {
        chrome: Chrome::new(state, visitor, &format!("/w/{}/assessments", l.ws.slug)).await,
        head: head(l, "/answer"),
        base: l.href(),
        editable,
        reason,
        sections: sections_view,
        side,
        progress,
        problems,
        levels: level_choices(viewer),
        oob: false,
    })
}

fn level_choices(viewer: &Viewer) -> Vec<Choice> {
    Level::ALL
        .iter()
        .filter(|l| **l <= viewer.clearance)
        .map(|l| Choice {
            value: l.as_str().to_owned(),
            label: l.as_str().to_owned(),
            selected: *l == Level::Public,
        })
        .collect()
}

/// `GET /w/{slug}/assessments/{id}/answer`.
pub(crate) async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<AnswerPage, WebError> {
    let l = load(&state, &visitor, &slug, &id).await?;
    answer_page(&state, &visitor, &l, None, None).await
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// The indicator `indicator` of the assessment's framework, or 404.
fn indicator<'a>(l: &'a Loaded, indicator: &str) -> Result<&'a Node, WebError> {
    l.framework
        .node(indicator)
        .filter(|n| n.as_indicator().is_some())
        .ok_or(WebError::NotFound)
}

/// A refusal the assessor can act on, as a sentence; other errors are passed on.
fn refusal(e: StoreError) -> Result<String, WebError> {
    match e {
        StoreError::Invalid(_) | StoreError::Fields(_) | StoreError::Conflict(_) => {
            Ok(sentence(&e.to_string()))
        }
        other => Err(other.into()),
    }
}

/// `POST /w/{slug}/assessments/{id}/answer/{indicator}`: saves one answer. Without
/// JavaScript it returns to the indicator on the page; with htmx it answers with the
/// card's status and the new progress.
pub(crate) async fn save(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id, ind)): Path<(String, String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.signed_in()?;
    let l = load(&state, &visitor, &slug, &id).await?;
    let node = indicator(&l, &ind)?;
    let value = data.get("value").and_then(parse_value_key);
    let actor = match data.get("actor") {
        None => Ok(None),
        Some(s) => s.parse::<ActorId>().map(Some),
    };
    let outcome: Result<(), String> = match (value, actor) {
        (None, _) => Err("Choose a level, or say why there is none (NA, NEI or NS)".into()),
        (_, Err(_)) => Err("Choose the actor concerned from the list".into()),
        (Some(value), Ok(actor)) => {
            let input = AnswerInput {
                indicator: node.id.clone(),
                value,
                explanation: data.text("explanation"),
                actor,
            };
            match state
                .store
                .save_answers(
                    &visitor.actor(),
                    &visitor.viewer,
                    today(),
                    l.a.id,
                    &[input],
                    &[],
                )
                .await
            {
                Ok(_) => Ok(()),
                Err(e) => Err(refusal(e)?),
            }
        }
    };
    if is_htmx(&headers) {
        let answers: BTreeMap<NodeId, StoredAnswer> = state
            .store
            .answers(&visitor.viewer, today(), l.a.id)
            .await?
            .into_iter()
            .map(|a| (a.indicator.clone(), a))
            .collect();
        let (side, progress) = side_and_progress(&l, &answers);
        let (message, error) = match outcome {
            Ok(()) => (
                format!("Saved {} UTC", chrono::Utc::now().format("%H:%M")),
                false,
            ),
            Err(e) => (format!("Not saved: {e}"), true),
        };
        let html = Saved {
            message,
            error,
            side,
            progress,
            oob: true,
        }
        .render()
        .map_err(|e| WebError::Internal(e.to_string()))?;
        return Ok(axum::response::Html(html).into_response());
    }
    match outcome {
        Ok(()) => {
            Ok(Redirect::to(&format!("{}/answer#{}", l.href(), dom_id(&ind))).into_response())
        }
        Err(error) => {
            let focus = Focus {
                indicator: ind.clone(),
                value: data.text("value"),
                explanation: data.text("explanation"),
                actor: data.text("actor"),
                error,
            };
            let page = answer_page(&state, &visitor, &l, Some(focus), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `POST /w/{slug}/assessments/{id}/answer/{indicator}/sources`: adds a source.
pub(crate) async fn add_source(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id, ind)): Path<(String, String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.signed_in()?;
    let l = load(&state, &visitor, &slug, &id).await?;
    indicator(&l, &ind)?;
    let form = SourceForm {
        title: data.text("title"),
        url: data.text("url"),
        level: data.text("level"),
        justification: data.text("justification"),
    };
    let level = form.level.parse::<Level>().unwrap_or(Level::Public);
    let problems = match Classification::new(
        level,
        std::collections::BTreeSet::<CompartmentId>::new(),
        Some(form.justification.clone()),
        None,
        Level::Public,
    ) {
        Err(e) => {
            let mut p = Problems::default();
            p.add("justification", sentence(&e.to_string()));
            p
        }
        Ok(classification) => {
            let input = SourceInput {
                title: form.title.clone(),
                url: form.url.clone(),
                classification,
            };
            match state
                .store
                .add_source(
                    &visitor.actor(),
                    &visitor.viewer,
                    today(),
                    l.a.id,
                    &ind,
                    input,
                )
                .await
            {
                Ok(_) => {
                    return Ok(
                        Redirect::to(&format!("{}/answer#{}", l.href(), dom_id(&ind)))
                            .into_response(),
                    );
                }
                Err(e) => super::list::store_problems(e)?,
            }
        }
    };
    let focus = SourceFocus {
        indicator: ind,
        form,
        problems,
    };
    let page = answer_page(&state, &visitor, &l, None, Some(focus)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /w/{slug}/assessments/{id}/sources/{source}/remove`.
pub(crate) async fn remove_source(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id, source)): Path<(String, String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.signed_in()?;
    let l = load(&state, &visitor, &slug, &id).await?;
    state
        .store
        .remove_source(&visitor.actor(), &visitor.viewer, today(), l.a.id, &source)
        .await?;
    let back = data
        .get("indicator")
        .map(|i| format!("#{}", dom_id(i)))
        .unwrap_or_default();
    Ok(Redirect::to(&format!("{}/answer{back}", l.href())).into_response())
}

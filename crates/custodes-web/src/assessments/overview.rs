//! An assessment's overview (where it is in its life cycle, who works on it, what the
//! visitor may do now, what changed since the version it corrects), the steps of its
//! life cycle, and the history of its answers.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use custodes_core::ActorId;
use custodes_core::assessment::{AnswerState, Decision, MemberRole, Status, diff_answers};
use custodes_core::framework::NodeId;
use custodes_store::assessment::{AnswerSnapshot, StoredAnswer};
use serde::Deserialize;

use super::{Choice, Loaded, Step, Tab, load, manages, share, steps, tabs, value_view};
use crate::actors::{ClassView, class_view, compartment_names, readable_time};
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::FormData;
use crate::{AppState, WebError, today};

/// What the top of every page of an assessment shows.
pub(crate) struct Head {
    pub slug: String,
    pub title: String,
    pub caption: String,
    pub tabs: Vec<Tab>,
}

pub(crate) fn head(l: &Loaded, current: &str) -> Head {
    Head {
        slug: l.ws.slug.to_string(),
        title: l.a.title.clone(),
        caption: format!(
            "{} · {} · version {} · {}",
            l.framework.framework().name,
            l.a.period,
            l.a.version,
            l.a.status.label()
        ),
        tabs: tabs(l, current),
    }
}

/// One line of "what changed since version N".
pub(crate) struct DiffRow {
    href: String,
    indicator: String,
    title: String,
    before: String,
    after: String,
    value_changed: bool,
    explanation_changed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessments/overview.html")]
pub(crate) struct OverviewPage {
    chrome: Chrome,
    head: Head,
    base: String,
    steps: Vec<Step>,
    status: &'static str,
    unanswered: usize,
    class: ClassView,
    assessors: Vec<String>,
    reviewers: Vec<String>,
    actors: Vec<String>,
    answered: i64,
    total: usize,
    pct: u32,
    round: i64,
    required: i64,
    approvals: usize,
    updated: String,
    published: String,
    may_answer: bool,
    may_submit: bool,
    may_review: bool,
    may_publish: bool,
    may_correct: bool,
    corrects: Option<(String, i64)>,
    corrected_by: Option<String>,
    changes: Vec<DiffRow>,
}

fn states(answers: &[StoredAnswer]) -> BTreeMap<NodeId, AnswerState> {
    answers
        .iter()
        .map(|a| {
            (
                a.indicator.clone(),
                AnswerState {
                    value: Some(a.value.clone()),
                    explanation: a.explanation.clone(),
                },
            )
        })
        .collect()
}

/// `GET /w/{slug}/assessments/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<OverviewPage, WebError> {
    let l = load(&state, &visitor, &slug, &id).await?;
    let a = &l.a;
    let names = compartment_names(&state.store, &visitor.viewer).await?;
    let members = |role: MemberRole| -> Vec<String> {
        a.members
            .iter()
            .filter(|m| m.role == role)
            .map(|m| m.name.clone())
            .collect()
    };
    let decisions = state
        .store
        .review_decisions(&visitor.viewer, today(), a.id)
        .await?;
    let approvals = decisions
        .iter()
        .filter(|d| d.round == a.review_round && d.decision == Decision::Approve)
        .count();
    let others = state
        .store
        .list_assessments(&visitor.viewer, today(), l.ws.id)
        .await?;
    let corrected_by = others
        .iter()
        .find(|o| o.corrects == Some(a.id))
        .map(|o| format!("/w/{slug}/assessments/{}", o.id));
    // What changed since the version this one corrects, when the visitor may read it.
    let mut corrects = None;
    let mut changes = Vec::new();
    if let Some(old) = a.corrects
        && let Some(previous) = state
            .store
            .get_assessment(&visitor.viewer, today(), old)
            .await?
    {
        corrects = Some((
            format!("/w/{slug}/assessments/{}", previous.id),
            previous.version,
        ));
        let before = state.store.answers(&visitor.viewer, today(), old).await?;
        let after = state.store.answers(&visitor.viewer, today(), a.id).await?;
        let text = |s: &Option<AnswerState>, ind: &str| -> String {
            match s {
                Some(AnswerState {
                    value: Some(v),
                    explanation,
                }) => {
                    let v = value_view(&l.framework, ind, v).label;
                    if explanation.is_empty() {
                        v
                    } else {
                        format!("{v}: {explanation}")
                    }
                }
                _ => "No answer".into(),
            }
        };
        for d in diff_answers(&states(&before), &states(&after)) {
            let ind = d.indicator.as_str();
            changes.push(DiffRow {
                href: format!("{}/answer#{}", l.href(), super::dom_id(ind)),
                indicator: ind.to_owned(),
                title: l
                    .framework
                    .node(ind)
                    .map(|n| n.title.clone())
                    .unwrap_or_default(),
                before: text(&d.before, ind),
                after: text(&d.after, ind),
                value_changed: d.value_changed,
                explanation_changed: d.before.as_ref().map(|s| &s.explanation)
                    != d.after.as_ref().map(|s| &s.explanation),
            });
        }
    }
    let total = l.total();
    let may_answer = l.may_answer_now(&visitor);
    Ok(OverviewPage {
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/assessments")).await,
        head: head(&l, ""),
        base: l.href(),
        steps: steps(a.status),
        status: a.status.label(),
        unanswered: total.saturating_sub(a.answered as usize),
        class: class_view(&a.classification, &names, today()),
        assessors: members(MemberRole::Assessor),
        reviewers: members(MemberRole::Reviewer),
        actors: a.actors.iter().map(|x| x.name.clone()).collect(),
        answered: a.answered,
        total,
        pct: share(a.answered as usize, total),
        round: a.review_round,
        required: a.required_reviewers,
        approvals,
        updated: readable_time(&a.updated_at),
        published: a
            .published_at
            .as_deref()
            .map(readable_time)
            .unwrap_or_default(),
        may_submit: may_answer && a.answered as usize >= total,
        may_answer,
        may_review: l.may_review_now(&visitor),
        may_publish: manages(&visitor) && a.status == Status::Validated,
        may_correct: manages(&visitor) && a.status == Status::Published && corrected_by.is_none(),
        corrects,
        corrected_by,
        changes,
    })
}

/// The step of the life cycle a button asks for.
enum StepAction {
    Submit,
    Publish,
    Correct,
}

async fn step(
    state: AppState,
    visitor: Visitor,
    headers: HeaderMap,
    slug: String,
    id: String,
    data: FormData,
    action: StepAction,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.signed_in()?;
    let l = load(&state, &visitor, &slug, &id).await?;
    let (who, viewer) = (visitor.actor(), &visitor.viewer);
    let s = &state.store;
    let a = match action {
        StepAction::Submit => s.submit_assessment(&who, viewer, today(), l.a.id).await?,
        StepAction::Publish => s.publish_assessment(&who, viewer, today(), l.a.id).await?,
        StepAction::Correct => s.correct_assessment(&who, viewer, today(), l.a.id).await?,
    };
    Ok(Redirect::to(&format!("/w/{slug}/assessments/{}", a.id)).into_response())
}

/// `POST /w/{slug}/assessments/{id}/submit`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    step(state, visitor, headers, slug, id, data, StepAction::Submit).await
}

/// `POST /w/{slug}/assessments/{id}/publish`.
pub(crate) async fn publish(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    step(state, visitor, headers, slug, id, data, StepAction::Publish).await
}

/// `POST /w/{slug}/assessments/{id}/correct`: opens a correction, a new draft version.
pub(crate) async fn correct(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    step(state, visitor, headers, slug, id, data, StepAction::Correct).await
}

/// One change in the history.
pub(crate) struct ChangeRow {
    href: String,
    indicator: String,
    title: String,
    who: String,
    when: String,
    before: Option<SnapshotView>,
    after: SnapshotView,
}

/// An answer as the history shows it.
pub(crate) struct SnapshotView {
    value: String,
    explanation: String,
    actor: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct HistoryParams {
    indicator: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessments/history.html")]
pub(crate) struct HistoryPage {
    chrome: Chrome,
    head: Head,
    base: String,
    indicators: Vec<Choice>,
    filtered: bool,
    rows: Vec<ChangeRow>,
}

/// `GET /w/{slug}/assessments/{id}/history`: every change of the answers, newest first,
/// of one indicator when `?indicator=` names one.
pub(crate) async fn history(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
    Query(params): Query<HistoryParams>,
) -> Result<HistoryPage, WebError> {
    let l = load(&state, &visitor, &slug, &id).await?;
    let wanted = params
        .indicator
        .filter(|i| l.framework.node(i).and_then(|n| n.as_indicator()).is_some());
    let changes = state
        .store
        .answer_history(&visitor.viewer, today(), l.a.id, wanted.as_deref())
        .await?;
    // Actors are named only when the visitor may read them.
    let actors: BTreeMap<ActorId, String> = state
        .store
        .all_actors(&visitor.viewer, today(), l.ws.id)
        .await?
        .into_iter()
        .map(|a| (a.id, a.fields.name))
        .collect();
    let snapshot = |ind: &str, s: &AnswerSnapshot| SnapshotView {
        value: value_view(&l.framework, ind, &s.value).label,
        explanation: s.explanation.clone(),
        actor: s
            .actor
            .and_then(|a| actors.get(&a).cloned())
            .unwrap_or_default(),
    };
    let rows = changes
        .iter()
        .rev()
        .map(|c| {
            let ind = c.indicator.as_str();
            ChangeRow {
                href: format!("{}/answer#{}", l.href(), super::dom_id(ind)),
                indicator: ind.to_owned(),
                title: l
                    .framework
                    .node(ind)
                    .map(|n| n.title.clone())
                    .unwrap_or_default(),
                who: c.changed_by.clone().unwrap_or_else(|| "Someone".into()),
                when: readable_time(&c.changed_at),
                before: c.before.as_ref().map(|b| snapshot(ind, b)),
                after: snapshot(ind, &c.after),
            }
        })
        .collect();
    let indicators = l
        .framework
        .indicators()
        .map(|n| Choice {
            selected: wanted.as_deref() == Some(n.id.as_str()),
            value: n.id.as_str().to_owned(),
            label: format!("{} {}", n.id, n.title),
        })
        .collect();
    Ok(HistoryPage {
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/assessments")).await,
        head: head(&l, "/history"),
        base: l.href(),
        indicators,
        filtered: wanted.is_some(),
        rows,
    })
}

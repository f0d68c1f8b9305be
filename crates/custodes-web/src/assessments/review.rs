//! Review: for each indicator, the assessor's answer beside the reviewers' comments on
//! it, and at the top the reviewer's decision (approve, or request changes with a
//! comment) and the decisions so far, by round.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodes_core::assessment::Decision;
use custodes_core::framework::NodeId;
use custodes_store::StoreError;
use custodes_store::assessment::{ReviewComment, StoredAnswer};

use super::answer::sections;
use super::overview::{Head, head};
use super::{Loaded, dom_id, load, value_view};
use crate::actors::{class_view, compartment_names, readable_time};
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::{AppState, WebError, today};

/// A comment as the page shows it.
pub(crate) struct CommentView {
    author: String,
    when: String,
    round: i64,
    body: String,
}

fn comment_view(c: &ReviewComment) -> CommentView {
    CommentView {
        author: c.author.clone().unwrap_or_else(|| "A reviewer".into()),
        when: readable_time(&c.created_at),
        round: c.round,
        body: c.body.clone(),
    }
}

/// A source beside an answer.
pub(crate) struct SourceLine {
    title: String,
    url: String,
    level: &'static str,
    css: String,
}

/// One indicator: the answer on the left, the comments on the right.
pub(crate) struct Row {
    id: String,
    dom: String,
    title: String,
    question: String,
    answered: bool,
    value_label: String,
    anchor: String,
    explanation: String,
    actor: String,
    sources: Vec<SourceLine>,
    comments: Vec<CommentView>,
    body: String,
    error: String,
}

/// The characteristic a group of rows belongs to.
pub(crate) struct RowSection {
    title: String,
    rows: Vec<Row>,
}

/// A reviewer's decision as the page shows it.
pub(crate) struct DecisionView {
    who: String,
    approve: bool,
    comment: String,
    when: String,
}

/// The decisions of one round.
pub(crate) struct RoundView {
    round: i64,
    decisions: Vec<DecisionView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessments/review.html")]
pub(crate) struct ReviewPage {
    chrome: Chrome,
    head: Head,
    base: String,
    may_review: bool,
    decided: bool,
    reason: String,
    round: i64,
    required: i64,
    approvals: usize,
    rounds: Vec<RoundView>,
    general: Vec<CommentView>,
    general_body: String,
    sections: Vec<RowSection>,
    problems: Problems,
    decision: String,
    decision_comment: String,
}

/// What the reviewer typed, when a form was refused.
#[derive(Default)]
struct Typed {
    /// The indicator commented on ("" for the whole assessment), the text and the problem.
    comment: Option<(String, String, String)>,
    decision: String,
    decision_comment: String,
    problems: Problems,
}

async fn review_page(
    state: &AppState,
    visitor: &Visitor,
    l: &Loaded,
    typed: Typed,
) -> Result<ReviewPage, WebError> {
    let viewer = &visitor.viewer;
    let answers: BTreeMap<NodeId, StoredAnswer> = state
        .store
        .answers(viewer, today(), l.a.id)
        .await?
        .into_iter()
        .map(|a| (a.indicator.clone(), a))
        .collect();
    let comments = state.store.review_comments(viewer, today(), l.a.id).await?;
    let decisions = state
        .store
        .review_decisions(viewer, today(), l.a.id)
        .await?;
    let names = compartment_names(&state.store, viewer).await?;
    let mut problems = typed.problems;
    let mut by_indicator: BTreeMap<&str, Vec<CommentView>> = BTreeMap::new();
    let mut general = Vec::new();
    for c in &comments {
        match &c.indicator {
            Some(i) => by_indicator
                .entry(i.as_str())
                .or_default()
                .push(comment_view(c)),
            None => general.push(comment_view(c)),
        }
    }
    let mut general_body = String::new();
    let mut row_sections = Vec::new();
    for (c, list) in sections(l) {
        let mut rows = Vec::new();
        for n in list {
            let id = n.id.as_str();
            let dom = dom_id(id);
            let a = answers.get(&n.id);
            let view = a.map(|a| value_view(&l.framework, id, &a.value));
            let (body, error) = match &typed.comment {
                Some((ind, body, error)) if ind == id => {
                    if !error.is_empty() {
                        problems.add(&format!("{dom}-comment"), format!("{id}: {error}"));
                    }
                    (body.clone(), error.clone())
                }
                _ => (String::new(), String::new()),
            };
            rows.push(Row {
                id: id.to_owned(),
                title: n.title.clone(),
                question: n
                    .as_indicator()
                    .map(|i| i.question.clone())
                    .unwrap_or_default(),
                answered: a.is_some(),
                value_label: view.as_ref().map(|v| v.label.clone()).unwrap_or_default(),
                anchor: view.map(|v| v.anchor).unwrap_or_default(),
                explanation: a.map(|a| a.explanation.clone()).unwrap_or_default(),
                actor: a
                    .and_then(|a| a.actor.as_ref())
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
                sources: a
                    .map(|a| {
                        a.sources
                            .iter()
                            .map(|s| {
                                let cv = class_view(&s.classification, &names, today());
                                SourceLine {
                                    title: s.title.clone(),
                                    url: s.url.clone(),
                                    level: cv.level,
                                    css: cv.css,
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                comments: by_indicator.remove(id).unwrap_or_default(),
                body,
                error,
                dom,
            });
        }
        row_sections.push(RowSection {
            title: c.title.clone(),
            rows,
        });
    }
    if let Some((ind, body, error)) = &typed.comment
        && ind.is_empty()
    {
        general_body = body.clone();
        if !error.is_empty() {
            problems.add("general-comment", error.clone());
        }
    }
    let mut rounds: Vec<RoundView> = Vec::new();
    for d in &decisions {
        if rounds.last().is_none_or(|r| r.round != d.round) {
            rounds.push(RoundView {
                round: d.round,
                decisions: Vec::new(),
            });
        }
        if let Some(r) = rounds.last_mut() {
            r.decisions.push(DecisionView {
                who: d.reviewer_name.clone(),
                approve: d.decision == Decision::Approve,
                comment: d.comment.clone(),
                when: readable_time(&d.created_at),
            });
        }
    }
    let decided = viewer.user.is_some_and(|u| {
        decisions
            .iter()
            .any(|d| d.round == l.a.review_round && d.reviewer == u)
    });
    let may_review = l.may_review_now(visitor);
    let reason = if may_review {
        String::new()
    } else if !l.a.status.review_open() {
        format!(
            "The assessment is {}: reviewers comment and decide once it is submitted, until it is validated.",
            l.a.status.label().to_lowercase()
        )
    } else {
        "Only the assessment's reviewers may comment and decide.".to_owned()
    };
    Ok(ReviewPage {
        chrome: Chrome::new(state, visitor, &format!("/w/{}/assessments", l.ws.slug)).await,
        head: head(l, "/review"),
        base: l.href(),
        may_review,
        decided,
        reason,
        round: l.a.review_round,
        required: l.a.required_reviewers,
        approvals: decisions
            .iter()
            .filter(|d| d.round == l.a.review_round && d.decision == Decision::Approve)
            .count(),
        rounds,
        general,
        general_body,
        sections: row_sections,
        problems,
        decision: typed.decision,
        decision_comment: typed.decision_comment,
    })
}

/// `GET /w/{slug}/assessments/{id}/review`.
pub(crate) async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<ReviewPage, WebError> {
    let l = load(&state, &visitor, &slug, &id).await?;
    review_page(&state, &visitor, &l, Typed::default()).await
}

/// A refusal the reviewer can act on, as a sentence; other errors are passed on.
fn refusal(e: StoreError) -> Result<String, WebError> {
    match e {
        StoreError::Fields(f) => Ok(f
            .iter()
            .map(|f| sentence(&f.message))
            .collect::<Vec<_>>()
            .join(". ")),
        StoreError::Invalid(_) | StoreError::Conflict(_) => Ok(sentence(&e.to_string())),
        other => Err(other.into()),
    }
}

/// `POST /w/{slug}/assessments/{id}/review/comment`: a comment on one indicator
/// (`indicator`) or on the whole assessment.
pub(crate) async fn comment(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.signed_in()?;
    let l = load(&state, &visitor, &slug, &id).await?;
    let indicator = data.get("indicator").map(str::to_owned);
    if let Some(i) = &indicator
        && l.framework.node(i).and_then(|n| n.as_indicator()).is_none()
    {
        return Err(WebError::NotFound);
    }
    let body = data.text("body");
    let anchor = indicator
        .as_deref()
        .map_or_else(|| "general-comments".to_owned(), dom_id);
    match state
        .store
        .comment_on_assessment(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            l.a.id,
            indicator.as_deref(),
            &body,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{}/review#{anchor}", l.href())).into_response()),
        Err(e) => {
            let error = refusal(e)?;
            let typed = Typed {
                comment: Some((indicator.unwrap_or_default(), body, error)),
                ..Typed::default()
            };
            let page = review_page(&state, &visitor, &l, typed).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `POST /w/{slug}/assessments/{id}/review/decision`: approve, or request changes with a
/// comment.
pub(crate) async fn decide(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.signed_in()?;
    let l = load(&state, &visitor, &slug, &id).await?;
    let comment = data.text("comment");
    let mut problems = Problems::default();
    match data
        .get("decision")
        .and_then(|d| d.parse::<Decision>().ok())
    {
        None => problems.add(
            "decision-approve",
            "Choose whether to approve or to ask for changes",
        ),
        Some(decision) => match state
            .store
            .decide_on_assessment(
                &visitor.actor(),
                &visitor.viewer,
                today(),
                l.a.id,
                decision,
                &comment,
            )
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("{}/review#decisions", l.href())).into_response());
            }
            Err(StoreError::Fields(f)) => {
                for f in f {
                    let field = if f.field == "comment" {
                        "decision-comment"
                    } else {
                        "decision-approve"
                    };
                    problems.add(field, sentence(&f.message));
                }
            }
            Err(e) => problems.add("decision-approve", refusal(e)?),
        },
    }
    let typed = Typed {
        decision: data.text("decision"),
        decision_comment: comment,
        problems,
        ..Typed::default()
    };
    let page = review_page(&state, &visitor, &l, typed).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

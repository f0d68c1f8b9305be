//! Downloads of an assessment: its answers as an answer file (CSV) and its results as
//! CSV or JSON, of what the visitor may read. The formats are `custodes_formats`'.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use custodes_core::assessment::results;
use custodes_core::framework::{Answer, NodeId};
use custodes_formats::answers::{AnswerRow, SourceRef, write_csv};
use custodes_formats::results::{About, to_csv, to_json};
use custodes_store::assessment::{NamedActor, StoredAnswer};
use serde::Deserialize;

use super::{Loaded, load};
use crate::auth::Visitor;
use crate::{AppState, WebError, today};

fn file_name(l: &Loaded, what: &str) -> String {
    let safe: String = format!("{}-{}-v{}-{what}", l.ws.slug, l.a.period, l.a.version)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    safe
}

fn download(content_type: &str, name: String, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /w/{slug}/assessments/{id}/answers.csv`: the answers as an answer file.
pub(crate) async fn answers_csv(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let l = load(&state, &visitor, &slug, &id).await?;
    let answers = state
        .store
        .answers(&visitor.viewer, today(), l.a.id)
        .await?;
    // In the framework's order, as assessors read it.
    let order: BTreeMap<&str, usize> = l
        .framework
        .indicators()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let mut rows: Vec<AnswerRow> = answers
        .iter()
        .map(|a| AnswerRow {
            line: 0,
            answer: Answer {
                node: a.indicator.clone(),
                value: a.value.clone(),
            },
            explanation: a.explanation.clone(),
            actor: a.actor.as_ref().map(|x| x.name.clone()),
            sources: a
                .sources
                .iter()
                .map(|s| SourceRef {
                    title: s.title.clone(),
                    url: s.url.clone(),
                })
                .collect(),
        })
        .collect();
    rows.sort_by_key(|r| order.get(r.answer.node.as_str()).copied());
    for (i, r) in rows.iter_mut().enumerate() {
        r.line = i + 2;
    }
    Ok(download(
        "text/csv; charset=utf-8",
        file_name(&l, "answers.csv"),
        write_csv(&rows),
    ))
}

#[derive(Deserialize, Default)]
pub(crate) struct Params {
    compare: Option<String>,
}

/// The results of `l`, compared with `compare` when it names another assessment of the
/// same framework version in the workspace.
async fn computed(
    state: &AppState,
    visitor: &Visitor,
    l: &Loaded,
    compare: Option<&str>,
) -> Result<custodes_core::assessment::Results<NamedActor>, WebError> {
    let viewer = &visitor.viewer;
    let stored = state.store.answers(viewer, today(), l.a.id).await?;
    let core = |list: &[StoredAnswer]| -> Vec<Answer> {
        list.iter()
            .map(|a| Answer {
                node: a.indicator.clone(),
                value: a.value.clone(),
            })
            .collect()
    };
    let actor_of: BTreeMap<NodeId, NamedActor> = stored
        .iter()
        .filter_map(|a| a.actor.clone().map(|x| (a.indicator.clone(), x)))
        .collect();
    let earlier = match compare.filter(|c| !c.is_empty()) {
        Some(other) => {
            let o = load(state, visitor, l.ws.slug.as_str(), other).await?;
            if o.a.framework_key != l.a.framework_key
                || o.a.framework_version != l.a.framework_version
            {
                return Err(WebError::BadRequest(
                    "only assessments of the same framework version can be compared".into(),
                ));
            }
            Some(core(&state.store.answers(viewer, today(), o.a.id).await?))
        }
        None => None,
    };
    Ok(results(
        &l.framework,
        &core(&stored),
        &actor_of,
        earlier.as_deref(),
    ))
}

/// `GET /w/{slug}/assessments/{id}/results.csv`: every node's score.
pub(crate) async fn results_csv(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let l = load(&state, &visitor, &slug, &id).await?;
    let r = computed(&state, &visitor, &l, None).await?;
    Ok(download(
        "text/csv; charset=utf-8",
        file_name(&l, "results.csv"),
        to_csv(&l.framework, &r),
    ))
}

/// `GET /w/{slug}/assessments/{id}/results.json?compare={other}`: scores, diagnosis and,
/// when asked, the comparison.
pub(crate) async fn results_json(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let l = load(&state, &visitor, &slug, &id).await?;
    let r = computed(&state, &visitor, &l, params.compare.as_deref()).await?;
    let about = About {
        title: &l.a.title,
        period: &l.a.period,
        version: l.a.version,
        status: l.a.status.as_str(),
        framework: &l.a.framework_key,
        framework_version: &l.a.framework_version,
    };
    Ok(download(
        "application/json",
        file_name(&l, "results.json"),
        to_json(&about, &r),
    ))
}

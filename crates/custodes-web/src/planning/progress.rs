//! The page of an optimisation under way: the scenario, the time used against the time
//! limit, the best plan so far, the proven bound, the optimality gap, the nodes explored
//! and the stage in words, with a button that stops the search and keeps the best plan.
//!
//! With htmx the status part of the page asks for itself again every second; without
//! JavaScript the whole page reloads every two seconds (a `<meta http-equiv="refresh">`
//! inside `<noscript>`, so that the two never both run). Once the plan is saved, the page
//! sends its owner to the plan (a redirect, or `HX-Redirect` for htmx); when no plan could
//! be made, it says why in words and links back to the form with its values.
//! Only the person who started the job sees this page; anyone else gets 404.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodes_store::programme::ProgrammeQuery;
use custodes_store::workspace::Workspace;

use super::jobs::{End, Snapshot};
use super::plans::programme_words;
use super::points;
use crate::actors::group_thousands;
use crate::actors::workspace;
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, sentence};
use crate::{AppState, WebError, today};

/// A job as its page shows it.
pub(crate) struct JobView {
    id: String,
    scenario: String,
    name: String,
    stage: String,
    /// Whole seconds used, and the limit, for the progress bar.
    elapsed: u64,
    limit: u64,
    time_words: String,
    incumbent: Option<String>,
    bound: String,
    gap: String,
    tolerance: String,
    nodes: String,
    stopping: bool,
    /// Why no plan was made, once the job has failed.
    failure: Option<String>,
    /// The optimise form's address with this job's values, to try again.
    again: String,
}

/// A number for the page, or words when it is not known yet.
fn known(v: Option<f64>, f: impl Fn(f64) -> String, unknown: &str) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| unknown.to_owned(), f)
}

impl JobView {
    fn of(s: &Snapshot, slug: &str) -> JobView {
        let settings = &s.about.settings;
        let search = s.search;
        let elapsed = s.elapsed.as_secs_f64();
        let limit = settings.time_limit_seconds;
        let time_words = if elapsed <= limit {
            format!(
                "{} s used of the {} s time limit",
                elapsed.floor(),
                points(limit)
            )
        } else {
            format!(
                "{} s: the search has used its {} s time limit, and the plan is being explained and saved",
                elapsed.floor(),
                points(limit)
            )
        };
        let again = format!(
            "/w/{slug}/planning?{}#optimise",
            serde_urlencoded::to_string([
                ("scenario", s.about.scenario_key.as_str()),
                ("name", s.about.name.as_str()),
                ("time_limit", &limit.to_string()),
                ("gap", &settings.relative_gap.to_string()),
            ])
            .unwrap_or_default()
        );
        JobView {
            id: s.id.to_string(),
            scenario: s.about.scenario.clone(),
            name: s.about.name.clone(),
            stage: s.stage(),
            elapsed: (elapsed.min(limit)).floor() as u64,
            limit: limit.ceil().max(1.0) as u64,
            time_words,
            incumbent: search
                .and_then(|x| x.incumbent)
                .filter(|v| v.is_finite())
                .map(|v| format!("{v:.1}")),
            bound: known(
                search.map(|x| x.bound),
                |v| format!("{v:.1}"),
                "Not proven yet",
            ),
            gap: known(
                search.and_then(|x| x.gap),
                |v| format!("{}%", points2(v * 100.0)),
                "Not known until a plan is found",
            ),
            tolerance: format!("{}%", points2(settings.relative_gap * 100.0)),
            nodes: search.map_or_else(|| "0".to_owned(), |x| group_thousands(x.nodes)),
            stopping: s.stopping,
            failure: match &s.end {
                Some(End::Failed(reason)) => Some(sentence(reason)),
                _ => None,
            },
            again,
        }
    }
}

/// A percentage with at most two decimals ("12.5", "0.25", "3").
fn points2(v: f64) -> String {
    let text = format!("{v:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/job.html")]
pub(crate) struct JobPage {
    chrome: Chrome,
    ws: Workspace,
    job: JobView,
}

/// The part of the page that htmx asks for every second.
#[derive(Template, WebTemplate)]
#[template(path = "planning/job_status.html")]
pub(crate) struct JobStatus {
    ws: Workspace,
    job: JobView,
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// The job `id` of the visitor in workspace `ws`, or 404 (for a job of anybody else too).
fn find(
    state: &AppState,
    visitor: &Visitor,
    ws: &Workspace,
    id: &str,
) -> Result<Snapshot, WebError> {
    let user = visitor.signed_in()?;
    state
        .jobs
        .find(id, user.id)
        .filter(|j| j.workspace == ws.id)
        .ok_or(WebError::NotFound)
}

/// `GET /w/{slug}/planning/jobs/{id}`: the job's page, or its status part for htmx; the
/// plan once it is saved.
pub(crate) async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let htmx = is_htmx(&headers);
    let ws = workspace(&state.store, &slug).await?;
    let job = match find(&state, &visitor, &ws, &id) {
        Ok(job) => job,
        // The polling part reloads the whole page, which then says what happened (a job
        // is dropped a while after it ends, and lost when the server restarts).
        // Not a redirect to sign in either: htmx would follow it and put the sign-in page
        // inside this one.
        Err(e) if htmx => {
            return Ok((e.status(), [("hx-refresh", "true")]).into_response());
        }
        Err(e) => return Err(e),
    };
    if let Some(End::Plan(plan)) = &job.end {
        let to = format!("/w/{slug}/planning/plans/{plan}");
        if htmx {
            let mut response = StatusCode::NO_CONTENT.into_response();
            if let Ok(v) = HeaderValue::from_str(&to) {
                response.headers_mut().insert("hx-redirect", v);
            }
            return Ok(response);
        }
        return Ok(Redirect::to(&to).into_response());
    }
    let mut view = JobView::of(&job, &slug);
    if htmx {
        if view.failure.is_some() {
            // The page changes as a whole (heading, message, no stop button).
            let mut response = StatusCode::NO_CONTENT.into_response();
            response
                .headers_mut()
                .insert("hx-refresh", HeaderValue::from_static("true"));
            return Ok(response);
        }
        return Ok(JobStatus { ws, job: view }.into_response());
    }
    if let Some(End::Failed(reason)) = &job.end {
        // The optimiser names programmes by their keys; the page names them as people do,
        // from the programmes the visitor may read.
        let names = state
            .store
            .list_programmes(&visitor.viewer, today(), ws.id, &ProgrammeQuery::default())
            .await?
            .into_iter()
            .map(|p| (p.fields.key, p.fields.name))
            .collect();
        view.failure = Some(programme_words(&names, reason));
    }
    let path = format!("/w/{slug}/planning/jobs/{id}");
    Ok(JobPage {
        chrome: Chrome::new(&state, &visitor, &path).await,
        ws,
        job: view,
    }
    .into_response())
}

/// `POST /w/{slug}/planning/jobs/{id}/stop`: stops the search; the best plan found so far
/// is explained and saved.
pub(crate) async fn stop(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    let ws = workspace(&state.store, &slug).await?;
    let user = visitor.signed_in()?;
    state
        .jobs
        .stop(&id, user.id)
        .filter(|j| j.workspace == ws.id)
        .ok_or(WebError::NotFound)?;
    Ok(Redirect::to(&format!("/w/{slug}/planning/jobs/{id}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(1234567), "1,234,567");
        assert_eq!(points2(12.5), "12.5");
        assert_eq!(points2(0.25), "0.25");
        assert_eq!(points2(3.0), "3");
        assert_eq!(known(Some(f64::INFINITY), |v| v.to_string(), "n/a"), "n/a");
    }
}

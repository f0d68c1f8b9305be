//! The landing page: what this instance is and whom it serves.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::{AppState, WebError};

/// A workspace as the landing page lists it.
pub(crate) struct WorkspaceView {
    name: String,
    kind: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "landing.html")]
pub(crate) struct LandingPage {
    instance_name: String,
    version: &'static str,
    workspaces: Vec<WorkspaceView>,
}

/// `GET /`.
pub(crate) async fn page(State(state): State<AppState>) -> Result<LandingPage, WebError> {
    let workspaces = state
        .store
        .list_workspaces()
        .await?
        .into_iter()
        .map(|w| WorkspaceView {
            name: w.name,
            kind: match w.kind {
                custodes_core::workspace::WorkspaceKind::Country => "Country",
                custodes_core::workspace::WorkspaceKind::Region => "Region",
            },
        })
        .collect();
    Ok(LandingPage {
        instance_name: state.instance.name.clone(),
        version: state.instance.version,
        workspaces,
    })
}

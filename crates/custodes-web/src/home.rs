//! The home page: for the public, what this instance is; for a signed-in person, what
//! they can see and do.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use custodes_core::permission::{Action, permits};
use custodes_store::actor::ActorQuery;
use custodes_store::audit::Verdict;

use crate::auth::Visitor;
use crate::chrome::Chrome;
use crate::{AppState, WebError, today};

/// A workspace as the landing page lists it.
pub(crate) struct WorkspaceView {
    name: String,
    slug: String,
    kind: &'static str,
}

/// Every workspace, as the pages list them.
async fn workspace_views(state: &AppState) -> Result<Vec<WorkspaceView>, WebError> {
    Ok(state
        .store
        .list_workspaces()
        .await?
        .into_iter()
        .map(|w| WorkspaceView {
            kind: match w.kind {
                custodes_core::workspace::WorkspaceKind::Country => "Country",
                custodes_core::workspace::WorkspaceKind::Region => "Region",
            },
            slug: w.slug.to_string(),
            name: w.name,
        })
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "landing.html")]
pub(crate) struct LandingPage {
    chrome: Chrome,
    workspaces: Vec<WorkspaceView>,
}

/// An assessment the person works on, with what it waits for.
pub(crate) struct AssessmentTask {
    title: String,
    href: String,
    status: &'static str,
    next: &'static str,
}

/// The assessments of the workspace the visitor is a member of, or, for those who
/// manage assessments, that wait to be published; at most five.
async fn your_assessments(
    state: &AppState,
    visitor: &Visitor,
    ws: &custodes_store::workspace::Workspace,
) -> Result<Vec<AssessmentTask>, WebError> {
    use custodes_core::assessment::{MemberRole, Status};
    let manages = permits(visitor.role(), Action::ManageAssessments);
    let user = visitor.viewer.user;
    Ok(state
        .store
        .list_assessments(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .filter_map(|a| {
            let assessor = a.has_member(user, MemberRole::Assessor);
            let reviewer = a.has_member(user, MemberRole::Reviewer);
            let next = match a.status {
                Status::Draft if assessor => "Answer it",
                Status::Submitted | Status::InReview if reviewer => "Review it",
                Status::Validated if manages => "Publish it",
                _ if assessor || reviewer => "Read it",
                _ => return None,
            };
            Some(AssessmentTask {
                href: format!("/w/{}/assessments/{}", ws.slug, a.id),
                title: format!("{} ({}, version {})", a.title, a.period, a.version),
                status: a.status.label(),
                next,
            })
        })
        .take(5)
        .collect())
}

/// A thing the person may do, with where to do it.
pub(crate) struct Task {
    label: &'static str,
    href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub(crate) struct HomePage {
    chrome: Chrome,
    name: String,
    role: &'static str,
    clearance: &'static str,
    compartments: Vec<String>,
    actors_visible: i64,
    tasks: Vec<Task>,
    chain: Option<String>,
    assessments: Vec<AssessmentTask>,
    strategy: Option<crate::strategies::HomeSummary>,
}

/// `GET /`.
pub(crate) async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, WebError> {
    let chrome = Chrome::new(&state, &visitor, "/").await;
    let Some(user) = &visitor.user else {
        let workspaces = workspace_views(&state).await?;
        return Ok(LandingPage { chrome, workspaces }.into_response());
    };
    let compartments = state
        .store
        .list_compartments(&visitor.viewer)
        .await?
        .into_iter()
        .filter(|c| visitor.viewer.compartments.contains(&c.id))
        .map(|c| c.name)
        .collect();
    let mut actors_visible = 0;
    let mut tasks = Vec::new();
    let mut assessments = Vec::new();
    let mut strategy = None;
    if let Some(ws) = &chrome.workspace {
        assessments = your_assessments(&state, &visitor, ws).await?;
        strategy = Some(crate::strategies::home_summary(&state, &visitor, ws).await?);
        let page = state
            .store
            .list_actors(
                &visitor.viewer,
                today(),
                ws.id,
                &ActorQuery {
                    limit: Some(1),
                    ..ActorQuery::default()
                },
            )
            .await?;
        actors_visible = page.total;
        tasks.push(Task {
            label: "Read the sector map",
            href: format!("/w/{}/actors", ws.slug),
        });
        if permits(visitor.role(), Action::EditSectorMap) {
            tasks.push(Task {
                label: "Add an actor to the sector map",
                href: format!("/w/{}/actors/new", ws.slug),
            });
        }
    }
    for (action, label, href) in [
        (
            Action::ManageUsers,
            "Manage users, roles and clearances",
            "/admin/users",
        ),
        (
            Action::ManageCompartments,
            "Manage compartments and their members",
            "/admin/compartments",
        ),
        (Action::ReadAuditLog, "Review the audit log", "/admin/audit"),
        (
            Action::ReadPermissions,
            "Read who may do what",
            "/admin/permissions",
        ),
        (
            Action::UseApiTokens,
            "Create an API token for scripts and tools",
            "/account/tokens",
        ),
    ] {
        if permits(visitor.role(), action) {
            tasks.push(Task {
                label,
                href: href.to_owned(),
            });
        }
    }
    let chain = if permits(visitor.role(), Action::ReadAuditLog) {
        Some(match state.store.verify_audit().await? {
            Verdict::Intact { .. } => "The audit chain is intact.".to_owned(),
            Verdict::Broken(b) => format!("The audit chain is broken: {b}."),
        })
    } else {
        None
    };
    Ok(HomePage {
        chrome,
        name: user.display_name.clone(),
        role: visitor.role().map_or("", |r| r.label()),
        clearance: visitor.viewer.clearance.as_str(),
        compartments,
        actors_visible,
        tasks,
        chain,
        assessments,
        strategy,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "workspaces.html")]
pub(crate) struct WorkspacesPage {
    chrome: Chrome,
    workspaces: Vec<WorkspaceView>,
}

/// `GET /workspaces`: the workspace switcher.
pub(crate) async fn workspaces(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<WorkspacesPage, WebError> {
    let workspaces = workspace_views(&state).await?;
    Ok(WorkspacesPage {
        chrome: Chrome::new(&state, &visitor, "/workspaces").await,
        workspaces,
    })
}

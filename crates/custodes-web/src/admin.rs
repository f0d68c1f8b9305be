//! Administration: users, compartments, the permission table and the audit log.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodes_core::access::CompartmentKind;
use custodes_core::audit::StoredEntry;
use custodes_core::permission::{Action, TABLE};
use custodes_core::{Level, Role};
use custodes_store::StoreError;
use custodes_store::audit::{AuditFilter, Verdict};
use custodes_store::compartment::Compartment;
use custodes_store::user::NewUser;
use serde::Deserialize;

use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::{AppState, WebError, today};

/// A user as the list shows them.
pub(crate) struct UserRow {
    username: String,
    name: String,
    role: &'static str,
    clearance: &'static str,
    disabled: bool,
}

/// A choice in a select.
pub(crate) struct Opt {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

fn role_options(selected: Option<Role>) -> Vec<Opt> {
    Role::ALL
        .iter()
        .map(|r| Opt {
            value: r.as_str(),
            label: r.label(),
            selected: Some(*r) == selected,
        })
        .collect()
}

fn level_options(selected: Level) -> Vec<Opt> {
    Level::ALL
        .iter()
        .map(|l| Opt {
            value: l.as_str(),
            label: l.as_str(),
            selected: *l == selected,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub(crate) struct UsersPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    problems: Problems,
    new_username: String,
    new_name: String,
    roles: Vec<Opt>,
    levels: Vec<Opt>,
    created: Option<(String, String)>,
}

async fn users_page(
    state: &AppState,
    visitor: &Visitor,
    problems: Problems,
    form: &FormData,
    created: Option<(String, String)>,
) -> Result<UsersPage, WebError> {
    let users = state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            username: u.username,
            name: u.display_name,
            role: u.role.label(),
            clearance: u.clearance.as_str(),
            disabled: u.disabled,
        })
        .collect();
    Ok(UsersPage {
        chrome: Chrome::new(state, visitor, "/admin/users").await,
        users,
        problems,
        new_username: form.text("username"),
        new_name: form.text("display_name"),
        roles: role_options(form.get("role").and_then(|r| r.parse().ok())),
        levels: level_options(
            form.get("clearance")
                .and_then(|l| l.parse().ok())
                .unwrap_or(Level::Official),
        ),
        created,
    })
}

/// `GET /admin/users`.
pub(crate) async fn users(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<UsersPage, WebError> {
    visitor.require(Action::ManageUsers)?;
    users_page(
        &state,
        &visitor,
        Problems::default(),
        &FormData::default(),
        None,
    )
    .await
}

/// `POST /admin/users`: creates a user with a generated password shown once.
pub(crate) async fn create_user(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, form.get("csrf"))?;
    visitor.require(Action::ManageUsers)?;
    let mut problems = Problems::default();
    let role = form.get("role").and_then(|r| r.parse::<Role>().ok());
    if role.is_none() {
        problems.add("role", "Choose a role");
    }
    let clearance = form
        .get("clearance")
        .and_then(|l| l.parse::<Level>().ok())
        .unwrap_or(Level::Official);
    if form.get("username").is_none() {
        problems.add("username", "Enter a username");
    }
    let mut created = None;
    if let (Some(role), true) = (role, problems.is_empty()) {
        let password = crate::generate_password();
        let new = NewUser {
            username: form.text("username"),
            display_name: form.text("display_name"),
            role,
            clearance,
            password: password.clone(),
        };
        match state.store.create_user(&visitor.actor(), new).await {
            Ok(user) => created = Some((user.username, password)),
            Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
                problems.add("username", sentence(&e.to_string()));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let blank = FormData::default();
    let page = users_page(
        &state,
        &visitor,
        problems,
        if created.is_some() { &blank } else { &form },
        created,
    )
    .await?;
    Ok((status, page).into_response())
}

/// A compartment as the user page shows it.
pub(crate) struct Membership {
    id: String,
    name: String,
    member: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/user.html")]
pub(crate) struct UserPage {
    chrome: Chrome,
    username: String,
    name: String,
    disabled: bool,
    roles: Vec<Opt>,
    levels: Vec<Opt>,
    memberships: Vec<Membership>,
    tokens: Vec<custodes_store::session::ApiToken>,
    now: String,
    token_caption: String,
    revoke_action: String,
    second_factor: bool,
    saved: bool,
}

#[derive(Deserialize)]
pub(crate) struct SavedParam {
    saved: Option<String>,
}

/// `GET /admin/users/{username}`.
pub(crate) async fn user(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(username): Path<String>,
    Query(q): Query<SavedParam>,
) -> Result<UserPage, WebError> {
    visitor.require(Action::ManageUsers)?;
    let user = state.store.user_by_username(&username).await?;
    let viewer = state.store.viewer(user.id).await?;
    let memberships = state
        .store
        .list_compartments(&visitor.viewer)
        .await?
        .into_iter()
        .map(|c: Compartment| Membership {
            member: viewer
                .as_ref()
                .is_some_and(|v| v.compartments.contains(&c.id)),
            id: c.id.to_string(),
            name: c.name,
        })
        .collect();
    let tokens = state.store.list_tokens(&user).await?;
    let second_factor = state.store.has_second_factor(&user).await?;
    let token_caption = format!("API tokens of {}", user.display_name);
    let revoke_action = format!("/admin/users/{}", user.username);
    Ok(UserPage {
        chrome: Chrome::new(&state, &visitor, "/admin/users").await,
        roles: role_options(Some(user.role)),
        levels: level_options(user.clearance),
        username: user.username,
        name: user.display_name,
        disabled: user.disabled,
        memberships,
        tokens,
        now: crate::now_stored(),
        token_caption,
        revoke_action,
        second_factor,
        saved: q.saved.is_some(),
    })
}

/// `POST /admin/users/{username}`: role, clearance, status and memberships.
pub(crate) async fn update_user(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(username): Path<String>,
    form: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, form.get("csrf"))?;
    visitor.require(Action::ManageUsers)?;
    let user = state.store.user_by_username(&username).await?;
    let actor = visitor.actor();
    if form.get("reset_second_factor").is_some() {
        state.store.reset_second_factor(&actor, &user).await?;
        return Ok(Redirect::to(&format!("/admin/users/{username}?saved=1")).into_response());
    }
    if let Some(token) = form.get("revoke") {
        state.store.revoke_token_of(&actor, &user, token).await?;
        return Ok(Redirect::to(&format!("/admin/users/{username}?saved=1")).into_response());
    }
    let role = form
        .get("role")
        .and_then(|r| r.parse::<Role>().ok())
        .unwrap_or(user.role);
    let clearance = form
        .get("clearance")
        .and_then(|l| l.parse::<Level>().ok())
        .unwrap_or(user.clearance);
    if role != user.role || clearance != user.clearance {
        state
            .store
            .set_role_and_clearance(&actor, &username, role, clearance)
            .await?;
    }
    let disabled = form.get("status") == Some("disabled");
    if disabled != user.disabled {
        state
            .store
            .set_user_disabled(&actor, &username, disabled)
            .await?;
    }
    let current = state
        .store
        .viewer(user.id)
        .await?
        .map(|v| v.compartments)
        .unwrap_or_default();
    let wanted: Vec<&str> = form.all("compartments");
    for c in state.store.list_compartments(&visitor.viewer).await? {
        let want = wanted.contains(&c.id.to_string().as_str());
        if want != current.contains(&c.id) {
            state
                .store
                .set_membership(&actor, c.id, &username, want)
                .await?;
        }
    }
    Ok(Redirect::to(&format!("/admin/users/{username}?saved=1")).into_response())
}

/// A compartment row.
pub(crate) struct CompartmentRow {
    name: String,
    slug: String,
    kind: &'static str,
    description: String,
    members: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/compartments.html")]
pub(crate) struct CompartmentsPage {
    chrome: Chrome,
    rows: Vec<CompartmentRow>,
    problems: Problems,
    form_slug: String,
    form_name: String,
    form_description: String,
}

async fn compartments_page(
    state: &AppState,
    visitor: &Visitor,
    problems: Problems,
    form: &FormData,
) -> Result<CompartmentsPage, WebError> {
    let mut rows = Vec::new();
    for c in state.store.list_compartments(&visitor.viewer).await? {
        let members = state.store.compartment_members(c.id).await?;
        rows.push(CompartmentRow {
            name: c.name,
            slug: c.slug,
            kind: c.kind.label(),
            description: c.description,
            members: if members.is_empty() {
                "No one".into()
            } else {
                members.join(", ")
            },
        });
    }
    Ok(CompartmentsPage {
        chrome: Chrome::new(state, visitor, "/admin/compartments").await,
        rows,
        problems,
        form_slug: form.text("slug"),
        form_name: form.text("name"),
        form_description: form.text("description"),
    })
}

/// `GET /admin/compartments`.
pub(crate) async fn compartments(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<CompartmentsPage, WebError> {
    visitor.require(Action::ManageCompartments)?;
    compartments_page(&state, &visitor, Problems::default(), &FormData::default()).await
}

/// `POST /admin/compartments`.
pub(crate) async fn create_compartment(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, form.get("csrf"))?;
    visitor.require(Action::ManageCompartments)?;
    let mut problems = Problems::default();
    let kind = form
        .get("kind")
        .and_then(|k| k.parse::<CompartmentKind>().ok());
    if form.get("name").is_none() {
        problems.add("name", "Enter the compartment's name");
    }
    if form.get("slug").is_none() {
        problems.add("slug", "Enter a short name");
    }
    if kind.is_none() {
        problems.add("kind", "Choose what the compartment gathers");
    }
    if let (Some(kind), true) = (kind, problems.is_empty()) {
        match state
            .store
            .create_compartment(
                &visitor.actor(),
                &form.text("slug"),
                &form.text("name"),
                kind,
                &form.text("description"),
            )
            .await
        {
            Ok(_) => return Ok(Redirect::to("/admin/compartments").into_response()),
            Err(e @ (StoreError::Invalid(_) | StoreError::Conflict(_))) => {
                problems.add("slug", sentence(&e.to_string()))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = compartments_page(&state, &visitor, problems, &form).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A row of the permission table.
pub(crate) struct PermissionRow {
    action: &'static str,
    allowed: Vec<bool>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/permissions.html")]
pub(crate) struct PermissionsPage {
    chrome: Chrome,
    roles: Vec<&'static str>,
    rows: Vec<PermissionRow>,
}

/// `GET /admin/permissions`: the permission table of `custodes-core`, as it is.
pub(crate) async fn permissions(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<PermissionsPage, WebError> {
    visitor.require(Action::ReadPermissions)?;
    let rows = TABLE
        .iter()
        .map(|(action, roles)| PermissionRow {
            action: action.describe(),
            allowed: Role::ALL.iter().map(|r| roles.contains(r)).collect(),
        })
        .collect();
    Ok(PermissionsPage {
        chrome: Chrome::new(&state, &visitor, "/admin/permissions").await,
        roles: Role::ALL.iter().map(|r| r.label()).collect(),
        rows,
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct AuditParams {
    action: Option<String>,
    entity_kind: Option<String>,
    actor: Option<String>,
    page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub(crate) struct AuditPage {
    chrome: Chrome,
    entries: Vec<StoredEntry>,
    total: i64,
    chain: String,
    intact: bool,
    action: String,
    entity_kind: String,
    actor: String,
    page: i64,
    pages: i64,
    query_string: String,
}

/// `GET /admin/audit`.
pub(crate) async fn audit(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(p): Query<AuditParams>,
) -> Result<AuditPage, WebError> {
    visitor.require(Action::ReadAuditLog)?;
    let filter = AuditFilter {
        action: p.action.clone(),
        entity_kind: p.entity_kind.clone(),
        actor_name: p.actor.clone(),
    };
    let page = p.page.unwrap_or(1).max(1);
    let per = 50;
    let (entries, total) = state
        .store
        .audit_log(&visitor.viewer, today(), &filter, per, (page - 1) * per)
        .await?;
    let (chain, intact) = match state.store.verify_audit().await? {
        Verdict::Intact { head_hash, .. } => (
            format!("The chain is intact. Its head is {head_hash}."),
            true,
        ),
        Verdict::Broken(b) => (format!("The chain is broken: {b}."), false),
    };
    let (action, entity_kind, actor) = (
        p.action.unwrap_or_default(),
        p.entity_kind.unwrap_or_default(),
        p.actor.unwrap_or_default(),
    );
    let query_string = serde_urlencoded::to_string([
        ("action", action.as_str()),
        ("entity_kind", entity_kind.as_str()),
        ("actor", actor.as_str()),
    ])
    .unwrap_or_default();
    Ok(AuditPage {
        chrome: Chrome::new(&state, &visitor, "/admin/audit").await,
        entries,
        total,
        chain,
        intact,
        action,
        entity_kind,
        actor,
        page,
        pages: ((total + per - 1) / per).max(1),
        query_string,
    })
}

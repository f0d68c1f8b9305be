//! What every page shows around its content: the instance's name, who is signed in, the
//! navigation to the modules that exist, and the sign-out form.

use custodes_core::permission::Action;
use custodes_store::workspace::Workspace;

use crate::AppState;
use crate::auth::Visitor;

/// A link in the main navigation.
#[derive(Clone, Debug)]
pub(crate) struct NavItem {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// The frame of a page.
#[derive(Clone, Debug)]
pub(crate) struct Chrome {
    pub instance_name: String,
    pub version: &'static str,
    pub user_name: Option<String>,
    pub role_label: &'static str,
    pub clearance: &'static str,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub workspace: Option<Workspace>,
}

impl Chrome {
    /// The frame for `visitor` on the page at `path`. The workspace is the one in the
    /// address (`/w/{slug}/…`), else the first one.
    pub async fn new(state: &AppState, visitor: &Visitor, path: &str) -> Chrome {
        let workspaces = state.store.list_workspaces().await.unwrap_or_default();
        let in_path = path
            .strip_prefix("/w/")
            .and_then(|rest| rest.split('/').next())
            .and_then(|slug| workspaces.iter().find(|w| w.slug.as_str() == slug));
        let workspace = in_path.or(workspaces.first()).cloned();
        let mut nav = vec![NavItem {
            label: "Home",
            href: "/".into(),
            current: path == "/",
        }];
        if let Some(ws) = &workspace {
            let href = format!("/w/{}/actors", ws.slug);
            nav.push(NavItem {
                label: "Sector map",
                current: path.starts_with(&href),
                href,
            });
            let href = format!("/w/{}/assessments", ws.slug);
            nav.push(NavItem {
                label: "Assessments",
                current: path.starts_with(&href),
                href,
            });
        }
        if let Some(ws) = &workspace {
            nav.push(crate::strategies::nav_item(&ws.slug.to_string(), path));
            nav.push(crate::planning::nav_item(&ws.slug.to_string(), path));
        }
        nav.push(NavItem {
            label: "Frameworks",
            href: "/frameworks".into(),
            current: path.starts_with("/frameworks"),
        });
        let mut add = |action: Action, label: &'static str, href: &str| {
            if visitor.may(action) {
                nav.push(NavItem {
                    label,
                    href: href.to_owned(),
                    current: path.starts_with(href),
                });
            }
        };
        add(Action::ManageUsers, "Users", "/admin/users");
        add(
            Action::ManageCompartments,
            "Compartments",
            "/admin/compartments",
        );
        add(Action::ReadPermissions, "Permissions", "/admin/permissions");
        add(Action::ReadAuditLog, "Audit log", "/admin/audit");
        add(Action::UseApiTokens, "API tokens", "/account/tokens");
        if visitor.user.is_some() {
            nav.push(NavItem {
                label: "Your account",
                href: "/account/security".into(),
                current: path.starts_with("/account/security"),
            });
        }
        Chrome {
            instance_name: state.instance.name.clone(),
            version: state.instance.version,
            user_name: visitor.user.as_ref().map(|u| u.display_name.clone()),
            role_label: visitor.role().map_or("", |r| r.label()),
            clearance: visitor.viewer.clearance.as_str(),
            nav,
            csrf: visitor.csrf.clone().unwrap_or_default(),
            workspace,
        }
    }
}

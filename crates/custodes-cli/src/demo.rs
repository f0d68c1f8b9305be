//! The demo country, the Republic of Arvenia: what `custodes demo` puts in a new database.
//!
//! Everything here is fictional. Each module adds its part of the story as it is built;
//! the people are one per role, with clearances that differ so that each sees a
//! different country.

use custodes_core::audit::Actor;
use custodes_core::workspace::{Slug, WorkspaceKind};
use custodes_core::{Level, Role};
use custodes_store::user::NewUser;
use custodes_store::{Store, StoreError};

/// One demo person.
#[derive(Clone, Copy, Debug)]
pub struct DemoPerson {
    /// The name to sign in with.
    pub username: &'static str,
    /// Their name.
    pub name: &'static str,
    /// Where they work, in words.
    pub works_at: &'static str,
    /// Their role.
    pub role: Role,
    /// Their clearance.
    pub clearance: Level,
}

/// The demo workspace's short name.
pub const WORKSPACE_SLUG: &str = "arvenia";
/// The demo workspace's name.
pub const WORKSPACE_NAME: &str = "Republic of Arvenia";

/// One person per role.
pub const PEOPLE: [DemoPerson; 8] = [
    DemoPerson {
        username: "admin",
        name: "Mira Kostan",
        works_at: "Administrator of this instance",
        role: Role::Administrator,
        clearance: Level::Secret,
    },
    DemoPerson {
        username: "planner",
        name: "Tomas Ilvar",
        works_at: "National Security Council secretariat",
        role: Role::Planner,
        clearance: Level::Secret,
    },
    DemoPerson {
        username: "assessor",
        name: "Lena Osk",
        works_at: "Arvenian Centre for Security Studies",
        role: Role::Assessor,
        clearance: Level::Official,
    },
    DemoPerson {
        username: "reviewer",
        name: "Pieter Haag",
        works_at: "Peer reviewer, regional security organisation",
        role: Role::Reviewer,
        clearance: Level::Official,
    },
    DemoPerson {
        username: "officer",
        name: "Idris Branek",
        works_at: "Border and Coast Guard",
        role: Role::AgencyOfficer,
        clearance: Level::Confidential,
    },
    DemoPerson {
        username: "mp",
        name: "Sela Dorin",
        works_at: "Defence and Security Committee, National Assembly",
        role: Role::Parliament,
        clearance: Level::Secret,
    },
    DemoPerson {
        username: "donor",
        name: "Karin Lund",
        works_at: "Nordic Partnership Agency",
        role: Role::Donor,
        clearance: Level::Official,
    },
    DemoPerson {
        username: "auditor",
        name: "Joran Petrov",
        works_at: "Court of Accounts",
        role: Role::Auditor,
        clearance: Level::Confidential,
    },
];

/// The demo password of a demo person. Demo passwords are printed and predictable: a
/// demo database is for trying the product, never for real data.
pub fn password(username: &str) -> String {
    format!("{username}-arvenia-demo")
}

/// Fills the database with the demo country, adding only what is missing, so that an
/// interrupted run completes on the next. Returns true when anything was added.
pub async fn ensure(store: &Store) -> Result<bool, StoreError> {
    let mut added = false;
    let actor = Actor::System;
    if !store
        .list_workspaces()
        .await?
        .iter()
        .any(|w| w.slug.as_str() == WORKSPACE_SLUG)
    {
        let slug = Slug::parse(WORKSPACE_SLUG).map_err(|e| StoreError::Invalid(e.to_string()))?;
        store
            .create_workspace(&actor, slug, WORKSPACE_NAME, WorkspaceKind::Country)
            .await?;
        added = true;
    }
    let existing = store.list_users().await?;
    for person in PEOPLE {
        if existing.iter().any(|u| u.username == person.username) {
            continue;
        }
        store
            .create_user(
                &actor,
                NewUser {
                    username: person.username.into(),
                    display_name: person.name.into(),
                    role: person.role,
                    clearance: person.clearance,
                    password: password(person.username),
                },
            )
            .await?;
        added = true;
    }
    Ok(added)
}

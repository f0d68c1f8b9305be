//! Compartments (need-to-know groups) and their members; users' roles and clearances.

use std::collections::BTreeSet;

use custodes_core::access::CompartmentKind;
use custodes_core::audit::Actor;
use custodes_core::permission::{Action, permits};
use custodes_core::policy::Viewer;
use custodes_core::workspace::Slug;
use custodes_core::{CompartmentId, Level, Role, UserId};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use crate::database::Store;
use crate::error::{StoreError, conflict};

/// A compartment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Compartment {
    /// Its id.
    pub id: CompartmentId,
    /// Its short name.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// What it gathers.
    pub kind: CompartmentKind,
    /// What it is for.
    pub description: String,
}

fn compartment_from_row(row: &sqlx::any::AnyRow) -> Result<Compartment, StoreError> {
    let id: String = row.try_get(0)?;
    let kind: String = row.try_get(3)?;
    Ok(Compartment {
        id: id.parse().map_err(|_| {
            StoreError::Invalid(format!("stored compartment id '{id}' is not a UUID"))
        })?,
        slug: row.try_get(1)?,
        name: row.try_get(2)?,
        kind: kind
            .parse()
            .map_err(|e: custodes_core::access::UnknownName| StoreError::Invalid(e.to_string()))?,
        description: row.try_get(4)?,
    })
}

impl Store {
    /// Creates a compartment.
    pub async fn create_compartment(
        &self,
        actor: &Actor,
        slug: &str,
        name: &str,
        kind: CompartmentKind,
        description: &str,
    ) -> Result<Compartment, StoreError> {
        let slug = Slug::parse(slug).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a compartment needs a name".into()));
        }
        let c = Compartment {
            id: CompartmentId::from_uuid(Uuid::now_v7()),
            slug: slug.to_string(),
            name: name.to_owned(),
            kind,
            description: description.trim().to_owned(),
        };
        let id = c.id.to_string();
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO compartment (id, slug, name, kind, description, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&id)
        .bind(&c.slug)
        .bind(&c.name)
        .bind(c.kind.as_str())
        .bind(&c.description)
        .bind(&now)
        .execute(tx.conn())
        .await
        .map_err(|e| {
            conflict(e, || {
                format!("a compartment named '{}' already exists", c.slug)
            })
        })?;
        tx.audit(actor, "compartment.create", "compartment", &id, None, &c)
            .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// The compartments a viewer may know of: all of them for those who manage
    /// compartments, otherwise the ones the viewer belongs to. A compartment's name can
    /// itself be sensitive ("the sharing group on the northern operation").
    pub async fn list_compartments(&self, viewer: &Viewer) -> Result<Vec<Compartment>, StoreError> {
        let sees_all = permits(viewer.role, Action::ManageCompartments);
        let rows = sqlx::query(
            "SELECT c.id, c.slug, c.name, c.kind, c.description FROM compartment c \
             WHERE $1 = 1 OR EXISTS (SELECT 1 FROM compartment_member m \
                                     WHERE m.compartment_id = c.id AND m.user_id = $2) \
             ORDER BY c.name",
        )
        .bind(i64::from(sees_all))
        .bind(viewer.user.map(|u| u.to_string()).unwrap_or_default())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(compartment_from_row).collect()
    }

    /// The members of a compartment, as usernames (for those who manage compartments).
    pub async fn compartment_members(&self, id: CompartmentId) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT u.username FROM compartment_member m JOIN app_user u ON u.id = m.user_id \
             WHERE m.compartment_id = $1 ORDER BY u.username",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Adds a user to a compartment, or removes them.
    pub async fn set_membership(
        &self,
        actor: &Actor,
        compartment: CompartmentId,
        username: &str,
        member: bool,
    ) -> Result<(), StoreError> {
        let user = self.user_by_username(username).await?;
        let (cid, uid) = (compartment.to_string(), user.id.to_string());
        let mut tx = self.begin_write().await?;
        let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM compartment WHERE id = $1")
            .bind(&cid)
            .fetch_one(tx.conn())
            .await?;
        if exists == 0 {
            return Err(StoreError::NotFound {
                kind: "compartment",
                key: cid,
            });
        }
        if member {
            sqlx::query(
                "INSERT INTO compartment_member (compartment_id, user_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&cid)
            .bind(&uid)
            .execute(tx.conn())
            .await?;
        } else {
            sqlx::query(
                "DELETE FROM compartment_member WHERE compartment_id = $1 AND user_id = $2",
            )
            .bind(&cid)
            .bind(&uid)
            .execute(tx.conn())
            .await?;
        }
        #[derive(Serialize)]
        struct Membership<'a> {
            compartment: &'a str,
            user: &'a str,
            member: bool,
        }
        let action = if member {
            "compartment.add_member"
        } else {
            "compartment.remove_member"
        };
        let state = Membership {
            compartment: &cid,
            user: &uid,
            member,
        };
        tx.audit(actor, action, "compartment", &cid, None, &state)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The viewer a user is: role, clearance and memberships as the database holds them
    /// now. `None` for a disabled or unknown user.
    pub async fn viewer(&self, user: UserId) -> Result<Option<Viewer>, StoreError> {
        let row = sqlx::query("SELECT role, clearance, disabled FROM app_user WHERE id = $1")
            .bind(user.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let role: String = row.try_get(0)?;
        let clearance: i64 = row.try_get(1)?;
        let disabled: i64 = row.try_get(2)?;
        if disabled != 0 {
            return Ok(None);
        }
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT compartment_id FROM compartment_member WHERE user_id = $1")
                .bind(user.to_string())
                .fetch_all(&self.pool)
                .await?;
        let compartments: BTreeSet<CompartmentId> =
            ids.iter().filter_map(|s| s.parse().ok()).collect();
        Ok(Some(Viewer {
            user: Some(user),
            role: role.parse::<Role>().ok(),
            clearance: Level::from_rank(clearance).unwrap_or(Level::Public),
            compartments,
        }))
    }

    /// Changes a user's role and clearance.
    pub async fn set_role_and_clearance(
        &self,
        actor: &Actor,
        username: &str,
        role: Role,
        clearance: Level,
    ) -> Result<custodes_core::user::User, StoreError> {
        let mut user = self.user_by_username(username).await?;
        user.role = role;
        user.clearance = clearance;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE app_user SET role = $1, clearance = $2, updated_at = $3 WHERE id = $4")
            .bind(role.as_str())
            .bind(clearance.rank())
            .bind(crate::time::now())
            .bind(user.id.to_string())
            .execute(tx.conn())
            .await?;
        crate::user::audit_user(&mut tx, actor, "user.update", &user).await?;
        tx.commit().await?;
        Ok(user)
    }
}

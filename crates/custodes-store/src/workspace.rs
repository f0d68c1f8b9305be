//! Workspaces: creation and listing, audited.

use custodes_core::WorkspaceId;
use custodes_core::audit::Actor;
use custodes_core::workspace::{Slug, WorkspaceKind};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use crate::database::Store;
use crate::error::{StoreError, conflict};

/// A workspace: one country or region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Workspace {
    /// Its id.
    pub id: WorkspaceId,
    /// The short name used in addresses.
    pub slug: Slug,
    /// The full name ("Republic of Arvenia").
    pub name: String,
    /// Country or region.
    pub kind: WorkspaceKind,
}

impl Store {
    /// Creates a workspace. Fails with a conflict when the short name is taken.
    pub async fn create_workspace(
        &self,
        actor: &Actor,
        slug: Slug,
        name: &str,
        kind: WorkspaceKind,
    ) -> Result<Workspace, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a workspace needs a name".into()));
        }
        let ws = Workspace {
            id: WorkspaceId::from_uuid(Uuid::now_v7()),
            slug,
            name: name.to_owned(),
            kind,
        };
        let id = ws.id.to_string();
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO workspace (id, slug, name, kind, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(&id)
        .bind(ws.slug.as_str())
        .bind(&ws.name)
        .bind(ws.kind.as_str())
        .bind(&now)
        .execute(tx.conn())
        .await
        .map_err(|e| {
            conflict(e, || {
                format!("a workspace named '{}' already exists", ws.slug)
            })
        })?;
        tx.audit(actor, "workspace.create", "workspace", &id, Some(&id), &ws)
            .await?;
        tx.commit().await?;
        Ok(ws)
    }

    /// Every workspace, by name. Workspace names are public: they say which country an
    /// instance serves.
    pub async fn list_workspaces(&self) -> Result<Vec<Workspace>, StoreError> {
        let rows = sqlx::query("SELECT id, slug, name, kind FROM workspace ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get(0)?;
                let slug: String = row.try_get(1)?;
                let kind: String = row.try_get(3)?;
                let bad =
                    |what: String| StoreError::Invalid(format!("stored workspace {id}: {what}"));
                Ok(Workspace {
                    id: id.parse().map_err(|_| bad("id is not a UUID".into()))?,
                    slug: Slug::parse(&slug).map_err(|e| bad(e.to_string()))?,
                    name: row.try_get(2)?,
                    kind: kind
                        .parse()
                        .map_err(|e: custodes_core::access::UnknownName| bad(e.to_string()))?,
                })
            })
            .collect()
    }
}

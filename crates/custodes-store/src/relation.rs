//! Relations between actors of the sector map, and the checks run over the map. A
//! relation is visible to a viewer only when both of its actors are.

use chrono::NaiveDate;
use custodes_core::audit::Actor;
use custodes_core::permission::{Action, permits};
use custodes_core::policy::Viewer;
use custodes_core::sector::{Finding, MapActor, MapRelation, RelationKind, check_sector};
use custodes_core::{ActorId, WorkspaceId};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use crate::database::Store;
use crate::error::{StoreError, conflict};
use crate::policy::{ViewerBinds, visible};

/// A relation, with the names of both actors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Relation {
    /// Its id.
    pub id: String,
    /// From this actor…
    pub from: ActorId,
    /// …named so.
    pub from_name: String,
    /// To this actor…
    pub to: ActorId,
    /// …named so.
    pub to_name: String,
    /// How they are related.
    pub kind: RelationKind,
    /// A note (the law or agreement behind it, for example).
    pub note: String,
}

/// What is needed to relate two actors.
#[derive(Clone, Copy, Debug)]
pub struct NewRelation<'a> {
    /// From this actor…
    pub from: ActorId,
    /// …to this one.
    pub to: ActorId,
    /// How.
    pub kind: RelationKind,
    /// A note.
    pub note: &'a str,
}

impl Store {
    /// The relations of a workspace whose two actors the viewer may read, optionally only
    /// those touching one actor.
    pub async fn list_relations(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        touching: Option<ActorId>,
    ) -> Result<Vec<Relation>, StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let mut sql = format!(
            "SELECT r.id, r.from_actor, f.name, r.to_actor, t.name, r.kind, r.oversight, r.note \
             FROM actor_relation r JOIN actor f ON f.id = r.from_actor JOIN actor t ON t.id = r.to_actor \
             WHERE r.workspace_id = $4 AND {} AND {}",
            visible("f", "actor", 1),
            visible("t", "actor", 1)
        );
        if touching.is_some() {
            sql.push_str(" AND (r.from_actor = $5 OR r.to_actor = $5)");
        }
        sql.push_str(" ORDER BY f.name, r.kind, t.name");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user)
            .bind(workspace.to_string());
        if let Some(a) = touching {
            q = q.bind(a.to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let from: String = row.try_get(1)?;
                let to: String = row.try_get(3)?;
                let kind: String = row.try_get(5)?;
                let oversight: Option<String> = row.try_get(6)?;
                let bad = |what: &str| StoreError::Invalid(format!("stored relation: {what}"));
                Ok(Relation {
                    id: row.try_get(0)?,
                    from: from.parse().map_err(|_| bad("from"))?,
                    from_name: row.try_get(2)?,
                    to: to.parse().map_err(|_| bad("to"))?,
                    to_name: row.try_get(4)?,
                    kind: RelationKind::parse(&kind, oversight.as_deref())
                        .ok_or_else(|| bad("kind"))?,
                    note: row.try_get(7)?,
                })
            })
            .collect()
    }

    /// Adds a relation between two actors the viewer may read.
    pub async fn create_relation(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        new: NewRelation<'_>,
    ) -> Result<Relation, StoreError> {
        let NewRelation {
            from,
            to,
            kind,
            note,
        } = new;
        if !permits(viewer.role, Action::EditSectorMap) {
            return Err(StoreError::Forbidden("edit the sector map"));
        }
        if from == to {
            return Err(StoreError::Invalid(
                "an actor cannot be related to itself".into(),
            ));
        }
        let (Some(f), Some(t)) = (
            self.get_actor(viewer, today, from).await?,
            self.get_actor(viewer, today, to).await?,
        ) else {
            return Err(StoreError::NotFound {
                kind: "actor",
                key: format!("{from} or {to}"),
            });
        };
        if f.workspace != t.workspace {
            return Err(StoreError::Invalid(
                "both actors must belong to the same sector map".into(),
            ));
        }
        let relation = Relation {
            id: Uuid::now_v7().to_string(),
            from,
            from_name: f.fields.name,
            to,
            to_name: t.fields.name,
            kind,
            note: note.trim().to_owned(),
        };
        let oversight = match kind {
            RelationKind::Oversees(k) => Some(k.as_str()),
            _ => None,
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO actor_relation (id, workspace_id, from_actor, to_actor, kind, oversight, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&relation.id)
        .bind(f.workspace.to_string())
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(kind.as_str())
        .bind(oversight)
        .bind(&relation.note)
        .bind(crate::time::now())
        .execute(tx.conn())
        .await
        .map_err(|e| conflict(e, || "these actors are already related this way".into()))?;
        let ws = f.workspace.to_string();
        tx.audit(
            actor,
            "relation.create",
            "actor_relation",
            &relation.id,
            Some(&ws),
            &relation,
        )
        .await?;
        tx.commit().await?;
        Ok(relation)
    }

    /// Removes a relation the viewer can see.
    pub async fn delete_relation(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        id: &str,
    ) -> Result<(), StoreError> {
        if !permits(viewer.role, Action::EditSectorMap) {
            return Err(StoreError::Forbidden("edit the sector map"));
        }
        let visible_ones = self.list_relations(viewer, today, workspace, None).await?;
        let Some(r) = visible_ones.into_iter().find(|r| r.id == id) else {
            return Err(StoreError::NotFound {
                kind: "relation",
                key: id.to_owned(),
            });
        };
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM actor_relation WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
        let ws = workspace.to_string();
        tx.audit(
            actor,
            "relation.delete",
            "actor_relation",
            id,
            Some(&ws),
            &r,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The sector map as the viewer may read it, and the checks' findings on it.
    pub async fn sector_map(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
    ) -> Result<(Vec<MapActor>, Vec<Relation>, Vec<Finding>), StoreError> {
        let actors: Vec<MapActor> = self
            .all_actors(viewer, today, workspace)
            .await?
            .into_iter()
            .map(|a| MapActor {
                id: a.id,
                name: a.fields.name,
                kind: a.fields.kind,
                parent: a.parent,
                legal_basis: a.fields.legal_basis,
            })
            .collect();
        let relations = self.list_relations(viewer, today, workspace, None).await?;
        let map_relations: Vec<MapRelation> = relations
            .iter()
            .map(|r| MapRelation {
                from: r.from,
                to: r.to,
                kind: r.kind,
            })
            .collect();
        let findings = check_sector(&actors, &map_relations);
        Ok((actors, relations, findings))
    }
}

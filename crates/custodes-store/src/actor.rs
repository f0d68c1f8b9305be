//! Actors of the sector map: the first records that carry a classification. Every read
//! takes a viewer and applies the access policy inside its SQL.

use chrono::NaiveDate;
use custodes_core::audit::Actor;
use custodes_core::permission::{Action, permits};
use custodes_core::policy::{Classification, Viewer};
use custodes_core::sector::{ActorFields, ActorKind, FieldError};
use custodes_core::{ActorId, WorkspaceId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::classified::{
    classification_from_row, classification_problems, replace_compartments, write_compartments,
};
use crate::database::Store;
use crate::error::StoreError;
use crate::policy::{ViewerBinds, visible};
use crate::real::real_param;

/// An actor of the security sector.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SectorActor {
    /// Its id.
    pub id: ActorId,
    /// The workspace it belongs to.
    pub workspace: WorkspaceId,
    /// Name, kind, mandate, legal basis, personnel, budget.
    #[serde(flatten)]
    pub fields: ActorFieldsView,
    /// The actor it is part of, if any (the navy of the armed forces).
    pub parent: Option<ActorId>,
    /// How it is classified. Compartments are listed only when the viewer belongs to
    /// them or manages compartments.
    pub classification: Classification,
    /// When it was created.
    pub created_at: String,
    /// When it was last changed.
    pub updated_at: String,
}

/// [`ActorFields`] in the shape the API shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActorFieldsView {
    /// The actor's name.
    pub name: String,
    /// Its kind.
    pub kind: ActorKind,
    /// What it is charged to do.
    pub mandate: String,
    /// The law or decree it rests on.
    pub legal_basis: String,
    /// Its strength in people.
    pub personnel: Option<i64>,
    /// Its annual budget in US dollars.
    pub budget: Option<f64>,
}

impl From<ActorFields> for ActorFieldsView {
    fn from(f: ActorFields) -> Self {
        ActorFieldsView {
            name: f.name,
            kind: f.kind,
            mandate: f.mandate,
            legal_basis: f.legal_basis,
            personnel: f.personnel,
            budget: f.budget,
        }
    }
}

/// What a list of actors is filtered by.
#[derive(Clone, Debug, Default)]
pub struct ActorQuery {
    /// Words to find in the name, mandate or legal basis.
    pub search: Option<String>,
    /// Only actors of this kind.
    pub kind: Option<ActorKind>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
    /// Skip this many.
    pub offset: i64,
}

/// One page of a list and the number of all the records the viewer may read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Page<T> {
    /// The records on this page.
    pub items: Vec<T>,
    /// How many records match in all, counting only those the viewer may read.
    pub total: i64,
}

/// How many records a page holds when a list is read whole.
pub(crate) const GATHER_PAGE: i64 = 500;

/// Reads a list whole, page by page: `page(offset)` reads the page of
/// [`GATHER_PAGE`] records that starts at `offset`.
pub(crate) async fn gather<T, F, Fut>(mut page: F) -> Result<Vec<T>, StoreError>
where
    F: FnMut(i64) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, StoreError>>,
{
    let mut out = Vec::new();
    loop {
        let p = page(out.len() as i64).await?;
        let n = p.items.len() as i64;
        out.extend(p.items);
        if n < GATHER_PAGE {
            return Ok(out);
        }
    }
}

/// The columns of an actor, for queries whose parameters 1 to 3 are the viewer's: the
/// parent is named only when the viewer may read it too.
fn columns() -> String {
    format!(
        "a.id, a.workspace_id, a.name, a.kind, a.mandate, a.legal_basis, a.personnel, a.budget, \
         CASE WHEN EXISTS (SELECT 1 FROM actor p WHERE p.id = a.parent_id AND {}) \
         THEN a.parent_id ELSE NULL END, \
         a.level, a.justification, a.declassify_on, a.declassify_to, a.created_at, a.updated_at",
        visible("p", "actor", 1)
    )
}

fn bad(what: String) -> StoreError {
    StoreError::Invalid(format!("stored actor: {what}"))
}

fn actor_from_row(row: &AnyRow) -> Result<SectorActor, StoreError> {
    let id: String = row.try_get(0)?;
    let ws: String = row.try_get(1)?;
    let kind: String = row.try_get(3)?;
    let parent: Option<String> = row.try_get(8)?;
    Ok(SectorActor {
        id: id.parse().map_err(|_| bad(format!("id '{id}'")))?,
        workspace: ws.parse().map_err(|_| bad(format!("workspace '{ws}'")))?,
        fields: ActorFieldsView {
            name: row.try_get(2)?,
            kind: kind
                .parse()
                .map_err(|e: custodes_core::access::UnknownName| bad(e.to_string()))?,
            mandate: row.try_get(4)?,
            legal_basis: row.try_get(5)?,
            personnel: row.try_get(6)?,
            budget: row.try_get(7)?,
        },
        parent: parent
            .map(|p| p.parse().map_err(|_| bad(format!("parent '{p}'"))))
            .transpose()?,
        classification: classification_from_row(row, 9, bad)?,
        created_at: row.try_get(13)?,
        updated_at: row.try_get(14)?,
    })
}

/// What is needed to create or change an actor.
#[derive(Clone, Debug)]
pub struct ActorInput {
    /// Name, kind, mandate, legal basis, personnel, budget.
    pub fields: ActorFields,
    /// The actor it is part of.
    pub parent: Option<ActorId>,
    /// Its classification (checked by `Classification::new`).
    pub classification: Classification,
}

impl Store {
    /// Actors of a workspace the viewer may read, filtered and paged, with the count of
    /// all that match.
    pub async fn list_actors(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        query: &ActorQuery,
    ) -> Result<Page<SectorActor>, StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let mut filter = format!("a.workspace_id = $4 AND {}", visible("a", "actor", 1));
        let mut next = 5;
        let kind = query.kind.map(|k| k.as_str().to_owned());
        if kind.is_some() {
            filter.push_str(&format!(" AND a.kind = ${next}"));
            next += 1;
        }
        let pattern = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("%{}%", s.to_lowercase().replace(['%', '_'], "")));
        if pattern.is_some() {
            filter.push_str(&format!(
                " AND (LOWER(a.name) LIKE ${next} OR LOWER(a.mandate) LIKE ${next} OR LOWER(a.legal_basis) LIKE ${next})"
            ));
            next += 1;
        }
        let limit = query.limit.unwrap_or(50).clamp(1, 500);
        let list_sql = format!(
            "SELECT {} FROM actor a WHERE {filter} ORDER BY a.name, a.id LIMIT ${} OFFSET ${}",
            columns(),
            next,
            next + 1
        );
        let count_sql = format!("SELECT COUNT(*) FROM actor a WHERE {filter}");

        macro_rules! bind_filter {
            ($q:expr) => {{
                let mut q = $q
                    .bind(vb.today.clone())
                    .bind(vb.clearance)
                    .bind(vb.user.clone())
                    .bind(workspace.to_string());
                if let Some(k) = &kind {
                    q = q.bind(k.clone());
                }
                if let Some(p) = &pattern {
                    q = q.bind(p.clone());
                }
                q
            }};
        }
        let rows = bind_filter!(sqlx::query(sqlx::AssertSqlSafe(list_sql)))
            .bind(limit)
            .bind(query.offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        let total: i64 = bind_filter!(sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql)))
            .fetch_one(&self.pool)
            .await?;
        let mut items = rows
            .iter()
            .map(actor_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.attach_compartments(viewer, &mut items).await?;
        Ok(Page { items, total })
    }

    /// Every actor of a workspace the viewer may read, by name (for exports, pictures,
    /// checks and choice lists), read page by page.
    pub async fn all_actors(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
    ) -> Result<Vec<SectorActor>, StoreError> {
        gather(|offset| async move {
            self.list_actors(
                viewer,
                today,
                workspace,
                &ActorQuery {
                    limit: Some(GATHER_PAGE),
                    offset,
                    ..ActorQuery::default()
                },
            )
            .await
        })
        .await
    }

    /// One actor, when the viewer may read it; `None` when it does not exist or the
    /// viewer may not read it (the two are indistinguishable).
    pub async fn get_actor(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: ActorId,
    ) -> Result<Option<SectorActor>, StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let sql = format!(
            "SELECT {} FROM actor a WHERE a.id = $4 AND {}",
            columns(),
            visible("a", "actor", 1)
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut items = vec![actor_from_row(&row)?];
        self.attach_compartments(viewer, &mut items).await?;
        Ok(items.pop())
    }

    /// Fills in the compartments of each actor that the viewer may know of.
    async fn attach_compartments(
        &self,
        viewer: &Viewer,
        items: &mut [SectorActor],
    ) -> Result<(), StoreError> {
        if items.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = items.iter().map(|a| a.id.to_string()).collect();
        let mut by_record = self.compartments_of(viewer, "actor", &ids).await?;
        for item in items {
            if let Some(set) = by_record.remove(&item.id.to_string()) {
                item.classification.compartments = set;
            }
        }
        Ok(())
    }

    /// Checks an actor's input for the viewer and returns every problem found.
    async fn check_actor_input(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        input: &ActorInput,
        this: Option<ActorId>,
    ) -> Result<(), StoreError> {
        let mut problems = input.fields.check();
        problems.extend(classification_problems(viewer, &input.classification));
        if let Some(parent) = input.parent {
            let found = self.get_actor(viewer, today, parent).await?;
            match found {
                Some(p) if p.workspace == workspace && Some(p.id) != this => {}
                Some(p) if Some(p.id) == this => problems.push(FieldError {
                    field: "parent",
                    message: "an actor cannot be part of itself".into(),
                }),
                _ => problems.push(FieldError {
                    field: "parent",
                    message: "choose a parent actor from this sector map".into(),
                }),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Fields(problems))
        }
    }

    /// Adds an actor to a workspace's sector map.
    pub async fn create_actor(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        input: ActorInput,
    ) -> Result<SectorActor, StoreError> {
        if !permits(viewer.role, Action::EditSectorMap) {
            return Err(StoreError::Forbidden("add actors to the sector map"));
        }
        self.check_actor_input(viewer, today, workspace, &input, None)
            .await?;
        let id = ActorId::from_uuid(Uuid::now_v7());
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        // The input's eleven columns come first, as in the update below.
        let insert = sqlx::query(
            "INSERT INTO actor (name, kind, mandate, legal_basis, personnel, budget, parent_id, \
             level, justification, declassify_on, declassify_to, id, workspace_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, CAST($6 AS DOUBLE PRECISION), $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        );
        bind_input(insert, &input)
            .bind(id.to_string())
            .bind(workspace.to_string())
            .bind(&now)
            .execute(tx.conn())
            .await?;
        write_compartments(
            &mut tx,
            "actor",
            &id.to_string(),
            &input.classification.compartments,
        )
        .await?;
        let created = SectorActor {
            id,
            workspace,
            fields: input.fields.into(),
            parent: input.parent,
            classification: input.classification,
            created_at: now.clone(),
            updated_at: now,
        };
        let ws = workspace.to_string();
        tx.audit(
            actor,
            "actor.create",
            "actor",
            &id.to_string(),
            Some(&ws),
            &created,
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes an actor the viewer may read. A change of classification needs the
    /// permission to reclassify and is audited as a reclassification of its own.
    pub async fn update_actor(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: ActorId,
        input: ActorInput,
    ) -> Result<SectorActor, StoreError> {
        if !permits(viewer.role, Action::EditSectorMap) {
            return Err(StoreError::Forbidden("edit the sector map"));
        }
        let Some(before) = self.get_actor(viewer, today, id).await? else {
            return Err(StoreError::NotFound {
                kind: "actor",
                key: id.to_string(),
            });
        };
        let reclassified = before.classification != input.classification;
        if reclassified && !permits(viewer.role, Action::Reclassify) {
            return Err(StoreError::Forbidden(
                "change the classification of records",
            ));
        }
        self.check_actor_input(viewer, today, before.workspace, &input, Some(id))
            .await?;
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        let update = sqlx::query(
            "UPDATE actor SET name = $1, kind = $2, mandate = $3, legal_basis = $4, personnel = $5, \
             budget = CAST($6 AS DOUBLE PRECISION), parent_id = $7, level = $8, justification = $9, declassify_on = $10, \
             declassify_to = $11, updated_at = $12 WHERE id = $13",
        );
        bind_input(update, &input)
            .bind(&now)
            .bind(id.to_string())
            .execute(tx.conn())
            .await?;
        if reclassified {
            replace_compartments(
                &mut tx,
                "actor",
                &id.to_string(),
                &input.classification.compartments,
            )
            .await?;
        }
        let updated = SectorActor {
            id,
            workspace: before.workspace,
            fields: input.fields.into(),
            parent: input.parent,
            classification: input.classification,
            created_at: before.created_at,
            updated_at: now,
        };
        let (ids, ws) = (id.to_string(), before.workspace.to_string());
        tx.audit(actor, "actor.update", "actor", &ids, Some(&ws), &updated)
            .await?;
        if reclassified {
            #[derive(Serialize)]
            struct Reclassified<'a> {
                from: &'a Classification,
                to: &'a Classification,
            }
            let change = Reclassified {
                from: &before.classification,
                to: &updated.classification,
            };
            tx.audit(actor, "actor.reclassify", "actor", &ids, Some(&ws), &change)
                .await?;
        }
        tx.commit().await?;
        Ok(updated)
    }
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds an actor input's eleven columns, in the order both the insert and the update
/// name them: name, kind, mandate, legal basis, personnel, budget, parent, level,
/// justification, declassification date and level. The budget goes as text, which the
/// SQL casts back (see [`crate::real`]).
fn bind_input<'q>(q: Query<'q>, input: &ActorInput) -> Query<'q> {
    q.bind(input.fields.name.trim().to_owned())
        .bind(input.fields.kind.as_str())
        .bind(input.fields.mandate.trim().to_owned())
        .bind(input.fields.legal_basis.trim().to_owned())
        .bind(input.fields.personnel)
        .bind(real_param(input.fields.budget))
        .bind(input.parent.map(|p| p.to_string()))
        .bind(input.classification.level.rank())
        .bind(input.classification.justification.clone())
        .bind(input.classification.declassify_on.map(|d| d.to_string()))
        .bind(input.classification.declassify_to.rank())
}

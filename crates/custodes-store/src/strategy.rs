//! Strategy documents and their life cycle, and the comments of public consultation.
//!
//! A strategy is not classified: it is meant to be publicly debated. Drafts are read only
//! by people who have signed in; from public consultation on, the public reads it too.
//! Every change of status passes through `custodes_core::strategy::transition`.

use chrono::NaiveDate;
use custodes_core::audit::Actor;
use custodes_core::permission::{Action, permits};
use custodes_core::policy::Viewer;
use custodes_core::sector::FieldError;
use custodes_core::strategy::{
    Lifecycle, Status, StrategyFields, Transition, TransitionError, review_due, review_due_on,
};
use custodes_core::{StrategyId, WorkspaceId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::database::Store;
use crate::error::StoreError;

/// A strategy document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Strategy {
    /// Its id.
    pub id: StrategyId,
    /// The workspace it belongs to.
    pub workspace: WorkspaceId,
    /// Its title.
    pub title: String,
    /// A summary.
    pub summary: String,
    /// The full text.
    pub body: String,
    /// How many years after approval it falls due for review.
    pub review_years: i64,
    /// Where it stands in its life cycle.
    pub lifecycle: Lifecycle,
    /// When it was created.
    pub created_at: String,
    /// When it was last changed.
    pub updated_at: String,
}

impl Strategy {
    /// True when it is approved and older than its review period today.
    pub fn review_due(&self, today: NaiveDate) -> bool {
        review_due(&self.lifecycle, self.review_years, today)
    }

    /// The day it falls due for review, once approved.
    pub fn review_due_on(&self) -> Option<NaiveDate> {
        self.lifecycle
            .approved_on
            .map(|d| review_due_on(d, self.review_years))
    }
}

/// A comment made during public consultation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// Its id.
    pub id: String,
    /// Who made it, by the name they had then.
    pub author: String,
    /// When.
    pub at: String,
    /// What they said.
    pub body: String,
}

const COLUMNS: &str = "s.id, s.workspace_id, s.title, s.summary, s.body, s.review_years, s.status, \
     s.consultation_opens_on, s.consultation_closes_on, s.approved_on, s.vote_reference, \
     s.created_at, s.updated_at";

fn bad(what: String) -> StoreError {
    StoreError::Invalid(format!("stored strategy: {what}"))
}

fn strategy_from_row(row: &AnyRow) -> Result<Strategy, StoreError> {
    let id: String = row.try_get(0)?;
    let ws: String = row.try_get(1)?;
    let status: String = row.try_get(6)?;
    let date = |i: usize| -> Result<Option<NaiveDate>, StoreError> {
        let d: Option<String> = row.try_get(i)?;
        d.map(|d| d.parse().map_err(|_| bad(format!("date '{d}'"))))
            .transpose()
    };
    Ok(Strategy {
        id: id.parse().map_err(|_| bad(format!("id '{id}'")))?,
        workspace: ws.parse().map_err(|_| bad(format!("workspace '{ws}'")))?,
        title: row.try_get(2)?,
        summary: row.try_get(3)?,
        body: row.try_get(4)?,
        review_years: row.try_get(5)?,
        lifecycle: Lifecycle {
            status: Status::parse(&status).ok_or_else(|| bad(format!("status '{status}'")))?,
            consultation_opens_on: date(7)?,
            consultation_closes_on: date(8)?,
            approved_on: date(9)?,
            vote_reference: row.try_get(10)?,
        },
        created_at: row.try_get(11)?,
        updated_at: row.try_get(12)?,
    })
}

fn fields_problems(fields: &StrategyFields) -> Result<(), StoreError> {
    let problems = fields.check();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Fields(problems))
    }
}

/// The most characters a consultation comment may have.
pub const MAX_COMMENT: usize = 4000;

impl Store {
    /// The strategies of a workspace the viewer may read, newest first: all of them for
    /// people who have signed in, those past their draft for the public.
    pub async fn list_strategies(
        &self,
        viewer: &Viewer,
        workspace: WorkspaceId,
    ) -> Result<Vec<Strategy>, StoreError> {
        let public_only = if viewer.is_public() {
            " AND s.status <> 'draft'"
        } else {
            ""
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM strategy s WHERE s.workspace_id = $1{public_only} \
             ORDER BY s.created_at DESC, s.id"
        )))
        .bind(workspace.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(strategy_from_row).collect()
    }

    /// One strategy, or `None` when there is none or the viewer may not read it.
    pub async fn get_strategy(
        &self,
        viewer: &Viewer,
        id: StrategyId,
    ) -> Result<Option<Strategy>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM strategy s WHERE s.id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let s = strategy_from_row(&row)?;
        Ok((!viewer.is_public() || s.lifecycle.status.is_public()).then_some(s))
    }

    /// The comments on a strategy the viewer may read, oldest first.
    pub async fn strategy_comments(
        &self,
        viewer: &Viewer,
        id: StrategyId,
    ) -> Result<Vec<Comment>, StoreError> {
        if self.get_strategy(viewer, id).await?.is_none() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT id, author_name, at, body FROM strategy_comment WHERE strategy_id = $1 ORDER BY at, id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Comment {
                    id: r.try_get(0)?,
                    author: r.try_get(1)?,
                    at: r.try_get(2)?,
                    body: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// Starts a new strategy, as a draft.
    pub async fn create_strategy(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        workspace: WorkspaceId,
        fields: StrategyFields,
    ) -> Result<Strategy, StoreError> {
        if !permits(viewer.role, Action::EditStrategy) {
            return Err(StoreError::Forbidden("write strategies"));
        }
        fields_problems(&fields)?;
        let id = StrategyId::from_uuid(Uuid::now_v7());
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO strategy (id, workspace_id, title, summary, body, review_years, status, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $7)",
        )
        .bind(id.to_string())
        .bind(workspace.to_string())
        .bind(fields.title.trim().to_owned())
        .bind(fields.summary.trim().to_owned())
        .bind(fields.body.trim().to_owned())
        .bind(fields.review_years)
        .bind(&now)
        .execute(tx.conn())
        .await?;
        let created = Strategy {
            id,
            workspace,
            title: fields.title.trim().to_owned(),
            summary: fields.summary.trim().to_owned(),
            body: fields.body.trim().to_owned(),
            review_years: fields.review_years,
            lifecycle: Lifecycle::draft(),
            created_at: now.clone(),
            updated_at: now,
        };
        let ws = workspace.to_string();
        tx.audit(
            actor,
            "strategy.create",
            "strategy",
            &id.to_string(),
            Some(&ws),
            &created,
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes a strategy's text. An approved strategy is frozen.
    pub async fn update_strategy(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        id: StrategyId,
        fields: StrategyFields,
    ) -> Result<Strategy, StoreError> {
        if !permits(viewer.role, Action::EditStrategy) {
            return Err(StoreError::Forbidden("edit strategies"));
        }
        let before = self.existing(viewer, id).await?;
        if !before.lifecycle.status.is_editable() {
            return Err(StoreError::Invalid(
                "an approved strategy is final and cannot be changed; write a new strategy to replace it".into(),
            ));
        }
        fields_problems(&fields)?;
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE strategy SET title = $1, summary = $2, body = $3, review_years = $4, updated_at = $5 \
             WHERE id = $6",
        )
        .bind(fields.title.trim().to_owned())
        .bind(fields.summary.trim().to_owned())
        .bind(fields.body.trim().to_owned())
        .bind(fields.review_years)
        .bind(&now)
        .bind(id.to_string())
        .execute(tx.conn())
        .await?;
        let updated = Strategy {
            title: fields.title.trim().to_owned(),
            summary: fields.summary.trim().to_owned(),
            body: fields.body.trim().to_owned(),
            review_years: fields.review_years,
            updated_at: now,
            ..before
        };
        let ws = updated.workspace.to_string();
        tx.audit(
            actor,
            "strategy.update",
            "strategy",
            &id.to_string(),
            Some(&ws),
            &updated,
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    async fn existing(&self, viewer: &Viewer, id: StrategyId) -> Result<Strategy, StoreError> {
        self.get_strategy(viewer, id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "strategy",
                key: id.to_string(),
            })
    }

    /// Takes one step of a strategy's life cycle. Each step needs its own permission (the
    /// planners move a strategy to consultation and to parliament; parliament's decision
    /// is recorded by those who may record it), and the core's `transition` decides
    /// whether the step may be taken.
    pub async fn change_strategy_status(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: StrategyId,
        step: Transition,
    ) -> Result<Strategy, StoreError> {
        if !permits(viewer.role, step.action()) {
            return Err(StoreError::Forbidden(match step.action() {
                Action::RecordParliamentaryDecision => "record parliament's decisions",
                _ => "move strategies through their life cycle",
            }));
        }
        let before = self.existing(viewer, id).await?;
        let next =
            custodes_core::strategy::transition(&before.lifecycle, &step, today).map_err(|e| {
                match e {
                    TransitionError::Field(f) => StoreError::Fields(vec![f]),
                    illegal => StoreError::Invalid(illegal.to_string()),
                }
            })?;
        let now = crate::time::now();
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE strategy SET status = $1, consultation_opens_on = $2, consultation_closes_on = $3, \
             approved_on = $4, vote_reference = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(next.status.as_str())
        .bind(date(next.consultation_opens_on))
        .bind(date(next.consultation_closes_on))
        .bind(date(next.approved_on))
        .bind(next.vote_reference.clone())
        .bind(&now)
        .bind(id.to_string())
        .execute(tx.conn())
        .await?;
        let updated = Strategy {
            lifecycle: next,
            updated_at: now,
            ..before
        };
        let ws = updated.workspace.to_string();
        tx.audit(
            actor,
            &format!("strategy.{}", step.as_str()),
            "strategy",
            &id.to_string(),
            Some(&ws),
            &updated,
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Adds a comment to a strategy in public consultation, in the name `author`.
    pub async fn comment_on_strategy(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: StrategyId,
        author: &str,
        body: &str,
    ) -> Result<Comment, StoreError> {
        if !permits(viewer.role, Action::CommentOnStrategy) {
            return Err(StoreError::Forbidden("comment on strategies"));
        }
        let strategy = self.existing(viewer, id).await?;
        if !strategy.lifecycle.accepts_comments(today) {
            return Err(StoreError::Invalid(
                "this strategy is not open for comments: comments are taken only during its public consultation".into(),
            ));
        }
        let body = body.trim();
        let message = if body.is_empty() {
            Some("enter your comment")
        } else if body.chars().count() > MAX_COMMENT {
            Some("a comment must be 4,000 characters or fewer")
        } else {
            None
        };
        if let Some(message) = message {
            return Err(StoreError::Fields(vec![FieldError {
                field: "comment",
                message: message.into(),
            }]));
        }
        let comment = Comment {
            id: Uuid::now_v7().to_string(),
            author: author.to_owned(),
            at: crate::time::now(),
            body: body.to_owned(),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO strategy_comment (id, strategy_id, author_id, author_name, at, body) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&comment.id)
        .bind(id.to_string())
        .bind(viewer.user.map(|u| u.to_string()))
        .bind(&comment.author)
        .bind(&comment.at)
        .bind(&comment.body)
        .execute(tx.conn())
        .await?;
        let ws = strategy.workspace.to_string();
        tx.audit(
            actor,
            "strategy.comment",
            "strategy_comment",
            &comment.id,
            Some(&ws),
            &comment,
        )
        .await?;
        tx.commit().await?;
        Ok(comment)
    }
}

/// The strategy tables, as a backup carries them.
pub(crate) const STRATEGY_TABLES: [crate::backup::TableSpec; 2] = {
    use crate::backup::ColumnType::{Int, Text};
    use crate::backup::TableSpec;
    [
        TableSpec {
            name: "strategy",
            columns: &[
                ("id", Text),
                ("workspace_id", Text),
                ("title", Text),
                ("summary", Text),
                ("body", Text),
                ("status", Text),
                ("consultation_opens_on", Text),
                ("consultation_closes_on", Text),
                ("approved_on", Text),
                ("vote_reference", Text),
                ("review_years", Int),
                ("created_at", Text),
                ("updated_at", Text),
            ],
            order_by: "id",
            second_pass: &[],
            key: "id",
        },
        TableSpec {
            name: "strategy_comment",
            columns: &[
                ("id", Text),
                ("strategy_id", Text),
                ("author_id", Text),
                ("author_name", Text),
                ("at", Text),
                ("body", Text),
            ],
            order_by: "id",
            second_pass: &[],
            key: "id",
        },
    ]
};

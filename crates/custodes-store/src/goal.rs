//! Goals of the strategy: each answers threats of the register and closes deficits, and
//! weighs what the rule of `custodes_core::strategy::goal_weight` gives its threats, or
//! what an override with a recorded reason says.
//!
//! A goal is not classified, but the threats it answers may be. A goal's link to a threat
//! the viewer may not read is left out entirely, as the sector map leaves out a hidden
//! parent: its threat lists, its weight and its explanation are those of the threats the
//! viewer may read. An editor who cannot see a linked threat keeps that link when saving.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use custodes_core::audit::Actor;
use custodes_core::permission::{Action, permits};
use custodes_core::policy::Viewer;
use custodes_core::sector::FieldError;
use custodes_core::strategy::{
    Deficit, GoalFields, GoalWeight, Risk, Weight, WeightOverride, goal_weight,
};
use custodes_core::{GoalId, ThreatId, WorkspaceId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::database::Store;
use crate::error::StoreError;
use crate::policy::{ViewerBinds, visible};
use crate::tx::WriteTx;

/// A threat a goal answers, as the goal shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GoalThreat {
    /// The threat.
    pub id: ThreatId,
    /// Its name.
    pub name: String,
    /// Its risk.
    pub risk: Risk,
}

/// A goal of the strategy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Goal {
    /// Its id.
    pub id: GoalId,
    /// The workspace it belongs to.
    pub workspace: WorkspaceId,
    /// What the goal is.
    pub title: String,
    /// What reaching it means.
    pub description: String,
    /// The threats it answers that the viewer may read, gravest first.
    pub threats: Vec<GoalThreat>,
    /// The deficits it closes.
    pub deficits: Vec<Deficit>,
    /// Its weight, computed from the threats above, and any override.
    pub weight: GoalWeight,
    /// When it was created.
    pub created_at: String,
    /// When it was last changed.
    pub updated_at: String,
}

/// What is needed to create or change a goal.
#[derive(Clone, Debug)]
pub struct GoalInput {
    /// Title, description and any override of the weight.
    pub fields: GoalFields,
    /// The threats it answers (among those the writer may read).
    pub threats: BTreeSet<ThreatId>,
    /// The deficits it closes.
    pub deficits: BTreeSet<Deficit>,
}

/// A goal's whole state, as the audit chain records it (every linked threat, including
/// those the writer may not read).
#[derive(Serialize)]
struct AuditedGoal<'a> {
    id: GoalId,
    workspace: WorkspaceId,
    title: &'a str,
    description: &'a str,
    weight_override: Option<&'a WeightOverride>,
    threats: &'a BTreeSet<ThreatId>,
    deficits: &'a BTreeSet<Deficit>,
}

fn bad(what: String) -> StoreError {
    StoreError::Invalid(format!("stored goal: {what}"))
}

fn goal_from_row(row: &AnyRow) -> Result<Goal, StoreError> {
    let id: String = row.try_get(0)?;
    let ws: String = row.try_get(1)?;
    let weight: Option<i64> = row.try_get(4)?;
    let reason: Option<String> = row.try_get(5)?;
    let overridden = match (weight, reason) {
        (Some(w), Some(reason)) => Some(WeightOverride {
            weight: Weight::from_thousandths(w).ok_or_else(|| bad(format!("weight {w}")))?,
            reason,
        }),
        _ => None,
    };
    Ok(Goal {
        id: id.parse().map_err(|_| bad(format!("id '{id}'")))?,
        workspace: ws.parse().map_err(|_| bad(format!("workspace '{ws}'")))?,
        title: row.try_get(2)?,
        description: row.try_get(3)?,
        threats: Vec::new(),
        deficits: Vec::new(),
        weight: GoalWeight {
            computed: Weight::ZERO,
            overridden,
        },
        created_at: row.try_get(6)?,
        updated_at: row.try_get(7)?,
    })
}

const COLUMNS: &str = "g.id, g.workspace_id, g.title, g.description, g.weight_override, \
     g.override_reason, g.created_at, g.updated_at";

impl Store {
    /// The goals of a workspace, heaviest first. Every goal is listed; the threats each
    /// shows, and the weight computed from them, are those the viewer may read.
    pub async fn list_goals(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
    ) -> Result<Vec<Goal>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM goal g WHERE g.workspace_id = $1 ORDER BY g.title, g.id"
        )))
        .bind(workspace.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut goals = rows
            .iter()
            .map(goal_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.attach_goal_links(
            viewer,
            today,
            "g.workspace_id",
            &workspace.to_string(),
            &mut goals,
        )
        .await?;
        goals.sort_by(|a, b| {
            b.weight
                .effective()
                .cmp(&a.weight.effective())
                .then_with(|| a.title.cmp(&b.title))
        });
        Ok(goals)
    }

    /// One goal, or `None` when there is none.
    pub async fn get_goal(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: GoalId,
    ) -> Result<Option<Goal>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM goal g WHERE g.id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut goals = vec![goal_from_row(&row)?];
        self.attach_goal_links(viewer, today, "g.id", &id.to_string(), &mut goals)
            .await?;
        Ok(goals.pop())
    }

    /// The goals that answer a threat, for the threat's page (the caller has read the
    /// threat through the policy).
    pub async fn goals_answering(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        threat: ThreatId,
    ) -> Result<Vec<Goal>, StoreError> {
        Ok(self
            .list_goals(viewer, today, workspace)
            .await?
            .into_iter()
            .filter(|g| g.threats.iter().any(|t| t.id == threat))
            .collect())
    }

    /// Fills in the visible threats, the deficits and the computed weight of goals
    /// selected by `column = key`.
    async fn attach_goal_links(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        column: &str,
        key: &str,
        goals: &mut [Goal],
    ) -> Result<(), StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let sql = format!(
            "SELECT gt.goal_id, t.id, t.name, t.likelihood, t.impact \
             FROM goal_threat gt JOIN goal g ON g.id = gt.goal_id JOIN threat t ON t.id = gt.threat_id \
             WHERE {column} = $4 AND {}",
            visible("t", "threat", 1)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user)
            .bind(key)
            .fetch_all(&self.pool)
            .await?;
        let mut threats: BTreeMap<String, Vec<GoalThreat>> = BTreeMap::new();
        for row in rows {
            let goal: String = row.try_get(0)?;
            let id: String = row.try_get(1)?;
            threats.entry(goal).or_default().push(GoalThreat {
                id: id.parse().map_err(|_| bad(format!("threat '{id}'")))?,
                name: row.try_get(2)?,
                risk: Risk::new(row.try_get(3)?, row.try_get(4)?),
            });
        }
        let sql = format!(
            "SELECT gd.goal_id, gd.deficit_key FROM goal_deficit gd JOIN goal g ON g.id = gd.goal_id \
             WHERE {column} = $1 ORDER BY gd.deficit_key"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .fetch_all(&self.pool)
            .await?;
        let mut deficits: BTreeMap<String, Vec<Deficit>> = BTreeMap::new();
        for row in rows {
            let goal: String = row.try_get(0)?;
            let k: String = row.try_get(1)?;
            deficits.entry(goal).or_default().push(
                k.parse()
                    .map_err(|e: custodes_core::strategy::BadDeficit| bad(e.to_string()))?,
            );
        }
        for g in goals {
            let id = g.id.to_string();
            let mut ts = threats.remove(&id).unwrap_or_default();
            ts.sort_by(|a, b| {
                b.risk
                    .rating
                    .cmp(&a.risk.rating)
                    .then_with(|| a.name.cmp(&b.name))
            });
            let risks: Vec<Risk> = ts.iter().map(|t| t.risk).collect();
            g.weight.computed = goal_weight(&risks);
            g.threats = ts;
            g.deficits = deficits.remove(&id).unwrap_or_default();
        }
        Ok(())
    }

    /// Checks a goal's input: its fields, and that every threat is one the viewer may read
    /// in the same workspace.
    async fn check_goal_input(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        input: &GoalInput,
    ) -> Result<(), StoreError> {
        let mut problems = input.fields.check();
        for t in &input.threats {
            let found = self.get_threat(viewer, today, *t).await?;
            if found.is_none_or(|f| f.workspace != workspace) {
                problems.push(FieldError {
                    field: "threats",
                    message: "choose threats from this workspace's register".into(),
                });
                break;
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Fields(problems))
        }
    }

    /// Adds a goal to a workspace.
    pub async fn create_goal(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        input: GoalInput,
    ) -> Result<GoalId, StoreError> {
        if !permits(viewer.role, Action::EditStrategy) {
            return Err(StoreError::Forbidden("add goals"));
        }
        self.check_goal_input(viewer, today, workspace, &input)
            .await?;
        let id = GoalId::from_uuid(Uuid::now_v7());
        let now = crate::time::now();
        let o = input.fields.weight_override.as_ref();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO goal (id, workspace_id, title, description, weight_override, override_reason, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(id.to_string())
        .bind(workspace.to_string())
        .bind(input.fields.title.trim().to_owned())
        .bind(input.fields.description.trim().to_owned())
        .bind(o.map(|o| o.weight.thousandths()))
        .bind(o.map(|o| o.reason.trim().to_owned()))
        .bind(&now)
        .execute(tx.conn())
        .await?;
        write_links(&mut tx, id, &input.threats, &input.deficits).await?;
        audit_goal(
            &mut tx,
            actor,
            "goal.create",
            id,
            workspace,
            &input,
            &input.threats,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a goal. Links to threats the viewer may not read are kept as they are.
    pub async fn update_goal(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: GoalId,
        input: GoalInput,
    ) -> Result<(), StoreError> {
        if !permits(viewer.role, Action::EditStrategy) {
            return Err(StoreError::Forbidden("edit goals"));
        }
        let Some(before) = self.get_goal(viewer, today, id).await? else {
            return Err(StoreError::NotFound {
                kind: "goal",
                key: id.to_string(),
            });
        };
        self.check_goal_input(viewer, today, before.workspace, &input)
            .await?;
        let linked: Vec<String> =
            sqlx::query_scalar("SELECT threat_id FROM goal_threat WHERE goal_id = $1")
                .bind(id.to_string())
                .fetch_all(&self.pool)
                .await?;
        let seen: BTreeSet<ThreatId> = before.threats.iter().map(|t| t.id).collect();
        let mut all = input.threats.clone();
        for t in linked {
            let t: ThreatId = t.parse().map_err(|_| bad(format!("threat '{t}'")))?;
            if !seen.contains(&t) {
                all.insert(t);
            }
        }
        let now = crate::time::now();
        let o = input.fields.weight_override.as_ref();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE goal SET title = $1, description = $2, weight_override = $3, override_reason = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(input.fields.title.trim().to_owned())
        .bind(input.fields.description.trim().to_owned())
        .bind(o.map(|o| o.weight.thousandths()))
        .bind(o.map(|o| o.reason.trim().to_owned()))
        .bind(&now)
        .bind(id.to_string())
        .execute(tx.conn())
        .await?;
        for table in ["goal_threat", "goal_deficit"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE goal_id = $1"
            )))
            .bind(id.to_string())
            .execute(tx.conn())
            .await?;
        }
        write_links(&mut tx, id, &all, &input.deficits).await?;
        audit_goal(
            &mut tx,
            actor,
            "goal.update",
            id,
            before.workspace,
            &input,
            &all,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn write_links(
    tx: &mut WriteTx,
    id: GoalId,
    threats: &BTreeSet<ThreatId>,
    deficits: &BTreeSet<Deficit>,
) -> Result<(), StoreError> {
    for t in threats {
        sqlx::query("INSERT INTO goal_threat (goal_id, threat_id) VALUES ($1, $2)")
            .bind(id.to_string())
            .bind(t.to_string())
            .execute(tx.conn())
            .await?;
    }
    for d in deficits {
        sqlx::query("INSERT INTO goal_deficit (goal_id, deficit_key) VALUES ($1, $2)")
            .bind(id.to_string())
            .bind(d.key())
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

async fn audit_goal(
    tx: &mut WriteTx,
    actor: &Actor,
    action: &str,
    id: GoalId,
    workspace: WorkspaceId,
    input: &GoalInput,
    threats: &BTreeSet<ThreatId>,
) -> Result<(), StoreError> {
    let state = AuditedGoal {
        id,
        workspace,
        title: input.fields.title.trim(),
        description: input.fields.description.trim(),
        weight_override: input.fields.weight_override.as_ref(),
        threats,
        deficits: &input.deficits,
    };
    let ws = workspace.to_string();
    tx.audit(actor, action, "goal", &id.to_string(), Some(&ws), &state)
        .await?;
    Ok(())
}

/// The goal tables, as a backup carries them (after the threats they refer to).
pub(crate) const GOAL_TABLES: [crate::backup::TableSpec; 3] = {
    use crate::backup::ColumnType::{Int, Text};
    use crate::backup::TableSpec;
    [
        TableSpec {
            name: "goal",
            columns: &[
                ("id", Text),
                ("workspace_id", Text),
                ("title", Text),
                ("description", Text),
                ("weight_override", Int),
                ("override_reason", Text),
                ("created_at", Text),
                ("updated_at", Text),
            ],
            order_by: "id",
            second_pass: &[],
            key: "id",
        },
        TableSpec {
            name: "goal_threat",
            columns: &[("goal_id", Text), ("threat_id", Text)],
            order_by: "goal_id, threat_id",
            second_pass: &[],
            key: "goal_id",
        },
        TableSpec {
            name: "goal_deficit",
            columns: &[("goal_id", Text), ("deficit_key", Text)],
            order_by: "goal_id, deficit_key",
            second_pass: &[],
            key: "goal_id",
        },
    ]
};

//! Capabilities-based planning's horizon and capabilities: what each goal needs, year by
//! year, against what there is. A capability's current level is entered, or read from an
//! assessment indicator through the access policy of assessments (a viewer who may not
//! read the assessment sees the level as unknown).
//!
//! Capabilities and the horizon are not classified: they say what the country needs, as
//! goals do.

use chrono::NaiveDate;
use custodes_core::audit::Actor;
use custodes_core::permission::{Action, permits};
use custodes_core::planning::{CapabilityFields, CurrentLevel, Horizon};
use custodes_core::policy::Viewer;
use custodes_core::{AssessmentId, CapabilityRecordId, GoalId, WorkspaceId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::database::Store;
use crate::error::{StoreError, conflict};

/// A capability a goal needs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Capability {
    /// Its id.
    pub id: CapabilityRecordId,
    /// The workspace it belongs to.
    pub workspace: WorkspaceId,
    /// The goal it serves.
    pub goal: GoalId,
    /// Key, name, description, required levels and where the current level comes from.
    pub fields: CapabilityFields,
    /// The current level each year as the viewer may know it: the entered levels, or the
    /// linked indicator's value for every year; `None` when the viewer may not read the
    /// linked assessment or the indicator has no value.
    pub current: Option<Vec<f64>>,
    /// When it was created.
    pub created_at: String,
    /// When it was last changed.
    pub updated_at: String,
}

impl Capability {
    /// The gap each year (required minus current, at least 0), when the current level is
    /// known.
    pub fn gaps(&self) -> Option<Vec<f64>> {
        self.current.as_ref().map(|cur| {
            self.fields
                .required
                .iter()
                .zip(cur)
                .map(|(r, c)| (r - c).max(0.0))
                .collect()
        })
    }
}

/// What is needed to create or change a capability.
#[derive(Clone, Debug)]
pub struct CapabilityInput {
    /// The goal it serves.
    pub goal: GoalId,
    /// Its fields.
    pub fields: CapabilityFields,
}

/// Reads a JSON column, naming the table and column when it is not what it should be.
pub(crate) fn json_column<T: serde::de::DeserializeOwned>(
    row: &AnyRow,
    i: usize,
    what: &str,
) -> Result<T, StoreError> {
    let text: String = row.try_get(i)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Invalid(format!("stored {what}: {e}")))
}

/// A value as JSON text for a column.
pub(crate) fn json_text<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// Refuses a write when the viewer may not keep the planning portfolio.
pub(crate) fn require_planning(viewer: &Viewer, what: &'static str) -> Result<(), StoreError> {
    if permits(viewer.role, Action::EditPlanning) {
        Ok(())
    } else {
        Err(StoreError::Forbidden(what))
    }
}

const COLUMNS: &str = "c.id, c.workspace_id, c.key, c.goal_id, c.name, c.description, c.required, \
     c.current_levels, c.current_assessment_id, c.current_indicator, c.created_at, c.updated_at";

fn bad(what: String) -> StoreError {
    StoreError::Invalid(format!("stored capability: {what}"))
}

fn capability_from_row(row: &AnyRow) -> Result<Capability, StoreError> {
    let id: String = row.try_get(0)?;
    let ws: String = row.try_get(1)?;
    let goal: String = row.try_get(3)?;
    let levels: Option<String> = row.try_get(7)?;
    let assessment: Option<String> = row.try_get(8)?;
    let indicator: Option<String> = row.try_get(9)?;
    let current = match (levels, assessment) {
        (Some(l), _) => CurrentLevel::Entered {
            levels: serde_json::from_str(&l).map_err(|e| bad(format!("current levels: {e}")))?,
        },
        (None, Some(a)) => CurrentLevel::Indicator {
            assessment: a.parse().map_err(|_| bad(format!("assessment '{a}'")))?,
            indicator: indicator.unwrap_or_default(),
        },
        (None, None) => return Err(bad("no current level".into())),
    };
    Ok(Capability {
        id: id.parse().map_err(|_| bad(format!("id '{id}'")))?,
        workspace: ws.parse().map_err(|_| bad(format!("workspace '{ws}'")))?,
        goal: goal.parse().map_err(|_| bad(format!("goal '{goal}'")))?,
        fields: CapabilityFields {
            key: row.try_get(2)?,
            name: row.try_get(4)?,
            description: row.try_get(5)?,
            required: json_column(row, 6, "capability required levels")?,
            current,
        },
        current: None,
        created_at: row.try_get(10)?,
        updated_at: row.try_get(11)?,
    })
}

impl Store {
    /// The planning horizon of a workspace, if one is set.
    pub async fn horizon(&self, workspace: WorkspaceId) -> Result<Option<Horizon>, StoreError> {
        let row = sqlx::query(
            "SELECT first_year, years, discount_rate FROM planning_horizon WHERE workspace_id = $1",
        )
        .bind(workspace.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let first: i64 = r.try_get(0)?;
            let years: i64 = r.try_get(1)?;
            Ok(Horizon {
                first_year: first as i32,
                years: years as u32,
                discount_rate: r.try_get(2)?,
            })
        })
        .transpose()
    }

    /// The horizon, or a refusal saying that none is set.
    pub(crate) async fn horizon_or_refuse(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Horizon, StoreError> {
        self.horizon(workspace).await?.ok_or_else(|| {
            StoreError::Invalid("set the planning horizon of the workspace first".into())
        })
    }

    /// Sets the planning horizon. Its length cannot change once capabilities or funding
    /// sources hold yearly values for it.
    pub async fn set_horizon(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        workspace: WorkspaceId,
        horizon: Horizon,
    ) -> Result<Horizon, StoreError> {
        require_planning(viewer, "set the planning horizon")?;
        let problems = horizon.check();
        if !problems.is_empty() {
            return Err(StoreError::Fields(problems));
        }
        if let Some(before) = self.horizon(workspace).await?
            && before.years != horizon.years
        {
            let used: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM capability WHERE workspace_id = $1) \
                 + (SELECT COUNT(*) FROM funding_source WHERE workspace_id = $1)",
            )
            .bind(workspace.to_string())
            .fetch_one(&self.pool)
            .await?;
            if used > 0 {
                return Err(StoreError::Fields(vec![custodes_core::sector::FieldError {
                    field: "years",
                    message: "the horizon's length cannot change while capabilities or funding sources hold yearly values".into(),
                }]));
            }
        }
        let ws = workspace.to_string();
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM planning_horizon WHERE workspace_id = $1")
            .bind(&ws)
            .execute(tx.conn())
            .await?;
        sqlx::query(
            "INSERT INTO planning_horizon (workspace_id, first_year, years, discount_rate, updated_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&ws)
        .bind(i64::from(horizon.first_year))
        .bind(i64::from(horizon.years))
        .bind(horizon.discount_rate)
        .bind(&now)
        .execute(tx.conn())
        .await?;
        tx.audit(
            actor,
            "planning.horizon",
            "workspace",
            &ws,
            Some(&ws),
            &horizon,
        )
        .await?;
        tx.commit().await?;
        Ok(horizon)
    }

    /// The capabilities of a workspace, by goal and name, with their current levels as
    /// the viewer may know them.
    pub async fn list_capabilities(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
    ) -> Result<Vec<Capability>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM capability c JOIN goal g ON g.id = c.goal_id \
             WHERE c.workspace_id = $1 ORDER BY g.title, c.name, c.id"
        )))
        .bind(workspace.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut caps = rows
            .iter()
            .map(capability_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let years = self.horizon(workspace).await?.map_or(0, |h| h.years);
        for c in &mut caps {
            c.current = self.current_levels(viewer, today, &c.fields, years).await?;
        }
        Ok(caps)
    }

    /// One capability by key.
    pub async fn get_capability(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        key: &str,
    ) -> Result<Option<Capability>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM capability c WHERE c.workspace_id = $1 AND c.key = $2"
        )))
        .bind(workspace.to_string())
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut c = capability_from_row(&row)?;
        let years = self.horizon(workspace).await?.map_or(0, |h| h.years);
        c.current = self.current_levels(viewer, today, &c.fields, years).await?;
        Ok(Some(c))
    }

    /// The current levels of a capability for the viewer: entered, or the linked
    /// indicator's value (on a scale of 0 to 100) for every year.
    async fn current_levels(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        fields: &CapabilityFields,
        years: u32,
    ) -> Result<Option<Vec<f64>>, StoreError> {
        match &fields.current {
            CurrentLevel::Entered { levels } => Ok(Some(levels.clone())),
            CurrentLevel::Indicator {
                assessment,
                indicator,
            } => Ok(self
                .indicator_value(viewer, today, *assessment, indicator)
                .await?
                .map(|v| vec![v; years as usize])),
        }
    }

    /// The value of an assessment indicator, when the viewer may read the assessment and
    /// the indicator has one.
    pub async fn indicator_value(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        assessment: AssessmentId,
        indicator: &str,
    ) -> Result<Option<f64>, StoreError> {
        match self
            .assessment_results(viewer, today, assessment, None)
            .await
        {
            Ok((_, _, results)) => Ok(results
                .scores
                .get(indicator)
                .and_then(|s| s.displayed.or(s.value))
                .map(|n| n.to_f64())),
            Err(e) if e.is_bad_input() => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn check_capability(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        goal: GoalId,
        fields: &CapabilityFields,
    ) -> Result<Horizon, StoreError> {
        let horizon = self.horizon_or_refuse(workspace).await?;
        let mut problems = fields.check(&horizon);
        match self.get_goal(viewer, today, goal).await? {
            Some(g) if g.workspace == workspace => {}
            _ => problems.push(custodes_core::sector::FieldError {
                field: "goal",
                message: "choose a goal of this workspace".into(),
            }),
        }
        if let CurrentLevel::Indicator {
            assessment,
            indicator,
        } = &fields.current
            && problems.iter().all(|p| p.field != "indicator")
            && self
                .indicator_value(viewer, today, *assessment, indicator)
                .await?
                .is_none()
        {
            problems.push(custodes_core::sector::FieldError {
                field: "indicator",
                message: "the assessment has no value for this indicator that you may read".into(),
            });
        }
        if problems.is_empty() {
            Ok(horizon)
        } else {
            Err(StoreError::Fields(problems))
        }
    }

    /// Adds a capability to a goal.
    pub async fn create_capability(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        input: CapabilityInput,
    ) -> Result<Capability, StoreError> {
        require_planning(viewer, "add capabilities")?;
        let CapabilityInput { goal, fields } = input;
        let fields = trimmed(fields);
        self.check_capability(viewer, today, workspace, goal, &fields)
            .await?;
        let id = CapabilityRecordId::from_uuid(Uuid::now_v7());
        let now = crate::time::now();
        let (levels, assessment, indicator) = current_columns(&fields.current);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO capability (id, workspace_id, key, goal_id, name, description, required, \
             current_levels, current_assessment_id, current_indicator, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
        )
        .bind(id.to_string())
        .bind(workspace.to_string())
        .bind(&fields.key)
        .bind(goal.to_string())
        .bind(&fields.name)
        .bind(&fields.description)
        .bind(json_text(&fields.required))
        .bind(levels)
        .bind(assessment)
        .bind(indicator)
        .bind(&now)
        .execute(tx.conn())
        .await
        .map_err(|e| key_taken(e, "capability", &fields.key))?;
        let created = Capability {
            id,
            workspace,
            goal,
            current: None,
            fields,
            created_at: now.clone(),
            updated_at: now,
        };
        let ws = workspace.to_string();
        tx.audit(
            actor,
            "capability.create",
            "capability",
            &id.to_string(),
            Some(&ws),
            &created,
        )
        .await?;
        tx.commit().await?;
        self.get_capability(viewer, today, workspace, &created.fields.key)
            .await?
            .ok_or(StoreError::NotFound {
                kind: "capability",
                key: created.fields.key,
            })
    }

    /// Changes a capability. Its key stays what it was: plans name it.
    pub async fn update_capability(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        key: &str,
        input: CapabilityInput,
    ) -> Result<Capability, StoreError> {
        require_planning(viewer, "edit capabilities")?;
        let CapabilityInput { goal, fields } = input;
        let Some(before) = self.get_capability(viewer, today, workspace, key).await? else {
            return Err(StoreError::NotFound {
                kind: "capability",
                key: key.to_owned(),
            });
        };
        let mut fields = trimmed(fields);
        fields.key = before.fields.key.clone();
        self.check_capability(viewer, today, workspace, goal, &fields)
            .await?;
        let now = crate::time::now();
        let (levels, assessment, indicator) = current_columns(&fields.current);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE capability SET goal_id = $1, name = $2, description = $3, required = $4, \
             current_levels = $5, current_assessment_id = $6, current_indicator = $7, \
             updated_at = $8 WHERE id = $9",
        )
        .bind(goal.to_string())
        .bind(&fields.name)
        .bind(&fields.description)
        .bind(json_text(&fields.required))
        .bind(levels)
        .bind(assessment)
        .bind(indicator)
        .bind(&now)
        .bind(before.id.to_string())
        .execute(tx.conn())
        .await?;
        let updated = Capability {
            goal,
            fields,
            updated_at: now,
            current: None,
            ..before
        };
        let ws = workspace.to_string();
        tx.audit(
            actor,
            "capability.update",
            "capability",
            &updated.id.to_string(),
            Some(&ws),
            &updated,
        )
        .await?;
        tx.commit().await?;
        self.get_capability(viewer, today, workspace, key)
            .await?
            .ok_or(StoreError::NotFound {
                kind: "capability",
                key: key.to_owned(),
            })
    }
}

fn trimmed(mut f: CapabilityFields) -> CapabilityFields {
    f.key = f.key.trim().to_owned();
    f.name = f.name.trim().to_owned();
    f.description = f.description.trim().to_owned();
    if let CurrentLevel::Indicator { indicator, .. } = &mut f.current {
        *indicator = indicator.trim().to_owned();
    }
    f
}

fn current_columns(c: &CurrentLevel) -> (Option<String>, Option<String>, Option<String>) {
    match c {
        CurrentLevel::Entered { levels } => (Some(json_text(levels)), None, None),
        CurrentLevel::Indicator {
            assessment,
            indicator,
        } => (None, Some(assessment.to_string()), Some(indicator.clone())),
    }
}

/// A unique-key violation as a field error on `key`.
pub(crate) fn key_taken(e: sqlx::Error, what: &str, key: &str) -> StoreError {
    match conflict(e, String::new) {
        StoreError::Conflict(_) => StoreError::Fields(vec![custodes_core::sector::FieldError {
            field: "key",
            message: format!("another {what} of this workspace has the key {key}"),
        }]),
        other => other,
    }
}

/// The planning tables of this module, as a backup carries them.
pub(crate) const CAPABILITY_TABLES: [crate::backup::TableSpec; 2] = {
    use crate::backup::ColumnType::{Int, Real, Text};
    [
        crate::backup::TableSpec {
            name: "planning_horizon",
            columns: &[
                ("workspace_id", Text),
                ("first_year", Int),
                ("years", Int),
                ("discount_rate", Real),
                ("updated_at", Text),
            ],
            order_by: "workspace_id",
            second_pass: &[],
            key: "workspace_id",
        },
        crate::backup::TableSpec {
            name: "capability",
            columns: &[
                ("id", Text),
                ("workspace_id", Text),
                ("key", Text),
                ("goal_id", Text),
                ("name", Text),
                ("description", Text),
                ("required", Text),
                ("current_levels", Text),
                ("current_assessment_id", Text),
                ("current_indicator", Text),
                ("created_at", Text),
                ("updated_at", Text),
            ],
            order_by: "id",
            second_pass: &[],
            key: "id",
        },
    ]
};

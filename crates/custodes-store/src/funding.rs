//! The money side of planning: funding sources (the treasury and each donor) with their
//! ceilings per year, eligibility and carry-over; minimum shares of the total spend per
//! reform field or goal; and budget scenarios, the named assumptions under which a
//! portfolio is optimised.
//!
//! None of them is classified: budgets of the reform are for parliament and the public.

use chrono::NaiveDate;
use custodes_core::audit::Actor;
use custodes_core::framework::ReformField;
use custodes_core::plan::{MinimumShare, ShareOf};
use custodes_core::planning::{Scenario, SourceFields, check_minimum_share};
use custodes_core::policy::Viewer;
use custodes_core::sector::FieldError;
use custodes_core::{FundingSourceId, ScenarioId, WorkspaceId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::capability::{json_column, json_text, key_taken, require_planning};
use crate::database::Store;
use crate::error::StoreError;
use crate::policy::{ViewerBinds, visible};

/// A funding source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FundingSource {
    /// Its id.
    pub id: FundingSourceId,
    /// The workspace it belongs to.
    pub workspace: WorkspaceId,
    /// Key, name, ceilings, eligible fields, carry-over.
    pub fields: SourceFields,
    /// The keys of programmes it may fund whatever their field.
    pub eligible_programmes: Vec<String>,
    /// When it was created.
    pub created_at: String,
    /// When it was last changed.
    pub updated_at: String,
}

/// A stored scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredScenario {
    /// Its id.
    pub id: ScenarioId,
    /// Its key, name, description and assumptions.
    pub scenario: Scenario,
}

fn fields_to_text(fields: &[ReformField]) -> String {
    fields
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn bad(what: String) -> StoreError {
    StoreError::Invalid(format!("stored funding: {what}"))
}

fn source_from_row(row: &AnyRow) -> Result<FundingSource, StoreError> {
    let id: String = row.try_get(0)?;
    let ws: String = row.try_get(1)?;
    let fields: String = row.try_get(5)?;
    let carry: i64 = row.try_get(6)?;
    Ok(FundingSource {
        id: id.parse().map_err(|_| bad(format!("id '{id}'")))?,
        workspace: ws.parse().map_err(|_| bad(format!("workspace '{ws}'")))?,
        fields: SourceFields {
            key: row.try_get(2)?,
            name: row.try_get(3)?,
            ceilings: json_column(row, 4, "funding source ceilings")?,
            eligible_fields: fields
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse()
                        .map_err(|e: custodes_core::access::UnknownName| bad(e.to_string()))
                })
                .collect::<Result<_, _>>()?,
            carry_over: carry != 0,
        },
        eligible_programmes: Vec::new(),
        created_at: row.try_get(7)?,
        updated_at: row.try_get(8)?,
    })
}

const SOURCE_COLUMNS: &str = "s.id, s.workspace_id, s.key, s.name, s.ceilings, s.eligible_fields, \
     s.carry_over, s.created_at, s.updated_at";

impl Store {
    /// The funding sources of a workspace, by name.
    pub async fn list_sources(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<FundingSource>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLUMNS} FROM funding_source s WHERE s.workspace_id = $1 ORDER BY s.name, s.id"
        )))
        .bind(workspace.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut sources = rows
            .iter()
            .map(source_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let links = sqlx::query(
            "SELECT sp.source_id, p.key FROM source_programme sp \
             JOIN programme p ON p.id = sp.programme_id WHERE p.workspace_id = $1 ORDER BY p.key",
        )
        .bind(workspace.to_string())
        .fetch_all(&self.pool)
        .await?;
        for l in links {
            let source: String = l.try_get(0)?;
            let key: String = l.try_get(1)?;
            if let Some(s) = sources.iter_mut().find(|s| s.id.to_string() == source) {
                s.eligible_programmes.push(key);
            }
        }
        Ok(sources)
    }

    /// One funding source by key.
    pub async fn get_source(
        &self,
        workspace: WorkspaceId,
        key: &str,
    ) -> Result<Option<FundingSource>, StoreError> {
        Ok(self
            .list_sources(workspace)
            .await?
            .into_iter()
            .find(|s| s.fields.key == key))
    }

    /// Adds a funding source, or changes the one with the same key. `eligible_programmes`
    /// are keys of programmes it may fund whatever their field, among those the viewer may
    /// read: a key of a programme the viewer may not read is refused as unknown, and the
    /// links to such programmes that the source already has are kept.
    pub async fn save_source(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        mut fields: SourceFields,
        eligible_programmes: Vec<String>,
    ) -> Result<FundingSource, StoreError> {
        require_planning(viewer, "keep funding sources")?;
        fields.key = fields.key.trim().to_owned();
        fields.name = fields.name.trim().to_owned();
        let horizon = self.horizon_or_refuse(workspace).await?;
        let mut problems = fields.check(&horizon);
        let ws = workspace.to_string();
        let vb = ViewerBinds::new(viewer, today);
        let lookup = format!(
            "SELECT p.id FROM programme p WHERE p.workspace_id = $4 AND p.key = $5 AND {}",
            visible("p", "programme", 1)
        );
        let mut programme_ids = Vec::new();
        for key in &eligible_programmes {
            let id: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(lookup.clone()))
                .bind(&vb.today)
                .bind(vb.clearance)
                .bind(&vb.user)
                .bind(&ws)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
            match id {
                Some(id) => programme_ids.push(id),
                None => problems.push(FieldError {
                    field: "eligible_programmes",
                    message: format!("there is no programme {key}"),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Fields(problems));
        }
        let before = self.get_source(workspace, &fields.key).await?;
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        let id = match &before {
            Some(b) => {
                sqlx::query(
                    "UPDATE funding_source SET name = $1, ceilings = $2, eligible_fields = $3, \
                     carry_over = $4, updated_at = $5 WHERE id = $6",
                )
                .bind(&fields.name)
                .bind(json_text(&fields.ceilings))
                .bind(fields_to_text(&fields.eligible_fields))
                .bind(i64::from(fields.carry_over))
                .bind(&now)
                .bind(b.id.to_string())
                .execute(tx.conn())
                .await?;
                b.id
            }
            None => {
                let id = FundingSourceId::from_uuid(Uuid::now_v7());
                sqlx::query(
                    "INSERT INTO funding_source (id, workspace_id, key, name, ceilings, eligible_fields, \
                     carry_over, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                )
                .bind(id.to_string())
                .bind(&ws)
                .bind(&fields.key)
                .bind(&fields.name)
                .bind(json_text(&fields.ceilings))
                .bind(fields_to_text(&fields.eligible_fields))
                .bind(i64::from(fields.carry_over))
                .bind(&now)
                .execute(tx.conn())
                .await
                .map_err(|e| key_taken(e, "funding source", &fields.key))?;
                id
            }
        };
        // Only the links the viewer can see are replaced.
        let unlink = format!(
            "DELETE FROM source_programme WHERE source_id = $4 AND programme_id IN \
             (SELECT p.id FROM programme p WHERE {})",
            visible("p", "programme", 1)
        );
        sqlx::query(sqlx::AssertSqlSafe(unlink))
            .bind(&vb.today)
            .bind(vb.clearance)
            .bind(&vb.user)
            .bind(id.to_string())
            .execute(tx.conn())
            .await?;
        for p in &programme_ids {
            sqlx::query("INSERT INTO source_programme (source_id, programme_id) VALUES ($1, $2)")
                .bind(id.to_string())
                .bind(p)
                .execute(tx.conn())
                .await?;
        }
        let saved = FundingSource {
            id,
            workspace,
            fields,
            eligible_programmes,
            created_at: before
                .as_ref()
                .map_or(now.clone(), |b| b.created_at.clone()),
            updated_at: now,
        };
        let action = if before.is_some() {
            "funding_source.update"
        } else {
            "funding_source.create"
        };
        tx.audit(
            actor,
            action,
            "funding_source",
            &id.to_string(),
            Some(&ws),
            &saved,
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// The minimum shares of a workspace. A goal's share names the goal by its id.
    pub async fn list_minimum_shares(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<MinimumShare>, StoreError> {
        let rows = sqlx::query(
            "SELECT of_kind, of_value, share FROM minimum_share WHERE workspace_id = $1 \
             ORDER BY of_kind, of_value",
        )
        .bind(workspace.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get(0)?;
                let value: String = r.try_get(1)?;
                let of = if kind == "field" {
                    ShareOf::Field(
                        value
                            .parse()
                            .map_err(|e: custodes_core::access::UnknownName| bad(e.to_string()))?,
                    )
                } else {
                    ShareOf::Goal(value.as_str().into())
                };
                Ok(MinimumShare {
                    of,
                    share: r.try_get(2)?,
                })
            })
            .collect()
    }

    /// Sets the minimum share of a field or a goal (of this workspace), replacing the one
    /// there was. The share is checked by [`custodes_core::planning::check_minimum_share`]
    /// against the workspace's other shares.
    pub async fn set_minimum_share(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        workspace: WorkspaceId,
        share: MinimumShare,
    ) -> Result<(), StoreError> {
        require_planning(viewer, "set minimum shares")?;
        let ws = workspace.to_string();
        let others = self.list_minimum_shares(workspace).await?;
        let mut problems = Vec::new();
        if let ShareOf::Goal(g) = &share.of {
            let found: Option<String> =
                sqlx::query_scalar("SELECT id FROM goal WHERE id = $1 AND workspace_id = $2")
                    .bind(g.as_str())
                    .bind(&ws)
                    .fetch_optional(&self.pool)
                    .await?;
            if found.is_none() {
                problems.push(FieldError {
                    field: "of",
                    message: format!("there is no goal {g}"),
                });
            }
        }
        problems.extend(check_minimum_share(&share, &others));
        if !problems.is_empty() {
            return Err(StoreError::Fields(problems));
        }
        let (kind, value) = share_key(&share.of);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM minimum_share WHERE workspace_id = $1 AND of_kind = $2 AND of_value = $3",
        )
        .bind(&ws)
        .bind(kind)
        .bind(&value)
        .execute(tx.conn())
        .await?;
        sqlx::query(
            "INSERT INTO minimum_share (workspace_id, of_kind, of_value, share) VALUES ($1, $2, $3, $4)",
        )
        .bind(&ws)
        .bind(kind)
        .bind(&value)
        .bind(share.share)
        .execute(tx.conn())
        .await?;
        tx.audit(
            actor,
            "planning.minimum_share",
            "workspace",
            &ws,
            Some(&ws),
            &share,
        )
        .await?;
        tx.commit().await
    }

    /// Removes the minimum share of a field or a goal.
    pub async fn remove_minimum_share(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        workspace: WorkspaceId,
        of: &ShareOf,
    ) -> Result<(), StoreError> {
        require_planning(viewer, "remove minimum shares")?;
        let Some(existing) = self
            .list_minimum_shares(workspace)
            .await?
            .into_iter()
            .find(|m| &m.of == of)
        else {
            let (kind, value) = share_key(of);
            return Err(StoreError::NotFound {
                kind: "minimum share",
                key: format!("{kind} {value}"),
            });
        };
        let (kind, value) = share_key(of);
        let ws = workspace.to_string();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM minimum_share WHERE workspace_id = $1 AND of_kind = $2 AND of_value = $3",
        )
        .bind(&ws)
        .bind(kind)
        .bind(&value)
        .execute(tx.conn())
        .await?;
        tx.audit(
            actor,
            "planning.minimum_share.remove",
            "workspace",
            &ws,
            Some(&ws),
            &existing,
        )
        .await?;
        tx.commit().await
    }

    /// The scenarios of a workspace, by name.
    pub async fn list_scenarios(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<StoredScenario>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, key, name, description, assumptions FROM planning_scenario \
             WHERE workspace_id = $1 ORDER BY name, id",
        )
        .bind(workspace.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get(0)?;
                Ok(StoredScenario {
                    id: id.parse().map_err(|_| bad(format!("scenario '{id}'")))?,
                    scenario: Scenario {
                        key: r.try_get(1)?,
                        name: r.try_get(2)?,
                        description: r.try_get(3)?,
                        assumptions: json_column(r, 4, "scenario assumptions")?,
                    },
                })
            })
            .collect()
    }

    /// The scenario with this key or name (names compare without regard to case).
    pub async fn find_scenario(
        &self,
        workspace: WorkspaceId,
        key_or_name: &str,
    ) -> Result<Option<StoredScenario>, StoreError> {
        let wanted = key_or_name.trim();
        Ok(self
            .list_scenarios(workspace)
            .await?
            .into_iter()
            .find(|s| s.scenario.key == wanted || s.scenario.name.eq_ignore_ascii_case(wanted)))
    }

    /// Adds a scenario, or changes the one with the same key.
    pub async fn save_scenario(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        workspace: WorkspaceId,
        scenario: Scenario,
    ) -> Result<StoredScenario, StoreError> {
        self.write_scenario(actor, viewer, workspace, ScenarioWrite::Save, scenario)
            .await
    }

    /// Adds a scenario; its key must be new to the workspace.
    pub async fn create_scenario(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        workspace: WorkspaceId,
        scenario: Scenario,
    ) -> Result<StoredScenario, StoreError> {
        self.write_scenario(actor, viewer, workspace, ScenarioWrite::Create, scenario)
            .await
    }

    /// Changes the scenario with key `key` (which stays what it was). Plans optimised
    /// under it keep the scenario as it was when they were solved.
    pub async fn update_scenario(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        workspace: WorkspaceId,
        key: &str,
        mut scenario: Scenario,
    ) -> Result<StoredScenario, StoreError> {
        scenario.key = key.to_owned();
        self.write_scenario(actor, viewer, workspace, ScenarioWrite::Update, scenario)
            .await
    }

    async fn write_scenario(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        workspace: WorkspaceId,
        mode: ScenarioWrite,
        mut scenario: Scenario,
    ) -> Result<StoredScenario, StoreError> {
        require_planning(viewer, "keep budget scenarios")?;
        scenario.key = scenario.key.trim().to_owned();
        scenario.name = scenario.name.trim().to_owned();
        scenario.description = scenario.description.trim().to_owned();
        let before = self
            .list_scenarios(workspace)
            .await?
            .into_iter()
            .find(|s| s.scenario.key == scenario.key);
        match (mode, &before) {
            (ScenarioWrite::Update, None) => {
                return Err(StoreError::NotFound {
                    kind: "scenario",
                    key: scenario.key,
                });
            }
            (ScenarioWrite::Create, Some(_)) => {
                return Err(StoreError::Fields(vec![FieldError {
                    field: "key",
                    message: format!(
                        "another scenario of this workspace has the key {}",
                        scenario.key
                    ),
                }]));
            }
            _ => {}
        }
        let horizon = self.horizon_or_refuse(workspace).await?;
        let sources: Vec<custodes_core::plan::SourceId> = self
            .list_sources(workspace)
            .await?
            .into_iter()
            .map(|s| s.fields.key.into())
            .collect();
        let problems = scenario.check(&horizon, &sources);
        if !problems.is_empty() {
            return Err(StoreError::Fields(problems));
        }
        let ws = workspace.to_string();
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        let id = match &before {
            Some(b) => {
                sqlx::query(
                    "UPDATE planning_scenario SET name = $1, description = $2, assumptions = $3, \
                     updated_at = $4 WHERE id = $5",
                )
                .bind(&scenario.name)
                .bind(&scenario.description)
                .bind(json_text(&scenario.assumptions))
                .bind(&now)
                .bind(b.id.to_string())
                .execute(tx.conn())
                .await?;
                b.id
            }
            None => {
                let id = ScenarioId::from_uuid(Uuid::now_v7());
                sqlx::query(
                    "INSERT INTO planning_scenario (id, workspace_id, key, name, description, \
                     assumptions, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                )
                .bind(id.to_string())
                .bind(&ws)
                .bind(&scenario.key)
                .bind(&scenario.name)
                .bind(&scenario.description)
                .bind(json_text(&scenario.assumptions))
                .bind(&now)
                .execute(tx.conn())
                .await
                .map_err(|e| key_taken(e, "scenario", &scenario.key))?;
                id
            }
        };
        let saved = StoredScenario { id, scenario };
        tx.audit(
            actor,
            if before.is_some() {
                "scenario.update"
            } else {
                "scenario.create"
            },
            "scenario",
            &id.to_string(),
            Some(&ws),
            &saved,
        )
        .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Deletes a scenario that no plan was optimised under. A plan keeps the scenario it
    /// was solved under, so that it can always show what it assumed; deleting such a
    /// scenario is refused, naming the plans the viewer may read (and only those).
    pub async fn delete_scenario(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        key: &str,
    ) -> Result<(), StoreError> {
        require_planning(viewer, "delete budget scenarios")?;
        let Some(found) = self
            .list_scenarios(workspace)
            .await?
            .into_iter()
            .find(|s| s.scenario.key == key)
        else {
            return Err(StoreError::NotFound {
                kind: "scenario",
                key: key.to_owned(),
            });
        };
        let id = found.id.to_string();
        let in_use = || async {
            let readable: Vec<String> = self
                .list_plans(viewer, today, workspace)
                .await?
                .into_iter()
                .filter(|p| p.scenario_id == Some(found.id))
                .map(|p| format!("“{}”", p.name))
                .collect();
            let names = if readable.is_empty() {
                String::new()
            } else {
                format!(" ({})", readable.join(", "))
            };
            Ok::<_, StoreError>(StoreError::Conflict(format!(
                "plans were optimised under the scenario {}{names}, so it is kept to show what they assumed",
                found.scenario.name
            )))
        };
        let plans: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plan WHERE scenario_id = $1")
            .bind(&id)
            .fetch_one(&self.pool)
            .await?;
        if plans > 0 {
            return Err(in_use().await?);
        }
        let ws = workspace.to_string();
        let mut tx = self.begin_write().await?;
        let deleted = sqlx::query("DELETE FROM planning_scenario WHERE id = $1")
            .bind(&id)
            .execute(tx.conn())
            .await;
        match deleted {
            Ok(_) => {}
            // A plan saved under it since the count above.
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                drop(tx);
                return Err(in_use().await?);
            }
            Err(e) => return Err(e.into()),
        }
        tx.audit(actor, "scenario.delete", "scenario", &id, Some(&ws), &found)
            .await?;
        tx.commit().await
    }
}

/// How [`Store::write_scenario`] treats a scenario whose key exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ScenarioWrite {
    /// Add it, or change the one with the same key.
    Save,
    /// Add it; an existing key is refused.
    Create,
    /// Change the one with the same key; a missing key is not found.
    Update,
}

/// How a minimum share's field or goal is stored: `of_kind` and `of_value`.
fn share_key(of: &ShareOf) -> (&'static str, String) {
    match of {
        ShareOf::Field(f) => ("field", f.as_str().to_owned()),
        ShareOf::Goal(g) => ("goal", g.to_string()),
    }
}

/// The tables of this module, as a backup carries them.
pub(crate) const FUNDING_TABLES: [crate::backup::TableSpec; 4] = {
    use crate::backup::ColumnType::{Int, Real, Text};
    [
        crate::backup::TableSpec {
            name: "funding_source",
            columns: &[
                ("id", Text),
                ("workspace_id", Text),
                ("key", Text),
                ("name", Text),
                ("ceilings", Text),
                ("eligible_fields", Text),
                ("carry_over", Int),
                ("created_at", Text),
                ("updated_at", Text),
            ],
            order_by: "id",
            second_pass: &[],
            key: "id",
        },
        crate::backup::TableSpec {
            name: "source_programme",
            columns: &[("source_id", Text), ("programme_id", Text)],
            order_by: "source_id, programme_id",
            second_pass: &[],
            key: "source_id",
        },
        crate::backup::TableSpec {
            name: "minimum_share",
            columns: &[
                ("workspace_id", Text),
                ("of_kind", Text),
                ("of_value", Text),
                ("share", Real),
            ],
            order_by: "workspace_id, of_kind, of_value",
            second_pass: &[],
            key: "workspace_id",
        },
        crate::backup::TableSpec {
            name: "planning_scenario",
            columns: &[
                ("id", Text),
                ("workspace_id", Text),
                ("key", Text),
                ("name", Text),
                ("description", Text),
                ("assumptions", Text),
                ("created_at", Text),
                ("updated_at", Text),
            ],
            order_by: "id",
            second_pass: &[],
            key: "id",
        },
    ]
};

//! Plans and the problem they are solved on.
//!
//! [`Store::plan_problem`] assembles a `custodes_core::plan::PlanProblem` from the stored
//! portfolio under a scenario, for one viewer, and validates it with the core. It
//! **refuses when the workspace holds programmes the viewer may not read**, rather than
//! optimising a part of the portfolio: a plan weighs every programme against the same
//! money, so one optimised without the hidden ones would spend that money twice. The
//! refusal says only that hidden programmes exist, never which or how many.
//!
//! A capability's weight in the objective is its goal's weight (the strategy's
//! threat-derived rule, or its recorded override) shared equally among the goal's
//! capabilities, so that a goal weighs what the strategy says however many capabilities
//! it is broken into.
//!
//! A plan keeps the problem it was solved on, its choices, the solve's report and the
//! optimiser's whole outcome, so that it reads the same after the portfolio changes. It
//! is classified at the highest level of its programmes, with their compartments, and is
//! read through the access policy and the life-cycle rule of
//! `custodes_core::planning::PlanStatus::readable_by`. An approved plan is frozen.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use custodes_core::assessment::Status as AssessmentStatus;
use custodes_core::audit::Actor;
use custodes_core::permission::permits;
use custodes_core::plan::{
    self, Capacity, Dependency, Gate, LeadActor, Plan, PlanProblem, ProgrammeOption, validate,
};
use custodes_core::planning::{
    CurrentLevel, PlanLifecycle, PlanStatus, PlanStep, PlanStepError, Scenario, SolveReport,
    SolveSettings, plan_transition,
};
use custodes_core::policy::{Classification, Viewer, can_read, least_reader};
use custodes_core::strategy::goal_weight;
use custodes_core::{Level, PlanId, ScenarioId, ThreatId, WorkspaceId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::capability::{json_column, json_text, require_planning};
use crate::classified::{classification_from_row, write_compartments};
use crate::database::Store;
use crate::error::StoreError;
use crate::goal::Goal;
use crate::policy::{ViewerBinds, visible};
use crate::programme::ProgrammeQuery;

/// The lead actor of programmes that name none.
pub const NO_LEAD: &str = "none";

/// A plan problem assembled from the stored portfolio.
#[derive(Clone, Debug, PartialEq)]
pub struct Assembled {
    /// The problem, with the scenario applied.
    pub problem: PlanProblem,
    /// What the core's validation found wrong with it; a problem with any cannot be
    /// optimised.
    pub problems: Vec<plan::Problem>,
    /// The classification a plan of this problem carries: the highest of its programmes
    /// and of the assessments its current levels come from.
    pub classification: Classification,
}

/// A stored plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredPlan {
    /// Its id.
    pub id: PlanId,
    /// The workspace it belongs to.
    pub workspace: WorkspaceId,
    /// Its name.
    pub name: String,
    /// The stored scenario it was solved under, if it still exists.
    pub scenario_id: Option<ScenarioId>,
    /// The scenario as it was when the plan was solved.
    pub scenario: Scenario,
    /// The solve's settings.
    pub settings: SolveSettings,
    /// The problem it was solved on.
    pub problem: PlanProblem,
    /// The chosen programmes with option and start.
    pub choices: Plan,
    /// The solve's explanations.
    pub report: SolveReport,
    /// The optimiser's whole answer, as JSON.
    pub outcome: serde_json::Value,
    /// Where it stands in its life cycle.
    pub lifecycle: PlanLifecycle,
    /// How it is classified.
    pub classification: Classification,
    /// Who optimised it.
    pub created_by: String,
    /// When it was created.
    pub created_at: String,
    /// When it was last changed.
    pub updated_at: String,
}

/// A plan to store: what was solved and what came out.
#[derive(Clone, Debug)]
pub struct NewPlan {
    /// Its name.
    pub name: String,
    /// The stored scenario it was solved under.
    pub scenario_id: Option<ScenarioId>,
    /// The scenario.
    pub scenario: Scenario,
    /// The solve's settings.
    pub settings: SolveSettings,
    /// The assembled problem.
    pub assembled: Assembled,
    /// The plan the optimiser chose.
    pub choices: Plan,
    /// Its explanations.
    pub report: SolveReport,
    /// The optimiser's whole answer.
    pub outcome: serde_json::Value,
}

const COLUMNS: &str = "pl.id, pl.workspace_id, pl.name, pl.scenario_id, pl.scenario, pl.settings, \
     pl.problem, pl.choices, pl.report, pl.outcome, pl.status, pl.submitted_on, pl.approved_on, \
     pl.approval_reference, pl.superseded_on, pl.level, pl.justification, pl.declassify_on, \
     pl.declassify_to, pl.created_by, pl.created_at, pl.updated_at";

fn bad(what: String) -> StoreError {
    StoreError::Invalid(format!("stored plan: {what}"))
}

fn date(v: Option<String>, what: &str) -> Result<Option<NaiveDate>, StoreError> {
    v.map(|d| d.parse().map_err(|_| bad(format!("{what} '{d}'"))))
        .transpose()
}

fn plan_from_row(row: &AnyRow) -> Result<StoredPlan, StoreError> {
    let id: String = row.try_get(0)?;
    let ws: String = row.try_get(1)?;
    let scenario_id: Option<String> = row.try_get(3)?;
    let status: String = row.try_get(10)?;
    Ok(StoredPlan {
        id: id.parse().map_err(|_| bad(format!("id '{id}'")))?,
        workspace: ws.parse().map_err(|_| bad(format!("workspace '{ws}'")))?,
        name: row.try_get(2)?,
        scenario_id: scenario_id.and_then(|s| s.parse().ok()),
        scenario: json_column(row, 4, "plan scenario")?,
        settings: json_column(row, 5, "plan settings")?,
        problem: json_column(row, 6, "plan problem")?,
        choices: json_column(row, 7, "plan choices")?,
        report: json_column(row, 8, "plan report")?,
        outcome: json_column(row, 9, "plan outcome")?,
        lifecycle: PlanLifecycle {
            status: PlanStatus::parse(&status).ok_or_else(|| bad(format!("status '{status}'")))?,
            submitted_on: date(row.try_get(11)?, "submitted_on")?,
            approved_on: date(row.try_get(12)?, "approved_on")?,
            approval_reference: row.try_get(13)?,
            superseded_on: date(row.try_get(14)?, "superseded_on")?,
        },
        classification: classification_from_row(row, 15, bad)?,
        created_by: row.try_get(19)?,
        created_at: row.try_get(20)?,
        updated_at: row.try_get(21)?,
    })
}

/// The audit log's condition for entries about plans: listed, and counted, only when the
/// viewer may read the plan as it is classified today (parameters 1 to 3).
pub(crate) fn audit_condition() -> String {
    format!(
        " AND (e.entity_kind <> 'plan' OR EXISTS (SELECT 1 FROM plan pl WHERE pl.id = e.entity_id AND {}))",
        visible("pl", "plan", 1)
    )
}

impl Store {
    /// Assembles the plan problem of a workspace's portfolio under `scenario`, for
    /// `viewer`, and validates it. Refuses when the workspace holds programmes the viewer
    /// may not read, when no horizon is set, or when a capability's current level comes
    /// from an assessment the viewer may not read.
    pub async fn plan_problem(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        scenario: &Scenario,
    ) -> Result<Assembled, StoreError> {
        if self.has_hidden_programmes(viewer, today, workspace).await? {
            return Err(StoreError::Invalid(
                "the portfolio holds programmes you may not read; a plan weighs every programme against the same money, so it must be optimised by someone cleared to read the whole portfolio".into(),
            ));
        }
        let horizon = self.horizon_or_refuse(workspace).await?;
        let programmes = self
            .list_programmes(viewer, today, workspace, &ProgrammeQuery::default())
            .await?;
        let caps = self.list_capabilities(viewer, today, workspace).await?;

        // The plan is classified to cover what it states as fact: its programmes, and the
        // assessments its capabilities' current levels come from.
        let mut from_programmes = Level::Public;
        let mut compartments = BTreeSet::new();
        for p in &programmes {
            from_programmes = from_programmes.max(p.classification.level);
            compartments.extend(p.classification.compartments.iter().copied());
        }
        let mut from_assessments = Level::Public;
        let mut read = BTreeSet::new();
        for c in &caps {
            if c.current.is_none() {
                return Err(StoreError::Invalid(format!(
                    "the current level of capability {} comes from an assessment you may not read, or one without a value for its indicator",
                    c.fields.key
                )));
            }
            let CurrentLevel::Indicator { assessment, .. } = &c.fields.current else {
                continue;
            };
            if !read.insert(*assessment) {
                continue;
            }
            let a = self
                .get_assessment(viewer, today, *assessment)
                .await?
                .ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "the current level of capability {} comes from an assessment you may not read",
                        c.fields.key
                    ))
                })?;
            if a.status != AssessmentStatus::Published {
                return Err(StoreError::Invalid(format!(
                    "the current level of capability {} comes from the assessment \"{}\", which is not published yet; a plan draws only on published results, so publish it or enter the current level by hand",
                    c.fields.key, a.title
                )));
            }
            let level = a.classification.effective_level(today);
            from_assessments = from_assessments.max(level);
            if level > Level::Public {
                compartments.extend(a.classification.compartments.iter().copied());
            }
        }
        let level = from_programmes.max(from_assessments);
        let classification = if level == Level::Public {
            Classification::public()
        } else {
            let mut why = Vec::new();
            if from_programmes > Level::Public {
                why.push(format!(
                    "names programmes classified {}",
                    from_programmes.as_str()
                ));
            }
            if from_assessments > Level::Public {
                why.push(format!(
                    "draws current levels from assessments classified {}",
                    from_assessments.as_str()
                ));
            }
            Classification {
                level,
                compartments,
                justification: Some(format!("the plan {}", why.join(" and "))),
                declassify_on: None,
                declassify_to: Level::Public,
            }
        };

        // A computed goal weight counts the threats behind it. Every reader of the plan
        // reads its weights, so a plan weighs its goals only by the threats the plan's
        // least reader may read; an override, set by hand with its reason, stands.
        let least = least_reader(&classification, today);
        let readable: BTreeSet<ThreatId> = self
            .all_threats(viewer, today, workspace)
            .await?
            .into_iter()
            .filter(|t| can_read(&least, &t.classification, today))
            .map(|t| t.id)
            .collect();
        let goals = self.list_goals(viewer, today, workspace).await?;
        let weight_of = |goal: &Goal| match &goal.weight.overridden {
            Some(o) => o.weight,
            None => goal_weight(
                &goal
                    .threats
                    .iter()
                    .filter(|t| readable.contains(&t.id))
                    .map(|t| t.risk)
                    .collect::<Vec<_>>(),
            ),
        };
        let mut per_goal: BTreeMap<String, usize> = BTreeMap::new();
        for c in &caps {
            *per_goal.entry(c.goal.to_string()).or_default() += 1;
        }
        let mut capabilities = Vec::new();
        for c in &caps {
            let goal = c.goal.to_string();
            let weight = goals
                .iter()
                .find(|g| g.id == c.goal)
                .map_or(0.0, |g| weight_of(g).thousandths() as f64 / 1000.0)
                / per_goal[&goal] as f64;
            capabilities.push(plan::Capability {
                id: c.fields.key.as_str().into(),
                name: c.fields.name.clone(),
                goal: goal.into(),
                weight,
                required: c.fields.required.clone(),
                current: c.current.clone().unwrap_or_default(),
            });
        }

        let mut dependencies = Vec::new();
        let mut gates = Vec::new();
        let mut plan_programmes = Vec::new();
        for p in &programmes {
            for before in &p.after {
                dependencies.push(Dependency {
                    before: before.as_str().into(),
                    after: p.fields.key.as_str().into(),
                });
            }
            for gate in &p.gated_by {
                gates.push(Gate {
                    gate: gate.as_str().into(),
                    gated: p.fields.key.as_str().into(),
                });
            }
            plan_programmes.push(plan::Programme {
                id: p.fields.key.as_str().into(),
                name: p.fields.name.clone(),
                kind: p.fields.kind,
                field: p.fields.field,
                lead_actor: LeadActor::new(
                    p.lead_actor
                        .as_ref()
                        .map_or(NO_LEAD.to_owned(), |a| a.id.to_string()),
                ),
                mandatory: p.fields.mandatory,
                earliest_start: p.fields.earliest_start,
                latest_start: p.fields.latest_start,
                options: p
                    .options
                    .iter()
                    .map(|o| ProgrammeOption {
                        id: o.fields.key.as_str().into(),
                        duration: o.fields.duration,
                        costs: o.fields.costs.clone(),
                        contributions: o.fields.contributions.clone(),
                    })
                    .collect(),
            });
        }
        let exclusions = self
            .list_exclusions(viewer, today, workspace)
            .await?
            .into_iter()
            .filter(|e| e.programmes.len() >= 2)
            .map(|e| plan::Exclusion {
                programmes: e.programmes.iter().map(|k| k.as_str().into()).collect(),
            })
            .collect();
        let capacities = self
            .list_capacities(viewer, today, workspace)
            .await?
            .into_iter()
            .map(|c| Capacity {
                actor: LeadActor::new(c.actor.id.to_string()),
                max_running: c.max_running,
            })
            .collect();
        let sources = self
            .list_sources(workspace)
            .await?
            .into_iter()
            .map(|s| plan::FundingSource {
                id: s.fields.key.as_str().into(),
                name: s.fields.name,
                ceilings: s.fields.ceilings,
                eligible_fields: s.fields.eligible_fields,
                eligible_programmes: s
                    .eligible_programmes
                    .iter()
                    .map(|k| k.as_str().into())
                    .collect(),
                carry_over: s.fields.carry_over,
            })
            .collect();
        let mut problem = PlanProblem {
            first_year: horizon.first_year,
            years: horizon.years,
            discount_rate: horizon.discount_rate,
            capabilities,
            programmes: plan_programmes,
            dependencies,
            exclusions,
            gates,
            capacities,
            sources,
            minimum_shares: self.list_minimum_shares(workspace).await?,
        };
        scenario.apply(&mut problem);
        let problems = validate(&problem);
        Ok(Assembled {
            problem,
            problems,
            classification,
        })
    }

    /// Stores a plan the optimiser chose, as a draft. The core's checker judges it
    /// against its problem first: a plan that breaks a rule is refused, whatever solved it.
    pub async fn create_plan(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        workspace: WorkspaceId,
        new: NewPlan,
    ) -> Result<StoredPlan, StoreError> {
        require_planning(viewer, "optimise plans")?;
        let name = new.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(StoreError::Fields(vec![
                custodes_core::sector::FieldError {
                    field: "name",
                    message: "enter the plan's name, up to 200 characters".into(),
                },
            ]));
        }
        if let Some(p) = new.assembled.problems.first() {
            return Err(StoreError::Invalid(format!(
                "the plan problem is not valid: {p}"
            )));
        }
        let violations = plan::check(&new.assembled.problem, &new.choices);
        if let Some(v) = violations.first() {
            return Err(StoreError::Invalid(format!(
                "the plan breaks a rule of its problem: {v}"
            )));
        }
        let id = PlanId::from_uuid(Uuid::now_v7());
        let ids = id.to_string();
        let ws = workspace.to_string();
        let now = crate::time::now();
        let c = &new.assembled.classification;
        let created_by = actor.name();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO plan (id, workspace_id, name, scenario_id, scenario, settings, problem, \
             choices, report, outcome, status, level, justification, declassify_on, declassify_to, \
             created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', $11, $12, $13, $14, $15, $16, $16)",
        )
        .bind(&ids)
        .bind(&ws)
        .bind(&name)
        .bind(new.scenario_id.map(|s| s.to_string()))
        .bind(json_text(&new.scenario))
        .bind(json_text(&new.settings))
        .bind(json_text(&new.assembled.problem))
        .bind(json_text(&new.choices))
        .bind(json_text(&new.report))
        .bind(json_text(&new.outcome))
        .bind(c.level.rank())
        .bind(c.justification.clone())
        .bind(c.declassify_on.map(|d| d.to_string()))
        .bind(c.declassify_to.rank())
        .bind(&created_by)
        .bind(&now)
        .execute(tx.conn())
        .await?;
        write_compartments(&mut tx, "plan", &ids, &c.compartments).await?;
        let stored = StoredPlan {
            id,
            workspace,
            name,
            scenario_id: new.scenario_id,
            scenario: new.scenario,
            settings: new.settings,
            problem: new.assembled.problem,
            choices: new.choices,
            report: new.report,
            outcome: new.outcome,
            lifecycle: PlanLifecycle::draft(),
            classification: new.assembled.classification,
            created_by,
            created_at: now.clone(),
            updated_at: now,
        };
        #[derive(Serialize)]
        struct Audited<'a> {
            name: &'a str,
            scenario: &'a Scenario,
            settings: &'a SolveSettings,
            choices: &'a Plan,
            objective: f64,
        }
        tx.audit(
            actor,
            "plan.create",
            "plan",
            &ids,
            Some(&ws),
            &Audited {
                name: &stored.name,
                scenario: &stored.scenario,
                settings: &stored.settings,
                choices: &stored.choices,
                objective: stored.report.objective,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// The plans of a workspace the viewer may read, newest first.
    pub async fn list_plans(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
    ) -> Result<Vec<StoredPlan>, StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let sql = format!(
            "SELECT {COLUMNS} FROM plan pl WHERE pl.workspace_id = $4 AND {} \
             ORDER BY pl.created_at DESC, pl.id DESC",
            visible("pl", "plan", 1)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user)
            .bind(workspace.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut plans = Vec::new();
        for r in &rows {
            let p = plan_from_row(r)?;
            if p.lifecycle.status.readable_by(viewer) {
                plans.push(p);
            }
        }
        self.attach_plan_compartments(viewer, &mut plans).await?;
        Ok(plans)
    }

    /// One plan, when the viewer may read it; `None` when it does not exist or the viewer
    /// may not read it.
    pub async fn get_plan(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: PlanId,
    ) -> Result<Option<StoredPlan>, StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let sql = format!(
            "SELECT {COLUMNS} FROM plan pl WHERE pl.id = $4 AND {}",
            visible("pl", "plan", 1)
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let p = plan_from_row(&row)?;
        if !p.lifecycle.status.readable_by(viewer) {
            return Ok(None);
        }
        let mut plans = vec![p];
        self.attach_plan_compartments(viewer, &mut plans).await?;
        Ok(plans.pop())
    }

    async fn attach_plan_compartments(
        &self,
        viewer: &Viewer,
        plans: &mut [StoredPlan],
    ) -> Result<(), StoreError> {
        let ids: Vec<String> = plans.iter().map(|p| p.id.to_string()).collect();
        let mut by = self.compartments_of(viewer, "plan", &ids).await?;
        for p in plans {
            if let Some(set) = by.remove(&p.id.to_string()) {
                p.classification.compartments = set;
            }
        }
        Ok(())
    }

    async fn plan_or_not_found(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: PlanId,
    ) -> Result<StoredPlan, StoreError> {
        self.get_plan(viewer, today, id)
            .await?
            .ok_or(StoreError::NotFound {
                kind: "plan",
                key: id.to_string(),
            })
    }

    /// Renames a plan that is not frozen.
    pub async fn rename_plan(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: PlanId,
        name: &str,
    ) -> Result<StoredPlan, StoreError> {
        require_planning(viewer, "rename plans")?;
        let mut plan = self.plan_or_not_found(viewer, today, id).await?;
        if plan.lifecycle.status.is_frozen() {
            return Err(StoreError::Invalid(format!(
                "plan {} is {} and frozen: it stays as parliament approved it",
                plan.name,
                plan.lifecycle.status.label().to_lowercase()
            )));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(StoreError::Fields(vec![
                custodes_core::sector::FieldError {
                    field: "name",
                    message: "enter the plan's name, up to 200 characters".into(),
                },
            ]));
        }
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE plan SET name = $1, updated_at = $2 WHERE id = $3")
            .bind(name)
            .bind(&now)
            .bind(id.to_string())
            .execute(tx.conn())
            .await?;
        let ws = plan.workspace.to_string();
        tx.audit(
            actor,
            "plan.rename",
            "plan",
            &id.to_string(),
            Some(&ws),
            name,
        )
        .await?;
        tx.commit().await?;
        plan.name = name.to_owned();
        plan.updated_at = now;
        Ok(plan)
    }

    /// Takes one step of a plan's life cycle, as the core's `plan_transition` allows,
    /// with the permission the step needs. Approving a plan supersedes the plan of the
    /// workspace that was approved before it, in the same transaction.
    pub async fn change_plan_status(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: PlanId,
        step: PlanStep,
    ) -> Result<StoredPlan, StoreError> {
        if !permits(viewer.role, step.action()) {
            return Err(StoreError::Forbidden(
                "take this step of a plan's life cycle",
            ));
        }
        let plan = self.plan_or_not_found(viewer, today, id).await?;
        let next = plan_transition(&plan.lifecycle, &step, today).map_err(|e| match e {
            PlanStepError::Field(f) => StoreError::Fields(vec![f]),
            other => StoreError::Invalid(other.to_string()),
        })?;
        let ws = plan.workspace.to_string();
        let mut tx = self.begin_write().await?;
        if matches!(step, PlanStep::Approve { .. }) {
            let earlier: Vec<String> = sqlx::query_scalar(
                "SELECT id FROM plan WHERE workspace_id = $1 AND status = 'approved' AND id <> $2",
            )
            .bind(&ws)
            .bind(id.to_string())
            .fetch_all(tx.conn())
            .await?;
            for other in earlier {
                sqlx::query(
                    "UPDATE plan SET status = 'superseded', superseded_on = $1, updated_at = $2 WHERE id = $3",
                )
                .bind(today.to_string())
                .bind(crate::time::now())
                .bind(&other)
                .execute(tx.conn())
                .await?;
                tx.audit(
                    actor,
                    "plan.supersede",
                    "plan",
                    &other,
                    Some(&ws),
                    &PlanStatus::Superseded,
                )
                .await?;
            }
        }
        let now = crate::time::now();
        sqlx::query(
            "UPDATE plan SET status = $1, submitted_on = $2, approved_on = $3, approval_reference = $4, \
             superseded_on = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(next.status.as_str())
        .bind(next.submitted_on.map(|d| d.to_string()))
        .bind(next.approved_on.map(|d| d.to_string()))
        .bind(next.approval_reference.clone())
        .bind(next.superseded_on.map(|d| d.to_string()))
        .bind(&now)
        .bind(id.to_string())
        .execute(tx.conn())
        .await?;
        tx.audit(
            actor,
            &format!("plan.{}", step.as_str()),
            "plan",
            &id.to_string(),
            Some(&ws),
            &next,
        )
        .await?;
        tx.commit().await?;
        Ok(StoredPlan {
            lifecycle: next,
            updated_at: now,
            ..plan
        })
    }
}

/// The plan table, as a backup carries it.
pub(crate) const PLAN_TABLE: crate::backup::TableSpec = {
    use crate::backup::ColumnType::{Int, Text};
    crate::backup::TableSpec {
        name: "plan",
        columns: &[
            ("id", Text),
            ("workspace_id", Text),
            ("name", Text),
            ("scenario_id", Text),
            ("scenario", Text),
            ("settings", Text),
            ("problem", Text),
            ("choices", Text),
            ("report", Text),
            ("outcome", Text),
            ("status", Text),
            ("submitted_on", Text),
            ("approved_on", Text),
            ("approval_reference", Text),
            ("superseded_on", Text),
            ("level", Int),
            ("justification", Text),
            ("declassify_on", Text),
            ("declassify_to", Int),
            ("created_by", Text),
            ("created_at", Text),
            ("updated_at", Text),
        ],
        order_by: "id",
        second_pass: &[],
        key: "id",
    }
};

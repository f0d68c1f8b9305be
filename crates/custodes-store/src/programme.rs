//! The programme portfolio: programmes with their options (duration, cost per year per
//! funding source, contribution per capability per year), lead and partner actors,
//! donors, and the rules between programmes: dependencies, integrity gates, exclusions
//! and the absorptive capacity of lead actors.
//!
//! A programme carries a classification like a threat, and every read applies the access
//! policy inside its SQL. Links to a programme the viewer may not read are left out of
//! what the viewer sees, and an editor who cannot see a linked programme keeps that link
//! when saving. Actors are named only when the viewer may read them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use custodes_core::audit::Actor;
use custodes_core::framework::ReformField;
use custodes_core::permission::{Action, permits};
use custodes_core::plan::{PrecedenceKind, ProgrammeKind, SourceCost};
use custodes_core::planning::{
    ExclusionFields, OptionFields, ProgrammeFields, check_capacity, check_precedence,
};
use custodes_core::policy::{Classification, Viewer};
use custodes_core::sector::FieldError;
use custodes_core::{ActorId, OptionRecordId, ProgrammeRecordId, WorkspaceId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::capability::{json_column, json_text, key_taken, require_planning};
use crate::classified::{
    classification_from_row, classification_problems, replace_compartments, write_compartments,
};
use crate::database::Store;
use crate::error::StoreError;
use crate::policy::{ViewerBinds, visible};
use crate::tx::WriteTx;

/// An actor a programme names, with its name when the viewer may read the actor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActorRef {
    /// The actor.
    pub id: ActorId,
    /// Its name, or `None` when the viewer may not read it.
    pub name: Option<String>,
}

/// An option of a programme.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProgrammeOptionRecord {
    /// Its id.
    pub id: OptionRecordId,
    /// Key, name, duration, costs and contributions.
    pub fields: OptionFields,
}

/// A programme of the portfolio.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Programme {
    /// Its id.
    pub id: ProgrammeRecordId,
    /// The workspace it belongs to.
    pub workspace: WorkspaceId,
    /// Key, name, kind, field, mandatory, start window.
    pub fields: ProgrammeFields,
    /// The actor that leads it.
    pub lead_actor: Option<ActorRef>,
    /// Its partner actors.
    pub partners: Vec<ActorRef>,
    /// Its donors (international partners of the sector map).
    pub donors: Vec<ActorRef>,
    /// Its options, in order.
    pub options: Vec<ProgrammeOptionRecord>,
    /// Keys of the programmes that must finish before it starts (dependencies), among
    /// those the viewer may read.
    pub after: Vec<String>,
    /// Keys of the integrity programmes that must finish before it starts (gates), among
    /// those the viewer may read.
    pub gated_by: Vec<String>,
    /// How it is classified. Compartments are listed only when the viewer belongs to
    /// them or manages compartments.
    pub classification: Classification,
    /// When it was created.
    pub created_at: String,
    /// When it was last changed.
    pub updated_at: String,
}

impl Programme {
    /// The option with this key.
    pub fn option(&self, key: &str) -> Option<&ProgrammeOptionRecord> {
        self.options.iter().find(|o| o.fields.key == key)
    }
}

/// What is needed to create or change a programme.
#[derive(Clone, Debug)]
pub struct ProgrammeInput {
    /// Its fields.
    pub fields: ProgrammeFields,
    /// The actor that leads it.
    pub lead_actor: Option<ActorId>,
    /// Its partner actors.
    pub partners: BTreeSet<ActorId>,
    /// Its donors.
    pub donors: BTreeSet<ActorId>,
    /// Keys of programmes that must finish before it starts.
    pub after: BTreeSet<String>,
    /// Keys of integrity programmes that must finish before it starts.
    pub gated_by: BTreeSet<String>,
    /// Its classification.
    pub classification: Classification,
}

/// What a list of programmes is filtered by.
#[derive(Clone, Debug, Default)]
pub struct ProgrammeQuery {
    /// Only programmes of this field.
    pub field: Option<ReformField>,
    /// Only programmes led by this actor.
    pub lead: Option<ActorId>,
    /// Words to find in the name, key or description.
    pub search: Option<String>,
}

/// An option to add to a programme, or a change of one.
#[derive(Clone, Debug)]
pub struct OptionEdit {
    /// The programme's key.
    pub programme: String,
    /// The key of the option to change; `None` adds one.
    pub editing: Option<String>,
    /// The option's fields.
    pub fields: OptionFields,
}

/// A set of programmes of which at most one may be chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exclusion {
    /// Its id.
    pub id: String,
    /// Its name ("one border information system").
    pub name: String,
    /// The keys of its programmes the viewer may read.
    pub programmes: Vec<String>,
}

/// The absorptive capacity of a lead actor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeadCapacity {
    /// The actor.
    pub actor: ActorRef,
    /// How many of the programmes it leads may run in the same year.
    pub max_running: u32,
}

const COLUMNS: &str = "p.id, p.workspace_id, p.key, p.name, p.description, p.kind, p.field, \
     p.lead_actor_id, p.mandatory, p.earliest_start, p.latest_start, \
     p.level, p.justification, p.declassify_on, p.declassify_to, p.created_at, p.updated_at";

fn bad(what: String) -> StoreError {
    StoreError::Invalid(format!("stored programme: {what}"))
}

fn programme_from_row(row: &AnyRow) -> Result<Programme, StoreError> {
    let id: String = row.try_get(0)?;
    let ws: String = row.try_get(1)?;
    let kind: String = row.try_get(5)?;
    let field: String = row.try_get(6)?;
    let lead: Option<String> = row.try_get(7)?;
    let mandatory: i64 = row.try_get(8)?;
    let earliest: Option<i64> = row.try_get(9)?;
    let latest: Option<i64> = row.try_get(10)?;
    Ok(Programme {
        id: id.parse().map_err(|_| bad(format!("id '{id}'")))?,
        workspace: ws.parse().map_err(|_| bad(format!("workspace '{ws}'")))?,
        fields: ProgrammeFields {
            key: row.try_get(2)?,
            name: row.try_get(3)?,
            description: row.try_get(4)?,
            kind: match kind.as_str() {
                "institutional" => ProgrammeKind::Institutional,
                _ => ProgrammeKind::Sectoral,
            },
            field: field
                .parse()
                .map_err(|e: custodes_core::access::UnknownName| bad(e.to_string()))?,
            mandatory: mandatory != 0,
            earliest_start: earliest.map(|y| y as i32),
            latest_start: latest.map(|y| y as i32),
        },
        lead_actor: lead
            .map(|a| {
                a.parse()
                    .map(|id| ActorRef { id, name: None })
                    .map_err(|_| bad(format!("lead actor '{a}'")))
            })
            .transpose()?,
        partners: Vec::new(),
        donors: Vec::new(),
        options: Vec::new(),
        after: Vec::new(),
        gated_by: Vec::new(),
        classification: classification_from_row(row, 11, bad)?,
        created_at: row.try_get(15)?,
        updated_at: row.try_get(16)?,
    })
}

/// The audit log's condition for entries about programmes: listed, and counted, only
/// when the viewer may read the programme as it is classified today (parameters 1 to 3).
pub(crate) fn audit_condition() -> String {
    format!(
        " AND (e.entity_kind <> 'programme' OR EXISTS (SELECT 1 FROM programme p WHERE p.id = e.entity_id AND {}))",
        visible("p", "programme", 1)
    )
}

fn kind_text(kind: ProgrammeKind) -> &'static str {
    match kind {
        ProgrammeKind::Institutional => "institutional",
        ProgrammeKind::Sectoral => "sectoral",
    }
}

/// A programme's whole state, as the audit chain records it.
#[derive(Serialize)]
struct Audited<'a> {
    key: &'a str,
    fields: &'a ProgrammeFields,
    lead_actor: Option<ActorId>,
    partners: &'a BTreeSet<ActorId>,
    donors: &'a BTreeSet<ActorId>,
    after: &'a BTreeSet<String>,
    gated_by: &'a BTreeSet<String>,
    classification: &'a Classification,
}

impl Store {
    /// The programmes of a workspace the viewer may read, filtered, by name, with their
    /// options, actors and links.
    pub async fn list_programmes(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        query: &ProgrammeQuery,
    ) -> Result<Vec<Programme>, StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let mut filter = format!("p.workspace_id = $4 AND {}", visible("p", "programme", 1));
        let mut binds: Vec<String> = Vec::new();
        if let Some(f) = query.field {
            binds.push(f.as_str().to_owned());
            filter.push_str(&format!(" AND p.field = ${}", 4 + binds.len()));
        }
        if let Some(a) = query.lead {
            binds.push(a.to_string());
            filter.push_str(&format!(" AND p.lead_actor_id = ${}", 4 + binds.len()));
        }
        if let Some(s) = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            binds.push(format!("%{}%", s.to_lowercase().replace(['%', '_'], "")));
            let n = 4 + binds.len();
            filter.push_str(&format!(
                " AND (LOWER(p.name) LIKE ${n} OR LOWER(p.key) LIKE ${n} OR LOWER(p.description) LIKE ${n})"
            ));
        }
        let sql = format!("SELECT {COLUMNS} FROM programme p WHERE {filter} ORDER BY p.name, p.id");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today.clone())
            .bind(vb.clearance)
            .bind(vb.user.clone())
            .bind(workspace.to_string());
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut items = rows
            .iter()
            .map(programme_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.attach_programme_parts(viewer, today, workspace, &mut items)
            .await?;
        Ok(items)
    }

    /// One programme by key, when the viewer may read it; `None` when it does not exist
    /// or the viewer may not read it (the two are indistinguishable).
    pub async fn get_programme(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        key: &str,
    ) -> Result<Option<Programme>, StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let sql = format!(
            "SELECT {COLUMNS} FROM programme p WHERE p.workspace_id = $4 AND p.key = $5 AND {}",
            visible("p", "programme", 1)
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user)
            .bind(workspace.to_string())
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut items = vec![programme_from_row(&row)?];
        self.attach_programme_parts(viewer, today, workspace, &mut items)
            .await?;
        Ok(items.pop())
    }

    /// The ids and keys of the programmes of a workspace the viewer may read.
    pub(crate) async fn visible_programme_keys(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let sql = format!(
            "SELECT p.id, p.key FROM programme p WHERE p.workspace_id = $4 AND {}",
            visible("p", "programme", 1)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user)
            .bind(workspace.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Whether the workspace holds programmes the viewer may not read. It says only
    /// whether, never which or how many.
    pub async fn has_hidden_programmes(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
    ) -> Result<bool, StoreError> {
        let all: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM programme WHERE workspace_id = $1")
            .bind(workspace.to_string())
            .fetch_one(&self.pool)
            .await?;
        let seen = self
            .visible_programme_keys(viewer, today, workspace)
            .await?;
        Ok(all as usize > seen.len())
    }

    async fn actor_names(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
    ) -> Result<BTreeMap<ActorId, String>, StoreError> {
        Ok(self
            .all_actors(viewer, today, workspace)
            .await?
            .into_iter()
            .map(|a| (a.id, a.fields.name))
            .collect())
    }

    async fn attach_programme_parts(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        items: &mut [Programme],
    ) -> Result<(), StoreError> {
        if items.is_empty() {
            return Ok(());
        }
        let names = self.actor_names(viewer, today, workspace).await?;
        let name_of = |id: ActorId| ActorRef {
            id,
            name: names.get(&id).cloned(),
        };
        let keys = self
            .visible_programme_keys(viewer, today, workspace)
            .await?;
        let ws = workspace.to_string();
        let options = sqlx::query(
            "SELECT o.programme_id, o.id, o.key, o.name, o.duration, o.costs, o.contributions \
             FROM programme_option o JOIN programme p ON p.id = o.programme_id \
             WHERE p.workspace_id = $1 ORDER BY o.programme_id, o.position, o.key",
        )
        .bind(&ws)
        .fetch_all(&self.pool)
        .await?;
        let mut by_programme: BTreeMap<String, Vec<ProgrammeOptionRecord>> = BTreeMap::new();
        for r in &options {
            let pid: String = r.try_get(0)?;
            if !keys.contains_key(&pid) {
                continue;
            }
            let oid: String = r.try_get(1)?;
            let duration: i64 = r.try_get(4)?;
            by_programme
                .entry(pid)
                .or_default()
                .push(ProgrammeOptionRecord {
                    id: oid.parse().map_err(|_| bad(format!("option '{oid}'")))?,
                    fields: OptionFields {
                        key: r.try_get(2)?,
                        name: r.try_get(3)?,
                        duration: duration as u32,
                        costs: json_column(r, 5, "option costs")?,
                        contributions: json_column(r, 6, "option contributions")?,
                    },
                });
        }
        let actors = sqlx::query(
            "SELECT pa.programme_id, pa.actor_id, pa.role FROM programme_actor pa \
             JOIN programme p ON p.id = pa.programme_id WHERE p.workspace_id = $1 \
             ORDER BY pa.programme_id, pa.actor_id",
        )
        .bind(&ws)
        .fetch_all(&self.pool)
        .await?;
        let links = sqlx::query(
            "SELECT l.before_id, l.after_id, l.kind FROM programme_link l \
             JOIN programme p ON p.id = l.after_id WHERE p.workspace_id = $1",
        )
        .bind(&ws)
        .fetch_all(&self.pool)
        .await?;
        for item in items.iter_mut() {
            let pid = item.id.to_string();
            item.options = by_programme.remove(&pid).unwrap_or_default();
            if let Some(lead) = &mut item.lead_actor {
                lead.name = names.get(&lead.id).cloned();
            }
            for r in &actors {
                let p: String = r.try_get(0)?;
                if p != pid {
                    continue;
                }
                let a: String = r.try_get(1)?;
                let role: String = r.try_get(2)?;
                let Ok(a) = a.parse::<ActorId>() else {
                    continue;
                };
                if role == "donor" {
                    item.donors.push(name_of(a));
                } else {
                    item.partners.push(name_of(a));
                }
            }
            for r in &links {
                let before: String = r.try_get(0)?;
                let after: String = r.try_get(1)?;
                let kind: String = r.try_get(2)?;
                if after != pid {
                    continue;
                }
                if let Some(k) = keys.get(&before) {
                    if kind == "gate" {
                        item.gated_by.push(k.clone());
                    } else {
                        item.after.push(k.clone());
                    }
                }
            }
            item.after.sort();
            item.gated_by.sort();
        }
        let ids: Vec<String> = items.iter().map(|p| p.id.to_string()).collect();
        let mut comps = self.compartments_of(viewer, "programme", &ids).await?;
        for item in items.iter_mut() {
            if let Some(set) = comps.remove(&item.id.to_string()) {
                item.classification.compartments = set;
            }
        }
        Ok(())
    }

    async fn check_programme_input(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        input: &ProgrammeInput,
        keys: &BTreeMap<String, String>,
    ) -> Result<(), StoreError> {
        let horizon = self.horizon_or_refuse(workspace).await?;
        let mut problems = input.fields.check(&horizon);
        problems.extend(classification_problems(viewer, &input.classification));
        let names = self.actor_names(viewer, today, workspace).await?;
        let known = |a: &ActorId| names.contains_key(a);
        if input.lead_actor.as_ref().is_some_and(|a| !known(a)) {
            problems.push(FieldError {
                field: "lead_actor",
                message: "choose a lead actor of the sector map".into(),
            });
        }
        for (field, set) in [("partners", &input.partners), ("donors", &input.donors)] {
            if !set.iter().all(known) {
                problems.push(FieldError {
                    field,
                    message: "choose actors of the sector map".into(),
                });
            }
        }
        let known_keys: BTreeSet<&String> = keys.values().collect();
        for (field, set) in [("after", &input.after), ("gated_by", &input.gated_by)] {
            for k in set {
                if !known_keys.contains(k) {
                    problems.push(FieldError {
                        field,
                        message: format!("there is no programme {k}"),
                    });
                } else {
                    problems.extend(check_precedence(field, k, &input.fields.key));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Fields(problems))
        }
    }

    async fn write_programme_links(
        tx: &mut WriteTx,
        id: &str,
        input: &ProgrammeInput,
        keys: &BTreeMap<String, String>,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM programme_actor WHERE programme_id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
        for (role, set) in [("partner", &input.partners), ("donor", &input.donors)] {
            for a in set {
                sqlx::query(
                    "INSERT INTO programme_actor (programme_id, actor_id, role) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(a.to_string())
                .bind(role)
                .execute(tx.conn())
                .await?;
            }
        }
        // Only links to programmes the editor may read are replaced; the others stay.
        for before in keys.keys() {
            sqlx::query("DELETE FROM programme_link WHERE after_id = $1 AND before_id = $2")
                .bind(id)
                .bind(before)
                .execute(tx.conn())
                .await?;
        }
        let id_of: BTreeMap<&String, &String> = keys.iter().map(|(i, k)| (k, i)).collect();
        for (kind, set) in [("dependency", &input.after), ("gate", &input.gated_by)] {
            for k in set {
                if let Some(before) = id_of.get(k) {
                    sqlx::query(
                        "INSERT INTO programme_link (before_id, after_id, kind) VALUES ($1, $2, $3)",
                    )
                    .bind(*before)
                    .bind(id)
                    .bind(kind)
                    .execute(tx.conn())
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// Adds a programme to the portfolio (without options: add them with
    /// [`Store::save_option`]).
    pub async fn create_programme(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        mut input: ProgrammeInput,
    ) -> Result<Programme, StoreError> {
        require_planning(viewer, "add programmes")?;
        input.fields.key = input.fields.key.trim().to_owned();
        input.fields.name = input.fields.name.trim().to_owned();
        input.fields.description = input.fields.description.trim().to_owned();
        let keys = self
            .visible_programme_keys(viewer, today, workspace)
            .await?;
        self.check_programme_input(viewer, today, workspace, &input, &keys)
            .await?;
        let id = ProgrammeRecordId::from_uuid(Uuid::now_v7());
        let ids = id.to_string();
        let ws = workspace.to_string();
        let now = crate::time::now();
        let f = &input.fields;
        let c = &input.classification;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO programme (id, workspace_id, key, name, description, kind, field, \
             lead_actor_id, mandatory, earliest_start, latest_start, level, justification, \
             declassify_on, declassify_to, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)",
        )
        .bind(&ids)
        .bind(&ws)
        .bind(&f.key)
        .bind(&f.name)
        .bind(&f.description)
        .bind(kind_text(f.kind))
        .bind(f.field.as_str())
        .bind(input.lead_actor.map(|a| a.to_string()))
        .bind(i64::from(f.mandatory))
        .bind(f.earliest_start.map(i64::from))
        .bind(f.latest_start.map(i64::from))
        .bind(c.level.rank())
        .bind(c.justification.clone())
        .bind(c.declassify_on.map(|d| d.to_string()))
        .bind(c.declassify_to.rank())
        .bind(&now)
        .execute(tx.conn())
        .await
        .map_err(|e| key_taken(e, "programme", &f.key))?;
        write_compartments(&mut tx, "programme", &ids, &c.compartments).await?;
        Self::write_programme_links(&mut tx, &ids, &input, &keys).await?;
        let audited = Audited {
            key: &f.key,
            fields: f,
            lead_actor: input.lead_actor,
            partners: &input.partners,
            donors: &input.donors,
            after: &input.after,
            gated_by: &input.gated_by,
            classification: c,
        };
        tx.audit(
            actor,
            "programme.create",
            "programme",
            &ids,
            Some(&ws),
            &audited,
        )
        .await?;
        tx.commit().await?;
        self.get_programme(viewer, today, workspace, &input.fields.key)
            .await?
            .ok_or(StoreError::NotFound {
                kind: "programme",
                key: input.fields.key,
            })
    }

    /// Changes a programme the viewer may read. Its key stays what it was: plans name it.
    /// A change of classification needs the permission to reclassify and is audited as a
    /// reclassification of its own.
    pub async fn update_programme(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        key: &str,
        mut input: ProgrammeInput,
    ) -> Result<Programme, StoreError> {
        require_planning(viewer, "edit programmes")?;
        let Some(before) = self.get_programme(viewer, today, workspace, key).await? else {
            return Err(StoreError::NotFound {
                kind: "programme",
                key: key.to_owned(),
            });
        };
        let reclassified = before.classification != input.classification;
        if reclassified && !permits(viewer.role, Action::Reclassify) {
            return Err(StoreError::Forbidden(
                "change the classification of records",
            ));
        }
        input.fields.key = before.fields.key.clone();
        input.fields.name = input.fields.name.trim().to_owned();
        input.fields.description = input.fields.description.trim().to_owned();
        let keys = self
            .visible_programme_keys(viewer, today, workspace)
            .await?;
        self.check_programme_input(viewer, today, workspace, &input, &keys)
            .await?;
        let ids = before.id.to_string();
        let ws = workspace.to_string();
        let now = crate::time::now();
        let f = &input.fields;
        let c = &input.classification;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE programme SET name = $1, description = $2, kind = $3, field = $4, \
             lead_actor_id = $5, mandatory = $6, earliest_start = $7, latest_start = $8, \
             level = $9, justification = $10, declassify_on = $11, declassify_to = $12, \
             updated_at = $13 WHERE id = $14",
        )
        .bind(&f.name)
        .bind(&f.description)
        .bind(kind_text(f.kind))
        .bind(f.field.as_str())
        .bind(input.lead_actor.map(|a| a.to_string()))
        .bind(i64::from(f.mandatory))
        .bind(f.earliest_start.map(i64::from))
        .bind(f.latest_start.map(i64::from))
        .bind(c.level.rank())
        .bind(c.justification.clone())
        .bind(c.declassify_on.map(|d| d.to_string()))
        .bind(c.declassify_to.rank())
        .bind(&now)
        .bind(&ids)
        .execute(tx.conn())
        .await?;
        if reclassified {
            replace_compartments(&mut tx, "programme", &ids, &c.compartments).await?;
        }
        Self::write_programme_links(&mut tx, &ids, &input, &keys).await?;
        let audited = Audited {
            key: &f.key,
            fields: f,
            lead_actor: input.lead_actor,
            partners: &input.partners,
            donors: &input.donors,
            after: &input.after,
            gated_by: &input.gated_by,
            classification: c,
        };
        tx.audit(
            actor,
            "programme.update",
            "programme",
            &ids,
            Some(&ws),
            &audited,
        )
        .await?;
        if reclassified {
            #[derive(Serialize)]
            struct Reclassified<'a> {
                from: &'a Classification,
                to: &'a Classification,
            }
            tx.audit(
                actor,
                "programme.reclassify",
                "programme",
                &ids,
                Some(&ws),
                &Reclassified {
                    from: &before.classification,
                    to: c,
                },
            )
            .await?;
        }
        tx.commit().await?;
        self.get_programme(viewer, today, workspace, key)
            .await?
            .ok_or(StoreError::NotFound {
                kind: "programme",
                key: key.to_owned(),
            })
    }

    /// Adds an option to a programme, or changes the option `editing` (its key stays).
    /// Costs must name funding sources, and contributions capabilities, of the workspace.
    pub async fn save_option(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        edit: OptionEdit,
    ) -> Result<Programme, StoreError> {
        require_planning(viewer, "edit programme options")?;
        let OptionEdit {
            programme,
            editing,
            mut fields,
        } = edit;
        let programme = programme.as_str();
        let editing = editing.as_deref();
        let Some(p) = self
            .get_programme(viewer, today, workspace, programme)
            .await?
        else {
            return Err(StoreError::NotFound {
                kind: "programme",
                key: programme.to_owned(),
            });
        };
        let existing = match editing {
            Some(k) => Some(p.option(k).cloned().ok_or_else(|| StoreError::NotFound {
                kind: "option",
                key: k.to_owned(),
            })?),
            None => None,
        };
        if let Some(e) = &existing {
            fields.key = e.fields.key.clone();
        }
        fields.key = fields.key.trim().to_owned();
        fields.name = fields.name.trim().to_owned();
        fields
            .costs
            .retain(|c| c.per_year.iter().any(|v| *v != 0.0));
        fields
            .contributions
            .retain(|c| c.per_year.iter().any(|v| *v != 0.0));
        let horizon = self.horizon_or_refuse(workspace).await?;
        let mut problems = fields.check(&horizon);
        let sources: BTreeSet<String> = self
            .list_sources(workspace)
            .await?
            .into_iter()
            .map(|s| s.fields.key)
            .collect();
        let caps: BTreeSet<String> = self
            .list_capabilities(viewer, today, workspace)
            .await?
            .into_iter()
            .map(|c| c.fields.key)
            .collect();
        for SourceCost { source, .. } in &fields.costs {
            if !sources.contains(source.as_str()) {
                problems.push(FieldError {
                    field: "costs",
                    message: format!("there is no funding source {source}"),
                });
            }
        }
        for c in &fields.contributions {
            if !caps.contains(c.capability.as_str()) {
                problems.push(FieldError {
                    field: "contributions",
                    message: format!("there is no capability {}", c.capability),
                });
            }
        }
        if existing.is_none() && p.option(&fields.key).is_some() {
            problems.push(FieldError {
                field: "key",
                message: format!("the programme already has an option {}", fields.key),
            });
        }
        if !problems.is_empty() {
            return Err(StoreError::Fields(problems));
        }
        let ws = workspace.to_string();
        let mut tx = self.begin_write().await?;
        let oid = match &existing {
            Some(e) => {
                sqlx::query(
                    "UPDATE programme_option SET name = $1, duration = $2, costs = $3, \
                     contributions = $4 WHERE id = $5",
                )
                .bind(&fields.name)
                .bind(i64::from(fields.duration))
                .bind(json_text(&fields.costs))
                .bind(json_text(&fields.contributions))
                .bind(e.id.to_string())
                .execute(tx.conn())
                .await?;
                e.id
            }
            None => {
                let oid = OptionRecordId::from_uuid(Uuid::now_v7());
                sqlx::query(
                    "INSERT INTO programme_option (id, programme_id, key, name, duration, costs, \
                     contributions, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(oid.to_string())
                .bind(p.id.to_string())
                .bind(&fields.key)
                .bind(&fields.name)
                .bind(i64::from(fields.duration))
                .bind(json_text(&fields.costs))
                .bind(json_text(&fields.contributions))
                .bind(p.options.len() as i64)
                .execute(tx.conn())
                .await?;
                oid
            }
        };
        #[derive(Serialize)]
        struct AuditedOption<'a> {
            programme: &'a str,
            option: OptionRecordId,
            fields: &'a OptionFields,
        }
        tx.audit(
            actor,
            if existing.is_some() {
                "programme.option.update"
            } else {
                "programme.option.create"
            },
            "programme",
            &p.id.to_string(),
            Some(&ws),
            &AuditedOption {
                programme: &p.fields.key,
                option: oid,
                fields: &fields,
            },
        )
        .await?;
        tx.commit().await?;
        self.get_programme(viewer, today, workspace, programme)
            .await?
            .ok_or(StoreError::NotFound {
                kind: "programme",
                key: programme.to_owned(),
            })
    }

    /// Removes an option of a programme.
    pub async fn delete_option(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        programme: &str,
        option: &str,
    ) -> Result<(), StoreError> {
        require_planning(viewer, "edit programme options")?;
        let Some(p) = self
            .get_programme(viewer, today, workspace, programme)
            .await?
        else {
            return Err(StoreError::NotFound {
                kind: "programme",
                key: programme.to_owned(),
            });
        };
        let Some(o) = p.option(option) else {
            return Err(StoreError::NotFound {
                kind: "option",
                key: option.to_owned(),
            });
        };
        let ws = workspace.to_string();
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM programme_option WHERE id = $1")
            .bind(o.id.to_string())
            .execute(tx.conn())
            .await?;
        tx.audit(
            actor,
            "programme.option.delete",
            "programme",
            &p.id.to_string(),
            Some(&ws),
            &o.fields.key,
        )
        .await?;
        tx.commit().await
    }

    /// Adds a dependency or an integrity gate: programme `after` cannot start before
    /// programme `before` has finished. Both must be programmes the viewer may read; one
    /// the viewer may not read is refused as one that does not exist.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_programme_link(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        after: &str,
        kind: PrecedenceKind,
        before: &str,
    ) -> Result<Programme, StoreError> {
        self.change_programme_link(actor, viewer, today, workspace, after, kind, before, true)
            .await
    }

    /// Removes a dependency or an integrity gate between two programmes the viewer may
    /// read.
    #[allow(clippy::too_many_arguments)]
    pub async fn remove_programme_link(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        after: &str,
        kind: PrecedenceKind,
        before: &str,
    ) -> Result<Programme, StoreError> {
        self.change_programme_link(actor, viewer, today, workspace, after, kind, before, false)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn change_programme_link(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        after: &str,
        kind: PrecedenceKind,
        before: &str,
        add: bool,
    ) -> Result<Programme, StoreError> {
        require_planning(viewer, "change dependencies and integrity gates")?;
        let Some(p) = self.get_programme(viewer, today, workspace, after).await? else {
            return Err(StoreError::NotFound {
                kind: "programme",
                key: after.to_owned(),
            });
        };
        let keys = self
            .visible_programme_keys(viewer, today, workspace)
            .await?;
        let Some(before_id) = keys
            .iter()
            .find_map(|(id, k)| (k == before).then(|| id.clone()))
        else {
            return Err(if add {
                StoreError::Fields(vec![FieldError {
                    field: "before",
                    message: format!("there is no programme {before}"),
                }])
            } else {
                StoreError::NotFound {
                    kind: "programme",
                    key: before.to_owned(),
                }
            });
        };
        let (kind_text, existing) = match kind {
            PrecedenceKind::Dependency => ("dependency", &p.after),
            PrecedenceKind::Gate => ("gate", &p.gated_by),
        };
        let linked = existing.iter().any(|k| k == before);
        if add {
            let mut problems = check_precedence("before", before, after);
            if linked {
                problems.push(FieldError {
                    field: "before",
                    message: format!("{after} already waits for {before}"),
                });
            }
            if !problems.is_empty() {
                return Err(StoreError::Fields(problems));
            }
        } else if !linked {
            return Err(StoreError::NotFound {
                kind: "link",
                key: format!("{before} before {after}"),
            });
        }
        let ws = workspace.to_string();
        let after_id = p.id.to_string();
        let mut tx = self.begin_write().await?;
        if add {
            sqlx::query(
                "INSERT INTO programme_link (before_id, after_id, kind) VALUES ($1, $2, $3)",
            )
            .bind(&before_id)
            .bind(&after_id)
            .bind(kind_text)
            .execute(tx.conn())
            .await?;
        } else {
            sqlx::query(
                "DELETE FROM programme_link WHERE before_id = $1 AND after_id = $2 AND kind = $3",
            )
            .bind(&before_id)
            .bind(&after_id)
            .bind(kind_text)
            .execute(tx.conn())
            .await?;
        }
        #[derive(Serialize)]
        struct Link<'a> {
            before: &'a str,
            after: &'a str,
            kind: PrecedenceKind,
        }
        tx.audit(
            actor,
            if add {
                "programme.link.add"
            } else {
                "programme.link.remove"
            },
            "programme",
            &after_id,
            Some(&ws),
            &Link {
                before,
                after,
                kind,
            },
        )
        .await?;
        tx.commit().await?;
        self.get_programme(viewer, today, workspace, after)
            .await?
            .ok_or(StoreError::NotFound {
                kind: "programme",
                key: after.to_owned(),
            })
    }

    /// The exclusions of a workspace that the viewer may read: those whose every
    /// programme the viewer may read. An exclusion that names a programme the viewer may
    /// not read is left out whole, name and all, since its name may speak of that
    /// programme.
    pub async fn list_exclusions(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
    ) -> Result<Vec<Exclusion>, StoreError> {
        let keys = self
            .visible_programme_keys(viewer, today, workspace)
            .await?;
        let rows = sqlx::query(
            "SELECT e.id, e.name, m.programme_id FROM programme_exclusion e \
             LEFT JOIN programme_exclusion_member m ON m.exclusion_id = e.id \
             WHERE e.workspace_id = $1 ORDER BY e.name, e.id",
        )
        .bind(workspace.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<(Exclusion, bool)> = Vec::new();
        for r in rows {
            let id: String = r.try_get(0)?;
            let name: String = r.try_get(1)?;
            let member: Option<String> = r.try_get(2)?;
            if out.last().is_none_or(|(e, _)| e.id != id) {
                out.push((
                    Exclusion {
                        id: id.clone(),
                        name,
                        programmes: Vec::new(),
                    },
                    true,
                ));
            }
            if let (Some(m), Some((last, readable))) = (member, out.last_mut()) {
                match keys.get(&m) {
                    Some(k) => last.programmes.push(k.clone()),
                    None => *readable = false,
                }
            }
        }
        Ok(out
            .into_iter()
            .filter(|(_, readable)| *readable)
            .map(|(mut e, _)| {
                e.programmes.sort();
                e
            })
            .collect())
    }

    /// Adds an exclusion: of these programmes (two or more, by key) at most one may be
    /// chosen. A programme the viewer may not read is refused as one that does not exist.
    pub async fn create_exclusion(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        mut fields: ExclusionFields,
    ) -> Result<Exclusion, StoreError> {
        require_planning(viewer, "add exclusions")?;
        fields.name = fields.name.trim().to_owned();
        for k in &mut fields.programmes {
            *k = k.trim().to_owned();
        }
        let keys = self
            .visible_programme_keys(viewer, today, workspace)
            .await?;
        let id_of: BTreeMap<&String, &String> = keys.iter().map(|(i, k)| (k, i)).collect();
        let mut problems = fields.check();
        let mut named = BTreeSet::new();
        for k in &fields.programmes {
            if !id_of.contains_key(k) && named.insert(k) {
                problems.push(FieldError {
                    field: "programmes",
                    message: format!("there is no programme {k}"),
                });
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Fields(problems));
        }
        let programmes: BTreeSet<String> = fields.programmes.into_iter().collect();
        let id = Uuid::now_v7().to_string();
        let ws = workspace.to_string();
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO programme_exclusion (id, workspace_id, name) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(&ws)
            .bind(&fields.name)
            .execute(tx.conn())
            .await?;
        for k in &programmes {
            sqlx::query(
                "INSERT INTO programme_exclusion_member (exclusion_id, programme_id) VALUES ($1, $2)",
            )
            .bind(&id)
            .bind(id_of[k])
            .execute(tx.conn())
            .await?;
        }
        let created = Exclusion {
            id: id.clone(),
            name: fields.name,
            programmes: programmes.into_iter().collect(),
        };
        tx.audit(
            actor,
            "exclusion.create",
            "exclusion",
            &id,
            Some(&ws),
            &created,
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Removes an exclusion the viewer may read (see [`Store::list_exclusions`]); one
    /// that names a programme the viewer may not read is not found.
    pub async fn delete_exclusion(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        id: &str,
    ) -> Result<(), StoreError> {
        require_planning(viewer, "remove exclusions")?;
        let Some(found) = self
            .list_exclusions(viewer, today, workspace)
            .await?
            .into_iter()
            .find(|e| e.id == id)
        else {
            return Err(StoreError::NotFound {
                kind: "exclusion",
                key: id.to_owned(),
            });
        };
        let ws = workspace.to_string();
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM programme_exclusion_member WHERE exclusion_id = $1")
            .bind(&found.id)
            .execute(tx.conn())
            .await?;
        sqlx::query("DELETE FROM programme_exclusion WHERE id = $1 AND workspace_id = $2")
            .bind(&found.id)
            .bind(&ws)
            .execute(tx.conn())
            .await?;
        tx.audit(
            actor,
            "exclusion.delete",
            "exclusion",
            &found.id,
            Some(&ws),
            &found,
        )
        .await?;
        tx.commit().await
    }

    /// The absorptive capacities of lead actors in a workspace. An actor the viewer may
    /// not read has no name: the plan problem needs its limit, but pages and the API
    /// leave it out.
    pub async fn list_capacities(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
    ) -> Result<Vec<LeadCapacity>, StoreError> {
        let names = self.actor_names(viewer, today, workspace).await?;
        let rows = sqlx::query(
            "SELECT actor_id, max_running FROM lead_capacity WHERE workspace_id = $1 ORDER BY actor_id",
        )
        .bind(workspace.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let a: String = r.try_get(0)?;
            let max: i64 = r.try_get(1)?;
            let id: ActorId = a.parse().map_err(|_| bad(format!("actor '{a}'")))?;
            out.push(LeadCapacity {
                actor: ActorRef {
                    id,
                    name: names.get(&id).cloned(),
                },
                max_running: max as u32,
            });
        }
        out.sort_by(|a, b| a.actor.name.cmp(&b.actor.name));
        Ok(out)
    }

    /// Sets how many programmes a lead actor, which the viewer must be able to read, may
    /// run at once (at least 1: see [`custodes_core::planning::check_capacity`]).
    pub async fn set_capacity(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        lead: ActorId,
        max_running: u32,
    ) -> Result<LeadCapacity, StoreError> {
        require_planning(viewer, "set absorptive capacities")?;
        let names = self.actor_names(viewer, today, workspace).await?;
        let mut problems = Vec::new();
        if !names.contains_key(&lead) {
            problems.push(FieldError {
                field: "actor",
                message: "choose an actor of the sector map".into(),
            });
        }
        problems.extend(check_capacity(max_running));
        if !problems.is_empty() {
            return Err(StoreError::Fields(problems));
        }
        let ws = workspace.to_string();
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM lead_capacity WHERE workspace_id = $1 AND actor_id = $2")
            .bind(&ws)
            .bind(lead.to_string())
            .execute(tx.conn())
            .await?;
        sqlx::query(
            "INSERT INTO lead_capacity (workspace_id, actor_id, max_running) VALUES ($1, $2, $3)",
        )
        .bind(&ws)
        .bind(lead.to_string())
        .bind(i64::from(max_running))
        .execute(tx.conn())
        .await?;
        tx.audit(
            actor,
            "planning.capacity",
            "actor",
            &lead.to_string(),
            Some(&ws),
            &Some(max_running),
        )
        .await?;
        tx.commit().await?;
        Ok(LeadCapacity {
            actor: ActorRef {
                id: lead,
                name: names.get(&lead).cloned(),
            },
            max_running,
        })
    }

    /// Removes the capacity of a lead actor the viewer may read: it may then run any
    /// number of programmes at once.
    pub async fn remove_capacity(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        lead: ActorId,
    ) -> Result<(), StoreError> {
        require_planning(viewer, "remove absorptive capacities")?;
        let known = self
            .list_capacities(viewer, today, workspace)
            .await?
            .into_iter()
            .any(|c| c.actor.id == lead && c.actor.name.is_some());
        if !known {
            return Err(StoreError::NotFound {
                kind: "capacity of actor",
                key: lead.to_string(),
            });
        }
        let ws = workspace.to_string();
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM lead_capacity WHERE workspace_id = $1 AND actor_id = $2")
            .bind(&ws)
            .bind(lead.to_string())
            .execute(tx.conn())
            .await?;
        tx.audit(
            actor,
            "planning.capacity.remove",
            "actor",
            &lead.to_string(),
            Some(&ws),
            &None::<u32>,
        )
        .await?;
        tx.commit().await
    }
}

/// The tables of this module, as a backup carries them, in the order a restore writes
/// them.
pub(crate) const PROGRAMME_TABLES: [crate::backup::TableSpec; 7] = {
    use crate::backup::ColumnType::{Int, Text};
    use crate::backup::TableSpec;
    [
        TableSpec {
            name: "programme",
            columns: &[
                ("id", Text),
                ("workspace_id", Text),
                ("key", Text),
                ("name", Text),
                ("description", Text),
                ("kind", Text),
                ("field", Text),
                ("lead_actor_id", Text),
                ("mandatory", Int),
                ("earliest_start", Int),
                ("latest_start", Int),
                ("level", Int),
                ("justification", Text),
                ("declassify_on", Text),
                ("declassify_to", Int),
                ("created_at", Text),
                ("updated_at", Text),
            ],
            order_by: "id",
            second_pass: &[],
            key: "id",
        },
        TableSpec {
            name: "programme_actor",
            columns: &[("programme_id", Text), ("actor_id", Text), ("role", Text)],
            order_by: "programme_id, actor_id, role",
            second_pass: &[],
            key: "programme_id",
        },
        TableSpec {
            name: "programme_option",
            columns: &[
                ("id", Text),
                ("programme_id", Text),
                ("key", Text),
                ("name", Text),
                ("duration", Int),
                ("costs", Text),
                ("contributions", Text),
                ("position", Int),
            ],
            order_by: "id",
            second_pass: &[],
            key: "id",
        },
        TableSpec {
            name: "programme_link",
            columns: &[("before_id", Text), ("after_id", Text), ("kind", Text)],
            order_by: "before_id, after_id, kind",
            second_pass: &[],
            key: "before_id",
        },
        TableSpec {
            name: "programme_exclusion",
            columns: &[("id", Text), ("workspace_id", Text), ("name", Text)],
            order_by: "id",
            second_pass: &[],
            key: "id",
        },
        TableSpec {
            name: "programme_exclusion_member",
            columns: &[("exclusion_id", Text), ("programme_id", Text)],
            order_by: "exclusion_id, programme_id",
            second_pass: &[],
            key: "exclusion_id",
        },
        TableSpec {
            name: "lead_capacity",
            columns: &[
                ("workspace_id", Text),
                ("actor_id", Text),
                ("max_running", Int),
            ],
            order_by: "workspace_id, actor_id",
            second_pass: &[],
            key: "workspace_id",
        },
    ]
};

//! The threat register: the threats a workspace faces, each classified like an actor.
//! Every read takes a viewer and applies the access policy inside its SQL, and so does the
//! matrix of likelihood and impact, whose counts include only what the viewer may read.
//!
//! A threat lists the actors that must respond to it. Like a goal's link to a threat, a
//! threat's link to an actor the viewer may not read is left out entirely, and an editor
//! who cannot read a linked actor keeps that link when saving.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use custodes_core::audit::Actor;
use custodes_core::permission::{Action, permits};
use custodes_core::policy::{Classification, Viewer};
use custodes_core::sector::FieldError;
use custodes_core::strategy::{
    Origin, Risk, Scope, SourceKind, ThreatFields, Trend, targets_from_text, targets_to_text,
};
use custodes_core::{ActorId, ThreatId, WorkspaceId};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::actor::{GATHER_PAGE, Page, gather};
use crate::classified::{
    classification_from_row, classification_problems, replace_compartments, write_compartments,
};
use crate::database::Store;
use crate::error::StoreError;
use crate::policy::{ViewerBinds, visible};
use crate::tx::WriteTx;

/// A threat in the register.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Threat {
    /// Its id.
    pub id: ThreatId,
    /// The workspace it belongs to.
    pub workspace: WorkspaceId,
    /// What it is, where it comes from, what it aims at, how it is rated.
    pub fields: ThreatFieldsView,
    /// How it is classified. Compartments are listed only when the viewer belongs to
    /// them or manages compartments.
    pub classification: Classification,
    /// The actors that must respond to it that the viewer may read, by name.
    pub responders: Vec<(ActorId, String)>,
    /// When it was created.
    pub created_at: String,
    /// When it was last changed.
    pub updated_at: String,
}

/// A threat's whole state, as the audit chain records it: every actor that must respond,
/// including those the writer may not read, by id.
#[derive(Serialize)]
struct AuditedThreat<'a> {
    id: ThreatId,
    workspace: WorkspaceId,
    fields: &'a ThreatFieldsView,
    classification: &'a Classification,
    responders: &'a BTreeSet<ActorId>,
    created_at: &'a str,
    updated_at: &'a str,
}

impl<'a> AuditedThreat<'a> {
    fn of(t: &'a Threat, responders: &'a BTreeSet<ActorId>) -> AuditedThreat<'a> {
        AuditedThreat {
            id: t.id,
            workspace: t.workspace,
            fields: &t.fields,
            classification: &t.classification,
            responders,
            created_at: &t.created_at,
            updated_at: &t.updated_at,
        }
    }
}

/// Orders responders by name (in Rust, so that both backends agree).
fn sort_responders(responders: &mut [(ActorId, String)]) {
    responders.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
}

/// [`ThreatFields`] in the shape the audit chain and the API see.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThreatFieldsView {
    /// A short name.
    pub name: String,
    /// What the threat is.
    pub description: String,
    /// Where it comes from.
    pub origin: Origin,
    /// How far it reaches.
    pub scope: Scope,
    /// What it aims at.
    pub targets: Vec<custodes_core::strategy::Target>,
    /// The kind of source behind it.
    pub source_kind: SourceKind,
    /// 1 to 5.
    pub likelihood: i64,
    /// 1 to 5.
    pub impact: i64,
    /// Whether it is growing.
    pub trend: Trend,
    /// When the rating is to be looked at again.
    pub review_on: Option<NaiveDate>,
}

impl From<ThreatFields> for ThreatFieldsView {
    fn from(f: ThreatFields) -> Self {
        ThreatFieldsView {
            name: f.name.trim().to_owned(),
            description: f.description.trim().to_owned(),
            origin: f.origin,
            scope: f.scope,
            targets: f.targets.into_iter().collect(),
            source_kind: f.source_kind,
            likelihood: f.likelihood,
            impact: f.impact,
            trend: f.trend,
            review_on: f.review_on,
        }
    }
}

impl Threat {
    /// The threat's risk: likelihood × impact and its band.
    pub fn risk(&self) -> Risk {
        Risk::new(self.fields.likelihood, self.fields.impact)
    }
}

/// What a list of threats is filtered by.
#[derive(Clone, Debug, Default)]
pub struct ThreatQuery {
    /// Words to find in the name or description.
    pub search: Option<String>,
    /// Only threats of this origin.
    pub origin: Option<Origin>,
    /// Only threats of this scope.
    pub scope: Option<Scope>,
    /// Only threats from this kind of source.
    pub source_kind: Option<SourceKind>,
    /// Only threats with this trend.
    pub trend: Option<Trend>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<i64>,
    /// Skip this many.
    pub offset: i64,
}

/// What is needed to create or change a threat.
#[derive(Clone, Debug)]
pub struct ThreatInput {
    /// Its fields.
    pub fields: ThreatFields,
    /// Its classification (checked by `Classification::new`).
    pub classification: Classification,
    /// The actors that must respond to it: actors of the same workspace the writer may
    /// read. On a change, links to actors the writer may not read are kept as they are.
    pub responders: Vec<ActorId>,
}

/// The count of threats in one cell of the likelihood × impact matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatrixCell {
    /// 1 to 5.
    pub likelihood: i64,
    /// 1 to 5.
    pub impact: i64,
    /// The threats in the cell the viewer may read, by name.
    pub threats: Vec<(ThreatId, String)>,
}

const COLUMNS: &str = "t.id, t.workspace_id, t.name, t.description, t.origin, t.scope, t.targets, \
     t.source_kind, t.likelihood, t.impact, t.trend, t.review_on, \
     t.level, t.justification, t.declassify_on, t.declassify_to, t.created_at, t.updated_at";

fn bad(what: String) -> StoreError {
    StoreError::Invalid(format!("stored threat: {what}"))
}

fn threat_from_row(row: &AnyRow) -> Result<Threat, StoreError> {
    let id: String = row.try_get(0)?;
    let ws: String = row.try_get(1)?;
    let text = |i: usize| -> Result<String, StoreError> { Ok(row.try_get::<String, _>(i)?) };
    let name_err = |e: custodes_core::access::UnknownName| bad(e.to_string());
    let review_on: Option<String> = row.try_get(11)?;
    Ok(Threat {
        id: id.parse().map_err(|_| bad(format!("id '{id}'")))?,
        workspace: ws.parse().map_err(|_| bad(format!("workspace '{ws}'")))?,
        fields: ThreatFieldsView {
            name: text(2)?,
            description: text(3)?,
            origin: text(4)?.parse().map_err(name_err)?,
            scope: text(5)?.parse().map_err(name_err)?,
            targets: targets_from_text(&text(6)?)
                .map_err(name_err)?
                .into_iter()
                .collect(),
            source_kind: text(7)?.parse().map_err(name_err)?,
            likelihood: row.try_get(8)?,
            impact: row.try_get(9)?,
            trend: text(10)?.parse().map_err(name_err)?,
            review_on: review_on
                .map(|d| d.parse().map_err(|_| bad(format!("review_on '{d}'"))))
                .transpose()?,
        },
        classification: classification_from_row(row, 12, bad)?,
        responders: Vec::new(),
        created_at: row.try_get(16)?,
        updated_at: row.try_get(17)?,
    })
}

/// The audit log's condition for entries about threats: listed, and counted, only when
/// the viewer may read the threat as it is classified today (parameters 1 to 3).
pub(crate) fn audit_condition() -> String {
    format!(
        " AND (e.entity_kind <> 'threat' OR EXISTS (SELECT 1 FROM threat t WHERE t.id = e.entity_id AND {}))",
        visible("t", "threat", 1)
    )
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds a threat input's fourteen columns, in the order both the insert and the update
/// name them.
fn bind_input<'q>(q: Query<'q>, input: &ThreatInput) -> Query<'q> {
    let f = &input.fields;
    let c = &input.classification;
    q.bind(f.name.trim().to_owned())
        .bind(f.description.trim().to_owned())
        .bind(f.origin.as_str())
        .bind(f.scope.as_str())
        .bind(targets_to_text(&f.targets))
        .bind(f.source_kind.as_str())
        .bind(f.likelihood)
        .bind(f.impact)
        .bind(f.trend.as_str())
        .bind(f.review_on.map(|d| d.to_string()))
        .bind(c.level.rank())
        .bind(c.justification.clone())
        .bind(c.declassify_on.map(|d| d.to_string()))
        .bind(c.declassify_to.rank())
}

impl Store {
    /// Threats of a workspace the viewer may read, filtered and paged, gravest first, with
    /// the count of all that match.
    pub async fn list_threats(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        query: &ThreatQuery,
    ) -> Result<Page<Threat>, StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let mut filter = format!("t.workspace_id = $4 AND {}", visible("t", "threat", 1));
        let mut binds: Vec<String> = Vec::new();
        for (column, value) in [
            ("t.origin", query.origin.map(|v| v.as_str())),
            ("t.scope", query.scope.map(|v| v.as_str())),
            ("t.source_kind", query.source_kind.map(|v| v.as_str())),
            ("t.trend", query.trend.map(|v| v.as_str())),
        ] {
            if let Some(v) = value {
                binds.push(v.to_owned());
                filter.push_str(&format!(" AND {column} = ${}", 4 + binds.len()));
            }
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
                " AND (LOWER(t.name) LIKE ${n} OR LOWER(t.description) LIKE ${n})"
            ));
        }
        let next = 5 + binds.len();
        let limit = query.limit.unwrap_or(50).clamp(1, 500);
        let list_sql = format!(
            "SELECT {COLUMNS} FROM threat t WHERE {filter} \
             ORDER BY t.likelihood * t.impact DESC, t.name, t.id LIMIT ${} OFFSET ${}",
            next,
            next + 1
        );
        let count_sql = format!("SELECT COUNT(*) FROM threat t WHERE {filter}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(list_sql))
            .bind(vb.today.clone())
            .bind(vb.clearance)
            .bind(vb.user.clone())
            .bind(workspace.to_string());
        let mut c = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user)
            .bind(workspace.to_string());
        for b in &binds {
            q = q.bind(b.clone());
            c = c.bind(b.clone());
        }
        let rows = q
            .bind(limit)
            .bind(query.offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        let total = c.fetch_one(&self.pool).await?;
        let mut items = rows
            .iter()
            .map(threat_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.attach_threat_compartments(viewer, &mut items).await?;
        self.attach_threat_responders(viewer, today, &mut items)
            .await?;
        Ok(Page { items, total })
    }

    /// Every threat of a workspace the viewer may read, gravest first (for choice lists
    /// and the home page), read page by page.
    pub async fn all_threats(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
    ) -> Result<Vec<Threat>, StoreError> {
        gather(|offset| async move {
            self.list_threats(
                viewer,
                today,
                workspace,
                &ThreatQuery {
                    limit: Some(GATHER_PAGE),
                    offset,
                    ..ThreatQuery::default()
                },
            )
            .await
        })
        .await
    }

    /// The likelihood × impact matrix of the threats the viewer may read: 25 cells, the
    /// highest likelihood first and, within it, the lowest impact first.
    pub async fn threat_matrix(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
    ) -> Result<Vec<MatrixCell>, StoreError> {
        let mut by_cell: BTreeMap<(i64, i64), Vec<(ThreatId, String)>> = BTreeMap::new();
        for t in self.all_threats(viewer, today, workspace).await? {
            by_cell
                .entry((t.fields.likelihood, t.fields.impact))
                .or_default()
                .push((t.id, t.fields.name));
        }
        let mut cells = Vec::new();
        for likelihood in (1..=5).rev() {
            for impact in 1..=5 {
                let mut threats = by_cell.remove(&(likelihood, impact)).unwrap_or_default();
                threats.sort_by(|a, b| a.1.cmp(&b.1));
                cells.push(MatrixCell {
                    likelihood,
                    impact,
                    threats,
                });
            }
        }
        Ok(cells)
    }

    /// One threat, when the viewer may read it; `None` when it does not exist or the
    /// viewer may not read it (the two are indistinguishable).
    pub async fn get_threat(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: ThreatId,
    ) -> Result<Option<Threat>, StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let sql = format!(
            "SELECT {COLUMNS} FROM threat t WHERE t.id = $4 AND {}",
            visible("t", "threat", 1)
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut items = vec![threat_from_row(&row)?];
        self.attach_threat_compartments(viewer, &mut items).await?;
        self.attach_threat_responders(viewer, today, &mut items)
            .await?;
        Ok(items.pop())
    }

    async fn attach_threat_compartments(
        &self,
        viewer: &Viewer,
        items: &mut [Threat],
    ) -> Result<(), StoreError> {
        let ids: Vec<String> = items.iter().map(|t| t.id.to_string()).collect();
        let mut by_record = self.compartments_of(viewer, "threat", &ids).await?;
        for item in items {
            if let Some(set) = by_record.remove(&item.id.to_string()) {
                item.classification.compartments = set;
            }
        }
        Ok(())
    }

    /// Fills in the actors that must respond to each threat, those the viewer may read.
    async fn attach_threat_responders(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        items: &mut [Threat],
    ) -> Result<(), StoreError> {
        if items.is_empty() {
            return Ok(());
        }
        let vb = ViewerBinds::new(viewer, today);
        let placeholders: Vec<String> = (4..items.len() + 4).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT tr.threat_id, a.id, a.name FROM threat_responder tr \
             JOIN actor a ON a.id = tr.actor_id WHERE tr.threat_id IN ({}) AND {}",
            placeholders.join(", "),
            visible("a", "actor", 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user);
        for t in items.iter() {
            q = q.bind(t.id.to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut by_threat: BTreeMap<String, Vec<(ActorId, String)>> = BTreeMap::new();
        for row in rows {
            let threat: String = row.try_get(0)?;
            let actor: String = row.try_get(1)?;
            let actor = actor
                .parse()
                .map_err(|_| bad(format!("responder '{actor}'")))?;
            by_threat
                .entry(threat)
                .or_default()
                .push((actor, row.try_get(2)?));
        }
        for item in items {
            if let Some(mut responders) = by_threat.remove(&item.id.to_string()) {
                sort_responders(&mut responders);
                item.responders = responders;
            }
        }
        Ok(())
    }

    /// Checks a threat's input: its fields, its classification, and that every responder
    /// is an actor the viewer may read in the same workspace. Returns the responders, by
    /// name.
    async fn check_threat_input(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        input: &ThreatInput,
    ) -> Result<Vec<(ActorId, String)>, StoreError> {
        let mut problems = input.fields.check();
        problems.extend(classification_problems(viewer, &input.classification));
        let mut responders = Vec::new();
        let wanted: BTreeSet<ActorId> = input.responders.iter().copied().collect();
        for a in wanted {
            match self.get_actor(viewer, today, a).await? {
                Some(found) if found.workspace == workspace => {
                    responders.push((a, found.fields.name));
                }
                _ => {
                    problems.push(FieldError {
                        field: "responders",
                        message: "choose the responding actors from this workspace's sector map"
                            .into(),
                    });
                    break;
                }
            }
        }
        if problems.is_empty() {
            sort_responders(&mut responders);
            Ok(responders)
        } else {
            Err(StoreError::Fields(problems))
        }
    }

    /// Adds a threat to a workspace's register.
    pub async fn create_threat(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        input: ThreatInput,
    ) -> Result<Threat, StoreError> {
        if !permits(viewer.role, Action::EditStrategy) {
            return Err(StoreError::Forbidden("add threats to the register"));
        }
        let responders = self
            .check_threat_input(viewer, today, workspace, &input)
            .await?;
        let id = ThreatId::from_uuid(Uuid::now_v7());
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        let insert = sqlx::query(
            "INSERT INTO threat (name, description, origin, scope, targets, source_kind, \
             likelihood, impact, trend, review_on, level, justification, declassify_on, \
             declassify_to, id, workspace_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)",
        );
        bind_input(insert, &input)
            .bind(id.to_string())
            .bind(workspace.to_string())
            .bind(&now)
            .execute(tx.conn())
            .await?;
        let ids = id.to_string();
        write_compartments(&mut tx, "threat", &ids, &input.classification.compartments).await?;
        let all: BTreeSet<ActorId> = responders.iter().map(|(a, _)| *a).collect();
        write_responders(&mut tx, &ids, &all).await?;
        let created = Threat {
            id,
            workspace,
            fields: input.fields.into(),
            classification: input.classification,
            responders,
            created_at: now.clone(),
            updated_at: now,
        };
        let ws = workspace.to_string();
        let state = AuditedThreat::of(&created, &all);
        tx.audit(actor, "threat.create", "threat", &ids, Some(&ws), &state)
            .await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes a threat the viewer may read. A change of classification needs the
    /// permission to reclassify and is audited as a reclassification of its own. Links to
    /// responding actors the viewer may not read are kept as they are.
    pub async fn update_threat(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: ThreatId,
        input: ThreatInput,
    ) -> Result<Threat, StoreError> {
        if !permits(viewer.role, Action::EditStrategy) {
            return Err(StoreError::Forbidden("edit the threat register"));
        }
        let Some(before) = self.get_threat(viewer, today, id).await? else {
            return Err(StoreError::NotFound {
                kind: "threat",
                key: id.to_string(),
            });
        };
        let reclassified = before.classification != input.classification;
        if reclassified && !permits(viewer.role, Action::Reclassify) {
            return Err(StoreError::Forbidden(
                "change the classification of records",
            ));
        }
        let responders = self
            .check_threat_input(viewer, today, before.workspace, &input)
            .await?;
        let seen: BTreeSet<ActorId> = before.responders.iter().map(|(a, _)| *a).collect();
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        let linked: Vec<String> =
            sqlx::query_scalar("SELECT actor_id FROM threat_responder WHERE threat_id = $1")
                .bind(id.to_string())
                .fetch_all(tx.conn())
                .await?;
        let mut all: BTreeSet<ActorId> = responders.iter().map(|(a, _)| *a).collect();
        for a in linked {
            let a: ActorId = a.parse().map_err(|_| bad(format!("responder '{a}'")))?;
            if !seen.contains(&a) {
                all.insert(a);
            }
        }
        let update = sqlx::query(
            "UPDATE threat SET name = $1, description = $2, origin = $3, scope = $4, targets = $5, \
             source_kind = $6, likelihood = $7, impact = $8, trend = $9, review_on = $10, \
             level = $11, justification = $12, declassify_on = $13, declassify_to = $14, \
             updated_at = $15 WHERE id = $16",
        );
        bind_input(update, &input)
            .bind(&now)
            .bind(id.to_string())
            .execute(tx.conn())
            .await?;
        let ids = id.to_string();
        if reclassified {
            replace_compartments(&mut tx, "threat", &ids, &input.classification.compartments)
                .await?;
        }
        sqlx::query("DELETE FROM threat_responder WHERE threat_id = $1")
            .bind(&ids)
            .execute(tx.conn())
            .await?;
        write_responders(&mut tx, &ids, &all).await?;
        let updated = Threat {
            id,
            workspace: before.workspace,
            fields: input.fields.into(),
            classification: input.classification,
            responders,
            created_at: before.created_at,
            updated_at: now,
        };
        let ws = before.workspace.to_string();
        let state = AuditedThreat::of(&updated, &all);
        tx.audit(actor, "threat.update", "threat", &ids, Some(&ws), &state)
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
            tx.audit(
                actor,
                "threat.reclassify",
                "threat",
                &ids,
                Some(&ws),
                &change,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(updated)
    }
}

/// Links a threat to the actors that must respond to it.
async fn write_responders(
    tx: &mut WriteTx,
    threat: &str,
    responders: &BTreeSet<ActorId>,
) -> Result<(), StoreError> {
    for a in responders {
        sqlx::query("INSERT INTO threat_responder (threat_id, actor_id) VALUES ($1, $2)")
            .bind(threat)
            .bind(a.to_string())
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// The threat table, as a backup carries it.
pub(crate) const THREAT_TABLE: crate::backup::TableSpec = {
    use crate::backup::ColumnType::{Int, Text};
    crate::backup::TableSpec {
        name: "threat",
        columns: &[
            ("id", Text),
            ("workspace_id", Text),
            ("name", Text),
            ("description", Text),
            ("origin", Text),
            ("scope", Text),
            ("targets", Text),
            ("source_kind", Text),
            ("likelihood", Int),
            ("impact", Int),
            ("trend", Text),
            ("review_on", Text),
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
    }
};

/// The links of threats to the actors that must respond, as a backup carries them (after
/// the threats and actors they refer to).
pub(crate) const THREAT_RESPONDER_TABLE: crate::backup::TableSpec = {
    use crate::backup::ColumnType::Text;
    crate::backup::TableSpec {
        name: "threat_responder",
        columns: &[("threat_id", Text), ("actor_id", Text)],
        order_by: "threat_id, actor_id",
        second_pass: &[],
        key: "threat_id",
    }
};

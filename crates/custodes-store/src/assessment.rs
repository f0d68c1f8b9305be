//! Frameworks imported into the instance, and assessments: their answers with evidence
//! and history, their review and their life cycle. The rules come from
//! `custodes_core::assessment` and `custodes_core::framework`; this module keeps them.
//!
//! Who may read an assessment: the access policy on its classification (as for every
//! classified record), and, until it is published, only its assessors and reviewers and
//! those who manage assessments. Sources carry their own classification, and an answer
//! names its actor only to viewers who may read that actor.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use custodes_core::assessment::{
    self as rules, Decision, Event, MemberRole, Progress, Status, missing_name, parse_missing,
};
use custodes_core::audit::Actor;
use custodes_core::framework::{Answer, AnswerValue, LevelId, NodeId, ValidFramework};
use custodes_core::permission::{Action, permits};
use custodes_core::policy::{Classification, Viewer};
use custodes_core::sector::FieldError;
use custodes_core::{ActorId, AssessmentId, UserId, WorkspaceId};
use custodes_formats::builtin::FRAMEWORKS;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::classified;
use crate::database::Store;
use crate::error::{StoreError, conflict};
use crate::policy::{ViewerBinds, visible};
use crate::tx::WriteTx;

/// A framework the instance offers: built in, or imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameworkEntry {
    /// The framework's stable id.
    pub key: String,
    /// Its version.
    pub version: String,
    /// Its name.
    pub name: String,
    /// True for the frameworks shipped in the binary.
    pub built_in: bool,
    /// The file it was read from.
    pub file_name: String,
    /// When it was imported (built-in frameworks: never).
    pub imported_at: Option<String>,
}

/// An assessment as its readers see it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    /// Its id.
    pub id: AssessmentId,
    /// The workspace assessed.
    pub workspace: WorkspaceId,
    /// The framework's stable id.
    pub framework_key: String,
    /// The framework version applied.
    pub framework_version: String,
    /// Its title.
    pub title: String,
    /// The period or cycle ("2024").
    pub period: String,
    /// Where it is in its life cycle.
    pub status: Status,
    /// 1 for the first version; a correction of a published version is the next.
    pub version: i64,
    /// The published version this one corrects.
    pub corrects: Option<AssessmentId>,
    /// The current review round (a request for changes starts the next).
    pub review_round: i64,
    /// How many reviewers must approve.
    pub required_reviewers: i64,
    /// Its classification.
    pub classification: Classification,
    /// Who answers and who reviews.
    pub members: Vec<Member>,
    /// The actors it is limited to (those the viewer may read), if any.
    pub actors: Vec<NamedActor>,
    /// How many indicators have an answer.
    pub answered: i64,
    /// When it was opened.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// When it was published.
    pub published_at: Option<String>,
}

impl Assessment {
    /// True when the user is a member in that role.
    pub fn has_member(&self, user: Option<UserId>, role: MemberRole) -> bool {
        user.is_some_and(|u| self.members.iter().any(|m| m.user == u && m.role == role))
    }
}

/// A person named on an assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The user.
    pub user: UserId,
    /// Their display name.
    pub name: String,
    /// What they do in it.
    pub role: MemberRole,
}

/// An actor with its name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NamedActor {
    /// The actor.
    pub id: ActorId,
    /// Its name.
    pub name: String,
}

/// What opens an assessment.
#[derive(Clone, Debug)]
pub struct AssessmentInput {
    /// The framework's stable id.
    pub framework_key: String,
    /// The version to apply.
    pub framework_version: String,
    /// Its title.
    pub title: String,
    /// The period or cycle.
    pub period: String,
    /// Its classification.
    pub classification: Classification,
    /// Who answers.
    pub assessors: Vec<UserId>,
    /// Who reviews.
    pub reviewers: Vec<UserId>,
    /// The actors it is limited to; empty for the whole sector.
    pub actors: Vec<ActorId>,
}

/// The current answer to an indicator, with its evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredAnswer {
    /// The indicator.
    pub indicator: NodeId,
    /// The level or missing state given.
    pub value: AnswerValue,
    /// Why.
    pub explanation: String,
    /// The actor concerned, when the viewer may read it.
    pub actor: Option<NamedActor>,
    /// Who last changed it.
    pub updated_by: Option<String>,
    /// When.
    pub updated_at: String,
    /// Its sources that the viewer may read.
    pub sources: Vec<Source>,
}

/// A link or document behind an answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Source {
    /// Its id.
    pub id: String,
    /// The indicator it supports.
    pub indicator: NodeId,
    /// What it is.
    pub title: String,
    /// Where to find it, if online.
    pub url: String,
    /// Its classification.
    pub classification: Classification,
    /// When it was added.
    pub added_at: String,
}

/// A source to add.
#[derive(Clone, Debug)]
pub struct SourceInput {
    /// What it is.
    pub title: String,
    /// Where to find it (empty when offline).
    pub url: String,
    /// Its classification.
    pub classification: Classification,
}

/// An answer to give.
#[derive(Clone, Debug)]
pub struct AnswerInput {
    /// The indicator.
    pub indicator: NodeId,
    /// The level or missing state.
    pub value: AnswerValue,
    /// Why.
    pub explanation: String,
    /// The actor concerned.
    pub actor: Option<ActorId>,
}

/// An answer as its history keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerSnapshot {
    /// The value.
    pub value: AnswerValue,
    /// The explanation.
    pub explanation: String,
    /// The actor concerned.
    pub actor: Option<ActorId>,
}

/// One change of an answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnswerChange {
    /// The indicator.
    pub indicator: NodeId,
    /// Who changed it.
    pub changed_by: Option<String>,
    /// When.
    pub changed_at: String,
    /// Before (none for the first answer).
    pub before: Option<AnswerSnapshot>,
    /// After.
    pub after: AnswerSnapshot,
}

/// A reviewer's comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReviewComment {
    /// The indicator, or none for the whole assessment.
    pub indicator: Option<NodeId>,
    /// The review round.
    pub round: i64,
    /// Who wrote it.
    pub author: Option<String>,
    /// What they wrote.
    pub body: String,
    /// When.
    pub created_at: String,
}

/// A reviewer's decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReviewDecision {
    /// The review round.
    pub round: i64,
    /// The reviewer.
    pub reviewer: UserId,
    /// Their name.
    pub reviewer_name: String,
    /// The decision.
    pub decision: Decision,
    /// Why.
    pub comment: String,
    /// When.
    pub created_at: String,
}

fn bad(what: String) -> StoreError {
    StoreError::Invalid(format!("stored assessment: {what}"))
}

fn field(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Fields(vec![FieldError {
        field,
        message: message.into(),
    }])
}

fn not_found(id: AssessmentId) -> StoreError {
    StoreError::NotFound {
        kind: "assessment",
        key: id.to_string(),
    }
}

/// The condition, on rows of `assessment a` and parameters `$p..$p+2` (the viewer's),
/// under which the viewer may read an assessment: the access policy, and before it is
/// published only members and those who manage assessments (`$p+3` is 1 for them).
fn readable(p: usize) -> String {
    format!(
        "{} AND (a.status = 'published' OR ${} = 1 OR EXISTS (\
           SELECT 1 FROM assessment_member m WHERE m.assessment_id = a.id AND m.user_id = ${}))",
        visible("a", "assessment", p),
        p + 3,
        p + 2
    )
}

const COLUMNS: &str = "a.id, a.workspace_id, a.framework_key, a.framework_version, a.title, a.period, \
     a.status, a.version, a.corrects, a.review_round, a.required_reviewers, \
     a.level, a.justification, a.declassify_on, a.declassify_to, \
     a.created_at, a.updated_at, a.published_at, \
     (SELECT COUNT(*) FROM answer an WHERE an.assessment_id = a.id)";

fn assessment_from_row(row: &AnyRow) -> Result<Assessment, StoreError> {
    let id: String = row.try_get(0)?;
    let ws: String = row.try_get(1)?;
    let status: String = row.try_get(6)?;
    let corrects: Option<String> = row.try_get(8)?;
    Ok(Assessment {
        id: id.parse().map_err(|_| bad(format!("id '{id}'")))?,
        workspace: ws.parse().map_err(|_| bad(format!("workspace '{ws}'")))?,
        framework_key: row.try_get(2)?,
        framework_version: row.try_get(3)?,
        title: row.try_get(4)?,
        period: row.try_get(5)?,
        status: status
            .parse()
            .map_err(|e: custodes_core::access::UnknownName| bad(e.to_string()))?,
        version: row.try_get(7)?,
        corrects: corrects
            .map(|c| c.parse().map_err(|_| bad(format!("corrects '{c}'"))))
            .transpose()?,
        review_round: row.try_get(9)?,
        required_reviewers: row.try_get(10)?,
        classification: classified::classification_from_row(row, 11, bad)?,
        members: Vec::new(),
        actors: Vec::new(),
        created_at: row.try_get(15)?,
        updated_at: row.try_get(16)?,
        published_at: row.try_get(17)?,
        answered: row.try_get(18)?,
    })
}

fn value_columns(value: &AnswerValue) -> (Option<String>, Option<&'static str>) {
    match value {
        AnswerValue::Level(l) => (Some(l.as_str().to_owned()), None),
        AnswerValue::Missing(m) => (None, Some(missing_name(*m))),
    }
}

fn value_from(level: Option<String>, missing: Option<String>) -> Result<AnswerValue, StoreError> {
    match (level, missing) {
        (Some(l), None) => Ok(AnswerValue::Level(LevelId::from(l))),
        (None, Some(m)) => parse_missing(&m)
            .map(AnswerValue::Missing)
            .ok_or_else(|| bad(format!("missing state '{m}'"))),
        _ => Err(bad(
            "an answer with both or neither of a level and a missing state".into(),
        )),
    }
}

impl Store {
    // ---- Frameworks ------------------------------------------------------------------

    /// The frameworks the instance offers: the built-in ones, then those imported, by
    /// name and version.
    pub async fn frameworks(&self) -> Result<Vec<FrameworkEntry>, StoreError> {
        let mut out: Vec<FrameworkEntry> = FRAMEWORKS
            .iter()
            .filter_map(|b| {
                let f = custodes_formats::framework::read(b.file, b.text).ok()?;
                let fw = f.framework();
                Some(FrameworkEntry {
                    key: fw.id.as_str().to_owned(),
                    version: fw.version.clone(),
                    name: fw.name.clone(),
                    built_in: true,
                    file_name: b.file.to_owned(),
                    imported_at: None,
                })
            })
            .collect();
        let rows = sqlx::query(
            "SELECT key, version, name, file_name, imported_at FROM framework ORDER BY name, version",
        )
        .fetch_all(&self.pool)
        .await?;
        for row in rows {
            out.push(FrameworkEntry {
                key: row.try_get(0)?,
                version: row.try_get(1)?,
                name: row.try_get(2)?,
                built_in: false,
                file_name: row.try_get(3)?,
                imported_at: Some(row.try_get(4)?),
            });
        }
        Ok(out)
    }

    /// A framework version, read and checked: built in, or imported.
    pub async fn framework(&self, key: &str, version: &str) -> Result<ValidFramework, StoreError> {
        for b in FRAMEWORKS {
            if let Ok(f) = custodes_formats::framework::read(b.file, b.text)
                && f.framework().id.as_str() == key
                && f.framework().version == version
            {
                return Ok(f);
            }
        }
        let row =
            sqlx::query("SELECT file_name, source FROM framework WHERE key = $1 AND version = $2")
                .bind(key.to_owned())
                .bind(version.to_owned())
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound {
                kind: "framework",
                key: format!("{key} {version}"),
            });
        };
        let (file, text): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        custodes_formats::framework::read(&file, &text).map_err(|d| {
            StoreError::Invalid(format!(
                "the stored framework {key} {version} no longer reads: {}",
                d.first().map(ToString::to_string).unwrap_or_default()
            ))
        })
    }

    /// Imports a framework file that was read and checked (`framework`). A version that
    /// exists (built in or imported) is refused: versions are immutable.
    pub async fn import_framework(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        file_name: &str,
        source: &str,
        framework: &ValidFramework,
    ) -> Result<FrameworkEntry, StoreError> {
        if !permits(viewer.role, Action::ImportFrameworks) {
            return Err(StoreError::Forbidden("import frameworks"));
        }
        let fw = framework.framework();
        let (key, version) = (fw.id.as_str().to_owned(), fw.version.clone());
        let exists = || {
            format!(
                "framework {key} version {version} exists already; a changed framework needs a new version"
            )
        };
        if self
            .frameworks()
            .await?
            .iter()
            .any(|f| f.key == key && f.version == version)
        {
            return Err(StoreError::Conflict(exists()));
        }
        let id = Uuid::now_v7().to_string();
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO framework (id, key, version, name, file_name, source, imported_by, imported_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.clone())
        .bind(key.clone())
        .bind(version.clone())
        .bind(fw.name.clone())
        .bind(file_name.to_owned())
        .bind(source.to_owned())
        .bind(viewer.user.map(|u| u.to_string()))
        .bind(now.clone())
        .execute(tx.conn())
        .await
        .map_err(|e| conflict(e, exists))?;
        let entry = FrameworkEntry {
            key,
            version,
            name: fw.name.clone(),
            built_in: false,
            file_name: file_name.to_owned(),
            imported_at: Some(now),
        };
        tx.audit(actor, "framework.import", "framework", &id, None, &entry)
            .await?;
        tx.commit().await?;
        Ok(entry)
    }

    // ---- Reading assessments ---------------------------------------------------------

    /// The assessments of a workspace the viewer may read, newest period first.
    pub async fn list_assessments(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
    ) -> Result<Vec<Assessment>, StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let sql = format!(
            "SELECT {COLUMNS} FROM assessment a WHERE a.workspace_id = $5 AND {} \
             ORDER BY a.period DESC, a.title, a.version DESC",
            readable(1)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user)
            .bind(i64::from(permits(viewer.role, Action::ManageAssessments)))
            .bind(workspace.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut items = rows
            .iter()
            .map(assessment_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.attach_details(viewer, today, &mut items).await?;
        Ok(items)
    }

    /// One assessment, when the viewer may read it.
    pub async fn get_assessment(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
    ) -> Result<Option<Assessment>, StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let sql = format!(
            "SELECT {COLUMNS} FROM assessment a WHERE a.id = $5 AND {}",
            readable(1)
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user)
            .bind(i64::from(permits(viewer.role, Action::ManageAssessments)))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut items = vec![assessment_from_row(&row)?];
        self.attach_details(viewer, today, &mut items).await?;
        Ok(items.pop())
    }

    async fn readable_assessment(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
    ) -> Result<Assessment, StoreError> {
        self.get_assessment(viewer, today, id)
            .await?
            .ok_or_else(|| not_found(id))
    }

    async fn attach_details(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        items: &mut [Assessment],
    ) -> Result<(), StoreError> {
        let ids: Vec<String> = items.iter().map(|i| i.id.to_string()).collect();
        let mut compartments = self.compartments_of(viewer, "assessment", &ids).await?;
        let vb = ViewerBinds::new(viewer, today);
        for item in items.iter_mut() {
            if let Some(set) = compartments.remove(&item.id.to_string()) {
                item.classification.compartments = set;
            }
            let rows = sqlx::query(
                "SELECT m.user_id, u.display_name, m.role FROM assessment_member m \
                 JOIN app_user u ON u.id = m.user_id WHERE m.assessment_id = $1 \
                 ORDER BY m.role, u.display_name",
            )
            .bind(item.id.to_string())
            .fetch_all(&self.pool)
            .await?;
            for row in rows {
                let user: String = row.try_get(0)?;
                let role: String = row.try_get(2)?;
                item.members.push(Member {
                    user: user.parse().map_err(|_| bad(format!("member '{user}'")))?,
                    name: row.try_get(1)?,
                    role: role
                        .parse()
                        .map_err(|e: custodes_core::access::UnknownName| bad(e.to_string()))?,
                });
            }
            let sql = format!(
                "SELECT p.id, p.name FROM assessment_actor aa JOIN actor p ON p.id = aa.actor_id \
                 WHERE aa.assessment_id = $4 AND {} ORDER BY p.name",
                visible("p", "actor", 1)
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(vb.today.clone())
                .bind(vb.clearance)
                .bind(vb.user.clone())
                .bind(item.id.to_string())
                .fetch_all(&self.pool)
                .await?;
            for row in rows {
                item.actors.push(named_actor(&row, 0)?);
            }
        }
        Ok(())
    }

    /// The current answers of an assessment the viewer may read, with the sources and
    /// actors the viewer may read, in indicator id order.
    pub async fn answers(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
    ) -> Result<Vec<StoredAnswer>, StoreError> {
        self.readable_assessment(viewer, today, id).await?;
        let vb = ViewerBinds::new(viewer, today);
        let sql = format!(
            "SELECT an.indicator, an.level_id, an.missing, an.explanation, p.id, p.name, \
             u.display_name, an.updated_at \
             FROM answer an \
             LEFT JOIN actor p ON p.id = an.actor_id AND {} \
             LEFT JOIN app_user u ON u.id = an.updated_by \
             WHERE an.assessment_id = $4 ORDER BY an.indicator",
            visible("p", "actor", 1)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today.clone())
            .bind(vb.clearance)
            .bind(vb.user.clone())
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut sources = self.sources(viewer, today, id).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let indicator: String = row.try_get(0)?;
            let actor_id: Option<String> = row.try_get(4)?;
            out.push(StoredAnswer {
                value: value_from(row.try_get(1)?, row.try_get(2)?)?,
                explanation: row.try_get(3)?,
                actor: match actor_id {
                    Some(_) => Some(named_actor(&row, 4)?),
                    None => None,
                },
                updated_by: row.try_get(6)?,
                updated_at: row.try_get(7)?,
                sources: sources.remove(indicator.as_str()).unwrap_or_default(),
                indicator: NodeId::from(indicator),
            });
        }
        Ok(out)
    }

    /// The sources of an assessment the viewer may read, by indicator.
    async fn sources(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
    ) -> Result<BTreeMap<String, Vec<Source>>, StoreError> {
        let vb = ViewerBinds::new(viewer, today);
        let sql = format!(
            "SELECT s.id, s.indicator, s.title, s.url, s.level, s.justification, s.declassify_on, \
             s.declassify_to, s.added_at FROM answer_source s \
             WHERE s.assessment_id = $4 AND {} ORDER BY s.indicator, s.added_at, s.id",
            visible("s", "answer_source", 1)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user)
            .bind(id.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut list = Vec::with_capacity(rows.len());
        for row in rows {
            let indicator: String = row.try_get(1)?;
            list.push(Source {
                id: row.try_get(0)?,
                indicator: NodeId::from(indicator),
                title: row.try_get(2)?,
                url: row.try_get(3)?,
                classification: classified::classification_from_row(&row, 4, bad)?,
                added_at: row.try_get(8)?,
            });
        }
        let ids: Vec<String> = list.iter().map(|s| s.id.clone()).collect();
        let mut compartments = self.compartments_of(viewer, "answer_source", &ids).await?;
        let mut out: BTreeMap<String, Vec<Source>> = BTreeMap::new();
        for mut s in list {
            if let Some(set) = compartments.remove(&s.id) {
                s.classification.compartments = set;
            }
            out.entry(s.indicator.as_str().to_owned())
                .or_default()
                .push(s);
        }
        Ok(out)
    }

    /// Every change of the answers of an assessment the viewer may read, oldest first;
    /// of one indicator when `indicator` is given.
    pub async fn answer_history(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
        indicator: Option<&str>,
    ) -> Result<Vec<AnswerChange>, StoreError> {
        self.readable_assessment(viewer, today, id).await?;
        let rows = sqlx::query(
            "SELECT c.indicator, u.display_name, c.changed_at, c.before_state, c.after_state \
             FROM answer_change c LEFT JOIN app_user u ON u.id = c.changed_by \
             WHERE c.assessment_id = $1 AND ($2 = '' OR c.indicator = $2) \
             ORDER BY c.changed_at, c.id",
        )
        .bind(id.to_string())
        .bind(indicator.unwrap_or("").to_owned())
        .fetch_all(&self.pool)
        .await?;
        let parse = |s: &str| -> Result<AnswerSnapshot, StoreError> {
            serde_json::from_str(s).map_err(|e| bad(format!("answer history: {e}")))
        };
        rows.iter()
            .map(|row| {
                let indicator: String = row.try_get(0)?;
                let before: Option<String> = row.try_get(3)?;
                let after: String = row.try_get(4)?;
                Ok(AnswerChange {
                    indicator: NodeId::from(indicator),
                    changed_by: row.try_get(1)?,
                    changed_at: row.try_get(2)?,
                    before: before.as_deref().map(parse).transpose()?,
                    after: parse(&after)?,
                })
            })
            .collect()
    }

    /// The reviewers' comments on an assessment the viewer may read, oldest first.
    pub async fn review_comments(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
    ) -> Result<Vec<ReviewComment>, StoreError> {
        self.readable_assessment(viewer, today, id).await?;
        let rows = sqlx::query(
            "SELECT c.indicator, c.round, u.display_name, c.body, c.created_at \
             FROM review_comment c LEFT JOIN app_user u ON u.id = c.author_id \
             WHERE c.assessment_id = $1 ORDER BY c.created_at, c.id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let indicator: Option<String> = row.try_get(0)?;
                Ok(ReviewComment {
                    indicator: indicator.map(NodeId::from),
                    round: row.try_get(1)?,
                    author: row.try_get(2)?,
                    body: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                })
            })
            .collect()
    }

    /// The reviewers' decisions on an assessment the viewer may read, oldest first.
    pub async fn review_decisions(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
    ) -> Result<Vec<ReviewDecision>, StoreError> {
        self.readable_assessment(viewer, today, id).await?;
        let rows = sqlx::query(
            "SELECT d.round, d.reviewer_id, u.display_name, d.decision, d.comment, d.created_at \
             FROM review_decision d JOIN app_user u ON u.id = d.reviewer_id \
             WHERE d.assessment_id = $1 ORDER BY d.created_at, d.id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let reviewer: String = row.try_get(1)?;
                let decision: String = row.try_get(3)?;
                Ok(ReviewDecision {
                    round: row.try_get(0)?,
                    reviewer: reviewer
                        .parse()
                        .map_err(|_| bad(format!("reviewer '{reviewer}'")))?,
                    reviewer_name: row.try_get(2)?,
                    decision: decision
                        .parse()
                        .map_err(|e: custodes_core::access::UnknownName| bad(e.to_string()))?,
                    comment: row.try_get(4)?,
                    created_at: row.try_get(5)?,
                })
            })
            .collect()
    }

    /// An assessment the viewer may read with its framework and results: scores,
    /// confidence, diagnosis (by the actor each answer names, among the actors the viewer
    /// may read) and, with `compare_with`, the change since that assessment, which must be
    /// readable and use the same framework version.
    pub async fn assessment_results(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
        compare_with: Option<AssessmentId>,
    ) -> Result<(Assessment, ValidFramework, rules::Results<String>), StoreError> {
        let a = self.readable_assessment(viewer, today, id).await?;
        let framework = self
            .framework(&a.framework_key, &a.framework_version)
            .await?;
        let answers = self.answers(viewer, today, id).await?;
        let actor_of: BTreeMap<NodeId, String> = answers
            .iter()
            .filter_map(|x| {
                x.actor
                    .as_ref()
                    .map(|n| (x.indicator.clone(), n.name.clone()))
            })
            .collect();
        let earlier = match compare_with {
            Some(other) => {
                let b = self.readable_assessment(viewer, today, other).await?;
                if (&b.framework_key, &b.framework_version)
                    != (&a.framework_key, &a.framework_version)
                {
                    return Err(StoreError::Invalid(format!(
                        "{} uses {} {} and {} uses {} {}: only assessments under the same framework version compare",
                        b.title,
                        b.framework_key,
                        b.framework_version,
                        a.title,
                        a.framework_key,
                        a.framework_version
                    )));
                }
                Some(plain(&self.answers(viewer, today, other).await?))
            }
            None => None,
        };
        let results = rules::results(&framework, &plain(&answers), &actor_of, earlier.as_deref());
        Ok((a, framework, results))
    }

    // ---- Writing ---------------------------------------------------------------------

    /// Opens an assessment as a draft. The framework must exist; the assessors must be
    /// people whose role may answer, the reviewers people whose role may review, and no
    /// one may review their own answers.
    pub async fn create_assessment(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        workspace: WorkspaceId,
        input: AssessmentInput,
    ) -> Result<Assessment, StoreError> {
        if !permits(viewer.role, Action::ManageAssessments) {
            return Err(StoreError::Forbidden("open assessments"));
        }
        let mut problems = Vec::new();
        if input.title.trim().is_empty() {
            problems.push(FieldError {
                field: "title",
                message: "give the assessment a title".into(),
            });
        }
        if input.period.trim().is_empty() {
            problems.push(FieldError {
                field: "period",
                message: "name the period or cycle assessed, for example 2026".into(),
            });
        }
        let framework = match self
            .framework(&input.framework_key, &input.framework_version)
            .await
        {
            Ok(f) => Some(f),
            Err(StoreError::NotFound { .. }) => {
                problems.push(FieldError {
                    field: "framework",
                    message: "choose a framework this instance offers".into(),
                });
                None
            }
            Err(e) => return Err(e),
        };
        problems.extend(classified::classification_problems(
            viewer,
            &input.classification,
        ));
        if input.assessors.is_empty() {
            problems.push(FieldError {
                field: "assessors",
                message: "name at least one assessor".into(),
            });
        }
        let required = framework
            .as_ref()
            .map_or(1, |f| i64::from(f.framework().reviewers.max(1)));
        if (input.reviewers.len() as i64) < required {
            problems.push(FieldError {
                field: "reviewers",
                message: format!(
                    "this framework asks for {required} reviewer{}; name at least that many",
                    if required == 1 { "" } else { "s" }
                ),
            });
        }
        for (list, action, name) in [
            (&input.assessors, Action::AnswerAssessments, "assessors"),
            (&input.reviewers, Action::ReviewAssessments, "reviewers"),
        ] {
            for u in list {
                match self.user_by_id(*u).await {
                    Ok(user) if permits(Some(user.role), action) && !user.disabled => {}
                    Ok(user) => problems.push(FieldError {
                        field: name,
                        message: format!(
                            "{} cannot be one of the {name}: their role does not allow it",
                            user.display_name
                        ),
                    }),
                    Err(StoreError::NotFound { .. }) => problems.push(FieldError {
                        field: name,
                        message: format!("there is no user {u}"),
                    }),
                    Err(e) => return Err(e),
                }
            }
        }
        if input.reviewers.iter().any(|r| input.assessors.contains(r)) {
            problems.push(FieldError {
                field: "reviewers",
                message:
                    "no one may review their own answers: a reviewer cannot also be an assessor"
                        .into(),
            });
        }
        for a in &input.actors {
            match self.get_actor(viewer, today, *a).await? {
                Some(found) if found.workspace == workspace => {}
                _ => problems.push(FieldError {
                    field: "actors",
                    message: "choose actors from this sector map".into(),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Fields(problems));
        }
        let id = AssessmentId::from_uuid(Uuid::now_v7());
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        self.insert_assessment(&mut tx, id, workspace, &input, required, 1, None, &now)
            .await?;
        let ws = workspace.to_string();
        #[derive(Serialize)]
        struct Opened<'a> {
            framework: String,
            title: &'a str,
            period: &'a str,
            classification: &'a Classification,
            assessors: &'a [UserId],
            reviewers: &'a [UserId],
            actors: &'a [ActorId],
        }
        tx.audit(
            actor,
            "assessment.create",
            "assessment",
            &id.to_string(),
            Some(&ws),
            &Opened {
                framework: format!("{} {}", input.framework_key, input.framework_version),
                title: input.title.trim(),
                period: input.period.trim(),
                classification: &input.classification,
                assessors: &input.assessors,
                reviewers: &input.reviewers,
                actors: &input.actors,
            },
        )
        .await?;
        tx.commit().await?;
        self.readable_assessment(viewer, today, id).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_assessment(
        &self,
        tx: &mut WriteTx,
        id: AssessmentId,
        workspace: WorkspaceId,
        input: &AssessmentInput,
        required_reviewers: i64,
        version: i64,
        corrects: Option<AssessmentId>,
        now: &str,
    ) -> Result<(), StoreError> {
        let c = &input.classification;
        sqlx::query(
            "INSERT INTO assessment (id, workspace_id, framework_key, framework_version, title, period, \
             status, version, corrects, review_round, required_reviewers, level, justification, \
             declassify_on, declassify_to, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, 1, $9, $10, $11, $12, $13, NULL, $14, $14)",
        )
        .bind(id.to_string())
        .bind(workspace.to_string())
        .bind(input.framework_key.clone())
        .bind(input.framework_version.clone())
        .bind(input.title.trim().to_owned())
        .bind(input.period.trim().to_owned())
        .bind(version)
        .bind(corrects.map(|c| c.to_string()))
        .bind(required_reviewers)
        .bind(c.level.rank())
        .bind(c.justification.clone())
        .bind(c.declassify_on.map(|d| d.to_string()))
        .bind(c.declassify_to.rank())
        .bind(now.to_owned())
        .execute(tx.conn())
        .await?;
        classified::write_compartments(tx, "assessment", &id.to_string(), &c.compartments).await?;
        for (list, role) in [
            (&input.assessors, MemberRole::Assessor),
            (&input.reviewers, MemberRole::Reviewer),
        ] {
            let unique: BTreeSet<&UserId> = list.iter().collect();
            for u in unique {
                sqlx::query(
                    "INSERT INTO assessment_member (assessment_id, user_id, role) VALUES ($1, $2, $3)",
                )
                .bind(id.to_string())
                .bind(u.to_string())
                .bind(role.as_str())
                .execute(tx.conn())
                .await?;
            }
        }
        let actors: BTreeSet<&ActorId> = input.actors.iter().collect();
        for a in actors {
            sqlx::query("INSERT INTO assessment_actor (assessment_id, actor_id) VALUES ($1, $2)")
                .bind(id.to_string())
                .bind(a.to_string())
                .execute(tx.conn())
                .await?;
        }
        Ok(())
    }

    /// Gives or changes answers of a draft, as one of its assessors, and adds sources to
    /// them: every answer is checked against the framework first, and if any is wrong
    /// nothing is written. Each change is kept in the history; answers that do not change
    /// are skipped, and so are sources the answer has already (same title and link).
    /// Returns how many answers changed.
    pub async fn save_answers(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
        inputs: &[AnswerInput],
        sources: &[(NodeId, SourceInput)],
    ) -> Result<usize, StoreError> {
        let a = self.readable_assessment(viewer, today, id).await?;
        self.check_answering(viewer, &a)?;
        let framework = self
            .framework(&a.framework_key, &a.framework_version)
            .await?;
        let answers: Vec<Answer> = inputs
            .iter()
            .map(|i| Answer {
                node: i.indicator.clone(),
                value: i.value.clone(),
            })
            .collect();
        let mut problems: Vec<String> =
            custodes_core::framework::validate_answers(&framework, &answers)
                .iter()
                .map(ToString::to_string)
                .collect();
        let mut seen = BTreeSet::new();
        for i in inputs {
            if !seen.insert(i.indicator.as_str()) {
                problems.push(format!("indicator {} is answered twice", i.indicator));
            }
        }
        let visible_actors: BTreeSet<ActorId> = self
            .all_actors(viewer, today, a.workspace)
            .await?
            .into_iter()
            .map(|x| x.id)
            .collect();
        for i in inputs {
            if let Some(act) = i.actor
                && !visible_actors.contains(&act)
            {
                problems.push(format!(
                    "indicator {}: the actor concerned must be one of this sector map's actors",
                    i.indicator
                ));
            }
        }
        for (indicator, source) in sources {
            if source.title.trim().is_empty() {
                problems.push(format!("indicator {indicator}: a source needs a title"));
            }
            problems.extend(
                classified::classification_problems(viewer, &source.classification)
                    .into_iter()
                    .map(|p| {
                        format!(
                            "indicator {indicator}: source {}: {}",
                            source.title, p.message
                        )
                    }),
            );
        }
        if !problems.is_empty() {
            return Err(StoreError::Invalid(problems.join("; ")));
        }
        let existing: BTreeSet<(String, String, String)> = self
            .sources(viewer, today, id)
            .await?
            .into_values()
            .flatten()
            .map(|s| (s.indicator.as_str().to_owned(), s.title, s.url))
            .collect();
        let current: BTreeMap<String, AnswerSnapshot> =
            self.snapshots(id).await?.into_iter().collect();
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        let mut changed = Vec::new();
        for i in inputs {
            let after = AnswerSnapshot {
                value: i.value.clone(),
                explanation: i.explanation.trim().to_owned(),
                actor: i.actor,
            };
            let before = current.get(i.indicator.as_str());
            if before == Some(&after) {
                continue;
            }
            write_answer(&mut tx, id, &i.indicator, before, &after, viewer.user, &now).await?;
            changed.push(i.indicator.as_str().to_owned());
        }
        let mut added = 0;
        for (indicator, source) in sources {
            let key = (
                indicator.as_str().to_owned(),
                source.title.trim().to_owned(),
                source.url.trim().to_owned(),
            );
            if !existing.contains(&key) {
                insert_source(&mut tx, id, indicator.as_str(), source, viewer.user).await?;
                added += 1;
            }
        }
        if changed.is_empty() && added == 0 {
            return Ok(0);
        }
        sqlx::query("UPDATE assessment SET updated_at = $1 WHERE id = $2")
            .bind(now.clone())
            .bind(id.to_string())
            .execute(tx.conn())
            .await?;
        #[derive(Serialize)]
        struct Answered<'a> {
            indicators: &'a [String],
            sources_added: usize,
            answers: Vec<(&'a str, String)>,
        }
        let detail = Answered {
            indicators: &changed,
            sources_added: added,
            answers: inputs
                .iter()
                .filter(|i| changed.iter().any(|c| c == i.indicator.as_str()))
                .map(|i| (i.indicator.as_str(), rules::describe_value(&i.value)))
                .collect(),
        };
        let ws = a.workspace.to_string();
        let action = if inputs.len() > 1 {
            "assessment.import"
        } else {
            "assessment.answer"
        };
        tx.audit(
            actor,
            action,
            "assessment",
            &id.to_string(),
            Some(&ws),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(changed.len())
    }

    /// Imports an answer file (`custodes_formats::answers`) into a draft, as one of its
    /// assessors: every row is checked against the framework and the sector map first,
    /// and if any row is bad nothing is written and every problem is returned with its
    /// line. Sources in the file are PUBLIC. Returns how many answers changed.
    pub async fn import_answers(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
        file_name: &str,
        text: &str,
    ) -> Result<usize, StoreError> {
        let a = self.readable_assessment(viewer, today, id).await?;
        self.check_answering(viewer, &a)?;
        let framework = self
            .framework(&a.framework_key, &a.framework_version)
            .await?;
        let actors: BTreeMap<String, ActorId> = self
            .all_actors(viewer, today, a.workspace)
            .await?
            .into_iter()
            .map(|x| (x.fields.name, x.id))
            .collect();
        let rows = custodes_formats::answers::read(file_name, text, &framework, |name| {
            actors.contains_key(name)
        })
        .map_err(StoreError::File)?;
        let mut inputs = Vec::with_capacity(rows.len());
        let mut sources = Vec::new();
        for row in rows {
            for s in &row.sources {
                sources.push((
                    row.answer.node.clone(),
                    SourceInput {
                        title: s.title.clone(),
                        url: s.url.clone(),
                        classification: Classification::public(),
                    },
                ));
            }
            inputs.push(AnswerInput {
                actor: row.actor.as_ref().and_then(|n| actors.get(n).copied()),
                indicator: row.answer.node,
                value: row.answer.value,
                explanation: row.explanation,
            });
        }
        self.save_answers(actor, viewer, today, id, &inputs, &sources)
            .await
    }

    /// The current answers as an answer file that [`Store::import_answers`] reads back
    /// (sources the viewer may read; actors by name where the viewer may read them).
    pub async fn export_answers(
        &self,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
    ) -> Result<String, StoreError> {
        let a = self.readable_assessment(viewer, today, id).await?;
        let framework = self
            .framework(&a.framework_key, &a.framework_version)
            .await?;
        let mut answers: BTreeMap<NodeId, StoredAnswer> = self
            .answers(viewer, today, id)
            .await?
            .into_iter()
            .map(|x| (x.indicator.clone(), x))
            .collect();
        let rows: Vec<custodes_formats::answers::AnswerRow> = framework
            .indicators()
            .filter_map(|n| answers.remove(&n.id))
            .map(|x| custodes_formats::answers::AnswerRow {
                line: 0,
                answer: Answer {
                    node: x.indicator,
                    value: x.value,
                },
                explanation: x.explanation,
                actor: x.actor.map(|n| n.name),
                sources: x
                    .sources
                    .into_iter()
                    .map(|s| custodes_formats::answers::SourceRef {
                        title: s.title,
                        url: s.url,
                    })
                    .collect(),
            })
            .collect();
        Ok(custodes_formats::answers::write_csv(&rows))
    }

    async fn snapshots(
        &self,
        id: AssessmentId,
    ) -> Result<Vec<(String, AnswerSnapshot)>, StoreError> {
        let rows = sqlx::query(
            "SELECT indicator, level_id, missing, explanation, actor_id FROM answer WHERE assessment_id = $1",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let actor: Option<String> = row.try_get(4)?;
                Ok((
                    row.try_get(0)?,
                    AnswerSnapshot {
                        value: value_from(row.try_get(1)?, row.try_get(2)?)?,
                        explanation: row.try_get(3)?,
                        actor: actor
                            .map(|a| a.parse().map_err(|_| bad(format!("actor '{a}'"))))
                            .transpose()?,
                    },
                ))
            })
            .collect()
    }

    /// Adds a source to an answer of a draft, as one of its assessors.
    pub async fn add_source(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
        indicator: &str,
        input: SourceInput,
    ) -> Result<Source, StoreError> {
        let a = self.readable_assessment(viewer, today, id).await?;
        self.check_answering(viewer, &a)?;
        let framework = self
            .framework(&a.framework_key, &a.framework_version)
            .await?;
        let mut problems = Vec::new();
        if framework
            .node(indicator)
            .and_then(|n| n.as_indicator())
            .is_none()
        {
            problems.push(FieldError {
                field: "indicator",
                message: format!("{indicator} is not an indicator of this framework"),
            });
        }
        if input.title.trim().is_empty() {
            problems.push(FieldError {
                field: "title",
                message: "say what the source is".into(),
            });
        }
        let url = input.url.trim();
        if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
            problems.push(FieldError {
                field: "url",
                message: "a link must start with https:// or http://".into(),
            });
        }
        problems.extend(classified::classification_problems(
            viewer,
            &input.classification,
        ));
        if !problems.is_empty() {
            return Err(StoreError::Fields(problems));
        }
        let mut tx = self.begin_write().await?;
        let source = insert_source(&mut tx, id, indicator, &input, viewer.user).await?;
        let ws = a.workspace.to_string();
        tx.audit(
            actor,
            "assessment.source.add",
            "answer_source",
            &source.id,
            Some(&ws),
            &source,
        )
        .await?;
        tx.commit().await?;
        Ok(source)
    }

    /// Removes a source from an answer of a draft, as one of its assessors.
    pub async fn remove_source(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
        source: &str,
    ) -> Result<(), StoreError> {
        let a = self.readable_assessment(viewer, today, id).await?;
        self.check_answering(viewer, &a)?;
        let known = self
            .sources(viewer, today, id)
            .await?
            .into_values()
            .flatten()
            .any(|s| s.id == source);
        if !known {
            return Err(StoreError::NotFound {
                kind: "source",
                key: source.to_owned(),
            });
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM record_compartment WHERE record_kind = 'answer_source' AND record_id = $1",
        )
        .bind(source.to_owned())
        .execute(tx.conn())
        .await?;
        sqlx::query("DELETE FROM answer_source WHERE id = $1 AND assessment_id = $2")
            .bind(source.to_owned())
            .bind(id.to_string())
            .execute(tx.conn())
            .await?;
        let ws = a.workspace.to_string();
        tx.audit(
            actor,
            "assessment.source.remove",
            "answer_source",
            source,
            Some(&ws),
            &source,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    fn check_answering(&self, viewer: &Viewer, a: &Assessment) -> Result<(), StoreError> {
        if !rules::may_answer(viewer.role, a.has_member(viewer.user, MemberRole::Assessor)) {
            return Err(StoreError::Forbidden(
                "answer this assessment: only its assessors may",
            ));
        }
        if !a.status.answers_open() {
            return Err(StoreError::Invalid(format!(
                "the assessment is {}: answers and sources can change only while it is a draft",
                a.status.label().to_lowercase()
            )));
        }
        Ok(())
    }

    /// Hands a draft to its reviewers, as one of its assessors; every indicator must
    /// have an answer.
    pub async fn submit_assessment(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
    ) -> Result<Assessment, StoreError> {
        let a = self.readable_assessment(viewer, today, id).await?;
        if !rules::may_answer(viewer.role, a.has_member(viewer.user, MemberRole::Assessor)) {
            return Err(StoreError::Forbidden(
                "submit this assessment: only its assessors may",
            ));
        }
        let framework = self
            .framework(&a.framework_key, &a.framework_version)
            .await?;
        let total = framework.indicators().count();
        let progress = Progress {
            unanswered: total.saturating_sub(a.answered as usize),
            approvals: 0,
            required_reviewers: a.required_reviewers as u32,
        };
        let next = rules::transition(a.status, Event::Submit, progress)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.set_status(actor, &a, next, "assessment.submit", &())
            .await?;
        self.readable_assessment(viewer, today, id).await
    }

    /// Publishes a validated assessment, as someone who manages assessments. It is
    /// frozen from then on.
    pub async fn publish_assessment(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
    ) -> Result<Assessment, StoreError> {
        if !permits(viewer.role, Action::ManageAssessments) {
            return Err(StoreError::Forbidden("publish assessments"));
        }
        let a = self.readable_assessment(viewer, today, id).await?;
        let next = rules::transition(a.status, Event::Publish, Progress::default())
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.set_status(actor, &a, next, "assessment.publish", &())
            .await?;
        self.readable_assessment(viewer, today, id).await
    }

    async fn set_status<S: Serialize>(
        &self,
        actor: &Actor,
        a: &Assessment,
        next: Status,
        action: &str,
        detail: &S,
    ) -> Result<(), StoreError> {
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        let published_at = (next == Status::Published).then(|| now.clone());
        sqlx::query(
            "UPDATE assessment SET status = $1, updated_at = $2, \
             published_at = COALESCE($3, published_at) WHERE id = $4 AND status = $5",
        )
        .bind(next.as_str())
        .bind(now.clone())
        .bind(published_at)
        .bind(a.id.to_string())
        .bind(a.status.as_str())
        .execute(tx.conn())
        .await?;
        #[derive(Serialize)]
        struct Step<'a, S> {
            from: Status,
            to: Status,
            detail: &'a S,
        }
        let ws = a.workspace.to_string();
        tx.audit(
            actor,
            action,
            "assessment",
            &a.id.to_string(),
            Some(&ws),
            &Step {
                from: a.status,
                to: next,
                detail,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A reviewer's comment, on one indicator or on the whole assessment. The first
    /// comment on a submitted assessment opens its review.
    pub async fn comment_on_assessment(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
        indicator: Option<&str>,
        body: &str,
    ) -> Result<(), StoreError> {
        let a = self.readable_assessment(viewer, today, id).await?;
        self.check_reviewing(viewer, &a)?;
        if body.trim().is_empty() {
            return Err(field("body", "write the comment"));
        }
        if let Some(ind) = indicator {
            let framework = self
                .framework(&a.framework_key, &a.framework_version)
                .await?;
            if framework.node(ind).and_then(|n| n.as_indicator()).is_none() {
                return Err(field(
                    "indicator",
                    format!("{ind} is not an indicator of this framework"),
                ));
            }
        }
        let next = rules::transition(a.status, Event::StartReview, Progress::default())
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO review_comment (id, assessment_id, indicator, round, author_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(id.to_string())
        .bind(indicator.map(str::to_owned))
        .bind(a.review_round)
        .bind(viewer.user.map(|u| u.to_string()))
        .bind(body.trim().to_owned())
        .bind(now.clone())
        .execute(tx.conn())
        .await?;
        sqlx::query("UPDATE assessment SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(next.as_str())
            .bind(now)
            .bind(id.to_string())
            .execute(tx.conn())
            .await?;
        #[derive(Serialize)]
        struct Commented<'a> {
            indicator: Option<&'a str>,
            round: i64,
            body: &'a str,
        }
        let ws = a.workspace.to_string();
        tx.audit(
            actor,
            "assessment.comment",
            "assessment",
            &id.to_string(),
            Some(&ws),
            &Commented {
                indicator,
                round: a.review_round,
                body: body.trim(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A reviewer's decision in the current round. An approval validates the assessment
    /// once as many reviewers as required have approved in the round; a request for
    /// changes (which needs a comment) returns it to draft and starts the next round.
    pub async fn decide_on_assessment(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
        decision: Decision,
        comment: &str,
    ) -> Result<Assessment, StoreError> {
        let a = self.readable_assessment(viewer, today, id).await?;
        self.check_reviewing(viewer, &a)?;
        if decision == Decision::RequestChanges && comment.trim().is_empty() {
            return Err(field("comment", "say what must change"));
        }
        let Some(reviewer) = viewer.user else {
            return Err(StoreError::Forbidden("review assessments"));
        };
        let decisions = self.review_decisions(viewer, today, id).await?;
        if decisions
            .iter()
            .any(|d| d.round == a.review_round && d.reviewer == reviewer)
        {
            return Err(StoreError::Conflict(
                "you have already decided in this round of review".into(),
            ));
        }
        let approvals = decisions
            .iter()
            .filter(|d| d.round == a.review_round && d.decision == Decision::Approve)
            .count() as u32
            + u32::from(decision == Decision::Approve);
        let next = rules::transition(
            a.status,
            decision.event(),
            Progress {
                unanswered: 0,
                approvals,
                required_reviewers: a.required_reviewers as u32,
            },
        )
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO review_decision (id, assessment_id, round, reviewer_id, decision, comment, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(id.to_string())
        .bind(a.review_round)
        .bind(reviewer.to_string())
        .bind(decision.as_str())
        .bind(comment.trim().to_owned())
        .bind(now.clone())
        .execute(tx.conn())
        .await
        .map_err(|e| conflict(e, || "you have already decided in this round of review".into()))?;
        let round = if next == Status::Draft {
            a.review_round + 1
        } else {
            a.review_round
        };
        sqlx::query(
            "UPDATE assessment SET status = $1, review_round = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(next.as_str())
        .bind(round)
        .bind(now)
        .bind(id.to_string())
        .execute(tx.conn())
        .await?;
        #[derive(Serialize)]
        struct Decided<'a> {
            decision: Decision,
            comment: &'a str,
            round: i64,
            from: Status,
            to: Status,
        }
        let ws = a.workspace.to_string();
        tx.audit(
            actor,
            "assessment.review",
            "assessment",
            &id.to_string(),
            Some(&ws),
            &Decided {
                decision,
                comment: comment.trim(),
                round: a.review_round,
                from: a.status,
                to: next,
            },
        )
        .await?;
        tx.commit().await?;
        self.readable_assessment(viewer, today, id).await
    }

    fn check_reviewing(&self, viewer: &Viewer, a: &Assessment) -> Result<(), StoreError> {
        if !rules::may_review(viewer.role, a.has_member(viewer.user, MemberRole::Reviewer)) {
            return Err(StoreError::Forbidden(
                "review this assessment: only its reviewers may",
            ));
        }
        if !a.status.review_open() {
            return Err(StoreError::Invalid(format!(
                "the assessment is {}: it can be reviewed only once submitted and until validated",
                a.status.label().to_lowercase()
            )));
        }
        Ok(())
    }

    /// Opens a correction of a published assessment: a new version, as a draft, with the
    /// same framework, members, actors, answers and sources. The published version stays
    /// as it was.
    pub async fn correct_assessment(
        &self,
        actor: &Actor,
        viewer: &Viewer,
        today: NaiveDate,
        id: AssessmentId,
    ) -> Result<Assessment, StoreError> {
        if !permits(viewer.role, Action::ManageAssessments) {
            return Err(StoreError::Forbidden("open corrections of assessments"));
        }
        let a = self.readable_assessment(viewer, today, id).await?;
        if a.status != Status::Published {
            return Err(StoreError::Invalid(
                "only a published assessment is corrected by a new version; change this one directly".into(),
            ));
        }
        let newer: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assessment WHERE corrects = $1")
            .bind(id.to_string())
            .fetch_one(&self.pool)
            .await?;
        if newer > 0 {
            return Err(StoreError::Conflict(
                "a correction of this version exists already; correct the newest version".into(),
            ));
        }
        // Every compartment of the original, not only those the viewer may know of.
        let comps: Vec<String> = sqlx::query_scalar(
            "SELECT compartment_id FROM record_compartment WHERE record_kind = 'assessment' AND record_id = $1",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut classification = a.classification.clone();
        classification.compartments = comps.iter().filter_map(|c| c.parse().ok()).collect();
        let all_actors: Vec<String> =
            sqlx::query_scalar("SELECT actor_id FROM assessment_actor WHERE assessment_id = $1")
                .bind(id.to_string())
                .fetch_all(&self.pool)
                .await?;
        let input = AssessmentInput {
            framework_key: a.framework_key.clone(),
            framework_version: a.framework_version.clone(),
            title: a.title.clone(),
            period: a.period.clone(),
            classification,
            assessors: members(&a, MemberRole::Assessor),
            reviewers: members(&a, MemberRole::Reviewer),
            actors: all_actors.iter().filter_map(|x| x.parse().ok()).collect(),
        };
        let new_id = AssessmentId::from_uuid(Uuid::now_v7());
        let now = crate::time::now();
        let mut tx = self.begin_write().await?;
        self.insert_assessment(
            &mut tx,
            new_id,
            a.workspace,
            &input,
            a.required_reviewers,
            a.version + 1,
            Some(id),
            &now,
        )
        .await?;
        sqlx::query(
            "INSERT INTO answer (assessment_id, indicator, level_id, missing, explanation, actor_id, updated_by, updated_at) \
             SELECT $1, indicator, level_id, missing, explanation, actor_id, updated_by, updated_at \
             FROM answer WHERE assessment_id = $2",
        )
        .bind(new_id.to_string())
        .bind(id.to_string())
        .execute(tx.conn())
        .await?;
        // Sources keep their classification and compartments.
        let sources: Vec<(String, String)> =
            sqlx::query_as("SELECT id, indicator FROM answer_source WHERE assessment_id = $1")
                .bind(id.to_string())
                .fetch_all(tx.conn())
                .await?;
        for (old, _) in sources {
            let copy = Uuid::now_v7().to_string();
            sqlx::query(
                "INSERT INTO answer_source (id, assessment_id, indicator, title, url, level, justification, \
                 declassify_on, declassify_to, added_by, added_at) \
                 SELECT $1, $2, indicator, title, url, level, justification, declassify_on, declassify_to, \
                 added_by, added_at FROM answer_source WHERE id = $3",
            )
            .bind(copy.clone())
            .bind(new_id.to_string())
            .bind(old.clone())
            .execute(tx.conn())
            .await?;
            sqlx::query(
                "INSERT INTO record_compartment (record_kind, record_id, compartment_id) \
                 SELECT record_kind, $1, compartment_id FROM record_compartment \
                 WHERE record_kind = 'answer_source' AND record_id = $2",
            )
            .bind(copy)
            .bind(old)
            .execute(tx.conn())
            .await?;
        }
        #[derive(Serialize)]
        struct Corrected {
            corrects: AssessmentId,
            version: i64,
        }
        let ws = a.workspace.to_string();
        tx.audit(
            actor,
            "assessment.correct",
            "assessment",
            &new_id.to_string(),
            Some(&ws),
            &Corrected {
                corrects: id,
                version: a.version + 1,
            },
        )
        .await?;
        tx.commit().await?;
        self.readable_assessment(viewer, today, new_id).await
    }
}

/// The answers as the scoring engine takes them.
pub fn plain(answers: &[StoredAnswer]) -> Vec<Answer> {
    answers
        .iter()
        .map(|x| Answer {
            node: x.indicator.clone(),
            value: x.value.clone(),
        })
        .collect()
}

fn members(a: &Assessment, role: MemberRole) -> Vec<UserId> {
    a.members
        .iter()
        .filter(|m| m.role == role)
        .map(|m| m.user)
        .collect()
}

fn named_actor(row: &AnyRow, at: usize) -> Result<NamedActor, StoreError> {
    let id: String = row.try_get(at)?;
    Ok(NamedActor {
        id: id.parse().map_err(|_| bad(format!("actor '{id}'")))?,
        name: row.try_get(at + 1)?,
    })
}

async fn write_answer(
    tx: &mut WriteTx,
    id: AssessmentId,
    indicator: &NodeId,
    before: Option<&AnswerSnapshot>,
    after: &AnswerSnapshot,
    user: Option<UserId>,
    now: &str,
) -> Result<(), StoreError> {
    let (level, missing) = value_columns(&after.value);
    let user = user.map(|u| u.to_string());
    if before.is_some() {
        sqlx::query(
            "UPDATE answer SET level_id = $1, missing = $2, explanation = $3, actor_id = $4, \
             updated_by = $5, updated_at = $6 WHERE assessment_id = $7 AND indicator = $8",
        )
        .bind(level)
        .bind(missing)
        .bind(after.explanation.clone())
        .bind(after.actor.map(|a| a.to_string()))
        .bind(user.clone())
        .bind(now.to_owned())
        .bind(id.to_string())
        .bind(indicator.as_str().to_owned())
        .execute(tx.conn())
        .await?;
    } else {
        sqlx::query(
            "INSERT INTO answer (level_id, missing, explanation, actor_id, updated_by, updated_at, \
             assessment_id, indicator) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(level)
        .bind(missing)
        .bind(after.explanation.clone())
        .bind(after.actor.map(|a| a.to_string()))
        .bind(user.clone())
        .bind(now.to_owned())
        .bind(id.to_string())
        .bind(indicator.as_str().to_owned())
        .execute(tx.conn())
        .await?;
    }
    let json = |s: &AnswerSnapshot| serde_json::to_string(s).unwrap_or_default();
    sqlx::query(
        "INSERT INTO answer_change (id, assessment_id, indicator, changed_by, changed_at, before_state, after_state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(id.to_string())
    .bind(indicator.as_str().to_owned())
    .bind(user)
    .bind(now.to_owned())
    .bind(before.map(json))
    .bind(json(after))
    .execute(tx.conn())
    .await?;
    Ok(())
}

async fn insert_source(
    tx: &mut WriteTx,
    id: AssessmentId,
    indicator: &str,
    input: &SourceInput,
    user: Option<UserId>,
) -> Result<Source, StoreError> {
    let source_id = Uuid::now_v7().to_string();
    let now = crate::time::now();
    let c = &input.classification;
    sqlx::query(
        "INSERT INTO answer_source (id, assessment_id, indicator, title, url, level, justification, \
         declassify_on, declassify_to, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(source_id.clone())
    .bind(id.to_string())
    .bind(indicator.to_owned())
    .bind(input.title.trim().to_owned())
    .bind(input.url.trim().to_owned())
    .bind(c.level.rank())
    .bind(c.justification.clone())
    .bind(c.declassify_on.map(|d| d.to_string()))
    .bind(c.declassify_to.rank())
    .bind(user.map(|u| u.to_string()))
    .bind(now.clone())
    .execute(tx.conn())
    .await?;
    classified::write_compartments(tx, "answer_source", &source_id, &c.compartments).await?;
    Ok(Source {
        id: source_id,
        indicator: NodeId::from(indicator),
        title: input.title.trim().to_owned(),
        url: input.url.trim().to_owned(),
        classification: c.clone(),
        added_at: now,
    })
}

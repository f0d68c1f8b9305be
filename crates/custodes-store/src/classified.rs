//! What every classified record shares in the store: its classification columns, the
//! checks on a classification given for writing, and its compartments in
//! `record_compartment`. Actors and threats use the same helpers, so a classification is
//! read, checked and written one way.

use std::collections::{BTreeMap, BTreeSet};

use custodes_core::permission::{Action, permits};
use custodes_core::policy::{Classification, Viewer, may_assign};
use custodes_core::sector::FieldError;
use custodes_core::{CompartmentId, Level};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::database::Store;
use crate::error::StoreError;
use crate::tx::WriteTx;

/// The classification in columns `at` to `at + 3` of a row (level, justification,
/// declassification date and level), without compartments. `bad` names what is wrong.
pub(crate) fn classification_from_row(
    row: &AnyRow,
    at: usize,
    bad: impl Fn(String) -> StoreError,
) -> Result<Classification, StoreError> {
    let level: i64 = row.try_get(at)?;
    let declassify_on: Option<String> = row.try_get(at + 2)?;
    let declassify_to: i64 = row.try_get(at + 3)?;
    Ok(Classification {
        level: Level::from_rank(level).ok_or_else(|| bad(format!("level {level}")))?,
        compartments: BTreeSet::new(),
        justification: row.try_get(at + 1)?,
        declassify_on: declassify_on
            .map(|d| d.parse().map_err(|_| bad(format!("declassify_on '{d}'"))))
            .transpose()?,
        declassify_to: Level::from_rank(declassify_to)
            .ok_or_else(|| bad(format!("declassify_to {declassify_to}")))?,
    })
}

/// The problems with a classification someone gives a record: the rules of
/// `Classification::new` (a classification built by hand must pass them as one from a
/// form does), and `may_assign`.
pub(crate) fn classification_problems(viewer: &Viewer, c: &Classification) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if let Err(e) = Classification::new(
        c.level,
        c.compartments.clone(),
        c.justification.clone(),
        c.declassify_on,
        c.declassify_to,
    ) {
        problems.push(FieldError {
            field: "level",
            message: e.to_string(),
        });
    }
    if !may_assign(viewer, c) {
        problems.push(FieldError {
            field: "level",
            message: "you cannot classify a record above your own clearance or in a compartment you do not belong to".into(),
        });
    }
    problems
}

/// Writes the compartments of a record of kind `kind`.
pub(crate) async fn write_compartments(
    tx: &mut WriteTx,
    kind: &str,
    id: &str,
    compartments: &BTreeSet<CompartmentId>,
) -> Result<(), StoreError> {
    for c in compartments {
        sqlx::query(
            "INSERT INTO record_compartment (record_kind, record_id, compartment_id) VALUES ($1, $2, $3)",
        )
        .bind(kind)
        .bind(id)
        .bind(c.to_string())
        .execute(tx.conn())
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Fields(vec![FieldError {
                field: "compartments",
                message: format!("there is no compartment {c}"),
            }]),
            _ => StoreError::Database(e),
        })?;
    }
    Ok(())
}

/// Replaces the compartments of a record of kind `kind`.
pub(crate) async fn replace_compartments(
    tx: &mut WriteTx,
    kind: &str,
    id: &str,
    compartments: &BTreeSet<CompartmentId>,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM record_compartment WHERE record_kind = $1 AND record_id = $2")
        .bind(kind)
        .bind(id)
        .execute(tx.conn())
        .await?;
    write_compartments(tx, kind, id, compartments).await
}

impl Store {
    /// The compartments of records of kind `kind` that the viewer may know of, by record
    /// id: those the viewer belongs to, or all of them for those who manage compartments.
    pub(crate) async fn compartments_of(
        &self,
        viewer: &Viewer,
        kind: &str,
        ids: &[String],
    ) -> Result<BTreeMap<String, BTreeSet<CompartmentId>>, StoreError> {
        let mut by_record: BTreeMap<String, BTreeSet<CompartmentId>> = BTreeMap::new();
        if ids.is_empty() {
            return Ok(by_record);
        }
        let placeholders: Vec<String> = (2..=ids.len() + 1).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT record_id, compartment_id FROM record_compartment \
             WHERE record_kind = $1 AND record_id IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kind);
        for id in ids {
            q = q.bind(id.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let sees_all = permits(viewer.role, Action::ManageCompartments);
        for row in rows {
            let record: String = row.try_get(0)?;
            let comp: String = row.try_get(1)?;
            if let Ok(c) = comp.parse::<CompartmentId>()
                && (sees_all || viewer.compartments.contains(&c))
            {
                by_record.entry(record).or_default().insert(c);
            }
        }
        Ok(by_record)
    }
}

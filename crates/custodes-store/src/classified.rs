//! What every classified table shares: its four classification columns (`level`,
//! `justification`, `declassify_on`, `declassify_to`), its compartments in
//! `record_compartment`, and the checks a new classification must pass.

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

/// Reads the four classification columns starting at column `at`, without compartments.
pub(crate) fn from_row(row: &AnyRow, at: usize, what: &str) -> Result<Classification, StoreError> {
    let bad = |detail: String| StoreError::Invalid(format!("stored {what}: {detail}"));
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

/// The problems of a classification the viewer wants to give a record: the rules of
/// `Classification::new`, and never above the viewer's own clearance or outside their
/// compartments.
pub(crate) fn check(viewer: &Viewer, c: &Classification, field: &'static str) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if let Err(e) = Classification::new(
        c.level,
        c.compartments.clone(),
        c.justification.clone(),
        c.declassify_on,
        c.declassify_to,
    ) {
        problems.push(FieldError {
            field,
            message: e.to_string(),
        });
    }
    if !may_assign(viewer, c) {
        problems.push(FieldError {
            field,
            message: "you cannot classify a record above your own clearance or in a compartment you do not belong to".into(),
        });
    }
    problems
}

/// Limits a record to its compartments.
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
        .bind(kind.to_owned())
        .bind(id.to_owned())
        .bind(c.to_string())
        .execute(tx.conn())
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::Fields(vec![FieldError {
                    field: "compartments",
                    message: format!("there is no compartment {c}"),
                }])
            }
            _ => StoreError::Database(e),
        })?;
    }
    Ok(())
}

impl Store {
    /// The compartments of records of one kind that the viewer may know of (those they
    /// belong to, or all for those who manage compartments), by record id.
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
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kind.to_owned());
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

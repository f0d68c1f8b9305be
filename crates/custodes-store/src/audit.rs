//! Reading the audit chain: verification and listing.

use custodes_core::audit::{Break, Head, StoredEntry, Verifier};
use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::database::{Backend, Store};
use crate::error::StoreError;

/// What `verify` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The chain is intact.
    Intact {
        /// The number of entries.
        entries: u64,
        /// The head's hash: record it elsewhere to detect a rewritten chain later.
        head_hash: String,
    },
    /// The chain is broken; the first break found.
    Broken(Break),
}

const ENTRY_COLUMNS: &str = "seq, at, actor_id, actor_name, action, entity_kind, entity_id, \
                             workspace_id, state_digest, prev_hash, hash";

fn entry_from_row(row: &AnyRow) -> Result<StoredEntry, sqlx::Error> {
    Ok(StoredEntry {
        seq: row.try_get(0)?,
        at: row.try_get(1)?,
        actor_id: row.try_get(2)?,
        actor_name: row.try_get(3)?,
        action: row.try_get(4)?,
        entity_kind: row.try_get(5)?,
        entity_id: row.try_get(6)?,
        workspace_id: row.try_get(7)?,
        state_digest: row.try_get(8)?,
        prev_hash: row.try_get(9)?,
        hash: row.try_get(10)?,
    })
}

impl Store {
    /// Walks the whole chain in one consistent snapshot and checks every link.
    pub async fn verify_audit(&self) -> Result<Verdict, StoreError> {
        let begin = match self.backend() {
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        let mut tx = self.pool.begin_with(begin).await?;
        let head_row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await?;
        let Some(head_row) = head_row else {
            return Ok(Verdict::Broken(Break::HeadMissing));
        };
        let head = Head {
            seq: head_row.try_get(0)?,
            hash: head_row.try_get(1)?,
        };
        let mut verifier = Verifier::new();
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_entry ORDER BY seq");
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *tx);
        while let Some(row) = rows.try_next().await? {
            let entry = entry_from_row(&row)?;
            if let Err(brk) = verifier.push(&entry) {
                return Ok(Verdict::Broken(brk));
            }
        }
        drop(rows);
        tx.rollback().await?;
        Ok(match verifier.finish(&head) {
            Ok(entries) => Verdict::Intact {
                entries,
                head_hash: head.hash,
            },
            Err(brk) => Verdict::Broken(brk),
        })
    }
}

/// Which audit entries to list.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Only this action ("user.create").
    pub action: Option<String>,
    /// Only changes to this kind of record.
    pub entity_kind: Option<String>,
    /// Only changes by this person (the recorded name).
    pub actor_name: Option<String>,
}

impl Store {
    /// Audit entries, newest first, that the viewer may see: entries about a classified
    /// record are listed only to those who may read the record. Returns the page and the
    /// count of all matching entries the viewer may see.
    pub async fn audit_log(
        &self,
        viewer: &custodes_core::policy::Viewer,
        today: chrono::NaiveDate,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<StoredEntry>, i64), StoreError> {
        let vb = crate::policy::ViewerBinds::new(viewer, today);
        // Entries about a classified record are shown only to those who may read it.
        let mut cond = [
            ("actor", "actor"),
            ("assessment", "assessment"),
            ("answer_source", "answer_source"),
        ]
        .iter()
        .map(|(kind, table)| {
            format!(
                "(e.entity_kind <> '{kind}' OR EXISTS (SELECT 1 FROM {table} r WHERE r.id = e.entity_id AND {}))",
                crate::policy::visible("r", kind, 1)
            )
        })
        .collect::<Vec<_>>()
        .join(" AND ");
        cond.push_str(&crate::threat::audit_condition());
        cond.push_str(&crate::programme::audit_condition());
        cond.push_str(&crate::plan::audit_condition());
        let mut binds: Vec<String> = Vec::new();
        for (col, value) in [
            ("e.action", &filter.action),
            ("e.entity_kind", &filter.entity_kind),
            ("e.actor_name", &filter.actor_name),
        ] {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                binds.push(v.to_owned());
                cond.push_str(&format!(" AND {col} = ${}", 3 + binds.len()));
            }
        }
        let n = 3 + binds.len();
        let columns = ENTRY_COLUMNS
            .split(", ")
            .map(|c| format!("e.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let list = format!(
            "SELECT {columns} FROM audit_entry e WHERE {cond} ORDER BY e.seq DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let count = format!("SELECT COUNT(*) FROM audit_entry e WHERE {cond}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(list))
            .bind(vb.today.clone())
            .bind(vb.clearance)
            .bind(vb.user.clone());
        let mut c = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count))
            .bind(vb.today)
            .bind(vb.clearance)
            .bind(vb.user);
        for b in &binds {
            q = q.bind(b.clone());
            c = c.bind(b.clone());
        }
        let rows = q
            .bind(limit.clamp(1, 500))
            .bind(offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        let total = c.fetch_one(&self.pool).await?;
        Ok((
            rows.iter().map(entry_from_row).collect::<Result<_, _>>()?,
            total,
        ))
    }
}

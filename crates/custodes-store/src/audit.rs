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

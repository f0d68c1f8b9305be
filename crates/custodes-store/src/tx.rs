//! Write transactions and the audit entry each one appends.
//!
//! A use-case does, in plain sight:
//!
//! ```text
//! let mut tx = store.begin_write().await?;
//! sqlx::query("INSERT …").execute(tx.conn()).await?;
//! tx.audit(actor, "user.create", "user", &id, None, &state).await?;
//! tx.commit().await?;
//! ```
//!
//! A transaction dropped without `commit` rolls back, its audit entry with it, and a
//! transaction that did not append an audit entry refuses to commit.

use custodes_core::audit::{self, Actor, EntryFields};
use serde::Serialize;
use sqlx::{Any, AnyConnection, Transaction};

use crate::database::{Backend, Store};
use crate::error::StoreError;

/// An open write transaction.
#[derive(Debug)]
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    audited: bool,
}

impl WriteTx {
    pub(crate) async fn begin(store: &Store) -> Result<WriteTx, StoreError> {
        // SQLite: take the write lock at once, so that a transaction never has to upgrade a
        // read lock (which fails at once instead of waiting when another writer committed).
        let begin = match store.backend() {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        let tx = store.pool.begin_with(begin).await?;
        Ok(WriteTx { tx, audited: false })
    }

    /// The connection to run the use-case's statements on.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Appends the audit entry for this transaction's change and returns its position.
    ///
    /// The head row is updated first: on PostgreSQL that locks it until commit, so
    /// concurrent writers append one after another and the chain has no forks.
    pub async fn audit<S: Serialize + ?Sized>(
        &mut self,
        actor: &Actor,
        action: &str,
        entity_kind: &str,
        entity_id: &str,
        workspace_id: Option<&str>,
        new_state: &S,
    ) -> Result<i64, StoreError> {
        let (seq, prev_hash): (i64, String) =
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *self.tx)
                .await?;
        let at = crate::time::now();
        let actor_id = actor.user_id();
        let actor_name = actor.name();
        let digest = audit::state_digest(new_state);
        let fields = EntryFields {
            at: &at,
            actor_id: actor_id.as_deref(),
            actor_name: &actor_name,
            action,
            entity_kind,
            entity_id,
            workspace_id,
            state_digest: &digest,
        };
        let hash = audit::entry_hash(&prev_hash, &fields);
        sqlx::query(
            "INSERT INTO audit_entry (seq, at, actor_id, actor_name, action, entity_kind, \
             entity_id, workspace_id, state_digest, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(seq)
        .bind(&at)
        .bind(actor_id.as_deref())
        .bind(&actor_name)
        .bind(action)
        .bind(entity_kind)
        .bind(entity_id)
        .bind(workspace_id)
        .bind(&digest)
        .bind(&prev_hash)
        .bind(&hash)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&hash)
            .execute(&mut *self.tx)
            .await?;
        self.audited = true;
        Ok(seq)
    }

    /// Commits. Refuses, and rolls back, when no audit entry was appended: every write
    /// leaves a trace.
    pub async fn commit(self) -> Result<(), StoreError> {
        if !self.audited {
            self.tx.rollback().await?;
            return Err(StoreError::Unaudited);
        }
        self.tx.commit().await?;
        Ok(())
    }
}

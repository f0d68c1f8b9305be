//! Someone with direct access to the database alters the audit chain; verification finds
//! the first entry affected, on both backends.

use custodes_core::audit::{Actor, Break};
use custodes_core::workspace::{Slug, WorkspaceKind};
use custodes_store::Store;
use custodes_store::audit::Verdict;
use custodes_testkit::{Flavour, TestDb, on_both_backends};

/// A database with five audited writes.
async fn five_entries(flavour: Flavour) -> (TestDb, Store) {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    for i in 1..=5 {
        store
            .create_workspace(
                &Actor::System,
                Slug::parse(&format!("ws-{i}")).unwrap(),
                &format!("Workspace {i}"),
                WorkspaceKind::Country,
            )
            .await
            .unwrap();
    }
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        Verdict::Intact { entries: 5, .. }
    ));
    (db, store)
}

async fn tamper(db: &TestDb, statements: &[&'static str]) {
    let pool = db.raw_pool().await;
    for sql in statements {
        sqlx::query(*sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
}

async fn broken(store: &Store) -> Break {
    match store.verify_audit().await.unwrap() {
        Verdict::Broken(b) => b,
        Verdict::Intact { entries, .. } => panic!("tampering went unnoticed ({entries} entries)"),
    }
}

async fn an_updated_entry_is_found(flavour: Flavour) {
    let (db, store) = five_entries(flavour).await;
    tamper(
        &db,
        &["UPDATE audit_entry SET actor_name = 'someone else' WHERE seq = 3"],
    )
    .await;
    let b = broken(&store).await;
    assert_eq!(b, Break::Altered { seq: 3 });
    assert_eq!(
        b.to_string(),
        "entry 3 was altered: its content no longer matches its hash"
    );
}

async fn a_changed_state_digest_is_found(flavour: Flavour) {
    let (db, store) = five_entries(flavour).await;
    tamper(
        &db,
        &["UPDATE audit_entry SET state_digest = 'ff' WHERE seq = 1"],
    )
    .await;
    assert_eq!(broken(&store).await, Break::Altered { seq: 1 });
}

async fn a_deleted_entry_is_found(flavour: Flavour) {
    let (db, store) = five_entries(flavour).await;
    tamper(&db, &["DELETE FROM audit_entry WHERE seq = 2"]).await;
    let b = broken(&store).await;
    assert_eq!(b, Break::Removed { seq: 2, found: 3 });
    assert_eq!(
        b.to_string(),
        "entry 2 was removed: the chain goes from 1 to 3"
    );
}

async fn two_swapped_entries_are_found(flavour: Flavour) {
    let (db, store) = five_entries(flavour).await;
    tamper(
        &db,
        &[
            "UPDATE audit_entry SET seq = -2 WHERE seq = 2",
            "UPDATE audit_entry SET seq = 2 WHERE seq = 4",
            "UPDATE audit_entry SET seq = 4 WHERE seq = -2",
        ],
    )
    .await;
    let b = broken(&store).await;
    assert_eq!(b, Break::Reordered { seq: 2 });
    assert!(b.to_string().starts_with("entry 2 is out of place"), "{b}");
}

async fn a_cut_tail_is_found(flavour: Flavour) {
    let (db, store) = five_entries(flavour).await;
    tamper(&db, &["DELETE FROM audit_entry WHERE seq > 3"]).await;
    let b = broken(&store).await;
    assert_eq!(b, Break::Truncated { last: 3, head: 5 });
    assert_eq!(
        b.to_string(),
        "entries 4 to 5 were removed from the end: the chain stops at 3"
    );
}

async fn a_renumbered_deletion_is_found(flavour: Flavour) {
    // Delete entry 3 and close the gap by renumbering, head included: the links show it.
    let (db, store) = five_entries(flavour).await;
    tamper(
        &db,
        &[
            "DELETE FROM audit_entry WHERE seq = 3",
            "UPDATE audit_entry SET seq = 3 WHERE seq = 4",
            "UPDATE audit_entry SET seq = 4 WHERE seq = 5",
            "UPDATE audit_head SET seq = 4",
        ],
    )
    .await;
    assert_eq!(broken(&store).await, Break::Reordered { seq: 3 });
}

async fn writes_after_tampering_do_not_hide_it(flavour: Flavour) {
    let (db, store) = five_entries(flavour).await;
    tamper(
        &db,
        &["UPDATE audit_entry SET action = 'user.create' WHERE seq = 2"],
    )
    .await;
    store
        .create_workspace(
            &Actor::System,
            Slug::parse("later").unwrap(),
            "Later",
            WorkspaceKind::Region,
        )
        .await
        .unwrap();
    assert_eq!(broken(&store).await, Break::Altered { seq: 2 });
}

on_both_backends!(
    an_updated_entry_is_found,
    a_changed_state_digest_is_found,
    a_deleted_entry_is_found,
    two_swapped_entries_are_found,
    a_cut_tail_is_found,
    a_renumbered_deletion_is_found,
    writes_after_tampering_do_not_hide_it,
);

//! Backups move data between backends unchanged, and can be taken while writes go on.

use std::io::Cursor;

use custodes_core::audit::Actor;
use custodes_core::workspace::{Slug, WorkspaceKind};
use custodes_core::{Level, Role};
use custodes_store::Store;
use custodes_store::audit::Verdict;
use custodes_store::user::NewUser;
use custodes_testkit::{Flavour, TestDb};

async fn populate(store: &Store) {
    let cli = Actor::Cli {
        os_user: "ops".into(),
    };
    store
        .create_workspace(
            &cli,
            Slug::parse("arvenia").unwrap(),
            "Republic of Arvenia",
            WorkspaceKind::Country,
        )
        .await
        .unwrap();
    for (name, role, level) in [
        ("admin", Role::Administrator, Level::Secret),
        ("planner", Role::Planner, Level::Confidential),
        ("donor", Role::Donor, Level::Official),
    ] {
        store
            .create_user(
                &cli,
                NewUser {
                    username: name.into(),
                    display_name: format!("The {name} — “quoted” and ünïcödé"),
                    role,
                    clearance: level,
                    password: format!("{name} password long enough"),
                },
            )
            .await
            .unwrap();
    }
    store.set_user_disabled(&cli, "donor", true).await.unwrap();
}

/// The backup's lines without its header line (which names the backend and the time).
fn body(backup: &[u8]) -> Vec<String> {
    let text = String::from_utf8(backup.to_vec()).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.starts_with("{\"end\""))
        .map(str::to_owned)
        .collect()
}

async fn round_trip(from: Flavour, to: Flavour) {
    let source = TestDb::new(from).await;
    let store = source.open().await;
    populate(&store).await;
    let mut first = Vec::new();
    let summary = store.backup(&mut first).await.unwrap();
    assert_eq!(summary.rows, 1 + 3 + 5 + 1);

    let target = TestDb::new(to).await;
    let restored = target.open().await;
    let r = restored
        .restore("backup.jsonl", Cursor::new(first.clone()))
        .await
        .unwrap();
    assert_eq!(r.rows, summary.rows);

    // The same data, row for row.
    let mut second = Vec::new();
    restored.backup(&mut second).await.unwrap();
    assert_eq!(body(&first), body(&second));
    // The chain came along intact, and passwords still work.
    assert!(matches!(
        restored.verify_audit().await.unwrap(),
        Verdict::Intact { entries: 5, .. }
    ));
    assert!(
        restored
            .authenticate("planner", "planner password long enough")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        restored
            .authenticate("donor", "donor password long enough")
            .await
            .unwrap(),
        None
    );
    // And the restored database takes new writes on the same chain.
    restored
        .create_workspace(
            &Actor::System,
            Slug::parse("after").unwrap(),
            "After",
            WorkspaceKind::Region,
        )
        .await
        .unwrap();
    assert!(matches!(
        restored.verify_audit().await.unwrap(),
        Verdict::Intact { entries: 6, .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_postgres() {
    round_trip(Flavour::Sqlite, Flavour::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_to_sqlite() {
    round_trip(Flavour::Postgres, Flavour::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_sqlite() {
    round_trip(Flavour::Sqlite, Flavour::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_to_postgres() {
    round_trip(Flavour::Postgres, Flavour::Postgres).await;
}

/// A backup taken while writers write is a consistent snapshot: its chain verifies and its
/// records match its audit entries.
async fn online_backup(flavour: Flavour) {
    let source = TestDb::new(flavour).await;
    let store = source.open().await;
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..60 {
                store
                    .create_workspace(
                        &Actor::System,
                        Slug::parse(&format!("w-{i}")).unwrap(),
                        "W",
                        WorkspaceKind::Region,
                    )
                    .await
                    .unwrap();
            }
        })
    };
    let mut backups = Vec::new();
    while !writer.is_finished() {
        let mut out = Vec::new();
        store.backup(&mut out).await.unwrap();
        backups.push(out);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    writer.await.unwrap();
    assert!(!backups.is_empty());
    for backup in backups.iter().rev().take(3) {
        let target = TestDb::new(flavour).await;
        let restored = target.open().await;
        restored
            .restore("b", Cursor::new(backup.clone()))
            .await
            .unwrap();
        let n = restored.list_workspaces().await.unwrap().len() as u64;
        assert!(
            matches!(restored.verify_audit().await.unwrap(), Verdict::Intact { entries, .. } if entries == n)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_backup_sqlite() {
    online_backup(Flavour::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_backup_postgres() {
    online_backup(Flavour::Postgres).await;
}

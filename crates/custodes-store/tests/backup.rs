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

    // Compartments, memberships, a token, and actors whose first refers to a later one
    // (so that a restore needs its second pass).
    let c = store
        .create_compartment(
            &cli,
            "border",
            "Border group",
            custodes_core::access::CompartmentKind::SharingGroup,
            "",
        )
        .await
        .unwrap();
    store
        .set_membership(&cli, c.id, "admin", true)
        .await
        .unwrap();
    let admin = store.user_by_username("admin").await.unwrap();
    store
        .create_token(
            &admin,
            "script",
            custodes_core::permission::TokenScope::Read,
            std::time::Duration::from_secs(3600),
        )
        .await
        .unwrap();
    let viewer = store.viewer(admin.id).await.unwrap().unwrap();
    let today = chrono::Utc::now().date_naive();
    let ws = store.list_workspaces().await.unwrap()[0].id;
    let input = |name: &str, parent, classification| custodes_store::actor::ActorInput {
        fields: custodes_core::sector::ActorFields {
            name: name.into(),
            kind: custodes_core::sector::ActorKind::Police,
            mandate: "keep order".into(),
            legal_basis: String::new(),
            personnel: Some(100),
            budget: Some(1.5e6),
        },
        parent,
        classification,
    };
    let public = custodes_core::policy::Classification::public();
    let unit = store
        .create_actor(
            &cli,
            &viewer,
            today,
            ws,
            input("Unit", None, public.clone()),
        )
        .await
        .unwrap();
    let secret = custodes_core::policy::Classification::new(
        Level::Secret,
        [c.id].into(),
        Some("sources".into()),
        None,
        Level::Public,
    )
    .unwrap();
    let service = store
        .create_actor(&cli, &viewer, today, ws, input("Service", None, secret))
        .await
        .unwrap();
    store
        .update_actor(
            &cli,
            &viewer,
            today,
            unit.id,
            input("Unit", Some(service.id), public),
        )
        .await
        .unwrap();
}

/// The rows of one table in a backup, as their JSON lines.
fn rows(backup: &[u8], table: &str) -> Vec<String> {
    let text = String::from_utf8(backup.to_vec()).unwrap();
    let marker = format!("{{\"table\":\"{table}\"");
    text.lines()
        .skip_while(|l| !l.starts_with(&marker))
        .skip(1)
        .take_while(|l| l.starts_with('['))
        .map(str::to_owned)
        .collect()
}

async fn round_trip(from: Flavour, to: Flavour) {
    let source = TestDb::new(from).await;
    let store = source.open().await;
    populate(&store).await;
    let mut first = Vec::new();
    let summary = store.backup(&mut first).await.unwrap();
    // 1 workspace, 3 users, 1 head, 1 compartment, 1 member, 1 token, 2 actors, 1 actor
    // compartment, and 11 audit entries.
    assert_eq!(summary.rows, 1 + 3 + 1 + 1 + 1 + 1 + 2 + 1 + 11);

    let target = TestDb::new(to).await;
    let restored = target.open().await;
    let r = restored
        .restore(&Actor::System, "backup.jsonl", Cursor::new(first.clone()))
        .await
        .unwrap();
    assert_eq!(r.rows, summary.rows);

    // The same data, row for row; the chain gains one entry: the restore itself.
    let mut second = Vec::new();
    restored.backup(&mut second).await.unwrap();
    for table in [
        "workspace",
        "app_user",
        "compartment",
        "compartment_member",
        "api_token",
        "actor",
        "record_compartment",
    ] {
        assert_eq!(rows(&first, table), rows(&second, table), "{table}");
    }
    let (before, after) = (rows(&first, "audit_entry"), rows(&second, "audit_entry"));
    assert_eq!(before.len(), 11);
    assert_eq!(after[..11], before[..]);
    assert!(after[11].contains("\"database.restore\""), "{}", after[11]);
    assert!(matches!(
        restored.verify_audit().await.unwrap(),
        Verdict::Intact { entries: 12, .. }
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
        Verdict::Intact { entries: 13, .. }
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
            .restore(&Actor::System, "b", Cursor::new(backup.clone()))
            .await
            .unwrap();
        // One entry per workspace, and one for the restore.
        let n = restored.list_workspaces().await.unwrap().len() as u64;
        assert!(
            matches!(restored.verify_audit().await.unwrap(), Verdict::Intact { entries, .. } if entries == n + 1)
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

/// A backup made at an older schema version is restored at that version and migrated
/// forward, as the database it came from would have been.
async fn an_older_backup_is_upgraded(flavour: Flavour) {
    let source = TestDb::new(flavour).await;
    let store = Store::connect(&source.url).await.unwrap();
    store.migrate_to(1).await.unwrap();
    custodes_testkit::arvenia(&store, &Actor::System).await;
    let mut old = Vec::new();
    let summary = store.backup(&mut old).await.unwrap();
    assert_eq!(summary.schema_version, 1);

    let target = TestDb::new(flavour).await;
    let fresh = Store::connect(&target.url).await.unwrap();
    fresh
        .restore(&Actor::System, "old.jsonl", Cursor::new(old.clone()))
        .await
        .unwrap();
    assert_eq!(
        fresh.schema_version().await.unwrap(),
        fresh.known_schema_version()
    );
    assert_eq!(fresh.list_workspaces().await.unwrap().len(), 1);
    assert!(matches!(
        fresh.verify_audit().await.unwrap(),
        Verdict::Intact { entries: 2, .. }
    ));

    // A database already at a newer schema cannot take it.
    let newer = TestDb::new(flavour).await;
    let full = newer.open().await;
    if full.known_schema_version() > 1 {
        let err = full
            .restore(&Actor::System, "old.jsonl", Cursor::new(old))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("restore into a new database"),
            "{err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn older_backup_sqlite() {
    an_older_backup_is_upgraded(Flavour::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn older_backup_postgres() {
    an_older_backup_is_upgraded(Flavour::Postgres).await;
}

async fn budgets(
    store: &Store,
    viewer: &custodes_core::policy::Viewer,
    ids: &[custodes_core::ActorId],
) -> Vec<Option<f64>> {
    let today = chrono::Utc::now().date_naive();
    let mut out = Vec::new();
    for id in ids {
        let a = store.get_actor(viewer, today, *id).await.unwrap().unwrap();
        out.push(a.fields.budget);
    }
    out
}

/// Budgets given and left out, one after the other, are kept exactly, and a backup carries
/// them to the other backend and back. (On PostgreSQL a statement is prepared once with the
/// types of its first parameters, so a missing budget must go out with the same type as a
/// given one.)
async fn budgets_given_and_left_out(from: Flavour, to: Flavour) {
    let source = TestDb::new(from).await;
    let store = source.open().await;
    let cli = Actor::Cli {
        os_user: "ops".into(),
    };
    let ws = custodes_testkit::arvenia(&store, &cli).await.id;
    let admin = store
        .create_user(
            &cli,
            NewUser {
                username: "admin".into(),
                display_name: "Admin".into(),
                role: Role::Administrator,
                clearance: Level::Secret,
                password: "admin password long enough".into(),
            },
        )
        .await
        .unwrap();
    let viewer = store.viewer(admin.id).await.unwrap().unwrap();
    let today = chrono::Utc::now().date_naive();
    let budget = |i: u32| (i % 2 == 1).then(|| f64::from(i) * 1_234_567.891 + 0.1);
    let input = |i: u32, budget: Option<f64>| custodes_store::actor::ActorInput {
        fields: custodes_core::sector::ActorFields {
            name: format!("Unit {i:02}"),
            kind: custodes_core::sector::ActorKind::Police,
            mandate: String::new(),
            legal_basis: String::new(),
            personnel: None,
            budget,
        },
        parent: None,
        classification: custodes_core::policy::Classification::public(),
    };
    let mut ids = Vec::new();
    for i in 0..16 {
        let a = store
            .create_actor(&cli, &viewer, today, ws, input(i, budget(i)))
            .await
            .unwrap();
        // And changed to the other way round.
        store
            .update_actor(&cli, &viewer, today, a.id, input(i, budget(i + 1)))
            .await
            .unwrap();
        ids.push(a.id);
    }
    let expected: Vec<Option<f64>> = (0..16).map(|i| budget(i + 1)).collect();
    assert_eq!(budgets(&store, &viewer, &ids).await, expected);

    let mut backup = Vec::new();
    store.backup(&mut backup).await.unwrap();
    let target = TestDb::new(to).await;
    let restored = target.open().await;
    restored
        .restore(&Actor::System, "backup.jsonl", Cursor::new(backup))
        .await
        .unwrap();
    assert_eq!(budgets(&restored, &viewer, &ids).await, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budgets_postgres_to_postgres() {
    budgets_given_and_left_out(Flavour::Postgres, Flavour::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budgets_sqlite_to_postgres() {
    budgets_given_and_left_out(Flavour::Sqlite, Flavour::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budgets_postgres_to_sqlite() {
    budgets_given_and_left_out(Flavour::Postgres, Flavour::Sqlite).await;
}

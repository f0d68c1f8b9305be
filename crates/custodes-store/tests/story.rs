//! The store's story, run unchanged on SQLite and PostgreSQL: open, migrate, write through
//! use-cases, read back, and find every write in an intact audit chain.

use custodes_core::audit::Actor;
use custodes_core::workspace::{Slug, WorkspaceKind};
use custodes_core::{Level, Role};
use custodes_store::audit::Verdict;
use custodes_store::user::NewUser;
use custodes_store::{Store, StoreError};
use custodes_testkit::{Flavour, TestDb, on_both_backends};

fn cli() -> Actor {
    Actor::Cli {
        os_user: "tester".into(),
    }
}

fn new_user(name: &str, role: Role, clearance: Level) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: String::new(),
        role,
        clearance,
        password: format!("{name} has a long password"),
    }
}

async fn intact(store: &Store) -> u64 {
    match store.verify_audit().await.unwrap() {
        Verdict::Intact { entries, .. } => entries,
        Verdict::Broken(b) => panic!("chain broken: {b}"),
    }
}

async fn migrations_apply_once_and_are_recorded(flavour: Flavour) {
    let db = TestDb::new(flavour).await;
    let store = Store::connect(&db.url).await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), 0);
    let applied = store.migrate().await.unwrap();
    assert_eq!(applied, vec![1, 2, 3, 4, 6]);
    assert_eq!(
        store.schema_version().await.unwrap(),
        store.known_schema_version()
    );
    assert_eq!(store.migrate().await.unwrap(), Vec::<i64>::new());
    // A fresh chain is empty and intact.
    assert_eq!(intact(&store).await, 0);
}

async fn users_are_created_listed_and_audited(flavour: Flavour) {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    let alice = store
        .create_user(
            &cli(),
            new_user("alice", Role::Administrator, Level::Secret),
        )
        .await
        .unwrap();
    store
        .create_user(&cli(), new_user("bob", Role::Donor, Level::Official))
        .await
        .unwrap();
    let users = store.list_users().await.unwrap();
    assert_eq!(
        users
            .iter()
            .map(|u| (u.username.as_str(), u.role, u.clearance))
            .collect::<Vec<_>>(),
        vec![
            ("alice", Role::Administrator, Level::Secret),
            ("bob", Role::Donor, Level::Official)
        ]
    );
    assert_eq!(users[0].id, alice.id);
    assert_eq!(alice.display_name, "alice");
    assert_eq!(intact(&store).await, 2);
}

async fn a_taken_username_is_a_conflict_and_changes_nothing(flavour: Flavour) {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    store
        .create_user(&cli(), new_user("alice", Role::Planner, Level::Official))
        .await
        .unwrap();
    let err = store
        .create_user(&cli(), new_user("alice", Role::Donor, Level::Public))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(err.to_string(), "a user named 'alice' already exists");
    assert_eq!(store.list_users().await.unwrap().len(), 1);
    // The failed write left no audit entry.
    assert_eq!(intact(&store).await, 1);
}

async fn invalid_input_is_refused_before_writing(flavour: Flavour) {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    let mut short = new_user("carol", Role::Planner, Level::Official);
    short.password = "short".into();
    let err = store.create_user(&cli(), short).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "the password is too short: use at least 12 characters"
    );
    let err = store
        .create_user(&cli(), new_user("Carol", Role::Planner, Level::Official))
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with("invalid username 'Carol'"),
        "{err}"
    );
    assert_eq!(intact(&store).await, 0);
}

async fn passwords_authenticate_and_disabled_users_cannot(flavour: Flavour) {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    store
        .create_user(&cli(), new_user("dana", Role::Auditor, Level::Confidential))
        .await
        .unwrap();
    let ok = store
        .authenticate("dana", "dana has a long password")
        .await
        .unwrap();
    assert_eq!(ok.map(|u| u.username), Some("dana".to_owned()));
    assert_eq!(
        store
            .authenticate("dana", "wrong password!!")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .authenticate("nobody", "dana has a long password")
            .await
            .unwrap(),
        None
    );

    store
        .set_password(&cli(), "dana", "a new and longer password".into())
        .await
        .unwrap();
    assert_eq!(
        store
            .authenticate("dana", "dana has a long password")
            .await
            .unwrap(),
        None
    );
    assert!(
        store
            .authenticate("dana", "a new and longer password")
            .await
            .unwrap()
            .is_some()
    );

    let disabled = store.set_user_disabled(&cli(), "dana", true).await.unwrap();
    assert!(disabled.disabled);
    assert_eq!(
        store
            .authenticate("dana", "a new and longer password")
            .await
            .unwrap(),
        None
    );
    assert!(store.user_by_username("dana").await.unwrap().disabled);

    let err = store
        .set_user_disabled(&cli(), "erin", true)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "no user 'erin'");
    assert_eq!(intact(&store).await, 3);
}

async fn workspaces_are_created_and_listed(flavour: Flavour) {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    store
        .create_workspace(
            &Actor::System,
            Slug::parse("arvenia").unwrap(),
            "Republic of Arvenia",
            WorkspaceKind::Country,
        )
        .await
        .unwrap();
    let err = store
        .create_workspace(
            &Actor::System,
            Slug::parse("arvenia").unwrap(),
            "Again",
            WorkspaceKind::Region,
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a workspace named 'arvenia' already exists"
    );
    let all = store.list_workspaces().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].name, "Republic of Arvenia");
    assert_eq!(all[0].kind, WorkspaceKind::Country);
    assert_eq!(intact(&store).await, 1);
}

async fn a_write_without_an_audit_entry_does_not_commit(flavour: Flavour) {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    let mut tx = store.begin_write().await.unwrap();
    sqlx::query(
        "INSERT INTO workspace (id, slug, name, kind, created_at, updated_at) \
         VALUES ('x', 'sneaky', 'Sneaky', 'country', 't', 't')",
    )
    .execute(tx.conn())
    .await
    .unwrap();
    let err = tx.commit().await.unwrap_err();
    assert!(
        err.to_string().contains("must append an audit entry"),
        "{err}"
    );
    assert!(store.list_workspaces().await.unwrap().is_empty());
}

async fn concurrent_writers_build_one_unbroken_chain(flavour: Flavour) {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    let mut tasks = Vec::new();
    for t in 0..6 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..8 {
                let slug = Slug::parse(&format!("ws-{t}-{i}")).unwrap();
                store
                    .create_workspace(&Actor::System, slug, "Concurrent", WorkspaceKind::Region)
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(store.list_workspaces().await.unwrap().len(), 48);
    assert_eq!(intact(&store).await, 48);
}

async fn backup_lists_every_table_of_the_schema(flavour: Flavour) {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    let (unlisted, absent) = store.backup_coverage().await.unwrap();
    assert!(
        unlisted.is_empty(),
        "tables missing from backup::TABLES: {unlisted:?}"
    );
    assert!(
        absent.is_empty(),
        "backup::TABLES names tables the schema lacks: {absent:?}"
    );
}

on_both_backends!(
    migrations_apply_once_and_are_recorded,
    users_are_created_listed_and_audited,
    a_taken_username_is_a_conflict_and_changes_nothing,
    invalid_input_is_refused_before_writing,
    passwords_authenticate_and_disabled_users_cannot,
    workspaces_are_created_and_listed,
    a_write_without_an_audit_entry_does_not_commit,
    concurrent_writers_build_one_unbroken_chain,
    backup_lists_every_table_of_the_schema,
);

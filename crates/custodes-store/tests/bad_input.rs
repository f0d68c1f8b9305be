//! Bad databases and bad backups give a clear error and change nothing.

use std::io::Cursor;

use custodes_core::audit::Actor;
use custodes_core::workspace::{Slug, WorkspaceKind};
use custodes_store::{DatabaseUrl, Store, StoreError};
use custodes_testkit::{Flavour, TestDb, on_both_backends};

#[tokio::test]
async fn a_foreign_file_is_not_opened_and_not_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    let content = b"These are meeting notes, not a database.\n".repeat(100);
    std::fs::write(&path, &content).unwrap();
    let err = Store::open(&DatabaseUrl::Sqlite(path.clone()))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert!(
        err.to_string().ends_with(
            "is not a SQLite database (its header is not a SQLite header); nothing was changed"
        ),
        "{err}"
    );
    assert!(std::fs::read(&path).unwrap() == content, "the file changed");
    // No journal files appeared beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn a_corrupt_sqlite_file_is_refused_unchanged() {
    let db = TestDb::new(Flavour::Sqlite).await;
    let store = db.open().await;
    custodes_testkit::arvenia(&store, &Actor::System).await;
    store.close().await;
    let DatabaseUrl::Sqlite(path) = &db.url else {
        unreachable!()
    };
    // Keep the header, overwrite the first pages (the schema) with noise.
    let mut bytes = std::fs::read(path).unwrap();
    for b in bytes.iter_mut().skip(100).take(8000) {
        *b = 0xA5;
    }
    std::fs::write(path, &bytes).unwrap();
    let err = Store::open(&db.url).await.unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert!(std::fs::read(path).unwrap() == bytes, "the file changed");
}

#[tokio::test]
async fn a_sqlite_database_of_another_program_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let url = DatabaseUrl::Sqlite(path.clone());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url.connect_string()).await.unwrap();
    sqlx::query("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&url).await.unwrap_err();
    assert!(matches!(err, StoreError::Foreign { .. }), "{err:?}");
    assert!(
        err.to_string().contains("is a database of another program"),
        "{err}"
    );
    assert!(std::fs::read(&path).unwrap() == before, "the file changed");
}

#[tokio::test]
async fn a_postgres_url_that_does_not_answer_is_a_clear_error() {
    // A port nothing listens on: bind one, note it, and let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url: DatabaseUrl = format!("postgres://custodes:secret-pw@127.0.0.1:{port}/custodes")
        .parse()
        .unwrap();
    let started = std::time::Instant::now();
    let err = Store::open(&url).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Connect { .. }), "{err:?}");
    assert!(
        text.starts_with(&format!(
            "cannot connect to postgres://custodes:***@127.0.0.1:{port}/custodes: "
        )),
        "{text}"
    );
    assert!(!text.contains("secret-pw"));
    assert!(started.elapsed().as_secs() < 20);
}

async fn a_database_from_a_newer_version_is_refused(flavour: Flavour) {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    store.close().await;
    let pool = db.raw_pool().await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', TRUE, $1, 0)",
    )
    .bind(vec![0u8; 48])
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let err = Store::open(&db.url).await.unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 9999, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("written by a newer version of Custodes (schema 9999"),
        "{err}"
    );
}

/// A backup of a database with some rows, as text.
async fn sample_backup(flavour: Flavour) -> String {
    let db = TestDb::new(flavour).await;
    let store = db.open().await;
    for slug in ["arvenia", "borduria"] {
        store
            .create_workspace(
                &Actor::System,
                Slug::parse(slug).unwrap(),
                slug,
                WorkspaceKind::Country,
            )
            .await
            .unwrap();
    }
    let mut out = Vec::new();
    store.backup(&mut out).await.unwrap();
    String::from_utf8(out).unwrap()
}

async fn restore_err(flavour: Flavour, text: &str) -> (StoreError, Store) {
    let target = TestDb::new(flavour).await;
    let store = target.open().await;
    let err = store
        .restore(&Actor::System, "backup.jsonl", Cursor::new(text.to_owned()))
        .await
        .unwrap_err();
    // Nothing was restored.
    assert!(store.list_workspaces().await.unwrap().is_empty());
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        custodes_store::audit::Verdict::Intact { entries: 0, .. }
    ));
    (err, store)
}

async fn a_truncated_backup_is_refused(flavour: Flavour) {
    let text = sample_backup(flavour).await;
    // Cut inside the last row.
    let cut = &text[..text.len() - text.lines().last().unwrap().len() - 20];
    let (err, _) = restore_err(flavour, cut).await;
    assert!(matches!(err, StoreError::Backup { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.starts_with("backup.jsonl:"), "{msg}");
    assert!(msg.contains("cut") || msg.contains("truncated"), "{msg}");
    // Cut at a line boundary: the end line is missing.
    let lines: Vec<&str> = text.lines().collect();
    let (err, _) = restore_err(flavour, &(lines[..lines.len() - 1].join("\n") + "\n")).await;
    assert_eq!(
        err.to_string(),
        "backup.jsonl:0: the backup has no end line: the file was cut short (truncated)"
    );
}

async fn an_edited_backup_is_refused(flavour: Flavour) {
    let text = sample_backup(flavour).await.replace("borduria", "bordurie");
    let (err, _) = restore_err(flavour, &text).await;
    assert!(
        err.to_string().contains("the checksum does not match"),
        "{err}"
    );
}

async fn a_backup_from_a_newer_version_is_refused(flavour: Flavour) {
    let text = sample_backup(flavour).await;
    // Rewrite the header as a newer Custodes would have written it.
    let (header, rest) = text.split_once('\n').unwrap();
    let mut header: serde_json::Value = serde_json::from_str(header).unwrap();
    header["schema_version"] = 42.into();
    let text = format!("{header}\n{rest}");
    let (err, store) = restore_err(flavour, &text).await;
    assert_eq!(
        err.to_string(),
        format!(
            "backup.jsonl:1: the backup was written by a newer version of Custodes (schema 42, this build knows up to {})",
            store.known_schema_version()
        )
    );
}

async fn a_file_that_is_not_a_backup_is_refused(flavour: Flavour) {
    let (err, _) = restore_err(flavour, "id,name\n1,Arvenia\n").await;
    assert_eq!(
        err.to_string(),
        "backup.jsonl:1: this is not a Custodes backup (its first line is not a backup header)"
    );
    let (err, _) = restore_err(flavour, "").await;
    assert!(err.to_string().contains("the file is empty"), "{err}");
}

async fn restore_into_a_database_with_data_is_refused(flavour: Flavour) {
    let text = sample_backup(flavour).await;
    let target = TestDb::new(flavour).await;
    let store = target.open().await;
    store
        .create_workspace(
            &Actor::System,
            Slug::parse("existing").unwrap(),
            "Existing",
            WorkspaceKind::Region,
        )
        .await
        .unwrap();
    let err = store
        .restore(&Actor::System, "backup.jsonl", Cursor::new(text))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotEmpty { .. }), "{err:?}");
    assert!(
        err.to_string()
            .ends_with("already holds data (1 rows in workspace); restore needs an empty database"),
        "{err}"
    );
    assert_eq!(store.list_workspaces().await.unwrap().len(), 1);
}

on_both_backends!(
    a_database_from_a_newer_version_is_refused,
    a_truncated_backup_is_refused,
    an_edited_backup_is_refused,
    a_backup_from_a_newer_version_is_refused,
    a_file_that_is_not_a_backup_is_refused,
    restore_into_a_database_with_data_is_refused,
);

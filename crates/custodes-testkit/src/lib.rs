//! Test support: a throwaway database on either backend, so that one test suite runs
//! unchanged on SQLite and PostgreSQL.
//!
//! PostgreSQL tests need a server to create their databases in. The test command
//! (`scripts/test`) starts a throwaway cluster in a temporary directory, exports its
//! address as `CUSTODES_TEST_PG_URL` and removes the cluster afterwards; each test then
//! creates a database of its own in it. No test depends on a server started by hand.

use std::path::PathBuf;

use custodes_core::audit::Actor;
use custodes_core::workspace::{Slug, WorkspaceKind};
use custodes_store::workspace::Workspace;
use custodes_store::{DatabaseUrl, Store};
use sqlx::Connection;

/// The variable that names the throwaway PostgreSQL cluster (an administrator URL).
pub const PG_URL_VAR: &str = "CUSTODES_TEST_PG_URL";

/// Which backend a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A fresh database in the throwaway PostgreSQL cluster.
    Postgres,
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDb {
    /// Where it is.
    pub url: DatabaseUrl,
    /// A temporary directory the test may also use for files (removed on drop).
    pub dir: tempfile::TempDir,
}

impl TestDb {
    /// Creates an empty database on the given backend.
    pub async fn new(flavour: Flavour) -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = match flavour {
            Flavour::Sqlite => DatabaseUrl::Sqlite(dir.path().join("custodes.db")),
            Flavour::Postgres => create_pg_database().await,
        };
        TestDb { url, dir }
    }

    /// Opens (and migrates) the database.
    pub async fn open(&self) -> Store {
        Store::open(&self.url).await.expect("open test database")
    }

    /// A raw connection pool that bypasses the store, for tests that tamper with the
    /// data the way someone with database access could.
    pub async fn raw_pool(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&self.url.connect_string())
            .await
            .expect("raw connection to test database")
    }

    /// A path inside the test's temporary directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// The administrator URL of the throwaway cluster.
pub fn pg_admin_url() -> String {
    std::env::var(PG_URL_VAR).unwrap_or_else(|_| {
        panic!(
            "PostgreSQL tests need {PG_URL_VAR}: run the tests with scripts/test, which starts \
             a throwaway PostgreSQL cluster and removes it afterwards"
        )
    })
}

/// Creates a uniquely named database in the throwaway cluster and returns its URL.
pub async fn create_pg_database() -> DatabaseUrl {
    let admin = pg_admin_url();
    let name = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!("cannot reach the throwaway PostgreSQL cluster at {admin}: {e}")
        });
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let _ = conn.close().await;
    let mut url: url::Url = admin.parse().expect("admin URL");
    url.set_path(&format!("/{name}"));
    url.as_str().parse().expect("test database URL")
}

/// Declares an async test body once and runs it on both backends, as
/// `sqlite::NAME` and `postgres::NAME`.
///
/// ```ignore
/// async fn creates_users(flavour: Flavour) { … }
/// custodes_testkit::on_both_backends!(creates_users, lists_users);
/// ```
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Flavour::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Flavour::Postgres).await
                }
            )*
        }
    };
}

/// Creates, as `actor`, the country workspace most tests work in: Arvenia, at `arvenia`.
pub async fn arvenia(store: &Store, actor: &Actor) -> Workspace {
    store
        .create_workspace(
            actor,
            Slug::parse("arvenia").expect("a valid slug"),
            "Arvenia",
            WorkspaceKind::Country,
        )
        .await
        .expect("the test workspace is created")
}

//! Opening a database: which backend, its connection settings, the checks made before
//! anything is written, and migrations.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Connection};

use crate::error::StoreError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The two backends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One embedded file; the default.
    Sqlite,
    /// A PostgreSQL server, for several processes and larger installations.
    Postgres,
}

impl Backend {
    /// The name used in messages and backups.
    pub const fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// Where the data lives: a SQLite file or a PostgreSQL URL. `Display` and `Debug` never
/// show a password.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite database file.
    Sqlite(PathBuf),
    /// A `postgres://` URL (it may hold a password).
    Postgres(url::Url),
}

impl DatabaseUrl {
    /// The SQLite file `custodes.db` in a data directory.
    pub fn in_data_dir(dir: &Path) -> DatabaseUrl {
        DatabaseUrl::Sqlite(dir.join("custodes.db"))
    }

    /// Which backend the URL names.
    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL the driver connects with. It holds the password: never log it.
    pub fn connect_string(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}?mode=rwc", path.display()),
            DatabaseUrl::Postgres(url) => url.to_string(),
        }
    }
}

impl FromStr for DatabaseUrl {
    type Err = StoreError;

    /// Reads `postgres://…`, `postgresql://…`, `sqlite://PATH`, `sqlite:PATH` or a plain
    /// path to a SQLite file.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            let url = url::Url::parse(s).map_err(|e| StoreError::BadUrl {
                url: redact(s),
                reason: e.to_string(),
            })?;
            if url.host_str().is_none_or(str::is_empty)
                && !url.query().is_some_and(|q| q.contains("host="))
            {
                return Err(StoreError::BadUrl {
                    url: redact(s),
                    reason: "it names no host".into(),
                });
            }
            return Ok(DatabaseUrl::Postgres(url));
        }
        let path = s
            .strip_prefix("sqlite://")
            .or_else(|| s.strip_prefix("sqlite:"))
            .unwrap_or(s);
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() {
            return Err(StoreError::BadUrl {
                url: s.to_owned(),
                reason: "it names no file".into(),
            });
        }
        if let Some((scheme, _)) = path.split_once("://") {
            return Err(StoreError::BadUrl {
                url: redact(s),
                reason: format!(
                    "unknown scheme '{scheme}' (use postgres:// or a SQLite file path)"
                ),
            });
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }
}

/// A URL with its password replaced by `***`.
fn redact(s: &str) -> String {
    match url::Url::parse(s) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => s.to_owned(),
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "{}", path.display()),
            DatabaseUrl::Postgres(url) => f.write_str(&redact(url.as_str())),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// An open database. Cheap to clone: clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    url: DatabaseUrl,
}

/// How long a SQLite writer waits for another to finish before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

impl Store {
    /// Opens the database and brings its schema up to date.
    ///
    /// Before anything is written it checks that a SQLite file is a SQLite database, that
    /// the database is empty or a Custodes database, and that it was not written by a
    /// newer Custodes. When a check fails nothing has been changed.
    pub async fn open(url: &DatabaseUrl) -> Result<Store, StoreError> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating it (for `migrate` itself and for checks).
    pub async fn connect(url: &DatabaseUrl) -> Result<Store, StoreError> {
        install_default_drivers();
        let backend = url.backend();
        if let DatabaseUrl::Sqlite(path) = url {
            check_sqlite_file(path)?;
            preflight_sqlite(path).await?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
        }
        if backend == Backend::Postgres {
            // One direct attempt first: a pool retries until its timeout and then reports
            // only that it timed out, while this names the cause (refused, unknown host,
            // bad password) at once.
            let attempt = tokio::time::timeout(
                Duration::from_secs(10),
                sqlx::AnyConnection::connect(&url.connect_string()),
            )
            .await
            .map_err(|_| StoreError::Connect {
                target: url.to_string(),
                reason: "no answer within 10 seconds".into(),
            })?;
            let conn = attempt.map_err(|e| connect_error(url, &e))?;
            let _ = conn.close().await;
        }
        let mut options = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(10))
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            });
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers work while one writer writes; FULL synchronous makes a
                    // committed transaction survive a crash of the process or the machine.
                    let pragmas = format!(
                        "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
                         PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                        SQLITE_BUSY_TIMEOUT.as_millis()
                    );
                    sqlx::raw_sql(sqlx::AssertSqlSafe(pragmas))
                        .execute(conn)
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = tokio::time::timeout(
            Duration::from_secs(15),
            options.connect(&url.connect_string()),
        )
        .await
        .map_err(|_| StoreError::Connect {
            target: url.to_string(),
            reason: "no answer within 15 seconds".into(),
        })?
        .map_err(|e| connect_error(url, &e))?;
        let store = Store {
            pool,
            backend,
            url: url.clone(),
        };
        store.check_schema().await?;
        Ok(store)
    }

    /// Which backend this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database, with any password removed, for messages.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The newest migration this build knows.
    pub fn known_schema_version(&self) -> i64 {
        self.backend
            .migrator()
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0)
    }

    /// The newest migration applied to the database (0 for an empty database).
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        if !self.has_table("_sqlx_migrations").await? {
            return Ok(0);
        }
        let v: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.pool)
                .await?;
        Ok(v.unwrap_or(0))
    }

    /// Applies the migrations this build has and the database lacks. Returns the
    /// versions applied.
    pub async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        self.migrate_to(self.known_schema_version()).await
    }

    /// Applies migrations up to and including `target` (a restore loads an older backup
    /// at its own version before migrating it forward).
    pub async fn migrate_to(&self, target: i64) -> Result<Vec<i64>, StoreError> {
        let before = self.schema_version().await?;
        self.backend
            .migrator()
            .run_to(target, &self.pool)
            .await
            .map_err(|e| StoreError::Migrate {
                target: self.url.to_string(),
                reason: e.to_string(),
            })?;
        Ok(self
            .backend
            .migrator()
            .iter()
            .map(|m| m.version)
            .filter(|v| *v > before && *v <= target)
            .collect())
    }

    /// Answers when the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection (a SQLite database is checkpointed on the way).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn has_table(&self, name: &str) -> Result<bool, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = $1"
            }
        };
        let n: i64 = sqlx::query_scalar(sql)
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// The user tables in the database, migrations bookkeeping excluded.
    pub(crate) async fn table_names(&self) -> Result<Vec<String>, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name <> '_sqlx_migrations' ORDER BY table_name"
            }
        };
        Ok(sqlx::query_scalar(sql).fetch_all(&self.pool).await?)
    }

    /// The columns of a table, in order.
    pub(crate) async fn column_names(&self, table: &str) -> Result<Vec<String>, StoreError> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY cid",
            Backend::Postgres => {
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
            }
        };
        Ok(sqlx::query_scalar(sql)
            .bind(table)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Refuses a database of another program and one written by a newer Custodes.
    async fn check_schema(&self) -> Result<(), StoreError> {
        let tables = self.table_names().await.map_err(|e| self.classify(e))?;
        let has_migrations = self.has_table("_sqlx_migrations").await?;
        if !has_migrations && !tables.is_empty() {
            return Err(StoreError::Foreign {
                target: self.url.to_string(),
            });
        }
        let found = self.schema_version().await?;
        let known = self.known_schema_version();
        if found > known {
            return Err(StoreError::SchemaTooNew {
                target: self.url.to_string(),
                found,
                known,
            });
        }
        Ok(())
    }

    /// Names a SQLite "not a database" error for what it is.
    fn classify(&self, err: StoreError) -> StoreError {
        match (&self.url, &err) {
            (DatabaseUrl::Sqlite(path), StoreError::Database(sqlx::Error::Database(db)))
                if db.message().contains("not a database")
                    || db.message().contains("malformed") =>
            {
                StoreError::NotADatabase {
                    path: path.display().to_string(),
                    reason: db.message().to_owned(),
                }
            }
            _ => err,
        }
    }

    /// Begins a write transaction (see [`crate::tx::WriteTx`]).
    pub async fn begin_write(&self) -> Result<crate::tx::WriteTx, StoreError> {
        crate::tx::WriteTx::begin(self).await
    }
}

/// The 16-byte header every SQLite 3 database file starts with.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Refuses a file that exists, is not empty and is not a SQLite database, before SQLite
/// opens it (opening alone can create journal files next to it).
fn check_sqlite_file(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(StoreError::Io {
                path: path.display().to_string(),
                source,
            });
        }
    };
    let not_db = |reason: &str| StoreError::NotADatabase {
        path: path.display().to_string(),
        reason: reason.to_owned(),
    };
    if meta.is_dir() {
        return Err(not_db("it is a directory"));
    }
    if meta.len() == 0 {
        return Ok(());
    }
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|source| StoreError::Io {
        path: path.display().to_string(),
        source,
    })?;
    match file.read_exact(&mut header) {
        Ok(()) if &header == SQLITE_HEADER => Ok(()),
        Ok(()) => Err(not_db("its header is not a SQLite header")),
        Err(_) => Err(not_db("it is shorter than a SQLite header")),
    }
}

/// Opens an existing SQLite file read-only and checks that it is a sound Custodes
/// database (or an empty one) before the pool opens it for writing: switching a file to WAL
/// changes its header, so a foreign or damaged file must be refused first.
async fn preflight_sqlite(path: &Path) -> Result<(), StoreError> {
    use sqlx::ConnectOptions;
    use sqlx::sqlite::SqliteConnectOptions;

    if std::fs::metadata(path)
        .map(|m| m.len() == 0)
        .unwrap_or(true)
    {
        return Ok(());
    }
    let not_db = |e: sqlx::Error| StoreError::NotADatabase {
        path: path.display().to_string(),
        reason: match &e {
            sqlx::Error::Database(db) => db.message().to_owned(),
            other => other.to_string(),
        },
    };
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .map_err(not_db)?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(not_db)?;
    let _ = sqlx::Connection::close(conn).await;
    if !tables.is_empty() && !tables.iter().any(|t| t == "_sqlx_migrations") {
        return Err(StoreError::Foreign {
            target: path.display().to_string(),
        });
    }
    Ok(())
}

/// Turns a driver's connection error into one line that names the database.
fn connect_error(url: &DatabaseUrl, err: &sqlx::Error) -> StoreError {
    let reason = match err {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Database(db) => db.message().to_owned(),
        sqlx::Error::PoolTimedOut => "no answer within 10 seconds".to_owned(),
        other => other.to_string(),
    };
    if let DatabaseUrl::Sqlite(path) = url
        && (reason.contains("not a database") || reason.contains("malformed"))
    {
        return StoreError::NotADatabase {
            path: path.display().to_string(),
            reason,
        };
    }
    StoreError::Connect {
        target: url.to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls_and_hides_passwords() {
        let pg: DatabaseUrl = "postgres://app:hunter2@db.example:5432/custodes"
            .parse()
            .unwrap();
        assert_eq!(pg.backend(), Backend::Postgres);
        assert_eq!(
            pg.to_string(),
            "postgres://app:***@db.example:5432/custodes"
        );
        assert!(!format!("{pg:?}").contains("hunter2"));

        let file: DatabaseUrl = "sqlite:///var/lib/custodes/custodes.db".parse().unwrap();
        assert_eq!(
            file,
            DatabaseUrl::Sqlite("/var/lib/custodes/custodes.db".into())
        );
        let plain: DatabaseUrl = "data/custodes.db".parse().unwrap();
        assert_eq!(plain, DatabaseUrl::Sqlite("data/custodes.db".into()));

        let err = "mysql://x@y/z".parse::<DatabaseUrl>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid database URL 'mysql://x@y/z': unknown scheme 'mysql' (use postgres:// or a SQLite file path)"
        );
    }
}

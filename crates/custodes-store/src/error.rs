//! The one error type of the store.

/// What went wrong in the store. Messages name the input at fault and never include a
/// password or a full database URL.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached.
    #[error("cannot connect to {target}: {reason}")]
    Connect {
        /// The database, with any password removed.
        target: String,
        /// What the driver said.
        reason: String,
    },
    /// A database URL that cannot be used.
    #[error("invalid database URL '{url}': {reason}")]
    BadUrl {
        /// The URL, with any password removed.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The file given as the SQLite database is not a SQLite database.
    #[error("{path} is not a SQLite database ({reason}); nothing was changed")]
    NotADatabase {
        /// The file.
        path: String,
        /// What SQLite said.
        reason: String,
    },
    /// The database holds tables but is not a Custodes database.
    #[error(
        "{target} is a database of another program (it has tables but no Custodes schema); nothing was changed"
    )]
    Foreign {
        /// The database.
        target: String,
    },
    /// The database was written by a newer Custodes.
    #[error(
        "{target} was written by a newer version of Custodes (schema {found}, this build knows up to {known}); upgrade Custodes"
    )]
    SchemaTooNew {
        /// The database.
        target: String,
        /// The newest migration applied to it.
        found: i64,
        /// The newest migration this build has.
        known: i64,
    },
    /// A migration failed.
    #[error("migrating {target} failed: {reason}")]
    Migrate {
        /// The database.
        target: String,
        /// What failed.
        reason: String,
    },
    /// A record with the same unique key exists.
    #[error("{0}")]
    Conflict(String),
    /// A record that was asked for does not exist.
    #[error("no {kind} '{key}'")]
    NotFound {
        /// The kind of record.
        kind: &'static str,
        /// The key that was looked up.
        key: String,
    },
    /// A write transaction tried to commit without an audit entry: a defect in the
    /// use-case, never the user's fault.
    #[error("a write transaction must append an audit entry before it commits")]
    Unaudited,
    /// Input that breaks a rule of the domain.
    #[error("{0}")]
    Invalid(String),
    /// Fields that failed their checks, every one of them.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Fields(Vec<custodes_core::sector::FieldError>),
    /// A file that breaks its format's rules: every problem, each naming file, line,
    /// column and field.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    File(Vec<custodes_formats::Diagnostic>),
    /// The person may not do this.
    #[error("you may not {0}")]
    Forbidden(&'static str),
    /// A backup file that cannot be restored.
    #[error("{file}:{line}: {reason}")]
    Backup {
        /// The backup file.
        file: String,
        /// The line at fault (1-based; 0 for the file as a whole).
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Restore needs an empty database.
    #[error("{target} already holds data ({detail}); restore needs an empty database")]
    NotEmpty {
        /// The database.
        target: String,
        /// What it holds.
        detail: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// True when the error comes from bad input (a bad file, a bad value, a conflict)
    /// rather than from the database or the machine.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            StoreError::BadUrl { .. }
                | StoreError::NotADatabase { .. }
                | StoreError::Foreign { .. }
                | StoreError::SchemaTooNew { .. }
                | StoreError::Conflict(_)
                | StoreError::NotFound { .. }
                | StoreError::Invalid(_)
                | StoreError::Fields(_)
                | StoreError::File(_)
                | StoreError::Forbidden(_)
                | StoreError::Backup { .. }
                | StoreError::NotEmpty { .. }
        )
    }
}

/// Turns a unique-constraint violation into a [`StoreError::Conflict`] with the given
/// message, and passes other errors through.
pub(crate) fn conflict(err: sqlx::Error, message: impl FnOnce() -> String) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(message()),
        _ => StoreError::Database(err),
    }
}

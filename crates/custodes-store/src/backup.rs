//! Backups: a portable dump that either backend can restore.
//!
//! The format is JSON lines. The first line describes the backup; then, for each table
//! in dependency order, a line naming the table and its columns followed by one line per
//! row (a JSON array of values); the last line closes the backup with the number of rows
//! and a SHA-256 of every line before it, so that a cut or edited file is refused.
//!
//! ```text
//! {"format":"custodes-backup","format_version":1,"schema_version":1,"backend":"sqlite","created_at":"…"}
//! {"table":"workspace","columns":["id","slug",…]}
//! ["0193…","arvenia",…]
//! {"end":true,"tables":4,"rows":123,"sha256":"…"}
//! ```
//!
//! A backup is read in one consistent snapshot, so it can be taken while the server runs.
//! A restore goes into an empty database in one transaction: it restores everything or
//! nothing.

use std::io::{BufRead, Write};

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use custodes_core::audit::Actor;

use crate::database::{Backend, Store};
use crate::error::StoreError;
use crate::real::{cast_real, real_param};

/// The version of the file format itself.
pub const FORMAT_VERSION: i64 = 1;
const FORMAT_NAME: &str = "custodes-backup";

/// The type of a column, as far as backups care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// BIGINT.
    Int,
    /// DOUBLE PRECISION.
    Real,
    /// TEXT.
    Text,
    /// BLOB or BYTEA, written as hexadecimal text.
    Blob,
}

/// A table a backup carries.
#[derive(Clone, Copy, Debug)]
pub struct TableSpec {
    /// The table's name.
    pub name: &'static str,
    /// Its columns and their types, in order.
    pub columns: &'static [(&'static str, ColumnType)],
    /// The columns that order its rows (the primary key).
    pub order_by: &'static str,
    /// Columns that refer to rows of the same table: a restore writes them in a second
    /// pass, once every row exists, so that the order of rows does not matter.
    pub second_pass: &'static [&'static str],
    /// The column that identifies a row, for the second pass.
    pub key: &'static str,
}

/// Tables a backup leaves out: sessions and sign-in failures are the state of the
/// running service, not data (a restored instance starts with everyone signed out).
pub const NOT_BACKED_UP: &[&str] = &["user_session", "sign_in_failure"];

use ColumnType::{Int, Real, Text};

/// Every table, in an order where a table comes after those it refers to. A test checks
/// that this list matches the schema, so a migration that adds a table must add it here.
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "workspace",
        columns: &[
            ("id", Text),
            ("slug", Text),
            ("name", Text),
            ("kind", Text),
            ("created_at", Text),
            ("updated_at", Text),
        ],
        order_by: "id",
        second_pass: &[],
        key: "id",
    },
    TableSpec {
        name: "app_user",
        columns: &[
            ("id", Text),
            ("username", Text),
            ("display_name", Text),
            ("role", Text),
            ("clearance", Int),
            ("password_hash", Text),
            ("disabled", Int),
            ("created_at", Text),
            ("updated_at", Text),
            ("totp_secret", Text),
        ],
        order_by: "id",
        second_pass: &[],
        key: "id",
    },
    TableSpec {
        name: "audit_entry",
        columns: &[
            ("seq", Int),
            ("at", Text),
            ("actor_id", Text),
            ("actor_name", Text),
            ("action", Text),
            ("entity_kind", Text),
            ("entity_id", Text),
            ("workspace_id", Text),
            ("state_digest", Text),
            ("prev_hash", Text),
            ("hash", Text),
        ],
        order_by: "seq",
        second_pass: &[],
        key: "seq",
    },
    TableSpec {
        name: "audit_head",
        columns: &[("id", Int), ("seq", Int), ("hash", Text)],
        order_by: "id",
        second_pass: &[],
        key: "id",
    },
    TableSpec {
        name: "compartment",
        columns: &[
            ("id", Text),
            ("slug", Text),
            ("name", Text),
            ("kind", Text),
            ("description", Text),
            ("created_at", Text),
            ("updated_at", Text),
        ],
        order_by: "id",
        second_pass: &[],
        key: "id",
    },
    TableSpec {
        name: "compartment_member",
        columns: &[("compartment_id", Text), ("user_id", Text)],
        order_by: "compartment_id, user_id",
        second_pass: &[],
        key: "compartment_id",
    },
    TableSpec {
        name: "api_token",
        columns: &[
            ("id", Text),
            ("user_id", Text),
            ("name", Text),
            ("token_hash", Text),
            ("scope", Text),
            ("created_at", Text),
            ("expires_at", Text),
            ("last_used_at", Text),
            ("revoked_at", Text),
        ],
        order_by: "id",
        second_pass: &[],
        key: "id",
    },
    TableSpec {
        name: "actor",
        columns: &[
            ("id", Text),
            ("workspace_id", Text),
            ("name", Text),
            ("kind", Text),
            ("mandate", Text),
            ("legal_basis", Text),
            ("personnel", Int),
            ("budget", Real),
            ("parent_id", Text),
            ("level", Int),
            ("justification", Text),
            ("declassify_on", Text),
            ("declassify_to", Int),
            ("created_at", Text),
            ("updated_at", Text),
        ],
        order_by: "id",
        second_pass: &["parent_id"],
        key: "id",
    },
    TableSpec {
        name: "record_compartment",
        columns: &[
            ("record_kind", Text),
            ("record_id", Text),
            ("compartment_id", Text),
        ],
        order_by: "record_kind, record_id, compartment_id",
        second_pass: &[],
        key: "record_id",
    },
    TableSpec {
        name: "actor_relation",
        columns: &[
            ("id", Text),
            ("workspace_id", Text),
            ("from_actor", Text),
            ("to_actor", Text),
            ("kind", Text),
            ("oversight", Text),
            ("note", Text),
            ("created_at", Text),
        ],
        order_by: "id",
        second_pass: &[],
        key: "id",
    },
    TableSpec {
        name: "framework",
        columns: &[
            ("id", Text),
            ("key", Text),
            ("version", Text),
            ("name", Text),
            ("file_name", Text),
            ("source", Text),
            ("imported_by", Text),
            ("imported_at", Text),
        ],
        order_by: "id",
        second_pass: &[],
        key: "id",
    },
    TableSpec {
        name: "assessment",
        columns: &[
            ("id", Text),
            ("workspace_id", Text),
            ("framework_key", Text),
            ("framework_version", Text),
            ("title", Text),
            ("period", Text),
            ("status", Text),
            ("version", Int),
            ("corrects", Text),
            ("review_round", Int),
            ("required_reviewers", Int),
            ("level", Int),
            ("justification", Text),
            ("declassify_on", Text),
            ("declassify_to", Int),
            ("created_by", Text),
            ("created_at", Text),
            ("updated_at", Text),
            ("published_at", Text),
        ],
        order_by: "id",
        second_pass: &["corrects"],
        key: "id",
    },
    TableSpec {
        name: "assessment_actor",
        columns: &[("assessment_id", Text), ("actor_id", Text)],
        order_by: "assessment_id, actor_id",
        second_pass: &[],
        key: "assessment_id",
    },
    TableSpec {
        name: "assessment_member",
        columns: &[("assessment_id", Text), ("user_id", Text), ("role", Text)],
        order_by: "assessment_id, user_id, role",
        second_pass: &[],
        key: "assessment_id",
    },
    TableSpec {
        name: "answer",
        columns: &[
            ("assessment_id", Text),
            ("indicator", Text),
            ("level_id", Text),
            ("missing", Text),
            ("explanation", Text),
            ("actor_id", Text),
            ("updated_by", Text),
            ("updated_at", Text),
        ],
        order_by: "assessment_id, indicator",
        second_pass: &[],
        key: "assessment_id",
    },
    TableSpec {
        name: "answer_change",
        columns: &[
            ("id", Text),
            ("assessment_id", Text),
            ("indicator", Text),
            ("changed_by", Text),
            ("changed_at", Text),
            ("before_state", Text),
            ("after_state", Text),
        ],
        order_by: "id",
        second_pass: &[],
        key: "id",
    },
    TableSpec {
        name: "answer_source",
        columns: &[
            ("id", Text),
            ("assessment_id", Text),
            ("indicator", Text),
            ("title", Text),
            ("url", Text),
            ("level", Int),
            ("justification", Text),
            ("declassify_on", Text),
            ("declassify_to", Int),
            ("added_by", Text),
            ("added_at", Text),
        ],
        order_by: "id",
        second_pass: &[],
        key: "id",
    },
    TableSpec {
        name: "review_comment",
        columns: &[
            ("id", Text),
            ("assessment_id", Text),
            ("indicator", Text),
            ("round", Int),
            ("author_id", Text),
            ("body", Text),
            ("created_at", Text),
        ],
        order_by: "id",
        second_pass: &[],
        key: "id",
    },
    TableSpec {
        name: "review_decision",
        columns: &[
            ("id", Text),
            ("assessment_id", Text),
            ("round", Int),
            ("reviewer_id", Text),
            ("decision", Text),
            ("comment", Text),
            ("created_at", Text),
        ],
        order_by: "id",
        second_pass: &[],
        key: "id",
    },
    crate::threat::THREAT_TABLE,
    crate::threat::THREAT_RESPONDER_TABLE,
    crate::goal::GOAL_TABLES[0],
    crate::goal::GOAL_TABLES[1],
    crate::goal::GOAL_TABLES[2],
    crate::strategy::STRATEGY_TABLES[0],
    crate::strategy::STRATEGY_TABLES[1],
    crate::capability::CAPABILITY_TABLES[0],
    crate::capability::CAPABILITY_TABLES[1],
    crate::funding::FUNDING_TABLES[0],
    crate::programme::PROGRAMME_TABLES[0],
    crate::programme::PROGRAMME_TABLES[1],
    crate::programme::PROGRAMME_TABLES[2],
    crate::programme::PROGRAMME_TABLES[3],
    crate::programme::PROGRAMME_TABLES[4],
    crate::programme::PROGRAMME_TABLES[5],
    crate::programme::PROGRAMME_TABLES[6],
    crate::funding::FUNDING_TABLES[1],
    crate::funding::FUNDING_TABLES[2],
    crate::funding::FUNDING_TABLES[3],
    crate::plan::PLAN_TABLE,
];

#[derive(Serialize, Deserialize)]
struct Header {
    format: String,
    format_version: i64,
    schema_version: i64,
    backend: String,
    created_at: String,
}

#[derive(Serialize, Deserialize)]
struct TableLine {
    table: String,
    columns: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct EndLine {
    end: bool,
    tables: usize,
    rows: u64,
    sha256: String,
}

/// What a backup or a restore moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Tables written or read.
    pub tables: usize,
    /// Rows written or read.
    pub rows: u64,
    /// The schema version of the data.
    pub schema_version: i64,
}

/// Writes lines and hashes them as it goes.
struct HashingWriter<W> {
    out: W,
    sha: Sha256,
}

impl<W: Write> HashingWriter<W> {
    fn line(&mut self, value: &impl Serialize) -> std::io::Result<()> {
        let mut bytes = serde_json::to_vec(value)?;
        bytes.push(b'\n');
        self.sha.update(&bytes);
        self.out.write_all(&bytes)
    }
}

fn value_of(row: &AnyRow, i: usize, ty: ColumnType) -> Result<Value, sqlx::Error> {
    Ok(match ty {
        Int => row
            .try_get::<Option<i64>, _>(i)?
            .map_or(Value::Null, Value::from),
        Real => row
            .try_get::<Option<f64>, _>(i)?
            .map_or(Value::Null, Value::from),
        Text => row
            .try_get::<Option<String>, _>(i)?
            .map_or(Value::Null, Value::from),
        ColumnType::Blob => row
            .try_get::<Option<Vec<u8>>, _>(i)?
            .map_or(Value::Null, |b| Value::from(hex::encode(b))),
    })
}

impl Store {
    /// Writes a backup of the whole database to `out`, read in one consistent snapshot.
    pub async fn backup<W: Write>(&self, out: W) -> Result<Summary, StoreError> {
        let io = |source| StoreError::Io {
            path: "backup".into(),
            source,
        };
        let begin = match self.backend() {
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        let mut tx = self.pool.begin_with(begin).await?;
        // The first read fixes the snapshot on SQLite.
        let schema_version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&mut *tx)
                .await?;
        let schema_version = schema_version.unwrap_or(0);
        let mut w = HashingWriter {
            out,
            sha: Sha256::new(),
        };
        w.line(&Header {
            format: FORMAT_NAME.into(),
            format_version: FORMAT_VERSION,
            schema_version,
            backend: self.backend().as_str().into(),
            created_at: crate::time::now(),
        })
        .map_err(io)?;
        let mut total = 0u64;
        // A database at an older schema lacks the newer tables.
        let present = self.table_names().await?;
        let tables: Vec<&TableSpec> = TABLES
            .iter()
            .filter(|t| present.iter().any(|p| p == t.name))
            .collect();
        for table in &tables {
            // An older schema may lack columns added since; a backup carries what is there.
            let present_columns = self.column_names(table.name).await?;
            let columns: Vec<(&str, ColumnType)> = table
                .columns
                .iter()
                .filter(|(c, _)| present_columns.iter().any(|p| p == c))
                .copied()
                .collect();
            w.line(&TableLine {
                table: table.name.into(),
                columns: columns.iter().map(|(c, _)| (*c).to_owned()).collect(),
            })
            .map_err(io)?;
            let cols: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                cols.join(", "),
                table.name,
                table.order_by
            );
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                let values = columns
                    .iter()
                    .enumerate()
                    .map(|(i, (_, ty))| value_of(&row, i, *ty))
                    .collect::<Result<Vec<_>, _>>()?;
                w.line(&values).map_err(io)?;
                total += 1;
            }
        }
        tx.rollback().await?;
        let sha256 = hex::encode(w.sha.clone().finalize());
        w.line(&EndLine {
            end: true,
            tables: tables.len(),
            rows: total,
            sha256,
        })
        .map_err(io)?;
        w.out.flush().map_err(io)?;
        Ok(Summary {
            tables: tables.len(),
            rows: total,
            schema_version,
        })
    }

    /// Restores a backup into this database, which must be empty of data. The whole file
    /// is checked before anything is written, and it is written in one transaction.
    ///
    /// The restore itself becomes the last entry of the restored chain
    /// ("database.restore", naming the backup by its checksum), so that the chain shows
    /// where its history was carried over.
    pub async fn restore<R: BufRead>(
        &self,
        actor: &Actor,
        file_name: &str,
        input: R,
    ) -> Result<Summary, StoreError> {
        let parsed = parse_backup(file_name, input, self.known_schema_version())?;
        // Bring the schema to the backup's version, load the rows, then apply the newer
        // migrations, so that an older backup is upgraded the way a database would be.
        let current = self.schema_version().await?;
        if current > parsed.schema_version {
            return Err(StoreError::NotEmpty {
                target: self.url().to_string(),
                detail: format!(
                    "its schema is at version {current}, newer than the backup's {}; restore into a new database",
                    parsed.schema_version
                ),
            });
        }
        self.migrate_to(parsed.schema_version).await?;
        self.check_empty().await?;

        let mut tx = self.begin_write().await?;
        // The migrations seed the chain's head; the backup carries the real one.
        sqlx::query("DELETE FROM audit_head")
            .execute(tx.conn())
            .await?;
        for table in &parsed.tables {
            let spec = TABLES
                .iter()
                .find(|t| t.name == table.name)
                .ok_or_else(|| StoreError::Invalid(format!("unknown table {}", table.name)))?;
            let placeholders: Vec<String> = table
                .types
                .iter()
                .enumerate()
                .map(|(i, ty)| match ty {
                    Real => cast_real(&format!("${}", i + 1)),
                    _ => format!("${}", i + 1),
                })
                .collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                spec.name,
                table.columns.join(", "),
                placeholders.join(", ")
            );
            for (line, values) in &table.rows {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for ((value, ty), col) in values.iter().zip(&table.types).zip(&table.columns) {
                    // Self-references are written in the second pass below.
                    if spec.second_pass.contains(&col.as_str()) {
                        q = bind_value(q, &Value::Null, *ty);
                    } else {
                        q = bind_value(q, value, *ty);
                    }
                }
                q.execute(tx.conn()).await.map_err(|e| StoreError::Backup {
                    file: file_name.to_owned(),
                    line: *line,
                    reason: format!("row rejected by the database: {e}"),
                })?;
            }
        }
        for table in &parsed.tables {
            let Some(spec) = TABLES.iter().find(|t| t.name == table.name) else {
                continue;
            };
            let key_index = table.columns.iter().position(|c| c == spec.key);
            for col in spec.second_pass {
                let (Some(k), Some(c)) = (key_index, table.columns.iter().position(|x| x == col))
                else {
                    continue;
                };
                let sql = format!(
                    "UPDATE {} SET {col} = $1 WHERE {} = $2",
                    spec.name, spec.key
                );
                for (line, values) in table.rows.iter().filter(|(_, v)| !v[c].is_null()) {
                    let q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                    let q = bind_value(q, &values[c], table.types[c]);
                    bind_value(q, &values[k], table.types[k])
                        .execute(tx.conn())
                        .await
                        .map_err(|e| StoreError::Backup {
                            file: file_name.to_owned(),
                            line: *line,
                            reason: format!("row rejected by the database: {e}"),
                        })?;
                }
            }
        }
        let summary = Summary {
            tables: parsed.tables.len(),
            rows: parsed.rows,
            schema_version: parsed.schema_version,
        };
        #[derive(Serialize)]
        struct Restored<'a> {
            file: &'a str,
            tables: usize,
            rows: u64,
            schema_version: i64,
        }
        let state = Restored {
            file: file_name,
            tables: summary.tables,
            rows: summary.rows,
            schema_version: summary.schema_version,
        };
        tx.audit(
            actor,
            "database.restore",
            "backup",
            &parsed.sha256,
            None,
            &state,
        )
        .await?;
        tx.commit().await?;
        self.migrate().await?;
        Ok(summary)
    }

    /// Fails unless every table the backup would fill is empty (the chain's seeded head
    /// aside).
    async fn check_empty(&self) -> Result<(), StoreError> {
        let present = self.table_names().await?;
        for table in TABLES
            .iter()
            .filter(|t| t.name != "audit_head" && present.iter().any(|p| p == t.name))
        {
            let sql = format!("SELECT COUNT(*) FROM {}", table.name);
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&self.pool)
                .await?;
            if n > 0 {
                return Err(StoreError::NotEmpty {
                    target: self.url().to_string(),
                    detail: format!("{n} rows in {}", table.name),
                });
            }
        }
        Ok(())
    }

    /// The tables (and `table.column`s) in the database that [`TABLES`] does not list, and
    /// those it lists that the database lacks (both empty when they agree).
    pub async fn backup_coverage(&self) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let present = self.table_names().await?;
        let mut unlisted = Vec::new();
        let mut absent = Vec::new();
        for t in present
            .iter()
            .filter(|t| !NOT_BACKED_UP.contains(&t.as_str()))
        {
            let Some(spec) = TABLES.iter().find(|s| s.name == t.as_str()) else {
                unlisted.push(t.clone());
                continue;
            };
            let columns = self.column_names(t).await?;
            for c in &columns {
                if !spec.columns.iter().any(|(n, _)| n == c) {
                    unlisted.push(format!("{t}.{c}"));
                }
            }
            for (n, _) in spec.columns {
                if !columns.iter().any(|c| c == n) {
                    absent.push(format!("{t}.{n}"));
                }
            }
        }
        for s in TABLES {
            if !present.iter().any(|t| t == s.name) {
                absent.push(s.name.to_owned());
            }
        }
        Ok((unlisted, absent))
    }
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

fn bind_value<'q>(q: Query<'q>, value: &Value, ty: ColumnType) -> Query<'q> {
    // Values were checked against their column types when the file was parsed.
    match ty {
        Int => q.bind(value.as_i64()),
        Real => q.bind(real_param(value.as_f64())),
        Text => q.bind(value.as_str().map(str::to_owned)),
        ColumnType::Blob => q.bind(value.as_str().and_then(|s| hex::decode(s).ok())),
    }
}

/// A table read from a backup, with its rows and the line each row was on.
struct ParsedTable {
    name: String,
    columns: Vec<String>,
    types: Vec<ColumnType>,
    rows: Vec<(usize, Vec<Value>)>,
}

struct ParsedBackup {
    schema_version: i64,
    sha256: String,
    tables: Vec<ParsedTable>,
    rows: u64,
}

/// Reads and checks a whole backup file before anything is written.
fn parse_backup<R: BufRead>(
    file: &str,
    input: R,
    known_schema: i64,
) -> Result<ParsedBackup, StoreError> {
    let err = |line: usize, reason: String| StoreError::Backup {
        file: file.to_owned(),
        line,
        reason,
    };
    let mut sha = Sha256::new();
    let mut lines = input.split(b'\n').enumerate().map(|(i, l)| (i + 1, l));

    let (n, first) = lines
        .next()
        .ok_or_else(|| err(0, "the file is empty: it is not a Custodes backup".into()))?;
    let first = first.map_err(|e| err(n, e.to_string()))?;
    let header: Header = serde_json::from_slice(&first)
        .ok()
        .filter(|h: &Header| h.format == FORMAT_NAME)
        .ok_or_else(|| {
            err(
                1,
                "this is not a Custodes backup (its first line is not a backup header)".into(),
            )
        })?;
    sha.update(&first);
    sha.update(b"\n");
    if header.format_version > FORMAT_VERSION {
        return Err(err(
            1,
            format!(
                "the backup was written by a newer version of Custodes (format {}, this build reads up to {FORMAT_VERSION})",
                header.format_version
            ),
        ));
    }
    if header.schema_version > known_schema {
        return Err(err(
            1,
            format!(
                "the backup was written by a newer version of Custodes (schema {}, this build knows up to {known_schema})",
                header.schema_version
            ),
        ));
    }

    let mut tables: Vec<ParsedTable> = Vec::new();
    let mut rows = 0u64;
    let mut end: Option<EndLine> = None;
    for (n, line) in lines {
        let line = line.map_err(|e| err(n, e.to_string()))?;
        if line.is_empty() {
            continue;
        }
        if end.is_some() {
            return Err(err(
                n,
                "unexpected content after the end of the backup".into(),
            ));
        }
        let value: Value = serde_json::from_slice(&line).map_err(|e| {
            err(
                n,
                format!("this line is not valid JSON ({e}): the file is damaged or cut"),
            )
        })?;
        match value {
            Value::Array(values) => {
                let Some(table) = tables.last_mut() else {
                    return Err(err(n, "a row before any table line".into()));
                };
                if values.len() != table.columns.len() {
                    return Err(err(
                        n,
                        format!(
                            "a row of {} has {} values, expected {}",
                            table.name,
                            values.len(),
                            table.columns.len()
                        ),
                    ));
                }
                for ((v, ty), col) in values.iter().zip(&table.types).zip(&table.columns) {
                    let fits = match (ty, v) {
                        (_, Value::Null) => true,
                        (Int, v) => v.is_i64(),
                        (Real, v) => v.is_number(),
                        (Text, v) => v.is_string(),
                        (ColumnType::Blob, Value::String(s)) => hex::decode(s).is_ok(),
                        (ColumnType::Blob, _) => false,
                    };
                    if !fits {
                        return Err(err(
                            n,
                            format!(
                                "{}.{col}: the value {v} does not fit a {ty:?} column",
                                table.name
                            ),
                        ));
                    }
                }
                table.rows.push((n, values));
                rows += 1;
            }
            Value::Object(ref map) if map.contains_key("table") => {
                let line_table: TableLine = serde_json::from_value(value)
                    .map_err(|e| err(n, format!("bad table line: {e}")))?;
                let spec = TABLES
                    .iter()
                    .find(|t| t.name == line_table.table)
                    .ok_or_else(|| err(n, format!("unknown table '{}'", line_table.table)))?;
                let mut types = Vec::new();
                for col in &line_table.columns {
                    let ty = spec
                        .columns
                        .iter()
                        .find(|(c, _)| c == col)
                        .map(|(_, ty)| *ty)
                        .ok_or_else(|| err(n, format!("unknown column '{}.{col}'", spec.name)))?;
                    types.push(ty);
                }
                if tables.iter().any(|t| t.name == spec.name) {
                    return Err(err(n, format!("table '{}' appears twice", spec.name)));
                }
                tables.push(ParsedTable {
                    name: spec.name.to_owned(),
                    columns: line_table.columns,
                    types,
                    rows: Vec::new(),
                });
            }
            Value::Object(ref map) if map.contains_key("end") => {
                let e: EndLine = serde_json::from_value(value)
                    .map_err(|e| err(n, format!("bad end line: {e}")))?;
                let digest = hex::encode(sha.clone().finalize());
                if e.sha256 != digest {
                    return Err(err(
                        n,
                        "the checksum does not match: the file was altered or damaged".into(),
                    ));
                }
                if e.rows != rows || e.tables != tables.len() {
                    return Err(err(
                        n,
                        format!(
                            "the end line counts {} tables and {} rows but the file has {} and {rows}",
                            e.tables,
                            e.rows,
                            tables.len()
                        ),
                    ));
                }
                end = Some(e);
                continue;
            }
            _ => {
                return Err(err(
                    n,
                    "a line that is neither a table, a row nor the end".into(),
                ));
            }
        }
        sha.update(&line);
        sha.update(b"\n");
    }
    let Some(end) = end else {
        return Err(err(
            0,
            "the backup has no end line: the file was cut short (truncated)".into(),
        ));
    };
    Ok(ParsedBackup {
        schema_version: header.schema_version,
        sha256: end.sha256,
        tables,
        rows,
    })
}

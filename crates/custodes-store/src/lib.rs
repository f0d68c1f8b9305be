//! Persistence of Custodes on SQLite (embedded, the default) and PostgreSQL.
//!
//! Architecture invariants:
//! - Every write is a use-case method on [`Store`] that opens one transaction, makes its
//!   change, appends an entry to the audit chain and commits (see [`tx::WriteTx`]).
//! - SQL lives in this crate and nowhere else. Queries use the subset of SQL and column
//!   types both backends share, so one code path serves both (see `docs/adr/0001-storage.md`).
//! - Nothing here knows which page or command shows the data.

pub mod actor;
pub mod assessment;
pub mod audit;
pub mod backup;
pub mod capability;
mod classified;
pub mod compartment;
mod database;
mod error;
pub mod funding;
pub mod goal;
pub mod password;
pub mod plan;
mod policy;
pub mod programme;
mod real;
pub mod relation;
pub mod second_factor;
mod secret;
pub mod session;
pub mod strategy;
pub mod threat;
mod time;
pub mod tx;
pub mod user;
pub mod workspace;

pub use database::{Backend, DatabaseUrl, Store};
pub use error::StoreError;

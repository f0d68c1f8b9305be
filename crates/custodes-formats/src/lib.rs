//! The file formats of Custodes: framework definitions, answer files (CSV) and results
//! (CSV and JSON), and later IATI XML and OCDS JSON, read into the core's types with every problem found reported as a diagnostic
//! that names the file, the line, the column and the field.
//!
//! Architecture invariant: this crate touches no database and reads no file itself; it
//! is handed the text and the file's name, and returns data or diagnostics.

pub mod answers;
pub mod builtin;
pub mod diagnostic;
pub mod framework;
pub mod results;

pub use diagnostic::Diagnostic;

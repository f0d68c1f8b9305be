//! The file formats of Custodes: framework definitions (and later CSV, IATI XML and OCDS
//! JSON), read into the core's types with every problem found reported as a diagnostic
//! that names the file, the line, the column and the field.
//!
//! Architecture invariant: this crate touches no database and reads no file itself; it
//! is handed the text and the file's name, and returns data or diagnostics.

pub mod builtin;
pub mod diagnostic;
pub mod framework;

pub use diagnostic::Diagnostic;

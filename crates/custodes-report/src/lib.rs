//! Charts and pictures as SVG, drawn from data the caller hands over.
//!
//! Architecture invariant: this crate queries nothing. It takes what the viewer may see
//! (already filtered by the store) and returns text; pages and reports embed it.

pub mod assessment;
pub mod plan;
pub mod sector;

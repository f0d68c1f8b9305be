//! The stable identifiers a framework gives its parts: the framework itself, its nodes,
//! its scales and the levels of a scale.
//!
//! They are text chosen by the framework's authors (`PI-1`, `Q12a`, `obs-abcd`) and stay
//! the same across versions, so that assessments and comparisons between cycles can refer
//! to them. Each kind has its own type, so that a scale id cannot be passed as a node id.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// Wraps the text of an id.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The text of the id.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

pub(crate) use text_id;

text_id!(
    /// A framework, across its versions (for example `ti-gdi`).
    FrameworkId
);
text_id!(
    /// A node of a framework's tree: a grouping node or an indicator (for example `PI-1.2`).
    NodeId
);
text_id!(
    /// A scale declared by a framework (for example `gdi-0-100`).
    ScaleId
);
text_id!(
    /// A level of a scale: a numeric level, a grade (`B`, or `B+` with its modifier), or a
    /// level that marks a missing state (`e`, `NA`).
    LevelId
);

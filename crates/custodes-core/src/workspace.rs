//! Workspaces: one country or region whose security sector a team reforms.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::access::UnknownName;

/// What a workspace covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkspaceKind {
    /// One country's security sector.
    Country,
    /// Several countries with a regional approach (cross-border conflicts, shared borders).
    Region,
}

impl WorkspaceKind {
    /// The stable name used in files and the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            WorkspaceKind::Country => "country",
            WorkspaceKind::Region => "region",
        }
    }
}

impl fmt::Display for WorkspaceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WorkspaceKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "country" => Ok(WorkspaceKind::Country),
            "region" => Ok(WorkspaceKind::Region),
            _ => Err(UnknownName {
                what: "workspace kind",
                given: s.to_owned(),
                expected: "country, region".into(),
            }),
        }
    }
}

/// A short name used in addresses: lowercase letters, digits and hyphens, 2 to 40
/// characters, starting with a letter.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

/// Why a slug was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid short name '{given}': {reason}")]
pub struct InvalidSlug {
    /// The text given.
    pub given: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Slug {
    /// Checks and wraps a slug.
    pub fn parse(s: &str) -> Result<Slug, InvalidSlug> {
        let bad = |reason| InvalidSlug {
            given: s.to_owned(),
            reason,
        };
        if !(2..=40).contains(&s.len()) {
            return Err(bad("it must be 2 to 40 characters long"));
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(bad("it must start with a lowercase letter"));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(bad("use only lowercase letters, digits and hyphens"));
        }
        Ok(Slug(s.to_owned()))
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = InvalidSlug;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Slug::parse(&s)
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> String {
        s.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("arvenia", true)]
    #[case("west-africa-2", true)]
    #[case("a", false)]
    #[case("Arvenia", false)]
    #[case("2arvenia", false)]
    #[case("arv enia", false)]
    fn checks_slugs(#[case] text: &str, #[case] ok: bool) {
        assert_eq!(Slug::parse(text).is_ok(), ok, "{text}");
    }
}

//! Roles and classification levels: what a person may do and what a person may see.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a person may do. The permission table that maps roles to actions lives beside
/// this type once the actions exist; a role alone grants nothing to read (that is the
/// classification's job).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the instance: users, clearances, compartments, tokens.
    Administrator,
    /// Reform secretariat staff: sector map, strategy, plans, coordination.
    Planner,
    /// Scores the sector against a framework, with evidence.
    Assessor,
    /// Reviews assessors' work.
    Reviewer,
    /// Works in an agency: shares reports, reacts to tasks, owns programmes.
    AgencyOfficer,
    /// A member or staff of a parliamentary committee.
    Parliament,
    /// A donor's officer: portfolio, commitments, results.
    Donor,
    /// The supreme audit institution or an internal auditor: reads the audit log.
    Auditor,
}

impl Role {
    /// Every role, in the order they are listed to people.
    pub const ALL: [Role; 8] = [
        Role::Administrator,
        Role::Planner,
        Role::Assessor,
        Role::Reviewer,
        Role::AgencyOfficer,
        Role::Parliament,
        Role::Donor,
        Role::Auditor,
    ];

    /// The stable name used in files, URLs, the database and the CLI.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Planner => "planner",
            Role::Assessor => "assessor",
            Role::Reviewer => "reviewer",
            Role::AgencyOfficer => "agency_officer",
            Role::Parliament => "parliament",
            Role::Donor => "donor",
            Role::Auditor => "auditor",
        }
    }

    /// The name shown to people.
    pub const fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::Planner => "Planner",
            Role::Assessor => "Assessor",
            Role::Reviewer => "Reviewer",
            Role::AgencyOfficer => "Agency officer",
            Role::Parliament => "Parliament",
            Role::Donor => "Donor",
            Role::Auditor => "Auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of the roles, levels or kinds the parser knows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{given}' (expected one of: {expected})")]
pub struct UnknownName {
    /// What was being parsed ("role", "level", …).
    pub what: &'static str,
    /// The text given.
    pub given: String,
    /// The accepted names, comma separated.
    pub expected: String,
}

impl FromStr for Role {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        // "admin" is what people type; accept it as the administrator role.
        if wanted == "admin" {
            return Ok(Role::Administrator);
        }
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == wanted)
            .ok_or_else(|| UnknownName {
                what: "role",
                given: s.to_owned(),
                expected: Role::ALL.map(Role::as_str).join(", "),
            })
    }
}

/// A classification level. Ordered: a clearance at a level reads records at that level
/// and below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    /// Anyone, including the anonymous public.
    Public = 0,
    /// People working in or with the reform.
    Official = 1,
    /// Disclosure would harm the security sector's work.
    Confidential = 2,
    /// Disclosure would seriously harm national security.
    Secret = 3,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 4] = [
        Level::Public,
        Level::Official,
        Level::Confidential,
        Level::Secret,
    ];

    /// The rank stored in the database, so that SQL compares levels as integers.
    pub const fn rank(self) -> i64 {
        self as i64
    }

    /// The level with the given rank.
    pub fn from_rank(rank: i64) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.rank() == rank)
    }

    /// The name shown to people and used in files.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Public => "PUBLIC",
            Level::Official => "OFFICIAL",
            Level::Confidential => "CONFIDENTIAL",
            Level::Secret => "SECRET",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_uppercase();
        Level::ALL
            .into_iter()
            .find(|l| l.as_str() == wanted)
            .ok_or_else(|| UnknownName {
                what: "level",
                given: s.to_owned(),
                expected: Level::ALL.map(Level::as_str).join(", "),
            })
    }
}

/// What a compartment gathers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompartmentKind {
    /// The people of one agency.
    Agency,
    /// The members and staff of a committee.
    Committee,
    /// Agencies that share information on one subject.
    SharingGroup,
}

impl CompartmentKind {
    /// Every kind.
    pub const ALL: [CompartmentKind; 3] = [
        CompartmentKind::Agency,
        CompartmentKind::Committee,
        CompartmentKind::SharingGroup,
    ];

    /// The stable name used in the database and the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            CompartmentKind::Agency => "agency",
            CompartmentKind::Committee => "committee",
            CompartmentKind::SharingGroup => "sharing_group",
        }
    }

    /// The name shown to people.
    pub const fn label(self) -> &'static str {
        match self {
            CompartmentKind::Agency => "Agency",
            CompartmentKind::Committee => "Committee",
            CompartmentKind::SharingGroup => "Sharing group",
        }
    }
}

impl FromStr for CompartmentKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        CompartmentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| UnknownName {
                what: "compartment kind",
                given: s.to_owned(),
                expected: "agency, committee, sharing_group".into(),
            })
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("admin", Role::Administrator)]
    #[case("Administrator", Role::Administrator)]
    #[case("agency-officer", Role::AgencyOfficer)]
    #[case("agency officer", Role::AgencyOfficer)]
    #[case(" donor ", Role::Donor)]
    fn parses_roles(#[case] text: &str, #[case] expected: Role) {
        assert_eq!(text.parse::<Role>(), Ok(expected));
    }

    #[test]
    fn unknown_role_lists_the_known_ones() {
        let err = "general".parse::<Role>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown role 'general' (expected one of: administrator, planner, assessor, \
             reviewer, agency_officer, parliament, donor, auditor)"
        );
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
    }

    #[rstest]
    #[case("public", Level::Public)]
    #[case("SECRET", Level::Secret)]
    #[case("Confidential", Level::Confidential)]
    fn parses_levels(#[case] text: &str, #[case] expected: Level) {
        assert_eq!(text.parse::<Level>(), Ok(expected));
    }

    #[test]
    fn levels_are_ordered_and_ranks_round_trip() {
        assert!(Level::Public < Level::Official);
        assert!(Level::Official < Level::Confidential);
        assert!(Level::Confidential < Level::Secret);
        for level in Level::ALL {
            assert_eq!(Level::from_rank(level.rank()), Some(level));
        }
        assert_eq!(Level::from_rank(7), None);
    }
}

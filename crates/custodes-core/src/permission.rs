//! The permission table: which role may do what. Every handler, command and API route
//! asks [`permits`]; the administrators' page shows [`TABLE`].
//!
//! Roles say what a person may do; what a person may *see* is the classification's
//! business (see [`crate::policy`]). A permission never widens what can be read.

use std::fmt;

use crate::access::Role;

/// Something a person may be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Add, edit and disable users; set their roles, clearances and memberships.
    ManageUsers,
    /// Create compartments and change their members.
    ManageCompartments,
    /// Read the audit log and the state of the audit chain.
    ReadAuditLog,
    /// Read the permission table.
    ReadPermissions,
    /// Add and edit actors of the sector map.
    EditSectorMap,
    /// Change the classification of a record.
    Reclassify,
    /// Create and revoke one's own personal access tokens.
    UseApiTokens,
    /// Import frameworks (new versions of assessment methods) into the instance.
    ImportFrameworks,
    /// Open assessments, name their assessors and reviewers, and publish them.
    ManageAssessments,
    /// Answer the indicators of an assessment one is assessor of, with evidence.
    AnswerAssessments,
    /// Comment on, approve or send back an assessment one is reviewer of.
    ReviewAssessments,
    /// Keep the threat register, the goals and the strategy documents.
    EditStrategy,
    /// Comment on a strategy document in public consultation.
    CommentOnStrategy,
    /// Record a parliament's decision on a strategy or a plan (date, vote reference).
    RecordParliamentaryDecision,
    /// Keep capabilities, programmes, funding sources; optimise plans and scenarios.
    EditPlanning,
}

impl Action {
    /// Every action, in the order the permission table lists them.
    pub const ALL: [Action; 15] = [
        Action::ManageUsers,
        Action::ManageCompartments,
        Action::ReadAuditLog,
        Action::ReadPermissions,
        Action::EditSectorMap,
        Action::Reclassify,
        Action::UseApiTokens,
        Action::ImportFrameworks,
        Action::ManageAssessments,
        Action::AnswerAssessments,
        Action::ReviewAssessments,
        Action::EditStrategy,
        Action::CommentOnStrategy,
        Action::RecordParliamentaryDecision,
        Action::EditPlanning,
    ];

    /// What the action allows, in words, for the permission page.
    pub const fn describe(self) -> &'static str {
        match self {
            Action::ManageUsers => {
                "Add, edit and disable users; set roles, clearances and memberships"
            }
            Action::ManageCompartments => {
                "Create compartments (need-to-know groups) and change their members"
            }
            Action::ReadAuditLog => "Read the audit log and check the audit chain",
            Action::ReadPermissions => "Read this permission table",
            Action::EditSectorMap => "Add and edit actors of the sector map",
            Action::Reclassify => "Change the classification of a record they can read",
            Action::UseApiTokens => "Create and revoke their own API tokens",
            Action::ImportFrameworks => "Import frameworks and new versions of them",
            Action::ManageAssessments => {
                "Open assessments, name their assessors and reviewers, and publish them"
            }
            Action::AnswerAssessments => {
                "Answer the indicators of assessments they are assessor of, with evidence"
            }
            Action::ReviewAssessments => {
                "Comment on, approve or send back assessments they are reviewer of"
            }
            Action::EditStrategy => "Keep the threat register, the goals and strategy documents",
            Action::CommentOnStrategy => "Comment on a strategy in public consultation",
            Action::RecordParliamentaryDecision => {
                "Record a parliament's decision on a strategy or a plan"
            }
            Action::EditPlanning => {
                "Keep capabilities, programmes and funding sources; optimise plans and scenarios"
            }
        }
    }

    /// The stable name used in the API and in token scopes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::ManageUsers => "manage_users",
            Action::ManageCompartments => "manage_compartments",
            Action::ReadAuditLog => "read_audit_log",
            Action::ReadPermissions => "read_permissions",
            Action::EditSectorMap => "edit_sector_map",
            Action::Reclassify => "reclassify",
            Action::UseApiTokens => "use_api_tokens",
            Action::ImportFrameworks => "import_frameworks",
            Action::ManageAssessments => "manage_assessments",
            Action::AnswerAssessments => "answer_assessments",
            Action::ReviewAssessments => "review_assessments",
            Action::EditStrategy => "edit_strategy",
            Action::CommentOnStrategy => "comment_on_strategy",
            Action::RecordParliamentaryDecision => "record_parliamentary_decision",
            Action::EditPlanning => "edit_planning",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an API token may do: read only, or also write. A token never exceeds its owner's
/// permissions and clearance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Read what the owner may read.
    Read,
    /// Read, and write what the owner may write.
    Write,
}

impl TokenScope {
    /// The stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<TokenScope> {
        match s {
            "read" => Some(TokenScope::Read),
            "write" => Some(TokenScope::Write),
            _ => None,
        }
    }
}

use Role::{
    Administrator as Adm, AgencyOfficer as Agy, Assessor as Ass, Auditor as Aud, Donor as Don,
    Parliament as Par, Planner as Pla, Reviewer as Rev,
};

/// Who may do what. One row per action; a role not listed may not.
pub const TABLE: [(Action, &[Role]); 15] = [
    (Action::ManageUsers, &[Adm]),
    (Action::ManageCompartments, &[Adm]),
    (Action::ReadAuditLog, &[Adm, Aud]),
    (Action::ReadPermissions, &[Adm, Aud]),
    (Action::EditSectorMap, &[Adm, Pla]),
    (Action::Reclassify, &[Adm, Pla]),
    (
        Action::UseApiTokens,
        &[Adm, Pla, Ass, Rev, Agy, Par, Don, Aud],
    ),
    (Action::ImportFrameworks, &[Adm, Pla]),
    (Action::ManageAssessments, &[Adm, Pla]),
    (Action::AnswerAssessments, &[Adm, Ass]),
    (Action::ReviewAssessments, &[Adm, Rev]),
    (Action::EditStrategy, &[Adm, Pla]),
    (
        Action::CommentOnStrategy,
        &[Adm, Pla, Ass, Rev, Agy, Par, Don, Aud],
    ),
    (Action::RecordParliamentaryDecision, &[Adm, Pla, Par]),
    (Action::EditPlanning, &[Adm, Pla]),
];

/// True when `role` may do `action`. The anonymous public (`None`) may do none of them.
pub fn permits(role: Option<Role>, action: Action) -> bool {
    let Some(role) = role else { return false };
    TABLE
        .iter()
        .find(|(a, _)| *a == action)
        .is_some_and(|(_, roles)| roles.contains(&role))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[test]
    fn every_action_has_exactly_one_row_in_order() {
        assert_eq!(TABLE.map(|(a, _)| a), Action::ALL);
    }

    #[rstest]
    #[case(Adm, Action::ManageUsers, true)]
    #[case(Pla, Action::ManageUsers, false)]
    #[case(Aud, Action::ReadAuditLog, true)]
    #[case(Don, Action::ReadAuditLog, false)]
    #[case(Par, Action::ReadAuditLog, false)]
    #[case(Pla, Action::EditSectorMap, true)]
    #[case(Ass, Action::EditSectorMap, false)]
    #[case(Agy, Action::Reclassify, false)]
    #[case(Don, Action::UseApiTokens, true)]
    #[case(Ass, Action::AnswerAssessments, true)]
    #[case(Rev, Action::AnswerAssessments, false)]
    #[case(Rev, Action::ReviewAssessments, true)]
    #[case(Ass, Action::ReviewAssessments, false)]
    #[case(Par, Action::RecordParliamentaryDecision, true)]
    #[case(Par, Action::EditStrategy, false)]
    #[case(Don, Action::CommentOnStrategy, true)]
    #[case(Don, Action::EditPlanning, false)]
    fn the_table_answers(#[case] role: Role, #[case] action: Action, #[case] expected: bool) {
        assert_eq!(permits(Some(role), action), expected);
    }

    #[test]
    fn the_public_may_do_nothing() {
        for action in Action::ALL {
            assert!(!permits(None, action), "{action}");
        }
    }

    #[test]
    fn administrators_may_do_everything() {
        for action in Action::ALL {
            assert!(permits(Some(Adm), action), "{action}");
        }
    }
}

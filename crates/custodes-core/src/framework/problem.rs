//! The problems that validation and scoring find, each naming the part at fault.
//!
//! Nothing in this module panics on bad input: validation returns every problem it finds,
//! and scoring reports the answers it had to ignore next to the scores it could compute.

use serde::{Deserialize, Serialize};

use super::id::{LevelId, NodeId, ScaleId};

/// A problem in a framework, in a set of answers, or met while scoring.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// A framework needs an id and a version so that assessments can refer to it.
    #[error("the framework needs an id and a version")]
    MissingIdentity,
    /// An id is empty.
    #[error("a node has an empty id")]
    EmptyNodeId,
    /// Two nodes share an id.
    #[error("node {0} is declared more than once")]
    DuplicateNode(NodeId),
    /// Two scales share an id.
    #[error("scale {0} is declared more than once")]
    DuplicateScale(ScaleId),
    /// A scale declares no scored level.
    #[error("scale {0} has no scored levels")]
    EmptyScale(ScaleId),
    /// Two levels of a scale share an id.
    #[error("scale {scale} declares level {level} more than once")]
    DuplicateLevel {
        /// The scale.
        scale: ScaleId,
        /// The repeated level.
        level: LevelId,
    },
    /// A node names a parent that does not exist.
    #[error("node {node} names parent {parent}, which does not exist")]
    DanglingParent {
        /// The node.
        node: NodeId,
        /// The parent it names.
        parent: NodeId,
    },
    /// A node names an indicator as its parent.
    #[error("node {node} names indicator {parent} as its parent; indicators have no children")]
    IndicatorParent {
        /// The node.
        node: NodeId,
        /// The indicator it names.
        parent: NodeId,
    },
    /// Parent links go round in a circle.
    #[error("nodes {} are each other's ancestors", list(.0))]
    Cycle(Vec<NodeId>),
    /// An indicator or a rule names a scale that does not exist.
    #[error("node {node} uses scale {scale}, which does not exist")]
    UnknownScale {
        /// The node.
        node: NodeId,
        /// The scale it names.
        scale: ScaleId,
    },
    /// A grouping node has no children.
    #[error("group {0} has no children")]
    EmptyGroup(NodeId),
    /// A weight is negative.
    #[error("node {0} has a negative weight")]
    NegativeWeight(NodeId),
    /// A rounding rule asks for too many decimals.
    #[error("group {node} rounds to {decimals} decimals; at most {max} are allowed")]
    TooManyDecimals {
        /// The group.
        node: NodeId,
        /// The decimals asked for.
        decimals: u8,
        /// The limit.
        max: u8,
    },
    /// A pooled mean looks zero levels down.
    #[error("group {0} pools the nodes 0 levels below; the depth must be at least 1")]
    ZeroDepth(NodeId),
    /// A numeric rule combines a child that gives grades.
    #[error("group {group} combines numbers, but child {child} gives grades")]
    ExpectsNumbers {
        /// The group.
        group: NodeId,
        /// The child.
        child: NodeId,
    },
    /// A grade rule combines a child that gives numbers.
    #[error("group {group} combines grades, but child {child} gives numbers")]
    ExpectsGrades {
        /// The group.
        group: NodeId,
        /// The child.
        child: NodeId,
    },
    /// A scoring rule combines a child that is not scored.
    #[error("group {group} combines child {child}, which is not scored")]
    UnscoredChild {
        /// The group.
        group: NodeId,
        /// The child.
        child: NodeId,
    },
    /// A grade rule names a scale that is numeric.
    #[error("group {node} gives grades on scale {scale}, which is not ordinal")]
    NotOrdinal {
        /// The group.
        node: NodeId,
        /// The scale.
        scale: ScaleId,
    },
    /// A child's grades are not the grades of the group's scale.
    #[error("child {child} of group {group} gives grades that scale {scale} does not have")]
    ForeignGrades {
        /// The group.
        group: NodeId,
        /// The child.
        child: NodeId,
        /// The group's scale.
        scale: ScaleId,
    },
    /// The weakest link with a modifier needs a scale that has one.
    #[error("group {node} adds a modifier, but scale {scale} has none")]
    NoModifier {
        /// The group.
        node: NodeId,
        /// The scale.
        scale: ScaleId,
    },
    /// Bands or rounding are declared on a node that gives grades or nothing.
    #[error("group {0} has bands or rounding, but gives no number")]
    NumericRuleOnGrades(NodeId),
    /// Two bands share a threshold or a label.
    #[error("group {node} declares band {label} twice or at a threshold already taken")]
    DuplicateBand {
        /// The group.
        node: NodeId,
        /// The band's label.
        label: String,
    },
    /// A lookup row names a grade the scale lacks.
    #[error("lookup row {row} of group {node} names grade {grade}, which scale {scale} lacks")]
    UnknownGrade {
        /// The group.
        node: NodeId,
        /// The row, counted from 1.
        row: usize,
        /// The grade named.
        grade: LevelId,
        /// The group's scale.
        scale: ScaleId,
    },
    /// A lookup row names no grade.
    #[error("lookup row {row} of group {node} names no grade")]
    EmptyRow {
        /// The group.
        node: NodeId,
        /// The row, counted from 1.
        row: usize,
    },
    /// Two lookup rows have the same grades.
    #[error("group {node} looks up {grades} more than once")]
    DuplicateRow {
        /// The group.
        node: NodeId,
        /// The grades, in order from the highest.
        grades: String,
    },
    /// A lookup table lacks a combination that the children can give.
    #[error("group {node} has no lookup row for {grades}")]
    MissingRow {
        /// The group.
        node: NodeId,
        /// The grades, in order from the highest.
        grades: String,
    },
    /// The combinations of a lookup table are too many to check.
    #[error("group {0} has too many combinations of child grades to check its lookup table")]
    LookupTooLarge(NodeId),
    /// An answer names a node that does not exist.
    #[error("an answer names node {0}, which does not exist")]
    UnknownNode(NodeId),
    /// An answer names a grouping node.
    #[error("an answer names group {0}; only indicators are answered")]
    AnswerToGroup(NodeId),
    /// An answer gives a level that the indicator's scale lacks.
    #[error("indicator {node} is answered {level}, which scale {scale} lacks")]
    UnknownLevel {
        /// The indicator.
        node: NodeId,
        /// The level given.
        level: LevelId,
        /// The indicator's scale.
        scale: ScaleId,
    },
    /// An indicator is answered more than once.
    #[error("indicator {0} is answered more than once; the first answer counts")]
    DuplicateAnswer(NodeId),
    /// A score could not be computed exactly.
    #[error("the score of node {0} is too large or too finely divided to compute exactly")]
    Overflow(NodeId),
}

fn list(ids: &[NodeId]) -> String {
    ids.iter()
        .map(NodeId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

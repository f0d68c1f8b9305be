//! What an assessor may answer: the indicators of a framework in the order they are
//! shown, and the levels each indicator's scale offers.

use serde::Serialize;

use super::id::LevelId;
use super::node::Node;
use super::number::Number;
use super::scale::{MissingState, ScaleKind};
use super::validate::ValidFramework;

/// A level an indicator may be answered with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The level's id, the answer given.
    pub level: LevelId,
    /// Its value on a numeric scale.
    pub value: Option<Number>,
    /// What must be true to give it.
    pub descriptor: String,
    /// The missing state it records, for levels such as the Open Budget Survey's `e`.
    pub missing: Option<MissingState>,
}

impl ValidFramework {
    /// Every indicator, in the order the framework lists its nodes.
    pub fn indicators(&self) -> impl Iterator<Item = &Node> {
        self.framework
            .nodes
            .iter()
            .filter(|n| n.as_indicator().is_some())
    }

    /// The levels an indicator may be answered with, in the order its scale declares
    /// them, then the levels that record missing states; empty for an unknown id.
    pub fn choices(&self, indicator: &str) -> Vec<Choice> {
        let Some(scale) = self
            .node(indicator)
            .and_then(Node::as_indicator)
            .and_then(|i| self.scales.get(&i.scale))
            .map(|&s| &self.framework.scales[s])
        else {
            return Vec::new();
        };
        let mut out: Vec<Choice> = match &scale.kind {
            ScaleKind::Numeric { levels } => levels
                .iter()
                .map(|l| Choice {
                    level: l.id.clone(),
                    value: Some(l.value),
                    descriptor: l.descriptor.clone(),
                    missing: None,
                })
                .collect(),
            ScaleKind::Ordinal { grades, .. } => grades
                .iter()
                .map(|g| Choice {
                    level: g.id.clone(),
                    value: None,
                    descriptor: g.descriptor.clone(),
                    missing: None,
                })
                .collect(),
        };
        out.extend(scale.missing.iter().map(|m| Choice {
            level: m.id.clone(),
            value: None,
            descriptor: m.descriptor.clone(),
            missing: Some(m.state),
        }));
        out
    }
}

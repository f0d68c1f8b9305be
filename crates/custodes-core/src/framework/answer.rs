//! Answers: what an assessor gave each indicator, a level of its scale or a missing state.

use serde::{Deserialize, Serialize};

use super::id::{LevelId, NodeId};
use super::scale::MissingState;

/// The answer to one indicator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The indicator answered.
    pub node: NodeId,
    /// What was given.
    pub value: AnswerValue,
}

/// What an assessor gave an indicator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerValue {
    /// A level of the indicator's scale (which may itself record a missing state).
    Level(LevelId),
    /// No score, for the reason given.
    Missing(MissingState),
}

impl Answer {
    /// An answer with a level.
    pub fn level(node: &str, level: &str) -> Answer {
        Answer {
            node: node.into(),
            value: AnswerValue::Level(level.into()),
        }
    }

    /// An answer that records a missing state.
    pub fn missing(node: &str, state: MissingState) -> Answer {
        Answer {
            node: node.into(),
            value: AnswerValue::Missing(state),
        }
    }
}

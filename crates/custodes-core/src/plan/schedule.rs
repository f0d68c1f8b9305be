//! A plan: which programmes are chosen, in which option, starting in which year.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::id::{OptionId, ProgrammeId};

/// A plan: each chosen programme with its option and start year. Programmes that are not
/// in the map are left out. The map keeps programmes in id order, so a plan prints and
/// serialises the same way every time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Plan {
    /// The chosen programmes.
    pub choices: BTreeMap<ProgrammeId, Choice>,
}

/// How a chosen programme is carried out.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Choice {
    /// The option chosen.
    pub option: OptionId,
    /// The year it starts.
    pub start: i32,
}

impl Plan {
    /// An empty plan.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces the choice of `programme`, returning the plan (for building).
    pub fn with(
        mut self,
        programme: impl Into<ProgrammeId>,
        option: impl Into<OptionId>,
        start: i32,
    ) -> Self {
        self.choose(programme.into(), option.into(), start);
        self
    }

    /// Adds or replaces the choice of `programme`.
    pub fn choose(&mut self, programme: ProgrammeId, option: OptionId, start: i32) {
        self.choices.insert(programme, Choice { option, start });
    }

    /// The choice of `programme`, if it is chosen.
    pub fn choice(&self, programme: &ProgrammeId) -> Option<&Choice> {
        self.choices.get(programme)
    }

    /// Whether `programme` is chosen.
    pub fn contains(&self, programme: &ProgrammeId) -> bool {
        self.choices.contains_key(programme)
    }
}

//! Anchored scales: the answers an indicator accepts. A numeric scale gives each level a
//! value (GDI's 0/25/50/75/100); an ordinal scale orders grades (PEFA's A, B, C, D), with
//! an optional modifier between them (`B+`). Any scale may also name levels that record a
//! missing state instead of a score (the Open Budget Survey's answer `e`).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::id::{LevelId, ScaleId};
use super::number::Number;

/// Why an indicator has no score. Missing indicators are left out of means, sums and
/// lookups, and counted in coverage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingState {
    /// The indicator does not apply to the system assessed (NA).
    NotApplicable,
    /// The assessor could not find enough information to score it (NEI).
    NotEnoughInformation,
    /// The indicator was deliberately left unscored, for example by the index's editors (NS).
    NotScored,
}

impl MissingState {
    /// Every state, in the order reports list them.
    pub const ALL: [MissingState; 3] = [
        MissingState::NotApplicable,
        MissingState::NotEnoughInformation,
        MissingState::NotScored,
    ];

    /// The abbreviation that methodologies print.
    pub const fn abbreviation(self) -> &'static str {
        match self {
            MissingState::NotApplicable => "NA",
            MissingState::NotEnoughInformation => "NEI",
            MissingState::NotScored => "NS",
        }
    }
}

impl fmt::Display for MissingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.abbreviation())
    }
}

/// A scale declared by a framework.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scale {
    /// Its stable id.
    pub id: ScaleId,
    /// Its name, shown to people.
    pub name: String,
    /// Its scored levels.
    pub kind: ScaleKind,
    /// Levels that record a missing state instead of a score.
    #[serde(default)]
    pub missing: Vec<MissingLevel>,
}

/// The scored levels of a scale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleKind {
    /// Levels with numeric values, averaged, summed or compared as numbers.
    Numeric {
        /// The levels, in any order.
        levels: Vec<NumericLevel>,
    },
    /// Grades in order, combined by the weakest link or a lookup table.
    Ordinal {
        /// The grades from the highest to the lowest, as methodologies print them.
        grades: Vec<GradeLevel>,
        /// The mark that raises a grade half a step, if the scale has one.
        modifier: Option<Modifier>,
    },
}

/// A level of a numeric scale: its value and the anchor that describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumericLevel {
    /// Its id, the answer an assessor gives.
    pub id: LevelId,
    /// Its value.
    pub value: Number,
    /// What must be true to give it.
    pub descriptor: String,
}

/// A grade of an ordinal scale and the anchor that describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradeLevel {
    /// Its id (`A`), also the grade's text.
    pub id: LevelId,
    /// What must be true to give it.
    pub descriptor: String,
}

/// A mark that raises a grade half a step towards the next one (PEFA's `+`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Modifier {
    /// The mark, written after the grade (`+`).
    pub symbol: String,
    /// Whether the highest grade may carry it (PEFA has no `A+`).
    #[serde(default)]
    pub on_highest: bool,
}

/// A level that records a missing state (the Open Budget Survey's `e`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingLevel {
    /// Its id, the answer an assessor gives.
    pub id: LevelId,
    /// The missing state it records.
    pub state: MissingState,
    /// What it means.
    pub descriptor: String,
}

/// A grade as an ordinal node reports it: a grade of its scale, perhaps with the modifier.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grade {
    /// The grade's id on its scale (`B`).
    pub level: LevelId,
    /// The modifier's symbol when the grade carries it (`+`).
    pub modifier: Option<String>,
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.level.as_str())?;
        if let Some(symbol) = &self.modifier {
            f.write_str(symbol)?;
        }
        Ok(())
    }
}

/// What an answer's level means on a scale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LevelMeaning {
    /// A numeric value.
    Value(Number),
    /// A grade, as its position: twice the grade's place counted from the lowest, plus one
    /// when it carries the modifier. D = 0, D+ = 1, C = 2, … on PEFA's scale.
    Rank(u32),
    /// A missing state.
    Missing(MissingState),
}

impl Scale {
    /// A numeric scale from `(id, whole value)` pairs, with empty descriptors; handy in
    /// tests and built-in frameworks.
    pub fn numeric(id: &str, levels: &[(&str, i64)]) -> Scale {
        Scale {
            id: id.into(),
            name: id.to_owned(),
            kind: ScaleKind::Numeric {
                levels: levels
                    .iter()
                    .map(|(level, value)| NumericLevel {
                        id: (*level).into(),
                        value: Number::from_int(*value),
                        descriptor: String::new(),
                    })
                    .collect(),
            },
            missing: Vec::new(),
        }
    }

    /// An ordinal scale from grade ids listed from the highest, with an optional modifier
    /// symbol that the highest grade may not carry; handy in tests and built-in frameworks.
    pub fn ordinal(id: &str, grades: &[&str], modifier: Option<&str>) -> Scale {
        Scale {
            id: id.into(),
            name: id.to_owned(),
            kind: ScaleKind::Ordinal {
                grades: grades
                    .iter()
                    .map(|g| GradeLevel {
                        id: (*g).into(),
                        descriptor: String::new(),
                    })
                    .collect(),
                modifier: modifier.map(|symbol| Modifier {
                    symbol: symbol.to_owned(),
                    on_highest: false,
                }),
            },
            missing: Vec::new(),
        }
    }

    /// The same scale with a level that records a missing state.
    pub fn with_missing(mut self, level: &str, state: MissingState) -> Scale {
        self.missing.push(MissingLevel {
            id: level.into(),
            state,
            descriptor: String::new(),
        });
        self
    }

    /// Whether the scale orders grades rather than giving values.
    pub fn is_ordinal(&self) -> bool {
        matches!(self.kind, ScaleKind::Ordinal { .. })
    }

    /// The highest value of a numeric scale, `None` for an ordinal or empty one.
    pub fn maximum(&self) -> Option<Number> {
        match &self.kind {
            ScaleKind::Numeric { levels } => levels.iter().map(|l| l.value).max(),
            ScaleKind::Ordinal { .. } => None,
        }
    }

    /// The ids of the grades, from the highest; empty for a numeric scale.
    pub(crate) fn grade_ids(&self) -> Vec<&LevelId> {
        match &self.kind {
            ScaleKind::Ordinal { grades, .. } => grades.iter().map(|g| &g.id).collect(),
            ScaleKind::Numeric { .. } => Vec::new(),
        }
    }

    /// The modifier of an ordinal scale.
    pub(crate) fn modifier(&self) -> Option<&Modifier> {
        match &self.kind {
            ScaleKind::Ordinal { modifier, .. } => modifier.as_ref(),
            ScaleKind::Numeric { .. } => None,
        }
    }

    /// What a level id means on this scale, or `None` when the scale lacks it. On an
    /// ordinal scale with a modifier, `B+` is the grade `B` raised by the modifier.
    pub(crate) fn meaning(&self, level: &str) -> Option<LevelMeaning> {
        if let Some(m) = self.missing.iter().find(|m| m.id.as_str() == level) {
            return Some(LevelMeaning::Missing(m.state));
        }
        match &self.kind {
            ScaleKind::Numeric { levels } => levels
                .iter()
                .find(|l| l.id.as_str() == level)
                .map(|l| LevelMeaning::Value(l.value)),
            ScaleKind::Ordinal { .. } => self.rank_of(level).map(LevelMeaning::Rank),
        }
    }

    /// The rank of a grade's text (`B`, `B+`) on an ordinal scale.
    pub(crate) fn rank_of(&self, text: &str) -> Option<u32> {
        let ScaleKind::Ordinal { grades, modifier } = &self.kind else {
            return None;
        };
        let place = |id: &str| {
            grades
                .iter()
                .position(|g| g.id.as_str() == id)
                .and_then(|i| u32::try_from(grades.len() - 1 - i).ok())
        };
        if let Some(p) = place(text) {
            return Some(2 * p);
        }
        let modifier = modifier.as_ref()?;
        let base = text.strip_suffix(modifier.symbol.as_str())?;
        let p = place(base)?;
        let highest = usize::try_from(p).ok()? == grades.len() - 1;
        (!highest || modifier.on_highest).then_some(2 * p + 1)
    }

    /// The grade at a rank on an ordinal scale, if the scale has it.
    pub(crate) fn grade_at(&self, rank: u32) -> Option<Grade> {
        let ScaleKind::Ordinal { grades, modifier } = &self.kind else {
            return None;
        };
        let place = usize::try_from(rank / 2).ok()?;
        let index = grades.len().checked_sub(1)?.checked_sub(place)?;
        let level = grades.get(index)?.id.clone();
        if rank.is_multiple_of(2) {
            return Some(Grade {
                level,
                modifier: None,
            });
        }
        let modifier = modifier.as_ref()?;
        (index != 0 || modifier.on_highest).then(|| Grade {
            level,
            modifier: Some(modifier.symbol.clone()),
        })
    }

    /// Every rank the scale can give, from the lowest.
    pub(crate) fn ranks(&self) -> Vec<u32> {
        let top = match &self.kind {
            ScaleKind::Ordinal { grades, .. } => grades.len(),
            ScaleKind::Numeric { .. } => 0,
        };
        (0..u32::try_from(2 * top).unwrap_or(0))
            .filter(|r| self.grade_at(*r).is_some())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn pefa() -> Scale {
        Scale::ordinal("pefa", &["A", "B", "C", "D"], Some("+"))
    }

    #[rstest]
    #[case("D", Some(0))]
    #[case("D+", Some(1))]
    #[case("C", Some(2))]
    #[case("B+", Some(5))]
    #[case("A", Some(6))]
    #[case("A+", None)]
    #[case("E", None)]
    #[case("+", None)]
    fn grades_have_ranks(#[case] text: &str, #[case] rank: Option<u32>) {
        assert_eq!(pefa().rank_of(text), rank);
        if let Some(r) = rank {
            assert_eq!(pefa().grade_at(r).unwrap().to_string(), text);
        }
    }

    #[test]
    fn a_scale_lists_the_ranks_it_can_give() {
        assert_eq!(pefa().ranks(), vec![0, 1, 2, 3, 4, 5, 6]);
        let plain = Scale::ordinal("dim", &["A", "B", "C", "D"], None);
        assert_eq!(plain.ranks(), vec![0, 2, 4, 6]);
        assert_eq!(plain.rank_of("B+"), None);
    }

    #[test]
    fn levels_mean_values_grades_or_missing_states() {
        let obs = Scale::numeric("obs", &[("a", 100), ("b", 67)])
            .with_missing("e", MissingState::NotApplicable);
        assert_eq!(
            obs.meaning("b"),
            Some(LevelMeaning::Value(Number::from_int(67)))
        );
        assert_eq!(
            obs.meaning("e"),
            Some(LevelMeaning::Missing(MissingState::NotApplicable))
        );
        assert_eq!(obs.meaning("z"), None);
        assert_eq!(obs.maximum(), Some(Number::HUNDRED));
        assert_eq!(pefa().meaning("C+"), Some(LevelMeaning::Rank(3)));
    }
}

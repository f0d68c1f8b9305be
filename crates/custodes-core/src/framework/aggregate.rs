//! Aggregation rules: how a grouping node combines the scores of its children. The rule
//! is data declared by the framework, never code written for one framework; the
//! functions here compute each rule on the children that have a score (missing ones have
//! already been left out).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::id::{LevelId, ScaleId};
use super::number::Number;

/// How a grouping node combines its children.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// The node is not scored: it groups its children and counts their coverage (PEFA's
    /// pillars, which PEFA says must not be aggregated).
    Unscored,
    /// The plain mean of the children's values.
    Mean,
    /// The mean of the children's values, each weighted by the child's `weight`.
    WeightedMean,
    /// The lowest of the children's values (a numeric weakest link).
    Minimum,
    /// The sum of the children's values as a percentage of the sum of their maxima.
    /// Missing children count in neither sum.
    SumOfMaximum,
    /// The plain mean of the values of the nodes `depth` levels below, taken together as
    /// if they were children; a branch that ends sooner contributes its last node. The
    /// Open Budget Index is the mean of all its indicators (depth 2 when they sit in
    /// groups), not the mean of its groups' means.
    PooledMean {
        /// How many levels down, at least 1 (1 is `Mean`).
        depth: u32,
    },
    /// The lowest of the children's grades on `scale`, raised by the scale's modifier when
    /// `modify_when_others_higher` holds and another child scores higher. This is PEFA's
    /// M1 (weakest link): A, C, B gives C+; C, C gives C.
    WeakestLink {
        /// The ordinal scale of the result; the children's grades must be its grades.
        scale: ScaleId,
        /// Whether to add the modifier when another child scores higher than the lowest.
        modify_when_others_higher: bool,
    },
    /// A grade on `scale` looked up from the children's grades taken as a set in any order
    /// (PEFA's M2 conversion table). The table must cover every combination the children
    /// can give, for every number of children that can have a score.
    Lookup {
        /// The ordinal scale of the result; the children's grades must be its grades.
        scale: ScaleId,
        /// The table.
        rows: Vec<LookupRow>,
    },
}

/// A row of a lookup table: a combination of child grades and the grade it gives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupRow {
    /// The children's grades, in any order (`["D", "B", "A"]`).
    pub children: Vec<LevelId>,
    /// The resulting grade (`"B"`, `"C+"`).
    pub grade: LevelId,
}

impl LookupRow {
    /// A row from grade texts.
    pub fn new(children: &[&str], grade: &str) -> LookupRow {
        LookupRow {
            children: children.iter().map(|c| (*c).into()).collect(),
            grade: grade.into(),
        }
    }
}

impl Aggregation {
    /// Whether the rule combines numbers (as opposed to grades, or nothing).
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Aggregation::Mean
                | Aggregation::WeightedMean
                | Aggregation::Minimum
                | Aggregation::SumOfMaximum
                | Aggregation::PooledMean { .. }
        )
    }

    /// The ordinal scale of the result, for rules that give grades.
    pub fn grade_scale(&self) -> Option<&ScaleId> {
        match self {
            Aggregation::WeakestLink { scale, .. } | Aggregation::Lookup { scale, .. } => {
                Some(scale)
            }
            _ => None,
        }
    }
}

/// A computation went past the range of exact numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Overflow;

/// A child's contribution to a numeric rule: its value, its maximum and its weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Part {
    pub value: Number,
    pub maximum: Number,
    pub weight: Number,
}

/// A numeric result: the value and the highest value the same children could have given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Scored {
    pub value: Number,
    pub maximum: Number,
}

fn sum(mut values: impl Iterator<Item = Number>) -> Result<Number, Overflow> {
    values.try_fold(Number::ZERO, |acc, v| acc.checked_add(v).ok_or(Overflow))
}

fn mean(values: impl ExactSizeIterator<Item = Number>) -> Result<Option<Number>, Overflow> {
    let count = i64::try_from(values.len()).map_err(|_| Overflow)?;
    if count == 0 {
        return Ok(None);
    }
    let total = sum(values)?;
    total
        .checked_div(Number::from_int(count))
        .map(Some)
        .ok_or(Overflow)
}

fn weighted(parts: &[Part], of: impl Fn(&Part) -> Number) -> Result<Option<Number>, Overflow> {
    let total_weight = sum(parts.iter().map(|p| p.weight))?;
    if total_weight == Number::ZERO {
        return Ok(None);
    }
    let products = parts
        .iter()
        .map(|p| of(p).checked_mul(p.weight).ok_or(Overflow))
        .collect::<Result<Vec<_>, _>>()?;
    sum(products.into_iter())?
        .checked_div(total_weight)
        .map(Some)
        .ok_or(Overflow)
}

/// Applies a numeric rule to the children that have a score. `Ok(None)` means there is
/// nothing to combine: no child has a score, or their weights add up to zero.
pub(crate) fn combine(rule: &Aggregation, parts: &[Part]) -> Result<Option<Scored>, Overflow> {
    if parts.is_empty() {
        return Ok(None);
    }
    let both = |value: Option<Number>, maximum: Option<Number>| {
        value
            .zip(maximum)
            .map(|(value, maximum)| Scored { value, maximum })
    };
    match rule {
        Aggregation::Mean | Aggregation::PooledMean { .. } => Ok(both(
            mean(parts.iter().map(|p| p.value))?,
            mean(parts.iter().map(|p| p.maximum))?,
        )),
        Aggregation::WeightedMean => Ok(both(
            weighted(parts, |p| p.value)?,
            weighted(parts, |p| p.maximum)?,
        )),
        Aggregation::Minimum => Ok(both(
            parts.iter().map(|p| p.value).min(),
            parts.iter().map(|p| p.maximum).min(),
        )),
        Aggregation::SumOfMaximum => {
            let maximum = sum(parts.iter().map(|p| p.maximum))?;
            if maximum <= Number::ZERO {
                return Ok(None);
            }
            let value = sum(parts.iter().map(|p| p.value))?
                .checked_mul(Number::HUNDRED)
                .and_then(|v| v.checked_div(maximum))
                .ok_or(Overflow)?;
            Ok(Some(Scored {
                value,
                maximum: Number::HUNDRED,
            }))
        }
        Aggregation::Unscored | Aggregation::WeakestLink { .. } | Aggregation::Lookup { .. } => {
            Ok(None)
        }
    }
}

/// PEFA's M1 on grade ranks: the lowest rank, raised by one (the modifier) when `modify`
/// holds, another rank is higher, and the lowest does not already carry the modifier.
/// `can_modify` says whether the scale has the raised grade.
pub(crate) fn weakest_link(
    ranks: &[u32],
    modify: bool,
    can_modify: impl Fn(u32) -> bool,
) -> Option<u32> {
    let lowest = *ranks.iter().min()?;
    let others_higher = ranks.iter().any(|r| *r > lowest);
    if modify && others_higher && lowest.is_multiple_of(2) && can_modify(lowest + 1) {
        Some(lowest + 1)
    } else {
        Some(lowest)
    }
}

/// A lookup table compiled to ranks: the sorted ranks of the children's grades to the
/// rank of the result.
pub(crate) type CompiledLookup = HashMap<Vec<u32>, u32>;

/// Looks up the children's grade ranks, in any order.
pub(crate) fn look_up(table: &CompiledLookup, ranks: &[u32]) -> Option<u32> {
    let mut key = ranks.to_vec();
    key.sort_unstable();
    table.get(&key).copied()
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn part(value: &str, maximum: &str, weight: &str) -> Part {
        Part {
            value: value.parse().unwrap(),
            maximum: maximum.parse().unwrap(),
            weight: weight.parse().unwrap(),
        }
    }

    fn value(rule: &Aggregation, parts: &[Part]) -> Option<String> {
        combine(rule, parts).unwrap().map(|s| s.value.to_string())
    }

    #[rstest]
    #[case(Aggregation::Mean, "62.5")]
    #[case(Aggregation::WeightedMean, "43.75")]
    #[case(Aggregation::Minimum, "25")]
    #[case(Aggregation::SumOfMaximum, "62.5")]
    fn numeric_rules(#[case] rule: Aggregation, #[case] expected: &str) {
        let parts = [part("100", "100", "1"), part("25", "100", "3")];
        assert_eq!(value(&rule, &parts).as_deref(), Some(expected));
    }

    #[test]
    fn sum_of_maximum_uses_each_childs_own_maximum() {
        // 3 of 4 and 1 of 2: 4 of 6 is 66 2/3 percent.
        let parts = [part("3", "4", "1"), part("1", "2", "1")];
        assert_eq!(
            value(&Aggregation::SumOfMaximum, &parts).as_deref(),
            Some("200/3")
        );
    }

    #[test]
    fn nothing_to_combine_gives_no_value() {
        assert_eq!(value(&Aggregation::Mean, &[]), None);
        assert_eq!(
            value(&Aggregation::WeightedMean, &[part("50", "100", "0")]),
            None
        );
        assert_eq!(
            value(&Aggregation::SumOfMaximum, &[part("0", "0", "1")]),
            None
        );
        assert_eq!(value(&Aggregation::Unscored, &[part("1", "1", "1")]), None);
    }

    #[test]
    fn overflow_is_reported() {
        let huge = Part {
            value: Number::new(i128::MAX, 1).unwrap(),
            maximum: Number::new(i128::MAX, 1).unwrap(),
            weight: Number::ONE,
        };
        assert_eq!(combine(&Aggregation::Mean, &[huge, huge]), Err(Overflow));
    }

    #[rstest]
    #[case(&[6, 2, 4], true, 3)]
    #[case(&[2, 2], true, 2)]
    #[case(&[0, 6], true, 1)]
    #[case(&[6, 2, 4], false, 2)]
    #[case(&[3, 6], true, 3)]
    fn weakest_link_raises_the_lowest_when_others_are_higher(
        #[case] ranks: &[u32],
        #[case] modify: bool,
        #[case] expected: u32,
    ) {
        assert_eq!(weakest_link(ranks, modify, |_| true), Some(expected));
    }

    #[test]
    fn weakest_link_without_the_raised_grade_stays_put() {
        assert_eq!(weakest_link(&[2, 6], true, |_| false), Some(2));
        assert_eq!(weakest_link(&[], true, |_| true), None);
    }
}

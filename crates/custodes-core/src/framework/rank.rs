//! Ranks: the place of each value among others (nodes among their siblings, or one node
//! across countries), with ties sharing a place ("1, 2, 2, 4").

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::band::ValueBasis;

/// Which end of the order comes first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankOrder {
    /// The highest value ranks first (the best-governed sector in an index).
    #[default]
    HighestFirst,
    /// The lowest value ranks first (the weakest area, the first to reform).
    LowestFirst,
}

/// A group's rule for ranking its children.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ranking {
    /// Whether ranks read exact or published values. Ranking on exact values separates
    /// 62.5 from 62.6 although both are published as 63.
    pub basis: ValueBasis,
    /// Which end comes first.
    pub order: RankOrder,
}

/// The rank of each value, in the same order: 1 for the first, ties share the better
/// place and the next place is skipped (standard competition ranking). A value that is
/// absent gets no rank and does not take a place.
pub fn rank<T: Ord>(values: &[Option<T>], order: RankOrder) -> Vec<Option<u32>> {
    values
        .iter()
        .map(|value| {
            let value = value.as_ref()?;
            let ahead = values
                .iter()
                .flatten()
                .filter(|other| {
                    let cmp = (*other).cmp(value);
                    match order {
                        RankOrder::HighestFirst => cmp == Ordering::Greater,
                        RankOrder::LowestFirst => cmp == Ordering::Less,
                    }
                })
                .count();
            u32::try_from(ahead + 1).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_a_place_and_the_next_is_skipped() {
        let values = [Some(63), Some(70), None, Some(63), Some(10)];
        assert_eq!(
            rank(&values, RankOrder::HighestFirst),
            [Some(2), Some(1), None, Some(2), Some(4)]
        );
        assert_eq!(
            rank(&values, RankOrder::LowestFirst),
            [Some(2), Some(4), None, Some(2), Some(1)]
        );
    }
}

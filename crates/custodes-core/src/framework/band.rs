//! Bands: threshold tables that name a range of scores (GDI's A for 83–100, the Open
//! Budget Survey's "extensive" for 81–100).

use serde::{Deserialize, Serialize};

use super::number::Number;

/// Which of a node's two values a rule reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueBasis {
    /// The exact value, before rounding.
    #[default]
    Unrounded,
    /// The value as published, after the node's rounding rule.
    Displayed,
}

/// One band: a label and the lowest score that earns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    /// The band's label (`A`, `Extensive`).
    pub label: String,
    /// The lowest score in the band, inclusive.
    pub min: Number,
}

/// A threshold table. A score earns the band with the highest `min` at or below it; a
/// score below every `min` earns none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bands {
    /// Whether the thresholds apply to the exact score or to the published one. The Open
    /// Budget Survey cuts its categories on the rounded score: 80.5 is published as 81 and
    /// is "extensive".
    pub basis: ValueBasis,
    /// The bands, in any order.
    pub bands: Vec<Band>,
}

impl Bands {
    /// A table from `(label, min)` pairs with whole thresholds.
    pub fn new(basis: ValueBasis, bands: &[(&str, i64)]) -> Bands {
        Bands {
            basis,
            bands: bands
                .iter()
                .map(|(label, min)| Band {
                    label: (*label).to_owned(),
                    min: Number::from_int(*min),
                })
                .collect(),
        }
    }

    /// The band a score earns.
    pub fn band_of(&self, score: Number) -> Option<&Band> {
        self.bands
            .iter()
            .filter(|b| b.min <= score)
            .max_by_key(|b| b.min)
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("100", Some("A"))]
    #[case("83", Some("A"))]
    #[case("82.99", Some("B"))]
    #[case("63", Some("C"))]
    #[case("0", Some("F"))]
    #[case("-1", None)]
    fn a_score_earns_the_highest_band_it_reaches(#[case] score: &str, #[case] band: Option<&str>) {
        let gdi = Bands::new(
            ValueBasis::Displayed,
            &[
                ("F", 0),
                ("A", 83),
                ("B", 67),
                ("C", 50),
                ("D", 33),
                ("E", 17),
            ],
        );
        let got = gdi
            .band_of(score.parse().unwrap())
            .map(|b| b.label.as_str());
        assert_eq!(got, band);
    }
}

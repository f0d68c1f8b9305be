//! How a framework rounds the scores it publishes: half-up or by truncation, to a
//! declared number of decimals, on the exact value (see [`Number`]).

use serde::{Deserialize, Serialize};

use super::number::Number;

/// The most decimals a rounding rule may ask for. Ten is more than any index publishes,
/// and the limit keeps the scaled values far from overflow.
pub const MAX_DECIMALS: u8 = 10;

/// How ties and remainders are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// To the nearest; a tie goes up, away from zero, as spreadsheets' `ROUND` and the
    /// published indices do (62.5 → 63, 2.675 → 2.68, −0.5 → −1).
    HalfUp,
    /// Drops the digits past the declared decimals, towards zero (62.9 → 62).
    Truncate,
}

/// A rounding rule: a mode and a number of decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rounding {
    /// How remainders are treated.
    pub mode: RoundingMode,
    /// How many decimals remain, from 0 to [`MAX_DECIMALS`].
    pub decimals: u8,
}

impl Rounding {
    /// Rounds half-up to `decimals` places.
    pub const fn half_up(decimals: u8) -> Rounding {
        Rounding {
            mode: RoundingMode::HalfUp,
            decimals,
        }
    }

    /// Truncates to `decimals` places.
    pub const fn truncate(decimals: u8) -> Rounding {
        Rounding {
            mode: RoundingMode::Truncate,
            decimals,
        }
    }

    /// Rounds an exact value. Because the value is an exact fraction, a tie such as
    /// 62.5 or 2.675 is recognised as a tie; no epsilon is involved. Returns `None` only
    /// when `decimals` exceeds [`MAX_DECIMALS`] or the value is too large to scale.
    pub fn apply(self, value: Number) -> Option<Number> {
        if self.decimals > MAX_DECIMALS {
            return None;
        }
        let scale = 10i128.pow(u32::from(self.decimals));
        let scaled = value.checked_mul(Number::new(scale, 1)?)?;
        let (num, den) = (scaled.numer(), scaled.denom());
        let whole = match self.mode {
            // Integer division in Rust truncates towards zero.
            RoundingMode::Truncate => num / den,
            RoundingMode::HalfUp => {
                // floor(|x| + 1/2) = floor((2|num| + den) / 2den), then the sign back.
                let twice = num.unsigned_abs().checked_mul(2)?;
                let up = i128::try_from(
                    (twice.checked_add(den.unsigned_abs())?) / (2 * den.unsigned_abs()),
                )
                .ok()?;
                if num < 0 { -up } else { up }
            }
        };
        Number::new(whole, scale)
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn n(s: &str) -> Number {
        s.parse().unwrap()
    }

    #[rstest]
    #[case("62.5", Rounding::half_up(0), "63")]
    #[case("62.49", Rounding::half_up(0), "62")]
    #[case("2.675", Rounding::half_up(2), "2.68")]
    #[case("2.665", Rounding::half_up(2), "2.67")]
    #[case("1/3", Rounding::half_up(2), "0.33")]
    #[case("2/3", Rounding::half_up(2), "0.67")]
    #[case("-0.5", Rounding::half_up(0), "-1")]
    #[case("-2.675", Rounding::half_up(2), "-2.68")]
    #[case("80.5", Rounding::half_up(0), "81")]
    #[case("62.9", Rounding::truncate(0), "62")]
    #[case("2.679", Rounding::truncate(2), "2.67")]
    #[case("-2.679", Rounding::truncate(2), "-2.67")]
    #[case("100", Rounding::half_up(1), "100")]
    fn rounding_follows_the_declared_rule(
        #[case] value: &str,
        #[case] rule: Rounding,
        #[case] expected: &str,
    ) {
        assert_eq!(rule.apply(n(value)), Some(n(expected)));
    }

    #[test]
    fn floating_point_would_get_the_tie_wrong() {
        // The reason this module exists: f64 stores 2.675 as 2.67499999…, so rounding the
        // stored value to two decimals gives 2.67.
        assert_eq!(format!("{:.2}", 2.675f64), "2.67");
        assert_eq!(Rounding::half_up(2).apply(n("2.675")), Some(n("2.68")));
    }

    #[test]
    fn too_many_decimals_is_refused() {
        assert_eq!(Rounding::half_up(MAX_DECIMALS + 1).apply(Number::ONE), None);
        assert!(Rounding::half_up(MAX_DECIMALS).apply(n("1/3")).is_some());
    }
}

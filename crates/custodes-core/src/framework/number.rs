//! Exact numbers for scores: fractions of two integers, so that means, weights and
//! rounding never suffer the surprises of binary floating point.
//!
//! A published score such as 62.5 must round half-up to 63, and 2.675 must round to 2.68
//! at two decimals. In `f64`, 2.675 is stored as 2.67499999…, so a floating-point rule
//! would give 2.67. Here every level value, weight and threshold is read from its decimal
//! text exactly, every mean is an exact fraction, and rounding looks at that fraction, so a
//! tie is a tie. The fractions use `i128` with checked arithmetic: a computation that
//! would overflow returns `None` instead of a wrong number, and scoring reports it.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An exact rational number: a numerator over a positive denominator, in lowest terms.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Number {
    num: i128,
    den: i128,
}

/// Text that is not a number this module reads.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{given:?} is not a number: {reason}")]
pub struct ParseNumberError {
    /// The text given.
    pub given: String,
    /// Why it was refused, in words.
    pub reason: &'static str,
}

/// The most decimal places a number's text may have; more would risk overflow later.
const MAX_PARSED_DECIMALS: usize = 18;

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    // Both inputs come from values whose magnitude is below i128::MAX, so this fits.
    i128::try_from(a).unwrap_or(1)
}

/// Compares a/b with c/d for positive b and d without multiplying, so it cannot overflow.
fn cmp_fractions(a: i128, b: i128, c: i128, d: i128) -> Ordering {
    let (qa, ra) = (a.div_euclid(b), a.rem_euclid(b));
    let (qc, rc) = (c.div_euclid(d), c.rem_euclid(d));
    match qa.cmp(&qc) {
        Ordering::Equal => {}
        other => return other,
    }
    match (ra == 0, rc == 0) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        // ra/b < rc/d exactly when d/rc < b/ra: compare the reciprocals, reversed.
        (false, false) => cmp_fractions(d, rc, b, ra),
    }
}

impl Number {
    /// Zero.
    pub const ZERO: Number = Number { num: 0, den: 1 };
    /// One.
    pub const ONE: Number = Number { num: 1, den: 1 };
    /// One hundred, the maximum of a percentage.
    pub const HUNDRED: Number = Number { num: 100, den: 1 };

    /// The fraction `num / den` in lowest terms, or `None` when `den` is zero or a part
    /// is `i128::MIN` (whose magnitude does not fit).
    pub fn new(num: i128, den: i128) -> Option<Number> {
        if den == 0 || num == i128::MIN || den == i128::MIN {
            return None;
        }
        let g = gcd(num, den);
        let (mut num, mut den) = (num / g, den / g);
        if den < 0 {
            (num, den) = (-num, -den);
        }
        Some(Number { num, den })
    }

    /// A whole number.
    pub const fn from_int(value: i64) -> Number {
        Number {
            num: value as i128,
            den: 1,
        }
    }

    /// The numerator, in lowest terms; its sign is the number's sign.
    pub const fn numer(self) -> i128 {
        self.num
    }

    /// The denominator, in lowest terms; always positive.
    pub const fn denom(self) -> i128 {
        self.den
    }

    /// Whether the number is whole.
    pub const fn is_integer(self) -> bool {
        self.den == 1
    }

    /// Whether the number is below zero.
    pub const fn is_negative(self) -> bool {
        self.num < 0
    }

    /// The sum, or `None` on overflow.
    pub fn checked_add(self, other: Number) -> Option<Number> {
        let g = gcd(self.den, other.den);
        let left = self.num.checked_mul(other.den / g)?;
        let right = other.num.checked_mul(self.den / g)?;
        Number::new(
            left.checked_add(right)?,
            (self.den / g).checked_mul(other.den)?,
        )
    }

    /// The difference, or `None` on overflow.
    pub fn checked_sub(self, other: Number) -> Option<Number> {
        self.checked_add(Number {
            num: other.num.checked_neg()?,
            den: other.den,
        })
    }

    /// The product, or `None` on overflow.
    pub fn checked_mul(self, other: Number) -> Option<Number> {
        // Cross-reducing first keeps the intermediate products small.
        let g1 = gcd(self.num, other.den);
        let g2 = gcd(other.num, self.den);
        Number::new(
            (self.num / g1).checked_mul(other.num / g2)?,
            (self.den / g2).checked_mul(other.den / g1)?,
        )
    }

    /// The quotient, or `None` when dividing by zero or on overflow.
    pub fn checked_div(self, other: Number) -> Option<Number> {
        if other.num == 0 {
            return None;
        }
        self.checked_mul(Number::new(other.den, other.num)?)
    }

    /// The largest whole number not above this one.
    pub const fn floor(self) -> i128 {
        self.num.div_euclid(self.den)
    }

    /// The nearest `f64`, for charts and other places where exactness no longer matters.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// Whether the number can be written exactly with finitely many decimals.
    fn terminates(self) -> bool {
        let mut den = self.den;
        while den % 2 == 0 {
            den /= 2;
        }
        while den % 5 == 0 {
            den /= 5;
        }
        den == 1
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_fractions(self.num, self.den, other.num, other.den)
    }
}

impl fmt::Display for Number {
    /// Writes the number as a decimal when it has one (`62.5`, `-3`, `0.125`) and as a
    /// fraction otherwise (`1/3`), so that the text always reads back to the same number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.terminates() {
            return write!(f, "{}/{}", self.num, self.den);
        }
        let sign = if self.num < 0 { "-" } else { "" };
        let (num, den) = (self.num.unsigned_abs(), self.den.unsigned_abs());
        let whole = num / den;
        let mut rest = num % den;
        if rest == 0 {
            return write!(f, "{sign}{whole}");
        }
        let mut digits = String::new();
        while rest != 0 {
            rest *= 10;
            digits.push(char::from(b'0' + u8::try_from(rest / den).unwrap_or(0)));
            rest %= den;
        }
        write!(f, "{sign}{whole}.{digits}")
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Number {
    type Err = ParseNumberError;

    /// Reads a decimal (`62.5`, `-0.25`, `100`) or a fraction (`1/3`) exactly.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let refuse = |reason| ParseNumberError {
            given: s.to_owned(),
            reason,
        };
        let text = s.trim();
        if let Some((top, bottom)) = text.split_once('/') {
            let top: Number = top.parse().map_err(|_| refuse("bad numerator"))?;
            let bottom: Number = bottom.parse().map_err(|_| refuse("bad denominator"))?;
            return top
                .checked_div(bottom)
                .ok_or_else(|| refuse("the denominator is zero"));
        }
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && fraction.is_empty() {
            return Err(refuse("there are no digits"));
        }
        if !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return Err(refuse("only digits, one point and a sign are allowed"));
        }
        if fraction.len() > MAX_PARSED_DECIMALS {
            return Err(refuse("more than 18 decimal places"));
        }
        if whole.len() + fraction.len() > 30 {
            return Err(refuse("too many digits"));
        }
        let mut num: i128 = 0;
        for b in whole.bytes().chain(fraction.bytes()) {
            num = num * 10 + i128::from(b - b'0');
        }
        let den = 10i128.pow(u32::try_from(fraction.len()).unwrap_or(0));
        Number::new(if negative { -num } else { num }, den).ok_or_else(|| refuse("out of range"))
    }
}

impl From<i64> for Number {
    fn from(value: i64) -> Self {
        Number::from_int(value)
    }
}

impl From<Number> for String {
    fn from(value: Number) -> Self {
        value.to_string()
    }
}

impl Serialize for Number {
    /// Numbers are written as their exact text (`"62.5"`, `"1/3"`), never as a float.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Number {
    /// Numbers are read from text or from an integer. A float is read from its shortest
    /// decimal text, so that `0.1` means one tenth, not the binary value nearest to it.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;

        impl Visitor<'_> for NumberVisitor {
            type Value = Number;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or its decimal text")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
                v.parse().map_err(E::custom)
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number::from_int(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Number::new(i128::from(v), 1).ok_or_else(|| E::custom("number out of range"))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                if !v.is_finite() {
                    return Err(E::custom("a score must be a finite number"));
                }
                format!("{v}").parse().map_err(E::custom)
            }
        }

        deserializer.deserialize_any(NumberVisitor)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rstest::rstest;

    use super::*;

    fn n(s: &str) -> Number {
        s.parse().unwrap()
    }

    #[rstest]
    #[case("62.5", 125, 2)]
    #[case("-0.25", -1, 4)]
    #[case("+7", 7, 1)]
    #[case(".5", 1, 2)]
    #[case("2.675", 107, 40)]
    #[case("1/3", 1, 3)]
    #[case("2/-4", -1, 2)]
    #[case(" 100 ", 100, 1)]
    fn decimal_text_is_read_exactly(#[case] text: &str, #[case] num: i128, #[case] den: i128) {
        let got = n(text);
        assert_eq!((got.numer(), got.denom()), (num, den));
    }

    #[rstest]
    #[case("")]
    #[case("-")]
    #[case("1.2.3")]
    #[case("1e5")]
    #[case("abc")]
    #[case("1/0")]
    #[case("0.1234567890123456789")]
    fn bad_text_is_refused_and_named(#[case] text: &str) {
        let err = text.parse::<Number>().unwrap_err();
        assert_eq!(err.given, text);
    }

    #[rstest]
    #[case("62.5", "62.5")]
    #[case("1/3", "1/3")]
    #[case("-3", "-3")]
    #[case("0.125", "0.125")]
    #[case("-1/8", "-0.125")]
    fn display_reads_back(#[case] text: &str, #[case] shown: &str) {
        assert_eq!(n(text).to_string(), shown);
        assert_eq!(n(shown), n(text));
    }

    #[test]
    fn arithmetic_is_exact() {
        let third = n("1/3");
        assert_eq!(
            third.checked_add(third).unwrap().checked_add(third),
            Some(Number::ONE)
        );
        assert_eq!(n("0.1").checked_add(n("0.2")), Some(n("0.3")));
        assert_eq!(
            n("2.67")
                .checked_add(n("2.68"))
                .unwrap()
                .checked_div(2.into()),
            Some(n("2.675"))
        );
        assert_eq!(Number::ONE.checked_div(Number::ZERO), None);
        assert_eq!(n("-7/2").floor(), -4);
    }

    #[test]
    fn overflow_is_none_not_a_wrong_number() {
        let big = Number::new(i128::MAX, 1).unwrap();
        assert_eq!(big.checked_add(Number::ONE), None);
        assert_eq!(big.checked_mul(2.into()), None);
        let tiny = Number::new(1, i128::MAX).unwrap();
        assert_eq!(
            tiny.checked_mul(Number::new(1, i128::MAX - 1).unwrap()),
            None
        );
    }

    #[test]
    fn comparing_huge_fractions_does_not_overflow() {
        let a = Number::new(i128::MAX - 1, i128::MAX).unwrap();
        let b = Number::new(i128::MAX - 2, i128::MAX - 1).unwrap();
        assert!(a > b);
        assert!(Number::new(-5, 3).unwrap() < Number::new(-3, 2).unwrap());
    }

    #[test]
    fn serde_reads_text_integers_and_floats_exactly() {
        let read = |json: &str| serde_json::from_str::<Number>(json).unwrap();
        assert_eq!(read("\"62.5\""), n("62.5"));
        assert_eq!(read("67"), n("67"));
        assert_eq!(read("0.1"), n("0.1"));
        assert_eq!(serde_json::to_string(&n("1/3")).unwrap(), "\"1/3\"");
        assert!(serde_json::from_str::<Number>("\"x\"").is_err());
    }

    proptest! {
        #[test]
        fn order_agrees_with_cross_multiplication(
            a in -10_000i128..10_000, b in 1i128..10_000, c in -10_000i128..10_000, d in 1i128..10_000,
        ) {
            let (x, y) = (Number::new(a, b).unwrap(), Number::new(c, d).unwrap());
            prop_assert_eq!(x.cmp(&y), (a * d).cmp(&(c * b)));
        }

        #[test]
        fn text_round_trips(a in -1_000_000i128..1_000_000, b in 1i128..1_000) {
            let x = Number::new(a, b).unwrap();
            prop_assert_eq!(x.to_string().parse::<Number>().unwrap(), x);
        }
    }
}

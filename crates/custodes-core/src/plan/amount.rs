//! How amounts of money and gap points are written in explanations: short, with a unit
//! suffix (`1.20 M`), so that a sentence such as "would exceed the 2028 treasury ceiling by
//! 1.20 M" reads well whatever the currency.

use std::fmt;

/// An amount of money, written with two decimals and `k`, `M` or `bn` as fits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Amount(pub f64);

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let a = v.abs();
        if a >= 1e9 {
            write!(f, "{:.2} bn", v / 1e9)
        } else if a >= 1e6 {
            write!(f, "{:.2} M", v / 1e6)
        } else if a >= 1e3 {
            write!(f, "{:.2} k", v / 1e3)
        } else {
            write!(f, "{v:.2}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Amount;

    #[test]
    fn amounts_take_the_unit_that_fits() {
        assert_eq!(Amount(1_200_000.0).to_string(), "1.20 M");
        assert_eq!(Amount(2_500.0).to_string(), "2.50 k");
        assert_eq!(Amount(3.1).to_string(), "3.10");
        assert_eq!(Amount(4.2e9).to_string(), "4.20 bn");
    }
}

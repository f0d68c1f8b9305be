//! Nullable real numbers as parameters.
//!
//! sqlx's `Any` driver (0.9) sends a missing `f64` to PostgreSQL as a `real` (4 bytes)
//! and a present one as a `double precision` (8 bytes). PostgreSQL keeps the parameter
//! types of the first execution of a cached statement, so a statement first run with a
//! missing value and then with a present one fails with "incorrect binary data format".
//! A nullable real is therefore sent as text, always the same type, and the SQL casts it
//! back with [`cast_real`]; Rust's shortest round-trip formatting keeps the value exact.

/// The SQL that casts `placeholder` (`$6`), a parameter written by [`real_param`], back
/// to a real. The actor queries write the same cast out in their fixed SQL.
pub(crate) fn cast_real(placeholder: &str) -> String {
    format!("CAST({placeholder} AS DOUBLE PRECISION)")
}

/// A nullable real as the text parameter [`cast_real`] reads.
pub(crate) fn real_param(value: Option<f64>) -> Option<String> {
    value.map(|v| format!("{v:?}"))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The text parameter reads back as the very same number.
        #[test]
        fn a_real_survives_its_text_form(v in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO) {
            let text = real_param(Some(v)).unwrap();
            prop_assert_eq!(text.parse::<f64>().unwrap().to_bits(), v.to_bits());
        }
    }

    #[test]
    fn a_missing_real_stays_missing() {
        assert_eq!(real_param(None), None);
        assert_eq!(cast_real("$6"), "CAST($6 AS DOUBLE PRECISION)");
    }
}

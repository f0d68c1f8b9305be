//! Timestamps as the store keeps them: RFC 3339 text in UTC with milliseconds, which sorts
//! as text and reads the same on both backends.

use chrono::{DateTime, SecondsFormat, Utc};

/// The current time in the stored format.
pub(crate) fn now() -> String {
    format(Utc::now())
}

/// A time in the stored format.
pub(crate) fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

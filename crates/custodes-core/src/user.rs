//! People who sign in: the rules for their names and passwords.

use serde::{Deserialize, Serialize};

use crate::access::{Level, Role};
use crate::id::UserId;

/// A user as everyone but the user's own password sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The user's id.
    pub id: UserId,
    /// The name used to sign in.
    pub username: String,
    /// The name shown to others.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The highest level the user may read.
    pub clearance: Level,
    /// A disabled user cannot sign in.
    pub disabled: bool,
}

/// Why a username or password was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidCredential {
    /// The username breaks the naming rule.
    #[error(
        "invalid username '{0}': use 2 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter"
    )]
    Username(String),
    /// The password is too short.
    #[error("the password is too short: use at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    /// The password is too long to hash safely.
    #[error("the password is too long: use at most {MAX_PASSWORD_CHARS} characters")]
    PasswordTooLong,
}

/// The shortest password accepted. Length is what makes a password strong; no rule on
/// character classes is imposed, in line with current guidance on memorised secrets.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Checks a username and returns it normalised (trimmed).
pub fn check_username(name: &str) -> Result<String, InvalidCredential> {
    let name = name.trim();
    let ok = (2..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(InvalidCredential::Username(name.to_owned()))
    }
}

/// Checks a new password's length.
pub fn check_password(password: &str) -> Result<(), InvalidCredential> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        Err(InvalidCredential::PasswordTooShort)
    } else if n > MAX_PASSWORD_CHARS {
        Err(InvalidCredential::PasswordTooLong)
    } else {
        Ok(())
    }
}

/// Sign-in throttling: failed attempts counted over a sliding window, per account and per
/// network address. Past the limit, sign-in is refused without checking the password
/// until the window has passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttle {
    /// The window, in seconds.
    pub window_secs: i64,
    /// Failures allowed per account within the window.
    pub per_account: i64,
    /// Failures allowed per address within the window (an office shares an address).
    pub per_address: i64,
}

/// The throttle in force.
pub const THROTTLE: Throttle = Throttle {
    window_secs: 15 * 60,
    per_account: 5,
    per_address: 20,
};

impl Throttle {
    /// True when another attempt may be made, given the failures counted in the window.
    pub fn allows(&self, account_failures: i64, address_failures: i64) -> bool {
        account_failures < self.per_account && address_failures < self.per_address
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case("alice", true)]
    #[case("j.doe-2", true)]
    #[case("  bob ", true)]
    #[case("Alice", false)]
    #[case("1alice", false)]
    #[case("a", false)]
    #[case("al ice", false)]
    fn checks_usernames(#[case] name: &str, #[case] ok: bool) {
        assert_eq!(check_username(name).is_ok(), ok, "{name}");
    }

    #[rstest]
    #[case(0, 0, true)]
    #[case(4, 19, true)]
    #[case(5, 0, false)]
    #[case(0, 20, false)]
    fn throttles(#[case] account: i64, #[case] address: i64, #[case] allowed: bool) {
        assert_eq!(THROTTLE.allows(account, address), allowed);
    }

    #[rstest]
    #[case("short", Err(InvalidCredential::PasswordTooShort))]
    #[case("twelve chars", Ok(()))]
    #[case("ééééééééééé", Err(InvalidCredential::PasswordTooShort))]
    fn checks_password_length(#[case] pw: &str, #[case] expected: Result<(), InvalidCredential>) {
        assert_eq!(check_password(pw), expected);
    }
}

//! The optional second factor: time-based one-time codes (TOTP, RFC 6238) from an
//! authenticator app, 6 digits every 30 seconds, one step of clock drift allowed.

use custodes_core::audit::Actor;
use custodes_core::user::User;
use rand::Rng;
use serde::Serialize;
use sqlx::Row;
use totp_rs::{Builder, Secret};

use crate::database::Store;
use crate::error::StoreError;

/// A new secret, as the base32 text an authenticator app takes.
pub fn new_secret() -> String {
    let bytes: [u8; 20] = rand::rng().random();
    Secret::from(bytes).to_base32()
}

fn totp(secret_b32: &str, username: &str) -> Option<totp_rs::Totp> {
    let secret = Secret::try_from_base32(secret_b32).ok()?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(username)
        .with_issuer(Some("Custodes"))
        .build()
        .ok()
}

/// The `otpauth://` address an authenticator app reads (for a QR code or a link).
pub fn otpauth_url(secret_b32: &str, username: &str) -> Option<String> {
    totp(secret_b32, username)?.to_url().ok()
}

/// True when `code` is the current code of the secret (or the one before or after).
pub fn check(secret_b32: &str, code: &str, unix_time: u64) -> bool {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    totp(secret_b32, "user").is_some_and(|t| t.check(&code, unix_time).is_some())
}

/// The code of a secret at a given time (for tests and tools).
pub fn code_at(secret_b32: &str, unix_time: u64) -> Option<String> {
    Some(totp(secret_b32, "user")?.generate(unix_time).to_string())
}

/// Seconds since 1970, now.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[derive(Serialize)]
struct SecondFactor {
    enabled: bool,
}

impl Store {
    /// The user's TOTP secret, when they set one up.
    pub(crate) async fn totp_secret(&self, user: &User) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT totp_secret FROM app_user WHERE id = $1")
            .bind(user.id.to_string())
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// True when the user signs in with a second factor.
    pub async fn has_second_factor(&self, user: &User) -> Result<bool, StoreError> {
        Ok(self.totp_secret(user).await?.is_some())
    }

    /// Turns the second factor on, once the user proves their app has the secret by
    /// giving its current code.
    pub async fn enable_second_factor(
        &self,
        user: &User,
        secret_b32: &str,
        code: &str,
    ) -> Result<(), StoreError> {
        if !check(secret_b32, code, now_unix()) {
            return Err(StoreError::Invalid(
                "the code is not right: enter the 6-digit code your app shows now".into(),
            ));
        }
        self.write_second_factor(user, Some(secret_b32), "user.second_factor_on")
            .await
    }

    /// Turns the second factor off; the current code is required.
    pub async fn disable_second_factor(&self, user: &User, code: &str) -> Result<(), StoreError> {
        let Some(secret) = self.totp_secret(user).await? else {
            return Ok(());
        };
        if !check(&secret, code, now_unix()) {
            return Err(StoreError::Invalid(
                "the code is not right: enter the 6-digit code your app shows now".into(),
            ));
        }
        self.write_second_factor(user, None, "user.second_factor_off")
            .await
    }

    /// Removes a user's second factor on an administrator's word, for a lost phone.
    pub async fn reset_second_factor(&self, actor: &Actor, user: &User) -> Result<(), StoreError> {
        self.write_second_factor_as(actor, user, None, "user.second_factor_reset")
            .await
    }

    async fn write_second_factor(
        &self,
        user: &User,
        secret: Option<&str>,
        action: &str,
    ) -> Result<(), StoreError> {
        let actor = Actor::User {
            id: user.id,
            username: user.username.clone(),
        };
        self.write_second_factor_as(&actor, user, secret, action)
            .await
    }

    async fn write_second_factor_as(
        &self,
        actor: &Actor,
        user: &User,
        secret: Option<&str>,
        action: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE app_user SET totp_secret = $1, updated_at = $2 WHERE id = $3")
            .bind(secret)
            .bind(crate::time::now())
            .bind(user.id.to_string())
            .execute(tx.conn())
            .await?;
        let state = SecondFactor {
            enabled: secret.is_some(),
        };
        tx.audit(actor, action, "user", &user.id.to_string(), None, &state)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks a sign-in code against the user's secret (true when they have none).
    pub(crate) async fn second_factor_passes(
        &self,
        user: &User,
        code: Option<&str>,
    ) -> Result<Option<bool>, StoreError> {
        match self.totp_secret(user).await? {
            None => Ok(None),
            Some(secret) => Ok(Some(code.is_some_and(|c| check(&secret, c, now_unix())))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_the_rfc_test_secret() {
        // RFC 6238 appendix B, SHA-1, secret "12345678901234567890", 6 digits.
        let secret = Secret::from(*b"12345678901234567890").to_base32();
        assert!(check(&secret, "287082", 59));
        assert!(check(&secret, "287 082", 59));
        assert!(check(&secret, "081804", 1_111_111_109));
        assert!(!check(&secret, "081805", 1_111_111_109));
        // One step of drift either way is allowed, two are not.
        assert!(check(&secret, "081804", 1_111_111_109 + 30));
        assert!(!check(&secret, "081804", 1_111_111_109 + 90));
    }

    #[test]
    fn secrets_are_fresh_and_make_urls() {
        let a = new_secret();
        assert_ne!(a, new_secret());
        let url = otpauth_url(&a, "planner").unwrap();
        assert!(url.starts_with("otpauth://totp/Custodes:planner?"), "{url}");
    }
}

//! Password hashing with Argon2id.
//!
//! Hashing is deliberately slow; callers on an async runtime run it on a blocking thread
//! (see [`hash_blocking`] and [`verify_blocking`]).

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};

/// Hashes a password with Argon2id and a fresh random salt, in PHC string form.
pub fn hash(password: &str) -> String {
    // With default parameters and a generated salt, hashing can only fail on an
    // out-of-memory condition, which aborts anyway.
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .expect("argon2 hashing with default parameters")
}

/// True when `password` matches the stored PHC `hash`. A malformed hash matches nothing.
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// [`hash`] on a blocking thread.
pub async fn hash_blocking(password: String) -> String {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .expect("password hashing task")
}

/// [`verify`] on a blocking thread.
pub async fn verify_blocking(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify(&password, &hash))
        .await
        .unwrap_or(false)
}

/// A strong random password of 20 letters and digits, for accounts an administrator
/// creates (shown once, to be changed by its owner).
pub fn generate() -> String {
    use rand::Rng;
    rand::rng()
        .sample_iter(&rand::distr::Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery staple");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery staple", &h));
        assert!(!verify("correct horse battery stapler", &h));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn salts_differ() {
        assert_ne!(hash("same password here"), hash("same password here"));
    }
}

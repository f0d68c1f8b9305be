//! Random secrets (session and API tokens) and the hashes under which they are stored.

use rand::Rng;
use sha2::{Digest, Sha256};

/// A new random secret: 32 bytes from the operating system's generator, as 64 hex
/// characters.
pub(crate) fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

/// The hash under which a secret is stored: a leaked table does not give working tokens.
pub(crate) fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

//! Keyed blind indexes: equality search over encrypted columns. The index
//! is HMAC-SHA-256 under a key separate from the data keys, over a purpose
//! label and the normalised value, so equal values match within a purpose
//! and nothing can be learned without the key (no plain or unkeyed hash).

use std::fmt;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The index of one value, as stored in an indexed column.
pub type BlindIndex = [u8; 32];

#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct BlindIndexKey {
    bytes: [u8; 32],
}

impl fmt::Debug for BlindIndexKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BlindIndexKey([redacted])")
    }
}

impl BlindIndexKey {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self { bytes }
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self { bytes }
    }

    /// The index of `value` for `purpose` (e.g. `users.email`). Values are
    /// normalised first: trimmed, inner whitespace collapsed, lower-cased.
    pub fn index(&self, purpose: &str, value: &str) -> BlindIndex {
        let normalised = value
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.bytes) else {
            unreachable!("HMAC takes keys of any length")
        };
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(normalised.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    #[test]
    fn equal_values_match_after_normalisation_within_a_purpose() {
        let key = BlindIndexKey::generate();
        assert_eq!(
            key.index("users.email", "Anna.Maker@Rhein-Valley.example "),
            key.index("users.email", "anna.maker@rhein-valley.example")
        );
        assert_eq!(
            key.index("counterparty", "Lion  City Components"),
            key.index("counterparty", "lion city components")
        );
        assert_ne!(
            key.index("users.email", "a@b.example"),
            key.index("counterparty", "a@b.example")
        );
        assert_ne!(
            key.index("users.email", "a@b.example"),
            key.index("users.email", "c@b.example")
        );
    }

    #[test]
    fn the_index_depends_on_the_key_and_is_no_plain_hash() {
        let value = "lion city components";
        let (a, b) = (BlindIndexKey::generate(), BlindIndexKey::generate());
        assert_ne!(
            a.index("counterparty", value),
            b.index("counterparty", value)
        );
        let plain: [u8; 32] = Sha256::digest(value.as_bytes()).into();
        assert_ne!(a.index("counterparty", value), plain);
        assert!(format!("{a:?}").contains("redacted"));
    }
}

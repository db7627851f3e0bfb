//! AES-256-GCM for one column value, bound to where it lives.

use aes_gcm::Nonce;
use aes_gcm::aead::{Aead, Payload};
use rand::RngCore;

use super::keys::DataKey;

/// Format version of the ciphertext layout.
const FORMAT: u8 = 1;
const NONCE_BYTES: usize = 12;
const HEADER_BYTES: usize = 1 + 4 + NONCE_BYTES;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error(
        "the value does not decrypt here: it was altered, or belongs to another row, column or key"
    )]
    Tampered,
    #[error("the key this value was encrypted with is unknown")]
    UnknownKey,
    #[error("the key this value was encrypted with was destroyed: the value is erased")]
    Erased,
    #[error("encryption failed")]
    Encrypt,
    #[error("master keys are `version:base64(32 bytes)` separated by commas, versions unique")]
    MasterKeyFormat,
}

/// Where a value lives: its table, column and row. Bound into the
/// ciphertext as additional authenticated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row: &'a str,
}

impl Binding<'_> {
    fn aad(&self, key_version: u32) -> Vec<u8> {
        format!(
            "lcp/column/v1|{}|{}|{}|{key_version}",
            self.table, self.column, self.row
        )
        .into_bytes()
    }
}

/// A ciphertext as stored: `format (1) || key version (4, big endian) ||
/// nonce (12) || ciphertext and tag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed(pub Vec<u8>);

impl Sealed {
    /// The data key version the value needs.
    pub fn key_version(&self) -> Result<u32, CryptoError> {
        match self.0.as_slice() {
            [FORMAT, a, b, c, d, ..] if self.0.len() >= HEADER_BYTES => {
                Ok(u32::from_be_bytes([*a, *b, *c, *d]))
            }
            _ => Err(CryptoError::Tampered),
        }
    }
}

/// Encrypts `plaintext` for `binding` under `key`, with a fresh random
/// 96-bit nonce (never reused: 2^-32 collision bound at 2^32 values a key,
/// far above what one organisation's data key encrypts before rotation).
pub fn seal(key: &DataKey, binding: Binding<'_>, plaintext: &[u8]) -> Result<Sealed, CryptoError> {
    let mut nonce = [0u8; NONCE_BYTES];
    rand::rng().fill_bytes(&mut nonce);
    let aad = binding.aad(key.version);
    let ciphertext = key
        .cipher()
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| CryptoError::Encrypt)?;
    let mut out = Vec::with_capacity(HEADER_BYTES + ciphertext.len());
    out.push(FORMAT);
    out.extend_from_slice(&key.version.to_be_bytes());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    Ok(Sealed(out))
}

/// Decrypts a value stored at `binding`; `key` must be the version the
/// value names (see [`Sealed::key_version`]).
pub fn open(key: &DataKey, binding: Binding<'_>, sealed: &Sealed) -> Result<Vec<u8>, CryptoError> {
    if sealed.key_version()? != key.version {
        return Err(CryptoError::UnknownKey);
    }
    let nonce = &sealed.0[5..HEADER_BYTES];
    let aad = binding.aad(key.version);
    key.cipher()
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: &sealed.0[HEADER_BYTES..],
                aad: &aad,
            },
        )
        .map_err(|_| CryptoError::Tampered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HERE: Binding<'static> = Binding {
        table: "credits",
        column: "goods_description",
        row: "row-1",
    };

    #[test]
    fn a_value_round_trips_and_names_its_key_version() {
        let key = DataKey::generate(3);
        let sealed = seal(&key, HERE, b"2,000 MT PRIME STEEL COILS").unwrap();
        assert_eq!(sealed.key_version(), Ok(3));
        assert_eq!(
            open(&key, HERE, &sealed).unwrap(),
            b"2,000 MT PRIME STEEL COILS"
        );
        assert!(
            !sealed.0.windows(5).any(|w| w == b"STEEL"),
            "no plaintext in the ciphertext"
        );
    }

    #[test]
    fn a_ciphertext_moved_to_another_row_or_column_fails_instead_of_showing_wrong_data() {
        let key = DataKey::generate(1);
        let sealed = seal(&key, HERE, b"Rhein Valley Instruments GmbH").unwrap();
        for elsewhere in [
            Binding {
                row: "row-2",
                ..HERE
            },
            Binding {
                column: "applicant_name",
                ..HERE
            },
            Binding {
                table: "amendments",
                ..HERE
            },
        ] {
            assert_eq!(
                open(&key, elsewhere, &sealed),
                Err(CryptoError::Tampered),
                "{elsewhere:?}"
            );
        }
    }

    #[test]
    fn another_key_or_version_does_not_open_it() {
        let sealed = seal(&DataKey::generate(1), HERE, b"secret").unwrap();
        assert_eq!(
            open(&DataKey::generate(1), HERE, &sealed),
            Err(CryptoError::Tampered)
        );
        assert_eq!(
            open(&DataKey::generate(2), HERE, &sealed),
            Err(CryptoError::UnknownKey)
        );
        assert_eq!(Sealed(vec![1, 0]).key_version(), Err(CryptoError::Tampered));
    }

    #[test]
    fn nonces_are_fresh_for_every_value() {
        let key = DataKey::generate(1);
        let nonces: std::collections::HashSet<Vec<u8>> = (0..2000)
            .map(|_| seal(&key, HERE, b"same").unwrap().0[5..HEADER_BYTES].to_vec())
            .collect();
        assert_eq!(nonces.len(), 2000);
    }

    proptest! {
        #[test]
        fn any_flipped_bit_is_detected(plaintext in proptest::collection::vec(any::<u8>(), 0..64), bit in any::<prop::sample::Index>()) {
            let key = DataKey::generate(1);
            let mut sealed = seal(&key, HERE, &plaintext).unwrap();
            let i = bit.index(sealed.0.len() * 8);
            sealed.0[i / 8] ^= 1 << (i % 8);
            prop_assert!(open(&key, HERE, &sealed).is_err());
        }
    }
}

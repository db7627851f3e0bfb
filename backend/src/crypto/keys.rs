//! Key material: master keys (outside the database, from a [`KeyProvider`])
//! and data keys (per organisation, stored wrapped by a master key). Both
//! zeroise their bytes when dropped and never print them.

use std::collections::BTreeMap;
use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::cipher::CryptoError;

const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 12;

/// A 256-bit master key with its version.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterKey {
    #[zeroize(skip)]
    pub version: u32,
    bytes: [u8; KEY_BYTES],
}

/// A 256-bit data key with its version.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey {
    #[zeroize(skip)]
    pub version: u32,
    bytes: [u8; KEY_BYTES],
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey(v{}, [redacted])", self.version)
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKey(v{}, [redacted])", self.version)
    }
}

impl DataKey {
    /// A fresh random key from the operating system's generator.
    pub fn generate(version: u32) -> Self {
        let mut bytes = [0u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self { version, bytes }
    }

    pub(super) fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new((&self.bytes).into())
    }

    pub(super) fn bytes(&self) -> &[u8; KEY_BYTES] {
        &self.bytes
    }
}

impl MasterKey {
    pub fn from_bytes(version: u32, bytes: [u8; KEY_BYTES]) -> Self {
        Self { version, bytes }
    }
}

/// Where master keys come from: the environment, a file, or a KMS/HSM
/// behind the same trait.
pub trait KeyProvider: Send + Sync + fmt::Debug {
    /// The version new data keys are wrapped with.
    fn current(&self) -> Result<MasterKey, CryptoError>;
    /// A given version, to unwrap data keys wrapped before a rotation.
    fn version(&self, version: u32) -> Result<MasterKey, CryptoError>;
}

/// Master keys from `LCP_MASTER_KEYS`: `1:<base64 32 bytes>,2:<...>`; the
/// highest version is current. Older versions stay until every data key is
/// re-wrapped.
pub struct EnvKeyProvider {
    keys: BTreeMap<u32, MasterKey>,
}

impl fmt::Debug for EnvKeyProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvKeyProvider")
            .field("versions", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl EnvKeyProvider {
    pub fn parse(spec: &SecretString) -> Result<Self, CryptoError> {
        let mut keys = BTreeMap::new();
        for item in spec
            .expose_secret()
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            let (version, encoded) = item.split_once(':').ok_or(CryptoError::MasterKeyFormat)?;
            let version: u32 = version
                .trim()
                .parse()
                .map_err(|_| CryptoError::MasterKeyFormat)?;
            let mut decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .map_err(|_| CryptoError::MasterKeyFormat)?;
            let bytes: [u8; KEY_BYTES] = decoded
                .as_slice()
                .try_into()
                .map_err(|_| CryptoError::MasterKeyFormat)?;
            decoded.zeroize();
            if keys.insert(version, MasterKey { version, bytes }).is_some() {
                return Err(CryptoError::MasterKeyFormat);
            }
        }
        if keys.is_empty() {
            return Err(CryptoError::MasterKeyFormat);
        }
        Ok(Self { keys })
    }
}

impl KeyProvider for EnvKeyProvider {
    fn current(&self) -> Result<MasterKey, CryptoError> {
        self.keys
            .values()
            .next_back()
            .cloned()
            .ok_or(CryptoError::UnknownKey)
    }

    fn version(&self, version: u32) -> Result<MasterKey, CryptoError> {
        self.keys
            .get(&version)
            .cloned()
            .ok_or(CryptoError::UnknownKey)
    }
}

fn wrap_aad(scope: &str, data_version: u32, master_version: u32) -> Vec<u8> {
    format!("lcp/data-key/v1|{scope}|{data_version}|{master_version}").into_bytes()
}

/// The data key encrypted under the master key, bound to its scope (e.g.
/// the organisation) and both versions: `nonce || ciphertext+tag`.
pub fn wrap_data_key(
    master: &MasterKey,
    scope: &str,
    key: &DataKey,
) -> Result<Vec<u8>, CryptoError> {
    let mut nonce = [0u8; NONCE_BYTES];
    rand::rng().fill_bytes(&mut nonce);
    let cipher = Aes256Gcm::new((&master.bytes).into());
    let aad = wrap_aad(scope, key.version, master.version);
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: key.bytes(),
                aad: &aad,
            },
        )
        .map_err(|_| CryptoError::Encrypt)?;
    Ok([nonce.as_slice(), &sealed].concat())
}

pub fn unwrap_data_key(
    master: &MasterKey,
    scope: &str,
    version: u32,
    wrapped: &[u8],
) -> Result<DataKey, CryptoError> {
    if wrapped.len() < NONCE_BYTES {
        return Err(CryptoError::Tampered);
    }
    let (nonce, sealed) = wrapped.split_at(NONCE_BYTES);
    let cipher = Aes256Gcm::new((&master.bytes).into());
    let aad = wrap_aad(scope, version, master.version);
    let mut plain = cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .map_err(|_| CryptoError::Tampered)?;
    let bytes: Result<[u8; KEY_BYTES], _> = plain.as_slice().try_into();
    plain.zeroize();
    Ok(DataKey {
        version,
        bytes: bytes.map_err(|_| CryptoError::Tampered)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(versions: &[u32]) -> SecretString {
        let parts: Vec<String> = versions
            .iter()
            .map(|v| {
                format!(
                    "{v}:{}",
                    base64::engine::general_purpose::STANDARD.encode([*v as u8; 32])
                )
            })
            .collect();
        SecretString::from(parts.join(","))
    }

    #[test]
    fn the_highest_master_key_version_is_current_and_older_ones_stay_readable() {
        let provider = EnvKeyProvider::parse(&spec(&[1, 3, 2])).unwrap();
        assert_eq!(provider.current().unwrap().version, 3);
        assert_eq!(provider.version(1).unwrap().version, 1);
        assert!(provider.version(4).is_err());
    }

    #[test]
    fn malformed_master_keys_are_refused() {
        for bad in ["", "1:", "x:AAAA", "1:AAAA", "1:not base64!", "1:{k},1:{k}"] {
            let bad = bad.replace(
                "{k}",
                &base64::engine::general_purpose::STANDARD.encode([0u8; 32]),
            );
            assert!(
                EnvKeyProvider::parse(&SecretString::from(bad.clone())).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn keys_never_print_their_bytes() {
        let key = DataKey::generate(7);
        let printed = format!("{key:?} {:?}", EnvKeyProvider::parse(&spec(&[1])).unwrap());
        assert!(printed.contains("redacted") || printed.contains("versions"));
        assert!(
            !printed.contains(&format!("{:?}", key.bytes())),
            "{printed}"
        );
        assert!(!printed.contains(&base64::engine::general_purpose::STANDARD.encode([1u8; 32])));
    }

    #[test]
    fn a_wrapped_data_key_opens_only_with_its_master_scope_and_versions() {
        let provider = EnvKeyProvider::parse(&spec(&[1, 2])).unwrap();
        let master = provider.current().unwrap();
        let key = DataKey::generate(4);
        let wrapped = wrap_data_key(&master, "org:A", &key).unwrap();
        assert_eq!(
            unwrap_data_key(&master, "org:A", 4, &wrapped)
                .unwrap()
                .bytes(),
            key.bytes()
        );
        assert!(
            unwrap_data_key(&master, "org:B", 4, &wrapped).is_err(),
            "another organisation"
        );
        assert!(
            unwrap_data_key(&master, "org:A", 5, &wrapped).is_err(),
            "another version"
        );
        assert!(
            unwrap_data_key(&provider.version(1).unwrap(), "org:A", 4, &wrapped).is_err(),
            "another master"
        );
        assert!(
            !wrapped.windows(32).any(|w| w == key.bytes()),
            "the key is not in the wrapping"
        );
    }
}

//! Column encryption with envelope keys.
//!
//! Sensitive columns hold AES-256-GCM ciphertexts under a per-organisation
//! data key. Data keys are stored only wrapped by a master key that never
//! enters the database ([`KeyProvider`]). Each ciphertext names its key
//! version, and its additional authenticated data binds table, column, row
//! id and key version, so a ciphertext copied to another row or column fails
//! to decrypt instead of showing wrong data. Equality search uses keyed
//! blind indexes (HMAC-SHA-256 under a separate key), never a plain hash.
//!
//! What is here: the primitives, the master-key providers and the key ring
//! (data keys stored wrapped, created on first use, rotated, re-wrapped
//! under a new master key, destroyed for erasure).

mod blind_index;
mod cipher;
mod keyring;
mod keys;
mod provider;

pub use blind_index::{BlindIndex, BlindIndexKey};
pub use cipher::{Binding, CryptoError, Sealed, open, seal};
pub use keyring::{KeyRing, KeyRingError, Purpose, Scope};
pub use keys::{DataKey, EnvKeyProvider, KeyProvider, MasterKey, unwrap_data_key, wrap_data_key};
pub use provider::KeySettings;

//! The key ring: data keys per scope (an organisation, or the platform),
//! created on first use, stored wrapped by the current master key, kept
//! unwrapped in memory only (zeroised on drop).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use tokio::sync::RwLock;
use uuid::Uuid;

use super::blind_index::{BlindIndex, BlindIndexKey};
use super::cipher::{Binding, CryptoError, Sealed, open, seal};
use super::keys::{DataKey, KeyProvider, unwrap_data_key, wrap_data_key};
use crate::store::data_keys::{self, WrappedKey};

/// How long a replica trusts its idea of a scope's newest key version
/// (another replica or `lcp keys` may have rotated it).
const CURRENT_TTL: Duration = Duration::from_secs(60);

/// Whose data a key protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Data that belongs to no single organisation.
    Platform,
    Organisation(Uuid),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Platform => f.write_str("platform"),
            Scope::Organisation(id) => write!(f, "organisation:{id}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    Encryption,
    BlindIndex,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Encryption => "encryption",
            Purpose::BlindIndex => "blind_index",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyRingError {
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error("reading data keys: {0}")]
    Database(#[from] diesel::result::Error),
}

type KeyId = (String, Purpose, i32);

pub struct KeyRing {
    provider: Arc<dyn KeyProvider>,
    keys: RwLock<HashMap<KeyId, Arc<DataKey>>>,
    newest: RwLock<HashMap<(String, Purpose), (i32, Instant)>>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl KeyRing {
    pub fn new(provider: Arc<dyn KeyProvider>) -> Self {
        Self {
            provider,
            keys: RwLock::default(),
            newest: RwLock::default(),
        }
    }

    /// Encrypts a value of `scope` stored at `binding` with the scope's
    /// newest key.
    pub async fn seal(
        &self,
        connection: &mut AsyncPgConnection,
        scope: Scope,
        binding: Binding<'_>,
        plaintext: &[u8],
    ) -> Result<Sealed, KeyRingError> {
        let key = self
            .newest_key(connection, scope, Purpose::Encryption)
            .await?;
        Ok(seal(&key, binding, plaintext)?)
    }

    /// Decrypts a value with the key version it names; a destroyed key
    /// answers [`CryptoError::Erased`].
    pub async fn open(
        &self,
        connection: &mut AsyncPgConnection,
        scope: Scope,
        binding: Binding<'_>,
        sealed: &Sealed,
    ) -> Result<Vec<u8>, KeyRingError> {
        let version = i32::try_from(sealed.key_version()?).map_err(|_| CryptoError::Tampered)?;
        let key = self
            .key(connection, scope, Purpose::Encryption, version)
            .await?;
        Ok(open(&key, binding, sealed)?)
    }

    /// The blind index of `value` for `purpose` within `scope` (its first
    /// index key: indexes must stay comparable across data-key rotations).
    pub async fn blind_index(
        &self,
        connection: &mut AsyncPgConnection,
        scope: Scope,
        purpose: &str,
        value: &str,
    ) -> Result<BlindIndex, KeyRingError> {
        if data_keys::find(
            connection,
            &scope.to_string(),
            Purpose::BlindIndex.as_str(),
            1,
        )
        .await?
        .is_none()
        {
            self.create(connection, scope, Purpose::BlindIndex, 1)
                .await?;
        }
        let key = self.key(connection, scope, Purpose::BlindIndex, 1).await?;
        Ok(BlindIndexKey::from_bytes(*key.bytes()).index(purpose, value))
    }

    /// Starts a new data-key version for a scope (new values use it; old
    /// values keep opening with the version they name).
    pub async fn rotate(
        &self,
        connection: &mut AsyncPgConnection,
        scope: Scope,
    ) -> Result<i32, KeyRingError> {
        let newest =
            data_keys::newest(connection, &scope.to_string(), Purpose::Encryption.as_str()).await?;
        let version = newest.map_or(1, |key| key.version + 1);
        self.create(connection, scope, Purpose::Encryption, version)
            .await?;
        self.newest
            .write()
            .await
            .remove(&(scope.to_string(), Purpose::Encryption));
        Ok(version)
    }

    /// Re-wraps every data key under the current master key, in batches;
    /// stopping half way and starting again carries on where it stopped.
    /// Calls `progress(done)` after each batch.
    pub async fn rewrap_all(
        &self,
        connection: &mut AsyncPgConnection,
        batch: i64,
        mut progress: impl FnMut(usize),
    ) -> Result<usize, KeyRingError> {
        let master = self.provider.current()?;
        let current = i32::try_from(master.version).map_err(|_| CryptoError::UnknownKey)?;
        let mut done = 0;
        loop {
            let keys = data_keys::wrapped_with_other_master(connection, current, batch).await?;
            if keys.is_empty() {
                return Ok(done);
            }
            for key in &keys {
                let unwrapped = self.unwrap(key)?;
                let wrapped = wrap_data_key(&master, &key.scope, &unwrapped)?;
                data_keys::rewrap(connection, key, &wrapped, current).await?;
                done += 1;
            }
            progress(done);
        }
    }

    /// Crypto-shredding: destroys every key of the scope, here and in this
    /// replica's memory (other replicas forget within their cache lifetime
    /// at the latest on restart; see the erasure runbook).
    pub async fn destroy(
        &self,
        connection: &mut AsyncPgConnection,
        scope: Scope,
    ) -> Result<usize, KeyRingError> {
        let destroyed =
            data_keys::destroy_scope(connection, &scope.to_string(), Utc::now()).await?;
        let name = scope.to_string();
        self.keys
            .write()
            .await
            .retain(|(key_scope, _, _), _| *key_scope != name);
        self.newest
            .write()
            .await
            .retain(|(key_scope, _), _| *key_scope != name);
        Ok(destroyed)
    }

    async fn newest_key(
        &self,
        connection: &mut AsyncPgConnection,
        scope: Scope,
        purpose: Purpose,
    ) -> Result<Arc<DataKey>, KeyRingError> {
        let name = scope.to_string();
        let cached = self
            .newest
            .read()
            .await
            .get(&(name.clone(), purpose))
            .copied();
        let version = match cached {
            Some((version, at)) if at.elapsed() < CURRENT_TTL => version,
            _ => {
                let version = match data_keys::newest(connection, &name, purpose.as_str()).await? {
                    Some(key) if key.destroyed_at.is_some() => {
                        return Err(CryptoError::Erased.into());
                    }
                    Some(key) => key.version,
                    None => {
                        self.create(connection, scope, purpose, 1).await?;
                        1
                    }
                };
                self.newest
                    .write()
                    .await
                    .insert((name, purpose), (version, Instant::now()));
                version
            }
        };
        self.key(connection, scope, purpose, version).await
    }

    async fn key(
        &self,
        connection: &mut AsyncPgConnection,
        scope: Scope,
        purpose: Purpose,
        version: i32,
    ) -> Result<Arc<DataKey>, KeyRingError> {
        let id = (scope.to_string(), purpose, version);
        if let Some(key) = self.keys.read().await.get(&id) {
            return Ok(key.clone());
        }
        let stored = data_keys::find(connection, &id.0, purpose.as_str(), version)
            .await?
            .ok_or(CryptoError::UnknownKey)?;
        let key = Arc::new(self.unwrap(&stored)?);
        self.keys.write().await.insert(id, key.clone());
        Ok(key)
    }

    fn unwrap(&self, stored: &WrappedKey) -> Result<DataKey, CryptoError> {
        let wrapped = stored.wrapped_key.as_deref().ok_or(CryptoError::Erased)?;
        let master_version =
            u32::try_from(stored.master_version).map_err(|_| CryptoError::UnknownKey)?;
        let version = u32::try_from(stored.version).map_err(|_| CryptoError::UnknownKey)?;
        let master = self.provider.version(master_version)?;
        unwrap_data_key(&master, &stored.scope, version, wrapped)
    }

    async fn create(
        &self,
        connection: &mut AsyncPgConnection,
        scope: Scope,
        purpose: Purpose,
        version: i32,
    ) -> Result<(), KeyRingError> {
        let master = self.provider.current()?;
        let key = DataKey::generate(u32::try_from(version).map_err(|_| CryptoError::UnknownKey)?);
        let name = scope.to_string();
        let wrapped = wrap_data_key(&master, &name, &key)?;
        data_keys::insert(
            connection,
            &WrappedKey {
                scope: name,
                purpose: purpose.as_str().to_owned(),
                version,
                wrapped_key: Some(wrapped),
                master_version: i32::try_from(master.version)
                    .map_err(|_| CryptoError::UnknownKey)?,
                created_at: Utc::now(),
                destroyed_at: None,
            },
        )
        .await?;
        Ok(())
    }
}

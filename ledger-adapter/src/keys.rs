//! Participant keys: who may sign entries, and when.
//!
//! Each organisation signs its entries with Ed25519 keys registered under
//! its pseudonymous [`ParticipantId`]. A key is valid from `valid_from` until
//! it is renewed (the renewal entry's ledger time) or revoked. Revocation
//! carries an *invalidity time*, the time the key is known or suspected to
//! have been compromised, which may lie before the revocation was
//! published: signatures on entries whose ledger time is at or after it are
//! void, entries before it stay valid. A signature is always judged by the
//! key's status at the entry's ledger time ([`KeyRegistry::key_status_at`]).
//!
//! Renewal is itself a ledger entry of kind [`KeyRenewal::KIND`], committing
//! to the renewal statement and signed by both the old and the new key, so
//! the chain of keys of an organisation can be checked from the log alone.

use std::collections::BTreeMap;

use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::Timestamp;
use crate::commitment::{Entry, EntryError, EntryId, KeyId, ParticipantId, verify_entry_signature};
use crate::merkle::Hash;

/// Why a key operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("key {0} is already registered")]
    AlreadyRegistered(KeyId),
    #[error("key {0} is not registered")]
    UnknownKey(KeyId),
    #[error("key id {0} is not the id of its public key")]
    KeyIdMismatch(KeyId),
    #[error("key {key} belongs to another organisation")]
    WrongOrganisation { key: KeyId },
    #[error("key {key} is not valid at {time}: {status:?}")]
    NotValid {
        key: KeyId,
        time: Timestamp,
        status: KeyStatus,
    },
    #[error("the renewal entry is malformed: {0}")]
    BadRenewal(&'static str),
    #[error("the signature by key {0} does not verify")]
    BadSignature(KeyId),
    #[error(transparent)]
    Entry(#[from] EntryError),
}

/// A renewal: the key that replaced this one, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Renewal {
    pub new_key: KeyId,
    /// The ledger time of the renewal entry.
    pub at: Timestamp,
    /// The renewal entry.
    pub entry: EntryId,
}

/// A revocation: from when on the key's signatures are void, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    /// The invalidity time: compromise known or suspected from here on.
    pub invalid_since: Timestamp,
    pub reason: String,
}

/// One registered key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// The organisation's pseudonymous id.
    pub org: ParticipantId,
    pub key_id: KeyId,
    pub public_key: VerifyingKey,
    pub valid_from: Timestamp,
    pub renewed_by: Option<Renewal>,
    pub revoked: Option<Revocation>,
}

/// A key's status at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    Valid,
    /// Not registered.
    Unknown,
    NotYetValid {
        valid_from: Timestamp,
    },
    /// Replaced by a renewal at or before the time asked about.
    Superseded {
        by: KeyId,
        since: Timestamp,
    },
    /// Revoked with an invalidity time at or before the time asked about.
    Revoked {
        invalid_since: Timestamp,
    },
}

impl KeyRecord {
    /// A fresh record for `public_key`, its id derived from the key.
    pub fn new(org: ParticipantId, public_key: VerifyingKey, valid_from: Timestamp) -> Self {
        Self {
            org,
            key_id: KeyId::of(&public_key),
            public_key,
            valid_from,
            renewed_by: None,
            revoked: None,
        }
    }

    /// The key's status at `time`. Revocation outranks everything: a
    /// compromised key is void from its invalidity time on, renewed or not.
    pub fn status_at(&self, time: Timestamp) -> KeyStatus {
        if let Some(revocation) = &self.revoked
            && time >= revocation.invalid_since
        {
            return KeyStatus::Revoked {
                invalid_since: revocation.invalid_since,
            };
        }
        if time < self.valid_from {
            return KeyStatus::NotYetValid {
                valid_from: self.valid_from,
            };
        }
        if let Some(renewal) = &self.renewed_by
            && time >= renewal.at
        {
            return KeyStatus::Superseded {
                by: renewal.new_key,
                since: renewal.at,
            };
        }
        KeyStatus::Valid
    }
}

/// A problem with one signature of an entry (or its lack of any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureProblem {
    /// The entry carries no signature at all.
    Unsigned,
    UnknownKey(KeyId),
    /// The key was not valid at the entry's ledger time.
    KeyNotValid {
        key: KeyId,
        status: KeyStatus,
    },
    /// The key's organisation is not among the entry's participants.
    SignerNotParticipant {
        key: KeyId,
        org: ParticipantId,
    },
    BadSignature(KeyId),
}

/// All registered keys, with their renewals and revocations.
#[derive(Debug, Clone, Default)]
pub struct KeyRegistry {
    records: BTreeMap<KeyId, KeyRecord>,
}

impl KeyRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a key (an organisation's first key, set up out of band).
    pub fn register(&mut self, record: KeyRecord) -> Result<(), KeyError> {
        if record.key_id != KeyId::of(&record.public_key) {
            return Err(KeyError::KeyIdMismatch(record.key_id));
        }
        if self.records.contains_key(&record.key_id) {
            return Err(KeyError::AlreadyRegistered(record.key_id));
        }
        self.records.insert(record.key_id, record);
        Ok(())
    }

    pub fn get(&self, key: &KeyId) -> Option<&KeyRecord> {
        self.records.get(key)
    }

    pub fn records(&self) -> impl Iterator<Item = &KeyRecord> {
        self.records.values()
    }

    /// The revocation list: every revoked key and its revocation.
    pub fn revocations(&self) -> impl Iterator<Item = (&KeyId, &Revocation)> {
        self.records
            .iter()
            .filter_map(|(id, r)| r.revoked.as_ref().map(|rev| (id, rev)))
    }

    /// The status of `key` at `time` ([`KeyStatus::Unknown`] if unregistered).
    pub fn key_status_at(&self, key: &KeyId, time: Timestamp) -> KeyStatus {
        self.records
            .get(key)
            .map_or(KeyStatus::Unknown, |r| r.status_at(time))
    }

    /// Revokes `key` from `invalid_since` on. Revoking again keeps the
    /// earlier invalidity time: a revocation never makes signatures valid.
    pub fn revoke(
        &mut self,
        key: &KeyId,
        invalid_since: Timestamp,
        reason: impl Into<String>,
    ) -> Result<(), KeyError> {
        let record = self
            .records
            .get_mut(key)
            .ok_or(KeyError::UnknownKey(*key))?;
        match &mut record.revoked {
            Some(existing) if existing.invalid_since <= invalid_since => {}
            slot => {
                *slot = Some(Revocation {
                    invalid_since,
                    reason: reason.into(),
                });
            }
        }
        Ok(())
    }

    /// Judges every signature of `entry` by its key's status at `time`, the
    /// entry's ledger time. An empty result means the entry is properly
    /// signed: at least one signature, and every signature valid.
    pub fn judge_signatures(&self, entry: &Entry, time: Timestamp) -> Vec<SignatureProblem> {
        if entry.signatures.is_empty() {
            return vec![SignatureProblem::Unsigned];
        }
        let mut problems = Vec::new();
        for (key_id, signature) in &entry.signatures {
            let Some(record) = self.records.get(key_id) else {
                problems.push(SignatureProblem::UnknownKey(*key_id));
                continue;
            };
            if !verify_entry_signature(entry, &record.public_key, signature) {
                problems.push(SignatureProblem::BadSignature(*key_id));
                continue;
            }
            if !entry.participants.contains(&record.org) {
                problems.push(SignatureProblem::SignerNotParticipant {
                    key: *key_id,
                    org: record.org,
                });
            }
            let status = record.status_at(time);
            if status != KeyStatus::Valid {
                problems.push(SignatureProblem::KeyNotValid {
                    key: *key_id,
                    status,
                });
            }
        }
        problems
    }

    /// Checks a renewal entry against the registry (see [`verify_renewal`])
    /// and, if it holds, records it: the old key is superseded from the
    /// entry's time, the new key valid from then.
    pub fn apply_renewal(
        &mut self,
        renewal: &KeyRenewal,
        entry: &Entry,
        time: Timestamp,
    ) -> Result<(), KeyError> {
        let new_record = verify_renewal(self, renewal, entry, time)?;
        let old = self
            .records
            .get_mut(&renewal.old_key)
            .ok_or(KeyError::UnknownKey(renewal.old_key))?;
        old.renewed_by = Some(Renewal {
            new_key: renewal.new_key,
            at: time,
            entry: entry.id,
        });
        self.records.insert(new_record.key_id, new_record);
        Ok(())
    }
}

/// The statement a renewal entry commits to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRenewal {
    pub org: ParticipantId,
    pub old_key: KeyId,
    pub new_key: KeyId,
    pub new_public_key: VerifyingKey,
}

impl KeyRenewal {
    /// The entry kind of a renewal.
    pub const KIND: &'static str = "key.renewal";

    pub fn new(org: ParticipantId, old_key: KeyId, new_public_key: VerifyingKey) -> Self {
        Self {
            org,
            old_key,
            new_key: KeyId::of(&new_public_key),
            new_public_key,
        }
    }

    /// What the renewal entry commits to (public, so unsalted):
    /// `SHA-256("lcp-ledger-key-renewal-v1" || 0x00 || org || old || new || public key)`.
    pub fn digest(&self) -> Hash {
        let mut hasher = Sha256::new();
        hasher.update(b"lcp-ledger-key-renewal-v1\0");
        hasher.update(self.org.0);
        hasher.update(self.old_key.0);
        hasher.update(self.new_key.0);
        hasher.update(self.new_public_key.as_bytes());
        hasher.finalize().into()
    }

    /// The renewal entry, signed by the old and the new key.
    pub fn to_entry(
        &self,
        id: EntryId,
        old: &SigningKey,
        new: &SigningKey,
    ) -> Result<Entry, KeyError> {
        if KeyId::of(&old.verifying_key()) != self.old_key {
            return Err(KeyError::KeyIdMismatch(self.old_key));
        }
        if new.verifying_key() != self.new_public_key {
            return Err(KeyError::KeyIdMismatch(self.new_key));
        }
        let mut entry = Entry::new(id, Self::KIND, self.digest(), vec![self.org], Vec::new());
        entry.sign(self.old_key, old)?;
        entry.sign(self.new_key, new)?;
        Ok(entry)
    }
}

/// Checks that `entry`, appended at `time`, renews `renewal.old_key` into
/// `renewal.new_key`: the entry commits to exactly this statement for the
/// old key's organisation, the old key is registered to that organisation
/// and valid at `time`, the new key is not yet registered, and both keys
/// signed (and nobody else). Returns the new key's record, valid from `time`.
pub fn verify_renewal(
    registry: &KeyRegistry,
    renewal: &KeyRenewal,
    entry: &Entry,
    time: Timestamp,
) -> Result<KeyRecord, KeyError> {
    if entry.kind != KeyRenewal::KIND {
        return Err(KeyError::BadRenewal("not a key renewal entry"));
    }
    if entry.commitment != renewal.digest() {
        return Err(KeyError::BadRenewal(
            "the entry commits to another statement",
        ));
    }
    if entry.participants != [renewal.org] || !entry.consumes.is_empty() {
        return Err(KeyError::BadRenewal(
            "a renewal names only its organisation and consumes nothing",
        ));
    }
    if renewal.new_key != KeyId::of(&renewal.new_public_key) {
        return Err(KeyError::KeyIdMismatch(renewal.new_key));
    }
    if registry.get(&renewal.new_key).is_some() {
        return Err(KeyError::AlreadyRegistered(renewal.new_key));
    }
    let old = registry
        .get(&renewal.old_key)
        .ok_or(KeyError::UnknownKey(renewal.old_key))?;
    if old.org != renewal.org {
        return Err(KeyError::WrongOrganisation { key: old.key_id });
    }
    let status = old.status_at(time);
    if status != KeyStatus::Valid {
        return Err(KeyError::NotValid {
            key: old.key_id,
            time,
            status,
        });
    }
    let mut signers: Vec<KeyId> = entry.signatures.iter().map(|(k, _)| *k).collect();
    signers.sort();
    let mut expected = vec![renewal.old_key, renewal.new_key];
    expected.sort();
    if signers != expected {
        return Err(KeyError::BadRenewal(
            "a renewal is signed by the old and the new key only",
        ));
    }
    for (key_id, signature) in &entry.signatures {
        let public_key = if *key_id == renewal.old_key {
            &old.public_key
        } else {
            &renewal.new_public_key
        };
        if !verify_entry_signature(entry, public_key, signature) {
            return Err(KeyError::BadSignature(*key_id));
        }
    }
    Ok(KeyRecord::new(renewal.org, renewal.new_public_key, time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commitment::StateRef;
    use uuid::Uuid;

    const ORG: ParticipantId = ParticipantId([1; 32]);
    const OTHER_ORG: ParticipantId = ParticipantId([2; 32]);

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn id(n: u8) -> EntryId {
        EntryId(Uuid::from_bytes([n; 16]))
    }

    fn registry_with(seed: u8, org: ParticipantId, from: u64) -> (KeyRegistry, KeyId) {
        let mut registry = KeyRegistry::new();
        let record = KeyRecord::new(org, key(seed).verifying_key(), Timestamp(from));
        let key_id = record.key_id;
        registry.register(record).unwrap();
        (registry, key_id)
    }

    fn signed_entry(n: u8, signer: u8) -> Entry {
        let mut entry = Entry::new(
            id(n),
            "credit.issued",
            [n; 32],
            vec![ORG, OTHER_ORG],
            vec![StateRef([n; 32])],
        );
        let k = key(signer);
        entry.sign(KeyId::of(&k.verifying_key()), &k).unwrap();
        entry
    }

    #[test]
    fn status_follows_validity_renewal_and_revocation() {
        let mut record = KeyRecord::new(ORG, key(1).verifying_key(), Timestamp(100));
        assert_eq!(
            record.status_at(Timestamp(99)),
            KeyStatus::NotYetValid {
                valid_from: Timestamp(100)
            }
        );
        assert_eq!(record.status_at(Timestamp(100)), KeyStatus::Valid);
        let new_key = KeyId::of(&key(2).verifying_key());
        record.renewed_by = Some(Renewal {
            new_key,
            at: Timestamp(200),
            entry: id(9),
        });
        assert_eq!(record.status_at(Timestamp(199)), KeyStatus::Valid);
        assert_eq!(
            record.status_at(Timestamp(200)),
            KeyStatus::Superseded {
                by: new_key,
                since: Timestamp(200)
            }
        );
        record.revoked = Some(Revocation {
            invalid_since: Timestamp(150),
            reason: "compromise".into(),
        });
        assert_eq!(record.status_at(Timestamp(149)), KeyStatus::Valid);
        assert_eq!(
            record.status_at(Timestamp(150)),
            KeyStatus::Revoked {
                invalid_since: Timestamp(150)
            }
        );
    }

    #[test]
    fn compromise_at_t_voids_later_entries_and_keeps_earlier_ones() {
        let (mut registry, key_id) = registry_with(1, ORG, 0);
        let before = signed_entry(1, 1);
        let after = signed_entry(2, 1);
        assert!(
            registry
                .judge_signatures(&before, Timestamp(500))
                .is_empty()
        );
        assert!(
            registry
                .judge_signatures(&after, Timestamp(1500))
                .is_empty()
        );
        // the compromise is discovered later and dated back to 1000
        registry
            .revoke(&key_id, Timestamp(1000), "key leaked")
            .unwrap();
        assert!(
            registry
                .judge_signatures(&before, Timestamp(500))
                .is_empty()
        );
        assert_eq!(
            registry.judge_signatures(&after, Timestamp(1500)),
            vec![SignatureProblem::KeyNotValid {
                key: key_id,
                status: KeyStatus::Revoked {
                    invalid_since: Timestamp(1000)
                }
            }]
        );
        // a later revocation does not move the invalidity time forward
        registry.revoke(&key_id, Timestamp(2000), "again").unwrap();
        assert!(
            !registry
                .judge_signatures(&after, Timestamp(1500))
                .is_empty()
        );
        // an earlier one moves it back
        registry.revoke(&key_id, Timestamp(400), "earlier").unwrap();
        assert!(
            !registry
                .judge_signatures(&before, Timestamp(500))
                .is_empty()
        );
        assert_eq!(registry.revocations().count(), 1);
    }

    #[test]
    fn signature_problems_are_named() {
        let (registry, key_id) = registry_with(1, ORG, 0);
        let mut unsigned = signed_entry(1, 1);
        unsigned.signatures.clear();
        assert_eq!(
            registry.judge_signatures(&unsigned, Timestamp(1)),
            vec![SignatureProblem::Unsigned]
        );
        let stranger = signed_entry(1, 5);
        assert_eq!(
            registry.judge_signatures(&stranger, Timestamp(1)),
            vec![SignatureProblem::UnknownKey(KeyId::of(
                &key(5).verifying_key()
            ))]
        );
        let mut altered = signed_entry(1, 1);
        altered.commitment[0] ^= 1;
        assert_eq!(
            registry.judge_signatures(&altered, Timestamp(1)),
            vec![SignatureProblem::BadSignature(key_id)]
        );
        let (other_registry, other_id) = registry_with(1, ParticipantId([7; 32]), 0);
        assert_eq!(
            other_registry.judge_signatures(&signed_entry(1, 1), Timestamp(1)),
            vec![SignatureProblem::SignerNotParticipant {
                key: other_id,
                org: ParticipantId([7; 32])
            }]
        );
    }

    #[test]
    fn registration_checks_the_key_id() {
        let (mut registry, _) = registry_with(1, ORG, 0);
        let again = KeyRecord::new(ORG, key(1).verifying_key(), Timestamp(5));
        assert!(matches!(
            registry.register(again),
            Err(KeyError::AlreadyRegistered(_))
        ));
        let mut wrong = KeyRecord::new(ORG, key(2).verifying_key(), Timestamp(5));
        wrong.key_id = KeyId([0; 32]);
        assert!(matches!(
            registry.register(wrong),
            Err(KeyError::KeyIdMismatch(_))
        ));
    }

    #[test]
    fn renewal_hands_over_from_the_old_key_to_the_new() {
        let (mut registry, old_id) = registry_with(1, ORG, 0);
        let renewal = KeyRenewal::new(ORG, old_id, key(2).verifying_key());
        let entry = renewal.to_entry(id(50), &key(1), &key(2)).unwrap();
        registry
            .apply_renewal(&renewal, &entry, Timestamp(1000))
            .unwrap();
        let new_id = renewal.new_key;
        assert_eq!(
            registry.key_status_at(&old_id, Timestamp(1000)),
            KeyStatus::Superseded {
                by: new_id,
                since: Timestamp(1000)
            }
        );
        assert_eq!(
            registry.key_status_at(&old_id, Timestamp(999)),
            KeyStatus::Valid
        );
        assert_eq!(
            registry.key_status_at(&new_id, Timestamp(1000)),
            KeyStatus::Valid
        );
        assert!(matches!(
            registry.key_status_at(&new_id, Timestamp(999)),
            KeyStatus::NotYetValid { .. }
        ));
        // entries after the renewal must use the new key
        assert!(
            !registry
                .judge_signatures(&signed_entry(3, 1), Timestamp(1001))
                .is_empty()
        );
        assert!(
            registry
                .judge_signatures(&signed_entry(3, 2), Timestamp(1001))
                .is_empty()
        );
        // the same renewal cannot be applied twice
        assert!(
            registry
                .apply_renewal(&renewal, &entry, Timestamp(1002))
                .is_err()
        );
    }

    #[test]
    fn bad_renewals_are_refused() {
        let (registry, old_id) = registry_with(1, ORG, 0);
        let renewal = KeyRenewal::new(ORG, old_id, key(2).verifying_key());
        let good = renewal.to_entry(id(50), &key(1), &key(2)).unwrap();
        verify_renewal(&registry, &renewal, &good, Timestamp(10)).unwrap();

        // signed by the new key only
        let mut only_new = good.clone();
        only_new.signatures.retain(|(k, _)| *k == renewal.new_key);
        assert!(verify_renewal(&registry, &renewal, &only_new, Timestamp(10)).is_err());
        // an old signature that does not verify
        let mut forged = good.clone();
        let stranger = key(9);
        let mut other = good.clone();
        other.commitment = [0; 32];
        other.sign(old_id, &stranger).unwrap();
        let bogus = other
            .signatures
            .iter()
            .find(|(k, _)| *k == old_id)
            .unwrap()
            .1;
        for (k, s) in &mut forged.signatures {
            if *k == old_id {
                *s = bogus;
            }
        }
        assert_eq!(
            verify_renewal(&registry, &renewal, &forged, Timestamp(10)),
            Err(KeyError::BadSignature(old_id))
        );
        // another statement than the one committed to
        let other_statement = KeyRenewal::new(ORG, old_id, key(3).verifying_key());
        assert!(verify_renewal(&registry, &other_statement, &good, Timestamp(10)).is_err());
        // another organisation's key
        let foreign = KeyRenewal::new(OTHER_ORG, old_id, key(2).verifying_key());
        let foreign_entry = foreign.to_entry(id(51), &key(1), &key(2)).unwrap();
        assert_eq!(
            verify_renewal(&registry, &foreign, &foreign_entry, Timestamp(10)),
            Err(KeyError::WrongOrganisation { key: old_id })
        );
        // an old key already revoked at that time
        let mut revoked = registry.clone();
        revoked.revoke(&old_id, Timestamp(5), "compromise").unwrap();
        assert!(matches!(
            verify_renewal(&revoked, &renewal, &good, Timestamp(10)),
            Err(KeyError::NotValid { .. })
        ));
        // not a renewal kind
        let mut wrong_kind = good.clone();
        wrong_kind.kind = "credit.issued".into();
        assert!(verify_renewal(&registry, &renewal, &wrong_kind, Timestamp(10)).is_err());
    }
}

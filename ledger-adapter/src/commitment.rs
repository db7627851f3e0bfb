//! What goes on the ledger: salted commitments to canonical transitions, and
//! entries with one canonical byte encoding.
//!
//! A transition (whatever the backend's domain emits: amounts, parties,
//! goods) is serialised as RFC 8785 canonical JSON and committed to as
//! `SHA-256(salt || canonical bytes)` with a fresh 32-byte random salt. The
//! ledger sees only the commitment, the transition kind, pseudonymous
//! participant ids, consumed state references and signatures. Whoever holds
//! the [`Opening`] (salt and canonical bytes) can later show that a
//! transition is the one the ledger committed to; without the salt, a
//! commitment cannot be tested against guessed transitions.
//!
//! Numbers in transitions: RFC 8785 writes every number as an IEEE 754
//! double, so amounts must be strings (decimal text), never JSON numbers.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::Timestamp;
use crate::merkle::{Hash, leaf_hash};

/// Why a transition could not be committed to.
#[derive(Debug, thiserror::Error)]
pub enum CommitmentError {
    #[error("the transition cannot be written as canonical JSON: {0}")]
    Canonicalization(#[from] serde_json::Error),
}

/// The RFC 8785 (JSON Canonicalization Scheme) bytes of a value.
pub fn canonical_json<T: Serialize>(value: &T) -> Result<Vec<u8>, CommitmentError> {
    Ok(serde_json_canonicalizer::to_vec(value)?)
}

/// A 32-byte random salt. Keep it with the transition, off the ledger: with
/// the salt, a commitment can be tested against guessed transitions.
#[derive(Clone, PartialEq, Eq)]
pub struct Salt(pub [u8; 32]);

impl Salt {
    /// A fresh salt from the operating system's random generator.
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }
}

impl std::fmt::Debug for Salt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Salt(..)")
    }
}

/// `SHA-256(salt || canonical)`.
pub fn commit(salt: &Salt, canonical: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(salt.0);
    hasher.update(canonical);
    hasher.finalize().into()
}

/// What opens a commitment: the salt and the canonical transition bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    pub salt: Salt,
    pub canonical: Vec<u8>,
}

impl Opening {
    /// Canonicalises `transition` and draws a fresh salt.
    pub fn new<T: Serialize>(transition: &T) -> Result<Self, CommitmentError> {
        Ok(Self {
            salt: Salt::random(),
            canonical: canonical_json(transition)?,
        })
    }

    /// The commitment this opening opens.
    pub fn commitment(&self) -> Hash {
        commit(&self.salt, &self.canonical)
    }

    /// Whether this opening opens `commitment`.
    pub fn opens(&self, commitment: &Hash) -> bool {
        &self.commitment() == commitment
    }
}

/// An entry's id: a UUID (version 7 for new entries, so ids sort by time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryId(pub Uuid);

impl EntryId {
    /// A fresh time-ordered id.
    pub fn new_v7() -> Self {
        Self(Uuid::now_v7())
    }
}

impl std::fmt::Display for EntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

macro_rules! bytes32 {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub [u8; 32]);

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                for byte in &self.0 {
                    write!(f, "{byte:02x}")?;
                }
                Ok(())
            }
        }
    };
}

bytes32!(
    /// A participant's pseudonymous id on the ledger (for example a keyed
    /// hash of the organisation id that only the platform can compute).
    ParticipantId
);
bytes32!(
    /// A signing key's id: [`KeyId::of`] a public key.
    KeyId
);
bytes32!(
    /// A reference to a state an entry consumes (for example a hash of the
    /// credit id and version). The notary lets each be consumed once.
    StateRef
);

impl KeyId {
    /// `SHA-256("lcp-ledger-key-id-v1" || 0x00 || public key)`.
    pub fn of(key: &VerifyingKey) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"lcp-ledger-key-id-v1\0");
        hasher.update(key.as_bytes());
        Self(hasher.finalize().into())
    }
}

/// Why an entry is not well formed or its bytes do not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("entry kind {0:?} must be 1 to 64 characters of a-z, 0-9, '.', '_' or '-'")]
    BadKind(String),
    #[error("an entry names at least one participant")]
    NoParticipants,
    #[error("too many {what} ({count}, at most {max})")]
    TooMany {
        what: &'static str,
        count: usize,
        max: usize,
    },
    #[error("{what} appears twice")]
    Duplicate { what: &'static str },
    #[error("{what} is not in ascending order")]
    NotSorted { what: &'static str },
    #[error("unknown encoding version {0}")]
    UnknownVersion(u8),
    #[error("the encoding ends early")]
    Truncated,
    #[error("{0} bytes follow the encoding")]
    TrailingBytes(usize),
}

/// Limits that keep an entry small and its encoding unambiguous.
pub const MAX_KIND_LEN: usize = 64;
pub const MAX_PARTICIPANTS: usize = 64;
pub const MAX_CONSUMES: usize = 256;
pub const MAX_SIGNATURES: usize = 64;

const ENTRY_VERSION: u8 = 1;
const LEAF_VERSION: u8 = 1;
const SIGNING_CONTEXT: &[u8] = b"lcp-ledger-entry-signature-v1\0";

/// One ledger entry: a commitment to a transition, who took part, which
/// states it consumes, and the participants' signatures. Nothing in it is an
/// amount, a party name or goods.
///
/// The canonical encoding (`to_bytes`) writes the lists in ascending order,
/// so the order they are given in does not matter; a list with a repeated
/// element is rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: EntryId,
    pub kind: String,
    pub commitment: Hash,
    pub participants: Vec<ParticipantId>,
    pub consumes: Vec<StateRef>,
    pub signatures: Vec<(KeyId, Signature)>,
}

impl Entry {
    /// An unsigned entry, its lists in canonical (ascending) order.
    pub fn new(
        id: EntryId,
        kind: impl Into<String>,
        commitment: Hash,
        participants: Vec<ParticipantId>,
        consumes: Vec<StateRef>,
    ) -> Self {
        let mut entry = Self {
            id,
            kind: kind.into(),
            commitment,
            participants,
            consumes,
            signatures: Vec::new(),
        };
        entry.normalize();
        entry
    }

    /// Puts the lists in canonical (ascending) order, as decoding returns
    /// them, so that `==` agrees with equal encodings.
    pub fn normalize(&mut self) {
        self.participants.sort();
        self.consumes.sort();
        self.signatures.sort_by_key(|(k, _)| *k);
    }

    /// Checks the kind, the list sizes and that no list repeats an element.
    pub fn validate(&self) -> Result<(), EntryError> {
        let kind_ok = !self.kind.is_empty()
            && self.kind.len() <= MAX_KIND_LEN
            && self
                .kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if !kind_ok {
            return Err(EntryError::BadKind(self.kind.clone()));
        }
        if self.participants.is_empty() {
            return Err(EntryError::NoParticipants);
        }
        check_list(
            "participants",
            &sorted(&self.participants),
            MAX_PARTICIPANTS,
        )?;
        check_list("consumed states", &sorted(&self.consumes), MAX_CONSUMES)?;
        let key_ids: Vec<KeyId> = self.signatures.iter().map(|(k, _)| *k).collect();
        check_list("signing keys", &sorted(&key_ids), MAX_SIGNATURES)?;
        Ok(())
    }

    /// The bytes a participant signs: a context string and the entry
    /// without its signatures.
    pub fn signing_bytes(&self) -> Result<Vec<u8>, EntryError> {
        self.validate()?;
        let mut out = SIGNING_CONTEXT.to_vec();
        self.encode_body(&mut out);
        Ok(out)
    }

    /// Signs the entry with `key`, replacing an earlier signature by the
    /// same key id.
    pub fn sign(&mut self, key_id: KeyId, key: &SigningKey) -> Result<(), EntryError> {
        let signature = key.sign(&self.signing_bytes()?);
        self.signatures.retain(|(k, _)| *k != key_id);
        self.signatures.push((key_id, signature));
        self.signatures.sort_by_key(|(k, _)| *k);
        Ok(())
    }

    /// The canonical encoding: version, id, kind, commitment, then the
    /// participants, consumed states and signatures, each list sorted.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EntryError> {
        self.validate()?;
        let mut out = Vec::with_capacity(
            1 + 16
                + 1
                + self.kind.len()
                + 32
                + 6
                + 32 * (self.participants.len() + self.consumes.len())
                + 96 * self.signatures.len(),
        );
        self.encode_body(&mut out);
        let mut signatures: Vec<&(KeyId, Signature)> = self.signatures.iter().collect();
        signatures.sort_by_key(|(k, _)| *k);
        out.extend_from_slice(&(signatures.len() as u16).to_be_bytes());
        for (key_id, signature) in signatures {
            out.extend_from_slice(&key_id.0);
            out.extend_from_slice(&signature.to_bytes());
        }
        Ok(out)
    }

    /// Decodes canonical bytes, rejecting anything `to_bytes` would not
    /// have produced.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EntryError> {
        let mut r = Reader(bytes);
        let version = r.u8()?;
        if version != ENTRY_VERSION {
            return Err(EntryError::UnknownVersion(version));
        }
        let id = EntryId(Uuid::from_bytes(r.array()?));
        let kind_len = r.u8()? as usize;
        let kind = String::from_utf8(r.take(kind_len)?.to_vec())
            .map_err(|_| EntryError::BadKind(String::from("<not UTF-8>")))?;
        let commitment = r.array()?;
        let participants = r.list("participants", |r| Ok(ParticipantId(r.array()?)), |p| p.0)?;
        let consumes = r.list("consumed states", |r| Ok(StateRef(r.array()?)), |s| s.0)?;
        let signatures = r.list(
            "signing keys",
            |r| Ok((KeyId(r.array()?), Signature::from_bytes(&r.array()?))),
            |(k, _)| k.0,
        )?;
        if !r.0.is_empty() {
            return Err(EntryError::TrailingBytes(r.0.len()));
        }
        let entry = Self {
            id,
            kind,
            commitment,
            participants,
            consumes,
            signatures,
        };
        entry.validate()?;
        Ok(entry)
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        out.push(ENTRY_VERSION);
        out.extend_from_slice(self.id.0.as_bytes());
        // validate() bounds the kind to MAX_KIND_LEN bytes
        out.push(self.kind.len() as u8);
        out.extend_from_slice(self.kind.as_bytes());
        out.extend_from_slice(&self.commitment);
        for list in [
            sorted(&self.participants)
                .iter()
                .map(|p| p.0)
                .collect::<Vec<_>>(),
            sorted(&self.consumes).iter().map(|s| s.0).collect(),
        ] {
            out.extend_from_slice(&(list.len() as u16).to_be_bytes());
            for item in list {
                out.extend_from_slice(&item);
            }
        }
    }
}

fn sorted<T: Ord + Copy>(items: &[T]) -> Vec<T> {
    let mut out = items.to_vec();
    out.sort();
    out
}

fn check_list<T: Eq>(what: &'static str, sorted: &[T], max: usize) -> Result<(), EntryError> {
    if sorted.len() > max {
        return Err(EntryError::TooMany {
            what,
            count: sorted.len(),
            max,
        });
    }
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(EntryError::Duplicate { what });
    }
    Ok(())
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], EntryError> {
        if self.0.len() < n {
            return Err(EntryError::Truncated);
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, EntryError> {
        Ok(self.array::<1>()?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], EntryError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// A u16 count, then the items, strictly ascending by `key`.
    fn list<T>(
        &mut self,
        what: &'static str,
        mut item: impl FnMut(&mut Self) -> Result<T, EntryError>,
        key: impl Fn(&T) -> [u8; 32],
    ) -> Result<Vec<T>, EntryError> {
        let count = u16::from_be_bytes(self.array()?) as usize;
        let mut out: Vec<T> = Vec::with_capacity(count.min(MAX_CONSUMES));
        for _ in 0..count {
            let next = item(self)?;
            if let Some(last) = out.last() {
                match key(last).cmp(&key(&next)) {
                    std::cmp::Ordering::Less => {}
                    std::cmp::Ordering::Equal => return Err(EntryError::Duplicate { what }),
                    std::cmp::Ordering::Greater => return Err(EntryError::NotSorted { what }),
                }
            }
            out.push(next);
        }
        Ok(out)
    }
}

/// What the log's leaves hold: an entry and the ledger time it was appended
/// at. The time is under the Merkle tree, so the time a signature is judged
/// at cannot be changed after the fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLeaf {
    pub time: Timestamp,
    pub entry: Entry,
}

impl LogLeaf {
    /// `version (1) || time (u64, big-endian milliseconds) || entry bytes`.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EntryError> {
        Ok(Self::encode(self.time, &self.entry.to_bytes()?))
    }

    /// The leaf bytes from a time and an entry's canonical bytes.
    pub fn encode(time: Timestamp, entry_bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(9 + entry_bytes.len());
        out.push(LEAF_VERSION);
        out.extend_from_slice(&time.0.to_be_bytes());
        out.extend_from_slice(entry_bytes);
        out
    }

    /// Decodes what [`LogLeaf::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EntryError> {
        let mut r = Reader(bytes);
        let version = r.u8()?;
        if version != LEAF_VERSION {
            return Err(EntryError::UnknownVersion(version));
        }
        let time = Timestamp(u64::from_be_bytes(r.array()?));
        Ok(Self {
            time,
            entry: Entry::from_bytes(r.0)?,
        })
    }

    /// The RFC 6962 leaf hash of [`LogLeaf::to_bytes`].
    pub fn leaf_hash(&self) -> Result<Hash, EntryError> {
        Ok(leaf_hash(&self.to_bytes()?))
    }
}

/// Whether `signature` is `key`'s signature of `entry`.
pub fn verify_entry_signature(entry: &Entry, key: &VerifyingKey, signature: &Signature) -> bool {
    match entry.signing_bytes() {
        Ok(message) => key.verify_strict(&message, signature).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    pub(crate) fn sample_entry(n: u8) -> Entry {
        let mut entry = Entry::new(
            EntryId(Uuid::from_bytes([n; 16])),
            "credit.issued",
            [n; 32],
            vec![ParticipantId([2; 32]), ParticipantId([1; 32])],
            vec![StateRef([n; 32])],
        );
        let k = key(7);
        entry.sign(KeyId::of(&k.verifying_key()), &k).unwrap();
        entry
    }

    // RFC 8785 section 3.2.2 (the sample input and its canonical form).
    #[test]
    fn rfc8785_sample_input() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        let value: serde_json::Value = serde_json::from_str(input).unwrap();
        let expected = r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#;
        assert_eq!(
            String::from_utf8(canonical_json(&value).unwrap()).unwrap(),
            expected
        );
    }

    // RFC 8785 section 3.2.3 (property sorting by UTF-16 code units).
    #[test]
    fn rfc8785_property_sorting() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let value: serde_json::Value = serde_json::from_str(input).unwrap();
        let expected = concat!(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",",
            "\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",",
            "\"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
        assert_eq!(
            String::from_utf8(canonical_json(&value).unwrap()).unwrap(),
            expected
        );
    }

    // RFC 8785 appendix B (number serialisation samples).
    #[test]
    fn rfc8785_numbers() {
        let samples: [(u64, &str); 10] = [
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x3e7ad7f29abcaf48, "1e-7"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x4415af1d78b58c40, "100000000000000000000"),
        ];
        for (bits, expected) in samples {
            let value = f64::from_bits(bits);
            assert_eq!(
                String::from_utf8(canonical_json(&value).unwrap()).unwrap(),
                expected,
                "{bits:#018x}"
            );
        }
    }

    #[test]
    fn struct_field_order_does_not_matter() {
        #[derive(Serialize)]
        struct A {
            b: u8,
            a: &'static str,
        }
        #[derive(Serialize)]
        struct B {
            a: &'static str,
            b: u8,
        }
        assert_eq!(
            canonical_json(&A { b: 1, a: "x" }).unwrap(),
            canonical_json(&B { a: "x", b: 1 }).unwrap()
        );
        assert_eq!(
            canonical_json(&B { a: "x", b: 1 }).unwrap(),
            br#"{"a":"x","b":1}"#
        );
    }

    #[test]
    fn commitments_are_salted_and_open() {
        let transition = serde_json::json!({"amount": "1000000.00", "currency": "USD"});
        let one = Opening::new(&transition).unwrap();
        let two = Opening::new(&transition).unwrap();
        assert_eq!(one.canonical, two.canonical);
        assert_ne!(one.salt, two.salt);
        assert_ne!(one.commitment(), two.commitment());
        assert!(one.opens(&one.commitment()));
        assert!(!one.opens(&two.commitment()));
        // SHA-256(salt || canonical)
        let mut concatenated = one.salt.0.to_vec();
        concatenated.extend_from_slice(&one.canonical);
        let direct: Hash = Sha256::digest(&concatenated).into();
        assert_eq!(one.commitment(), direct);
        assert_eq!(format!("{:?}", one.salt), "Salt(..)");
    }

    #[test]
    fn entries_round_trip_and_hide_the_transition() {
        let transition = serde_json::json!({"amount": "1234567.89", "applicant": "Acme Widgets"});
        let opening = Opening::new(&transition).unwrap();
        let mut entry = sample_entry(1);
        entry.commitment = opening.commitment();
        let bytes = entry.to_bytes().unwrap();
        let decoded = Entry::from_bytes(&bytes).unwrap();
        assert_eq!(decoded.to_bytes().unwrap(), bytes);
        let haystack = String::from_utf8_lossy(&bytes);
        assert!(!haystack.contains("1234567"));
        assert!(!haystack.contains("Acme"));
    }

    #[test]
    fn list_order_does_not_change_the_encoding() {
        let a = sample_entry(3);
        let mut b = a.clone();
        b.participants.reverse();
        assert_eq!(a.to_bytes().unwrap(), b.to_bytes().unwrap());
        let decoded = Entry::from_bytes(&b.to_bytes().unwrap()).unwrap();
        assert_eq!(
            decoded.participants,
            vec![ParticipantId([1; 32]), ParticipantId([2; 32])]
        );
        // and signatures still verify, since they sign the canonical body
        let k = key(7);
        assert!(verify_entry_signature(
            &b,
            &k.verifying_key(),
            &b.signatures[0].1
        ));
    }

    #[test]
    fn malformed_entries_are_rejected() {
        let good = sample_entry(4);
        let mut bad = good.clone();
        bad.kind = "Credit Issued".into();
        assert!(matches!(bad.to_bytes(), Err(EntryError::BadKind(_))));
        let mut bad = good.clone();
        bad.participants.push(ParticipantId([1; 32]));
        assert_eq!(
            bad.to_bytes(),
            Err(EntryError::Duplicate {
                what: "participants"
            })
        );
        let mut bad = good.clone();
        bad.participants.clear();
        assert_eq!(bad.to_bytes(), Err(EntryError::NoParticipants));

        let bytes = good.to_bytes().unwrap();
        assert_eq!(
            Entry::from_bytes(&bytes[..bytes.len() - 1]),
            Err(EntryError::Truncated)
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            Entry::from_bytes(&longer),
            Err(EntryError::TrailingBytes(1))
        );
        let mut other_version = bytes.clone();
        other_version[0] = 9;
        assert_eq!(
            Entry::from_bytes(&other_version),
            Err(EntryError::UnknownVersion(9))
        );
        // participants written in descending order are not canonical
        let offset = 1 + 16 + 1 + good.kind.len() + 32 + 2;
        let mut swapped = bytes.clone();
        swapped[offset..offset + 32].copy_from_slice(&[2; 32]);
        swapped[offset + 32..offset + 64].copy_from_slice(&[1; 32]);
        assert_eq!(
            Entry::from_bytes(&swapped),
            Err(EntryError::NotSorted {
                what: "participants"
            })
        );
    }

    #[test]
    fn signatures_cover_every_field_but_the_signatures() {
        let entry = sample_entry(5);
        let k = key(7).verifying_key();
        let sig = entry.signatures[0].1;
        assert!(verify_entry_signature(&entry, &k, &sig));
        let mut altered = entry.clone();
        altered.commitment[0] ^= 1;
        assert!(!verify_entry_signature(&altered, &k, &sig));
        let mut altered = entry.clone();
        altered.consumes.clear();
        assert!(!verify_entry_signature(&altered, &k, &sig));
        let mut altered = entry.clone();
        altered.kind = "credit.amended".into();
        assert!(!verify_entry_signature(&altered, &k, &sig));
        assert!(!verify_entry_signature(
            &entry,
            &key(8).verifying_key(),
            &sig
        ));
    }

    #[test]
    fn log_leaves_bind_the_time() {
        let leaf = LogLeaf {
            time: Timestamp(1_700_000_000_000),
            entry: sample_entry(6),
        };
        let bytes = leaf.to_bytes().unwrap();
        assert_eq!(LogLeaf::from_bytes(&bytes).unwrap(), leaf);
        let later = LogLeaf {
            time: Timestamp(1_700_000_000_001),
            ..leaf.clone()
        };
        assert_ne!(leaf.leaf_hash().unwrap(), later.leaf_hash().unwrap());
    }

    proptest! {
        #[test]
        fn any_decodable_bytes_reencode_identically(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(entry) = Entry::from_bytes(&bytes) {
                prop_assert_eq!(entry.to_bytes().unwrap(), bytes);
            }
        }

        #[test]
        fn any_flipped_byte_changes_or_breaks_the_entry(pick in any::<prop::sample::Index>(), mask in 1u8..=255) {
            let bytes = sample_entry(9).to_bytes().unwrap();
            let mut altered = bytes.clone();
            let i = pick.index(altered.len());
            altered[i] ^= mask;
            if let Ok(entry) = Entry::from_bytes(&altered) {
                prop_assert_ne!(entry, sample_entry(9));
            }
        }
    }
}

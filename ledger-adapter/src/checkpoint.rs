//! Signed checkpoints: the log operator's Ed25519-signed statement that the
//! log of `origin` had `size` leaves with root `root` at `time`.
//!
//! The text form is the transparency-log checkpoint carried in a signed note
//! (the C2SP `tlog-checkpoint` and `signed-note` formats):
//!
//! ```text
//! <origin>
//! <size, decimal>
//! <root, standard base64>
//! time <milliseconds since the Unix epoch>
//!
//! — <key name> <base64(key hash (4 bytes) || Ed25519 signature)>
//! ```
//!
//! The signature covers the four body lines, each ending in a newline. The
//! key hash is the first four bytes of `SHA-256(name || "\n" || 0x01 ||
//! public key)`, so a verifier picks its own signature out of several
//! (witnesses may add theirs) and ignores the others.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::Timestamp;
use crate::merkle::Hash;

/// Why a checkpoint could not be written, read or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the origin must be non-empty printable text on one line")]
    BadOrigin,
    #[error("a key name must be non-empty, without spaces or '+'")]
    BadKeyName,
    #[error("malformed checkpoint: {0}")]
    Malformed(&'static str),
    #[error("no signature by key {name} ({key_hash})")]
    NotSignedByKey { name: String, key_hash: String },
    #[error("the signature by key {name} does not verify")]
    BadSignature { name: String },
    #[error("malformed verifier key")]
    BadVerifierKey,
}

/// A log state: `size` leaves with root `root`, as of `time`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    pub time: Timestamp,
}

impl Checkpoint {
    /// The signed body: origin, size, base64 root and time lines.
    pub fn body(&self) -> Result<String, CheckpointError> {
        if !valid_origin(&self.origin) {
            return Err(CheckpointError::BadOrigin);
        }
        Ok(format!(
            "{}\n{}\n{}\ntime {}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root),
            self.time.0
        ))
    }

    fn parse_body(body: &str) -> Result<Self, CheckpointError> {
        let lines: Vec<&str> = body
            .strip_suffix('\n')
            .ok_or(CheckpointError::Malformed(
                "the body does not end in a newline",
            ))?
            .split('\n')
            .collect();
        let [origin, size, root, time] = lines.as_slice() else {
            return Err(CheckpointError::Malformed(
                "the body must have origin, size, root and time lines",
            ));
        };
        let size = parse_decimal(size).ok_or(CheckpointError::Malformed("bad size line"))?;
        let root: Hash = BASE64
            .decode(root)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(CheckpointError::Malformed(
                "the root is not 32 bytes of base64",
            ))?;
        let time = time
            .strip_prefix("time ")
            .and_then(parse_decimal)
            .ok_or(CheckpointError::Malformed("bad time line"))?;
        let checkpoint = Self {
            origin: (*origin).to_owned(),
            size,
            root,
            time: Timestamp(time),
        };
        // only the canonical spelling is accepted, so what was signed is
        // exactly what `body` writes
        if checkpoint.body()? != body {
            return Err(CheckpointError::Malformed("non-canonical body"));
        }
        Ok(checkpoint)
    }
}

fn valid_origin(origin: &str) -> bool {
    !origin.is_empty() && !origin.chars().any(char::is_control)
}

fn valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '+')
}

/// A decimal number without sign or leading zeros.
fn parse_decimal(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

/// One signature line of a signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_hash: [u8; 4],
    /// The signature bytes (64 for Ed25519; other algorithms may differ).
    pub signature: Vec<u8>,
}

/// A checkpoint and the signatures on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    pub signatures: Vec<NoteSignature>,
}

const SIGNATURE_PREFIX: &str = "\u{2014} ";

impl SignedCheckpoint {
    /// The signed-note text.
    pub fn to_text(&self) -> Result<String, CheckpointError> {
        let mut text = self.checkpoint.body()?;
        text.push('\n');
        for sig in &self.signatures {
            if !valid_key_name(&sig.name) {
                return Err(CheckpointError::BadKeyName);
            }
            let mut blob = sig.key_hash.to_vec();
            blob.extend_from_slice(&sig.signature);
            text.push_str(SIGNATURE_PREFIX);
            text.push_str(&sig.name);
            text.push(' ');
            text.push_str(&BASE64.encode(blob));
            text.push('\n');
        }
        Ok(text)
    }

    /// Reads the signed-note text, without verifying any signature.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let split = text.find("\n\n").ok_or(CheckpointError::Malformed(
            "no blank line before the signatures",
        ))?;
        let (body, rest) = text.split_at(split + 1);
        let checkpoint = Checkpoint::parse_body(body)?;
        let lines = rest[1..]
            .strip_suffix('\n')
            .ok_or(CheckpointError::Malformed(
                "the signatures do not end in a newline",
            ))?;
        let mut signatures = Vec::new();
        for line in lines.split('\n') {
            let (name, blob) = line
                .strip_prefix(SIGNATURE_PREFIX)
                .and_then(|l| l.split_once(' '))
                .ok_or(CheckpointError::Malformed("bad signature line"))?;
            if !valid_key_name(name) {
                return Err(CheckpointError::BadKeyName);
            }
            let blob = BASE64
                .decode(blob)
                .map_err(|_| CheckpointError::Malformed("signature is not base64"))?;
            if blob.len() < 5 {
                return Err(CheckpointError::Malformed("signature too short"));
            }
            let (key_hash, signature) = blob.split_at(4);
            let mut hash = [0u8; 4];
            hash.copy_from_slice(key_hash);
            signatures.push(NoteSignature {
                name: name.to_owned(),
                key_hash: hash,
                signature: signature.to_vec(),
            });
        }
        Ok(Self {
            checkpoint,
            signatures,
        })
    }

    /// Checks that `verifier`'s key signed this checkpoint. Signatures by
    /// other keys are ignored.
    pub fn verify(&self, verifier: &CheckpointVerifier) -> Result<(), CheckpointError> {
        let body = self.checkpoint.body()?;
        let key_hash = verifier.key_hash();
        let ours = self
            .signatures
            .iter()
            .find(|s| s.name == verifier.name && s.key_hash == key_hash)
            .ok_or_else(|| CheckpointError::NotSignedByKey {
                name: verifier.name.clone(),
                key_hash: key_hash.iter().map(|b| format!("{b:02x}")).collect(),
            })?;
        let bad = || CheckpointError::BadSignature {
            name: verifier.name.clone(),
        };
        let signature: [u8; 64] = ours.signature.as_slice().try_into().map_err(|_| bad())?;
        verifier
            .key
            .verify_strict(body.as_bytes(), &Signature::from_bytes(&signature))
            .map_err(|_| bad())
    }

    /// Parses and verifies in one step.
    pub fn open(text: &str, verifier: &CheckpointVerifier) -> Result<Checkpoint, CheckpointError> {
        let signed = Self::parse(text)?;
        signed.verify(verifier)?;
        Ok(signed.checkpoint)
    }
}

/// `SHA-256(name || "\n" || 0x01 || public key)[..4]`, the signed-note key
/// hash of an Ed25519 key.
fn key_hash(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n\x01");
    hasher.update(key.as_bytes());
    let digest: Hash = hasher.finalize().into();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The log operator's checkpoint signing key and its name.
pub struct CheckpointSigner {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckpointSigner")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl CheckpointSigner {
    pub fn new(name: impl Into<String>, key: SigningKey) -> Result<Self, CheckpointError> {
        let name = name.into();
        if !valid_key_name(&name) {
            return Err(CheckpointError::BadKeyName);
        }
        Ok(Self { name, key })
    }

    /// Signs a checkpoint.
    pub fn sign(&self, checkpoint: Checkpoint) -> Result<SignedCheckpoint, CheckpointError> {
        let body = checkpoint.body()?;
        let signature = self.key.sign(body.as_bytes());
        Ok(SignedCheckpoint {
            checkpoint,
            signatures: vec![NoteSignature {
                name: self.name.clone(),
                key_hash: key_hash(&self.name, &self.key.verifying_key()),
                signature: signature.to_bytes().to_vec(),
            }],
        })
    }

    /// The matching verifier.
    pub fn verifier(&self) -> CheckpointVerifier {
        CheckpointVerifier {
            name: self.name.clone(),
            key: self.key.verifying_key(),
        }
    }
}

/// A checkpoint verification key and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointVerifier {
    pub name: String,
    pub key: VerifyingKey,
}

impl CheckpointVerifier {
    pub fn new(name: impl Into<String>, key: VerifyingKey) -> Result<Self, CheckpointError> {
        let name = name.into();
        if !valid_key_name(&name) {
            return Err(CheckpointError::BadKeyName);
        }
        Ok(Self { name, key })
    }

    /// The signed-note key hash.
    pub fn key_hash(&self) -> [u8; 4] {
        key_hash(&self.name, &self.key)
    }

    /// The signed-note verifier key text: `name+hash(hex)+base64(0x01 || key)`.
    pub fn to_vkey(&self) -> String {
        let hash: String = self.key_hash().iter().map(|b| format!("{b:02x}")).collect();
        let mut blob = vec![0x01];
        blob.extend_from_slice(self.key.as_bytes());
        format!("{}+{}+{}", self.name, hash, BASE64.encode(blob))
    }

    /// Reads what [`CheckpointVerifier::to_vkey`] writes and checks its hash.
    pub fn from_vkey(text: &str) -> Result<Self, CheckpointError> {
        let mut parts = text.split('+');
        let (Some(name), Some(hash), Some(blob), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CheckpointError::BadVerifierKey);
        };
        let blob = BASE64
            .decode(blob)
            .map_err(|_| CheckpointError::BadVerifierKey)?;
        let key: [u8; 32] = match blob.as_slice() {
            [0x01, rest @ ..] => rest
                .try_into()
                .map_err(|_| CheckpointError::BadVerifierKey)?,
            _ => return Err(CheckpointError::BadVerifierKey),
        };
        let key = VerifyingKey::from_bytes(&key).map_err(|_| CheckpointError::BadVerifierKey)?;
        let verifier = Self::new(name, key)?;
        let expected: String = verifier
            .key_hash()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if hash != expected {
            return Err(CheckpointError::BadVerifierKey);
        }
        Ok(verifier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(seed: u8) -> CheckpointSigner {
        CheckpointSigner::new("lcp.example/log", SigningKey::from_bytes(&[seed; 32])).unwrap()
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            origin: "lcp.example/log".into(),
            size: 8,
            root: [0x5d; 32],
            time: Timestamp(1_700_000_000_123),
        }
    }

    #[test]
    fn text_round_trip_and_verify() {
        let s = signer(1);
        let signed = s.sign(checkpoint()).unwrap();
        let text = signed.to_text().unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("lcp.example/log"));
        assert_eq!(lines.next(), Some("8"));
        assert_eq!(lines.next(), Some(BASE64.encode([0x5d; 32]).as_str()));
        assert_eq!(lines.next(), Some("time 1700000000123"));
        assert_eq!(lines.next(), Some(""));
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("\u{2014} lcp.example/log ")
        );
        assert_eq!(lines.next(), None);
        assert_eq!(SignedCheckpoint::parse(&text).unwrap(), signed);
        assert_eq!(
            SignedCheckpoint::open(&text, &s.verifier()).unwrap(),
            checkpoint()
        );
    }

    #[test]
    fn tampering_with_any_line_fails() {
        let s = signer(1);
        let text = s.sign(checkpoint()).unwrap().to_text().unwrap();
        let other_root = BASE64.encode([0x5e; 32]);
        let original_root = BASE64.encode([0x5d; 32]);
        let tampered = [
            text.replacen("lcp.example/log\n", "lcp.example/other\n", 1),
            text.replacen("\n8\n", "\n9\n", 1),
            text.replacen(&original_root, &other_root, 1),
            text.replacen("time 1700000000123", "time 1700000000124", 1),
        ];
        for t in tampered {
            assert_ne!(t, text);
            assert!(SignedCheckpoint::open(&t, &s.verifier()).is_err(), "{t}");
        }
        // a flipped signature byte
        let mut signed = SignedCheckpoint::parse(&text).unwrap();
        signed.signatures[0].signature[10] ^= 1;
        assert_eq!(
            signed.verify(&s.verifier()),
            Err(CheckpointError::BadSignature {
                name: "lcp.example/log".into()
            })
        );
    }

    #[test]
    fn another_key_does_not_verify() {
        let text = signer(1).sign(checkpoint()).unwrap().to_text().unwrap();
        assert!(matches!(
            SignedCheckpoint::open(&text, &signer(2).verifier()),
            Err(CheckpointError::NotSignedByKey { .. })
        ));
        // a signature line pretending to be the right key, with a wrong signature
        let mut forged = SignedCheckpoint::parse(&text).unwrap();
        forged.signatures[0].key_hash = signer(2).verifier().key_hash();
        assert!(forged.verify(&signer(2).verifier()).is_err());
    }

    #[test]
    fn foreign_signatures_are_ignored() {
        let s = signer(1);
        let mut signed = s.sign(checkpoint()).unwrap();
        let witness =
            CheckpointSigner::new("witness.example", SigningKey::from_bytes(&[9; 32])).unwrap();
        let cosigned = witness.sign(checkpoint()).unwrap();
        signed.signatures.insert(0, cosigned.signatures[0].clone());
        let text = signed.to_text().unwrap();
        SignedCheckpoint::open(&text, &s.verifier()).unwrap();
        SignedCheckpoint::open(&text, &witness.verifier()).unwrap();
    }

    #[test]
    fn malformed_texts_are_rejected() {
        let text = signer(1).sign(checkpoint()).unwrap().to_text().unwrap();
        let bad = [
            text.replacen("\n8\n", "\n08\n", 1),
            text.replacen("\n8\n", "\n+8\n", 1),
            text.replacen("time ", "time  ", 1),
            text.replacen("time ", "when ", 1),
            text.replacen("\n\n", "\n", 1),
            text.replacen("\n\n", "\nextra\n\n", 1),
            text.trim_end().to_owned(),
            text.replacen("\u{2014} ", "- ", 1),
            String::new(),
        ];
        for t in bad {
            assert!(SignedCheckpoint::parse(&t).is_err(), "{t:?}");
        }
        let mut bad_origin = checkpoint();
        bad_origin.origin = "two\nlines".into();
        assert_eq!(bad_origin.body(), Err(CheckpointError::BadOrigin));
        assert!(CheckpointSigner::new("has space", SigningKey::from_bytes(&[1; 32])).is_err());
    }

    #[test]
    fn verifier_keys_round_trip() {
        let v = signer(3).verifier();
        let text = v.to_vkey();
        assert!(text.starts_with("lcp.example/log+"));
        assert_eq!(CheckpointVerifier::from_vkey(&text).unwrap(), v);
        let other = signer(4).verifier().to_vkey();
        let mixed = format!(
            "{}+{}",
            text.rsplit_once('+').unwrap().0,
            other.rsplit_once('+').unwrap().1
        );
        assert_eq!(
            CheckpointVerifier::from_vkey(&mixed),
            Err(CheckpointError::BadVerifierKey)
        );
    }
}

#![doc = include_str!("../README.md")]

pub mod checkpoint;
pub mod commitment;
pub mod conformance;
pub mod keys;
pub mod ledger;
pub mod memory;
pub mod merkle;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod proof;
pub mod verify;

/// The signature types entries and checkpoints use.
pub use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
pub use ledger::{Ledger, LedgerError, Receipt};

/// A ledger time: milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// The current time of the system clock (0 if the clock is before 1970).
    pub fn now() -> Self {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Self(millis)
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

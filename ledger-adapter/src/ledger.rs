//! The `Ledger` trait: what the backend's relay and API need from any
//! ledger engine (embedded PostgreSQL log, EVM chain, ...).
//!
//! The trait uses `async-trait`, so it is object-safe: the backend can hold
//! an `Arc<dyn Ledger>` chosen at start-up. (Native `async fn` in traits is
//! not usable through `dyn`.) Every engine must pass
//! [`crate::conformance::run`].
//!
//! # Append semantics
//!
//! `append(batch)` is all-or-nothing and idempotent by entry id:
//!
//! 1. every entry must be well formed ([`Entry::validate`]), else
//!    [`LedgerError::InvalidEntry`] naming it;
//! 2. an id already on the ledger with the same canonical bytes is success:
//!    its existing receipt is returned; the same id with other bytes is
//!    [`LedgerError::Conflict`] naming the entry and its index. The same id
//!    twice in one batch is fine if both copies are identical;
//! 3. notary: a state reference consumed by an entry already on the ledger,
//!    or by an earlier new entry of the same batch, cannot be consumed again:
//!    [`LedgerError::AlreadyConsumed`] names the state, the rejected entry and
//!    the entry that consumed it first;
//! 4. on any error nothing is appended;
//! 5. otherwise the new entries get consecutive indices in batch order and
//!    one ledger time (never earlier than the previous batch's), a new
//!    checkpoint covering them is signed, and the receipts come back in
//!    batch order. A batch of known entries only (or an empty one) signs no
//!    new checkpoint.

use async_trait::async_trait;

use crate::Timestamp;
use crate::checkpoint::{CheckpointError, SignedCheckpoint};
use crate::commitment::{EntryError, EntryId, LogLeaf, StateRef};
use crate::merkle::Hash;
use crate::proof::ProofError;

#[doc(no_inline)]
pub use crate::commitment::Entry;

/// Proof that an entry is on the ledger: where, when, its leaf hash, and the
/// first signed checkpoint that covers it. Fetch an inclusion proof for
/// `index` in `checkpoint.checkpoint.size` (or in any later checkpoint's
/// size) to check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub entry_id: EntryId,
    pub index: u64,
    pub time: Timestamp,
    /// The RFC 6962 leaf hash of the [`LogLeaf`] `(time, entry)`.
    pub leaf_hash: Hash,
    pub checkpoint: SignedCheckpoint,
}

/// Why a ledger call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("entry {id} is malformed: {source}")]
    InvalidEntry { id: EntryId, source: EntryError },
    /// The id is taken by different content: at `index` on the ledger, or
    /// (`index` is `None`) by another entry of the same batch.
    #[error("entry {id} conflicts with different content under the same id (index {index:?})")]
    Conflict { id: EntryId, index: Option<u64> },
    #[error("entry {entry} consumes state {state}, already consumed by entry {consumed_by}")]
    AlreadyConsumed {
        state: StateRef,
        entry: EntryId,
        consumed_by: EntryId,
    },
    #[error(transparent)]
    Proof(#[from] ProofError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The engine itself failed (storage, network); the call may be retried.
    #[error("ledger engine failure: {0}")]
    Engine(String),
}

/// A ledger engine.
#[async_trait]
pub trait Ledger: Send + Sync {
    /// Appends a batch (see the module documentation for the semantics).
    async fn append(&self, batch: Vec<Entry>) -> Result<Vec<Receipt>, LedgerError>;

    /// The receipt of an entry, if it is on the ledger.
    async fn receipt(&self, id: EntryId) -> Result<Option<Receipt>, LedgerError>;

    /// The leaves `[start, end)` (clamped to the log size), for export to an
    /// offline verifier.
    async fn leaves(&self, start: u64, end: u64) -> Result<Vec<LogLeaf>, LedgerError>;

    /// The inclusion proof of leaf `index` in the tree of `tree_size` leaves.
    async fn inclusion_proof(&self, index: u64, tree_size: u64) -> Result<Vec<Hash>, LedgerError>;

    /// The consistency proof between the trees of `old_size` and `new_size`.
    async fn consistency_proof(
        &self,
        old_size: u64,
        new_size: u64,
    ) -> Result<Vec<Hash>, LedgerError>;

    /// The newest signed checkpoint (size 0 for an empty ledger).
    async fn latest_checkpoint(&self) -> Result<SignedCheckpoint, LedgerError>;
}

//! The in-memory reference engine.
//!
//! **Reference implementation only**: it states the [`Ledger`] semantics in
//! the plainest code and is what the conformance suite is checked against
//! (and what benchmarks and backend unit tests may use). It keeps nothing
//! across restarts and is not an engine to deploy.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::Timestamp;
use crate::checkpoint::{Checkpoint, CheckpointError, CheckpointSigner, SignedCheckpoint};
use crate::commitment::{Entry, EntryId, LogLeaf, StateRef};
use crate::ledger::{Ledger, LedgerError, Receipt};
use crate::merkle::{Hash, leaf_hash};
use crate::proof::MerkleTree;

type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// An in-memory [`Ledger`]; see the module documentation.
pub struct InMemoryLedger {
    origin: String,
    signer: CheckpointSigner,
    clock: Clock,
    state: Mutex<State>,
}

impl std::fmt::Debug for InMemoryLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemoryLedger")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    tree: MerkleTree,
    leaves: Vec<LogLeaf>,
    /// Canonical entry bytes by index, for the idempotency comparison.
    entry_bytes: Vec<Vec<u8>>,
    /// Which checkpoint first covers each index.
    covered_by: Vec<usize>,
    by_id: HashMap<EntryId, u64>,
    consumed: HashMap<StateRef, EntryId>,
    checkpoints: Vec<SignedCheckpoint>,
    last_time: Timestamp,
}

impl InMemoryLedger {
    /// An empty ledger of `origin` signing checkpoints with `signer`, on the
    /// system clock.
    pub fn new(origin: impl Into<String>, signer: CheckpointSigner) -> Result<Self, LedgerError> {
        Self::with_clock(origin, signer, Arc::new(Timestamp::now))
    }

    /// The same with a given clock (tests).
    pub fn with_clock(
        origin: impl Into<String>,
        signer: CheckpointSigner,
        clock: Clock,
    ) -> Result<Self, LedgerError> {
        let origin = origin.into();
        let mut state = State::default();
        let time = clock();
        let empty = signer.sign(Checkpoint {
            origin: origin.clone(),
            size: 0,
            root: state.tree.root(),
            time,
        })?;
        state.checkpoints.push(empty);
        state.last_time = time;
        Ok(Self {
            origin,
            signer,
            clock,
            state: Mutex::new(state),
        })
    }

    /// Every checkpoint signed so far, oldest first.
    pub fn checkpoints(&self) -> Result<Vec<SignedCheckpoint>, LedgerError> {
        Ok(self.lock()?.checkpoints.clone())
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, State>, LedgerError> {
        self.state
            .lock()
            .map_err(|_| LedgerError::Engine("the ledger state lock is poisoned".into()))
    }

    fn receipt_at(state: &State, index: u64) -> Result<Receipt, LedgerError> {
        let i = usize::try_from(index).map_err(|_| engine("index out of range"))?;
        let (Some(leaf), Some(&checkpoint), Some(hash)) = (
            state.leaves.get(i),
            state.covered_by.get(i),
            state.tree.leaf(index),
        ) else {
            return Err(engine("index out of range"));
        };
        let checkpoint = state
            .checkpoints
            .get(checkpoint)
            .cloned()
            .ok_or_else(|| engine("missing checkpoint"))?;
        Ok(Receipt {
            entry_id: leaf.entry.id,
            index,
            time: leaf.time,
            leaf_hash: hash,
            checkpoint,
        })
    }
}

fn engine(what: &str) -> LedgerError {
    LedgerError::Engine(what.to_owned())
}

/// What append decided for one entry of a batch.
enum Slot {
    Known(u64),
    New(usize),
}

#[async_trait]
impl Ledger for InMemoryLedger {
    async fn append(&self, batch: Vec<Entry>) -> Result<Vec<Receipt>, LedgerError> {
        let mut state = self.lock()?;

        // decide everything before changing anything
        let mut slots = Vec::with_capacity(batch.len());
        let mut fresh: Vec<(Entry, Vec<u8>)> = Vec::new();
        let mut fresh_ids: HashMap<EntryId, usize> = HashMap::new();
        let mut fresh_consumed: HashMap<StateRef, EntryId> = HashMap::new();
        for entry in batch {
            let bytes = entry
                .to_bytes()
                .map_err(|source| LedgerError::InvalidEntry {
                    id: entry.id,
                    source,
                })?;
            if let Some(&index) = state.by_id.get(&entry.id) {
                let same = usize::try_from(index)
                    .ok()
                    .and_then(|i| state.entry_bytes.get(i))
                    .is_some_and(|existing| *existing == bytes);
                if !same {
                    return Err(LedgerError::Conflict {
                        id: entry.id,
                        index: Some(index),
                    });
                }
                slots.push(Slot::Known(index));
                continue;
            }
            if let Some(&k) = fresh_ids.get(&entry.id) {
                if fresh[k].1 != bytes {
                    return Err(LedgerError::Conflict {
                        id: entry.id,
                        index: None,
                    });
                }
                slots.push(Slot::New(k));
                continue;
            }
            for state_ref in &entry.consumes {
                if let Some(by) = state
                    .consumed
                    .get(state_ref)
                    .or_else(|| fresh_consumed.get(state_ref))
                {
                    return Err(LedgerError::AlreadyConsumed {
                        state: *state_ref,
                        entry: entry.id,
                        consumed_by: *by,
                    });
                }
            }
            for state_ref in &entry.consumes {
                fresh_consumed.insert(*state_ref, entry.id);
            }
            fresh_ids.insert(entry.id, fresh.len());
            slots.push(Slot::New(fresh.len()));
            fresh.push((entry, bytes));
        }

        if !fresh.is_empty() {
            let time = (self.clock)().max(state.last_time);
            let first = state.tree.size();
            let mut leaves = Vec::with_capacity(fresh.len());
            for (entry, bytes) in &fresh {
                let leaf = LogLeaf {
                    time,
                    entry: entry.clone(),
                };
                state.tree.push(leaf_hash(&LogLeaf::encode(time, bytes)));
                leaves.push(leaf);
            }
            let signed = self.signer.sign(Checkpoint {
                origin: self.origin.clone(),
                size: state.tree.size(),
                root: state.tree.root(),
                time,
            });
            let checkpoint = match signed {
                Ok(checkpoint) => checkpoint,
                Err(e) => {
                    // all or nothing: take the new leaves back out
                    state.tree.truncate(first);
                    return Err(e.into());
                }
            };
            // commit
            let checkpoint_index = state.checkpoints.len();
            state.checkpoints.push(checkpoint);
            state.last_time = time;
            for (k, ((entry, bytes), leaf)) in fresh.into_iter().zip(leaves).enumerate() {
                let index = first + k as u64;
                state.by_id.insert(entry.id, index);
                for state_ref in &entry.consumes {
                    state.consumed.insert(*state_ref, entry.id);
                }
                state.entry_bytes.push(bytes);
                state.leaves.push(leaf);
                state.covered_by.push(checkpoint_index);
            }
            let mut receipts = Vec::with_capacity(slots.len());
            for slot in slots {
                let index = match slot {
                    Slot::Known(index) => index,
                    Slot::New(k) => first + k as u64,
                };
                receipts.push(Self::receipt_at(&state, index)?);
            }
            return Ok(receipts);
        }

        slots
            .into_iter()
            .map(|slot| match slot {
                Slot::Known(index) => Self::receipt_at(&state, index),
                Slot::New(_) => Err(engine("new entry without an index")),
            })
            .collect()
    }

    async fn receipt(&self, id: EntryId) -> Result<Option<Receipt>, LedgerError> {
        let state = self.lock()?;
        match state.by_id.get(&id) {
            Some(&index) => Ok(Some(Self::receipt_at(&state, index)?)),
            None => Ok(None),
        }
    }

    async fn leaves(&self, start: u64, end: u64) -> Result<Vec<LogLeaf>, LedgerError> {
        let state = self.lock()?;
        let len = state.leaves.len();
        let end = usize::try_from(end).unwrap_or(usize::MAX).min(len);
        let start = usize::try_from(start).unwrap_or(usize::MAX).min(end);
        Ok(state.leaves[start..end].to_vec())
    }

    async fn inclusion_proof(&self, index: u64, tree_size: u64) -> Result<Vec<Hash>, LedgerError> {
        Ok(self.lock()?.tree.inclusion_proof(index, tree_size)?)
    }

    async fn consistency_proof(
        &self,
        old_size: u64,
        new_size: u64,
    ) -> Result<Vec<Hash>, LedgerError> {
        Ok(self.lock()?.tree.consistency_proof(old_size, new_size)?)
    }

    async fn latest_checkpoint(&self) -> Result<SignedCheckpoint, LedgerError> {
        self.lock()?
            .checkpoints
            .last()
            .cloned()
            .ok_or(LedgerError::Checkpoint(CheckpointError::Malformed(
                "no checkpoint",
            )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn signer() -> CheckpointSigner {
        CheckpointSigner::new("lcp.test/log", SigningKey::from_bytes(&[42; 32])).unwrap()
    }

    #[tokio::test]
    async fn passes_the_conformance_suite() {
        let signer = signer();
        let verifier = signer.verifier();
        let ledger = InMemoryLedger::new("lcp.test/log", signer).unwrap();
        crate::conformance::run(&ledger, &verifier).await.unwrap();
        // and again on the now non-empty ledger
        crate::conformance::run(&ledger, &verifier).await.unwrap();
    }

    #[tokio::test]
    async fn usable_as_a_trait_object() {
        let ledger: Arc<dyn Ledger> =
            Arc::new(InMemoryLedger::new("lcp.test/log", signer()).unwrap());
        assert_eq!(ledger.latest_checkpoint().await.unwrap().checkpoint.size, 0);
    }

    #[tokio::test]
    async fn ledger_time_never_runs_backwards() {
        let now = Arc::new(AtomicU64::new(1000));
        let clock_now = now.clone();
        let ledger = InMemoryLedger::with_clock(
            "lcp.test/log",
            signer(),
            Arc::new(move || Timestamp(clock_now.load(Ordering::SeqCst))),
        )
        .unwrap();
        let a = crate::conformance::fresh_entry("credit.issued", &[]);
        let b = crate::conformance::fresh_entry("credit.issued", &[]);
        let first = ledger.append(vec![a]).await.unwrap();
        now.store(500, Ordering::SeqCst);
        let second = ledger.append(vec![b]).await.unwrap();
        assert_eq!(first[0].time, Timestamp(1000));
        assert_eq!(second[0].time, Timestamp(1000));
        assert_eq!(ledger.checkpoints().unwrap().len(), 3);
    }
}

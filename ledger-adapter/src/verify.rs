//! The offline verifier: checks an exported log, or one receipt, with no
//! access to the writer.
//!
//! [`verify_log`] takes the exported leaves (each with the index the
//! exporter claims for it), the checkpoints collected along the way (from
//! receipts, witnesses or the API), optionally the receipts the relay
//! recorded, the participants' keys and the log's checkpoint key. It reports
//! every problem it finds, each naming the entry (index and id) or the
//! checkpoint (size) concerned:
//!
//! - an *altered* entry: its leaf hash differs from its receipt's, its
//!   signatures fail, and the roots of the checkpoints covering it differ;
//! - a *deleted* entry: a gap in the indices, a receipt whose entry is
//!   missing, or checkpoints larger than the log;
//! - *reordered* entries: indices out of order, or receipts whose entry sits
//!   at another index;
//! - checkpoints whose signature fails, that disagree with the leaves, that
//!   are not consistent with their predecessor (RFC 9162 consistency
//!   proofs), two different roots for one size, or time running backwards;
//! - signatures judged by each key's status at the entry's ledger time;
//! - a state consumed twice (notary uniqueness).
//!
//! [`verify_receipt`] checks one receipt and its inclusion proof against a
//! signed checkpoint.

use std::collections::HashMap;

use crate::Timestamp;
use crate::checkpoint::{CheckpointError, CheckpointVerifier, SignedCheckpoint};
use crate::commitment::{Entry, EntryError, EntryId, LogLeaf, StateRef};
use crate::keys::{KeyRegistry, SignatureProblem};
use crate::ledger::Receipt;
use crate::merkle::Hash;
use crate::proof::{MerkleTree, ProofError, verify_consistency, verify_inclusion};

/// A leaf as exported, with the index the exporter gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedLeaf {
    pub index: u64,
    pub leaf: LogLeaf,
}

/// What [`verify_log`] checks.
#[derive(Debug, Clone, Copy)]
pub struct LogInput<'a> {
    /// The leaves, in log order.
    pub leaves: &'a [IndexedLeaf],
    /// Checkpoints, in any order.
    pub checkpoints: &'a [SignedCheckpoint],
    /// Receipts recorded by participants (may be empty). Their checkpoints
    /// are checked too.
    pub receipts: &'a [Receipt],
    pub keys: &'a KeyRegistry,
    pub log_key: &'a CheckpointVerifier,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Indices `from..=to` are absent from the export.
    MissingEntries {
        from: u64,
        to: u64,
    },
    /// The leaf at this position claims an index at or below the previous one.
    OutOfOrder {
        position: u64,
        index: u64,
        id: EntryId,
        previous_index: u64,
    },
    /// The same entry id appears twice.
    DuplicateEntryId {
        id: EntryId,
        first_index: u64,
        index: u64,
    },
    /// The entry does not encode canonically.
    MalformedEntry {
        index: u64,
        id: EntryId,
        error: EntryError,
    },
    /// The leaf's ledger time is earlier than its predecessor's.
    TimeWentBackwards {
        index: u64,
        id: EntryId,
        time: Timestamp,
        previous: Timestamp,
    },
    /// The entry's leaf hash differs from the one in its receipt.
    EntryAltered {
        index: u64,
        id: EntryId,
        receipt_hash: Hash,
        actual_hash: Hash,
    },
    /// A receipted entry is not in the export at all.
    ReceiptedEntryMissing {
        id: EntryId,
        index: u64,
    },
    /// A receipted entry is in the export at another index.
    EntryMoved {
        id: EntryId,
        receipt_index: u64,
        found_at: u64,
    },
    /// A problem with a signature, judged at the entry's ledger time.
    Signature {
        index: u64,
        id: EntryId,
        problem: SignatureProblem,
    },
    /// A state consumed a second time.
    DoubleSpend {
        state: StateRef,
        index: u64,
        id: EntryId,
        first_index: u64,
        first_id: EntryId,
    },
    CheckpointSignatureInvalid {
        size: u64,
        error: CheckpointError,
    },
    CheckpointOriginMismatch {
        size: u64,
        origin: String,
    },
    /// A checkpoint covers more leaves than the export holds.
    CheckpointBeyondLog {
        size: u64,
        log_size: u64,
    },
    /// A checkpoint's root is not the root of the exported leaves; the
    /// divergence lies in leaves `from..size` (`from` is the size of the
    /// largest smaller checkpoint that matched, or 0).
    CheckpointRootMismatch {
        size: u64,
        from: u64,
    },
    /// Two checkpoints with one size and different roots (a split view).
    Equivocation {
        size: u64,
    },
    /// A checkpoint is not consistent with its predecessor.
    Inconsistent {
        old_size: u64,
        new_size: u64,
        error: ProofError,
    },
    /// A larger checkpoint is dated before a smaller one.
    CheckpointTimeWentBackwards {
        size: u64,
        previous_size: u64,
    },
    /// An entry's ledger time is after the time of a checkpoint covering it.
    EntryAfterCheckpoint {
        index: u64,
        id: EntryId,
        checkpoint_size: u64,
    },
}

/// The result of [`verify_log`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub leaves_checked: u64,
    pub checkpoints_checked: u64,
    pub findings: Vec<Finding>,
}

impl Report {
    /// No problem found.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Verifies a whole exported log; see the module documentation.
pub fn verify_log(input: &LogInput<'_>) -> Report {
    let mut findings = Vec::new();
    let leaves = input.leaves;

    // indices, ids, times, encodings; the tree over the leaves as given
    let mut tree = MerkleTree::new();
    let mut position_of: HashMap<EntryId, u64> = HashMap::new();
    let mut previous: Option<(u64, Timestamp)> = None;
    for (position, item) in leaves.iter().enumerate() {
        let position = position as u64;
        let (index, id, time) = (item.index, item.leaf.entry.id, item.leaf.time);
        match previous {
            None if index > 0 => findings.push(Finding::MissingEntries {
                from: 0,
                to: index - 1,
            }),
            Some((p, _)) if index <= p => findings.push(Finding::OutOfOrder {
                position,
                index,
                id,
                previous_index: p,
            }),
            Some((p, _)) if index > p + 1 => findings.push(Finding::MissingEntries {
                from: p + 1,
                to: index - 1,
            }),
            _ => {}
        }
        if let Some((_, previous_time)) = previous
            && time < previous_time
        {
            findings.push(Finding::TimeWentBackwards {
                index,
                id,
                time,
                previous: previous_time,
            });
        }
        previous = Some((index.max(previous.map_or(0, |(p, _)| p)), time));
        if let Some(&first) = position_of.get(&id) {
            findings.push(Finding::DuplicateEntryId {
                id,
                first_index: leaves[first as usize].index,
                index,
            });
        } else {
            position_of.insert(id, position);
        }
        match item.leaf.to_bytes() {
            Ok(bytes) => tree.push(crate::merkle::leaf_hash(&bytes)),
            Err(error) => {
                findings.push(Finding::MalformedEntry { index, id, error });
                // keep positions aligned; this leaf cannot match any root
                tree.push([0; 32]);
            }
        }
    }
    let log_size = tree.size();

    // receipts name altered, deleted and moved entries
    for receipt in input.receipts {
        let at = usize::try_from(receipt.index)
            .ok()
            .and_then(|i| leaves.get(i));
        match at {
            Some(item) if item.leaf.entry.id == receipt.entry_id => {
                if let Some(actual) = tree.leaf(receipt.index)
                    && actual != receipt.leaf_hash
                {
                    findings.push(Finding::EntryAltered {
                        index: receipt.index,
                        id: receipt.entry_id,
                        receipt_hash: receipt.leaf_hash,
                        actual_hash: actual,
                    });
                }
            }
            _ => match position_of.get(&receipt.entry_id) {
                Some(&found_at) => findings.push(Finding::EntryMoved {
                    id: receipt.entry_id,
                    receipt_index: receipt.index,
                    found_at,
                }),
                None => findings.push(Finding::ReceiptedEntryMissing {
                    id: receipt.entry_id,
                    index: receipt.index,
                }),
            },
        }
    }

    // checkpoints: signature, origin, size, root, equivocation, consistency, time
    let mut checkpoints: Vec<&SignedCheckpoint> = input
        .checkpoints
        .iter()
        .chain(input.receipts.iter().map(|r| &r.checkpoint))
        .collect();
    checkpoints.sort_by_key(|c| (c.checkpoint.size, c.checkpoint.time, c.checkpoint.root));
    checkpoints.dedup_by(|a, b| a == b);
    let origin = checkpoints
        .iter()
        .find(|c| c.verify(input.log_key).is_ok())
        .map(|c| c.checkpoint.origin.clone());
    let mut valid: Vec<&SignedCheckpoint> = Vec::new();
    for signed in &checkpoints {
        let cp = &signed.checkpoint;
        if let Err(error) = signed.verify(input.log_key) {
            findings.push(Finding::CheckpointSignatureInvalid {
                size: cp.size,
                error,
            });
            continue;
        }
        if origin.as_ref().is_some_and(|o| *o != cp.origin) {
            findings.push(Finding::CheckpointOriginMismatch {
                size: cp.size,
                origin: cp.origin.clone(),
            });
            continue;
        }
        valid.push(signed);
    }
    let mut last_good = 0;
    for signed in &valid {
        let cp = &signed.checkpoint;
        match tree.root_at(cp.size) {
            Err(_) => findings.push(Finding::CheckpointBeyondLog {
                size: cp.size,
                log_size,
            }),
            Ok(root) if root != cp.root => findings.push(Finding::CheckpointRootMismatch {
                size: cp.size,
                from: last_good,
            }),
            Ok(_) => last_good = cp.size,
        }
    }
    for pair in valid.windows(2) {
        let (old, new) = (&pair[0].checkpoint, &pair[1].checkpoint);
        if old.size == new.size {
            if old.root != new.root {
                findings.push(Finding::Equivocation { size: new.size });
            }
            continue;
        }
        if new.size > log_size {
            // already reported as beyond the log
            continue;
        }
        if new.time < old.time {
            findings.push(Finding::CheckpointTimeWentBackwards {
                size: new.size,
                previous_size: old.size,
            });
        }
        // the proof comes from the leaves; it verifies only if both
        // checkpoints describe prefixes of one and the same log
        let result = tree
            .consistency_proof(old.size, new.size)
            .and_then(|proof| verify_consistency(old.size, new.size, &old.root, &new.root, &proof));
        if let Err(error) = result {
            findings.push(Finding::Inconsistent {
                old_size: old.size,
                new_size: new.size,
                error,
            });
        }
    }
    // no entry is dated after a checkpoint that covers it
    let mut latest_time = Timestamp(0);
    let mut latest_at = 0usize;
    let mut prefix_latest: Vec<(Timestamp, usize)> = Vec::with_capacity(leaves.len());
    for (i, item) in leaves.iter().enumerate() {
        if item.leaf.time >= latest_time {
            latest_time = item.leaf.time;
            latest_at = i;
        }
        prefix_latest.push((latest_time, latest_at));
    }
    for signed in &valid {
        let cp = &signed.checkpoint;
        let covered = usize::try_from(cp.size)
            .unwrap_or(usize::MAX)
            .min(leaves.len());
        if let Some(&(time, at)) = covered.checked_sub(1).and_then(|i| prefix_latest.get(i))
            && time > cp.time
        {
            findings.push(Finding::EntryAfterCheckpoint {
                index: leaves[at].index,
                id: leaves[at].leaf.entry.id,
                checkpoint_size: cp.size,
            });
        }
    }

    // signatures at each entry's ledger time, and the notary
    let mut consumed: HashMap<StateRef, (u64, EntryId)> = HashMap::new();
    for item in leaves {
        let entry: &Entry = &item.leaf.entry;
        for problem in input.keys.judge_signatures(entry, item.leaf.time) {
            findings.push(Finding::Signature {
                index: item.index,
                id: entry.id,
                problem,
            });
        }
        for state in &entry.consumes {
            match consumed.get(state) {
                Some(&(first_index, first_id)) => findings.push(Finding::DoubleSpend {
                    state: *state,
                    index: item.index,
                    id: entry.id,
                    first_index,
                    first_id,
                }),
                None => {
                    consumed.insert(*state, (item.index, entry.id));
                }
            }
        }
    }

    Report {
        leaves_checked: log_size,
        checkpoints_checked: checkpoints.len() as u64,
        findings,
    }
}

/// Why a receipt did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("the checkpoint does not verify: {0}")]
    Checkpoint(#[from] CheckpointError),
    #[error("the receipt is for entry {receipt}, not {entry}")]
    WrongEntry { receipt: EntryId, entry: EntryId },
    #[error("the entry does not encode: {0}")]
    Entry(#[from] EntryError),
    #[error("the receipt's leaf hash is not the hash of the entry at its time")]
    LeafHashMismatch,
    #[error("the inclusion proof does not verify: {0}")]
    Inclusion(#[from] ProofError),
    #[error("entry {id} has signature problems: {problems:?}")]
    Signatures {
        id: EntryId,
        problems: Vec<SignatureProblem>,
    },
}

/// Verifies one receipt: `entry` is the receipted entry, `proof` its
/// inclusion proof in the tree of `checkpoint` (the receipt's own or any
/// later one), `log_key` the log's key. With `keys`, the entry's signatures
/// are also judged at the receipt's ledger time.
pub fn verify_receipt(
    receipt: &Receipt,
    entry: &Entry,
    proof: &[Hash],
    checkpoint: &SignedCheckpoint,
    log_key: &CheckpointVerifier,
    keys: Option<&KeyRegistry>,
) -> Result<(), ReceiptError> {
    checkpoint.verify(log_key)?;
    if receipt.entry_id != entry.id {
        return Err(ReceiptError::WrongEntry {
            receipt: receipt.entry_id,
            entry: entry.id,
        });
    }
    let leaf = LogLeaf {
        time: receipt.time,
        entry: entry.clone(),
    };
    if leaf.leaf_hash()? != receipt.leaf_hash {
        return Err(ReceiptError::LeafHashMismatch);
    }
    let cp = &checkpoint.checkpoint;
    verify_inclusion(receipt.index, cp.size, &receipt.leaf_hash, proof, &cp.root)?;
    if let Some(keys) = keys {
        let problems = keys.judge_signatures(entry, receipt.time);
        if !problems.is_empty() {
            return Err(ReceiptError::Signatures {
                id: entry.id,
                problems,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::{Checkpoint, CheckpointSigner};
    use crate::commitment::{KeyId, ParticipantId};
    use crate::keys::{KeyRecord, KeyStatus};
    use crate::ledger::Ledger;
    use crate::memory::InMemoryLedger;
    use ed25519_dalek::SigningKey;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use uuid::Uuid;

    const ORG: ParticipantId = ParticipantId([1; 32]);

    struct Fixture {
        leaves: Vec<IndexedLeaf>,
        checkpoints: Vec<SignedCheckpoint>,
        receipts: Vec<Receipt>,
        keys: KeyRegistry,
        log_key: CheckpointVerifier,
        log_signer: CheckpointSigner,
        ledger: InMemoryLedger,
    }

    impl Fixture {
        fn input(&self) -> LogInput<'_> {
            LogInput {
                leaves: &self.leaves,
                checkpoints: &self.checkpoints,
                receipts: &self.receipts,
                keys: &self.keys,
                log_key: &self.log_key,
            }
        }

        fn report(&self) -> Report {
            verify_log(&self.input())
        }
    }

    fn org_key() -> SigningKey {
        SigningKey::from_bytes(&[11; 32])
    }

    fn log_signer() -> CheckpointSigner {
        CheckpointSigner::new("lcp.test/log", SigningKey::from_bytes(&[42; 32])).unwrap()
    }

    fn entry(n: u8) -> Entry {
        let mut e = Entry::new(
            EntryId(Uuid::from_bytes([n; 16])),
            "credit.issued",
            [n; 32],
            vec![ORG, ParticipantId([2; 32])],
            vec![StateRef([n; 32])],
        );
        let k = org_key();
        e.sign(KeyId::of(&k.verifying_key()), &k).unwrap();
        e
    }

    /// Ten entries in five batches of two at times 100, 200, ... 500.
    async fn fixture() -> Fixture {
        let now = Arc::new(AtomicU64::new(0));
        let clock = now.clone();
        let ledger = InMemoryLedger::with_clock(
            "lcp.test/log",
            log_signer(),
            Arc::new(move || Timestamp(clock.load(Ordering::SeqCst))),
        )
        .unwrap();
        let mut receipts = Vec::new();
        for batch in 0..5u8 {
            now.store(100 * (u64::from(batch) + 1), Ordering::SeqCst);
            let entries = vec![entry(2 * batch + 1), entry(2 * batch + 2)];
            receipts.extend(ledger.append(entries).await.unwrap());
        }
        let leaves = ledger
            .leaves(0, u64::MAX)
            .await
            .unwrap()
            .into_iter()
            .enumerate()
            .map(|(i, leaf)| IndexedLeaf {
                index: i as u64,
                leaf,
            })
            .collect();
        let mut keys = KeyRegistry::new();
        keys.register(KeyRecord::new(ORG, org_key().verifying_key(), Timestamp(0)))
            .unwrap();
        Fixture {
            leaves,
            checkpoints: ledger.checkpoints().unwrap(),
            receipts,
            keys,
            log_key: log_signer().verifier(),
            log_signer: log_signer(),
            ledger,
        }
    }

    fn id(n: u8) -> EntryId {
        EntryId(Uuid::from_bytes([n; 16]))
    }

    #[tokio::test]
    async fn an_honest_log_is_clean() {
        let f = fixture().await;
        let report = f.report();
        assert_eq!(report.findings, vec![]);
        assert!(report.is_clean());
        assert_eq!(report.leaves_checked, 10);
        assert_eq!(report.checkpoints_checked, 6);
        // and without receipts
        let input = LogInput {
            receipts: &[],
            ..f.input()
        };
        assert!(verify_log(&input).is_clean());
    }

    #[tokio::test]
    async fn an_altered_entry_is_named() {
        let mut f = fixture().await;
        f.leaves[4].leaf.entry.commitment[0] ^= 1;
        let findings = f.report().findings;
        assert!(findings.contains(&Finding::EntryAltered {
            index: 4,
            id: id(5),
            receipt_hash: f.receipts[4].leaf_hash,
            actual_hash: f.leaves[4].leaf.leaf_hash().unwrap(),
        }));
        let key = KeyId::of(&org_key().verifying_key());
        assert!(findings.contains(&Finding::Signature {
            index: 4,
            id: id(5),
            problem: SignatureProblem::BadSignature(key),
        }));
        // the checkpoints from size 6 on disagree, and the divergence is
        // located after size 4
        assert!(findings.contains(&Finding::CheckpointRootMismatch { size: 6, from: 4 }));
        assert!(findings.contains(&Finding::CheckpointRootMismatch { size: 10, from: 4 }));
    }

    #[tokio::test]
    async fn an_altered_time_is_caught_without_receipts() {
        let mut f = fixture().await;
        f.leaves[2].leaf.time = Timestamp(150);
        let input = LogInput {
            receipts: &[],
            ..f.input()
        };
        let findings = verify_log(&input).findings;
        assert!(findings.contains(&Finding::CheckpointRootMismatch { size: 4, from: 2 }));
        assert!(findings.iter().any(|x| matches!(
            x,
            Finding::Inconsistent {
                old_size: 2,
                new_size: 4,
                ..
            }
        )));
    }

    #[tokio::test]
    async fn a_deleted_entry_is_named() {
        // deleted, indices left as they were
        let mut f = fixture().await;
        f.leaves.remove(3);
        let findings = f.report().findings;
        assert!(findings.contains(&Finding::MissingEntries { from: 3, to: 3 }));
        assert!(findings.contains(&Finding::EntryMoved {
            id: id(5),
            receipt_index: 4,
            found_at: 3,
        }));
        // deleted and renumbered: the receipts still name it
        let mut g = fixture().await;
        g.leaves.remove(3);
        for (i, leaf) in g.leaves.iter_mut().enumerate() {
            leaf.index = i as u64;
        }
        let findings = g.report().findings;
        assert!(findings.contains(&Finding::ReceiptedEntryMissing {
            id: id(4),
            index: 3
        }));
        assert!(findings.contains(&Finding::CheckpointBeyondLog {
            size: 10,
            log_size: 9
        }));
        assert!(
            !findings
                .iter()
                .any(|x| matches!(x, Finding::MissingEntries { .. }))
        );
        // deleted at the end, without receipts: the checkpoints catch it
        let mut h = fixture().await;
        h.leaves.pop();
        let input = LogInput {
            receipts: &[],
            ..h.input()
        };
        assert_eq!(
            verify_log(&input).findings,
            vec![Finding::CheckpointBeyondLog {
                size: 10,
                log_size: 9
            }]
        );
    }

    #[tokio::test]
    async fn reordered_entries_are_named() {
        let mut f = fixture().await;
        f.leaves.swap(6, 7);
        let findings = f.report().findings;
        assert!(findings.contains(&Finding::OutOfOrder {
            position: 7,
            index: 6,
            id: id(7),
            previous_index: 7,
        }));
        assert!(findings.contains(&Finding::EntryMoved {
            id: id(7),
            receipt_index: 6,
            found_at: 7,
        }));
        assert!(findings.contains(&Finding::EntryMoved {
            id: id(8),
            receipt_index: 7,
            found_at: 6,
        }));
        assert!(findings.contains(&Finding::CheckpointRootMismatch { size: 8, from: 6 }));
    }

    #[tokio::test]
    async fn bad_checkpoints_are_named() {
        let mut f = fixture().await;
        // a forged signature
        f.checkpoints[3].signatures[0].signature[0] ^= 1;
        // a split view: the log key signed another root for size 4
        let forked = f
            .log_signer
            .sign(Checkpoint {
                root: [9; 32],
                ..f.checkpoints[2].checkpoint.clone()
            })
            .unwrap();
        f.checkpoints.push(forked);
        let findings = f.report().findings;
        assert!(
            findings
                .iter()
                .any(|x| matches!(x, Finding::CheckpointSignatureInvalid { size: 6, .. }))
        );
        assert!(findings.contains(&Finding::Equivocation { size: 4 }));
        assert!(findings.contains(&Finding::CheckpointRootMismatch { size: 4, from: 2 }));
    }

    #[tokio::test]
    async fn checkpoint_times_are_checked() {
        let mut f = fixture().await;
        let early = f
            .log_signer
            .sign(Checkpoint {
                time: Timestamp(50),
                ..f.checkpoints[5].checkpoint.clone()
            })
            .unwrap();
        f.checkpoints = vec![f.checkpoints[1].clone(), early];
        f.receipts.clear();
        let findings = f.report().findings;
        assert!(findings.contains(&Finding::CheckpointTimeWentBackwards {
            size: 10,
            previous_size: 2
        }));
        assert!(findings.contains(&Finding::EntryAfterCheckpoint {
            index: 9,
            id: id(10),
            checkpoint_size: 10
        }));
    }

    #[tokio::test]
    async fn signatures_are_judged_at_ledger_time() {
        let mut f = fixture().await;
        let key = KeyId::of(&org_key().verifying_key());
        // compromised from time 300: batches at 300, 400 and 500 are void
        f.keys.revoke(&key, Timestamp(300), "leaked").unwrap();
        let findings = f.report().findings;
        let voided: Vec<u64> = findings
            .iter()
            .filter_map(|x| match x {
                Finding::Signature {
                    index,
                    problem:
                        SignatureProblem::KeyNotValid {
                            status: KeyStatus::Revoked { .. },
                            ..
                        },
                    ..
                } => Some(*index),
                _ => None,
            })
            .collect();
        assert_eq!(voided, vec![4, 5, 6, 7, 8, 9]);
        assert_eq!(findings.len(), 6);
    }

    #[tokio::test]
    async fn a_double_spend_in_an_export_is_named() {
        let mut f = fixture().await;
        // an export that bypassed the notary: entry 9 consumes entry 2's state
        f.leaves[8].leaf.entry.consumes = vec![StateRef([2; 32])];
        let findings = f.report().findings;
        assert!(findings.contains(&Finding::DoubleSpend {
            state: StateRef([2; 32]),
            index: 8,
            id: id(9),
            first_index: 1,
            first_id: id(2),
        }));
    }

    #[tokio::test]
    async fn duplicate_ids_are_named() {
        let mut f = fixture().await;
        let copy = f.leaves[1].clone();
        f.leaves.push(IndexedLeaf { index: 10, ..copy });
        let findings = f.report().findings;
        assert!(findings.contains(&Finding::DuplicateEntryId {
            id: id(2),
            first_index: 1,
            index: 10,
        }));
    }

    #[tokio::test]
    async fn one_receipt_verifies_offline() {
        let f = fixture().await;
        let receipt = &f.receipts[3];
        let latest = f.ledger.latest_checkpoint().await.unwrap();
        let size = latest.checkpoint.size;
        let proof = f.ledger.inclusion_proof(3, size).await.unwrap();
        let own = f
            .ledger
            .inclusion_proof(3, receipt.checkpoint.checkpoint.size)
            .await
            .unwrap();
        let e = entry(4);
        verify_receipt(receipt, &e, &proof, &latest, &f.log_key, Some(&f.keys)).unwrap();
        verify_receipt(receipt, &e, &own, &receipt.checkpoint, &f.log_key, None).unwrap();

        let mut altered = e.clone();
        altered.commitment[0] ^= 1;
        assert_eq!(
            verify_receipt(receipt, &altered, &proof, &latest, &f.log_key, None),
            Err(ReceiptError::LeafHashMismatch)
        );
        assert!(matches!(
            verify_receipt(receipt, &entry(5), &proof, &latest, &f.log_key, None),
            Err(ReceiptError::WrongEntry { .. })
        ));
        let mut later = receipt.clone();
        later.time = Timestamp(receipt.time.0 + 1);
        assert_eq!(
            verify_receipt(&later, &e, &proof, &latest, &f.log_key, None),
            Err(ReceiptError::LeafHashMismatch)
        );
        let mut bad_proof = proof.clone();
        bad_proof[0][0] ^= 1;
        assert!(matches!(
            verify_receipt(receipt, &e, &bad_proof, &latest, &f.log_key, None),
            Err(ReceiptError::Inclusion(_))
        ));
        let other_log =
            CheckpointSigner::new("lcp.test/log", SigningKey::from_bytes(&[43; 32])).unwrap();
        assert!(matches!(
            verify_receipt(receipt, &e, &proof, &latest, &other_log.verifier(), None),
            Err(ReceiptError::Checkpoint(_))
        ));
        let mut keys = f.keys.clone();
        keys.revoke(
            &KeyId::of(&org_key().verifying_key()),
            Timestamp(1),
            "leaked",
        )
        .unwrap();
        assert!(matches!(
            verify_receipt(receipt, &e, &proof, &latest, &f.log_key, Some(&keys)),
            Err(ReceiptError::Signatures { .. })
        ));
    }
}

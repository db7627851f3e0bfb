//! The conformance suite every [`Ledger`] engine must pass.
//!
//! ```text
//! ledger_adapter::conformance::run(&engine, &log_verifier).await?;
//! ```
//!
//! It appends fresh entries (random ids, commitments and state references)
//! and checks the trait's contract: receipts, idempotency by id, conflicts,
//! the notary, all-or-nothing batches, signed checkpoints, inclusion and
//! consistency proofs, and exported leaves. It works on an empty or a
//! non-empty ledger, but no other writer may append while it runs. It
//! returns the first failed check instead of panicking, so engines in other
//! crates can call it from their own tests.

use ed25519_dalek::SigningKey;
use rand::RngCore;

use crate::checkpoint::{CheckpointVerifier, SignedCheckpoint};
use crate::commitment::{Entry, EntryId, KeyId, LogLeaf, Opening, ParticipantId, StateRef};
use crate::ledger::{Ledger, LedgerError, Receipt};
use crate::proof::{verify_consistency, verify_inclusion};

/// A failed conformance check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("conformance check `{check}` failed: {detail}")]
pub struct ConformanceFailure {
    pub check: &'static str,
    pub detail: String,
}

fn fail<T>(check: &'static str, detail: impl Into<String>) -> Result<T, ConformanceFailure> {
    Err(ConformanceFailure {
        check,
        detail: detail.into(),
    })
}

fn ensure(
    ok: bool,
    check: &'static str,
    detail: impl Into<String>,
) -> Result<(), ConformanceFailure> {
    if ok { Ok(()) } else { fail(check, detail) }
}

fn call<T>(check: &'static str, result: Result<T, LedgerError>) -> Result<T, ConformanceFailure> {
    result.or_else(|e| fail(check, format!("unexpected error: {e}")))
}

fn random32() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// A random state reference.
pub fn fresh_state() -> StateRef {
    StateRef(random32())
}

/// A fresh, signed entry of `kind` consuming `consumes`, with a new id and a
/// commitment to a random transition.
pub fn fresh_entry(kind: &str, consumes: &[StateRef]) -> Entry {
    let transition = serde_json::json!({ "nonce": random32() });
    let commitment = Opening::new(&transition).map_or(random32(), |o| o.commitment());
    let mut entry = Entry::new(
        EntryId::new_v7(),
        kind,
        commitment,
        vec![ParticipantId(random32()), ParticipantId(random32())],
        consumes.to_vec(),
    );
    let key = SigningKey::from_bytes(&random32());
    // a fresh entry is well formed, so signing cannot fail
    let _ = entry.sign(KeyId::of(&key.verifying_key()), &key);
    entry
}

async fn checkpoint(
    ledger: &dyn Ledger,
    log_key: &CheckpointVerifier,
    check: &'static str,
) -> Result<SignedCheckpoint, ConformanceFailure> {
    let signed = call(check, ledger.latest_checkpoint().await)?;
    if let Err(e) = signed.verify(log_key) {
        return fail(check, format!("the latest checkpoint does not verify: {e}"));
    }
    Ok(signed)
}

/// Checks a receipt against its entry, its own checkpoint and the ledger's
/// inclusion proof.
async fn check_receipt(
    ledger: &dyn Ledger,
    log_key: &CheckpointVerifier,
    entry: &Entry,
    receipt: &Receipt,
    check: &'static str,
) -> Result<(), ConformanceFailure> {
    ensure(
        receipt.entry_id == entry.id,
        check,
        "the receipt names another entry",
    )?;
    if let Err(e) = receipt.checkpoint.verify(log_key) {
        return fail(
            check,
            format!("the receipt's checkpoint does not verify: {e}"),
        );
    }
    let cp = &receipt.checkpoint.checkpoint;
    ensure(
        receipt.index < cp.size,
        check,
        "the receipt's checkpoint does not cover its index",
    )?;
    let leaf = LogLeaf {
        time: receipt.time,
        entry: entry.clone(),
    };
    let expected = leaf
        .leaf_hash()
        .or_else(|e| fail(check, format!("entry does not encode: {e}")))?;
    ensure(
        receipt.leaf_hash == expected,
        check,
        format!(
            "leaf hash of entry {} is not H(0x00 || time || entry)",
            entry.id
        ),
    )?;
    let proof = call(check, ledger.inclusion_proof(receipt.index, cp.size).await)?;
    if let Err(e) = verify_inclusion(receipt.index, cp.size, &receipt.leaf_hash, &proof, &cp.root) {
        return fail(check, format!("inclusion proof of entry {}: {e}", entry.id));
    }
    let exported = call(check, ledger.leaves(receipt.index, receipt.index + 1).await)?;
    ensure(
        exported == [leaf],
        check,
        format!(
            "the exported leaf {} is not the appended entry",
            receipt.index
        ),
    )?;
    Ok(())
}

async fn size(
    ledger: &dyn Ledger,
    log_key: &CheckpointVerifier,
) -> Result<u64, ConformanceFailure> {
    Ok(checkpoint(ledger, log_key, "latest checkpoint")
        .await?
        .checkpoint
        .size)
}

/// Runs every check; the first failure is returned.
pub async fn run(
    ledger: &dyn Ledger,
    log_key: &CheckpointVerifier,
) -> Result<(), ConformanceFailure> {
    // the starting point
    let start = checkpoint(ledger, log_key, "initial checkpoint").await?;
    let n0 = start.checkpoint.size;

    // an empty batch appends nothing
    let none = call("empty batch", ledger.append(Vec::new()).await)?;
    ensure(none.is_empty(), "empty batch", "receipts for nothing")?;
    ensure(
        size(ledger, log_key).await? == n0,
        "empty batch",
        "the log grew",
    )?;

    // a batch of three new entries
    let batch: Vec<Entry> = (0..3).map(|_| fresh_entry("credit.issued", &[])).collect();
    let receipts = call("append", ledger.append(batch.clone()).await)?;
    ensure(
        receipts.len() == 3,
        "append",
        format!("{} receipts for 3 entries", receipts.len()),
    )?;
    for (k, (entry, receipt)) in batch.iter().zip(&receipts).enumerate() {
        ensure(
            receipt.index == n0 + k as u64,
            "append",
            format!(
                "entry {k} got index {}, expected {}",
                receipt.index,
                n0 + k as u64
            ),
        )?;
        check_receipt(ledger, log_key, entry, receipt, "append").await?;
    }
    ensure(
        receipts.windows(2).all(|w| w[0].time <= w[1].time)
            && receipts[0].time >= start.checkpoint.time,
        "append",
        "ledger time ran backwards",
    )?;
    let after_first = checkpoint(ledger, log_key, "append").await?;
    ensure(
        after_first.checkpoint.size == n0 + 3,
        "append",
        "the log did not grow by 3",
    )?;

    // idempotency: the same batch again returns the same receipts
    let again = call("idempotent append", ledger.append(batch.clone()).await)?;
    ensure(
        again == receipts,
        "idempotent append",
        "re-appending changed the receipts",
    )?;
    ensure(
        size(ledger, log_key).await? == n0 + 3,
        "idempotent append",
        "re-appending grew the log",
    )?;
    for (entry, receipt) in batch.iter().zip(&receipts) {
        let stored = call("receipt lookup", ledger.receipt(entry.id).await)?;
        ensure(
            stored.as_ref() == Some(receipt),
            "receipt lookup",
            format!("receipt of {} differs", entry.id),
        )?;
    }
    let unknown = call("receipt lookup", ledger.receipt(EntryId::new_v7()).await)?;
    ensure(
        unknown.is_none(),
        "receipt lookup",
        "a receipt for an unknown id",
    )?;

    // same id, different content: a conflict naming the entry; nothing appended
    let mut altered = batch[1].clone();
    altered.kind = "credit.amended".into();
    let fresh = fresh_entry("credit.issued", &[]);
    match ledger.append(vec![fresh.clone(), altered.clone()]).await {
        Err(LedgerError::Conflict { id, index }) => ensure(
            id == altered.id && index == Some(n0 + 1),
            "conflict",
            format!(
                "conflict names {id} at {index:?}, expected {} at {}",
                altered.id,
                n0 + 1
            ),
        )?,
        other => return fail("conflict", format!("expected a conflict, got {other:?}")),
    }
    ensure(
        size(ledger, log_key).await? == n0 + 3,
        "all or nothing",
        "a failed batch appended something",
    )?;
    let ghost = call("all or nothing", ledger.receipt(fresh.id).await)?;
    ensure(
        ghost.is_none(),
        "all or nothing",
        "an entry of a failed batch got a receipt",
    )?;

    // the same id twice in a batch: identical copies are fine, different are not
    let twin = fresh_entry("credit.issued", &[]);
    let mut evil_twin = twin.clone();
    evil_twin.commitment[0] ^= 1;
    match ledger.append(vec![twin.clone(), evil_twin]).await {
        Err(LedgerError::Conflict { id, .. }) => ensure(
            id == twin.id,
            "conflict in batch",
            "the conflict names another entry",
        )?,
        other => {
            return fail(
                "conflict in batch",
                format!("expected a conflict, got {other:?}"),
            );
        }
    }
    let twins = call(
        "duplicate in batch",
        ledger.append(vec![twin.clone(), twin.clone()]).await,
    )?;
    ensure(
        twins.len() == 2 && twins[0] == twins[1],
        "duplicate in batch",
        "identical copies got different receipts",
    )?;
    check_receipt(ledger, log_key, &twin, &twins[0], "duplicate in batch").await?;

    // a malformed entry is named
    let mut malformed = fresh_entry("credit.issued", &[]);
    malformed.kind = "Not A Kind".into();
    match ledger.append(vec![malformed.clone()]).await {
        Err(LedgerError::InvalidEntry { id, .. }) => ensure(
            id == malformed.id,
            "invalid entry",
            "the error names another entry",
        )?,
        other => {
            return fail(
                "invalid entry",
                format!("expected invalid entry, got {other:?}"),
            );
        }
    }

    // notary: a state is consumed once
    let state = fresh_state();
    let spend = fresh_entry("credit.drawn", &[state]);
    let spent = call("notary", ledger.append(vec![spend.clone()]).await)?;
    check_receipt(ledger, log_key, &spend, &spent[0], "notary").await?;
    let double = fresh_entry("credit.drawn", &[fresh_state(), state]);
    let before = size(ledger, log_key).await?;
    match ledger.append(vec![double.clone()]).await {
        Err(LedgerError::AlreadyConsumed {
            state: s,
            entry,
            consumed_by,
        }) => ensure(
            s == state && entry == double.id && consumed_by == spend.id,
            "notary",
            "the double spend names the wrong state or entries",
        )?,
        other => return fail("notary", format!("expected a double spend, got {other:?}")),
    }
    // re-appending the original spender is still idempotent
    let respent = call("notary", ledger.append(vec![spend.clone()]).await)?;
    ensure(
        respent == spent,
        "notary",
        "re-appending the spender changed its receipt",
    )?;
    // two new entries of one batch consuming the same state
    let shared = fresh_state();
    let first = fresh_entry("credit.drawn", &[shared]);
    let second = fresh_entry("credit.drawn", &[shared]);
    match ledger.append(vec![first.clone(), second.clone()]).await {
        Err(LedgerError::AlreadyConsumed {
            entry, consumed_by, ..
        }) => ensure(
            entry == second.id && consumed_by == first.id,
            "notary in batch",
            "the double spend names the wrong entries",
        )?,
        other => {
            return fail(
                "notary in batch",
                format!("expected a double spend, got {other:?}"),
            );
        }
    }
    ensure(
        size(ledger, log_key).await? == before,
        "notary",
        "a rejected batch appended something",
    )?;

    // consistency from the start and from every receipt's checkpoint
    let latest = checkpoint(ledger, log_key, "consistency").await?;
    let new = &latest.checkpoint;
    ensure(
        new.time >= start.checkpoint.time,
        "consistency",
        "checkpoint time ran backwards",
    )?;
    for old in [
        &start.checkpoint,
        &after_first.checkpoint,
        &spent[0].checkpoint.checkpoint,
    ] {
        let proof = call(
            "consistency",
            ledger.consistency_proof(old.size, new.size).await,
        )?;
        if let Err(e) = verify_consistency(old.size, new.size, &old.root, &new.root, &proof) {
            return fail(
                "consistency",
                format!("{} -> {} does not verify: {e}", old.size, new.size),
            );
        }
    }
    // every earlier receipt is provable in the latest tree
    for receipt in receipts.iter().chain(&spent).chain(&twins) {
        let proof = call(
            "inclusion",
            ledger.inclusion_proof(receipt.index, new.size).await,
        )?;
        if let Err(e) = verify_inclusion(
            receipt.index,
            new.size,
            &receipt.leaf_hash,
            &proof,
            &new.root,
        ) {
            return fail(
                "inclusion",
                format!("entry {} in size {}: {e}", receipt.entry_id, new.size),
            );
        }
    }

    // impossible proof requests are errors, not proofs
    ensure(
        ledger.inclusion_proof(new.size, new.size).await.is_err(),
        "proof bounds",
        "an inclusion proof for an index beyond the log",
    )?;
    ensure(
        ledger.inclusion_proof(0, new.size + 1).await.is_err(),
        "proof bounds",
        "an inclusion proof in a tree larger than the log",
    )?;
    ensure(
        ledger.consistency_proof(new.size, n0).await.is_err() || new.size == n0,
        "proof bounds",
        "a consistency proof backwards",
    )?;
    ensure(
        ledger.consistency_proof(n0, new.size + 1).await.is_err(),
        "proof bounds",
        "a consistency proof to a tree larger than the log",
    )?;

    // the export covers exactly what was appended
    let exported = call("export", ledger.leaves(n0, u64::MAX).await)?;
    ensure(
        exported.len() as u64 == new.size - n0,
        "export",
        format!(
            "{} leaves exported, {} appended",
            exported.len(),
            new.size - n0
        ),
    )?;
    Ok(())
}

//! The embedded PostgreSQL ledger engine on a migrated database: the
//! conformance suite, replicas appending concurrently, the service role's
//! append-only rights, and tampering with the rows found by the offline
//! verifier.

use std::collections::BTreeSet;
use std::sync::Arc;

use diesel::sql_types::{BigInt, Bytea};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ed25519_dalek::SigningKey;
use lcp::store;
use ledger_adapter::checkpoint::CheckpointSigner;
use ledger_adapter::commitment::{Entry, EntryId, KeyId, ParticipantId, StateRef};
use ledger_adapter::conformance;
use ledger_adapter::keys::{KeyRecord, KeyRegistry};
use ledger_adapter::postgres::PostgresLedger;
use ledger_adapter::verify::{Finding, LogInput, Report, verify_log};
use ledger_adapter::{Ledger, LedgerError, Receipt, Timestamp};
use secrecy::SecretString;

use crate::support::migrated_database;

const ORIGIN: &str = "lcp.test/log";
const ORG: ParticipantId = ParticipantId([7; 32]);
const TABLES: [&str; 4] = [
    "ledger_leaves",
    "ledger_nodes",
    "ledger_consumed",
    "ledger_checkpoints",
];

fn log_signer() -> CheckpointSigner {
    CheckpointSigner::new(ORIGIN, SigningKey::from_bytes(&[42; 32])).unwrap()
}

fn org_key() -> SigningKey {
    SigningKey::from_bytes(&[11; 32])
}

fn keys() -> KeyRegistry {
    let mut keys = KeyRegistry::new();
    keys.register(KeyRecord::new(ORG, org_key().verifying_key(), Timestamp(0)))
        .unwrap();
    keys
}

/// An engine on `url` whose connections run as the service's role.
fn engine(url: &SecretString) -> PostgresLedger {
    PostgresLedger::new(ORIGIN, log_signer(), store::pool(url, 4).unwrap())
}

/// An entry signed by the registered organisation key.
fn signed_entry(consumes: &[StateRef]) -> Entry {
    let mut entry = Entry::new(
        EntryId::new_v7(),
        "credit.issued",
        rand::random::<[u8; 32]>(),
        vec![ORG, ParticipantId([200; 32])],
        consumes.to_vec(),
    );
    let key = org_key();
    entry.sign(KeyId::of(&key.verifying_key()), &key).unwrap();
    entry
}

/// `verify_log` over the rows as they are now, with the relay's receipts.
async fn report(ledger: &PostgresLedger, receipts: &[Receipt]) -> Report {
    let (leaves, checkpoints) = ledger.export().await.unwrap();
    let keys = keys();
    let log_key = log_signer().verifier();
    verify_log(&LogInput {
        leaves: &leaves,
        checkpoints: &checkpoints,
        receipts,
        keys: &keys,
        log_key: &log_key,
    })
}

async fn owner(url: &SecretString) -> AsyncPgConnection {
    store::connect(url).await.unwrap()
}

async fn run(connection: &mut AsyncPgConnection, sql: &str) -> Result<usize, String> {
    diesel::sql_query(sql)
        .execute(connection)
        .await
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn the_postgres_engine_passes_the_conformance_suite() {
    let url = migrated_database().await;
    let ledger = engine(&url);
    let verifier = log_signer().verifier();
    conformance::run(&ledger, &verifier).await.unwrap();
    // again on the non-empty log, and through another engine on the same
    // tables (a restarted replica)
    conformance::run(&ledger, &verifier).await.unwrap();
    conformance::run(&engine(&url), &verifier).await.unwrap();
    // one checkpoint for the empty log, then one per batch that added entries
    let checkpoints = ledger.checkpoints().await.unwrap();
    assert_eq!(checkpoints[0].checkpoint.size, 0);
    assert!(
        checkpoints
            .windows(2)
            .all(|w| w[0].checkpoint.size < w[1].checkpoint.size)
    );
    assert_eq!(
        checkpoints.last().unwrap(),
        &ledger.latest_checkpoint().await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_appending_concurrently_share_one_gap_free_log() {
    let url = migrated_database().await;
    let replicas = [Arc::new(engine(&url)), Arc::new(engine(&url))];
    let (batches, per_batch) = (12u64, 3u64);
    let tasks: Vec<_> = replicas
        .iter()
        .cloned()
        .map(|ledger| {
            tokio::spawn(async move {
                let mut receipts = Vec::new();
                for _ in 0..batches {
                    let batch: Vec<Entry> = (0..per_batch)
                        .map(|k| {
                            if k == 0 {
                                signed_entry(&[StateRef(rand::random::<[u8; 32]>())])
                            } else {
                                signed_entry(&[])
                            }
                        })
                        .collect();
                    let got = ledger.append(batch.clone()).await.unwrap();
                    // a batch is contiguous in batch order
                    for (k, (entry, receipt)) in batch.iter().zip(&got).enumerate() {
                        assert_eq!(receipt.entry_id, entry.id);
                        assert_eq!(receipt.index, got[0].index + k as u64);
                    }
                    receipts.extend(got);
                }
                receipts
            })
        })
        .collect();
    let mut receipts = Vec::new();
    for task in tasks {
        receipts.extend(task.await.unwrap());
    }

    let total = 2 * batches * per_batch;
    let indices: BTreeSet<u64> = receipts.iter().map(|r| r.index).collect();
    assert_eq!(indices, (0..total).collect::<BTreeSet<_>>(), "gap-free");
    let checkpoints = replicas[0].checkpoints().await.unwrap();
    assert_eq!(checkpoints.len() as u64, 1 + 2 * batches);
    assert_eq!(checkpoints.last().unwrap().checkpoint.size, total);
    let report = report(&replicas[1], &receipts).await;
    assert!(report.is_clean(), "{:?}", report.findings);
    assert_eq!(report.leaves_checked, total);

    // both replicas racing for one state: exactly one consumes it
    let state = StateRef(rand::random::<[u8; 32]>());
    let (a, b) = (signed_entry(&[state]), signed_entry(&[state]));
    let (ra, rb) = tokio::join!(
        replicas[0].append(vec![a.clone()]),
        replicas[1].append(vec![b.clone()])
    );
    let (winner, loser, err) = match (ra, rb) {
        (Ok(_), Err(e)) => (a, b, e),
        (Err(e), Ok(_)) => (b, a, e),
        other => panic!("expected exactly one spend, got {other:?}"),
    };
    assert_eq!(
        err,
        LedgerError::AlreadyConsumed {
            state,
            entry: loser.id,
            consumed_by: winner.id,
        }
    );
    // a replica re-appending what the other wrote gets the same receipt
    let first = receipts.iter().find(|r| r.index == 0).unwrap().entry_id;
    let again = replicas[1].receipt(first).await.unwrap().unwrap();
    assert_eq!(receipts.iter().find(|r| r.index == 0).unwrap(), &again);
}

#[tokio::test]
async fn the_service_role_cannot_update_or_delete_ledger_rows() {
    let url = migrated_database().await;
    let ledger = engine(&url);
    // the engine itself runs as the service role: reading and inserting suffice
    ledger
        .append(vec![
            signed_entry(&[StateRef([1; 32])]),
            signed_entry(&[]),
            signed_entry(&[]),
        ])
        .await
        .unwrap();
    let mut connection = owner(&url).await;
    run(&mut connection, &format!("SET ROLE {}", store::APP_ROLE))
        .await
        .unwrap();
    let attempts = [
        "UPDATE ledger_leaves SET ledger_time = ledger_time + 1",
        "UPDATE ledger_nodes SET hash = hash",
        "UPDATE ledger_consumed SET entry_id = entry_id",
        "UPDATE ledger_checkpoints SET signed = signed",
        "DELETE FROM ledger_consumed",
        "DELETE FROM ledger_checkpoints",
        "DELETE FROM ledger_nodes",
        "DELETE FROM ledger_leaves",
        "TRUNCATE ledger_leaves, ledger_nodes, ledger_consumed, ledger_checkpoints",
    ];
    for sql in attempts {
        let error = run(&mut connection, sql).await.unwrap_err();
        assert!(error.contains("permission denied"), "{sql}: {error}");
    }
    run(&mut connection, "RESET ROLE").await.unwrap();
    for table in TABLES {
        let count: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
            .get_result(&mut connection)
            .await
            .unwrap();
        assert!(count.n > 0, "{table} lost its rows");
    }
    let report = report(&ledger, &[]).await;
    assert!(report.is_clean(), "{:?}", report.findings);
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct EntryBytes {
    #[diesel(sql_type = Bytea)]
    entry: Vec<u8>,
}

/// A log of eight entries in four batches, verified clean, with its receipts.
async fn log_to_tamper_with() -> (SecretString, PostgresLedger, Vec<Receipt>) {
    let url = migrated_database().await;
    let ledger = engine(&url);
    let mut receipts = Vec::new();
    for _ in 0..4 {
        receipts.extend(
            ledger
                .append(vec![signed_entry(&[]), signed_entry(&[])])
                .await
                .unwrap(),
        );
    }
    let report = report(&ledger, &receipts).await;
    assert!(report.is_clean(), "{:?}", report.findings);
    (url, ledger, receipts)
}

fn id_at(receipts: &[Receipt], index: u64) -> EntryId {
    receipts.iter().find(|r| r.index == index).unwrap().entry_id
}

#[tokio::test]
async fn altered_rows_are_named_by_the_verifier() {
    let (url, ledger, receipts) = log_to_tamper_with().await;
    let mut connection = owner(&url).await;
    // another commitment under the same id, re-encoded canonically
    let row: EntryBytes = diesel::sql_query("SELECT entry FROM ledger_leaves WHERE idx = 3")
        .get_result(&mut connection)
        .await
        .unwrap();
    let mut entry = Entry::from_bytes(&row.entry).unwrap();
    entry.commitment[0] ^= 1;
    diesel::sql_query("UPDATE ledger_leaves SET entry = $1 WHERE idx = 3")
        .bind::<Bytea, _>(entry.to_bytes().unwrap())
        .execute(&mut connection)
        .await
        .unwrap();
    // and another ledger time for entry 5
    run(
        &mut connection,
        "UPDATE ledger_leaves SET ledger_time = ledger_time + 1 WHERE idx = 5",
    )
    .await
    .unwrap();

    let report = report(&ledger, &receipts).await;
    for index in [3, 5] {
        let id = id_at(&receipts, index);
        assert!(
            report.findings.iter().any(|f| matches!(
                f,
                Finding::EntryAltered { index: i, id: found, .. } if *i == index && *found == id
            )),
            "entry {index} not named as altered: {:?}",
            report.findings
        );
    }
    // the altered commitment breaks the entry's signature too
    let id = id_at(&receipts, 3);
    assert!(
        report
            .findings
            .iter()
            .any(|f| matches!(f, Finding::Signature { index: 3, id: found, .. } if *found == id)),
        "{:?}",
        report.findings
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| matches!(f, Finding::CheckpointRootMismatch { .. })),
        "{:?}",
        report.findings
    );
}

#[tokio::test]
async fn deleted_rows_are_named_by_the_verifier() {
    let (url, ledger, receipts) = log_to_tamper_with().await;
    let mut connection = owner(&url).await;
    assert_eq!(
        run(&mut connection, "DELETE FROM ledger_leaves WHERE idx = 2")
            .await
            .unwrap(),
        1
    );
    let report = report(&ledger, &receipts).await;
    let id = id_at(&receipts, 2);
    assert!(
        report
            .findings
            .contains(&Finding::ReceiptedEntryMissing { id, index: 2 }),
        "{:?}",
        report.findings
    );
    assert!(
        report
            .findings
            .contains(&Finding::MissingEntries { from: 2, to: 2 }),
        "{:?}",
        report.findings
    );
}

#[tokio::test]
async fn reordered_rows_are_named_by_the_verifier() {
    let (url, ledger, receipts) = log_to_tamper_with().await;
    let mut connection = owner(&url).await;
    // swap the indices of entries 1 and 4
    run(
        &mut connection,
        "UPDATE ledger_leaves SET idx = idx + 1000 WHERE idx IN (1, 4)",
    )
    .await
    .unwrap();
    run(
        &mut connection,
        "UPDATE ledger_leaves SET idx = CASE idx WHEN 1001 THEN 4 ELSE 1 END \
         WHERE idx IN (1001, 1004)",
    )
    .await
    .unwrap();
    let report = report(&ledger, &receipts).await;
    for (from, to) in [(1, 4), (4, 1)] {
        let id = id_at(&receipts, from);
        assert!(
            report.findings.contains(&Finding::EntryMoved {
                id,
                receipt_index: from,
                found_at: to,
            }),
            "entry {id} not named as moved: {:?}",
            report.findings
        );
    }
    assert!(
        report
            .findings
            .iter()
            .any(|f| matches!(f, Finding::CheckpointRootMismatch { .. })),
        "{:?}",
        report.findings
    );
}

//! The embedded PostgreSQL engine: the platform's default ledger.
//!
//! The log lives in four append-only tables (migration `ledger`):
//!
//! | table | rows |
//! | --- | --- |
//! | `ledger_leaves` | index, entry id (unique), ledger time, entry bytes, leaf hash |
//! | `ledger_nodes` | every complete subtree above the leaves: `(level k, position i)` is the hash of leaves `[i·2^k, (i+1)·2^k)` |
//! | `ledger_consumed` | the notary: state reference → consuming entry |
//! | `ledger_checkpoints` | size, root, time and signed-note text of every checkpoint |
//!
//! An append runs in one transaction that first takes a transaction-level
//! advisory lock, so any number of replicas append to one gap-free log and
//! a failed batch leaves nothing behind. It reads only the `O(log n)`
//! subtrees on the log's right edge, writes the new leaves and the subtrees
//! they complete, and signs one checkpoint. Proofs and roots are computed
//! from stored subtree hashes (`O(log² n)` rows per proof), never by
//! rehashing the log.
//!
//! The service's database role may only read and insert these tables.
//! [`PostgresLedger::export`] reads the rows back as they are, for the
//! offline verifier ([`crate::verify::verify_log`]).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Bytea, SmallInt, Text, Uuid};
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::Timestamp;
use crate::checkpoint::{Checkpoint, CheckpointSigner, SignedCheckpoint};
use crate::commitment::{Entry, EntryError, EntryId, LogLeaf, StateRef};
use crate::ledger::{Ledger, LedgerError, Receipt};
use crate::merkle::{Hash, empty_root, leaf_hash, node_hash};
use crate::proof::{ProofError, consistency_path, frontier, inclusion_path, subtree_root};
use crate::verify::IndexedLeaf;

/// The connection pool the engine draws from.
pub type PgPool = Pool<AsyncPgConnection>;

type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The advisory lock every append holds until its transaction ends
/// (`"lcp:ledg"` as a big-endian integer).
pub const APPEND_LOCK: i64 = 0x6c63_703a_6c65_6467;

/// The PostgreSQL [`Ledger`]; see the module documentation.
pub struct PostgresLedger {
    origin: String,
    signer: CheckpointSigner,
    pool: PgPool,
    clock: Clock,
}

impl std::fmt::Debug for PostgresLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresLedger")
            .field("origin", &self.origin)
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}

/// An error inside an append transaction: the ledger's own, or the
/// database's (which also rolls the transaction back).
enum TxError {
    Ledger(LedgerError),
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for TxError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Database(e)
    }
}

impl From<LedgerError> for TxError {
    fn from(e: LedgerError) -> Self {
        Self::Ledger(e)
    }
}

impl From<TxError> for LedgerError {
    fn from(e: TxError) -> Self {
        match e {
            TxError::Ledger(e) => e,
            TxError::Database(e) => db(e),
        }
    }
}

fn db(e: diesel::result::Error) -> LedgerError {
    LedgerError::Engine(format!("database: {e}"))
}

fn engine(what: impl Into<String>) -> LedgerError {
    LedgerError::Engine(what.into())
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64, what: &str) -> Result<u64, LedgerError> {
    u64::try_from(n).map_err(|_| engine(format!("stored {what} {n} is negative")))
}

fn hash32(bytes: &[u8], what: &str) -> Result<Hash, LedgerError> {
    bytes
        .try_into()
        .map_err(|_| engine(format!("stored {what} is not 32 bytes")))
}

#[derive(QueryableByName)]
struct LeafRow {
    #[diesel(sql_type = BigInt)]
    idx: i64,
    #[diesel(sql_type = Uuid)]
    entry_id: uuid::Uuid,
    #[diesel(sql_type = BigInt)]
    ledger_time: i64,
    #[diesel(sql_type = Bytea)]
    entry: Vec<u8>,
}

#[derive(QueryableByName)]
struct ReceiptRow {
    #[diesel(sql_type = BigInt)]
    idx: i64,
    #[diesel(sql_type = Uuid)]
    entry_id: uuid::Uuid,
    #[diesel(sql_type = BigInt)]
    ledger_time: i64,
    #[diesel(sql_type = Bytea)]
    leaf_hash: Vec<u8>,
    #[diesel(sql_type = Text)]
    signed: String,
}

#[derive(QueryableByName)]
struct ConsumedRow {
    #[diesel(sql_type = Bytea)]
    state_ref: Vec<u8>,
    #[diesel(sql_type = Uuid)]
    entry_id: uuid::Uuid,
}

#[derive(QueryableByName)]
struct NodeRow {
    #[diesel(sql_type = SmallInt)]
    level: i16,
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Bytea)]
    hash: Vec<u8>,
}

#[derive(QueryableByName)]
struct Size {
    #[diesel(sql_type = BigInt)]
    size: i64,
}

#[derive(QueryableByName)]
struct CheckpointRow {
    #[diesel(sql_type = BigInt)]
    size: i64,
    #[diesel(sql_type = BigInt)]
    ledger_time: i64,
    #[diesel(sql_type = Text)]
    signed: String,
}

const RECEIPT_QUERY: &str = "SELECT l.idx, l.entry_id, l.ledger_time, l.leaf_hash, c.signed \
     FROM ledger_leaves l \
     CROSS JOIN LATERAL (SELECT signed FROM ledger_checkpoints c \
                         WHERE c.size > l.idx ORDER BY c.size LIMIT 1) c";

/// What one entry of a batch turned out to be.
enum Slot {
    Known(u64),
    New(usize),
}

/// Which computation to run over stored subtree hashes.
#[derive(Clone, Copy)]
enum Over {
    Inclusion { index: u64, size: u64 },
    Consistency { old: u64, new: u64 },
}

impl Over {
    fn run(self, node: &mut impl FnMut(u32, u64) -> Hash) -> Result<Vec<Hash>, ProofError> {
        match self {
            Self::Inclusion { index, size } => inclusion_path(index, size, node),
            Self::Consistency { old, new } => consistency_path(old, new, node),
        }
    }
}

impl PostgresLedger {
    /// The ledger of `origin` in the database behind `pool` (migrated),
    /// signing checkpoints with `signer`, on the system clock. Connections
    /// may run as the service's role: it needs SELECT and INSERT only.
    pub fn new(origin: impl Into<String>, signer: CheckpointSigner, pool: PgPool) -> Self {
        Self::with_clock(origin, signer, pool, Arc::new(Timestamp::now))
    }

    /// The same with a given clock (tests). Ledger time never runs
    /// backwards whatever the clock says: a batch is dated at the later of
    /// the clock and the latest checkpoint.
    pub fn with_clock(
        origin: impl Into<String>,
        signer: CheckpointSigner,
        pool: PgPool,
        clock: Clock,
    ) -> Self {
        Self {
            origin: origin.into(),
            signer,
            pool,
            clock,
        }
    }

    async fn connection(
        &self,
    ) -> Result<diesel_async::pooled_connection::deadpool::Object<AsyncPgConnection>, LedgerError>
    {
        self.pool
            .get()
            .await
            .map_err(|e| engine(format!("database pool: {e}")))
    }

    /// Every checkpoint stored, oldest first, and every leaf with the index
    /// its row claims, in index order: what an offline verifier needs. Rows
    /// are read as they are, tampered or not (the verifier judges them);
    /// only an entry whose bytes no longer decode is an error, naming its
    /// index.
    pub async fn export(&self) -> Result<(Vec<IndexedLeaf>, Vec<SignedCheckpoint>), LedgerError> {
        let mut conn = self.connection().await?;
        let rows: Vec<LeafRow> = diesel::sql_query(
            "SELECT idx, entry_id, ledger_time, entry FROM ledger_leaves ORDER BY idx",
        )
        .load(&mut conn)
        .await
        .map_err(db)?;
        let leaves = rows
            .into_iter()
            .map(|row| {
                Ok(IndexedLeaf {
                    index: to_u64(row.idx, "index")?,
                    leaf: LogLeaf {
                        time: Timestamp(to_u64(row.ledger_time, "ledger time")?),
                        entry: Entry::from_bytes(&row.entry).map_err(|e| {
                            engine(format!(
                                "the entry at index {} does not decode: {e}",
                                row.idx
                            ))
                        })?,
                    },
                })
            })
            .collect::<Result<Vec<_>, LedgerError>>()?;
        Ok((leaves, checkpoints(&mut conn).await?))
    }

    /// Every checkpoint stored, oldest first.
    pub async fn checkpoints(&self) -> Result<Vec<SignedCheckpoint>, LedgerError> {
        checkpoints(&mut *self.connection().await?).await
    }

    /// Signs the checkpoint of `size` leaves with `root` at `time` and
    /// stores it.
    async fn store_checkpoint(
        &self,
        conn: &mut AsyncPgConnection,
        size: u64,
        root: Hash,
        time: Timestamp,
    ) -> Result<SignedCheckpoint, TxError> {
        let signed = self
            .signer
            .sign(Checkpoint {
                origin: self.origin.clone(),
                size,
                root,
                time,
            })
            .map_err(LedgerError::from)?;
        let text = signed.to_text().map_err(LedgerError::from)?;
        diesel::sql_query(
            "INSERT INTO ledger_checkpoints (size, root, ledger_time, signed) VALUES ($1, $2, $3, $4)",
        )
        .bind::<BigInt, _>(to_i64(size))
        .bind::<Bytea, _>(root.to_vec())
        .bind::<BigInt, _>(to_i64(time.0))
        .bind::<Text, _>(text)
        .execute(conn)
        .await?;
        Ok(signed)
    }

    /// The latest checkpoint's size and time; the empty log's checkpoint is
    /// signed first if there is none. Call under the append lock.
    async fn head(&self, conn: &mut AsyncPgConnection) -> Result<(u64, Timestamp), TxError> {
        let latest: Option<CheckpointRow> = diesel::sql_query(
            "SELECT size, ledger_time, signed FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
        )
        .get_result(conn)
        .await
        .map(Some)
        .or_else(not_found_is_none)?;
        match latest {
            Some(row) => Ok((
                to_u64(row.size, "checkpoint size")?,
                Timestamp(to_u64(row.ledger_time, "checkpoint time")?),
            )),
            None => {
                let time = (self.clock)();
                self.store_checkpoint(conn, 0, empty_root(), time).await?;
                Ok((0, time))
            }
        }
    }

    /// The append transaction's body, run under the append lock.
    async fn append_locked(
        &self,
        conn: &mut AsyncPgConnection,
        batch: &[Entry],
        encoded: Vec<Result<Vec<u8>, EntryError>>,
    ) -> Result<Vec<Receipt>, TxError> {
        take_append_lock(conn).await?;

        // what the ledger already holds of this batch
        let ids: Vec<uuid::Uuid> = batch.iter().map(|e| e.id.0).collect();
        let known: Vec<LeafRow> = diesel::sql_query(
            "SELECT idx, entry_id, ledger_time, entry FROM ledger_leaves WHERE entry_id = ANY($1)",
        )
        .bind::<Array<Uuid>, _>(&ids)
        .load(conn)
        .await?;
        let known: HashMap<EntryId, (u64, Vec<u8>)> = known
            .into_iter()
            .map(|row| {
                Ok((
                    EntryId(row.entry_id),
                    (to_u64(row.idx, "index")?, row.entry),
                ))
            })
            .collect::<Result<_, LedgerError>>()?;
        let states: Vec<Vec<u8>> = batch
            .iter()
            .flat_map(|e| e.consumes.iter().map(|s| s.0.to_vec()))
            .collect();
        let consumed: Vec<ConsumedRow> = diesel::sql_query(
            "SELECT state_ref, entry_id FROM ledger_consumed WHERE state_ref = ANY($1)",
        )
        .bind::<Array<Bytea>, _>(&states)
        .load(conn)
        .await?;
        let consumed: HashMap<StateRef, EntryId> = consumed
            .into_iter()
            .map(|row| {
                Ok((
                    StateRef(hash32(&row.state_ref, "state reference")?),
                    EntryId(row.entry_id),
                ))
            })
            .collect::<Result<_, LedgerError>>()?;

        // decide everything before writing anything
        let mut slots = Vec::with_capacity(batch.len());
        let mut fresh: Vec<(&Entry, Vec<u8>)> = Vec::new();
        let mut fresh_ids: HashMap<EntryId, usize> = HashMap::new();
        let mut fresh_consumed: HashMap<StateRef, EntryId> = HashMap::new();
        for (entry, bytes) in batch.iter().zip(encoded) {
            let bytes = bytes.map_err(|source| LedgerError::InvalidEntry {
                id: entry.id,
                source,
            })?;
            if let Some((index, existing)) = known.get(&entry.id) {
                if *existing != bytes {
                    return Err(LedgerError::Conflict {
                        id: entry.id,
                        index: Some(*index),
                    }
                    .into());
                }
                slots.push(Slot::Known(*index));
                continue;
            }
            if let Some(&k) = fresh_ids.get(&entry.id) {
                if fresh[k].1 != bytes {
                    return Err(LedgerError::Conflict {
                        id: entry.id,
                        index: None,
                    }
                    .into());
                }
                slots.push(Slot::New(k));
                continue;
            }
            for state in &entry.consumes {
                if let Some(by) = consumed.get(state).or_else(|| fresh_consumed.get(state)) {
                    return Err(LedgerError::AlreadyConsumed {
                        state: *state,
                        entry: entry.id,
                        consumed_by: *by,
                    }
                    .into());
                }
            }
            for state in &entry.consumes {
                fresh_consumed.insert(*state, entry.id);
            }
            fresh_ids.insert(entry.id, fresh.len());
            slots.push(Slot::New(fresh.len()));
            fresh.push((entry, bytes));
        }

        let first = if fresh.is_empty() {
            0
        } else {
            self.write(conn, &fresh).await?
        };
        let indices: Vec<u64> = slots
            .iter()
            .map(|slot| match slot {
                Slot::Known(index) => *index,
                Slot::New(k) => first + *k as u64,
            })
            .collect();
        let receipts = receipts_at(conn, &indices).await?;
        Ok(indices
            .iter()
            .map(|index| {
                receipts
                    .get(index)
                    .cloned()
                    .ok_or_else(|| engine(format!("no receipt for index {index}")))
            })
            .collect::<Result<_, LedgerError>>()?)
    }

    /// Appends the new entries after the current end of the log, with
    /// their subtrees, notary rows and one signed checkpoint; returns the
    /// first new index. Call under the append lock.
    async fn write(
        &self,
        conn: &mut AsyncPgConnection,
        fresh: &[(&Entry, Vec<u8>)],
    ) -> Result<u64, TxError> {
        let (size, last_time) = self.head(conn).await?;
        let leaves: Size =
            diesel::sql_query("SELECT coalesce(max(idx) + 1, 0) AS size FROM ledger_leaves")
                .get_result(conn)
                .await?;
        if to_u64(leaves.size, "log size")? != size {
            return Err(engine(format!(
                "the log holds {} leaves but its latest checkpoint covers {size}",
                leaves.size
            ))
            .into());
        }
        let time = (self.clock)().max(last_time);

        // the right edge of the tree, then every subtree the new leaves complete
        let mut nodes = fetch_nodes(conn, &frontier(size)).await?;
        let mut new_nodes: Vec<(u32, u64, Hash)> = Vec::new();
        let mut leaf_hashes = Vec::with_capacity(fresh.len());
        let mut n = size;
        for (_, bytes) in fresh {
            let hash = leaf_hash(&LogLeaf::encode(time, bytes));
            leaf_hashes.push(hash);
            nodes.insert((0, n), hash);
            let (mut level, mut position, mut carry) = (0u32, n, hash);
            while position % 2 == 1 {
                let left = nodes.get(&(level, position - 1)).ok_or_else(|| {
                    engine(format!("subtree ({level}, {}) is missing", position - 1))
                })?;
                carry = node_hash(left, &carry);
                level += 1;
                position /= 2;
                nodes.insert((level, position), carry);
                new_nodes.push((level, position, carry));
            }
            n += 1;
        }
        let mut missing = None;
        let root = subtree_root(n, &mut |level, index| {
            nodes.get(&(level, index)).copied().unwrap_or_else(|| {
                missing = Some((level, index));
                [0; 32]
            })
        });
        if let Some((level, index)) = missing {
            return Err(engine(format!("subtree ({level}, {index}) is missing")).into());
        }

        let count = fresh.len() as u64;
        diesel::sql_query(
            "INSERT INTO ledger_leaves (idx, entry_id, ledger_time, entry, leaf_hash) \
             SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bigint[], $4::bytea[], $5::bytea[])",
        )
        .bind::<Array<BigInt>, _>((size..n).map(to_i64).collect::<Vec<_>>())
        .bind::<Array<Uuid>, _>(fresh.iter().map(|(e, _)| e.id.0).collect::<Vec<_>>())
        .bind::<Array<BigInt>, _>(vec![to_i64(time.0); fresh.len()])
        .bind::<Array<Bytea>, _>(fresh.iter().map(|(_, b)| b.clone()).collect::<Vec<_>>())
        .bind::<Array<Bytea>, _>(leaf_hashes.iter().map(|h| h.to_vec()).collect::<Vec<_>>())
        .execute(conn)
        .await?;
        if !new_nodes.is_empty() {
            diesel::sql_query(
                "INSERT INTO ledger_nodes (level, position, hash) \
                 SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])",
            )
            .bind::<Array<SmallInt>, _>(
                new_nodes
                    .iter()
                    .map(|(l, _, _)| i16::try_from(*l).unwrap_or(i16::MAX))
                    .collect::<Vec<_>>(),
            )
            .bind::<Array<BigInt>, _>(
                new_nodes
                    .iter()
                    .map(|(_, p, _)| to_i64(*p))
                    .collect::<Vec<_>>(),
            )
            .bind::<Array<Bytea>, _>(
                new_nodes
                    .iter()
                    .map(|(_, _, h)| h.to_vec())
                    .collect::<Vec<_>>(),
            )
            .execute(conn)
            .await?;
        }
        let (states, spenders): (Vec<Vec<u8>>, Vec<uuid::Uuid>) = fresh
            .iter()
            .flat_map(|(e, _)| e.consumes.iter().map(|s| (s.0.to_vec(), e.id.0)))
            .unzip();
        if !states.is_empty() {
            diesel::sql_query(
                "INSERT INTO ledger_consumed (state_ref, entry_id) \
                 SELECT * FROM unnest($1::bytea[], $2::uuid[])",
            )
            .bind::<Array<Bytea>, _>(states)
            .bind::<Array<Uuid>, _>(spenders)
            .execute(conn)
            .await?;
        }
        self.store_checkpoint(conn, size + count, root, time)
            .await?;
        Ok(size)
    }

    /// Runs a proof computation over stored subtrees: once to learn which
    /// it needs, once over the fetched hashes.
    async fn over_stored(&self, over: Over, needed_size: u64) -> Result<Vec<Hash>, LedgerError> {
        let mut conn = self.connection().await?;
        let available = log_size(&mut conn).await?;
        if needed_size > available {
            return Err(ProofError::SizeOutOfRange {
                size: needed_size,
                available,
            }
            .into());
        }
        let mut keys = Vec::new();
        over.run(&mut |level, index| {
            keys.push((level, index));
            [0; 32]
        })?;
        let nodes = fetch_nodes(&mut conn, &keys).await?;
        if let Some((level, index)) = keys.iter().find(|k| !nodes.contains_key(k)) {
            return Err(engine(format!("subtree ({level}, {index}) is missing")));
        }
        Ok(over.run(&mut |level, index| nodes.get(&(level, index)).copied().unwrap_or([0; 32]))?)
    }
}

/// Waits for the append lock; it is held until the transaction ends.
async fn take_append_lock(conn: &mut AsyncPgConnection) -> Result<(), diesel::result::Error> {
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<BigInt, _>(APPEND_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

fn not_found_is_none<T>(e: diesel::result::Error) -> Result<Option<T>, diesel::result::Error> {
    match e {
        diesel::result::Error::NotFound => Ok(None),
        e => Err(e),
    }
}

fn decode_leaf(row: &LeafRow) -> Result<LogLeaf, LedgerError> {
    let entry = Entry::from_bytes(&row.entry).map_err(|e| {
        engine(format!(
            "the entry at index {} does not decode: {e}",
            row.idx
        ))
    })?;
    if entry.id.0 != row.entry_id {
        return Err(engine(format!(
            "the entry at index {} is not entry {}",
            row.idx, row.entry_id
        )));
    }
    Ok(LogLeaf {
        time: Timestamp(to_u64(row.ledger_time, "ledger time")?),
        entry,
    })
}

/// The number of leaves.
async fn log_size(conn: &mut AsyncPgConnection) -> Result<u64, LedgerError> {
    let size: Size =
        diesel::sql_query("SELECT coalesce(max(idx) + 1, 0) AS size FROM ledger_leaves")
            .get_result(conn)
            .await
            .map_err(db)?;
    to_u64(size.size, "log size")
}

async fn checkpoints(conn: &mut AsyncPgConnection) -> Result<Vec<SignedCheckpoint>, LedgerError> {
    let rows: Vec<CheckpointRow> =
        diesel::sql_query("SELECT size, ledger_time, signed FROM ledger_checkpoints ORDER BY size")
            .load(conn)
            .await
            .map_err(db)?;
    rows.iter()
        .map(|row| Ok(SignedCheckpoint::parse(&row.signed)?))
        .collect()
}

/// The stored hashes of complete subtrees `(level, position)`; level 0 is
/// the leaf hashes.
async fn fetch_nodes(
    conn: &mut AsyncPgConnection,
    keys: &[(u32, u64)],
) -> Result<HashMap<(u32, u64), Hash>, LedgerError> {
    let leaves: Vec<i64> = keys
        .iter()
        .filter(|(l, _)| *l == 0)
        .map(|(_, i)| to_i64(*i))
        .collect();
    let (levels, positions): (Vec<i16>, Vec<i64>) = keys
        .iter()
        .filter(|(l, _)| *l > 0)
        .map(|(l, i)| (i16::try_from(*l).unwrap_or(i16::MAX), to_i64(*i)))
        .unzip();
    let rows: Vec<NodeRow> = diesel::sql_query(
        "SELECT 0::smallint AS level, idx AS position, leaf_hash AS hash \
           FROM ledger_leaves WHERE idx = ANY($1) \
         UNION ALL \
         SELECT n.level, n.position, n.hash FROM ledger_nodes n \
           JOIN unnest($2::smallint[], $3::bigint[]) AS k (level, position) \
             USING (level, position)",
    )
    .bind::<Array<BigInt>, _>(leaves)
    .bind::<Array<SmallInt>, _>(levels)
    .bind::<Array<BigInt>, _>(positions)
    .load(conn)
    .await
    .map_err(db)?;
    rows.into_iter()
        .map(|row| {
            let level = u32::try_from(row.level)
                .map_err(|_| engine(format!("stored subtree level {} is negative", row.level)))?;
            Ok((
                (level, to_u64(row.position, "subtree position")?),
                hash32(&row.hash, "subtree hash")?,
            ))
        })
        .collect()
}

fn receipt_from(row: ReceiptRow) -> Result<Receipt, LedgerError> {
    Ok(Receipt {
        entry_id: EntryId(row.entry_id),
        index: to_u64(row.idx, "index")?,
        time: Timestamp(to_u64(row.ledger_time, "ledger time")?),
        leaf_hash: hash32(&row.leaf_hash, "leaf hash")?,
        checkpoint: SignedCheckpoint::parse(&row.signed)?,
    })
}

/// The receipts of the leaves at `indices`, by index.
async fn receipts_at(
    conn: &mut AsyncPgConnection,
    indices: &[u64],
) -> Result<HashMap<u64, Receipt>, LedgerError> {
    let wanted: Vec<i64> = indices.iter().map(|i| to_i64(*i)).collect();
    let rows: Vec<ReceiptRow> = diesel::sql_query(format!("{RECEIPT_QUERY} WHERE l.idx = ANY($1)"))
        .bind::<Array<BigInt>, _>(wanted)
        .load(conn)
        .await
        .map_err(db)?;
    rows.into_iter()
        .map(|row| {
            let receipt = receipt_from(row)?;
            Ok((receipt.index, receipt))
        })
        .collect()
}

#[async_trait]
impl Ledger for PostgresLedger {
    async fn append(&self, batch: Vec<Entry>) -> Result<Vec<Receipt>, LedgerError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let encoded: Vec<_> = batch.iter().map(Entry::to_bytes).collect();
        let mut conn = self.connection().await?;
        let batch = &batch;
        let result: Result<Vec<Receipt>, TxError> = conn
            .transaction(async |conn| self.append_locked(conn, batch, encoded).await)
            .await;
        Ok(result?)
    }

    async fn receipt(&self, id: EntryId) -> Result<Option<Receipt>, LedgerError> {
        let mut conn = self.connection().await?;
        let row: Option<ReceiptRow> =
            diesel::sql_query(format!("{RECEIPT_QUERY} WHERE l.entry_id = $1"))
                .bind::<Uuid, _>(id.0)
                .get_result(&mut conn)
                .await
                .map(Some)
                .or_else(not_found_is_none)
                .map_err(db)?;
        row.map(receipt_from).transpose()
    }

    async fn leaves(&self, start: u64, end: u64) -> Result<Vec<LogLeaf>, LedgerError> {
        if start >= end {
            return Ok(Vec::new());
        }
        let mut conn = self.connection().await?;
        let rows: Vec<LeafRow> = diesel::sql_query(
            "SELECT idx, entry_id, ledger_time, entry FROM ledger_leaves \
             WHERE idx >= $1 AND idx < $2 ORDER BY idx",
        )
        .bind::<BigInt, _>(to_i64(start))
        .bind::<BigInt, _>(to_i64(end))
        .load(&mut conn)
        .await
        .map_err(db)?;
        rows.iter().map(decode_leaf).collect()
    }

    async fn inclusion_proof(&self, index: u64, tree_size: u64) -> Result<Vec<Hash>, LedgerError> {
        self.over_stored(
            Over::Inclusion {
                index,
                size: tree_size,
            },
            tree_size,
        )
        .await
    }

    async fn consistency_proof(
        &self,
        old_size: u64,
        new_size: u64,
    ) -> Result<Vec<Hash>, LedgerError> {
        self.over_stored(
            Over::Consistency {
                old: old_size,
                new: new_size,
            },
            new_size,
        )
        .await
    }

    async fn latest_checkpoint(&self) -> Result<SignedCheckpoint, LedgerError> {
        let mut conn = self.connection().await?;
        let latest: Option<CheckpointRow> = diesel::sql_query(
            "SELECT size, ledger_time, signed FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
        )
        .get_result(&mut conn)
        .await
        .map(Some)
        .or_else(not_found_is_none)
        .map_err(db)?;
        if let Some(row) = latest {
            return Ok(SignedCheckpoint::parse(&row.signed)?);
        }
        // an empty log: sign its checkpoint once, under the append lock
        let result: Result<SignedCheckpoint, TxError> = conn
            .transaction(async |conn| {
                take_append_lock(conn).await?;
                self.head(conn).await?;
                let row: CheckpointRow = diesel::sql_query(
                    "SELECT size, ledger_time, signed FROM ledger_checkpoints \
                     ORDER BY size DESC LIMIT 1",
                )
                .get_result(conn)
                .await?;
                Ok(SignedCheckpoint::parse(&row.signed).map_err(LedgerError::from)?)
            })
            .await;
        Ok(result?)
    }
}

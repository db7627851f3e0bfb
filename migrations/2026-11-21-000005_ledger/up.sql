-- The embedded ledger: an append-only RFC 6962 / RFC 9162 Merkle log of
-- entry commitments (ledger-adapter's PostgreSQL engine). Appends run in one
-- transaction under a transaction-level advisory lock, so indices are
-- gap-free across replicas and a failed batch leaves nothing behind.
-- Append-only for the service: its role may read and insert, nothing else.

-- One leaf per entry: `leaf_hash` is H(0x00 || 0x01 || ledger_time || entry).
CREATE TABLE ledger_leaves (
    idx         bigint PRIMARY KEY CONSTRAINT ledger_leaves_idx_valid CHECK (idx >= 0),
    entry_id    uuid NOT NULL CONSTRAINT ledger_leaves_entry_id_unique UNIQUE,
    -- milliseconds since the Unix epoch, under the leaf hash
    ledger_time bigint NOT NULL CONSTRAINT ledger_leaves_time_valid CHECK (ledger_time >= 0),
    -- the entry's canonical encoding (version 1)
    entry       bytea NOT NULL,
    leaf_hash   bytea NOT NULL CONSTRAINT ledger_leaves_leaf_hash_length CHECK (length(leaf_hash) = 32)
);

-- Every complete, aligned subtree above the leaves: (level k, position i)
-- is the hash of leaves [i * 2^k, (i + 1) * 2^k). Level 0 is the leaf hash
-- in ledger_leaves. An append writes O(log n) rows; a proof reads O(log^2 n).
CREATE TABLE ledger_nodes (
    level    smallint NOT NULL CONSTRAINT ledger_nodes_level_valid CHECK (level BETWEEN 1 AND 63),
    position bigint NOT NULL CONSTRAINT ledger_nodes_position_valid CHECK (position >= 0),
    hash     bytea NOT NULL CONSTRAINT ledger_nodes_hash_length CHECK (length(hash) = 32),
    PRIMARY KEY (level, position)
);

-- The notary: each state reference is consumed once, by the entry named.
CREATE TABLE ledger_consumed (
    state_ref bytea PRIMARY KEY CONSTRAINT ledger_consumed_state_ref_length CHECK (length(state_ref) = 32),
    entry_id  uuid NOT NULL REFERENCES ledger_leaves (entry_id)
);

CREATE INDEX ledger_consumed_entry_idx ON ledger_consumed (entry_id);

-- The signed checkpoints: one for the empty log, then one per batch that
-- added entries. `signed` is the signed-note text.
CREATE TABLE ledger_checkpoints (
    size        bigint PRIMARY KEY CONSTRAINT ledger_checkpoints_size_valid CHECK (size >= 0),
    root        bytea NOT NULL CONSTRAINT ledger_checkpoints_root_length CHECK (length(root) = 32),
    ledger_time bigint NOT NULL CONSTRAINT ledger_checkpoints_time_valid CHECK (ledger_time >= 0),
    signed      text NOT NULL
);

GRANT SELECT, INSERT ON ledger_leaves, ledger_nodes, ledger_consumed, ledger_checkpoints TO lcp_app;

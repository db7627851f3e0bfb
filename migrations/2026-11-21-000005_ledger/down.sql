DROP TABLE ledger_checkpoints;
DROP TABLE ledger_consumed;
DROP TABLE ledger_nodes;
DROP TABLE ledger_leaves;

//! Integration tests: the service over real HTTP against a real PostgreSQL.
//! One private cluster per run; each test gets its own database cloned from
//! a template migrated once, so tests run in parallel.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod access;
mod binary;
mod embedded_cluster;
mod encryption;
mod guards;
mod health;
mod identity;
mod ledger;
mod migrations;
mod openapi;
mod problems;
mod reference_data;
mod remote_idp;
mod shutdown;

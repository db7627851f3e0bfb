//! Proof generation and verification over 1k, 100k and 1M leaves, and
//! batched appends into the in-memory reference engine.
//!
//! `cargo bench -p ledger-adapter` (add `-- inclusion` etc. to filter).

// A benchmark that cannot set itself up has nothing to measure: failing
// loudly is the right thing here, unlike in the library.
#![allow(clippy::expect_used)]

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::SigningKey;
use ledger_adapter::Ledger;
use ledger_adapter::checkpoint::CheckpointSigner;
use ledger_adapter::conformance::fresh_entry;
use ledger_adapter::memory::InMemoryLedger;
use ledger_adapter::merkle::{Hash, leaf_hash};
use ledger_adapter::proof::{MerkleTree, verify_consistency, verify_inclusion};

const SIZES: [u64; 3] = [1_000, 100_000, 1_000_000];

fn tree(n: u64) -> MerkleTree {
    let mut tree = MerkleTree::new();
    for i in 0..n {
        tree.push(leaf_hash(&i.to_be_bytes()));
    }
    tree
}

fn proofs(c: &mut Criterion) {
    let mut group = c.benchmark_group("proofs");
    for n in SIZES {
        let tree = tree(n);
        let root = tree.root();
        let index = n / 2 + 1;
        let leaf: Hash = tree.leaf(index).expect("leaf in range");
        let old = n / 3;
        let old_root = tree.root_at(old).expect("size in range");

        group.bench_with_input(BenchmarkId::new("inclusion_generate", n), &n, |b, &n| {
            b.iter(|| tree.inclusion_proof(black_box(index), black_box(n)))
        });
        let inclusion = tree.inclusion_proof(index, n).expect("proof");
        group.bench_with_input(BenchmarkId::new("inclusion_verify", n), &n, |b, &n| {
            b.iter(|| verify_inclusion(black_box(index), n, &leaf, &inclusion, &root))
        });
        group.bench_with_input(BenchmarkId::new("consistency_generate", n), &n, |b, &n| {
            b.iter(|| tree.consistency_proof(black_box(old), black_box(n)))
        });
        let consistency = tree.consistency_proof(old, n).expect("proof");
        group.bench_with_input(BenchmarkId::new("consistency_verify", n), &n, |b, &n| {
            b.iter(|| verify_consistency(black_box(old), n, &old_root, &root, &consistency))
        });
    }
    group.finish();

    let mut build = c.benchmark_group("tree_build");
    build.sample_size(10);
    for n in [1_000u64, 100_000] {
        build.throughput(Throughput::Elements(n));
        build.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| tree(n))
        });
    }
    build.finish();
}

fn append(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let signer =
        CheckpointSigner::new("lcp.bench/log", SigningKey::from_bytes(&[1; 32])).expect("signer");
    let ledger = InMemoryLedger::new("lcp.bench/log", signer).expect("ledger");
    let mut group = c.benchmark_group("append_in_memory");
    for batch in [1usize, 100, 1_000] {
        group.throughput(Throughput::Elements(batch as u64));
        group.bench_with_input(BenchmarkId::from_parameter(batch), &batch, |b, &batch| {
            b.iter_batched(
                || {
                    (0..batch)
                        .map(|_| fresh_entry("credit.issued", &[]))
                        .collect::<Vec<_>>()
                },
                |entries| runtime.block_on(ledger.append(entries)).expect("append"),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, proofs, append);
criterion_main!(benches);

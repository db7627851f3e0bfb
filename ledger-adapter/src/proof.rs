//! Inclusion and consistency proofs (RFC 9162 sections 2.1.3 and 2.1.4).
//!
//! Generation works over leaf hashes held in a [`MerkleTree`], which keeps
//! every complete, aligned subtree hash so that a proof for any tree size up
//! to the current one costs `O(log² n)` hashes instead of rehashing the log.
//! Verification follows the algorithms of RFC 9162 sections 2.1.3.2 and
//! 2.1.4.2 literally and needs nothing but the proof, the sizes and the roots.

use crate::merkle::{Hash, empty_root, node_hash};

/// Why a proof could not be produced or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is not below the tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("tree size {size} exceeds the {available} leaves available")]
    SizeOutOfRange { size: u64, available: u64 },
    #[error("consistency needs old size {old} <= new size {new}")]
    SizesOutOfOrder { old: u64, new: u64 },
    #[error("the proof has the wrong number of hashes")]
    WrongLength,
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
}

/// All leaf hashes of a log and every complete subtree hash above them.
///
/// `levels[k][i]` is the hash of leaves `[i·2^k, (i+1)·2^k)`. Appending a leaf
/// is amortised `O(1)`; memory is about two hashes per leaf.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MerkleTree {
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree over the given leaf hashes, in order.
    pub fn from_leaf_hashes(leaves: &[Hash]) -> Self {
        let mut tree = Self::new();
        for leaf in leaves {
            tree.push(*leaf);
        }
        tree
    }

    /// Appends one leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let mut level = 0;
        let mut carry = leaf;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let row = &mut self.levels[level];
            row.push(carry);
            if row.len() % 2 == 1 {
                return;
            }
            let n = row.len();
            carry = node_hash(&row[n - 2], &row[n - 1]);
            level += 1;
        }
    }

    /// Drops every leaf from `size` on (nothing if the tree is not larger),
    /// keeping exactly the subtrees the first `size` leaves complete.
    pub fn truncate(&mut self, size: u64) {
        if size >= self.size() {
            return;
        }
        // size < leaves.len(), so it fits in usize
        let size = size as usize;
        for (level, row) in self.levels.iter_mut().enumerate() {
            row.truncate(size >> level);
        }
        while self.levels.last().is_some_and(Vec::is_empty) {
            self.levels.pop();
        }
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    /// The leaf hashes.
    pub fn leaves(&self) -> &[Hash] {
        self.levels.first().map_or(&[], Vec::as_slice)
    }

    /// The leaf hash at `index`, if there is one.
    pub fn leaf(&self, index: u64) -> Option<Hash> {
        let index = usize::try_from(index).ok()?;
        self.leaves().get(index).copied()
    }

    /// The root of the whole tree.
    pub fn root(&self) -> Hash {
        subtree_root(self.size(), &mut |level, index| self.node(level, index))
    }

    /// The root of the tree made of the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, ProofError> {
        let size = self.check_size(size)?;
        Ok(subtree_root(size, &mut |level, index| {
            self.node(level, index)
        }))
    }

    /// `PATH(index, D[0:size])`: the inclusion proof of leaf `index` in the
    /// tree of the first `size` leaves (RFC 9162 section 2.1.3.1).
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        let size = self.check_size(size)?;
        inclusion_path(index, size, &mut |level, i| self.node(level, i))
    }

    /// `PROOF(old, D[0:new])`: the consistency proof between the trees of
    /// the first `old` and the first `new` leaves (RFC 9162 section 2.1.4.1).
    /// It is empty when `old` is 0 or equal to `new`.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
        let new = self.check_size(new)?;
        consistency_path(old, new, &mut |level, i| self.node(level, i))
    }

    /// The complete subtree `(level, index)`; only called for subtrees
    /// inside a checked size, which all exist.
    fn node(&self, level: u32, index: u64) -> Hash {
        self.levels
            .get(level as usize)
            .and_then(|row| row.get(usize::try_from(index).ok()?))
            .copied()
            .unwrap_or([0; 32])
    }

    fn check_size(&self, size: u64) -> Result<u64, ProofError> {
        let available = self.size();
        if size > available {
            return Err(ProofError::SizeOutOfRange { size, available });
        }
        Ok(size)
    }
}

/// The complete, aligned subtrees of the tree of `size` leaves along its
/// right edge, largest first, as `(level, index)`: subtree `(k, i)` covers
/// leaves `[i·2^k, (i+1)·2^k)`. Their hashes are all an append needs: the
/// next leaf combines with them, and the root folds them from the right.
pub fn frontier(size: u64) -> Vec<(u32, u64)> {
    (0..u64::BITS)
        .rev()
        .filter(|level| size >> level & 1 == 1)
        .map(|level| (level, (size >> level) - 1))
        .collect()
}

/// `MTH(D[0:size])` from complete subtree hashes: `node(k, i)` must return
/// the hash of leaves `[i·2^k, (i+1)·2^k)`. Storage engines that keep the
/// subtrees (as [`MerkleTree`] does) compute roots and proofs with this and
/// [`inclusion_path`] / [`consistency_path`]; run them once with a recording
/// `node` to learn which subtrees to fetch.
pub fn subtree_root(size: u64, node: &mut impl FnMut(u32, u64) -> Hash) -> Hash {
    subtree(0, size, node)
}

/// `PATH(index, D[0:size])` from complete subtree hashes (see
/// [`subtree_root`]); the caller checks that `size` leaves exist.
pub fn inclusion_path(
    index: u64,
    size: u64,
    node: &mut impl FnMut(u32, u64) -> Hash,
) -> Result<Vec<Hash>, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let mut proof = Vec::new();
    path(index, 0, size, node, &mut proof);
    Ok(proof)
}

/// `PROOF(old, D[0:new])` from complete subtree hashes (see
/// [`subtree_root`]); the caller checks that `new` leaves exist.
pub fn consistency_path(
    old: u64,
    new: u64,
    node: &mut impl FnMut(u32, u64) -> Hash,
) -> Result<Vec<Hash>, ProofError> {
    if old > new {
        return Err(ProofError::SizesOutOfOrder { old, new });
    }
    let mut proof = Vec::new();
    if old > 0 && old < new {
        subproof(old, 0, new, true, node, &mut proof);
    }
    Ok(proof)
}

/// `MTH(D[start:end])`, for a range the RFC recursion can produce: its
/// start is a multiple of the smallest power of two not below its length.
fn subtree(start: u64, end: u64, node: &mut impl FnMut(u32, u64) -> Hash) -> Hash {
    let len = end - start;
    if len == 0 {
        return empty_root();
    }
    if len.is_power_of_two() {
        let level = len.trailing_zeros();
        return node(level, start >> level);
    }
    let k = split(len);
    let left = subtree(start, start + k, node);
    let right = subtree(start + k, end, node);
    node_hash(&left, &right)
}

/// `PATH(m, D[start:end])` with `m` relative to `start`.
fn path(
    m: u64,
    start: u64,
    end: u64,
    node: &mut impl FnMut(u32, u64) -> Hash,
    proof: &mut Vec<Hash>,
) {
    let len = end - start;
    if len <= 1 {
        return;
    }
    let k = split(len);
    if m < k {
        path(m, start, start + k, node, proof);
        proof.push(subtree(start + k, end, node));
    } else {
        path(m - k, start + k, end, node, proof);
        proof.push(subtree(start, start + k, node));
    }
}

/// `SUBPROOF(m, D[start:end], complete)` with `m` relative to `start`.
fn subproof(
    m: u64,
    start: u64,
    end: u64,
    complete: bool,
    node: &mut impl FnMut(u32, u64) -> Hash,
    proof: &mut Vec<Hash>,
) {
    let len = end - start;
    if m == len {
        if !complete {
            proof.push(subtree(start, end, node));
        }
        return;
    }
    let k = split(len);
    if m <= k {
        subproof(m, start, start + k, complete, node, proof);
        proof.push(subtree(start + k, end, node));
    } else {
        subproof(m - k, start + k, end, false, node, proof);
        proof.push(subtree(start, start + k, node));
    }
}

/// The largest power of two strictly below `n`, for `n >= 2`.
fn split(n: u64) -> u64 {
    1 << (u64::BITS - 1 - (n - 1).leading_zeros())
}

/// The inclusion proof of leaf `index` among `leaves` (the whole slice is the
/// tree). Builds a [`MerkleTree`]; keep one around to produce many proofs.
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, ProofError> {
    MerkleTree::from_leaf_hashes(leaves).inclusion_proof(index, leaves.len() as u64)
}

/// The consistency proof between the first `old` leaves and all of `leaves`.
pub fn consistency_proof(leaves: &[Hash], old: u64) -> Result<Vec<Hash>, ProofError> {
    MerkleTree::from_leaf_hashes(leaves).consistency_proof(old, leaves.len() as u64)
}

/// The root an inclusion proof leads to (RFC 9162 section 2.1.3.2, steps 1-4,
/// with the check that the path was used up exactly).
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<Hash, ProofError> {
    // 1. leaf_index must be below tree_size
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    // 2.
    let mut fn_ = index;
    let mut sn = size - 1;
    // 3.
    let mut r = *leaf;
    // 4.
    for p in proof {
        // a.
        if sn == 0 {
            return Err(ProofError::WrongLength);
        }
        // b.
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        // c.
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5. (first half) the path must have reached the root
    if sn != 0 {
        return Err(ProofError::WrongLength);
    }
    Ok(r)
}

/// Verifies that `leaf` is at `index` in the tree of `size` leaves whose
/// root is `root` (RFC 9162 section 2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let computed = root_from_inclusion_proof(index, size, leaf, proof)?;
    if &computed == root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// Verifies that the tree of `new` leaves with root `new_root` extends the
/// tree of `old` leaves with root `old_root` (RFC 9162 section 2.1.4.2).
///
/// The edge cases the RFC leaves to the caller: sizes out of order fail;
/// equal sizes need equal roots and an empty proof; an empty old tree is
/// consistent with every tree and needs an empty proof.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::SizesOutOfOrder { old, new });
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if old == 0 {
        return if proof.is_empty() {
            Ok(())
        } else {
            Err(ProofError::WrongLength)
        };
    }
    // 1.
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    // 2. prepend first_hash when first is an exact power of two
    let mut path: Vec<&Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(old_root);
    }
    path.extend(proof.iter());
    // 3.
    let mut fn_ = old - 1;
    let mut sn = new - 1;
    // 4.
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5.
    let (first, rest) = match path.split_first() {
        Some(split) => split,
        None => return Err(ProofError::WrongLength),
    };
    let mut fr = **first;
    let mut sr = **first;
    // 6.
    for c in rest {
        // a.
        if sn == 0 {
            return Err(ProofError::WrongLength);
        }
        // b.
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        // c.
        fn_ >>= 1;
        sn >>= 1;
    }
    // 7.
    if sn != 0 {
        return Err(ProofError::WrongLength);
    }
    if &fr != old_root || &sr != new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{leaf_hash, root_from_leaf_hashes};
    use proptest::prelude::*;

    use crate::merkle::reference::{CT_LEAVES, CT_ROOTS};

    // The reference vectors below are the published inclusion and
    // consistency proofs of the RFC 6962 (Certificate Transparency) reference
    // Merkle tree: the same eight leaves and roots as the tests in
    // `merkle.rs`. Leaf numbers there are 1-based; here they are 0-based.

    fn h(s: &str) -> Hash {
        let bytes = hex::decode(s).unwrap();
        bytes.try_into().unwrap()
    }

    fn ct_leaf_hashes() -> Vec<Hash> {
        CT_LEAVES
            .iter()
            .map(|x| leaf_hash(&hex::decode(x).unwrap()))
            .collect()
    }

    fn ct_root(size: u64) -> Hash {
        h(CT_ROOTS[size as usize - 1])
    }

    /// (0-based leaf index, tree size, proof)
    fn ct_inclusion_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
        vec![
            (0, 1, vec![]),
            (
                0,
                8,
                vec![
                    h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                    h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                    h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
                ],
            ),
            (
                5,
                8,
                vec![
                    h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                    h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
                ],
            ),
            (
                2,
                3,
                vec![h(
                    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                )],
            ),
            (
                1,
                5,
                vec![
                    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
                    h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                    h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                ],
            ),
        ]
    }

    /// (old size, new size, proof)
    fn ct_consistency_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
        vec![
            (1, 1, vec![]),
            (
                1,
                8,
                vec![
                    h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                    h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                    h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
                ],
            ),
            (
                6,
                8,
                vec![
                    h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                    h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
                ],
            ),
            (
                2,
                5,
                vec![
                    h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                    h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                ],
            ),
            (
                6,
                7,
                vec![
                    h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                    h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
                    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
                ],
            ),
        ]
    }

    const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

    fn flip(hash: &Hash, bit: u8) -> Hash {
        let mut out = *hash;
        out[0] ^= bit;
        out
    }

    #[test]
    fn tree_roots_match_the_reference_roots() {
        let tree = MerkleTree::from_leaf_hashes(&ct_leaf_hashes());
        for size in 1..=8 {
            assert_eq!(tree.root_at(size).unwrap(), ct_root(size), "size {size}");
        }
        assert_eq!(tree.root_at(0).unwrap(), empty_root());
        assert_eq!(tree.root(), ct_root(8));
    }

    #[test]
    fn inclusion_proofs_match_the_reference_vectors() {
        let tree = MerkleTree::from_leaf_hashes(&ct_leaf_hashes());
        for (index, size, expected) in ct_inclusion_vectors() {
            assert_eq!(
                tree.inclusion_proof(index, size).unwrap(),
                expected,
                "generated proof of leaf {index} in size {size}"
            );
            let leaf = tree.leaf(index).unwrap();
            verify_inclusion(index, size, &leaf, &expected, &ct_root(size)).unwrap();
        }
    }

    #[test]
    fn corrupted_reference_inclusion_proofs_fail() {
        let tree = MerkleTree::from_leaf_hashes(&ct_leaf_hashes());
        let some = h(SOME_HASH);
        for (index, size, proof) in ct_inclusion_vectors() {
            let root = ct_root(size);
            let leaf = tree.leaf(index).unwrap();
            let mut probes: Vec<(String, u64, u64, Hash, Vec<Hash>, Hash)> = vec![
                (
                    "index - 1".into(),
                    index.wrapping_sub(1),
                    size,
                    leaf,
                    proof.clone(),
                    root,
                ),
                (
                    "index + 1".into(),
                    index + 1,
                    size,
                    leaf,
                    proof.clone(),
                    root,
                ),
                (
                    "index ^ 2".into(),
                    index ^ 2,
                    size,
                    leaf,
                    proof.clone(),
                    root,
                ),
                (
                    "size * 2".into(),
                    index,
                    size * 2,
                    leaf,
                    proof.clone(),
                    root,
                ),
                (
                    "size / 2".into(),
                    index,
                    size / 2,
                    leaf,
                    proof.clone(),
                    root,
                ),
                ("wrong leaf".into(), index, size, some, proof.clone(), root),
                (
                    "empty root".into(),
                    index,
                    size,
                    leaf,
                    proof.clone(),
                    empty_root(),
                ),
                ("random root".into(), index, size, leaf, proof.clone(), some),
                (
                    "trailing root".into(),
                    index,
                    size,
                    leaf,
                    [proof.clone(), vec![root]].concat(),
                    root,
                ),
                (
                    "preceding root".into(),
                    index,
                    size,
                    leaf,
                    [vec![root], proof.clone()].concat(),
                    root,
                ),
            ];
            for i in 0..proof.len() {
                let mut altered = proof.clone();
                altered[i] = flip(&altered[i], 8);
                probes.push((
                    format!("modified proof[{i}]"),
                    index,
                    size,
                    leaf,
                    altered,
                    root,
                ));
            }
            if !proof.is_empty() {
                probes.push((
                    "removed component".into(),
                    index,
                    size,
                    leaf,
                    proof[..proof.len() - 1].to_vec(),
                    root,
                ));
            }
            if proof.len() > 1 {
                let inserted = [vec![proof[0], some], proof[1..].to_vec()].concat();
                probes.push((
                    "inserted component".into(),
                    index,
                    size,
                    leaf,
                    inserted,
                    root,
                ));
            }
            for (what, i, s, l, p, r) in probes {
                assert!(
                    verify_inclusion(i, s, &l, &p, &r).is_err(),
                    "{what} verified for leaf {index} in size {size}"
                );
            }
        }
    }

    #[test]
    fn degenerate_inclusion_probes_fail() {
        let some = h(SOME_HASH);
        for (index, size) in [(0, 0), (1, 0), (2, 1)] {
            assert!(verify_inclusion(index, size, &some, &[], &empty_root()).is_err());
        }
        // in a one-leaf tree the leaf is the root and the proof is empty
        let leaf = leaf_hash(b"data");
        verify_inclusion(0, 1, &leaf, &[], &leaf).unwrap();
        assert!(verify_inclusion(0, 1, &leaf, &[], &some).is_err());
        assert!(verify_inclusion(0, 1, &some, &[], &leaf).is_err());
    }

    #[test]
    fn consistency_proofs_match_the_reference_vectors() {
        let tree = MerkleTree::from_leaf_hashes(&ct_leaf_hashes());
        for (old, new, expected) in ct_consistency_vectors() {
            assert_eq!(
                tree.consistency_proof(old, new).unwrap(),
                expected,
                "generated proof {old} -> {new}"
            );
            verify_consistency(old, new, &ct_root(old), &ct_root(new), &expected).unwrap();
        }
    }

    #[test]
    fn corrupted_reference_consistency_proofs_fail() {
        for (old, new, proof) in ct_consistency_vectors() {
            if proof.is_empty() {
                continue;
            }
            let (r1, r2) = (ct_root(old), ct_root(new));
            let some = h(SOME_HASH);
            let mut probes: Vec<(String, u64, u64, Hash, Hash, Vec<Hash>)> = vec![
                ("old - 1".into(), old - 1, new, r1, r2, proof.clone()),
                ("old + 1".into(), old + 1, new, r1, r2, proof.clone()),
                ("old ^ 2".into(), old ^ 2, new, r1, r2, proof.clone()),
                ("new * 2".into(), old, new * 2, r1, r2, proof.clone()),
                ("new / 2".into(), old, new / 2, r1, r2, proof.clone()),
                ("wrong old root".into(), old, new, some, r2, proof.clone()),
                ("wrong new root".into(), old, new, r1, some, proof.clone()),
                ("swapped roots".into(), old, new, r2, r1, proof.clone()),
                ("empty proof".into(), old, new, r1, r2, vec![]),
                (
                    "trailing old root".into(),
                    old,
                    new,
                    r1,
                    r2,
                    [proof.clone(), vec![r1]].concat(),
                ),
                (
                    "trailing new root".into(),
                    old,
                    new,
                    r1,
                    r2,
                    [proof.clone(), vec![r2]].concat(),
                ),
                (
                    "preceding old root".into(),
                    old,
                    new,
                    r1,
                    r2,
                    [vec![r1], proof.clone()].concat(),
                ),
                (
                    "preceding new root".into(),
                    old,
                    new,
                    r1,
                    r2,
                    [vec![r2], proof.clone()].concat(),
                ),
                (
                    "preceding proof[0]".into(),
                    old,
                    new,
                    r1,
                    r2,
                    [vec![proof[0]], proof.clone()].concat(),
                ),
                (
                    "truncated".into(),
                    old,
                    new,
                    r1,
                    r2,
                    proof[..proof.len() - 1].to_vec(),
                ),
            ];
            for i in 0..proof.len() {
                let mut altered = proof.clone();
                altered[i] = flip(&altered[i], 16);
                probes.push((format!("modified proof[{i}]"), old, new, r1, r2, altered));
            }
            for (what, o, n, a, b, p) in probes {
                assert!(
                    verify_consistency(o, n, &a, &b, &p).is_err(),
                    "{what} verified for {old} -> {new}"
                );
            }
        }
    }

    #[test]
    fn consistency_edge_cases() {
        let (a, b) = (h(SOME_HASH), empty_root());
        // equal sizes need equal roots and no proof
        assert!(verify_consistency(0, 0, &a, &b, &[]).is_err());
        assert!(verify_consistency(1, 1, &a, &b, &[]).is_err());
        verify_consistency(0, 0, &a, &a, &[]).unwrap();
        verify_consistency(1, 1, &b, &b, &[]).unwrap();
        assert!(verify_consistency(1, 1, &b, &b, &[b]).is_err());
        // the empty tree is consistent with anything, with no proof
        verify_consistency(0, 1, &a, &b, &[]).unwrap();
        assert!(verify_consistency(0, 1, &b, &b, &[b]).is_err());
        // time does not run backwards
        assert!(verify_consistency(1, 0, &a, &b, &[]).is_err());
        assert!(verify_consistency(2, 1, &a, &b, &[]).is_err());
        // growth needs a proof
        assert!(verify_consistency(1, 2, &a, &b, &[]).is_err());
    }

    #[test]
    fn generation_rejects_impossible_requests() {
        let tree = MerkleTree::from_leaf_hashes(&ct_leaf_hashes());
        assert_eq!(
            tree.inclusion_proof(8, 8),
            Err(ProofError::IndexOutOfRange { index: 8, size: 8 })
        );
        assert_eq!(
            tree.inclusion_proof(0, 9),
            Err(ProofError::SizeOutOfRange {
                size: 9,
                available: 8
            })
        );
        assert_eq!(
            tree.consistency_proof(5, 4),
            Err(ProofError::SizesOutOfOrder { old: 5, new: 4 })
        );
        assert!(tree.consistency_proof(1, 9).is_err());
        assert_eq!(tree.consistency_proof(0, 8).unwrap(), Vec::<Hash>::new());
        assert!(MerkleTree::new().inclusion_proof(0, 0).is_err());
    }

    #[test]
    fn free_functions_agree_with_the_tree() {
        let leaves = ct_leaf_hashes();
        assert_eq!(
            inclusion_proof(&leaves, 5).unwrap(),
            ct_inclusion_vectors()[2].2
        );
        assert_eq!(
            consistency_proof(&leaves, 6).unwrap(),
            ct_consistency_vectors()[2].2
        );
    }

    fn random_leaves(n: usize, seed: u64) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(&[seed.to_le_bytes(), (i as u64).to_le_bytes()].concat()))
            .collect()
    }

    #[test]
    fn the_frontier_is_the_right_edge_and_folds_to_the_root() {
        assert!(frontier(0).is_empty());
        assert_eq!(frontier(1), [(0, 0)]);
        assert_eq!(frontier(6), [(2, 0), (1, 2)]);
        assert_eq!(frontier(7), [(2, 0), (1, 2), (0, 6)]);
        assert_eq!(frontier(8), [(3, 0)]);
        let leaves = random_leaves(300, 5);
        let tree = MerkleTree::from_leaf_hashes(&leaves);
        for size in 0..=300u64 {
            // the root of a size needs the frontier's subtrees only
            let edge = frontier(size);
            let mut used = Vec::new();
            let root = subtree_root(size, &mut |level, index| {
                used.push((level, index));
                tree.node(level, index)
            });
            assert_eq!(used, edge, "size {size}");
            assert_eq!(root, tree.root_at(size).unwrap());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn incremental_roots_match_the_recursive_definition(n in 0usize..300, seed in any::<u64>()) {
            let leaves = random_leaves(n, seed);
            let tree = MerkleTree::from_leaf_hashes(&leaves);
            for size in [0, n / 3, n / 2, n] {
                prop_assert_eq!(tree.root_at(size as u64).unwrap(), root_from_leaf_hashes(&leaves[..size]));
            }
        }

        #[test]
        fn truncation_equals_building_the_prefix(n in 0usize..300, cut in any::<prop::sample::Index>(), seed in any::<u64>()) {
            let leaves = random_leaves(n, seed);
            let m = cut.index(n + 1);
            let mut tree = MerkleTree::from_leaf_hashes(&leaves);
            tree.truncate(m as u64);
            let mut prefix = MerkleTree::from_leaf_hashes(&leaves[..m]);
            prop_assert_eq!(&tree, &prefix);
            // and both grow alike again (also from an empty tree)
            let extra = crate::merkle::leaf_hash(b"appended after truncation");
            tree.push(extra);
            prefix.push(extra);
            prop_assert_eq!(tree.root(), prefix.root());
        }

        #[test]
        fn every_leaf_proves_and_any_alteration_fails(
            n in 1usize..300,
            seed in any::<u64>(),
            pick in any::<prop::sample::Index>(),
            bit in 0u8..8,
        ) {
            let leaves = random_leaves(n, seed);
            let tree = MerkleTree::from_leaf_hashes(&leaves);
            let size = n as u64;
            let root = tree.root();
            for (i, leaf) in leaves.iter().enumerate() {
                let proof = tree.inclusion_proof(i as u64, size).unwrap();
                prop_assert!(verify_inclusion(i as u64, size, leaf, &proof, &root).is_ok());
            }
            let i = pick.index(n);
            let index = i as u64;
            let proof = tree.inclusion_proof(index, size).unwrap();
            let leaf = leaves[i];
            let mask = 1u8 << bit;
            // altered leaf, root or any proof element
            prop_assert!(verify_inclusion(index, size, &flip(&leaf, mask), &proof, &root).is_err());
            prop_assert!(verify_inclusion(index, size, &leaf, &proof, &flip(&root, mask)).is_err());
            for j in 0..proof.len() {
                let mut altered = proof.clone();
                altered[j] = flip(&altered[j], mask);
                prop_assert!(verify_inclusion(index, size, &leaf, &altered, &root).is_err());
            }
            // any other index, unless it is a distinct leaf with the same hash (never here)
            for other in [index.wrapping_sub(1), index + 1, index ^ 1, index ^ 2] {
                if other != index {
                    prop_assert!(verify_inclusion(other, size, &leaf, &proof, &root).is_err());
                }
            }
        }

        #[test]
        fn consistency_between_any_two_sizes(
            n in 1usize..300,
            seed in any::<u64>(),
            a in any::<prop::sample::Index>(),
            b in any::<prop::sample::Index>(),
            bit in 0u8..8,
        ) {
            let leaves = random_leaves(n, seed);
            let tree = MerkleTree::from_leaf_hashes(&leaves);
            let (x, y) = (a.index(n + 1) as u64, b.index(n + 1) as u64);
            let (old, new) = (x.min(y), x.max(y));
            let (r1, r2) = (tree.root_at(old).unwrap(), tree.root_at(new).unwrap());
            let proof = tree.consistency_proof(old, new).unwrap();
            prop_assert!(verify_consistency(old, new, &r1, &r2, &proof).is_ok());
            if old > 0 && old < new {
                let mask = 1u8 << bit;
                prop_assert!(verify_consistency(old, new, &flip(&r1, mask), &r2, &proof).is_err());
                prop_assert!(verify_consistency(old, new, &r1, &flip(&r2, mask), &proof).is_err());
                for j in 0..proof.len() {
                    let mut altered = proof.clone();
                    altered[j] = flip(&altered[j], mask);
                    prop_assert!(verify_consistency(old, new, &r1, &r2, &altered).is_err());
                }
                // a truncated or padded proof
                prop_assert!(verify_consistency(old, new, &r1, &r2, &proof[..proof.len() - 1]).is_err());
                let padded = [proof.clone(), vec![r2]].concat();
                prop_assert!(verify_consistency(old, new, &r1, &r2, &padded).is_err());
            }
        }
    }
}

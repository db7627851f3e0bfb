//! Merkle tree hashing as specified by RFC 6962 section 2.1 (and kept by
//! RFC 9162 section 2.1.1): domain-separated leaf and node hashes so that a
//! leaf can never be passed off as an interior node.

use sha2::{Digest, Sha256};

/// A SHA-256 digest: a leaf hash, a node hash or a tree root.
pub type Hash = [u8; 32];

const LEAF_PREFIX: u8 = 0x00;
const NODE_PREFIX: u8 = 0x01;

/// `MTH({d(0)}) = SHA-256(0x00 || d(0))`
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([LEAF_PREFIX]);
    hasher.update(entry);
    hasher.finalize().into()
}

/// `SHA-256(0x01 || left || right)`
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([NODE_PREFIX]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The hash of the empty tree: `MTH({}) = SHA-256()`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The Merkle tree hash of already-hashed leaves: the tree splits at the
/// largest power of two strictly smaller than the number of leaves
/// (RFC 6962 section 2.1).
pub fn root_from_leaf_hashes(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => empty_root(),
        [single] => *single,
        _ => {
            let split = largest_power_of_two_below(leaves.len());
            let (left, right) = leaves.split_at(split);
            node_hash(&root_from_leaf_hashes(left), &root_from_leaf_hashes(right))
        }
    }
}

/// The Merkle tree hash of a list of entries.
pub fn root<E: AsRef<[u8]>>(entries: &[E]) -> Hash {
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e.as_ref())).collect();
    root_from_leaf_hashes(&leaves)
}

/// The largest power of two `k` with `k < n`, for `n >= 2`.
fn largest_power_of_two_below(n: usize) -> usize {
    debug_assert!(n >= 2);
    // the highest set bit of n - 1
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The RFC 6962 (Certificate Transparency) reference tree, shared by the
/// tests of this crate.
#[cfg(test)]
pub(crate) mod reference {
    /// The eight leaves of the reference tree, hex encoded.
    pub(crate) const CT_LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];

    /// The published roots of its first 1..=8 leaves.
    pub(crate) const CT_ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use super::reference::{CT_LEAVES, CT_ROOTS};

    fn ct_leaves() -> Vec<Vec<u8>> {
        CT_LEAVES.iter().map(|h| hex::decode(h).unwrap()).collect()
    }

    #[test]
    fn empty_tree_is_sha256_of_nothing() {
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(root::<&[u8]>(&[]), empty_root());
    }

    #[test]
    fn roots_match_the_rfc6962_reference_vectors() {
        let leaves = ct_leaves();
        for (size, expected) in (1..=8).zip(CT_ROOTS) {
            assert_eq!(
                hex::encode(root(&leaves[..size])),
                expected,
                "root of the first {size} reference leaves"
            );
        }
    }

    #[test]
    fn a_leaf_is_not_a_node() {
        let a = leaf_hash(b"a");
        let b = leaf_hash(b"b");
        let mut concatenated = a.to_vec();
        concatenated.extend_from_slice(&b);
        assert_ne!(leaf_hash(&concatenated), node_hash(&a, &b));
    }

    #[test]
    fn the_split_is_the_largest_power_of_two_below_the_size() {
        let expected = [
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 4),
            (6, 4),
            (8, 4),
            (9, 8),
            (1000, 512),
        ];
        for (n, k) in expected {
            assert_eq!(largest_power_of_two_below(n), k, "n = {n}");
        }
    }

    proptest! {
        #[test]
        fn any_changed_entry_changes_the_root(
            entries in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..16), 1..40),
            index in any::<prop::sample::Index>(),
            flip in 1u8..=255,
        ) {
            let original = root(&entries);
            let mut altered = entries.clone();
            let i = index.index(altered.len());
            match altered[i].first_mut() {
                Some(byte) => *byte ^= flip,
                None => altered[i].push(flip),
            }
            prop_assert_ne!(original, root(&altered));
        }
    }
}

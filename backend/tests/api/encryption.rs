//! Column encryption against the real database: data keys stored only
//! wrapped, values bound to their place, rotation while values stay
//! readable, an interrupted re-wrap that resumes, and crypto-shredding.

use std::sync::Arc;

use base64::Engine;
use lcp::crypto::{
    Binding, CryptoError, EnvKeyProvider, KeyProvider, KeyRing, KeyRingError, Scope,
};
use lcp::store;
use secrecy::SecretString;

use crate::support::migrated_database;

fn master_keys(versions: &[(u32, [u8; 32])]) -> Arc<dyn KeyProvider> {
    let spec: Vec<String> = versions
        .iter()
        .map(|(v, k)| {
            format!(
                "{v}:{}",
                base64::engine::general_purpose::STANDARD.encode(k)
            )
        })
        .collect();
    Arc::new(EnvKeyProvider::parse(&SecretString::from(spec.join(","))).unwrap())
}

const GOODS: Binding<'static> = Binding {
    table: "credits",
    column: "goods_description",
    row: "credit-1",
};

#[tokio::test]
async fn values_open_only_in_their_scope_and_place_and_no_key_is_stored_in_clear() {
    let url = migrated_database().await;
    let mut connection = store::connect(&url).await.unwrap();
    let master = rand::random::<[u8; 32]>();
    let ring = KeyRing::new(master_keys(&[(1, master)]));
    let (a, b) = (
        Scope::Organisation(uuid::Uuid::now_v7()),
        Scope::Organisation(uuid::Uuid::now_v7()),
    );

    let sealed = ring
        .seal(&mut connection, a, GOODS, b"2,000 MT PRIME STEEL COILS")
        .await
        .unwrap();
    assert_eq!(
        ring.open(&mut connection, a, GOODS, &sealed).await.unwrap(),
        b"2,000 MT PRIME STEEL COILS"
    );
    let other_row = Binding {
        row: "credit-2",
        ..GOODS
    };
    assert!(matches!(
        ring.open(&mut connection, a, other_row, &sealed).await,
        Err(KeyRingError::Crypto(CryptoError::Tampered))
    ));
    ring.seal(&mut connection, b, GOODS, b"other")
        .await
        .unwrap();
    assert!(
        ring.open(&mut connection, b, GOODS, &sealed).await.is_err(),
        "another organisation's key"
    );

    // a fresh ring (another replica) reads the same value from the stored key
    let replica = KeyRing::new(master_keys(&[(1, master)]));
    assert_eq!(
        replica
            .open(&mut connection, a, GOODS, &sealed)
            .await
            .unwrap(),
        b"2,000 MT PRIME STEEL COILS"
    );
    // without the master key the stored keys are useless
    let stranger = KeyRing::new(master_keys(&[(1, rand::random())]));
    assert!(
        stranger
            .open(&mut connection, a, GOODS, &sealed)
            .await
            .is_err()
    );

    let dump = std::process::Command::new(crate::support::cluster().bin_dir().join("pg_dump"))
        .args(["--data-only", "--table=data_keys", "--dbname"])
        .arg(secrecy::ExposeSecret::expose_secret(&url))
        .output()
        .unwrap();
    assert!(dump.status.success());
    let master_b64 = base64::engine::general_purpose::STANDARD.encode(master);
    assert!(
        !dump.stdout.windows(32).any(|w| w == master),
        "no master key in the database"
    );
    assert!(!String::from_utf8_lossy(&dump.stdout).contains(&master_b64));
}

#[tokio::test]
async fn a_rotated_data_key_seals_new_values_and_old_ones_still_open() {
    let url = migrated_database().await;
    let mut connection = store::connect(&url).await.unwrap();
    let ring = KeyRing::new(master_keys(&[(1, rand::random())]));
    let scope = Scope::Organisation(uuid::Uuid::now_v7());
    let old = ring
        .seal(&mut connection, scope, GOODS, b"before")
        .await
        .unwrap();
    assert_eq!(ring.rotate(&mut connection, scope).await.unwrap(), 2);
    let new = ring
        .seal(&mut connection, scope, GOODS, b"after")
        .await
        .unwrap();
    assert_eq!(
        (old.key_version().unwrap(), new.key_version().unwrap()),
        (1, 2)
    );
    assert_eq!(
        ring.open(&mut connection, scope, GOODS, &old)
            .await
            .unwrap(),
        b"before"
    );
    assert_eq!(
        ring.open(&mut connection, scope, GOODS, &new)
            .await
            .unwrap(),
        b"after"
    );
}

#[tokio::test]
async fn a_new_master_key_rewraps_every_data_key_and_an_interrupted_run_resumes() {
    let url = migrated_database().await;
    let mut connection = store::connect(&url).await.unwrap();
    let (first, second) = (rand::random::<[u8; 32]>(), rand::random::<[u8; 32]>());
    let before = KeyRing::new(master_keys(&[(1, first)]));
    let mut sealed = Vec::new();
    for _ in 0..5 {
        let scope = Scope::Organisation(uuid::Uuid::now_v7());
        sealed.push((
            scope,
            before
                .seal(&mut connection, scope, GOODS, b"kept")
                .await
                .unwrap(),
        ));
    }

    let during = KeyRing::new(master_keys(&[(1, first), (2, second)]));
    // interrupted after the first batch of two ...
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    {
        let mut rewrap_connection = store::connect(&url).await.unwrap();
        let rewrap = during.rewrap_all(&mut rewrap_connection, 2, move |done| {
            let _ = tx.send(done);
        });
        tokio::select! {
            _ = rewrap => panic!("the run should be stopped before it ends"),
            Some(done) = rx.recv() => assert_eq!(done, 2),
        }
    }
    // ... values still open during the rotation, whichever key wraps them
    for (scope, value) in &sealed {
        assert_eq!(
            during
                .open(&mut connection, *scope, GOODS, value)
                .await
                .unwrap(),
            b"kept"
        );
    }
    // ... and the next run finishes the rest
    let mut reports = Vec::new();
    let done = during
        .rewrap_all(&mut connection, 2, |n| reports.push(n))
        .await
        .unwrap();
    assert_eq!(done, 3);
    assert_eq!(reports, [2, 3]);

    // the old master key can now be retired
    let after = KeyRing::new(master_keys(&[(2, second)]));
    for (scope, value) in &sealed {
        assert_eq!(
            after
                .open(&mut connection, *scope, GOODS, value)
                .await
                .unwrap(),
            b"kept"
        );
    }
}

#[tokio::test]
async fn destroying_an_organisations_keys_erases_its_data_and_only_its_data() {
    let url = migrated_database().await;
    let mut connection = store::connect(&url).await.unwrap();
    let ring = KeyRing::new(master_keys(&[(1, rand::random())]));
    let (erased, kept) = (
        Scope::Organisation(uuid::Uuid::now_v7()),
        Scope::Organisation(uuid::Uuid::now_v7()),
    );
    let gone = ring
        .seal(&mut connection, erased, GOODS, b"personal data")
        .await
        .unwrap();
    let stays = ring
        .seal(&mut connection, kept, GOODS, b"other data")
        .await
        .unwrap();

    assert_eq!(ring.destroy(&mut connection, erased).await.unwrap(), 1);
    for reader in [&ring, &KeyRing::new(master_keys(&[(1, rand::random())]))] {
        assert!(matches!(
            reader.open(&mut connection, erased, GOODS, &gone).await,
            Err(KeyRingError::Crypto(CryptoError::Erased))
        ));
    }
    assert!(matches!(
        ring.seal(&mut connection, erased, GOODS, b"new").await,
        Err(KeyRingError::Crypto(CryptoError::Erased))
    ));
    assert_eq!(
        ring.open(&mut connection, kept, GOODS, &stays)
            .await
            .unwrap(),
        b"other data"
    );
}

#[tokio::test]
async fn blind_indexes_match_equal_values_within_a_scope_only() {
    let url = migrated_database().await;
    let mut connection = store::connect(&url).await.unwrap();
    let ring = KeyRing::new(master_keys(&[(1, rand::random())]));
    let (a, b) = (
        Scope::Organisation(uuid::Uuid::now_v7()),
        Scope::Organisation(uuid::Uuid::now_v7()),
    );
    let index = async |scope, value| {
        ring.blind_index(
            &mut store::connect(&url).await.unwrap(),
            scope,
            "counterparty",
            value,
        )
        .await
        .unwrap()
    };
    assert_eq!(
        index(a, "Lion City Components").await,
        index(a, "lion  city components ").await
    );
    assert_ne!(
        index(a, "Lion City Components").await,
        index(b, "Lion City Components").await
    );
    assert_ne!(
        index(a, "Lion City Components").await,
        index(a, "Rhein Valley Instruments").await
    );
    // stable across data-key rotation
    let before = index(a, "Lion City Components").await;
    ring.rotate(&mut connection, a).await.unwrap();
    assert_eq!(index(a, "Lion City Components").await, before);
}

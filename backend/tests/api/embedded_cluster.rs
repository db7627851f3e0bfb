//! The private cluster `lcp` runs without DATABASE_URL keeps its data
//! across restarts and stops cleanly.

use std::os::unix::fs::PermissionsExt;

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use lcp::embedded_postgres::{Cluster, ClusterOptions};
use lcp::store;

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    reference: String,
}

#[tokio::test]
async fn a_second_start_reuses_the_data_directory() {
    let data_dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(data_dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let options = ClusterOptions::new(data_dir.path(), None).disposable();

    let first = {
        let o = options.clone();
        tokio::task::spawn_blocking(move || Cluster::start(&o))
            .await
            .unwrap()
            .unwrap()
    };
    let url: secrecy::SecretString = first.url("postgres").into();
    let mut connection = store::connect(&url).await.unwrap();
    diesel::sql_query("CREATE TABLE kept (reference text)")
        .execute(&mut connection)
        .await
        .unwrap();
    diesel::sql_query("INSERT INTO kept VALUES ('LC-2026-0001')")
        .execute(&mut connection)
        .await
        .unwrap();
    drop(connection);
    let home = first.home().to_path_buf();
    tokio::task::spawn_blocking(move || first.stop())
        .await
        .unwrap()
        .unwrap();
    assert!(
        !home.join("data/postmaster.pid").exists(),
        "stopped cleanly"
    );
    assert!(
        store::connect(&url).await.is_err(),
        "nothing listens after stop"
    );

    let second = tokio::task::spawn_blocking(move || Cluster::start(&options))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.home(), home);
    let mut connection = store::connect(&second.url("postgres").into())
        .await
        .unwrap();
    let rows: Vec<Row> = diesel::sql_query("SELECT reference FROM kept")
        .load(&mut connection)
        .await
        .unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r.reference.as_str())
            .collect::<Vec<_>>(),
        ["LC-2026-0001"]
    );
    drop(connection);
    tokio::task::spawn_blocking(move || second.stop())
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn the_cluster_listens_on_a_private_socket_only() {
    let cluster = crate::support::cluster();
    let url = cluster.raw_url("postgres");
    assert!(url.contains("host=/"), "{url}");
    let mut connection = store::connect(&cluster.url("postgres")).await.unwrap();
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = Text)]
        listen_addresses: String,
    }
    let setting: Setting =
        diesel::sql_query("SELECT current_setting('listen_addresses') AS listen_addresses")
            .get_result(&mut connection)
            .await
            .unwrap();
    assert_eq!(setting.listen_addresses, "", "no TCP listener");
}

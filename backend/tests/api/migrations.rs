//! Migrations are reversible and `schema.rs` is what they produce.

use std::path::PathBuf;
use std::process::Command;

use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::MigrationHarness;
use lcp::store::{self, MIGRATIONS};
use secrecy::{ExposeSecret, SecretString};

use crate::support::{cluster, empty_database, migrated_database, repository_root};

fn schema_dump(database: &str) -> String {
    let cluster = cluster();
    let output = Command::new(cluster.bin_dir().join("pg_dump"))
        .args([
            "--schema-only",
            "--no-owner",
            "--exclude-table=__diesel_schema_migrations",
        ])
        .arg("--dbname")
        .arg(cluster.raw_url(database))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // pg_dump wraps its output in a random `\\restrict` key; it is not schema
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with("\\restrict") && !line.starts_with("\\unrestrict"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first line where two schema dumps part.
fn first_difference(left: &str, right: &str) -> String {
    left.lines()
        .zip(right.lines())
        .find(|(l, r)| l != r)
        .map(|(l, r)| format!("`{l}` vs `{r}`"))
        .unwrap_or_else(|| "one dump is longer".into())
}

async fn wrapper(url: &SecretString) -> AsyncConnectionWrapper<AsyncPgConnection> {
    store::connect(url).await.unwrap().into()
}

#[tokio::test]
async fn every_migration_reverts_to_exactly_the_schema_before_it() {
    let (name, url) = empty_database().await;
    let count = store::embedded_migration_versions().unwrap().len();
    assert!(count > 0);
    let mut connection = wrapper(&url).await;
    for step in 0..count {
        let (returned, before, after_down) = tokio::task::spawn_blocking({
            let name = name.clone();
            move || {
                let before = schema_dump(&name);
                let applied = connection.run_next_migration(MIGRATIONS).unwrap();
                assert_ne!(
                    schema_dump(&name),
                    before,
                    "migration {applied} changes nothing"
                );
                connection.revert_last_migration(MIGRATIONS).unwrap();
                let after_down = schema_dump(&name);
                // up again, so the next migration builds on it
                connection.run_next_migration(MIGRATIONS).unwrap();
                (connection, before, after_down)
            }
        })
        .await
        .unwrap();
        connection = returned;
        assert!(
            before == after_down,
            "down.sql of migration #{step} does not undo its up.sql: {}",
            first_difference(&before, &after_down)
        );
    }
    let pending = store::migration_state(&mut store::connect(&url).await.unwrap())
        .await
        .unwrap();
    assert!(pending.pending.is_empty());
}

#[tokio::test]
async fn up_down_up_gives_the_same_schema_as_a_fresh_migration() {
    let (name, url) = empty_database().await;
    let mut connection = wrapper(&url).await;
    let fresh_url = migrated_database().await;
    let fresh = fresh_url
        .expose_secret()
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    tokio::task::spawn_blocking(move || {
        connection.run_pending_migrations(MIGRATIONS).unwrap();
        connection.revert_all_migrations(MIGRATIONS).unwrap();
        connection.run_pending_migrations(MIGRATIONS).unwrap();
        let (again, fresh) = (schema_dump(&name), schema_dump(&fresh));
        assert!(
            again == fresh,
            "up, down, up differs: {}",
            first_difference(&again, &fresh)
        );
    })
    .await
    .unwrap();
}

fn diesel_cli() -> PathBuf {
    if let Some(path) = std::env::var_os("DIESEL_BIN") {
        return path.into();
    }
    let in_cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin/diesel"));
    match in_cargo_home {
        Some(path) if path.is_file() => path,
        _ => "diesel".into(),
    }
}

#[tokio::test]
async fn schema_rs_matches_a_freshly_migrated_database() {
    let url = migrated_database().await;
    let root = repository_root();
    let output = Command::new(diesel_cli())
        .arg("print-schema")
        .arg("--database-url")
        .arg(url.expose_secret())
        .arg("--config-file")
        .arg(root.join("diesel.toml"))
        .current_dir(&root)
        .output()
        .unwrap_or_else(|error| {
            panic!("the diesel CLI is needed ({error}); `make test` installs it, or set DIESEL_BIN")
        });
    assert!(
        output.status.success(),
        "diesel print-schema: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let generated = String::from_utf8(output.stdout).unwrap();
    let committed = std::fs::read_to_string(root.join("backend/src/store/schema.rs")).unwrap();
    assert!(
        generated == committed,
        "backend/src/store/schema.rs differs from the migrations: run `make schema`\n{generated}"
    );
}

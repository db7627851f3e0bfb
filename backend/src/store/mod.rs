//! PostgreSQL: the connection pool, embedded migrations and the queries.
//! Query functions take a connection, so callers compose them inside one
//! transaction.

pub mod data_keys;
pub mod idempotency;
pub mod identity;
pub mod reference;
pub mod schema;

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use secrecy::{ExposeSecret, SecretString};

/// The migrations in `migrations/`, built into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

pub type DbPool = Pool<AsyncPgConnection>;
pub type PooledConnection = Object<AsyncPgConnection>;

/// The database role the service's queries run as: it owns nothing and
/// row-level security applies to it (see the identity migration).
pub const APP_ROLE: &str = "lcp_app";

/// Opens the service's pool; connections are made lazily, on first use, and
/// each switches to [`APP_ROLE`] before it is handed out.
pub fn pool(database_url: &SecretString, max_size: usize) -> Result<DbPool> {
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    config.custom_setup = Box::new(|url| {
        Box::pin(async move {
            let mut connection = AsyncPgConnection::establish(url).await?;
            diesel::sql_query(format!("SET ROLE {APP_ROLE}"))
                .execute(&mut connection)
                .await
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(connection)
        })
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        database_url.expose_secret(),
        config,
    );
    Pool::builder(manager)
        .max_size(max_size)
        .build()
        .context("building the database pool")
}

pub async fn connect(database_url: &SecretString) -> Result<AsyncPgConnection> {
    AsyncPgConnection::establish(database_url.expose_secret())
        .await
        .context("connecting to PostgreSQL")
}

/// Within a transaction: act for `organisation` until the transaction ends.
/// Row-level security then shows the service's role that organisation's
/// rows only; without it, none.
pub async fn act_for(
    connection: &mut AsyncPgConnection,
    organisation: uuid::Uuid,
) -> QueryResult<()> {
    diesel::sql_query("SELECT set_config('lcp.organisation_id', $1, true)")
        .bind::<Text, _>(organisation.to_string())
        .execute(connection)
        .await?;
    Ok(())
}

/// Applies every pending migration and returns the versions applied.
pub async fn run_migrations(database_url: &SecretString) -> Result<Vec<String>> {
    let connection = connect(database_url).await?;
    let mut wrapper: AsyncConnectionWrapper<AsyncPgConnection> = connection.into();
    // The migration harness is synchronous; it must not block a runtime worker.
    tokio::task::spawn_blocking(move || {
        wrapper
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(|error| anyhow::anyhow!("running migrations: {error}"))
    })
    .await
    .context("migration task")?
}

/// The versions of the embedded migrations, in order.
pub fn embedded_migration_versions() -> Result<BTreeSet<String>> {
    let migrations = diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map_err(|error| anyhow::anyhow!("reading embedded migrations: {error}"))?;
    Ok(migrations
        .iter()
        .map(|migration| migration.name().version().to_string())
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    pub pending: Vec<String>,
}

#[derive(QueryableByName)]
struct AppliedVersion {
    #[diesel(sql_type = Text)]
    version: String,
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

/// Which embedded migrations the database has not applied yet.
pub async fn migration_state(connection: &mut AsyncPgConnection) -> Result<MigrationState> {
    let has_table: Exists =
        diesel::sql_query("SELECT to_regclass('__diesel_schema_migrations') IS NOT NULL AS exists")
            .get_result(connection)
            .await
            .context("looking for the migrations table")?;
    let applied: BTreeSet<String> = if has_table.exists {
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
            .load::<AppliedVersion>(connection)
            .await
            .context("reading applied migrations")?
            .into_iter()
            .map(|row| row.version)
            .collect()
    } else {
        BTreeSet::new()
    };
    let pending = embedded_migration_versions()?
        .into_iter()
        .filter(|version| !applied.contains(version))
        .collect();
    Ok(MigrationState { pending })
}

/// Creates `database` in the server behind `maintenance_url` unless it exists.
pub async fn ensure_database(maintenance_url: &SecretString, database: &str) -> Result<()> {
    anyhow::ensure!(
        !database.is_empty()
            && database
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        "database names are letters, digits and underscores"
    );
    let mut connection = connect(maintenance_url).await?;
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(database)
            .get_result(&mut connection)
            .await
            .context("looking for the database")?;
    if !found.exists {
        diesel::sql_query(format!("CREATE DATABASE \"{database}\""))
            .execute(&mut connection)
            .await
            .with_context(|| format!("creating database {database}"))?;
        tracing::info!(database, "database created");
    }
    Ok(())
}

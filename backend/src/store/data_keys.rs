//! Wrapped data keys (see `crypto`). The master key never comes here.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::data_keys;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = data_keys, check_for_backend(diesel::pg::Pg))]
pub struct WrappedKey {
    pub scope: String,
    pub purpose: String,
    pub version: i32,
    pub wrapped_key: Option<Vec<u8>>,
    pub master_version: i32,
    pub created_at: DateTime<Utc>,
    pub destroyed_at: Option<DateTime<Utc>>,
}

/// The newest version of a scope's key for a purpose (destroyed or not).
pub async fn newest(
    connection: &mut AsyncPgConnection,
    scope: &str,
    purpose: &str,
) -> QueryResult<Option<WrappedKey>> {
    data_keys::table
        .filter(data_keys::scope.eq(scope))
        .filter(data_keys::purpose.eq(purpose))
        .order(data_keys::version.desc())
        .select(WrappedKey::as_select())
        .first(connection)
        .await
        .optional()
}

pub async fn find(
    connection: &mut AsyncPgConnection,
    scope: &str,
    purpose: &str,
    version: i32,
) -> QueryResult<Option<WrappedKey>> {
    data_keys::table
        .find((scope, purpose, version))
        .select(WrappedKey::as_select())
        .first(connection)
        .await
        .optional()
}

/// Stores a new key unless that version exists (two replicas creating an
/// organisation's first key at once: one wins, both then use it).
pub async fn insert(connection: &mut AsyncPgConnection, key: &WrappedKey) -> QueryResult<bool> {
    let inserted = diesel::insert_into(data_keys::table)
        .values(key)
        .on_conflict_do_nothing()
        .execute(connection)
        .await?;
    Ok(inserted == 1)
}

/// Keys wrapped with another master version than `current`, a batch at a time.
pub async fn wrapped_with_other_master(
    connection: &mut AsyncPgConnection,
    current: i32,
    batch: i64,
) -> QueryResult<Vec<WrappedKey>> {
    data_keys::table
        .filter(data_keys::master_version.ne(current))
        .filter(data_keys::wrapped_key.is_not_null())
        .order((data_keys::scope, data_keys::purpose, data_keys::version))
        .limit(batch)
        .select(WrappedKey::as_select())
        .load(connection)
        .await
}

pub async fn rewrap(
    connection: &mut AsyncPgConnection,
    key: &WrappedKey,
    wrapped: &[u8],
    master_version: i32,
) -> QueryResult<()> {
    diesel::update(data_keys::table.find((&key.scope, &key.purpose, key.version)))
        .filter(data_keys::master_version.eq(key.master_version))
        .set((
            data_keys::wrapped_key.eq(wrapped),
            data_keys::master_version.eq(master_version),
        ))
        .execute(connection)
        .await?;
    Ok(())
}

/// Destroys every key of a scope: its ciphertexts can never be read again.
pub async fn destroy_scope(
    connection: &mut AsyncPgConnection,
    scope: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        data_keys::table
            .filter(data_keys::scope.eq(scope))
            .filter(data_keys::destroyed_at.is_null()),
    )
    .set((
        data_keys::wrapped_key.eq(None::<Vec<u8>>),
        data_keys::destroyed_at.eq(now),
    ))
    .execute(connection)
    .await
}

pub async fn all(connection: &mut AsyncPgConnection) -> QueryResult<Vec<WrappedKey>> {
    data_keys::table
        .order((data_keys::scope, data_keys::purpose, data_keys::version))
        .select(WrappedKey::as_select())
        .load(connection)
        .await
}

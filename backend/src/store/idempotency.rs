//! Stored responses of mutating requests sent with an Idempotency-Key.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::idempotency_records;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_records, check_for_backend(diesel::pg::Pg))]
pub struct Record {
    pub caller: String,
    pub idempotency_key: String,
    pub organisation_id: Uuid,
    pub request_hash: Vec<u8>,
    pub response_status: i16,
    pub response_body: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

/// Within a transaction: waits for any other transaction using the same
/// caller and key, then returns what it stored, if anything. Concurrent
/// retries thus run one after the other, and the later one sees the first's
/// response.
pub async fn lock_and_find(
    connection: &mut AsyncPgConnection,
    caller: &str,
    key: &str,
) -> QueryResult<Option<Record>> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(format!("idempotency|{caller}|{key}"))
        .execute(connection)
        .await?;
    idempotency_records::table
        .find((caller, key))
        .select(Record::as_select())
        .first(connection)
        .await
        .optional()
}

/// Forgets the organisation's records older than `not_before`; a retry
/// after that is a new request.
pub async fn sweep(
    connection: &mut AsyncPgConnection,
    organisation_id: Uuid,
    not_before: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(
        idempotency_records::table
            .filter(idempotency_records::organisation_id.eq(organisation_id))
            .filter(idempotency_records::created_at.lt(not_before)),
    )
    .execute(connection)
    .await
}

pub async fn insert(connection: &mut AsyncPgConnection, record: &Record) -> QueryResult<()> {
    diesel::insert_into(idempotency_records::table)
        .values(record)
        .execute(connection)
        .await?;
    Ok(())
}

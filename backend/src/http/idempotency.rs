//! `Idempotency-Key` on mutating requests: the same key and body give the
//! same response without changing anything again; the same key with another
//! body is refused (422). Keys are kept for 24 hours. The record is written in the transaction of the
//! change itself, so a response is stored exactly when the change is.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::Utc;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::problem::{ApiError, FieldViolation};
use crate::auth::{Credential, Principal};
use crate::store::idempotency as records;

pub const HEADER: &str = "idempotency-key";
const REPLAYED_HEADER: &str = "idempotent-replayed";
const FIELD: &str = "header.Idempotency-Key";
/// How long a key protects against a repeated request.
pub const RETENTION: chrono::Duration = chrono::Duration::hours(24);

/// The key a request was sent with, and what it must match on a retry.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    caller: String,
    key: String,
    request_hash: Vec<u8>,
}

/// A response as the change produced it (and as a retry gets it again).
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub status: StatusCode,
    pub body: Vec<u8>,
    pub replayed: bool,
}

impl StoredResponse {
    pub fn json(status: StatusCode, value: &impl Serialize) -> Result<Self, ApiError> {
        let body = serde_json::to_vec(value).map_err(|error| ApiError::Internal(error.into()))?;
        Ok(Self {
            status,
            body,
            replayed: false,
        })
    }

    pub fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if self.replayed {
            response.insert_header((REPLAYED_HEADER, "true"));
        }
        response.content_type("application/json").body(self.body)
    }
}

/// The request's key, if it sent one (checked: 1 to 255 visible ASCII
/// characters).
pub fn key_of(
    request: &HttpRequest,
    principal: &Principal,
    body: &[u8],
) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = request.headers().get(HEADER) else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|key| (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| ApiError::invalid(FIELD, "1 to 255 visible ASCII characters"))?;
    let caller = match &principal.credential {
        Credential::Session { user_id, .. } => format!("user:{user_id}"),
        Credential::Bearer { client_id } => format!("client:{client_id}"),
    };
    let mut hash = Sha256::new();
    hash.update(request.method().as_str());
    hash.update([0]);
    hash.update(request.path());
    hash.update([0]);
    hash.update(body);
    Ok(Some(IdempotencyKey {
        caller,
        key: key.to_owned(),
        request_hash: hash.finalize().to_vec(),
    }))
}

/// Within the change's transaction, before the change: the stored response
/// of an earlier request with this key, or `None` to go ahead.
pub async fn replay(
    connection: &mut AsyncPgConnection,
    key: Option<&IdempotencyKey>,
) -> Result<Option<StoredResponse>, ApiError> {
    let Some(key) = key else { return Ok(None) };
    let Some(record) = records::lock_and_find(connection, &key.caller, &key.key).await? else {
        return Ok(None);
    };
    if record.request_hash != key.request_hash {
        return Err(ApiError::InvalidInput(vec![FieldViolation::new(
            FIELD,
            "this key was already used for a different request; send a new key for a new request",
        )]));
    }
    let status = u16::try_from(record.response_status)
        .ok()
        .and_then(|status| StatusCode::from_u16(status).ok())
        .ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "stored status {} out of range",
                record.response_status
            ))
        })?;
    Ok(Some(StoredResponse {
        status,
        body: record.response_body,
        replayed: true,
    }))
}

/// Within the change's transaction, after the change: the response, kept
/// for retries with the same key.
pub async fn respond(
    connection: &mut AsyncPgConnection,
    key: Option<&IdempotencyKey>,
    organisation: Uuid,
    status: StatusCode,
    value: &impl Serialize,
) -> Result<StoredResponse, ApiError> {
    let response = StoredResponse::json(status, value)?;
    remember(connection, key, organisation, &response).await?;
    Ok(response)
}

async fn remember(
    connection: &mut AsyncPgConnection,
    key: Option<&IdempotencyKey>,
    organisation: Uuid,
    response: &StoredResponse,
) -> Result<(), ApiError> {
    let Some(key) = key else { return Ok(()) };
    records::sweep(connection, organisation, Utc::now() - RETENTION).await?;
    records::insert(
        connection,
        &records::Record {
            caller: key.caller.clone(),
            idempotency_key: key.key.clone(),
            organisation_id: organisation,
            request_hash: key.request_hash.clone(),
            response_status: i16::try_from(response.status.as_u16()).unwrap_or(i16::MAX),
            response_body: response.body.clone(),
            created_at: Utc::now(),
        },
    )
    .await?;
    Ok(())
}

/// Parses a JSON body read as bytes (so its exact bytes can be hashed).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|error| ApiError::invalid("body", error.to_string()))
}

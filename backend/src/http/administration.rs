//! An organisation's administrator manages who holds which role there:
//! memberships directly, or mappings from identity-provider claims.

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Json, Path};
use actix_web::{HttpRequest, HttpResponse, delete, get, post};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use super::idempotency;
use super::problem::{ApiError, Deferred, FieldViolation, Problem, deferred};
use crate::auth::{AuditEntry, Principal, RequestOrigin, audit};
use crate::domain::{OrganisationKind, Role};
use crate::store::identity::{self as queries, RoleMapping as MappingRow};
use crate::store::{self, reference};

const ADMINISTRATORS: &[Role] = &[Role::BankAdministrator, Role::CorporateAdministrator];

#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    #[schema(example = "bank_checker")]
    pub role: String,
    pub granted_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewMember {
    #[schema(example = "lena.checker@hmbk.example")]
    pub email: String,
    #[schema(example = "Lena Checker")]
    pub display_name: String,
    #[schema(example = "bank_checker")]
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleMapping {
    pub id: Uuid,
    /// The ID-token claim, e.g. `groups`.
    pub claim: String,
    /// The value (or one of the values) the claim must hold.
    pub value: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

impl From<MappingRow> for RoleMapping {
    fn from(row: MappingRow) -> Self {
        Self {
            id: row.id,
            claim: row.claim,
            value: row.value,
            role: row.role,
            created_at: row.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewRoleMapping {
    #[schema(example = "groups")]
    pub claim: String,
    #[schema(example = "trade-ops-checkers")]
    pub value: String,
    #[schema(example = "bank_checker")]
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SecurityEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    #[schema(example = "sign_in")]
    pub kind: String,
    pub user_id: Option<Uuid>,
    pub client_id: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: serde_json::Value,
}

/// The administrator of `organisation`, or the reason not.
async fn administrator_of(
    state: &AppState,
    principal: &Principal,
    organisation: Uuid,
) -> Result<OrganisationKind, ApiError> {
    principal.require_organisation(organisation)?;
    principal.require_any(ADMINISTRATORS)?;
    let mut connection = state.pool.get().await?;
    let row = reference::find_organisation(&mut connection, organisation)
        .await?
        .ok_or(ApiError::NotFound)?;
    row.kind
        .parse()
        .map_err(|error| ApiError::Internal(anyhow::Error::new(error)))
}

/// A role that can be held at an organisation of `kind`.
fn role_for(kind: OrganisationKind, field: &str, name: &str) -> Result<Role, FieldViolation> {
    let role: Role = name.parse().map_err(|_| {
        let names: Vec<&str> = Role::ALL.iter().map(|role| role.as_str()).collect();
        FieldViolation::new(field, format!("one of {}", names.join(", ")))
    })?;
    if role.organisation_kind() != kind {
        return Err(FieldViolation::new(
            field,
            format!(
                "{role} is a role at a {}, not at a {kind}",
                role.organisation_kind()
            ),
        ));
    }
    Ok(role)
}

/// Members of the organisation and their roles.
#[utoipa::path(
    tag = "administration",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, body = Vec<Member>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/organisations/{id}/members")]
pub async fn list_members(
    state: Data<AppState>,
    principal: Principal,
    id: Deferred<Path<Uuid>>,
) -> Result<Json<Vec<Member>>, ApiError> {
    let organisation = deferred(id)?.into_inner();
    administrator_of(&state, &principal, organisation).await?;
    let mut connection = state.pool.get().await?;
    let rows = connection
        .transaction(async |connection| {
            store::act_for(connection, organisation).await?;
            queries::members(connection, organisation).await
        })
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| Member {
                user_id: row.user_id,
                email: row.email,
                display_name: row.display_name,
                role: row.role,
                granted_at: row.granted_at,
            })
            .collect(),
    ))
}

/// Gives a person a role at the organisation (registering the person by
/// email if new; they sign in with the organisation's identity provider).
#[utoipa::path(
    tag = "administration",
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely for 24 hours: the same key and body give the same response; the same key with another body is refused (422)."),
    ),
    request_body = NewMember,
    responses(
        (status = 201, body = Member),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/organisations/{id}/members")]
pub async fn add_member(
    request: HttpRequest,
    state: Data<AppState>,
    principal: Principal,
    id: Deferred<Path<Uuid>>,
    body: Deferred<Bytes>,
) -> Result<HttpResponse, ApiError> {
    let organisation = deferred(id)?.into_inner();
    let kind = administrator_of(&state, &principal, organisation).await?;
    let raw = deferred(body)?;
    let idempotency = idempotency::key_of(&request, &principal, &raw)?;
    let body: NewMember = idempotency::parse_json(&raw)?;
    let mut violations = Vec::new();
    let email = body.email.trim().to_ascii_lowercase();
    let valid_email = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        })
        && !email.chars().any(char::is_whitespace);
    if !valid_email {
        violations.push(FieldViolation::new("email", "an email address"));
    }
    let display_name = body.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 140 {
        violations.push(FieldViolation::new("display_name", "1 to 140 characters"));
    }
    let role = role_for(kind, "role", &body.role)
        .map_err(|v| violations.push(v))
        .ok();
    let Some(role) = role.filter(|_| violations.is_empty()) else {
        return Err(ApiError::InvalidInput(violations));
    };
    let origin = RequestOrigin::of(&request);
    let mut connection = state.pool.get().await?;
    let response = connection
        .transaction::<_, ApiError, _>(async |connection| {
            store::act_for(connection, organisation).await?;
            if let Some(stored) = idempotency::replay(connection, idempotency.as_ref()).await? {
                return Ok(stored);
            }
            let user_id = queries::upsert_user(connection, &email, display_name).await?;
            if !queries::grant_role(connection, user_id, organisation, role.as_str()).await? {
                return Err(ApiError::Conflict(format!(
                    "{email} already holds {role} here."
                )));
            }
            let entry = AuditEntry::new("role_granted")
                .by(&principal)
                .detail(json!({ "member": user_id, "role": role }));
            audit(connection, &origin, entry).await?;
            let row = queries::members(connection, organisation)
                .await?
                .into_iter()
                .find(|m| m.user_id == user_id && m.role == role.as_str())
                .ok_or(ApiError::NotFound)?;
            let member = Member {
                user_id,
                email: row.email,
                display_name: row.display_name,
                role: row.role,
                granted_at: row.granted_at,
            };
            idempotency::respond(
                connection,
                idempotency.as_ref(),
                organisation,
                StatusCode::CREATED,
                &member,
            )
            .await
        })
        .await?;
    Ok(response.into_response())
}

/// Takes a role from a member. The organisation's last administrator keeps
/// theirs, so it can never lock itself out.
#[utoipa::path(
    tag = "administration",
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("user_id" = Uuid, Path, description = "The member"),
        ("role" = String, Path, description = "The role to take away"),
    ),
    responses(
        (status = 204, description = "Role taken away"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[delete("/organisations/{id}/members/{user_id}/roles/{role}")]
pub async fn remove_member_role(
    request: HttpRequest,
    state: Data<AppState>,
    principal: Principal,
    path: Deferred<Path<(Uuid, Uuid, String)>>,
) -> Result<HttpResponse, ApiError> {
    let (organisation, user_id, role) = deferred(path)?.into_inner();
    administrator_of(&state, &principal, organisation).await?;
    let role: Role = role.parse().map_err(|_| ApiError::NotFound)?;
    let origin = RequestOrigin::of(&request);
    let mut connection = state.pool.get().await?;
    connection
        .transaction::<_, ApiError, _>(async |connection| {
            store::act_for(connection, organisation).await?;
            if ADMINISTRATORS.contains(&role)
                && queries::count_role(connection, organisation, role.as_str()).await? <= 1
            {
                return Err(ApiError::Conflict(
                    "The organisation's last administrator keeps the role.".into(),
                ));
            }
            if !queries::revoke_role(connection, user_id, organisation, role.as_str()).await? {
                return Err(ApiError::NotFound);
            }
            let entry = AuditEntry::new("role_revoked")
                .by(&principal)
                .detail(json!({ "member": user_id, "role": role }));
            audit(connection, &origin, entry).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Roles the organisation grants from identity-provider claims.
#[utoipa::path(
    tag = "administration",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, body = Vec<RoleMapping>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/organisations/{id}/role-mappings")]
pub async fn list_role_mappings(
    state: Data<AppState>,
    principal: Principal,
    id: Deferred<Path<Uuid>>,
) -> Result<Json<Vec<RoleMapping>>, ApiError> {
    let organisation = deferred(id)?.into_inner();
    administrator_of(&state, &principal, organisation).await?;
    let mut connection = state.pool.get().await?;
    let rows = connection
        .transaction(async |connection| {
            store::act_for(connection, organisation).await?;
            queries::role_mappings(connection, organisation).await
        })
        .await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Grants a role to whoever the identity provider says holds a claim value
/// (e.g. `groups` contains `trade-ops-checkers`), from their next sign-in.
#[utoipa::path(
    tag = "administration",
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry safely for 24 hours: the same key and body give the same response; the same key with another body is refused (422)."),
    ),
    request_body = NewRoleMapping,
    responses(
        (status = 201, body = RoleMapping),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/organisations/{id}/role-mappings")]
pub async fn add_role_mapping(
    request: HttpRequest,
    state: Data<AppState>,
    principal: Principal,
    id: Deferred<Path<Uuid>>,
    body: Deferred<Bytes>,
) -> Result<HttpResponse, ApiError> {
    let organisation = deferred(id)?.into_inner();
    let kind = administrator_of(&state, &principal, organisation).await?;
    let raw = deferred(body)?;
    let idempotency = idempotency::key_of(&request, &principal, &raw)?;
    let body: NewRoleMapping = idempotency::parse_json(&raw)?;
    let mut violations = Vec::new();
    let claim_ok = !body.claim.is_empty()
        && body.claim.len() <= 100
        && body
            .claim
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_:.-".contains(c));
    if !claim_ok {
        violations.push(FieldViolation::new(
            "claim",
            "a claim name: letters, digits and _ : . - (at most 100)",
        ));
    }
    if body.value.is_empty() || body.value.chars().count() > 200 {
        violations.push(FieldViolation::new("value", "1 to 200 characters"));
    }
    let role = role_for(kind, "role", &body.role)
        .map_err(|v| violations.push(v))
        .ok();
    let Some(role) = role.filter(|_| violations.is_empty()) else {
        return Err(ApiError::InvalidInput(violations));
    };
    let origin = RequestOrigin::of(&request);
    let mut connection = state.pool.get().await?;
    let response = connection
        .transaction::<_, ApiError, _>(async |connection| {
            store::act_for(connection, organisation).await?;
            if let Some(stored) = idempotency::replay(connection, idempotency.as_ref()).await? {
                return Ok(stored);
            }
            let row = MappingRow {
                id: Uuid::now_v7(),
                organisation_id: organisation,
                claim: body.claim.clone(),
                value: body.value.clone(),
                role: role.as_str().to_owned(),
                created_at: Utc::now(),
            };
            let row =
                queries::add_role_mapping(connection, &row)
                    .await
                    .map_err(|error| match error {
                        diesel::result::Error::DatabaseError(
                            diesel::result::DatabaseErrorKind::UniqueViolation,
                            _,
                        ) => ApiError::Conflict("This mapping exists already.".into()),
                        other => other.into(),
                    })?;
            let entry = AuditEntry::new("role_mapping_added")
                .by(&principal)
                .detail(json!({ "claim": row.claim, "value": row.value, "role": row.role }));
            audit(connection, &origin, entry).await?;
            idempotency::respond(
                connection,
                idempotency.as_ref(),
                organisation,
                StatusCode::CREATED,
                &RoleMapping::from(row),
            )
            .await
        })
        .await?;
    Ok(response.into_response())
}

/// Removes a claim-to-role mapping (sessions already open keep their roles
/// until they end).
#[utoipa::path(
    tag = "administration",
    params(
        ("id" = Uuid, Path, description = "Organisation id"),
        ("mapping_id" = Uuid, Path, description = "The mapping"),
    ),
    responses(
        (status = 204, description = "Mapping removed"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[delete("/organisations/{id}/role-mappings/{mapping_id}")]
pub async fn remove_role_mapping(
    request: HttpRequest,
    state: Data<AppState>,
    principal: Principal,
    path: Deferred<Path<(Uuid, Uuid)>>,
) -> Result<HttpResponse, ApiError> {
    let (organisation, mapping) = deferred(path)?.into_inner();
    administrator_of(&state, &principal, organisation).await?;
    let origin = RequestOrigin::of(&request);
    let mut connection = state.pool.get().await?;
    connection
        .transaction::<_, ApiError, _>(async |connection| {
            store::act_for(connection, organisation).await?;
            let row = queries::remove_role_mapping(connection, organisation, mapping)
                .await?
                .ok_or(ApiError::NotFound)?;
            let entry = AuditEntry::new("role_mapping_removed")
                .by(&principal)
                .detail(json!({ "claim": row.claim, "value": row.value, "role": row.role }));
            audit(connection, &origin, entry).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The organisation's security audit log, newest first (last 200 events).
#[utoipa::path(
    tag = "administration",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, body = Vec<SecurityEvent>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/organisations/{id}/security-events")]
pub async fn list_security_events(
    state: Data<AppState>,
    principal: Principal,
    id: Deferred<Path<Uuid>>,
) -> Result<Json<Vec<SecurityEvent>>, ApiError> {
    let organisation = deferred(id)?.into_inner();
    administrator_of(&state, &principal, organisation).await?;
    let mut connection = state.pool.get().await?;
    let rows = connection
        .transaction(async |connection| {
            store::act_for(connection, organisation).await?;
            queries::events(connection, organisation, 200).await
        })
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| SecurityEvent {
                id: row.id,
                occurred_at: row.occurred_at,
                kind: row.kind,
                user_id: row.user_id,
                client_id: row.client_id,
                source_ip: row.source_ip,
                user_agent: row.user_agent,
                detail: row.detail,
            })
            .collect(),
    ))
}

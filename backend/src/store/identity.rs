//! Sign-in state, sessions, ERP clients, role mappings, memberships and the
//! security audit log.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use super::schema::{
    idp_role_mappings, login_attempts, memberships, security_events, sessions, users,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = login_attempts, check_for_backend(diesel::pg::Pg))]
pub struct LoginAttempt {
    pub state: String,
    pub pkce_verifier: String,
    pub nonce: String,
    pub return_to: String,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_login_attempt(
    connection: &mut AsyncPgConnection,
    attempt: &LoginAttempt,
) -> QueryResult<()> {
    diesel::insert_into(login_attempts::table)
        .values(attempt)
        .execute(connection)
        .await?;
    Ok(())
}

/// Removes sign-in attempts older than `not_before` (never finished).
pub async fn sweep_login_attempts(
    connection: &mut AsyncPgConnection,
    not_before: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(login_attempts::table.filter(login_attempts::created_at.lt(not_before)))
        .execute(connection)
        .await
}

/// Takes the attempt with this state (single use), if it is younger than
/// `not_before`. Older attempts are swept on the way.
pub async fn take_login_attempt(
    connection: &mut AsyncPgConnection,
    state: &str,
    not_before: DateTime<Utc>,
) -> QueryResult<Option<LoginAttempt>> {
    diesel::delete(login_attempts::table.filter(login_attempts::created_at.lt(not_before)))
        .execute(connection)
        .await?;
    diesel::delete(login_attempts::table.find(state))
        .returning(LoginAttempt::as_returning())
        .get_result(connection)
        .await
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct Session {
    pub id: Uuid,
    pub user_id: Uuid,
    pub organisation_id: Uuid,
    pub claim_roles: Vec<Option<String>>,
    pub id_token_hint: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn insert_session(
    connection: &mut AsyncPgConnection,
    session: &Session,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(connection)
        .await?;
    Ok(())
}

pub async fn find_session(
    connection: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<Session>> {
    sessions::table
        .find(id)
        .select(Session::as_select())
        .first(connection)
        .await
        .optional()
}

pub async fn touch_session(
    connection: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_seen_at.eq(now))
        .execute(connection)
        .await?;
    Ok(())
}

/// Ends a session; returns it as it was if it was live.
pub async fn revoke_session(
    connection: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Option<Session>> {
    diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now))
    .returning(Session::as_returning())
    .get_result(connection)
    .await
    .optional()
}

#[derive(Debug, Clone, QueryableByName)]
pub struct OrganisationRole {
    #[diesel(sql_type = SqlUuid)]
    pub organisation_id: Uuid,
    #[diesel(sql_type = Text)]
    pub role: String,
}

/// Every organisation and role a user holds (sign-in, before the
/// organisation is known).
pub async fn sign_in_memberships(
    connection: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Vec<OrganisationRole>> {
    diesel::sql_query("SELECT organisation_id, role FROM sign_in_memberships($1)")
        .bind::<SqlUuid, _>(user_id)
        .load(connection)
        .await
}

#[derive(Debug, Clone, QueryableByName)]
struct MappedClaim {
    #[diesel(sql_type = Text)]
    claim: String,
}

/// The claim names some organisation maps to roles.
pub async fn mapped_claims(connection: &mut AsyncPgConnection) -> QueryResult<Vec<String>> {
    let rows: Vec<MappedClaim> = diesel::sql_query("SELECT claim FROM sign_in_mapped_claims()")
        .load(connection)
        .await?;
    Ok(rows.into_iter().map(|row| row.claim).collect())
}

/// The organisations and roles the identity provider's `claim` values grant.
pub async fn roles_from_claim(
    connection: &mut AsyncPgConnection,
    claim: &str,
    values: &[String],
) -> QueryResult<Vec<OrganisationRole>> {
    diesel::sql_query("SELECT organisation_id, role FROM sign_in_role_mappings($1, $2)")
        .bind::<Text, _>(claim)
        .bind::<Array<Text>, _>(values)
        .load(connection)
        .await
}

#[derive(Debug, Clone, QueryableByName)]
pub struct BearerClient {
    #[diesel(sql_type = SqlUuid)]
    pub organisation_id: Uuid,
    #[diesel(sql_type = Array<diesel::sql_types::Nullable<Text>>)]
    pub roles: Vec<Option<String>>,
}

/// The organisation and roles an enabled ERP client acts with.
pub async fn bearer_client(
    connection: &mut AsyncPgConnection,
    client_id: &str,
) -> QueryResult<Option<BearerClient>> {
    diesel::sql_query("SELECT organisation_id, roles FROM bearer_client($1)")
        .bind::<Text, _>(client_id)
        .get_result(connection)
        .await
        .optional()
}

/// Registers an ERP client (kept as it is if it exists).
pub async fn insert_api_client(
    connection: &mut AsyncPgConnection,
    client_id: &str,
    organisation_id: Uuid,
    roles: &[String],
    description: &str,
) -> QueryResult<bool> {
    use super::schema::api_clients;
    let inserted = diesel::insert_into(api_clients::table)
        .values((
            api_clients::client_id.eq(client_id),
            api_clients::organisation_id.eq(organisation_id),
            api_clients::roles.eq(roles.iter().map(|r| Some(r.clone())).collect::<Vec<_>>()),
            api_clients::description.eq(description),
        ))
        .on_conflict_do_nothing()
        .execute(connection)
        .await?;
    Ok(inserted == 1)
}

/// Roles of a user at one organisation (inside `act_for` that organisation).
pub async fn roles_at(
    connection: &mut AsyncPgConnection,
    user_id: Uuid,
    organisation_id: Uuid,
) -> QueryResult<Vec<String>> {
    memberships::table
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::organisation_id.eq(organisation_id))
        .select(memberships::role)
        .order(memberships::role)
        .load(connection)
        .await
}

#[derive(Debug, Clone, Queryable)]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub granted_at: DateTime<Utc>,
}

/// Members of the organisation acted for, one row per role.
pub async fn members(
    connection: &mut AsyncPgConnection,
    organisation_id: Uuid,
) -> QueryResult<Vec<Member>> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::organisation_id.eq(organisation_id))
        .select((
            users::id,
            users::email,
            users::display_name,
            memberships::role,
            memberships::granted_at,
        ))
        .order((users::email, memberships::role))
        .load(connection)
        .await
}

/// The user with this email, created if new; returns its id.
pub async fn upsert_user(
    connection: &mut AsyncPgConnection,
    email: &str,
    display_name: &str,
) -> QueryResult<Uuid> {
    if let Some(id) = users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(connection)
        .await
        .optional()?
    {
        return Ok(id);
    }
    diesel::insert_into(users::table)
        .values((
            users::id.eq(Uuid::now_v7()),
            users::email.eq(email),
            users::display_name.eq(display_name),
        ))
        .returning(users::id)
        .get_result(connection)
        .await
}

/// Finds the user an identity-provider subject signs in as: by subject once
/// bound, else by verified email (binding the subject at first sign-in).
pub async fn user_for_subject(
    connection: &mut AsyncPgConnection,
    subject: &str,
    email: Option<&str>,
) -> QueryResult<Option<(Uuid, String, String)>> {
    let columns = (users::id, users::email, users::display_name);
    if let Some(user) = users::table
        .filter(users::idp_subject.eq(subject))
        .select(columns)
        .first(connection)
        .await
        .optional()?
    {
        return Ok(Some(user));
    }
    let Some(email) = email else { return Ok(None) };
    diesel::update(
        users::table
            .filter(users::email.eq(email))
            .filter(users::idp_subject.is_null()),
    )
    .set(users::idp_subject.eq(subject))
    .returning(columns)
    .get_result(connection)
    .await
    .optional()
}

pub async fn find_user(
    connection: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<(String, String)>> {
    users::table
        .find(id)
        .select((users::email, users::display_name))
        .first(connection)
        .await
        .optional()
}

pub async fn grant_role(
    connection: &mut AsyncPgConnection,
    user_id: Uuid,
    organisation_id: Uuid,
    role: &str,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(memberships::table)
        .values((
            memberships::user_id.eq(user_id),
            memberships::organisation_id.eq(organisation_id),
            memberships::role.eq(role),
        ))
        .on_conflict_do_nothing()
        .execute(connection)
        .await?;
    Ok(inserted == 1)
}

pub async fn revoke_role(
    connection: &mut AsyncPgConnection,
    user_id: Uuid,
    organisation_id: Uuid,
    role: &str,
) -> QueryResult<bool> {
    let deleted = diesel::delete(
        memberships::table
            .filter(memberships::user_id.eq(user_id))
            .filter(memberships::organisation_id.eq(organisation_id))
            .filter(memberships::role.eq(role)),
    )
    .execute(connection)
    .await?;
    Ok(deleted == 1)
}

pub async fn count_role(
    connection: &mut AsyncPgConnection,
    organisation_id: Uuid,
    role: &str,
) -> QueryResult<i64> {
    memberships::table
        .filter(memberships::organisation_id.eq(organisation_id))
        .filter(memberships::role.eq(role))
        .count()
        .get_result(connection)
        .await
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idp_role_mappings, check_for_backend(diesel::pg::Pg))]
pub struct RoleMapping {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub claim: String,
    pub value: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

pub async fn role_mappings(
    connection: &mut AsyncPgConnection,
    organisation_id: Uuid,
) -> QueryResult<Vec<RoleMapping>> {
    idp_role_mappings::table
        .filter(idp_role_mappings::organisation_id.eq(organisation_id))
        .order((
            idp_role_mappings::claim,
            idp_role_mappings::value,
            idp_role_mappings::role,
        ))
        .select(RoleMapping::as_select())
        .load(connection)
        .await
}

pub async fn add_role_mapping(
    connection: &mut AsyncPgConnection,
    mapping: &RoleMapping,
) -> QueryResult<RoleMapping> {
    diesel::insert_into(idp_role_mappings::table)
        .values(mapping)
        .returning(RoleMapping::as_returning())
        .get_result(connection)
        .await
}

pub async fn remove_role_mapping(
    connection: &mut AsyncPgConnection,
    organisation_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<RoleMapping>> {
    diesel::delete(
        idp_role_mappings::table
            .filter(idp_role_mappings::organisation_id.eq(organisation_id))
            .filter(idp_role_mappings::id.eq(id)),
    )
    .returning(RoleMapping::as_returning())
    .get_result(connection)
    .await
    .optional()
}

/// One entry of the security audit log.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = security_events, check_for_backend(diesel::pg::Pg))]
pub struct SecurityEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub kind: String,
    pub organisation_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub client_id: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Value,
}

pub async fn record_event(
    connection: &mut AsyncPgConnection,
    event: &SecurityEvent,
) -> QueryResult<()> {
    diesel::insert_into(security_events::table)
        .values(event)
        .execute(connection)
        .await?;
    Ok(())
}

/// Events of the organisation acted for, newest first.
pub async fn events(
    connection: &mut AsyncPgConnection,
    organisation_id: Uuid,
    limit: i64,
) -> QueryResult<Vec<SecurityEvent>> {
    security_events::table
        .filter(security_events::organisation_id.eq(organisation_id))
        .order(security_events::occurred_at.desc())
        .limit(limit)
        .select(SecurityEvent::as_select())
        .load(connection)
        .await
}

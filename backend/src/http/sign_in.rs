//! The web sign-in flow and the caller's own identity.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::{Data, Json, Query};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, post};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::AppState;
use super::problem::{ApiError, Problem};
use crate::auth::oidc::SignedIn;
use crate::auth::session::{self, random_token};
use crate::auth::{AuditEntry, Credential, Principal, RenewedSession, RequestOrigin, audit};
use crate::domain::Role;
use crate::store::identity::{self as queries, LoginAttempt, OrganisationRole, Session};
use crate::store::reference;

/// A sign-in must come back from the provider within this time.
const LOGIN_ATTEMPT_MINUTES: i64 = 10;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginQuery {
    /// Path in the web UI to return to after signing in (default `/`).
    #[param(example = "/credits")]
    pub return_to: Option<String>,
}

/// Starts signing in: sends the browser to the organisation's identity
/// provider (authorization code flow with PKCE).
#[utoipa::path(
    tag = "sign-in",
    params(LoginQuery),
    responses(
        (status = 303, description = "To the identity provider's sign-in page"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 503, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/login")]
pub async fn login(
    state: Data<AppState>,
    query: Query<LoginQuery>,
) -> Result<HttpResponse, ApiError> {
    let provider = sign_in_available(&state)?;
    let return_to = query.return_to.clone().unwrap_or_else(|| "/".into());
    if !is_local_path(&return_to) {
        return Err(ApiError::invalid(
            "query.return_to",
            "a path on this site, starting with a single /",
        ));
    }
    let started = provider.start();
    let mut connection = state.pool.get().await?;
    // attempts never finished do not pile up
    queries::sweep_login_attempts(
        &mut connection,
        Utc::now() - chrono::Duration::minutes(LOGIN_ATTEMPT_MINUTES),
    )
    .await?;
    queries::insert_login_attempt(
        &mut connection,
        &LoginAttempt {
            state: started.state,
            pkce_verifier: started.pkce_verifier,
            nonce: started.nonce,
            return_to,
            created_at: Utc::now(),
        },
    )
    .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, started.authorize_url.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    /// Set by the provider when sign-in did not succeed.
    pub error: Option<String>,
}

/// Where the identity provider sends the browser back: checks state, PKCE
/// and the ID token (signature, issuer, audience, expiry, nonce), then opens
/// a platform session.
#[utoipa::path(
    tag = "sign-in",
    params(CallbackQuery),
    responses(
        (status = 303, description = "Signed in: back to the page sign-in started from, with the session cookies"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/callback")]
pub async fn callback(
    request: HttpRequest,
    state: Data<AppState>,
    query: Query<CallbackQuery>,
) -> Result<HttpResponse, ApiError> {
    let provider = sign_in_available(&state)?;
    let origin = RequestOrigin::of(&request);
    let mut connection = state.pool.get().await?;
    let failed = async |connection: &mut AsyncPgConnection, reason: String, user: Option<Uuid>| {
        let mut entry = AuditEntry::new("sign_in_failed").detail(json!({ "reason": reason }));
        entry.user_id = user;
        audit(connection, &origin, entry).await
    };
    if let Some(error) = &query.error {
        failed(
            &mut connection,
            format!("the identity provider answered {error}"),
            None,
        )
        .await?;
        return Err(ApiError::Unauthenticated);
    }
    let (Some(code), Some(returned_state)) = (&query.code, &query.state) else {
        return Err(ApiError::BadRequest(
            "The identity provider's answer lacks code or state.".into(),
        ));
    };
    let not_before = Utc::now() - chrono::Duration::minutes(LOGIN_ATTEMPT_MINUTES);
    let Some(attempt) =
        queries::take_login_attempt(&mut connection, returned_state, not_before).await?
    else {
        failed(
            &mut connection,
            "unknown, expired or replayed state".into(),
            None,
        )
        .await?;
        return Err(ApiError::BadRequest(
            "This sign-in expired or was already used; sign in again.".into(),
        ));
    };
    let signed_in = match provider
        .finish(code, &attempt.pkce_verifier, &attempt.nonce)
        .await
    {
        Ok(signed_in) => signed_in,
        Err(error) => {
            tracing::warn!(error = format!("{error:#}"), "sign-in refused");
            failed(&mut connection, format!("{error:#}"), None).await?;
            return Err(ApiError::Unauthenticated);
        }
    };
    let verified_email = signed_in
        .email
        .as_deref()
        .filter(|_| signed_in.email_verified);
    let from_claims = roles_from_claims(&mut connection, &signed_in).await?;
    let mut user =
        queries::user_for_subject(&mut connection, &signed_in.subject, verified_email).await?;
    if user.is_none()
        && !from_claims.is_empty()
        && let Some(email) = verified_email
    {
        // Known to the platform only through the provider's claims: the
        // person is registered at the first sign-in.
        let name = signed_in.name.as_deref().unwrap_or(email);
        queries::upsert_user(&mut connection, email, name).await?;
        user = queries::user_for_subject(&mut connection, &signed_in.subject, Some(email)).await?;
    }
    let Some((user_id, _, _)) = user else {
        failed(
            &mut connection,
            "no user of the platform for this identity".into(),
            None,
        )
        .await?;
        return Err(ApiError::Forbidden(
            "Your identity is not registered on the platform; ask your organisation's administrator.".into(),
        ));
    };
    let Some((organisation_id, claim_roles)) =
        choose_organisation(&mut connection, user_id, from_claims).await?
    else {
        failed(
            &mut connection,
            "no role at any organisation".into(),
            Some(user_id),
        )
        .await?;
        return Err(ApiError::Forbidden(
            "You hold no role on the platform; ask your organisation's administrator.".into(),
        ));
    };

    let now = Utc::now();
    let identity = &state.identity;
    let keys = identity
        .sessions
        .as_ref()
        .ok_or_else(|| ApiError::NotReady("Sign-in is not configured.".into()))?;
    let session = Session {
        id: Uuid::now_v7(),
        user_id,
        organisation_id,
        claim_roles: claim_roles
            .iter()
            .map(|role| Some(role.as_str().to_owned()))
            .collect(),
        id_token_hint: signed_in.id_token.clone(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + identity.max_session,
        revoked_at: None,
    };
    queries::insert_session(&mut connection, &session).await?;
    let csrf = random_token();
    let (token, _) = keys
        .issue(session.id, user_id, organisation_id, &csrf, now)
        .map_err(ApiError::Internal)?;
    let mut entry = AuditEntry::new("sign_in")
        .detail(json!({ "subject": signed_in.subject, "session": session.id }));
    entry.user_id = Some(user_id);
    entry.organisation_id = Some(organisation_id);
    audit(&mut connection, &origin, entry).await?;

    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, attempt.return_to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(session::session_cookie(token, identity.secure_cookies))
        .cookie(session::csrf_cookie(csrf, identity.secure_cookies))
        .finish())
}

/// The organisations and roles the provider's claims grant, through the
/// organisations' claim-to-role mappings.
async fn roles_from_claims(
    connection: &mut AsyncPgConnection,
    signed_in: &SignedIn,
) -> Result<BTreeMap<Uuid, BTreeSet<Role>>, ApiError> {
    let mut granted: BTreeMap<Uuid, BTreeSet<Role>> = BTreeMap::new();
    for claim in queries::mapped_claims(connection).await? {
        let values: Vec<String> = match signed_in.claims.get(&claim) {
            Some(Value::String(value)) => vec![value.clone()],
            Some(Value::Array(values)) => values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => continue,
        };
        for OrganisationRole {
            organisation_id,
            role,
        } in queries::roles_from_claim(connection, &claim, &values).await?
        {
            if let Ok(role) = role.parse() {
                granted.entry(organisation_id).or_default().insert(role);
            }
        }
    }
    Ok(granted)
}

/// The organisation the session acts for (stored memberships first, then
/// claim mappings) and the roles the claims grant there.
async fn choose_organisation(
    connection: &mut AsyncPgConnection,
    user_id: Uuid,
    mut from_claims: BTreeMap<Uuid, BTreeSet<Role>>,
) -> Result<Option<(Uuid, BTreeSet<Role>)>, ApiError> {
    let stored = queries::sign_in_memberships(connection, user_id).await?;
    let organisation = stored
        .iter()
        .map(|membership| membership.organisation_id)
        .min()
        .or_else(|| from_claims.keys().next().copied());
    Ok(organisation.map(|organisation| {
        (
            organisation,
            from_claims.remove(&organisation).unwrap_or_default(),
        )
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Logout {
    /// Where to send the browser to end the session at the identity
    /// provider too.
    pub logout_url: String,
}

/// Ends the web session here and hands back the identity provider's
/// end-session address. Needs the `X-CSRF-Token` header.
#[utoipa::path(
    tag = "sign-in",
    responses(
        (status = 200, body = Logout),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ),
    security(("session" = []))
)]
#[post("/auth/logout")]
pub async fn logout(
    request: HttpRequest,
    state: Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let Credential::Session { session_id, .. } = principal.credential else {
        return Err(ApiError::Forbidden(
            "Only a web session can sign out; bearer tokens simply expire.".into(),
        ));
    };
    let mut connection = state.pool.get().await?;
    let ended = queries::revoke_session(&mut connection, session_id, Utc::now()).await?;
    audit(
        &mut connection,
        &RequestOrigin::of(&request),
        AuditEntry::new("sign_out").by(&principal),
    )
    .await?;
    let logout_url = ended
        .and_then(|session| {
            state
                .identity
                .provider
                .as_ref()?
                .logout_url(&session.id_token_hint)
        })
        .map_or_else(|| "/".to_owned(), |url| url.to_string());
    let mut response = HttpResponse::Ok();
    for cookie in session::removal_cookies(state.identity.secure_cookies) {
        response.cookie(cookie);
    }
    Ok(response.json(Logout { logout_url }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeUser {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationSummary {
    pub id: Uuid,
    pub legal_name: String,
    #[schema(example = "bank")]
    pub kind: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The person signed in (absent for an ERP client).
    pub user: Option<MeUser>,
    /// The ERP client (absent for a person).
    pub client_id: Option<String>,
    pub organisation: OrganisationSummary,
    #[schema(example = json!(["bank_checker"]))]
    pub roles: Vec<String>,
    /// `session` (web) or `bearer` (ERP).
    #[schema(example = "session")]
    pub authenticated_by: String,
    /// When the current session token or access token expires.
    pub expires_at: DateTime<Utc>,
}

/// Who is calling: person or ERP client, organisation and roles.
#[utoipa::path(
    tag = "sign-in",
    responses(
        (status = 200, body = Me),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/me")]
pub async fn me(state: Data<AppState>, principal: Principal) -> Result<Json<Me>, ApiError> {
    let mut connection = state.pool.get().await?;
    let organisation = reference::find_organisation(&mut connection, principal.organisation_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let user = match principal.user_id() {
        Some(id) => queries::find_user(&mut connection, id)
            .await?
            .map(|(email, display_name)| MeUser {
                id,
                email,
                display_name,
            }),
        None => None,
    };
    Ok(Json(Me {
        user,
        client_id: principal.client_id().map(str::to_owned),
        organisation: OrganisationSummary {
            id: organisation.id,
            legal_name: organisation.legal_name,
            kind: organisation.kind,
        },
        roles: principal
            .roles
            .iter()
            .map(|role| role.as_str().to_owned())
            .collect(),
        authenticated_by: match principal.credential {
            Credential::Session { .. } => "session".into(),
            Credential::Bearer { .. } => "bearer".into(),
        },
        expires_at: principal.expires_at,
    }))
}

/// Sets the renewed session cookie on the way out, when the request's
/// session token was renewed.
pub async fn renew_session_cookie(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(request).await?;
    let secure = response
        .request()
        .app_data::<Data<AppState>>()
        .is_some_and(|state| state.identity.secure_cookies);
    let renewed = response
        .request()
        .extensions()
        .get::<RenewedSession>()
        .cloned();
    // a sign-out clears the cookie; never put it back
    let signed_out = response.headers().get_all(header::SET_COOKIE).any(|value| {
        value
            .to_str()
            .is_ok_and(|cookie| cookie.starts_with(session::SESSION_COOKIE))
    });
    if let Some(RenewedSession(token)) = renewed
        && !signed_out
    {
        response
            .response_mut()
            .add_cookie(&session::session_cookie(token, secure))?;
    }
    Ok(response)
}

fn sign_in_available(state: &AppState) -> Result<&crate::auth::oidc::Provider, ApiError> {
    state.identity.provider.as_ref().ok_or_else(|| {
        ApiError::NotReady("Sign-in is not configured (no identity provider).".into())
    })
}

/// A path on this site: `/x`, never `//host` or `/\host` (open redirects).
fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_return_targets() {
        for good in ["/", "/credits?status=issued", "/credits/LC-1#events"] {
            assert!(is_local_path(good), "{good}");
        }
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "credits",
            "/a\nb",
            "",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }
}

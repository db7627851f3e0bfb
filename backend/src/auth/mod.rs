//! Who is calling, for which organisation, with which roles.
//!
//! People sign in through their organisation's OpenID Connect provider and
//! then hold a platform session (cookie); ERP systems send bearer tokens
//! issued by the same provider with the client-credentials grant. Either
//! way a handler receives a [`Principal`], or the request never reaches it:
//! 401 without valid credentials, 403 for a role that may not act, and 404
//! (never 403) for another organisation's resources.

pub mod bearer;
pub mod oidc;
pub mod session;

use std::collections::BTreeSet;
use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::web::Data;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use secrecy::SecretString;
use serde_json::json;
use uuid::Uuid;

use self::bearer::Verifier;
use self::oidc::Provider;
use self::session::{CSRF_HEADER, SESSION_COOKIE, SessionKeys};
use crate::config::IdentitySettings;
use crate::domain::Role;
use crate::http::AppState;
use crate::http::problem::ApiError;
use crate::store::{self, identity as queries};

/// How sign-in is configured for this process.
pub struct Identity {
    pub provider: Option<Provider>,
    pub verifier: Option<Verifier>,
    pub sessions: Option<SessionKeys>,
    pub public_url: String,
    pub secure_cookies: bool,
    pub idle_timeout: chrono::Duration,
    pub max_session: chrono::Duration,
    limiter: DefaultKeyedRateLimiter<String>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("provider", &self.provider)
            .field("verifier", &self.verifier)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// Discovers the provider named in the settings (if any). `public_url`
    /// defaults to the listen address.
    pub async fn configure(settings: &IdentitySettings, default_public_url: &str) -> Result<Self> {
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| default_public_url.to_owned());
        let public_url = public_url.trim_end_matches('/').to_owned();
        let (provider, verifier, sessions) = match &settings.oidc_issuer {
            None => {
                tracing::warn!("LCP_OIDC_ISSUER is not set: nobody can sign in");
                (None, None, None)
            }
            Some(issuer) => {
                let http = reqwest::Client::builder()
                    // the provider's redirects are for browsers, never followed here
                    .redirect(reqwest::redirect::Policy::none())
                    .timeout(Duration::from_secs(10))
                    .build()
                    .context("building the HTTP client")?;
                let secret = settings
                    .oidc_client_secret
                    .clone()
                    .context("LCP_OIDC_CLIENT_SECRET is required with LCP_OIDC_ISSUER")?;
                let session_secret = settings
                    .session_secret
                    .clone()
                    .context("LCP_SESSION_SECRET is required with LCP_OIDC_ISSUER")?;
                let provider = Provider::discover(
                    http.clone(),
                    issuer,
                    &settings.oidc_client_id,
                    &secret,
                    &public_url,
                )
                .await?;
                let verifier = Verifier::discover(http, issuer, &settings.api_audience).await?;
                let sessions = SessionKeys::new(
                    &session_secret,
                    chrono::Duration::minutes(i64::from(settings.session_token_minutes)),
                )?;
                tracing::info!(issuer, "sign-in through the identity provider");
                (Some(provider), Some(verifier), Some(sessions))
            }
        };
        let per_minute = NonZeroU32::new(settings.rate_limit_per_minute).unwrap_or(NonZeroU32::MIN);
        Ok(Self {
            provider,
            verifier,
            sessions,
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            idle_timeout: chrono::Duration::minutes(i64::from(settings.session_idle_minutes)),
            max_session: chrono::Duration::hours(i64::from(settings.session_max_hours)),
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
        })
    }

    /// Whether `client` may make one more request now; otherwise how long
    /// it must wait.
    fn admit(&self, client: &str) -> Result<(), Duration> {
        self.limiter
            .check_key(&client.to_owned())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// How the caller proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A person, signed in through the web.
    Session { session_id: Uuid, user_id: Uuid },
    /// An ERP system with a client-credentials token.
    Bearer { client_id: String },
}

/// The authenticated caller of a business endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub organisation_id: Uuid,
    pub roles: BTreeSet<Role>,
    pub credential: Credential,
    pub expires_at: DateTime<Utc>,
}

impl Principal {
    pub fn user_id(&self) -> Option<Uuid> {
        match &self.credential {
            Credential::Session { user_id, .. } => Some(*user_id),
            Credential::Bearer { .. } => None,
        }
    }

    pub fn client_id(&self) -> Option<&str> {
        match &self.credential {
            Credential::Bearer { client_id } => Some(client_id),
            Credential::Session { .. } => None,
        }
    }

    /// 403 unless the caller holds one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.iter().any(|role| self.roles.contains(role)) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|role| role.as_str()).collect();
            Err(ApiError::Forbidden(format!(
                "This needs one of the roles: {}.",
                names.join(", ")
            )))
        }
    }

    /// 404 unless the caller acts for `organisation`: another organisation's
    /// resources do not exist for it.
    pub fn require_organisation(&self, organisation: Uuid) -> Result<(), ApiError> {
        if self.organisation_id == organisation {
            Ok(())
        } else {
            Err(ApiError::NotFound)
        }
    }
}

/// A renewed session token, for the response (see [`renew_session_cookie`]).
#[derive(Debug, Clone)]
pub struct RenewedSession(pub String);

/// Where a request came from, for the audit log. `source_ip` is the peer
/// of the connection, which a caller cannot choose; what a proxy (or the
/// caller) says in `Forwarded` / `X-Forwarded-For` is kept apart as a claim.
#[derive(Debug, Clone, Default)]
pub struct RequestOrigin {
    pub source_ip: Option<String>,
    pub forwarded_for: Option<String>,
    pub user_agent: Option<String>,
}

impl RequestOrigin {
    pub fn of(request: &HttpRequest) -> Self {
        let header = |name: actix_web::http::header::HeaderName| {
            request
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(|value| value.chars().take(300).collect::<String>())
        };
        Self {
            source_ip: request.peer_addr().map(|peer| peer.ip().to_string()),
            forwarded_for: header(actix_web::http::header::FORWARDED).or_else(|| {
                header(actix_web::http::header::HeaderName::from_static(
                    "x-forwarded-for",
                ))
            }),
            user_agent: header(actix_web::http::header::USER_AGENT),
        }
    }
}

/// What to record in the security audit log.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub kind: &'static str,
    pub organisation_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub client_id: Option<String>,
    pub detail: serde_json::Value,
}

impl AuditEntry {
    pub fn new(kind: &'static str) -> Self {
        Self {
            kind,
            organisation_id: None,
            user_id: None,
            client_id: None,
            detail: json!({}),
        }
    }

    pub fn by(mut self, principal: &Principal) -> Self {
        self.organisation_id = Some(principal.organisation_id);
        self.user_id = principal.user_id();
        self.client_id = principal.client_id().map(str::to_owned);
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// Appends to the security audit log. A failure to audit fails the request:
/// an unaudited regulator read or role change must not happen.
pub async fn audit(
    connection: &mut AsyncPgConnection,
    origin: &RequestOrigin,
    entry: AuditEntry,
) -> Result<(), ApiError> {
    queries::record_event(
        connection,
        &queries::SecurityEvent {
            id: Uuid::now_v7(),
            occurred_at: Utc::now(),
            kind: entry.kind.to_owned(),
            organisation_id: entry.organisation_id,
            user_id: entry.user_id,
            client_id: entry.client_id,
            source_ip: origin.source_ip.clone(),
            user_agent: origin.user_agent.clone(),
            detail: with_forwarded_for(entry.detail, origin.forwarded_for.as_deref()),
        },
    )
    .await
    .map_err(|error| {
        ApiError::Internal(anyhow::Error::new(error).context("writing the security audit log"))
    })
}

/// Adds the forwarding claim (as said, unverified) to an entry's detail.
fn with_forwarded_for(
    mut detail: serde_json::Value,
    forwarded_for: Option<&str>,
) -> serde_json::Value {
    if let (Some(claim), Some(object)) = (forwarded_for, detail.as_object_mut()) {
        object.insert("forwarded_for_claimed".into(), claim.into());
    }
    detail
}

fn parse_roles<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<Role> {
    names
        .into_iter()
        .filter_map(|name| name.parse().ok())
        .collect()
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let state = request
                .app_data::<Data<AppState>>()
                .cloned()
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
            authenticate(&request, &state).await
        })
    }
}

async fn authenticate(request: &HttpRequest, state: &AppState) -> Result<Principal, ApiError> {
    let identity = &state.identity;
    let origin = RequestOrigin::of(request);
    let mut connection = state.pool.get().await?;
    let principal = if let Some(token) = bearer_token(request)? {
        from_bearer(identity, &mut connection, &origin, token).await?
    } else if let Some(cookie) = request.cookie(SESSION_COOKIE) {
        from_session(identity, &mut connection, request, &origin, cookie.value()).await?
    } else {
        return Err(ApiError::Unauthenticated);
    };
    // A regulator's every read is itself audited.
    if principal.roles.contains(&Role::Regulator)
        && matches!(*request.method(), Method::GET | Method::HEAD)
    {
        let entry = AuditEntry::new("regulator_read")
            .by(&principal)
            .detail(json!({ "method": request.method().as_str(), "path": request.path(), "query": request.query_string() }));
        audit(&mut connection, &origin, entry).await?;
    }
    Ok(principal)
}

fn bearer_token(request: &HttpRequest) -> Result<Option<&str>, ApiError> {
    let Some(value) = request
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
    else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::Unauthenticated)?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(ApiError::Unauthenticated),
    }
}

async fn from_bearer(
    identity: &Identity,
    connection: &mut AsyncPgConnection,
    origin: &RequestOrigin,
    token: &str,
) -> Result<Principal, ApiError> {
    let Some(verifier) = &identity.verifier else {
        return Err(ApiError::Unauthenticated);
    };
    let claims = match verifier.verify(token).await {
        Ok(claims) => claims,
        Err(error) => {
            let entry =
                AuditEntry::new("token_rejected").detail(json!({ "reason": error.to_string() }));
            audit(connection, origin, entry).await?;
            return Err(ApiError::Unauthenticated);
        }
    };
    let client_id = claims.client().to_owned();
    if let Err(wait) = identity.admit(&client_id) {
        let mut entry = AuditEntry::new("rate_limited");
        entry.client_id = Some(client_id);
        audit(connection, origin, entry).await?;
        return Err(ApiError::TooManyRequests {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let Some(client) = queries::bearer_client(connection, &client_id).await? else {
        let mut entry = AuditEntry::new("token_rejected")
            .detail(json!({ "reason": "client not registered or disabled" }));
        entry.client_id = Some(client_id);
        audit(connection, origin, entry).await?;
        return Err(ApiError::Unauthenticated);
    };
    Ok(Principal {
        organisation_id: client.organisation_id,
        roles: parse_roles(client.roles.iter().flatten().map(String::as_str)),
        credential: Credential::Bearer { client_id },
        expires_at: DateTime::from_timestamp(claims.exp, 0).unwrap_or_else(Utc::now),
    })
}

async fn from_session(
    identity: &Identity,
    connection: &mut AsyncPgConnection,
    request: &HttpRequest,
    origin: &RequestOrigin,
    token: &str,
) -> Result<Principal, ApiError> {
    let keys = identity
        .sessions
        .as_ref()
        .ok_or(ApiError::Unauthenticated)?;
    let claims = keys.verify(token).ok_or(ApiError::Unauthenticated)?;
    let now = Utc::now();
    let session = queries::find_session(connection, claims.sid)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let live = session.revoked_at.is_none()
        && session.expires_at > now
        && session.last_seen_at + identity.idle_timeout > now
        && session.user_id == claims.sub
        && session.organisation_id == claims.org;
    if !live {
        return Err(ApiError::Unauthenticated);
    }
    let safe_method = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe_method && let Err(reason) = check_csrf(identity, request, &claims.csrf) {
        let mut entry = AuditEntry::new("csrf_rejected")
            .detail(json!({ "reason": reason, "path": request.path() }));
        entry.organisation_id = Some(session.organisation_id);
        entry.user_id = Some(session.user_id);
        audit(connection, origin, entry).await?;
        return Err(ApiError::Forbidden(format!(
            "Cross-site request refused: {reason}."
        )));
    }
    let user_id = session.user_id;
    let organisation_id = session.organisation_id;
    let stored_roles = connection
        .transaction(async |connection| {
            store::act_for(connection, organisation_id).await?;
            queries::roles_at(connection, user_id, organisation_id).await
        })
        .await?;
    let mut roles = parse_roles(stored_roles.iter().map(String::as_str));
    roles.extend(parse_roles(
        session.claim_roles.iter().flatten().map(String::as_str),
    ));

    // Renew while in use: a token past half its life is replaced.
    let remaining = DateTime::from_timestamp(claims.exp, 0).unwrap_or(now) - now;
    let mut expires_at = DateTime::from_timestamp(claims.exp, 0).unwrap_or(now);
    if remaining < keys.token_lifetime / 2 {
        let (token, expires) = keys
            .issue(session.id, user_id, organisation_id, &claims.csrf, now)
            .map_err(ApiError::Internal)?;
        request.extensions_mut().insert(RenewedSession(token));
        expires_at = expires;
    }
    if now - session.last_seen_at > chrono::Duration::minutes(1) {
        queries::touch_session(connection, session.id, now).await?;
    }
    Ok(Principal {
        organisation_id,
        roles,
        credential: Credential::Session {
            session_id: session.id,
            user_id,
        },
        expires_at,
    })
}

/// Cookie-authenticated mutations must echo the CSRF token in a header, and
/// come from the platform's own origin when the browser says where from.
fn check_csrf(
    identity: &Identity,
    request: &HttpRequest,
    expected: &str,
) -> Result<(), &'static str> {
    if let Some(origin) = request.headers().get(actix_web::http::header::ORIGIN)
        && origin.to_str().ok() != Some(identity.public_url.as_str())
    {
        return Err("the request comes from another site");
    }
    let sent = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|value| value.to_str().ok());
    match sent {
        Some(token)
            if !expected.is_empty() && same_secret(token.as_bytes(), expected.as_bytes()) =>
        {
            Ok(())
        }
        _ => Err("the X-CSRF-Token header is missing or wrong"),
    }
}

/// Compares two secrets in time that does not depend on where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// A random secret for the demo, kept in the data directory so sessions
/// survive a restart.
pub fn demo_session_secret(data_dir: &std::path::Path) -> Result<SecretString> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = data_dir.join("session-secret");
    if let Ok(secret) = std::fs::read_to_string(&path) {
        return Ok(SecretString::from(secret.trim().to_owned()));
    }
    let secret = session::random_token();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(secret.as_bytes())?;
    Ok(SecretString::from(secret))
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
        assert!(!same_secret(b"", b"a"));
    }
}

//! The web session: a row in `sessions` (so it can be revoked) and a
//! short-lived token signed by the platform, carried in an HttpOnly cookie
//! and renewed while the session is in use. A second, readable cookie holds
//! the CSRF token that cookie-authenticated mutations must echo in a header.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use anyhow::{Context, Result, ensure};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const SESSION_COOKIE: &str = "lcp_session";
pub const CSRF_COOKIE: &str = "lcp_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
const ISSUER: &str = "lcp-session";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    /// The session row.
    pub sid: Uuid,
    /// The user.
    pub sub: Uuid,
    /// The organisation the session acts for.
    pub org: Uuid,
    /// The CSRF token mutations must send in `X-CSRF-Token`.
    pub csrf: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

/// Signs and checks session tokens (HMAC-SHA256 with the session secret,
/// shared by every replica).
pub struct SessionKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub token_lifetime: Duration,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionKeys")
            .field("token_lifetime", &self.token_lifetime)
            .finish_non_exhaustive()
    }
}

impl SessionKeys {
    pub fn new(secret: &SecretString, token_lifetime: Duration) -> Result<Self> {
        let bytes = secret.expose_secret().as_bytes();
        ensure!(
            bytes.len() >= 32,
            "LCP_SESSION_SECRET must be at least 32 bytes"
        );
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 0;
        Ok(Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            token_lifetime,
        })
    }

    pub fn issue(
        &self,
        sid: Uuid,
        user: Uuid,
        organisation: Uuid,
        csrf: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>)> {
        let expires = now + self.token_lifetime;
        let claims = SessionClaims {
            sid,
            sub: user,
            org: organisation,
            csrf: csrf.to_owned(),
            iss: ISSUER.to_owned(),
            iat: now.timestamp(),
            exp: expires.timestamp(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .context("signing a session token")?;
        Ok((token, expires))
    }

    /// The claims of a valid, unexpired token.
    pub fn verify(&self, token: &str) -> Option<SessionClaims> {
        jsonwebtoken::decode::<SessionClaims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// A fresh random token, URL-safe (CSRF tokens, PKCE, secrets).
pub fn random_token() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token)
        .path("/")
        .http_only(true)
        .secure(secure)
        // Lax: the cookie must come along when the identity provider sends
        // the browser back, and never on cross-site subrequests.
        .same_site(SameSite::Lax)
        .finish()
}

pub fn csrf_cookie(csrf: String, secure: bool) -> Cookie<'static> {
    Cookie::build(CSRF_COOKIE, csrf)
        .path("/")
        .http_only(false)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

/// Cookies that remove both at sign-out.
pub fn removal_cookies(secure: bool) -> [Cookie<'static>; 2] {
    let mut session = session_cookie(String::new(), secure);
    session.set_max_age(CookieDuration::ZERO);
    let mut csrf = csrf_cookie(String::new(), secure);
    csrf.set_max_age(CookieDuration::ZERO);
    [session, csrf]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> SessionKeys {
        SessionKeys::new(
            &SecretString::from(secret.to_owned()),
            Duration::minutes(15),
        )
        .unwrap()
    }

    #[test]
    fn a_token_round_trips_and_a_foreign_or_altered_one_does_not() {
        let keys = keys("0123456789abcdef0123456789abcdef");
        let (sid, user, org) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (token, _) = keys.issue(sid, user, org, "csrf", Utc::now()).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(
            (claims.sid, claims.sub, claims.org, claims.csrf.as_str()),
            (sid, user, org, "csrf")
        );

        let other = self::keys("another secret of at least 32 bytes!!");
        assert!(other.verify(&token).is_none());
        let mut altered = token.clone();
        altered.insert(token.len() - 3, 'A');
        assert!(keys.verify(&altered).is_none());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = keys("0123456789abcdef0123456789abcdef");
        let (token, _) = keys
            .issue(
                Uuid::now_v7(),
                Uuid::now_v7(),
                Uuid::now_v7(),
                "c",
                Utc::now() - Duration::minutes(16),
            )
            .unwrap();
        assert!(keys.verify(&token).is_none());
    }

    #[test]
    fn a_short_secret_is_refused() {
        assert!(
            SessionKeys::new(
                &SecretString::from("short".to_owned()),
                Duration::minutes(1)
            )
            .is_err()
        );
    }

    #[test]
    fn the_session_cookie_is_http_only_and_the_csrf_cookie_readable() {
        let session = session_cookie("t".into(), true);
        assert_eq!(session.http_only(), Some(true));
        assert_eq!(session.secure(), Some(true));
        assert_eq!(session.same_site(), Some(SameSite::Lax));
        assert_eq!(csrf_cookie("c".into(), false).http_only(), Some(false));
    }
}

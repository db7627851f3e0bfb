//! ERP access: JWT access tokens (RFC 9068) issued by the organisation's
//! identity provider with the client-credentials grant, checked against the
//! provider's published keys (cached, fetched again for an unknown key id).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::RwLock;

/// Least time between two key fetches, so unknown key ids cannot make the
/// platform hammer the provider.
const REFETCH_INTERVAL: Duration = Duration::from_secs(10);
const ALLOWED: [Algorithm; 7] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

#[derive(Debug, Clone, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub client_id: Option<String>,
    pub exp: i64,
    pub scope: Option<String>,
}

impl AccessClaims {
    /// The client the token was issued to (RFC 9068 `client_id`).
    pub fn client(&self) -> &str {
        self.client_id.as_deref().unwrap_or(&self.sub)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("not an access token (typ must be at+jwt)")]
    NotAnAccessToken,
    #[error("algorithm not accepted")]
    Algorithm,
    #[error("unknown signing key")]
    UnknownKey,
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("the provider's keys could not be fetched")]
    KeysUnavailable,
}

struct KeyCache {
    keys: HashMap<String, DecodingKey>,
    fetched_at: Option<Instant>,
}

pub struct Verifier {
    http: reqwest::Client,
    jwks_uri: String,
    issuer: String,
    audience: String,
    cache: RwLock<KeyCache>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

impl Verifier {
    pub async fn discover(http: reqwest::Client, issuer: &str, audience: &str) -> Result<Self> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let discovery: Discovery = http
            .get(&url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .with_context(|| format!("fetching {url}"))?
            .json()
            .await
            .context("reading the provider's metadata")?;
        anyhow::ensure!(
            discovery.issuer.trim_end_matches('/') == issuer.trim_end_matches('/'),
            "the provider calls itself {}, not {issuer}",
            discovery.issuer
        );
        Ok(Self {
            http,
            jwks_uri: discovery.jwks_uri,
            issuer: discovery.issuer,
            audience: audience.to_owned(),
            cache: RwLock::new(KeyCache {
                keys: HashMap::new(),
                fetched_at: None,
            }),
        })
    }

    pub async fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        let typ = header.typ.as_deref().map(str::to_ascii_lowercase);
        if !matches!(typ.as_deref(), Some("at+jwt" | "application/at+jwt")) {
            return Err(TokenError::NotAnAccessToken);
        }
        if !ALLOWED.contains(&header.alg) {
            return Err(TokenError::Algorithm);
        }
        let kid = header.kid.ok_or(TokenError::UnknownKey)?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        jsonwebtoken::decode::<AccessClaims>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|error| TokenError::Invalid(error.to_string()))
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, TokenError> {
        if let Some(key) = self.cache.read().await.keys.get(kid) {
            return Ok(key.clone());
        }
        let mut cache = self.cache.write().await;
        if let Some(key) = cache.keys.get(kid) {
            return Ok(key.clone());
        }
        if cache
            .fetched_at
            .is_some_and(|at| at.elapsed() < REFETCH_INTERVAL)
        {
            return Err(TokenError::UnknownKey);
        }
        cache.fetched_at = Some(Instant::now());
        let keys = self.fetch_keys().await.map_err(|error| {
            tracing::warn!(error = %error, "fetching the provider's keys");
            TokenError::KeysUnavailable
        })?;
        tracing::info!(keys = keys.len(), "provider keys refreshed");
        cache.keys = keys;
        cache.keys.get(kid).cloned().ok_or(TokenError::UnknownKey)
    }

    async fn fetch_keys(&self) -> Result<HashMap<String, DecodingKey>> {
        let set: JwkSet = self
            .http
            .get(&self.jwks_uri)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)?
            .json()
            .await?;
        set.keys
            .iter()
            .filter_map(|jwk| Some((jwk.common.key_id.clone()?, jwk)))
            .map(|(kid, jwk)| {
                Ok((
                    kid,
                    DecodingKey::from_jwk(jwk).map_err(|e| anyhow!("key {e}"))?,
                ))
            })
            .collect()
    }
}

//! Web sign-in with the OpenID Connect authorization code flow and PKCE,
//! against any provider given by its issuer URL.

use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndSessionUrl, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    TokenResponse,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The organisation's identity provider, as discovered.
pub struct Provider {
    client: Client,
    http: reqwest::Client,
    end_session: Option<EndSessionUrl>,
    after_logout: PostLogoutRedirectUrl,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider").finish_non_exhaustive()
    }
}

/// What starting a sign-in produced: where to send the browser, and what
/// must be kept until the provider sends it back.
#[derive(Debug)]
pub struct Started {
    pub authorize_url: url::Url,
    pub state: String,
    pub pkce_verifier: String,
    pub nonce: String,
}

/// A person the provider vouched for, from a verified ID token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// Every claim of the ID token, for role mappings.
    pub claims: serde_json::Map<String, Value>,
    pub id_token: String,
}

impl Provider {
    /// Reads the provider's metadata; retries while it is starting up.
    pub async fn discover(
        http: reqwest::Client,
        issuer: &str,
        client_id: &str,
        client_secret: &SecretString,
        public_url: &str,
    ) -> Result<Self> {
        let issuer_url =
            IssuerUrl::new(issuer.to_owned()).context("LCP_OIDC_ISSUER is not a URL")?;
        let mut attempt = 0;
        let metadata = loop {
            match ProviderMetadataWithLogout::discover_async(issuer_url.clone(), &http).await {
                Ok(metadata) => break metadata,
                Err(error) if attempt < 30 => {
                    attempt += 1;
                    tracing::warn!(%error, issuer, "identity provider not reachable yet");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(error) => {
                    return Err(anyhow!(
                        "discovering the identity provider {issuer}: {error}"
                    ));
                }
            }
        };
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let public_url = public_url.trim_end_matches('/');
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(client_id.to_owned()),
            Some(ClientSecret::new(client_secret.expose_secret().to_owned())),
        )
        .set_redirect_uri(
            RedirectUrl::new(format!("{public_url}/auth/callback")).context("LCP_PUBLIC_URL")?,
        );
        Ok(Self {
            client,
            http,
            end_session,
            after_logout: PostLogoutRedirectUrl::new(format!("{public_url}/"))
                .context("LCP_PUBLIC_URL")?,
        })
    }

    pub fn start(&self) -> Started {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (authorize_url, state, nonce) = self
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Started {
            authorize_url,
            state: state.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
        }
    }

    /// Exchanges the code (with the PKCE verifier) and verifies the ID token:
    /// signature, issuer, audience, expiry and the nonce of this attempt.
    pub async fn finish(&self, code: &str, pkce_verifier: &str, nonce: &str) -> Result<SignedIn> {
        let response = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .context("the provider has no token endpoint")?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|error| anyhow!("exchanging the authorization code: {error}"))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| anyhow!("the provider sent no ID token"))?;
        let claims = id_token
            .claims(
                &self.client.id_token_verifier(),
                &Nonce::new(nonce.to_owned()),
            )
            .map_err(|error| anyhow!("ID token rejected: {error}"))?;
        let raw = id_token.to_string();
        Ok(SignedIn {
            subject: claims.subject().as_str().to_owned(),
            email: claims.email().map(|email| email.as_str().to_owned()),
            email_verified: claims.email_verified().unwrap_or(false),
            name: claims
                .name()
                .and_then(|name| name.get(None))
                .map(|name| name.as_str().to_owned()),
            claims: verified_payload(&raw)?,
            id_token: raw,
        })
    }

    /// Where to send the browser to end the session at the provider too
    /// (RP-initiated logout), if the provider offers it.
    pub fn logout_url(&self, id_token_hint: &str) -> Option<url::Url> {
        let endpoint = self.end_session.clone()?;
        let mut request = LogoutRequest::from(endpoint)
            .set_post_logout_redirect_uri(self.after_logout.clone())
            .set_state(CsrfToken::new_random());
        if let Ok(hint) = CoreIdToken::from_str(id_token_hint) {
            request = request.set_id_token_hint(&hint);
        }
        Some(request.http_get_url())
    }
}

/// The claims of an ID token whose signature was already verified.
fn verified_payload(token: &str) -> Result<serde_json::Map<String, Value>> {
    let payload = token
        .split('.')
        .nth(1)
        .ok_or_else(|| anyhow!("ID token is not a JWS"))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .context("ID token payload")?;
    serde_json::from_slice(&bytes).context("ID token claims")
}

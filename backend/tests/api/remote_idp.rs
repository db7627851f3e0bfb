//! ERP tokens from a remote bank's identity provider, faked here because it
//! lives outside this machine: the test holds its signing keys, so it can
//! mint tokens the real provider would never issue (expired, for another
//! audience or issuer, not yet valid) and rotate its keys.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::web::{self, Data};
use actix_web::{App, HttpResponse, HttpServer};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use lcp::demo;
use lcp::store;
use serde_json::{Value, json};

use crate::support::{expect_problem, identity_settings, migrated_database, spawn_app_with};

const CLIENT: &str = "erp-remote-bank";
const AUDIENCE: &str = "lcp-api";

struct SigningKey {
    kid: String,
    pkcs8: Vec<u8>,
    jwk: Value,
}

impl SigningKey {
    fn generate(kid: &str) -> Self {
        let seed: [u8; 32] = rand::random();
        let public = ed25519_dalek::SigningKey::from_bytes(&seed)
            .verifying_key()
            .to_bytes();
        // PKCS #8 v1 wrapping of an Ed25519 seed (RFC 8410)
        let mut pkcs8 = vec![
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        pkcs8.extend_from_slice(&seed);
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(public);
        let jwk = json!({ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig" });
        Self {
            kid: kid.to_owned(),
            pkcs8,
            jwk,
        }
    }
}

/// What the fake provider serves: its published keys, and how often they
/// were fetched.
type Published = (Arc<Mutex<Vec<Value>>>, Arc<Mutex<u32>>);

struct RemoteIdp {
    issuer: String,
    keys: Arc<Mutex<Vec<Value>>>,
    jwks_fetches: Arc<Mutex<u32>>,
}

async fn start_remote_idp(initial: &SigningKey) -> RemoteIdp {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let keys = Arc::new(Mutex::new(vec![initial.jwk.clone()]));
    let jwks_fetches = Arc::new(Mutex::new(0u32));
    let metadata = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["EdDSA"],
    });
    let (served_keys, fetches) = (keys.clone(), jwks_fetches.clone());
    let server = HttpServer::new(move || {
        let metadata = metadata.clone();
        App::new()
            .app_data(Data::new((served_keys.clone(), fetches.clone())))
            .route(
                "/.well-known/openid-configuration",
                web::get().to(move || {
                    let metadata = metadata.clone();
                    async move { HttpResponse::Ok().json(metadata) }
                }),
            )
            .route(
                "/jwks",
                web::get().to(|state: Data<Published>| async move {
                    *state.1.lock().unwrap() += 1;
                    let keys = state.0.lock().unwrap().clone();
                    HttpResponse::Ok().json(json!({ "keys": keys }))
                }),
            )
    })
    .listen(listener)
    .unwrap()
    .workers(1)
    .disable_signals()
    .run();
    tokio::spawn(server);
    RemoteIdp {
        issuer,
        keys,
        jwks_fetches,
    }
}

fn mint(key: &SigningKey, claims: Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key.kid.clone());
    header.typ = Some("at+jwt".into());
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(&key.pkcs8)).unwrap()
}

fn claims(issuer: &str, overrides: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "iss": issuer, "sub": CLIENT, "client_id": CLIENT, "aud": AUDIENCE,
        "iat": now, "nbf": now, "exp": now + 300, "jti": uuid::Uuid::now_v7().to_string(),
    });
    for (name, value) in overrides.as_object().unwrap() {
        claims[name] = value.clone();
    }
    claims
}

#[tokio::test]
async fn remote_tokens_are_checked_for_issuer_audience_expiry_and_not_before_with_keys_refetched_for_a_new_key_id()
 {
    let first = SigningKey::generate("key-2026-1");
    let idp = start_remote_idp(&first).await;
    let url = migrated_database().await;
    let mut connection = store::connect(&url).await.unwrap();
    demo::seed(&mut connection).await.unwrap();
    let bank = demo::organisation_id("advising-bank");
    store::identity::insert_api_client(
        &mut connection,
        CLIENT,
        bank,
        &["bank_maker".to_owned()],
        "remote bank ERP",
    )
    .await
    .unwrap();
    let mut settings = identity_settings();
    settings.oidc_issuer = Some(idp.issuer.clone());
    let app = spawn_app_with(url, settings).await;
    let me = async |token: &str| {
        app.client
            .get(app.url("/api/v1/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    };

    let good = mint(&first, claims(&idp.issuer, json!({})));
    let response = me(&good).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["organisation"]["id"], bank.to_string());
    let fetches_after_first = *idp.jwks_fetches.lock().unwrap();
    for _ in 0..5 {
        assert_eq!(me(&good).await.status(), 200);
    }
    assert_eq!(
        *idp.jwks_fetches.lock().unwrap(),
        fetches_after_first,
        "keys are cached"
    );

    let now = chrono::Utc::now().timestamp();
    for (what, overrides) in [
        ("expired", json!({ "exp": now - 120 })),
        ("not yet valid", json!({ "nbf": now + 600 })),
        ("for another audience", json!({ "aud": "another-api" })),
        (
            "from another issuer",
            json!({ "iss": "https://login.elsewhere.example" }),
        ),
        ("without an expiry", json!({ "exp": null })),
    ] {
        let mut token_claims = claims(&idp.issuer, overrides);
        token_claims
            .as_object_mut()
            .unwrap()
            .retain(|_, v| !v.is_null());
        let problem = expect_problem(me(&mint(&first, token_claims)).await, 401).await;
        assert_eq!(problem["type"], "/problems/unauthenticated", "{what}");
    }
    // an ID token (typ JWT) is not an access token
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(first.kid.clone());
    let id_token = jsonwebtoken::encode(
        &header,
        &claims(&idp.issuer, json!({})),
        &EncodingKey::from_ed_der(&first.pkcs8),
    )
    .unwrap();
    expect_problem(me(&id_token).await, 401).await;
    // a token signed with the platform's own session secret (algorithm confusion)
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some(first.kid.clone());
    hs.typ = Some("at+jwt".into());
    let confused = jsonwebtoken::encode(
        &hs,
        &claims(&idp.issuer, json!({})),
        &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
    )
    .unwrap();
    expect_problem(me(&confused).await, 401).await;

    // the provider rotates its key: a token with the new key id makes the
    // platform fetch the keys again, once
    let second = SigningKey::generate("key-2026-2");
    *idp.keys.lock().unwrap() = vec![second.jwk.clone()];
    tokio::time::sleep(Duration::from_secs(11)).await; // past the refetch interval
    let rotated = mint(&second, claims(&idp.issuer, json!({})));
    assert_eq!(me(&rotated).await.status(), 200, "a new key id is fetched");
    assert_eq!(*idp.jwks_fetches.lock().unwrap(), fetches_after_first + 1);
    // a key id the provider does not publish is refused without hammering it
    let unknown = SigningKey::generate("key-unknown");
    for _ in 0..3 {
        expect_problem(
            me(&mint(&unknown, claims(&idp.issuer, json!({})))).await,
            401,
        )
        .await;
    }
    assert!(
        *idp.jwks_fetches.lock().unwrap() <= fetches_after_first + 2,
        "at most one more fetch"
    );
}

//! The run's OpenID Connect provider: the project's demo provider (a
//! certified provider package), started once per test run with test
//! clients and people, and driven through its real pages and endpoints.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use lcp::domain::Role;
use lcp::supervised::Supervised;
use nix::sys::signal::Signal;
use serde_json::json;

use super::repository_root;

/// Where the platform under test says it lives; the provider redirects the
/// browser there, and the tests carry the code over to the real server.
pub const PUBLIC_URL: &str = "http://lcp.test";
pub const WEB_CLIENT: &str = "lcp-web";
pub const AUDIENCE: &str = "lcp-api";
/// An account the provider knows that has no user on the platform.
pub const STRANGER: &str = "stranger@elsewhere.example";
/// An account whose `groups` claim an organisation may map to a role.
pub const GROUPED: &str = "grace.groups@hmbk.example";
pub const GROUP: &str = "trade-ops-checkers";
/// A registered client credential the platform has no record of.
pub const UNBOUND_CLIENT: &str = "erp-unregistered";

pub struct TestIdp {
    pub issuer: String,
    pub web_secret: String,
    pub password: String,
    pub client_secrets: BTreeMap<String, String>,
    _process: Supervised,
    _dir: tempfile::TempDir,
}

impl TestIdp {
    /// The client the matrix tests use for a role.
    pub fn client_for(role: Role) -> String {
        format!("test-{}", role.as_str())
    }

    /// An access token for an ERP client, from the real token endpoint.
    pub async fn client_token(&self, client_id: &str) -> String {
        let response = reqwest::Client::new()
            .post(format!("{}/token", self.issuer))
            .basic_auth(client_id, Some(&self.client_secrets[client_id]))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "token for {client_id}");
        let body: serde_json::Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }
}

static IDP: OnceLock<TestIdp> = OnceLock::new();

pub fn idp() -> &'static TestIdp {
    IDP.get_or_init(start)
}

fn secret() -> String {
    lcp::auth::session::random_token()
}

fn start() -> TestIdp {
    let root = repository_root();
    let server = root.join("e2e/idp/server.mjs");
    assert!(
        root.join("e2e/node_modules/oidc-provider").is_dir(),
        "the test identity provider needs its npm packages: run `npm ci` in e2e/ (scripts/test.sh does)"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let issuer = format!("http://127.0.0.1:{port}");
    let (web_secret, password) = (secret(), secret());
    let mut client_secrets: BTreeMap<String, String> = Role::ALL
        .iter()
        .map(|role| (TestIdp::client_for(*role), secret()))
        .chain(
            lcp::demo::ERP_CLIENTS
                .iter()
                .map(|c| (c.client_id.to_owned(), secret())),
        )
        .collect();
    client_secrets.insert(UNBOUND_CLIENT.into(), secret());

    let mut accounts: Vec<serde_json::Value> = lcp::demo::PEOPLE
        .iter()
        .map(|p| json!({ "email": p.email, "name": p.display_name, "password": password }))
        .collect();
    accounts.push(json!({ "email": STRANGER, "name": "Stranger", "password": password }));
    accounts.push(json!({ "email": GROUPED, "name": "Grace Groups", "password": password, "claims": { "groups": [GROUP, "staff"] } }));
    let mut clients = vec![json!({
        "client_id": WEB_CLIENT,
        "client_secret": web_secret,
        "redirect_uris": [format!("{PUBLIC_URL}/auth/callback")],
        "post_logout_redirect_uris": [format!("{PUBLIC_URL}/")],
        "grant_types": ["authorization_code"],
    })];
    for (client_id, client_secret) in &client_secrets {
        clients.push(json!({ "client_id": client_id, "client_secret": client_secret, "grant_types": ["client_credentials"] }));
    }
    let config = json!({
        "issuer": issuer,
        "port": port,
        "api_audience": AUDIENCE,
        "access_token_ttl_seconds": 300,
        "clients": clients,
        "accounts": accounts,
    });
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("idp.json");
    std::fs::write(&config_path, serde_json::to_vec_pretty(&config).unwrap()).unwrap();

    let mut command = Command::new("node");
    command
        .arg(&server)
        .arg("--config")
        .arg(&config_path)
        .current_dir(root.join("e2e"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut process =
        Supervised::spawn(command, "idp", Signal::SIGTERM).expect("starting the identity provider");
    let stdout = process.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.starts_with("IDP_READY") => break,
            Some(Ok(_)) => continue,
            _ => panic!("the identity provider exited before it was ready"),
        }
    }
    // keep draining its output so it never blocks on a full pipe
    std::thread::spawn(move || for _ in lines {});
    TestIdp {
        issuer,
        web_secret,
        password,
        client_secrets,
        _process: process,
        _dir: dir,
    }
}

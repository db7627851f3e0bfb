//! The test harness: the run's PostgreSQL cluster and identity provider,
//! per-test databases and an in-process server on a free port.

pub mod idp;
pub mod signed_in;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use diesel_async::RunQueryDsl;
use lcp::auth::Identity;
use lcp::config::IdentitySettings;
use lcp::embedded_postgres::{Cluster, ClusterOptions};
use lcp::http::metrics::Metrics;
use lcp::http::{self, AppState, ServerOptions};
use lcp::store;
use secrecy::SecretString;

const TEMPLATE: &str = "lcp_template";

pub struct TestCluster {
    cluster: Cluster,
}

impl TestCluster {
    pub fn url(&self, database: &str) -> SecretString {
        self.cluster.url(database).into()
    }

    pub fn raw_url(&self, database: &str) -> String {
        self.cluster.url(database)
    }

    pub fn bin_dir(&self) -> &Path {
        self.cluster.bin_dir()
    }
}

static CLUSTER: OnceLock<TestCluster> = OnceLock::new();

/// The run's cluster, started (and its template migrated) on first use.
/// It lives until the test process exits; the server then gets its
/// fast-shutdown signal from the kernel.
pub fn cluster() -> &'static TestCluster {
    CLUSTER.get_or_init(|| {
        // A runtime of its own: the caller may be inside a test's runtime.
        std::thread::spawn(start_cluster)
            .join()
            .expect("cluster start-up panicked")
    })
}

fn start_cluster() -> TestCluster {
    let root = std::env::temp_dir();
    remove_stale_clusters(&root);
    let data_dir = root.join(format!("lcp-test-{}", std::process::id()));
    fs::create_dir_all(&data_dir).expect("creating the test data directory");
    let options =
        ClusterOptions::new(&data_dir, std::env::var_os("PG_BIN").map(PathBuf::from)).disposable();
    let cluster = TestCluster {
        cluster: Cluster::start(&options).expect("starting the test cluster"),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        store::ensure_database(&cluster.url("postgres"), TEMPLATE)
            .await
            .unwrap();
        store::run_migrations(&cluster.url(TEMPLATE)).await.unwrap();
    });
    cluster
}

/// Clusters of earlier runs whose test process is gone.
fn remove_stale_clusters(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("lcp-test-")
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let postmaster = entry.path().join("postgres/data/postmaster.pid");
        if !Path::new(&format!("/proc/{pid}")).exists() && !postmaster.exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

static DATABASES: AtomicU32 = AtomicU32::new(0);

fn next_database_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::Relaxed)
    )
}

/// A database of its own, migrated (cloned from the template).
pub async fn migrated_database() -> SecretString {
    let cluster = cluster();
    let name = next_database_name("test");
    let mut connection = store::connect(&cluster.url("postgres")).await.unwrap();
    diesel::sql_query(format!(
        "CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY"
    ))
    .execute(&mut connection)
    .await
    .unwrap();
    cluster.url(&name)
}

/// A database of its own with nothing in it; returns its name too.
pub async fn empty_database() -> (String, SecretString) {
    let cluster = cluster();
    let name = next_database_name("empty");
    store::ensure_database(&cluster.url("postgres"), &name)
        .await
        .unwrap();
    let url = cluster.url(&name);
    (name, url)
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub database_url: SecretString,
    pub handle: ServerHandle,
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
    _web_ui: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }
}

/// The service on a free port, on a migrated database of its own, signing
/// in through the run's identity provider.
pub async fn spawn_app() -> TestApp {
    spawn_app_on(migrated_database().await).await
}

/// Sign-in settings for the run's identity provider.
pub fn identity_settings() -> IdentitySettings {
    let idp = idp::idp();
    IdentitySettings {
        public_url: Some(idp::PUBLIC_URL.into()),
        oidc_issuer: Some(idp.issuer.clone()),
        oidc_client_id: idp::WEB_CLIENT.into(),
        oidc_client_secret: Some(idp.web_secret.clone().into()),
        api_audience: idp::AUDIENCE.into(),
        session_secret: Some(lcp::auth::session::random_token().into()),
        session_token_minutes: 15,
        session_idle_minutes: 30,
        session_max_hours: 12,
        rate_limit_per_minute: 10_000,
        demo_password: None,
    }
}

pub async fn spawn_app_on(database_url: SecretString) -> TestApp {
    spawn_app_with(database_url, identity_settings()).await
}

pub async fn spawn_app_with(database_url: SecretString, identity: IdentitySettings) -> TestApp {
    let pool = store::pool(&database_url, 4).unwrap();
    let identity = Identity::configure(&identity, "http://127.0.0.1")
        .await
        .unwrap();
    let state = AppState {
        pool,
        metrics: Metrics::new().unwrap(),
        identity: std::sync::Arc::new(identity),
    };
    let web_ui = tempfile::tempdir().unwrap();
    fs::write(
        web_ui.path().join("index.html"),
        "<!doctype html><title>web ui shell</title>",
    )
    .unwrap();
    let options = ServerOptions {
        frontend_dir: web_ui.path().to_path_buf(),
        workers: Some(1),
        shutdown_timeout: Duration::from_secs(10),
    };
    let (listener, address) = http::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let server = http::server(listener, state, &options).unwrap();
    let handle = server.handle();
    let server = tokio::spawn(server);
    TestApp {
        base: format!("http://{address}"),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        database_url,
        handle,
        server,
        _web_ui: web_ui,
    }
}

/// The repository's root folder.
pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Asserts an RFC 9457 problem response and returns its body.
pub async fn expect_problem(response: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(
        response.status().as_u16(),
        status,
        "status of {}",
        response.url()
    );
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/problem+json",
        "content type of {}",
        response.url()
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(
        body["type"].as_str().unwrap().starts_with("/problems/"),
        "{body}"
    );
    assert!(body["title"].is_string(), "{body}");
    body
}

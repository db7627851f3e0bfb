//! What the subcommands do: find or start the database, migrate, seed, and
//! run the HTTP server until SIGINT or SIGTERM, then drain and stop.

use std::time::Duration;

use anyhow::{Context, Result};
use secrecy::SecretString;
use tokio::signal::unix::{SignalKind, signal};

use std::sync::Arc;

use secrecy::ExposeSecret;

use crate::auth::{self, Identity};
use crate::config::Settings;
use crate::embedded_postgres::{Cluster, ClusterOptions};
use crate::http::metrics::Metrics;
use crate::http::{self, AppState, ServerOptions};
use crate::{demo, store};

/// The database the embedded cluster holds the platform's data in.
pub const EMBEDDED_DATABASE: &str = "lcp";

/// The platform's database: the given server, or the private cluster.
#[derive(Debug)]
pub struct Database {
    pub url: SecretString,
    cluster: Option<Cluster>,
}

impl Database {
    pub async fn open(settings: &Settings) -> Result<Self> {
        if let Some(url) = &settings.database_url {
            return Ok(Self {
                url: url.clone(),
                cluster: None,
            });
        }
        let options = ClusterOptions::new(&settings.data_dir, settings.pg_bin.clone());
        let cluster = tokio::task::spawn_blocking(move || Cluster::start(&options))
            .await
            .context("starting the embedded PostgreSQL cluster")??;
        let database = Self {
            url: cluster.url(EMBEDDED_DATABASE).into(),
            cluster: Some(cluster),
        };
        store::ensure_database(&database.cluster_url("postgres"), EMBEDDED_DATABASE).await?;
        Ok(database)
    }

    pub fn is_embedded(&self) -> bool {
        self.cluster.is_some()
    }

    fn cluster_url(&self, database: &str) -> SecretString {
        self.cluster
            .as_ref()
            .map(|c| c.url(database))
            .unwrap_or_default()
            .into()
    }

    /// Stops the private cluster, if there is one.
    pub async fn close(self) -> Result<()> {
        if let Some(cluster) = self.cluster {
            tokio::task::spawn_blocking(move || cluster.stop())
                .await
                .context("stopping PostgreSQL")??;
        }
        Ok(())
    }
}

pub async fn migrate(settings: &Settings) -> Result<()> {
    let database = Database::open(settings).await?;
    let result = store::run_migrations(&database.url).await;
    database.close().await?;
    for version in result? {
        tracing::info!(version, "migration applied");
    }
    tracing::info!("database schema up to date");
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Production: migrations are applied by `lcp migrate` (or when the
    /// database is the private cluster, which belongs to this process).
    Serve { migrate: bool },
    /// Everything on one machine, with the demo network.
    Demo,
}

pub async fn run(settings: &Settings, mode: Mode) -> Result<()> {
    let database = Database::open(settings).await?;
    let result = run_with(settings, mode, &database).await;
    let closed = database.close().await;
    result.and(closed)
}

async fn run_with(settings: &Settings, mode: Mode, database: &Database) -> Result<()> {
    let migrate = match mode {
        Mode::Serve { migrate } => migrate || database.is_embedded(),
        Mode::Demo => true,
    };
    if migrate {
        for version in store::run_migrations(&database.url).await? {
            tracing::info!(version, "migration applied");
        }
    }
    if mode == Mode::Demo {
        let mut connection = store::connect(&database.url).await?;
        let report = demo::seed(&mut connection).await?;
        tracing::info!(?report, "demo network in place");
    }

    let (listener, address) = http::bind(settings.listen)?;
    let mut identity_settings = settings.identity.clone();
    if mode == Mode::Demo
        && identity_settings.oidc_issuer.is_some()
        && identity_settings.session_secret.is_none()
    {
        identity_settings.session_secret = Some(auth::demo_session_secret(&settings.data_dir)?);
    }
    let identity = Identity::configure(&identity_settings, &format!("http://{address}")).await?;
    let pool = store::pool(&database.url, settings.db_pool_size)?;
    let state = AppState {
        pool,
        metrics: Metrics::new()?,
        identity: Arc::new(identity),
    };
    let options = ServerOptions {
        frontend_dir: settings.frontend_dir.clone(),
        workers: settings.workers,
        shutdown_timeout: Duration::from_secs(settings.shutdown_timeout_secs),
    };
    let server = http::server(listener, state, &options)?;
    let handle = server.handle();
    tracing::info!(%address, "listening");
    if mode == Mode::Demo {
        print_demo_banner(address, settings.identity.demo_password.as_ref());
    }

    let mut interrupt = signal(SignalKind::interrupt()).context("installing SIGINT handler")?;
    let mut terminate = signal(SignalKind::terminate()).context("installing SIGTERM handler")?;
    let stopper = tokio::spawn(async move {
        let name = tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        };
        tracing::info!(signal = name, "stopping: finishing in-flight requests");
        handle.stop(true).await;
    });
    let served = server.await.context("HTTP server");
    stopper.abort();
    served?;
    tracing::info!("HTTP server stopped");
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_demo_banner(address: std::net::SocketAddr, password: Option<&SecretString>) {
    let host = if address.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        address.ip().to_string()
    };
    let base = format!("http://{host}:{}", address.port());
    println!();
    println!("  Letter of Credit Platform (demo) is running.");
    println!();
    println!("    Web UI        {base}/");
    println!("    API reference {base}/api/docs/");
    println!("    Health        {base}/readyz   Metrics {base}/metrics");
    println!();
    match password {
        Some(password) => println!(
            "  Demo sign-ins (one per role) at the demo identity provider, password {}:",
            password.expose_secret()
        ),
        None => println!("  Demo people (one per role; sign-in needs LCP_OIDC_ISSUER):"),
    }
    for person in demo::PEOPLE {
        let organisation = demo::ORGANISATIONS
            .iter()
            .find(|o| o.key == person.organisation)
            .map_or("", |o| o.legal_name);
        let roles: Vec<&str> = person.roles.iter().map(|r| r.as_str()).collect();
        println!(
            "    {:<36} {:<24} {}",
            person.email,
            roles.join(", "),
            organisation
        );
    }
    println!();
    println!("  Stop with Ctrl-C; data stays in the data directory for the next start.");
    println!();
}

//! Typed settings, read from the environment (see `.env.example` at the
//! repository root). Every setting also has a command-line flag.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use secrecy::SecretString;

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address the HTTP server listens on.
    #[arg(long, env = "LCP_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// PostgreSQL connection URL. Without it, `lcp` runs a private cluster in
    /// the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<SecretString>,

    /// Where `lcp` keeps its own state (the private PostgreSQL cluster).
    #[arg(long, env = "LCP_DATA_DIR", default_value = ".lcp-data")]
    pub data_dir: PathBuf,

    /// Folder with the PostgreSQL server programs (initdb, postgres, pg_ctl).
    /// Found from `pg_config --bindir` or the usual places when not set.
    #[arg(long, env = "PG_BIN")]
    pub pg_bin: Option<PathBuf>,

    /// The built web UI (`frontend/dist`), served at `/`.
    #[arg(long, env = "LCP_FRONTEND_DIR", default_value = "frontend/dist")]
    pub frontend_dir: PathBuf,

    /// Most connections the pool opens to PostgreSQL.
    #[arg(long, env = "LCP_DB_POOL_SIZE", default_value_t = 16)]
    pub db_pool_size: usize,

    /// HTTP worker threads (defaults to the number of cores).
    #[arg(long, env = "LCP_WORKERS")]
    pub workers: Option<usize>,

    /// Seconds in-flight requests get to finish after SIGINT or SIGTERM.
    #[arg(long, env = "LCP_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30)]
    pub shutdown_timeout_secs: u64,

    /// Log format: `json` (one object a line) or `pretty`.
    #[arg(long, env = "LCP_LOG_FORMAT", value_enum, default_value_t = LogFormat::Json)]
    pub log_format: LogFormat,

    #[command(flatten)]
    pub identity: IdentitySettings,
}

/// Sign-in: people through the organisation's OpenID Connect provider, ERP
/// systems with bearer tokens the same provider issues.
#[derive(Debug, Clone, Args)]
pub struct IdentitySettings {
    /// The URL people reach the platform at (redirects after sign-in point
    /// here). Cookies are marked `Secure` when it is https.
    #[arg(long, env = "LCP_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Issuer URL of the OpenID Connect provider. Without it nobody can sign
    /// in and every business endpoint answers 401.
    #[arg(long, env = "LCP_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,

    /// The platform's client id at the provider.
    #[arg(long, env = "LCP_OIDC_CLIENT_ID", default_value = "lcp-web")]
    pub oidc_client_id: String,

    /// The platform's client secret at the provider.
    #[arg(long, env = "LCP_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<SecretString>,

    /// The audience ERP access tokens must be issued for.
    #[arg(long, env = "LCP_API_AUDIENCE", default_value = "lcp-api")]
    pub api_audience: String,

    /// Key that signs session tokens (at least 32 bytes; the same on every
    /// replica). `lcp demo` keeps a random one in its data directory.
    #[arg(long, env = "LCP_SESSION_SECRET", hide_env_values = true)]
    pub session_secret: Option<SecretString>,

    /// Minutes a session token is valid; it is renewed while in use.
    #[arg(long, env = "LCP_SESSION_TOKEN_MINUTES", default_value_t = 15)]
    pub session_token_minutes: u32,

    /// Minutes without a request after which a session ends.
    #[arg(long, env = "LCP_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: u32,

    /// Hours after sign-in a session ends, however active.
    #[arg(long, env = "LCP_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: u32,

    /// Requests a minute each ERP client may make (per replica).
    #[arg(long, env = "LCP_RATE_LIMIT_PER_MINUTE", default_value_t = 600)]
    pub rate_limit_per_minute: u32,

    /// Demo only: the demo identity provider's password, shown in the banner.
    #[arg(long, env = "LCP_DEMO_PASSWORD", hide_env_values = true)]
    pub demo_password: Option<SecretString>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Json,
    Pretty,
}

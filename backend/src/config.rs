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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Json,
    Pretty,
}

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use lcp::config::Settings;
use lcp::platform::{self, Mode};
use lcp::{http, telemetry};

/// Letter-of-credit platform: documentary credits, standby credits and
/// guarantees from application to settlement.
#[derive(Debug, Parser)]
#[command(name = "lcp", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve {
        #[command(flatten)]
        settings: Settings,
        /// Apply pending migrations before serving.
        #[arg(long, env = "LCP_MIGRATE_ON_START")]
        migrate: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        settings: Settings,
    },
    /// Everything on one machine: private database, demo network, web UI.
    Demo {
        #[command(flatten)]
        settings: Settings,
    },
    /// Manage encryption keys: status, rotation, re-wrapping, erasure.
    Keys {
        #[command(flatten)]
        settings: Settings,
        #[command(flatten)]
        keys: lcp::crypto::KeySettings,
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Print the demo's people and ERP clients (JSON), for the demo
    /// identity provider.
    DemoPeople,
    /// Print the OpenAPI document (or write it to a file).
    Openapi {
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum KeysAction {
    /// List every data key: scope, purpose, version, master version, state.
    Status,
    /// Start a new data-key version for an organisation (or the platform).
    Rotate {
        /// The organisation; without it, the platform's own key.
        #[arg(long)]
        organisation: Option<uuid::Uuid>,
    },
    /// Re-wrap every data key under the newest master key, in batches
    /// (online; an interrupted run resumes where it stopped).
    Rewrap {
        #[arg(long, default_value_t = 100)]
        batch: i64,
    },
    /// Crypto-shredding: destroy every key of an organisation, so its
    /// encrypted data can never be read again. Irreversible.
    Destroy {
        #[arg(long)]
        organisation: uuid::Uuid,
        /// Repeat the organisation id to confirm.
        #[arg(long)]
        confirm: uuid::Uuid,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { settings, migrate } => {
            telemetry::init(settings.log_format);
            platform::run(&settings, Mode::Serve { migrate }).await
        }
        Command::Migrate { settings } => {
            telemetry::init(settings.log_format);
            platform::migrate(&settings).await
        }
        Command::Demo { settings } => {
            telemetry::init(settings.log_format);
            platform::run(&settings, Mode::Demo).await
        }
        Command::Keys {
            settings,
            keys,
            action,
        } => {
            telemetry::init(settings.log_format);
            manage_keys(&settings, &keys, action).await
        }
        Command::DemoPeople => print_demo_people(),
        Command::Openapi { output } => write_openapi(output),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "lcp failed");
            eprintln!("lcp: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[allow(clippy::print_stdout)]
async fn manage_keys(
    settings: &Settings,
    keys: &lcp::crypto::KeySettings,
    action: KeysAction,
) -> anyhow::Result<()> {
    use lcp::crypto::{KeyRing, Scope};
    let ring = KeyRing::new(keys.provider()?);
    let database = platform::Database::open(settings).await?;
    let result = async {
        let mut connection = lcp::store::connect(&database.url).await?;
        match action {
            KeysAction::Status => {
                println!("{:<50} {:<12} {:>7} {:>7}  state", "scope", "purpose", "version", "master");
                for key in lcp::store::data_keys::all(&mut connection).await? {
                    let state = key.destroyed_at.map_or("active".to_owned(), |at| format!("destroyed {at}"));
                    println!("{:<50} {:<12} {:>7} {:>7}  {state}", key.scope, key.purpose, key.version, key.master_version);
                }
            }
            KeysAction::Rotate { organisation } => {
                let scope = organisation.map_or(Scope::Platform, Scope::Organisation);
                let version = ring.rotate(&mut connection, scope).await?;
                println!("{scope}: new data key version {version}");
            }
            KeysAction::Rewrap { batch } => {
                let done = ring.rewrap_all(&mut connection, batch, |done| println!("re-wrapped {done} keys")).await?;
                println!("done: {done} keys re-wrapped under the newest master key");
            }
            KeysAction::Destroy { organisation, confirm } => {
                anyhow::ensure!(organisation == confirm, "--confirm must repeat the organisation id");
                let destroyed = ring.destroy(&mut connection, Scope::Organisation(organisation)).await?;
                println!("organisation:{organisation}: {destroyed} keys destroyed; its encrypted data is erased");
            }
        }
        anyhow::Ok(())
    }
    .await;
    database.close().await?;
    result
}

#[allow(clippy::print_stdout)]
fn print_demo_people() -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(&lcp::demo::directory())?);
    Ok(())
}

#[allow(clippy::print_stdout)]
fn write_openapi(output: Option<PathBuf>) -> anyhow::Result<()> {
    let json = http::openapi::document_json()?;
    match output {
        Some(path) => std::fs::write(&path, json)?,
        None => print!("{json}"),
    }
    Ok(())
}

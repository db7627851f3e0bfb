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
    /// Print the demo's people and ERP clients (JSON), for the demo
    /// identity provider.
    DemoPeople,
    /// Print the OpenAPI document (or write it to a file).
    Openapi {
        #[arg(long)]
        output: Option<PathBuf>,
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

//! The `lcp` binary against a given server: `migrate` then `serve`, with
//! DATABASE_URL set, start no PostgreSQL of their own.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use secrecy::ExposeSecret;

use crate::support::empty_database;

#[tokio::test]
async fn with_database_url_lcp_migrates_and_serves_that_server_and_starts_nothing() {
    let (_, url) = empty_database().await;
    let data_dir = tempfile::tempdir().unwrap();
    let lcp = |command: &str| {
        let mut lcp = Command::new(env!("CARGO_BIN_EXE_lcp"));
        lcp.arg(command)
            .env("DATABASE_URL", url.expose_secret())
            .env("LCP_DATA_DIR", data_dir.path())
            .env("LCP_LOG_FORMAT", "json")
            .env("PG_BIN", "/nonexistent")
            .stdin(Stdio::null());
        lcp
    };

    let migrate = lcp("migrate").output().unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    let state = lcp::store::migration_state(&mut lcp::store::connect(&url).await.unwrap())
        .await
        .unwrap();
    assert!(state.pending.is_empty());

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let serve = lcp("serve")
        .env("LCP_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let readyz = format!("http://127.0.0.1:{port}/readyz");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match reqwest::get(&readyz).await {
            Ok(response) if response.status() == 200 => break,
            _ if Instant::now() > deadline => panic!("lcp serve never became ready"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }

    kill(Pid::from_raw(serve.id() as i32), Signal::SIGTERM).unwrap();
    let output = tokio::task::spawn_blocking(move || serve.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        output.status.success(),
        "exit after SIGTERM: {:?}",
        output.status
    );
    let log = String::from_utf8_lossy(&output.stderr);
    // JSON logs, one object a line
    for line in log.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }
    assert!(
        !log.contains(url.expose_secret()),
        "the database URL never reaches the log"
    );
    assert!(
        !data_dir.path().join("postgres").exists(),
        "no private cluster was created"
    );
}

#[tokio::test]
async fn lcp_keys_rotates_reports_and_destroys_only_when_confirmed() {
    use base64::Engine;
    let (_, url) = empty_database().await;
    lcp::store::run_migrations(&url).await.unwrap();
    let master = format!(
        "1:{}",
        base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>())
    );
    let organisation = uuid::Uuid::now_v7();
    let keys = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_lcp"))
            .arg("keys")
            .args(args)
            .env("DATABASE_URL", url.expose_secret())
            .env("LCP_MASTER_KEYS", &master)
            .env("LCP_LOG_FORMAT", "json")
            .output()
            .unwrap()
    };
    let organisation_arg = organisation.to_string();
    for expected in [1, 2] {
        let rotated = keys(&["rotate", "--organisation", &organisation_arg]);
        assert!(
            rotated.status.success(),
            "{}",
            String::from_utf8_lossy(&rotated.stderr)
        );
        assert!(
            String::from_utf8_lossy(&rotated.stdout)
                .contains(&format!("new data key version {expected}"))
        );
    }
    let status = String::from_utf8(keys(&["status"]).stdout).unwrap();
    assert_eq!(
        status
            .lines()
            .filter(|l| l.contains(&organisation_arg) && l.contains("active"))
            .count(),
        2,
        "{status}"
    );
    assert!(!status.contains(&master[2..]), "no key material printed");

    let refused = keys(&[
        "destroy",
        "--organisation",
        &organisation_arg,
        "--confirm",
        &uuid::Uuid::now_v7().to_string(),
    ]);
    assert!(!refused.status.success());
    let destroyed = keys(&[
        "destroy",
        "--organisation",
        &organisation_arg,
        "--confirm",
        &organisation_arg,
    ]);
    assert!(destroyed.status.success());
    let status = String::from_utf8(keys(&["status"]).stdout).unwrap();
    assert_eq!(
        status
            .lines()
            .filter(|l| l.contains(&organisation_arg) && l.contains("destroyed"))
            .count(),
        2,
        "{status}"
    );
}

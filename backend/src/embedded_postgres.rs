//! The private PostgreSQL cluster `lcp` runs when no `DATABASE_URL` is given.
//!
//! It uses the PostgreSQL server programs installed on the machine, keeps the
//! cluster under the data directory (so a second start reuses it), listens on
//! a Unix socket only (no TCP port, socket directory readable by its owner
//! alone), and shuts down with a fast shutdown when `lcp` stops. Started as
//! root, the server runs as the `postgres` user, since PostgreSQL refuses to
//! run as root.
//!
//! The server is a [`Supervised`] child: a crashed or killed `lcp` never
//! leaves it behind.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use nix::sys::signal::Signal;
use nix::unistd::{Gid, Uid, User, chown};
use sha2::{Digest, Sha256};

use crate::supervised::Supervised;

/// The superuser `initdb` creates. Local connections are trusted because
/// only the cluster's owner (and root) can open the socket directory.
pub const SUPERUSER: &str = "postgres";

const PORT: u16 = 5432;
const START_TIMEOUT: Duration = Duration::from_secs(90);
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// Where the cluster goes when `lcp` runs as root and the `postgres` user
/// cannot reach the data directory (for example a checkout under `/root`).
const ROOT_FALLBACK_HOME: &str = "/var/lib/lcp/clusters";

/// How to run the cluster.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// `lcp`'s data directory; the cluster lives in its `postgres/` folder.
    pub data_dir: PathBuf,
    /// The folder of `initdb` and `postgres`; discovered when `None`.
    pub pg_bin: Option<PathBuf>,
    /// Extra server settings, passed as `-c name=value`.
    pub server_settings: Vec<(String, String)>,
    /// Skip `fsync` at `initdb` (test clusters thrown away after the run).
    pub no_sync: bool,
}

impl ClusterOptions {
    pub fn new(data_dir: impl Into<PathBuf>, pg_bin: Option<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            pg_bin,
            server_settings: Vec::new(),
            no_sync: false,
        }
    }

    /// Settings for a disposable cluster: durability traded for speed.
    pub fn disposable(mut self) -> Self {
        self.no_sync = true;
        for (name, value) in [
            ("fsync", "off"),
            ("synchronous_commit", "off"),
            ("full_page_writes", "off"),
            ("max_connections", "300"),
            ("shared_buffers", "128MB"),
        ] {
            self.server_settings.push((name.into(), value.into()));
        }
        self
    }
}

/// A running cluster. Dropping it stops the server.
#[derive(Debug)]
pub struct Cluster {
    home: PathBuf,
    socket_dir: PathBuf,
    bin_dir: PathBuf,
    server: Option<Supervised>,
}

impl Cluster {
    /// Creates the cluster on first use, then starts it and waits until it
    /// accepts connections. Blocking: call it from a blocking context.
    pub fn start(options: &ClusterOptions) -> Result<Cluster> {
        let bin_dir = find_bin_dir(options.pg_bin.as_deref())?;
        let owner = server_owner()?;
        fs::create_dir_all(&options.data_dir)
            .with_context(|| format!("creating data directory {}", options.data_dir.display()))?;
        let home = cluster_home(&options.data_dir, owner.as_ref())?;
        let pgdata = home.join("data");
        let socket_dir = home.join("run");
        for dir in [&home, &pgdata, &socket_dir] {
            make_private_dir(dir, owner.as_ref())?;
        }

        if !pgdata.join("PG_VERSION").is_file() {
            tracing::info!(pgdata = %pgdata.display(), "creating PostgreSQL cluster");
            let mut initdb = Command::new(bin_dir.join("initdb"));
            initdb.arg("-D").arg(&pgdata).args([
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
            ]);
            if options.no_sync {
                initdb.arg("--no-sync");
            }
            run_as(&mut initdb, owner.as_ref(), &home);
            let output = initdb.output().context("running initdb")?;
            if !output.status.success() {
                bail!(
                    "initdb failed ({}): {}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
        }

        let log_path = home.join("postgres.log");
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("opening {}", log_path.display()))?;

        let mut server = Command::new(bin_dir.join("postgres"));
        server
            .arg("-D")
            .arg(&pgdata)
            .arg("-k")
            .arg(&socket_dir)
            .arg("-p")
            .arg(PORT.to_string())
            .args([
                "-c",
                "listen_addresses=",
                "-c",
                "unix_socket_permissions=0700",
            ]);
        for (name, value) in &options.server_settings {
            server.arg("-c").arg(format!("{name}={value}"));
        }
        server
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("duplicating log handle")?)
            .stderr(log)
            // Ctrl-C in a terminal reaches the whole foreground group; the
            // server must stop after the HTTP server has drained, not before.
            .process_group(0);
        run_as(&mut server, owner.as_ref(), &home);
        // SIGINT is PostgreSQL's fast shutdown
        let server =
            Supervised::spawn(server, "postgres", Signal::SIGINT).context("starting postgres")?;
        let pid = server.pid();

        let mut cluster = Cluster {
            home,
            socket_dir,
            bin_dir,
            server: Some(server),
        };
        cluster.wait_until_accepting(&log_path)?;
        tracing::info!(socket_dir = %cluster.socket_dir.display(), pid = pid.as_raw(), "PostgreSQL cluster ready");
        Ok(cluster)
    }

    /// The connection URL of one database in the cluster (Unix socket).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql://{SUPERUSER}@/{database}?host={}&port={PORT}",
            encode_query_value(&self.socket_dir.to_string_lossy())
        )
    }

    /// Where the cluster lives (data, socket and log).
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The folder of the server programs in use (pg_dump, pg_isready, ...).
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// Fast shutdown: ends sessions, checkpoints, exits.
    pub fn stop(mut self) -> Result<()> {
        self.shutdown()
    }

    fn wait_until_accepting(&mut self, log_path: &Path) -> Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if self.server.as_ref().is_none_or(Supervised::has_exited) {
                self.server.take();
                bail!(
                    "PostgreSQL exited while starting; the end of {}:\n{}",
                    log_path.display(),
                    log_tail(log_path)
                );
            }
            let ready = Command::new(self.bin_dir.join("pg_isready"))
                .arg("-q")
                .arg("-h")
                .arg(&self.socket_dir)
                .args(["-p", &PORT.to_string(), "-U", SUPERUSER, "-d", "postgres"])
                .status()
                .context("running pg_isready")?;
            if ready.success() {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "PostgreSQL did not accept connections within {START_TIMEOUT:?}; the end of {}:\n{}",
                    log_path.display(),
                    log_tail(log_path)
                );
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    fn shutdown(&mut self) -> Result<()> {
        let Some(mut server) = self.server.take() else {
            return Ok(());
        };
        // SIGINT is PostgreSQL's fast shutdown.
        server.signal(Signal::SIGINT);
        let deadline = Instant::now() + STOP_TIMEOUT;
        while !server.has_exited() {
            if Instant::now() > deadline {
                tracing::warn!("PostgreSQL did not stop in time; immediate shutdown");
                server.signal(Signal::SIGQUIT);
                break;
            }
            thread::sleep(Duration::from_millis(50));
        }
        let status = server
            .wait()
            .ok_or_else(|| anyhow!("PostgreSQL was already stopped"))?
            .context("waiting for postgres")?;
        if !status.success() {
            bail!("PostgreSQL stopped with {status}");
        }
        tracing::info!("PostgreSQL cluster stopped");
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(error) = self.shutdown() {
            tracing::error!(error = %error, "stopping PostgreSQL");
        }
    }
}

/// Finds the server programs: the given folder, `pg_config --bindir`, then
/// the newest `/usr/lib/postgresql/<major>/bin` (Debian and Ubuntu).
pub fn find_bin_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    let has_server = |dir: &Path| dir.join("postgres").is_file() && dir.join("initdb").is_file();
    if let Some(dir) = explicit {
        if has_server(dir) {
            return Ok(dir.to_path_buf());
        }
        bail!("PG_BIN={} holds no initdb and postgres", dir.display());
    }
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if output.status.success() && has_server(&dir) {
            return Ok(dir);
        }
    }
    let mut majors: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let major = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            Some((major, entry.path().join("bin")))
        })
        .collect();
    majors.sort_by_key(|(major, _)| std::cmp::Reverse(*major));
    majors
        .into_iter()
        .map(|(_, dir)| dir)
        .chain([PathBuf::from("/usr/local/pgsql/bin")])
        .find(|dir| has_server(dir))
        .ok_or_else(|| {
            anyhow!(
                "PostgreSQL server programs (initdb, postgres) not found: install the \
                 `postgresql` package, set PG_BIN to their folder, or set DATABASE_URL"
            )
        })
}

/// The user the server must run as: `None` for the current user, the
/// `postgres` account when started as root.
fn server_owner() -> Result<Option<User>> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    let user = User::from_name(SUPERUSER)
        .context("looking up the postgres user")?
        .ok_or_else(|| {
            anyhow!("running as root needs a `postgres` user to run the database server as")
        })?;
    Ok(Some(user))
}

fn run_as(command: &mut Command, owner: Option<&User>, working_dir: &Path) {
    command.current_dir(working_dir);
    if let Some(user) = owner {
        command
            .uid(user.uid.as_raw())
            .gid(user.gid.as_raw())
            .env("HOME", working_dir)
            .env("USER", &user.name);
    }
}

/// `data_dir/postgres`, unless `lcp` runs as root and the `postgres` user
/// cannot reach that folder; then a folder of its own named after the data
/// directory, so a second start finds the same cluster.
fn cluster_home(data_dir: &Path, owner: Option<&User>) -> Result<PathBuf> {
    let data_dir = data_dir
        .canonicalize()
        .with_context(|| format!("resolving {}", data_dir.display()))?;
    let preferred = data_dir.join("postgres");
    let Some(user) = owner else {
        return Ok(preferred);
    };
    if reachable_by(&data_dir, user.uid, user.gid) {
        return Ok(preferred);
    }
    let digest = Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
    let fallback = Path::new(ROOT_FALLBACK_HOME).join(hex::encode(&digest[..8]));
    tracing::info!(
        data_dir = %data_dir.display(),
        cluster = %fallback.display(),
        "the postgres user cannot reach the data directory; keeping the cluster elsewhere"
    );
    fs::create_dir_all(ROOT_FALLBACK_HOME)
        .with_context(|| format!("creating {ROOT_FALLBACK_HOME}"))?;
    Ok(fallback)
}

/// Whether `uid` may traverse every folder from `/` down to `dir`.
fn reachable_by(dir: &Path, uid: Uid, gid: Gid) -> bool {
    dir.ancestors().all(|folder| match fs::metadata(folder) {
        Ok(meta) => {
            let mode = meta.mode();
            if meta.uid() == uid.as_raw() {
                mode & 0o100 != 0
            } else if meta.gid() == gid.as_raw() {
                mode & 0o010 != 0
            } else {
                mode & 0o001 != 0
            }
        }
        Err(_) => false,
    })
}

fn make_private_dir(dir: &Path, owner: Option<&User>) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
        .with_context(|| format!("restricting {}", dir.display()))?;
    if let Some(user) = owner {
        chown(dir, Some(user.uid), Some(user.gid))
            .with_context(|| format!("handing {} to the postgres user", dir.display()))?;
    }
    Ok(())
}

fn log_tail(path: &Path) -> String {
    let text = File::open(path)
        .and_then(|mut file| {
            let mut text = String::new();
            io::Read::read_to_string(&mut file, &mut text)?;
            Ok(text)
        })
        .unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// Percent-encodes a query value, keeping `/` readable in socket paths.
fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                encoded.push(char::from(byte))
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_paths_are_encoded_for_the_url() {
        assert_eq!(
            encode_query_value("/tmp/lcp data/run"),
            "/tmp/lcp%20data/run"
        );
        assert_eq!(encode_query_value("/a&b=c"), "/a%26b%3Dc");
    }

    #[test]
    fn a_private_folder_on_the_way_hides_the_data_directory_from_other_users() {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let private = dir.path().join("home");
        let data_dir = private.join("checkout").join(".lcp-data");
        fs::create_dir_all(&data_dir).unwrap();
        let stranger = Uid::from_raw(Uid::current().as_raw().wrapping_add(4242));
        let strangers = Gid::from_raw(Gid::current().as_raw().wrapping_add(4242));

        fs::set_permissions(&private, fs::Permissions::from_mode(0o700)).unwrap();
        assert!(!reachable_by(&data_dir, stranger, strangers));

        fs::set_permissions(&private, fs::Permissions::from_mode(0o711)).unwrap();
        assert!(reachable_by(&data_dir, stranger, strangers));
    }
}

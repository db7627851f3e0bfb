//! Child processes that cannot outlive `lcp`: each runs under a supervisor
//! thread that waits for it, and asks the kernel to signal it if that thread
//! disappears (which happens only when `lcp` itself dies), so a crash or a
//! killed test run leaves no server behind.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::{ChildStdout, Command, ExitStatus};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

#[derive(Debug)]
pub struct Supervised {
    pid: Pid,
    supervisor: Option<JoinHandle<io::Result<ExitStatus>>>,
    /// The child's standard output, when the command piped it.
    pub stdout: Option<ChildStdout>,
}

impl Supervised {
    /// Starts `command`; `on_parent_death` is what the child receives if
    /// `lcp` dies first.
    pub fn spawn(mut command: Command, name: &str, on_parent_death: Signal) -> io::Result<Self> {
        die_with_parent(&mut command, on_parent_death);
        let (started_tx, started_rx) = mpsc::channel();
        let supervisor = thread::Builder::new()
            .name(format!("{name}-supervisor"))
            .spawn(move || match command.spawn() {
                Ok(mut child) => {
                    let _ = started_tx.send(Ok((child.id(), child.stdout.take())));
                    child.wait()
                }
                Err(error) => {
                    let message = error.to_string();
                    let _ = started_tx.send(Err(error));
                    Err(io::Error::other(message))
                }
            })?;
        let (pid, stdout) = started_rx.recv().map_err(|_| {
            io::Error::other(format!("{name} supervisor ended before starting it"))
        })??;
        let pid = i32::try_from(pid).map_err(|_| io::Error::other("process id out of range"))?;
        Ok(Self {
            pid: Pid::from_raw(pid),
            supervisor: Some(supervisor),
            stdout,
        })
    }

    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// Whether the child has exited (or was already waited for).
    pub fn has_exited(&self) -> bool {
        self.supervisor.as_ref().is_none_or(JoinHandle::is_finished)
    }

    pub fn signal(&self, signal: Signal) {
        if let Err(error) = kill(self.pid, signal)
            && error != nix::errno::Errno::ESRCH
        {
            tracing::warn!(%error, ?signal, pid = self.pid.as_raw(), "signalling a child process");
        }
    }

    /// Waits for the child to exit; `None` if it was waited for already.
    pub fn wait(&mut self) -> Option<io::Result<ExitStatus>> {
        let supervisor = self.supervisor.take()?;
        Some(
            supervisor
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("supervisor thread panicked"))),
        )
    }
}

/// Asks the kernel to send `signal` to the child when the thread that
/// started it ends.
#[allow(unsafe_code)]
fn die_with_parent(command: &mut Command, signal: Signal) {
    // SAFETY: the hook runs in the forked child before exec and only makes
    // the async-signal-safe prctl(2) system call; it allocates nothing.
    unsafe {
        command.pre_exec(move || nix::sys::prctl::set_pdeathsig(signal).map_err(io::Error::from));
    }
}

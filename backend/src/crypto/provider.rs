//! Where `lcp` finds its master keys: `LCP_MASTER_KEYS`, or the file named
//! by `LCP_MASTER_KEYS_FILE` (readable by its owner only). A KMS or HSM
//! plugs in behind [`KeyProvider`].

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;
use secrecy::SecretString;

use super::keys::{EnvKeyProvider, KeyProvider};

#[derive(Debug, Clone, Args)]
pub struct KeySettings {
    /// Master keys, `version:base64(32 bytes)` separated by commas; the
    /// highest version wraps new data keys.
    #[arg(long, env = "LCP_MASTER_KEYS", hide_env_values = true)]
    pub master_keys: Option<SecretString>,

    /// A file holding the master keys in the same form (mode 0600 or
    /// stricter).
    #[arg(long, env = "LCP_MASTER_KEYS_FILE")]
    pub master_keys_file: Option<PathBuf>,
}

impl KeySettings {
    pub fn provider(&self) -> Result<Arc<dyn KeyProvider>> {
        let spec = match (&self.master_keys, &self.master_keys_file) {
            (Some(keys), _) => keys.clone(),
            (None, Some(path)) => read_key_file(path)?,
            (None, None) => {
                bail!("master keys are needed: set LCP_MASTER_KEYS or LCP_MASTER_KEYS_FILE")
            }
        };
        Ok(Arc::new(
            EnvKeyProvider::parse(&spec).context("reading the master keys")?,
        ))
    }
}

fn read_key_file(path: &Path) -> Result<SecretString> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.permissions().mode() & 0o077 != 0 {
        bail!("{} is readable by others: chmod 600 it", path.display());
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(SecretString::from(text.trim().to_owned()))
}

//! exsync's configuration: one TOML file (`exsync.toml`), every key overridable by an
//! `EXSYNC_*` environment variable, secrets inline, from the environment or from a file.
//!
//! ```no_run
//! # fn main() -> Result<(), exsync_config::ConfigErrors> {
//! let config = exsync_config::Config::from_env_and_file(Some("exsync.toml".as_ref()))?;
//! println!("{} months back", config.sync.months_past);
//! # Ok(()) }
//! ```
//!
//! Invariants kept by this crate:
//! - every key is listed once in [`keys::KEYS`]; unknown keys and variables are errors with a
//!   "did you mean" hint, and every problem is reported at once ([`ConfigErrors`]);
//! - secrets live in [`secrecy::SecretString`]; no `Debug` output, error, warning or
//!   [`Config::render_effective`] output ever contains one.
//!
//! The key reference is `docs/configuration.md`; a commented example with every key is
//! `crates/config/exsync.example.toml`.

pub mod bnwin;
mod build;
mod checks;
mod choice;
mod database_url;
mod edit;
mod error;
mod exchange;
mod exchange_build;
pub mod keys;
mod model;
mod render;
mod resolve;
mod shown;
mod sources;
mod suggest;
mod types;
mod warnings;

use std::path::Path;

pub use choice::UnknownChoice;
pub use database_url::{DatabaseBackend, DatabaseUrl, MASK};
pub use edit::{ConfigDocument, EditError, Edited, set_key};
pub use error::{ConfigError, ConfigErrors, Origin};
pub use exchange::{
    CertificateConfig, CertificateFormat, Credentials, DEFAULT_AUTHORITY, DEFAULT_GRAPH_URL,
    DEFAULT_SECRET_EXPIRY_WARNING_DAYS, ExchangeConfig, ExchangeTarget, OnlineConfig,
    OnlineCredential, SecretExpiry, ServerAuth, ServerConfig,
};
pub use model::{
    AdminConfig, Config, DatabaseConfig, LoggingConfig, MassDeleteGuard, ServiceConfig, SyncConfig,
};
pub use secrecy::{ExposeSecret, SecretString};
pub use shown::ShownValue;
pub use types::{
    BodyRule, ConflictPolicy, Direction, EwsAuth, EwsVersion, ExchangeKind, Impersonation,
    LogFormat, LogLevel, MailboxAddressing, StartMode,
};

use build::FileInput;

impl Config {
    /// Loads the configuration: built-in defaults, then `file` (if given; it must exist), then
    /// the `EXSYNC_*` variables of `env` on top. Pass the environment explicitly (tests need no
    /// global state); [`Config::from_env_and_file`] uses the process environment.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigErrors> {
        build::load(file.map(FileInput::Path), env, Vec::new())
    }

    /// Like [`Config::load`], with TOML text instead of a file; messages call it `exsync.toml`
    /// and relative paths in it are relative to the working directory.
    pub fn from_toml_str(
        toml: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigErrors> {
        let input = FileInput::Text {
            text: toml,
            name: Path::new("exsync.toml"),
        };
        build::load(Some(input), env, Vec::new())
    }

    /// [`Config::load`] with the process environment. An `EXSYNC_*` variable whose value is
    /// not valid Unicode is an error. (`EXSYNC_CONFIG` is not consulted here: the CLI resolves
    /// `--config` / `EXSYNC_CONFIG` and passes the path.)
    pub fn from_env_and_file(file: Option<&Path>) -> Result<Config, ConfigErrors> {
        let mut errors = Vec::new();
        let env = sources::env::process_vars(std::env::vars_os(), &mut errors);
        build::load(file.map(FileInput::Path), env, errors)
    }

    /// Where a key's value came from: a file line, an environment variable, or
    /// [`Origin::Default`].
    pub fn origin(&self, key: &str) -> Origin {
        self.origins.get(key).cloned().unwrap_or(Origin::Default)
    }
}

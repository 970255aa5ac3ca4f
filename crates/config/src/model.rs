//! The typed configuration: one struct per section, with the built-in defaults.
//!
//! Invariant: `Default` is the embedded configuration (SQLite, the built-in Exchange emulator,
//! the seeds' defaults: 6 months back, 17 ahead, a full pass every 300 s), and it is the only
//! place defaults are written down; the loader starts from it.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use exsync_model::ItemKind;

use crate::database_url::DatabaseUrl;
use crate::error::Origin;
use crate::exchange::ExchangeConfig;
use crate::types::{BodyRule, ConflictPolicy, Direction, LogFormat, LogLevel, StartMode};

/// The whole configuration of one exsync instance.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// `[service]`: the daemon's schedule and identity.
    pub service: ServiceConfig,
    /// `[database]`: where the business integration tables and the sync state live.
    pub database: DatabaseConfig,
    /// `[sync]`: what is synchronised, which way, and how.
    pub sync: SyncConfig,
    /// `[exchange]`: which Exchange and how to sign in.
    pub exchange: ExchangeConfig,
    /// `[logging]`: log level, format, troubleshooting switches.
    pub logging: LoggingConfig,
    /// `[admin]`: the health and metrics endpoint.
    pub admin: AdminConfig,
    /// Where each key not at its default came from.
    pub(crate) origins: BTreeMap<&'static str, Origin>,
    /// For secrets read from a `_file` key: the secret key and the file.
    pub(crate) secret_files: BTreeMap<&'static str, PathBuf>,
    /// Warnings found while loading (e.g. settings of an unused Exchange kind).
    pub(crate) load_warnings: Vec<String>,
}

/// `[service]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConfig {
    /// Master switch for automatic sync (büro+ `Automatische Synchronisation`).
    pub enabled: bool,
    /// Time between two full passes that heal anything missed (bnWin default 300 s).
    pub full_pass_interval: Duration,
    /// How often Exchange and the business change journal are asked for changes.
    pub poll_interval: Duration,
    /// What a mailbox's first sync does.
    pub start_mode: StartMode,
    /// Name of this instance in mailbox leases; `None` = the host name.
    pub instance_name: Option<String>,
    /// How long a mailbox's lease lasts unless renewed: a stopped or killed instance's
    /// mailboxes are taken over by the others within this time.
    pub lease_time: Duration,
    /// Mailbox passes run at the same time (probes for changes do not count).
    pub max_concurrent_passes: u32,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            enabled: true,
            full_pass_interval: Duration::from_secs(300),
            poll_interval: Duration::from_secs(3),
            start_mode: StartMode::FullWindow,
            instance_name: None,
            lease_time: Duration::from_secs(30),
            max_concurrent_passes: 8,
        }
    }
}

impl ServiceConfig {
    /// The configured instance name, else the host name, else `exsync`.
    pub fn instance_name_or_host(&self) -> String {
        self.instance_name.clone().unwrap_or_else(host_name)
    }
}

/// The machine's host name as the operating system reports it, or `exsync`.
pub(crate) fn host_name() -> String {
    let from_file = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok());
    from_file
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| crate::checks::instance_name(name).is_ok())
        .unwrap_or_else(|| "exsync".to_owned())
}

/// `[database]`.
#[derive(Debug, Clone, Default)]
pub struct DatabaseConfig {
    /// The business integration tables (and, without `state_url`, exsync's state).
    pub url: DatabaseUrl,
    /// Where exsync's own sync state lives, if not in `url`'s database.
    pub state_url: Option<DatabaseUrl>,
    /// PostgreSQL schema for exsync's tables; `None` = the connection's default search path.
    pub schema: Option<String>,
}

impl DatabaseConfig {
    /// The database holding the sync state: `state_url`, else `url`.
    pub fn state_url(&self) -> &DatabaseUrl {
        self.state_url.as_ref().unwrap_or(&self.url)
    }
}

/// `[sync]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncConfig {
    /// Whole months into the past inside the sync window (bnWin `SyncMonateVergangenheit`).
    pub months_past: u32,
    /// Whole months into the future inside the sync window (bnWin `SyncMonateZukunft`).
    pub months_future: u32,
    /// Direction for appointments.
    pub appointments: Direction,
    /// Direction for tasks.
    pub tasks: Direction,
    /// Direction for the company address book: only `Export` or `Off`.
    pub contacts: Direction,
    /// What happens to the info text (body).
    pub body: BodyRule,
    /// Who wins when both sides changed the same field.
    pub conflict: ConflictPolicy,
    /// When a plan deletes so much that it is held for a human to confirm.
    pub mass_delete_guard: MassDeleteGuard,
    /// Name of the Exchange contact folder the address book is exported into.
    pub contact_folder: String,
    /// Name of the To Do list tasks go to; `None` = the user's default list.
    pub task_list: Option<String>,
    /// Pair unlinked items found on both sides (the same appointment, task or contact an
    /// earlier sync tool put there) instead of copying each to the other side.
    pub pair_existing: bool,
    /// The business application's time zone (IANA or Windows name).
    pub time_zone: String,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            months_past: 6,
            months_future: 17,
            appointments: Direction::Both,
            tasks: Direction::Both,
            contacts: Direction::Export,
            body: BodyRule::ExportOnly,
            conflict: ConflictPolicy::NewestWins,
            mass_delete_guard: MassDeleteGuard::default(),
            contact_folder: "Company addresses".to_owned(),
            task_list: None,
            pair_existing: true,
            time_zone: "Europe/Berlin".to_owned(),
        }
    }
}

impl SyncConfig {
    /// The direction configured for a data type.
    pub fn direction(&self, kind: ItemKind) -> Direction {
        match kind {
            ItemKind::Appointment => self.appointments,
            ItemKind::Task => self.tasks,
            ItemKind::Contact => self.contacts,
        }
    }
}

/// Holds plans that would delete a large share of a mailbox's items.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MassDeleteGuard {
    /// Largest share (0.0 to 1.0) of a mailbox's items one plan may delete; 1.0 = no guard.
    pub max_share: f64,
    /// Plans deleting fewer items than this are never held.
    pub min_items: u32,
}

impl Default for MassDeleteGuard {
    fn default() -> Self {
        MassDeleteGuard {
            max_share: 0.3,
            min_items: 10,
        }
    }
}

impl MassDeleteGuard {
    /// `max_share` in whole percent (0 to 100), as the engine's guard takes it. The loader
    /// only accepts shares in steps of 0.01, so nothing is lost.
    pub fn max_percent(&self) -> u8 {
        (self.max_share.clamp(0.0, 1.0) * 100.0).round() as u8
    }

    /// Whether a plan deleting `deletions` of a mailbox's `items` (of one kind) must be held:
    /// at least `min_items` (and at least one) deletions, and more than `max_share` of the
    /// items. Exact integer arithmetic: exactly the share is still allowed.
    pub fn holds(&self, deletions: usize, items: usize) -> bool {
        deletions >= (self.min_items as usize).max(1)
            && (deletions as u128) * 100 > u128::from(self.max_percent()) * (items as u128)
    }
}

/// `[logging]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggingConfig {
    /// Least severe level written.
    pub level: LogLevel,
    /// Text or JSON lines.
    pub format: LogFormat,
    /// Also (instead of standard error) write to this file.
    pub file: Option<PathBuf>,
    /// Log a summary of every Exchange request and response
    /// (büro+ `Exchange-Übertragungen protokollieren`).
    pub exchange_transfers: bool,
    /// Extended diagnostics (büro+ `Erweiterte Diagnosen protokollieren`).
    pub diagnostics: bool,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        LoggingConfig {
            level: LogLevel::Info,
            format: LogFormat::Text,
            file: None,
            exchange_transfers: false,
            diagnostics: false,
        }
    }
}

/// `[admin]`.
#[derive(Debug, Clone)]
pub struct AdminConfig {
    /// Address of the health/metrics endpoint; `None` = switched off.
    pub listen: Option<SocketAddr>,
    /// The bearer token every request but `/healthz` must carry; required when `listen` is
    /// not a loopback address.
    pub token: Option<secrecy::SecretString>,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            listen: Some(SocketAddr::from((Ipv4Addr::LOCALHOST, 8470))),
            token: None,
        }
    }
}

impl PartialEq for AdminConfig {
    fn eq(&self, other: &Self) -> bool {
        use secrecy::ExposeSecret;
        self.listen == other.listen
            && self.token.as_ref().map(|t| t.expose_secret().to_owned())
                == other.token.as_ref().map(|t| t.expose_secret().to_owned())
    }
}

impl Eq for AdminConfig {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_holds_large_deletions_only() {
        let guard = MassDeleteGuard::default();
        assert!(!guard.holds(9, 10), "below the minimum count");
        assert!(!guard.holds(30, 100), "exactly the share is allowed");
        assert!(guard.holds(31, 100));
        assert_eq!(guard.max_percent(), 30);
        let off = MassDeleteGuard {
            max_share: 1.0,
            min_items: 0,
        };
        assert!(!off.holds(100, 100));
    }

    #[test]
    fn directions_per_kind() {
        let sync = SyncConfig::default();
        assert_eq!(sync.direction(ItemKind::Contact), Direction::Export);
        assert_eq!(sync.direction(ItemKind::Task), Direction::Both);
    }

    #[test]
    fn the_instance_falls_back_to_a_usable_name() {
        let name = ServiceConfig::default().instance_name_or_host();
        assert!(crate::checks::instance_name(&name).is_ok(), "{name}");
    }
}

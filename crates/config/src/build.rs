//! Turns merged settings into a [`Config`]: every key read with its type, defaults for the rest,
//! then the checks that span several keys.
//!
//! Invariant: every key of [`crate::keys::KEYS`] is read on every load (a debug assertion and a
//! test hold this), so no key can be accepted by the file and then silently dropped.

use std::path::Path;

use crate::checks;
use crate::database_url::{DatabaseBackend, DatabaseUrl};
use crate::error::{ConfigError, ConfigErrors, Origin};
use crate::exchange_build::build_exchange;
use crate::model::{
    AdminConfig, Config, DatabaseConfig, LoggingConfig, MassDeleteGuard, ServiceConfig, SyncConfig,
};
use crate::resolve::Resolver;
use crate::sources::{self, Settings};
use crate::types::Direction;

/// Loads from an optional file (path, or text with a name for messages) and the environment.
pub(crate) fn load(
    file: Option<FileInput<'_>>,
    env: impl IntoIterator<Item = (String, String)>,
    mut errors: Vec<ConfigError>,
) -> Result<Config, ConfigErrors> {
    let file_entries = match file {
        None => Some(Vec::new()),
        Some(FileInput::Path(path)) => sources::file::read(path, &mut errors),
        Some(FileInput::Text { text, name }) => sources::file::parse(text, name, &mut errors),
    };
    let env_settings = sources::env::read(env, &mut errors);
    let config = file_entries.map(|file_entries| {
        let settings = sources::merge(file_entries, env_settings);
        let (config, build_errors) = build(&settings);
        errors.extend(build_errors);
        config
    });
    errors.sort_by_key(report_order);
    match (ConfigErrors::from_vec(errors), config) {
        (None, Some(config)) => Ok(config),
        (Some(errors), _) => Err(errors),
        // The file readers record an error whenever they give up; this keeps it that way.
        (None, None) => Err(ConfigErrors::single(ConfigError::File {
            path: "exsync.toml".into(),
            reason: "could not be loaded".to_owned(),
        })),
    }
}

/// File problems first, then by file line, then environment variables, then cross-checks.
fn report_order(error: &ConfigError) -> (u8, usize) {
    let by_origin = |origin: &Origin| match origin {
        Origin::File { line, .. } => (1, *line),
        Origin::Env { .. } => (2, 0),
        Origin::Default => (3, 0),
    };
    match error {
        ConfigError::File { .. } | ConfigError::Syntax { .. } => (0, 0),
        ConfigError::UnknownKey { origin, .. }
        | ConfigError::Invalid { origin, .. }
        | ConfigError::UnreadableFile { origin, .. } => by_origin(origin),
        ConfigError::UnknownVariable { .. } | ConfigError::NotUnicode { .. } => (2, 0),
        _ => (3, 0),
    }
}

/// Where the configuration file comes from.
pub(crate) enum FileInput<'a> {
    /// Read this file.
    Path(&'a Path),
    /// Already in memory; `name` is used in messages.
    Text { text: &'a str, name: &'a Path },
}

/// Reads every key; returns the configuration and the errors found.
pub(crate) fn build(settings: &Settings) -> (Config, Vec<ConfigError>) {
    let mut r = Resolver::new(settings);
    let defaults = Config::default();
    let service = build_service(&mut r, defaults.service);
    let database = build_database(&mut r);
    let sync = build_sync(&mut r, defaults.sync);
    let (exchange, load_warnings) = build_exchange(&mut r);
    let logging = build_logging(&mut r, defaults.logging);
    let admin = AdminConfig {
        listen: r.listen("admin.listen").unwrap_or(defaults.admin.listen),
        token: r.secret("admin.token").map(|(token, _)| token),
    };
    if let Some(addr) = admin.listen
        && !addr.ip().is_loopback()
        && admin.token.is_none()
    {
        r.error(ConfigError::Conflict {
            keys: vec!["admin.listen", "admin.token"],
            message: format!(
                "admin.listen = \"{addr}\" is reachable from other machines, so the admin endpoint \
                 needs a token: set admin.token (or admin.token_file), or listen on 127.0.0.1"
            ),
        });
    }
    let outcome = r.finish();
    debug_assert!(
        outcome.unread.is_empty(),
        "keys never read: {:?}",
        outcome.unread
    );
    let config = Config {
        service,
        database,
        sync,
        exchange,
        logging,
        admin,
        origins: settings
            .iter()
            .map(|(name, entry)| (*name, entry.origin.clone()))
            .collect(),
        secret_files: outcome.secret_files,
        load_warnings,
    };
    (config, outcome.errors)
}

fn build_service(r: &mut Resolver<'_>, d: ServiceConfig) -> ServiceConfig {
    let seconds = |n: Option<u32>| n.map(|n| std::time::Duration::from_secs(n.into()));
    ServiceConfig {
        enabled: r.bool("service.enabled").unwrap_or(d.enabled),
        full_pass_interval: seconds(r.whole("service.full_pass_interval", 10, 86_400))
            .unwrap_or(d.full_pass_interval),
        poll_interval: seconds(r.whole("service.poll_interval", 1, 3_600))
            .unwrap_or(d.poll_interval),
        start_mode: r.choice("service.start_mode").unwrap_or(d.start_mode),
        instance_name: r.text("service.instance_name", checks::instance_name),
        lease_time: seconds(r.whole("service.lease_time", 5, 3_600)).unwrap_or(d.lease_time),
        max_concurrent_passes: r
            .whole("service.max_concurrent_passes", 1, 256)
            .unwrap_or(d.max_concurrent_passes),
    }
}

fn build_database(r: &mut Resolver<'_>) -> DatabaseConfig {
    let url = database_url(r, "database.url").unwrap_or_default();
    let state_url = database_url(r, "database.state_url");
    let schema = r.text("database.schema", checks::sql_identifier);
    let any_postgres = std::iter::once(&url)
        .chain(state_url.as_ref())
        .any(|url| url.backend() == DatabaseBackend::Postgres);
    if schema.is_some() && !any_postgres {
        r.error(ConfigError::Conflict {
            keys: vec!["database.schema", "database.url"],
            message: "database.schema is set but neither database.url nor database.state_url \
                      is a postgres:// URL: schemas exist in PostgreSQL only"
                .to_owned(),
        });
    }
    DatabaseConfig {
        url,
        state_url,
        schema,
    }
}

fn database_url(r: &mut Resolver<'_>, key: &'static str) -> Option<DatabaseUrl> {
    let (secret, entry) = r.secret(key)?;
    match DatabaseUrl::parse(secrecy::ExposeSecret::expose_secret(&secret)) {
        Ok(url) => Some(url),
        Err(expected) => {
            r.error(ConfigError::Invalid {
                origin: entry.origin.clone(),
                key,
                value: None,
                expected,
            });
            None
        }
    }
}

fn build_sync(r: &mut Resolver<'_>, d: SyncConfig) -> SyncConfig {
    let guard = MassDeleteGuard {
        max_share: r
            .share("sync.mass_delete_guard")
            .unwrap_or(d.mass_delete_guard.max_share),
        min_items: r
            .whole("sync.mass_delete_guard_min_items", 0, 1_000_000)
            .unwrap_or(d.mass_delete_guard.min_items),
    };
    SyncConfig {
        months_past: r.whole("sync.months_past", 0, 120).unwrap_or(d.months_past),
        months_future: r
            .whole("sync.months_future", 0, 120)
            .unwrap_or(d.months_future),
        appointments: r.choice("sync.appointments").unwrap_or(d.appointments),
        tasks: r.choice("sync.tasks").unwrap_or(d.tasks),
        contacts: r
            .choice_among(
                "sync.contacts",
                &[Direction::Export, Direction::Off],
                " (the company address book is only exported to Exchange)",
            )
            .unwrap_or(d.contacts),
        body: r.choice("sync.body").unwrap_or(d.body),
        conflict: r.choice("sync.conflict").unwrap_or(d.conflict),
        mass_delete_guard: guard,
        contact_folder: r
            .text("sync.contact_folder", checks::display_name)
            .unwrap_or(d.contact_folder),
        task_list: r.text("sync.task_list", checks::display_name),
        pair_existing: r.bool("sync.pair_existing").unwrap_or(d.pair_existing),
        time_zone: r
            .text("sync.time_zone", checks::time_zone)
            .unwrap_or(d.time_zone),
    }
}

fn build_logging(r: &mut Resolver<'_>, d: LoggingConfig) -> LoggingConfig {
    LoggingConfig {
        level: r.choice("logging.level").unwrap_or(d.level),
        format: r.choice("logging.format").unwrap_or(d.format),
        file: r.path("logging.file"),
        exchange_transfers: r
            .bool("logging.exchange_transfers")
            .unwrap_or(d.exchange_transfers),
        diagnostics: r.bool("logging.diagnostics").unwrap_or(d.diagnostics),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KEYS;
    use crate::resolve::Resolver;

    #[test]
    fn an_empty_configuration_reads_every_key_and_is_valid() {
        let settings = Settings::new();
        let mut r = Resolver::new(&settings);
        build_service(&mut r, ServiceConfig::default());
        build_database(&mut r);
        build_sync(&mut r, SyncConfig::default());
        build_exchange(&mut r);
        build_logging(&mut r, LoggingConfig::default());
        r.listen("admin.listen");
        r.secret("admin.token");
        let outcome = r.finish();
        assert_eq!(outcome.unread, Vec::<&str>::new());
        assert!(outcome.errors.is_empty());
        assert!(!KEYS.is_empty());
    }
}

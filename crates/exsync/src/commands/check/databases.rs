//! The database checks: the business database reachable with a current integration schema and
//! its enabled users readable; the sync state database reachable.
//!
//! Invariants: the business database is only read (a SQLite file that does not exist is
//! reported, never created); the state database is opened as `sync` opens it (which brings
//! exsync's own tables up to date); every wait is bounded, so a silent server costs at most
//! [`DATABASE_TIMEOUT`]; URLs appear with their password masked only.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use exsync_business::{
    Backend, BusinessDb, BusinessDbOptions, BusinessError, SCHEMA_VERSION, User,
};
use exsync_config::{Config, ExchangeKind};
use exsync_i18n::tr;
use exsync_store::{StateStore, StoreOptions};

use super::report::{CheckId, CheckLine};
use crate::commands::connect::is_postgres;

/// The longest a database may take to answer one step of a check.
pub const DATABASE_TIMEOUT: Duration = Duration::from_secs(15);

/// What the business database check found.
pub struct Business {
    /// Its line (and one for the users, when they are a problem).
    pub lines: Vec<CheckLine>,
    /// The users to check, when they could be read: enabled ones (or the one asked for).
    pub users: Option<Vec<User>>,
    /// True when the database was reached.
    pub reachable: bool,
}

/// Runs `future`, or says it took longer than [`DATABASE_TIMEOUT`].
async fn bounded<T, E: std::fmt::Display>(
    future: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(DATABASE_TIMEOUT, future).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err(timeout_reason()),
    }
}

fn timeout_reason() -> String {
    tr!("check-db-timeout", seconds = DATABASE_TIMEOUT.as_secs())
}

/// The file of a SQLite URL (`sqlite://FILE`, `sqlite:FILE`, with or without `?options`);
/// `None` for in-memory databases and other URLs.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.trim().strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.contains("mode=memory") {
        return None;
    }
    Some(PathBuf::from(path))
}

/// For a PostgreSQL URL with a TCP host: whether the server's port takes a connection, so a
/// closed port is reported at once and with its reason (the pool would keep retrying).
async fn port_open(url: &str) -> Result<(), String> {
    if !is_postgres(url) {
        return Ok(());
    }
    let Ok(parsed) = reqwest::Url::parse(url.trim()) else {
        return Ok(());
    };
    let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
        return Ok(());
    };
    let address = format!("{host}:{}", parsed.port().unwrap_or(5432));
    match tokio::time::timeout(DATABASE_TIMEOUT, tokio::net::TcpStream::connect(&address)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(tr!(
            "check-db-connect-failed",
            address = address.as_str(),
            reason = error.to_string()
        )),
        Err(_) => Err(timeout_reason()),
    }
}

/// Checks the business database and reads the users to check (`only`: one login).
pub async fn business(config: &Config, only: Option<&str>) -> Business {
    let url = config.database.url.expose_secret();
    let shown = config.database.url.redacted();
    let failed = |problem, message, fix| Business {
        lines: vec![CheckLine::failed(
            CheckId::BusinessDatabase,
            problem,
            message,
            fix,
        )],
        users: None,
        reachable: false,
    };
    if let Some(file) = sqlite_file(url)
        && !file.exists()
    {
        return failed(
            "database_missing",
            tr!("check-db-file-missing", file = file.display().to_string()),
            tr!("check-db-file-missing-fix"),
        );
    }
    if let Err(reason) = port_open(url).await {
        return failed(
            "database_unreachable",
            tr!(
                "check-db-unreachable",
                url = shown.as_str(),
                reason = reason
            ),
            tr!("check-db-unreachable-fix"),
        );
    }
    let options = BusinessDbOptions {
        schema: config.database.schema.clone().filter(|_| is_postgres(url)),
        ..BusinessDbOptions::default()
    };
    let connected = tokio::time::timeout(DATABASE_TIMEOUT, BusinessDb::connect_with(url, &options));
    let db = match connected.await.map_err(|_| timeout_reason()) {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(
            BusinessError::Connect { reason, .. } | BusinessError::InvalidUrl { reason, .. },
        )) => Err(reason),
        Ok(Err(other)) => Err(other.to_string()),
        Err(reason) => Err(reason),
    };
    let db = match db {
        Ok(db) => db,
        Err(reason) => {
            return failed(
                "database_unreachable",
                tr!(
                    "check-db-unreachable",
                    url = shown.as_str(),
                    reason = reason
                ),
                tr!("check-db-unreachable-fix"),
            );
        }
    };
    let backend = match db.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let version = match bounded(db.schema_version()).await {
        Ok(version) => version.unwrap_or(0),
        Err(reason) => {
            return failed(
                "database_unreadable",
                tr!("check-db-unreadable", reason = reason),
                tr!("check-db-unreachable-fix"),
            );
        }
    };
    let schema_problem = if version == 0 {
        Some((
            "schema_missing",
            tr!("check-db-schema-missing"),
            tr!("check-db-schema-init-fix"),
        ))
    } else if version < SCHEMA_VERSION {
        Some((
            "schema_outdated",
            tr!(
                "check-db-schema-outdated",
                found = version,
                needed = SCHEMA_VERSION
            ),
            tr!("check-db-schema-init-fix"),
        ))
    } else if version > SCHEMA_VERSION {
        Some((
            "schema_too_new",
            tr!(
                "check-db-schema-too-new",
                found = version,
                needed = SCHEMA_VERSION
            ),
            tr!("check-db-schema-too-new-fix"),
        ))
    } else {
        None
    };
    if let Some((problem, message, fix)) = schema_problem {
        let mut result = failed(problem, message, fix);
        result.reachable = true;
        return result;
    }
    let mut lines = vec![CheckLine::passed(
        CheckId::BusinessDatabase,
        tr!("check-db-passed", backend = backend, version = version),
    )];
    let users = match bounded(db.list_users()).await {
        Ok(users) => users,
        Err(reason) => {
            lines.push(CheckLine::failed(
                CheckId::Users,
                "users_unreadable",
                tr!("check-users-unreadable", reason = reason),
                tr!("check-db-schema-init-fix"),
            ));
            return Business {
                lines,
                users: None,
                reachable: true,
            };
        }
    };
    db.close().await;
    let users = chosen_users(users, only, &mut lines);
    Business {
        lines,
        users: Some(users),
        reachable: true,
    }
}

/// The users to check: every enabled one, or the one named by `only` (enabled or not); a line
/// when there is none.
fn chosen_users(users: Vec<User>, only: Option<&str>, lines: &mut Vec<CheckLine>) -> Vec<User> {
    if let Some(login) = only {
        let chosen: Vec<User> = users.into_iter().filter(|u| u.login == login).collect();
        if chosen.is_empty() {
            lines.push(CheckLine::failed(
                CheckId::Users,
                "unknown_user",
                tr!("check-users-unknown", login = login),
                tr!("check-users-unknown-fix"),
            ));
        }
        return chosen;
    }
    let chosen: Vec<User> = users.into_iter().filter(|u| u.enabled).collect();
    if chosen.is_empty() {
        lines.push(CheckLine::warning(
            CheckId::Users,
            "no_users",
            tr!("check-users-none"),
            tr!("check-users-none-fix"),
        ));
    }
    chosen
}

/// Checks the state database (`database.state_url`, else `database.url`).
pub async fn state(config: &Config, business_reachable: bool) -> CheckLine {
    if config.exchange.kind() == ExchangeKind::Emulator {
        return CheckLine::passed(CheckId::StateDatabase, tr!("check-state-in-memory"));
    }
    let url = config.database.state_url();
    let shared = config.database.state_url.is_none();
    if shared && !business_reachable {
        return CheckLine::skipped(CheckId::StateDatabase, tr!("check-state-shared-skipped"));
    }
    let mut options = StoreOptions::new(url.expose_secret()).acquire_timeout(DATABASE_TIMEOUT);
    if let Some(schema) = config
        .database
        .schema
        .as_ref()
        .filter(|_| is_postgres(url.expose_secret()))
    {
        options = options.schema(schema.clone());
    }
    let opened = match port_open(url.expose_secret()).await {
        Ok(()) => bounded(StateStore::connect_with(options)).await,
        Err(reason) => Err(reason),
    };
    match opened {
        Ok(store) => {
            store.close().await;
            let key = if shared {
                "check-state-passed-shared"
            } else {
                "check-state-passed"
            };
            CheckLine::passed(CheckId::StateDatabase, tr!(key))
        }
        Err(reason) => CheckLine::failed(
            CheckId::StateDatabase,
            "state_unreachable",
            tr!(
                "check-state-unreachable",
                url = url.redacted(),
                reason = reason
            ),
            tr!("check-state-unreachable-fix"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite://exsync.db"),
            Some(PathBuf::from("exsync.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/exsync/b.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/exsync/b.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:data.db"),
            Some(PathBuf::from("data.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("sqlite://file.db?mode=memory"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }
}

//! Opening pools on SQLite and PostgreSQL, and keeping passwords out of every message.
//!
//! Invariant: an error about a URL shows it with the password replaced by `********`; an
//! in-memory SQLite database lives on exactly one connection that is never closed while the
//! pool lives (the database would vanish with it).

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};

use crate::db::BusinessDbOptions;
use crate::error::BusinessError;

/// A pool on a SQLite file (created when missing, WAL mode, foreign keys on) or in memory.
pub(crate) async fn connect_sqlite(
    url: &str,
    options: &BusinessDbOptions,
) -> Result<SqlitePool, BusinessError> {
    let connect = SqliteConnectOptions::from_str(url)
        .map_err(|error| BusinessError::InvalidUrl {
            url: redact_url(url),
            reason: error.to_string(),
        })?
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new();
    let pool = if is_sqlite_memory(url) {
        // The database lives only while a connection is open: keep exactly one, for good.
        pool.max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(connect)
            .await
    } else {
        pool.max_connections(options.max_connections.unwrap_or(4))
            .connect_with(connect.journal_mode(SqliteJournalMode::Wal))
            .await
    };
    pool.map_err(|error| BusinessError::Connect {
        url: redact_url(url),
        reason: error.to_string(),
    })
}

/// A pool on PostgreSQL, with `search_path` set to the configured schema.
pub(crate) async fn connect_postgres(
    url: &str,
    options: &BusinessDbOptions,
) -> Result<PgPool, BusinessError> {
    let mut connect = PgConnectOptions::from_str(url).map_err(|_| BusinessError::InvalidUrl {
        url: redact_url(url),
        reason: "not a valid postgres:// URL".to_owned(),
    })?;
    if connect.get_application_name().is_none() {
        connect = connect.application_name("exsync-business");
    }
    if let Some(schema) = &options.schema {
        check_schema_name(schema)?;
        connect = connect.options([("search_path", schema.as_str())]);
    }
    PgPoolOptions::new()
        .max_connections(options.max_connections.unwrap_or(8))
        .connect_with(connect)
        .await
        .map_err(|error| BusinessError::Connect {
            url: redact_url(url),
            reason: scrub(&error.to_string(), url),
        })
}

/// Accepts the schema names that need no quoting: lower-case letters, digits and `_`.
pub(crate) fn check_schema_name(schema: &str) -> Result<(), BusinessError> {
    let mut chars = schema.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    if first_ok
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && schema.len() <= 63
        && !schema.starts_with("pg_")
    {
        Ok(())
    } else {
        Err(BusinessError::Invalid(format!(
            "schema name {schema:?}: use 1-63 lower-case letters, digits or '_', not starting \
             with a digit or 'pg_'"
        )))
    }
}

fn is_sqlite_memory(url: &str) -> bool {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    path == ":memory:" || query.split('&').any(|pair| pair == "mode=memory")
}

/// The URL with the password (user part or `password=` parameter) replaced by `********`.
pub(crate) fn redact_url(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(password) = password_of(url) {
        out = out.replace(&format!(":{password}@"), ":********@");
        out = out.replace(&format!("password={password}"), "password=********");
    }
    out
}

fn password_of(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if let Some((userinfo, _)) = authority.rsplit_once('@')
        && let Some((_, password)) = userinfo.split_once(':')
        && !password.is_empty()
    {
        return Some(password);
    }
    let (_, query) = rest.split_once('?')?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("password="))
        .filter(|password| !password.is_empty())
}

fn scrub(message: &str, url: &str) -> String {
    match password_of(url) {
        Some(password) => message.replace(password, "********"),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact_url("postgres://exsync:s3cret@db/erp"),
            "postgres://exsync:********@db/erp"
        );
        assert_eq!(
            redact_url("postgres://db/erp?user=x&password=s3cret"),
            "postgres://db/erp?user=x&password=********"
        );
        assert_eq!(redact_url("sqlite://erp.db"), "sqlite://erp.db");
        assert_eq!(
            scrub("auth failed for s3cret", "postgres://u:s3cret@h/d"),
            "auth failed for ********"
        );
    }

    #[test]
    fn schema_names_need_no_quoting() {
        assert!(check_schema_name("erp_sync").is_ok());
        assert!(check_schema_name("ERP").is_err());
        assert!(check_schema_name("pg_catalog").is_err());
        assert!(check_schema_name("x; DROP TABLE y").is_err());
    }

    #[test]
    fn memory_urls_are_recognised() {
        assert!(is_sqlite_memory("sqlite::memory:"));
        assert!(is_sqlite_memory("sqlite://:memory:"));
        assert!(is_sqlite_memory("sqlite://x?mode=memory"));
        assert!(!is_sqlite_memory("sqlite://erp.db"));
    }
}

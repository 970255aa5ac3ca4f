//! How to open a state store: the URL plus the few knobs an operator may need.
//!
//! Invariant: a [`StoreOptions`] never shows its password — `Debug` prints the redacted URL —
//! and a schema name that reaches SQL has passed [`validate_schema_name`].

use std::fmt;
use std::time::Duration;

use crate::error::StoreError;
use crate::redact::redact_url;

/// The database engines the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// SQLite, embedded: `sqlite://path/to/file.db` or `sqlite::memory:`.
    Sqlite,
    /// PostgreSQL: `postgres://user@host:port/database`.
    Postgres,
}

impl BackendKind {
    /// Which engine `url` names, from its scheme.
    pub fn of_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(BackendKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(BackendKind::Postgres)
        } else {
            Err(StoreError::InvalidUrl {
                url: redact_url(url),
                reason: "expected a sqlite:, postgres:// or postgresql:// URL".to_owned(),
            })
        }
    }
}

/// Where and how to open a [`StateStore`](crate::StateStore).
#[derive(Clone)]
pub struct StoreOptions {
    pub(crate) url: String,
    pub(crate) schema: Option<String>,
    pub(crate) max_connections: Option<u32>,
    pub(crate) busy_timeout: Duration,
    pub(crate) acquire_timeout: Duration,
}

impl StoreOptions {
    /// SQLite waits this long for another writer before giving up with `SQLITE_BUSY`.
    pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
    /// A call waits this long for a free (or new) connection before failing.
    pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

    /// Options for the database at `url`, with defaults for everything else.
    pub fn new(url: impl Into<String>) -> Self {
        StoreOptions {
            url: url.into(),
            schema: None,
            max_connections: None,
            busy_timeout: Self::DEFAULT_BUSY_TIMEOUT,
            acquire_timeout: Self::DEFAULT_ACQUIRE_TIMEOUT,
        }
    }

    /// PostgreSQL only: keep the state tables in `schema` (created if missing) instead of the
    /// login's default `search_path`. Lower-case ASCII letters, digits and `_`, at most 63
    /// bytes, not starting with a digit or `pg_`.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// The most connections the pool opens (default: 4 on a SQLite file, 1 for SQLite in
    /// memory, 8 on PostgreSQL).
    pub fn max_connections(mut self, max_connections: u32) -> Self {
        self.max_connections = Some(max_connections);
        self
    }

    /// SQLite only: how long a write waits for another writer (default 10 s).
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// How long a call waits for a connection, including connecting (default 30 s).
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted_url(&self) -> String {
        redact_url(&self.url)
    }
}

impl fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreOptions")
            .field("url", &self.redacted_url())
            .field("schema", &self.schema)
            .field("max_connections", &self.max_connections)
            .field("busy_timeout", &self.busy_timeout)
            .field("acquire_timeout", &self.acquire_timeout)
            .finish()
    }
}

/// Accepts only names that need no quoting in PostgreSQL, so that the same spelling works in
/// `search_path` and in `CREATE SCHEMA`.
pub(crate) fn validate_schema_name(schema: &str) -> Result<(), StoreError> {
    let mut chars = schema.chars();
    let starts_well = chars
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_');
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if starts_well && rest_ok && schema.len() <= 63 && !schema.starts_with("pg_") {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "schema name {schema:?}: use 1-63 lower-case ASCII letters, digits or '_', \
             not starting with a digit or 'pg_'"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_backends_by_scheme() {
        assert_eq!(
            BackendKind::of_url("sqlite::memory:").ok(),
            Some(BackendKind::Sqlite)
        );
        assert_eq!(
            BackendKind::of_url("sqlite://state.db").ok(),
            Some(BackendKind::Sqlite)
        );
        assert_eq!(
            BackendKind::of_url("postgresql://db/erp").ok(),
            Some(BackendKind::Postgres)
        );
        let refused = BackendKind::of_url("mysql://root:hunter2@db/erp");
        let message = refused.err().map(|error| error.to_string());
        assert_eq!(
            message.as_deref(),
            Some(
                "invalid state store URL mysql://root:***@db/erp: \
                 expected a sqlite:, postgres:// or postgresql:// URL"
            )
        );
    }

    #[test]
    fn schema_names_that_need_quoting_are_refused() {
        for good in ["exsync", "_state", "exsync_t_0af3", "a1"] {
            assert!(validate_schema_name(good).is_ok(), "{good}");
        }
        let too_long = "a".repeat(64);
        for bad in [
            "",
            "Exsync",
            "1abc",
            "pg_temp",
            "a-b",
            "a b",
            "x\"; drop",
            too_long.as_str(),
        ] {
            assert!(validate_schema_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_output_hides_the_password() {
        let options = StoreOptions::new("postgres://exsync:hunter2@db/erp").schema("exsync");
        let shown = format!("{options:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgres://exsync:***@db/erp"), "{shown}");
    }
}

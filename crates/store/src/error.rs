//! The store's error type.
//!
//! Invariant: no message carries a database password. Errors about connecting hold the URL only
//! in redacted form and the driver's message as text scrubbed of the password (not the driver
//! error itself, whose `source()` chain could repeat the URL); errors about queries never see
//! the URL at all.

use sqlx::error::ErrorKind;

/// What can go wrong in the state store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The URL names no supported database or cannot be parsed.
    #[error("invalid state store URL {url}: {reason}")]
    InvalidUrl {
        /// The URL with any password replaced by `***`.
        url: String,
        /// Why it was refused.
        reason: String,
    },

    /// An option or argument is out of range (e.g. a schema name, a lease duration).
    #[error("invalid state store argument: {0}")]
    Invalid(String),

    /// The database could not be reached or refused the login.
    #[error("cannot connect to the state store at {url}: {reason}")]
    Connect {
        /// The URL with any password replaced by `***`.
        url: String,
        /// The driver's message, scrubbed of the password.
        reason: String,
    },

    /// The schema migrations could not be applied.
    #[error("cannot migrate the state store schema at {url}: {source}")]
    Migrate {
        /// The URL with any password replaced by `***`.
        url: String,
        /// What the migrator reported.
        #[source]
        source: sqlx::migrate::MigrateError,
    },

    /// A write would break a uniqueness rule, e.g. two links of one mailbox and kind claiming
    /// the same Exchange item. Nothing of the failed call was written.
    #[error("{operation} conflicts with an existing row: {detail}")]
    Conflict {
        /// The store operation that failed, e.g. `commit links`.
        operation: &'static str,
        /// The database's description of the broken constraint.
        detail: String,
    },

    /// A statement failed for another reason (I/O, timeout, lock, ...).
    #[error("{operation} failed: {source}")]
    Query {
        /// The store operation that failed, e.g. `list links`.
        operation: &'static str,
        /// The driver error.
        #[source]
        source: sqlx::Error,
    },

    /// A stored row holds a value this version cannot read (e.g. an unknown item kind).
    #[error("unreadable row in {table}: {detail}")]
    Corrupt {
        /// The table holding the row.
        table: &'static str,
        /// What could not be read.
        detail: String,
    },
}

/// The result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// Whether trying the same call again later may succeed: the database was unreachable,
    /// busy, or aborted the transaction to break a deadlock or a serialization conflict.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Connect { .. } => true,
            StoreError::Query { source, .. } => is_transient(source),
            StoreError::InvalidUrl { .. }
            | StoreError::Invalid(_)
            | StoreError::Migrate { .. }
            | StoreError::Conflict { .. }
            | StoreError::Corrupt { .. } => false,
        }
    }

    /// Whether this is a uniqueness conflict ([`StoreError::Conflict`]).
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }

    /// Wraps a driver error raised while running `operation`, telling uniqueness conflicts
    /// apart from other failures.
    pub(crate) fn query(operation: &'static str, source: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &source
            && db.kind() == ErrorKind::UniqueViolation
        {
            return StoreError::Conflict {
                operation,
                detail: db.message().to_owned(),
            };
        }
        StoreError::Query { operation, source }
    }

    /// A closure for `map_err` that wraps driver errors of `operation`.
    pub(crate) fn during(operation: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |source| Self::query(operation, source)
    }
}

/// SQLSTATE codes of PostgreSQL errors that go away on retry.
const POSTGRES_TRANSIENT: [&str; 4] = [
    "40001", // serialization_failure
    "40P01", // deadlock_detected
    "57P03", // cannot_connect_now
    "55P03", // lock_not_available
];

/// SQLite primary result codes that go away on retry: `SQLITE_BUSY` and `SQLITE_LOCKED`.
const SQLITE_TRANSIENT: [i64; 2] = [5, 6];

fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let Some(code) = db.code() else {
                return false;
            };
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // SQLite reports the extended result code; its low byte is the primary code.
                code.parse::<i64>()
                    .is_ok_and(|extended| SQLITE_TRANSIENT.contains(&(extended & 0xff)))
            } else {
                POSTGRES_TRANSIENT.contains(&code.as_ref())
            }
        }
        _ => false,
    }
}

//! Errors of the business connector.
//!
//! Invariant: an error about one record ([`RowError`]) names the table, the record's id, the
//! column when one is to blame, what is wrong and how to fix it, so a vendor can act on the log
//! line alone; it never stops the other records of a batch. Errors never contain a password
//! (URLs are shown redacted).

use std::fmt;

/// What is wrong with one record of the integration tables, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RowError {
    /// The table holding the record (`exsync_appointments`, `exsync_appointment_exceptions`, ...).
    pub table: &'static str,
    /// The record's id (for an exception row: the id of its appointment).
    pub id: String,
    /// For an exception row: its `original_start` as written.
    pub occurrence: Option<String>,
    /// The column to blame, when one is.
    pub column: Option<&'static str>,
    /// What is wrong.
    pub problem: Box<str>,
    /// What to do about it.
    pub fix: Box<str>,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.occurrence {
            Some(occurrence) => write!(
                f,
                "{} row (appointment_id {:?}, original_start {:?})",
                self.table, self.id, occurrence
            )?,
            None => write!(f, "{} row {:?}", self.table, self.id)?,
        }
        if let Some(column) = self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}; fix: {}", self.problem, self.fix)
    }
}

/// A problem found in one column, before the record it belongs to is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The column to blame, if any.
    pub column: Option<&'static str>,
    /// What is wrong.
    pub problem: String,
    /// What to do about it.
    pub fix: String,
}

impl Problem {
    /// A problem with `column`.
    pub fn at(column: &'static str, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            column: Some(column),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// A problem with the record as a whole.
    pub fn whole(problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            column: None,
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// Names the record: `table` row `id`.
    pub fn in_row(self, table: &'static str, id: &str) -> RowError {
        RowError {
            table,
            id: id.to_owned(),
            occurrence: None,
            column: self.column,
            problem: self.problem.into_boxed_str(),
            fix: self.fix.into_boxed_str(),
        }
    }

    /// Names an exception row by its appointment and original start.
    pub fn in_exception(self, appointment_id: &str, original_start: &str) -> RowError {
        RowError {
            occurrence: Some(original_start.to_owned()),
            ..self.in_row(crate::tables::EXCEPTIONS, appointment_id)
        }
    }
}

/// Why a call to the business database failed.
#[derive(Debug, thiserror::Error)]
pub enum BusinessError {
    /// The URL is not a usable SQLite or PostgreSQL URL.
    #[error("the business database URL {url} is not usable: {reason}")]
    InvalidUrl {
        /// The URL with any password masked.
        url: String,
        /// Why.
        reason: String,
    },
    /// The database could not be reached or opened.
    #[error("cannot open the business database {url}: {reason}")]
    Connect {
        /// The URL with any password masked.
        url: String,
        /// Why.
        reason: String,
    },
    /// A statement failed.
    #[error("business database error while {context}: {source}")]
    Database {
        /// What exsync was doing.
        context: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The database holds a newer integration schema than this build knows.
    #[error(
        "the business schema in this database is version {found}, this exsync knows up to \
         version {supported}: update exsync"
    )]
    SchemaTooNew {
        /// The version found in `exsync_business_schema_version`.
        found: i64,
        /// The newest version this build can apply.
        supported: i64,
    },
    /// No record with this id.
    #[error("{table} has no row {id:?}")]
    NotFound {
        /// The table searched.
        table: &'static str,
        /// The id looked for.
        id: String,
    },
    /// A record with this id exists already.
    #[error("{table} already has a row {id:?}: choose another id or change the existing row")]
    AlreadyExists {
        /// The table.
        table: &'static str,
        /// The id.
        id: String,
    },
    /// The owner of an appointment or task is not a user.
    #[error("user {login:?} is not in exsync_users: add the user first")]
    UnknownUser {
        /// The login name given.
        login: String,
    },
    /// A user still owns appointments or tasks and cannot be removed.
    #[error(
        "user {login:?} still owns {items} appointments or tasks: disable the user \
         (enabled = FALSE) or delete or reassign those items first"
    )]
    UserHasItems {
        /// The login name.
        login: String,
        /// How many items the user owns.
        items: i64,
    },
    /// One record is malformed (read) or cannot be stored (write).
    #[error(transparent)]
    Item(#[from] RowError),
    /// A setting or argument is not acceptable.
    #[error("{0}")]
    Invalid(String),
}

impl BusinessError {
    /// A closure mapping a driver error to [`BusinessError::Database`] with `context`.
    pub(crate) fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> BusinessError {
        move |source| BusinessError::Database { context, source }
    }

    /// True when trying again later may succeed (lost connection, busy or locked database,
    /// serialization failure, deadlock, pool exhausted).
    pub fn is_retryable(&self) -> bool {
        let BusinessError::Database { source, .. } = self else {
            return matches!(self, BusinessError::Connect { .. });
        };
        match source {
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
            sqlx::Error::Database(error) => {
                let code = error.code();
                matches!(
                    code.as_deref(),
                    // SQLite: BUSY, LOCKED (with extended codes); PostgreSQL: serialization
                    // failure, deadlock, admin shutdown, cannot connect now.
                    Some("5" | "6" | "261" | "262" | "517" | "40001" | "40P01" | "57P01" | "57P03")
                )
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_errors_name_table_id_column_and_fix() {
        let error = Problem::at(
            "start_zone",
            "unknown time zone \"Mars\"",
            "use Europe/Berlin",
        )
        .in_row("exsync_appointments", "A-1");
        assert_eq!(
            error.to_string(),
            "exsync_appointments row \"A-1\", column start_zone: unknown time zone \"Mars\"; \
             fix: use Europe/Berlin"
        );
        let error = Problem::whole("two rows for one occurrence", "delete one")
            .in_exception("A-1", "2026-03-16");
        assert_eq!(
            error.to_string(),
            "exsync_appointment_exceptions row (appointment_id \"A-1\", original_start \
             \"2026-03-16\"): two rows for one occurrence; fix: delete one"
        );
    }

    #[test]
    fn only_transient_database_errors_are_retryable() {
        let timeout = BusinessError::Database {
            context: "reading",
            source: sqlx::Error::PoolTimedOut,
        };
        assert!(timeout.is_retryable());
        let missing = BusinessError::NotFound {
            table: "exsync_users",
            id: "eva".into(),
        };
        assert!(!missing.is_retryable());
    }
}

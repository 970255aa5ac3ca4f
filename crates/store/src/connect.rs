//! Opening the database and bringing its schema up to date.
//!
//! Invariant: a pool handed out by [`open`] points at a database whose `exsync_` tables are
//! fully migrated; SQLite files run in WAL mode with foreign keys on and a busy timeout; an
//! in-memory SQLite database lives on one connection that is never closed while the pool lives.
//! Every error names the URL in redacted form only.

use std::str::FromStr;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, PgPool, SqlitePool};

use crate::backend::Backend;
use crate::error::StoreError;
use crate::options::{BackendKind, StoreOptions, validate_schema_name};
use crate::redact::Secrets;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

const DEFAULT_SQLITE_FILE_CONNECTIONS: u32 = 4;
const DEFAULT_POSTGRES_CONNECTIONS: u32 = 8;

/// Connects as `options` say and runs pending migrations.
pub(crate) async fn open(options: &StoreOptions) -> Result<Backend, StoreError> {
    let backend = match BackendKind::of_url(&options.url)? {
        BackendKind::Sqlite => Backend::Sqlite(open_sqlite(options).await?),
        BackendKind::Postgres => Backend::Postgres(open_postgres(options).await?),
    };
    migrate(&backend, options).await?;
    tracing::debug!(url = %options.redacted_url(), "state store open and migrated");
    Ok(backend)
}

/// Applies the migrations this build knows and the database lacks; a no-op when up to date.
pub(crate) async fn migrate(backend: &Backend, options: &StoreOptions) -> Result<(), StoreError> {
    let outcome = match backend {
        Backend::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
        Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
    };
    outcome.map_err(|source| StoreError::Migrate {
        url: options.redacted_url(),
        source,
    })
}

async fn open_sqlite(options: &StoreOptions) -> Result<SqlitePool, StoreError> {
    if options.schema.is_some() {
        return Err(StoreError::Invalid(
            "a schema can only be chosen on PostgreSQL".to_owned(),
        ));
    }
    let connect_options = SqliteConnectOptions::from_str(&options.url)
        .map_err(|error| invalid_url(options, &error))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true)
        .busy_timeout(options.busy_timeout);
    let pool_options = SqlitePoolOptions::new().acquire_timeout(options.acquire_timeout);
    let pool_options = if is_sqlite_memory(&options.url) {
        // The database exists only while a connection to it is open: keep exactly one, for
        // good. (One connection also avoids shared-cache table locks, which do not wait.)
        pool_options
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        pool_options.max_connections(
            options
                .max_connections
                .unwrap_or(DEFAULT_SQLITE_FILE_CONNECTIONS),
        )
    };
    pool_options
        .connect_with(connect_options)
        .await
        .map_err(|error| connect_failed(options, &error))
}

async fn open_postgres(options: &StoreOptions) -> Result<PgPool, StoreError> {
    let mut connect_options =
        PgConnectOptions::from_str(&options.url).map_err(|error| invalid_url(options, &error))?;
    if connect_options.get_application_name().is_none() {
        connect_options = connect_options.application_name("exsync");
    }
    if let Some(schema) = &options.schema {
        validate_schema_name(schema)?;
        connect_options = connect_options.options([("search_path", schema)]);
    }
    let pool = PgPoolOptions::new()
        .max_connections(
            options
                .max_connections
                .unwrap_or(DEFAULT_POSTGRES_CONNECTIONS),
        )
        .acquire_timeout(options.acquire_timeout)
        .connect_with(connect_options)
        .await
        .map_err(|error| connect_failed(options, &error))?;
    if let Some(schema) = &options.schema {
        create_schema_if_missing(&pool, schema).await?;
    }
    Ok(pool)
}

/// Creates `schema` unless it exists. Looks first: `CREATE SCHEMA IF NOT EXISTS` demands the
/// privilege to create schemas even when there is nothing to create, which a login confined to
/// a schema prepared by its DBA does not have.
async fn create_schema_if_missing(pool: &PgPool, schema: &str) -> Result<(), StoreError> {
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)",
    )
    .bind(schema)
    .fetch_one(pool)
    .await
    .map_err(StoreError::during("look up schema"))?;
    if !exists {
        // The name passed `validate_schema_name`: plain lower-case letters, digits and '_'.
        let create = format!("CREATE SCHEMA IF NOT EXISTS {schema}");
        sqlx::query(AssertSqlSafe(create))
            .execute(pool)
            .await
            .map_err(StoreError::during("create schema"))?;
    }
    Ok(())
}

/// Whether a SQLite URL names an in-memory database rather than a file.
fn is_sqlite_memory(url: &str) -> bool {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (database, params) = rest.split_once('?').unwrap_or((rest, ""));
    database == ":memory:" || params.split('&').any(|param| param == "mode=memory")
}

fn invalid_url(options: &StoreOptions, error: &sqlx::Error) -> StoreError {
    StoreError::InvalidUrl {
        url: options.redacted_url(),
        reason: Secrets::of_url(&options.url).scrub(&error.to_string()),
    }
}

fn connect_failed(options: &StoreOptions, error: &sqlx::Error) -> StoreError {
    let reason = match error {
        // The pool retries refused connections until its deadline, then says only this.
        sqlx::Error::PoolTimedOut => format!(
            "no connection within {:?}: the server refused connections or did not answer",
            options.acquire_timeout
        ),
        other => Secrets::of_url(&options.url).scrub(&other.to_string()),
    };
    StoreError::Connect {
        url: options.redacted_url(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_memory_databases_from_files() {
        assert!(is_sqlite_memory("sqlite::memory:"));
        assert!(is_sqlite_memory("sqlite://:memory:"));
        assert!(is_sqlite_memory("sqlite://?mode=memory"));
        assert!(is_sqlite_memory("sqlite://shared?cache=shared&mode=memory"));
        assert!(!is_sqlite_memory("sqlite://state/exsync.db"));
        assert!(!is_sqlite_memory("sqlite:///var/lib/exsync/memory.db"));
    }
}

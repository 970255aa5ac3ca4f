//! Creating and upgrading the integration schema.
//!
//! Invariant: each version's scripts run at most once per database (or PostgreSQL schema),
//! inside one transaction together with the row recording it in
//! `exsync_business_schema_version`; concurrent `init_schema` calls serialise (SQLite write lock,
//! PostgreSQL advisory lock), so the schema is either at a version or not, never in between.
//! sqlx's migrator is not used: `_sqlx_migrations` belongs to the state store.

use sqlx::AssertSqlSafe;

use crate::db::{BusinessDb, Pool, Tx};
use crate::error::BusinessError;
use crate::sql::Param;

/// The newest integration schema version this build knows.
pub const SCHEMA_VERSION: i64 = 1;

const SQLITE_VERSIONS: &[&[&str]] = &[&[
    include_str!("../sql/sqlite/v1_tables.sql"),
    include_str!("../sql/sqlite/v1_journal.sql"),
]];

const POSTGRES_VERSIONS: &[&[&str]] = &[&[
    include_str!("../sql/postgres/v1_tables.sql"),
    include_str!("../sql/postgres/v1_journal.sql"),
]];

/// What [`BusinessDb::init_schema`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaInit {
    /// The version before (0 = no integration tables).
    pub from: i64,
    /// The version now.
    pub to: i64,
}

impl SchemaInit {
    /// True when nothing had to be done.
    pub fn was_current(&self) -> bool {
        self.from == self.to
    }
}

impl BusinessDb {
    /// Creates the integration tables, journal and triggers, or brings them up to
    /// [`SCHEMA_VERSION`]; does nothing when they are current. On PostgreSQL the configured
    /// schema is created first when missing.
    pub async fn init_schema(&self) -> Result<SchemaInit, BusinessError> {
        let context = "initialising the integration schema";
        let (mut tx, versions) = match &self.pool {
            Pool::Sqlite(pool) => {
                let tx = pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(BusinessError::db(context))?;
                (Tx::Sqlite(tx), SQLITE_VERSIONS)
            }
            Pool::Postgres(pool) => {
                if let Some(schema) = &self.schema {
                    // The name passed check_schema_name at connect: nothing to quote.
                    let create = format!("CREATE SCHEMA IF NOT EXISTS {schema}");
                    sqlx::query(AssertSqlSafe(create))
                        .execute(pool)
                        .await
                        .map_err(BusinessError::db("creating the schema"))?;
                }
                let mut tx = Tx::Postgres(pool.begin().await.map_err(BusinessError::db(context))?);
                tx.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.exsync_business_schema'))",
                    Vec::new(),
                )
                .await
                .map_err(BusinessError::db(context))?;
                (tx, POSTGRES_VERSIONS)
            }
        };
        let create_version_table = if tx.is_sqlite() {
            "CREATE TABLE IF NOT EXISTS exsync_business_schema_version (\
             version INTEGER NOT NULL PRIMARY KEY, \
             applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        } else {
            "CREATE TABLE IF NOT EXISTS exsync_business_schema_version (\
             version INTEGER PRIMARY KEY, \
             applied_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        };
        tx.execute(create_version_table, Vec::new())
            .await
            .map_err(BusinessError::db(context))?;
        let from = current_version(&mut tx).await?;
        if from > SCHEMA_VERSION {
            return Err(BusinessError::SchemaTooNew {
                found: from,
                supported: SCHEMA_VERSION,
            });
        }
        for (version, scripts) in (1..).zip(versions.iter()) {
            if version <= from {
                continue;
            }
            for script in scripts.iter() {
                tx.execute_script(script)
                    .await
                    .map_err(BusinessError::db("applying the integration schema"))?;
            }
            tx.execute(
                "INSERT INTO exsync_business_schema_version (version) VALUES ($1)",
                vec![Param::Int(Some(version))],
            )
            .await
            .map_err(BusinessError::db(context))?;
            tracing::info!(version, "business integration schema applied");
        }
        tx.commit().await.map_err(BusinessError::db(context))?;
        Ok(SchemaInit {
            from,
            to: from.max(SCHEMA_VERSION),
        })
    }

    /// The integration schema version of this database; `None` before [`Self::init_schema`].
    pub async fn schema_version(&self) -> Result<Option<i64>, BusinessError> {
        let context = "reading the schema version";
        let mut tx = self.begin_read().await?;
        let exists_sql = if tx.is_sqlite() {
            "SELECT count(*) AS n FROM sqlite_master \
             WHERE type = 'table' AND name = 'exsync_business_schema_version'"
        } else {
            "SELECT count(*) AS n FROM pg_catalog.pg_tables \
             WHERE schemaname = current_schema() AND tablename = 'exsync_business_schema_version'"
        };
        let rows = tx
            .fetch(exists_sql, Vec::new())
            .await
            .map_err(BusinessError::db(context))?;
        let exists = rows
            .first()
            .and_then(|row| row.int("n").ok().flatten())
            .unwrap_or(0)
            > 0;
        if !exists {
            return Ok(None);
        }
        Ok(Some(current_version(&mut tx).await?))
    }
}

async fn current_version(tx: &mut Tx) -> Result<i64, BusinessError> {
    let rows = tx
        .fetch(
            "SELECT COALESCE(MAX(version), 0) AS version FROM exsync_business_schema_version",
            Vec::new(),
        )
        .await
        .map_err(BusinessError::db("reading the schema version"))?;
    Ok(rows
        .first()
        .and_then(|row| row.int("version").ok().flatten())
        .unwrap_or(0))
}

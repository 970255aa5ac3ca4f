//! The connection to the business database (SQLite or PostgreSQL) and its transactions.
//!
//! Invariant: every write goes through a [`WriteTx`], which marks the transaction with its
//! [`Origin`] before the first change and, on SQLite, resets the marker before committing: a
//! committed database always says `business`, so no other writer is ever mistaken for exsync.

use std::str::FromStr;
use std::time::Duration;

use sqlx::query::Query;
use sqlx::{Database, Encode, PgPool, Postgres, Sqlite, SqlitePool, Transaction, Type};

use crate::connect::{connect_postgres, connect_sqlite, redact_url};
use crate::error::BusinessError;
use futures_util::TryStreamExt;

use crate::sql::{ColumnNames, Param, Row};

/// Who made a change: the business application (or a vendor tool, or an import) or exsync
/// writing what it brought from Exchange. Journal entries carry it so exsync does not echo its
/// own writes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The business side.
    Business,
    /// exsync, applying a change that came from Exchange.
    Exsync,
}

impl Origin {
    /// The text stored in the journal: `business` or `exsync`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Business => "business",
            Origin::Exsync => "exsync",
        }
    }
}

impl FromStr for Origin {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "business" => Ok(Origin::Business),
            "exsync" => Ok(Origin::Exsync),
            other => Err(format!(
                "unknown origin {other:?}: expected business or exsync"
            )),
        }
    }
}

/// Which database engine holds the integration tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (a file or in memory).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// How to connect.
#[derive(Debug, Clone)]
pub struct BusinessDbOptions {
    /// PostgreSQL only: the schema holding the integration tables (created by
    /// [`BusinessDb::init_schema`]); `None` = the server's search path (usually `public`).
    pub schema: Option<String>,
    /// The largest number of pooled connections (default: 4 for SQLite files, 8 for
    /// PostgreSQL; an in-memory SQLite database always uses one).
    pub max_connections: Option<u32>,
    /// SQLite only: how often [`crate::JournalListener`] looks for new journal entries.
    pub journal_poll_interval: Duration,
}

impl Default for BusinessDbOptions {
    fn default() -> Self {
        Self {
            schema: None,
            max_connections: None,
            journal_poll_interval: Duration::from_secs(1),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle on the business database; cheap to clone (a connection pool).
#[derive(Debug, Clone)]
pub struct BusinessDb {
    pub(crate) pool: Pool,
    pub(crate) schema: Option<String>,
    pub(crate) poll_interval: Duration,
}

impl BusinessDb {
    /// Connects with default options: `sqlite://file.db` (the file is created when missing),
    /// `sqlite::memory:`, or `postgres://user@host/database`.
    pub async fn connect(url: &str) -> Result<Self, BusinessError> {
        Self::connect_with(url, &BusinessDbOptions::default()).await
    }

    /// Connects as `options` say.
    pub async fn connect_with(
        url: &str,
        options: &BusinessDbOptions,
    ) -> Result<Self, BusinessError> {
        let url = url.trim();
        let pool = if url.starts_with("sqlite:") {
            if options.schema.is_some() {
                return Err(BusinessError::Invalid(
                    "a schema can only be chosen on PostgreSQL; SQLite has none".to_owned(),
                ));
            }
            Pool::Sqlite(connect_sqlite(url, options).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Pool::Postgres(connect_postgres(url, options).await?)
        } else {
            return Err(BusinessError::InvalidUrl {
                url: redact_url(url),
                reason: "use sqlite://FILE, sqlite::memory: or postgres://USER@HOST/DATABASE"
                    .to_owned(),
            });
        };
        Ok(Self {
            pool,
            schema: options.schema.clone(),
            poll_interval: options.journal_poll_interval,
        })
    }

    /// The engine behind this handle.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes every pooled connection (an in-memory SQLite database is gone afterwards).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// A read-only transaction seeing one consistent state of the database.
    pub(crate) async fn begin_read(&self) -> Result<Tx, BusinessError> {
        let context = "starting a read transaction";
        Ok(match &self.pool {
            Pool::Sqlite(pool) => {
                Tx::Sqlite(pool.begin().await.map_err(BusinessError::db(context))?)
            }
            Pool::Postgres(pool) => Tx::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
                    .map_err(BusinessError::db(context))?,
            ),
        })
    }

    /// A write transaction whose changes the journal attributes to `origin`.
    pub(crate) async fn begin_write(&self, origin: Origin) -> Result<WriteTx, BusinessError> {
        let context = "starting a write transaction";
        let mut tx = match &self.pool {
            // IMMEDIATE takes the write lock now: the marker below is then the first change.
            Pool::Sqlite(pool) => Tx::Sqlite(
                pool.begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(BusinessError::db(context))?,
            ),
            Pool::Postgres(pool) => {
                Tx::Postgres(pool.begin().await.map_err(BusinessError::db(context))?)
            }
        };
        if origin == Origin::Exsync {
            let mark = match tx {
                Tx::Sqlite(_) => {
                    "INSERT INTO exsync_write_origin (id, origin) VALUES (1, 'exsync') \
                     ON CONFLICT (id) DO UPDATE SET origin = excluded.origin"
                }
                Tx::Postgres(_) => "SELECT set_config('exsync.origin', 'exsync', true)",
            };
            tx.execute(mark, Vec::new())
                .await
                .map_err(BusinessError::db("marking the write as exsync's"))?;
        }
        Ok(WriteTx { tx, origin })
    }

    /// Runs `delete` (a `DELETE ... WHERE id = $1` of an item table) for `id` in a write
    /// transaction attributed to `origin`; `false` when there was no such row.
    pub(crate) async fn delete_row(
        &self,
        delete: &'static str,
        id: &exsync_model::BusinessId,
        origin: Origin,
        context: &'static str,
    ) -> Result<bool, BusinessError> {
        let mut write = self.begin_write(origin).await?;
        let deleted = write
            .tx()
            .execute(delete, vec![Param::text(id.as_str())])
            .await
            .map_err(BusinessError::db(context))?;
        write.commit().await?;
        Ok(deleted > 0)
    }
}

/// An open transaction on either engine.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    /// Runs a statement; returns the number of rows it changed.
    pub async fn execute(
        &mut self,
        sql: &'static str,
        params: Vec<Param>,
    ) -> Result<u64, sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => Ok(bind_all(sqlx::query(sql), params)
                .execute(&mut **tx)
                .await?
                .rows_affected()),
            Tx::Postgres(tx) => Ok(bind_all(sqlx::query(sql), params)
                .execute(&mut **tx)
                .await?
                .rows_affected()),
        }
    }

    /// Runs a query and reads all its rows.
    pub async fn fetch(
        &mut self,
        sql: &'static str,
        params: Vec<Param>,
    ) -> Result<Vec<Row>, sqlx::Error> {
        // Rows are converted as they arrive, so a large listing is not held twice.
        let mut names = ColumnNames::default();
        let mut rows = Vec::new();
        match self {
            Tx::Sqlite(tx) => {
                let mut stream = bind_all(sqlx::query(sql), params).fetch(&mut **tx);
                while let Some(row) = stream.try_next().await? {
                    rows.push(Row::from_sqlite(&row, &mut names)?);
                }
            }
            Tx::Postgres(tx) => {
                let mut stream = bind_all(sqlx::query(sql), params).fetch(&mut **tx);
                while let Some(row) = stream.try_next().await? {
                    rows.push(Row::from_pg(&row, &mut names)?);
                }
            }
        }
        Ok(rows)
    }

    /// Runs a script of several statements (schema files).
    pub async fn execute_script(&mut self, script: &'static str) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => {
                sqlx::raw_sql(script).execute(&mut **tx).await?;
            }
            Tx::Postgres(tx) => {
                sqlx::raw_sql(script).execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    /// Makes the changes permanent.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    /// True on SQLite.
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Tx::Sqlite(_))
    }
}

/// A write transaction marked with its origin. Dropping it without [`WriteTx::commit`] rolls
/// everything back, marker included.
pub(crate) struct WriteTx {
    tx: Tx,
    origin: Origin,
}

impl WriteTx {
    /// The transaction, for statements.
    pub fn tx(&mut self) -> &mut Tx {
        &mut self.tx
    }

    /// Resets the SQLite marker and commits.
    pub async fn commit(mut self) -> Result<(), BusinessError> {
        if self.origin == Origin::Exsync && self.tx.is_sqlite() {
            self.tx
                .execute(
                    "UPDATE exsync_write_origin SET origin = 'business' WHERE id = 1",
                    Vec::new(),
                )
                .await
                .map_err(BusinessError::db("resetting the origin marker"))?;
        }
        self.tx
            .commit()
            .await
            .map_err(BusinessError::db("committing"))
    }
}

fn bind_all<'q, DB>(
    mut query: Query<'q, DB, <DB as Database>::Arguments>,
    params: Vec<Param>,
) -> Query<'q, DB, <DB as Database>::Arguments>
where
    DB: Database,
    for<'e> Option<String>: Encode<'e, DB> + Type<DB>,
    for<'e> Option<i64>: Encode<'e, DB> + Type<DB>,
    for<'e> Option<bool>: Encode<'e, DB> + Type<DB>,
{
    for param in params {
        query = match param {
            Param::Text(value) => query.bind(value),
            Param::Int(value) => query.bind(value),
            Param::Bool(value) => query.bind(value),
        };
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_round_trip() {
        for origin in [Origin::Business, Origin::Exsync] {
            assert_eq!(origin.as_str().parse::<Origin>(), Ok(origin));
        }
        assert!("vendor".parse::<Origin>().is_err());
    }
}

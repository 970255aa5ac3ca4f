//! The two database engines behind one store, and the few places where their SQL differs.
//!
//! Invariant: every query is written once, with `$1`-style parameters that both SQLite and
//! PostgreSQL accept, and [`with_pool!`] runs that one text against whichever pool the store
//! holds; only what the dialects cannot share (batch upserts, how a write transaction begins)
//! goes through [`WritePool`].

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::options::BackendKind;

/// The connection pool of a store.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    /// An embedded SQLite database.
    Sqlite(SqlitePool),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

impl Backend {
    /// Which engine this is.
    pub(crate) fn kind(&self) -> BackendKind {
        match self {
            Backend::Sqlite(_) => BackendKind::Sqlite,
            Backend::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// Closes every connection, waiting for the ones in use.
    pub(crate) async fn close(&self) {
        match self {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }
}

/// Runs `$body` with `$pool` bound to the concrete pool of `$backend`: the body is compiled
/// once per engine, so shared SQL stays written once while types stay concrete.
macro_rules! with_pool {
    ($backend:expr, |$pool:ident| $body:expr) => {
        match $backend {
            $crate::backend::Backend::Sqlite($pool) => $body,
            $crate::backend::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Starting a write transaction, which SQLite should do with `BEGIN IMMEDIATE` so that a
/// transaction never has to upgrade a read lock (which fails at once instead of waiting).
pub(crate) trait WritePool {
    /// The engine.
    type Db: sqlx::Database;

    /// Begins a transaction that is going to write.
    async fn begin_write(&self) -> Result<Transaction<'static, Self::Db>, sqlx::Error>;
}

impl WritePool for SqlitePool {
    type Db = Sqlite;

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl WritePool for PgPool {
    type Db = Postgres;

    async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        self.begin().await
    }
}

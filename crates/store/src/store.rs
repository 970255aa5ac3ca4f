//! The state store handle: opening, migrating, closing.
//!
//! Invariant: a [`StateStore`] that exists is connected to a fully migrated database; clones
//! share one connection pool. The operations live in their own modules (`links`, `commit`,
//! `cursors`, `outbox`, `leases`) as further `impl StateStore` blocks.

use crate::backend::Backend;
use crate::connect;
use crate::error::StoreResult;
use crate::options::{BackendKind, StoreOptions};

/// exsync's sync state on SQLite or PostgreSQL: links with base snapshots, cursors, the
/// outbox of pending writes and leases. Cheap to clone; clones share one connection pool.
#[derive(Debug, Clone)]
pub struct StateStore {
    pub(crate) backend: Backend,
    options: StoreOptions,
}

impl StateStore {
    /// Opens the store at `url` with default options and applies pending migrations.
    ///
    /// `url` is `sqlite://path/to/file.db` (created if missing), `sqlite::memory:` (a fresh
    /// private database, for tests) or `postgres://user@host:port/database`.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(StoreOptions::new(url)).await
    }

    /// Opens the store as `options` say and applies pending migrations.
    pub async fn connect_with(options: StoreOptions) -> StoreResult<Self> {
        let backend = connect::open(&options).await?;
        Ok(StateStore { backend, options })
    }

    /// Applies migrations this build knows and the database lacks. [`connect`](Self::connect)
    /// already did; calling it again is a harmless no-op.
    pub async fn migrate(&self) -> StoreResult<()> {
        connect::migrate(&self.backend, &self.options).await
    }

    /// Which database engine holds the state.
    pub fn backend_kind(&self) -> BackendKind {
        self.backend.kind()
    }

    /// The options the store was opened with.
    pub fn options(&self) -> &StoreOptions {
        &self.options
    }

    /// Closes every connection of the pool (shared by all clones), waiting for calls in flight.
    pub async fn close(&self) {
        self.backend.close().await;
    }
}

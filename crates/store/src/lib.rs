//! exsync's sync state store, on SQLite (embedded) or PostgreSQL (shared by several instances),
//! behind one API: links between business records and Exchange items with their base
//! snapshots, cursors into change feeds, the outbox of pending writes, and leases.
//!
//! Invariants kept across the crate: every table is prefixed `exsync_` (the database may be the
//! business application's own); the schema is migrated on connect; a [`PassCommit`] is one
//! transaction; no error or log line carries a database password.
//!
//! ```no_run
//! # async fn example() -> Result<(), exsync_store::StoreError> {
//! use exsync_model::ItemKind;
//! use exsync_store::{BaseSnapshot, LinkUpsert, PassCommit, StateStore};
//!
//! let store = StateStore::connect("sqlite://exsync-state.db").await?;
//! let mut pass = PassCommit::new();
//! pass.upsert_link(
//!     LinkUpsert::new("alice@example.com", ItemKind::Task, "T-1")
//!         .base(BaseSnapshot::new(r#"{"title":"Call back"}"#)),
//! )
//! .set_cursor("", "business.journal", "1042");
//! store.commit(&pass).await?;
//! # Ok(())
//! # }
//! ```

mod backend;
mod commit;
mod connect;
mod cursors;
mod error;
mod leases;
mod links;
mod links_batch;
mod options;
mod outbox;
mod redact;
mod store;
mod time;

pub use commit::{CommitSummary, PassCommit};
pub use cursors::{Cursor, GLOBAL_CURSOR_OWNER};
pub use error::{StoreError, StoreResult};
pub use leases::Lease;
pub use links::{BaseSnapshot, Link, LinkHead, LinkUpsert, fingerprint};
pub use options::{BackendKind, StoreOptions};
pub use outbox::{Enqueued, NewOutboxEntry, OutboxEntry, OutboxId, Side};
pub use redact::redact_url;
pub use store::StateStore;

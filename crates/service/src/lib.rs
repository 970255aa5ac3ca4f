//! exsync's service: the [`daemon`] that keeps every enabled mailbox in sync, the [`StatusBoard`] the sync loop records into, the admin
//! endpoint that exposes it (`/healthz`, `/readyz`, `/metrics`, `/status`) and the table and
//! mailbox details `exsync status` prints (in English or German, see `exsync_i18n`).
//!
//! Invariant: the clock is always a parameter of the logic (only the HTTP handlers read
//! `Utc::now()`), and the admin token never appears in logs, errors or Debug output.

pub mod admin;
pub mod credential;
pub mod daemon;
pub mod detail;
mod human;
pub mod metrics;
pub mod status;
pub mod table;

pub use admin::{AdminError, NotReady, Readiness, admin_router, serve, serve_listener};
pub use credential::{CredentialKind, CredentialSetting, CredentialStatus, ExpiryState};
pub use detail::render_mailbox_detail;
pub use metrics::render_metrics;
pub use status::{MailboxStatus, RejectedCount, StatusBoard, StatusSnapshot, WrittenCount};
pub use table::{render_status_table, render_status_table_in};

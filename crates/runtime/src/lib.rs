//! exsync's runtime: the sync pass that ties the business database, the state store, the
//! engine and an Exchange connector together.
//!
//! A pass for one mailbox and kind ([`sync_kind`]): read the links and their bases, list the
//! business records, collect Exchange's changes since the stored cursor ([`ExchangeSide`]),
//! plan ([`exsync_engine::plan`]), apply the writes (Exchange in bulk, then the business
//! database), and commit the new bases and the cursor in one transaction.
//!
//! Invariants: see `pass` (what is committed when) and `exchange` (what a connector promises).

mod addressing;
mod align;
mod apply;
mod approval;
mod diagnostics;
pub mod exchange;
mod fence;
pub mod graph;
mod kind;
mod once;
pub mod pairing;
mod pass;
mod probe;
mod report;
mod reset;
mod rules;
mod start_mark;
mod states;

pub use addressing::mailbox_of;
pub use align::Align;
pub use approval::{approval_cursor_name, approve_deletions};
pub use diagnostics::DIAGNOSTICS_TARGET;
pub use exchange::{
    Collected, ExchangeItem, ExchangeSide, ExchangeWrite, LinkedItem, LinkedItems, SideError,
    Unreadable, Written, transaction_id,
};
pub use fence::{LeaseFence, mailbox_lease};
pub use kind::SyncKind;
pub use once::{ALL_KINDS, OnceOptions, OnceOutcome, sync_mailbox, sync_once};
pub use pass::{MailboxUser, PassEnv, sync_kind};
pub use probe::MailboxConnector;
pub use report::{KindReport, Rejection, SideCounts};
pub use reset::{ResetOutcome, reset_mailbox};
pub use rules::{rules_from_config, window_for};
pub use start_mark::start_mark_cursor_name;

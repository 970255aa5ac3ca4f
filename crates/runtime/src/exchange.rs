//! What the runtime asks of an Exchange connector for one item kind: the changes since a
//! cursor, and writes applied in bulk (so the connector can batch them).
//!
//! Invariants a connector keeps:
//! - `collect` reports an item as deleted only when Exchange says it is gone (a 404 on the
//!   item itself), never because it left a windowed view; a re-initialised round deletes
//!   nothing.
//! - `collect` returns items whose conversion failed in `rejected`, not as deletions.
//! - `apply` returns one result per write, in order; a failed write leaves no half-written item
//!   that the next pass could not finish (creates are idempotent by transaction id and stamped
//!   with the business id).

use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, Utc};
use exsync_engine::{SyncWindow, Write};
use exsync_model::{BusinessId, ExchangeId, FieldName};

/// An item as Exchange holds it now.
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeItem<T> {
    /// Its id (for a series: the master's).
    pub id: ExchangeId,
    /// Its change key, when known.
    pub change_key: Option<String>,
    /// The business id exsync stamped on it, if any.
    pub business_id: Option<BusinessId>,
    /// The item.
    pub item: T,
    /// When Exchange last changed it.
    pub modified: Option<DateTime<Utc>>,
}

/// An Exchange item the connector could not read into the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Its id.
    pub id: ExchangeId,
    /// What is wrong and what to do.
    pub reason: String,
}

/// What changed on Exchange since the cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct Collected<T> {
    /// Items new or changed (or re-read) since the cursor.
    pub present: Vec<ExchangeItem<T>>,
    /// Items Exchange confirmed deleted.
    pub deleted: Vec<ExchangeId>,
    /// Items that could not be read (left alone this pass).
    pub rejected: Vec<Unreadable>,
    /// The cursor to store once the pass's writes are committed.
    pub next_cursor: String,
    /// True when this was an initial (or re-initialised) round.
    pub initial: bool,
}

/// A linked item, as the connector needs it to verify deletions and re-read series.
#[derive(Debug, Clone, Copy)]
pub struct LinkedItem<'a, T> {
    /// The business id.
    pub business_id: &'a BusinessId,
    /// The agreed state.
    pub base: &'a T,
}

/// Linked items of the mailbox by Exchange id.
pub type LinkedItems<'a, T> = HashMap<ExchangeId, LinkedItem<'a, T>>;

/// One write to Exchange.
#[derive(Debug, Clone)]
pub enum ExchangeWrite<'a, T> {
    /// Create `item` stamped with `business_id`; `transaction_id` makes a retry idempotent.
    Create {
        /// The business record.
        business_id: &'a BusinessId,
        /// The item.
        item: &'a T,
        /// The fields to send (`Write::fields`); the others keep Exchange's defaults.
        fields: &'a [FieldName],
        /// Stable per link, so a repeated create is recognised.
        transaction_id: String,
    },
    /// Write `write.fields` of `write.item` to item `id`.
    Update {
        /// The Exchange item.
        id: &'a ExchangeId,
        /// The business record (to stamp it, if the item lacks the stamp).
        business_id: &'a BusinessId,
        /// The change key the write expects, when known.
        change_key: Option<&'a str>,
        /// What to write.
        write: &'a Write<T>,
    },
    /// Delete item `id`.
    Delete {
        /// The Exchange item.
        id: &'a ExchangeId,
    },
    /// Stamp item `id` (created in Outlook, now also in the business database) with its new
    /// business id, so that it is recognised after a lost state store.
    Stamp {
        /// The Exchange item.
        id: &'a ExchangeId,
        /// The business record created for it.
        business_id: BusinessId,
    },
}

/// The outcome of a successful write.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Written {
    /// The id of a created item.
    pub id: Option<ExchangeId>,
    /// The item's new change key, when Exchange returned it.
    pub change_key: Option<String>,
}

/// A connector failure: for one item, or for the whole mailbox.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SideError {
    /// What went wrong, naming the item and the fix.
    pub message: String,
    /// True when nothing else in this mailbox can work either (auth, permissions, no mailbox).
    pub mailbox_wide: bool,
}

impl SideError {
    /// An error for one item.
    pub fn item(message: impl Into<String>) -> Self {
        SideError {
            message: message.into(),
            mailbox_wide: false,
        }
    }
}

/// An Exchange connector for item kind `T`.
pub trait ExchangeSide<T>: Send + Sync {
    /// The name of the cursor this connector keeps per mailbox.
    fn cursor_name(&self) -> &'static str;

    /// The changes since `cursor` (`None`: an initial round over `window`).
    fn collect<'a>(
        &'a self,
        mailbox: &'a str,
        cursor: Option<&'a str>,
        window: &'a SyncWindow,
        linked: &'a LinkedItems<'a, T>,
    ) -> impl Future<Output = Result<Collected<T>, SideError>> + Send + 'a;

    /// The cursor to store after a pass that wrote (created or updated) `written` on Exchange
    /// after `cursor` was made (a delta feed may never report what became of them).
    fn cursor_after_writes(&self, cursor: &str, written: &[ExchangeId]) -> String {
        let _ = written;
        cursor.to_owned()
    }

    /// Applies `writes`; one result per write, in order.
    fn apply<'a>(
        &'a self,
        mailbox: &'a str,
        writes: &'a [ExchangeWrite<'a, T>],
    ) -> impl Future<Output = Vec<Result<Written, SideError>>> + Send + 'a;
}

/// The transaction id of the create of `business_id` in `mailbox`: the same on every retry, so
/// Graph recognises a repeated create (it is a GUID-shaped xxh3 of both).
pub fn transaction_id(mailbox: &str, kind: &str, business_id: &BusinessId) -> String {
    let text = format!(
        "{}\u{1f}{kind}\u{1f}{}",
        mailbox.to_ascii_lowercase(),
        business_id.as_str()
    );
    let hash = xxhash_rust::xxh3::xxh3_128(text.as_bytes());
    uuid::Uuid::from_u128(hash).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_ids_are_stable_and_distinct() {
        let a = transaction_id("eva@x.example", "appointment", &BusinessId::from("42"));
        assert_eq!(
            a,
            transaction_id("EVA@x.example", "appointment", &BusinessId::from("42"))
        );
        assert_ne!(
            a,
            transaction_id("eva@x.example", "appointment", &BusinessId::from("43"))
        );
        assert_ne!(
            a,
            transaction_id("eva@x.example", "task", &BusinessId::from("42"))
        );
        assert_eq!(a.len(), 36);
    }
}

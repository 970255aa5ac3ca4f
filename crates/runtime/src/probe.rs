//! What the service asks of a connector besides passes: a cheap look whether Exchange changed
//! anything in some mailboxes since their stored cursors, so that idle mailboxes cost a small
//! share of one request per poll instead of a pass.
//!
//! Invariant: a probe never loses a change, because it changes no cursor: anything but a
//! clear "nothing since" (no cursor, written items left to confirm, a page with entries, a
//! lost sync state) is reported as changed, and the pass that follows reads the changes from
//! the stored cursor.

use std::future::Future;

use exsync_model::{Appointment, Contact, ItemKind, Task};
use exsync_store::StateStore;

use crate::exchange::{ExchangeSide, SideError};

/// A connector the service can run: passes of every kind, and probes.
pub trait MailboxConnector:
    ExchangeSide<Appointment> + ExchangeSide<Task> + ExchangeSide<Contact> + Clone
{
    /// For each of `mailboxes`, which of `kinds` have changes since the cursors stored in
    /// `state` (or no usable cursor, so only a pass can tell); one result per mailbox, in
    /// order. A connector may ask for many mailboxes in one request.
    fn changed_kinds<'a>(
        &'a self,
        state: &'a StateStore,
        mailboxes: &'a [&'a str],
        kinds: &'a [ItemKind],
    ) -> impl Future<Output = Vec<Result<Vec<ItemKind>, SideError>>> + 'a;

    /// The same connector for full passes (`true`: re-read every linked series, heal what
    /// incremental passes cannot see) or incremental ones.
    fn for_full_pass(&self, full: bool) -> Self;

    /// Throttled answers (HTTP 429) seen so far.
    fn throttled(&self) -> u64;

    /// At most how many requests a probe of one mailbox sends for `kinds` (so the service
    /// can fill its batches); one per kind unless the connector says otherwise.
    fn probe_requests(&self, kinds: &[ItemKind]) -> usize {
        kinds.len()
    }
}

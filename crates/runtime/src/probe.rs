//! What the service asks of a connector besides passes: a cheap look whether Exchange changed
//! anything in a mailbox since the stored cursors, so that idle mailboxes cost one small
//! request per poll instead of a pass.
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
    /// Which of `kinds` have changes in `mailbox` since the cursors stored in `state` (or no
    /// usable cursor, so only a pass can tell).
    fn changed_kinds<'a>(
        &'a self,
        state: &'a StateStore,
        mailbox: &'a str,
        kinds: &'a [ItemKind],
    ) -> impl Future<Output = Result<Vec<ItemKind>, SideError>> + 'a;

    /// The same connector for full passes (`true`: re-read every linked series, heal what
    /// incremental passes cannot see) or incremental ones.
    fn for_full_pass(&self, full: bool) -> Self;

    /// Throttled answers (HTTP 429) seen so far.
    fn throttled(&self) -> u64;
}

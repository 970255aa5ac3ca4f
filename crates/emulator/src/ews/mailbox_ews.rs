//! What EWS keeps per mailbox besides the store's items: the folders created through
//! CreateFolder and the pull subscriptions.
//!
//! Invariant: it belongs to one mailbox (the map in `EwsState` is keyed by mailbox id), so a
//! folder or subscription of one mailbox is never found from another.

use std::collections::BTreeMap;

use super::folders::CreatedFolder;
use super::notifications::Subscription;

/// Per-mailbox EWS state.
#[derive(Debug, Default)]
pub struct MailboxEws {
    /// Created folders, oldest first.
    pub(crate) folders: Vec<CreatedFolder>,
    /// Pull subscriptions by id.
    pub(crate) subscriptions: BTreeMap<String, Subscription>,
}

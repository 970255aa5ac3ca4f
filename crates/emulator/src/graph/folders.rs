//! The Graph side of the store's task lists and contact folders: finding a mailbox's folder set
//! for a request, and the delta state tokens of the `delta` functions on their items. The
//! folders and items themselves live in the one store ([`crate::store::folders`]), shared with
//! EWS.
//!
//! Invariant: a delta round is bound to one mailbox, kind and folder; its position is the
//! mailbox's change sequence number, so a write through EWS shows up in the next round.

use std::collections::HashMap;

use serde_json::Value;

pub(crate) use crate::store::folders::{Folder, FolderSet, Item, Kind};

use super::error::GraphError;
use super::expansion::Expansion;
use crate::ids;
use crate::store::MailboxData;

/// The folder set of `kind` in the mailbox `mailbox_id` (an authorized mailbox whose items are
/// missing from the store answers 404).
pub(crate) fn set<'a>(
    mailboxes: &'a mut HashMap<String, MailboxData>,
    mailbox_id: &str,
    kind: Kind,
) -> Result<FolderSet<'a>, GraphError> {
    mailboxes
        .get_mut(mailbox_id)
        .map(|data| data.folder_set(kind))
        .ok_or_else(GraphError::item_not_found)
}

/// Where a folder's delta round stands.
#[derive(Debug, Clone)]
pub(crate) struct Round {
    /// Mailbox the round belongs to.
    pub(crate) mailbox_id: String,
    /// Folder kind.
    pub(crate) kind: Kind,
    /// Folder the round belongs to.
    pub(crate) folder_id: String,
    /// Sequence number the client is up to date with.
    pub(crate) since: u64,
    /// What the round's first request `$expand`ed; every page and round of it carries it
    /// (Graph keeps a delta query's options in its links).
    pub(crate) expansion: Expansion,
}

/// What a folder delta state token stands for.
#[derive(Debug, Clone)]
pub(crate) enum Entry {
    /// `$skiptoken`: the rest of an answer, then the round.
    Page(Vec<Value>, Round),
    /// `$deltatoken`: a finished round.
    Delta(Round),
}

/// The delta state tokens of task and contact folders.
#[derive(Debug, Default)]
pub struct Folders {
    tokens: HashMap<String, Entry>,
}

impl Folders {
    /// Issues a state token for `entry`.
    pub(crate) fn issue(&mut self, entry: Entry) -> String {
        let token = ids::base64url(ids::guid().replace('-', "").as_bytes());
        self.tokens.insert(token.clone(), entry);
        token
    }

    /// The entry behind a state token.
    pub(crate) fn token(&self, token: &str) -> Option<&Entry> {
        self.tokens.get(token)
    }

    /// Forgets every delta state token.
    pub fn clear_tokens(&mut self) {
        self.tokens.clear();
    }
}

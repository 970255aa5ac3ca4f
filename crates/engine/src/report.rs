//! The plan the planner returns: operations, plus what an administrator should learn about it
//! (conflicts, edits the rules discarded, deletions that were undone or not propagated, and a
//! mass deletion that was held).
//!
//! Invariant: an edit the plan discards is never discarded silently: it is either a
//! [`Conflict`] (both sides edited; the policy picked a winner) or a [`Notice`] (the rules make
//! the other side authoritative). Held deletions are kept apart from [`Plan::ops`], so a
//! runtime that runs `ops` can never run them by mistake.

use exsync_model::{FieldName, ItemKind};
use serde::Serialize;

use crate::op::Op;
use crate::state::{ItemIds, Side};

/// A field (or the item's existence) changed on both sides; the policy picked `winner`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The item.
    pub ids: ItemIds,
    /// The field both sides changed to different values; `None` when one side edited the item
    /// and the other deleted it.
    pub field: Option<FieldName>,
    /// The side whose value (or edit, or deletion) was kept.
    pub winner: Side,
}

/// Why the rules made one side authoritative for an item or a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The kind is synced one way only.
    Direction,
    /// The field is owned by one side (or by neither).
    Ownership,
    /// The appointment is a meeting someone else organises: business-side edits are never
    /// written back to Exchange.
    ForeignMeeting,
    /// The item lies outside the sync window.
    OutsideWindow,
}

/// What happened that an administrator may want to know, beyond the operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum NoticeKind {
    /// Edits of these fields on `side` are overwritten with the other side's values.
    EditsOverwritten {
        /// The fields.
        fields: Vec<FieldName>,
    },
    /// The item was edited on `side` but is deleted there because the other side deleted it.
    EditsDeleted {
        /// The fields that had been edited.
        fields: Vec<FieldName>,
    },
    /// Edits of these fields on `side` are neither written nor overwritten (the item is not
    /// synced in that direction, e.g. a foreign meeting under export).
    EditsNotSynced {
        /// The fields.
        fields: Vec<FieldName>,
    },
    /// The item exists only on `side` and is not created on the other side (a business
    /// record of a meeting someone else organises).
    NotCreated,
    /// The item was deleted on `side` and is re-created there from the other side.
    DeletionUndone,
    /// The item was deleted on `side` but the deletion is not passed on (the link is dropped).
    DeletionNotPropagated,
}

/// One report entry about one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// The item.
    pub ids: ItemIds,
    /// The side whose edit or deletion the notice is about.
    pub side: Side,
    /// What happened.
    #[serde(flatten)]
    pub kind: NoticeKind,
    /// Why.
    pub reason: Reason,
}

/// Deletions the mass-deletion guard held back, with what the administrator needs to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Held<T> {
    /// The held deletions (`DeleteInExchange` / `DeleteInBusiness` ops).
    pub deletions: Vec<Op<T>>,
    /// How many of them delete in Exchange.
    pub in_exchange: usize,
    /// How many of them delete in the business application.
    pub in_business: usize,
    /// The linked items of the kind in the mailbox.
    pub linked: usize,
    /// The guard's limit in percent.
    pub max_percent: u8,
    /// What to tell the administrator.
    pub message: String,
}

/// Everything to do for one mailbox and one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan<T> {
    /// The kind of the items.
    pub kind: ItemKind,
    /// The mailbox.
    pub mailbox: String,
    /// The operations to run, at most one per item, in input order.
    pub ops: Vec<Op<T>>,
    /// Conflicts and how they were resolved.
    pub conflicts: Vec<Conflict>,
    /// Edits and deletions the rules discarded, undid or did not propagate.
    pub notices: Vec<Notice>,
    /// Deletions held back by the mass-deletion guard; `None` when nothing was held.
    pub held: Option<Held<T>>,
}

impl<T> Plan<T> {
    /// An empty plan.
    pub fn empty(kind: ItemKind, mailbox: impl Into<String>) -> Self {
        Self {
            kind,
            mailbox: mailbox.into(),
            ops: Vec::new(),
            conflicts: Vec::new(),
            notices: Vec::new(),
            held: None,
        }
    }

    /// True when the mass-deletion guard held deletions back.
    pub fn is_held(&self) -> bool {
        self.held.is_some()
    }

    /// True when there is nothing to do and nothing held.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty() && self.held.is_none()
    }

    /// Puts held deletions back into [`Plan::ops`] (the administrator allowed the mass
    /// deletion, e.g. `exsync approve LOGIN`). Does nothing when nothing was held.
    pub fn release_held(&mut self) {
        if let Some(held) = self.held.take() {
            self.ops.extend(held.deletions);
        }
    }
}

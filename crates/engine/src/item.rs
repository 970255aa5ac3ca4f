//! What the planner needs to know about an item type beyond field-wise access: whether an
//! item is a meeting someone else organises.
//!
//! Invariant: only appointments can be foreign; a task or contact is always the mailbox's own.

use exsync_model::{Appointment, Contact, SyncItem, Task};

/// An item type the planner can plan for.
pub trait Plannable: SyncItem {
    /// True when the mailbox must never write business-side edits of this item to Exchange
    /// (a meeting organised by someone else: writing would send updates to the attendees).
    fn is_foreign(&self, mailbox: &str) -> bool;
}

impl Plannable for Appointment {
    fn is_foreign(&self, mailbox: &str) -> bool {
        self.is_foreign_meeting(mailbox)
    }
}

impl Plannable for Task {
    fn is_foreign(&self, _mailbox: &str) -> bool {
        false
    }
}

impl Plannable for Contact {
    fn is_foreign(&self, _mailbox: &str) -> bool {
        false
    }
}

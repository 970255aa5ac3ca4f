//! What a create sends: only the fields the plan lets travel to Exchange (`Write::fields`).
//! The others — above all the body under `body = never` — are emptied before the item is
//! turned into a POST body, so they keep Exchange's defaults instead of leaking the business
//! value.
//!
//! Invariant: a field listed in `fields` is sent exactly as the business side holds it; a
//! field left out is either emptied here or never written by the wire format at all
//! (organizer, attendees).

use exsync_model::{Appointment, Body, Contact, FieldName, SyncItem, Task};

/// Empties one field that is not to be sent.
pub(crate) trait EmptyField {
    /// Sets `field` to what Exchange holds when nobody wrote it; other fields are left alone.
    fn empty_field(&mut self, field: FieldName);
}

/// `item` with every field that is not in `fields` emptied.
pub(crate) fn only_sent<T: SyncItem + EmptyField>(item: &T, fields: &[FieldName]) -> T {
    let mut sent = item.clone();
    for field in T::FIELDS.iter().filter(|f| !fields.contains(f)) {
        sent.empty_field(field);
    }
    sent
}

impl EmptyField for Appointment {
    fn empty_field(&mut self, field: FieldName) {
        match field {
            "body" => self.body = Body::default(),
            "location" => self.location.clear(),
            "categories" => self.categories.clear(),
            _ => {}
        }
    }
}

impl EmptyField for Task {
    fn empty_field(&mut self, field: FieldName) {
        match field {
            "body" => self.body = Body::default(),
            "categories" => self.categories.clear(),
            _ => {}
        }
    }
}

impl EmptyField for Contact {
    fn empty_field(&mut self, field: FieldName) {
        match field {
            "notes" => self.notes.clear(),
            "categories" => self.categories.clear(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_left_out_are_emptied_and_listed_ones_kept() {
        let mut task = Task::new("Call Huber");
        task.body = Body::text("margin 12%");
        task.categories = vec!["Sales".into()];
        let sent = only_sent(&task, &["subject", "categories"]);
        assert_eq!(sent.subject, "Call Huber");
        assert_eq!(sent.categories, ["Sales"]);
        assert_eq!(sent.body, Body::default());
    }
}

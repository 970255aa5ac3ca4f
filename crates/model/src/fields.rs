//! Field-wise access to items, so the engine can merge edits of different fields made on both
//! sides and apply per-field ownership rules without knowing the item types.
//!
//! Invariant: [`SyncItem::FIELDS`] lists every field of the type, so two items whose fields are
//! all equal are equal (checked by a test per type).

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::appointment::Appointment;
use crate::contact::Contact;
use crate::kind::ItemKind;
use crate::task::Task;

/// The name of a field as rules and reports spell it (`subject`, `body`, `series`, ...).
pub type FieldName = &'static str;

/// An item type the engine can plan for.
pub trait SyncItem: Clone + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned {
    /// Which kind of item this is.
    const KIND: ItemKind;
    /// Every field, in a fixed order.
    const FIELDS: &'static [FieldName];

    /// True when `field` holds the same value in both.
    fn field_eq(&self, other: &Self, field: FieldName) -> bool;

    /// Sets `field` of `self` to its value in `from`.
    fn copy_field(&mut self, from: &Self, field: FieldName);
}

macro_rules! sync_fields {
    ($ty:ty, $kind:expr, [$($field:ident),+ $(,)?]) => {
        impl SyncItem for $ty {
            const KIND: ItemKind = $kind;
            const FIELDS: &'static [FieldName] = &[$(stringify!($field)),+];

            fn field_eq(&self, other: &Self, field: FieldName) -> bool {
                match field {
                    $(stringify!($field) => self.$field == other.$field,)+
                    _ => true,
                }
            }

            fn copy_field(&mut self, from: &Self, field: FieldName) {
                match field {
                    $(stringify!($field) => self.$field.clone_from(&from.$field),)+
                    _ => {}
                }
            }
        }
    };
}

sync_fields!(
    Appointment,
    ItemKind::Appointment,
    [
        subject,
        location,
        body,
        when,
        show_as,
        sensitivity,
        importance,
        categories,
        reminder_minutes,
        organizer,
        attendees,
        series,
    ]
);

sync_fields!(
    Task,
    ItemKind::Task,
    [
        subject, body, start, due, completed, status, importance, reminder, categories
    ]
);

sync_fields!(
    Contact,
    ItemKind::Contact,
    [
        title,
        given_name,
        middle_name,
        surname,
        suffix,
        display_name,
        company,
        department,
        job_title,
        emails,
        business_phones,
        mobile_phone,
        home_phones,
        business_fax,
        business_address,
        home_address,
        other_address,
        website,
        notes,
        categories,
    ]
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone::{TimeZoneName, ZonedDateTime};

    /// Copying every listed field from `b` into `a` must make them equal: no field is missing
    /// from the list (a missing field would silently never sync).
    fn all_fields_listed<T: SyncItem>(mut a: T, b: T) {
        assert_ne!(a, b, "test items must differ");
        for field in T::FIELDS {
            a.copy_field(&b, field);
            assert!(a.field_eq(&b, field), "{field} not copied");
        }
        assert_eq!(a, b, "a field of {} is missing from FIELDS", T::KIND);
    }

    fn json_object_keys<T: SyncItem>(item: &T) -> Vec<String> {
        match serde_json::to_value(item).expect("serializes") {
            serde_json::Value::Object(map) => map.keys().cloned().collect(),
            other => panic!("not an object: {other}"),
        }
    }

    #[test]
    fn every_field_of_every_kind_is_listed() {
        let zone = TimeZoneName::utc();
        let t = |h| {
            ZonedDateTime::new(
                chrono::NaiveDate::from_ymd_opt(2026, 5, 4)
                    .and_then(|d| d.and_hms_opt(h, 0, 0))
                    .expect("date"),
                zone.clone(),
            )
        };
        let a = Appointment::timed("a", t(9), t(10));
        let b: Appointment = serde_json::from_value(serde_json::json!({
            "subject": "b", "location": "l", "body": {"format": "html", "content": "<p>x</p>"},
            "when": {"type": "all_day", "start": "2026-05-04", "end": "2026-05-05"},
            "show_as": "free", "sensitivity": "private", "importance": "high",
            "categories": ["c"], "reminder_minutes": 15,
            "organizer": {"address": "o@x.de", "name": "O"},
            "attendees": [{"email": {"address": "p@x.de", "name": "P"}}],
            "series": {"recurrence": {"pattern": {"type": "daily", "interval": 1},
                                      "range": {"type": "no_end"}}}
        }))
        .expect("valid appointment");
        assert_eq!(json_object_keys(&b).len(), Appointment::FIELDS.len());
        all_fields_listed(a, b);

        let mut task = Task::new("b");
        task.due = Some(t(12));
        task.status = crate::task::TaskStatus::Completed;
        assert_eq!(json_object_keys(&task).len(), Task::FIELDS.len());
        all_fields_listed(Task::new("a"), task);

        let contact = Contact {
            surname: "b".into(),
            ..Contact::default()
        };
        assert_eq!(json_object_keys(&contact).len(), Contact::FIELDS.len());
        all_fields_listed(Contact::default(), contact);
    }
}

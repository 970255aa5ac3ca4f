//! A mailbox's calendars as Graph lists them (`/users/{id}/calendars`): the default calendar,
//! whose items are the mailbox's calendar items in [`super::MailboxData`], and secondary
//! calendars created by clients, each holding its own events.
//!
//! Invariants: the default calendar's id is fixed when the mailbox's data is made and never
//! changes; no two calendars of a mailbox share a name (letter case ignored); an event of a
//! secondary calendar takes the mailbox's next change sequence number like every other write,
//! but lives in no delta feed and no EWS folder (Graph's `calendarView/delta` is the default
//! calendar's).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{MailboxData, NewEvent, StoredEvent};
use crate::ids;

/// The default calendar's name, as Exchange names it in English.
pub(crate) const DEFAULT_CALENDAR_NAME: &str = "Calendar";

/// A secondary calendar and its events.
#[derive(Debug, Clone)]
pub(crate) struct Calendar {
    /// Calendar id.
    pub(crate) id: String,
    /// Its name.
    pub(crate) name: String,
    /// Version of the calendar itself (not of its events).
    pub(crate) change_key: String,
    events: BTreeMap<String, StoredEvent>,
}

impl Calendar {
    /// Its events, oldest first.
    pub(crate) fn events(&self) -> Vec<&StoredEvent> {
        let mut all: Vec<&StoredEvent> = self.events.values().collect();
        all.sort_by_key(|e| e.created_seq);
        all
    }

    /// One of its events.
    pub(crate) fn event(&self, id: &str) -> Option<&StoredEvent> {
        self.events.get(id)
    }
}

/// The calendars of one mailbox.
#[derive(Debug, Clone)]
pub(crate) struct Calendars {
    default_id: String,
    secondary: Vec<Calendar>,
}

impl Default for Calendars {
    fn default() -> Self {
        Self {
            default_id: ids::item_id(),
            secondary: Vec::new(),
        }
    }
}

impl Calendars {
    /// The default calendar's id.
    pub(crate) fn default_id(&self) -> &str {
        &self.default_id
    }

    /// The secondary calendars, oldest first.
    pub(crate) fn secondary(&self) -> &[Calendar] {
        &self.secondary
    }

    /// The secondary calendar with this id.
    pub(crate) fn get(&self, id: &str) -> Option<&Calendar> {
        self.secondary.iter().find(|c| c.id == id)
    }

    /// True when a calendar (the default one included) has this name, letter case ignored.
    pub(crate) fn has_name(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(DEFAULT_CALENDAR_NAME)
            || self
                .secondary
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(name))
    }
}

impl MailboxData {
    /// The mailbox's calendars.
    pub(crate) fn calendars(&self) -> &Calendars {
        &self.calendars
    }

    /// Adds a secondary calendar; `None` when a calendar has that name already.
    pub(crate) fn add_calendar(&mut self, name: &str) -> Option<Calendar> {
        if self.calendars.has_name(name) {
            return None;
        }
        let calendar = Calendar {
            id: ids::item_id(),
            name: name.to_owned(),
            change_key: ids::change_key(),
            events: BTreeMap::new(),
        };
        self.calendars.secondary.push(calendar.clone());
        Some(calendar)
    }

    /// Creates an event in the secondary calendar `calendar`; `None` if there is none such.
    /// Transaction ids are not remembered here.
    pub(crate) fn create_in_calendar(
        &mut self,
        calendar: &str,
        new: &NewEvent,
        now: DateTime<Utc>,
    ) -> Option<StoredEvent> {
        self.calendars.get(calendar)?;
        let seq = self.next_seq();
        let event = StoredEvent::fresh(new, seq, now);
        let target = self
            .calendars
            .secondary
            .iter_mut()
            .find(|c| c.id == calendar)?;
        target.events.insert(event.id.clone(), event.clone());
        Some(event)
    }

    /// Deletes an event of the secondary calendar `calendar`; `None` if it was not there.
    pub(crate) fn delete_in_calendar(&mut self, calendar: &str, id: &str) -> Option<StoredEvent> {
        let target = self
            .calendars
            .secondary
            .iter_mut()
            .find(|c| c.id == calendar)?;
        let event = target.events.remove(id)?;
        self.next_seq();
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use exsync_model::{Appointment, TimeZoneName};

    fn new_event() -> NewEvent {
        let day = NaiveDate::from_ymd_opt(2026, 1, 15).expect("date");
        NewEvent {
            appointment: Appointment::all_day("probe", day, day.succ_opt().expect("date")),
            start_zone: TimeZoneName::utc(),
            end_zone: TimeZoneName::utc(),
            transaction: None,
        }
    }

    #[test]
    fn secondary_calendars_keep_their_own_events_on_the_mailbox_sequence() {
        let mut mailbox = MailboxData::default();
        let default_id = mailbox.calendars().default_id().to_owned();
        assert!(
            mailbox.add_calendar("calendar").is_none(),
            "the default's name"
        );
        let probe = mailbox.add_calendar("exsync check").expect("added");
        assert!(mailbox.add_calendar("EXSYNC CHECK").is_none(), "same name");
        let event = mailbox
            .create_in_calendar(&probe.id, &new_event(), Utc::now())
            .expect("created");
        assert_eq!(event.created_seq, 1);
        assert!(mailbox.events().is_empty(), "not in the default calendar");
        let calendar = mailbox.calendars().get(&probe.id).expect("calendar");
        assert_eq!(calendar.events().len(), 1);
        assert!(
            mailbox
                .create_in_calendar(&default_id, &new_event(), Utc::now())
                .is_none()
        );
        assert!(mailbox.delete_in_calendar(&probe.id, &event.id).is_some());
        assert!(mailbox.delete_in_calendar(&probe.id, &event.id).is_none());
        assert_eq!(mailbox.change_seq(), 2);
        assert_eq!(mailbox.calendars().default_id(), default_id);
    }
}

//! Writing one occurrence of a series through its id: PATCH makes it an exception, DELETE
//! cancels it (https://learn.microsoft.com/graph/api/event-update,
//! https://learn.microsoft.com/graph/api/event-delete: both accept an occurrence's id).
//!
//! Invariants: the series master holds every change (its `modified` and `cancelled` sets),
//! so a write to an occurrence is a write to the master (new change key, next change sequence
//! number); an override records only what differs from the series.

use chrono::{NaiveDateTime, Utc};
use exsync_model::{Appointment, OccurrenceOverride, Series, occurrence_time};
use serde_json::Value;

use super::calendar_view::{apply_override, find_occurrence, split_occurrence_id};
use super::convert::{self, OutZone};
use super::error::GraphError;
use super::wire::event::{Event, EventInput};
use crate::org::Mailbox;
use crate::store::{MailboxData, StoredEvent};

/// The master and original start of a live (not cancelled) occurrence id.
fn locate(
    data: &MailboxData,
    id: &str,
) -> Result<(StoredEvent, Series, NaiveDateTime), GraphError> {
    let (master_id, key) = split_occurrence_id(id).ok_or_else(GraphError::item_not_found)?;
    let master = data
        .event(master_id)
        .ok_or_else(GraphError::item_not_found)?;
    let series = master
        .appointment
        .series
        .clone()
        .ok_or_else(GraphError::item_not_found)?;
    let live = !series.cancelled.contains(&key)
        && exsync_model::is_occurrence(&master.appointment.when, &series.recurrence, key)
            .unwrap_or(false);
    if !live {
        return Err(GraphError::item_not_found());
    }
    Ok((master.clone(), series, key))
}

/// `PATCH` on an occurrence id; `if_match` checks against the master's change key.
pub(crate) fn update(
    data: &mut MailboxData,
    id: &str,
    patch: &Value,
    if_match: impl Fn(&str) -> bool,
    mailbox: &Mailbox,
    zone: &OutZone,
) -> Result<Event, GraphError> {
    let (master, mut series, key) = locate(data, id)?;
    if !if_match(&master.change_key) {
        return Err(GraphError::conflict());
    }
    let scheduled = occurrence_time(&master.appointment.when, &series.recurrence, key)
        .map_err(|e| GraphError::invalid_request(e.to_string()))?;
    let previous = series.modified.get(&key).cloned().unwrap_or_default();
    let mut view = master.appointment.clone();
    view.series = None;
    apply_override(&mut view, &previous);
    view.when = previous.when.clone().unwrap_or_else(|| scheduled.clone());
    let current = StoredEvent {
        appointment: view,
        ..master.clone()
    };
    let mut merged = serde_json::to_value(convert::to_input(&current, mailbox))
        .map_err(|e| GraphError::invalid_request(e.to_string()))?;
    if let (Some(base), Some(changes)) = (merged.as_object_mut(), patch.as_object()) {
        for (k, v) in changes {
            if k != "recurrence" {
                base.insert(k.clone(), v.clone());
            }
        }
    }
    let input: EventInput = serde_json::from_value(merged)
        .map_err(|e| GraphError::invalid_request(format!("Invalid event: {e}")))?;
    let parsed = convert::parse(&input, mailbox)?.appointment;
    let changes = difference(&master.appointment, &scheduled, &parsed);
    if changes.is_empty() {
        series.modified.remove(&key);
    } else {
        series.modified.insert(key, changes);
    }
    store(data, &master, series)?;
    find_occurrence(data, id, mailbox, zone).ok_or_else(GraphError::item_not_found)
}

/// `DELETE` on an occurrence id: the occurrence is cancelled.
pub(crate) fn delete(
    data: &mut MailboxData,
    id: &str,
    if_match: impl Fn(&str) -> bool,
) -> Result<(), GraphError> {
    let (master, mut series, key) = locate(data, id)?;
    if !if_match(&master.change_key) {
        return Err(GraphError::conflict());
    }
    series.modified.remove(&key);
    series.cancelled.insert(key);
    store(data, &master, series)
}

fn store(data: &mut MailboxData, master: &StoredEvent, series: Series) -> Result<(), GraphError> {
    let mut appointment = master.appointment.clone();
    appointment.series = Some(series);
    data.update(
        &master.id,
        appointment,
        master.start_zone.clone(),
        master.end_zone.clone(),
        Utc::now(),
    )
    .map(|_| ())
    .ok_or_else(GraphError::item_not_found)
}

/// What `changed` (an occurrence after the PATCH) differs in from the series.
fn difference(
    series: &Appointment,
    scheduled: &exsync_model::When,
    changed: &Appointment,
) -> OccurrenceOverride {
    fn differs<T: PartialEq + Clone>(series: &T, changed: &T) -> Option<T> {
        (series != changed).then(|| changed.clone())
    }
    OccurrenceOverride {
        when: differs(scheduled, &changed.when),
        subject: differs(&series.subject, &changed.subject),
        location: differs(&series.location, &changed.location),
        body: differs(&series.body, &changed.body),
        show_as: differs(&series.show_as, &changed.show_as),
        sensitivity: differs(&series.sensitivity, &changed.sensitivity),
        importance: differs(&series.importance, &changed.importance),
        categories: differs(&series.categories, &changed.categories),
        reminder_minutes: differs(&series.reminder_minutes, &changed.reminder_minutes),
    }
}

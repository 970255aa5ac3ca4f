//! Puts a series together: the master VEVENT (RRULE, EXDATE) and the VEVENTs with the same UID
//! and a RECURRENCE-ID (changed or cancelled occurrences) -> one [`Appointment`] with its
//! [`Series`].
//!
//! Invariant: an override holds only what differs from the master (its `when` only when the
//! occurrence moved), keys are occurrence keys of the series (EXDATEs naming no occurrence have
//! no effect and are dropped; a RECURRENCE-ID naming none rejects the event), and every event
//! is either imported whole or rejected with its UID and a reason.

use std::collections::HashMap;

use exsync_model::{
    Appointment, OccurrenceOverride, Recurrence, Series, When, is_occurrence, occurrence_key,
    occurrence_time,
};

use crate::event_in::EventData;
use crate::{ImportedEvent, Rejected};

/// Groups `events` by UID (in order of first appearance) and assembles each group.
pub(crate) fn assemble(
    events: Vec<EventData>,
    imported: &mut Vec<ImportedEvent>,
    rejected: &mut Vec<Rejected>,
) {
    let mut groups: Vec<Vec<EventData>> = Vec::new();
    let mut by_uid: HashMap<String, usize> = HashMap::new();
    for event in events {
        match by_uid.get(&event.uid) {
            Some(i) if !event.uid.is_empty() => groups[*i].push(event),
            _ => {
                by_uid.insert(event.uid.clone(), groups.len());
                groups.push(vec![event]);
            }
        }
    }
    for group in groups {
        let uid = group.first().map(|e| e.uid.clone()).unwrap_or_default();
        match assemble_one(group) {
            Ok(appointment) => imported.push(ImportedEvent { uid, appointment }),
            Err(reason) => rejected.push(Rejected { uid, reason }),
        }
    }
}

fn assemble_one(group: Vec<EventData>) -> Result<Appointment, String> {
    let (mut masters, overrides): (Vec<_>, Vec<_>) =
        group.into_iter().partition(|e| e.recurrence_id.is_none());
    let master = match masters.len() {
        1 => masters.remove(0),
        0 => {
            return Err(
                "the file holds only changed occurrences (RECURRENCE-ID) of this event, \
                        not the series itself: export the whole series"
                    .into(),
            );
        }
        n => {
            return Err(format!(
                "{n} VEVENTs without RECURRENCE-ID share this UID: give each event its own UID"
            ));
        }
    };
    if master.cancelled {
        return Err("STATUS:CANCELLED: the event is cancelled, there is nothing to import".into());
    }
    let mut appointment = master.appointment;
    match master.rrule {
        Some(rule) => {
            let recurrence =
                Recurrence::from_rrule(&rule, &appointment.when).map_err(|e| e.to_string())?;
            let series = exceptions(&appointment, recurrence, &master.exdates, overrides)?;
            appointment.series = Some(series);
        }
        None if !overrides.is_empty() => {
            return Err(
                "changed occurrences (RECURRENCE-ID) given for an event without RRULE: \
                        add the RRULE to the series or drop the RECURRENCE-ID events"
                    .into(),
            );
        }
        None => {}
    }
    appointment.validate().map_err(|e| e.to_string())?;
    Ok(appointment)
}

fn exceptions(
    master: &Appointment,
    recurrence: Recurrence,
    exdates: &[exsync_model::IcalTime],
    overrides: Vec<EventData>,
) -> Result<Series, String> {
    let start = &master.when;
    let mut series = Series::new(recurrence);
    let key_of = |value: &exsync_model::IcalTime, series: &Series| {
        let key = occurrence_key(value, start, &series.recurrence).map_err(|e| e.to_string())?;
        let valid = is_occurrence(start, &series.recurrence, key).map_err(|e| e.to_string())?;
        Ok::<_, String>((key, valid))
    };
    for exdate in exdates {
        // An EXDATE that names no occurrence excludes nothing (RFC 5545): nothing to keep.
        if let (key, true) = key_of(exdate, &series)? {
            series.cancelled.insert(key);
        }
    }
    for changed in overrides {
        let Some(rid) = &changed.recurrence_id else {
            continue;
        };
        let (key, valid) = key_of(rid, &series)?;
        if !valid {
            return Err(format!(
                "RECURRENCE-ID {rid} names no occurrence of the series: \
                 remove that changed occurrence or fix its RECURRENCE-ID"
            ));
        }
        if changed.cancelled {
            series.modified.remove(&key);
            series.cancelled.insert(key);
            continue;
        }
        if series.cancelled.contains(&key) {
            continue;
        }
        let natural = occurrence_time(start, &series.recurrence, key).map_err(|e| e.to_string())?;
        let changes = difference(master, &natural, &changed.appointment);
        if !changes.is_empty() {
            series.modified.insert(key, changes);
        }
    }
    Ok(series)
}

fn same_time(a: &When, b: &When) -> bool {
    match (a, b) {
        (When::AllDay { .. }, When::AllDay { .. }) => a == b,
        (When::Timed { start: s1, end: e1 }, When::Timed { start: s2, end: e2 }) => {
            s1.to_utc().ok() == s2.to_utc().ok() && e1.to_utc().ok() == e2.to_utc().ok()
        }
        _ => false,
    }
}

/// What `changed` (a whole occurrence as the file gives it) changes in the occurrence that
/// `master` would have at `natural`.
pub(crate) fn difference(
    master: &Appointment,
    natural: &When,
    changed: &Appointment,
) -> OccurrenceOverride {
    fn differs<T: PartialEq + Clone>(master: &T, changed: &T) -> Option<T> {
        (master != changed).then(|| changed.clone())
    }
    OccurrenceOverride {
        when: (!same_time(natural, &changed.when)).then(|| changed.when.clone()),
        subject: differs(&master.subject, &changed.subject),
        location: differs(&master.location, &changed.location),
        body: differs(&master.body, &changed.body),
        show_as: differs(&master.show_as, &changed.show_as),
        sensitivity: differs(&master.sensitivity, &changed.sensitivity),
        importance: differs(&master.importance, &changed.importance),
        categories: differs(&master.categories, &changed.categories),
        reminder_minutes: differs(&master.reminder_minutes, &changed.reminder_minutes),
    }
}

//! Recurring series on Graph: assembling a model [`Series`] (with moved/changed and cancelled
//! occurrences) from a series master and its instances, and the per-instance writes that make
//! Graph's series match a desired one.
//!
//! Invariant: occurrences are keyed by their original start as a wall-clock time in the
//! series' zone (the recurrence's zone, else the zone of the series start; all-day series:
//! midnight of the date), so a weekly 09:00 Europe/Berlin series has keys at 09:00 on both sides
//! of a DST switch although Graph's `originalStart` is UTC. Graph delta and instances never
//! report cancelled occurrences: an occurrence the pattern produces inside the queried window
//! without an instance is taken as cancelled, so the window must be the one the instances were
//! queried for.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDateTime, NaiveTime, Utc};
use exsync_model::{
    Appointment, OccurrenceOverride, Recurrence, Series, When, occurrence_time, occurrences,
    utc_to_local,
};
use serde_json::Value;

use super::WireError;
use super::event::{EventType, GraphEvent, event_patch};

/// The fields an occurrence can differ in from its series (model field names).
pub const OCCURRENCE_FIELDS: [&str; 9] = [
    "when",
    "subject",
    "location",
    "body",
    "show_as",
    "sensitivity",
    "importance",
    "categories",
    "reminder_minutes",
];

/// The series of `master` with its modified occurrences (exceptions among `instances`, holding
/// only what differs from the master) and cancelled occurrences (those the pattern produces in
/// `[window_start, window_end)`, the range `instances` was queried for, without an instance).
/// A property an instance does not carry (left out of `$select`) counts as unchanged; select
/// the same properties for instances as for the master.
pub fn assemble(
    master: &GraphEvent,
    instances: &[GraphEvent],
    window_start: DateTime<Utc>,
    window_end: DateTime<Utc>,
) -> Result<Appointment, WireError> {
    let mut appointment = master.to_appointment()?;
    let Some(series) = appointment.series.as_ref() else {
        return Err(WireError::missing(&master.id, "recurrence"));
    };
    let recurrence = series.recurrence.clone();
    // All-day originalStart is midnight of the series' zone: without the recurrence's zone,
    // the zone the master's start was written in.
    let mut keyed = recurrence.clone();
    if keyed.time_zone.is_none() && matches!(appointment.when, When::AllDay { .. }) {
        keyed.time_zone = master
            .raw()
            .get("originalStartTimeZone")
            .and_then(Value::as_str)
            .and_then(|name| exsync_model::TimeZoneName::new(name).ok());
    }
    let mut modified = series.modified.clone();
    let mut present = BTreeSet::new();
    for instance in instances.iter().filter(|i| !i.is_removed()) {
        if !matches!(
            instance.event_type,
            Some(EventType::Occurrence | EventType::Exception)
        ) {
            continue;
        }
        let original = instance
            .original_start
            .ok_or_else(|| WireError::missing(&instance.id, "originalStart"))?;
        let key = occurrence_key(&appointment.when, &keyed, original, &master.id)?;
        present.insert(key);
        if instance.event_type == Some(EventType::Exception) {
            let expected = occurrence_of(&appointment, &recurrence, key, None, &master.id)?;
            let actual = with_absent_as(instance, instance.fields()?, &expected);
            let changes = differences(&expected, &actual);
            if !changes.is_empty() {
                modified.insert(key, changes);
            }
        }
    }
    let plain = Series::new(recurrence.clone());
    let expected =
        occurrences(&appointment.when, &plain, window_start, window_end).map_err(|source| {
            WireError::Expand {
                item: master.id.clone(),
                source,
            }
        })?;
    let cancelled = expected
        .into_iter()
        .map(|o| o.original_start)
        .filter(|key| !present.contains(key))
        .collect();
    appointment.series = Some(Series {
        recurrence,
        modified,
        cancelled,
    });
    Ok(appointment)
}

/// One write to a Graph instance (occurrence or exception) of a series.
#[derive(Debug, Clone, PartialEq)]
pub enum OccurrenceWrite {
    /// PATCH the instance with this body (only the fields that differ).
    Patch {
        /// Graph id of the instance.
        instance_id: String,
        /// The occurrence's key (original start, wall clock in the series' zone).
        original_start: NaiveDateTime,
        /// The PATCH body.
        body: Value,
    },
    /// DELETE the instance (the occurrence is cancelled).
    Delete {
        /// Graph id of the instance.
        instance_id: String,
        /// The occurrence's key.
        original_start: NaiveDateTime,
    },
}

/// The writes that make the Graph `instances` of a series match `desired` (an appointment with
/// a series): cancelled occurrences are deleted; an instance that differs from what `desired`
/// says for it (its override applied to the series, or the series itself) is patched with the
/// differing fields only; an instance already matching needs no write. Instances whose key
/// `desired` does not know as an occurrence are left alone (the master's recurrence is written
/// separately). `all_day_zone` as in [`super::event::new_event`].
pub fn occurrence_writes(
    desired: &Appointment,
    instances: &[GraphEvent],
    all_day_zone: &exsync_model::TimeZoneName,
) -> Result<Vec<OccurrenceWrite>, WireError> {
    let name = desired.subject.as_str();
    let Some(series) = desired.series.as_ref() else {
        return Err(WireError::Invalid {
            item: name.to_owned(),
            reason: "it is not a series".to_owned(),
        });
    };
    // An all-day series without its own zone was written in `all_day_zone`: its instances'
    // originalStart is midnight there.
    let mut keyed = series.recurrence.clone();
    if keyed.time_zone.is_none() && matches!(desired.when, When::AllDay { .. }) {
        keyed.time_zone = Some(all_day_zone.clone());
    }
    let mut writes = Vec::new();
    for instance in instances.iter().filter(|i| !i.is_removed()) {
        if !matches!(
            instance.event_type,
            Some(EventType::Occurrence | EventType::Exception)
        ) {
            continue;
        }
        let original = instance
            .original_start
            .ok_or_else(|| WireError::missing(&instance.id, "originalStart"))?;
        let key = occurrence_key(&desired.when, &keyed, original, name)?;
        if series.cancelled.contains(&key) {
            writes.push(OccurrenceWrite::Delete {
                instance_id: instance.id.clone(),
                original_start: key,
            });
            continue;
        }
        let changes = series.modified.get(&key);
        let target = occurrence_of(desired, &series.recurrence, key, changes, name)?;
        let current = with_absent_as(instance, instance.fields()?, &target);
        let fields: Vec<&str> = OCCURRENCE_FIELDS
            .into_iter()
            .filter(|f| !field_matches(&target, &current, f))
            .collect();
        if fields.is_empty() {
            continue;
        }
        let mut target = target;
        // The occurrence's own all-day dates are placed in the series' zone.
        target.series = desired.series.clone();
        let mut body = event_patch(&target, &fields, all_day_zone)?;
        if let Value::Object(map) = &mut body {
            map.remove("recurrence");
        }
        writes.push(OccurrenceWrite::Patch {
            instance_id: instance.id.clone(),
            original_start: key,
            body,
        });
    }
    Ok(writes)
}

/// The key (original start as wall clock in the series' zone) of the occurrence whose Graph
/// `originalStart` is `original` in a series starting at `start`.
pub fn occurrence_key(
    start: &When,
    recurrence: &Recurrence,
    original: DateTime<Utc>,
    item: &str,
) -> Result<NaiveDateTime, WireError> {
    let zone =
        |name: &exsync_model::TimeZoneName| name.resolve().map_err(|e| WireError::zone(item, e));
    match start {
        When::Timed { start, .. } => {
            let tz = zone(recurrence.time_zone.as_ref().unwrap_or(&start.zone))?;
            Ok(utc_to_local(tz, original))
        }
        When::AllDay { .. } => {
            // Exchange Online gives an all-day occurrence's originalStart as midnight of the
            // series' zone expressed in UTC (2027-03-09T23:00:00Z for 10 March in Berlin;
            // microsoftgraph/microsoft-graph-docs#2804 shows 07:00:00Z in a UTC-7 calendar);
            // midnight UTC is accepted as that date too.
            if original.time() == NaiveTime::MIN {
                return Ok(original.date_naive().and_time(NaiveTime::MIN));
            }
            let date = match &recurrence.time_zone {
                Some(name) => utc_to_local(zone(name)?, original).date(),
                // The series' zone is not known here: the nearest midnight, right for every
                // zone from UTC-11:59 to UTC+12 (an instant alone cannot tell UTC+14's date
                // from UTC-10's); `assemble` passes the master's zone instead.
                None => (original + chrono::Duration::hours(12)).date_naive(),
            };
            Ok(date.and_time(NaiveTime::MIN))
        }
    }
}

/// The key of a bound of a range of instants (not an `originalStart`): as
/// [`occurrence_key`] for a timed series; for an all-day series the bound's date in the
/// recurrence's zone (midnight UTC: that date), else in UTC (never rounded up to the next day).
pub fn range_key(
    start: &When,
    recurrence: &Recurrence,
    bound: DateTime<Utc>,
    item: &str,
) -> Result<NaiveDateTime, WireError> {
    match (start, &recurrence.time_zone) {
        (When::Timed { .. }, _) => occurrence_key(start, recurrence, bound, item),
        (When::AllDay { .. }, Some(name)) if bound.time() != NaiveTime::MIN => {
            let tz = name.resolve().map_err(|e| WireError::zone(item, e))?;
            Ok(utc_to_local(tz, bound).date().and_time(NaiveTime::MIN))
        }
        (When::AllDay { .. }, _) => Ok(bound.date_naive().and_time(NaiveTime::MIN)),
    }
}

/// An occurrence as `calendarView/delta` sends it (bare: `id`, `type`, `seriesMasterId`,
/// `start`, `end`) completed from its series `master` (as the same delta round sent it): the
/// master's properties, the occurrence's own id and times, and `originalStart` = its start (an
/// occurrence has not moved). `None` for what cannot be completed: an exception without
/// `originalStart` (it may have moved and changed anything), another series' instance, or an
/// instance that is not bare.
pub fn complete_from_master(instance: &GraphEvent, master: &GraphEvent) -> Option<GraphEvent> {
    if instance.original_start.is_some() {
        return Some(instance.clone());
    }
    let own = instance.event_type == Some(EventType::Occurrence)
        && master.event_type == Some(EventType::SeriesMaster)
        && instance.series_master_id.as_deref() == Some(master.id.as_str());
    if !own {
        return None;
    }
    let mut raw = master.raw().as_object()?.clone();
    raw.remove("recurrence");
    raw.remove("changeKey");
    for key in [
        "@odata.etag",
        "id",
        "type",
        "seriesMasterId",
        "start",
        "end",
    ] {
        match instance.raw().get(key) {
            Some(value) => raw.insert(key.to_owned(), value.clone()),
            None => raw.remove(key),
        };
    }
    let mut completed = GraphEvent::parse(&Value::Object(raw)).ok()?;
    completed.original_start = match completed.fields().ok()?.when {
        When::Timed { start, .. } => Some(start.to_utc().ok()?),
        When::AllDay { start, .. } => Some(start.and_time(NaiveTime::MIN).and_utc()),
    };
    Some(completed)
}

/// The occurrence with key `key` of `series_item` as a single appointment: the series' fields
/// and time, with `changes` applied.
fn occurrence_of(
    series_item: &Appointment,
    recurrence: &Recurrence,
    key: NaiveDateTime,
    changes: Option<&OccurrenceOverride>,
    item: &str,
) -> Result<Appointment, WireError> {
    let mut occurrence = series_item.clone();
    occurrence.series = None;
    occurrence.when = match changes.and_then(|c| c.when.clone()) {
        Some(when) => when,
        None => occurrence_time(&series_item.when, recurrence, key).map_err(|source| {
            WireError::Expand {
                item: item.to_owned(),
                source,
            }
        })?,
    };
    if let Some(c) = changes {
        if let Some(v) = &c.subject {
            occurrence.subject.clone_from(v);
        }
        if let Some(v) = &c.location {
            occurrence.location.clone_from(v);
        }
        if let Some(v) = &c.body {
            occurrence.body.clone_from(v);
        }
        if let Some(v) = c.show_as {
            occurrence.show_as = v;
        }
        if let Some(v) = c.sensitivity {
            occurrence.sensitivity = v;
        }
        if let Some(v) = c.importance {
            occurrence.importance = v;
        }
        if let Some(v) = &c.categories {
            occurrence.categories.clone_from(v);
        }
        if let Some(v) = c.reminder_minutes {
            occurrence.reminder_minutes = v;
        }
    }
    Ok(occurrence)
}

/// The Graph property whose presence shows that an instance reports a model field.
const FIELD_PROPERTIES: [(&str, &str); 8] = [
    ("subject", "subject"),
    ("location", "location"),
    ("body", "body"),
    ("show_as", "showAs"),
    ("sensitivity", "sensitivity"),
    ("importance", "importance"),
    ("categories", "categories"),
    ("reminder_minutes", "isReminderOn"),
];

/// `read` with every field whose Graph property the instance does not carry (not in the
/// request's `$select`) taken from `assumed`: an unreported field is not a change.
fn with_absent_as(
    instance: &GraphEvent,
    mut read: Appointment,
    assumed: &Appointment,
) -> Appointment {
    for (field, property) in FIELD_PROPERTIES {
        if instance.raw().get(property).is_none() {
            exsync_model::SyncItem::copy_field(&mut read, assumed, field);
        }
    }
    read
}

/// What `actual` changes relative to `expected` (an occurrence as the series puts it).
fn differences(expected: &Appointment, actual: &Appointment) -> OccurrenceOverride {
    let differs = |field| !field_matches(expected, actual, field);
    OccurrenceOverride {
        when: differs("when").then(|| actual.when.clone()),
        subject: differs("subject").then(|| actual.subject.clone()),
        location: differs("location").then(|| actual.location.clone()),
        body: differs("body").then(|| actual.body.clone()),
        show_as: differs("show_as").then_some(actual.show_as),
        sensitivity: differs("sensitivity").then_some(actual.sensitivity),
        importance: differs("importance").then_some(actual.importance),
        categories: differs("categories").then(|| actual.categories.clone()),
        reminder_minutes: differs("reminder_minutes").then_some(actual.reminder_minutes),
    }
}

/// True when `field` of an occurrence is the same in both; times compare as instants (Graph
/// may report them in another zone than the model keeps).
fn field_matches(a: &Appointment, b: &Appointment, field: &str) -> bool {
    match field {
        "when" => same_time(&a.when, &b.when),
        "subject" => a.subject == b.subject,
        "location" => a.location == b.location,
        "body" => a.body == b.body,
        "show_as" => a.show_as == b.show_as,
        "sensitivity" => a.sensitivity == b.sensitivity,
        "importance" => a.importance == b.importance,
        "categories" => a.categories == b.categories,
        "reminder_minutes" => a.reminder_minutes == b.reminder_minutes,
        _ => true,
    }
}

fn same_time(a: &When, b: &When) -> bool {
    match (a, b) {
        (When::Timed { start: s1, end: e1 }, When::Timed { start: s2, end: e2 }) => {
            s1.to_utc().ok() == s2.to_utc().ok() && e1.to_utc().ok() == e2.to_utc().ok()
        }
        _ => a == b,
    }
}

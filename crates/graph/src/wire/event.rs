//! Graph `event` JSON <-> model [`Appointment`]: the POST body of a new event, PATCH bodies of
//! named fields, and parsing of events as Graph returns them (single instances, series
//! masters, occurrences, exceptions and delta tombstones).
//!
//! Invariant: attendees and the organizer are never written (exsync never sends invitations);
//! times are written as wall clock plus the zone's Windows name, and read back into the event's
//! own zone (`originalStartTimeZone`/`originalEndTimeZone`, else the recurrence's zone, else
//! the zone the time came in) whatever zone the `Prefer: outlook.timezone` header asked for.
//! A series master is read as starting with its first occurrence, as Exchange starts a series
//! (see `exsync_model::first_occurrence`), so its start is always an occurrence of its pattern.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use exsync_model::{
    Appointment, Attendee, AttendeeResponse, AttendeeRole, EmailAddress, Sensitivity, Series,
    ShowAs, TimeZoneName, When, ZonedDateTime, first_occurrence,
};
use serde_json::{Map, Value, json};

use super::values::{
    date_time_zone, extended_property, format_local, importance_name, item_body, optional_str,
    read_date_time_zone, read_id, read_importance, read_item_body, read_strings, read_timestamp,
    removed_reason, string_or_empty,
};
use super::{BUSINESS_ID_PROPERTY, WireError, recurrence};

/// Graph `eventType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A non-recurring event.
    SingleInstance,
    /// An unchanged occurrence of a series.
    Occurrence,
    /// A moved or changed occurrence of a series.
    Exception,
    /// The series itself (carries the recurrence).
    SeriesMaster,
}

/// A Graph event as read from a list, delta or instances response.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphEvent {
    /// Graph id.
    pub id: String,
    /// `changeKey` (version of the item).
    pub change_key: Option<String>,
    /// `@odata.etag`, for `If-Match`.
    pub etag: Option<String>,
    /// `type`; `None` for a delta tombstone.
    pub event_type: Option<EventType>,
    /// `seriesMasterId` of an occurrence or exception.
    pub series_master_id: Option<String>,
    /// `originalStart` (UTC) of an occurrence or exception: where the pattern put it.
    pub original_start: Option<DateTime<Utc>>,
    /// The business id ([`BUSINESS_ID_PROPERTY`]) when exsync wrote the event and it was
    /// expanded in the request.
    pub business_id: Option<String>,
    /// `lastModifiedDateTime`.
    pub last_modified: Option<DateTime<Utc>>,
    /// `isOrganizer`.
    pub is_organizer: Option<bool>,
    /// `@removed.reason` of a delta tombstone (`deleted`, `changed`); `None` otherwise.
    pub removed: Option<String>,
    raw: Value,
}

impl GraphEvent {
    /// Reads the identifying properties of a Graph event (the rest is read by
    /// [`GraphEvent::to_appointment`]).
    pub fn parse(raw: &Value) -> Result<Self, WireError> {
        let id = read_id(raw, "event")?;
        let removed = removed_reason(raw);
        let event_type = match optional_str(raw, "type") {
            None if removed.is_some() => None,
            None if raw.get("recurrence").is_some_and(Value::is_object) => {
                Some(EventType::SeriesMaster)
            }
            None | Some("singleInstance") => Some(EventType::SingleInstance),
            Some("occurrence") => Some(EventType::Occurrence),
            Some("exception") => Some(EventType::Exception),
            Some("seriesMaster") => Some(EventType::SeriesMaster),
            Some(other) => return Err(WireError::unsupported(&id, "type", other)),
        };
        Ok(Self {
            change_key: optional_str(raw, "changeKey").map(str::to_owned),
            etag: optional_str(raw, "@odata.etag").map(str::to_owned),
            event_type,
            series_master_id: optional_str(raw, "seriesMasterId").map(str::to_owned),
            original_start: read_timestamp(raw, "originalStart", &id)?,
            business_id: extended_property(raw, BUSINESS_ID_PROPERTY).map(str::to_owned),
            last_modified: read_timestamp(raw, "lastModifiedDateTime", &id)?,
            is_organizer: raw.get("isOrganizer").and_then(Value::as_bool),
            removed,
            raw: raw.clone(),
            id,
        })
    }

    /// True for a delta tombstone (`@removed`).
    pub fn is_removed(&self) -> bool {
        self.removed.is_some()
    }

    /// The JSON as received.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// The appointment of a single instance or a series master (a series master's `modified`
    /// and `cancelled` stay empty: see [`super::series::assemble`]).
    pub fn to_appointment(&self) -> Result<Appointment, WireError> {
        match self.event_type {
            Some(EventType::SingleInstance | EventType::SeriesMaster) => {}
            other => {
                let found = other.map_or("@removed".to_owned(), |t| format!("{t:?}"));
                return Err(WireError::unsupported(&self.id, "type", found));
            }
        }
        let mut appointment = self.fields()?;
        if self.event_type == Some(EventType::SeriesMaster) {
            let value = self
                .raw
                .get("recurrence")
                .filter(|r| r.is_object())
                .ok_or_else(|| WireError::missing(&self.id, "recurrence"))?;
            let mut read = recurrence::from_graph(value, &self.id)?.recurrence;
            // A timed series evaluated in its start's own zone needs no separate zone.
            if let (When::Timed { start, .. }, Some(zone)) = (&appointment.when, &read.time_zone)
                && start.zone.same_zone(zone)
            {
                read.time_zone = None;
            }
            // Exchange starts a series with its first occurrence; a master whose start no longer
            // fits its pattern (the pattern changed) is read as starting there, which is where
            // its occurrences are and what the business side's reader accepts.
            appointment.when = match first_occurrence(&appointment.when, &read) {
                Ok(Some(when)) => when,
                Ok(None) => {
                    return Err(WireError::unsupported(
                        &self.id,
                        "recurrence",
                        "a range without any occurrence",
                    ));
                }
                Err(source) => {
                    return Err(WireError::Expand {
                        item: self.id.clone(),
                        source,
                    });
                }
            };
            appointment.series = Some(Series::new(read));
        }
        Ok(appointment)
    }

    /// The appointment fields of any event (occurrences and exceptions included), without
    /// series.
    pub fn fields(&self) -> Result<Appointment, WireError> {
        let raw = &self.raw;
        let id = self.id.as_str();
        let when = self.read_when()?;
        let mut appointment = match when {
            When::Timed { start, end } => {
                Appointment::timed(string_or_empty(raw, "subject"), start, end)
            }
            When::AllDay { start, end } => {
                Appointment::all_day(string_or_empty(raw, "subject"), start, end)
            }
        };
        appointment.location = raw
            .get("location")
            .and_then(|l| l.get("displayName"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        appointment.body = read_item_body(raw, id)?;
        appointment.show_as = match optional_str(raw, "showAs") {
            None | Some("busy") | Some("unknown") => ShowAs::Busy,
            Some("free") => ShowAs::Free,
            Some("tentative") => ShowAs::Tentative,
            Some("oof") => ShowAs::OutOfOffice,
            Some("workingElsewhere") => ShowAs::WorkingElsewhere,
            Some(other) => return Err(WireError::unsupported(id, "showAs", other)),
        };
        appointment.sensitivity = match optional_str(raw, "sensitivity") {
            None | Some("normal") => Sensitivity::Normal,
            Some("personal") => Sensitivity::Personal,
            Some("private") => Sensitivity::Private,
            Some("confidential") => Sensitivity::Confidential,
            Some(other) => return Err(WireError::unsupported(id, "sensitivity", other)),
        };
        appointment.importance = read_importance(raw, id)?;
        appointment.categories = read_strings(raw, "categories", id)?;
        appointment.reminder_minutes = match raw.get("isReminderOn").and_then(Value::as_bool) {
            Some(true) => {
                let minutes = raw.get("reminderMinutesBeforeStart");
                Some(
                    minutes
                        .and_then(Value::as_u64)
                        .and_then(|m| u32::try_from(m).ok())
                        .ok_or_else(|| {
                            WireError::unsupported(
                                id,
                                "reminderMinutesBeforeStart",
                                minutes.unwrap_or(&Value::Null),
                            )
                        })?,
                )
            }
            _ => None,
        };
        appointment.attendees = read_attendees(raw, id)?;
        // Graph names an organizer on every event (the mailbox owner on plain appointments);
        // the model keeps one for meetings only.
        if !appointment.attendees.is_empty() || self.is_organizer == Some(false) {
            // An organizer without an address (Graph gives one for some imported items) is
            // no organizer the business side could keep: reading it as one would differ from
            // the stored record on every pass.
            appointment.organizer = raw
                .get("organizer")
                .and_then(|o| o.get("emailAddress"))
                .map(read_email)
                .filter(|organizer| !organizer.address.trim().is_empty());
        }
        Ok(appointment)
    }

    /// The zone the event itself was created in, as far as exsync knows its rules.
    fn own_zone(&self, property: &str) -> Option<TimeZoneName> {
        let usable = |name: &str| TimeZoneName::new(name).ok();
        optional_str(&self.raw, property)
            .and_then(usable)
            .or_else(|| {
                self.raw
                    .get("recurrence")
                    .and_then(|r| r.get("range"))
                    .and_then(|r| optional_str(r, "recurrenceTimeZone"))
                    .and_then(usable)
            })
    }

    fn read_when(&self) -> Result<When, WireError> {
        let id = self.id.as_str();
        let start = read_date_time_zone(&self.raw, "start", id)?
            .ok_or_else(|| WireError::missing(id, "start"))?;
        let end = read_date_time_zone(&self.raw, "end", id)?
            .ok_or_else(|| WireError::missing(id, "end"))?;
        let start_zone = self.own_zone("originalStartTimeZone");
        let end_zone = self.own_zone("originalEndTimeZone").or(start_zone.clone());
        let in_own = |time: ZonedDateTime, zone: Option<TimeZoneName>| match zone {
            Some(zone) if zone != time.zone => {
                time.in_zone(&zone).map_err(|e| WireError::zone(id, e))
            }
            _ => Ok(time),
        };
        if self.raw.get("isAllDay").and_then(Value::as_bool) == Some(true) {
            // "All day events always return midnight-to-midnight regardless of time zone"
            // (Graph team, microsoftgraph/microsoft-graph-docs#1802 and #16798), whatever the
            // Prefer header. Should a producer send another zone's midnight instead, the date is
            // taken in the event's own zone.
            let date = |time: ZonedDateTime, zone| -> Result<NaiveDate, WireError> {
                if time.local.time() == NaiveTime::MIN {
                    Ok(time.local.date())
                } else {
                    Ok(in_own(time, zone)?.local.date())
                }
            };
            let start = date(start, start_zone)?;
            let end = date(end, end_zone)?;
            return Ok(When::AllDay { start, end });
        }
        Ok(When::Timed {
            start: in_own(start, start_zone)?,
            end: in_own(end, end_zone)?,
        })
    }
}

fn read_email(value: &Value) -> EmailAddress {
    EmailAddress::new(
        string_or_empty(value, "address"),
        string_or_empty(value, "name"),
    )
}

fn read_attendees(raw: &Value, id: &str) -> Result<Vec<Attendee>, WireError> {
    let Some(list) = raw.get("attendees").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|a| {
            let role = match optional_str(a, "type") {
                None | Some("required") => AttendeeRole::Required,
                Some("optional") => AttendeeRole::Optional,
                Some("resource") => AttendeeRole::Resource,
                Some(other) => return Err(WireError::unsupported(id, "attendees.type", other)),
            };
            let response = match a.get("status").and_then(|s| optional_str(s, "response")) {
                None | Some("none") | Some("notResponded") => AttendeeResponse::None,
                Some("organizer") => AttendeeResponse::Organizer,
                Some("accepted") => AttendeeResponse::Accepted,
                Some("tentativelyAccepted") => AttendeeResponse::Tentative,
                Some("declined") => AttendeeResponse::Declined,
                Some(other) => {
                    return Err(WireError::unsupported(
                        id,
                        "attendees.status.response",
                        other,
                    ));
                }
            };
            let email = a.get("emailAddress").map(read_email).unwrap_or_default();
            Ok(Attendee {
                email,
                role,
                response,
            })
        })
        .collect()
}

/// The POST body that creates `item` (a single item or a whole series) with the business id
/// property and `transactionId` (Graph's idempotency key for creates). All-day items are
/// placed in the recurrence's zone, else in `all_day_zone` (the business default zone): Graph
/// wants a `timeZone` on the start and end of all-day events too. A series' moved, changed
/// and cancelled occurrences are not part of the body: write them afterwards with
/// [`super::series::occurrence_writes`] on the created series' instances.
pub fn new_event(
    item: &Appointment,
    business_id: &str,
    transaction_id: &str,
    all_day_zone: &TimeZoneName,
) -> Result<Value, WireError> {
    let mut body = Map::new();
    for field in [
        "subject",
        "location",
        "body",
        "when",
        "show_as",
        "sensitivity",
        "importance",
        "categories",
        "reminder_minutes",
    ] {
        write_field(&mut body, item, field, all_day_zone)?;
    }
    if item.series.is_some() {
        write_field(&mut body, item, "series", all_day_zone)?;
    }
    body.insert(
        "singleValueExtendedProperties".into(),
        json!([{ "id": BUSINESS_ID_PROPERTY, "value": business_id }]),
    );
    body.insert("transactionId".into(), json!(transaction_id));
    Ok(Value::Object(body))
}

/// The PATCH body that sets the named model fields (names from `Appointment::FIELDS`) of an
/// event to their values in `item`. `organizer` and `attendees` are read-only and write
/// nothing; `series` writes `recurrence` (null for none) together with start and end, which
/// Graph needs consistent with the range's start date; its occurrence overrides and
/// cancellations go through [`super::series::occurrence_writes`].
pub fn event_patch(
    item: &Appointment,
    fields: &[&str],
    all_day_zone: &TimeZoneName,
) -> Result<Value, WireError> {
    let mut body = Map::new();
    for field in fields {
        write_field(&mut body, item, field, all_day_zone)?;
    }
    Ok(Value::Object(body))
}

/// The zone all-day dates of `item` are placed in.
fn all_day_zone_of<'a>(item: &'a Appointment, default: &'a TimeZoneName) -> &'a TimeZoneName {
    item.series
        .as_ref()
        .and_then(|s| s.recurrence.time_zone.as_ref())
        .unwrap_or(default)
}

fn write_field(
    body: &mut Map<String, Value>,
    item: &Appointment,
    field: &str,
    all_day_zone: &TimeZoneName,
) -> Result<(), WireError> {
    let name = item.subject.as_str();
    let mut put = |key: &str, value: Value| {
        body.insert(key.to_owned(), value);
    };
    match field {
        "subject" => put("subject", json!(item.subject)),
        "location" => put("location", json!({ "displayName": item.location })),
        "body" => put("body", item_body(&item.body)),
        "when" => {
            let (start, end, all_day) = when_json(item, all_day_zone)?;
            put("start", start);
            put("end", end);
            put("isAllDay", json!(all_day));
        }
        "show_as" => put(
            "showAs",
            json!(match item.show_as {
                ShowAs::Free => "free",
                ShowAs::Tentative => "tentative",
                ShowAs::Busy => "busy",
                ShowAs::OutOfOffice => "oof",
                ShowAs::WorkingElsewhere => "workingElsewhere",
            }),
        ),
        "sensitivity" => put(
            "sensitivity",
            json!(match item.sensitivity {
                Sensitivity::Normal => "normal",
                Sensitivity::Personal => "personal",
                Sensitivity::Private => "private",
                Sensitivity::Confidential => "confidential",
            }),
        ),
        "importance" => put("importance", json!(importance_name(item.importance))),
        "categories" => put("categories", json!(item.categories)),
        "reminder_minutes" => {
            put("isReminderOn", json!(item.reminder_minutes.is_some()));
            if let Some(minutes) = item.reminder_minutes {
                put("reminderMinutesBeforeStart", json!(minutes));
            }
        }
        "organizer" | "attendees" => {}
        "series" => {
            let (start, end, all_day) = when_json(item, all_day_zone)?;
            put("start", start);
            put("end", end);
            put("isAllDay", json!(all_day));
            let recurrence = match &item.series {
                None => Value::Null,
                Some(series) => {
                    let (date, zone) = series_start(item, all_day_zone)?;
                    recurrence::to_graph(&series.recurrence, date, &zone, name)?
                }
            };
            put("recurrence", recurrence);
        }
        other => return Err(WireError::UnknownField(other.to_owned())),
    }
    Ok(())
}

/// Start, end and `isAllDay` of an item (for a series: of its first occurrence).
pub(crate) fn when_json(
    item: &Appointment,
    all_day_zone: &TimeZoneName,
) -> Result<(Value, Value, bool), WireError> {
    let name = item.subject.as_str();
    match &item.when {
        When::Timed { start, end } => Ok((
            date_time_zone(start, name)?,
            date_time_zone(end, name)?,
            false,
        )),
        When::AllDay { start, end } => {
            let zone = all_day_zone_of(item, all_day_zone);
            let at_midnight = |date: NaiveDate| {
                let zone_name =
                    super::graph_zone_name(zone).map_err(|e| WireError::zone(name, e))?;
                Ok::<_, WireError>(json!({
                    "dateTime": format_local(date.and_time(NaiveTime::MIN)),
                    "timeZone": zone_name,
                }))
            };
            Ok((at_midnight(*start)?, at_midnight(*end)?, true))
        }
    }
}

/// The date of a series' first occurrence in the series' zone, and that zone.
fn series_start(
    item: &Appointment,
    all_day_zone: &TimeZoneName,
) -> Result<(NaiveDate, TimeZoneName), WireError> {
    let name = item.subject.as_str();
    let declared = item
        .series
        .as_ref()
        .and_then(|s| s.recurrence.time_zone.clone());
    match &item.when {
        When::AllDay { start, .. } => Ok((*start, all_day_zone_of(item, all_day_zone).clone())),
        When::Timed { start, .. } => {
            let zone = declared.unwrap_or_else(|| start.zone.clone());
            let local = start.in_zone(&zone).map_err(|e| WireError::zone(name, e))?;
            Ok((local.local.date(), zone))
        }
    }
}

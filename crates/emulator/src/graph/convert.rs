//! Between Graph's wire format and the stored item: an [`EventInput`] becomes an
//! [`Appointment`] with the zones it was given in; a [`StoredEvent`] (or one occurrence of it)
//! becomes an [`Event`] in the zone the client prefers.
//!
//! Invariant: what is stored keeps the wall-clock times and zone names exactly as the client
//! sent them; conversion to the answer's zone happens only on output, so a series stays at
//! 09:00 local across DST and `originalStartTimeZone` is what the client wrote.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use exsync_model::{
    Appointment, Attendee as ModelAttendee, Body, BodyFormat, EmailAddress as ModelEmail, Series,
    ShowAs, TimeZoneName, When, ZonedDateTime,
};

use super::error::GraphError;
use super::wire::common::{
    Attendee, DateTimeTimeZone, EmailAddress, ItemBody, Location, Recipient, ResponseStatus,
};
use super::wire::event::{Event, EventInput};
use crate::ids;
use crate::org::Mailbox;
use crate::store::StoredEvent;

use super::recurrence::{parse_recurrence, render_recurrence, series_start};
use super::vocab::{IMPORTANCE, RESPONSES, ROLES, SENSITIVITY, SHOW_AS, enum_value, name_of};

/// An appointment parsed from the wire, with the zones its start and end were given in.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    pub(crate) appointment: Appointment,
    pub(crate) start_zone: TimeZoneName,
    pub(crate) end_zone: TimeZoneName,
}

/// The zone answers are written in: the name as the client asked for it, and the zone.
#[derive(Debug, Clone)]
pub(crate) struct OutZone {
    pub(crate) name: String,
    pub(crate) zone: TimeZoneName,
}

impl OutZone {
    /// UTC, Graph's default.
    pub(crate) fn utc() -> Self {
        Self {
            name: "UTC".to_owned(),
            zone: TimeZoneName::utc(),
        }
    }
}

const DEFAULT_REMINDER: u32 = 15;

/// Parses a complete event (a POST body, or a stored event merged with a PATCH body).
pub(crate) fn parse(input: &EventInput, mailbox: &Mailbox) -> Result<Parsed, GraphError> {
    let (start, start_zone) = parse_time(input.start.as_ref(), "start")?;
    let (end, end_zone) = parse_time(input.end.as_ref(), "end")?;
    let when = if input.is_all_day.unwrap_or(false) {
        if start.time() != NaiveTime::MIN || end.time() != NaiveTime::MIN || end <= start {
            return Err(GraphError::invalid_request(
                "An all-day event must start and end at midnight, and end after it starts.",
            ));
        }
        When::AllDay {
            start: start.date(),
            end: end.date(),
        }
    } else {
        When::Timed {
            start: ZonedDateTime::new(start, start_zone.clone()),
            end: ZonedDateTime::new(end, end_zone.clone()),
        }
    };
    let mut appointment = Appointment::timed(String::new(), zoned_utc(start), zoned_utc(end));
    appointment.when = when;
    appointment.subject = input.subject.clone().unwrap_or_default();
    if let Some(body) = &input.body {
        let html = body
            .content_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("html"));
        let content = body.content.clone().unwrap_or_default();
        appointment.body = if html {
            Body::html(content)
        } else {
            Body::text(content)
        };
    }
    appointment.location = input
        .location
        .as_ref()
        .and_then(|l| l.display_name.clone())
        .unwrap_or_default();
    appointment.show_as =
        enum_value(input.show_as.as_deref(), "showAs", SHOW_AS)?.unwrap_or(ShowAs::Busy);
    appointment.sensitivity =
        enum_value(input.sensitivity.as_deref(), "sensitivity", SENSITIVITY)?.unwrap_or_default();
    appointment.importance =
        enum_value(input.importance.as_deref(), "importance", IMPORTANCE)?.unwrap_or_default();
    appointment.categories = input.categories.clone().unwrap_or_default();
    let minutes = match input.reminder_minutes_before_start {
        Some(m) => u32::try_from(m)
            .map_err(|_| GraphError::invalid_request("reminderMinutesBeforeStart is negative."))?,
        None => DEFAULT_REMINDER,
    };
    appointment.reminder_minutes = input.is_reminder_on.unwrap_or(true).then_some(minutes);
    let organizer = input
        .organizer
        .as_ref()
        .and_then(|o| o.email_address.as_ref())
        .and_then(|e| {
            let address = e.address.clone()?;
            Some(ModelEmail::new(address, e.name.clone().unwrap_or_default()))
        });
    appointment.organizer =
        Some(organizer.unwrap_or_else(|| ModelEmail::new(&mailbox.mail, &mailbox.display_name)));
    appointment.attendees = input
        .attendees
        .iter()
        .flatten()
        .map(parse_attendee)
        .collect::<Result<_, _>>()?;
    if let Some(recurrence) = &input.recurrence {
        let recurrence = parse_recurrence(recurrence)?;
        appointment.when = series_start(&appointment.when, &recurrence)?;
        appointment.series = Some(Series::new(recurrence));
    }
    appointment
        .validate()
        .map_err(|e| GraphError::invalid_request(e.to_string()))?;
    Ok(Parsed {
        appointment,
        start_zone,
        end_zone,
    })
}

fn zoned_utc(local: NaiveDateTime) -> ZonedDateTime {
    ZonedDateTime::new(local, TimeZoneName::utc())
}

fn parse_time(
    value: Option<&DateTimeTimeZone>,
    field: &str,
) -> Result<(NaiveDateTime, TimeZoneName), GraphError> {
    let value = value.ok_or_else(|| {
        GraphError::invalid_request(format!("The property '{field}' is required."))
    })?;
    let text = value.date_time.trim().trim_end_matches('Z');
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .map_err(|_| {
            GraphError::invalid_request(format!(
                "Cannot convert the literal '{}' to the expected type 'Edm.DateTime'.",
                value.date_time
            ))
        })?;
    let zone = match value.time_zone.as_deref().map(str::trim) {
        None | Some("") => TimeZoneName::utc(),
        Some(name) => TimeZoneName::new(name).map_err(|_| GraphError::time_zone(name))?,
    };
    Ok((local, zone))
}

fn parse_attendee(attendee: &Attendee) -> Result<ModelAttendee, GraphError> {
    let email = attendee.email_address.clone().unwrap_or_default();
    Ok(ModelAttendee {
        email: ModelEmail::new(
            email.address.unwrap_or_default(),
            email.name.unwrap_or_default(),
        ),
        role: enum_value(attendee.kind.as_deref(), "type", ROLES)?.unwrap_or_default(),
        response: enum_value(
            attendee.status.as_ref().and_then(|s| s.response.as_deref()),
            "response",
            RESPONSES,
        )?
        .unwrap_or_default(),
    })
}

/// The stored event as a complete input (for merging a PATCH body into it).
pub(crate) fn to_input(event: &StoredEvent, mailbox: &Mailbox) -> EventInput {
    let zone = OutZone {
        name: String::new(),
        zone: TimeZoneName::utc(),
    };
    let a = &event.appointment;
    let (start, end) = match &a.when {
        When::Timed { start, end } => (
            DateTimeTimeZone {
                date_time: wire_time(start.local),
                time_zone: Some(start.zone.to_string()),
            },
            DateTimeTimeZone {
                date_time: wire_time(end.local),
                time_zone: Some(end.zone.to_string()),
            },
        ),
        When::AllDay { start, end } => (
            all_day_time(*start, event.start_zone.as_str()),
            all_day_time(*end, event.end_zone.as_str()),
        ),
    };
    let rendered = render(event, a, &a.when, mailbox, &zone);
    EventInput {
        subject: Some(a.subject.clone()),
        body: Some(rendered.body),
        start: Some(start),
        end: Some(end),
        is_all_day: Some(a.when.is_all_day()),
        show_as: Some(rendered.show_as),
        sensitivity: Some(rendered.sensitivity),
        importance: Some(rendered.importance),
        categories: Some(a.categories.clone()),
        is_reminder_on: Some(rendered.is_reminder_on),
        reminder_minutes_before_start: Some(rendered.reminder_minutes_before_start),
        location: Some(rendered.location),
        recurrence: rendered.recurrence,
        organizer: Some(rendered.organizer),
        attendees: Some(rendered.attendees),
        transaction_id: event.transaction_id.clone(),
    }
}

/// The stored event (single instance or series master) as Graph returns it.
pub(crate) fn to_wire(event: &StoredEvent, mailbox: &Mailbox, zone: &OutZone) -> Event {
    render(
        event,
        &event.appointment,
        &event.appointment.when,
        mailbox,
        zone,
    )
}

/// Renders `view` (the event's appointment, or an occurrence's view of it) at time `when`.
pub(crate) fn render(
    event: &StoredEvent,
    view: &Appointment,
    when: &When,
    mailbox: &Mailbox,
    zone: &OutZone,
) -> Event {
    let (start, end) = match when {
        When::Timed { start, end } => (out_time(start, zone), out_time(end, zone)),
        When::AllDay { start, end } => (
            all_day_time(*start, &zone.name),
            all_day_time(*end, &zone.name),
        ),
    };
    // Graph names an organizer on every event: items stored without one (seeds, EWS
    // creates) are the mailbox owner's own.
    let organizer = view
        .organizer
        .clone()
        .unwrap_or_else(|| ModelEmail::new(&mailbox.mail, &mailbox.display_name));
    let is_organizer = organizer.address.eq_ignore_ascii_case(&mailbox.mail);
    let content_type = match view.body.format {
        BodyFormat::Text => "text",
        BodyFormat::Html => "html",
    };
    Event {
        odata_etag: format!("W/\"{}\"", event.change_key),
        id: event.id.clone(),
        created_date_time: ids::graph_timestamp(event.created),
        last_modified_date_time: ids::graph_timestamp(event.last_modified),
        change_key: event.change_key.clone(),
        categories: view.categories.clone(),
        transaction_id: event.transaction_id.clone(),
        original_start_time_zone: event.start_zone.to_string(),
        original_end_time_zone: event.end_zone.to_string(),
        ical_uid: event.ical_uid.clone(),
        reminder_minutes_before_start: view.reminder_minutes.map_or(DEFAULT_REMINDER as i32, |m| {
            i32::try_from(m).unwrap_or(i32::MAX)
        }),
        is_reminder_on: view.reminder_minutes.is_some(),
        has_attachments: false,
        subject: view.subject.clone(),
        body_preview: preview(&view.body),
        importance: name_of(view.importance, IMPORTANCE).to_owned(),
        sensitivity: name_of(view.sensitivity, SENSITIVITY).to_owned(),
        is_all_day: when.is_all_day(),
        is_cancelled: false,
        is_organizer,
        response_requested: true,
        series_master_id: None,
        original_start: None,
        show_as: name_of(view.show_as, SHOW_AS).to_owned(),
        kind: if view.series.is_some() {
            "seriesMaster"
        } else {
            "singleInstance"
        }
        .to_owned(),
        response_status: ResponseStatus {
            response: Some(if is_organizer { "organizer" } else { "none" }.to_owned()),
            time: Some("0001-01-01T00:00:00Z".to_owned()),
        },
        body: ItemBody {
            content_type: Some(content_type.to_owned()),
            content: Some(view.body.content.clone()),
        },
        start,
        end,
        location: Location {
            display_name: Some(view.location.clone()),
            location_type: Some("default".to_owned()),
        },
        recurrence: view
            .series
            .as_ref()
            .map(|s| render_recurrence(&s.recurrence, &view.when, event.start_zone.as_str())),
        attendees: view.attendees.iter().map(render_attendee).collect(),
        organizer: Recipient {
            email_address: Some(EmailAddress {
                name: Some(organizer.name),
                address: Some(organizer.address),
            }),
        },
    }
}

fn render_attendee(a: &ModelAttendee) -> Attendee {
    Attendee {
        kind: Some(name_of(a.role, ROLES).to_owned()),
        status: Some(ResponseStatus {
            response: Some(name_of(a.response, RESPONSES).to_owned()),
            time: Some("0001-01-01T00:00:00Z".to_owned()),
        }),
        email_address: Some(EmailAddress {
            name: Some(a.email.name.clone()),
            address: Some(a.email.address.clone()),
        }),
    }
}

/// `2026-01-15T09:00:00.0000000`, as Graph writes `dateTimeTimeZone.dateTime`.
pub(crate) fn wire_time(local: NaiveDateTime) -> String {
    format!(
        "{}.{:07}",
        local.format("%Y-%m-%dT%H:%M:%S"),
        local.and_utc().timestamp_subsec_nanos() / 100
    )
}

fn out_time(time: &ZonedDateTime, zone: &OutZone) -> DateTimeTimeZone {
    let local = time.in_zone(&zone.zone).map_or(time.local, |t| t.local);
    DateTimeTimeZone {
        date_time: wire_time(local),
        time_zone: Some(zone.name.clone()),
    }
}

fn all_day_time(date: NaiveDate, zone_name: &str) -> DateTimeTimeZone {
    DateTimeTimeZone {
        date_time: wire_time(date.and_time(NaiveTime::MIN)),
        time_zone: Some(zone_name.to_owned()),
    }
}

fn preview(body: &Body) -> String {
    let text = match body.format {
        BodyFormat::Text => body.content.clone(),
        BodyFormat::Html => {
            let mut out = String::new();
            let mut in_tag = false;
            for c in body.content.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        out.push(' ');
                    }
                    _ if !in_tag => out.push(c),
                    _ => {}
                }
            }
            out
        }
    };
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.chars().take(255).collect()
}

//! Reading an `exsync_appointments` row and its `exsync_appointment_exceptions` rows into an
//! [`Appointment`].
//!
//! Invariant: either the whole appointment (series, moved and cancelled occurrences) is read,
//! or one [`RowError`] says which row and column is wrong and how to fix it; a series is never
//! returned without one of its exception rows.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDateTime};
use exsync_model::{
    Appointment, Attendee, Body, BodyFormat, BusinessId, EmailAddress, OccurrenceOverride,
    Recurrence, Series, UnsupportedRecurrence, When, ZonedDateTime, is_occurrence, occurrence_time,
};
use serde::Deserialize;

use super::recurrence_from_rrule;
use crate::columns::{
    format_local, parse_day, parse_enum, parse_local, parse_local_or_date, parse_zone,
    split_categories,
};
use crate::error::{Problem, RowError};
use crate::sql::Row;
use crate::tables::APPOINTMENTS;

/// An appointment read from its rows, with its owner.
pub(crate) struct Decoded {
    pub id: BusinessId,
    pub owner: String,
    pub appointment: Appointment,
}

/// Reads one appointment row with the exception rows that belong to it.
pub(crate) fn decode_appointment(row: &Row, exceptions: &[&Row]) -> Result<Decoded, RowError> {
    let id = row.string("id").unwrap_or_default();
    let in_row = |problem: Problem| problem.in_row(APPOINTMENTS, &id);
    let owner = row.string("owner_login").map_err(in_row)?;
    let mut appointment = main_fields(row).map_err(in_row)?;
    let rule = row.filled("rrule").map_err(in_row)?;
    match rule {
        Some(rule) => {
            let zone = row
                .filled("recurrence_zone")
                .and_then(|zone| zone.map(|z| parse_zone("recurrence_zone", &z)).transpose())
                .map_err(in_row)?;
            let recurrence = recurrence_from_rrule(&rule, &appointment.when, zone)
                .map_err(|error| rrule_problem(&rule, &error))
                .map_err(in_row)?;
            let series = decode_series(&id, &appointment, recurrence, exceptions)?;
            appointment.series = Some(series);
        }
        None => {
            if let Some(first) = exceptions.first() {
                let original = first.string("original_start").unwrap_or_default();
                return Err(Problem::whole(
                    "the appointment has exception rows but no rrule",
                    "set rrule on the appointment, or delete its rows in \
                     exsync_appointment_exceptions",
                )
                .in_exception(&id, &original));
            }
        }
    }
    appointment.validate().map_err(|invalid| {
        Problem::whole(invalid.to_string(), "correct the values named above")
            .in_row(APPOINTMENTS, &id)
    })?;
    Ok(Decoded {
        id: BusinessId(id),
        owner,
        appointment,
    })
}

/// Why an `rrule` cannot be used; a start that is no occurrence is blamed on `start_time`.
fn rrule_problem(rule: &str, error: &UnsupportedRecurrence) -> Problem {
    if error.part == "DTSTART" {
        return Problem::at(
            "start_time",
            format!(
                "the series does not start on an occurrence of its rrule: {}",
                error.reason.replace("DTSTART", "start_time")
            ),
            "move start_time and end_time to the first occurrence",
        );
    }
    Problem::at(
        "rrule",
        format!("{rule:?} cannot be used: {} {}", error.part, error.reason),
        "write an RRULE that Exchange can express (docs/integration-schema.md, Recurring \
         appointments), e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10",
    )
}

fn main_fields(row: &Row) -> Result<Appointment, Problem> {
    Ok(Appointment {
        subject: row.string("subject")?,
        location: row.string("location")?,
        body: Body {
            format: parse_enum::<BodyFormat>("body_format", row.text("body_format")?.as_deref())?
                .unwrap_or_default(),
            content: row.string("body")?,
        },
        when: decode_when(row)?,
        show_as: parse_enum("show_as", row.text("show_as")?.as_deref())?.unwrap_or_default(),
        sensitivity: parse_enum("sensitivity", row.text("sensitivity")?.as_deref())?
            .unwrap_or_default(),
        importance: parse_enum("importance", row.text("importance")?.as_deref())?
            .unwrap_or_default(),
        categories: split_categories(&row.string("categories")?),
        reminder_minutes: reminder(row)?,
        organizer: row
            .filled("organizer_address")?
            .map(|address| -> Result<EmailAddress, Problem> {
                Ok(EmailAddress::new(address, row.string("organizer_name")?))
            })
            .transpose()?,
        attendees: attendees(row)?,
        series: None,
    })
}

fn reminder(row: &Row) -> Result<Option<u32>, Problem> {
    row.int("reminder_minutes")?
        .map(|minutes| {
            u32::try_from(minutes)
                .ok()
                .filter(|m| *m <= 20_160)
                .ok_or_else(|| {
                    Problem::at(
                        "reminder_minutes",
                        format!("holds {minutes}, outside 0..20160 (two weeks)"),
                        "write minutes before the start from 0 to 20160, or NULL for no reminder",
                    )
                })
        })
        .transpose()
}

fn decode_when(row: &Row) -> Result<When, Problem> {
    let start_text = row.string("start_time")?;
    let end_text = row.string("end_time")?;
    if row.bool("all_day")?.unwrap_or(false) {
        let start = parse_day("start_time", &start_text)?;
        let end = parse_day("end_time", &end_text)?;
        if end <= start {
            let next = start.succ_opt().unwrap_or(start);
            return Err(Problem::at(
                "end_time",
                format!("the all-day appointment ends on {end}, not after its first day {start}"),
                format!(
                    "end_time is the day after the last day: for a one-day appointment on \
                     {start} write {next}"
                ),
            ));
        }
        return Ok(When::AllDay { start, end });
    }
    let start_zone = match row.filled("start_zone")? {
        Some(zone) => parse_zone("start_zone", &zone)?,
        None => {
            return Err(Problem::at(
                "start_zone",
                "is empty in a timed appointment",
                "write the zone of start_time (e.g. Europe/Berlin), or set all_day",
            ));
        }
    };
    let end_zone = match row.filled("end_zone")? {
        Some(zone) => parse_zone("end_zone", &zone)?,
        None => start_zone.clone(),
    };
    let start = ZonedDateTime::new(parse_local("start_time", &start_text)?, start_zone);
    let end = ZonedDateTime::new(parse_local("end_time", &end_text)?, end_zone);
    check_order(&start, &end)?;
    Ok(When::Timed { start, end })
}

fn check_order(start: &ZonedDateTime, end: &ZonedDateTime) -> Result<(), Problem> {
    let (Ok(s), Ok(e)) = (start.to_utc(), end.to_utc()) else {
        return Ok(()); // Zones were checked when read; nothing to compare otherwise.
    };
    if e < s {
        return Err(Problem::at(
            "end_time",
            format!(
                "the end ({} {}) lies before the start ({} {})",
                format_local(end.local),
                end.zone,
                format_local(start.local),
                start.zone
            ),
            "move end_time after start_time (or swap the two)",
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
struct AttendeeColumn {
    address: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    response: Option<String>,
}

fn attendees(row: &Row) -> Result<Vec<Attendee>, Problem> {
    let Some(text) = row.filled("attendees")? else {
        return Ok(Vec::new());
    };
    let columns: Vec<AttendeeColumn> = serde_json::from_str(&text).map_err(|error| {
        Problem::at(
            "attendees",
            format!("is not a JSON list of attendees ({error})"),
            "exsync writes this column for meetings from Exchange; set it to NULL",
        )
    })?;
    columns
        .into_iter()
        .map(|column| {
            Ok(Attendee {
                email: EmailAddress::new(column.address, column.name),
                role: parse_enum("attendees", column.role.as_deref())?.unwrap_or_default(),
                response: parse_enum("attendees", column.response.as_deref())?.unwrap_or_default(),
            })
        })
        .collect()
}

fn decode_series(
    id: &str,
    appointment: &Appointment,
    recurrence: Recurrence,
    rows: &[&Row],
) -> Result<Series, RowError> {
    let mut modified = BTreeMap::new();
    let mut cancelled = BTreeSet::new();
    for row in rows {
        let written = row.string("original_start").unwrap_or_default();
        let in_exception = |problem: Problem| problem.in_exception(id, &written);
        let key = parse_local_or_date("original_start", &written).map_err(in_exception)?;
        if modified.contains_key(&key) || cancelled.contains(&key) {
            return Err(in_exception(Problem::at(
                "original_start",
                "another exception row names the same occurrence",
                "keep one row per occurrence: merge the two rows",
            )));
        }
        let is_one = is_occurrence(&appointment.when, &recurrence, key).map_err(|error| {
            in_exception(Problem::whole(error.to_string(), "correct the series"))
        })?;
        if !is_one {
            return Err(in_exception(Problem::at(
                "original_start",
                format!("{written} is not an occurrence of the series"),
                "write the date and time the occurrence has in the series (the series' start \
                 time on a date the rrule produces, in the series' zone, YYYY-MM-DDTHH:MM:SS)",
            )));
        }
        if row
            .bool("cancelled")
            .map_err(in_exception)?
            .unwrap_or(false)
        {
            cancelled.insert(key);
            continue;
        }
        let changes = decode_override(row, appointment, &recurrence, key).map_err(in_exception)?;
        if !changes.is_empty() {
            modified.insert(key, changes);
        }
    }
    Ok(Series {
        recurrence,
        modified,
        cancelled,
    })
}

fn decode_override(
    row: &Row,
    series: &Appointment,
    recurrence: &Recurrence,
    key: NaiveDateTime,
) -> Result<OccurrenceOverride, Problem> {
    let moved = [
        "all_day",
        "start_time",
        "start_zone",
        "end_time",
        "end_zone",
    ]
    .iter()
    .any(|column| !matches!(row.value(column), crate::sql::Value::Null));
    let when = if moved {
        Some(override_when(row, series, recurrence, key)?)
    } else {
        None
    };
    let body = row
        .text("body")?
        .map(|content| -> Result<Body, Problem> {
            Ok(Body {
                format: parse_enum("body_format", row.text("body_format")?.as_deref())?
                    .unwrap_or(series.body.format),
                content,
            })
        })
        .transpose()?;
    let reminder_minutes = if row.bool("reminder_off")?.unwrap_or(false) {
        Some(None)
    } else {
        reminder(row)?.map(Some)
    };
    Ok(OccurrenceOverride {
        when,
        subject: row.text("subject")?,
        location: row.text("location")?,
        body,
        show_as: parse_enum("show_as", row.text("show_as")?.as_deref())?,
        sensitivity: parse_enum("sensitivity", row.text("sensitivity")?.as_deref())?,
        importance: parse_enum("importance", row.text("importance")?.as_deref())?,
        categories: row.text("categories")?.map(|text| split_categories(&text)),
        reminder_minutes,
    })
}

/// The new time of a moved occurrence: given columns win, the others come from the occurrence
/// as the series puts it (a missing end keeps the occurrence's length).
fn override_when(
    row: &Row,
    series: &Appointment,
    recurrence: &Recurrence,
    key: NaiveDateTime,
) -> Result<When, Problem> {
    let normal = occurrence_time(&series.when, recurrence, key)
        .map_err(|error| Problem::whole(error.to_string(), "correct the series"))?;
    let all_day = row.bool("all_day")?.unwrap_or(series.when.is_all_day());
    let start_text = row.text("start_time")?;
    let end_text = row.text("end_time")?;
    if all_day {
        let (normal_start, days) = match &normal {
            When::AllDay { start, end } => (*start, *end - *start),
            When::Timed { start, .. } => (start.local.date(), Duration::days(1)),
        };
        let start = start_text.map_or(Ok(normal_start), |t| parse_day("start_time", &t))?;
        let end = match end_text {
            Some(text) => parse_day("end_time", &text)?,
            None => start + days,
        };
        if end <= start {
            return Err(Problem::at(
                "end_time",
                format!("the all-day occurrence ends on {end}, not after its first day {start}"),
                "end_time is the day after the last day (exclusive)",
            ));
        }
        return Ok(When::AllDay { start, end });
    }
    let When::Timed {
        start: normal_start,
        end: normal_end,
    } = normal
    else {
        return Err(Problem::at(
            "start_zone",
            "a timed exception of an all-day series needs its own times",
            "fill start_time, start_zone and end_time (or set all_day)",
        ));
    };
    let start_zone = match row.filled("start_zone")? {
        Some(zone) => parse_zone("start_zone", &zone)?,
        None => normal_start.zone.clone(),
    };
    let end_zone = match row.filled("end_zone")? {
        Some(zone) => parse_zone("end_zone", &zone)?,
        None => start_zone.clone(),
    };
    let start_local =
        start_text.map_or(Ok(normal_start.local), |t| parse_local("start_time", &t))?;
    let start = ZonedDateTime::new(start_local, start_zone);
    let end_local = match end_text {
        Some(text) => parse_local("end_time", &text)?,
        None => {
            let length = if normal_start.zone == normal_end.zone {
                normal_end.local - normal_start.local
            } else {
                match (normal_start.to_utc(), normal_end.to_utc()) {
                    (Ok(s), Ok(e)) => e - s,
                    _ => Duration::zero(),
                }
            };
            start.local + length
        }
    };
    let end = ZonedDateTime::new(end_local, end_zone);
    check_order(&start, &end)?;
    Ok(When::Timed { start, end })
}

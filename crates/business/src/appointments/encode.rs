//! Writing an [`Appointment`] as one `exsync_appointments` row plus one
//! `exsync_appointment_exceptions` row per moved/changed or cancelled occurrence.
//!
//! Invariant: what is written here reads back (see `decode`) as the same appointment, with
//! the documented exceptions: fractions of seconds are dropped, a `;` inside a category becomes
//! `,`, and an occurrence both cancelled and changed is stored as cancelled.

use exsync_model::{Appointment, Attendee, OccurrenceOverride, When, is_occurrence};
use serde::Serialize;

use super::recurrence_to_rrule;
use crate::columns::{ColumnEnum, format_date, format_local, join_list};
use crate::error::{Problem, RowError};
use crate::sql::Param;
use crate::tables::APPOINTMENTS;

/// Refuses what the schema or Exchange cannot hold, naming the appointment.
pub(crate) fn check_values(id: &str, appointment: &Appointment) -> Result<(), RowError> {
    appointment.validate().map_err(|invalid| {
        Problem::whole(
            invalid.to_string(),
            "correct the appointment before writing it",
        )
        .in_row(APPOINTMENTS, id)
    })?;
    if let Some(series) = &appointment.series {
        let keys = series.modified.keys().chain(series.cancelled.iter());
        for key in keys {
            let ok =
                is_occurrence(&appointment.when, &series.recurrence, *key).map_err(|error| {
                    Problem::whole(error.to_string(), "correct the series").in_row(APPOINTMENTS, id)
                })?;
            if !ok {
                return Err(Problem::at(
                    "original_start",
                    format!("{} is not an occurrence of the series", format_local(*key)),
                    "name changed or cancelled occurrences by their start as the series puts it",
                )
                .in_exception(id, &format_local(*key)));
            }
        }
        if let Some(changes) = series.modified.values().find(|c| reminder_too_long(c)) {
            let minutes = changes.reminder_minutes.flatten().unwrap_or_default();
            return Err(Problem::at(
                "reminder_minutes",
                format!("an occurrence has a reminder of {minutes} minutes, more than two weeks"),
                "use at most 20160 minutes",
            )
            .in_row(APPOINTMENTS, id));
        }
    }
    Ok(())
}

fn reminder_too_long(changes: &OccurrenceOverride) -> bool {
    changes
        .reminder_minutes
        .flatten()
        .is_some_and(|m| m > 20_160)
}

#[derive(Serialize)]
struct AttendeeColumn<'a> {
    address: &'a str,
    name: &'a str,
    role: &'static str,
    response: &'static str,
}

fn attendees_json(attendees: &[Attendee]) -> Option<String> {
    if attendees.is_empty() {
        return None;
    }
    let columns: Vec<AttendeeColumn<'_>> = attendees
        .iter()
        .map(|a| AttendeeColumn {
            address: &a.email.address,
            name: &a.email.name,
            role: a.role.text(),
            response: a.response.text(),
        })
        .collect();
    serde_json::to_string(&columns).ok()
}

/// `all_day`, `start_time`, `start_zone`, `end_time`, `end_zone` of a time.
fn when_params(when: &When) -> [Param; 5] {
    match when {
        When::Timed { start, end } => [
            Param::Bool(Some(false)),
            Param::text(format_local(start.local)),
            Param::text(start.zone.as_str()),
            Param::text(format_local(end.local)),
            Param::text(end.zone.as_str()),
        ],
        When::AllDay { start, end } => [
            Param::Bool(Some(true)),
            Param::text(format_date(*start)),
            Param::Text(None),
            Param::text(format_date(*end)),
            Param::Text(None),
        ],
    }
}

/// The parameters of `UPSERT_APPOINTMENT`, in its column order.
pub(crate) fn appointment_params(id: &str, owner: &str, a: &Appointment) -> Vec<Param> {
    let [all_day, start_time, start_zone, end_time, end_zone] = when_params(&a.when);
    let (rrule, recurrence_zone) = match &a.series {
        Some(series) => (
            Some(recurrence_to_rrule(&series.recurrence, &a.when)),
            series
                .recurrence
                .time_zone
                .as_ref()
                .map(|zone| zone.as_str().to_owned()),
        ),
        None => (None, None),
    };
    vec![
        Param::text(id),
        Param::text(owner),
        Param::text(a.subject.as_str()),
        Param::text(a.location.as_str()),
        Param::text(a.body.content.as_str()),
        Param::text(a.body.format.text()),
        all_day,
        start_time,
        start_zone,
        end_time,
        end_zone,
        Param::text(a.show_as.text()),
        Param::text(a.sensitivity.text()),
        Param::text(a.importance.text()),
        Param::text(join_list(&a.categories)),
        Param::Int(a.reminder_minutes.map(i64::from)),
        Param::Text(a.organizer.as_ref().map(|o| o.address.clone())),
        Param::Text(a.organizer.as_ref().map(|o| o.name.clone())),
        Param::Text(attendees_json(&a.attendees)),
        Param::Text(rrule),
        Param::Text(recurrence_zone),
    ]
}

/// The parameters of `INSERT_EXCEPTION`, one list per exception row.
pub(crate) fn exception_params(id: &str, a: &Appointment) -> Vec<Vec<Param>> {
    let Some(series) = &a.series else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for key in &series.cancelled {
        let mut row = vec![
            Param::text(id),
            Param::text(format_local(*key)),
            Param::Bool(Some(true)),
            Param::Bool(None),
        ];
        // start_time .. end_zone, then subject .. categories: all as the series says.
        row.extend(std::iter::repeat_n(Param::Text(None), 4 + 8));
        row.extend([Param::Int(None), Param::Bool(Some(false))]);
        rows.push(row);
    }
    for (key, changes) in &series.modified {
        if series.cancelled.contains(key) || changes.is_empty() {
            continue;
        }
        let mut row = vec![
            Param::text(id),
            Param::text(format_local(*key)),
            Param::Bool(Some(false)),
        ];
        match &changes.when {
            Some(when) => row.extend(when_params(when)),
            None => {
                row.push(Param::Bool(None));
                row.extend(std::iter::repeat_n(Param::Text(None), 4));
            }
        }
        let body = changes.body.as_ref();
        row.extend([
            Param::Text(changes.subject.clone()),
            Param::Text(changes.location.clone()),
            Param::Text(body.map(|b| b.content.clone())),
            Param::Text(body.map(|b| b.format.text().to_owned())),
            Param::Text(changes.show_as.map(|v| v.text().to_owned())),
            Param::Text(changes.sensitivity.map(|v| v.text().to_owned())),
            Param::Text(changes.importance.map(|v| v.text().to_owned())),
            Param::Text(changes.categories.as_deref().map(join_list)),
            Param::Int(changes.reminder_minutes.flatten().map(i64::from)),
            Param::Bool(Some(changes.reminder_minutes == Some(None))),
        ]);
        rows.push(row);
    }
    rows
}

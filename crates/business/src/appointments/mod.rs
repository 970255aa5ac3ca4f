//! Appointments in the integration tables: upsert, read one, list per owner (optionally within
//! a window), delete.
//!
//! Invariant: an appointment is written as a unit: its row and all its exception rows change in
//! one transaction, or nothing changes. A listing returns every row of the owner, each as an
//! item or as a [`RowError`]; one malformed row never hides the others. Nothing is written that
//! the reader would refuse (see [`check_writable`]).

mod decode;
mod encode;

use std::collections::HashMap;

use exsync_model::{
    Appointment, BusinessId, Recurrence, TimeZoneName, UnsupportedRecurrence, When,
};

use crate::db::{BusinessDb, Origin, Tx};
use crate::error::{BusinessError, RowError};
use crate::items::{ItemResult, Owned, Window, check_owner};
use crate::sql::{Param, Row};
use decode::{Decoded, decode_appointment};
use encode::{appointment_params, check_values, exception_params};

/// The recurrence an RRULE value (the `rrule` column) describes for a series starting at
/// `start`, evaluated in `zone` (the `recurrence_zone` column; `None` = the start's zone).
fn recurrence_from_rrule(
    rule: &str,
    start: &When,
    zone: Option<TimeZoneName>,
) -> Result<Recurrence, UnsupportedRecurrence> {
    Recurrence::from_rrule_in_zone(rule, start, zone)
}

/// The RRULE value stored in the `rrule` column for a recurrence.
fn recurrence_to_rrule(recurrence: &Recurrence, start: &When) -> String {
    recurrence.to_rrule(start)
}

macro_rules! appointment_columns {
    () => {
        "id, owner_login, subject, location, body, body_format, all_day, start_time, \
         start_zone, end_time, end_zone, show_as, sensitivity, importance, categories, \
         reminder_minutes, organizer_address, organizer_name, attendees, rrule, recurrence_zone"
    };
}

macro_rules! exception_columns {
    () => {
        "appointment_id, original_start, cancelled, all_day, start_time, start_zone, end_time, \
         end_zone, subject, location, body, body_format, show_as, sensitivity, importance, \
         categories, reminder_minutes, reminder_off"
    };
}

/// Refuses what the schema or Exchange cannot hold, and any appointment whose rows the reader
/// (`decode`) would refuse, with the reader's own error: exsync never writes a row it cannot
/// read back (a series that does not start on an occurrence of its rrule, say), so such an item
/// is reported as rejected instead of being stuck unread on both sides.
pub(crate) fn check_writable(id: &str, appointment: &Appointment) -> Result<(), RowError> {
    check_values(id, appointment)?;
    let row = Row::from_params(
        appointment_columns!(),
        appointment_params(id, "owner", appointment),
    );
    let exceptions: Vec<Row> = exception_params(id, appointment)
        .into_iter()
        .map(|params| Row::from_params(exception_columns!(), params))
        .collect();
    let exceptions: Vec<&Row> = exceptions.iter().collect();
    decode_appointment(&row, &exceptions).map(|_| ())
}

const UPSERT_APPOINTMENT: &str = concat!(
    "INSERT INTO exsync_appointments (",
    appointment_columns!(),
    ", updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
     $16, $17, $18, $19, $20, $21, CURRENT_TIMESTAMP) \
     ON CONFLICT (id) DO UPDATE SET owner_login = excluded.owner_login, \
     subject = excluded.subject, location = excluded.location, body = excluded.body, \
     body_format = excluded.body_format, all_day = excluded.all_day, \
     start_time = excluded.start_time, start_zone = excluded.start_zone, \
     end_time = excluded.end_time, end_zone = excluded.end_zone, show_as = excluded.show_as, \
     sensitivity = excluded.sensitivity, importance = excluded.importance, \
     categories = excluded.categories, reminder_minutes = excluded.reminder_minutes, \
     organizer_address = excluded.organizer_address, organizer_name = excluded.organizer_name, \
     attendees = excluded.attendees, rrule = excluded.rrule, \
     recurrence_zone = excluded.recurrence_zone, updated_at = excluded.updated_at"
);

const INSERT_EXCEPTION: &str = concat!(
    "INSERT INTO exsync_appointment_exceptions (",
    exception_columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
);

const SELECT_BY_ID: &str = concat!(
    "SELECT ",
    appointment_columns!(),
    " FROM exsync_appointments WHERE id = $1"
);

const SELECT_EXCEPTIONS_BY_ID: &str = concat!(
    "SELECT ",
    exception_columns!(),
    " FROM exsync_appointment_exceptions WHERE appointment_id = $1 ORDER BY original_start"
);

const SELECT_BY_OWNER: &str = concat!(
    "SELECT ",
    appointment_columns!(),
    " FROM exsync_appointments WHERE owner_login = $1 ORDER BY start_time, id"
);

/// Single appointments near the window (text comparison of local times, widened by two days
/// for zone offsets) and every series; the exact test follows in Rust.
const SELECT_BY_OWNER_NEAR: &str = concat!(
    "SELECT ",
    appointment_columns!(),
    " FROM exsync_appointments WHERE owner_login = $1 \
     AND ((rrule IS NOT NULL AND rrule <> '') OR (start_time < $2 AND end_time >= $3)) \
     ORDER BY start_time, id"
);

const SELECT_EXCEPTIONS_BY_OWNER: &str = "SELECT e.appointment_id, e.original_start, \
     e.cancelled, e.all_day, e.start_time, e.start_zone, e.end_time, e.end_zone, e.subject, \
     e.location, e.body, e.body_format, e.show_as, e.sensitivity, e.importance, e.categories, \
     e.reminder_minutes, e.reminder_off \
     FROM exsync_appointment_exceptions e \
     JOIN exsync_appointments a ON a.id = e.appointment_id \
     WHERE a.owner_login = $1 ORDER BY e.appointment_id, e.original_start";

/// Writes the row and replaces the exception rows of an appointment that passed
/// `check_writable`, for an owner that exists, inside `tx`.
pub(crate) async fn write_appointment(
    tx: &mut Tx,
    owner: &str,
    id: &BusinessId,
    appointment: &Appointment,
) -> Result<(), BusinessError> {
    let context = "writing an appointment";
    tx.execute(
        UPSERT_APPOINTMENT,
        appointment_params(id.as_str(), owner, appointment),
    )
    .await
    .map_err(BusinessError::db(context))?;
    tx.execute(
        "DELETE FROM exsync_appointment_exceptions WHERE appointment_id = $1",
        vec![Param::text(id.as_str())],
    )
    .await
    .map_err(BusinessError::db(context))?;
    for params in exception_params(id.as_str(), appointment) {
        tx.execute(INSERT_EXCEPTION, params)
            .await
            .map_err(BusinessError::db("writing an appointment exception"))?;
    }
    Ok(())
}

impl BusinessDb {
    /// Creates or replaces appointment `id` of user `owner`, with all its exception rows, in
    /// one transaction. `origin` is recorded in the journal ([`Origin::Exsync`] for what came
    /// from Exchange, so it is not synced back).
    ///
    /// Refuses an appointment Exchange would refuse ([`Appointment::validate`]) or whose
    /// exceptions name no occurrence of the series, and an owner not in `exsync_users`.
    pub async fn upsert_appointment(
        &self,
        owner: &str,
        id: &BusinessId,
        appointment: &Appointment,
        origin: Origin,
    ) -> Result<(), BusinessError> {
        check_writable(id.as_str(), appointment)?;
        let mut write = self.begin_write(origin).await?;
        check_owner(write.tx(), owner).await?;
        write_appointment(write.tx(), owner, id, appointment).await?;
        write.commit().await
    }

    /// Appointment `id` with its owner; `None` when there is no such row. A malformed row is
    /// [`BusinessError::Item`].
    pub async fn get_appointment(
        &self,
        id: &BusinessId,
    ) -> Result<Option<Owned<Appointment>>, BusinessError> {
        let context = "reading an appointment";
        let mut tx = self.begin_read().await?;
        let rows = tx
            .fetch(SELECT_BY_ID, vec![Param::text(id.as_str())])
            .await
            .map_err(BusinessError::db(context))?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let exceptions = tx
            .fetch(SELECT_EXCEPTIONS_BY_ID, vec![Param::text(id.as_str())])
            .await
            .map_err(BusinessError::db(context))?;
        let exceptions: Vec<&Row> = exceptions.iter().collect();
        let Decoded {
            owner, appointment, ..
        } = decode_appointment(row, &exceptions)?;
        Ok(Some(Owned {
            owner,
            item: appointment,
        }))
    }

    /// The appointments of user `owner`; with a window, only those overlapping it (a series
    /// when any occurrence does). Each row is an item or the error that names what to fix.
    pub async fn list_appointments(
        &self,
        owner: &str,
        window: Option<&Window>,
    ) -> Result<Vec<ItemResult<Appointment>>, BusinessError> {
        let context = "listing appointments";
        let mut tx = self.begin_read().await?;
        let rows = match window {
            None => tx.fetch(SELECT_BY_OWNER, vec![Param::text(owner)]).await,
            Some(window) => {
                // Local times lie at most 14 hours from UTC: two days of margin are plenty.
                let margin = chrono::Duration::days(2);
                let end = window.end.date_naive();
                let start = window.start.date_naive();
                let before = end.checked_add_signed(margin).unwrap_or(end).to_string();
                let after = start
                    .checked_sub_signed(margin)
                    .unwrap_or(start)
                    .to_string();
                let params = vec![Param::text(owner), Param::text(before), Param::text(after)];
                tx.fetch(SELECT_BY_OWNER_NEAR, params).await
            }
        }
        .map_err(BusinessError::db(context))?;
        let exception_rows = tx
            .fetch(SELECT_EXCEPTIONS_BY_OWNER, vec![Param::text(owner)])
            .await
            .map_err(BusinessError::db(context))?;
        let mut exceptions: HashMap<String, Vec<&Row>> = HashMap::new();
        for row in &exception_rows {
            let parent = row.string("appointment_id").unwrap_or_default();
            exceptions.entry(parent).or_default().push(row);
        }
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let id = row.string("id").unwrap_or_default();
            let own = exceptions.get(&id).map_or(&[][..], Vec::as_slice);
            match decode_appointment(row, own) {
                Ok(decoded) => {
                    if window.is_none_or(|w| w.overlaps(&decoded.appointment)) {
                        items.push(Ok((decoded.id, decoded.appointment)));
                    }
                }
                Err(error) => items.push(Err(error)),
            }
        }
        Ok(items)
    }

    /// Deletes appointment `id` and its exception rows; `false` when there was none.
    pub async fn delete_appointment(
        &self,
        id: &BusinessId,
        origin: Origin,
    ) -> Result<bool, BusinessError> {
        self.delete_row(
            "DELETE FROM exsync_appointments WHERE id = $1",
            id,
            origin,
            "deleting an appointment",
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use chrono::{NaiveDateTime, Weekday};
    use exsync_model::{OccurrenceOverride, Pattern, Range, Series, WeekdaySet, ZonedDateTime};

    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").expect("valid")
    }

    /// Defence in depth: a series whose start is no occurrence of its rrule would be written
    /// as a row the reader refuses; the writer refuses it first, with the reader's own words.
    #[test]
    fn a_row_the_reader_would_refuse_is_not_writable() {
        let zone = TimeZoneName::new("Europe/Berlin").expect("known");
        let mut monday = Appointment::timed(
            "Jour fixe",
            ZonedDateTime::new(at("2027-03-08T09:00"), zone.clone()),
            ZonedDateTime::new(at("2027-03-08T10:00"), zone),
        );
        monday.series = Some(Series::new(Recurrence {
            pattern: Pattern::Weekly {
                interval: 1,
                days: WeekdaySet::from(vec![Weekday::Tue, Weekday::Thu]),
                first_day_of_week: Weekday::Sun,
            },
            range: Range::NoEnd,
            time_zone: None,
        }));
        let error = check_writable("A-1", &monday).expect_err("refused");
        let text = error.to_string();
        assert!(
            text.contains("the series does not start on an occurrence of its rrule")
                && text.contains("A-1")
                && text.contains("start_time"),
            "{text}"
        );
        let mut tuesday = monday.clone();
        tuesday.when = exsync_model::first_occurrence(&monday.when, &monday_recurrence(&monday))
            .expect("computed")
            .expect("an occurrence");
        check_writable("A-1", &tuesday).expect("a series starting on an occurrence is writable");
    }

    fn monday_recurrence(item: &Appointment) -> Recurrence {
        item.series.as_ref().expect("a series").recurrence.clone()
    }

    #[test]
    fn statements_and_parameters_agree() {
        let zone = TimeZoneName::new("Europe/Berlin").expect("known");
        let mut appointment = Appointment::timed(
            "x",
            ZonedDateTime::new(at("2026-03-02T09:00"), zone.clone()),
            ZonedDateTime::new(at("2026-03-02T10:00"), zone),
        );
        appointment.series = Some(Series {
            recurrence: Recurrence {
                pattern: Pattern::Weekly {
                    interval: 1,
                    days: WeekdaySet::single(Weekday::Mon),
                    first_day_of_week: Weekday::Mon,
                },
                range: Range::NoEnd,
                time_zone: None,
            },
            modified: BTreeMap::from([(
                at("2026-03-09T09:00"),
                OccurrenceOverride {
                    subject: Some("changed".into()),
                    ..OccurrenceOverride::default()
                },
            )]),
            cancelled: BTreeSet::from([at("2026-03-16T09:00")]),
        });
        let columns = appointment_columns!().split(',').count();
        assert_eq!(appointment_params("A", "eva", &appointment).len(), columns);
        assert_eq!(UPSERT_APPOINTMENT.matches('$').count(), columns);
        let exception_columns = exception_columns!().split(',').count();
        assert_eq!(INSERT_EXCEPTION.matches('$').count(), exception_columns);
        let rows = exception_params("A", &appointment);
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|row| row.len() == exception_columns));
        assert_eq!(
            recurrence_to_rrule(
                &appointment.series.as_ref().expect("series").recurrence,
                &appointment.when
            ),
            "FREQ=WEEKLY;BYDAY=MO;WKST=MO"
        );
    }
}

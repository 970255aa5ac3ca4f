//! What appointments, tasks and contacts share: the shape of a read (per-row results), the
//! owner of an item, the time window of a listing, and the owner check before a write.
//!
//! Invariant: a listing is never failed by one bad row: each row is its own `Result`.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use exsync_model::{Appointment, BusinessId, When, occurrences};

use crate::db::Tx;
use crate::error::{BusinessError, RowError};
use crate::sql::Param;

/// One row of a listing: the item, or what is wrong with its row.
pub type ItemResult<T> = Result<(BusinessId, T), RowError>;

/// An item with the login of the user whose mailbox it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned<T> {
    /// `owner_login` of the row.
    pub owner: String,
    /// The item.
    pub item: T,
}

/// A half-open span of time `[start, end)`: the sync window of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First instant inside.
    pub start: DateTime<Utc>,
    /// First instant after.
    pub end: DateTime<Utc>,
}

impl Window {
    /// The window from `start` to `end` (exclusive).
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self { start, end }
    }

    /// The window covering whole days `first` to `last` (inclusive), in UTC.
    pub fn days(first: NaiveDate, last: NaiveDate) -> Self {
        let end = last.succ_opt().unwrap_or(last);
        Self {
            start: first.and_time(NaiveTime::MIN).and_utc(),
            end: end.and_time(NaiveTime::MIN).and_utc(),
        }
    }

    /// True when the appointment, or any occurrence of its series (moved ones at their new
    /// time), overlaps the window. All-day dates count as UTC days. An appointment whose times
    /// cannot be evaluated counts as inside, so that it is not lost from view.
    pub fn overlaps(&self, appointment: &Appointment) -> bool {
        if let Some(series) = &appointment.series {
            return occurrences(&appointment.when, series, self.start, self.end)
                .map_or(true, |found| !found.is_empty());
        }
        let (start, end) = match &appointment.when {
            When::Timed { start, end } => match (start.to_utc(), end.to_utc()) {
                (Ok(start), Ok(end)) => (start, end),
                _ => return true,
            },
            When::AllDay { start, end } => (
                start.and_time(NaiveTime::MIN).and_utc(),
                end.and_time(NaiveTime::MIN).and_utc(),
            ),
        };
        if end <= start {
            self.start <= start && start < self.end
        } else {
            start < self.end && end > self.start
        }
    }
}

/// Fails with [`BusinessError::UnknownUser`] unless `login` is in `exsync_users`.
pub(crate) async fn check_owner(tx: &mut Tx, login: &str) -> Result<(), BusinessError> {
    let rows = tx
        .fetch(
            "SELECT login FROM exsync_users WHERE login = $1",
            vec![Param::text(login)],
        )
        .await
        .map_err(BusinessError::db("looking up the owner"))?;
    if rows.is_empty() {
        return Err(BusinessError::UnknownUser {
            login: login.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;
    use exsync_model::{TimeZoneName, ZonedDateTime};

    fn berlin(text: &str) -> ZonedDateTime {
        let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").expect("valid");
        ZonedDateTime::new(local, TimeZoneName::new("Europe/Berlin").expect("known"))
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid")
    }

    #[test]
    fn windows_hold_what_overlaps_them() {
        let march = Window::days(day("2026-03-01"), day("2026-03-31"));
        let inside =
            Appointment::timed("x", berlin("2026-03-31T09:00"), berlin("2026-03-31T10:00"));
        let after = Appointment::timed("x", berlin("2026-04-01T09:00"), berlin("2026-04-01T10:00"));
        let across =
            Appointment::timed("x", berlin("2026-02-28T09:00"), berlin("2026-03-02T10:00"));
        assert!(march.overlaps(&inside));
        assert!(!march.overlaps(&after));
        assert!(march.overlaps(&across));
        let all_day = Appointment::all_day("x", day("2026-02-28"), day("2026-03-01"));
        assert!(!march.overlaps(&all_day));
    }
}

//! Where a series really starts. Exchange starts a series with its first occurrence: when a
//! pattern does not fit the date it is applied from (a series "every third day from Monday
//! 8 March" changed to "weekly on Tuesday and Thursday"), the series' start becomes the first
//! date on or after it that the pattern produces (MS-OXOCAL `PidLidAppointmentStartWhole`: "For
//! a recurring series, the value of this property is the start date and time of the first
//! instance according to the recurrence pattern").
//!
//! Invariant: the start found here is an occurrence of the series, keeps the series' wall-clock
//! time, length and zones, and leaves the series' occurrences (and thus the keys of moved and
//! cancelled ones) exactly as they were.

use crate::appointment::When;
use crate::recurrence::Recurrence;

use super::{ExpandError, Frame, recurrence_dates};

/// When the first occurrence of the series takes place whose pattern is applied from `start`'s
/// date (in the series' zone): `start` itself when it is an occurrence, else the series' time
/// and length on the first date the pattern and range produce after it. `None` when the range
/// holds no occurrence at all (an end date before the first date the pattern produces, which
/// Exchange refuses as `ErrorRecurrenceHasNoOccurrence`).
pub fn first_occurrence(
    start: &When,
    recurrence: &Recurrence,
) -> Result<Option<When>, ExpandError> {
    let frame = Frame::new(start, recurrence.time_zone.as_ref())?;
    let Some(first) = recurrence_dates(frame.start_date, recurrence)?.next() else {
        return Ok(None);
    };
    if first == frame.start_date {
        return Ok(Some(start.clone()));
    }
    frame.when_of(frame.key(first)).map(Some)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveDateTime, Weekday};

    use super::*;
    use crate::recurrence::{Pattern, Range, WeekIndex, WeekdaySet};
    use crate::zone::{TimeZoneName, ZonedDateTime};

    fn berlin(text: &str) -> ZonedDateTime {
        let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a time");
        ZonedDateTime::new(local, TimeZoneName::new("Europe/Berlin").expect("known"))
    }

    fn timed(start: &str, end: &str) -> When {
        When::Timed {
            start: berlin(start),
            end: berlin(end),
        }
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    fn tuesday_thursday(range: Range) -> Recurrence {
        Recurrence {
            pattern: Pattern::Weekly {
                interval: 1,
                days: WeekdaySet::from(vec![Weekday::Tue, Weekday::Thu]),
                first_day_of_week: Weekday::Sun,
            },
            range,
            time_zone: None,
        }
    }

    #[test]
    fn a_monday_series_changed_to_tuesday_and_thursday_starts_on_tuesday() {
        let monday = timed("2027-03-08 09:00", "2027-03-08 10:30");
        let first = first_occurrence(&monday, &tuesday_thursday(Range::NoEnd)).expect("computed");
        assert_eq!(first, Some(timed("2027-03-09 09:00", "2027-03-09 10:30")));
    }

    #[test]
    fn a_start_on_an_occurrence_stays() {
        let tuesday = timed("2027-03-09 09:00", "2027-03-09 10:00");
        let first = first_occurrence(&tuesday, &tuesday_thursday(Range::NoEnd)).expect("computed");
        assert_eq!(first, Some(tuesday));
    }

    #[test]
    fn an_all_day_series_keeps_its_length_and_a_monthly_one_moves_to_its_month_day() {
        let start = When::AllDay {
            start: date("2027-03-08"),
            end: date("2027-03-10"),
        };
        let recurrence = Recurrence {
            pattern: Pattern::RelativeMonthly {
                interval: 1,
                days: WeekdaySet::single(Weekday::Fri),
                index: WeekIndex::Last,
            },
            range: Range::Numbered { count: 3 },
            time_zone: None,
        };
        let first = first_occurrence(&start, &recurrence).expect("computed");
        assert_eq!(
            first,
            Some(When::AllDay {
                start: date("2027-03-26"),
                end: date("2027-03-28"),
            })
        );
    }

    #[test]
    fn an_end_date_before_the_first_occurrence_leaves_no_occurrence() {
        let monday = timed("2027-03-08 09:00", "2027-03-08 10:00");
        let range = Range::EndDate {
            end: date("2027-03-08"),
        };
        let first = first_occurrence(&monday, &tuesday_thursday(range)).expect("computed");
        assert_eq!(first, None);
    }
}

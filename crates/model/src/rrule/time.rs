//! iCalendar date and date-time values (UNTIL, EXDATE, RECURRENCE-ID, DTSTART) and their
//! conversion to and from occurrence keys.
//!
//! An occurrence key is the original start of an occurrence as a wall-clock time in the
//! series' zone (midnight of the date for all-day series), see [`crate::Series::modified`].
//! Invariant: [`occurrence_id`] followed by [`occurrence_key`] gives back the key, for every
//! spelling a producer may use (UTC, floating, TZID-qualified, DATE).

use std::fmt;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::appointment::When;
use crate::expand::{ExpandError, Frame};
use crate::recurrence::Recurrence;
use crate::zone::{TimeZoneName, ZonedDateTime, utc_to_local};

/// An iCalendar DATE or DATE-TIME value, in one of its four spellings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IcalTime {
    /// `VALUE=DATE`: `20260504`.
    Date(NaiveDate),
    /// A floating local time, no zone: `20260504T090000`.
    Floating(NaiveDateTime),
    /// A UTC time: `20260504T070000Z` (the value is the UTC wall clock).
    Utc(NaiveDateTime),
    /// A local time with `TZID=`: `TZID=Europe/Berlin:20260504T090000`.
    Zoned(ZonedDateTime),
}

/// A value that is not an iCalendar DATE or DATE-TIME.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not an iCalendar date or date-time: \
     expected YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ"
)]
pub struct InvalidIcalTime(pub String);

impl IcalTime {
    /// Parses `value`; a date-time without `Z` is read in `tzid` when given, else floating.
    pub fn parse(value: &str, tzid: Option<&TimeZoneName>) -> Result<Self, InvalidIcalTime> {
        let text = value.trim();
        let invalid = || InvalidIcalTime(text.to_owned());
        if text.len() == 8 {
            return NaiveDate::parse_from_str(text, "%Y%m%d")
                .map(IcalTime::Date)
                .map_err(|_| invalid());
        }
        let (local, utc) = match text.strip_suffix(['Z', 'z']) {
            Some(rest) => (rest, true),
            None => (text, false),
        };
        if local.len() != 15 {
            return Err(invalid());
        }
        let local = NaiveDateTime::parse_from_str(local, "%Y%m%dT%H%M%S").map_err(|_| invalid())?;
        Ok(match (utc, tzid) {
            (true, _) => IcalTime::Utc(local),
            (false, Some(zone)) => IcalTime::Zoned(ZonedDateTime::new(local, zone.clone())),
            (false, None) => IcalTime::Floating(local),
        })
    }

    /// The value as written after the colon (`20260504`, `20260504T090000`,
    /// `20260504T070000Z`); a zoned value needs its [`IcalTime::tzid`] as parameter.
    pub fn value(&self) -> String {
        match self {
            IcalTime::Date(d) => d.format("%Y%m%d").to_string(),
            IcalTime::Floating(t) => t.format("%Y%m%dT%H%M%S").to_string(),
            IcalTime::Utc(t) => t.format("%Y%m%dT%H%M%SZ").to_string(),
            IcalTime::Zoned(z) => z.local.format("%Y%m%dT%H%M%S").to_string(),
        }
    }

    /// The zone to name in a `TZID` parameter, if any.
    pub fn tzid(&self) -> Option<&TimeZoneName> {
        match self {
            IcalTime::Zoned(z) => Some(&z.zone),
            _ => None,
        }
    }

    /// True for a DATE value.
    pub fn is_date(&self) -> bool {
        matches!(self, IcalTime::Date(_))
    }
}

impl fmt::Display for IcalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tzid() {
            Some(zone) => write!(f, "TZID={zone}:{}", self.value()),
            None => f.write_str(&self.value()),
        }
    }
}

/// The date an all-day occurrence given as a date-time means: the nearest midnight, because
/// Exchange writes all-day exceptions as UTC midnight of the event's zone (e.g.
/// `20260503T220000Z` for 4 May in Berlin); a time at the very end of a day (23:59) means that
/// day.
pub(crate) fn all_day_date(local: NaiveDateTime) -> NaiveDate {
    if local.time() >= NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN) {
        return local.date();
    }
    (local + Duration::hours(12)).date()
}

/// The occurrence key (see [`crate::Series::modified`]) an EXDATE or RECURRENCE-ID value names
/// in the series that starts at `start` with `recurrence`.
///
/// Timed series: a UTC or TZID value is converted to the series' zone, a floating value is taken
/// as wall clock in that zone, a DATE means the occurrence on that date. All-day series: the
/// date, where a date-time is read in the recurrence's zone (if any) and rounded to the nearest
/// midnight (Exchange's UTC-midnight trap).
pub fn occurrence_key(
    value: &IcalTime,
    start: &When,
    recurrence: &Recurrence,
) -> Result<NaiveDateTime, ExpandError> {
    let frame = Frame::new(start, recurrence.time_zone.as_ref())?;
    let key = match (start, value) {
        (When::AllDay { .. }, IcalTime::Date(d)) => frame.key(*d),
        (When::AllDay { .. }, IcalTime::Floating(t)) => frame.key(all_day_date(*t)),
        (When::AllDay { .. }, IcalTime::Utc(t)) => {
            let local = utc_to_local(frame.tz, t.and_utc());
            frame.key(all_day_date(local))
        }
        (When::AllDay { .. }, IcalTime::Zoned(z)) => {
            let local = match &recurrence.time_zone {
                Some(zone) if !zone.same_zone(&z.zone) => z.in_zone(zone)?.local,
                _ => z.local,
            };
            frame.key(all_day_date(local))
        }
        (When::Timed { .. }, IcalTime::Date(d)) => frame.key(*d),
        (When::Timed { .. }, IcalTime::Floating(t)) => *t,
        (When::Timed { .. }, IcalTime::Utc(t)) => utc_to_local(frame.tz, t.and_utc()),
        (When::Timed { start, .. }, IcalTime::Zoned(z)) => {
            let zone = recurrence.time_zone.as_ref().unwrap_or(&start.zone);
            if z.zone == *zone || z.zone.same_zone(zone) {
                z.local
            } else {
                z.in_zone(zone)?.local
            }
        }
    };
    Ok(key.with_nanosecond(0).unwrap_or(key))
}

/// The RECURRENCE-ID/EXDATE value for the occurrence `key`, spelled like the series' DTSTART
/// (RFC 5545 requires the same value type): a DATE for all-day series, else the local time in
/// the zone of the series start (UTC when the start is in `UTC`).
pub fn occurrence_id(
    key: NaiveDateTime,
    start: &When,
    recurrence: &Recurrence,
) -> Result<IcalTime, ExpandError> {
    match start {
        When::AllDay { .. } => Ok(IcalTime::Date(key.date())),
        When::Timed { start, .. } => {
            let zone = recurrence.time_zone.as_ref().unwrap_or(&start.zone);
            let in_series = ZonedDateTime::new(key, zone.clone());
            let local = if *zone == start.zone || zone.same_zone(&start.zone) {
                key
            } else {
                in_series.in_zone(&start.zone)?.local
            };
            if start.zone == TimeZoneName::utc() {
                Ok(IcalTime::Utc(local))
            } else {
                Ok(IcalTime::Zoned(ZonedDateTime::new(
                    local,
                    start.zone.clone(),
                )))
            }
        }
    }
}

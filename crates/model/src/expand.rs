//! The occurrences of a recurring series: which ones fall into a time window, when each one
//! actually takes place (moved occurrences included, cancelled ones left out), and when the
//! series ends.
//!
//! Semantics follow Exchange, not RFC 5545 where the two differ:
//! - An occurrence keeps the series' *wall-clock* start in the series' zone (09:00 Berlin stays
//!   09:00 before and after the DST switch), and its wall-clock length when start and end share
//!   a zone (Exchange stores start and end as minutes after local midnight).
//! - AbsoluteMonthly/AbsoluteYearly day 29..31 falls on the last day of shorter months. Microsoft
//!   Learn, EWS `DayOfMonth` (web-service-reference/dayofmonth, also on
//!   `AbsoluteMonthlyRecurrence`): "If for a particular month this value is larger than the
//!   number of days in the month, the last day of the month is assumed." RFC 5545 instead skips
//!   such months; see [`crate::rrule`] for how that is handled on conversion.
//! - A Numbered range counts from the series start and counts cancelled occurrences too; an
//!   EndDate range includes its end date (in the series' zone).
//!
//! An occurrence is identified by its original start: the wall-clock time in the series' zone
//! (the recurrence's zone, else the zone of the series start); midnight of the date for all-day
//! series. All-day dates are placed on the time line in the recurrence's zone, else in UTC.
//!
//! Invariant: every walk is bounded by [`MAX_PERIODS`] units of the pattern, so nothing here can
//! loop forever, whatever the input.

mod dates;
mod series_start;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::appointment::When;
use crate::recurrence::{OccurrenceOverride, Range, Recurrence, Series};
use crate::zone::{TimeZoneName, UnknownTimeZone, ZonedDateTime, local_to_utc, utc_to_local};

pub use dates::{
    MAX_PERIODS, RecurrenceDates, days_in_month, matches_pattern, nth_day, recurrence_dates,
    week_start,
};
pub use series_start::first_occurrence;

/// One occurrence of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// The key of the occurrence: its start as the pattern puts it, as a wall-clock time in the
    /// series' zone (midnight for all-day series). See [`Series::modified`].
    pub original_start: NaiveDateTime,
    /// When it actually takes place (moved if the series says so).
    pub when: When,
    /// What differs from the series in this occurrence, if anything.
    pub changes: Option<OccurrenceOverride>,
}

/// Why occurrences cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    /// A zone name of the series is not known.
    #[error(transparent)]
    Zone(#[from] UnknownTimeZone),
    /// The recurrence holds values no calendar can work with.
    #[error("invalid recurrence: {0}")]
    InvalidRecurrence(String),
}

/// The occurrences of a series (first occurrence at `start`) that overlap the window
/// `[window_start, window_end)`, ordered by their actual start.
///
/// Cancelled occurrences are left out; moved ones appear at their new time (and are found even
/// when their original time lies far outside the window). An occurrence of zero length overlaps
/// when its start lies in the window.
pub fn occurrences(
    start: &When,
    series: &Series,
    window_start: DateTime<Utc>,
    window_end: DateTime<Utc>,
) -> Result<Vec<Occurrence>, ExpandError> {
    let recurrence = &series.recurrence;
    let frame = Frame::new(start, recurrence.time_zone.as_ref())?;
    let mut dates = recurrence_dates(frame.start_date, recurrence)?;
    let lead = Duration::days(frame.span_days() + 2);
    let from = utc_to_local(frame.tz, window_start).date() - lead;
    dates.skip_towards(from);

    let mut found: Vec<(DateTime<Utc>, Occurrence)> = Vec::new();
    for date in dates {
        let key = frame.key(date);
        let when = frame.when_of(key)?;
        let (s, e) = frame.instants(&when)?;
        if s >= window_end {
            break;
        }
        let changes = series.modified.get(&key);
        if series.cancelled.contains(&key) || changes.is_some_and(|c| c.when.is_some()) {
            continue;
        }
        if overlaps(s, e, window_start, window_end) {
            let changes = changes.cloned();
            let occurrence = Occurrence {
                original_start: key,
                when,
                changes,
            };
            found.push((s, occurrence));
        }
    }
    for (key, changes) in &series.modified {
        let Some(when) = &changes.when else { continue };
        if series.cancelled.contains(key) || !frame.is_occurrence(recurrence, *key)? {
            continue;
        }
        let (s, e) = frame.instants(when)?;
        if overlaps(s, e, window_start, window_end) {
            let occurrence = Occurrence {
                original_start: *key,
                when: when.clone(),
                changes: Some(changes.clone()),
            };
            found.push((s, occurrence));
        }
    }
    found.sort_by_key(|a| (a.0, a.1.original_start));
    Ok(found.into_iter().map(|(_, o)| o).collect())
}

/// True when `key` (an original start, see [`Occurrence::original_start`]) is an occurrence of
/// the recurrence whose first occurrence is at `start`: right date, right time, within range.
pub fn is_occurrence(
    start: &When,
    recurrence: &Recurrence,
    key: NaiveDateTime,
) -> Result<bool, ExpandError> {
    Frame::new(start, recurrence.time_zone.as_ref())?.is_occurrence(recurrence, key)
}

/// When the occurrence with original start `key` takes place if it is not moved: the series'
/// start time and length applied to that date.
pub fn occurrence_time(
    start: &When,
    recurrence: &Recurrence,
    key: NaiveDateTime,
) -> Result<When, ExpandError> {
    Frame::new(start, recurrence.time_zone.as_ref())?.when_of(key)
}

/// The last date (in the series' zone) on which an occurrence of the series takes place,
/// counting the length of the occurrences and moved occurrences; `None` when the series never
/// ends (or ends further away than [`MAX_PERIODS`] units). Used to decide whether a series
/// overlaps the sync window.
pub fn series_end(start: &When, series: &Series) -> Result<Option<NaiveDate>, ExpandError> {
    let recurrence = &series.recurrence;
    let frame = Frame::new(start, recurrence.time_zone.as_ref())?;
    let mut dates = recurrence_dates(frame.start_date, recurrence)?;
    let last = match recurrence.range {
        Range::NoEnd => return Ok(None),
        Range::EndDate { end } => {
            dates.skip_towards(end);
            dates.last()
        }
        Range::Numbered { .. } => {
            let last = dates.by_ref().last();
            if dates.truncated() {
                return Ok(None);
            }
            last
        }
    };
    let mut end = frame.start_date;
    if let Some(date) = last {
        end = end.max(frame.last_day(&frame.when_of(frame.key(date))?)?);
    }
    for changes in series.modified.values() {
        if let Some(when) = &changes.when {
            end = end.max(frame.last_day(when)?);
        }
    }
    Ok(Some(end))
}

fn overlaps(s: DateTime<Utc>, e: DateTime<Utc>, ws: DateTime<Utc>, we: DateTime<Utc>) -> bool {
    if e <= s {
        ws <= s && s < we
    } else {
        s < we && e > ws
    }
}

/// Where and when the occurrences of one series are evaluated.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// Rules of the series' zone (UTC for all-day series without a zone).
    pub(crate) tz: Tz,
    /// The series start's date in the series' zone.
    pub(crate) start_date: NaiveDate,
    /// The series start's wall-clock time in the series' zone (midnight for all-day).
    pub(crate) time: NaiveTime,
    shape: Shape,
}

#[derive(Debug, Clone)]
enum Shape {
    Timed {
        zone: TimeZoneName,
        start: ZonedDateTime,
        end: ZonedDateTime,
        start_in_zone: bool,
        wall: Option<Duration>,
        exact: Duration,
    },
    AllDay {
        days: i64,
    },
}

impl Frame {
    /// The frame of a series starting at `start`, evaluated in `time_zone` (the recurrence's
    /// zone) or else in the zone of the start.
    pub(crate) fn new(start: &When, time_zone: Option<&TimeZoneName>) -> Result<Self, ExpandError> {
        match start {
            When::AllDay { start, end } => {
                let tz = match time_zone {
                    Some(zone) => zone.resolve()?,
                    None => Tz::UTC,
                };
                Ok(Frame {
                    tz,
                    start_date: *start,
                    time: NaiveTime::MIN,
                    shape: Shape::AllDay {
                        days: (*end - *start).num_days().max(0),
                    },
                })
            }
            When::Timed { start, end } => {
                let zone = time_zone.unwrap_or(&start.zone).clone();
                let tz = zone.resolve()?;
                let start_in_zone = zone == start.zone || zone.same_zone(&start.zone);
                let local = if start_in_zone {
                    start.local
                } else {
                    start.in_zone(&zone)?.local
                };
                let same_end_zone = end.zone == start.zone || end.zone.same_zone(&start.zone);
                let wall = same_end_zone.then(|| end.local - start.local);
                let exact = end.to_utc()? - start.to_utc()?;
                Ok(Frame {
                    tz,
                    start_date: local.date(),
                    time: local.time(),
                    shape: Shape::Timed {
                        zone,
                        start: start.clone(),
                        end: end.clone(),
                        start_in_zone,
                        wall,
                        exact,
                    },
                })
            }
        }
    }

    /// The key (original start) of the occurrence on `date`.
    pub(crate) fn key(&self, date: NaiveDate) -> NaiveDateTime {
        date.and_time(self.time)
    }

    /// Whole days one occurrence may span (to look back far enough before a window).
    fn span_days(&self) -> i64 {
        match &self.shape {
            Shape::AllDay { days } => *days,
            Shape::Timed { exact, wall, .. } => {
                let longest = wall.map_or(*exact, |w| w.max(*exact));
                longest.num_days() + 1
            }
        }
    }

    /// When the occurrence with original start `key` takes place if it is not moved.
    pub(crate) fn when_of(&self, key: NaiveDateTime) -> Result<When, ExpandError> {
        match &self.shape {
            Shape::AllDay { days } => {
                let start = key.date();
                let end = start
                    .checked_add_signed(Duration::days(*days))
                    .ok_or_else(|| ExpandError::InvalidRecurrence("date out of range".into()))?;
                Ok(When::AllDay { start, end })
            }
            Shape::Timed {
                zone,
                start,
                end,
                start_in_zone,
                wall,
                exact,
            } => {
                let occ_start = if *start_in_zone {
                    ZonedDateTime::new(key, start.zone.clone())
                } else {
                    ZonedDateTime::new(key, zone.clone()).in_zone(&start.zone)?
                };
                let occ_end = match wall {
                    Some(length) => ZonedDateTime::new(occ_start.local + *length, end.zone.clone()),
                    None => {
                        let instant = occ_start.to_utc()? + *exact;
                        ZonedDateTime::new(
                            utc_to_local(end.zone.resolve()?, instant),
                            end.zone.clone(),
                        )
                    }
                };
                Ok(When::Timed {
                    start: occ_start,
                    end: occ_end,
                })
            }
        }
    }

    /// Start and end of `when` on the time line (all-day dates in the series' zone).
    pub(crate) fn instants(
        &self,
        when: &When,
    ) -> Result<(DateTime<Utc>, DateTime<Utc>), ExpandError> {
        match when {
            When::Timed { start, end } => Ok((start.to_utc()?, end.to_utc()?)),
            When::AllDay { start, end } => Ok((
                local_to_utc(self.tz, start.and_time(NaiveTime::MIN)),
                local_to_utc(self.tz, end.and_time(NaiveTime::MIN)),
            )),
        }
    }

    /// The last date (series' zone) `when` touches.
    fn last_day(&self, when: &When) -> Result<NaiveDate, ExpandError> {
        match when {
            When::AllDay { start, end } => Ok(end.pred_opt().unwrap_or(*start).max(*start)),
            When::Timed { .. } => {
                let (_, end) = self.instants(when)?;
                Ok(utc_to_local(self.tz, end).date())
            }
        }
    }

    /// See [`is_occurrence`].
    pub(crate) fn is_occurrence(
        &self,
        recurrence: &Recurrence,
        key: NaiveDateTime,
    ) -> Result<bool, ExpandError> {
        dates::check(recurrence).map_err(ExpandError::InvalidRecurrence)?;
        let date = key.date();
        if key.time() != self.time || !matches_pattern(&recurrence.pattern, self.start_date, date) {
            return Ok(false);
        }
        Ok(match recurrence.range {
            Range::NoEnd => true,
            Range::EndDate { end } => date <= end,
            Range::Numbered { .. } => recurrence_dates(self.start_date, recurrence)?
                .take_while(|d| *d <= date)
                .any(|d| d == date),
        })
    }
}

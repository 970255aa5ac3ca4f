//! Calendar arithmetic of a recurrence: which dates a pattern selects, period by period.
//!
//! A pattern is evaluated in *units* (days, weeks, months or years) counted from the unit that
//! holds the series start; every `interval`-th unit is active and yields its dates in order. This
//! mirrors Exchange: weeks start on `first_day_of_week`, a day of the month beyond the month's
//! length means the last day of that month, and Numbered ranges count from the series start.
//!
//! Invariant: [`RecurrenceDates`] yields strictly increasing dates, never one before the series
//! start, and stops after at most [`MAX_PERIODS`] units (or when the calendar runs out), so no
//! caller can loop forever.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::ExpandError;
use crate::recurrence::{Pattern, Range, Recurrence, WeekIndex, WeekdaySet};

/// The most units (days, weeks, months, years) one walk over a pattern visits.
pub const MAX_PERIODS: u32 = 100_000;

/// Checks what the calendar arithmetic relies on: intervals >= 1, days of the month 1..=31,
/// months 1..=12, non-empty day sets and a count >= 1.
pub(crate) fn check(recurrence: &Recurrence) -> Result<(), String> {
    let pattern = &recurrence.pattern;
    if pattern.interval() == 0 {
        return Err("the interval is 0; it must be at least 1".into());
    }
    let (day, month, days) = match pattern {
        Pattern::Daily { .. } => (None, None, None),
        Pattern::Weekly { days, .. } => (None, None, Some(*days)),
        Pattern::AbsoluteMonthly { day_of_month, .. } => (Some(*day_of_month), None, None),
        Pattern::RelativeMonthly { days, .. } => (None, None, Some(*days)),
        Pattern::AbsoluteYearly {
            month,
            day_of_month,
            ..
        } => (Some(*day_of_month), Some(*month), None),
        Pattern::RelativeYearly { month, days, .. } => (None, Some(*month), Some(*days)),
    };
    if day.is_some_and(|d| !(1..=31).contains(&d)) {
        return Err("the day of the month must lie in 1..=31".into());
    }
    if month.is_some_and(|m| !(1..=12).contains(&m)) {
        return Err("the month must lie in 1..=12".into());
    }
    if days.is_some_and(WeekdaySet::is_empty) {
        return Err("the set of weekdays is empty".into());
    }
    if let Range::Numbered { count: 0 } = recurrence.range {
        return Err("the number of occurrences is 0; it must be at least 1".into());
    }
    Ok(())
}

/// Number of days in a month (`month` 1..=12).
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year.saturating_add(1), 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|n| n.pred_opt())
        .map_or(31, |last| last.day())
}

/// The first day of the week holding `date`, weeks starting on `first_day`.
pub fn week_start(date: NaiveDate, first_day: Weekday) -> NaiveDate {
    let back = (date.weekday().num_days_from_monday() + 7 - first_day.num_days_from_monday()) % 7;
    date - Days::new(u64::from(back))
}

/// The `index`-th day of `month` whose weekday is in `days` (Exchange's relative patterns:
/// "second Tuesday", "last weekday", "first weekend day", "last day").
pub fn nth_day(year: i32, month: u32, days: WeekdaySet, index: WeekIndex) -> Option<NaiveDate> {
    let mut matching = (1..=days_in_month(year, month))
        .filter_map(|d| NaiveDate::from_ymd_opt(year, month, d))
        .filter(|d| days.contains(d.weekday()));
    match index {
        WeekIndex::Last => matching.next_back(),
        other => {
            let n = usize::try_from(other.ordinal()).ok()?;
            matching.nth(n.checked_sub(1)?)
        }
    }
}

/// `day` clamped to the length of the month: Exchange's rule for day 29..31 in shorter months.
fn clamped(year: i32, month: u32, day: u8) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, u32::from(day).min(days_in_month(year, month)))
}

fn add_months(start: NaiveDate, months: u32) -> Option<(i32, u32)> {
    let total = i64::from(start.year()) * 12 + i64::from(start.month0()) + i64::from(months);
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = u32::try_from(total.rem_euclid(12)).ok()? + 1;
    (year < 200_000).then_some((year, month))
}

/// The unit (day/week/month/year number since the start's unit) holding `date`, if not before.
pub(crate) fn unit_of(pattern: &Pattern, start: NaiveDate, date: NaiveDate) -> Option<u32> {
    let units: i64 = match pattern {
        Pattern::Daily { .. } => (date - start).num_days(),
        Pattern::Weekly {
            first_day_of_week, ..
        } => {
            (week_start(date, *first_day_of_week) - week_start(start, *first_day_of_week))
                .num_days()
                / 7
        }
        Pattern::AbsoluteMonthly { .. } | Pattern::RelativeMonthly { .. } => {
            (i64::from(date.year()) * 12 + i64::from(date.month0()))
                - (i64::from(start.year()) * 12 + i64::from(start.month0()))
        }
        Pattern::AbsoluteYearly { .. } | Pattern::RelativeYearly { .. } => {
            i64::from(date.year()) - i64::from(start.year())
        }
    };
    u32::try_from(units).ok()
}

/// The dates `pattern` selects in unit `unit` (counted from the start's unit), in order.
pub(crate) fn unit_dates(pattern: &Pattern, start: NaiveDate, unit: u32) -> Option<Vec<NaiveDate>> {
    let dates = match pattern {
        Pattern::Daily { .. } => vec![start.checked_add_days(Days::new(u64::from(unit)))?],
        Pattern::Weekly {
            days,
            first_day_of_week,
            ..
        } => {
            let first = week_start(start, *first_day_of_week)
                .checked_add_days(Days::new(u64::from(unit) * 7))?;
            (0..7u64)
                .filter_map(|i| first.checked_add_days(Days::new(i)))
                .filter(|d| days.contains(d.weekday()))
                .collect()
        }
        Pattern::AbsoluteMonthly { day_of_month, .. } => {
            let (y, m) = add_months(start, unit)?;
            vec![clamped(y, m, *day_of_month)?]
        }
        Pattern::RelativeMonthly { days, index, .. } => {
            let (y, m) = add_months(start, unit)?;
            vec![nth_day(y, m, *days, *index)?]
        }
        Pattern::AbsoluteYearly {
            month,
            day_of_month,
            ..
        } => {
            let year = start.year().checked_add(i32::try_from(unit).ok()?)?;
            vec![clamped(year, u32::from(*month), *day_of_month)?]
        }
        Pattern::RelativeYearly {
            month, days, index, ..
        } => {
            let year = start.year().checked_add(i32::try_from(unit).ok()?)?;
            vec![nth_day(year, u32::from(*month), *days, *index)?]
        }
    };
    Some(dates)
}

/// True when `pattern`, started on `start`, selects `date` (the range is not looked at).
pub fn matches_pattern(pattern: &Pattern, start: NaiveDate, date: NaiveDate) -> bool {
    if date < start || pattern.interval() == 0 {
        return false;
    }
    unit_of(pattern, start, date)
        .filter(|unit| unit % pattern.interval() == 0)
        .and_then(|unit| unit_dates(pattern, start, unit))
        .is_some_and(|dates| dates.contains(&date))
}

/// The dates of a recurrence in order, from its start, honouring its range.
///
/// Build it with [`recurrence_dates`]. Cancelled occurrences are *not* removed here: they still
/// count towards a Numbered range, as in Exchange.
#[derive(Debug, Clone)]
pub struct RecurrenceDates {
    pattern: Pattern,
    range: Range,
    start: NaiveDate,
    next_period: u32,
    periods_visited: u32,
    pending: std::collections::VecDeque<NaiveDate>,
    yielded: u32,
    done: bool,
    truncated: bool,
}

/// Walks the dates (in the series' zone) of `recurrence` whose first occurrence is on or after
/// `start`. Fails for a pattern the arithmetic cannot work with (interval 0, day 32, ...).
pub fn recurrence_dates(
    start: NaiveDate,
    recurrence: &Recurrence,
) -> Result<RecurrenceDates, ExpandError> {
    check(recurrence).map_err(ExpandError::InvalidRecurrence)?;
    Ok(RecurrenceDates {
        pattern: recurrence.pattern.clone(),
        range: recurrence.range,
        start,
        next_period: 0,
        periods_visited: 0,
        pending: std::collections::VecDeque::new(),
        yielded: 0,
        done: false,
        truncated: false,
    })
}

impl RecurrenceDates {
    /// Jumps ahead so that the next dates are those of the active unit before the one holding
    /// `date` (or later). Does nothing for a Numbered range, whose count must start at the
    /// beginning.
    pub fn skip_towards(&mut self, date: NaiveDate) {
        if matches!(self.range, Range::Numbered { .. }) {
            return;
        }
        let interval = self.pattern.interval().max(1);
        let Some(unit) = unit_of(&self.pattern, self.start, date) else {
            return;
        };
        let period = (unit / interval).saturating_sub(1);
        if period > self.next_period {
            self.next_period = period;
            self.pending.clear();
        }
    }

    /// True when the walk stopped at [`MAX_PERIODS`] or at the end of the calendar rather than
    /// at the end of the range.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    fn refill(&mut self) {
        while self.pending.is_empty() && !self.done {
            if self.periods_visited >= MAX_PERIODS {
                self.truncated = true;
                self.done = true;
                return;
            }
            self.periods_visited += 1;
            let unit = self.next_period.checked_mul(self.pattern.interval());
            let dates = unit.and_then(|u| unit_dates(&self.pattern, self.start, u));
            let Some(dates) = dates else {
                self.truncated = true;
                self.done = true;
                return;
            };
            self.next_period += 1;
            self.pending
                .extend(dates.into_iter().filter(|d| *d >= self.start));
        }
    }
}

impl Iterator for RecurrenceDates {
    type Item = NaiveDate;

    fn next(&mut self) -> Option<NaiveDate> {
        self.refill();
        let date = self.pending.pop_front()?;
        let in_range = match self.range {
            Range::NoEnd => true,
            Range::EndDate { end } => date <= end,
            Range::Numbered { count } => self.yielded < count,
        };
        if !in_range {
            self.done = true;
            self.pending.clear();
            return None;
        }
        self.yielded += 1;
        Some(date)
    }
}

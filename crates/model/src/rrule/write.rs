//! [`Recurrence`] -> RRULE: the canonical rule for every recurrence.
//!
//! Invariant: `Recurrence::from_rrule(&r.to_rrule(start), start) == r` for every recurrence
//! whose start is an occurrence (checked by a property test), with one documented exception:
//! AbsoluteYearly on a day its month never has (February 30) reads back as day 31, which gives
//! the same dates in Exchange.

use chrono::NaiveTime;
use chrono_tz::Tz;

use super::parts::weekday_code;
use crate::appointment::When;
use crate::recurrence::{Pattern, Range, Recurrence, WeekIndex, WeekdaySet};
use crate::zone::local_to_utc;

fn day_list(days: WeekdaySet) -> String {
    days.iter().map(weekday_code).collect::<Vec<_>>().join(",")
}

/// Day 31 means "the last day of the month" in Exchange; BYMONTHDAY=-1 says exactly that in
/// RFC 5545 (and Outlook reads it back as day 31, MS-OXCICAL 2.1.3.2.2.3).
fn month_day(day: u8) -> String {
    if day >= 31 {
        "-1".to_owned()
    } else {
        day.to_string()
    }
}

fn nth(days: WeekdaySet, index: WeekIndex) -> String {
    if days.len() == 1 {
        format!("BYDAY={}{}", index.ordinal(), day_list(days))
    } else {
        format!("BYDAY={};BYSETPOS={}", day_list(days), index.ordinal())
    }
}

impl Recurrence {
    /// The canonical RRULE value (without the `RRULE:` prefix) for a series whose first
    /// occurrence is `start`.
    ///
    /// UNTIL is a UTC date-time (the end of the end date in the series' zone) for timed series
    /// and a DATE for all-day ones, as RFC 5545 requires UNTIL to match DTSTART's type. Weekly
    /// rules always carry BYDAY and WKST so that nothing depends on defaults.
    pub fn to_rrule(&self, start: &When) -> String {
        let mut out: Vec<String> = Vec::new();
        let (freq, by) = match &self.pattern {
            Pattern::Daily { .. } => ("DAILY", Vec::new()),
            Pattern::Weekly {
                days,
                first_day_of_week,
                ..
            } => (
                "WEEKLY",
                vec![
                    format!("BYDAY={}", day_list(*days)),
                    format!("WKST={}", weekday_code(*first_day_of_week)),
                ],
            ),
            Pattern::AbsoluteMonthly { day_of_month, .. } => (
                "MONTHLY",
                vec![format!("BYMONTHDAY={}", month_day(*day_of_month))],
            ),
            Pattern::RelativeMonthly { days, index, .. } => ("MONTHLY", vec![nth(*days, *index)]),
            Pattern::AbsoluteYearly {
                month,
                day_of_month,
                ..
            } => (
                "YEARLY",
                vec![
                    format!("BYMONTH={month}"),
                    format!("BYMONTHDAY={}", month_day(*day_of_month)),
                ],
            ),
            Pattern::RelativeYearly {
                month, days, index, ..
            } => (
                "YEARLY",
                vec![format!("BYMONTH={month}"), nth(*days, *index)],
            ),
        };
        out.push(format!("FREQ={freq}"));
        match self.range {
            Range::NoEnd => {}
            Range::Numbered { count } => out.push(format!("COUNT={count}")),
            Range::EndDate { end } => match start {
                When::AllDay { .. } => out.push(format!("UNTIL={}", end.format("%Y%m%d"))),
                When::Timed { start, .. } => {
                    let zone = self.time_zone.as_ref().unwrap_or(&start.zone);
                    // An unknown zone is refused by `Appointment::validate`; UTC keeps the rule
                    // well-formed should one slip through.
                    let tz = zone.resolve().unwrap_or(Tz::UTC);
                    let last = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN);
                    let until = local_to_utc(tz, end.and_time(last));
                    out.push(format!("UNTIL={}", until.format("%Y%m%dT%H%M%SZ")));
                }
            },
        }
        let interval = self.pattern.interval();
        if interval > 1 {
            out.push(format!("INTERVAL={interval}"));
        }
        out.extend(by);
        out.join(";")
    }
}

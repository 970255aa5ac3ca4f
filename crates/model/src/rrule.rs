//! RFC 5545 recurrence rules <-> [`Recurrence`](crate::Recurrence), and the date values (UNTIL,
//! EXDATE, RECURRENCE-ID) that name occurrences.
//!
//! Reading ([`Recurrence::from_rrule`](crate::Recurrence::from_rrule)) maps everything Exchange
//! can express: DAILY (and `DAILY;BYDAY=..`, as Outlook writes "every weekday", to Weekly),
//! WEEKLY (BYDAY or the start's weekday; WKST, default MO), MONTHLY (BYMONTHDAY=n,
//! BYMONTHDAY=-1, BYDAY=2TU / -1FR, BYDAY=..;BYSETPOS=n), YEARLY (BYMONTH with BYMONTHDAY or
//! BYDAY, or nothing: the start's date), INTERVAL, COUNT, UNTIL. Everything else is refused with
//! an [`UnsupportedRecurrence`] naming the rule part: HOURLY and finer, BYWEEKNO, BYYEARDAY,
//! BYHOUR/BYMINUTE/BYSECOND other than the start's own time, several BYMONTH/BYMONTHDAY/BYSETPOS
//! values, ordinals other than 1..4 and -1, several weekdays with ordinals, day sets other than
//! one weekday / weekdays / weekend days / all days with BYSETPOS (EWS `DayOfWeekType`), DAILY
//! with INTERVAL > 1 and BYDAY, COUNT with UNTIL, unknown parts, and a DTSTART that is not an
//! occurrence of the rule (Exchange starts a series with its first occurrence; the error names
//! the date to move DTSTART to). The recurrence's zone is the start's zone (none for all-day).
//!
//! Days of the month: Exchange puts day 29..31 on the last day of shorter months (see
//! [`crate::expand`]), RFC 5545 skips those months. Day 31 is written as `BYMONTHDAY=-1`
//! ("last day", exact in both worlds) and `BYMONTHDAY=-1` is read as day 31, as Outlook does
//! (MS-OXCICAL 2.1.3.2.2.3). `BYMONTHDAY=29`/`30`/`31` are read as Exchange days 29..31, like
//! Outlook imports them: a strict RFC 5545 reader of such a rule skips the short months that
//! Exchange fills with the last day. `BYDAY=MO,..,SU;BYSETPOS=-1` stays RelativeMonthly "last
//! day".
//!
//! Invariant: `Recurrence::from_rrule(&r.to_rrule(start), start) == r` (see the `write`
//! submodule for the one exception); a rule is either mapped without changing its occurrences
//! or refused.

mod parts;
mod read;
mod time;
mod write;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use parts::{parse_weekday_code, weekday_code};
pub use time::{IcalTime, InvalidIcalTime, occurrence_id, occurrence_key};

/// An RRULE that Exchange cannot express (or that is malformed), naming the rule part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("RRULE {rule:?}: {part} {reason}")]
pub struct UnsupportedRecurrence {
    /// The rule as given.
    pub rule: String,
    /// The part that cannot be kept, as written (`FREQ=HOURLY`, `BYDAY=1MO,3MO`, `DTSTART`).
    pub part: String,
    /// Why, and where possible what to do instead.
    pub reason: String,
}

impl UnsupportedRecurrence {
    pub(crate) fn new(rule: &str, part: &str, reason: impl Into<String>) -> Self {
        Self {
            rule: rule.to_owned(),
            part: part.to_owned(),
            reason: reason.into(),
        }
    }
}

//! Seeded calendar items: single, all-day, and recurring with a pattern and a range, with
//! moved/changed and cancelled occurrences.
//!
//! Invariants: every item is checked whole before anything is served; an error names the item
//! and the field (`tenants[0].mailboxes[1].events[2].exceptions[0].original_start`) and the fix,
//! never a value from the file; an exception or cancellation must name an occurrence of its
//! series.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use exsync_model::{
    Appointment, OccurrenceOverride, Pattern, Range, Recurrence, Series, TimeZoneName, WeekIndex,
    WeekdaySet, When, ZonedDateTime, first_occurrence,
};
use serde::Deserialize;

use super::{SeedError, field};
use crate::store::NewEvent;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileEvent {
    subject: String,
    start: String,
    end: String,
    #[serde(default)]
    time_zone: Option<String>,
    #[serde(default)]
    all_day: bool,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    recurrence: Option<FileRecurrence>,
    #[serde(default)]
    exceptions: Vec<FileException>,
    #[serde(default)]
    cancelled: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRecurrence {
    pattern: String,
    #[serde(default)]
    interval: Option<u32>,
    #[serde(default)]
    days: Vec<String>,
    #[serde(default)]
    day_of_month: Option<u8>,
    #[serde(default)]
    month: Option<u8>,
    #[serde(default)]
    index: Option<String>,
    #[serde(default)]
    first_day_of_week: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    count: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileException {
    original_start: String,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    end: Option<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    location: Option<String>,
}

fn zone(at: &str, name: Option<String>) -> Result<TimeZoneName, SeedError> {
    TimeZoneName::new(name.unwrap_or_else(|| "UTC".to_owned())).map_err(|_| {
        field(
            format!("{at}.time_zone"),
            "unknown zone; give an IANA or Windows name such as Europe/Berlin",
        )
    })
}

pub(super) fn date(at: &str, text: &str) -> Result<NaiveDate, SeedError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| field(at, "needs a date such as 2026-03-02"))
}

pub(super) fn wall_clock(at: &str, text: &str) -> Result<NaiveDateTime, SeedError> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").map_err(|_| {
        field(
            at,
            "needs a wall-clock time such as 2026-03-02T09:00:00 (zone in time_zone)",
        )
    })
}

fn when(
    at: &str,
    start: &str,
    end: &str,
    all_day: bool,
    zone: &TimeZoneName,
) -> Result<When, SeedError> {
    Ok(if all_day {
        When::AllDay {
            start: date(&format!("{at}.start"), start)?,
            end: date(&format!("{at}.end"), end)?,
        }
    } else {
        When::Timed {
            start: ZonedDateTime::new(wall_clock(&format!("{at}.start"), start)?, zone.clone()),
            end: ZonedDateTime::new(wall_clock(&format!("{at}.end"), end)?, zone.clone()),
        }
    })
}

/// A calendar item of a seed, series included.
pub(super) fn event(at: &str, fe: FileEvent) -> Result<NewEvent, SeedError> {
    let zone = zone(at, fe.time_zone)?;
    let when = when(at, &fe.start, &fe.end, fe.all_day, &zone)?;
    let mut appointment = match when.clone() {
        When::AllDay { start, end } => Appointment::all_day(fe.subject, start, end),
        When::Timed { start, end } => Appointment::timed(fe.subject, start, end),
    };
    if let Some(location) = fe.location {
        appointment.location = location;
    }
    match fe.recurrence {
        Some(fr) => {
            let recurrence = recurrence(&format!("{at}.recurrence"), fr)?;
            let mut series = Series::new(recurrence);
            for (i, text) in fe.cancelled.iter().enumerate() {
                let key = occurrence_key(&format!("{at}.cancelled[{i}]"), text, &when, &series)?;
                series.cancelled.insert(key);
            }
            for (i, fx) in fe.exceptions.into_iter().enumerate() {
                let at = format!("{at}.exceptions[{i}]");
                let key = occurrence_key(
                    &format!("{at}.original_start"),
                    &fx.original_start,
                    &when,
                    &series,
                )?;
                let moved = match (fx.start, fx.end) {
                    (Some(s), Some(e)) => Some(self::when(&at, &s, &e, fe.all_day, &zone)?),
                    (None, None) => None,
                    _ => return Err(field(at, "give both start and end to move an occurrence")),
                };
                let change = OccurrenceOverride {
                    when: moved,
                    subject: fx.subject,
                    location: fx.location,
                    ..OccurrenceOverride::default()
                };
                series.modified.insert(key, change);
            }
            // Exchange starts a series with its first occurrence (docs/emulator.md, Series).
            appointment.when = match first_occurrence(&appointment.when, &series.recurrence) {
                Ok(Some(first)) => first,
                Ok(None) => {
                    return Err(field(
                        format!("{at}.recurrence"),
                        "end the range on or after the first date the pattern produces (it holds no occurrence)",
                    ));
                }
                Err(error) => return Err(field(format!("{at}.recurrence"), error.to_string())),
            };
            appointment.series = Some(series);
        }
        None if !fe.exceptions.is_empty() || !fe.cancelled.is_empty() => {
            return Err(field(
                format!("{at}.recurrence"),
                "exceptions and cancelled occurrences need a recurrence",
            ));
        }
        None => {}
    }
    appointment
        .validate()
        .map_err(|e| field(at, format!("{e}")))?;
    Ok(NewEvent {
        appointment,
        start_zone: zone.clone(),
        end_zone: zone,
        transaction: None,
    })
}

fn weekday(at: &str, text: &str) -> Result<Weekday, SeedError> {
    text.parse::<Weekday>()
        .map_err(|_| field(at, "needs a weekday such as monday"))
}

fn recurrence(at: &str, fr: FileRecurrence) -> Result<Recurrence, SeedError> {
    let interval = fr.interval.unwrap_or(1);
    if interval == 0 {
        return Err(field(format!("{at}.interval"), "must be at least 1"));
    }
    let days = || -> Result<WeekdaySet, SeedError> {
        let mut set = WeekdaySet::EMPTY;
        for (i, d) in fr.days.iter().enumerate() {
            set.insert(weekday(&format!("{at}.days[{i}]"), d)?);
        }
        if set.is_empty() {
            return Err(field(format!("{at}.days"), "name at least one weekday"));
        }
        Ok(set)
    };
    let index = || match fr.index.as_deref().unwrap_or("first") {
        "first" => Ok(WeekIndex::First),
        "second" => Ok(WeekIndex::Second),
        "third" => Ok(WeekIndex::Third),
        "fourth" => Ok(WeekIndex::Fourth),
        "last" => Ok(WeekIndex::Last),
        _ => Err(field(
            format!("{at}.index"),
            "one of first, second, third, fourth, last",
        )),
    };
    let number = |name: &str, v: Option<u8>, max: u8| {
        v.filter(|v| (1..=max).contains(v))
            .ok_or_else(|| field(format!("{at}.{name}"), format!("needs a number 1..={max}")))
    };
    let pattern = match fr.pattern.as_str() {
        "daily" => Pattern::Daily { interval },
        "weekly" => Pattern::Weekly {
            interval,
            days: days()?,
            first_day_of_week: match &fr.first_day_of_week {
                Some(d) => weekday(&format!("{at}.first_day_of_week"), d)?,
                None => Weekday::Sun,
            },
        },
        "absolute_monthly" => Pattern::AbsoluteMonthly {
            interval,
            day_of_month: number("day_of_month", fr.day_of_month, 31)?,
        },
        "relative_monthly" => Pattern::RelativeMonthly {
            interval,
            days: days()?,
            index: index()?,
        },
        "absolute_yearly" => Pattern::AbsoluteYearly {
            interval,
            month: number("month", fr.month, 12)?,
            day_of_month: number("day_of_month", fr.day_of_month, 31)?,
        },
        "relative_yearly" => Pattern::RelativeYearly {
            interval,
            month: number("month", fr.month, 12)?,
            days: days()?,
            index: index()?,
        },
        _ => {
            return Err(field(
                format!("{at}.pattern"),
                "one of daily, weekly, absolute_monthly, relative_monthly, absolute_yearly, \
                 relative_yearly",
            ));
        }
    };
    let range = match (fr.until, fr.count) {
        (Some(_), Some(_)) => return Err(field(at, "give until or count, not both")),
        (Some(until), None) => Range::EndDate {
            end: date(&format!("{at}.until"), &until)?,
        },
        (None, Some(0)) => return Err(field(format!("{at}.count"), "must be at least 1")),
        (None, Some(count)) => Range::Numbered { count },
        (None, None) => Range::NoEnd,
    };
    Ok(Recurrence {
        pattern,
        range,
        time_zone: None,
    })
}

/// The original start of an occurrence named in a seed (a date for all-day series, else a
/// wall-clock time in the series' zone); it must be one of the series' occurrences.
fn occurrence_key(
    at: &str,
    text: &str,
    when: &When,
    series: &Series,
) -> Result<NaiveDateTime, SeedError> {
    let key = match when {
        When::AllDay { .. } => date(at, text)?.and_time(NaiveTime::MIN),
        When::Timed { .. } => wall_clock(at, text)?,
    };
    let scheduled = exsync_model::is_occurrence(when, &series.recurrence, key).unwrap_or(false);
    if !scheduled {
        return Err(field(
            at,
            "is not the original start of an occurrence of this series",
        ));
    }
    Ok(key)
}

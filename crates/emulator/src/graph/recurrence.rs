//! `patternedRecurrence` on the wire <-> [`Recurrence`] of the domain model.
//!
//! Invariant: everything Graph can express maps to the model and back unchanged, except the
//! range's `startDate`, which is always written as the series start's date (in the series'
//! zone) because the model ties the first occurrence to the start; and a stored series always
//! starts on its first occurrence (see [`series_start`]), as Exchange keeps it.

use axum::http::StatusCode;
use chrono::{NaiveDate, Weekday};
use exsync_model::{
    Pattern, Range, Recurrence, TimeZoneName, WeekIndex, WeekdaySet, When, first_occurrence,
};

use super::error::GraphError;
use super::vocab::{INDEXES, WEEKDAYS, enum_value, name_of};
use super::wire::recurrence::{PatternedRecurrence, RecurrencePattern, RecurrenceRange};

/// The model recurrence of a wire recurrence.
pub(crate) fn parse_recurrence(recurrence: &PatternedRecurrence) -> Result<Recurrence, GraphError> {
    let p = &recurrence.pattern;
    let interval = u32::try_from(p.interval.unwrap_or(1))
        .ok()
        .filter(|i| *i >= 1)
        .ok_or_else(|| {
            GraphError::invalid_request("The recurrence interval must be at least 1.")
        })?;
    let days = || -> Result<WeekdaySet, GraphError> {
        let mut set = WeekdaySet::EMPTY;
        for day in p.days_of_week.iter().flatten() {
            if let Some(d) = enum_value(Some(day), "daysOfWeek", WEEKDAYS)? {
                set.insert(d);
            }
        }
        if set.is_empty() {
            return Err(GraphError::invalid_request(
                "daysOfWeek must name at least one day.",
            ));
        }
        Ok(set)
    };
    let index =
        || enum_value(p.index.as_deref(), "index", INDEXES).map(|i| i.unwrap_or(WeekIndex::First));
    let small = |v: Option<i32>, field: &str, max: i32| -> Result<u8, GraphError> {
        v.filter(|v| (1..=max).contains(v))
            .and_then(|v| u8::try_from(v).ok())
            .ok_or_else(|| GraphError::invalid_request(format!("{field} must lie in 1..={max}.")))
    };
    let kind = p.kind.as_deref().unwrap_or("");
    let pattern = match kind.to_ascii_lowercase().as_str() {
        "daily" => Pattern::Daily { interval },
        "weekly" => Pattern::Weekly {
            interval,
            days: days()?,
            first_day_of_week: enum_value(
                p.first_day_of_week.as_deref(),
                "firstDayOfWeek",
                WEEKDAYS,
            )?
            .unwrap_or(Weekday::Sun),
        },
        "absolutemonthly" => Pattern::AbsoluteMonthly {
            interval,
            day_of_month: small(p.day_of_month, "dayOfMonth", 31)?,
        },
        "relativemonthly" => Pattern::RelativeMonthly {
            interval,
            days: days()?,
            index: index()?,
        },
        "absoluteyearly" => Pattern::AbsoluteYearly {
            interval,
            month: small(p.month, "month", 12)?,
            day_of_month: small(p.day_of_month, "dayOfMonth", 31)?,
        },
        "relativeyearly" => Pattern::RelativeYearly {
            interval,
            month: small(p.month, "month", 12)?,
            days: days()?,
            index: index()?,
        },
        _ => {
            return Err(GraphError::invalid_request(format!(
                "Requested value '{kind}' was not found for property 'type' of recurrencePattern."
            )));
        }
    };
    let r = &recurrence.range;
    let range_kind = r.kind.as_deref().unwrap_or("");
    let range = match range_kind.to_ascii_lowercase().as_str() {
        "noend" => Range::NoEnd,
        "enddate" => {
            let end = r
                .end_date
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .ok_or_else(|| GraphError::invalid_request("An endDate range needs an endDate."))?;
            Range::EndDate { end }
        }
        "numbered" => {
            let count = r
                .number_of_occurrences
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    GraphError::invalid_request("A numbered range needs numberOfOccurrences >= 1.")
                })?;
            Range::Numbered { count }
        }
        _ => {
            return Err(GraphError::invalid_request(format!(
                "Requested value '{range_kind}' was not found for property 'type' of recurrenceRange."
            )));
        }
    };
    let time_zone = match r.recurrence_time_zone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(TimeZoneName::new(name).map_err(|_| GraphError::time_zone(name))?),
    };
    Ok(Recurrence {
        pattern,
        range,
        time_zone,
    })
}

/// Where Exchange puts the start of a series given to start at `when`: on its first
/// occurrence, the first date on or after `when`'s date that the pattern and range produce, at
/// the same wall-clock time and with the same length (Graph: "the first occurrence of the
/// meeting may not occur on this date if it does not fit the pattern"; MS-OXOCAL: a series'
/// start "is the start date and time of the first instance according to the recurrence
/// pattern"). A range without any occurrence is refused as EWS refuses it:
/// 400 `ErrorRecurrenceHasNoOccurrence`.
pub(crate) fn series_start(when: &When, recurrence: &Recurrence) -> Result<When, GraphError> {
    match first_occurrence(when, recurrence) {
        Ok(Some(first)) => Ok(first),
        Ok(None) => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorRecurrenceHasNoOccurrence",
            "Recurrence has no occurrences in the specified range.",
        )),
        Err(error) => Err(GraphError::invalid_request(error.to_string())),
    }
}

/// The wire recurrence of a series starting at `when`.
pub(crate) fn render_recurrence(
    rec: &Recurrence,
    when: &When,
    start_zone: &str,
) -> PatternedRecurrence {
    let zone_name = rec
        .time_zone
        .as_ref()
        .map_or_else(|| start_zone.to_owned(), ToString::to_string);
    let start_date = match when {
        When::AllDay { start, .. } => *start,
        When::Timed { start, .. } => match &rec.time_zone {
            Some(zone) => start
                .in_zone(zone)
                .map_or(start.local.date(), |z| z.local.date()),
            None => start.local.date(),
        },
    };
    let days = |set: WeekdaySet| -> Option<Vec<String>> {
        Some(
            set.iter()
                .map(|d| name_of(d, WEEKDAYS).to_owned())
                .collect(),
        )
    };
    let mut pattern = RecurrencePattern {
        kind: None,
        interval: Some(i32::try_from(rec.pattern.interval()).unwrap_or(i32::MAX)),
        month: Some(0),
        day_of_month: Some(0),
        days_of_week: Some(Vec::new()),
        first_day_of_week: Some("sunday".to_owned()),
        index: Some("first".to_owned()),
    };
    let kind = match &rec.pattern {
        Pattern::Daily { .. } => "daily",
        Pattern::Weekly {
            days: d,
            first_day_of_week,
            ..
        } => {
            pattern.days_of_week = days(*d);
            pattern.first_day_of_week = Some(name_of(*first_day_of_week, WEEKDAYS).to_owned());
            "weekly"
        }
        Pattern::AbsoluteMonthly { day_of_month, .. } => {
            pattern.day_of_month = Some(i32::from(*day_of_month));
            "absoluteMonthly"
        }
        Pattern::RelativeMonthly { days: d, index, .. } => {
            pattern.days_of_week = days(*d);
            pattern.index = Some(name_of(*index, INDEXES).to_owned());
            "relativeMonthly"
        }
        Pattern::AbsoluteYearly {
            month,
            day_of_month,
            ..
        } => {
            pattern.month = Some(i32::from(*month));
            pattern.day_of_month = Some(i32::from(*day_of_month));
            "absoluteYearly"
        }
        Pattern::RelativeYearly {
            month,
            days: d,
            index,
            ..
        } => {
            pattern.month = Some(i32::from(*month));
            pattern.days_of_week = days(*d);
            pattern.index = Some(name_of(*index, INDEXES).to_owned());
            "relativeYearly"
        }
    };
    pattern.kind = Some(kind.to_owned());
    let (range_kind, end_date, count) = match rec.range {
        Range::NoEnd => ("noEnd", "0001-01-01".to_owned(), 0),
        Range::EndDate { end } => ("endDate", end.format("%Y-%m-%d").to_string(), 0),
        Range::Numbered { count } => (
            "numbered",
            "0001-01-01".to_owned(),
            i32::try_from(count).unwrap_or(i32::MAX),
        ),
    };
    PatternedRecurrence {
        pattern,
        range: RecurrenceRange {
            kind: Some(range_kind.to_owned()),
            start_date: Some(start_date.format("%Y-%m-%d").to_string()),
            end_date: Some(end_date),
            recurrence_time_zone: Some(zone_name),
            number_of_occurrences: Some(count),
        },
    }
}

//! Model [`Recurrence`] <-> Graph `patternedRecurrence` (`recurrencePattern` +
//! `recurrenceRange`): all six pattern types and all three range types.
//!
//! Invariant: only the pattern properties Microsoft Learn lists as used by a pattern type are
//! written (e.g. `firstDayOfWeek` for weekly only, `month` for yearly only); on reading, a
//! value Graph documents but the model cannot hold is an error naming the property and value,
//! never silently dropped. Graph's defaults apply where it documents them (`firstDayOfWeek`
//! sunday, `index` first).

use chrono::{NaiveDate, Weekday};
use exsync_model::{Pattern, Range, Recurrence, TimeZoneName, WeekIndex, WeekdaySet};
use serde_json::{Map, Value, json};

use super::WireError;
use super::values::{graph_zone_name, optional_str};

/// The Graph `patternedRecurrence` of `recurrence` for a series whose first occurrence falls on
/// `start_date` (in the series' zone), evaluated in `zone` (written as `recurrenceTimeZone`).
pub fn to_graph(
    recurrence: &Recurrence,
    start_date: NaiveDate,
    zone: &TimeZoneName,
    item: &str,
) -> Result<Value, WireError> {
    let mut pattern = Map::new();
    let mut put = |key: &str, value: Value| pattern.insert(key.to_owned(), value);
    match &recurrence.pattern {
        Pattern::Daily { interval } => {
            put("type", json!("daily"));
            put("interval", json!(interval));
        }
        Pattern::Weekly {
            interval,
            days,
            first_day_of_week,
        } => {
            put("type", json!("weekly"));
            put("interval", json!(interval));
            put("daysOfWeek", day_names(*days));
            put("firstDayOfWeek", json!(day_name(*first_day_of_week)));
        }
        Pattern::AbsoluteMonthly {
            interval,
            day_of_month,
        } => {
            put("type", json!("absoluteMonthly"));
            put("interval", json!(interval));
            put("dayOfMonth", json!(day_of_month));
        }
        Pattern::RelativeMonthly {
            interval,
            days,
            index,
        } => {
            put("type", json!("relativeMonthly"));
            put("interval", json!(interval));
            put("daysOfWeek", day_names(*days));
            put("index", json!(index_name(*index)));
        }
        Pattern::AbsoluteYearly {
            interval,
            month,
            day_of_month,
        } => {
            put("type", json!("absoluteYearly"));
            put("interval", json!(interval));
            put("month", json!(month));
            put("dayOfMonth", json!(day_of_month));
        }
        Pattern::RelativeYearly {
            interval,
            month,
            days,
            index,
        } => {
            put("type", json!("relativeYearly"));
            put("interval", json!(interval));
            put("month", json!(month));
            put("daysOfWeek", day_names(*days));
            put("index", json!(index_name(*index)));
        }
    }
    let zone_name = graph_zone_name(zone).map_err(|e| WireError::zone(item, e))?;
    let start = start_date.format("%Y-%m-%d").to_string();
    let range = match recurrence.range {
        Range::NoEnd => {
            json!({"type": "noEnd", "startDate": start, "recurrenceTimeZone": zone_name})
        }
        Range::EndDate { end } => json!({
            "type": "endDate", "startDate": start,
            "endDate": end.format("%Y-%m-%d").to_string(), "recurrenceTimeZone": zone_name,
        }),
        Range::Numbered { count } => json!({
            "type": "numbered", "startDate": start,
            "numberOfOccurrences": count, "recurrenceTimeZone": zone_name,
        }),
    };
    Ok(json!({ "pattern": Value::Object(pattern), "range": range }))
}

/// A Graph `patternedRecurrence` read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphRecurrence {
    /// Pattern, range and `recurrenceTimeZone` (`None` when absent, empty, or a custom zone
    /// such as `tzone://Microsoft/Custom` that has no rules exsync knows).
    pub recurrence: Recurrence,
    /// `range.startDate`.
    pub start_date: Option<NaiveDate>,
}

/// Reads a Graph `patternedRecurrence` of item `item`.
pub fn from_graph(value: &Value, item: &str) -> Result<GraphRecurrence, WireError> {
    let pattern = value
        .get("pattern")
        .filter(|p| p.is_object())
        .ok_or_else(|| WireError::missing(item, "recurrence.pattern"))?;
    let range = value
        .get("range")
        .filter(|r| r.is_object())
        .ok_or_else(|| WireError::missing(item, "recurrence.range"))?;
    let kind = optional_str(pattern, "type")
        .ok_or_else(|| WireError::missing(item, "recurrence.pattern.type"))?;
    let interval = read_u32(pattern, "interval", item)?.unwrap_or(1).max(1);
    let pattern = match kind {
        "daily" => Pattern::Daily { interval },
        "weekly" => Pattern::Weekly {
            interval,
            days: read_days(pattern, item)?,
            first_day_of_week: match optional_str(pattern, "firstDayOfWeek") {
                None => Weekday::Sun,
                Some(name) => parse_day(name).ok_or_else(|| {
                    WireError::unsupported(item, "recurrence.pattern.firstDayOfWeek", name)
                })?,
            },
        },
        "absoluteMonthly" => Pattern::AbsoluteMonthly {
            interval,
            day_of_month: read_small(pattern, "dayOfMonth", 1..=31, item)?,
        },
        "relativeMonthly" => Pattern::RelativeMonthly {
            interval,
            days: read_days(pattern, item)?,
            index: read_index(pattern, item)?,
        },
        "absoluteYearly" => Pattern::AbsoluteYearly {
            interval,
            month: read_small(pattern, "month", 1..=12, item)?,
            day_of_month: read_small(pattern, "dayOfMonth", 1..=31, item)?,
        },
        "relativeYearly" => Pattern::RelativeYearly {
            interval,
            month: read_small(pattern, "month", 1..=12, item)?,
            days: read_days(pattern, item)?,
            index: read_index(pattern, item)?,
        },
        other => {
            return Err(WireError::unsupported(
                item,
                "recurrence.pattern.type",
                other,
            ));
        }
    };
    let range_kind = optional_str(range, "type")
        .ok_or_else(|| WireError::missing(item, "recurrence.range.type"))?;
    let range_value = match range_kind {
        "noEnd" => Range::NoEnd,
        "endDate" => Range::EndDate {
            end: read_date(range, "endDate", item)?
                .ok_or_else(|| WireError::missing(item, "recurrence.range.endDate"))?,
        },
        "numbered" => match read_u32(range, "numberOfOccurrences", item)? {
            Some(count) if count >= 1 => Range::Numbered { count },
            other => {
                return Err(WireError::unsupported(
                    item,
                    "recurrence.range.numberOfOccurrences",
                    format!("{other:?}"),
                ));
            }
        },
        other => return Err(WireError::unsupported(item, "recurrence.range.type", other)),
    };
    let time_zone = optional_str(range, "recurrenceTimeZone")
        .filter(|z| !z.trim().is_empty())
        .and_then(|z| TimeZoneName::new(z).ok());
    Ok(GraphRecurrence {
        recurrence: Recurrence {
            pattern,
            range: range_value,
            time_zone,
        },
        start_date: read_date(range, "startDate", item)?,
    })
}

fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

fn parse_day(name: &str) -> Option<Weekday> {
    exsync_model::ALL_WEEKDAYS
        .into_iter()
        .find(|d| day_name(*d).eq_ignore_ascii_case(name))
}

fn day_names(days: WeekdaySet) -> Value {
    Value::Array(days.iter().map(|d| json!(day_name(d))).collect())
}

fn index_name(index: WeekIndex) -> &'static str {
    match index {
        WeekIndex::First => "first",
        WeekIndex::Second => "second",
        WeekIndex::Third => "third",
        WeekIndex::Fourth => "fourth",
        WeekIndex::Last => "last",
    }
}

fn read_index(pattern: &Value, item: &str) -> Result<WeekIndex, WireError> {
    match optional_str(pattern, "index") {
        None | Some("first") => Ok(WeekIndex::First),
        Some("second") => Ok(WeekIndex::Second),
        Some("third") => Ok(WeekIndex::Third),
        Some("fourth") => Ok(WeekIndex::Fourth),
        Some("last") => Ok(WeekIndex::Last),
        Some(other) => Err(WireError::unsupported(
            item,
            "recurrence.pattern.index",
            other,
        )),
    }
}

fn read_days(pattern: &Value, item: &str) -> Result<WeekdaySet, WireError> {
    let property = "recurrence.pattern.daysOfWeek";
    let names = pattern
        .get("daysOfWeek")
        .and_then(Value::as_array)
        .ok_or_else(|| WireError::missing(item, property))?;
    let mut days = WeekdaySet::EMPTY;
    for name in names {
        let day = name
            .as_str()
            .and_then(parse_day)
            .ok_or_else(|| WireError::unsupported(item, property, name))?;
        days.insert(day);
    }
    if days.is_empty() {
        return Err(WireError::unsupported(item, property, "[]"));
    }
    Ok(days)
}

fn read_u32(value: &Value, property: &str, item: &str) -> Result<Option<u32>, WireError> {
    match value.get(property) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| WireError::unsupported(item, &format!("recurrence.{property}"), v)),
    }
}

fn read_small(
    pattern: &Value,
    property: &str,
    allowed: std::ops::RangeInclusive<u8>,
    item: &str,
) -> Result<u8, WireError> {
    let full = format!("recurrence.pattern.{property}");
    let value = pattern
        .get(property)
        .ok_or_else(|| WireError::missing(item, &full))?;
    value
        .as_u64()
        .and_then(|n| u8::try_from(n).ok())
        .filter(|n| allowed.contains(n))
        .ok_or_else(|| WireError::unsupported(item, &full, value))
}

fn read_date(value: &Value, property: &str, item: &str) -> Result<Option<NaiveDate>, WireError> {
    match optional_str(value, property) {
        None => Ok(None),
        // Graph reports an unset endDate as "0001-01-01".
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                WireError::unsupported(item, &format!("recurrence.range.{property}"), text)
            }),
    }
}

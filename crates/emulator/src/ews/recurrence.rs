//! `Recurrence` of a calendar item: the six patterns and three ranges of EWS, read into the
//! model's [`Recurrence`] and written back
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/recurrence-recurrencetype).
//!
//! Invariants: yearly patterns have no interval in EWS (read as 1); the range's `StartDate` is
//! written as the date of the series start (the model keeps the start in the item's `Start`).

use chrono::{NaiveDate, Weekday};
use exsync_model::{Pattern, Range, Recurrence, WeekIndex, WeekdaySet};

use super::error::ItemError;
use super::xml::{Element, Writer};

const DAYS: &[(&str, Weekday)] = &[
    ("Monday", Weekday::Mon),
    ("Tuesday", Weekday::Tue),
    ("Wednesday", Weekday::Wed),
    ("Thursday", Weekday::Thu),
    ("Friday", Weekday::Fri),
    ("Saturday", Weekday::Sat),
    ("Sunday", Weekday::Sun),
];
const INDEXES: &[(&str, WeekIndex)] = &[
    ("First", WeekIndex::First),
    ("Second", WeekIndex::Second),
    ("Third", WeekIndex::Third),
    ("Fourth", WeekIndex::Fourth),
    ("Last", WeekIndex::Last),
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn invalid() -> ItemError {
    ItemError::new(
        "ErrorCalendarInvalidRecurrence",
        "The recurrence pattern is invalid.",
    )
}

fn number<T: std::str::FromStr>(el: &Element, name: &str) -> Result<T, ItemError> {
    el.child_text(name)
        .and_then(|t| t.parse().ok())
        .ok_or_else(invalid)
}

fn day_set(text: &str) -> Result<WeekdaySet, ItemError> {
    let mut set = WeekdaySet::EMPTY;
    for word in text.split_whitespace() {
        match word {
            "Day" => return Ok(WeekdaySet::ALL),
            "Weekday" => return Ok(WeekdaySet::WORKDAYS),
            "WeekendDay" => {
                return Ok([Weekday::Sat, Weekday::Sun].into_iter().collect());
            }
            _ => set.insert(lookup(DAYS, word)?),
        }
    }
    if set.is_empty() {
        Err(invalid())
    } else {
        Ok(set)
    }
}

fn lookup<T: Copy>(table: &[(&str, T)], word: &str) -> Result<T, ItemError> {
    table
        .iter()
        .find(|(n, _)| *n == word)
        .map(|(_, v)| *v)
        .ok_or_else(invalid)
}

fn month(el: &Element) -> Result<u8, ItemError> {
    let name = el.child_text("Month").ok_or_else(invalid)?;
    let i = MONTHS.iter().position(|m| *m == name).ok_or_else(invalid)?;
    u8::try_from(i + 1).map_err(|_| invalid())
}

fn date(el: &Element, name: &str) -> Result<NaiveDate, ItemError> {
    let text = el.child_text(name).ok_or_else(invalid)?;
    NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").map_err(|_| invalid())
}

/// Reads a `Recurrence` element.
pub fn parse(el: &Element) -> Result<Recurrence, ItemError> {
    let mut pattern = None;
    let mut range = None;
    for p in &el.children {
        let index = || lookup(INDEXES, p.child_text("DayOfWeekIndex").unwrap_or_default());
        let days = || day_set(p.child_text("DaysOfWeek").unwrap_or_default());
        match p.name.as_str() {
            "DailyRecurrence" => {
                pattern = Some(Pattern::Daily {
                    interval: number(p, "Interval")?,
                });
            }
            "WeeklyRecurrence" => {
                let first = match p.child_text("FirstDayOfWeek") {
                    Some(d) => lookup(DAYS, d)?,
                    None => Weekday::Sun,
                };
                pattern = Some(Pattern::Weekly {
                    interval: number(p, "Interval")?,
                    days: days()?,
                    first_day_of_week: first,
                });
            }
            "AbsoluteMonthlyRecurrence" => {
                pattern = Some(Pattern::AbsoluteMonthly {
                    interval: number(p, "Interval")?,
                    day_of_month: number(p, "DayOfMonth")?,
                });
            }
            "RelativeMonthlyRecurrence" => {
                pattern = Some(Pattern::RelativeMonthly {
                    interval: number(p, "Interval")?,
                    days: days()?,
                    index: index()?,
                });
            }
            "AbsoluteYearlyRecurrence" => {
                pattern = Some(Pattern::AbsoluteYearly {
                    interval: 1,
                    month: month(p)?,
                    day_of_month: number(p, "DayOfMonth")?,
                });
            }
            "RelativeYearlyRecurrence" => {
                pattern = Some(Pattern::RelativeYearly {
                    interval: 1,
                    month: month(p)?,
                    days: days()?,
                    index: index()?,
                });
            }
            "NoEndRecurrence" => range = Some(Range::NoEnd),
            "EndDateRecurrence" => {
                range = Some(Range::EndDate {
                    end: date(p, "EndDate")?,
                });
            }
            "NumberedRecurrence" => {
                range = Some(Range::Numbered {
                    count: number(p, "NumberOfOccurrences")?,
                });
            }
            _ => return Err(invalid()),
        }
    }
    let (Some(pattern), Some(range)) = (pattern, range) else {
        return Err(invalid());
    };
    if pattern.interval() == 0 || matches!(range, Range::Numbered { count: 0 }) {
        return Err(invalid());
    }
    Ok(Recurrence {
        pattern,
        range,
        time_zone: None,
    })
}

fn day_word(days: WeekdaySet) -> String {
    if days == WeekdaySet::ALL {
        return "Day".to_owned();
    }
    if days == WeekdaySet::WORKDAYS {
        return "Weekday".to_owned();
    }
    if days == [Weekday::Sat, Weekday::Sun].into_iter().collect() {
        return "WeekendDay".to_owned();
    }
    days.iter()
        .filter_map(|d| DAYS.iter().find(|(_, w)| *w == d).map(|(n, _)| *n))
        .collect::<Vec<_>>()
        .join(" ")
}

fn name_of<T: PartialEq + Copy>(table: &[(&'static str, T)], value: T) -> &'static str {
    table
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(n, _)| *n)
        .unwrap_or_default()
}

fn month_name(m: u8) -> &'static str {
    MONTHS
        .get(usize::from(m.max(1)) - 1)
        .copied()
        .unwrap_or("January")
}

/// Writes a `t:Recurrence` element; `start` is the date of the series start.
pub fn write(w: &mut Writer, recurrence: &Recurrence, start: NaiveDate) {
    w.open("t:Recurrence", &[]);
    match &recurrence.pattern {
        Pattern::Daily { interval } => {
            w.open("t:DailyRecurrence", &[]);
            w.text("t:Interval", &interval.to_string());
            w.close("t:DailyRecurrence");
        }
        Pattern::Weekly {
            interval,
            days,
            first_day_of_week,
        } => {
            w.open("t:WeeklyRecurrence", &[]);
            w.text("t:Interval", &interval.to_string());
            let list: Vec<&str> = days.iter().map(|d| name_of(DAYS, d)).collect();
            w.text("t:DaysOfWeek", &list.join(" "));
            w.text("t:FirstDayOfWeek", name_of(DAYS, *first_day_of_week));
            w.close("t:WeeklyRecurrence");
        }
        Pattern::AbsoluteMonthly {
            interval,
            day_of_month,
        } => {
            w.open("t:AbsoluteMonthlyRecurrence", &[]);
            w.text("t:Interval", &interval.to_string());
            w.text("t:DayOfMonth", &day_of_month.to_string());
            w.close("t:AbsoluteMonthlyRecurrence");
        }
        Pattern::RelativeMonthly {
            interval,
            days,
            index,
        } => {
            w.open("t:RelativeMonthlyRecurrence", &[]);
            w.text("t:Interval", &interval.to_string());
            w.text("t:DaysOfWeek", &day_word(*days));
            w.text("t:DayOfWeekIndex", name_of(INDEXES, *index));
            w.close("t:RelativeMonthlyRecurrence");
        }
        Pattern::AbsoluteYearly {
            month,
            day_of_month,
            ..
        } => {
            w.open("t:AbsoluteYearlyRecurrence", &[]);
            w.text("t:DayOfMonth", &day_of_month.to_string());
            w.text("t:Month", month_name(*month));
            w.close("t:AbsoluteYearlyRecurrence");
        }
        Pattern::RelativeYearly {
            month, days, index, ..
        } => {
            w.open("t:RelativeYearlyRecurrence", &[]);
            w.text("t:DaysOfWeek", &day_word(*days));
            w.text("t:DayOfWeekIndex", name_of(INDEXES, *index));
            w.text("t:Month", month_name(*month));
            w.close("t:RelativeYearlyRecurrence");
        }
    }
    let start = start.format("%Y-%m-%d").to_string();
    match recurrence.range {
        Range::NoEnd => {
            w.open("t:NoEndRecurrence", &[]);
            w.text("t:StartDate", &start);
            w.close("t:NoEndRecurrence");
        }
        Range::EndDate { end } => {
            w.open("t:EndDateRecurrence", &[]);
            w.text("t:StartDate", &start);
            w.text("t:EndDate", &end.format("%Y-%m-%d").to_string());
            w.close("t:EndDateRecurrence");
        }
        Range::Numbered { count } => {
            w.open("t:NumberedRecurrence", &[]);
            w.text("t:StartDate", &start);
            w.text("t:NumberOfOccurrences", &count.to_string());
            w.close("t:NumberedRecurrence");
        }
    }
    w.close("t:Recurrence");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ews::xml;

    #[test]
    fn every_pattern_and_range_round_trips() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 5).expect("date");
        let patterns = [
            "<DailyRecurrence><Interval>2</Interval></DailyRecurrence>",
            "<WeeklyRecurrence><Interval>1</Interval><DaysOfWeek>Monday Wednesday</DaysOfWeek><FirstDayOfWeek>Monday</FirstDayOfWeek></WeeklyRecurrence>",
            "<AbsoluteMonthlyRecurrence><Interval>1</Interval><DayOfMonth>5</DayOfMonth></AbsoluteMonthlyRecurrence>",
            "<RelativeMonthlyRecurrence><Interval>1</Interval><DaysOfWeek>Weekday</DaysOfWeek><DayOfWeekIndex>Last</DayOfWeekIndex></RelativeMonthlyRecurrence>",
            "<AbsoluteYearlyRecurrence><DayOfMonth>5</DayOfMonth><Month>January</Month></AbsoluteYearlyRecurrence>",
            "<RelativeYearlyRecurrence><DaysOfWeek>Monday</DaysOfWeek><DayOfWeekIndex>First</DayOfWeekIndex><Month>January</Month></RelativeYearlyRecurrence>",
        ];
        let ranges = [
            "<NoEndRecurrence><StartDate>2026-01-05</StartDate></NoEndRecurrence>",
            "<EndDateRecurrence><StartDate>2026-01-05</StartDate><EndDate>2026-06-30</EndDate></EndDateRecurrence>",
            "<NumberedRecurrence><StartDate>2026-01-05</StartDate><NumberOfOccurrences>7</NumberOfOccurrences></NumberedRecurrence>",
        ];
        for p in patterns {
            for r in ranges {
                let text = format!("<Recurrence>{p}{r}</Recurrence>");
                let parsed = parse(&xml::parse(&text).expect("xml")).expect(&text);
                let mut w = Writer::new();
                write(&mut w, &parsed, start);
                let again = parse(&xml::parse(&w.finish()).expect("xml")).expect("again");
                assert_eq!(parsed, again, "{text}");
            }
        }
        let bad = "<Recurrence><DailyRecurrence><Interval>0</Interval></DailyRecurrence><NoEndRecurrence><StartDate>2026-01-05</StartDate></NoEndRecurrence></Recurrence>";
        assert!(parse(&xml::parse(bad).expect("xml")).is_err());
    }
}

//! The rule parts of an RRULE value (`FREQ=WEEKLY;BYDAY=MO,WE;...`), split and checked for
//! syntax, each kept with its original text so that errors can name it.
//!
//! Invariant: every part of the rule is either stored here or reported as an error; nothing is
//! dropped silently.

use chrono::Weekday;

use super::UnsupportedRecurrence;

/// The frequency of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// One rule part: its text (`BYDAY=1MO,3MO`) and its parsed value.
#[derive(Debug, Clone)]
pub(crate) struct Part<T> {
    pub(crate) text: String,
    pub(crate) value: T,
}

/// A weekday with an optional ordinal (`-1FR`, `2TU`, `MO`).
pub(crate) type ByDay = (Option<i8>, Weekday);

/// The parts of a rule that Exchange may be able to express.
#[derive(Debug, Clone, Default)]
pub(crate) struct Parts {
    pub(crate) freq: Option<Part<Freq>>,
    pub(crate) interval: Option<Part<u32>>,
    pub(crate) count: Option<Part<u32>>,
    pub(crate) until: Option<Part<String>>,
    pub(crate) by_day: Option<Part<Vec<ByDay>>>,
    pub(crate) by_month_day: Option<Part<Vec<i8>>>,
    pub(crate) by_month: Option<Part<Vec<u8>>>,
    pub(crate) by_set_pos: Option<Part<Vec<i16>>>,
    pub(crate) wkst: Option<Part<Weekday>>,
    pub(crate) by_hour: Option<Part<Vec<u32>>>,
    pub(crate) by_minute: Option<Part<Vec<u32>>>,
    pub(crate) by_second: Option<Part<Vec<u32>>>,
}

/// The two-letter RFC 5545 name of a weekday (`MO`, `TU`, ...).
pub fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

/// The weekday a two-letter RFC 5545 name (`MO`, `TU`, ...) denotes.
pub fn parse_weekday_code(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

fn by_day(item: &str) -> Option<ByDay> {
    let split = item.len().checked_sub(2)?;
    let (ordinal, code) = (item.get(..split)?, item.get(split..)?);
    let day = parse_weekday_code(code)?;
    if ordinal.is_empty() {
        return Some((None, day));
    }
    let n: i8 = ordinal.strip_prefix('+').unwrap_or(ordinal).parse().ok()?;
    (n != 0 && (-53..=53).contains(&n)).then_some((Some(n), day))
}

fn list<T: std::str::FromStr>(value: &str, ok: impl Fn(&T) -> bool) -> Option<Vec<T>> {
    value
        .split(',')
        .map(|item| {
            let item = item.trim();
            item.strip_prefix('+')
                .unwrap_or(item)
                .parse::<T>()
                .ok()
                .filter(&ok)
        })
        .collect()
}

impl Parts {
    /// Splits `rule` (the value of an RRULE, with or without the `RRULE:` prefix).
    pub(crate) fn parse(rule: &str) -> Result<Parts, UnsupportedRecurrence> {
        let mut parts = Parts::default();
        for text in rule.split(';').map(str::trim).filter(|t| !t.is_empty()) {
            let bad = |reason: &str| UnsupportedRecurrence::new(rule, text, reason);
            let Some((name, value)) = text.split_once('=') else {
                return Err(bad("is not of the form NAME=VALUE"));
            };
            let name = name.trim().to_ascii_uppercase();
            let value = value.trim().to_ascii_uppercase();
            let invalid = || bad("has an invalid value");
            macro_rules! set {
                ($field:ident, $parsed:expr) => {{
                    if parts.$field.is_some() {
                        return Err(bad("appears twice"));
                    }
                    let value = $parsed.ok_or_else(invalid)?;
                    parts.$field = Some(Part {
                        text: text.to_owned(),
                        value,
                    });
                }};
            }
            match name.as_str() {
                "FREQ" => set!(
                    freq,
                    match value.as_str() {
                        "DAILY" => Some(Freq::Daily),
                        "WEEKLY" => Some(Freq::Weekly),
                        "MONTHLY" => Some(Freq::Monthly),
                        "YEARLY" => Some(Freq::Yearly),
                        "HOURLY" | "MINUTELY" | "SECONDLY" => {
                            return Err(bad(
                                "cannot be expressed in Exchange (it repeats daily at most)",
                            ));
                        }
                        _ => None,
                    }
                ),
                "INTERVAL" => set!(interval, value.parse::<u32>().ok().filter(|n| *n >= 1)),
                "COUNT" => set!(count, value.parse::<u32>().ok().filter(|n| *n >= 1)),
                "UNTIL" => set!(until, Some(value.clone())),
                "BYDAY" => set!(
                    by_day,
                    value
                        .split(',')
                        .map(|d| by_day(d.trim()))
                        .collect::<Option<Vec<_>>>()
                ),
                "BYMONTHDAY" => set!(
                    by_month_day,
                    list::<i8>(&value, |d| *d != 0 && (-31..=31).contains(d))
                ),
                "BYMONTH" => set!(by_month, list::<u8>(&value, |m| (1..=12).contains(m))),
                "BYSETPOS" => set!(
                    by_set_pos,
                    list::<i16>(&value, |p| *p != 0 && (-366..=366).contains(p))
                ),
                "WKST" => set!(wkst, parse_weekday_code(&value)),
                "BYHOUR" => set!(by_hour, list::<u32>(&value, |h| *h < 24)),
                "BYMINUTE" => set!(by_minute, list::<u32>(&value, |m| *m < 60)),
                "BYSECOND" => set!(by_second, list::<u32>(&value, |s| *s <= 60)),
                "BYWEEKNO" => {
                    return Err(bad(
                        "cannot be expressed in Exchange (no week-number patterns): \
                         use BYMONTH with BYDAY instead",
                    ));
                }
                "BYYEARDAY" => {
                    return Err(bad(
                        "cannot be expressed in Exchange (no day-of-year patterns): \
                         use BYMONTH with BYMONTHDAY instead",
                    ));
                }
                _ => return Err(bad("is not a rule part Exchange knows")),
            }
        }
        if parts.freq.is_none() {
            return Err(UnsupportedRecurrence::new(
                rule,
                "FREQ",
                "is missing (RFC 5545 requires it)",
            ));
        }
        Ok(parts)
    }
}

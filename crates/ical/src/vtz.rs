//! The rules of a VTIMEZONE (its STANDARD and DAYLIGHT observances) evaluated on their own, so
//! that a zone with an unknown TZID can be matched to a known zone by its offsets.
//!
//! Supported: observances with DTSTART, TZOFFSETFROM/TZOFFSETTO, RDATEs, and yearly RRULEs with
//! BYMONTH plus BYDAY (`-1SU`, `2SU`) or BYMONTHDAY(+BYDAY) and UNTIL — what Outlook,
//! Thunderbird, Google and the tz database exports write.
//! Invariant: [`VtzRules::offset_at`] follows RFC 5545 §3.6.5: the offset in force is the
//! TZOFFSETTO of the latest onset at or before the instant.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use exsync_model::rrule::parse_weekday_code;

use crate::component::Component;
use exsync_model::expand::days_in_month;

#[derive(Debug, Clone)]
enum DaySelector {
    Nth(i8, Weekday),
    MonthDays(Vec<u32>, Option<Weekday>),
}

#[derive(Debug, Clone)]
struct YearlyRule {
    month: u32,
    day: DaySelector,
    /// Last onset allowed, as a UTC wall clock.
    until: Option<NaiveDateTime>,
}

/// One STANDARD or DAYLIGHT observance.
#[derive(Debug, Clone)]
pub(crate) struct Observance {
    pub(crate) from: i32,
    pub(crate) to: i32,
    pub(crate) name: Option<String>,
    start: NaiveDateTime,
    rule: Option<YearlyRule>,
    rdates: Vec<NaiveDateTime>,
}

/// The observances of one VTIMEZONE.
#[derive(Debug, Clone)]
pub(crate) struct VtzRules {
    pub(crate) observances: Vec<Observance>,
}

/// Parses `+0100`, `-0500`, `+013000`, `+01:00` into seconds east of UTC.
pub(crate) fn parse_offset(text: &str) -> Option<i32> {
    let text = text.trim();
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => (1, text),
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !matches!(digits.len(), 4 | 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits[0..2].parse().ok()?;
    let m: i32 = digits[2..4].parse().ok()?;
    let s: i32 = digits.get(4..6).map_or(Some(0), |s| s.parse().ok())?;
    Some(sign * (h * 3600 + m * 60 + s))
}

fn parse_local(value: &str) -> Option<NaiveDateTime> {
    let value = value.trim().trim_end_matches(['Z', 'z']);
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(value, "%Y%m%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
}

fn parse_rule(rule: &str) -> Result<YearlyRule, String> {
    let (mut month, mut by_day, mut month_days, mut until) = (None, None, Vec::new(), None);
    for part in rule.split(';').filter(|p| !p.trim().is_empty()) {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| format!("RRULE part {part:?}"))?;
        let value = value.trim().to_ascii_uppercase();
        match name.trim().to_ascii_uppercase().as_str() {
            "FREQ" if value == "YEARLY" => {}
            "BYMONTH" => month = value.parse::<u32>().ok().filter(|m| (1..=12).contains(m)),
            "BYDAY" => {
                let split = value.len().saturating_sub(2);
                let day = parse_weekday_code(&value[split..]);
                let n = value[..split].trim_start_matches('+');
                by_day = Some((n.parse::<i8>().ok(), day.ok_or("BYDAY")?));
            }
            "BYMONTHDAY" => {
                month_days = value
                    .split(',')
                    .filter_map(|d| d.trim().parse().ok())
                    .collect();
            }
            "UNTIL" => until = parse_local(&value),
            // Lotus Notes repeats DTSTART's time as BYHOUR/BYMINUTE.
            "WKST" | "BYHOUR" | "BYMINUTE" | "BYSECOND" => {}
            "INTERVAL" if value == "1" => {}
            _ => {
                return Err(format!(
                    "RRULE part {part:?} is not supported in a VTIMEZONE"
                ));
            }
        }
    }
    let month = month.ok_or("a VTIMEZONE RRULE needs BYMONTH")?;
    let day = match (by_day, month_days.is_empty()) {
        (Some((Some(n), day)), true) => DaySelector::Nth(n, day),
        (day, false) => DaySelector::MonthDays(month_days, day.map(|(_, d)| d)),
        _ => return Err("a VTIMEZONE RRULE needs BYDAY with an ordinal or BYMONTHDAY".into()),
    };
    Ok(YearlyRule { month, day, until })
}

impl YearlyRule {
    fn date_in(&self, year: i32) -> Option<NaiveDate> {
        let days = days_in_month(year, self.month);
        let date = |d: u32| NaiveDate::from_ymd_opt(year, self.month, d);
        match &self.day {
            DaySelector::Nth(n, weekday) => {
                let matching: Vec<_> = (1..=days)
                    .filter_map(date)
                    .filter(|d| d.weekday() == *weekday)
                    .collect();
                let index = if *n < 0 {
                    matching.len().checked_sub(usize::from(n.unsigned_abs()))?
                } else {
                    usize::from(n.unsigned_abs()).checked_sub(1)?
                };
                matching.get(index).copied()
            }
            DaySelector::MonthDays(list, weekday) => list
                .iter()
                .filter_map(|d| date(*d))
                .filter(|d| weekday.is_none_or(|w| d.weekday() == w))
                .min(),
        }
    }
}

impl Observance {
    fn onset(&self, local: NaiveDateTime) -> NaiveDateTime {
        local - Duration::seconds(i64::from(self.from))
    }

    /// Onsets (UTC) of this observance in `year`.
    fn onsets_in(&self, year: i32) -> Vec<NaiveDateTime> {
        let mut out: Vec<NaiveDateTime> = self
            .rdates
            .iter()
            .chain(std::iter::once(&self.start))
            .filter(|t| t.year() == year)
            .map(|t| self.onset(*t))
            .collect();
        if let Some(rule) = &self.rule
            && year >= self.start.year()
            && let Some(date) = rule.date_in(year)
        {
            let local = date.and_time(self.start.time());
            let onset = self.onset(local);
            if local >= self.start && rule.until.is_none_or(|u| onset <= u) {
                out.push(onset);
            }
        }
        out
    }

    /// The latest onset at or before `instant` (UTC), looking back a little over a year.
    fn latest_onset(&self, instant: NaiveDateTime) -> Option<NaiveDateTime> {
        let mut years = vec![instant.year() - 1, instant.year()];
        if let Some(until) = self.rule.as_ref().and_then(|r| r.until) {
            years.push(until.year());
        }
        let fixed = self.rdates.iter().chain(std::iter::once(&self.start));
        years
            .into_iter()
            .flat_map(|y| self.onsets_in(y))
            .chain(fixed.map(|t| self.onset(*t)))
            .filter(|t| *t <= instant)
            .max()
    }
}

impl VtzRules {
    /// Reads the observances of a VTIMEZONE component.
    pub(crate) fn parse(vtimezone: &Component) -> Result<VtzRules, String> {
        let mut observances = Vec::new();
        for child in &vtimezone.children {
            if child.name != "STANDARD" && child.name != "DAYLIGHT" {
                continue;
            }
            let offset = |name: &str| {
                child
                    .prop(name)
                    .and_then(|p| parse_offset(&p.value))
                    .ok_or_else(|| format!("{} without a valid {name}", child.name))
            };
            let start = child
                .prop("DTSTART")
                .and_then(|p| parse_local(&p.value))
                .ok_or_else(|| format!("{} without a valid DTSTART", child.name))?;
            let rule = match child.prop("RRULE") {
                Some(p) => Some(parse_rule(&p.value)?),
                None => None,
            };
            let rdates = child
                .props("RDATE")
                .flat_map(|p| p.value.split(','))
                .filter_map(parse_local)
                .collect();
            observances.push(Observance {
                from: offset("TZOFFSETFROM")?,
                to: offset("TZOFFSETTO")?,
                name: child.text("TZNAME"),
                start,
                rule,
                rdates,
            });
        }
        if observances.is_empty() {
            return Err("the VTIMEZONE has neither STANDARD nor DAYLIGHT".into());
        }
        Ok(VtzRules { observances })
    }

    /// The UTC offset (seconds) in force at `instant` (a UTC wall clock).
    pub(crate) fn offset_at(&self, instant: NaiveDateTime) -> i32 {
        let latest = self
            .observances
            .iter()
            .filter_map(|o| o.latest_onset(instant).map(|t| (t, o.to)))
            .max_by_key(|(t, _)| *t);
        match latest {
            Some((_, to)) => to,
            None => self
                .observances
                .iter()
                .min_by_key(|o| o.start)
                .map_or(0, |o| o.from),
        }
    }

    /// Every onset (UTC) in `year`, sorted.
    pub(crate) fn transitions(&self, year: i32) -> Vec<NaiveDateTime> {
        let mut all: Vec<_> = self
            .observances
            .iter()
            .flat_map(|o| o.onsets_in(year))
            .collect();
        all.sort();
        all.dedup();
        all
    }
}

//! Typed property values on import: DATE/DATE-TIME with their TZID, DURATION, the time span of
//! an event (DTSTART/DTEND/DURATION, all-day or timed) and VALARM triggers.
//!
//! Invariant: a value is either converted exactly or refused with a reason naming the property
//! and the fix; floating times are only accepted when the calendar names a zone for them
//! (X-WR-TIMEZONE or the caller's default), never guessed.

use chrono::{Duration, NaiveDateTime, NaiveTime};
use exsync_model::{IcalTime, TimeZoneName, When, ZonedDateTime, utc_to_local};

use crate::component::Component;
use crate::line::ContentLine;
use crate::zones::ZoneTable;

/// What reading values needs to know about the calendar.
pub(crate) struct Ctx<'a> {
    pub(crate) zones: &'a ZoneTable,
    /// The zone for floating times (X-WR-TIMEZONE or the caller's default).
    pub(crate) default_zone: Option<TimeZoneName>,
}

/// A DURATION value (RFC 5545 §3.3.6): days are nominal, the rest exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IcalDuration {
    pub(crate) negative: bool,
    pub(crate) days: i64,
    pub(crate) seconds: i64,
}

impl IcalDuration {
    /// The whole duration in seconds, signed, counting a day as 86,400 seconds.
    pub(crate) fn total_seconds(self) -> i64 {
        let total = self.days * 86_400 + self.seconds;
        if self.negative { -total } else { total }
    }
}

/// Parses `P1D`, `-PT15M`, `P1W`, `-P0DT0H30M0S`.
pub(crate) fn parse_duration(text: &str) -> Option<IcalDuration> {
    let text = text.trim().to_ascii_uppercase();
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, &text[..]),
    };
    let rest = rest.strip_prefix('P')?;
    let (mut days, mut seconds, mut number, mut in_time, mut any) =
        (0i64, 0i64, String::new(), false, false);
    for c in rest.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        if c == 'T' {
            in_time = true;
            continue;
        }
        let n: i64 = number.parse().ok()?;
        number.clear();
        any = true;
        match (c, in_time) {
            ('W', false) => days += n * 7,
            ('D', false) => days += n,
            ('H', true) => seconds += n * 3600,
            ('M', true) => seconds += n * 60,
            ('S', true) => seconds += n,
            _ => return None,
        }
    }
    (any && number.is_empty()).then_some(IcalDuration {
        negative,
        days,
        seconds,
    })
}

/// The TRIGGER of a reminder `minutes` before the start: `-PT15M`, `-PT2H`, `-P1D`, `PT0S`.
pub(crate) fn trigger_before(minutes: u32) -> String {
    match minutes {
        0 => "PT0S".to_owned(),
        m if m % 1440 == 0 => format!("-P{}D", m / 1440),
        m if m % 60 == 0 => format!("-PT{}H", m / 60),
        m => format!("-PT{m}M"),
    }
}

impl Ctx<'_> {
    /// The DATE or DATE-TIME values of `prop` (several for EXDATE/RDATE lists).
    pub(crate) fn times(&self, prop: &ContentLine) -> Result<Vec<IcalTime>, String> {
        let zone = match prop.param("TZID") {
            Some(tzid) => Some(self.zones.get(tzid)?),
            None => None,
        };
        let is_date = prop.has_param("VALUE", "date");
        prop.value
            .split(',')
            .filter(|v| !v.trim().is_empty())
            .map(|value| {
                let value = value.trim();
                if is_date && value.len() != 8 {
                    return Err(format!(
                        "{} {value:?} is marked VALUE=DATE but is no date",
                        prop.name
                    ));
                }
                IcalTime::parse(value, zone.as_ref()).map_err(|e| format!("{}: {e}", prop.name))
            })
            .collect()
    }

    /// The single DATE or DATE-TIME value of `prop`.
    pub(crate) fn time(&self, prop: &ContentLine) -> Result<IcalTime, String> {
        let mut all = self.times(prop)?;
        match all.len() {
            1 => Ok(all.remove(0)),
            _ => Err(format!("{} must hold exactly one value", prop.name)),
        }
    }

    /// A date-time as a wall clock with zone; DATE values are refused.
    pub(crate) fn zoned(&self, name: &str, time: IcalTime) -> Result<ZonedDateTime, String> {
        match time {
            IcalTime::Zoned(z) => Ok(z),
            IcalTime::Utc(t) => Ok(ZonedDateTime::new(t, TimeZoneName::utc())),
            IcalTime::Floating(t) => match &self.default_zone {
                Some(zone) => Ok(ZonedDateTime::new(t, zone.clone())),
                None => Err(format!(
                    "{name} {} is a floating time (no TZID, no Z) and the calendar names no \
                     zone: add a TZID (or X-WR-TIMEZONE to the calendar)",
                    t.format("%Y%m%dT%H%M%S")
                )),
            },
            IcalTime::Date(d) => Err(format!("{name} {d} is a date where a date-time is needed")),
        }
    }

    /// DTSTART/DTEND/DURATION of an event as [`When`]. An Outlook all-day event written as
    /// midnight-to-midnight date-times (`X-MICROSOFT-CDO-ALLDAYEVENT:TRUE`) becomes all-day.
    pub(crate) fn when(&self, c: &Component) -> Result<When, String> {
        let start_prop = c
            .prop("DTSTART")
            .ok_or("DTSTART is missing: every event needs a start")?;
        let start = self.time(start_prop)?;
        let end = match (c.prop("DTEND"), c.prop("DURATION")) {
            (Some(end), _) => End::At(self.time(end)?),
            (None, Some(d)) => End::After(
                parse_duration(&d.value)
                    .ok_or_else(|| format!("DURATION {:?} is invalid", d.value))?,
            ),
            (None, None) => End::Default,
        };
        let outlook_all_day = c
            .text("X-MICROSOFT-CDO-ALLDAYEVENT")
            .is_some_and(|v| v.eq_ignore_ascii_case("TRUE"));
        let midnight = |t: &IcalTime| match t {
            IcalTime::Zoned(z) => Some(z.local).filter(|l| l.time() == NaiveTime::MIN),
            IcalTime::Floating(l) | IcalTime::Utc(l) => {
                Some(*l).filter(|l| l.time() == NaiveTime::MIN)
            }
            IcalTime::Date(_) => None,
        };
        if outlook_all_day
            && let (Some(s), End::At(e)) = (midnight(&start), &end)
            && let Some(e) = midnight(e)
        {
            return all_day(s.date(), Some(e.date()));
        }
        match (start, end) {
            (IcalTime::Date(s), End::At(IcalTime::Date(e))) => all_day(s, Some(e)),
            (IcalTime::Date(s), End::Default) => all_day(s, None),
            (IcalTime::Date(s), End::After(d)) => {
                all_day(s, s.checked_add_signed(Duration::days(d.days)))
            }
            (IcalTime::Date(_), End::At(_)) => {
                Err(MIXED_TYPES.replace("{}", "a DATE but DTEND a DATE-TIME"))
            }
            (_, End::At(IcalTime::Date(_))) => {
                Err(MIXED_TYPES.replace("{}", "a DATE-TIME but DTEND a DATE"))
            }
            (start, end) => {
                let start = self.zoned("DTSTART", start)?;
                let end = match end {
                    End::At(e) => self.zoned("DTEND", e)?,
                    End::Default => start.clone(),
                    End::After(d) => add_duration(&start, d)?,
                };
                Ok(When::Timed { start, end })
            }
        }
    }
}

const MIXED_TYPES: &str = "DTSTART is {}: make both dates (all-day) or both date-times";

enum End {
    At(IcalTime),
    After(IcalDuration),
    Default,
}

fn all_day(start: chrono::NaiveDate, end: Option<chrono::NaiveDate>) -> Result<When, String> {
    let next = start.succ_opt().ok_or("DTSTART is out of range")?;
    let end = match end {
        // A zero-length all-day event (DTEND = DTSTART) is read as the one day it names.
        Some(e) if e == start => next,
        Some(e) if e < start => {
            return Err(format!(
                "DTEND {e} lies before DTSTART {start}: move DTEND after DTSTART"
            ));
        }
        Some(e) => e,
        None => next,
    };
    Ok(When::AllDay { start, end })
}

/// `start` plus a DURATION: days on the wall clock, the rest as elapsed time.
fn add_duration(start: &ZonedDateTime, d: IcalDuration) -> Result<ZonedDateTime, String> {
    let sign = if d.negative { -1 } else { 1 };
    let wall = ZonedDateTime::new(
        start.local + Duration::days(sign * d.days),
        start.zone.clone(),
    );
    let instant = wall.to_utc().map_err(|e| e.to_string())? + Duration::seconds(sign * d.seconds);
    let tz = start.zone.resolve().map_err(|e| e.to_string())?;
    Ok(ZonedDateTime::new(
        utc_to_local(tz, instant),
        start.zone.clone(),
    ))
}

/// When a VALARM fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// Seconds after the start (negative: before), or after the end with `RELATED=END`.
    Relative { seconds: i64, from_end: bool },
    /// At a UTC time.
    Absolute(NaiveDateTime),
}

/// The trigger of the first VALARM of `c`, if any.
pub(crate) fn first_trigger(c: &Component) -> Result<Option<Trigger>, String> {
    let Some(trigger) = c.children("VALARM").find_map(|a| a.prop("TRIGGER")) else {
        return Ok(None);
    };
    if trigger.has_param("VALUE", "date-time") {
        let at = trigger.value.trim().trim_end_matches(['Z', 'z']);
        let at = NaiveDateTime::parse_from_str(at, "%Y%m%dT%H%M%S")
            .map_err(|_| format!("TRIGGER {:?} is not a UTC date-time", trigger.value))?;
        return Ok(Some(Trigger::Absolute(at)));
    }
    let duration = parse_duration(&trigger.value)
        .ok_or_else(|| format!("TRIGGER {:?} is not a duration", trigger.value))?;
    Ok(Some(Trigger::Relative {
        seconds: duration.total_seconds(),
        from_end: trigger.has_param("RELATED", "end"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let d = |s: &str| parse_duration(s).map(IcalDuration::total_seconds);
        assert_eq!(d("-PT15M"), Some(-900));
        assert_eq!(d("P1D"), Some(86_400));
        assert_eq!(d("-P0DT0H30M0S"), Some(-1800));
        assert_eq!(d("P1W"), Some(604_800));
        assert_eq!(d("PT1H30M"), Some(5400));
        assert_eq!(d("PT"), None);
        assert_eq!(d("P1H"), None);
        assert_eq!(d("15M"), None);
        for minutes in [0, 5, 15, 60, 90, 120, 1440, 2880, 10_080] {
            let back = d(&trigger_before(minutes));
            assert_eq!(back, Some(-i64::from(minutes) * 60), "{minutes}");
        }
    }
}

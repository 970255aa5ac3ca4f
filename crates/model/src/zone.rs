//! Time zones as Exchange and iCalendar name them, and wall-clock times in them.
//!
//! A zone name is kept exactly as it was given (IANA such as `Europe/Berlin`, or Windows such as
//! `W. Europe Standard Time`) so that writing an item back never changes its zone; the
//! Windows <-> IANA mapping (Unicode CLDR) is available both ways. A [`ZonedDateTime`] is a wall
//! clock time plus its zone: a series stays at 09:00 local across DST because the wall clock is
//! what is stored, never a UTC instant.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use windows_timezones::WindowsTimezone;

/// A time zone name as given by its source, IANA or Windows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimeZoneName(String);

/// A zone name that is neither an IANA nor a Windows time zone name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown time zone {0:?}: use an IANA name (e.g. Europe/Berlin) or a Windows name (e.g. W. Europe Standard Time)"
)]
pub struct UnknownTimeZone(pub String);

impl TimeZoneName {
    /// Coordinated Universal Time.
    pub fn utc() -> Self {
        Self("UTC".to_owned())
    }

    /// Keeps `name` as given, after checking that it names a known zone.
    pub fn new(name: impl Into<String>) -> Result<Self, UnknownTimeZone> {
        let name = Self(name.into());
        name.resolve()?;
        Ok(name)
    }

    /// The name exactly as it was given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The zone's rules (tz database), whichever naming the zone was given in.
    pub fn resolve(&self) -> Result<Tz, UnknownTimeZone> {
        let name = self.0.trim();
        if let Ok(tz) = Tz::from_str(name) {
            return Ok(tz);
        }
        if let Ok(windows) = WindowsTimezone::from_str(name) {
            return Ok(Tz::from(windows));
        }
        // Some producers (older Outlook exports) wrap the Windows name in quotes or prefix a path.
        let unquoted = name.trim_matches('"');
        if unquoted != name {
            return Self(unquoted.to_owned()).resolve();
        }
        Err(UnknownTimeZone(self.0.clone()))
    }

    /// True when the name is a Windows time zone name (Exchange's own naming).
    pub fn is_windows(&self) -> bool {
        WindowsTimezone::from_str(self.0.trim()).is_ok()
    }

    /// The Windows name of this zone, as Exchange wants it written.
    pub fn windows_name(&self) -> Result<&'static str, UnknownTimeZone> {
        if let Ok(windows) = WindowsTimezone::from_str(self.0.trim()) {
            return Ok(windows.name());
        }
        let tz = self.resolve()?;
        if tz == Tz::UTC || tz == Tz::Etc__UTC || tz == Tz::Etc__GMT {
            return Ok("UTC");
        }
        WindowsTimezone::try_from(tz)
            .map(WindowsTimezone::name)
            .map_err(|_| UnknownTimeZone(self.0.clone()))
    }

    /// The IANA name of this zone (a Windows name maps to CLDR's territory-001 zone).
    pub fn iana_name(&self) -> Result<&'static str, UnknownTimeZone> {
        self.resolve().map(|tz| tz.name())
    }

    /// True when both names denote the same zone rules (e.g. `Europe/Berlin` and
    /// `W. Europe Standard Time`).
    pub fn same_zone(&self, other: &TimeZoneName) -> bool {
        match (self.resolve(), other.resolve()) {
            (Ok(a), Ok(b)) => a == b || self.windows_name().ok() == other.windows_name().ok(),
            _ => self == other,
        }
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A wall-clock time in a named zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ZonedDateTime {
    /// The local time as a clock on the wall in `zone` shows it.
    pub local: NaiveDateTime,
    /// The zone the wall clock hangs in.
    pub zone: TimeZoneName,
}

impl ZonedDateTime {
    /// A wall-clock time in `zone`.
    pub fn new(local: NaiveDateTime, zone: TimeZoneName) -> Self {
        Self { local, zone }
    }

    /// A UTC instant, kept in UTC.
    pub fn from_utc(instant: DateTime<Utc>) -> Self {
        Self::new(instant.naive_utc(), TimeZoneName::utc())
    }

    /// The instant this wall-clock time denotes. A time that falls into a DST gap is read with
    /// the offset before the gap (RFC 5545 §3.3.5); a time that occurs twice is the first one.
    pub fn to_utc(&self) -> Result<DateTime<Utc>, UnknownTimeZone> {
        let tz = self.zone.resolve()?;
        Ok(local_to_utc(tz, self.local))
    }

    /// The same instant as a wall-clock time in `zone`.
    pub fn in_zone(&self, zone: &TimeZoneName) -> Result<ZonedDateTime, UnknownTimeZone> {
        let instant = self.to_utc()?;
        Ok(ZonedDateTime::new(
            utc_to_local(zone.resolve()?, instant),
            zone.clone(),
        ))
    }
}

/// The instant of a wall-clock time in `tz`, resolving gaps and folds as RFC 5545 does.
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // In a gap: use the offset in force just before it.
            let before = local - chrono::Duration::hours(3);
            let offset = match tz.from_local_datetime(&before) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                    t.naive_local() - t.naive_utc()
                }
                LocalResult::None => chrono::Duration::zero(),
            };
            Utc.from_utc_datetime(&(local - offset))
        }
    }
}

/// The wall-clock time in `tz` of an instant.
pub fn utc_to_local(tz: Tz, instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&tz).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| date.and_hms_opt(h, min, 0))
            .expect("valid test date")
    }

    #[test]
    fn windows_and_iana_names_map_both_ways() {
        let berlin = TimeZoneName::new("Europe/Berlin").expect("known");
        assert_eq!(berlin.windows_name(), Ok("W. Europe Standard Time"));
        let windows = TimeZoneName::new("W. Europe Standard Time").expect("known");
        assert_eq!(windows.iana_name(), Ok("Europe/Berlin"));
        assert!(windows.is_windows());
        assert!(berlin.same_zone(&windows));
        let eastern = TimeZoneName::new("Eastern Standard Time").expect("known");
        assert_eq!(eastern.iana_name(), Ok("America/New_York"));
        assert_eq!(TimeZoneName::utc().windows_name(), Ok("UTC"));
        // A zone that CLDR maps to a Windows zone other than its own canonical one.
        let vienna = TimeZoneName::new("Europe/Vienna").expect("known");
        assert_eq!(vienna.windows_name(), Ok("W. Europe Standard Time"));
    }

    #[test]
    fn names_are_kept_as_given_and_unknown_names_are_refused() {
        let given = TimeZoneName::new("W. Europe Standard Time").expect("known");
        assert_eq!(given.as_str(), "W. Europe Standard Time");
        let err = TimeZoneName::new("Mars/Olympus_Mons").expect_err("unknown");
        assert!(err.to_string().contains("Mars/Olympus_Mons"));
    }

    #[test]
    fn wall_clock_survives_dst() {
        let zone = TimeZoneName::new("Europe/Berlin").expect("known");
        let winter = ZonedDateTime::new(at(2026, 1, 15, 9, 0), zone.clone());
        let summer = ZonedDateTime::new(at(2026, 7, 15, 9, 0), zone);
        assert_eq!(
            winter.to_utc().expect("zone").to_rfc3339(),
            "2026-01-15T08:00:00+00:00"
        );
        assert_eq!(
            summer.to_utc().expect("zone").to_rfc3339(),
            "2026-07-15T07:00:00+00:00"
        );
    }

    #[test]
    fn gaps_and_folds_resolve_like_rfc5545() {
        let zone = TimeZoneName::new("Europe/Berlin").expect("known");
        // 2026-03-29 02:30 does not exist in Berlin: read with the winter offset (+01:00).
        let gap = ZonedDateTime::new(at(2026, 3, 29, 2, 30), zone.clone());
        assert_eq!(
            gap.to_utc().expect("zone").to_rfc3339(),
            "2026-03-29T01:30:00+00:00"
        );
        // 2026-10-25 02:30 occurs twice: the first (summer, +02:00) is meant.
        let fold = ZonedDateTime::new(at(2026, 10, 25, 2, 30), zone);
        assert_eq!(
            fold.to_utc().expect("zone").to_rfc3339(),
            "2026-10-25T00:30:00+00:00"
        );
    }

    #[test]
    fn converting_between_zones_keeps_the_instant() {
        let berlin = ZonedDateTime::new(
            at(2026, 7, 1, 9, 0),
            TimeZoneName::new("Europe/Berlin").expect("known"),
        );
        let ny = berlin
            .in_zone(&TimeZoneName::new("Eastern Standard Time").expect("known"))
            .expect("zones");
        assert_eq!(ny.local, at(2026, 7, 1, 3, 0));
        assert_eq!(ny.to_utc(), berlin.to_utc());
    }
}

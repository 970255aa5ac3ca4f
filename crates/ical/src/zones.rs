//! TZID -> [`TimeZoneName`]: by name (IANA, Windows as Outlook writes it, `/mozilla.org/...`
//! paths, Windows descriptions such as `(UTC+01:00) Amsterdam, Berlin, ...`), else by matching
//! the VTIMEZONE's rules against every known zone.
//!
//! Invariant: a TZID that resolves by name keeps its name exactly (so writing the item back
//! never renames its zone); a TZID resolved by its rules maps to an IANA zone whose offsets
//! equal the VTIMEZONE's weekly through the years the calendar uses and six hours before and
//! after each of its transitions (so the transitions fall within hours of each other).

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::{OffsetName, TZ_VARIANTS, Tz};
use exsync_model::TimeZoneName;
use windows_timezones::WindowsTimezone;

use crate::component::Component;
use crate::vtz::VtzRules;

/// The zones a calendar's TZIDs name.
#[derive(Debug, Default)]
pub(crate) struct ZoneTable {
    resolved: HashMap<String, Result<TimeZoneName, String>>,
}

impl ZoneTable {
    /// Resolves every VTIMEZONE of `calendar`, checking rules in the years its TZIDs are used.
    pub(crate) fn build(calendar: &Component) -> ZoneTable {
        let mut years: HashMap<String, BTreeSet<i32>> = HashMap::new();
        collect_years(calendar, &mut years);
        let mut table = ZoneTable::default();
        for vtz in calendar.children("VTIMEZONE") {
            let Some(tzid) = vtz.text("TZID") else {
                continue;
            };
            let used = years.get(&tzid).cloned().unwrap_or_default();
            let result = resolve(&tzid, Some(vtz), &used);
            table.resolved.insert(tzid, result);
        }
        table
    }

    /// The zone `tzid` names; a TZID without VTIMEZONE must be a known zone name.
    pub(crate) fn get(&self, tzid: &str) -> Result<TimeZoneName, String> {
        match self.resolved.get(tzid) {
            Some(result) => result.clone(),
            None => by_name(tzid).ok_or_else(|| {
                format!(
                    "TZID {tzid:?} has no VTIMEZONE and is not a known time zone: \
                     use an IANA name such as Europe/Berlin"
                )
            }),
        }
    }
}

fn collect_years(component: &Component, years: &mut HashMap<String, BTreeSet<i32>>) {
    for prop in &component.props {
        if let Some(tzid) = prop.param("TZID")
            && let Some(year) = prop.value.get(..4).and_then(|y| y.parse::<i32>().ok())
        {
            years.entry(tzid.to_owned()).or_default().insert(year);
        }
    }
    for child in &component.children {
        collect_years(child, years);
    }
}

/// The zone `tzid` names by itself, keeping the name when it is one [`TimeZoneName`] knows.
pub(crate) fn by_name(tzid: &str) -> Option<TimeZoneName> {
    let tzid = tzid.trim();
    if let Ok(zone) = TimeZoneName::new(tzid) {
        return Some(zone);
    }
    // `/mozilla.org/20070129_1/Europe/Berlin`, `/softwarestudio.org/Olson_20011030_5/...`
    let segments: Vec<&str> = tzid.split('/').filter(|s| !s.is_empty()).collect();
    for take in (1..=segments.len().min(3)).rev() {
        let suffix = segments[segments.len() - take..].join("/");
        if Tz::from_str(&suffix).is_ok() {
            return TimeZoneName::new(suffix).ok();
        }
    }
    let wanted = normalize_description(tzid);
    primary_windows_zones()
        .find(|(_, w)| normalize_description(w.description()) == wanted)
        .and_then(|(tz, _)| TimeZoneName::new(tz.name()).ok())
}

fn normalize_description(text: &str) -> String {
    text.to_ascii_lowercase()
        .replace("gmt", "utc")
        .replace('.', ":")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// IANA zones that are the main zone of a Windows zone, with that Windows zone.
fn primary_windows_zones() -> impl Iterator<Item = (Tz, WindowsTimezone)> {
    TZ_VARIANTS.iter().filter_map(|tz| {
        let windows = WindowsTimezone::try_from(*tz).ok()?;
        (Tz::from(windows) == *tz).then_some((*tz, windows))
    })
}

fn offset_of(tz: Tz, instant: NaiveDateTime) -> i32 {
    tz.offset_from_utc_datetime(&instant)
        .fix()
        .local_minus_utc()
}

fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3)
        .map(str::to_lowercase)
        .collect()
}

/// Resolves one TZID, by name first, else by the rules of its VTIMEZONE.
pub(crate) fn resolve(
    tzid: &str,
    vtimezone: Option<&Component>,
    years: &BTreeSet<i32>,
) -> Result<TimeZoneName, String> {
    if let Some(zone) = by_name(tzid) {
        return Ok(zone);
    }
    let unknown = |detail: &str| {
        format!(
            "TZID {tzid:?} is not a known time zone and {detail}: \
             use an IANA name such as Europe/Berlin"
        )
    };
    let Some(vtz) = vtimezone else {
        return Err(unknown("has no VTIMEZONE"));
    };
    let rules =
        VtzRules::parse(vtz).map_err(|e| unknown(&format!("its VTIMEZONE is unusable ({e})")))?;
    by_rules(tzid, &rules, years).ok_or_else(|| unknown("its VTIMEZONE matches no known zone"))
}

/// The known zone whose offsets equal `rules` in `years` (default: this year), preferring the
/// main zone of a Windows zone, then names sharing words with the TZID and TZNAMEs, then the
/// zone switching at the very same times, then the one that also agrees in the forty years
/// before.
fn by_rules(tzid: &str, rules: &VtzRules, years: &BTreeSet<i32>) -> Option<TimeZoneName> {
    let mut years: Vec<i32> = years
        .iter()
        .copied()
        .filter(|y| (1900..=2200).contains(y))
        .collect();
    if years.is_empty() {
        years.push(chrono::Utc::now().year());
    }
    years.dedup();
    if years.len() > 4 {
        years = vec![years[0], years[years.len() / 2], years[years.len() - 1]];
    }
    let noon = |d: NaiveDate| d.and_hms_opt(12, 0, 0);
    // Weekly samples, and six hours either side of each transition; samples closer than that
    // to a transition are left out, so a producer that writes the switch an hour off (some do)
    // still matches, while a switch on another day does not.
    let mut samples: Vec<NaiveDateTime> = Vec::new();
    let mut exact: Vec<NaiveDateTime> = Vec::new();
    for year in &years {
        let switches = rules.transitions(*year);
        let near = |t: &NaiveDateTime| {
            switches
                .iter()
                .any(|s| (*t - *s).abs() < Duration::hours(6))
        };
        let weeks = NaiveDate::from_ymd_opt(*year, 1, 1)
            .into_iter()
            .flat_map(|first| first.iter_weeks().take_while(move |d| d.year() == *year));
        samples.extend(weeks.filter_map(noon).filter(|t| !near(t)));
        for t in &switches {
            samples.extend([*t - Duration::hours(6), *t + Duration::hours(6)]);
            exact.extend([*t - Duration::minutes(30), *t + Duration::minutes(30)]);
        }
    }
    let exact: Vec<(NaiveDateTime, i32)> =
        exact.into_iter().map(|t| (t, rules.offset_at(t))).collect();
    let expected: Vec<i32> = samples.iter().map(|t| rules.offset_at(*t)).collect();
    let first = years[0];
    let probes: Vec<NaiveDateTime> = [(1, 15), (7, 15)]
        .iter()
        .filter_map(|(m, d)| NaiveDate::from_ymd_opt(first, *m, *d).and_then(noon))
        .collect();
    let probe_offsets: Vec<(NaiveDateTime, i32)> =
        probes.iter().map(|t| (*t, rules.offset_at(*t))).collect();
    let matching: Vec<Tz> = TZ_VARIANTS
        .iter()
        .copied()
        .filter(|tz| probe_offsets.iter().all(|(t, o)| offset_of(*tz, *t) == *o))
        .filter(|tz| {
            samples
                .iter()
                .zip(&expected)
                .all(|(t, o)| offset_of(*tz, *t) == *o)
        })
        .collect();

    let mut hints = words(tzid);
    let names: Vec<String> = rules
        .observances
        .iter()
        .filter_map(|o| o.name.clone())
        .collect();
    hints.extend(names.iter().map(|n| n.to_lowercase()));
    let history: Vec<(NaiveDateTime, i32)> = (first - 40..first)
        .flat_map(|y| (1..=12).map(move |m| NaiveDate::from_ymd_opt(y, m, 1)))
        .flatten()
        .filter_map(noon)
        .map(|t| (t, rules.offset_at(t)))
        .collect();
    let score = |tz: Tz| {
        let windows = WindowsTimezone::try_from(tz)
            .ok()
            .filter(|w| Tz::from(*w) == tz);
        let mut text = tz.name().to_owned();
        if let Some(w) = windows {
            text.push(' ');
            text.push_str(w.name());
            text.push(' ');
            text.push_str(w.description());
        }
        let mut known = words(&text);
        for t in &probes {
            if let Some(abbreviation) = tz.offset_from_utc_datetime(t).abbreviation() {
                known.insert(abbreviation.to_lowercase());
            }
        }
        let shared = hints.intersection(&known).count();
        let agree = |at: &[(NaiveDateTime, i32)]| {
            at.iter().filter(|(t, o)| offset_of(tz, *t) == *o).count()
        };
        (windows.is_some(), shared, agree(&exact), agree(&history))
    };
    let mut best: Option<(Tz, (bool, usize, usize, usize))> = None;
    for tz in matching {
        let s = score(tz);
        if best.as_ref().is_none_or(|(_, b)| s > *b) {
            best = Some((tz, s));
        }
    }
    best.and_then(|(tz, _)| TimeZoneName::new(tz.name()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::read_components;

    fn vtimezone(tzid: &str, body: &str) -> Component {
        let text = format!("BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n{body}END:VTIMEZONE\r\n");
        read_components(text.as_bytes()).remove(0)
    }

    const CET: &str = "BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\n\
        TZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n\
        BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n\
        RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\n";

    const EASTERN: &str = "BEGIN:STANDARD\r\nDTSTART:16011104T020000\r\nTZOFFSETFROM:-0400\r\n\
        TZOFFSETTO:-0500\r\nRRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\nEND:STANDARD\r\n\
        BEGIN:DAYLIGHT\r\nDTSTART:16010311T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n\
        RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r\nEND:DAYLIGHT\r\n";

    fn years() -> BTreeSet<i32> {
        BTreeSet::from([2026])
    }

    #[test]
    fn names_resolve_and_are_kept() {
        let got = |tzid: &str| resolve(tzid, None, &years()).map(|z| z.as_str().to_owned());
        assert_eq!(
            got("W. Europe Standard Time"),
            Ok("W. Europe Standard Time".into())
        );
        assert_eq!(got("Europe/Berlin"), Ok("Europe/Berlin".into()));
        assert_eq!(
            got("/mozilla.org/20070129_1/Europe/Berlin"),
            Ok("Europe/Berlin".into())
        );
        assert_eq!(
            got("/softwarestudio.org/Olson_20011030_5/America/Argentina/Buenos_Aires"),
            Ok("America/Argentina/Buenos_Aires".into())
        );
        assert_eq!(
            got("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"),
            Ok("Europe/Berlin".into())
        );
        assert!(got("Mitteleuropäische Zeit").is_err());
    }

    #[test]
    fn custom_names_match_by_rules() {
        // Lotus Notes style: BYHOUR/BYMINUTE in the rules, switch written at 02:00 in autumn.
        let notes = CET.replace("16010101T030000", "19501029T020000").replace(
            "BYDAY=-1SU;BYMONTH=10",
            "BYMINUTE=0;BYHOUR=2;BYDAY=-1SU;BYMONTH=10",
        );
        let zone = |tzid: &str, body: &str| {
            resolve(tzid, Some(&vtimezone(tzid, body)), &years()).map(|z| z.as_str().to_owned())
        };
        assert_eq!(zone("W. Europe", &notes), Ok("Europe/Berlin".into()));
        assert_eq!(
            zone("Mitteleuropäische Zeit", CET),
            Ok("Europe/Berlin".into())
        );
        assert_eq!(
            zone("Eastern Time (US & Canada)", EASTERN),
            Ok("America/New_York".into())
        );
        assert_eq!(zone("Custom", EASTERN), Ok("America/New_York".into()));
        let fixed = "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0530\r\n\
                     TZOFFSETTO:+0530\r\nTZNAME:IST\r\nEND:STANDARD\r\n";
        // CLDR names Asia/Calcutta (a link to Asia/Kolkata) as India Standard Time's zone.
        assert_eq!(zone("India", fixed), Ok("Asia/Calcutta".into()));
        let odd = "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0117\r\n\
                   TZOFFSETTO:+0117\r\nEND:STANDARD\r\n";
        let err = zone("Nowhere", odd).expect_err("no zone has +01:17");
        assert!(
            err.contains("Nowhere") && err.contains("matches no known zone"),
            "{err}"
        );
    }

    #[test]
    fn vtimezone_rules_give_offsets() {
        let rules = VtzRules::parse(&vtimezone("x", CET)).expect("valid");
        let at = |m, d, h| {
            NaiveDate::from_ymd_opt(2026, m, d)
                .and_then(|d| d.and_hms_opt(h, 0, 0))
                .expect("t")
        };
        assert_eq!(rules.offset_at(at(3, 29, 0)), 3600);
        assert_eq!(rules.offset_at(at(3, 29, 1)), 7200);
        assert_eq!(rules.offset_at(at(10, 25, 0)), 7200);
        assert_eq!(rules.offset_at(at(10, 25, 1)), 3600);
        assert_eq!(rules.transitions(2026), [at(3, 29, 1), at(10, 25, 1)]);
    }
}

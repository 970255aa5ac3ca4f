//! Helpers shared by the fixture tests: reading fixtures, checking written files for RFC 5545
//! form, building expected values.
#![allow(dead_code)]

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use exsync_ical::{
    ParseOptions, ParsedCalendar, parse_calendar, parse_calendar_bytes, write_calendar_at,
};
use exsync_model::{TimeZoneName, When, ZonedDateTime};

/// The bytes of `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A fixture calendar, parsed.
pub fn parse_fixture(name: &str) -> ParsedCalendar {
    parse_calendar_bytes(&fixture(name), &ParseOptions::default()).expect("an iCalendar file")
}

/// Writes everything imported from `parsed` and reads it back, checking the written form.
pub fn write_and_read(parsed: &ParsedCalendar) -> (String, ParsedCalendar) {
    let events: Vec<_> = parsed
        .events
        .iter()
        .map(|e| (e.uid.as_str(), &e.appointment))
        .collect();
    let tasks: Vec<_> = parsed
        .tasks
        .iter()
        .map(|t| (t.uid.as_str(), &t.task))
        .collect();
    let stamp = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
        .expect("time")
        .to_utc();
    let text = write_calendar_at(&events, &tasks, stamp);
    check_rfc5545_form(&text);
    let back = parse_calendar(&text).expect("our own output is iCalendar");
    (text, back)
}

/// CRLF line ends, at most 75 octets a line, balanced BEGIN/END, a VTIMEZONE for every TZID,
/// DTSTAMP and UID in every VEVENT/VTODO.
pub fn check_rfc5545_form(text: &str) {
    assert!(text.ends_with("\r\n"), "the file must end with CRLF");
    let body = &text[..text.len() - 2];
    for line in body.split("\r\n") {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line break in {line:?}"
        );
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let unfolded = body.replace("\r\n ", "");
    // Open components with "has UID", "has DTSTAMP".
    let mut stack: Vec<(&str, bool, bool)> = Vec::new();
    let mut zones_defined = BTreeSet::new();
    let mut zones_used = BTreeSet::new();
    for line in unfolded.split("\r\n") {
        if let Some(name) = line.strip_prefix("BEGIN:") {
            stack.push((name, false, false));
        } else if let Some(name) = line.strip_prefix("END:") {
            let (open, uid, stamp) = stack.pop().expect("END without BEGIN");
            assert_eq!(open, name, "unbalanced END:{name}");
            if name == "VEVENT" || name == "VTODO" {
                assert!(uid && stamp, "{name} without UID or DTSTAMP");
            }
        } else if let Some(tzid) = line.strip_prefix("TZID:") {
            zones_defined.insert(tzid.to_owned());
        } else if let Some(rest) = line.split_once(";TZID=").map(|(_, r)| r) {
            let tzid = rest
                .split([':', ';'])
                .next()
                .unwrap_or_default()
                .trim_matches('"');
            zones_used.insert(tzid.to_owned());
        }
        if let Some(top) = stack.last_mut() {
            top.1 |= line.starts_with("UID:");
            top.2 |= line.starts_with("DTSTAMP:");
        }
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
    assert!(
        zones_used.is_subset(&zones_defined),
        "used {zones_used:?}, defined {zones_defined:?}"
    );
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
}

pub fn zone(name: &str) -> TimeZoneName {
    TimeZoneName::new(name).expect("known zone")
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(h, min, 0).expect("time")
}

pub fn zoned(local: NaiveDateTime, zone_name: &str) -> ZonedDateTime {
    ZonedDateTime::new(local, zone(zone_name))
}

pub fn timed(start: NaiveDateTime, end: NaiveDateTime, zone_name: &str) -> When {
    When::Timed {
        start: zoned(start, zone_name),
        end: zoned(end, zone_name),
    }
}

pub fn all_day(start: NaiveDate, end: NaiveDate) -> When {
    When::AllDay { start, end }
}

//! The acceptance criterion: every fixture (Outlook, Google, Thunderbird, Lotus Notes styles)
//! parsed, written and parsed again gives identical model values — every series, exception and
//! zone intact — and the occurrences expanded in a window are identical before and after.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::*;
use exsync_ical::ParsedCalendar;
use exsync_model::{Occurrence, When, occurrences, series_end};

const FIXTURES: [&str; 4] = [
    "outlook.ics",
    "google.ics",
    "thunderbird.ics",
    "lotus-notes.ics",
];

fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
        .single()
        .expect("instant")
}

/// Every occurrence of every series of `parsed` in 2026 and 2027, by UID.
fn expanded(parsed: &ParsedCalendar) -> Vec<(String, Vec<Occurrence>)> {
    parsed
        .events
        .iter()
        .filter_map(|e| {
            let series = e.appointment.series.as_ref()?;
            let found = occurrences(
                &e.appointment.when,
                series,
                utc(2026, 1, 1),
                utc(2028, 1, 1),
            );
            Some((e.uid.clone(), found.expect("expands")))
        })
        .collect()
}

fn starts(
    parsed: &ParsedCalendar,
    subject: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<When> {
    let event = parsed
        .events
        .iter()
        .find(|e| e.appointment.subject == subject)
        .expect("event");
    let series = event.appointment.series.as_ref().expect("series");
    occurrences(&event.appointment.when, series, from, to)
        .expect("expands")
        .into_iter()
        .map(|o| o.when)
        .collect()
}

#[test]
fn every_fixture_survives_write_and_read() {
    for name in FIXTURES {
        let first = parse_fixture(name);
        let (text, second) = write_and_read(&first);
        assert!(second.rejected.is_empty(), "{name}: {:?}", second.rejected);
        assert_eq!(
            second.events, first.events,
            "{name}: events differ after writing:\n{text}"
        );
        assert_eq!(
            second.tasks, first.tasks,
            "{name}: tasks differ after writing"
        );
        assert_eq!(
            expanded(&second),
            expanded(&first),
            "{name}: occurrences differ"
        );
        // Writing what was read back gives the very same file.
        let (again, _) = write_and_read(&second);
        assert_eq!(again, text, "{name}: writing is not stable");
        for event in &first.events {
            if let Some(series) = &event.appointment.series {
                let before = series_end(&event.appointment.when, series);
                let after = second
                    .events
                    .iter()
                    .find(|e| e.uid == event.uid)
                    .and_then(|e| {
                        e.appointment
                            .series
                            .as_ref()
                            .map(|s| series_end(&e.appointment.when, s))
                    });
                assert_eq!(Some(before), after, "{name}: {}", event.uid);
            }
        }
    }
}

#[test]
fn written_files_carry_the_series_as_rfc5545_wants() {
    let (text, _) = write_and_read(&parse_fixture("outlook.ics"));
    let unfolded = text.replace("\r\n ", "");
    assert!(unfolded.contains("BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n"));
    assert!(unfolded.contains("BEGIN:VTIMEZONE\r\nTZID:Eastern Standard Time\r\n"));
    assert!(unfolded.contains(
        "RRULE:FREQ=WEEKLY;UNTIL=20261230T225959Z;INTERVAL=2;BYDAY=MO,WE,FR;WKST=MO\r\n"
    ));
    assert!(unfolded.contains("EXDATE;TZID=W. Europe Standard Time:20260318T090000\r\n"));
    assert!(unfolded.contains("RECURRENCE-ID;TZID=W. Europe Standard Time:20260320T090000\r\n"));
    assert!(unfolded.contains("DTSTART;VALUE=DATE:20260512\r\nDTEND;VALUE=DATE:20260513\r\n"));
    assert!(unfolded.contains("RRULE:FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=12\r\n"));
    assert!(unfolded.contains("RRULE:FREQ=MONTHLY;COUNT=10;BYDAY=-1FR\r\n"));
    assert!(
        unfolded
            .contains("CLASS:PRIVATE\r\nTRANSP:TRANSPARENT\r\nX-MICROSOFT-CDO-BUSYSTATUS:FREE\r\n")
    );
    assert!(unfolded.contains("TRIGGER:-PT18H\r\n"));
    let (google, _) = write_and_read(&parse_fixture("google.ics"));
    let google = google.replace("\r\n ", "");
    // Google's UTC EXDATE/RECURRENCE-ID are written like DTSTART (TZID) and one EXDATE line.
    assert!(google.contains("EXDATE;TZID=Europe/Berlin:20260316T100000,20260413T100000\r\n"));
    assert!(google.contains("RECURRENCE-ID;TZID=Europe/Berlin:20260406T100000\r\n"));
    assert!(google.contains("DTSTART:20260505T120000Z\r\n"));
    assert!(google.contains("RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH\r\n"));
}

#[test]
fn outlook_biweekly_series_keeps_9_00_across_both_dst_switches() {
    let w = "W. Europe Standard Time";
    for parsed in [
        parse_fixture("outlook.ics"),
        write_and_read(&parse_fixture("outlook.ics")).1,
    ] {
        let march = starts(&parsed, "Jour fixe", utc(2026, 3, 1), utc(2026, 4, 4));
        let at9 = |m, d| timed(at(2026, m, d, 9, 0), at(2026, m, d, 10, 0), w);
        // 18 March is cancelled, 20 March moved to Monday 23 March 14:00.
        let moved = timed(at(2026, 3, 23, 14, 0), at(2026, 3, 23, 15, 30), w);
        assert_eq!(
            march,
            [
                at9(3, 4),
                at9(3, 6),
                at9(3, 16),
                moved,
                at9(3, 30),
                at9(4, 1),
                at9(4, 3)
            ]
        );
        let instants: Vec<_> = march
            .iter()
            .map(|w| match w {
                When::Timed { start, .. } => start.to_utc().expect("zone").to_rfc3339(),
                When::AllDay { .. } => String::new(),
            })
            .collect();
        assert_eq!(instants[2], "2026-03-16T08:00:00+00:00");
        assert_eq!(instants[4], "2026-03-30T07:00:00+00:00");
        let october = starts(&parsed, "Jour fixe", utc(2026, 10, 10), utc(2026, 10, 31));
        assert_eq!(
            october,
            [
                at9(10, 12),
                at9(10, 14),
                at9(10, 16),
                at9(10, 26),
                at9(10, 28),
                at9(10, 30)
            ]
        );
        // Weeks of 7 and 21 December are active (2 March + 40 and 42 weeks); the series ends on
        // 30 December, in the inactive week of 28 December, so nothing follows 25 December.
        let december = starts(&parsed, "Jour fixe", utc(2026, 12, 1), utc(2027, 2, 1));
        assert_eq!(
            december,
            [
                at9(12, 7),
                at9(12, 9),
                at9(12, 11),
                at9(12, 21),
                at9(12, 23),
                at9(12, 25)
            ]
        );
    }
}

#[test]
fn tricky_patterns_expand_to_the_expected_dates() {
    let (outlook, google) = (parse_fixture("outlook.ics"), parse_fixture("google.ics"));
    let dates = |parsed: &ParsedCalendar, subject: &str, from, to| -> Vec<chrono::NaiveDate> {
        starts(parsed, subject, from, to)
            .into_iter()
            .map(|w| match w {
                When::Timed { start, .. } => start.local.date(),
                When::AllDay { start, .. } => start,
            })
            .collect()
    };
    // Last Friday, ten times from January.
    assert_eq!(
        dates(
            &outlook,
            "Monatsabschluss",
            utc(2026, 1, 1),
            utc(2028, 1, 1)
        ),
        [
            date(2026, 1, 30),
            date(2026, 2, 27),
            date(2026, 3, 27),
            date(2026, 4, 24),
            date(2026, 5, 29),
            date(2026, 6, 26),
            date(2026, 7, 31),
            date(2026, 8, 28),
            date(2026, 9, 25),
            date(2026, 10, 30)
        ]
    );
    // Every weekday.
    assert_eq!(
        dates(&outlook, "Stand-up", utc(2026, 3, 5), utc(2026, 3, 11)),
        [
            date(2026, 3, 5),
            date(2026, 3, 6),
            date(2026, 3, 9),
            date(2026, 3, 10)
        ]
    );
    // Fourth Thursday of November.
    assert_eq!(
        dates(
            &google,
            "Thanksgiving Lunch (NY office)",
            utc(2026, 1, 1),
            utc(2030, 1, 1)
        ),
        [
            date(2026, 11, 26),
            date(2027, 11, 25),
            date(2028, 11, 23),
            date(2029, 11, 22)
        ]
    );
    // All-day yearly birthday.
    assert_eq!(
        dates(
            &outlook,
            "Geburtstag Anna",
            utc(2026, 1, 1),
            utc(2029, 1, 1)
        ),
        [date(2026, 5, 12), date(2027, 5, 12), date(2028, 5, 12)]
    );
    // COUNT=5 daily.
    assert_eq!(
        dates(&google, "Schulung", utc(2026, 1, 1), utc(2027, 1, 1)),
        [
            date(2026, 4, 20),
            date(2026, 4, 21),
            date(2026, 4, 22),
            date(2026, 4, 23),
            date(2026, 4, 24)
        ]
    );
    // First weekday of every third month.
    assert_eq!(
        dates(
            &google,
            "Quartalsstart: Zahlen prüfen",
            utc(2026, 1, 1),
            utc(2027, 3, 1)
        ),
        [
            date(2026, 4, 1),
            date(2026, 7, 1),
            date(2026, 10, 1),
            date(2027, 1, 1)
        ]
    );
    // COUNT=8 weekly in New York: 11:00 Eastern stays 11:00 across the US switch on 8 March.
    let ny = starts(
        &outlook,
        "Abstimmung New York",
        utc(2026, 3, 1),
        utc(2026, 3, 14),
    );
    let utc_starts: Vec<_> = ny
        .iter()
        .map(|w| match w {
            When::Timed { start, .. } => start.to_utc().expect("zone").to_rfc3339(),
            When::AllDay { .. } => String::new(),
        })
        .collect();
    assert_eq!(
        utc_starts,
        ["2026-03-05T16:00:00+00:00", "2026-03-12T15:00:00+00:00"]
    );
}

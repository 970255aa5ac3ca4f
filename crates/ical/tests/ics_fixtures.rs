//! What the fixture files in the styles of Outlook, Google Calendar, Thunderbird and Lotus
//! Notes import as: every series, exception, zone and rejection checked against values written
//! out here.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use exsync_ical::ImportedEvent;
use exsync_model::{
    Appointment, AttendeeResponse, AttendeeRole, Body, BodyFormat, Importance, OccurrenceOverride,
    Pattern, Range, Recurrence, Sensitivity, Series, ShowAs, TaskStatus, WeekIndex, WeekdaySet,
};

fn event<'a>(events: &'a [ImportedEvent], subject: &str) -> &'a Appointment {
    &events
        .iter()
        .find(|e| e.appointment.subject == subject)
        .unwrap_or_else(|| panic!("no event {subject:?}"))
        .appointment
}

fn series(a: &Appointment) -> &Series {
    a.series.as_ref().expect("a series")
}

fn recurrence(pattern: Pattern, range: Range, zone_name: Option<&str>) -> Recurrence {
    Recurrence {
        pattern,
        range,
        time_zone: zone_name.map(zone),
    }
}

fn weekdays(days: &[chrono::Weekday]) -> WeekdaySet {
    days.iter().copied().collect()
}

#[test]
fn outlook_export() {
    use chrono::Weekday::*;
    let parsed = parse_fixture("outlook.ics");
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(parsed.events.len(), 7);
    let w = "W. Europe Standard Time";

    let jour_fixe = event(&parsed.events, "Jour fixe");
    assert_eq!(
        jour_fixe.when,
        timed(at(2026, 3, 4, 9, 0), at(2026, 3, 4, 10, 0), w)
    );
    assert_eq!(jour_fixe.location, "Besprechungsraum 2");
    assert_eq!(jour_fixe.body.format, BodyFormat::Html);
    assert!(
        jour_fixe
            .body
            .content
            .contains("<B><FONT FACE=\"Calibri\">Agenda folgt</FONT></B>")
    );
    assert_eq!(jour_fixe.reminder_minutes, Some(15));
    assert_eq!(
        (jour_fixe.show_as, jour_fixe.importance),
        (ShowAs::Busy, Importance::Normal)
    );
    let organizer = jour_fixe.organizer.as_ref().expect("organizer");
    assert_eq!(
        (organizer.address.as_str(), organizer.name.as_str()),
        ("eva.huber@example.com", "Huber, Eva")
    );
    let roles: Vec<_> = jour_fixe
        .attendees
        .iter()
        .map(|a| (a.role, a.response))
        .collect();
    assert_eq!(
        roles,
        [
            (AttendeeRole::Required, AttendeeResponse::Organizer),
            (AttendeeRole::Required, AttendeeResponse::None),
            (AttendeeRole::Resource, AttendeeResponse::None),
        ]
    );
    assert_eq!(jour_fixe.attendees[2].email.name, "Raum 2 (12 Plätze)");
    let s = series(jour_fixe);
    assert_eq!(
        s.recurrence,
        recurrence(
            Pattern::Weekly {
                interval: 2,
                days: weekdays(&[Mon, Wed, Fri]),
                first_day_of_week: Mon
            },
            Range::EndDate {
                end: date(2026, 12, 30)
            },
            Some(w)
        )
    );
    assert_eq!(s.cancelled, BTreeSet::from([at(2026, 3, 18, 9, 0)]));
    let moved = OccurrenceOverride {
        when: Some(timed(at(2026, 3, 23, 14, 0), at(2026, 3, 23, 15, 30), w)),
        location: Some("Raum 5 (Erdgeschoss)".into()),
        ..OccurrenceOverride::default()
    };
    assert_eq!(s.modified, BTreeMap::from([(at(2026, 3, 20, 9, 0), moved)]));

    let closing = event(&parsed.events, "Monatsabschluss");
    assert_eq!(closing.importance, Importance::High);
    assert_eq!(
        series(closing).recurrence,
        recurrence(
            Pattern::RelativeMonthly {
                interval: 1,
                days: WeekdaySet::single(Fri),
                index: WeekIndex::Last
            },
            Range::Numbered { count: 10 },
            Some(w)
        )
    );
    let standup = event(&parsed.events, "Stand-up");
    assert_eq!(
        series(standup).recurrence.pattern,
        Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::WORKDAYS,
            first_day_of_week: Mon
        }
    );
    let new_york = event(&parsed.events, "Abstimmung New York");
    assert_eq!(
        new_york.when,
        timed(
            at(2026, 3, 5, 11, 0),
            at(2026, 3, 5, 11, 30),
            "Eastern Standard Time"
        )
    );
    assert_eq!(new_york.show_as, ShowAs::Tentative);
    assert_eq!(
        series(new_york).recurrence.range,
        Range::Numbered { count: 8 }
    );

    let birthday = event(&parsed.events, "Geburtstag Anna");
    assert_eq!(birthday.when, all_day(date(2026, 5, 12), date(2026, 5, 13)));
    assert_eq!(
        (birthday.show_as, birthday.sensitivity),
        (ShowAs::Free, Sensitivity::Private)
    );
    assert_eq!(birthday.reminder_minutes, Some(1080));
    assert_eq!(
        series(birthday).recurrence,
        recurrence(
            Pattern::AbsoluteYearly {
                interval: 1,
                month: 5,
                day_of_month: 12
            },
            Range::NoEnd,
            None
        )
    );
    let holiday = event(&parsed.events, "Betriebsurlaub");
    assert_eq!(holiday.when, all_day(date(2026, 8, 3), date(2026, 8, 15)));
    assert_eq!(
        (holiday.show_as, holiday.categories.clone()),
        (ShowAs::OutOfOffice, vec!["Urlaub".to_owned()])
    );
    assert!(holiday.series.is_none());
    // Older Outlook: all-day as midnight-to-midnight in the zone, flagged by X-MICROSOFT-CDO-ALLDAYEVENT.
    let new_year = event(&parsed.events, "Silvester (ganztägig, altes Outlook)");
    assert_eq!(new_year.when, all_day(date(2026, 12, 31), date(2027, 1, 1)));
}

#[test]
fn google_export() {
    use chrono::Weekday::*;
    let parsed = parse_fixture("google.ics");
    assert_eq!(parsed.events.len(), 6);
    assert_eq!(parsed.rejected.len(), 1);
    let rejected = &parsed.rejected[0];
    assert_eq!(rejected.uid, "1mo3mo-unsupported@google.com");
    assert!(
        rejected.reason.contains("BYDAY=1MO,3MO"),
        "{}",
        rejected.reason
    );

    let b = "Europe/Berlin";
    let planning = event(&parsed.events, "Wochenplanung");
    assert_eq!(planning.location, "Büro München, 3. OG");
    assert!(
        planning
            .body
            .content
            .starts_with("Wochenplanung für das Team: Prioritäten, Urlaube")
    );
    assert!(
        planning
            .body
            .content
            .ends_with("„Planung 2026“ – bitte vorher ansehen.")
    );
    assert_eq!(planning.reminder_minutes, Some(10));
    assert_eq!(planning.attendees.len(), 3);
    assert_eq!(planning.attendees[1].response, AttendeeResponse::Tentative);
    assert_eq!(planning.attendees[2].role, AttendeeRole::Optional);
    let s = series(planning);
    assert_eq!(
        s.recurrence,
        recurrence(
            Pattern::Weekly {
                interval: 1,
                days: WeekdaySet::single(Mon),
                first_day_of_week: Mon
            },
            Range::NoEnd,
            Some(b)
        )
    );
    // EXDATE and RECURRENCE-ID in UTC name the 10:00 Berlin occurrences (CET and CEST).
    assert_eq!(
        s.cancelled,
        BTreeSet::from([at(2026, 3, 16, 10, 0), at(2026, 4, 13, 10, 0)])
    );
    let moved = OccurrenceOverride {
        when: Some(timed(at(2026, 4, 7, 14, 0), at(2026, 4, 7, 14, 30), b)),
        subject: Some("Wochenplanung (Ostermontag verschoben)".into()),
        ..OccurrenceOverride::default()
    };
    assert_eq!(s.modified, BTreeMap::from([(at(2026, 4, 6, 10, 0), moved)]));

    let thanksgiving = event(&parsed.events, "Thanksgiving Lunch (NY office)");
    assert_eq!(thanksgiving.show_as, ShowAs::Free);
    assert_eq!(
        series(thanksgiving).recurrence.pattern,
        Pattern::RelativeYearly {
            interval: 1,
            month: 11,
            days: WeekdaySet::single(Thu),
            index: WeekIndex::Fourth
        }
    );
    let training = event(&parsed.events, "Schulung");
    assert_eq!(
        series(training).recurrence,
        recurrence(
            Pattern::Daily { interval: 1 },
            Range::Numbered { count: 5 },
            Some(b)
        )
    );
    let quarter = event(&parsed.events, "Quartalsstart: Zahlen prüfen");
    assert_eq!(
        series(quarter).recurrence.pattern,
        Pattern::RelativeMonthly {
            interval: 3,
            days: WeekdaySet::WORKDAYS,
            index: WeekIndex::First
        }
    );
    let lunch = event(&parsed.events, "Mittagessen mit Kunde");
    assert_eq!(
        lunch.when,
        timed(at(2026, 5, 5, 12, 0), at(2026, 5, 5, 13, 0), "UTC")
    );
    assert_eq!(lunch.body, Body::default());
    let fair = event(&parsed.events, "Messe");
    assert_eq!(
        (fair.when.clone(), fair.show_as),
        (all_day(date(2026, 6, 1), date(2026, 6, 3)), ShowAs::Free)
    );
}

#[test]
fn thunderbird_export() {
    let parsed = parse_fixture("thunderbird.ics");
    assert_eq!(parsed.events.len(), 2);
    assert_eq!(parsed.rejected.len(), 1);
    assert_eq!(
        parsed.rejected[0].uid,
        "c0ffee00-1111-2222-3333-444455556666"
    );
    assert!(parsed.rejected[0].reason.contains("FREQ=HOURLY"));

    let b = "Europe/Berlin";
    let team = event(&parsed.events, "Teamrunde");
    assert_eq!(team.categories, ["Arbeit", "Team"]);
    assert_eq!(
        team.body,
        Body::text("Monatliche Runde.\nProtokoll: siehe Wiki")
    );
    let s = series(team);
    assert_eq!(
        s.recurrence.pattern,
        Pattern::RelativeMonthly {
            interval: 1,
            days: WeekdaySet::single(chrono::Weekday::Tue),
            index: WeekIndex::Second
        }
    );
    let renamed = OccurrenceOverride {
        subject: Some("Teamrunde (mit Vorstand)".into()),
        categories: Some(vec!["Arbeit".into(), "Team".into(), "Vorstand".into()]),
        ..OccurrenceOverride::default()
    };
    let moved = OccurrenceOverride {
        when: Some(timed(at(2026, 4, 15, 9, 0), at(2026, 4, 15, 10, 0), b)),
        reminder_minutes: Some(None),
        ..OccurrenceOverride::default()
    };
    assert_eq!(
        s.modified,
        BTreeMap::from([
            (at(2026, 3, 10, 14, 0), renamed),
            (at(2026, 4, 14, 14, 0), moved)
        ])
    );
    // `/mozilla.org/.../Europe/Vienna` resolves to its IANA name; RELATED=END alarm 6h30 before
    // the end of a 6-hour meeting fires 30 minutes before the start.
    let vienna = event(&parsed.events, "Partnertreffen Wien");
    assert_eq!(
        vienna.when,
        timed(
            at(2026, 6, 12, 10, 0),
            at(2026, 6, 12, 16, 0),
            "Europe/Vienna"
        )
    );
    assert_eq!(
        (vienna.reminder_minutes, vienna.sensitivity),
        (Some(30), Sensitivity::Confidential)
    );

    let tasks: Vec<_> = parsed.tasks.iter().map(|t| &t.task).collect();
    assert_eq!(tasks.len(), 4);
    assert_eq!(tasks[0].subject, "Angebot für Müller & Söhne schreiben");
    assert_eq!(
        (tasks[0].status, tasks[0].importance),
        (TaskStatus::InProgress, Importance::High)
    );
    assert_eq!(tasks[0].start, Some(zoned(at(2026, 3, 2, 9, 0), b)));
    assert_eq!(tasks[0].due, Some(zoned(at(2026, 3, 6, 17, 0), b)));
    assert_eq!(tasks[0].reminder, Some(zoned(at(2026, 3, 2, 8, 45), b)));
    assert_eq!(
        tasks[0].body,
        Body::text("Rahmenvertrag 2026, Staffelpreise beachten.")
    );
    assert_eq!(tasks[1].status, TaskStatus::Completed);
    assert_eq!(
        tasks[1].completed,
        Some(zoned(at(2026, 2, 26, 15, 30), "UTC"))
    );
    assert_eq!(tasks[1].due, Some(zoned(at(2026, 2, 27, 0, 0), "UTC")));
    assert_eq!(
        (tasks[2].status, tasks[2].importance),
        (TaskStatus::NotStarted, Importance::Low)
    );
    assert_eq!(tasks[2].reminder, Some(zoned(at(2026, 4, 14, 7, 0), "UTC")));
    assert_eq!(tasks[3].status, TaskStatus::Deferred);
    assert_eq!(parsed.tasks[3].uid, "d4e5f6a7-b8c9-4a11-bb00-ddeeff001122");
}

#[test]
fn lotus_notes_custom_zone_names_match_by_rules() {
    let parsed = parse_fixture("lotus-notes.ics");
    assert_eq!(parsed.events.len(), 1);
    let talk = event(&parsed.events, "Lieferantengespräch");
    // "W. Europe" is no zone name; its VTIMEZONE (with Lotus' BYHOUR/BYMINUTE) is CET/CEST.
    assert_eq!(
        talk.when,
        timed(
            at(2026, 5, 5, 8, 30),
            at(2026, 5, 5, 9, 30),
            "Europe/Berlin"
        )
    );
    assert_eq!(parsed.rejected.len(), 1);
    assert_eq!(
        parsed.rejected[0].uid,
        "C1257F0A0036D2F4C1257F0A0036D2F6-Lotus_Notes_Generated"
    );
    assert!(
        parsed.rejected[0]
            .reason
            .contains("TZID \"Nowhere Standard Time\"")
    );
}

#[test]
fn files_that_are_not_icalendar_are_errors_and_bad_items_are_rejected() {
    assert!(exsync_ical::parse_calendar("hello").is_err());
    assert!(exsync_ical::parse_calendar("BEGIN:VCARD\r\nEND:VCARD\r\n").is_err());
    let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
        BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260302T100000Z\r\nDTEND:20260302T090000Z\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20260302T100000\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:c\r\nDTSTART:20260303T100000Z\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20260302\r\nRDATE;VALUE=DATE:20260310\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:e\r\nRECURRENCE-ID:20260302T100000Z\r\nDTSTART:20260302T110000Z\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:f\r\nDTSTART:20260302T100000Z\r\nSUMMARY:ok\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:g\r\nDTSTART:20260302T100000Z\r\nbroken line\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:h\r\nDTSTART:20260302T100000Z\r\nBEGIN:VALARM\r\nTRIGGER:PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n\
        END:VCALENDAR\r\n";
    let parsed = exsync_ical::parse_calendar(text).expect("iCalendar");
    assert_eq!(parsed.events.len(), 1);
    assert_eq!(parsed.events[0].uid, "f");
    let reasons: BTreeMap<_, _> = parsed
        .rejected
        .iter()
        .map(|r| (r.uid.as_str(), r.reason.as_str()))
        .collect();
    assert!(
        reasons["a"].contains("lies before the start"),
        "{}",
        reasons["a"]
    );
    assert!(reasons["b"].contains("floating time"), "{}", reasons["b"]);
    assert!(
        reasons["c"].contains("DTSTART") && reasons["c"].contains("move DTSTART to 2026-03-09"),
        "{}",
        reasons["c"]
    );
    assert!(reasons["d"].starts_with("RDATE"), "{}", reasons["d"]);
    assert!(reasons["e"].contains("RECURRENCE-ID"), "{}", reasons["e"]);
    assert!(reasons["g"].contains("line 35"), "{}", reasons["g"]);
    assert!(reasons["h"].contains("after the start"), "{}", reasons["h"]);
    // A floating time is fine when the calendar (or the caller) names the zone.
    let options = exsync_ical::ParseOptions {
        default_zone: Some(zone("Europe/Berlin")),
    };
    let floating = exsync_ical::parse_calendar_bytes(text.as_bytes(), &options).expect("iCalendar");
    assert!(floating.events.iter().any(|e| e.uid == "b"));
}

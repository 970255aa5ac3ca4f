//! Values shared by the tests: times, zones, a user, the worked example's expected result.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime, Weekday};
use exsync_business::{BusinessDb, NewUser};
use exsync_model::{
    Appointment, Body, OccurrenceOverride, Pattern, Range, Recurrence, Series, ShowAs,
    TimeZoneName, WeekdaySet, When, ZonedDateTime,
};

pub fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").expect("valid test time")
}

pub fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid test date")
}

pub fn zone(name: &str) -> TimeZoneName {
    TimeZoneName::new(name).expect("known zone")
}

pub fn berlin(text: &str) -> ZonedDateTime {
    ZonedDateTime::new(local(text), zone("Europe/Berlin"))
}

pub async fn add_user(db: &BusinessDb, login: &str) {
    db.add_user(&NewUser {
        login: login.to_owned(),
        display_name: format!("User {login}"),
        mailbox: Some(format!("{login}@example.com")),
        enabled: true,
    })
    .await
    .expect("user added");
}

/// The appointment `sql/examples/weekly_meeting.sql` describes.
pub fn weekly_meeting() -> Appointment {
    let mut appointment = Appointment::timed(
        "Team meeting",
        berlin("2026-03-02T09:00"),
        berlin("2026-03-02T10:00"),
    );
    appointment.location = "Room 1".into();
    appointment.body = Body::text("Weekly planning.");
    appointment.show_as = ShowAs::Busy;
    appointment.categories = vec!["Internal".into(), "Planning".into()];
    appointment.reminder_minutes = Some(15);
    let moved = OccurrenceOverride {
        when: Some(When::Timed {
            start: berlin("2026-03-17T14:00"),
            end: berlin("2026-03-17T15:00"),
        }),
        location: Some("Room 2".into()),
        ..OccurrenceOverride::default()
    };
    appointment.series = Some(Series {
        recurrence: Recurrence {
            pattern: Pattern::Weekly {
                interval: 1,
                days: WeekdaySet::single(Weekday::Mon),
                first_day_of_week: Weekday::Mon,
            },
            range: Range::Numbered { count: 10 },
            time_zone: None,
        },
        modified: BTreeMap::from([(local("2026-03-16T09:00"), moved)]),
        cancelled: BTreeSet::from([local("2026-04-06T09:00")]),
    });
    appointment
}

/// The worked example SQL, shared with docs/integration-schema.md.
pub const WORKED_EXAMPLE: &str = include_str!("../../sql/examples/weekly_meeting.sql");

//! Random items for the property tests: a few values per field, so that equal edits on both
//! sides, conflicts and foreign meetings are frequent.
//!
//! Invariant: every field of every kind can take at least two values.

use exsync_model::{
    Appointment, Body, Contact, EmailAddress, Importance, Pattern, PostalAddress, Range,
    Recurrence, Series, Task, TaskStatus, ZonedDateTime,
};
use proptest::prelude::*;

use super::{MAILBOX, stamp};

pub fn when(minute: u32) -> ZonedDateTime {
    ZonedDateTime::from_utc(stamp(i64::from(minute) * 60))
}

pub fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        Just(Body::default()),
        Just(Body::text("x")),
        Just(Body::html("<p>y</p>"))
    ]
}

pub fn cats() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        Just(vec![]),
        Just(vec!["Kunde".to_owned()]),
        Just(vec!["Kunde".to_owned(), "Service".to_owned()])
    ]
}

pub fn importance() -> impl Strategy<Value = Importance> {
    prop_oneof![
        Just(Importance::Low),
        Just(Importance::Normal),
        Just(Importance::High)
    ]
}

pub fn small_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("a".to_owned()),
        Just("b".to_owned())
    ]
}

pub fn opt_when() -> impl Strategy<Value = Option<ZonedDateTime>> {
    prop_oneof![Just(None), (0u32..3).prop_map(|m| Some(when(m)))]
}

pub fn task() -> BoxedStrategy<Task> {
    let status = prop_oneof![
        Just(TaskStatus::NotStarted),
        Just(TaskStatus::InProgress),
        Just(TaskStatus::Completed)
    ];
    (
        small_text(),
        body(),
        opt_when(),
        opt_when(),
        opt_when(),
        status,
        importance(),
        opt_when(),
        cats(),
    )
        .prop_map(
            |(subject, body, start, due, completed, status, importance, reminder, categories)| {
                Task {
                    subject,
                    body,
                    start,
                    due,
                    completed,
                    status,
                    importance,
                    reminder,
                    categories,
                }
            },
        )
        .boxed()
}

pub fn contact() -> BoxedStrategy<Contact> {
    let email = prop_oneof![Just(vec![]), Just(vec![EmailAddress::new("a@x.de", "A")])];
    let address = prop_oneof![
        Just(PostalAddress::default()),
        Just(PostalAddress {
            city: "Ulm".into(),
            ..PostalAddress::default()
        })
    ];
    (
        small_text(),
        small_text(),
        small_text(),
        small_text(),
        email,
        address,
        small_text(),
        cats(),
    )
        .prop_map(
            |(
                given_name,
                surname,
                company,
                mobile_phone,
                emails,
                business_address,
                notes,
                categories,
            )| Contact {
                given_name,
                surname,
                company,
                mobile_phone,
                emails,
                business_address,
                notes,
                categories,
                ..Contact::default()
            },
        )
        .boxed()
}

pub fn appointment() -> BoxedStrategy<Appointment> {
    let organizer = prop_oneof![
        2 => Just(None),
        1 => Just(Some(EmailAddress::new(MAILBOX, "Eva"))),
        1 => Just(Some(EmailAddress::new("chef@kunde.example", "Chef"))),
    ];
    let series = prop_oneof![
        2 => Just(None),
        1 => (1u32..3).prop_map(|interval| Some(Series::new(Recurrence { pattern: Pattern::Daily { interval }, range: Range::NoEnd, time_zone: None }))),
        1 => Just(Some({
            let mut s = Series::new(Recurrence { pattern: Pattern::Daily { interval: 1 }, range: Range::Numbered { count: 5 }, time_zone: None });
            s.cancelled.insert(when(0).local + chrono::Duration::days(2));
            s
        })),
    ];
    (
        small_text(),
        small_text(),
        body(),
        0u32..2,
        importance(),
        cats(),
        prop_oneof![Just(None), Just(Some(15u32))],
        organizer,
        series,
    )
        .prop_map(
            |(
                subject,
                location,
                body,
                start,
                importance,
                categories,
                reminder_minutes,
                organizer,
                series,
            )| {
                let mut a = Appointment::timed(subject, when(start * 60), when(start * 60 + 30));
                a.location = location;
                a.body = body;
                a.importance = importance;
                a.categories = categories;
                a.reminder_minutes = reminder_minutes;
                a.organizer = organizer;
                a.series = series;
                a
            },
        )
        .boxed()
}

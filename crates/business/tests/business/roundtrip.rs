//! What exsync writes, it reads back unchanged: every field of appointments (single, series,
//! all-day, every kind of exception), tasks and contacts.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Weekday;
use exsync_business::{Origin, Owned};
use exsync_model::{
    Appointment, Attendee, AttendeeResponse, AttendeeRole, Body, BusinessId, Contact, EmailAddress,
    Importance, OccurrenceOverride, Pattern, PostalAddress, Range, Recurrence, Sensitivity, Series,
    ShowAs, Task, TaskStatus, WeekIndex, WeekdaySet, When, ZonedDateTime,
};

use crate::fixtures::{add_user, berlin, day, local, weekly_meeting, zone};
use crate::harness::TestDb;
use crate::on_both;

on_both!(
    appointments_round_trip,
    tasks_and_contacts_round_trip,
    an_upsert_can_move_an_appointment_to_another_owner
);

fn meeting_with_everything() -> Appointment {
    let mut a = Appointment::timed(
        "Board meeting",
        berlin("2026-01-28T09:30"),
        ZonedDateTime::new(local("2026-01-28T11:00"), zone("GMT Standard Time")),
    );
    a.location = "HQ".into();
    a.body = Body::html("<p>Agenda</p>");
    a.show_as = ShowAs::Tentative;
    a.sensitivity = Sensitivity::Confidential;
    a.importance = Importance::High;
    a.categories = vec!["Board".into(), "Q1".into()];
    a.reminder_minutes = Some(0);
    a.organizer = Some(EmailAddress::new("boss@example.com", "The Boss"));
    a.attendees = vec![
        Attendee {
            email: EmailAddress::new("eva@example.com", "Eva"),
            role: AttendeeRole::Required,
            response: AttendeeResponse::Accepted,
        },
        Attendee {
            email: EmailAddress::new("room@example.com", ""),
            role: AttendeeRole::Resource,
            response: AttendeeResponse::None,
        },
    ];
    let everything = OccurrenceOverride {
        when: Some(When::Timed {
            start: berlin("2026-02-26T13:00"),
            end: berlin("2026-02-26T14:30"),
        }),
        subject: Some(String::new()),
        location: Some("Online".into()),
        body: Some(Body::text("moved")),
        show_as: Some(ShowAs::Free),
        sensitivity: Some(Sensitivity::Normal),
        importance: Some(Importance::Low),
        categories: Some(Vec::new()),
        reminder_minutes: Some(None),
    };
    let quiet = OccurrenceOverride {
        reminder_minutes: Some(Some(60)),
        ..OccurrenceOverride::default()
    };
    a.series = Some(Series {
        recurrence: Recurrence {
            pattern: Pattern::RelativeMonthly {
                interval: 1,
                days: WeekdaySet::single(Weekday::Wed),
                index: WeekIndex::Last,
            },
            range: Range::EndDate {
                end: day("2026-12-31"),
            },
            time_zone: Some(zone("W. Europe Standard Time")),
        },
        modified: BTreeMap::from([
            (local("2026-02-25T09:30"), everything),
            (local("2026-03-25T09:30"), quiet),
        ]),
        cancelled: BTreeSet::from([local("2026-04-29T09:30")]),
    });
    a
}

fn holidays() -> Appointment {
    let mut a = Appointment::all_day("Company holiday", day("2026-12-24"), day("2026-12-27"));
    a.show_as = ShowAs::OutOfOffice;
    a.series = Some(Series {
        recurrence: Recurrence {
            pattern: Pattern::AbsoluteYearly {
                interval: 1,
                month: 12,
                day_of_month: 24,
            },
            range: Range::NoEnd,
            time_zone: None,
        },
        modified: BTreeMap::from([(
            local("2027-12-24T00:00"),
            OccurrenceOverride {
                when: Some(When::AllDay {
                    start: day("2027-12-23"),
                    end: day("2027-12-27"),
                }),
                ..OccurrenceOverride::default()
            },
        )]),
        cancelled: BTreeSet::from([local("2028-12-24T00:00")]),
    });
    a
}

async fn appointments_round_trip(t: TestDb) {
    let db = t.ready().await;
    add_user(db, "eva").await;
    let items = [
        ("A-1", weekly_meeting()),
        ("A-2", meeting_with_everything()),
        ("A-3", holidays()),
        (
            "A-4",
            Appointment::timed(
                "Plain",
                berlin("2026-03-29T01:30"),
                berlin("2026-03-29T03:30"),
            ),
        ),
    ];
    for (id, appointment) in &items {
        db.upsert_appointment("eva", &BusinessId::from(*id), appointment, Origin::Exsync)
            .await
            .expect("writes");
        let read = db
            .get_appointment(&BusinessId::from(*id))
            .await
            .expect("reads")
            .expect("exists");
        assert_eq!(&read.item, appointment, "{id}");
    }
    // Writing again replaces, exceptions included (none left over).
    let single = Appointment::timed(
        "Now single",
        berlin("2026-05-04T09:00"),
        berlin("2026-05-04T10:00"),
    );
    db.upsert_appointment("eva", &BusinessId::from("A-1"), &single, Origin::Exsync)
        .await
        .expect("writes");
    let listed = db.list_appointments("eva", None).await.expect("lists");
    assert_eq!(listed.len(), 4);
    assert!(listed.iter().all(Result::is_ok));
    let first = db
        .get_appointment(&BusinessId::from("A-1"))
        .await
        .expect("reads")
        .expect("exists");
    assert_eq!(first.item, single);
}

async fn tasks_and_contacts_round_trip(t: TestDb) {
    let db = t.ready().await;
    add_user(db, "eva").await;
    let task = Task {
        subject: "Send offer".into(),
        body: Body::text("with discount"),
        start: Some(berlin("2026-03-02T08:00")),
        due: Some(ZonedDateTime::new(local("2026-03-06T00:00"), zone("UTC"))),
        completed: Some(berlin("2026-03-05T17:45")),
        status: TaskStatus::Completed,
        importance: Importance::High,
        reminder: Some(ZonedDateTime::new(
            local("2026-03-05T09:00"),
            zone("W. Europe Standard Time"),
        )),
        categories: vec!["Sales".into()],
    };
    let task_id = BusinessId::from("T-1");
    db.upsert_task("eva", &task_id, &task, Origin::Exsync)
        .await
        .expect("writes");
    assert_eq!(
        db.get_task(&task_id).await.expect("reads"),
        Some(Owned {
            owner: "eva".into(),
            item: task.clone()
        })
    );
    let bare = Task::new("Bare");
    db.upsert_task("eva", &BusinessId::from("T-2"), &bare, Origin::Business)
        .await
        .expect("writes");
    let tasks = db.list_tasks("eva").await.expect("lists");
    let tasks: Vec<(BusinessId, Task)> = tasks.into_iter().map(|t| t.expect("valid")).collect();
    assert_eq!(
        tasks,
        [(task_id.clone(), task), (BusinessId::from("T-2"), bare)]
    );
    assert!(
        db.delete_task(&task_id, Origin::Business)
            .await
            .expect("deletes")
    );
    assert_eq!(db.get_task(&task_id).await.expect("reads"), None);

    let contact = Contact {
        title: "Dr.".into(),
        given_name: "Eva".into(),
        middle_name: "Maria".into(),
        surname: "Huber".into(),
        suffix: "jun.".into(),
        display_name: "Huber, Eva".into(),
        company: "Muster GmbH".into(),
        department: "Sales".into(),
        job_title: "Head of Sales".into(),
        emails: vec![
            EmailAddress::new("eva@muster.de", "Eva Huber"),
            EmailAddress::new("e.huber@example.com", ""),
        ],
        business_phones: vec!["+49 89 1234".into(), "+49 89 5678".into()],
        mobile_phone: "+49 170 1".into(),
        home_phones: vec!["+49 89 9".into()],
        business_fax: "+49 89 1235".into(),
        business_address: PostalAddress {
            street: "Hauptstr. 1\nHinterhaus".into(),
            city: "München".into(),
            state: "BY".into(),
            postal_code: "80331".into(),
            country: "Deutschland".into(),
        },
        home_address: PostalAddress::default(),
        other_address: PostalAddress {
            city: "Wien".into(),
            ..PostalAddress::default()
        },
        website: "https://muster.de".into(),
        notes: "Prefers mornings.".into(),
        categories: vec!["Customer".into()],
    };
    let contact_id = BusinessId::from("C-1");
    db.upsert_contact(&contact_id, &contact, Origin::Business)
        .await
        .expect("writes");
    assert_eq!(
        db.get_contact(&contact_id).await.expect("reads"),
        Some(contact)
    );
    assert!(
        db.delete_contact(&contact_id, Origin::Business)
            .await
            .expect("deletes")
    );
    assert!(db.list_contacts().await.expect("lists").is_empty());
}

async fn an_upsert_can_move_an_appointment_to_another_owner(t: TestDb) {
    let db = t.ready().await;
    add_user(db, "eva").await;
    add_user(db, "max").await;
    let id = BusinessId::from("A-1");
    let a = Appointment::timed("x", berlin("2026-03-02T09:00"), berlin("2026-03-02T10:00"));
    db.upsert_appointment("eva", &id, &a, Origin::Business)
        .await
        .expect("writes");
    let before = t.seq().await;
    db.upsert_appointment("max", &id, &a, Origin::Business)
        .await
        .expect("writes");
    let journal = t.journal_after(before).await;
    let ops: Vec<&str> = journal.iter().map(|(_, _, op, _)| op.as_str()).collect();
    assert_eq!(ops, ["delete", "insert"]);
    let owners: Vec<Option<String>> = db
        .read_journal(before, 10)
        .await
        .expect("reads")
        .into_iter()
        .map(|e| e.owner)
        .collect();
    assert_eq!(owners, [Some("eva".into()), Some("max".into())]);
    assert!(
        db.list_appointments("eva", None)
            .await
            .expect("lists")
            .is_empty()
    );
    assert_eq!(
        db.list_appointments("max", None)
            .await
            .expect("lists")
            .len(),
        1
    );
}

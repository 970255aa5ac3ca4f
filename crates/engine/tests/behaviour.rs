//! Field-level behaviour on appointments: per-field merge, ownership (body owned by the
//! business side, body export-only with Outlook edits kept, body never written, attendees
//! import-only), each conflict policy (with NewestWins ties and missing
//! stamps), foreign meetings, and recurring series as one field.

mod common;

use chrono::NaiveDate;
use common::*;
use exsync_engine::{
    Conflict, ConflictPolicy, Direction, ItemIds, ItemState, Notice, NoticeKind, Observed, Op,
    Ownership, Reason, Rules, Side, Write,
};
use exsync_model::{
    Appointment, Attendee, AttendeeResponse, AttendeeRole, Body, EmailAddress, ItemKind, Pattern,
    Range, Recurrence, Series, SyncItem, TimeZoneName, ZonedDateTime,
};

fn at_hour(h: u32) -> ZonedDateTime {
    let local = NaiveDate::from_ymd_opt(2026, 5, 4)
        .and_then(|d| d.and_hms_opt(h, 0, 0))
        .expect("valid time");
    ZonedDateTime::new(local, TimeZoneName::utc())
}

fn appt(subject: &str) -> Appointment {
    Appointment::timed(subject, at_hour(9), at_hour(10))
}

fn linked(
    base: &Appointment,
    b: Option<Appointment>,
    e: Option<Appointment>,
) -> ItemState<Appointment> {
    ItemState::linked(ids(), base.clone(), b.map(seen), e.map(seen))
}

fn single_update(
    plan: &exsync_engine::Plan<Appointment>,
) -> (
    Option<&Write<Appointment>>,
    Option<&Write<Appointment>>,
    &Appointment,
) {
    match &plan.ops[..] {
        [
            Op::Update {
                exchange,
                business,
                base,
                ..
            },
        ] => (exchange.as_deref(), business.as_deref(), base),
        other => panic!("expected one update, got {other:?}"),
    }
}

fn fields<T>(write: Option<&Write<T>>) -> Vec<&'static str> {
    write.map(|w| w.fields.clone()).unwrap_or_default()
}

#[test]
fn edits_of_different_fields_both_survive() {
    let base = appt("Service visit");
    let mut b = base.clone();
    b.subject = "Service visit Huber".into();
    let mut e = base.clone();
    e.location = "Room 2".into();
    let plan = run(&Rules::default(), vec![linked(&base, Some(b), Some(e))]);
    let (to_ex, to_bus, new_base) = single_update(&plan);
    assert_eq!(fields(to_ex), ["subject"]);
    assert_eq!(fields(to_bus), ["location"]);
    assert_eq!(new_base.subject, "Service visit Huber");
    assert_eq!(new_base.location, "Room 2");
    assert_eq!(to_ex.map(|w| &w.item), Some(new_base));
    assert_eq!(to_bus.map(|w| &w.item), Some(new_base));
    assert!(plan.conflicts.is_empty() && plan.notices.is_empty());
}

fn body_rules(ownership: Ownership) -> Rules {
    let mut rules = Rules::default();
    rules
        .set_ownership(ItemKind::Appointment, "body", ownership)
        .expect("appointments have a body");
    rules
}

#[test]
fn a_business_owned_body_is_written_to_exchange_and_outlook_edits_are_overwritten() {
    let rules = body_rules(Ownership::BusinessToExchange);
    let mut base = appt("Visit");
    base.body = Body::text("from the ERP");
    // A business edit travels.
    let mut b = base.clone();
    b.body = Body::text("new ERP text");
    let plan = run(
        &rules,
        vec![linked(&base, Some(b.clone()), Some(base.clone()))],
    );
    let (to_ex, to_bus, _) = single_update(&plan);
    assert_eq!((fields(to_ex), fields(to_bus)), (vec!["body"], vec![]));
    // An Outlook edit is overwritten and reported, while its subject edit is imported.
    let mut e = base.clone();
    e.body = Body::text("typed in Outlook");
    e.subject = "Visit (moved)".into();
    let plan = run(&rules, vec![linked(&base, Some(base.clone()), Some(e))]);
    let (to_ex, to_bus, new_base) = single_update(&plan);
    assert_eq!(
        (fields(to_ex), fields(to_bus)),
        (vec!["body"], vec!["subject"])
    );
    assert_eq!(
        to_ex.map(|w| w.item.body.clone()),
        Some(Body::text("from the ERP"))
    );
    assert_eq!(new_base.body, Body::text("from the ERP"));
    assert_eq!(new_base.subject, "Visit (moved)");
    assert_eq!(
        plan.notices,
        [Notice {
            ids: ItemIds::from(&ids()),
            side: Side::Exchange,
            kind: NoticeKind::EditsOverwritten {
                fields: vec!["body"]
            },
            reason: Reason::Ownership,
        }]
    );
}

#[test]
fn export_only_body_travels_when_the_business_changes_it_and_outlook_edits_stay() {
    let rules = body_rules(Ownership::BusinessChangesToExchange);
    let mut base = appt("Visit");
    base.body = Body::text("from the ERP");
    // An Outlook edit alone: nothing is written either way, nothing is reported.
    let mut e = base.clone();
    e.body = Body::text("typed in Outlook");
    let plan = run(
        &rules,
        vec![linked(&base, Some(base.clone()), Some(e.clone()))],
    );
    assert!(
        plan.ops.is_empty() && plan.notices.is_empty() && plan.conflicts.is_empty(),
        "{plan:?}"
    );
    // With a subject edit in Outlook too: the subject is imported, the body stays.
    let mut e_subject = e.clone();
    e_subject.subject = "Visit (moved)".into();
    let plan = run(
        &rules,
        vec![linked(&base, Some(base.clone()), Some(e_subject))],
    );
    let (to_ex, to_bus, new_base) = single_update(&plan);
    assert_eq!((fields(to_ex), fields(to_bus)), (vec![], vec!["subject"]));
    assert_eq!(
        new_base.body,
        Body::text("from the ERP"),
        "the business text"
    );
    assert!(plan.notices.is_empty(), "{plan:?}");
    // A business edit of another field leaves Outlook's text in the Exchange write.
    let mut b = base.clone();
    b.location = "Room 1".into();
    let plan = run(&rules, vec![linked(&base, Some(b), Some(e.clone()))]);
    let (to_ex, _, _) = single_update(&plan);
    let to_ex = to_ex.expect("the location goes to Exchange");
    assert_eq!(to_ex.fields, ["location"]);
    assert_eq!(to_ex.item.body, Body::text("typed in Outlook"));
    // A business edit of the body travels; the Outlook edit it replaces is reported.
    let mut b = base.clone();
    b.body = Body::text("new ERP text");
    let plan = run(&rules, vec![linked(&base, Some(b), Some(e))]);
    let (to_ex, to_bus, new_base) = single_update(&plan);
    assert_eq!((fields(to_ex), fields(to_bus)), (vec!["body"], vec![]));
    assert_eq!(new_base.body, Body::text("new ERP text"));
    assert_eq!(
        plan.notices,
        [Notice {
            ids: ItemIds::from(&ids()),
            side: Side::Exchange,
            kind: NoticeKind::EditsOverwritten {
                fields: vec!["body"]
            },
            reason: Reason::Ownership,
        }]
    );
}

#[test]
fn body_never_written_keeps_each_sides_text_and_stays_quiet() {
    let rules = body_rules(Ownership::Never);
    let base = appt("Visit");
    let mut b = base.clone();
    b.body = Body::text("ERP text");
    let mut e = base.clone();
    e.body = Body::text("Outlook's own text");
    let plan = run(
        &rules,
        vec![linked(&base, Some(b.clone()), Some(e.clone()))],
    );
    assert!(plan.ops.is_empty() && plan.notices.is_empty(), "{plan:?}");
    // A create in Exchange does not send the body; a later edit elsewhere keeps both texts.
    let plan = run(
        &rules,
        vec![ItemState::new_in_business("b1", seen(b.clone()))],
    );
    match &plan.ops[..] {
        [Op::CreateInExchange { write, .. }] => {
            assert!(!write.fields.contains(&"body"));
            assert_eq!(
                write.fields.len(),
                Appointment::FIELDS.len() - 3,
                "nor meeting fields"
            );
        }
        other => panic!("{other:?}"),
    }
    let mut b2 = b.clone();
    b2.location = "Room 1".into();
    let plan = run(&rules, vec![linked(&base, Some(b2), Some(e.clone()))]);
    let (to_ex, _, _) = single_update(&plan);
    let to_ex = to_ex.expect("location goes to Exchange");
    assert_eq!(to_ex.fields, ["location"]);
    assert_eq!(
        to_ex.item.body, e.body,
        "Outlook's text is what Exchange keeps"
    );
}

#[test]
fn attendees_are_imported_but_never_exported() {
    let base = appt("Meeting");
    let attendee = Attendee {
        email: EmailAddress::new("kunde@example.org", "Kunde"),
        role: AttendeeRole::Required,
        response: AttendeeResponse::Accepted,
    };
    let mut e = base.clone();
    e.attendees = vec![attendee.clone()];
    let plan = run(
        &Rules::default(),
        vec![linked(&base, Some(base.clone()), Some(e))],
    );
    let (to_ex, to_bus, _) = single_update(&plan);
    assert_eq!((fields(to_ex), fields(to_bus)), (vec![], vec!["attendees"]));

    let mut b = base.clone();
    b.attendees = vec![attendee];
    let plan = run(
        &Rules::default(),
        vec![linked(&base, Some(b), Some(base.clone()))],
    );
    let (to_ex, to_bus, new_base) = single_update(&plan);
    assert_eq!((fields(to_ex), fields(to_bus)), (vec![], vec!["attendees"]));
    assert!(
        new_base.attendees.is_empty(),
        "Exchange's list is restored in the business app"
    );
    assert_eq!(plan.notices[0].reason, Reason::Ownership);
}

/// Business and Exchange both changed the subject; returns who won.
fn conflict_winner(policy: ConflictPolicy, b_at: Option<i64>, e_at: Option<i64>) -> Side {
    let base = appt("Visit");
    let b = Observed {
        item: appt("Visit (business)"),
        modified: b_at.map(at),
    };
    let e = Observed {
        item: appt("Visit (Exchange)"),
        modified: e_at.map(at),
    };
    let state = ItemState::linked(ids(), base, Some(b), Some(e));
    let plan = run(&with_policy(policy), vec![state]);
    let [
        Conflict {
            field: Some("subject"),
            winner,
            ..
        },
    ] = plan.conflicts[..]
    else {
        panic!("one conflict on the subject expected: {plan:?}");
    };
    let (to_ex, to_bus, new_base) = single_update(&plan);
    let expected_subject = match winner {
        Side::Business => "Visit (business)",
        Side::Exchange => "Visit (Exchange)",
    };
    assert_eq!(new_base.subject, expected_subject);
    assert_eq!(to_ex.is_some(), winner == Side::Business);
    assert_eq!(to_bus.is_some(), winner == Side::Exchange);
    winner
}

#[test]
fn each_policy_picks_its_winner_and_newest_wins_falls_back_to_business() {
    use ConflictPolicy::*;
    assert_eq!(
        conflict_winner(BusinessWins, Some(1), Some(5)),
        Side::Business
    );
    assert_eq!(
        conflict_winner(ExchangeWins, Some(5), Some(1)),
        Side::Exchange
    );
    assert_eq!(
        conflict_winner(NewestWins, Some(1), Some(5)),
        Side::Exchange
    );
    assert_eq!(
        conflict_winner(NewestWins, Some(5), Some(1)),
        Side::Business
    );
    assert_eq!(
        conflict_winner(NewestWins, Some(3), Some(3)),
        Side::Business,
        "tie"
    );
    assert_eq!(
        conflict_winner(NewestWins, None, Some(3)),
        Side::Business,
        "missing"
    );
    assert_eq!(
        conflict_winner(NewestWins, Some(3), None),
        Side::Business,
        "missing"
    );
    assert_eq!(
        conflict_winner(NewestWins, None, None),
        Side::Business,
        "both missing"
    );
}

#[test]
fn edit_versus_delete_follows_the_policy_and_newest_keeps_the_edit() {
    let base = appt("Visit");
    let edited = appt("Visit (edited)");
    let cases = [
        (ConflictPolicy::BusinessWins, false),
        (ConflictPolicy::ExchangeWins, true),
        (ConflictPolicy::NewestWins, true),
    ];
    for (policy, kept) in cases {
        // Business deleted, Exchange edited.
        let plan = run(
            &with_policy(policy),
            vec![linked(&base, None, Some(edited.clone()))],
        );
        let recreated = matches!(
            &plan.ops[..],
            [Op::CreateInBusiness {
                replaces: Some(_),
                ..
            }]
        );
        let deleted = matches!(&plan.ops[..], [Op::DeleteInExchange { .. }]);
        assert_eq!((recreated, deleted), (kept, !kept), "{policy:?}: {plan:?}");
        assert_eq!(plan.conflicts.len(), 1);
        assert_eq!(plan.conflicts[0].field, None);
    }
}

fn foreign(subject: &str) -> Appointment {
    let mut a = appt(subject);
    a.organizer = Some(EmailAddress::new("chef@kunde.example", "Chef"));
    a
}

#[test]
fn foreign_meetings_are_imported_but_business_edits_never_written_back() {
    let base = foreign("Jour fixe");
    // The business app edits subject; Exchange edits location: location comes in, the subject
    // is restored from Exchange and the edit reported.
    let mut b = base.clone();
    b.subject = "Jour fixe (mine)".into();
    let mut e = base.clone();
    e.location = "Room 3".into();
    let plan = run(
        &Rules::default(),
        vec![linked(&base, Some(b), Some(e.clone()))],
    );
    let (to_ex, to_bus, new_base) = single_update(&plan);
    assert!(to_ex.is_none(), "nothing is written to a foreign meeting");
    assert_eq!(fields(to_bus), ["subject", "location"]);
    assert_eq!(new_base, &e);
    assert_eq!(
        plan.notices,
        [Notice {
            ids: ItemIds::from(&ids()),
            side: Side::Business,
            kind: NoticeKind::EditsOverwritten {
                fields: vec!["subject"]
            },
            reason: Reason::ForeignMeeting,
        }]
    );
    // New foreign meetings are imported; the business app deleting one re-creates it.
    let plan = run(
        &Rules::default(),
        vec![ItemState::new_in_exchange("e9", seen(base.clone()))],
    );
    assert!(matches!(&plan.ops[..], [Op::CreateInBusiness { .. }]));
    let plan = run(
        &Rules::default(),
        vec![linked(&base, None, Some(base.clone()))],
    );
    assert!(matches!(
        &plan.ops[..],
        [Op::CreateInBusiness {
            replaces: Some(_),
            ..
        }]
    ));
    assert_eq!(plan.notices[0].kind, NoticeKind::DeletionUndone);
    assert_eq!(plan.notices[0].reason, Reason::ForeignMeeting);
    // The organizer cancelling it (gone in Exchange) deletes it in the business app.
    let plan = run(
        &Rules::default(),
        vec![linked(&base, Some(base.clone()), None)],
    );
    assert!(matches!(&plan.ops[..], [Op::DeleteInBusiness { .. }]));
    // The mailbox's own meetings are not foreign.
    let mut own = appt("Own");
    own.organizer = Some(EmailAddress::new(MAILBOX.to_uppercase(), "Eva"));
    let mut own_b = own.clone();
    own_b.subject = "Own (edited)".into();
    let plan = run(
        &Rules::default(),
        vec![linked(&own, Some(own_b), Some(own.clone()))],
    );
    assert_eq!(fields(single_update(&plan).0), ["subject"]);
}

#[test]
fn foreign_meetings_under_export_travel_nowhere_and_are_reported() {
    let rules = rules(Direction::Export);
    let base = foreign("Jour fixe");
    let mut b = base.clone();
    b.subject = "Jour fixe (mine)".into();
    let plan = run(&rules, vec![linked(&base, Some(b), Some(base.clone()))]);
    assert!(plan.ops.is_empty());
    assert_eq!(
        plan.notices,
        [Notice {
            ids: ItemIds::from(&ids()),
            side: Side::Business,
            kind: NoticeKind::EditsNotSynced {
                fields: vec!["subject"]
            },
            reason: Reason::ForeignMeeting,
        }]
    );
}

fn series(interval: u32) -> Series {
    Series::new(Recurrence {
        pattern: Pattern::Daily { interval },
        range: Range::NoEnd,
        time_zone: None,
    })
}

#[test]
fn a_series_travels_as_one_field_and_two_series_edits_conflict() {
    let mut base = appt("Daily stand-up");
    base.series = Some(series(1));
    let mut b = base.clone();
    b.series = Some(series(2)); // pattern changed in the ERP
    let mut e = base.clone();
    let cancelled = at_hour(9).local + chrono::Duration::days(3);
    if let Some(s) = e.series.as_mut() {
        s.cancelled.insert(cancelled); // an occurrence deleted in Outlook
    }
    let plan = run(
        &Rules::default(),
        vec![linked(&base, Some(b.clone()), Some(e.clone()))],
    );
    assert_eq!(plan.conflicts.len(), 1);
    assert_eq!(plan.conflicts[0].field, Some("series"));
    let (to_ex, to_bus, new_base) = single_update(&plan);
    assert_eq!(fields(to_ex), ["series"]);
    assert!(to_bus.is_none());
    assert_eq!(new_base.series, b.series, "the winner's series, whole");

    // One side's series edit travels whole, with its exceptions.
    let plan = run(
        &Rules::default(),
        vec![linked(&base, Some(base.clone()), Some(e.clone()))],
    );
    let (_, to_bus, _) = single_update(&plan);
    let to_bus = to_bus.expect("goes to the business app");
    assert_eq!(to_bus.fields, ["series"]);
    assert_eq!(to_bus.item.series, e.series);

    // The same series edit on both sides only moves the base.
    let plan = run(
        &Rules::default(),
        vec![linked(&base, Some(e.clone()), Some(e.clone()))],
    );
    assert_eq!(
        plan.ops,
        [Op::SetBase {
            ids: ids(),
            base: e
        }]
    );
}

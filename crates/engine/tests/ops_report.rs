//! What the runtime reads off a plan: what to commit per op, the one follow-up a create needs
//! when the target filled defaults the rules let it own, the report entries for foreign
//! meetings that travel nowhere, and the JSON a plan is logged as.

mod common;

use chrono::NaiveDate;
use common::*;
use exsync_engine::{
    Commit, Direction, ItemIds, ItemState, Notice, NoticeKind, Op, Reason, Rules, Side,
};
use exsync_model::{
    Appointment, Attendee, AttendeeResponse, AttendeeRole, EmailAddress, TimeZoneName,
    ZonedDateTime,
};

fn appt(subject: &str) -> Appointment {
    let start = NaiveDate::from_ymd_opt(2026, 5, 4)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("valid time");
    let zone = TimeZoneName::utc();
    Appointment::timed(
        subject,
        ZonedDateTime::new(start, zone.clone()),
        ZonedDateTime::new(start + chrono::Duration::hours(1), zone),
    )
}

fn foreign(subject: &str) -> Appointment {
    let mut a = appt(subject);
    a.organizer = Some(EmailAddress::new("chef@kunde.example", "Chef"));
    a
}

#[test]
fn creates_commit_the_written_item_and_deletions_forget_the_link() {
    let item = appt("Visit");
    let plan = run(
        &Rules::default(),
        vec![ItemState::new_in_business("b1", seen(item.clone()))],
    );
    let [op @ Op::CreateInExchange { .. }] = &plan.ops[..] else {
        panic!("{plan:?}");
    };
    assert_eq!(op.commit(), Commit::Base(&item));
    assert!(op.writes_to(Side::Exchange) && !op.writes_to(Side::Business));
    assert_eq!(
        op.ids(),
        ItemIds {
            business: Some("b1".into()),
            exchange: None
        }
    );
    let gone = run(
        &Rules::default(),
        vec![ItemState::linked(
            ids(),
            item.clone(),
            Some(seen(item)),
            None,
        )],
    );
    assert_eq!(gone.ops[0].commit(), Commit::Forget);
    assert_eq!(gone.ops[0].deletes_on(), Some(Side::Business));
}

/// A create in Exchange does not write attendees (Exchange owns them); when Exchange holds
/// none, the next pass brings that back to the business record, once, without a report.
#[test]
fn a_create_is_followed_once_by_the_targets_own_fields() {
    let mut item = appt("Visit");
    item.attendees = vec![Attendee {
        email: EmailAddress::new("kunde@example.org", "Kunde"),
        role: AttendeeRole::Required,
        response: AttendeeResponse::None,
    }];
    let plan = run(
        &Rules::default(),
        vec![ItemState::new_in_business("b1", seen(item.clone()))],
    );
    let Some(Op::CreateInExchange { write, .. }) = plan.ops.first() else {
        panic!("{plan:?}");
    };
    assert!(!write.fields.contains(&"attendees"));
    // Exchange created it without attendees.
    let mut created = item.clone();
    created.attendees.clear();
    let next = ItemState::linked(
        ids(),
        item.clone(),
        Some(seen(item)),
        Some(seen(created.clone())),
    );
    let plan = run(&Rules::default(), vec![next]);
    match &plan.ops[..] {
        [
            Op::Update {
                exchange: None,
                business: Some(w),
                base,
                ..
            },
        ] => {
            assert_eq!(w.fields, ["attendees"]);
            assert_eq!(base, &created);
        }
        other => panic!("{other:?}"),
    }
    assert!(plan.notices.is_empty(), "nobody's edit was lost");
    let settled = ItemState::linked(
        ids(),
        created.clone(),
        Some(seen(created.clone())),
        Some(seen(created)),
    );
    assert!(run(&Rules::default(), vec![settled]).ops.is_empty());
}

#[test]
fn foreign_meetings_outside_their_direction_are_reported_not_written() {
    // A business record of someone else's meeting whose Exchange twin is gone is not exported.
    let plan = run(
        &Rules::default(),
        vec![ItemState::new_in_business("b1", seen(foreign("Jour fixe")))],
    );
    assert!(plan.ops.is_empty());
    assert_eq!(
        plan.notices,
        [Notice {
            ids: ItemIds {
                business: Some("b1".into()),
                exchange: None
            },
            side: Side::Business,
            kind: NoticeKind::NotCreated,
            reason: Reason::ForeignMeeting,
        }]
    );
    // Under export a foreign meeting travels nowhere: a business deletion only drops the link.
    let base = foreign("Jour fixe");
    let plan = run(
        &rules(Direction::Export),
        vec![ItemState::linked(
            ids(),
            base.clone(),
            None,
            Some(seen(base)),
        )],
    );
    assert_eq!(plan.ops, [Op::Unlink { ids: ids() }]);
    assert_eq!(plan.notices[0].kind, NoticeKind::DeletionNotPropagated);
    assert_eq!(plan.notices[0].reason, Reason::ForeignMeeting);
}

#[test]
fn a_plan_serializes_for_the_log() {
    let base = task("base");
    let plan = run(
        &Rules::default(),
        vec![ItemState::linked(
            ids(),
            base.clone(),
            Some(seen(task("b"))),
            Some(seen(task("e"))),
        )],
    );
    let json = serde_json::to_value(&plan).expect("serializes");
    assert_eq!(json["kind"], "task");
    assert_eq!(json["ops"][0]["op"], "update");
    assert_eq!(
        json["ops"][0]["exchange"]["fields"],
        serde_json::json!(["subject"])
    );
    assert_eq!(
        json["conflicts"][0],
        serde_json::json!({"ids": {"business": "b1", "exchange": "e1"}, "field": "subject", "winner": "business"})
    );
}

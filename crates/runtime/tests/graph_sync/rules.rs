//! The configured rules at work end to end: the body rule (`export_only` by default: a
//! business body change is written to Exchange, an Outlook body edit stays in Outlook and is
//! not imported; `both`: it arrives; `never`: no body is written to Exchange), the appointment direction (`export`, `import`, `off`), meetings
//! someone else organises (imported; business edits are not written back but reported), and
//! the conflict policy on one field edited on both sides.

use exsync_business::Origin;
use exsync_config::{BodyRule, Config, ConflictPolicy, Direction};
use exsync_model::{Appointment, Body, BusinessId};
use exsync_runtime::rules_from_config;
use serde_json::{Value, json};

use crate::appointments::meeting;
use crate::common::{Backend, World, describe, quiet, total};

fn configure(world: &mut World, change: impl FnOnce(&mut Config)) {
    let mut config = Config::default();
    change(&mut config);
    world.rules = rules_from_config(&config).expect("rules");
}

fn with_body(subject: &str, body: &str) -> Appointment {
    let mut item = meeting(subject, "2027-02-15 10:00", "2027-02-15 11:00");
    item.body = Body::text(body);
    item
}

async fn put(world: &World, id: &str, item: &Appointment) {
    world
        .business
        .upsert_appointment(
            world.login(0),
            &BusinessId::from(id),
            item,
            Origin::Business,
        )
        .await
        .expect("written");
}

async fn business_item(world: &World, id: &str) -> Appointment {
    world
        .business
        .get_appointment(&BusinessId::from(id))
        .await
        .expect("read")
        .expect("there")
        .item
}

async fn event(world: &World, subject: &str) -> Value {
    let mut found = world.outlook.events_titled(world.mailbox(0), subject).await;
    assert_eq!(found.len(), 1, "one event {subject:?}");
    found.remove(0)
}

async fn edit_body_in_outlook(world: &World, subject: &str, text: &str) {
    let id = event(world, subject).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    world
        .outlook
        .patch(
            &format!("/users/{}/events/{id}", world.mailbox(0)),
            json!({"body": {"contentType": "text", "content": text}}),
        )
        .await;
}

fn body_text(event: &Value) -> String {
    event["body"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn body_export_only_keeps_outlook_edits_on(backend: Backend) {
    let Some(world) = World::on(backend).await else {
        return;
    };
    put(
        &world,
        "B-1",
        &with_body("Kick-off", "Agenda: scope, budget"),
    )
    .await;
    world.sync().await;
    assert!(body_text(&event(&world, "Kick-off").await).contains("Agenda: scope, budget"));

    // An Outlook edit of the body stays in Outlook and is not imported.
    edit_body_in_outlook(&world, "Kick-off", "My private notes").await;
    let outcome = world.sync().await;
    assert!(quiet(&outcome), "{}", describe(&outcome));
    assert!(
        outcome.reports.iter().all(|r| r.notices.is_empty()),
        "nothing is overwritten, so nothing is reported:\n{}",
        describe(&outcome)
    );
    let text = body_text(&event(&world, "Kick-off").await);
    assert!(text.contains("My private notes"), "{text}");
    assert_eq!(
        business_item(&world, "B-1").await.body.content,
        "Agenda: scope, budget"
    );

    // A business edit of another field travels without touching Outlook's body.
    let mut moved = with_body("Kick-off", "Agenda: scope, budget");
    moved.location = "Room 4".into();
    put(&world, "B-1", &moved).await;
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.exchange.updated),
        1,
        "{}",
        describe(&outcome)
    );
    let after = event(&world, "Kick-off").await;
    assert_eq!(after["location"]["displayName"], "Room 4");
    assert!(body_text(&after).contains("My private notes"), "{after}");

    // A business edit of the body is written to Exchange.
    let mut rewritten = moved.clone();
    rewritten.body = Body::text("Agenda: scope, budget, staffing");
    put(&world, "B-1", &rewritten).await;
    let outcome = world.sync().await;
    assert_eq!(
        (
            total(&outcome, |r| r.exchange.updated),
            total(&outcome, |r| r.business.updated)
        ),
        (1, 0),
        "{}",
        describe(&outcome)
    );
    let text = body_text(&event(&world, "Kick-off").await);
    assert!(text.contains("Agenda: scope, budget, staffing"), "{text}");
    assert!(!text.contains("My private notes"), "{text}");
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
    world.finish().await;
}

#[tokio::test]
async fn by_default_an_outlook_body_edit_stays_in_outlook_until_the_business_body_changes() {
    body_export_only_keeps_outlook_edits_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn by_default_an_outlook_body_edit_stays_in_outlook_on_postgres() {
    body_export_only_keeps_outlook_edits_on(Backend::Postgres).await;
}

#[tokio::test]
async fn with_body_both_an_outlook_body_edit_arrives() {
    let mut world = World::new().await;
    configure(&mut world, |c| c.sync.body = BodyRule::Both);
    put(
        &world,
        "B-2",
        &with_body("Kick-off", "Agenda: scope, budget"),
    )
    .await;
    world.sync().await;
    edit_body_in_outlook(&world, "Kick-off", "Agenda: scope, budget, staffing").await;
    let outcome = world.sync().await;
    assert_eq!(
        (
            total(&outcome, |r| r.business.updated),
            total(&outcome, |r| r.exchange.updated)
        ),
        (1, 0),
        "{}",
        describe(&outcome)
    );
    assert_eq!(
        business_item(&world, "B-2").await.body.content.trim(),
        "Agenda: scope, budget, staffing"
    );
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
}

#[tokio::test]
async fn with_body_never_no_body_is_written_to_exchange() {
    let mut world = World::new().await;
    configure(&mut world, |c| c.sync.body = BodyRule::Never);
    put(
        &world,
        "B-3",
        &with_body("Kick-off", "Internal: margin 12%"),
    )
    .await;
    world.sync().await;
    assert!(
        !body_text(&event(&world, "Kick-off").await).contains("margin"),
        "the body stays in the business application"
    );
    let mut edited = with_body("Kick-off", "Internal: margin 14%");
    edited.location = "Room 4".into();
    put(&world, "B-3", &edited).await;
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.exchange.updated),
        1,
        "the location travels:\n{}",
        describe(&outcome)
    );
    let after = event(&world, "Kick-off").await;
    assert_eq!(after["location"]["displayName"], "Room 4");
    assert!(!body_text(&after).contains("margin"), "{after}");
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
}

/// A business appointment and an Outlook event, synced once under `direction`.
async fn one_each_under(direction: Direction) -> (World, (usize, usize)) {
    let mut world = World::new().await;
    configure(&mut world, |c| c.sync.appointments = direction);
    put(
        &world,
        "D-1",
        &meeting(
            "From the business app",
            "2027-02-16 10:00",
            "2027-02-16 11:00",
        ),
    )
    .await;
    world
        .outlook
        .create_event(
            world.mailbox(0),
            "From Outlook",
            "2027-02-17T10:00:00",
            "2027-02-17T11:00:00",
        )
        .await;
    let outcome = world.sync().await;
    let counts = (
        total(&outcome, |r| r.exchange.created),
        total(&outcome, |r| r.business.created),
    );
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
    (world, counts)
}

#[tokio::test]
async fn the_appointment_direction_decides_what_travels() {
    let (world, export) = one_each_under(Direction::Export).await;
    assert_eq!(export, (1, 0), "export: only business -> Exchange");
    assert_eq!(
        world
            .outlook
            .events_titled(world.mailbox(0), "From the business app")
            .await
            .len(),
        1
    );
    let (world, import) = one_each_under(Direction::Import).await;
    assert_eq!(import, (0, 1), "import: only Exchange -> business");
    assert!(
        world
            .outlook
            .events_titled(world.mailbox(0), "From the business app")
            .await
            .is_empty()
    );
    let (world, off) = one_each_under(Direction::Off).await;
    assert_eq!(off, (0, 0), "off: nothing");
    assert_eq!(world.outlook.events(world.mailbox(0)).await.len(), 1);
}

#[tokio::test]
async fn a_meeting_someone_else_organises_is_imported_and_never_written_back() {
    let world = World::new().await;
    let mailbox = world.mailbox(0);
    // The emulator takes the organizer given on POST (a real mailbox only gets such an event
    // as an invitation; the result — `isOrganizer: false` — is the same).
    let created = world
        .outlook
        .post(
            &format!("/users/{mailbox}/events"),
            json!({
                "subject": "Supplier audit",
                "start": {"dateTime": "2027-02-18T09:00:00", "timeZone": "W. Europe Standard Time"},
                "end": {"dateTime": "2027-02-18T10:00:00", "timeZone": "W. Europe Standard Time"},
                "organizer": {"emailAddress": {"address": "quality@supplier.example", "name": "Quality"}},
                "attendees": [{
                    "emailAddress": {"address": mailbox, "name": "Me"},
                    "type": "required",
                }],
            }),
        )
        .await;
    assert_eq!(created["isOrganizer"], false, "{created}");
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.business.created),
        1,
        "{}",
        describe(&outcome)
    );
    let (id, mut imported) = world
        .business
        .list_appointments(world.login(0), None)
        .await
        .expect("listing")
        .into_iter()
        .map(|row| row.expect("a clean row"))
        .find(|(_, item)| item.subject == "Supplier audit")
        .expect("imported");
    assert_eq!(
        imported.organizer.as_ref().map(|o| o.address.as_str()),
        Some("quality@supplier.example")
    );

    imported.subject = "Supplier audit (prepare the files)".into();
    world
        .business
        .upsert_appointment(world.login(0), &id, &imported, Origin::Business)
        .await
        .expect("written");
    let edited = world.sync().await;
    assert_eq!(
        total(&edited, |r| r.exchange.updated + r.exchange.created),
        0,
        "nothing is written to someone else's meeting:\n{}",
        describe(&edited)
    );
    assert!(
        edited
            .reports
            .iter()
            .any(|r| r.notices.iter().any(|n| n.contains("ForeignMeeting"))),
        "the edit that stays behind is reported:\n{}",
        describe(&edited)
    );
    assert_eq!(
        world
            .outlook
            .events_titled(mailbox, "Supplier audit")
            .await
            .len(),
        1,
        "Outlook keeps the organizer's version"
    );
}

/// The subject edited in both places before one pass, under `policy`; returns the subject
/// both sides hold afterwards.
async fn both_edit_the_subject(policy: ConflictPolicy, outlook_last: bool) -> String {
    let mut world = World::new().await;
    configure(&mut world, |c| c.sync.conflict = policy);
    put(
        &world,
        "C-1",
        &meeting("Review", "2027-02-19 10:00", "2027-02-19 11:00"),
    )
    .await;
    world.sync().await;
    let id = event(&world, "Review").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let edit_outlook = async {
        world
            .outlook
            .patch(
                &format!("/users/{}/events/{id}", world.mailbox(0)),
                json!({"subject": "Review (Outlook)"}),
            )
            .await;
    };
    let business = meeting("Review (business)", "2027-02-19 10:00", "2027-02-19 11:00");
    if outlook_last {
        put(&world, "C-1", &business).await;
        edit_outlook.await;
    } else {
        edit_outlook.await;
        put(&world, "C-1", &business).await;
    }
    let outcome = world.sync().await;
    assert!(
        outcome
            .reports
            .iter()
            .any(|r| r.notices.iter().any(|n| n.contains("conflict on"))),
        "the conflict is reported:\n{}",
        describe(&outcome)
    );
    let kept = business_item(&world, "C-1").await.subject;
    let in_outlook = world
        .outlook
        .get(&format!("/users/{}/events/{id}", world.mailbox(0)))
        .await["subject"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(kept, in_outlook, "both sides agree");
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
    kept
}

#[tokio::test]
async fn the_conflict_policy_picks_the_subject_edited_on_both_sides() {
    assert_eq!(
        both_edit_the_subject(ConflictPolicy::BusinessWins, true).await,
        "Review (business)"
    );
    assert_eq!(
        both_edit_the_subject(ConflictPolicy::ExchangeWins, false).await,
        "Review (Outlook)"
    );
    // Newest wins, the business edit being the newer one.
    assert_eq!(
        both_edit_the_subject(ConflictPolicy::NewestWins, false).await,
        "Review (business)"
    );
}

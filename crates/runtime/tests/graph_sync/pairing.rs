//! Switching over from another sync tool: the mailbox and the business database already hold
//! the same appointments (with a weekly series), tasks and contacts. The first pass pairs
//! them — no copies on either side, each Exchange item stamped with its business id — and a
//! difference within a pair is an update. Ambiguous candidates are left alone and reported.
//! On SQLite and PostgreSQL.

use chrono::{NaiveDateTime, Weekday};
use exsync_business::Origin;
use exsync_model::{
    Appointment, Body, BusinessId, Contact, EmailAddress, Pattern, Range, Recurrence, Series, Task,
    TimeZoneName, WeekdaySet, ZonedDateTime,
};
use serde_json::{Value, json};

use crate::common::{Backend, World, connector_with_folder, describe, quiet, total};

fn berlin(text: &str) -> ZonedDateTime {
    ZonedDateTime::new(
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("time"),
        TimeZoneName::new("Europe/Berlin").expect("zone"),
    )
}

/// The i-th of 20 appointments: weekdays in March and April 2027, 09:00 or 14:00.
fn nth(i: usize) -> (String, String, String) {
    let day = 1 + (i % 20);
    let hour = if i.is_multiple_of(2) { 9 } else { 14 };
    (
        format!("Kundentermin {i}"),
        format!("2027-03-{day:02} {hour:02}:00"),
        format!("2027-03-{day:02} {:02}:30", hour + 1),
    )
}

fn jour_fixe() -> Appointment {
    let mut item = Appointment::timed(
        "Jour fixe",
        berlin("2027-03-01 08:00"),
        berlin("2027-03-01 08:30"),
    );
    item.series = Some(Series::new(Recurrence {
        pattern: Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::single(Weekday::Mon),
            first_day_of_week: Weekday::Mon,
        },
        range: Range::NoEnd,
        time_zone: None,
    }));
    item
}

/// What the earlier tool left: 20 appointments and a weekly series in the business database
/// and the same in the mailbox (written as a plain Graph client would, so without exsync's
/// stamp; no reminder, as the business records have none). Appointment 3 has another
/// location in Outlook.
async fn switch_over_world(backend: Backend) -> Option<World> {
    let world = World::on(backend).await?;
    let (login, mailbox) = (world.login(0).to_owned(), world.mailbox(0).to_owned());
    for i in 0..20 {
        let (subject, start, end) = nth(i);
        let mut item = Appointment::timed(subject.clone(), berlin(&start), berlin(&end));
        item.location = "Büro".into();
        item.body = Body::text("Agenda: Angebot");
        world
            .business
            .upsert_appointment(
                &login,
                &BusinessId::from(format!("A-{i}")),
                &item,
                Origin::Business,
            )
            .await
            .expect("business appointment");
        let location = if i == 3 { "Beim Kunden" } else { "Büro" };
        world
            .outlook
            .post(
                &format!("/users/{mailbox}/events"),
                json!({
                    "subject": subject,
                    "location": {"displayName": location},
                    "body": {"contentType": "text", "content": "Agenda: Angebot"},
                    "isReminderOn": false,
                    "start": {"dateTime": start.replace(' ', "T"), "timeZone": "W. Europe Standard Time"},
                    "end": {"dateTime": end.replace(' ', "T"), "timeZone": "W. Europe Standard Time"},
                }),
            )
            .await;
    }
    world
        .business
        .upsert_appointment(
            &login,
            &BusinessId::from("S-1"),
            &jour_fixe(),
            Origin::Business,
        )
        .await
        .expect("business series");
    world
        .outlook
        .post(
            &format!("/users/{mailbox}/events"),
            json!({
                "subject": "Jour fixe",
                "start": {"dateTime": "2027-03-01T08:00:00", "timeZone": "W. Europe Standard Time"},
                "end": {"dateTime": "2027-03-01T08:30:00", "timeZone": "W. Europe Standard Time"},
                "isReminderOn": false,
                "recurrence": {
                    "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "firstDayOfWeek": "monday"},
                    "range": {"type": "noEnd", "startDate": "2027-03-01"}
                }
            }),
        )
        .await;
    Some(world)
}

async fn stamped_events(world: &World, mailbox: &str) -> Vec<Value> {
    let property = exsync_graph::wire::BUSINESS_ID_PROPERTY;
    let page = world
        .outlook
        .get(&format!(
            "/users/{mailbox}/events?$top=1000&$expand=singleValueExtendedProperties($filter=id eq '{property}')"
        ))
        .await;
    page["value"].as_array().cloned().unwrap_or_default()
}

fn stamp_of(event: &Value) -> Option<&str> {
    event["singleValueExtendedProperties"].as_array()?.first()?["value"].as_str()
}

async fn first_sync_pairs_appointments_and_series(backend: Backend) {
    let Some(mut world) = switch_over_world(backend).await else {
        return;
    };
    // The conflict policy settles a pair's differences; Outlook's side here.
    world.rules.set_policy(
        exsync_model::ItemKind::Appointment,
        exsync_engine::ConflictPolicy::ExchangeWins,
    );
    let (login, mailbox) = (world.login(0), world.mailbox(0));
    let first = world.sync().await;
    assert_eq!(
        total(&first, |r| r.exchange.created),
        0,
        "{}",
        describe(&first)
    );
    assert_eq!(
        total(&first, |r| r.business.created),
        0,
        "{}",
        describe(&first)
    );
    assert_eq!(total(&first, |r| r.paired), 21, "{}", describe(&first));
    // The one difference (another location in Outlook) is an update of the business record
    // under the conflict policy, not a copy.
    assert_eq!(
        (
            total(&first, |r| r.business.updated),
            total(&first, |r| r.exchange.updated)
        ),
        (1, 0),
        "{}",
        describe(&first)
    );
    let events = stamped_events(&world, mailbox).await;
    assert_eq!(events.len(), 21, "no copies in Outlook");
    let mut stamps: Vec<&str> = events.iter().filter_map(stamp_of).collect();
    stamps.sort_unstable();
    assert_eq!(
        stamps.len(),
        21,
        "every paired event carries its business id"
    );
    assert!(
        stamps.contains(&"S-1") && stamps.contains(&"A-3"),
        "{stamps:?}"
    );
    let business = world
        .business
        .list_appointments(login, None)
        .await
        .expect("listed");
    assert_eq!(business.len(), 21, "no copies in the business database");
    let paired_three = business
        .into_iter()
        .filter_map(Result::ok)
        .find(|(id, _)| id.as_str() == "A-3")
        .expect("A-3");
    assert_eq!(paired_three.1.location, "Beim Kunden");
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
    world.finish().await;
}

#[tokio::test]
async fn the_first_sync_pairs_what_both_sides_hold_on_sqlite() {
    first_sync_pairs_appointments_and_series(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_first_sync_pairs_what_both_sides_hold_on_postgres() {
    first_sync_pairs_appointments_and_series(Backend::Postgres).await;
}

#[tokio::test]
async fn two_matching_outlook_items_are_reported_and_neither_is_linked_or_copied() {
    let world = World::new().await;
    let (login, mailbox) = (world.login(0), world.mailbox(0));
    let item = Appointment::timed(
        "Kundentermin",
        berlin("2027-03-02 09:00"),
        berlin("2027-03-02 10:00"),
    );
    world
        .business
        .upsert_appointment(login, &BusinessId::from("4711"), &item, Origin::Business)
        .await
        .expect("business appointment");
    let mut copies = Vec::new();
    for _ in 0..2 {
        let created = world
            .outlook
            .create_event(
                mailbox,
                "Kundentermin",
                "2027-03-02T09:00:00",
                "2027-03-02T10:00:00",
            )
            .await;
        copies.push(created["id"].as_str().expect("id").to_owned());
    }
    for pass in 0..2 {
        let outcome = world.sync_allowing_failures().await;
        assert!(outcome.failed(), "an ambiguity is not a success");
        let ambiguous: Vec<&str> = outcome
            .reports
            .iter()
            .flat_map(|r| r.ambiguous.iter().map(|a| a.reason.as_str()))
            .collect();
        assert_eq!(ambiguous.len(), 1, "pass {pass}: {}", describe(&outcome));
        assert!(
            ambiguous[0].starts_with("2 Outlook items (")
                && ambiguous[0].contains("match business appointment 4711 \"Kundentermin\" on 2027-03-02 09:00; linked none of them"),
            "{}",
            ambiguous[0]
        );
        assert_eq!(
            total(&outcome, |r| r.exchange.created + r.business.created),
            0
        );
        assert_eq!(
            world
                .outlook
                .events_titled(mailbox, "Kundentermin")
                .await
                .len(),
            2
        );
        assert_eq!(
            world
                .business
                .list_appointments(login, None)
                .await
                .expect("listed")
                .len(),
            1
        );
    }
    // The admin removes the extra copy; the next pass pairs what is left.
    world
        .outlook
        .delete(&format!("/users/{mailbox}/events/{}", copies[1]))
        .await;
    let resolved = world.sync().await;
    assert_eq!(total(&resolved, |r| r.paired), 1, "{}", describe(&resolved));
    assert_eq!(
        total(&resolved, |r| r.exchange.created + r.business.created),
        0
    );
}

#[tokio::test]
async fn a_dry_run_shows_pairs_and_ambiguities_and_writes_nothing() {
    let Some(world) = switch_over_world(Backend::Sqlite).await else {
        return;
    };
    let mailbox = world.mailbox(0);
    world
        .outlook
        .create_event(
            mailbox,
            "Kundentermin 5",
            "2027-03-06T14:00:00",
            "2027-03-06T15:30:00",
        )
        .await;
    let outcome = exsync_runtime::sync_once(
        &world.business,
        &world.state,
        &world.rules,
        &world.sync,
        &world.connector,
        &exsync_runtime::OnceOptions {
            dry_run: true,
            ..exsync_runtime::OnceOptions::default()
        },
        world.now,
    )
    .await
    .expect("the run starts");
    let text = describe(&outcome);
    assert!(text.contains("paired 20"), "{text}");
    assert!(
        text.contains("not paired: 2 Outlook items (") && text.contains("business appointment A-5"),
        "{text}"
    );
    let unstamped = stamped_events(&world, mailbox)
        .await
        .iter()
        .filter(|e| stamp_of(e).is_none())
        .count();
    assert_eq!(unstamped, 22, "a dry run stamps nothing");
}

#[tokio::test]
async fn without_pair_existing_the_items_are_copied() {
    let Some(mut world) = switch_over_world(Backend::Sqlite).await else {
        return;
    };
    world.sync.pair_existing = false;
    let outcome = world.sync().await;
    assert_eq!(total(&outcome, |r| r.paired), 0);
    assert_eq!(
        total(&outcome, |r| r.exchange.created),
        21,
        "{}",
        describe(&outcome)
    );
    assert_eq!(
        total(&outcome, |r| r.business.created),
        21,
        "{}",
        describe(&outcome)
    );
}

async fn tasks_and_adopted_contacts_pair(backend: Backend) {
    let Some(mut world) = World::on(backend).await else {
        return;
    };
    let (login, mailbox) = (world.login(0).to_owned(), world.mailbox(0).to_owned());
    world
        .only_first_user_and(exsync_model::ItemKind::Task)
        .await;
    world.rules.set_direction(
        exsync_model::ItemKind::Contact,
        exsync_engine::Direction::Export,
    );
    // Tasks: one the same on both sides, one only in the business database.
    let mut offer = Task::new("Angebot an Huber GmbH");
    offer.due = Some(berlin("2027-03-05 00:00"));
    world
        .business
        .upsert_task(&login, &BusinessId::from("T-1"), &offer, Origin::Business)
        .await
        .expect("task");
    world
        .business
        .upsert_task(
            &login,
            &BusinessId::from("T-2"),
            &Task::new("Rückruf Maier"),
            Origin::Business,
        )
        .await
        .expect("task");
    let lists = world
        .outlook
        .get(&format!("/users/{mailbox}/todo/lists"))
        .await;
    let list = lists["value"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["wellknownListName"] == "defaultList")
        .and_then(|l| l["id"].as_str())
        .expect("default list")
        .to_owned();
    world
        .outlook
        .post(
            &format!("/users/{mailbox}/todo/lists/{list}/tasks"),
            json!({
                "title": "Angebot an Huber GmbH",
                "dueDateTime": {"dateTime": "2027-03-05T00:00:00", "timeZone": "W. Europe Standard Time"}
            }),
        )
        .await;
    // Contacts: the old address sync's folder "Firmenadressen", adopted by naming it.
    let folder = world
        .outlook
        .post(
            &format!("/users/{mailbox}/contactFolders"),
            json!({"displayName": "Firmenadressen"}),
        )
        .await;
    let folder = folder["id"].as_str().expect("folder id").to_owned();
    for (given, surname, mail) in [
        ("Eva", "Huber", "eva.huber@huber.example"),
        ("Jan", "Ohm", ""),
    ] {
        let mut contact = Contact {
            given_name: given.into(),
            surname: surname.into(),
            display_name: format!("{given} {surname}"),
            company: "Huber GmbH".into(),
            ..Contact::default()
        };
        let mut body = json!({
            "givenName": given, "surname": surname, "displayName": format!("{given} {surname}"),
            "companyName": "Huber GmbH"
        });
        if !mail.is_empty() {
            contact.emails.push(EmailAddress::new(mail, ""));
            body["emailAddresses"] = json!([{"address": mail.to_uppercase(), "name": ""}]);
        }
        world
            .business
            .upsert_contact(
                &BusinessId::from(format!("K-{given}")),
                &contact,
                Origin::Business,
            )
            .await
            .expect("contact");
        world
            .outlook
            .post(
                &format!("/users/{mailbox}/contactFolders/{folder}/contacts"),
                body,
            )
            .await;
    }
    world.connector = connector_with_folder(&world.emu, "Firmenadressen");
    let first = world.sync().await;
    assert_eq!(total(&first, |r| r.paired), 3, "{}", describe(&first));
    assert_eq!(
        total(&first, |r| r.exchange.created),
        1,
        "only T-2 is new: {}",
        describe(&first)
    );
    assert_eq!(
        total(&first, |r| r.business.created),
        0,
        "{}",
        describe(&first)
    );
    let tasks = world
        .outlook
        .get(&format!("/users/{mailbox}/todo/lists/{list}/tasks"))
        .await;
    assert_eq!(tasks["value"].as_array().map(Vec::len), Some(2));
    let contacts = world
        .outlook
        .get(&format!(
            "/users/{mailbox}/contactFolders/{folder}/contacts"
        ))
        .await;
    assert_eq!(
        contacts["value"].as_array().map(Vec::len),
        Some(2),
        "no copies"
    );
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
    world.finish().await;
}

#[tokio::test]
async fn tasks_and_an_adopted_contact_folder_pair_on_sqlite() {
    tasks_and_adopted_contacts_pair(Backend::Sqlite).await;
}

#[tokio::test]
async fn tasks_and_an_adopted_contact_folder_pair_on_postgres() {
    tasks_and_adopted_contacts_pair(Backend::Postgres).await;
}

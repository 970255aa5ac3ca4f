//! Tasks with Microsoft To Do (both ways) and the company address book exported into a
//! contact folder of every mailbox (one way: Outlook edits are overwritten and reported).

use chrono::NaiveDateTime;
use exsync_business::Origin;
use exsync_model::{
    BusinessId, Contact, EmailAddress, PostalAddress, Task, TaskStatus, TimeZoneName, ZonedDateTime,
};
use serde_json::{Value, json};

use crate::common::{World, describe, quiet, total};

async fn default_list(world: &World, mailbox: &str) -> String {
    let lists = world
        .outlook
        .get(&format!("/users/{mailbox}/todo/lists"))
        .await;
    lists["value"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["wellknownListName"] == "defaultList")
        .and_then(|l| l["id"].as_str())
        .expect("a default list")
        .to_owned()
}

async fn todo_tasks(world: &World, mailbox: &str) -> Vec<Value> {
    let list = default_list(world, mailbox).await;
    world
        .outlook
        .get(&format!("/users/{mailbox}/todo/lists/{list}/tasks"))
        .await["value"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn tasks_travel_both_ways_with_to_do() {
    let world = World::new().await;
    let mailbox = world.mailbox(1);
    let mut offer = Task::new("Send the offer to Huber GmbH");
    offer.due = Some(ZonedDateTime::new(
        NaiveDateTime::parse_from_str("2027-01-15 00:00", "%Y-%m-%d %H:%M").expect("time"),
        TimeZoneName::new("Europe/Berlin").expect("zone"),
    ));
    let id = BusinessId::from("T-1");
    world
        .business
        .upsert_task(world.login(1), &id, &offer, Origin::Business)
        .await
        .expect("written");
    let first = world.sync().await;
    assert_eq!(
        total(&first, |r| r.exchange.created),
        1,
        "{}",
        describe(&first)
    );
    let tasks = todo_tasks(&world, mailbox).await;
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["title"], "Send the offer to Huber GmbH");
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));

    // Outlook completes it and adds a task of its own.
    let list = default_list(&world, mailbox).await;
    let task_id = tasks[0]["id"].as_str().expect("id");
    world
        .outlook
        .patch(
            &format!("/users/{mailbox}/todo/lists/{list}/tasks/{task_id}"),
            json!({"status": "completed"}),
        )
        .await;
    world
        .outlook
        .post(
            &format!("/users/{mailbox}/todo/lists/{list}/tasks"),
            json!({"title": "Book the hotel"}),
        )
        .await;
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.business.updated),
        1,
        "{}",
        describe(&outcome)
    );
    assert_eq!(
        total(&outcome, |r| r.business.created),
        1,
        "{}",
        describe(&outcome)
    );
    let stored = world
        .business
        .get_task(&id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(stored.item.status, TaskStatus::Completed);
    let titles: Vec<String> = world
        .business
        .list_tasks(world.login(1))
        .await
        .expect("listing")
        .into_iter()
        .map(|row| row.expect("clean").1.subject)
        .collect();
    assert!(titles.contains(&"Book the hotel".to_owned()), "{titles:?}");
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));

    // The business application deletes its task.
    world
        .business
        .delete_task(&id, Origin::Business)
        .await
        .expect("deleted");
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.exchange.deleted),
        1,
        "{}",
        describe(&outcome)
    );
    assert_eq!(todo_tasks(&world, mailbox).await.len(), 1);
}

fn huber() -> Contact {
    Contact {
        given_name: "Anna".into(),
        surname: "Huber".into(),
        display_name: "Anna Huber".into(),
        company: "Huber GmbH".into(),
        job_title: "Purchasing".into(),
        emails: vec![EmailAddress::new("anna.huber@huber.example", "Anna Huber")],
        business_phones: vec!["+49 89 1234-0".into()],
        business_address: PostalAddress {
            street: "Hauptstr. 1".into(),
            city: "München".into(),
            postal_code: "80331".into(),
            country: "Deutschland".into(),
            ..PostalAddress::default()
        },
        ..Contact::default()
    }
}

async fn company_contacts(world: &World, mailbox: &str) -> Vec<Value> {
    let folders = world
        .outlook
        .get(&format!("/users/{mailbox}/contactFolders"))
        .await;
    let Some(folder) = folders["value"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["displayName"] == "Company addresses")
        .and_then(|f| f["id"].as_str())
    else {
        return Vec::new();
    };
    world
        .outlook
        .get(&format!(
            "/users/{mailbox}/contactFolders/{folder}/contacts"
        ))
        .await["value"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn company_contacts_are_exported_to_every_mailbox_and_kept_equal() {
    let world = World::new().await;
    let id = BusinessId::from("C-1");
    world
        .business
        .upsert_contact(&id, &huber(), Origin::Business)
        .await
        .expect("written");
    let first = world.sync().await;
    assert_eq!(
        total(&first, |r| r.exchange.created),
        3,
        "one per mailbox:\n{}",
        describe(&first)
    );
    for user in 0..3 {
        let contacts = company_contacts(&world, world.mailbox(user)).await;
        assert_eq!(contacts.len(), 1, "mailbox {user}");
        assert_eq!(contacts[0]["companyName"], "Huber GmbH");
        assert_eq!(contacts[0]["businessAddress"]["city"], "München");
    }
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));

    // An Outlook edit is overwritten and reported; a business edit reaches every mailbox.
    let mailbox = world.mailbox(2);
    let contact = company_contacts(&world, mailbox).await.remove(0);
    let contact_id = contact["id"].as_str().expect("id");
    world
        .outlook
        .patch(
            &format!("/users/{mailbox}/contacts/{contact_id}"),
            json!({"jobTitle": "CEO"}),
        )
        .await;
    let mut changed = huber();
    changed.business_phones = vec!["+49 89 1234-100".into()];
    world
        .business
        .upsert_contact(&id, &changed, Origin::Business)
        .await
        .expect("written");
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.exchange.updated),
        3,
        "{}",
        describe(&outcome)
    );
    assert!(
        outcome
            .reports
            .iter()
            .any(|r| r.mailbox == mailbox && !r.notices.is_empty()),
        "the overwritten Outlook edit is reported:\n{}",
        describe(&outcome)
    );
    for user in 0..3 {
        let contacts = company_contacts(&world, world.mailbox(user)).await;
        assert_eq!(contacts[0]["jobTitle"], "Purchasing");
        assert_eq!(contacts[0]["businessPhones"], json!(["+49 89 1234-100"]));
    }

    // Deleted in the business application: gone everywhere.
    world
        .business
        .delete_contact(&id, Origin::Business)
        .await
        .expect("deleted");
    let outcome = world.sync().await;
    assert_eq!(
        total(&outcome, |r| r.exchange.deleted),
        3,
        "{}",
        describe(&outcome)
    );
    for user in 0..3 {
        assert!(
            company_contacts(&world, world.mailbox(user))
                .await
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_task_changed_in_outlook_meanwhile_is_not_overwritten_blindly() {
    let world = World::new().await;
    let id = BusinessId::from("T-9");
    let mut task = Task::new("Prepare the audit");
    world
        .business
        .upsert_task(world.login(0), &id, &task, Origin::Business)
        .await
        .expect("written");
    world.sync().await;
    world.sync().await; // reads the new task back from the delta feed: settled
    // The version exsync knows is out of date (an Outlook edit it has not read yet).
    let links = world
        .state
        .links(world.mailbox(0), exsync_model::ItemKind::Task)
        .await
        .expect("links");
    let stale: Vec<exsync_store::LinkUpsert> = links
        .into_iter()
        .map(|link| exsync_store::LinkUpsert {
            mailbox: link.mailbox,
            kind: link.kind,
            business_id: link.business_id,
            exchange_id: link.exchange_id,
            exchange_change_key: Some("stale".into()),
            base: link.base,
        })
        .collect();
    world.state.upsert_links(&stale).await.expect("stored");
    task.status = TaskStatus::InProgress;
    world
        .business
        .upsert_task(world.login(0), &id, &task, Origin::Business)
        .await
        .expect("written");
    let refused = world.sync_allowing_failures().await;
    assert!(
        refused
            .reports
            .iter()
            .flat_map(|r| &r.rejected)
            .any(|r| r.reason.contains("412")),
        "the write with the old version is refused:\n{}",
        describe(&refused)
    );
    let merged = world.sync().await;
    assert_eq!(
        total(&merged, |r| r.exchange.updated),
        1,
        "{}",
        describe(&merged)
    );
    let tasks = todo_tasks(&world, world.mailbox(0)).await;
    assert_eq!(tasks[0]["status"], "inProgress");
    let settled = world.sync().await;
    assert!(quiet(&settled), "{}", describe(&settled));
}

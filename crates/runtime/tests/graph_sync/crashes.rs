//! Crashes around remote writes: for creates, updates and deletes of appointments, tasks and
//! contacts, a fault is injected at every Graph request of the pass in turn — (a) the
//! connection dropped before the request reaches Exchange, (b) the request served and its
//! answer lost (once: the client retries; every attempt: the pass gives up after the write).
//! After the faulted pass, another pass must leave both sides with exactly one copy of each
//! item, nothing lost, and a third pass must be quiet.
//!
//! Invariant of these tests: only the first user and one kind are synced, so the requests of a
//! pass come in a fixed order and "the k-th request" names the same step on every run.

use exsync_business::Origin;
use exsync_graph::client::RetryPolicy;
use exsync_model::{BusinessId, Contact, ItemKind, Task};
use serde_json::{Value, json};

use crate::appointments::meeting;
use crate::common::{Backend, World, connector_with_retry, describe, quiet};

/// Attempts per request in these tests: the first and one retry.
const ATTEMPTS: u32 = 2;

/// A pass of one mailbox and kind makes far fewer requests; the sweep stops before.
const MAX_REQUESTS: u64 = 40;

#[derive(Debug, Clone, Copy)]
enum Fault {
    /// Every attempt of the request is dropped before Exchange sees it.
    DroppedBefore,
    /// The request is carried out, its answer lost once; the retry is answered.
    LostOnce,
    /// The request is carried out, the answers of every attempt are lost.
    LostEveryTime,
}

impl Fault {
    fn inject(self, world: &World, skip: u64) {
        match self {
            Fault::DroppedBefore => world.emu.drop_connections_after(skip, u64::from(ATTEMPTS)),
            Fault::LostOnce => world.emu.lose_answers_after(skip, 1),
            Fault::LostEveryTime => world.emu.lose_answers_after(skip, u64::from(ATTEMPTS)),
        }
    }
}

/// Where the user makes the change the faulted pass carries over.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Editor {
    /// In the business application (the pass writes to Exchange).
    Business,
    /// In Outlook (the pass imports, then stamps the Exchange item with the new business id).
    Outlook,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Create,
    Update,
    Delete,
}

fn title(n: u64, phase: Phase) -> String {
    match phase {
        Phase::Create => format!("Item {n}"),
        _ => format!("Item {n} (changed)"),
    }
}

/// Makes the business change of `phase` to item `n` of `kind`.
async fn change(world: &World, kind: ItemKind, n: u64, phase: Phase) {
    let id = BusinessId::from(format!("X-{n}"));
    let subject = title(n, phase);
    let db = &world.business;
    let login = world.login(0);
    let done = match (kind, phase) {
        (ItemKind::Appointment, Phase::Delete) => {
            db.delete_appointment(&id, Origin::Business).await.map(drop)
        }
        (ItemKind::Appointment, _) => {
            let item = meeting(&subject, "2027-02-10 10:00", "2027-02-10 11:00");
            db.upsert_appointment(login, &id, &item, Origin::Business)
                .await
        }
        (ItemKind::Task, Phase::Delete) => db.delete_task(&id, Origin::Business).await.map(drop),
        (ItemKind::Task, _) => {
            db.upsert_task(login, &id, &Task::new(subject), Origin::Business)
                .await
        }
        (ItemKind::Contact, Phase::Delete) => {
            db.delete_contact(&id, Origin::Business).await.map(drop)
        }
        (ItemKind::Contact, _) => {
            let contact = Contact {
                given_name: "Item".into(),
                surname: subject.trim_start_matches("Item ").into(),
                display_name: subject,
                company: "Huber GmbH".into(),
                ..Contact::default()
            };
            db.upsert_contact(&id, &contact, Origin::Business).await
        }
    };
    done.expect("the business change is written");
}

/// The id of the first mailbox's default To Do list.
async fn default_list(world: &World) -> String {
    let lists = world
        .outlook
        .get(&format!("/users/{}/todo/lists", world.mailbox(0)))
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

/// Makes the Outlook change of `phase` to item `n` of `kind` (appointments and tasks).
async fn change_in_outlook(world: &World, kind: ItemKind, n: u64, phase: Phase) {
    let mailbox = world.mailbox(0);
    let (collection, field, items) = match kind {
        ItemKind::Appointment => (
            format!("/users/{mailbox}/events"),
            "subject",
            world.outlook.events(mailbox).await,
        ),
        ItemKind::Task => (
            format!(
                "/users/{mailbox}/todo/lists/{}/tasks",
                default_list(world).await
            ),
            "title",
            folder_items(world, "todo/lists", "tasks", |l| {
                l["wellknownListName"] == "defaultList"
            })
            .await,
        ),
        ItemKind::Contact => unreachable!("company contacts are exported only"),
    };
    if phase == Phase::Create {
        let mut body = json!({ field: title(n, phase) });
        if kind == ItemKind::Appointment {
            body["start"] = json!({"dateTime": "2027-02-10T10:00:00", "timeZone": "UTC"});
            body["end"] = json!({"dateTime": "2027-02-10T11:00:00", "timeZone": "UTC"});
        }
        world.outlook.post(&collection, body).await;
        return;
    }
    let previous = title(n, Phase::Create);
    let previous = if phase == Phase::Delete {
        title(n, Phase::Update)
    } else {
        previous
    };
    let id = items
        .iter()
        .find(|i| i[field].as_str() == Some(previous.as_str()))
        .and_then(|i| i["id"].as_str())
        .unwrap_or_else(|| panic!("{previous:?} is in Outlook"))
        .to_owned();
    let path = format!("{collection}/{id}");
    match phase {
        Phase::Update => {
            world
                .outlook
                .patch(&path, json!({ field: title(n, phase) }))
                .await;
        }
        _ => world.outlook.delete(&path).await,
    }
}

/// The titles of `kind` in the business database, sorted.
async fn business_titles(world: &World, kind: ItemKind) -> Vec<String> {
    let db = &world.business;
    let login = world.login(0);
    let mut titles: Vec<String> = match kind {
        ItemKind::Appointment => db
            .list_appointments(login, None)
            .await
            .expect("listing")
            .into_iter()
            .map(|row| row.expect("a clean row").1.subject)
            .collect(),
        ItemKind::Task => db
            .list_tasks(login)
            .await
            .expect("listing")
            .into_iter()
            .map(|row| row.expect("a clean row").1.subject)
            .collect(),
        ItemKind::Contact => db
            .list_contacts()
            .await
            .expect("listing")
            .into_iter()
            .map(|row| row.expect("a clean row").1.display_name)
            .collect(),
    };
    titles.sort();
    titles
}

/// The items of the folder whose listing `containers` finds by `pick`.
async fn folder_items(
    world: &World,
    containers: &str,
    items: &str,
    pick: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    let mailbox = world.mailbox(0);
    let folders = world
        .outlook
        .get(&format!("/users/{mailbox}/{containers}"))
        .await;
    let Some(folder) = folders["value"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| pick(f))
        .and_then(|f| f["id"].as_str())
    else {
        return Vec::new();
    };
    world
        .outlook
        .get(&format!(
            "/users/{mailbox}/{containers}/{folder}/{items}?$top=1000"
        ))
        .await["value"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The titles of `kind` in the first mailbox, sorted.
async fn exchange_titles(world: &World, kind: ItemKind) -> Vec<String> {
    let (items, field) = match kind {
        ItemKind::Appointment => (world.outlook.events(world.mailbox(0)).await, "subject"),
        ItemKind::Task => (
            folder_items(world, "todo/lists", "tasks", |l| {
                l["wellknownListName"] == "defaultList"
            })
            .await,
            "title",
        ),
        ItemKind::Contact => (
            folder_items(world, "contactFolders", "contacts", |f| {
                f["displayName"] == "Company addresses"
            })
            .await,
            "displayName",
        ),
    };
    let mut titles: Vec<String> = items
        .iter()
        .filter_map(|i| i[field].as_str().map(str::to_owned))
        .collect();
    titles.sort();
    titles
}

/// Runs the sweep for `kind` and `fault` on `backend`, the changes made by `editor`.
async fn sweep(backend: Backend, kind: ItemKind, fault: Fault, editor: Editor) {
    let Some(mut world) = World::on(backend).await else {
        return;
    };
    world.connector = connector_with_retry(
        &world.emu,
        RetryPolicy {
            max_attempts: ATTEMPTS,
            base_delay: std::time::Duration::from_millis(1),
            max_delay: std::time::Duration::from_millis(5),
        },
    );
    world.only_first_user_and(kind).await;
    // The folders exist and the token is fetched before the sweep starts.
    world.sync().await;
    for skip in 0..MAX_REQUESTS {
        let mut hit = false;
        for phase in [Phase::Create, Phase::Update, Phase::Delete] {
            match editor {
                Editor::Business => change(&world, kind, skip, phase).await,
                Editor::Outlook => change_in_outlook(&world, kind, skip, phase).await,
            }
            fault.inject(&world, skip);
            let faulted = world.sync_allowing_failures().await;
            hit |= world.emu.pending_faults() == (0, 0);
            world.emu.clear_faults();
            let context = format!(
                "{kind:?} by {editor:?}, {fault:?} at request {skip}, {phase:?}; the faulted \
                 pass:\n{}",
                describe(&faulted)
            );
            let recovered = world.sync().await;
            let settled = world.sync().await;
            assert!(
                quiet(&settled),
                "{context}\nthe pass after the recovery:\n{}",
                describe(&settled)
            );
            let expected: Vec<String> = match phase {
                Phase::Delete => Vec::new(),
                _ => vec![title(skip, phase)],
            };
            assert_eq!(
                business_titles(&world, kind).await,
                expected,
                "business side: {context}\nrecovery:\n{}",
                describe(&recovered)
            );
            assert_eq!(
                exchange_titles(&world, kind).await,
                expected,
                "Exchange side: {context}\nrecovery:\n{}",
                describe(&recovered)
            );
        }
        if !hit {
            // The pass ended before the fault's request: every request has been faulted.
            // Every pass with a change reads (delta) and then writes: at least two requests.
            assert!(skip >= 2, "the sweep ended before the writes: {skip}");
            world.finish().await;
            return;
        }
    }
    panic!("a pass made more than {MAX_REQUESTS} requests");
}

#[tokio::test]
async fn appointments_survive_a_dropped_connection_at_every_request() {
    sweep(
        Backend::Sqlite,
        ItemKind::Appointment,
        Fault::DroppedBefore,
        Editor::Business,
    )
    .await;
}

#[tokio::test]
async fn appointments_survive_a_lost_answer_at_every_request() {
    for fault in [Fault::LostOnce, Fault::LostEveryTime] {
        sweep(
            Backend::Sqlite,
            ItemKind::Appointment,
            fault,
            Editor::Business,
        )
        .await;
    }
}

#[tokio::test]
async fn appointments_from_outlook_survive_faults_at_every_request() {
    for fault in [Fault::DroppedBefore, Fault::LostEveryTime] {
        sweep(
            Backend::Sqlite,
            ItemKind::Appointment,
            fault,
            Editor::Outlook,
        )
        .await;
    }
}

#[tokio::test]
async fn tasks_survive_a_dropped_connection_at_every_request() {
    sweep(
        Backend::Sqlite,
        ItemKind::Task,
        Fault::DroppedBefore,
        Editor::Business,
    )
    .await;
}

#[tokio::test]
async fn tasks_survive_a_lost_answer_at_every_request() {
    for fault in [Fault::LostOnce, Fault::LostEveryTime] {
        sweep(Backend::Sqlite, ItemKind::Task, fault, Editor::Business).await;
    }
}

#[tokio::test]
async fn tasks_from_outlook_survive_faults_at_every_request() {
    for fault in [Fault::DroppedBefore, Fault::LostEveryTime] {
        sweep(Backend::Sqlite, ItemKind::Task, fault, Editor::Outlook).await;
    }
}

#[tokio::test]
async fn contacts_survive_a_dropped_connection_at_every_request() {
    sweep(
        Backend::Sqlite,
        ItemKind::Contact,
        Fault::DroppedBefore,
        Editor::Business,
    )
    .await;
}

#[tokio::test]
async fn contacts_survive_a_lost_answer_at_every_request() {
    for fault in [Fault::LostOnce, Fault::LostEveryTime] {
        sweep(Backend::Sqlite, ItemKind::Contact, fault, Editor::Business).await;
    }
}

#[tokio::test]
async fn appointments_survive_lost_answers_on_postgres() {
    sweep(
        Backend::Postgres,
        ItemKind::Appointment,
        Fault::LostEveryTime,
        Editor::Business,
    )
    .await;
}

#[tokio::test]
async fn a_dry_run_leaves_the_copy_of_a_retried_task_create_alone() {
    let mut world = World::new().await;
    world.connector = connector_with_retry(
        &world.emu,
        RetryPolicy {
            max_attempts: ATTEMPTS,
            base_delay: std::time::Duration::from_millis(1),
            max_delay: std::time::Duration::from_millis(5),
        },
    );
    world.only_first_user_and(ItemKind::Task).await;
    world.sync().await;
    change(&world, ItemKind::Task, 0, Phase::Create).await;
    // Request 0 reads the delta, request 1 is the create: served twice, first answer lost.
    world.emu.lose_answers_after(1, 1);
    world.sync().await;
    assert_eq!(
        world.emu.pending_faults(),
        (0, 0),
        "the create's answer was lost"
    );
    let twice = vec![title(0, Phase::Create), title(0, Phase::Create)];
    assert_eq!(exchange_titles(&world, ItemKind::Task).await, twice);

    let planned = exsync_runtime::sync_once(
        &world.business,
        &world.state,
        &world.rules,
        &world.sync,
        &world.connector.clone().read_only(true),
        &exsync_runtime::OnceOptions {
            dry_run: true,
            ..exsync_runtime::OnceOptions::default()
        },
        world.now,
    )
    .await
    .expect("the run starts");
    assert!(!planned.failed(), "{}", describe(&planned));
    assert_eq!(
        exchange_titles(&world, ItemKind::Task).await,
        twice,
        "a dry run deletes nothing"
    );
    world.sync().await;
    assert_eq!(
        exchange_titles(&world, ItemKind::Task).await,
        [title(0, Phase::Create)]
    );
    assert_eq!(
        business_titles(&world, ItemKind::Task).await,
        [title(0, Phase::Create)]
    );
}

//! To Do tasks and contacts on the Graph wire: model -> POST JSON -> (as Graph returns it) ->
//! model, patches holding only the named fields, delta tombstones, and bad input naming the
//! item and property.

use chrono::NaiveDate;
use exsync_graph::wire::contact::{GraphContact, contact_patch, new_contact};
use exsync_graph::wire::task::{GraphTask, new_task, task_patch};
use exsync_graph::wire::{
    BUSINESS_FAX_PROPERTY, BUSINESS_ID_PROPERTY, TASK_LINK_APPLICATION, WireError,
};
use exsync_model::{
    Body, Contact, EmailAddress, Importance, PostalAddress, Task, TaskStatus, TimeZoneName,
    ZonedDateTime,
};
use serde_json::{Value, json};

fn at(d: u32, h: u32) -> ZonedDateTime {
    ZonedDateTime::new(
        NaiveDate::from_ymd_opt(2026, 3, d)
            .and_then(|date| date.and_hms_opt(h, 0, 0))
            .expect("date"),
        TimeZoneName::new("W. Europe Standard Time").expect("zone"),
    )
}

/// What Graph returns for a POSTed body: the body plus id, etag and server properties;
/// `dateTime` values with Graph's seven fraction digits.
fn as_graph_returns(post: &Value, id: &str) -> Value {
    let mut item = post.clone();
    let object = item.as_object_mut().expect("object");
    for value in object.values_mut() {
        if let Some(text) = value
            .get("dateTime")
            .and_then(Value::as_str)
            .map(str::to_owned)
        {
            value["dateTime"] = json!(format!("{text}.0000000"));
        }
    }
    object.insert("id".into(), json!(id));
    object.insert("@odata.etag".into(), json!("W/\"e1\""));
    object.insert(
        "lastModifiedDateTime".into(),
        json!("2026-03-01T10:00:00.1234567Z"),
    );
    item
}

fn full_task() -> Task {
    let mut task = Task::new("Angebot schreiben");
    task.body = Body::text("für Muster GmbH");
    task.start = Some(at(2, 8));
    task.due = Some(at(6, 0));
    task.status = TaskStatus::InProgress;
    task.importance = Importance::High;
    task.reminder = Some(at(5, 9));
    task.categories = vec!["Kunde".into()];
    task
}

#[test]
fn a_task_survives_the_round_trip_and_carries_its_business_id_as_linked_resource() {
    let task = full_task();
    let post = new_task(&task, "T-1").expect("writes");
    assert_eq!(post["title"], "Angebot schreiben");
    assert_eq!(post["status"], "inProgress");
    assert_eq!(post["isReminderOn"], true);
    assert_eq!(
        post["dueDateTime"],
        json!({"dateTime": "2026-03-06T00:00:00", "timeZone": "W. Europe Standard Time"})
    );
    assert_eq!(
        post["linkedResources"][0]["applicationName"],
        TASK_LINK_APPLICATION
    );
    assert!(post.get("completedDateTime").is_none());
    let read = GraphTask::parse(&as_graph_returns(&post, "TASK1")).expect("parses");
    assert_eq!(read.business_id.as_deref(), Some("T-1"));
    assert_eq!(read.etag.as_deref(), Some("W/\"e1\""));
    assert_eq!(read.to_task().expect("converts"), task);

    let mut done = Task::new("Erledigt");
    done.status = TaskStatus::Completed;
    done.completed = Some(at(3, 17));
    let post = new_task(&done, "T-2").expect("writes");
    assert_eq!(post["isReminderOn"], false);
    let read = GraphTask::parse(&as_graph_returns(&post, "TASK2")).expect("parses");
    assert_eq!(read.to_task().expect("converts"), done);
}

#[test]
fn task_patches_hold_only_the_named_fields_and_clear_absent_times() {
    let mut task = full_task();
    task.due = None;
    assert_eq!(
        task_patch(&task, &["subject"]).expect("writes"),
        json!({"title": "Angebot schreiben"})
    );
    assert_eq!(
        task_patch(&task, &["due"]).expect("writes"),
        json!({"dueDateTime": null})
    );
    assert_eq!(
        task_patch(&task, &["reminder", "importance"]).expect("writes"),
        json!({"reminderDateTime": {"dateTime": "2026-03-05T09:00:00", "timeZone": "W. Europe Standard Time"},
               "isReminderOn": true, "importance": "high"})
    );
    assert_eq!(
        task_patch(&task, &["priority"]),
        Err(WireError::UnknownField("priority".into()))
    );
}

#[test]
fn task_tombstones_and_bad_tasks_are_recognised() {
    let gone = GraphTask::parse(&json!({"id": "TASK3", "@removed": {"reason": "deleted"}}))
        .expect("parses");
    assert!(gone.is_removed());
    assert!(gone.to_task().is_err());
    let bad = GraphTask::parse(&json!({"id": "TASK4", "title": "x", "status": "blocked"}))
        .expect("parses");
    assert_eq!(
        bad.to_task(),
        Err(WireError::Unsupported {
            item: "TASK4".into(),
            property: "status".into(),
            value: "blocked".into()
        })
    );
    let err = GraphTask::parse(&json!({"title": "no id"})).expect_err("no id");
    assert!(err.to_string().contains("todoTask") && err.to_string().contains("id"));
    let bad_due = json!({"id": "TASK5", "title": "x", "dueDateTime": {"dateTime": "soon", "timeZone": "UTC"}});
    let err = GraphTask::parse(&bad_due)
        .expect("parses")
        .to_task()
        .expect_err("bad due");
    assert!(err.to_string().contains("TASK5") && err.to_string().contains("dueDateTime.dateTime"));
}

fn full_contact() -> Contact {
    let address = |city: &str| PostalAddress {
        street: "Hauptstr. 1\n2. OG".into(),
        city: city.into(),
        state: "BY".into(),
        postal_code: "80331".into(),
        country: "Deutschland".into(),
    };
    Contact {
        title: "Dr.".into(),
        given_name: "Eva".into(),
        middle_name: "Maria".into(),
        surname: "Huber".into(),
        suffix: "jun.".into(),
        display_name: "Huber, Eva".into(),
        company: "Muster GmbH".into(),
        department: "Einkauf".into(),
        job_title: "Leitung".into(),
        emails: vec![
            EmailAddress::new("eva@muster.de", "Eva Huber"),
            EmailAddress::new("eva.huber@example.org", ""),
        ],
        business_phones: vec!["+49 89 1".into(), "+49 89 2".into()],
        mobile_phone: "+49 170 1".into(),
        home_phones: vec!["+49 89 3".into()],
        business_fax: "+49 89 9".into(),
        business_address: address("München"),
        home_address: address("Augsburg"),
        other_address: PostalAddress::default(),
        website: "https://muster.de".into(),
        notes: "Kundin seit 2020".into(),
        categories: vec!["Kunde".into()],
    }
}

#[test]
fn a_contact_survives_the_round_trip_with_business_id_and_fax() {
    let contact = full_contact();
    let post = new_contact(&contact, "C-1").expect("writes");
    assert_eq!(post["generation"], "jun.");
    assert_eq!(post["companyName"], "Muster GmbH");
    assert_eq!(post["personalNotes"], "Kundin seit 2020");
    assert_eq!(post["businessAddress"]["countryOrRegion"], "Deutschland");
    assert!(
        post.get("otherAddress").is_none(),
        "empty address not written"
    );
    assert_eq!(
        post["singleValueExtendedProperties"],
        json!([{"id": BUSINESS_ID_PROPERTY, "value": "C-1"}, {"id": BUSINESS_FAX_PROPERTY, "value": "+49 89 9"}])
    );
    let read = GraphContact::parse(&as_graph_returns(&post, "CON1")).expect("parses");
    assert_eq!(read.business_id.as_deref(), Some("C-1"));
    assert_eq!(read.to_contact().expect("converts"), contact);
}

#[test]
fn contacts_with_more_than_three_emails_are_refused_naming_the_contact() {
    let mut contact = full_contact();
    contact.emails = (0..4)
        .map(|i| EmailAddress::new(format!("a{i}@x.de"), ""))
        .collect();
    let err = new_contact(&contact, "C-2").expect_err("refused");
    assert!(
        err.to_string().contains("Huber, Eva") && err.to_string().contains('4'),
        "{err}"
    );
    assert!(contact_patch(&contact, &["emails"]).is_err());
}

#[test]
fn contact_patches_hold_only_the_named_fields_and_clear_emptied_ones() {
    let mut contact = full_contact();
    contact.mobile_phone.clear();
    contact.home_address = PostalAddress::default();
    assert_eq!(
        contact_patch(&contact, &["mobile_phone", "suffix"]).expect("writes"),
        json!({"mobilePhone": null, "generation": "jun."})
    );
    let patch = contact_patch(&contact, &["home_address", "business_fax"]).expect("writes");
    assert_eq!(patch["homeAddress"]["city"], "");
    assert_eq!(
        patch["singleValueExtendedProperties"][0]["id"],
        BUSINESS_FAX_PROPERTY
    );
    assert_eq!(
        contact_patch(&contact, &["birthday"]),
        Err(WireError::UnknownField("birthday".into()))
    );
}

#[test]
fn contact_tombstones_and_bad_contacts_are_recognised() {
    let gone = GraphContact::parse(&json!({"id": "CON2", "@removed": {"reason": "changed"}}))
        .expect("parses");
    assert_eq!(gone.removed.as_deref(), Some("changed"));
    assert!(gone.to_contact().is_err());
    let bad =
        GraphContact::parse(&json!({"id": "CON3", "businessPhones": "089 1"})).expect("parses");
    let err = bad.to_contact().expect_err("not a list");
    assert!(
        err.to_string().contains("CON3") && err.to_string().contains("businessPhones"),
        "{err}"
    );
}

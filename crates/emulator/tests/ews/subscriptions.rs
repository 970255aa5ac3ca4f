//! Pull notifications: Subscribe, GetEvents and Unsubscribe, fed by writes through EWS and
//! through Graph, with watermarks, timeouts (on the emulator's movable EWS clock) and errors.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Answer, Env, envelope};

pub const ITEM_EVENTS: &str = "<t:EventType>CreatedEvent</t:EventType>\
    <t:EventType>ModifiedEvent</t:EventType><t:EventType>DeletedEvent</t:EventType>";

pub fn subscribe(folders: &str, events: &str, watermark: Option<&str>, timeout: &str) -> String {
    let watermark = watermark
        .map(|w| format!("<t:Watermark>{w}</t:Watermark>"))
        .unwrap_or_default();
    format!(
        "<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds>{folders}</t:FolderIds>\
         <t:EventTypes>{events}</t:EventTypes>{watermark}<t:Timeout>{timeout}</t:Timeout>\
         </m:PullSubscriptionRequest></m:Subscribe>"
    )
}

pub fn get_events(id: &str, watermark: &str) -> String {
    format!(
        "<m:GetEvents><m:SubscriptionId>{id}</m:SubscriptionId>\
         <m:Watermark>{watermark}</m:Watermark></m:GetEvents>"
    )
}

pub fn unsubscribe(id: &str) -> String {
    format!("<m:Unsubscribe><m:SubscriptionId>{id}</m:SubscriptionId></m:Unsubscribe>")
}

pub fn folder(name: &str) -> String {
    format!("<t:DistinguishedFolderId Id=\"{name}\"/>")
}

/// Subscribes `mailbox` to `folders`; returns the subscription id and watermark.
async fn subscribed(env: &Env, mailbox: &str, folders: &str, events: &str) -> (String, String) {
    let answer = env
        .ews(mailbox, &subscribe(folders, events, None, "10"))
        .await;
    assert_eq!(answer.codes(), ["NoError"], "{}", answer.text);
    let id = answer.first("SubscriptionId").expect("SubscriptionId");
    let watermark = answer.first("Watermark").expect("Watermark");
    (id, watermark)
}

/// The event element names of a GetEvents answer, in order, with the item ids.
fn events(answer: &Answer) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = answer.text.as_str();
    while let Some(i) = rest.find("<t:") {
        rest = &rest[i + 3..];
        let name: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
        if name.ends_with("Event") {
            let body = &rest[..rest.find(&format!("</t:{name}>")).unwrap_or(rest.len())];
            let item = body
                .split("<t:ItemId Id=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_default()
                .to_owned();
            out.push((name, item));
        }
    }
    out
}

fn timed(subject: &str, day: u32) -> String {
    format!(
        "<t:Subject>{subject}</t:Subject><t:Start>2026-09-{day:02}T09:00:00Z</t:Start>\
         <t:End>2026-09-{day:02}T10:00:00Z</t:End>"
    )
}

fn delete(id: &str) -> String {
    format!(
        "<m:DeleteItem DeleteType=\"HardDelete\" SendMeetingCancellations=\"SendToNone\">\
         <m:ItemIds><t:ItemId Id=\"{id}\"/></m:ItemIds></m:DeleteItem>"
    )
}

fn rename(id: &str, subject: &str) -> String {
    format!(
        "<m:UpdateItem ConflictResolution=\"AlwaysOverwrite\" \
         SendMeetingInvitationsOrCancellations=\"SendToNone\"><m:ItemChanges><t:ItemChange>\
         <t:ItemId Id=\"{id}\"/><t:Updates><t:SetItemField><t:FieldURI FieldURI=\"item:Subject\"/>\
         <t:CalendarItem><t:Subject>{subject}</t:Subject></t:CalendarItem></t:SetItemField>\
         </t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"
    )
}

/// Subscribe, poll with no change (a StatusEvent), EWS writes as Created/Modified/Deleted
/// events with their own watermarks, resuming from any watermark, Unsubscribe.
pub async fn pull_subscription_lifecycle(env: &Env) {
    let me = env.mailbox(2);
    let (sub, start) = subscribed(env, &me, &folder("calendar"), ITEM_EVENTS).await;
    let quiet = env.ews(&me, &get_events(&sub, &start)).await;
    assert_eq!(quiet.codes(), ["NoError"], "{}", quiet.text);
    assert_eq!(events(&quiet), [("StatusEvent".to_owned(), String::new())]);
    assert_eq!(quiet.first("PreviousWatermark"), Some(start.clone()));
    assert_eq!(quiet.first("MoreEvents").as_deref(), Some("false"));
    assert_eq!(quiet.first("SubscriptionId"), Some(sub.clone()));

    let (a, _) = env.create(&me, &timed("Notified A", 1)).await;
    let (b, _) = env.create(&me, &timed("Notified B", 2)).await;
    let created = env.ews(&me, &get_events(&sub, &start)).await;
    assert_eq!(
        events(&created),
        [
            ("CreatedEvent".to_owned(), a.clone()),
            ("CreatedEvent".to_owned(), b.clone()),
        ],
        "{}",
        created.text
    );
    let after_creation = created.all("Watermark").pop().expect("watermark");
    let renamed = env.ews(&me, &rename(&a, "Notified A2")).await;
    assert_eq!(renamed.codes(), ["NoError"], "{}", renamed.text);
    let deleted = env.ews(&me, &delete(&b)).await;
    assert_eq!(deleted.codes(), ["NoError"], "{}", deleted.text);

    let answer = env.ews(&me, &get_events(&sub, &after_creation)).await;
    assert_eq!(
        events(&answer),
        [
            ("ModifiedEvent".to_owned(), a.clone()),
            ("DeletedEvent".to_owned(), b.clone()),
        ],
        "{}",
        answer.text
    );
    assert_eq!(answer.first("PreviousWatermark"), Some(after_creation));
    // Every event names the calendar as its parent and has its own watermark.
    let calendar = env
        .ews(
            &me,
            &format!(
                "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>\
                 <m:FolderIds>{}</m:FolderIds></m:GetFolder>",
                folder("calendar")
            ),
        )
        .await
        .attrs("t:FolderId", "Id")
        .remove(0);
    assert_eq!(answer.attrs("t:ParentFolderId", "Id"), vec![calendar; 2]);
    let marks = answer.all("Watermark");
    assert_eq!(marks.len(), 2);
    // Resuming from the first of these watermarks gives the deletion again.
    let resumed = env.ews(&me, &get_events(&sub, &marks[0])).await;
    assert_eq!(events(&resumed), [("DeletedEvent".to_owned(), b.clone())]);
    // From the last watermark: nothing new.
    let caught_up = env.ews(&me, &get_events(&sub, &marks[1])).await;
    assert_eq!(events(&caught_up)[0].0, "StatusEvent");

    let gone = env.ews(&me, &unsubscribe(&sub)).await;
    assert_eq!(gone.codes(), ["NoError"], "{}", gone.text);
    let after = env.ews(&me, &get_events(&sub, &marks[1])).await;
    assert_eq!(after.codes(), ["ErrorSubscriptionNotFound"]);
    let again = env.ews(&me, &unsubscribe(&sub)).await;
    assert_eq!(again.codes(), ["ErrorSubscriptionNotFound"]);
    env.ews(&me, &delete(&a)).await;
}

/// Only the asked-for event types and folders are reported; a subscription from an older
/// watermark replays what followed it; more than one answer's worth sets MoreEvents.
pub async fn filters_and_paging(env: &Env) {
    let me = env.mailbox(2);
    let (only_deletes, from) = subscribed(
        env,
        &me,
        &folder("calendar"),
        "<t:EventType>DeletedEvent</t:EventType>",
    )
    .await;
    let (tasks_only, tasks_from) = subscribed(env, &me, &folder("tasks"), ITEM_EVENTS).await;
    let (id, _) = env.create(&me, &timed("Filtered", 3)).await;
    let answer = env.ews(&me, &get_events(&only_deletes, &from)).await;
    assert_eq!(events(&answer)[0].0, "StatusEvent", "{}", answer.text);
    let answer = env.ews(&me, &get_events(&tasks_only, &tasks_from)).await;
    assert_eq!(events(&answer)[0].0, "StatusEvent", "{}", answer.text);
    env.ews(&me, &delete(&id)).await;
    let answer = env.ews(&me, &get_events(&only_deletes, &from)).await;
    assert_eq!(events(&answer), [("DeletedEvent".to_owned(), id.clone())]);

    // A new subscription from the old watermark replays what followed it: the item was created
    // and deleted since, and the store keeps only its tombstone, so only the deletion shows.
    let replay = env
        .ews(
            &me,
            &subscribe(&folder("calendar"), ITEM_EVENTS, Some(&from), "10"),
        )
        .await;
    assert_eq!(replay.codes(), ["NoError"], "{}", replay.text);
    assert_eq!(replay.first("Watermark"), Some(from.clone()));
    let replay_id = replay.first("SubscriptionId").expect("id");
    let answer = env.ews(&me, &get_events(&replay_id, &from)).await;
    assert_eq!(events(&answer), [("DeletedEvent".to_owned(), id)]);

    // 51 creations: 50 in the first answer with MoreEvents, the last one in the next.
    let (paged, start) = subscribed(
        env,
        &me,
        &folder("calendar"),
        "<t:EventType>CreatedEvent</t:EventType>",
    )
    .await;
    let mut made = Vec::new();
    for n in 0..51 {
        made.push(env.create(&me, &timed(&format!("Bulk {n}"), 4)).await.0);
    }
    let first = env.ews(&me, &get_events(&paged, &start)).await;
    assert_eq!(first.first("MoreEvents").as_deref(), Some("true"));
    let first_events = events(&first);
    assert_eq!(first_events.len(), 50);
    assert_eq!(first_events[0].1, made[0]);
    let last_mark = first.all("Watermark").pop().expect("watermark");
    let second = env.ews(&me, &get_events(&paged, &last_mark)).await;
    assert_eq!(second.first("MoreEvents").as_deref(), Some("false"));
    assert_eq!(
        events(&second),
        [("CreatedEvent".to_owned(), made[50].clone())]
    );
    for item in made {
        env.ews(&me, &delete(&item)).await;
    }
    for sub in [only_deletes, tasks_only, replay_id, paged] {
        env.ews(&me, &unsubscribe(&sub)).await;
    }
}

/// Timeouts on the EWS clock, bad watermarks, bad requests, and subscriptions that belong to
/// one mailbox.
pub async fn expiry_and_errors(env: &Env) {
    let me = env.mailbox(2);
    let answer = env
        .ews(&me, &subscribe(&folder("calendar"), ITEM_EVENTS, None, "1"))
        .await;
    let sub = answer.first("SubscriptionId").expect("id");
    let mark = answer.first("Watermark").expect("watermark");
    // Each successful GetEvents restarts the one-minute timeout.
    for _ in 0..2 {
        env.emu.advance_ews_clock(chrono::Duration::seconds(50));
        let answer = env.ews(&me, &get_events(&sub, &mark)).await;
        assert_eq!(answer.codes(), ["NoError"], "{}", answer.text);
    }
    env.emu.advance_ews_clock(chrono::Duration::seconds(61));
    // By default an expired subscription is simply gone.
    let gone = env.ews(&me, &get_events(&sub, &mark)).await;
    assert_eq!(gone.codes(), ["ErrorSubscriptionNotFound"]);
    assert_eq!(
        gone.first("MessageText").as_deref(),
        Some("The specified subscription was not found.")
    );
    // The knob: once ErrorExpiredSubscription while it is removed, then not found.
    env.emu.set_ews_expired_subscription_answers_once(true);
    let answer = env
        .ews(&me, &subscribe(&folder("calendar"), ITEM_EVENTS, None, "1"))
        .await;
    let (sub, mark) = (
        answer.first("SubscriptionId").expect("id"),
        answer.first("Watermark").expect("watermark"),
    );
    env.emu.advance_ews_clock(chrono::Duration::seconds(61));
    let expired = env.ews(&me, &get_events(&sub, &mark)).await;
    assert_eq!(expired.codes(), ["ErrorExpiredSubscription"]);
    let gone = env.ews(&me, &get_events(&sub, &mark)).await;
    assert_eq!(gone.codes(), ["ErrorSubscriptionNotFound"]);
    env.emu.set_ews_expired_subscription_answers_once(false);
    // Unsubscribing an expired subscription: not found.
    let answer = env
        .ews(&me, &subscribe(&folder("calendar"), ITEM_EVENTS, None, "1"))
        .await;
    let short = answer.first("SubscriptionId").expect("id");
    env.emu.advance_ews_clock(chrono::Duration::seconds(61));
    let late = env.ews(&me, &unsubscribe(&short)).await;
    assert_eq!(late.codes(), ["ErrorSubscriptionNotFound"]);

    let (sub, mark) = subscribed(env, &me, &folder("calendar"), ITEM_EVENTS).await;
    let bad = env
        .ews(&me, &get_events(&sub, "AAAAAMAGAAAAAAAAAQ=="))
        .await;
    assert_eq!(bad.codes(), ["ErrorInvalidWatermark"]);
    let bad = env
        .ews(
            &me,
            &subscribe(&folder("calendar"), ITEM_EVENTS, Some("bm9wZQ=="), "10"),
        )
        .await;
    assert_eq!(bad.codes(), ["ErrorInvalidWatermark"]);
    // Another mailbox neither finds the subscription nor accepts its watermark.
    let other = env.mailbox(1);
    let elsewhere = env.ews(&other, &get_events(&sub, &mark)).await;
    assert_eq!(elsewhere.codes(), ["ErrorSubscriptionNotFound"]);
    let bad = env
        .ews(
            &other,
            &subscribe(&folder("calendar"), ITEM_EVENTS, Some(&mark), "10"),
        )
        .await;
    assert_eq!(bad.codes(), ["ErrorInvalidWatermark"]);
    let unknown = env.ews(&me, &get_events("bm8gc3VjaA", &mark)).await;
    assert_eq!(unknown.codes(), ["ErrorSubscriptionNotFound"]);
    let missing = env
        .ews(&me, &subscribe(&folder("drafts"), ITEM_EVENTS, None, "10"))
        .await;
    assert_eq!(missing.codes(), ["ErrorFolderNotFound"]);
    // Timeout outside 1..1440 and an unknown event type break the schema: a SOAP fault.
    for body in [
        subscribe(&folder("calendar"), ITEM_EVENTS, None, "0"),
        subscribe(&folder("calendar"), ITEM_EVENTS, None, "1441"),
        subscribe(
            &folder("calendar"),
            "<t:EventType>SomethingEvent</t:EventType>",
            None,
            "10",
        ),
    ] {
        let auth = env.basic();
        let fault = env
            .post(&env.emu.ews_url(), Some(&auth), envelope(Some(&me), &body))
            .await;
        assert_eq!(fault.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            fault.text.contains("a:ErrorSchemaValidation"),
            "{}",
            fault.text
        );
    }
    env.ews(&me, &unsubscribe(&sub)).await;
}

/// Graph writes (create, update, delete of an event) are GetEvents events in EWS.
pub async fn graph_writes_are_events(env: &Env) {
    let me = env.mailbox(0);
    let (sub, start) = subscribed(env, &me, &folder("calendar"), ITEM_EVENTS).await;
    let (status, made) = env
        .graph(
            &format!("/users/{me}/events"),
            Some(json!({
                "subject": "Graph-made",
                "start": {"dateTime": "2026-09-10T09:00:00", "timeZone": "UTC"},
                "end": {"dateTime": "2026-09-10T10:00:00", "timeZone": "UTC"}
            })),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().expect("id").to_owned();
    let token = env.token("https://graph.microsoft.com/.default").await;
    let url = format!("{}/users/{me}/events/{id}", env.emu.graph_url());
    let patched = env
        .http
        .patch(&url)
        .bearer_auth(&token)
        .json(&json!({"subject": "Graph-changed"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    let answer = env.ews(&me, &get_events(&sub, &start)).await;
    assert_eq!(
        events(&answer),
        [
            ("CreatedEvent".to_owned(), id.clone()),
            ("ModifiedEvent".to_owned(), id.clone())
        ],
        "{}",
        answer.text
    );
    let mark = answer.all("Watermark").pop().expect("watermark");
    let removed = env
        .http
        .delete(&url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("delete");
    assert_eq!(removed.status(), 204);
    let answer = env.ews(&me, &get_events(&sub, &mark)).await;
    assert_eq!(events(&answer), [("DeletedEvent".to_owned(), id)]);
    assert_eq!(answer.first("PreviousWatermark"), Some(mark));
    env.ews(&me, &unsubscribe(&sub)).await;

    // A contacts folder made through EWS is a Graph contact folder; a contact Graph creates in
    // it is an event of a subscription to that folder.
    let made = env
        .ews(
            &me,
            "<m:CreateFolder><m:ParentFolderId><t:DistinguishedFolderId Id=\"contacts\"/>\
             </m:ParentFolderId><m:Folders><t:ContactsFolder><t:DisplayName>Watched people\
             </t:DisplayName></t:ContactsFolder></m:Folders></m:CreateFolder>",
        )
        .await;
    assert_eq!(made.codes(), ["NoError"], "{}", made.text);
    let folder_id = made.attrs("t:FolderId", "Id").remove(0);
    let (status, listed) = env
        .graph(&format!("/users/{me}/contactFolders"), None)
        .await;
    assert_eq!(status, 200, "{listed}");
    let graph_folder = listed["value"]
        .as_array()
        .and_then(|v| v.iter().find(|f| f["displayName"] == "Watched people"))
        .map(|f| f["id"].clone());
    assert_eq!(graph_folder, Some(json!(folder_id)));
    let (sub, start) = subscribed(env, &me, &by_id(&folder_id), ITEM_EVENTS).await;
    let (status, contact) = env
        .graph(
            &format!("/users/{me}/contactFolders/{folder_id}/contacts"),
            Some(json!({"givenName": "Ada", "surname": "Lovelace"})),
        )
        .await;
    assert_eq!(status, 201, "{contact}");
    let contact_id = contact["id"].as_str().expect("id").to_owned();
    let answer = env.ews(&me, &get_events(&sub, &start)).await;
    assert_eq!(events(&answer), [("CreatedEvent".to_owned(), contact_id)]);
    assert_eq!(answer.attrs("t:ParentFolderId", "Id"), [folder_id]);
    env.ews(&me, &unsubscribe(&sub)).await;
}

fn by_id(id: &str) -> String {
    format!("<t:FolderId Id=\"{id}\"/>")
}

/// Every request and answer of the notification and folder scenarios holds to `messages.xsd`.
#[tokio::test]
async fn notifications_and_folders_validate_against_messages_xsd() {
    let Some(python) = std::env::var_os("EXSYNC_TEST_PYTHON") else {
        println!("skipping EWS schema validation: EXSYNC_TEST_PYTHON not set");
        return;
    };
    let dir = crate::schema::capture_dir("notifications");
    let env = crate::common::start().await;
    env.emu.capture_ews(Some(dir.clone()));
    pull_subscription_lifecycle(&env).await;
    filters_and_paging(&env).await;
    expiry_and_errors(&env).await;
    graph_writes_are_events(&env).await;
    crate::folder_ops::find_and_create_folders(&env).await;
    crate::folder_ops::folder_errors(&env).await;
    env.emu.capture_ews(None);
    env.emu.stop().await;
    crate::schema::validate_capture(&python, &dir, 100);
}

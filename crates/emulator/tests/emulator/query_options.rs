//! Graph query options: `$select` on events (get, list), calendarView and instances;
//! `$orderby` on events and calendarView; and `Prefer: odata.maxpagesize` carried through
//! `@odata.nextLink` (lists, calendarView, calendarView/delta) when the next request does not
//! repeat it.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Env, error_code, start};

const WINDOW: &str = "startDateTime=2026-07-01T00:00:00Z&endDateTime=2026-08-01T00:00:00Z";

fn event_at(subject: &str, day: u32, hour: u32) -> Value {
    json!({
        "subject": subject,
        "body": {"contentType": "text", "content": "Agenda"},
        "start": {"dateTime": format!("2026-07-{day:02}T{hour:02}:00:00"), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": format!("2026-07-{day:02}T{hour:02}:30:00"), "timeZone": "Europe/Berlin"},
        "location": {"displayName": "Room 1"},
    })
}

fn keys(entity: &Value) -> BTreeSet<&str> {
    entity
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn subjects(body: &Value) -> Vec<String> {
    body["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|e| e["subject"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn get(env: &Env, token: &str, path: &str, prefer: Option<&str>) -> Value {
    let headers: Vec<(&str, &str)> = prefer.map(|p| ("Prefer", p)).into_iter().collect();
    let (status, _, body) = env.graph(Method::GET, path, token, &headers, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// The path (under `/v1.0`) of a link the emulator wrote.
fn relative(env: &Env, link: &str) -> String {
    link.strip_prefix(&env.emu.graph_url())
        .expect("link into the emulator")
        .to_owned()
}

/// Follows `@odata.nextLink`s from `path` (the `Prefer` header only on the first request);
/// returns each page's subjects and the final body.
async fn pages(
    env: &Env,
    token: &str,
    path: &str,
    prefer: Option<&str>,
) -> (Vec<Vec<String>>, Value) {
    let mut body = get(env, token, path, prefer).await;
    let mut all = vec![subjects(&body)];
    while let Some(next) = body["@odata.nextLink"].as_str() {
        let next = relative(env, next);
        body = get(env, token, &next, None).await;
        all.push(subjects(&body));
        assert!(all.len() < 20, "paging does not end");
    }
    (all, body)
}

async fn five_events(env: &Env, token: &str, user: &str) {
    // Created in an order that is neither start order nor its reverse.
    for (subject, day) in [("c", 13), ("a", 11), ("e", 15), ("b", 12), ("d", 14)] {
        env.create(token, user, &event_at(subject, day, 9)).await;
    }
}

#[tokio::test]
async fn select_trims_an_event_and_a_list_to_the_named_properties_plus_id_and_etag() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let created = env.create(&token, &user, &event_at("Review", 15, 9)).await;
    let id = created["id"].as_str().expect("id");

    let one = get(
        &env,
        &token,
        &format!("/users/{user}/events/{id}?$select=subject,Start"),
        None,
    )
    .await;
    assert_eq!(
        keys(&one),
        BTreeSet::from(["@odata.context", "@odata.etag", "id", "subject", "start"])
    );
    assert_eq!(one["subject"], "Review");
    assert_eq!(one["@odata.etag"], created["@odata.etag"]);
    let context = one["@odata.context"].as_str().expect("context");
    assert!(
        context.ends_with("/events(subject,Start)/$entity"),
        "{context}"
    );

    let list = get(
        &env,
        &token,
        &format!("/users/{user}/events?$select=subject"),
        None,
    )
    .await;
    let items = list["value"].as_array().expect("value");
    assert_eq!(items.len(), 1);
    assert_eq!(
        keys(&items[0]),
        BTreeSet::from(["@odata.etag", "id", "subject"])
    );

    let full = get(&env, &token, &format!("/users/{user}/events/{id}"), None).await;
    assert!(
        full["body"].is_object() && full["location"].is_object(),
        "{full}"
    );
}

#[tokio::test]
async fn select_applies_to_calendar_view_and_instances() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let series = json!({
        "subject": "Weekly",
        "start": {"dateTime": "2026-07-06T09:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-07-06T09:30:00", "timeZone": "Europe/Berlin"},
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
            "range": {"type": "numbered", "startDate": "2026-07-06", "numberOfOccurrences": 3}
        }
    });
    let master = env.create(&token, &user, &series).await;
    let id = master["id"].as_str().expect("id");

    let view = get(
        &env,
        &token,
        &format!("/users/{user}/calendarView?{WINDOW}&$select=subject,type"),
        None,
    )
    .await;
    let items = view["value"].as_array().expect("value");
    assert_eq!(items.len(), 3);
    for item in items {
        assert_eq!(
            keys(item),
            BTreeSet::from(["@odata.etag", "id", "subject", "type"])
        );
        assert_eq!(item["type"], "occurrence");
    }
    assert!(
        view["@odata.context"]
            .as_str()
            .expect("context")
            .ends_with("/calendarView(subject,type)")
    );

    let instances = get(
        &env,
        &token,
        &format!("/users/{user}/events/{id}/instances?{WINDOW}&$select=start"),
        None,
    )
    .await;
    let items = instances["value"].as_array().expect("value");
    assert_eq!(items.len(), 3);
    assert_eq!(
        keys(&items[0]),
        BTreeSet::from(["@odata.etag", "id", "start"])
    );
}

#[tokio::test]
async fn orderby_sorts_events_and_calendar_view_by_start_and_by_last_modified() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    five_events(&env, &token, &user).await;

    let list = |q: &str| format!("/users/{user}/events?$top=10&$orderby={q}");
    let asc = get(&env, &token, &list("start/dateTime"), None).await;
    assert_eq!(subjects(&asc), ["a", "b", "c", "d", "e"]);
    let desc = get(&env, &token, &list("start/dateTime%20desc"), None).await;
    assert_eq!(subjects(&desc), ["e", "d", "c", "b", "a"]);

    let view = format!("/users/{user}/calendarView?{WINDOW}&$orderby=start/dateTime%20desc");
    assert_eq!(
        subjects(&get(&env, &token, &view, None).await),
        ["e", "d", "c", "b", "a"]
    );

    // Touch "b": it becomes the most recently modified.
    let b_id = asc["value"][1]["id"].as_str().expect("id");
    let (status, _, _) = env
        .graph(
            Method::PATCH,
            &format!("/users/{user}/events/{b_id}"),
            &token,
            &[],
            Some(&json!({"location": {"displayName": "Room 2"}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let recent = get(&env, &token, &list("lastModifiedDateTime%20desc"), None).await;
    // Then the others, most recently created first: created c, a, e, b, d.
    assert_eq!(subjects(&recent), ["b", "d", "e", "a", "c"]);

    let (status, _, body) = env
        .graph(Method::GET, &list("bodyPreview"), &token, &[], None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_code(&body), "BadRequest");
}

#[tokio::test]
async fn orderby_and_select_carry_through_next_links() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    five_events(&env, &token, &user).await;

    let path =
        format!("/users/{user}/events?$orderby=start/dateTime%20desc&$select=subject&$top=2");
    let (all, last) = pages(&env, &token, &path, None).await;
    assert_eq!(all, [vec!["e", "d"], vec!["c", "b"], vec!["a"]]);
    assert_eq!(
        keys(&last["value"][0]),
        BTreeSet::from(["@odata.etag", "id", "subject"])
    );
}

#[tokio::test]
async fn max_page_size_carries_through_next_links_of_lists_and_calendar_view() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    five_events(&env, &token, &user).await;
    let prefer = Some("odata.maxpagesize=2");

    let (all, _) = pages(&env, &token, &format!("/users/{user}/events"), prefer).await;
    assert_eq!(all.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 1]);

    let view = format!("/users/{user}/calendarView?{WINDOW}");
    let (all, _) = pages(&env, &token, &view, prefer).await;
    assert_eq!(all, [vec!["a", "b"], vec!["c", "d"], vec!["e"]]);
}

#[tokio::test]
async fn max_page_size_carries_through_delta_skip_and_delta_tokens() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    five_events(&env, &token, &user).await;

    let path = format!("/users/{user}/calendarView/delta?{WINDOW}");
    // Every round opens with an empty page (Exchange Online's way, see delta_exchange.rs).
    let (all, last) = pages(&env, &token, &path, Some("odata.maxpagesize=2")).await;
    assert_eq!(all.iter().map(Vec::len).collect::<Vec<_>>(), [0, 2, 2, 1]);
    let delta = relative(&env, last["@odata.deltaLink"].as_str().expect("deltaLink"));

    for (subject, day) in [("f", 16), ("g", 17), ("h", 18)] {
        env.create(&token, &user, &event_at(subject, day, 9)).await;
    }
    // The next round, again without the header, keeps the round's page size.
    let (all, _) = pages(&env, &token, &delta, None).await;
    assert_eq!(all, [vec![], vec!["f", "g"], vec!["h"]]);

    // A size given again wins over the carried one.
    let (all, _) = pages(&env, &token, &path, Some("odata.maxpagesize=4")).await;
    assert_eq!(all.iter().map(Vec::len).collect::<Vec<_>>(), [0, 4, 4]);
}

#[tokio::test]
async fn select_applies_to_task_and_contact_lists() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let list = crate::todo::default_list(&env, &token, &user).await;
    let tasks = format!("/users/{user}/todo/lists/{list}/tasks");
    let (status, _, _) = env
        .graph(
            Method::POST,
            &tasks,
            &token,
            &[],
            Some(&crate::todo::full_task()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let listed = get(&env, &token, &format!("{tasks}?$select=title,status"), None).await;
    let items = listed["value"].as_array().expect("value");
    assert_eq!(items.len(), 1);
    assert_eq!(
        keys(&items[0]),
        BTreeSet::from(["@odata.etag", "id", "status", "title"])
    );

    let (status, folder) = crate::contacts::new_folder(&env, &token, &user, "CRM").await;
    assert_eq!(status, StatusCode::CREATED);
    let folder_id = folder["id"].as_str().expect("id");
    let contacts = format!("/users/{user}/contactFolders/{folder_id}/contacts");
    let (status, _, _) = env
        .graph(
            Method::POST,
            &contacts,
            &token,
            &[],
            Some(&crate::contacts::full_contact()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let listed = get(&env, &token, &format!("{contacts}?$select=surname"), None).await;
    let items = listed["value"].as_array().expect("value");
    assert_eq!(items.len(), 1);
    assert_eq!(
        keys(&items[0]),
        BTreeSet::from(["@odata.etag", "id", "surname"])
    );
    assert_eq!(items[0]["surname"], "Bansky");
}

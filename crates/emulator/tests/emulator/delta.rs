//! calendarView/delta: the initial round paged by `odata.maxpagesize`, incremental rounds
//! after a delta link (changes, creations, `@removed`), the window fixed by the first call,
//! and 410 for expired or unknown state tokens. The paging and change mechanics are tested with
//! `DeltaBehaviour::tidy()`; Exchange Online's defaults are tested in `delta_exchange.rs`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use exsync_emulator::graph::delta_behaviour::DeltaBehaviour;

use crate::common::{Env, berlin_event, error_code, start};

const WINDOW: &str = "startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-08-01T00:00:00Z";

pub(crate) fn series() -> Value {
    json!({
        "subject": "Weekly",
        "start": {"dateTime": "2026-03-16T09:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2026-03-16T09:30:00", "timeZone": "Europe/Berlin"},
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
            "range": {"type": "numbered", "startDate": "2026-03-16", "numberOfOccurrences": 4}
        }
    })
}

fn outside() -> Value {
    json!({
        "subject": "Outside",
        "start": {"dateTime": "2026-10-01T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-10-01T10:00:00", "timeZone": "UTC"},
    })
}

/// Follows a round from `path` to its delta link: every item, the number of pages, the link.
pub(crate) async fn round(
    env: &Env,
    token: &str,
    path: &str,
    page: usize,
) -> (Vec<Value>, usize, String) {
    let prefer = format!("odata.maxpagesize={page}");
    let mut next = path.to_owned();
    let mut items = Vec::new();
    let mut pages = 0;
    loop {
        let (status, headers, body) = env
            .graph(Method::GET, &next, token, &[("Prefer", &prefer)], None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            headers["preference-applied"]
                .to_str()
                .expect("ascii")
                .contains("odata.track-changes")
        );
        assert!(
            body["@odata.context"]
                .as_str()
                .expect("context")
                .ends_with("$metadata#Collection(event)")
        );
        pages += 1;
        let value = body["value"].as_array().expect("value");
        assert!(value.len() <= page, "{body}");
        items.extend(value.iter().cloned());
        let base = env.emu.graph_url();
        if let Some(link) = body["@odata.nextLink"].as_str() {
            assert!(body.get("@odata.deltaLink").is_none());
            assert!(link.contains("$skiptoken="), "{link}");
            assert!(!link.contains("startDateTime"), "{link}");
            next = link.strip_prefix(&base).expect("own link").to_owned();
        } else {
            let link = body["@odata.deltaLink"].as_str().expect("deltaLink");
            assert!(link.contains("$deltatoken="), "{link}");
            assert!(!link.contains("startDateTime"), "{link}");
            return (
                items,
                pages,
                link.strip_prefix(&base).expect("own link").to_owned(),
            );
        }
    }
}

pub(crate) fn ids(items: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = items
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn the_window_is_required() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let path = format!("/users/{user}/calendarView/delta?startDateTime=2026-03-01T00:00:00Z");
    let (status, _, body) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "ErrorInvalidParameter");
}

#[tokio::test]
async fn with_the_tidy_knob_a_full_round_pages_and_then_reports_only_changes() {
    let env = start().await;
    env.emu.set_graph_delta(DeltaBehaviour::tidy());
    let token = env.token().await;
    let user = env.mailbox(0);
    let single = env.create(&token, &user, &berlin_event("Single")).await;
    let master = env.create(&token, &user, &series()).await;
    env.create(&token, &user, &outside()).await;
    let path = format!("/users/{user}/calendarView/delta?{WINDOW}");
    let (items, pages, delta) = round(&env, &token, &path, 2).await;
    assert_eq!(pages, 3);
    assert_eq!(items.len(), 5, "{items:#?}");
    let types: Vec<&str> = items
        .iter()
        .map(|i| i["type"].as_str().expect("type"))
        .collect();
    assert_eq!(types.iter().filter(|t| **t == "occurrence").count(), 4);
    assert!(types.contains(&"singleInstance"));
    assert!(!types.contains(&"seriesMaster"));

    // Nothing changed: an empty page and a new delta link.
    let (items, _, delta) = round(&env, &token, &delta, 2).await;
    assert!(items.is_empty(), "{items:#?}");

    // A change, a creation, an out-of-window creation and a deleted series.
    let single_id = single["id"].as_str().expect("id");
    let patch = json!({"subject": "Single, moved"});
    let (status, _, _) = env
        .graph(
            Method::PATCH,
            &format!("/users/{user}/events/{single_id}"),
            &token,
            &[],
            Some(&patch),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let fresh = env.create(&token, &user, &berlin_event("Fresh")).await;
    env.create(&token, &user, &outside()).await;
    let master_id = master["id"].as_str().expect("id");
    let (status, _, _) = env
        .graph(
            Method::DELETE,
            &format!("/users/{user}/events/{master_id}"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (items, _, delta) = round(&env, &token, &delta, 10).await;
    let removed: Vec<&Value> = items
        .iter()
        .filter(|i| i.get("@removed").is_some())
        .collect();
    assert_eq!(removed.len(), 4, "{items:#?}");
    for r in &removed {
        assert_eq!(r["@removed"], json!({"reason": "deleted"}));
        assert!(r["id"].as_str().expect("id").starts_with(master_id));
        assert_eq!(r.as_object().expect("object").len(), 2, "{r}");
    }
    let live: Vec<Value> = items
        .iter()
        .filter(|i| i.get("@removed").is_none())
        .cloned()
        .collect();
    let mut expected = vec![
        single_id.to_owned(),
        fresh["id"].as_str().expect("id").to_owned(),
    ];
    expected.sort();
    assert_eq!(ids(&live), expected);
    assert!(live.iter().any(|i| i["subject"] == "Single, moved"));

    // The newest delta link is quiet again.
    let (items, _, _) = round(&env, &token, &delta, 10).await;
    assert!(items.is_empty(), "{items:#?}");
}

#[tokio::test]
async fn with_the_tidy_knob_a_cancelled_occurrence_is_removed_and_an_exception_changed() {
    let env = start().await;
    env.emu.set_graph_delta(DeltaBehaviour::tidy());
    let token = env.token().await;
    let user = env.mailbox(0);
    env.create(&token, &user, &series()).await;
    let path = format!("/users/{user}/calendar/calendarView/delta()?{WINDOW}");
    let (items, _, delta) = round(&env, &token, &path, 10).await;
    assert_eq!(items.len(), 4);
    let first = items[0]["id"].as_str().expect("id").to_owned();
    let second = items[1]["id"].as_str().expect("id").to_owned();
    let (status, _, _) = env
        .graph(
            Method::DELETE,
            &format!("/users/{user}/events/{first}"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let patch = json!({"subject": "Special"});
    let (status, _, _) = env
        .graph(
            Method::PATCH,
            &format!("/users/{user}/events/{second}"),
            &token,
            &[],
            Some(&patch),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (items, _, _) = round(&env, &token, &delta, 10).await;
    let removed: Vec<&str> = items
        .iter()
        .filter(|i| i.get("@removed").is_some())
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(removed, [first.as_str()]);
    let exception = items
        .iter()
        .find(|i| i["id"] == second.as_str())
        .expect("exception reported");
    assert_eq!(exception["type"], "exception");
    assert_eq!(exception["subject"], "Special");
}

#[tokio::test]
async fn expired_unknown_and_foreign_tokens_answer_410() {
    let env = start().await;
    let token = env.token().await;
    let (user, other) = (env.mailbox(0), env.mailbox(1));
    env.create(&token, &user, &berlin_event("A")).await;
    env.create(&token, &user, &berlin_event("B")).await;
    let path = format!("/users/{user}/calendarView/delta?{WINDOW}");
    let (status, _, first) = env
        .graph(
            Method::GET,
            &path,
            &token,
            &[("Prefer", "odata.maxpagesize=1")],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let next = first["@odata.nextLink"].as_str().expect("nextLink");
    let skiptoken = next.rsplit_once("$skiptoken=").expect("token").1;

    let foreign = format!("/users/{other}/calendarView/delta?$skiptoken={skiptoken}");
    let (status, _, body) = env.graph(Method::GET, &foreign, &token, &[], None).await;
    assert_eq!(status, StatusCode::GONE, "{body}");
    assert_eq!(error_code(&body), "SyncStateNotFound");

    let unknown = format!("/users/{user}/calendarView/delta?$deltatoken=bm90LWlzc3VlZA");
    let (status, _, body) = env.graph(Method::GET, &unknown, &token, &[], None).await;
    assert_eq!(status, StatusCode::GONE, "{body}");
    assert_eq!(error_code(&body), "SyncStateNotFound");

    env.emu.expire_delta_tokens();
    let own = next.strip_prefix(&env.emu.graph_url()).expect("own link");
    let (status, _, body) = env.graph(Method::GET, own, &token, &[], None).await;
    assert_eq!(status, StatusCode::GONE, "{body}");
    assert_eq!(error_code(&body), "SyncStateNotFound");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .starts_with("The sync state generation is not found")
    );
    // A new round starts over and works.
    let (items, _, _) = round(&env, &token, &path, 10).await;
    assert_eq!(items.len(), 2);
}

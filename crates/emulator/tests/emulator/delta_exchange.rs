//! calendarView/delta as Exchange Online answers it (the emulator's defaults, issue 11): bare
//! occurrences, series masters in the feed, silence about a cancelled occurrence, `@removed`
//! for events outside the window, empty pages with a next link, links that expire after three
//! newer generations, all-day `originalStart` in the series' zone; and the knobs that switch
//! each off (Rust and control API).

use std::collections::BTreeSet;

use exsync_emulator::graph::delta_behaviour::{CancelledOccurrence, DeltaBehaviour};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Env, berlin_event, error_code, start};
use crate::delta::{round, series};

const WINDOW: &str = "startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-08-01T00:00:00Z";

fn keys(item: &Value) -> BTreeSet<&str> {
    item.as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn of_type<'a>(items: &'a [Value], kind: &str) -> Vec<&'a Value> {
    items.iter().filter(|i| i["type"] == kind).collect()
}

fn removed(items: &[Value]) -> Vec<&str> {
    items
        .iter()
        .filter(|i| i.get("@removed").is_some())
        .map(|i| i["id"].as_str().expect("id"))
        .collect()
}

async fn send(env: &Env, token: &str, method: Method, path: &str, body: Option<&Value>) {
    let (status, _, answer) = env.graph(method, path, token, &[], body).await;
    assert!(status.is_success(), "{status} {answer}");
}

#[tokio::test]
async fn occurrences_come_bare_and_the_series_master_comes_with_them() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    env.create(&token, &user, &berlin_event("Single")).await;
    let master = env.create(&token, &user, &series()).await;
    let master_id = master["id"].as_str().expect("id");
    let path = format!("/users/{user}/calendarView/delta?{WINDOW}");
    let (items, _, _) = round(&env, &token, &path, 10).await;
    let occurrences = of_type(&items, "occurrence");
    assert_eq!(occurrences.len(), 4, "{items:#?}");
    let bare = BTreeSet::from([
        "@odata.etag",
        "id",
        "type",
        "seriesMasterId",
        "start",
        "end",
    ]);
    for occurrence in &occurrences {
        assert_eq!(keys(occurrence), bare, "{occurrence}");
        assert_eq!(occurrence["seriesMasterId"], master_id);
    }
    let masters = of_type(&items, "seriesMaster");
    assert_eq!(masters.len(), 1, "{items:#?}");
    assert_eq!(masters[0]["id"], master_id);
    assert!(masters[0]["recurrence"].is_object());
    let singles = of_type(&items, "singleInstance");
    assert_eq!(singles[0]["subject"], "Single", "singles come in full");

    // An exception is bare too; with the knob everything comes in full.
    let second = occurrences[1]["id"].as_str().expect("id").to_owned();
    let (_, _, delta) = round(&env, &token, &path, 10).await;
    let patch = json!({"subject": "Special"});
    let at = format!("/users/{user}/events/{second}");
    send(&env, &token, Method::PATCH, &at, Some(&patch)).await;
    let (items, _, _) = round(&env, &token, &delta, 10).await;
    let exception = of_type(&items, "exception");
    assert_eq!(exception.len(), 1, "{items:#?}");
    assert_eq!(keys(exception[0]), bare);
    env.emu.set_graph_delta(DeltaBehaviour {
        full_occurrences: true,
        series_masters: false,
        ..DeltaBehaviour::default()
    });
    let (items, _, _) = round(&env, &token, &path, 10).await;
    assert!(of_type(&items, "seriesMaster").is_empty());
    assert_eq!(of_type(&items, "exception")[0]["subject"], "Special");
    assert_eq!(of_type(&items, "occurrence")[0]["subject"], "Weekly");
}

#[tokio::test]
async fn a_cancelled_occurrence_says_nothing_unless_the_knob_resends_the_series() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    env.create(&token, &user, &series()).await;
    let path = format!("/users/{user}/calendarView/delta?{WINDOW}");
    let (items, _, delta) = round(&env, &token, &path, 10).await;
    let ids: Vec<String> = of_type(&items, "occurrence")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    let first = format!("/users/{user}/events/{}", ids[0]);
    send(&env, &token, Method::DELETE, &first, None).await;
    let (items, _, delta) = round(&env, &token, &delta, 10).await;
    assert!(items.is_empty(), "a cancellation is silent: {items:#?}");

    env.emu.set_graph_delta(DeltaBehaviour {
        cancelled_occurrence: CancelledOccurrence::ResendSeries,
        ..DeltaBehaviour::default()
    });
    let second = format!("/users/{user}/events/{}", ids[1]);
    send(&env, &token, Method::DELETE, &second, None).await;
    let (items, _, _) = round(&env, &token, &delta, 10).await;
    assert!(removed(&items).is_empty(), "{items:#?}");
    let resent: BTreeSet<&str> = of_type(&items, "occurrence")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(resent, BTreeSet::from([ids[2].as_str(), ids[3].as_str()]));
}

#[tokio::test]
async fn events_outside_the_window_are_reported_removed() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let inside = env.create(&token, &user, &berlin_event("Inside")).await;
    let inside_id = inside["id"].as_str().expect("id");
    let path = format!("/users/{user}/calendarView/delta?{WINDOW}");
    let (_, _, delta) = round(&env, &token, &path, 10).await;
    let outside = json!({
        "subject": "Never inside",
        "start": {"dateTime": "2026-10-01T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-10-01T10:00:00", "timeZone": "UTC"},
    });
    let never = env.create(&token, &user, &outside).await;
    let moved = json!({
        "start": {"dateTime": "2026-11-02T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-11-02T10:00:00", "timeZone": "UTC"},
    });
    let at = format!("/users/{user}/events/{inside_id}");
    send(&env, &token, Method::PATCH, &at, Some(&moved)).await;
    let (items, _, delta) = round(&env, &token, &delta, 10).await;
    let mut gone = removed(&items);
    gone.sort_unstable();
    let mut expected = vec![inside_id, never["id"].as_str().expect("id")];
    expected.sort_unstable();
    assert_eq!(gone, expected, "{items:#?}");
    assert_eq!(items.len(), 2, "{items:#?}");

    env.emu.set_graph_delta(DeltaBehaviour {
        removed_outside_window: false,
        ..DeltaBehaviour::default()
    });
    env.create(&token, &user, &outside).await;
    let (items, _, _) = round(&env, &token, &delta, 10).await;
    assert!(items.is_empty(), "{items:#?}");
}

/// The pages of one round as (items on the page, next link or delta link).
async fn pages(env: &Env, token: &str, path: &str) -> Vec<(usize, String)> {
    let mut next = path.to_owned();
    let mut pages = Vec::new();
    loop {
        let (status, _, body) = env.graph(Method::GET, &next, token, &[], None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let count = body["value"].as_array().expect("value").len();
        let base = env.emu.graph_url();
        if let Some(link) = body["@odata.nextLink"].as_str() {
            next = link.strip_prefix(&base).expect("own link").to_owned();
            pages.push((count, next.clone()));
        } else {
            let link = body["@odata.deltaLink"].as_str().expect("delta link");
            pages.push((count, link.strip_prefix(&base).expect("own").to_owned()));
            return pages;
        }
    }
}

#[tokio::test]
async fn rounds_open_with_empty_pages_that_carry_a_next_link() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    env.create(&token, &user, &berlin_event("A")).await;
    let path = format!("/users/{user}/calendarView/delta?{WINDOW}");
    let counts = |p: &[(usize, String)]| p.iter().map(|(n, _)| *n).collect::<Vec<_>>();
    let first = pages(&env, &token, &path).await;
    assert_eq!(counts(&first), [0, 1]);
    let delta = &first[1].1;
    let quiet = pages(&env, &token, delta).await;
    assert_eq!(counts(&quiet), [0, 0], "an idle round too");

    env.emu.set_graph_delta(DeltaBehaviour {
        leading_empty_pages: 3,
        ..DeltaBehaviour::default()
    });
    assert_eq!(counts(&pages(&env, &token, &path).await), [0, 0, 0, 1]);
    env.emu.set_graph_delta(DeltaBehaviour {
        leading_empty_pages: 0,
        ..DeltaBehaviour::default()
    });
    assert_eq!(counts(&pages(&env, &token, &path).await), [1]);
}

#[tokio::test]
async fn only_the_newest_three_generations_of_links_are_answered() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    env.create(&token, &user, &berlin_event("A")).await;
    let path = format!("/users/{user}/calendarView/delta?{WINDOW}");
    let (_, _, mut link) = round(&env, &token, &path, 10).await;
    let mut links = vec![link.clone()];
    // A next link of the round being built: it belongs to the coming generation.
    let (_, _, opening) = env.graph(Method::GET, &link, &token, &[], None).await;
    let next = opening["@odata.nextLink"].as_str().expect("next link");
    let next = next
        .strip_prefix(&env.emu.graph_url())
        .expect("own")
        .to_owned();
    for _ in 0..4 {
        link = round(&env, &token, &link, 10).await.2;
        links.push(link.clone());
    }
    // Generations 1 to 5 issued: 1 and 2 are gone, 3 to 5 answer.
    for old in &links[..2] {
        let (status, _, body) = env.graph(Method::GET, old, &token, &[], None).await;
        assert_eq!(status, StatusCode::GONE, "{body}");
        assert_eq!(error_code(&body), "SyncStateNotFound");
    }
    let (status, _, body) = env.graph(Method::GET, &next, &token, &[], None).await;
    assert_eq!(
        status,
        StatusCode::GONE,
        "an old next link expires too: {body}"
    );
    for kept in &links[2..] {
        let (status, _, body) = env.graph(Method::GET, kept, &token, &[], None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    env.emu.set_graph_delta(DeltaBehaviour {
        kept_generations: None,
        ..DeltaBehaviour::default()
    });
    let (_, _, first) = round(&env, &token, &path, 10).await;
    let mut link = first.clone();
    for _ in 0..5 {
        link = round(&env, &token, &link, 10).await.2;
    }
    let (status, _, body) = env.graph(Method::GET, &first, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn all_day_original_start_is_local_midnight_of_the_series_zone_in_utc() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    for (zone, expected) in [
        ("Europe/Berlin", "2027-03-09T23:00:00Z"),
        ("W. Europe Standard Time", "2027-03-09T23:00:00Z"),
        ("America/New_York", "2027-03-10T05:00:00Z"),
        ("Pacific/Auckland", "2027-03-09T11:00:00Z"),
    ] {
        let body = json!({
            "subject": "Day", "isAllDay": true,
            "start": {"dateTime": "2027-03-10T00:00:00", "timeZone": zone},
            "end": {"dateTime": "2027-03-11T00:00:00", "timeZone": zone},
            "recurrence": {
                "pattern": {"type": "daily", "interval": 1},
                "range": {"type": "numbered", "startDate": "2027-03-10", "numberOfOccurrences": 2}
            }
        });
        let master = env.create(&token, &user, &body).await;
        let path = format!(
            "/users/{user}/events/{}/instances?startDateTime=2027-03-01T00:00:00Z&endDateTime=2027-04-01T00:00:00Z",
            master["id"].as_str().expect("id")
        );
        let (status, _, page) = env.graph(Method::GET, &path, &token, &[], None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let first = &page["value"][0];
        assert_eq!(first["originalStart"], expected, "{zone}: {first}");
        assert_eq!(first["start"]["dateTime"], "2027-03-10T00:00:00.0000000");
    }
}

#[tokio::test]
async fn the_control_api_sets_and_reads_the_delta_knobs() {
    let env = start().await;
    let url = format!("{}/_emulator/graph-delta", env.emu.base_url());
    let current: Value = env
        .http
        .get(&url)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(
        serde_json::from_value::<DeltaBehaviour>(current).expect("behaviour"),
        DeltaBehaviour::default()
    );
    let answer = env
        .http
        .put(&url)
        .json(&json!({"cancelled_occurrence": "resend_series", "kept_generations": null}))
        .send()
        .await
        .expect("put");
    assert_eq!(answer.status(), StatusCode::OK);
    let set = env.emu.graph_delta();
    assert_eq!(set.cancelled_occurrence, CancelledOccurrence::ResendSeries);
    assert_eq!(set.kept_generations, None);
    assert_eq!(
        set.leading_empty_pages, 1,
        "what is not named keeps its default"
    );
    let wrong = env
        .http
        .put(&url)
        .json(&json!({"cancelled_occurrence": "loudly"}))
        .send()
        .await
        .expect("put");
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
}

//! Listing series masters with `$filter=type eq 'seriesMaster'&$select=id,changeKey`, and the
//! master's change key and `lastModifiedDateTime` moving when one occurrence is cancelled or
//! changed — the signal a client reads to see that a series changed (the delta feed says
//! nothing about a cancelled occurrence).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Env, berlin_event, error_code, start};

fn daily_series() -> Value {
    json!({
        "subject": "Stand-up",
        "start": {"dateTime": "2026-03-16T09:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2026-03-16T09:15:00", "timeZone": "W. Europe Standard Time"},
        "recurrence": {
            "pattern": {"type": "daily", "interval": 1},
            "range": {"type": "numbered", "startDate": "2026-03-16", "numberOfOccurrences": 5}
        }
    })
}

async fn masters(env: &Env, token: &str, user: &str) -> Value {
    let path = format!(
        "/users/{user}/events?$filter=type%20eq%20'seriesMaster'&$select=id,changeKey,lastModifiedDateTime"
    );
    let (status, _, body) = env.graph(Method::GET, &path, token, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn only_masters_are_listed_and_a_cancelled_occurrence_changes_the_masters_key() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    env.create(&token, &user, &berlin_event("Single")).await;
    let master = env.create(&token, &user, &daily_series()).await;
    let master_id = master["id"].as_str().expect("id");

    let listed = masters(&env, &token, &user).await;
    let entries = listed["value"].as_array().expect("value");
    assert_eq!(entries.len(), 1, "{listed}");
    assert_eq!(entries[0]["id"], master_id);
    assert_eq!(entries[0]["changeKey"], master["changeKey"]);
    assert!(entries[0].get("subject").is_none(), "{listed}");
    let modified_before = entries[0]["lastModifiedDateTime"].clone();

    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let occurrence = format!("{master_id}_O20260318T090000");
    let (status, _, _) = env
        .graph(
            Method::DELETE,
            &format!("/users/{user}/events/{occurrence}"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let after = masters(&env, &token, &user).await;
    assert_ne!(
        after["value"][0]["changeKey"], master["changeKey"],
        "{after}"
    );
    assert_ne!(after["value"][0]["lastModifiedDateTime"], modified_before);

    // Singles only, and both.
    let path = format!("/users/{user}/events?$filter=type%20eq%20'singleInstance'");
    let (_, _, singles) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(singles["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(singles["value"][0]["type"], "singleInstance");
    let path = format!(
        "/users/{user}/events?$filter=type%20eq%20'singleInstance'%20or%20type%20eq%20'seriesMaster'"
    );
    let (_, _, both) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(both["value"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_type_filter_it_cannot_read_is_refused() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let path = format!("/users/{user}/events?$filter=type%20ne%20'seriesMaster'");
    let (status, _, body) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "BadRequest");
}

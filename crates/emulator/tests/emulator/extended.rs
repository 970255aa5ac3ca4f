//! singleValueExtendedProperties: written with POST/PATCH, hidden unless expanded, found by
//! the `Any(...)` filter; other filters and malformed properties answer 400.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{berlin_event, error_code, start};

const PROP: &str = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name exsyncId";

fn with_prop(subject: &str, value: &str) -> Value {
    let mut event = berlin_event(subject);
    event["singleValueExtendedProperties"] = json!([{"id": PROP, "value": value}]);
    event
}

fn expand_query() -> String {
    format!("$expand=singleValueExtendedProperties($filter=id eq '{PROP}')")
}

#[tokio::test]
async fn properties_are_returned_only_when_expanded() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let created = env.create(&token, &user, &with_prop("A", "link-1")).await;
    assert!(created.get("singleValueExtendedProperties").is_none());
    let id = created["id"].as_str().expect("id");
    let path = format!("/users/{user}/events/{id}");
    let (_, _, plain) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert!(
        plain.get("singleValueExtendedProperties").is_none(),
        "{plain}"
    );
    let expanded_path = format!("{path}?{}", expand_query());
    let (status, _, expanded) = env
        .graph(Method::GET, &expanded_path, &token, &[], None)
        .await;
    assert_eq!(status, StatusCode::OK, "{expanded}");
    assert_eq!(
        expanded["singleValueExtendedProperties"],
        json!([{"id": PROP, "value": "link-1"}])
    );

    // PATCH replaces the value; the event keeps its other properties.
    let patch = json!({"singleValueExtendedProperties": [{"id": PROP, "value": "link-2"}]});
    let (status, _, _) = env
        .graph(Method::PATCH, &path, &token, &[], Some(&patch))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, expanded) = env
        .graph(Method::GET, &expanded_path, &token, &[], None)
        .await;
    assert_eq!(
        expanded["singleValueExtendedProperties"][0]["value"],
        "link-2"
    );
    assert_eq!(expanded["subject"], "A");

    // Expanding another id returns no property at all.
    let other = format!(
        "{path}?$expand=singleValueExtendedProperties($filter=id eq 'String {{66f5a359-4659-4830-9070-00047ec6ac6e}} Name other')"
    );
    let (status, _, body) = env.graph(Method::GET, &other, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.get("singleValueExtendedProperties").is_none(),
        "{body}"
    );
}

#[tokio::test]
async fn the_any_filter_finds_the_event_with_that_value() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    env.create(&token, &user, &with_prop("A", "link-1")).await;
    let b = env.create(&token, &user, &with_prop("B", "link-2")).await;
    env.create(&token, &user, &berlin_event("C")).await;
    let path = format!(
        "/users/{user}/events?$filter=singleValueExtendedProperties/Any(ep: ep/id eq '{PROP}' and ep/value eq 'link-2')&{}",
        expand_query()
    );
    let (status, _, body) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let value = body["value"].as_array().expect("value");
    assert_eq!(value.len(), 1, "{body}");
    assert_eq!(value[0]["id"], b["id"]);
    assert_eq!(
        value[0]["singleValueExtendedProperties"][0]["value"],
        "link-2"
    );
    let none = format!(
        "/users/{user}/events?$filter=singleValueExtendedProperties/any(x: x/id eq '{PROP}' and x/value eq 'nothing')"
    );
    let (status, _, body) = env.graph(Method::GET, &none, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["value"], json!([]));
}

#[tokio::test]
async fn other_filters_and_bad_properties_answer_400() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let path = format!("/users/{user}/events?$filter=subject eq 'A'");
    let (status, _, body) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "BadRequest");
    assert_eq!(body["error"]["message"], "Invalid filter clause");

    let mut bad = berlin_event("Bad");
    bad["singleValueExtendedProperties"] = json!([{"id": "exsyncId", "value": "x"}]);
    let (status, _, body) = env
        .graph(
            Method::POST,
            &format!("/users/{user}/events"),
            &token,
            &[],
            Some(&bad),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, _, list) = env
        .graph(
            Method::GET,
            &format!("/users/{user}/events"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(list["value"], json!([]));
}

//! `$batch`: inner requests routed like direct calls, `dependsOn` order, 424 for a failed
//! dependency, more than 20 requests refused, inner requests counted against the limits.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Env, berlin_event, error_code, start};

async fn batch(env: &Env, token: &str, requests: Value) -> (StatusCode, Value) {
    let body = json!({"requests": requests});
    let (status, headers, body) = env
        .graph(Method::POST, "/$batch", token, &[], Some(&body))
        .await;
    assert!(headers.contains_key("request-id"));
    (status, body)
}

fn by_id<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .find(|r| r["id"] == id)
        .expect("response for id")
}

#[tokio::test]
async fn inner_requests_run_in_dependency_order() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let requests = json!([
        {"id": "list", "method": "GET", "url": format!("/users/{user}/events"), "dependsOn": ["create"]},
        {"id": "create", "method": "POST", "url": format!("users/{user}/events"),
         "headers": {"Content-Type": "application/json"}, "body": berlin_event("Batched")},
        {"id": "missing", "method": "GET", "url": format!("/users/{user}/events/not-an-id")},
        {"id": "after-missing", "method": "GET", "url": format!("/users/{user}/events"), "dependsOn": ["missing"]},
        {"id": "filtered", "method": "GET",
         "url": format!("/users/{user}/events?$filter=singleValueExtendedProperties/Any(ep: ep/id eq 'String {{66f5a359-4659-4830-9070-00047ec6ac6e}} Name x' and ep/value eq 'y')")},
    ]);
    let (status, body) = batch(&env, &token, requests).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["responses"].as_array().expect("responses").len(), 5);
    let created = by_id(&body, "create");
    assert_eq!(created["status"], 201, "{body}");
    assert_eq!(created["body"]["subject"], "Batched");
    let list = by_id(&body, "list");
    assert_eq!(list["status"], 200);
    assert_eq!(list["body"]["value"][0]["id"], created["body"]["id"]);
    let missing = by_id(&body, "missing");
    assert_eq!(missing["status"], 400, "{missing}");
    assert_eq!(missing["body"]["error"]["code"], "ErrorInvalidIdMalformed");
    assert_eq!(by_id(&body, "after-missing")["status"], 424);
    let filtered = by_id(&body, "filtered");
    assert_eq!(filtered["status"], 200, "{filtered}");
    assert_eq!(filtered["body"]["value"], json!([]));
}

#[tokio::test]
async fn oversized_and_malformed_batches_answer_400() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": format!("/users/{user}/events")}))
        .collect();
    let (status, body) = batch(&env, &token, Value::Array(many)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_code(&body), "BadRequest");
    let no_type = json!([{"id": "1", "method": "POST", "url": format!("/users/{user}/events"),
                          "body": berlin_event("x")}]);
    let (status, body) = batch(&env, &token, no_type).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let unknown_dep =
        json!([{"id": "1", "method": "GET", "url": "/users/x/events", "dependsOn": ["2"]}]);
    let (status, _) = batch(&env, &token, unknown_dep).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn inner_requests_count_against_the_mailbox_budget() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    env.emu.set_request_budget(2);
    let requests: Vec<Value> = (0..3)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": format!("/users/{user}/events")}))
        .collect();
    let (status, body) = batch(&env, &token, Value::Array(requests)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The three run in parallel: which one is refused depends on who comes last.
    let answers = body["responses"].as_array().expect("responses");
    assert_eq!(
        answers.iter().filter(|a| a["status"] == 200).count(),
        2,
        "{body}"
    );
    let third = answers
        .iter()
        .find(|a| a["status"] == 429)
        .expect("one over the budget");
    assert_eq!(third["body"]["error"]["code"], "ApplicationThrottled");
    assert!(third["headers"]["retry-after"].is_string(), "{third}");
    // A bad token answers 401 per inner request.
    let (status, body) = batch(
        &env,
        "nope",
        json!([{"id": "1", "method": "GET", "url": format!("/users/{user}/events")}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_id(&body, "1")["status"], 401);
}

//! calendarView and instances: series expanded across DST, exceptions and cancelled
//! occurrences, no masters.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Env, berlin_event, error_code, start};

fn weekly_series() -> Value {
    json!({
        "subject": "Jour fixe",
        "start": {"dateTime": "2026-03-16T09:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2026-03-16T09:30:00", "timeZone": "W. Europe Standard Time"},
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "firstDayOfWeek": "monday"},
            "range": {"type": "numbered", "startDate": "2026-03-16", "numberOfOccurrences": 4,
                      "recurrenceTimeZone": "W. Europe Standard Time"}
        }
    })
}

async fn view(env: &Env, token: &str, user: &str, query: &str) -> (StatusCode, Value) {
    let path = format!("/users/{user}/calendarView?{query}");
    let (status, _, body) = env.graph(Method::GET, &path, token, &[], None).await;
    (status, body)
}

fn starts(body: &Value) -> Vec<(String, String)> {
    body["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or("").to_owned(),
                e["start"]["dateTime"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_series_expands_at_nine_local_across_the_dst_switch() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let master = env.create(&token, &user, &weekly_series()).await;
    assert_eq!(master["type"], "seriesMaster");
    assert_eq!(
        master["recurrence"]["pattern"]["daysOfWeek"],
        json!(["monday"])
    );
    assert_eq!(master["recurrence"]["range"]["numberOfOccurrences"], 4);
    assert_eq!(master["recurrence"]["range"]["startDate"], "2026-03-16");
    let single = env.create(&token, &user, &berlin_event("Single")).await;
    let (status, body) = view(
        &env,
        &token,
        &user,
        "startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-08-01T00:00:00Z&$top=50",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        starts(&body),
        [
            (
                "occurrence".to_owned(),
                "2026-03-16T08:00:00.0000000".to_owned()
            ),
            (
                "occurrence".to_owned(),
                "2026-03-23T08:00:00.0000000".to_owned()
            ),
            (
                "occurrence".to_owned(),
                "2026-03-30T07:00:00.0000000".to_owned()
            ),
            (
                "occurrence".to_owned(),
                "2026-04-06T07:00:00.0000000".to_owned()
            ),
            (
                "singleInstance".to_owned(),
                "2026-07-15T07:00:00.0000000".to_owned()
            ),
        ]
    );
    let items = body["value"].as_array().expect("value");
    assert!(items.iter().all(|e| e["id"] != master["id"]));
    assert_eq!(items[0]["seriesMasterId"], master["id"]);
    assert!(items[0]["recurrence"].is_null());
    assert_eq!(items[4]["id"], single["id"]);
    // In Berlin time every occurrence is at 09:00.
    let path = format!(
        "/users/{user}/calendarView?startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-05-01T00:00:00Z"
    );
    let prefer = [("Prefer", "outlook.timezone=\"Europe/Berlin\"")];
    let (_, _, local) = env.graph(Method::GET, &path, &token, &prefer, None).await;
    for (_, start) in starts(&local) {
        assert!(start.ends_with("T09:00:00.0000000"), "{start}");
    }
    // An occurrence can be read by its id.
    let occurrence_id = items[2]["id"].as_str().expect("id");
    let (status, _, got) = env
        .graph(
            Method::GET,
            &format!("/users/{user}/events/{occurrence_id}"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["type"], "occurrence");
    assert_eq!(got["start"]["dateTime"], "2026-03-30T07:00:00.0000000");
}

#[tokio::test]
async fn exceptions_show_as_exceptions_and_cancelled_occurrences_vanish() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(1);
    let master = env.create(&token, &user, &weekly_series()).await;
    let master_id = master["id"].as_str().expect("id").to_owned();
    let window = "startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-05-01T00:00:00Z";
    let (_, before) = view(&env, &token, &user, window).await;
    let id_of = |n: usize| before["value"][n]["id"].as_str().expect("id").to_owned();
    let (second, third) = (id_of(1), id_of(2));
    // Move and rename the third occurrence (2026-03-30, after the DST switch).
    let patch = json!({
        "subject": "Moved",
        "start": {"dateTime": "2026-03-30T10:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2026-03-30T11:00:00", "timeZone": "W. Europe Standard Time"},
    });
    let path = |id: &str| format!("/users/{user}/events/{id}");
    let stale = [("If-Match", "W/\"stale\"")];
    let (status, _, body) = env
        .graph(Method::PATCH, &path(&third), &token, &stale, Some(&patch))
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(error_code(&body), "ErrorIrresolvableConflict");
    let (status, _, exception) = env
        .graph(Method::PATCH, &path(&third), &token, &[], Some(&patch))
        .await;
    assert_eq!(status, StatusCode::OK, "{exception}");
    assert_eq!(exception["type"], "exception");
    assert_eq!(exception["id"], third.as_str());
    assert_eq!(exception["seriesMasterId"], master_id.as_str());
    assert_eq!(
        exception["start"]["dateTime"],
        "2026-03-30T08:00:00.0000000"
    );
    // Cancel the second occurrence.
    let (status, _, _) = env
        .graph(Method::DELETE, &path(&second), &token, &[], None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, body) = env
        .graph(Method::GET, &path(&second), &token, &[], None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "ErrorItemNotFound");
    let (status, body) = view(&env, &token, &user, window).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        starts(&body),
        [
            (
                "occurrence".to_owned(),
                "2026-03-16T08:00:00.0000000".to_owned()
            ),
            (
                "exception".to_owned(),
                "2026-03-30T08:00:00.0000000".to_owned()
            ),
            (
                "occurrence".to_owned(),
                "2026-04-06T07:00:00.0000000".to_owned()
            ),
        ]
    );
    assert_eq!(body["value"][1]["subject"], "Moved");
    assert_eq!(body["value"][2]["subject"], "Jour fixe");
    // The master carries the change, the series itself is unchanged.
    let (_, _, after) = env
        .graph(Method::GET, &path(&master_id), &token, &[], None)
        .await;
    assert_ne!(after["changeKey"], master["changeKey"]);
    assert_eq!(after["subject"], "Jour fixe");
    assert_eq!(after["recurrence"], master["recurrence"]);
    // instances of the master: the same three.
    let instances = format!(
        "/users/{user}/events/{master_id}/instances?startDateTime=2026-03-01T00:00:00&endDateTime=2026-05-01T00:00:00"
    );
    let (status, _, listed) = env.graph(Method::GET, &instances, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(starts(&listed), starts(&body));
    // Updating the series (not its recurrence) keeps the exceptions.
    let rename = json!({"subject": "Jour fixe (neu)"});
    let (status, _, _) = env
        .graph(Method::PATCH, &path(&master_id), &token, &[], Some(&rename))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, renamed) = view(&env, &token, &user, window).await;
    assert_eq!(starts(&renamed), starts(&body));
    assert_eq!(renamed["value"][1]["subject"], "Moved");
    assert_eq!(renamed["value"][2]["subject"], "Jour fixe (neu)");
}

#[tokio::test]
async fn the_window_is_required_and_paged() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(2);
    let (status, body) = view(&env, &token, &user, "startDateTime=2026-03-01T00:00:00Z").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "ErrorInvalidParameter");
    let mut series = weekly_series();
    series["recurrence"]["range"] = json!({"type": "noEnd", "startDate": "2026-03-16"});
    env.create(&token, &user, &series).await;
    let (status, first) = view(
        &env,
        &token,
        &user,
        "startDateTime=2026-03-01T00:00:00Z&endDateTime=2027-03-01T00:00:00Z",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["value"].as_array().map(Vec::len), Some(10));
    let mut next = first["@odata.nextLink"].as_str().map(str::to_owned);
    let mut total = 10;
    while let Some(url) = next {
        let page: Value = env
            .http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json");
        total += page["value"].as_array().map_or(0, Vec::len);
        next = page["@odata.nextLink"].as_str().map(str::to_owned);
    }
    // Mondays from 2026-03-16 to 2027-02-22 inclusive.
    assert_eq!(total, 50);
}

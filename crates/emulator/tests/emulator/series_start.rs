//! A series starts with its first occurrence, as in Exchange: a start the pattern does not
//! produce (on create, or after the pattern changed) moves to the first date the pattern
//! produces, keeping time, length and zone; a range without any occurrence is refused.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{error_code, start};

const BERLIN: &str = "W. Europe Standard Time";

/// "Every third day from Monday 8 March 2027", 09:00-10:30 Berlin.
fn every_third_day() -> Value {
    json!({
        "subject": "Jour fixe",
        "start": {"dateTime": "2027-03-08T09:00:00", "timeZone": BERLIN},
        "end": {"dateTime": "2027-03-08T10:30:00", "timeZone": BERLIN},
        "recurrence": {
            "pattern": {"type": "daily", "interval": 3},
            "range": {"type": "noEnd", "startDate": "2027-03-08", "recurrenceTimeZone": BERLIN}
        }
    })
}

fn tuesday_and_thursday(range: Value) -> Value {
    json!({
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday", "thursday"],
                    "firstDayOfWeek": "sunday"},
        "range": range
    })
}

#[tokio::test]
async fn a_changed_pattern_moves_the_series_start_to_its_first_occurrence() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let master = env.create(&token, &user, &every_third_day()).await;
    assert_eq!(master["start"]["dateTime"], "2027-03-08T08:00:00.0000000");
    let id = master["id"].as_str().expect("id");
    let path = format!("/users/{user}/events/{id}");
    let patch = json!({"recurrence": tuesday_and_thursday(
        json!({"type": "noEnd", "startDate": "2027-03-08", "recurrenceTimeZone": BERLIN})
    )});
    let (status, _, changed) = env
        .graph(Method::PATCH, &path, &token, &[], Some(&patch))
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    // Tuesday 9 March, same time and length (UTC, Berlin is UTC+1 in early March).
    assert_eq!(changed["start"]["dateTime"], "2027-03-09T08:00:00.0000000");
    assert_eq!(changed["end"]["dateTime"], "2027-03-09T09:30:00.0000000");
    assert_eq!(changed["originalStartTimeZone"], BERLIN);
    assert_eq!(changed["recurrence"]["range"]["startDate"], "2027-03-09");
    let (_, _, read) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(read["start"], changed["start"]);
    let instances = format!(
        "{path}/instances?startDateTime=2027-03-01T00:00:00Z&endDateTime=2027-03-15T00:00:00Z"
    );
    let (_, _, body) = env.graph(Method::GET, &instances, &token, &[], None).await;
    let starts: Vec<&str> = body["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|i| i["start"]["dateTime"].as_str())
        .collect();
    assert_eq!(
        starts,
        ["2027-03-09T08:00:00.0000000", "2027-03-11T08:00:00.0000000"]
    );
}

#[tokio::test]
async fn a_series_created_off_its_pattern_starts_on_its_first_occurrence() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let mut body = every_third_day();
    body["recurrence"] = json!({
        "pattern": {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["friday"],
                    "index": "last"},
        "range": {"type": "numbered", "startDate": "2027-03-08", "numberOfOccurrences": 2}
    });
    let master = env.create(&token, &user, &body).await;
    assert_eq!(master["start"]["dateTime"], "2027-03-26T08:00:00.0000000");
    assert_eq!(master["end"]["dateTime"], "2027-03-26T09:30:00.0000000");
    assert_eq!(master["recurrence"]["range"]["numberOfOccurrences"], 2);
}

#[tokio::test]
async fn a_range_without_any_occurrence_is_refused() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let mut body = every_third_day();
    body["recurrence"] = tuesday_and_thursday(json!({"type": "endDate",
        "startDate": "2027-03-08", "endDate": "2027-03-08", "recurrenceTimeZone": BERLIN}));
    let path = format!("/users/{user}/events");
    let (status, _, answer) = env
        .graph(Method::POST, &path, &token, &[], Some(&body))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(error_code(&answer), "ErrorRecurrenceHasNoOccurrence");
    let (_, _, list) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(list["value"], json!([]), "nothing was created");
}

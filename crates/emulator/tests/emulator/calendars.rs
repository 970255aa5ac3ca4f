//! Calendars: the default one listed, secondary ones created by name, their own events apart
//! from the default calendar's, and the permission check.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{berlin_event, error_code, start};

#[tokio::test]
async fn secondary_calendars_hold_their_own_events() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let calendars = format!("/users/{user}/calendars");
    let (status, _, listed) = env.graph(Method::GET, &calendars, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let value = listed["value"].as_array().expect("value");
    assert_eq!(value.len(), 1, "{listed}");
    assert_eq!(value[0]["isDefaultCalendar"], true);
    assert_eq!(value[0]["name"], "Calendar");
    let default_id = value[0]["id"].as_str().expect("id").to_owned();

    let (status, _, created) = env
        .graph(
            Method::POST,
            &calendars,
            &token,
            &[],
            Some(&json!({"name": "exsync check"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["name"], "exsync check");
    assert_eq!(created["isDefaultCalendar"], false);
    let (status, _, again) = env
        .graph(
            Method::POST,
            &calendars,
            &token,
            &[],
            Some(&json!({"name": "EXSYNC check"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&again), "ErrorFolderExists");

    let id = created["id"].as_str().expect("id");
    let events = format!("{calendars}/{id}/events");
    let (status, _, event) = env
        .graph(
            Method::POST,
            &events,
            &token,
            &[],
            Some(&berlin_event("probe")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    assert_eq!(event["subject"], "probe");
    let (_, _, in_default) = env
        .graph(
            Method::GET,
            &format!("/users/{user}/events"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(
        in_default["value"],
        json!([]),
        "not in the default calendar"
    );
    let (_, _, in_secondary) = env.graph(Method::GET, &events, &token, &[], None).await;
    assert_eq!(in_secondary["value"][0]["id"], event["id"]);

    let event_id = event["id"].as_str().expect("id");
    let one = format!("{events}/{event_id}");
    let (status, _, read) = env.graph(Method::GET, &one, &token, &[], None).await;
    assert_eq!(
        (status, &read["subject"]),
        (StatusCode::OK, &json!("probe"))
    );
    let (status, _, _) = env.graph(Method::DELETE, &one, &token, &[], None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, gone) = env.graph(Method::GET, &one, &token, &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&gone), "ErrorItemNotFound");

    // The default calendar's events are the mailbox's calendar items.
    let default_events = format!("{calendars}/{default_id}/events");
    let (status, _, made) = env
        .graph(
            Method::POST,
            &default_events,
            &token,
            &[],
            Some(&berlin_event("main")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let (_, _, listed) = env
        .graph(
            Method::GET,
            &format!("/users/{user}/events"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(listed["value"][0]["id"], made["id"]);
    let (status, _, calendar) = env
        .graph(Method::GET, &format!("{calendars}/{id}"), &token, &[], None)
        .await;
    assert_eq!(
        (status, &calendar["name"]),
        (StatusCode::OK, &json!("exsync check"))
    );
}

#[tokio::test]
async fn calendars_need_calendar_permissions() {
    let env = start().await;
    env.emu
        .set_permissions(&env.emu.client_id(), &["Tasks.ReadWrite.All"]);
    let token = env.token().await;
    let user = env.mailbox(0);
    let (status, _, body) = env
        .graph(
            Method::POST,
            &format!("/users/{user}/calendars"),
            &token,
            &[],
            Some(&json!({"name": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "ErrorAccessDenied");
    let (status, _, body) = env
        .graph(
            Method::GET,
            "/users/nobody@contoso.example/calendars",
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "permission before user: {body}"
    );
}

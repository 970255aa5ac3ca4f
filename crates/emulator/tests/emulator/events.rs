//! Graph events: create, read, list, update, delete, and the errors around them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{berlin_event, error_code, start};

#[tokio::test]
async fn a_created_event_comes_back_in_utc_with_graphs_bookkeeping() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let created = env.create(&token, &user, &berlin_event("Budget")).await;
    let id = created["id"].as_str().expect("id");
    assert!(id.starts_with("AAMk"), "{id}");
    let change_key = created["changeKey"].as_str().expect("changeKey");
    assert_eq!(created["@odata.etag"], format!("W/\"{change_key}\""));
    assert_eq!(created["subject"], "Budget");
    assert_eq!(created["type"], "singleInstance");
    assert_eq!(created["isAllDay"], false);
    assert_eq!(
        created["start"],
        json!({"dateTime": "2026-07-15T07:00:00.0000000", "timeZone": "UTC"})
    );
    assert_eq!(
        created["end"],
        json!({"dateTime": "2026-07-15T08:30:00.0000000", "timeZone": "UTC"})
    );
    assert_eq!(created["originalStartTimeZone"], "Europe/Berlin");
    assert_eq!(created["originalEndTimeZone"], "Europe/Berlin");
    assert_eq!(
        created["body"],
        json!({"contentType": "text", "content": "Agenda: budget"})
    );
    assert_eq!(created["location"]["displayName"], "Room 1");
    assert_eq!(created["categories"], json!(["Kunde"]));
    assert_eq!(created["showAs"], "busy");
    assert_eq!(created["isReminderOn"], true);
    assert_eq!(created["reminderMinutesBeforeStart"], 15);
    assert_eq!(created["isOrganizer"], true);
    assert_eq!(created["organizer"]["emailAddress"]["address"], user);
    assert!(created["recurrence"].is_null());
    assert!(created["seriesMasterId"].is_null());
    assert!(created["iCalUId"].as_str().is_some_and(|u| !u.is_empty()));
    assert!(
        created["createdDateTime"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    // Readable by UPN, by object id, and through /calendar/events.
    let by_id = env.emu.mailboxes()[0].id.clone();
    for path in [
        format!("/users/{user}/events/{id}"),
        format!("/users/{by_id}/events/{id}"),
        format!("/users/{}/calendar/events/{id}", user.to_uppercase()),
    ] {
        let (status, _, got) = env.graph(Method::GET, &path, &token, &[], None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {got}");
        assert_eq!(got["changeKey"], created["changeKey"]);
        assert_eq!(got["start"], created["start"]);
    }
    // Another mailbox does not see it.
    let other = format!("/users/{}/events/{id}", env.mailbox(1));
    let (status, _, body) = env.graph(Method::GET, &other, &token, &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "ErrorItemNotFound");
}

#[tokio::test]
async fn prefer_outlook_timezone_answers_in_that_zone() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let created = env.create(&token, &user, &berlin_event("Zones")).await;
    let path = format!(
        "/users/{user}/events/{}",
        created["id"].as_str().expect("id")
    );
    for (zone, start) in [
        ("Pacific Standard Time", "2026-07-15T00:00:00.0000000"),
        ("Europe/Berlin", "2026-07-15T09:00:00.0000000"),
        ("W. Europe Standard Time", "2026-07-15T09:00:00.0000000"),
    ] {
        let prefer = format!("outlook.timezone=\"{zone}\"");
        let (status, headers, got) = env
            .graph(Method::GET, &path, &token, &[("Prefer", &prefer)], None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(got["start"], json!({"dateTime": start, "timeZone": zone}));
        let applied = headers
            .get("preference-applied")
            .and_then(|v| v.to_str().ok());
        assert_eq!(applied, Some(prefer.as_str()));
    }
    let immutable = [("Prefer", "IdType=\"ImmutableId\"")];
    let (status, headers, got) = env
        .graph(Method::GET, &path, &token, &immutable, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["id"], created["id"]);
    assert_eq!(
        headers
            .get("preference-applied")
            .and_then(|v| v.to_str().ok()),
        Some("IdType=\"ImmutableId\"")
    );
}

#[tokio::test]
async fn all_day_events_keep_their_dates() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(1);
    let body = json!({
        "subject": "Holiday",
        "isAllDay": true,
        "isReminderOn": false,
        "showAs": "oof",
        "start": {"dateTime": "2026-12-24T00:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2026-12-27T00:00:00", "timeZone": "W. Europe Standard Time"},
    });
    let created = env.create(&token, &user, &body).await;
    assert_eq!(created["isAllDay"], true);
    assert_eq!(created["isReminderOn"], false);
    assert_eq!(created["showAs"], "oof");
    assert_eq!(created["start"]["dateTime"], "2026-12-24T00:00:00.0000000");
    assert_eq!(created["end"]["dateTime"], "2026-12-27T00:00:00.0000000");
    assert_eq!(created["originalStartTimeZone"], "W. Europe Standard Time");
    let bad = json!({
        "subject": "Not at midnight",
        "isAllDay": true,
        "start": {"dateTime": "2026-12-24T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-25T00:00:00", "timeZone": "UTC"},
    });
    let path = format!("/users/{user}/events");
    let (status, _, _) = env
        .graph(Method::POST, &path, &token, &[], Some(&bad))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn lists_page_with_next_links() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(2);
    for n in 0..5 {
        env.create(&token, &user, &berlin_event(&format!("e{n}")))
            .await;
    }
    let mut url = format!(
        "{}/users/{user}/calendar/events?$top=2",
        env.emu.graph_url()
    );
    let mut subjects = Vec::new();
    loop {
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
        let value = page["value"].as_array().expect("value");
        assert!(value.len() <= 2);
        subjects.extend(
            value
                .iter()
                .map(|e| e["subject"].as_str().unwrap_or("").to_owned()),
        );
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(subjects, ["e0", "e1", "e2", "e3", "e4"]);
}

#[tokio::test]
async fn patch_changes_only_what_is_sent_and_honours_if_match() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let created = env.create(&token, &user, &berlin_event("Before")).await;
    let path = format!(
        "/users/{user}/events/{}",
        created["id"].as_str().expect("id")
    );
    let stale = created["@odata.etag"].as_str().expect("etag").to_owned();
    let patch = json!({"subject": "After", "importance": "high"});
    let (status, _, updated) = env
        .graph(
            Method::PATCH,
            &path,
            &token,
            &[("If-Match", &stale)],
            Some(&patch),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["subject"], "After");
    assert_eq!(updated["importance"], "high");
    assert_eq!(updated["start"], created["start"]);
    assert_eq!(updated["body"], created["body"]);
    assert_eq!(updated["originalStartTimeZone"], "Europe/Berlin");
    assert_ne!(updated["changeKey"], created["changeKey"]);
    assert_eq!(updated["createdDateTime"], created["createdDateTime"]);
    // The old etag is stale now: 412, and nothing changes.
    let again = json!({"subject": "Lost update"});
    let (status, _, body) = env
        .graph(
            Method::PATCH,
            &path,
            &token,
            &[("If-Match", &stale)],
            Some(&again),
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(error_code(&body), "ErrorIrresolvableConflict");
    let (_, _, current) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(current["subject"], "After");
    // Moving it to another zone keeps the new zone as the original one.
    let moved =
        json!({"start": {"dateTime": "2026-07-15T02:00:00", "timeZone": "Eastern Standard Time"}});
    let (status, _, body) = env
        .graph(Method::PATCH, &path, &token, &[], Some(&moved))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["start"]["dateTime"], "2026-07-15T06:00:00.0000000");
    assert_eq!(body["originalStartTimeZone"], "Eastern Standard Time");
}

#[tokio::test]
async fn delete_answers_204_and_the_item_is_gone() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let created = env.create(&token, &user, &berlin_event("Doomed")).await;
    let path = format!(
        "/users/{user}/events/{}",
        created["id"].as_str().expect("id")
    );
    let (status, _, body) = env
        .graph(
            Method::DELETE,
            &path,
            &token,
            &[("If-Match", "W/\"stale\"")],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(error_code(&body), "ErrorIrresolvableConflict");
    let (status, _, body) = env.graph(Method::DELETE, &path, &token, &[], None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    for method in [Method::GET, Method::DELETE, Method::PATCH] {
        let patch = json!({"subject": "x"});
        let body_arg = (method == Method::PATCH).then_some(&patch);
        let (status, _, body) = env.graph(method, &path, &token, &[], body_arg).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(error_code(&body), "ErrorItemNotFound");
    }
}

#[tokio::test]
async fn a_repeated_transaction_id_returns_the_first_event() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(1);
    let mut body = berlin_event("Once");
    body["transactionId"] = json!("b2f1c3a4-0000-4000-8000-00000000abcd");
    let first = env.create(&token, &user, &body).await;
    let second = env.create(&token, &user, &body).await;
    assert_eq!(first["id"], second["id"]);
    assert_eq!(
        first["transactionId"],
        "b2f1c3a4-0000-4000-8000-00000000abcd"
    );
    let path = format!("/users/{user}/events");
    let (_, _, list) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1));
    body["subject"] = json!("Different");
    let (status, _, refused) = env
        .graph(Method::POST, &path, &token, &[], Some(&body))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&refused), "ErrorDuplicateTransactionId");
}

#[tokio::test]
async fn every_write_advances_the_mailbox_change_sequence() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let mailbox_id = env.emu.mailboxes()[0].id.clone();
    let seq = || {
        let state = env.emu.store().lock();
        state.mailboxes.get(&mailbox_id).map(|m| m.change_seq())
    };
    assert_eq!(seq(), Some(0));
    let created = env.create(&token, &user, &berlin_event("Seq")).await;
    assert_eq!(seq(), Some(1));
    let path = format!(
        "/users/{user}/events/{}",
        created["id"].as_str().expect("id")
    );
    let patch = json!({"subject": "Seq 2"});
    env.graph(Method::PATCH, &path, &token, &[], Some(&patch))
        .await;
    assert_eq!(seq(), Some(2));
    env.graph(Method::DELETE, &path, &token, &[], None).await;
    assert_eq!(seq(), Some(3));
}

#[tokio::test]
async fn tokens_permissions_users_and_ids_are_checked_in_graphs_words() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let path = format!("/users/{user}/events");
    // No token, a garbage token.
    let response = env
        .http
        .get(format!("{}{path}", env.emu.graph_url()))
        .header("client-request-id", "c0ffee00-0000-4000-8000-000000000000")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response
            .headers()
            .get("client-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("c0ffee00-0000-4000-8000-000000000000")
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), "InvalidAuthenticationToken");
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        "c0ffee00-0000-4000-8000-000000000000"
    );
    let (status, _, body) = env
        .graph(Method::GET, &path, "not.a.token", &[], None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "InvalidAuthenticationToken");
    // Unknown user, malformed id, unknown zone, body that is not JSON.
    let nobody = "/users/nobody@contoso.example/events";
    let (status, _, body) = env.graph(Method::GET, nobody, &token, &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "ErrorInvalidUser");
    let (status, _, body) = env
        .graph(Method::GET, &format!("{path}/not-an-id"), &token, &[], None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "ErrorInvalidIdMalformed");
    let mut mars = berlin_event("Mars");
    mars["start"]["timeZone"] = json!("Mars/Olympus_Mons");
    let (status, _, body) = env
        .graph(Method::POST, &path, &token, &[], Some(&mars))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "TimeZoneNotSupportedException");
    let response = env
        .http
        .post(format!("{}{path}", env.emu.graph_url()))
        .bearer_auth(&token)
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // Missing permission: read-only app may read but not write; no calendar role at all: 403.
    let client = env.emu.client_id();
    assert!(env.emu.set_permissions(&client, &["Calendars.Read"]));
    let read_only = env.token().await;
    let (status, _, _) = env.graph(Method::GET, &path, &read_only, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let event = berlin_event("x");
    let (status, _, body) = env
        .graph(Method::POST, &path, &read_only, &[], Some(&event))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "ErrorAccessDenied");
    assert!(env.emu.set_permissions(&client, &["Contacts.ReadWrite"]));
    let no_calendar = env.token().await;
    let (status, _, body) = env.graph(Method::GET, &path, &no_calendar, &[], None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "ErrorAccessDenied");
    // A path Graph does not have.
    let (status, _, body) = env
        .graph(
            Method::GET,
            &format!("/users/{user}/nonsense"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "BadRequest");
}

#[tokio::test]
async fn a_mailbox_outside_the_apps_access_policy_is_forbidden() {
    let env = start().await;
    let token = env.token().await;
    let allowed = env.emu.mailboxes()[0].id.clone();
    {
        let mut state = env.emu.store().lock();
        let app = &mut state.org.tenants[0].apps[0];
        app.mailbox_scope = Some([allowed].into());
    }
    let inside = format!("/users/{}/events", env.mailbox(0));
    let (status, _, _) = env.graph(Method::GET, &inside, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let outside = format!("/users/{}/events", env.mailbox(1));
    let (status, _, body) = env.graph(Method::GET, &outside, &token, &[], None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "ErrorAccessDenied");
}

//! To Do: the default list, new lists, task CRUD, delta and the permission check.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Env, error_code, start};

pub async fn default_list(env: &Env, token: &str, user: &str) -> String {
    let (status, _, body) = env
        .graph(
            Method::GET,
            &format!("/users/{user}/todo/lists"),
            token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let lists = body["value"].as_array().expect("value");
    let default = lists
        .iter()
        .find(|l| l["wellknownListName"] == "defaultList")
        .expect("default list");
    assert_eq!(default["displayName"], "Tasks");
    default["id"].as_str().expect("id").to_owned()
}

pub fn full_task() -> Value {
    json!({
        "title": "Call back",
        "body": {"content": "About the offer", "contentType": "text"},
        "importance": "high",
        "status": "inProgress",
        "categories": ["Kunde"],
        "isReminderOn": true,
        "reminderDateTime": {"dateTime": "2026-07-14T08:00:00.0000000", "timeZone": "UTC"},
        "startDateTime": {"dateTime": "2026-07-14T00:00:00.0000000", "timeZone": "UTC"},
        "dueDateTime": {"dateTime": "2026-07-15T00:00:00.0000000", "timeZone": "UTC"},
    })
}

#[tokio::test]
async fn tasks_are_created_read_changed_and_deleted() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let list = default_list(&env, &token, &user).await;
    let tasks = format!("/users/{user}/todo/lists/{list}/tasks");
    let (status, _, created) = env
        .graph(Method::POST, &tasks, &token, &[], Some(&full_task()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["title"], "Call back");
    assert_eq!(created["status"], "inProgress");
    assert_eq!(
        created["dueDateTime"]["dateTime"],
        "2026-07-15T00:00:00.0000000"
    );
    let id = created["id"].as_str().expect("id");
    let one = format!("{tasks}/{id}");
    let (status, _, read) = env.graph(Method::GET, &one, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["body"]["content"], "About the offer");

    let (status, _, minimal) = env
        .graph(
            Method::POST,
            &tasks,
            &token,
            &[],
            Some(&json!({"title": "Plain"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(minimal["status"], "notStarted");
    assert_eq!(minimal["importance"], "normal");

    let done = json!({"status": "completed",
        "completedDateTime": {"dateTime": "2026-07-15T10:00:00.0000000", "timeZone": "UTC"}});
    let (status, _, changed) = env
        .graph(Method::PATCH, &one, &token, &[], Some(&done))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(changed["status"], "completed");
    assert_eq!(changed["title"], "Call back");
    assert_ne!(changed["@odata.etag"], created["@odata.etag"]);
    // A stale etag changes nothing.
    let etag = created["@odata.etag"].as_str().expect("etag");
    let (status, _, _) = env
        .graph(
            Method::PATCH,
            &one,
            &token,
            &[("If-Match", etag)],
            Some(&done),
        )
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);

    let (_, _, listed) = env.graph(Method::GET, &tasks, &token, &[], None).await;
    assert_eq!(listed["value"].as_array().expect("value").len(), 2);
    let (status, _, _) = env.graph(Method::DELETE, &one, &token, &[], None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, body) = env.graph(Method::GET, &one, &token, &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "ErrorItemNotFound");

    let (status, _, body) = env
        .graph(
            Method::POST,
            &tasks,
            &token,
            &[],
            Some(&json!({"status": "done"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _, body) = env
        .graph(
            Method::POST,
            &tasks,
            &token,
            &[],
            Some(&json!({"subject": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn new_lists_and_task_delta() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let (status, _, list) = env
        .graph(
            Method::POST,
            &format!("/users/{user}/todo/lists"),
            &token,
            &[],
            Some(&json!({"displayName": "CRM"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{list}");
    assert_eq!(list["wellknownListName"], "none");
    let list = list["id"].as_str().expect("id");
    let tasks = format!("/users/{user}/todo/lists/{list}/tasks");
    let mut ids = Vec::new();
    for title in ["a", "b", "c"] {
        let (_, _, t) = env
            .graph(
                Method::POST,
                &tasks,
                &token,
                &[],
                Some(&json!({"title": title})),
            )
            .await;
        ids.push(t["id"].as_str().expect("id").to_owned());
    }
    let prefer = [("Prefer", "odata.maxpagesize=2")];
    let (status, _, first) = env
        .graph(
            Method::GET,
            &format!("{tasks}/delta"),
            &token,
            &prefer,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["value"].as_array().expect("value").len(), 2);
    let base = env.emu.graph_url();
    let next = first["@odata.nextLink"].as_str().expect("nextLink");
    let (_, _, second) = env
        .graph(
            Method::GET,
            next.strip_prefix(&base).expect("own"),
            &token,
            &prefer,
            None,
        )
        .await;
    assert_eq!(second["value"].as_array().expect("value").len(), 1);
    let delta = second["@odata.deltaLink"].as_str().expect("deltaLink");
    let delta = delta.strip_prefix(&base).expect("own").to_owned();

    env.graph(
        Method::DELETE,
        &format!("{tasks}/{}", ids[0]),
        &token,
        &[],
        None,
    )
    .await;
    env.graph(
        Method::PATCH,
        &format!("{tasks}/{}", ids[1]),
        &token,
        &[],
        Some(&json!({"title": "b2"})),
    )
    .await;
    let (_, _, changes) = env.graph(Method::GET, &delta, &token, &[], None).await;
    let value = changes["value"].as_array().expect("value");
    assert_eq!(value.len(), 2, "{changes}");
    assert_eq!(value[0]["title"], "b2");
    assert_eq!(
        value[1],
        json!({"id": ids[0], "@removed": {"reason": "deleted"}})
    );

    env.emu.expire_delta_tokens();
    let (status, _, body) = env.graph(Method::GET, &delta, &token, &[], None).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(error_code(&body), "SyncStateNotFound");
}

#[tokio::test]
async fn tasks_need_the_tasks_permission() {
    let env = start().await;
    let user = env.mailbox(0);
    env.emu.set_permissions(
        &env.emu.client_id(),
        &["Calendars.ReadWrite", "Contacts.ReadWrite"],
    );
    let token = env.token().await;
    let (status, _, body) = env
        .graph(
            Method::GET,
            &format!("/users/{user}/todo/lists"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "ErrorAccessDenied");
    env.emu
        .set_permissions(&env.emu.client_id(), &["Tasks.Read.All"]);
    let token = env.token().await;
    let list = default_list(&env, &token, &user).await;
    let (status, _, _) = env
        .graph(
            Method::POST,
            &format!("/users/{user}/todo/lists/{list}/tasks"),
            &token,
            &[],
            Some(&json!({"title": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

fn erp_link(external_id: &str) -> Value {
    json!({"applicationName": "exsync", "externalId": external_id, "displayName": "ERP task"})
}

#[tokio::test]
async fn linked_resources_are_created_with_the_task_and_shown_only_when_expanded() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let list = default_list(&env, &token, &user).await;
    let tasks = format!("/users/{user}/todo/lists/{list}/tasks");
    let mut task = full_task();
    task["linkedResources"] = json!([erp_link("T-1")]);
    let (status, _, created) = env
        .graph(Method::POST, &tasks, &token, &[], Some(&task))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["title"], "Call back");
    let links = created["linkedResources"]
        .as_array()
        .expect("deep insert shown");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["externalId"], "T-1");
    assert_eq!(links[0]["applicationName"], "exsync");
    assert_eq!(links[0]["webUrl"], Value::Null);
    let link_id = links[0]["id"].as_str().expect("link id").to_owned();
    let (_, _, plain) = env
        .graph(
            Method::POST,
            &tasks,
            &token,
            &[],
            Some(&json!({"title": "p"})),
        )
        .await;
    assert!(plain.get("linkedResources").is_none(), "{plain}");

    let one = format!("{tasks}/{}", created["id"].as_str().expect("id"));
    let (_, _, read) = env.graph(Method::GET, &one, &token, &[], None).await;
    assert!(read.get("linkedResources").is_none(), "{read}");
    let (status, _, read) = env
        .graph(
            Method::GET,
            &format!("{one}?$expand=linkedResources"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["linkedResources"][0]["id"], link_id.as_str());
    assert_eq!(read["linkedResources"][0]["externalId"], "T-1");

    let (_, _, listed) = env.graph(Method::GET, &tasks, &token, &[], None).await;
    let value = listed["value"].as_array().expect("value");
    assert!(value.iter().all(|t| t.get("linkedResources").is_none()));
    let expanded = format!("{tasks}?$expand=linkedResources");
    let (_, _, listed) = env.graph(Method::GET, &expanded, &token, &[], None).await;
    let value = listed["value"].as_array().expect("value");
    assert_eq!(value.len(), 2);
    assert_eq!(value[0]["linkedResources"][0]["externalId"], "T-1");
    assert_eq!(value[1]["linkedResources"], json!([]));

    // A delta round started with the expansion keeps it in its links.
    let (status, _, first) = env
        .graph(
            Method::GET,
            &format!("{tasks}/delta?$expand=linkedResources"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["value"][0]["linkedResources"][0]["externalId"], "T-1");
    let base = env.emu.graph_url();
    let link = first["@odata.deltaLink"].as_str().expect("deltaLink");
    let delta = link.strip_prefix(&base).expect("own").to_owned();
    env.graph(
        Method::PATCH,
        &one,
        &token,
        &[],
        Some(&json!({"title": "t2"})),
    )
    .await;
    let (_, _, changes) = env.graph(Method::GET, &delta, &token, &[], None).await;
    assert_eq!(changes["value"][0]["title"], "t2");
    assert_eq!(
        changes["value"][0]["linkedResources"][0]["externalId"],
        "T-1"
    );
    let (_, _, unexpanded) = env
        .graph(Method::GET, &format!("{tasks}/delta"), &token, &[], None)
        .await;
    assert!(unexpanded["value"][0].get("linkedResources").is_none());

    // Other expansions, malformed links and PATCHing them into the task answer 400.
    let (status, _, _) = env
        .graph(
            Method::GET,
            &format!("{one}?$expand=attachments"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let bad = json!({"title": "x", "linkedResources": [{"externalId": "T-9", "colour": "red"}]});
    let (status, _, _) = env
        .graph(Method::POST, &tasks, &token, &[], Some(&bad))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let patch = json!({"linkedResources": [erp_link("T-3")]});
    let (status, _, _) = env
        .graph(Method::PATCH, &one, &token, &[], Some(&patch))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn linked_resources_have_their_own_routes_and_go_with_their_task() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let list = default_list(&env, &token, &user).await;
    let tasks = format!("/users/{user}/todo/lists/{list}/tasks");
    let mut task = json!({"title": "t"});
    task["linkedResources"] = json!([erp_link("T-1")]);
    let (_, _, created) = env
        .graph(Method::POST, &tasks, &token, &[], Some(&task))
        .await;
    let one = format!("{tasks}/{}", created["id"].as_str().expect("id"));
    let links = format!("{one}/linkedResources");
    let second = json!({"applicationName": "exsync", "externalId": "T-2",
        "webUrl": "https://erp.example/tasks/T-2"});
    let (status, _, added) = env
        .graph(Method::POST, &links, &token, &[], Some(&second))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["externalId"], "T-2");
    let added_id = added["id"].as_str().expect("id");
    assert_ne!(
        added_id,
        created["linkedResources"][0]["id"].as_str().expect("id")
    );
    let (status, _, listed) = env.graph(Method::GET, &links, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let ids: Vec<&str> = listed["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|l| l["externalId"].as_str().expect("externalId"))
        .collect();
    assert_eq!(ids, ["T-1", "T-2"]);

    let link = format!("{links}/{added_id}");
    let (status, _, changed) = env
        .graph(
            Method::PATCH,
            &link,
            &token,
            &[],
            Some(&json!({"displayName": "Renamed"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["displayName"], "Renamed");
    assert_eq!(changed["externalId"], "T-2");
    let (_, _, read) = env.graph(Method::GET, &link, &token, &[], None).await;
    assert_eq!(read["displayName"], "Renamed");
    let (status, _, _) = env
        .graph(
            Method::PATCH,
            &link,
            &token,
            &[],
            Some(&json!({"colour": "red"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = env.graph(Method::DELETE, &link, &token, &[], None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, body) = env.graph(Method::GET, &link, &token, &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "ErrorItemNotFound");
    let (_, _, listed) = env.graph(Method::GET, &links, &token, &[], None).await;
    assert_eq!(listed["value"].as_array().expect("value").len(), 1);

    // Deleting the task deletes its linked resources.
    let (status, _, _) = env.graph(Method::DELETE, &one, &token, &[], None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = env.graph(Method::GET, &links, &token, &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Writing them needs the write permission.
    env.emu
        .set_permissions(&env.emu.client_id(), &["Tasks.Read.All"]);
    let token = env.token().await;
    let (_, _, other) = env.graph(Method::GET, &tasks, &token, &[], None).await;
    assert_eq!(other["value"], json!([]));
    let (status, _, _) = env
        .graph(Method::POST, &links, &token, &[], Some(&second))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

//! Microsoft To Do: `/users/{user}/todo/lists` (GET, POST) and
//! `/users/{user}/todo/lists/{list}/tasks` (CRUD, `delta`)
//! (https://learn.microsoft.com/graph/api/resources/todo-overview), app-only with
//! `Tasks.ReadWrite.All` (reads also with `Tasks.Read.All`).
//!
//! Invariants: every mailbox has the default list "Tasks" (`wellknownListName: defaultList`),
//! which is the mailbox's Tasks folder: tasks created through EWS in the `tasks` folder are in it;
//! new lists are `wellknownListName: none`; tasks carry the `todoTask` properties of the v1.0
//! CSDL only, plus their `linkedResources` when `$expand`ed ([`super::linked`]); `recurrence`,
//! attachments and checklist items are not served.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::error::GraphError;
use super::expansion::Navigation;
use super::folders::{Folder, Item, Kind};
use super::items::{self, Call, Resource};
use super::schema::{Prop, Ty};
use super::{Access, Area, Prefer, authorize_in};
use crate::server::Shared;

const STATUS: &[&str] = &[
    "notStarted",
    "inProgress",
    "completed",
    "waitingOnOthers",
    "deferred",
];
const IMPORTANCE: &[&str] = &["low", "normal", "high"];

const SCHEMA: &[Prop] = &[
    ("title", Ty::Str, "null"),
    (
        "body",
        Ty::Body,
        r#"{"content": "", "contentType": "text"}"#,
    ),
    ("importance", Ty::Enum(IMPORTANCE), r#""normal""#),
    ("status", Ty::Enum(STATUS), r#""notStarted""#),
    ("categories", Ty::Strings, "[]"),
    ("isReminderOn", Ty::Bool, "false"),
    ("startDateTime", Ty::When, "null"),
    ("dueDateTime", Ty::When, "null"),
    ("completedDateTime", Ty::When, "null"),
    ("reminderDateTime", Ty::When, "null"),
];

fn extra(item: &Item, _folder: &str, out: &mut Map<String, Value>) {
    out.insert(
        "bodyLastModifiedDateTime".to_owned(),
        Value::String(crate::ids::graph_timestamp(item.last_modified)),
    );
    out.insert("hasAttachments".to_owned(), Value::Bool(false));
}

/// `todoTask`.
pub(crate) static TASK: Resource = Resource {
    kind: Kind::TodoLists,
    area: Area::Tasks,
    type_name: "todoTask",
    schema: SCHEMA,
    read_only: &[
        "id",
        "createdDateTime",
        "lastModifiedDateTime",
        "bodyLastModifiedDateTime",
        "hasAttachments",
    ],
    folders: "todo/lists",
    items: "tasks",
    extra,
    on_create: |_| {},
    navigation: Navigation::LinkedResources,
};

fn render_list(list: &Folder) -> Value {
    json!({
        "@odata.etag": format!("W/\"{}\"", list.id),
        "id": list.id,
        "displayName": list.display_name,
        "isOwner": true,
        "isShared": false,
        "wellknownListName": list.well_known.unwrap_or("none"),
    })
}

/// `GET /users/{user}/todo/lists`.
pub(crate) async fn lists(
    State(shared): State<Shared>,
    Path(user): Path<String>,
    headers: HeaderMap,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let mut state = shared.store.lock();
    let mailbox = authorize_in(&state, &headers, &user, Access::Read, Area::Tasks)?;
    let set = super::folders::set(&mut state.mailboxes, &mailbox.id, Kind::TodoLists)?;
    let value: Vec<Value> = set.folders.iter().map(render_list).collect();
    let body = json!({
        "@odata.context": format!("{}/v1.0/$metadata#users('{user}')/todo/lists", shared.base_url),
        "value": value,
    });
    Ok(super::events::respond(StatusCode::OK, body, &prefer))
}

/// `POST /users/{user}/todo/lists` with `displayName`.
pub(crate) async fn create_list(
    State(shared): State<Shared>,
    Path(user): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let mut state = shared.store.lock();
    let mailbox = authorize_in(&state, &headers, &user, Access::Write, Area::Tasks)?;
    let value: Value = serde_json::from_slice(&body).map_err(|_| GraphError::unreadable_body())?;
    let name = value
        .get("displayName")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| GraphError::invalid_request("The displayName of a list is required."))?;
    let mut set = super::folders::set(&mut state.mailboxes, &mailbox.id, Kind::TodoLists)?;
    let mut out = render_list(set.add_folder(name, None));
    out["@odata.context"] = Value::String(format!(
        "{}/v1.0/$metadata#users('{user}')/todo/lists/$entity",
        shared.base_url
    ));
    Ok(super::events::respond(StatusCode::CREATED, out, &prefer))
}

/// `GET|POST /users/{user}/todo/lists/{list}/tasks`.
pub(crate) async fn tasks(
    State(shared): State<Shared>,
    Path((user, list)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    method: axum::http::Method,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let call = Call {
        shared: &shared,
        user: &user,
        folder: &list,
        headers: &headers,
    };
    if method == axum::http::Method::POST {
        items::create(&call, &TASK, &body)
    } else {
        items::list(&call, &TASK, &query, uri.path())
    }
}

/// `GET|PATCH|DELETE /users/{user}/todo/lists/{list}/tasks/{id}`.
pub(crate) async fn task(
    State(shared): State<Shared>,
    Path((user, list, id)): Path<(String, String, String)>,
    method: axum::http::Method,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let call = Call {
        shared: &shared,
        user: &user,
        folder: &list,
        headers: &headers,
    };
    match method {
        axum::http::Method::PATCH => items::update(&call, &TASK, &id, &body),
        axum::http::Method::DELETE => items::delete(&call, &TASK, &id),
        _ => items::get(&call, &TASK, &id, &query),
    }
}

/// `GET /users/{user}/todo/lists/{list}/tasks/delta`.
pub(crate) async fn delta(
    State(shared): State<Shared>,
    Path((user, list)): Path<(String, String)>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    let call = Call {
        shared: &shared,
        user: &user,
        folder: &list,
        headers: &headers,
    };
    items::delta(&call, &TASK, &query)
}

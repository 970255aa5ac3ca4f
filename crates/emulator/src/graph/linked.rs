//! A To Do task's `linkedResources` (https://learn.microsoft.com/graph/api/resources/linkedresource):
//! created with the task (deep insert, `"linkedResources": [...]` in the POST of a `todoTask`)
//! or through `POST .../tasks/{task}/linkedResources`, listed there, and read, changed and
//! deleted at `.../linkedResources/{id}`; on the task itself they appear only with
//! `$expand=linkedResources`.
//!
//! Invariants: a linked resource has the v1.0 CSDL `linkedResource` properties only
//! (`applicationName`, `displayName`, `externalId`, `webUrl`, and a server-assigned `id`); it is
//! stored with its task ([`crate::store::folders::Item::linked`]) and so goes when the task goes;
//! writing one does not change the task's change key (not verified against Graph).
//!
//! Permissions as for the tasks themselves: the current "Create linkedResource" page (en-us,
//! v1.0) lists `Tasks.ReadWrite.All` for applications, "List linkedResources" `Tasks.Read.All`
//! (some older, localized copies still say "Application: Not supported"). That `$expand` works
//! on task list and delta reads is the emulator's assumption (OData), not found documented.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::error::GraphError;
use super::folders::{Item, Kind};
use super::schema::{self, Prop, Ty};
use super::{Access, Area, Prefer, authorize_in};
use crate::ids;
use crate::server::Shared;

/// The JSON property (navigation property of `todoTask`) holding them.
pub(crate) const PROPERTY: &str = "linkedResources";

const TYPE_NAME: &str = "linkedResource";

const SCHEMA: &[Prop] = &[
    ("applicationName", Ty::Str, "null"),
    ("displayName", Ty::Str, "null"),
    ("externalId", Ty::Str, "null"),
    ("webUrl", Ty::Str, "null"),
];

/// A new linked resource from its JSON, with a fresh id.
fn accept_new(value: &Value) -> Result<Map<String, Value>, GraphError> {
    let mut fields = schema::accept(value, SCHEMA, &["id"], TYPE_NAME)?;
    fields.insert("id".to_owned(), Value::String(ids::guid()));
    Ok(fields)
}

/// The linked resources of a task's POST body, if it has any (ids assigned).
pub(crate) fn from_task_body(body: &Value) -> Result<Option<Vec<Map<String, Value>>>, GraphError> {
    let Some(list) = body.get(PROPERTY) else {
        return Ok(None);
    };
    let items = list.as_array().ok_or_else(|| {
        GraphError::invalid_request(format!("Invalid value for property '{PROPERTY}'."))
    })?;
    items
        .iter()
        .map(accept_new)
        .collect::<Result<_, _>>()
        .map(Some)
}

/// The JSON of a linked resource.
pub(crate) fn render(link: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert(
        "id".to_owned(),
        link.get("id").cloned().unwrap_or(Value::Null),
    );
    schema::render(link, SCHEMA, &mut out);
    Value::Object(out)
}

fn context(shared: &Shared, user: &str, list: &str, task: &str) -> String {
    format!(
        "{}/v1.0/$metadata#users('{user}')/todo/lists('{list}')/tasks('{task}')/{PROPERTY}",
        shared.base_url
    )
}

fn parse_body(body: &[u8]) -> Result<Value, GraphError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| GraphError::unreadable_body())?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(GraphError::unreadable_body())
    }
}

/// Authorizes, then finds the task `task` in list `list`; hands it to `work`.
fn with_task<T>(
    shared: &Shared,
    headers: &HeaderMap,
    (user, list, task): (&str, &str, &str),
    access: Access,
    work: impl FnOnce(&mut Item) -> Result<T, GraphError>,
) -> Result<T, GraphError> {
    let mut state = shared.store.lock();
    let mailbox = authorize_in(&state, headers, user, access, Area::Tasks)?;
    let mut set = super::folders::set(&mut state.mailboxes, &mailbox.id, Kind::TodoLists)?;
    if !ids::is_well_formed_item_id(list) || !ids::is_well_formed_item_id(task) {
        return Err(GraphError::malformed_id());
    }
    set.folder(list).ok_or_else(GraphError::item_not_found)?;
    let item = set
        .item_mut(list, task)
        .ok_or_else(GraphError::item_not_found)?;
    work(item)
}

/// `GET|POST /users/{user}/todo/lists/{list}/tasks/{task}/linkedResources`.
pub(crate) async fn collection(
    State(shared): State<Shared>,
    Path((user, list, task)): Path<(String, String, String)>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let ctx = context(&shared, &user, &list, &task);
    let names = (user.as_str(), list.as_str(), task.as_str());
    if method == Method::POST {
        let fields = accept_new(&parse_body(&body)?)?;
        let mut out = with_task(&shared, &headers, names, Access::Write, |item| {
            item.linked.push(fields.clone());
            Ok(render(&fields))
        })?;
        out["@odata.context"] = Value::String(format!("{ctx}/$entity"));
        return Ok(super::events::respond(StatusCode::CREATED, out, &prefer));
    }
    let value = with_task(&shared, &headers, names, Access::Read, |item| {
        Ok(item.linked.iter().map(render).collect::<Vec<_>>())
    })?;
    let body = serde_json::json!({"@odata.context": ctx, "value": value});
    Ok(super::events::respond(StatusCode::OK, body, &prefer))
}

/// `GET|PATCH|DELETE /users/{user}/todo/lists/{list}/tasks/{task}/linkedResources/{id}`.
pub(crate) async fn one(
    State(shared): State<Shared>,
    Path((user, list, task, id)): Path<(String, String, String, String)>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let names = (user.as_str(), list.as_str(), task.as_str());
    let position = |item: &Item| {
        item.linked
            .iter()
            .position(|l| l.get("id").and_then(Value::as_str) == Some(id.as_str()))
            .ok_or_else(GraphError::item_not_found)
    };
    match method {
        Method::DELETE => {
            with_task(&shared, &headers, names, Access::Write, |item| {
                let at = position(item)?;
                item.linked.remove(at);
                Ok(())
            })?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Method::PATCH => {
            let changes = schema::accept(&parse_body(&body)?, SCHEMA, &["id"], TYPE_NAME)?;
            let out = with_task(&shared, &headers, names, Access::Write, |item| {
                let at = position(item)?;
                let link = &mut item.linked[at];
                link.extend(changes);
                Ok(render(link))
            })?;
            Ok(super::events::respond(StatusCode::OK, out, &prefer))
        }
        _ => {
            let mut out = with_task(&shared, &headers, names, Access::Read, |item| {
                Ok(render(&item.linked[position(item)?]))
            })?;
            out["@odata.context"] =
                Value::String(format!("{}/$entity", context(&shared, &user, &list, &task)));
            Ok(super::events::respond(StatusCode::OK, out, &prefer))
        }
    }
}

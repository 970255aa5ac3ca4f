//! The operations shared by the JSON-kept item collections (`todo/lists/{id}/tasks`,
//! `contactFolders/{id}/contacts`): list, create, get, update, delete and `delta`, driven by a
//! [`Resource`] that names the type, its permissions and its properties. What a type keeps
//! beside its properties (a task's linked resources, a contact's extended properties) is taken
//! from the body and served on `$expand` by [`super::expansion`].
//!
//! Invariants: every operation authorizes first (token, the resource's permission, mailbox);
//! an item is only ever found in the folder it was created in; a delta round reports, after
//! its delta link, exactly the items written and deleted since, deletions as
//! `{"id", "@removed": {"reason": "deleted"}}`; an unknown or expired token answers 410.

use std::collections::HashMap;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{Map, Value, json};

use super::calendar_view::query_param;
use super::error::GraphError;
use super::events::{DEFAULT_PAGE, page, respond};
use super::expansion::{self, Expansion, Navigation, Nested};
use super::extended::ExtendedProperties;
use super::folders::{Entry, Folder, Item, Kind, Round};
use super::schema::{self, Prop};
use super::{Access, Area, Prefer, authorize_in};
use crate::ids;
use crate::server::Shared;

/// A JSON-kept item type.
#[derive(Debug)]
pub(crate) struct Resource {
    /// Folder kind it lives in.
    pub(crate) kind: Kind,
    /// Permissions it needs.
    pub(crate) area: Area,
    /// CSDL type name (`todoTask`, `contact`).
    pub(crate) type_name: &'static str,
    /// Writable properties.
    pub(crate) schema: &'static [Prop],
    /// Properties a client may send but not set.
    pub(crate) read_only: &'static [&'static str],
    /// Path segment of the folders (`todo/lists`, `contactFolders`).
    pub(crate) folders: &'static str,
    /// Path segment of the items (`tasks`, `contacts`).
    pub(crate) items: &'static str,
    /// Adds the type's computed properties to a rendered item.
    pub(crate) extra: fn(&Item, &str, &mut Map<String, Value>),
    /// Fills in what a create derives (e.g. a contact's `displayName`).
    pub(crate) on_create: fn(&mut Map<String, Value>),
    /// What it keeps beside its properties (served on `$expand`).
    pub(crate) navigation: Navigation,
}

/// The JSON of an item in `folder`.
pub(crate) fn render(res: &Resource, item: &Item, folder: &str) -> Value {
    let mut out = Map::new();
    out.insert(
        "@odata.etag".to_owned(),
        Value::String(format!("W/\"{}\"", item.change_key)),
    );
    out.insert("id".to_owned(), Value::String(item.id.clone()));
    out.insert(
        "createdDateTime".to_owned(),
        Value::String(ids::graph_timestamp(item.created)),
    );
    out.insert(
        "lastModifiedDateTime".to_owned(),
        Value::String(ids::graph_timestamp(item.last_modified)),
    );
    schema::render(&item.fields, res.schema, &mut out);
    (res.extra)(item, folder, &mut out);
    Value::Object(out)
}

/// The JSON of an item with what `expansion` asks for.
fn render_expanded(
    res: &Resource,
    item: &Item,
    folder: &str,
    expansion: &Expansion,
    props: &ExtendedProperties,
) -> Value {
    let mut out = render(res, item, folder);
    expansion::apply(&mut out, item, expansion, props);
    out
}

fn check_id(id: &str) -> Result<(), GraphError> {
    if ids::is_well_formed_item_id(id) {
        Ok(())
    } else {
        Err(GraphError::malformed_id())
    }
}

fn folder_of<'a>(folders: &'a [Folder], id: &str) -> Result<&'a Folder, GraphError> {
    check_id(id)?;
    folders
        .iter()
        .find(|f| f.id == id)
        .ok_or_else(GraphError::item_not_found)
}

fn context(shared: &Shared, user: &str, res: &Resource, folder: &str) -> String {
    format!(
        "{}/v1.0/$metadata#users('{user}')/{}('{folder}')/{}",
        shared.base_url, res.folders, res.items
    )
}

fn parse(body: &[u8]) -> Result<Value, GraphError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| GraphError::unreadable_body())?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(GraphError::unreadable_body())
    }
}

/// True when an `If-Match` header (if any) names the current change key.
fn if_match_ok(headers: &HeaderMap, change_key: &str) -> bool {
    let Some(value) = headers.get("if-match").and_then(|v| v.to_str().ok()) else {
        return true;
    };
    value.split(',').any(|tag| {
        let tag = tag.trim();
        tag == "*" || tag.trim_start_matches("W/").trim_matches('"') == change_key
    })
}

/// A request on one folder's items: who, where, and how.
pub(crate) struct Call<'a> {
    /// Shared state.
    pub(crate) shared: &'a Shared,
    /// The user segment as given.
    pub(crate) user: &'a str,
    /// The folder id.
    pub(crate) folder: &'a str,
    /// Request headers.
    pub(crate) headers: &'a HeaderMap,
}

/// `GET .../{folder}/{items}`.
pub(crate) fn list(
    call: &Call<'_>,
    res: &Resource,
    query: &HashMap<String, String>,
    path: &str,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(call.headers);
    let mut guard = call.shared.store.lock();
    let state = &mut *guard;
    let mailbox = authorize_in(state, call.headers, call.user, Access::Read, res.area)?;
    let expansion = expansion::parse(res.navigation, query)?;
    let wanted = expansion::filter(res.navigation, query)?;
    let props = &state.graph.extended;
    let set = super::folders::set(&mut state.mailboxes, &mailbox.id, res.kind)?;
    let folder = folder_of(set.folders, call.folder)?;
    let mut items: Vec<Value> = folder
        .items_in_order()
        .map(|i| render(res, i, &folder.id))
        .collect();
    super::extended::retain(&mut items, props, wanted.as_ref());
    for value in &mut items {
        if let Some(item) = value["id"].as_str().and_then(|id| folder.items.get(id)) {
            expansion::apply(value, item, &expansion, props);
        }
    }
    super::query::select_all(&mut items, query);
    let next = format!("{}{path}", call.shared.base_url);
    let ctx = context(call.shared, call.user, res, call.folder);
    Ok(respond(
        StatusCode::OK,
        page(items, query, &prefer, ctx, &next),
        &prefer,
    ))
}

/// `POST .../{folder}/{items}`.
pub(crate) fn create(call: &Call<'_>, res: &Resource, body: &[u8]) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(call.headers);
    let mut guard = call.shared.store.lock();
    let state = &mut *guard;
    let mailbox = authorize_in(state, call.headers, call.user, Access::Write, res.area)?;
    let mut value = parse(body)?;
    let nested = expansion::take(res.navigation, &mut value, true)?;
    let mut fields = schema::accept(&value, res.schema, res.read_only, res.type_name)?;
    (res.on_create)(&mut fields);
    let mut set = super::folders::set(&mut state.mailboxes, &mailbox.id, res.kind)?;
    folder_of(set.folders, call.folder)?;
    let mut item = set
        .create(call.folder, fields, Utc::now())
        .ok_or_else(GraphError::item_not_found)?;
    // A deep insert's answer carries what it created (OData returns the inserted related
    // entities; not verified against Graph for todoTask).
    let mut shown = Expansion::Nothing;
    match nested {
        Some(Nested::Linked(links)) => {
            if let Some(stored) = set.item_mut(call.folder, &item.id) {
                stored.linked.clone_from(&links);
            }
            item.linked = links;
            shown = Expansion::Linked;
        }
        Some(Nested::Extended(props)) => state.graph.extended.set(&item.id, props),
        None => {}
    }
    let mut out = render_expanded(res, &item, call.folder, &shown, &state.graph.extended);
    out["@odata.context"] = Value::String(format!(
        "{}/$entity",
        context(call.shared, call.user, res, call.folder)
    ));
    Ok(respond(StatusCode::CREATED, out, &prefer))
}

/// `GET .../{folder}/{items}/{id}`.
pub(crate) fn get(
    call: &Call<'_>,
    res: &Resource,
    id: &str,
    query: &HashMap<String, String>,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(call.headers);
    let mut guard = call.shared.store.lock();
    let state = &mut *guard;
    let mailbox = authorize_in(state, call.headers, call.user, Access::Read, res.area)?;
    let expansion = expansion::parse(res.navigation, query)?;
    let set = super::folders::set(&mut state.mailboxes, &mailbox.id, res.kind)?;
    let folder = folder_of(set.folders, call.folder)?;
    check_id(id)?;
    let item = folder
        .items
        .get(id)
        .ok_or_else(GraphError::item_not_found)?;
    let mut out = render_expanded(res, item, call.folder, &expansion, &state.graph.extended);
    out["@odata.context"] = Value::String(format!(
        "{}/$entity",
        context(call.shared, call.user, res, call.folder)
    ));
    Ok(respond(StatusCode::OK, out, &prefer))
}

/// `PATCH .../{folder}/{items}/{id}`: the properties sent replace the stored ones.
pub(crate) fn update(
    call: &Call<'_>,
    res: &Resource,
    id: &str,
    body: &[u8],
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(call.headers);
    let mut guard = call.shared.store.lock();
    let state = &mut *guard;
    let mailbox = authorize_in(state, call.headers, call.user, Access::Write, res.area)?;
    let mut value = parse(body)?;
    let nested = expansion::take(res.navigation, &mut value, false)?;
    let changes = schema::accept(&value, res.schema, res.read_only, res.type_name)?;
    let mut set = super::folders::set(&mut state.mailboxes, &mailbox.id, res.kind)?;
    let folder = folder_of(set.folders, call.folder)?;
    check_id(id)?;
    let current = folder
        .items
        .get(id)
        .ok_or_else(GraphError::item_not_found)?;
    if !if_match_ok(call.headers, &current.change_key) {
        return Err(GraphError::conflict());
    }
    let item = set
        .update(call.folder, id, changes, Utc::now())
        .ok_or_else(GraphError::item_not_found)?;
    if let Some(Nested::Extended(props)) = nested {
        state.graph.extended.set(id, props);
    }
    Ok(respond(
        StatusCode::OK,
        render(res, &item, call.folder),
        &prefer,
    ))
}

/// `DELETE .../{folder}/{items}/{id}`.
pub(crate) fn delete(call: &Call<'_>, res: &Resource, id: &str) -> Result<Response, GraphError> {
    let mut guard = call.shared.store.lock();
    let state = &mut *guard;
    let mailbox = authorize_in(state, call.headers, call.user, Access::Write, res.area)?;
    let mut set = super::folders::set(&mut state.mailboxes, &mailbox.id, res.kind)?;
    let folder = folder_of(set.folders, call.folder)?;
    check_id(id)?;
    let current = folder
        .items
        .get(id)
        .ok_or_else(GraphError::item_not_found)?;
    if !if_match_ok(call.headers, &current.change_key) {
        return Err(GraphError::conflict());
    }
    set.delete(call.folder, id);
    state.graph.extended.remove(id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET .../{folder}/{items}/delta`: a round of changes, paged by `odata.maxpagesize`.
pub(crate) fn delta(
    call: &Call<'_>,
    res: &Resource,
    query: &HashMap<String, String>,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(call.headers);
    let mut guard = call.shared.store.lock();
    let state = &mut *guard;
    let mailbox = authorize_in(state, call.headers, call.user, Access::Read, res.area)?;
    let token = query_param(query, "$skiptoken").or_else(|| query_param(query, "$deltatoken"));
    let entry = match token {
        None => None,
        Some(t) => match state.graph.folders.token(t) {
            Some(e) => Some(e.clone()),
            None => return Err(gone()),
        },
    };
    let asked = expansion::parse(res.navigation, query)?;
    let props = &state.graph.extended;
    let set = super::folders::set(&mut state.mailboxes, &mailbox.id, res.kind)?;
    let folder = folder_of(set.folders, call.folder)?;
    let seq = set.seq();
    let (values, then) = match entry {
        Some(Entry::Page(rest, then)) => (rest, then),
        Some(Entry::Delta(round)) => (
            changes(res, folder, (round.since, &round.expansion, props), false),
            Round {
                since: seq,
                ..round
            },
        ),
        None => {
            let round = Round {
                mailbox_id: mailbox.id.clone(),
                kind: res.kind,
                folder_id: folder.id.clone(),
                since: seq,
                expansion: asked,
            };
            (
                changes(res, folder, (0, &round.expansion, props), true),
                round,
            )
        }
    };
    if then.mailbox_id != mailbox.id || then.kind != res.kind || then.folder_id != call.folder {
        return Err(gone());
    }
    let size = prefer.max_page_size.unwrap_or(DEFAULT_PAGE).clamp(1, 1000);
    let link = format!(
        "{}/v1.0/users/{}/{}/{}/{}/delta",
        call.shared.base_url, call.user, res.folders, call.folder, res.items
    );
    let mut page = values;
    let mut body = json!({"@odata.context": format!(
        "{}/v1.0/$metadata#Collection({})", call.shared.base_url, res.type_name)});
    if page.len() > size {
        let rest = page.split_off(size);
        let token = state.graph.folders.issue(Entry::Page(rest, then));
        body["@odata.nextLink"] = Value::String(format!("{link}?$skiptoken={token}"));
    } else {
        let token = state.graph.folders.issue(Entry::Delta(then));
        body["@odata.deltaLink"] = Value::String(format!("{link}?$deltatoken={token}"));
    }
    body["value"] = Value::Array(page);
    Ok(respond(StatusCode::OK, body, &prefer))
}

/// The items changed since a sequence number, rendered with the round's expansion.
fn changes(
    res: &Resource,
    folder: &Folder,
    (since, expansion, props): (u64, &Expansion, &ExtendedProperties),
    initial: bool,
) -> Vec<Value> {
    let mut values: Vec<Value> = folder
        .items_in_order()
        .filter(|i| i.change_seq > since)
        .map(|i| render_expanded(res, i, &folder.id, expansion, props))
        .collect();
    if !initial {
        values.extend(
            folder
                .removed
                .iter()
                .filter(|(_, seq)| *seq > since)
                .map(|(id, _)| json!({"id": id, "@removed": {"reason": "deleted"}})),
        );
    }
    values
}

fn gone() -> GraphError {
    GraphError::new(
        StatusCode::GONE,
        "SyncStateNotFound",
        "The sync state generation is not found.",
    )
}

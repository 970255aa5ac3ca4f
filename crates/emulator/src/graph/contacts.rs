//! Contacts: `/users/{user}/contactFolders` (GET, POST), `/users/{user}/contactFolders/{id}`
//! (GET), `/users/{user}/contactFolders/{id}/contacts` (CRUD, `delta`), `/users/{user}/contacts`
//! (the root folder's, GET, POST) and `/users/{user}/contacts/{id}` (a contact in any folder),
//! with `singleValueExtendedProperties` as on events ([`super::extended`])
//! (https://learn.microsoft.com/graph/api/resources/contact), app-only with
//! `Contacts.ReadWrite` (reads also with `Contacts.Read`).
//!
//! Invariants: the root folder "Contacts" exists in every mailbox and is not listed among
//! `contactFolders` (Graph lists its children); folder names are unique (409
//! `ErrorFolderExists`); a contact has at most 3 `emailAddresses`; a contact created without
//! `displayName` gets "givenName surname".

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::error::GraphError;
use super::expansion::Navigation;
use super::folders::{Folder, Item, Kind};
use super::items::{self, Call, Resource};
use super::schema::{Prop, Ty};
use super::{Access, Area, Prefer, authorize_in};
use crate::server::Shared;

const SCHEMA: &[Prop] = &[
    ("givenName", Ty::Str, "null"),
    ("middleName", Ty::Str, "null"),
    ("surname", Ty::Str, "null"),
    ("title", Ty::Str, "null"),
    ("displayName", Ty::Str, "null"),
    ("initials", Ty::Str, "null"),
    ("nickName", Ty::Str, "null"),
    ("generation", Ty::Str, "null"),
    ("fileAs", Ty::Str, "null"),
    ("companyName", Ty::Str, "null"),
    ("department", Ty::Str, "null"),
    ("jobTitle", Ty::Str, "null"),
    ("officeLocation", Ty::Str, "null"),
    ("profession", Ty::Str, "null"),
    ("manager", Ty::Str, "null"),
    ("assistantName", Ty::Str, "null"),
    ("spouseName", Ty::Str, "null"),
    ("personalNotes", Ty::Str, "null"),
    ("businessHomePage", Ty::Str, "null"),
    ("birthday", Ty::Instant, "null"),
    ("mobilePhone", Ty::Str, "null"),
    ("businessPhones", Ty::Strings, "[]"),
    ("homePhones", Ty::Strings, "[]"),
    ("imAddresses", Ty::Strings, "[]"),
    ("children", Ty::Strings, "[]"),
    ("categories", Ty::Strings, "[]"),
    ("emailAddresses", Ty::Emails(3), "[]"),
    ("businessAddress", Ty::Address, "{}"),
    ("homeAddress", Ty::Address, "{}"),
    ("otherAddress", Ty::Address, "{}"),
    ("yomiGivenName", Ty::Str, "null"),
    ("yomiSurname", Ty::Str, "null"),
    ("yomiCompanyName", Ty::Str, "null"),
];

fn extra(item: &Item, folder: &str, out: &mut Map<String, Value>) {
    out.insert(
        "changeKey".to_owned(),
        Value::String(item.change_key.clone()),
    );
    out.insert(
        "parentFolderId".to_owned(),
        Value::String(folder.to_owned()),
    );
}

/// `contact`.
pub(crate) static CONTACT: Resource = Resource {
    kind: Kind::ContactFolders,
    area: Area::Contacts,
    type_name: "contact",
    schema: SCHEMA,
    read_only: &[
        "id",
        "changeKey",
        "createdDateTime",
        "lastModifiedDateTime",
        "parentFolderId",
    ],
    folders: "contactFolders",
    items: "contacts",
    extra,
    on_create: crate::store::folders::derive_display_name,
    navigation: Navigation::ExtendedProperties,
};

fn render_folder(folder: &Folder, root: &str) -> Value {
    json!({"id": folder.id, "displayName": folder.display_name, "parentFolderId": root})
}

/// `GET|POST /users/{user}/contactFolders`.
pub(crate) async fn folders(
    State(shared): State<Shared>,
    Path(user): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let access = if method == Method::POST {
        Access::Write
    } else {
        Access::Read
    };
    let mut state = shared.store.lock();
    let mailbox = authorize_in(&state, &headers, &user, access, Area::Contacts)?;
    let mut set = super::folders::set(&mut state.mailboxes, &mailbox.id, Kind::ContactFolders)?;
    let root = set
        .default_folder()
        .map(|f| f.id.clone())
        .unwrap_or_default();
    let context = format!(
        "{}/v1.0/$metadata#users('{user}')/contactFolders",
        shared.base_url
    );
    if method != Method::POST {
        let value: Vec<Value> = set
            .folders
            .iter()
            .filter(|f| f.well_known.is_none())
            .map(|f| render_folder(f, &root))
            .collect();
        let body = json!({"@odata.context": context, "value": value});
        return Ok(super::events::respond(StatusCode::OK, body, &prefer));
    }
    let value: Value = serde_json::from_slice(&body).map_err(|_| GraphError::unreadable_body())?;
    let name = value
        .get("displayName")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| GraphError::invalid_request("The folder's displayName is required."))?;
    if set
        .folders
        .iter()
        .any(|f| f.well_known.is_none() && f.display_name.eq_ignore_ascii_case(name))
    {
        return Err(GraphError::new(
            StatusCode::CONFLICT,
            "ErrorFolderExists",
            "A folder with the specified name already exists.",
        ));
    }
    let mut out = render_folder(set.add_folder(name, None), &root);
    out["@odata.context"] = Value::String(format!("{context}/$entity"));
    Ok(super::events::respond(StatusCode::CREATED, out, &prefer))
}

/// `GET /users/{user}/contactFolders/{id}`.
pub(crate) async fn folder(
    State(shared): State<Shared>,
    Path((user, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let mut state = shared.store.lock();
    let mailbox = authorize_in(&state, &headers, &user, Access::Read, Area::Contacts)?;
    let set = super::folders::set(&mut state.mailboxes, &mailbox.id, Kind::ContactFolders)?;
    let root = set
        .default_folder()
        .map(|f| f.id.clone())
        .unwrap_or_default();
    if !crate::ids::is_well_formed_item_id(&id) {
        return Err(GraphError::malformed_id());
    }
    let folder = set.folder(&id).ok_or_else(GraphError::item_not_found)?;
    let body = render_folder(folder, &root);
    Ok(super::events::respond(StatusCode::OK, body, &prefer))
}

/// `GET|POST /users/{user}/contactFolders/{id}/contacts`.
pub(crate) async fn contacts(
    State(shared): State<Shared>,
    Path((user, folder)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let call = Call {
        shared: &shared,
        user: &user,
        folder: &folder,
        headers: &headers,
    };
    if method == Method::POST {
        items::create(&call, &CONTACT, &body)
    } else {
        items::list(&call, &CONTACT, &query, uri.path())
    }
}

/// `GET|PATCH|DELETE /users/{user}/contactFolders/{id}/contacts/{contact}`.
pub(crate) async fn contact(
    State(shared): State<Shared>,
    Path((user, folder, id)): Path<(String, String, String)>,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let call = Call {
        shared: &shared,
        user: &user,
        folder: &folder,
        headers: &headers,
    };
    match method {
        Method::PATCH => items::update(&call, &CONTACT, &id, &body),
        Method::DELETE => items::delete(&call, &CONTACT, &id),
        _ => items::get(&call, &CONTACT, &id, &query),
    }
}

/// The folder a request under `/users/{user}/contacts` is about: the one holding contact `id`,
/// or the root folder without one. Authorizes first, so that the answer keeps Graph's order.
fn locate(
    shared: &Shared,
    headers: &HeaderMap,
    user: &str,
    access: Access,
    id: Option<&str>,
) -> Result<String, GraphError> {
    let mut state = shared.store.lock();
    let mailbox = authorize_in(&state, headers, user, access, Area::Contacts)?;
    let set = super::folders::set(&mut state.mailboxes, &mailbox.id, Kind::ContactFolders)?;
    let found = match id {
        Some(id) if !crate::ids::is_well_formed_item_id(id) => {
            return Err(GraphError::malformed_id());
        }
        Some(id) => set.folder_of_item(id),
        None => set.default_folder(),
    };
    found
        .map(|f| f.id.clone())
        .ok_or_else(GraphError::item_not_found)
}

fn access_of(method: &Method) -> Access {
    if method == Method::GET {
        Access::Read
    } else {
        Access::Write
    }
}

/// `GET|POST /users/{user}/contacts`: the contacts of the root folder "Contacts".
pub(crate) async fn root_contacts(
    State(shared): State<Shared>,
    Path(user): Path<String>,
    OriginalUri(uri): OriginalUri,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let folder = locate(&shared, &headers, &user, access_of(&method), None)?;
    let call = Call {
        shared: &shared,
        user: &user,
        folder: &folder,
        headers: &headers,
    };
    if method == Method::POST {
        items::create(&call, &CONTACT, &body)
    } else {
        items::list(&call, &CONTACT, &query, uri.path())
    }
}

/// `GET|PATCH|DELETE /users/{user}/contacts/{contact}`: a contact in any folder.
pub(crate) async fn contact_by_id(
    State(shared): State<Shared>,
    Path((user, id)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, GraphError> {
    let folder = locate(&shared, &headers, &user, access_of(&method), Some(&id))?;
    let call = Call {
        shared: &shared,
        user: &user,
        folder: &folder,
        headers: &headers,
    };
    match method {
        Method::PATCH => items::update(&call, &CONTACT, &id, &body),
        Method::DELETE => items::delete(&call, &CONTACT, &id),
        _ => items::get(&call, &CONTACT, &id, &query),
    }
}

/// `GET /users/{user}/contactFolders/{id}/contacts/delta`.
pub(crate) async fn delta(
    State(shared): State<Shared>,
    Path((user, folder)): Path<(String, String)>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    let call = Call {
        shared: &shared,
        user: &user,
        folder: &folder,
        headers: &headers,
    };
    items::delta(&call, &CONTACT, &query)
}

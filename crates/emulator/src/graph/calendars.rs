//! `/users/{user}/calendars`: list and create calendars, read one, and the events of one
//! (https://learn.microsoft.com/graph/api/user-post-calendars). The default calendar is listed
//! first (`isDefaultCalendar`); its events are the mailbox's calendar items, served by the
//! `events` handlers. A secondary calendar keeps its own events: list, create, read, delete.
//!
//! Invariants: every handler authorizes as the other calendar routes do (`Calendars.Read*` to
//! read, `Calendars.ReadWrite` to write); a second calendar with a name in use answers 409
//! `ErrorFolderExists` (as Graph does, e.g. alcionai/corso#3318) and creates nothing.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{Value, json};

use super::error::GraphError;
use super::events::{self, check_id, entity, out_zone, page, parse_body, respond};
use super::{Access, Area, Prefer, authorize_in, convert};
use crate::org::Mailbox;
use crate::server::Shared;
use crate::store::NewEvent;
use crate::store::calendars::{Calendar, DEFAULT_CALENDAR_NAME};

fn access_for(method: &Method) -> Access {
    if method == Method::GET {
        Access::Read
    } else {
        Access::Write
    }
}

/// A calendar as Graph writes the `calendar` resource.
fn render(id: &str, name: &str, change_key: &str, default: bool, owner: &Mailbox) -> Value {
    json!({
        "id": id,
        "name": name,
        "color": "auto",
        "hexColor": "",
        "isDefaultCalendar": default,
        "changeKey": change_key,
        "canShare": true,
        "canViewPrivateItems": true,
        "canEdit": true,
        "isRemovable": !default,
        "isTallyingResponses": true,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "owner": {"name": owner.display_name, "address": owner.mail},
    })
}

fn render_secondary(calendar: &Calendar, owner: &Mailbox) -> Value {
    render(
        &calendar.id,
        &calendar.name,
        &calendar.change_key,
        false,
        owner,
    )
}

/// `GET|POST /users/{user}/calendars`.
pub(crate) async fn calendars(
    State(shared): State<Shared>,
    Path(user): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let mut state = shared.store.lock();
    let mailbox = authorize_in(
        &state,
        &headers,
        &user,
        access_for(&method),
        Area::Calendars,
    )?;
    let data = state.mailboxes.entry(mailbox.id.clone()).or_default();
    let context = events::context(&shared, &user, "calendars");
    if method != Method::POST {
        let calendars = data.calendars();
        let mut value = vec![render(
            calendars.default_id(),
            DEFAULT_CALENDAR_NAME,
            calendars.default_id(),
            true,
            &mailbox,
        )];
        value.extend(
            calendars
                .secondary()
                .iter()
                .map(|c| render_secondary(c, &mailbox)),
        );
        let body = json!({"@odata.context": context, "value": value});
        return Ok(respond(StatusCode::OK, body, &prefer));
    }
    let request: Value =
        serde_json::from_slice(&body).map_err(|_| GraphError::unreadable_body())?;
    let name = request
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| GraphError::invalid_request("The calendar's name is required."))?;
    let calendar = data.add_calendar(name).ok_or_else(|| {
        GraphError::new(
            StatusCode::CONFLICT,
            "ErrorFolderExists",
            "A folder with the specified name already exists.",
        )
    })?;
    tracing::debug!(mailbox = %mailbox.id, calendar = %calendar.id, "calendar created");
    let mut body = render_secondary(&calendar, &mailbox);
    body["@odata.context"] = Value::String(format!("{context}/$entity"));
    Ok(respond(StatusCode::CREATED, body, &prefer))
}

/// `GET /users/{user}/calendars/{id}`.
pub(crate) async fn calendar(
    State(shared): State<Shared>,
    Path((user, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let mut state = shared.store.lock();
    let mailbox = authorize_in(&state, &headers, &user, Access::Read, Area::Calendars)?;
    check_id(&id)?;
    let calendars = state
        .mailboxes
        .entry(mailbox.id.clone())
        .or_default()
        .calendars();
    let mut body = if id == calendars.default_id() {
        render(&id, DEFAULT_CALENDAR_NAME, &id, true, &mailbox)
    } else {
        let calendar = calendars.get(&id).ok_or_else(GraphError::item_not_found)?;
        render_secondary(calendar, &mailbox)
    };
    body["@odata.context"] = Value::String(events::context(&shared, &user, "calendars/$entity"));
    Ok(respond(StatusCode::OK, body, &prefer))
}

/// True when `id` is the default calendar of `user` (after authorizing the request).
fn is_default(shared: &Shared, headers: &HeaderMap, user: &str, id: &str) -> bool {
    let mut state = shared.store.lock();
    let Ok(mailbox) = authorize_in(&state, headers, user, Access::Read, Area::Calendars) else {
        return false;
    };
    state
        .mailboxes
        .entry(mailbox.id)
        .or_default()
        .calendars()
        .default_id()
        == id
}

/// `GET|POST /users/{user}/calendars/{id}/events`.
pub(crate) async fn calendar_events(
    State(shared): State<Shared>,
    Path((user, id)): Path<(String, String)>,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, GraphError> {
    if is_default(&shared, &headers, &user, &id) {
        return if method == Method::POST {
            events::create(State(shared), Path(user), headers, body).await
        } else {
            events::list(State(shared), Path(user), uri, headers, Query(query)).await
        };
    }
    let prefer = Prefer::from_headers(&headers);
    let zone = out_zone(&prefer);
    let mut state = shared.store.lock();
    let mailbox = authorize_in(
        &state,
        &headers,
        &user,
        access_for(&method),
        Area::Calendars,
    )?;
    check_id(&id)?;
    let data = state.mailboxes.entry(mailbox.id.clone()).or_default();
    let calendar = data
        .calendars()
        .get(&id)
        .ok_or_else(GraphError::item_not_found)?;
    if method != Method::POST {
        let items = calendar
            .events()
            .into_iter()
            .map(|e| wire(e, &mailbox, &zone))
            .collect::<Result<Vec<_>, _>>()?;
        let next_base = format!("{}{}", shared.base_url, uri.0.path());
        let context = events::context(&shared, &user, "events");
        let body = page(items, &query, &prefer, context, &next_base);
        return Ok(respond(StatusCode::OK, body, &prefer));
    }
    let (_, input) = parse_body(&body)?;
    let parsed = convert::parse(&input, &mailbox)?;
    let new = NewEvent {
        appointment: parsed.appointment,
        start_zone: parsed.start_zone,
        end_zone: parsed.end_zone,
        transaction: None,
    };
    let event = data
        .create_in_calendar(&id, &new, Utc::now())
        .ok_or_else(GraphError::item_not_found)?;
    tracing::debug!(mailbox = %mailbox.id, calendar = %id, item = %event.id, "event created");
    let body = entity(&shared, &user, &convert::to_wire(&event, &mailbox, &zone))?;
    Ok(respond(StatusCode::CREATED, body, &prefer))
}

fn wire(
    event: &crate::store::StoredEvent,
    mailbox: &Mailbox,
    zone: &convert::OutZone,
) -> Result<Value, GraphError> {
    serde_json::to_value(convert::to_wire(event, mailbox, zone)).map_err(|e| {
        GraphError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "generalException",
            e.to_string(),
        )
    })
}

/// `GET|DELETE /users/{user}/calendars/{id}/events/{event}`.
pub(crate) async fn calendar_event(
    State(shared): State<Shared>,
    Path((user, id, event_id)): Path<(String, String, String)>,
    method: Method,
    headers: HeaderMap,
    query: Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    if is_default(&shared, &headers, &user, &id) {
        return if method == Method::DELETE {
            events::delete(State(shared), Path((user, event_id)), headers).await
        } else {
            events::get(State(shared), Path((user, event_id)), headers, query).await
        };
    }
    let prefer = Prefer::from_headers(&headers);
    let zone = out_zone(&prefer);
    let mut state = shared.store.lock();
    let mailbox = authorize_in(
        &state,
        &headers,
        &user,
        access_for(&method),
        Area::Calendars,
    )?;
    check_id(&id)?;
    check_id(&event_id)?;
    let data = state.mailboxes.entry(mailbox.id.clone()).or_default();
    if method == Method::DELETE {
        data.delete_in_calendar(&id, &event_id)
            .ok_or_else(GraphError::item_not_found)?;
        tracing::debug!(mailbox = %mailbox.id, calendar = %id, item = %event_id, "event deleted");
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let event = data
        .calendars()
        .get(&id)
        .and_then(|c| c.event(&event_id))
        .ok_or_else(GraphError::item_not_found)?;
    let body = entity(&shared, &user, &convert::to_wire(event, &mailbox, &zone))?;
    Ok(respond(StatusCode::OK, body, &prefer))
}

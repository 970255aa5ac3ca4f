//! `/users/{user}/events` and `/users/{user}/calendar/events`: list, create, get, update,
//! delete (https://learn.microsoft.com/graph/api/resources/event#methods).
//!
//! Invariants: a create with a `transactionId` seen before (same body) answers 201 with the
//! item it created, not a second one; an update or delete with an `If-Match` that is not the
//! current etag changes nothing and answers 412; updating a series keeps its exceptions unless
//! the recurrence itself changed. An occurrence's id is accepted too: PATCH makes it an
//! exception, DELETE cancels it (see `occurrences`).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{Value, json};

use super::convert::{self, OutZone};
use super::error::GraphError;
use super::extended;
use super::wire::event::EventInput;
use super::{Access, Prefer, authorize};
use super::{calendar_view, occurrences, query, type_filter};
use crate::ids;
use crate::server::Shared;
use crate::store::{Created, NewEvent};

/// Graph's default page size for event lists.
pub(crate) const DEFAULT_PAGE: usize = 10;
const MAX_PAGE: usize = 1000;

/// The zone answers are written in.
pub(crate) fn out_zone(prefer: &Prefer) -> OutZone {
    match &prefer.time_zone {
        Some((name, zone)) => OutZone {
            name: name.clone(),
            zone: zone.clone(),
        },
        None => OutZone::utc(),
    }
}

/// A JSON answer with Graph's content type and `Preference-Applied`.
pub(crate) fn respond(status: StatusCode, body: Value, prefer: &Prefer) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        HeaderValue::from_static(
            "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8",
        ),
    );
    if let Some(applied) = prefer
        .applied()
        .and_then(|a| HeaderValue::from_str(&a).ok())
    {
        headers.insert("preference-applied", applied);
    }
    response
}

/// One page of `items` as Graph writes a collection, with `@odata.nextLink` when more follow.
pub(crate) fn page(
    items: Vec<Value>,
    query: &HashMap<String, String>,
    prefer: &Prefer,
    context: String,
    next_base: &str,
) -> Value {
    let top = query
        .get("$top")
        .and_then(|t| t.parse::<usize>().ok())
        .or(prefer.max_page_size)
        .unwrap_or(DEFAULT_PAGE)
        .clamp(1, MAX_PAGE);
    let skip = query
        .get("$skip")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(0);
    let total = items.len();
    let value: Vec<Value> = items.into_iter().skip(skip).take(top).collect();
    let mut body = json!({"@odata.context": context, "value": value});
    if skip + top < total {
        let mut kept: Vec<String> = query
            .iter()
            .filter(|(k, _)| k.as_str() != "$top" && k.as_str() != "$skip")
            .map(|(k, v)| format!("{k}={}", query::encode_query_value(v)))
            .collect();
        kept.sort();
        kept.push(format!("$top={top}"));
        kept.push(format!("$skip={}", skip + top));
        body["@odata.nextLink"] = Value::String(format!("{next_base}?{}", kept.join("&")));
    }
    body
}

pub(crate) fn context(shared: &Shared, user: &str, suffix: &str) -> String {
    format!(
        "{}/v1.0/$metadata#users('{user}')/{suffix}",
        shared.base_url
    )
}

pub(crate) fn check_id(id: &str) -> Result<(), GraphError> {
    if ids::is_well_formed_item_id(id) {
        Ok(())
    } else {
        Err(GraphError::malformed_id())
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

/// `GET /users/{user}/events`.
pub(crate) async fn list(
    State(shared): State<Shared>,
    Path(user): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let zone = out_zone(&prefer);
    let state = shared.store.lock();
    let mailbox = authorize(&state, &headers, &user, Access::Read)?;
    let types = type_filter::types(&query)?;
    let wanted = match types {
        Some(_) => None,
        None => extended::filter(&query)?,
    };
    let expand = extended::expand(&query)?;
    let mut items = state
        .mailboxes
        .get(&mailbox.id)
        .map(|data| {
            data.events()
                .into_iter()
                .filter(|e| type_filter::admits(types.as_deref(), e.appointment.series.is_some()))
                .map(|e| serde_json::to_value(convert::to_wire(e, &mailbox, &zone)))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()
        .map_err(|e| {
            GraphError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "generalException",
                e.to_string(),
            )
        })?
        .unwrap_or_default();
    extended::retain(&mut items, &state.graph.extended, wanted.as_ref());
    query::order_all(&mut items, &query)?;
    query::select_all(&mut items, &query);
    for item in &mut items {
        extended::add_expanded(item, &state.graph.extended, expand.as_deref());
    }
    let next_base = format!("{}{}", shared.base_url, uri.path());
    let context = query::context_with_select(context(&shared, &user, "events"), &query);
    let body = page(items, &query, &prefer, context, &next_base);
    Ok(respond(StatusCode::OK, body, &prefer))
}

pub(crate) fn entity(
    shared: &Shared,
    user: &str,
    event: &impl serde::Serialize,
) -> Result<Value, GraphError> {
    let mut value = serde_json::to_value(event).map_err(|e| {
        GraphError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "generalException",
            e.to_string(),
        )
    })?;
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "@odata.context".to_owned(),
            Value::String(context(shared, user, "events/$entity")),
        );
    }
    Ok(value)
}

pub(crate) fn parse_body(body: &Bytes) -> Result<(Value, EventInput), GraphError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| GraphError::unreadable_body())?;
    if !value.is_object() {
        return Err(GraphError::unreadable_body());
    }
    let input = serde_json::from_value(value.clone())
        .map_err(|e| GraphError::invalid_request(format!("Invalid event: {e}")))?;
    Ok((value, input))
}

/// `POST /users/{user}/events`.
pub(crate) async fn create(
    State(shared): State<Shared>,
    Path(user): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let zone = out_zone(&prefer);
    let mut state = shared.store.lock();
    let mailbox = authorize(&state, &headers, &user, Access::Write)?;
    let (value, input) = parse_body(&body)?;
    let props = extended::from_body(&value)?;
    let parsed = convert::parse(&input, &mailbox)?;
    let transaction = input
        .transaction_id
        .clone()
        .filter(|t| !t.is_empty())
        .map(|t| (t, value));
    let data = state.mailboxes.entry(mailbox.id.clone()).or_default();
    let new = NewEvent {
        appointment: parsed.appointment,
        start_zone: parsed.start_zone,
        end_zone: parsed.end_zone,
        transaction,
    };
    let event = match data.create(new, Utc::now()) {
        Created::New(event) => {
            tracing::debug!(mailbox = %mailbox.id, item = %event.id, "event created");
            if let Some(props) = props {
                state.graph.extended.set(&event.id, props);
            }
            event
        }
        Created::Repeated(event) => event,
        Created::Conflict => {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "ErrorDuplicateTransactionId",
                "The transaction id was already used for a different request.",
            ));
        }
    };
    let body = entity(&shared, &user, &convert::to_wire(&event, &mailbox, &zone))?;
    Ok(respond(StatusCode::CREATED, body, &prefer))
}

/// `GET /users/{user}/events/{id}` (also an occurrence's id).
pub(crate) async fn get(
    State(shared): State<Shared>,
    Path((user, id)): Path<(String, String)>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let zone = out_zone(&prefer);
    let state = shared.store.lock();
    let mailbox = authorize(&state, &headers, &user, Access::Read)?;
    check_id(&id)?;
    let expand = extended::expand(&query)?;
    let data = state.mailboxes.get(&mailbox.id);
    let mut body = match data.and_then(|d| d.event(&id)) {
        Some(event) => entity(&shared, &user, &convert::to_wire(event, &mailbox, &zone))?,
        None => {
            let occurrence = data
                .and_then(|d| calendar_view::find_occurrence(d, &id, &mailbox, &zone))
                .ok_or_else(GraphError::item_not_found)?;
            entity(&shared, &user, &occurrence)?
        }
    };
    if let Some(selected) = query::select(&query) {
        query::apply_select(&mut body, &selected);
        let context = query::context_with_select(context(&shared, &user, "events/$entity"), &query);
        body["@odata.context"] = Value::String(context);
    }
    extended::add_expanded(&mut body, &state.graph.extended, expand.as_deref());
    Ok(respond(StatusCode::OK, body, &prefer))
}

/// `PATCH /users/{user}/events/{id}`: the properties sent replace the stored ones.
pub(crate) async fn update(
    State(shared): State<Shared>,
    Path((user, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let zone = out_zone(&prefer);
    let mut state = shared.store.lock();
    let mailbox = authorize(&state, &headers, &user, Access::Write)?;
    check_id(&id)?;
    let (patch, _) = parse_body(&body)?;
    let props = extended::from_body(&patch)?;
    let data = state.mailboxes.entry(mailbox.id.clone()).or_default();
    let Some(current) = data.event(&id) else {
        let if_match = |key: &str| if_match_ok(&headers, key);
        let event = occurrences::update(data, &id, &patch, if_match, &mailbox, &zone)?;
        if let Some(props) = props {
            state.graph.extended.set(&id, props);
        }
        let body = entity(&shared, &user, &event)?;
        return Ok(respond(StatusCode::OK, body, &prefer));
    };
    if !if_match_ok(&headers, &current.change_key) {
        return Err(GraphError::conflict());
    }
    let mut merged = serde_json::to_value(convert::to_input(current, &mailbox))
        .map_err(|e| GraphError::invalid_request(e.to_string()))?;
    if let (Some(base), Some(changes)) = (merged.as_object_mut(), patch.as_object()) {
        for (key, value) in changes {
            base.insert(key.clone(), value.clone());
        }
    }
    let input: EventInput = serde_json::from_value(merged)
        .map_err(|e| GraphError::invalid_request(format!("Invalid event: {e}")))?;
    let mut parsed = convert::parse(&input, &mailbox)?;
    if let (Some(old), Some(new)) = (&current.appointment.series, &mut parsed.appointment.series)
        && old.recurrence == new.recurrence
        && current.appointment.when == parsed.appointment.when
    {
        new.modified = old.modified.clone();
        new.cancelled = old.cancelled.clone();
    }
    let event = data
        .update(
            &id,
            parsed.appointment,
            parsed.start_zone,
            parsed.end_zone,
            Utc::now(),
        )
        .ok_or_else(GraphError::item_not_found)?;
    tracing::debug!(mailbox = %mailbox.id, item = %event.id, "event updated");
    if let Some(props) = props {
        state.graph.extended.set(&id, props);
    }
    let body = entity(&shared, &user, &convert::to_wire(&event, &mailbox, &zone))?;
    Ok(respond(StatusCode::OK, body, &prefer))
}

/// `DELETE /users/{user}/events/{id}`.
pub(crate) async fn delete(
    State(shared): State<Shared>,
    Path((user, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, GraphError> {
    let mut state = shared.store.lock();
    let mailbox = authorize(&state, &headers, &user, Access::Write)?;
    check_id(&id)?;
    let data = state.mailboxes.entry(mailbox.id.clone()).or_default();
    let Some(current) = data.event(&id) else {
        occurrences::delete(data, &id, |key| if_match_ok(&headers, key))?;
        tracing::debug!(mailbox = %mailbox.id, item = %id, "occurrence cancelled");
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    if !if_match_ok(&headers, &current.change_key) {
        return Err(GraphError::conflict());
    }
    data.delete(&id);
    state.graph.extended.remove(&id);
    tracing::debug!(mailbox = %mailbox.id, item = %id, "event deleted");
    Ok(StatusCode::NO_CONTENT.into_response())
}

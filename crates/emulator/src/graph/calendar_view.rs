//! `/users/{user}/calendarView` and `/users/{user}/events/{id}/instances`: the events of a time
//! window with series expanded into their occurrences and exceptions, as Graph returns them
//! (https://learn.microsoft.com/graph/api/user-list-calendarview,
//! https://learn.microsoft.com/graph/api/event-list-instances).
//!
//! Invariants: series masters never appear in a view, only their occurrences (`occurrence`) and
//! changed occurrences (`exception`); a cancelled occurrence does not appear at all. An
//! occurrence's id is its master's id, `_O` and its original start (wall clock in the series'
//! zone), so it can be read back by id.

use std::collections::HashMap;

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, NaiveDateTime, Utc};
use exsync_model::{
    Appointment, Occurrence, OccurrenceOverride, When, local_to_utc, occurrence_time, occurrences,
};
use serde_json::Value;

use super::convert::{self, OutZone};
use super::error::GraphError;
use super::events::{out_zone, page, respond};
use super::wire::event::Event;
use super::{Access, Prefer, authorize, query as options};
use crate::org::Mailbox;
use crate::server::Shared;
use crate::store::{MailboxData, StoredEvent};

const OCCURRENCE_MARK: &str = "_O";
const KEY_FORMAT: &str = "%Y%m%dT%H%M%S";

/// The id of the occurrence of `master_id` with original start `key`.
pub(crate) fn occurrence_id(master_id: &str, key: NaiveDateTime) -> String {
    format!("{master_id}{OCCURRENCE_MARK}{}", key.format(KEY_FORMAT))
}

/// Master id and original start of an occurrence id.
pub(crate) fn split_occurrence_id(id: &str) -> Option<(&str, NaiveDateTime)> {
    let (master, key) = id.rsplit_once(OCCURRENCE_MARK)?;
    let key = NaiveDateTime::parse_from_str(key, KEY_FORMAT).ok()?;
    Some((master, key))
}

/// The occurrence (or exception) with this id, if its series has it and it is not cancelled.
pub(crate) fn find_occurrence(
    data: &MailboxData,
    id: &str,
    mailbox: &Mailbox,
    zone: &OutZone,
) -> Option<Event> {
    let (master_id, key) = split_occurrence_id(id)?;
    let master = data.event(master_id)?;
    let series = master.appointment.series.as_ref()?;
    if series.cancelled.contains(&key)
        || !exsync_model::is_occurrence(&master.appointment.when, &series.recurrence, key).ok()?
    {
        return None;
    }
    let changes = series.modified.get(&key).cloned();
    let when = match changes.as_ref().and_then(|c| c.when.clone()) {
        Some(when) => when,
        None => occurrence_time(&master.appointment.when, &series.recurrence, key).ok()?,
    };
    let occurrence = Occurrence {
        original_start: key,
        when,
        changes,
    };
    Some(render_occurrence(master, &occurrence, mailbox, zone))
}

fn render_occurrence(
    master: &StoredEvent,
    occurrence: &Occurrence,
    mailbox: &Mailbox,
    zone: &OutZone,
) -> Event {
    let mut view = master.appointment.clone();
    view.series = None;
    let changed = occurrence.changes.as_ref().filter(|c| !c.is_empty());
    if let Some(c) = changed {
        apply_override(&mut view, c);
    }
    let mut event = convert::render(master, &view, &occurrence.when, mailbox, zone);
    event.id = occurrence_id(&master.id, occurrence.original_start);
    event.series_master_id = Some(master.id.clone());
    event.original_start = original_start_utc(master, occurrence.original_start);
    event.kind = if changed.is_some() {
        "exception"
    } else {
        "occurrence"
    }
    .to_owned();
    event
}

/// Graph's `originalStart` of the occurrence keyed `key` (wall clock in the series' zone):
/// the UTC instant, `2027-03-15T08:00:00Z`. An all-day series' key is midnight of the date in
/// the series' zone (its recurrence's zone, else the zone its start was given in), expressed in
/// UTC: `2027-03-09T23:00:00Z` for 10 March in Berlin (microsoftgraph/microsoft-graph-docs#2804
/// shows `07:00:00Z` for all-day occurrences of a UTC-7 calendar), not UTC midnight.
fn original_start_utc(master: &StoredEvent, key: chrono::NaiveDateTime) -> Option<String> {
    let series = master.appointment.series.as_ref()?;
    let zone = match &master.appointment.when {
        exsync_model::When::Timed { start, .. } => {
            series.recurrence.time_zone.as_ref().unwrap_or(&start.zone)
        }
        exsync_model::When::AllDay { .. } => series
            .recurrence
            .time_zone
            .as_ref()
            .unwrap_or(&master.start_zone),
    };
    let instant = exsync_model::ZonedDateTime::new(key, zone.clone())
        .to_utc()
        .ok()?;
    Some(instant.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// Applies what an occurrence changes to the series' view of it.
pub(crate) fn apply_override(view: &mut Appointment, c: &OccurrenceOverride) {
    if let Some(v) = &c.subject {
        view.subject = v.clone();
    }
    if let Some(v) = &c.location {
        view.location = v.clone();
    }
    if let Some(v) = &c.body {
        view.body = v.clone();
    }
    if let Some(v) = c.show_as {
        view.show_as = v;
    }
    if let Some(v) = c.sensitivity {
        view.sensitivity = v;
    }
    if let Some(v) = c.importance {
        view.importance = v;
    }
    if let Some(v) = &c.categories {
        view.categories = v.clone();
    }
    if let Some(v) = c.reminder_minutes {
        view.reminder_minutes = v;
    }
}

pub(crate) fn query_param<'a>(query: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

pub(crate) fn window(
    query: &HashMap<String, String>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), GraphError> {
    let missing = || {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
        )
    };
    let start = query_param(query, "startDateTime").ok_or_else(missing)?;
    let end = query_param(query, "endDateTime").ok_or_else(missing)?;
    let invalid = |v: &str| {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidParameter",
            format!("The value '{v}' of parameter 'StartDateTime/EndDateTime' is invalid."),
        )
    };
    let start_at = parse_instant(start).ok_or_else(|| invalid(start))?;
    let end_at = parse_instant(end).ok_or_else(|| invalid(end))?;
    Ok((start_at, end_at))
}

fn instants(event: &StoredEvent, when: &When) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    match when {
        When::Timed { start, end } => Some((start.to_utc().ok()?, end.to_utc().ok()?)),
        When::AllDay { start, end } => {
            let tz = event.start_zone.resolve().ok()?;
            Some((
                local_to_utc(tz, start.and_time(chrono::NaiveTime::MIN)),
                local_to_utc(tz, end.and_time(chrono::NaiveTime::MIN)),
            ))
        }
    }
}

fn overlaps(s: DateTime<Utc>, e: DateTime<Utc>, ws: DateTime<Utc>, we: DateTime<Utc>) -> bool {
    if e <= s {
        ws <= s && s < we
    } else {
        s < we && e > ws
    }
}

/// The items of `event` in the window, each with its start instant (for ordering).
pub(crate) fn expand(
    event: &StoredEvent,
    (ws, we): (DateTime<Utc>, DateTime<Utc>),
    mailbox: &Mailbox,
    zone: &OutZone,
) -> Result<Vec<(DateTime<Utc>, Event)>, GraphError> {
    let when = &event.appointment.when;
    let Some(series) = &event.appointment.series else {
        return Ok(instants(event, when)
            .filter(|(s, e)| overlaps(*s, *e, ws, we))
            .map(|(s, _)| (s, convert::to_wire(event, mailbox, zone)))
            .into_iter()
            .collect());
    };
    let found = occurrences(when, series, ws, we)
        .map_err(|e| GraphError::invalid_request(e.to_string()))?;
    Ok(found
        .iter()
        .map(|o| {
            let at = instants(event, &o.when).map_or(ws, |(s, _)| s);
            (at, render_occurrence(event, o, mailbox, zone))
        })
        .collect())
}

/// The items ordered by start (then id), as JSON.
pub(crate) fn to_values(mut items: Vec<(DateTime<Utc>, Event)>) -> Result<Vec<Value>, GraphError> {
    items.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
    items
        .into_iter()
        .map(|(_, e)| serde_json::to_value(e))
        .collect::<Result<_, _>>()
        .map_err(|e| {
            GraphError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "generalException",
                e.to_string(),
            )
        })
}

/// One page of a view: ordered by start (or `$orderby`), trimmed to `$select`.
fn collection(
    items: Vec<(DateTime<Utc>, Event)>,
    query: &HashMap<String, String>,
    prefer: &Prefer,
    context: String,
    shared: &Shared,
    uri: &axum::http::Uri,
) -> Result<Value, GraphError> {
    let mut values = to_values(items)?;
    options::order_all(&mut values, query)?;
    options::select_all(&mut values, query);
    let context = options::context_with_select(context, query);
    let next_base = format!("{}{}", shared.base_url, uri.path());
    Ok(page(values, query, prefer, context, &next_base))
}

/// `GET /users/{user}/calendarView?startDateTime=...&endDateTime=...`.
pub(crate) async fn calendar_view(
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
    let window = window(&query)?;
    let mut items = Vec::new();
    if let Some(data) = state.mailboxes.get(&mailbox.id) {
        for event in data.events() {
            items.extend(expand(event, window, &mailbox, &zone)?);
        }
    }
    let context = format!(
        "{}/v1.0/$metadata#users('{user}')/calendarView",
        shared.base_url
    );
    let body = collection(items, &query, &prefer, context, &shared, &uri)?;
    Ok(respond(StatusCode::OK, body, &prefer))
}

/// `GET /users/{user}/events/{id}/instances?startDateTime=...&endDateTime=...`.
pub(crate) async fn instances(
    State(shared): State<Shared>,
    Path((user, id)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let zone = out_zone(&prefer);
    let state = shared.store.lock();
    let mailbox = authorize(&state, &headers, &user, Access::Read)?;
    if !crate::ids::is_well_formed_item_id(&id) {
        return Err(GraphError::malformed_id());
    }
    let window = window(&query)?;
    let event = state
        .mailboxes
        .get(&mailbox.id)
        .and_then(|d| d.event(&id))
        .ok_or_else(GraphError::item_not_found)?;
    let items = if event.appointment.series.is_some() {
        expand(event, window, &mailbox, &zone)?
    } else {
        Vec::new()
    };
    let context = format!(
        "{}/v1.0/$metadata#users('{user}')/events('{id}')/instances",
        shared.base_url
    );
    let body = collection(items, &query, &prefer, context, &shared, &uri)?;
    Ok(respond(StatusCode::OK, body, &prefer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrence_ids_round_trip() {
        let master = crate::ids::item_id();
        let key = NaiveDateTime::parse_from_str("20260115T090000", KEY_FORMAT).expect("key");
        let id = occurrence_id(&master, key);
        assert!(crate::ids::is_well_formed_item_id(&id));
        assert_eq!(split_occurrence_id(&id), Some((master.as_str(), key)));
        assert_eq!(split_occurrence_id(&master), None);
    }
}

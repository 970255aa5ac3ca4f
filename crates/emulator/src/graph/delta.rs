//! `/users/{user}/calendarView/delta` (also `calendar/calendarView/delta` and `delta()`):
//! incremental changes to the events of a calendar view, as Graph serves them
//! (https://learn.microsoft.com/graph/api/event-delta, v1.0, and "Get incremental changes to
//! events in a calendar view", https://learn.microsoft.com/graph/delta-query-events).
//!
//! Wire shape per those pages: `{"@odata.context": ".../$metadata#Collection(event)",
//! "@odata.nextLink": ".../calendarView/delta?$skiptoken=..." | "@odata.deltaLink":
//! ".../calendarView/delta?$deltatoken=...", "value": [event..., {"id": "...", "@removed":
//! {"reason": "deleted"}}]}`; the response carries `Preference-Applied: odata.track-changes`.
//! An unknown or expired state token answers 410 `SyncStateNotFound` ("The sync state generation
//! is not found; ...", as quoted in microsoftgraph/microsoft-graph-docs#2350).
//!
//! Invariants: the window is fixed by the first call of a round and lives in the (opaque) state
//! behind the token, never in the link; after a delta link, only items of events written since
//! (the mailbox's change sequence) are reported, and an id the client was told about that is
//! gone (deleted, moved out of the window) is reported once as `@removed`. Where Exchange
//! Online departs from that tidy picture (bare occurrences, silence about cancelled
//! occurrences, `@removed` for events outside the window, series masters, empty pages, expiring
//! links), [`super::delta_behaviour::DeltaBehaviour`] says how; its default is Exchange's way.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use exsync_model::Appointment;
use serde_json::{Value, json};

use super::calendar_view::{expand, query_param, split_occurrence_id, to_values, window};
use super::convert;
use super::delta_behaviour::{CancelledOccurrence, DeltaBehaviour, make_bare};
use super::delta_tokens::{Entry, Round};
use super::error::GraphError;
use super::events::{DEFAULT_PAGE, out_zone, respond};
use super::wire::event::Event;
use super::{Access, Prefer, authorize};
use crate::server::Shared;
use crate::store::{MailboxData, StoredEvent};

const MAX_PAGE: usize = 1000;

fn gone(highest: u64) -> GraphError {
    GraphError::new(
        StatusCode::GONE,
        "SyncStateNotFound",
        format!("The sync state generation is not found; generation=0;[highest={highest}]."),
    )
}

/// True when `id` is `master` itself or one of its occurrences.
fn belongs_to(id: &str, master: &str) -> bool {
    id == master
        || id
            .strip_prefix(master)
            .is_some_and(|rest| rest.starts_with("_O"))
}

/// True when `id` is a touched event or an occurrence (`{master}_O...`) of one; looks up each
/// possible master prefix instead of comparing with every touched id.
fn touched_master(id: &str, touched: &BTreeSet<&str>) -> bool {
    touched.contains(id)
        || id
            .match_indices("_O")
            .any(|(at, _)| touched.contains(&id[..at]) && belongs_to(id, &id[..at]))
}

/// True when `id` is an occurrence its (still existing) series cancelled.
fn cancelled(data: &MailboxData, id: &str) -> bool {
    split_occurrence_id(id).is_some_and(|(master, key)| {
        data.event(master)
            .and_then(|m| m.appointment.series.as_ref())
            .is_some_and(|s| s.cancelled.contains(&key))
    })
}

/// A series as compared between rounds: everything but its cancellations.
fn series_content(appointment: &Appointment) -> Appointment {
    let mut content = appointment.clone();
    if let Some(series) = content.series.as_mut() {
        series.cancelled.clear();
    }
    content
}

/// What the client is told about one event written since the last round.
enum Report {
    /// Its items in the window (and its master, for a series).
    Items(Vec<(DateTime<Utc>, Event)>),
    /// Nothing: an occurrence was only cancelled (its items stay known).
    Silent(Vec<String>),
    /// `@removed`: it has nothing in the window and the client never had it.
    Outside,
}

/// How one touched event is reported in `round`.
fn report(
    event: &StoredEvent,
    round: &Round,
    next_series: &mut HashMap<String, Arc<Appointment>>,
    view: (&crate::org::Mailbox, &convert::OutZone, &DeltaBehaviour),
) -> Result<Report, GraphError> {
    let (mailbox, zone, behaviour) = view;
    let mut items = expand(event, round.window, mailbox, zone)?;
    if event.appointment.series.is_some() {
        let content = series_content(&event.appointment);
        let only_cancelled = round
            .series
            .get(&event.id)
            .is_some_and(|before| **before == content);
        next_series.insert(event.id.clone(), Arc::new(content));
        if only_cancelled && behaviour.cancelled_occurrence == CancelledOccurrence::Silent {
            let mut ids: Vec<String> = items.into_iter().map(|(_, e)| e.id).collect();
            ids.push(event.id.clone());
            return Ok(Report::Silent(ids));
        }
        if behaviour.series_masters && !items.is_empty() {
            // Listed with its first occurrence's start (ridafkih/keeper.sh#409).
            let first = items
                .iter()
                .map(|(at, _)| *at)
                .min()
                .unwrap_or(round.window.0);
            items.push((first, convert::to_wire(event, mailbox, zone)));
        }
    }
    if items.is_empty()
        && !round.initial
        && behaviour.removed_outside_window
        && !round.known.contains(&event.id)
    {
        return Ok(Report::Outside);
    }
    Ok(Report::Items(items))
}

/// Computes what changed since `round.since`: the items to report and the round after them.
fn changes(
    data: &MailboxData,
    round: &Round,
    mailbox: &crate::org::Mailbox,
    zone: &convert::OutZone,
    behaviour: &DeltaBehaviour,
) -> Result<(Vec<Value>, Round), GraphError> {
    let mut touched: BTreeSet<&str> = BTreeSet::new();
    let mut items = Vec::new();
    let mut present: BTreeSet<String> = BTreeSet::new();
    let mut outside = Vec::new();
    let mut series = round.series.clone();
    for event in data.events() {
        if event.change_seq <= round.since {
            continue;
        }
        touched.insert(event.id.as_str());
        match report(event, round, &mut series, (mailbox, zone, behaviour))? {
            Report::Items(found) => {
                present.extend(found.iter().map(|(_, e)| e.id.clone()));
                items.extend(found);
            }
            Report::Silent(ids) => present.extend(ids),
            Report::Outside => outside.push(event.id.clone()),
        }
    }
    for tomb in data.tombstones() {
        if tomb.change_seq > round.since {
            touched.insert(tomb.id.as_str());
            series.remove(&tomb.id);
        }
    }
    let gone: Vec<String> = round
        .known
        .iter()
        .filter(|id| !present.contains(*id) && touched_master(id, &touched))
        .cloned()
        .collect();
    let mut values = to_values(items)?;
    if !behaviour.full_occurrences {
        values.iter_mut().for_each(make_bare);
    }
    let told = gone.iter().filter(|id| {
        behaviour.cancelled_occurrence == CancelledOccurrence::Removed || !cancelled(data, id)
    });
    values.extend(
        told.chain(outside.iter())
            .map(|id| json!({"id": id, "@removed": {"reason": "deleted"}})),
    );
    let mut known = round.known.clone();
    for id in &gone {
        known.remove(id);
    }
    known.extend(present);
    let next = Round {
        mailbox_id: round.mailbox_id.clone(),
        window: round.window,
        since: data.change_seq(),
        initial: false,
        known,
        series,
        page_size: round.page_size,
        chain: round.chain,
    };
    Ok((values, next))
}

/// `GET /users/{user}/calendarView/delta`.
pub(crate) async fn calendar_view_delta(
    State(shared): State<Shared>,
    Path(user): Path<String>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, GraphError> {
    let prefer = Prefer::from_headers(&headers);
    let zone = out_zone(&prefer);
    let mut guard = shared.store.lock();
    let state = &mut *guard;
    let mailbox = authorize(state, &headers, &user, Access::Read)?;
    let empty = MailboxData::default();
    let data = state.mailboxes.get(&mailbox.id).unwrap_or(&empty);
    let states = &mut state.graph.delta;
    let behaviour = states.behaviour.clone();
    let token = query_param(&query, "$skiptoken").or_else(|| query_param(&query, "$deltatoken"));
    // The page size asked for now wins; otherwise the one the round (or page) was asked with.
    let (values, offset, then, carried, empties) = match token {
        None => {
            let round = Round {
                mailbox_id: mailbox.id.clone(),
                window: window(&query)?,
                since: 0,
                initial: true,
                known: BTreeSet::new(),
                series: HashMap::new(),
                page_size: prefer.max_page_size,
                chain: states.new_chain(),
            };
            let (values, then) = changes(data, &round, &mailbox, &zone, &behaviour)?;
            let empties = behaviour.leading_empty_pages;
            (Arc::new(values), 0, Arc::new(then), None, empties)
        }
        Some(token) => match states.get(token) {
            Some(Entry::Page {
                all,
                offset,
                then,
                size,
                empty,
            }) if then.mailbox_id == mailbox.id => (
                Arc::clone(all),
                *offset,
                Arc::clone(then),
                Some(*size),
                *empty,
            ),
            Some(Entry::Delta(round)) if round.mailbox_id == mailbox.id => {
                let (values, then) = changes(data, round, &mailbox, &zone, &behaviour)?;
                let empties = behaviour.leading_empty_pages;
                (
                    Arc::new(values),
                    0,
                    Arc::new(then),
                    round.page_size,
                    empties,
                )
            }
            _ => return Err(gone(data.change_seq())),
        },
    };
    let size = prefer
        .max_page_size
        .or(carried)
        .unwrap_or(DEFAULT_PAGE)
        .clamp(1, MAX_PAGE);
    let link = format!("{}/v1.0/users/{user}/calendarView/delta", shared.base_url);
    let mut body =
        json!({"@odata.context": format!("{}/v1.0/$metadata#Collection(event)", shared.base_url)});
    // An empty page with a next link first (microsoftgraph/msgraph-sdk-javascript#129).
    let end = if empties > 0 {
        offset
    } else {
        offset.saturating_add(size).min(values.len())
    };
    let page: Vec<Value> = values.get(offset..end).unwrap_or_default().to_vec();
    if empties > 0 || end < values.len() {
        let chain = then.chain;
        let token = states.issue_page(
            chain,
            Entry::Page {
                all: values,
                offset: end,
                then,
                size,
                empty: empties.saturating_sub(1),
            },
        );
        body["@odata.nextLink"] = Value::String(format!("{link}?$skiptoken={token}"));
    } else {
        // The round is complete: its pages are not needed any more (their shared answer is
        // freed with them), so a long-running emulator does not keep every page ever served.
        states.forget_pages_of(&values);
        let round = Arc::try_unwrap(then).unwrap_or_else(|shared| (*shared).clone());
        let token = states.issue_delta(round);
        body["@odata.deltaLink"] = Value::String(format!("{link}?$deltatoken={token}"));
    }
    body["value"] = Value::Array(page);
    let mut response = respond(StatusCode::OK, body, &prefer);
    let applied = match prefer.applied() {
        Some(other) => format!("odata.track-changes, {other}"),
        None => "odata.track-changes".to_owned(),
    };
    if let Ok(value) = HeaderValue::from_str(&applied) {
        response.headers_mut().insert("preference-applied", value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrence_ids_belong_to_their_master_only() {
        assert!(belongs_to("AAA", "AAA"));
        assert!(belongs_to("AAA_O20260101T090000", "AAA"));
        assert!(!belongs_to("AAAB", "AAA"));
        assert!(!belongs_to("BBB", "AAA"));
    }
}

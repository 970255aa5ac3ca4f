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
//! behind the token, never in the link; a round reports singleInstance, occurrence and exception
//! items, never series masters; after a delta link, only items of events written since (the
//! mailbox's change sequence) are reported, and an id the client was told about that is gone
//! (deleted, cancelled, moved out of the window) is reported once as `@removed`.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::calendar_view::{expand, query_param, to_values, window};
use super::error::GraphError;
use super::events::{DEFAULT_PAGE, out_zone, respond};
use super::{Access, Prefer, authorize};
use crate::ids;
use crate::server::Shared;
use crate::store::MailboxData;

const MAX_PAGE: usize = 1000;

/// Where a round stands after a delta link: what the client knows.
#[derive(Debug, Clone)]
struct Round {
    mailbox_id: String,
    window: (DateTime<Utc>, DateTime<Utc>),
    /// Mailbox change sequence the client is up to date with.
    since: u64,
    /// Ids the client has been given and not yet told are removed.
    known: BTreeSet<String>,
    /// `odata.maxpagesize` of the round's first request, used when a later request of the
    /// round does not repeat it.
    page_size: Option<usize>,
}

/// What a state token stands for.
#[derive(Debug, Clone)]
enum Entry {
    /// `$skiptoken`: the round's answer from `offset` on (paged by `size`), then the round.
    /// The answer and the round are shared by all pages, so a page costs no copy of them.
    Page {
        all: Arc<Vec<Value>>,
        offset: usize,
        then: Arc<Round>,
        size: usize,
    },
    /// `$deltatoken`: a finished round.
    Delta(Round),
}

/// The delta state tokens issued so far (kept in the store; cleared by
/// `EmulatorHandle::expire_delta_tokens`).
#[derive(Debug, Default)]
pub struct DeltaStates {
    entries: HashMap<String, Entry>,
}

impl DeltaStates {
    /// Forgets every state token: the next use of any of them answers 410.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Drops the page tokens of the round whose answer is `all`.
    fn forget_pages_of(&mut self, all: &Arc<Vec<Value>>) {
        self.entries.retain(|_, entry| match entry {
            Entry::Page { all: pages, .. } => !Arc::ptr_eq(pages, all),
            Entry::Delta(_) => true,
        });
    }

    fn issue(&mut self, entry: Entry) -> String {
        let token = ids::base64url(ids::guid().replace('-', "").as_bytes());
        self.entries.insert(token.clone(), entry);
        token
    }
}

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

/// Computes what changed since `round.since`: the items to report and the round after them.
fn changes(
    data: &MailboxData,
    round: &Round,
    mailbox: &crate::org::Mailbox,
    zone: &super::convert::OutZone,
) -> Result<(Vec<Value>, Round), GraphError> {
    let mut touched: BTreeSet<&str> = BTreeSet::new();
    let mut items = Vec::new();
    for event in data.events() {
        if event.change_seq > round.since {
            touched.insert(event.id.as_str());
            items.extend(expand(event, round.window, mailbox, zone)?);
        }
    }
    for tomb in data.tombstones() {
        if tomb.change_seq > round.since {
            touched.insert(tomb.id.as_str());
        }
    }
    let present: BTreeSet<String> = items.iter().map(|(_, e)| e.id.clone()).collect();
    let removed: Vec<String> = round
        .known
        .iter()
        .filter(|id| !present.contains(*id) && touched_master(id, &touched))
        .cloned()
        .collect();
    let mut values = to_values(items)?;
    values.extend(
        removed
            .iter()
            .map(|id| json!({"id": id, "@removed": {"reason": "deleted"}})),
    );
    let mut known = round.known.clone();
    for id in &removed {
        known.remove(id);
    }
    known.extend(present);
    let next = Round {
        mailbox_id: round.mailbox_id.clone(),
        window: round.window,
        since: data.change_seq(),
        known,
        page_size: round.page_size,
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
    let token = query_param(&query, "$skiptoken").or_else(|| query_param(&query, "$deltatoken"));
    // The page size asked for now wins; otherwise the one the round (or page) was asked with.
    let (values, offset, then, carried) = match token {
        None => {
            let round = Round {
                mailbox_id: mailbox.id.clone(),
                window: window(&query)?,
                since: 0,
                known: BTreeSet::new(),
                page_size: prefer.max_page_size,
            };
            let (values, then) = changes(data, &round, &mailbox, &zone)?;
            (Arc::new(values), 0, Arc::new(then), None)
        }
        Some(token) => match state.graph.delta.entries.get(token) {
            Some(Entry::Page {
                all,
                offset,
                then,
                size,
            }) if then.mailbox_id == mailbox.id => {
                (Arc::clone(all), *offset, Arc::clone(then), Some(*size))
            }
            Some(Entry::Delta(round)) if round.mailbox_id == mailbox.id => {
                let (values, then) = changes(data, round, &mailbox, &zone)?;
                (Arc::new(values), 0, Arc::new(then), round.page_size)
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
    let end = offset.saturating_add(size).min(values.len());
    let page: Vec<Value> = values.get(offset..end).unwrap_or_default().to_vec();
    if end < values.len() {
        let token = state.graph.delta.issue(Entry::Page {
            all: values,
            offset: end,
            then,
            size,
        });
        body["@odata.nextLink"] = Value::String(format!("{link}?$skiptoken={token}"));
    } else {
        // The round is complete: its pages are not needed any more (their shared answer is
        // freed with them), so a long-running emulator does not keep every page ever served.
        state.graph.delta.forget_pages_of(&values);
        let round = Arc::try_unwrap(then).unwrap_or_else(|shared| (*shared).clone());
        let token = state.graph.delta.issue(Entry::Delta(round));
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

    #[test]
    fn cleared_tokens_are_gone() {
        let mut states = DeltaStates::default();
        let round = Round {
            mailbox_id: "m".to_owned(),
            window: (Utc::now(), Utc::now()),
            since: 0,
            known: BTreeSet::new(),
            page_size: None,
        };
        let token = states.issue(Entry::Delta(round));
        assert!(states.entries.contains_key(&token));
        states.clear();
        assert!(states.entries.is_empty());
    }
}

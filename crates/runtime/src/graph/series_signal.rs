//! The cheap signal that a series changed: the change keys of a mailbox's series masters, read
//! in one request (`GET /users/{m}/events?$filter=type eq 'seriesMaster'&$select=id,changeKey`).
//!
//! Why: Graph's `calendarView/delta` reports nothing when one occurrence is cancelled, so only
//! re-reading the series' instances shows it. But cancelling or changing an occurrence is a
//! write to the series master (Exchange keeps deleted and modified instances in the master's
//! recurrence blob; EWS documents one change key for a master and all its occurrences, which
//! changes when any of them changes), so the master's change key moves. Every pass stores the
//! keys it read in the cursor ([`SeriesKeys`]); a probe compares a fresh listing with them and
//! an incremental pass re-reads exactly the linked series whose key moved.
//!
//! Invariants: the keys are read *before* the series they cover are read in a pass, so a
//! change after the reading leaves a key that differs from the stored one, and the next probe
//! sees it. A listing Graph refuses (400: a tenant that does not take the filter) is "no
//! signal": the probe stays quiet about series and full passes heal, as before.

use std::collections::{BTreeMap, BTreeSet};

use exsync_graph::client::{GraphClient, GraphError, GraphRequest, GraphResponse};
use exsync_graph::delta::{escape_query, user_path};
use exsync_model::{Appointment, ExchangeId};
use reqwest::StatusCode;
use serde_json::Value;

use super::side_error;
use crate::exchange::{LinkedItems, SideError};

/// Change keys of series masters by id, as the last pass read them.
pub type SeriesKeys = BTreeMap<String, String>;

/// Masters asked per page (Graph's largest page for event lists).
const PAGE: u32 = 1000;

const OPERATION: &str = "read the change keys of series masters";

/// The listing of `mailbox`'s series masters with their change keys.
pub(crate) fn masters_request(mailbox: &str) -> GraphRequest {
    let url = format!(
        "{}/events?$filter={}&$select=id,changeKey",
        user_path(mailbox),
        escape_query("type eq 'seriesMaster'"),
    );
    GraphRequest::get(url, OPERATION).prefer(format!("odata.maxpagesize={PAGE}"))
}

/// Every series master's change key in `mailbox`, following the pages; `Ok(None)` when Graph
/// refuses the listing (no signal).
pub(crate) async fn read_keys(
    client: &GraphClient,
    mailbox: &str,
) -> Result<Option<SeriesKeys>, GraphError> {
    let mut keys = SeriesKeys::new();
    let mut request = masters_request(mailbox);
    loop {
        let page = match client.send(mailbox, &request).await {
            Ok(response) => response.body,
            Err(error) if refused(&error) => return Ok(None),
            Err(error) => return Err(error),
        };
        add_page(&mut keys, &page);
        let Some(next) = page["@odata.nextLink"].as_str() else {
            return Ok(Some(keys));
        };
        request = GraphRequest::get(next.to_owned(), OPERATION)
            .prefer(format!("odata.maxpagesize={PAGE}"));
    }
}

/// [`read_keys`] for a pass: a mailbox-wide failure ends the pass; any other failure is "no
/// signal" (logged), which leaves the series to the full passes as before.
pub(crate) async fn read_for_pass(
    client: &GraphClient,
    mailbox: &str,
) -> Result<Option<SeriesKeys>, SideError> {
    match read_keys(client, mailbox).await {
        Ok(keys) => Ok(keys),
        Err(error) if error.is_mailbox_wide() => Err(side_error(&error)),
        Err(error) => {
            tracing::warn!(mailbox, %error, "reading the series masters' change keys failed");
            Ok(None)
        }
    }
}

/// The linked series whose master's key moved or vanished between `known` (stored by the last
/// pass) and `listed` (read now); nothing when either is unknown.
pub(crate) fn moved_linked(
    known: Option<&SeriesKeys>,
    listed: Option<&SeriesKeys>,
    linked: &LinkedItems<'_, Appointment>,
) -> Vec<String> {
    let (Some(known), Some(listed)) = (known, listed) else {
        return Vec::new();
    };
    changed(known, listed)
        .into_iter()
        .filter(|id| {
            linked
                .get(&ExchangeId::from(id.as_str()))
                .is_some_and(|item| item.base.series.is_some())
        })
        .collect()
}

/// The masters (ids) among `known` and `listed` whose key differs, appeared or vanished.
pub(crate) fn changed(known: &SeriesKeys, listed: &SeriesKeys) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = listed
        .iter()
        .filter(|(id, key)| known.get(*id) != Some(*key))
        .map(|(id, _)| id.clone())
        .collect();
    ids.extend(known.keys().filter(|id| !listed.contains_key(*id)).cloned());
    ids
}

/// Whether a probe's answer (the first page of [`masters_request`]) says no series changed
/// since `known` was read. Errors a probe must report are `Err`.
pub(crate) fn is_quiet(
    answer: Result<GraphResponse, GraphError>,
    known: &SeriesKeys,
) -> Result<bool, GraphError> {
    let page = match answer {
        Ok(response) => response.body,
        Err(error) if refused(&error) => return Ok(true),
        Err(error) => return Err(error),
    };
    let mut listed = SeriesKeys::new();
    add_page(&mut listed, &page);
    if page["@odata.nextLink"].is_string() {
        // Only the first page was read: compare what it lists.
        return Ok(listed.iter().all(|(id, key)| known.get(id) == Some(key)));
    }
    Ok(changed(known, &listed).is_empty())
}

fn add_page(keys: &mut SeriesKeys, page: &Value) {
    for entry in page["value"].as_array().into_iter().flatten() {
        if let (Some(id), Some(key)) = (entry["id"].as_str(), entry["changeKey"].as_str()) {
            keys.insert(id.to_owned(), key.to_owned());
        }
    }
}

/// A 400: the tenant does not take the filter.
fn refused(error: &GraphError) -> bool {
    error.status() == Some(StatusCode::BAD_REQUEST)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(pairs: &[(&str, &str)]) -> SeriesKeys {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn a_moved_new_or_vanished_key_is_a_change() {
        let known = keys(&[("A", "1"), ("B", "1"), ("C", "1")]);
        let listed = keys(&[("A", "1"), ("B", "2"), ("D", "1")]);
        let changed: Vec<String> = changed(&known, &listed).into_iter().collect();
        assert_eq!(changed, ["B", "C", "D"]);
        assert!(super::changed(&known, &known).is_empty());
    }

    #[test]
    fn a_probe_is_quiet_only_when_every_key_is_as_known() {
        let known = keys(&[("A", "1")]);
        let page = |value: Value| {
            Ok(GraphResponse {
                status: StatusCode::OK,
                body: value,
            })
        };
        let same = serde_json::json!({"value": [{"id": "A", "changeKey": "1"}]});
        let moved = serde_json::json!({"value": [{"id": "A", "changeKey": "2"}]});
        let gone = serde_json::json!({"value": []});
        assert!(is_quiet(page(same), &known).expect("answered"));
        assert!(!is_quiet(page(moved), &known).expect("answered"));
        assert!(!is_quiet(page(gone), &known).expect("answered"));
    }
}

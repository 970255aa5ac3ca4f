//! Writing appointments to Graph: creates (POST with `transactionId` and the business-id
//! property), field-wise PATCHes with `If-Match`, deletes — all through `$batch` — and, for a
//! series with moved, changed or cancelled occurrences, a second step that reads the series'
//! instances and PATCHes or DELETEs the ones that differ.
//!
//! Invariants: attendees are never written (no invitation is ever sent); a DELETE of an item
//! already gone counts as done; a write whose second step failed reports the failure, so its
//! base is not committed and the next pass finishes it.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDateTime};
use exsync_graph::client::{GraphError, GraphRequest, GraphResponse};
use exsync_graph::delta::{escape_path, escape_query, user_path};
use exsync_graph::wire::event::{GraphEvent, event_patch, new_event};
use exsync_graph::wire::series::{OccurrenceWrite, occurrence_writes};
use exsync_model::{Appointment, ExchangeId, When};
use reqwest::Method;

use super::unsent::only_sent;
use super::{GraphConnector, etag_of, side_error, stamp_body};
use crate::exchange::{ExchangeWrite, SideError, Written};

impl GraphConnector {
    /// Applies `writes` a slice at a time, so that requests and answers of a large pass are
    /// never all in memory at once.
    pub(crate) async fn apply_events(
        &self,
        mailbox: &str,
        writes: &[ExchangeWrite<'_, Appointment>],
    ) -> Vec<Result<Written, SideError>> {
        let mut results = Vec::with_capacity(writes.len());
        for slice in writes.chunks(super::WRITES_PER_SLICE) {
            results.extend(self.apply_event_slice(mailbox, slice).await);
        }
        results
    }

    async fn apply_event_slice(
        &self,
        mailbox: &str,
        writes: &[ExchangeWrite<'_, Appointment>],
    ) -> Vec<Result<Written, SideError>> {
        let mut results: Vec<Option<Result<Written, SideError>>> = vec![None; writes.len()];
        let mut requests = Vec::new();
        let mut request_of = Vec::new();
        for (index, write) in writes.iter().enumerate() {
            match self.first_request(mailbox, write) {
                Ok(request) => {
                    requests.push(request);
                    request_of.push(index);
                }
                Err(error) => results[index] = Some(Err(error)),
            }
        }
        let answers = self.client.batch(mailbox, &requests).await;
        let mut second_step = Vec::new();
        for (index, answer) in request_of.into_iter().zip(answers) {
            let write = &writes[index];
            let outcome = match (write, answer) {
                (ExchangeWrite::Delete { .. }, Err(error)) if error.is_not_found() => {
                    Ok(Written::default())
                }
                (_, Err(error)) => Err(item_error(write, &error)),
                (_, Ok(response)) => Ok(written(write, &response)),
            };
            let mut outcome = outcome;
            if let (Ok(done), Some((desired, whole))) = (&mut outcome, series_to_finish(write)) {
                let id = done.id.clone().or_else(|| existing_id(write).cloned());
                if let Some(id) = id {
                    second_step.push((index, id, desired, whole));
                }
                // Writing the occurrences changes the master's change key again: the one the
                // master write returned is stale, and the next read brings the current one.
                done.change_key = None;
            }
            results[index] = Some(outcome);
        }
        for (index, error) in self.finish_occurrences(mailbox, &second_step).await {
            results[index] = Some(Err(error));
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(SideError::item("the write was not carried out"))))
            .collect()
    }

    fn first_request(
        &self,
        mailbox: &str,
        write: &ExchangeWrite<'_, Appointment>,
    ) -> Result<GraphRequest, SideError> {
        let user = user_path(mailbox);
        match write {
            ExchangeWrite::Create {
                business_id,
                item,
                fields,
                transaction_id,
            } => {
                let body = new_event(
                    &only_sent(*item, fields),
                    business_id.as_str(),
                    transaction_id,
                    &self.all_day_zone,
                )
                .map_err(|e| {
                    SideError::item(format!(
                        "{e}; fix the appointment in the business application"
                    ))
                })?;
                Ok(
                    GraphRequest::new(Method::POST, format!("{user}/events"), "create an event")
                        .json(body),
                )
            }
            ExchangeWrite::Update {
                id,
                change_key,
                write,
                ..
            } => {
                let body =
                    event_patch(&write.item, &write.fields, &self.all_day_zone).map_err(|e| {
                        SideError::item(format!(
                            "{e}; fix the appointment in the business application"
                        ))
                    })?;
                Ok(GraphRequest::new(
                    Method::PATCH,
                    format!("{user}/events/{}", escape_path(id.as_str())),
                    "update an event",
                )
                .json(body)
                .if_match(etag_of(*change_key)))
            }
            ExchangeWrite::Delete { id } => Ok(GraphRequest::new(
                Method::DELETE,
                format!("{user}/events/{}", escape_path(id.as_str())),
                "delete an event",
            )),
            ExchangeWrite::Stamp { id, business_id } => Ok(GraphRequest::new(
                Method::PATCH,
                format!("{user}/events/{}", escape_path(id.as_str())),
                "stamp an event with its business id",
            )
            .json(stamp_body(business_id.as_str()))),
        }
    }

    /// For each series just written (`(write index, series id, desired)`): reads its instances
    /// around the occurrences `desired` overrides or cancels — all series' reads in `$batch`es
    /// — and PATCHes or DELETEs those that differ, again all in `$batch`es. Returns the
    /// failures by write index.
    async fn finish_occurrences(
        &self,
        mailbox: &str,
        series: &[(usize, ExchangeId, &Appointment, bool)],
    ) -> Vec<(usize, SideError)> {
        let mut failures = Vec::new();
        if series.is_empty() {
            return failures;
        }
        let reads: Vec<GraphRequest> = series
            .iter()
            .map(|(_, id, desired, whole)| instances_request(mailbox, id, desired, *whole))
            .collect();
        let answers = self.client.batch(mailbox, &reads).await;
        let mut writes = Vec::new();
        let mut owner = Vec::new();
        for ((index, _, desired, _), answer) in series.iter().zip(answers) {
            let instances = match answer {
                Ok(first) => self.all_pages(mailbox, first.body).await,
                Err(error) => Err(side_error(&error)),
            };
            let planned = instances.and_then(|instances| {
                occurrence_writes(desired, &instances, &self.all_day_zone).map_err(|e| {
                    SideError::item(format!("{e}; fix the series in the business application"))
                })
            });
            match planned {
                Ok(planned) => {
                    for write in planned {
                        writes.push(occurrence_request(mailbox, &write));
                        owner.push(*index);
                    }
                }
                Err(error) => failures.push((*index, error)),
            }
        }
        for (index, answer) in owner
            .into_iter()
            .zip(self.client.batch(mailbox, &writes).await)
        {
            match answer {
                Ok(_) => {}
                Err(error) if error.is_not_found() => {}
                Err(error) => {
                    if !failures.iter().any(|(i, _)| *i == index) {
                        failures.push((index, side_error(&error)));
                    }
                }
            }
        }
        failures
    }

    /// The instances on `first` and every page after it.
    async fn all_pages(
        &self,
        mailbox: &str,
        first: serde_json::Value,
    ) -> Result<Vec<GraphEvent>, SideError> {
        let mut instances = Vec::new();
        let mut page = first;
        loop {
            for value in page["value"].as_array().into_iter().flatten() {
                instances
                    .push(GraphEvent::parse(value).map_err(|e| SideError::item(e.to_string()))?);
            }
            let Some(next) = page["@odata.nextLink"].as_str().map(str::to_owned) else {
                return Ok(instances);
            };
            let request = GraphRequest::get(next, "read a series' occurrences")
                .prefer("odata.maxpagesize=500");
            page = self
                .client
                .send(mailbox, &request)
                .await
                .map_err(|e| side_error(&e))?
                .body;
        }
    }
}

/// GET the instances of series `id` around the occurrences `desired` overrides or cancels.
/// How far ahead of a series' start an update checks its instances.
const WHOLE_SERIES_DAYS: i64 = 2 * 366;

/// GET the instances of series `id`: around the occurrences `desired` overrides or cancels,
/// or (`whole`) from the series' start over the next two years.
fn instances_request(
    mailbox: &str,
    id: &ExchangeId,
    desired: &Appointment,
    whole: bool,
) -> GraphRequest {
    let mut keys: BTreeSet<NaiveDateTime> = desired
        .series
        .iter()
        .flat_map(|s| s.modified.keys().chain(s.cancelled.iter()))
        .copied()
        .collect();
    if whole {
        let first = match &desired.when {
            When::Timed { start, .. } => start.local,
            When::AllDay { start, .. } => start.and_time(chrono::NaiveTime::MIN),
        };
        keys.insert(first);
        keys.insert(first + Duration::days(WHOLE_SERIES_DAYS));
    }
    let first = keys.first().copied().unwrap_or_default();
    let last = keys.last().copied().unwrap_or_default();
    // Keys are wall-clock times; a day of margin either side covers every zone offset.
    let start = (first - Duration::days(1)).and_utc();
    let end = (last + Duration::days(2)).and_utc();
    let url = format!(
        "{}/events/{}/instances?startDateTime={}&endDateTime={}",
        user_path(mailbox),
        escape_path(id.as_str()),
        escape_query(&start.to_rfc3339()),
        escape_query(&end.to_rfc3339()),
    );
    GraphRequest::get(url, "read a series' occurrences").prefer("odata.maxpagesize=500")
}

/// The PATCH or DELETE of one occurrence.
fn occurrence_request(mailbox: &str, write: &OccurrenceWrite) -> GraphRequest {
    let user = user_path(mailbox);
    match write {
        OccurrenceWrite::Patch {
            instance_id, body, ..
        } => GraphRequest::new(
            Method::PATCH,
            format!("{user}/events/{}", escape_path(instance_id)),
            "change an occurrence",
        )
        .json(body.clone()),
        OccurrenceWrite::Delete { instance_id, .. } => GraphRequest::new(
            Method::DELETE,
            format!("{user}/events/{}", escape_path(instance_id)),
            "cancel an occurrence",
        ),
    }
}

/// The series whose occurrences must be written after `write` succeeded.
/// The series whose occurrences must be written after `write` succeeded, and whether all its
/// instances must be checked: after a series update an exception the business application
/// removed must be reset too, wherever it is; a new series only has the overrides it names.
fn series_to_finish<'a>(
    write: &'a ExchangeWrite<'_, Appointment>,
) -> Option<(&'a Appointment, bool)> {
    match write {
        ExchangeWrite::Create { item, .. } => {
            let series = item.series.as_ref()?;
            (!series.modified.is_empty() || !series.cancelled.is_empty()).then_some((*item, false))
        }
        ExchangeWrite::Update { write, .. } if write.fields.contains(&"series") => {
            write.item.series.as_ref().map(|_| (&write.item, true))
        }
        _ => None,
    }
}

fn existing_id<'a>(write: &'a ExchangeWrite<'_, Appointment>) -> Option<&'a ExchangeId> {
    match write {
        ExchangeWrite::Update { id, .. }
        | ExchangeWrite::Delete { id }
        | ExchangeWrite::Stamp { id, .. } => Some(id),
        ExchangeWrite::Create { .. } => None,
    }
}

fn written(write: &ExchangeWrite<'_, Appointment>, response: &GraphResponse) -> Written {
    let change_key = response.body["changeKey"].as_str().map(str::to_owned);
    match write {
        ExchangeWrite::Create { .. } => Written {
            id: response.body["id"].as_str().map(ExchangeId::from),
            change_key,
        },
        _ => Written {
            id: None,
            change_key,
        },
    }
}

/// An item's write error, with what to do about the common ones.
fn item_error(write: &ExchangeWrite<'_, Appointment>, error: &GraphError) -> SideError {
    let mut side = side_error(error);
    if error.status() == Some(reqwest::StatusCode::PRECONDITION_FAILED) {
        side.message = format!(
            "{}; the item was changed in Outlook meanwhile — the next pass merges both edits",
            side.message
        );
    } else if error.is_not_found() && matches!(write, ExchangeWrite::Update { .. }) {
        side.message = format!(
            "{}; the item was deleted in Outlook meanwhile",
            side.message
        );
    }
    side
}

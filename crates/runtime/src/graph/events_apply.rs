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
use exsync_model::{Appointment, ExchangeId};
use reqwest::Method;

use super::{GraphConnector, etag_of, side_error};
use crate::exchange::{ExchangeWrite, SideError, Written};

impl GraphConnector {
    pub(crate) async fn apply_events(
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
            if let (Ok(done), Some(desired)) = (&outcome, series_to_finish(write)) {
                let id = done.id.clone().or_else(|| existing_id(write).cloned());
                if let Some(id) = id {
                    second_step.push((index, id, desired));
                }
            }
            results[index] = Some(outcome);
        }
        for (index, id, desired) in second_step {
            if let Err(error) = self.finish_occurrences(mailbox, &id, desired).await {
                results[index] = Some(Err(error));
            }
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
                transaction_id,
            } => {
                let body = new_event(
                    item,
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
        }
    }

    /// Reads the instances of series `id` around the occurrences `desired` overrides or
    /// cancels, and PATCHes or DELETEs those that differ.
    async fn finish_occurrences(
        &self,
        mailbox: &str,
        id: &ExchangeId,
        desired: &Appointment,
    ) -> Result<(), SideError> {
        let Some(series) = &desired.series else {
            return Ok(());
        };
        let keys: BTreeSet<NaiveDateTime> = series
            .modified
            .keys()
            .chain(series.cancelled.iter())
            .copied()
            .collect();
        let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
            return Ok(());
        };
        // Keys are wall-clock times; a day of margin either side covers every zone offset.
        let start = (*first - Duration::days(1)).and_utc();
        let end = (*last + Duration::days(2)).and_utc();
        let url = format!(
            "{}/events/{}/instances?startDateTime={}&endDateTime={}",
            user_path(mailbox),
            escape_path(id.as_str()),
            escape_query(&start.to_rfc3339()),
            escape_query(&end.to_rfc3339()),
        );
        let mut instances = Vec::new();
        let mut next = Some(url);
        while let Some(url) = next.take() {
            let request = GraphRequest::get(url, "read a series' occurrences")
                .prefer("odata.maxpagesize=500");
            let page = self
                .client
                .send(mailbox, &request)
                .await
                .map_err(|e| side_error(&e))?
                .body;
            for value in page["value"].as_array().into_iter().flatten() {
                instances
                    .push(GraphEvent::parse(value).map_err(|e| SideError::item(e.to_string()))?);
            }
            next = page["@odata.nextLink"].as_str().map(str::to_owned);
        }
        let writes = occurrence_writes(desired, &instances, &self.all_day_zone).map_err(|e| {
            SideError::item(format!("{e}; fix the series in the business application"))
        })?;
        let user = user_path(mailbox);
        let requests: Vec<GraphRequest> = writes
            .iter()
            .map(|write| match write {
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
            })
            .collect();
        for answer in self.client.batch(mailbox, &requests).await {
            match answer {
                Ok(_) => {}
                Err(error) if error.is_not_found() => {}
                Err(error) => return Err(side_error(&error)),
            }
        }
        Ok(())
    }
}

/// The series whose occurrences must be written after `write` succeeded.
fn series_to_finish<'a>(write: &'a ExchangeWrite<'_, Appointment>) -> Option<&'a Appointment> {
    let item = match write {
        ExchangeWrite::Create { item, .. } => *item,
        ExchangeWrite::Update { write, .. } if write.fields.contains(&"series") => &write.item,
        _ => return None,
    };
    let series = item.series.as_ref()?;
    (!series.modified.is_empty() || !series.cancelled.is_empty()).then_some(item)
}

fn existing_id<'a>(write: &'a ExchangeWrite<'_, Appointment>) -> Option<&'a ExchangeId> {
    match write {
        ExchangeWrite::Update { id, .. } | ExchangeWrite::Delete { id } => Some(id),
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

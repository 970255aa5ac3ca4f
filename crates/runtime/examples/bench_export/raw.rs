//! The raw `$batch` writers the export is compared with: the same creates, instance reads and
//! occurrence writes as exsync, 20 per `$batch`, sent through exsync's client's lanes
//! ([`Sender::Lanes`]) or as plain batches with a fixed number in flight per mailbox
//! ([`Sender::Plain`]: one, as a careful writer does, or four, which Graph answers with inner
//! 429s that are sent again after their `Retry-After`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use exsync_graph::client::{GraphClient, GraphRequest};
use exsync_graph::delta::{escape_path, escape_query, user_path};
use exsync_graph::wire::event::{GraphEvent, new_event};
use exsync_graph::wire::series::{OccurrenceWrite, occurrence_writes};
use exsync_model::{Appointment, TimeZoneName, When};
use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::{Value, json};

/// How a raw writer sends its requests.
#[derive(Clone, Copy)]
pub enum Sender<'a> {
    /// `GraphClient::batch` (four lanes of chains per mailbox).
    Lanes,
    /// Plain batches of 20, `in_flight` of them at once per mailbox; inner 429s counted in
    /// `throttled` and sent again after the longest `Retry-After` of the batch.
    Plain {
        in_flight: usize,
        throttled: &'a AtomicU64,
    },
}

impl Sender<'_> {
    /// The answer bodies, in the order of `requests`.
    async fn send(
        self,
        client: &GraphClient,
        mailbox: &str,
        requests: &[GraphRequest],
    ) -> Vec<Result<Value, String>> {
        match self {
            Sender::Lanes => client
                .batch(mailbox, requests)
                .await
                .into_iter()
                .map(|a| a.map(|r| r.body).map_err(|e| e.to_string()))
                .collect(),
            Sender::Plain {
                in_flight,
                throttled,
            } => {
                let mut chunks: Vec<(usize, Vec<Result<Value, String>>)> =
                    stream::iter(requests.chunks(20).enumerate())
                        .map(|(n, chunk)| async move {
                            (n, plain_batch(client, mailbox, chunk, throttled).await)
                        })
                        .buffer_unordered(in_flight.max(1))
                        .collect()
                        .await;
                chunks.sort_by_key(|(n, _)| *n);
                chunks
                    .into_iter()
                    .flat_map(|(_, answers)| answers)
                    .collect()
            }
        }
    }
}

/// One plain `$batch` (no `dependsOn`), its throttled requests sent again until answered.
async fn plain_batch(
    client: &GraphClient,
    mailbox: &str,
    chunk: &[GraphRequest],
    throttled: &AtomicU64,
) -> Vec<Result<Value, String>> {
    let mut results: Vec<Option<Result<Value, String>>> = chunk.iter().map(|_| None).collect();
    let mut pending: Vec<usize> = (0..chunk.len()).collect();
    while !pending.is_empty() {
        let inner: Vec<Value> = pending
            .iter()
            .map(|&i| {
                let r = &chunk[i];
                let mut headers = json!({"Prefer": "IdType=\"ImmutableId\", outlook.timezone=\"UTC\", outlook.body-content-type=\"text\""});
                let mut request = json!({"id": i.to_string(), "method": r.method.as_str(), "url": r.url});
                if let Some(body) = &r.body {
                    headers["Content-Type"] = json!("application/json");
                    request["body"] = body.clone();
                }
                request["headers"] = headers;
                request
            })
            .collect();
        let batch =
            GraphRequest::new(Method::POST, "/$batch", "$batch").json(json!({"requests": inner}));
        let answer = match client.send(mailbox, &batch).await {
            Ok(answer) => answer,
            Err(error) => {
                for &i in &pending {
                    results[i] = Some(Err(error.to_string()));
                }
                break;
            }
        };
        let mut again = Vec::new();
        let mut wait = Duration::ZERO;
        for response in answer.body["responses"].as_array().into_iter().flatten() {
            let i: usize = response["id"]
                .as_str()
                .and_then(|id| id.parse().ok())
                .expect("id");
            let status = response["status"].as_u64().unwrap_or(0);
            if status == 429 {
                throttled.fetch_add(1, Ordering::Relaxed);
                let seconds = response["headers"]["retry-after"]
                    .as_str()
                    .and_then(|s| s.parse::<f64>().ok())
                    .unwrap_or(1.0);
                wait = wait.max(Duration::from_secs_f64(seconds));
                again.push(i);
            } else if (200..300).contains(&status) {
                results[i] = Some(Ok(response["body"].clone()));
            } else {
                results[i] = Some(Err(format!("{status}: {}", response["body"])));
            }
        }
        again.sort_unstable();
        pending = again;
        if !pending.is_empty() {
            tokio::time::sleep(wait).await;
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("no answer".to_owned())))
        .collect()
}

/// POSTs every appointment of a mailbox in `$batch`es of 20, then reads the instances of the
/// series with exceptions and writes the moved and cancelled occurrences, also batched.
pub async fn raw_writer(
    client: &GraphClient,
    sender: Sender<'_>,
    login: &str,
    mailbox: &str,
    items: usize,
    recurring: f64,
    zone: &TimeZoneName,
) -> usize {
    let user = user_path(mailbox);
    let appointments: Vec<Appointment> = (0..items)
        .map(|n| super::appointment(n, recurring))
        .collect();
    let creates: Vec<GraphRequest> = appointments
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let body = new_event(
                item,
                &format!("{login}-{n}"),
                &uuid::Uuid::new_v4().to_string(),
                zone,
            )
            .expect("body");
            GraphRequest::new(Method::POST, format!("{user}/events"), "create").json(body)
        })
        .collect();
    let answers = sender.send(client, mailbox, &creates).await;
    let mut series = Vec::new();
    for (item, answer) in appointments.iter().zip(answers) {
        let body = answer.expect("created");
        if item.series.is_some() {
            series.push((body["id"].as_str().expect("id").to_owned(), item));
        }
    }
    let reads: Vec<GraphRequest> = series
        .iter()
        .map(|(id, item)| {
            let first = match &item.when {
                When::Timed { start, .. } => start.local,
                When::AllDay { .. } => unreachable!(),
            };
            let start = (first - chrono::Duration::days(1)).and_utc();
            let end = (first + chrono::Duration::weeks(11)).and_utc();
            GraphRequest::get(
                format!(
                    "{user}/events/{}/instances?startDateTime={}&endDateTime={}",
                    escape_path(id),
                    escape_query(&start.to_rfc3339()),
                    escape_query(&end.to_rfc3339())
                ),
                "instances",
            )
        })
        .collect();
    let mut writes = Vec::new();
    for ((_, item), answer) in series
        .iter()
        .zip(sender.send(client, mailbox, &reads).await)
    {
        let body = answer.expect("instances");
        let instances: Vec<GraphEvent> = body["value"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| GraphEvent::parse(v).expect("instance"))
            .collect();
        for write in occurrence_writes(item, &instances, zone).expect("writes") {
            writes.push(match write {
                OccurrenceWrite::Patch {
                    instance_id, body, ..
                } => GraphRequest::new(
                    Method::PATCH,
                    format!("{user}/events/{}", escape_path(&instance_id)),
                    "patch",
                )
                .json(body),
                OccurrenceWrite::Delete { instance_id, .. } => GraphRequest::new(
                    Method::DELETE,
                    format!("{user}/events/{}", escape_path(&instance_id)),
                    "delete",
                ),
            });
        }
    }
    for answer in sender.send(client, mailbox, &writes).await {
        answer.expect("occurrence written");
    }
    appointments.len()
}

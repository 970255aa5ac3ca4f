//! `$batch`: up to 20 Graph requests in one HTTP request.
//!
//! Inner requests answered 429/503 are sent again (in a later batch) after the longest
//! `Retry-After` among them; other inner answers are final. Results come back in the order
//! of the requests.
//!
//! Invariant: every request gets exactly one result; no batch holds more than
//! [`MAX_BATCH`] requests.

use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::retry::retry_after_json;
use super::{GraphClient, GraphError, GraphRequest, GraphResponse};

/// Graph's limit of requests per `$batch`.
pub const MAX_BATCH: usize = 20;

/// The concurrency-slot key of batches that span mailboxes.
const ACROSS_MAILBOXES: &str = "(several mailboxes)";

/// Whether a batch waits for budgets and retries throttled requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Patience {
    /// Pace under every mailbox's budget and retry throttled inner requests (writes, reads
    /// of one mailbox).
    Wait,
    /// Already paced by the caller; a throttled inner request is final (probes).
    None,
}

impl GraphClient {
    /// Sends `requests` for `mailbox` in `$batch`es of up to 20; one result per request, in
    /// order. Inner throttling is retried; everything else is the inner answer.
    pub async fn batch(
        &self,
        mailbox: &str,
        requests: &[GraphRequest],
    ) -> Vec<Result<GraphResponse, GraphError>> {
        let items: Vec<(&str, &GraphRequest)> = requests.iter().map(|r| (mailbox, r)).collect();
        self.batch_items(mailbox, &items, Patience::Wait).await
    }

    /// Sends requests for several mailboxes in `$batch`es of up to 20: cheap small reads
    /// such as probes of many mailboxes' delta links. One result per request, in order.
    /// Nothing waits for one mailbox: a request whose mailbox is out of budget, or that Graph
    /// throttles, is answered [`GraphError::Throttled`] at once and the others go on.
    pub async fn batch_across(
        &self,
        requests: &[(&str, GraphRequest)],
    ) -> Vec<Result<GraphResponse, GraphError>> {
        let mut results: Vec<Option<Result<GraphResponse, GraphError>>> =
            requests.iter().map(|_| None).collect();
        let mut sent = Vec::new();
        let mut items: Vec<(&str, &GraphRequest)> = Vec::new();
        for (index, (mailbox, request)) in requests.iter().enumerate() {
            if self.try_pace(mailbox, 1) {
                sent.push(index);
                items.push((mailbox, request));
            } else {
                results[index] = Some(Err(GraphError::Throttled {
                    mailbox: (*mailbox).to_owned(),
                    operation: request.operation.to_owned(),
                    attempts: 0,
                }));
            }
        }
        let answers = self
            .batch_items(ACROSS_MAILBOXES, &items, Patience::None)
            .await;
        for (index, answer) in sent.into_iter().zip(answers) {
            results[index] = Some(answer);
        }
        results.into_iter().flatten().collect()
    }

    /// The `$batch`es of `requests` (mailbox, request), sent in `slot`'s concurrency slots.
    async fn batch_items(
        &self,
        slot: &str,
        requests: &[(&str, &GraphRequest)],
        patience: Patience,
    ) -> Vec<Result<GraphResponse, GraphError>> {
        let mut results: Vec<Option<Result<GraphResponse, GraphError>>> =
            requests.iter().map(|_| None).collect();
        for (chunk_index, chunk) in requests.chunks(MAX_BATCH).enumerate() {
            let offset = chunk_index * MAX_BATCH;
            let mut pending: Vec<usize> = (0..chunk.len()).collect();
            let mut attempt = 0;
            while !pending.is_empty() {
                attempt += 1;
                let answers = self.send_batch(slot, chunk, &pending, patience).await;
                let answers = match answers {
                    Ok(answers) => answers,
                    Err(error) => {
                        for &i in &pending {
                            results[offset + i] = Some(Err(error.clone()));
                        }
                        break;
                    }
                };
                let mut throttled = Vec::new();
                let mut wait = Duration::ZERO;
                for (i, status, headers, body) in answers {
                    let (mailbox, request) = chunk[i];
                    if (status == StatusCode::TOO_MANY_REQUESTS
                        || status == StatusCode::SERVICE_UNAVAILABLE)
                        && patience == Patience::Wait
                        && attempt < self.retry.max_attempts
                    {
                        self.throttled.fetch_add(1, Ordering::Relaxed);
                        wait = wait.max(
                            retry_after_json(&headers)
                                .unwrap_or_else(|| self.retry.backoff(attempt)),
                        );
                        throttled.push(i);
                        continue;
                    }
                    results[offset + i] = Some(if status.is_success() {
                        Ok(GraphResponse { status, body })
                    } else if status == StatusCode::TOO_MANY_REQUESTS {
                        Err(GraphError::Throttled {
                            mailbox: mailbox.to_owned(),
                            operation: request.operation.to_owned(),
                            attempts: attempt,
                        })
                    } else {
                        Err(self.refusal(mailbox, request, status, &body))
                    });
                }
                pending = throttled;
                if !pending.is_empty() {
                    tokio::time::sleep(wait.min(self.retry.max_delay)).await;
                }
            }
        }
        results
            .into_iter()
            .zip(requests)
            .map(|(r, (mailbox, _))| {
                r.unwrap_or_else(|| {
                    Err(GraphError::Protocol {
                        mailbox: (*mailbox).to_owned(),
                        operation: "$batch".to_owned(),
                        reason: "no answer for a request".to_owned(),
                    })
                })
            })
            .collect()
    }

    /// One `$batch` of `chunk[i]` for `i` in `pending`, in `slot`'s concurrency slots:
    /// `(i, status, headers, body)` per answer.
    async fn send_batch(
        &self,
        slot: &str,
        chunk: &[(&str, &GraphRequest)],
        pending: &[usize],
        patience: Patience,
    ) -> Result<Vec<(usize, StatusCode, Value, Value)>, GraphError> {
        let inner: Vec<Value> = pending
            .iter()
            .map(|&i| inner_request(i, chunk[i].1, self.base_url()))
            .collect();
        self.batched_requests
            .fetch_add(inner.len() as u64, Ordering::Relaxed);
        let mut per_mailbox: Vec<(&str, u32)> = Vec::new();
        for &i in pending {
            match per_mailbox.iter_mut().find(|(m, _)| *m == chunk[i].0) {
                Some((_, count)) => *count += 1,
                None => per_mailbox.push((chunk[i].0, 1)),
            }
        }
        if patience == Patience::Wait {
            for (mailbox, count) in per_mailbox {
                self.pace(mailbox, count).await;
            }
        }
        let mailbox = slot;
        let request =
            GraphRequest::new(Method::POST, "/$batch", "$batch").json(json!({ "requests": inner }));
        let started = std::time::Instant::now();
        let response = self.send(mailbox, &request).await?;
        let duration = started.elapsed();
        let log_items = super::transfer::enabled();
        let protocol = |reason: &str| GraphError::Protocol {
            mailbox: mailbox.to_owned(),
            operation: "$batch".to_owned(),
            reason: reason.to_owned(),
        };
        let Some(responses) = response.body["responses"].as_array() else {
            return Err(protocol("no `responses` array"));
        };
        let mut answers = Vec::with_capacity(responses.len());
        for answer in responses {
            let index = answer["id"]
                .as_str()
                .and_then(|id| id.parse::<usize>().ok())
                .filter(|i| pending.contains(i))
                .ok_or_else(|| protocol("an answer with an unknown `id`"))?;
            let status = answer["status"]
                .as_u64()
                .and_then(|s| StatusCode::from_u16(s as u16).ok())
                .ok_or_else(|| protocol("an answer without `status`"))?;
            if log_items {
                let body = &answer["body"];
                let (inner_mailbox, inner) = chunk[index];
                let url = self.absolute(&inner.url);
                super::transfer::batch_item(
                    inner_mailbox,
                    inner,
                    &url,
                    status.as_u16(),
                    body,
                    duration,
                );
            }
            answers.push((
                index,
                status,
                answer["headers"].clone(),
                answer["body"].clone(),
            ));
        }
        Ok(answers)
    }
}

/// The JSON of one inner request; its `id` is its index in the chunk.
fn inner_request(index: usize, request: &GraphRequest, base_url: &str) -> Value {
    let url = request
        .url
        .strip_prefix(base_url)
        .unwrap_or(&request.url)
        .to_owned();
    let mut headers = serde_json::Map::new();
    if let Some(etag) = &request.if_match {
        headers.insert("If-Match".into(), Value::String(etag.clone()));
    }
    headers.insert(
        "Prefer".into(),
        Value::String(super::prefer_header(&request.prefer)),
    );
    let mut object = json!({
        "id": index.to_string(),
        "method": request.method.as_str(),
        "url": url,
    });
    if let Some(body) = &request.body {
        headers.insert(
            "Content-Type".into(),
            Value::String("application/json".into()),
        );
        object["body"] = body.clone();
    }
    object["headers"] = Value::Object(headers);
    object
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_requests_carry_the_same_preferences_as_outer_ones() {
        let request = GraphRequest::get("/users/x/events/1", "read").prefer("odata.maxpagesize=5");
        let inner = inner_request(3, &request, "https://graph.example/v1.0");
        let prefer = inner["headers"]["Prefer"]
            .as_str()
            .expect("a Prefer header");
        assert_eq!(prefer, super::super::prefer_header(&request.prefer));
        assert!(
            prefer.contains("outlook.body-content-type=\"text\""),
            "{prefer}"
        );
        assert!(prefer.contains("IdType=\"ImmutableId\""), "{prefer}");
        assert_eq!(inner["id"], "3");
    }
}

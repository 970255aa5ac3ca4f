//! `$batch`: up to 20 Graph requests in one HTTP request.
//!
//! Graph runs up to four inner requests of a batch at once, each holding one of its mailbox's
//! four concurrency slots; a `dependsOn` chain runs one request at a time. Requests for one
//! mailbox ([`GraphClient::batch`]) therefore go out as up to four *lanes*, each a chain
//! that holds exactly one of the mailbox's slots (the client's own per-mailbox semaphore and
//! Graph's agree), so four inner requests run at every moment and none is refused for
//! concurrency. Lanes take their next chunk from one queue, smaller chunks as the queue runs
//! out, so they finish together. An inner 429/503 is sent again by its lane after its own
//! (possibly fractional) `Retry-After`; a request answered 424 because an earlier one in its
//! chain failed was not run and is sent again at once. Results come back in the order of the
//! requests.
//!
//! Invariants: every request gets exactly one result; a request is sent again only when
//! Graph did not run it (429, 503 or 424 in a chain), so nothing is written twice; no batch
//! holds more than [`MAX_BATCH`] requests; a lane holds one slot of its mailbox.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::retry::retry_after_json;
use super::{GraphClient, GraphError, GraphRequest, GraphResponse, MAX_CONCURRENT_PER_MAILBOX};

/// Graph's limit of requests per `$batch`.
pub const MAX_BATCH: usize = 20;

/// The concurrency-slot key of batches that span mailboxes.
const ACROSS_MAILBOXES: &str = "(several mailboxes)";

type Answer = Result<GraphResponse, GraphError>;

/// What the lanes of one [`GraphClient::batch`] call share.
struct Work {
    /// Indexes not sent yet, in order.
    queue: VecDeque<usize>,
    /// One slot per request.
    results: Vec<Option<Answer>>,
    /// Throttled answers so far, per request.
    attempts: Vec<u32>,
}

impl Work {
    /// The next chunk for a lane: up to [`MAX_BATCH`], and smaller as the queue runs out, so
    /// the lanes end together.
    fn take(&mut self, lanes: usize) -> Vec<usize> {
        let size = self.queue.len().div_ceil(lanes).clamp(1, MAX_BATCH);
        let size = size.min(self.queue.len());
        self.queue.drain(..size).collect()
    }
}

impl GraphClient {
    /// Sends `requests` for `mailbox` in `$batch`es of up to 20, four lanes at a time; one
    /// result per request, in order. Inner throttling is retried; everything else is the inner
    /// answer.
    pub async fn batch(&self, mailbox: &str, requests: &[GraphRequest]) -> Vec<Answer> {
        let items: Vec<(&str, &GraphRequest)> = requests.iter().map(|r| (mailbox, r)).collect();
        let lanes = requests.len().clamp(1, MAX_CONCURRENT_PER_MAILBOX);
        let work = Mutex::new(Work {
            queue: (0..requests.len()).collect(),
            results: requests.iter().map(|_| None).collect(),
            attempts: vec![0; requests.len()],
        });
        let lane = || self.lane(mailbox, &items, &work, lanes);
        match lanes {
            1 => lane().await,
            2 => drop(tokio::join!(lane(), lane())),
            3 => drop(tokio::join!(lane(), lane(), lane())),
            _ => drop(tokio::join!(lane(), lane(), lane(), lane())),
        }
        let work = work.into_inner().unwrap_or_else(|e| e.into_inner());
        work.results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    Err(GraphError::Protocol {
                        mailbox: mailbox.to_owned(),
                        operation: "$batch".to_owned(),
                        reason: "no answer for a request".to_owned(),
                    })
                })
            })
            .collect()
    }

    /// One lane: chains of requests taken from `work` until it is empty.
    async fn lane(
        &self,
        mailbox: &str,
        items: &[(&str, &GraphRequest)],
        work: &Mutex<Work>,
        lanes: usize,
    ) {
        let lock = || work.lock().unwrap_or_else(|e| e.into_inner());
        let mut again: Vec<usize> = Vec::new();
        loop {
            let chunk = if again.is_empty() {
                lock().take(lanes)
            } else {
                std::mem::take(&mut again)
            };
            if chunk.is_empty() {
                return;
            }
            self.pace(mailbox, chunk.len() as u32).await;
            let answers = match self.send_batch(mailbox, items, &chunk, true).await {
                Ok(answers) => answers,
                Err(error) => {
                    let mut work = lock();
                    for &i in &chunk {
                        work.results[i] = Some(Err(error.clone()));
                    }
                    continue;
                }
            };
            let wait = self.settle(mailbox, items, &chunk, answers, &mut lock(), &mut again);
            again.sort_unstable();
            if !wait.is_zero() {
                tokio::time::sleep(wait.min(self.retry.max_delay)).await;
            }
        }
    }

    /// Books a lane's answers: final ones into `work`, the ones Graph did not run into `again`;
    /// how long to wait before sending those (the longest `Retry-After`).
    fn settle(
        &self,
        mailbox: &str,
        items: &[(&str, &GraphRequest)],
        chunk: &[usize],
        answers: Vec<(usize, StatusCode, Value, Value)>,
        work: &mut Work,
        again: &mut Vec<usize>,
    ) -> Duration {
        let mut wait = Duration::ZERO;
        for (i, status, headers, body) in answers {
            let (_, request) = items[i];
            let throttled = status == StatusCode::TOO_MANY_REQUESTS
                || status == StatusCode::SERVICE_UNAVAILABLE;
            if throttled {
                self.throttled.fetch_add(1, Ordering::Relaxed);
                work.attempts[i] += 1;
                if work.attempts[i] < self.retry.max_attempts {
                    let attempt = work.attempts[i];
                    wait = wait.max(
                        retry_after_json(&headers).unwrap_or_else(|| self.retry.backoff(attempt)),
                    );
                    again.push(i);
                    continue;
                }
            } else if status == StatusCode::FAILED_DEPENDENCY {
                // Not run: an earlier request of the chain failed or was throttled.
                again.push(i);
                continue;
            }
            work.results[i] = Some(self.inner_result(mailbox, request, status, body, work, i));
        }
        for &i in chunk {
            if work.results[i].is_none() && !again.contains(&i) {
                work.results[i] = Some(Err(GraphError::Protocol {
                    mailbox: mailbox.to_owned(),
                    operation: "$batch".to_owned(),
                    reason: "no answer for a request".to_owned(),
                }));
            }
        }
        wait
    }

    /// The result of a final inner answer.
    fn inner_result(
        &self,
        mailbox: &str,
        request: &GraphRequest,
        status: StatusCode,
        body: Value,
        work: &Work,
        index: usize,
    ) -> Answer {
        if status.is_success() {
            Ok(GraphResponse { status, body })
        } else if status == StatusCode::TOO_MANY_REQUESTS {
            Err(GraphError::Throttled {
                mailbox: mailbox.to_owned(),
                operation: request.operation.to_owned(),
                attempts: work.attempts[index],
            })
        } else {
            Err(self.refusal(mailbox, request, status, &body))
        }
    }

    /// Sends requests for several mailboxes in `$batch`es of up to 20: cheap small reads
    /// such as probes of many mailboxes' delta links. One result per request, in order.
    /// Nothing waits for one mailbox: a request whose mailbox is out of budget, or that Graph
    /// throttles, is answered [`GraphError::Throttled`] at once and the others go on.
    pub async fn batch_across(&self, requests: &[(&str, GraphRequest)]) -> Vec<Answer> {
        let mut results: Vec<Option<Answer>> = requests.iter().map(|_| None).collect();
        let mut items: Vec<(&str, &GraphRequest)> = Vec::new();
        let mut sent = Vec::new();
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
        let all: Vec<usize> = (0..items.len()).collect();
        for chunk in all.chunks(MAX_BATCH) {
            let answers = self
                .send_batch(ACROSS_MAILBOXES, &items, chunk, false)
                .await;
            match answers {
                Ok(answers) => {
                    for (i, status, _, body) in answers {
                        let (mailbox, request) = items[i];
                        if status == StatusCode::TOO_MANY_REQUESTS {
                            self.throttled.fetch_add(1, Ordering::Relaxed);
                        }
                        let answer = if status.is_success() {
                            Ok(GraphResponse { status, body })
                        } else if status == StatusCode::TOO_MANY_REQUESTS {
                            Err(GraphError::Throttled {
                                mailbox: mailbox.to_owned(),
                                operation: request.operation.to_owned(),
                                attempts: 1,
                            })
                        } else {
                            Err(self.refusal(mailbox, request, status, &body))
                        };
                        results[sent[i]] = Some(answer);
                    }
                }
                Err(error) => {
                    for &i in chunk {
                        results[sent[i]] = Some(Err(error.clone()));
                    }
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

    /// One `$batch` of `items[i]` for `i` in `chunk`, in `slot`'s concurrency slots, each
    /// request depending on the one before when `chained`: `(i, status, headers, body)` per
    /// answer.
    async fn send_batch(
        &self,
        slot: &str,
        items: &[(&str, &GraphRequest)],
        chunk: &[usize],
        chained: bool,
    ) -> Result<Vec<(usize, StatusCode, Value, Value)>, GraphError> {
        let inner: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(position, &i)| {
                let mut request = inner_request(i, items[i].1, self.base_url());
                if chained && position > 0 {
                    request["dependsOn"] = json!([chunk[position - 1].to_string()]);
                }
                request
            })
            .collect();
        self.batched_requests
            .fetch_add(inner.len() as u64, Ordering::Relaxed);
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
                .filter(|i| chunk.contains(i))
                .ok_or_else(|| protocol("an answer with an unknown `id`"))?;
            let status = answer["status"]
                .as_u64()
                .and_then(|s| StatusCode::from_u16(s as u16).ok())
                .ok_or_else(|| protocol("an answer without `status`"))?;
            if log_items {
                let body = &answer["body"];
                let (inner_mailbox, inner) = items[index];
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

/// The JSON of one inner request; its `id` is its index in the call's requests.
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

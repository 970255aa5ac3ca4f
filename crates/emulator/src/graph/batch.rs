//! `POST /v1.0/$batch` (JSON batching, https://learn.microsoft.com/graph/json-batching):
//! `{"requests":[{"id","method","url","headers","body","dependsOn"}]}` answers 200
//! `{"responses":[{"id","status","headers","body"}]}`, one response per request, in the order
//! they finish. As Graph does, up to [`PARALLEL`] inner requests run at once (Graph "dispatches
//! up to four individual requests from a batch to the Outlook service simultaneously",
//! learn.microsoft.com/answers/questions/1660054); a `dependsOn` chain runs one after another.
//!
//! Invariants: each inner request runs through the same Graph stack as a direct call (error
//! envelope, throttling, routing, latency), with the outer request's `Authorization`, so it
//! holds one of its mailbox's concurrency slots and counts against the mailbox's budget like a
//! direct call; never more than [`PARALLEL`] of one batch run at once; a request runs only
//! after everything it `dependsOn` has finished, and a request whose dependency failed is not
//! run but answered 424; more than 20 requests, a
//! missing or repeated id, an unknown dependency, a cycle, an absolute URL or a body without
//! `Content-Type` reject the whole batch with 400.

use std::collections::{HashMap, HashSet};

use axum::body::{Body, to_bytes};
use axum::extract::{OriginalUri, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::error::{GraphError, finish};
use crate::ids;

/// Most requests one batch may carry.
pub const MAX_REQUESTS: usize = 20;
/// Inner requests of one batch that run at once.
pub const PARALLEL: usize = 4;

/// Marks a request as an inner request of a `$batch` (throttling answers it with a fractional
/// `Retry-After`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct InBatch;
const MAX_BODY: usize = 4 * 1024 * 1024;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Batch {
    requests: Vec<Inner>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Inner {
    id: String,
    method: String,
    url: String,
    #[serde(default)]
    headers: HashMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    depends_on: Vec<String>,
}

fn bad(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// Checks the batch and returns the order to run it in (indexes into `requests`).
fn plan(requests: &[Inner]) -> Result<Vec<usize>, GraphError> {
    if requests.len() > MAX_REQUESTS {
        return Err(bad(format!(
            "The number of requests in a batch exceeds the limit of {MAX_REQUESTS}."
        )));
    }
    let mut seen = HashSet::new();
    for r in requests {
        if r.id.is_empty() || !seen.insert(r.id.as_str()) {
            return Err(bad("Batch request ids must be present and unique."));
        }
        if r.url.contains("://") || r.url.trim_start_matches('/').starts_with("v1.0") {
            return Err(bad(format!(
                "Request id {}: the url must be relative to the service root.",
                r.id
            )));
        }
        if r.body.is_some()
            && !r
                .headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("content-type"))
        {
            return Err(bad(format!(
                "Write request id : {} does not contain Content-Type header or body.",
                r.id
            )));
        }
        if let Some(d) = r.depends_on.iter().find(|d| !seen_id(requests, d)) {
            return Err(bad(format!(
                "Request id {}: unknown dependency '{d}'.",
                r.id
            )));
        }
    }
    let mut order = Vec::new();
    let mut done: HashSet<&str> = HashSet::new();
    while order.len() < requests.len() {
        let before = order.len();
        for (i, r) in requests.iter().enumerate() {
            if !done.contains(r.id.as_str())
                && r.depends_on.iter().all(|d| done.contains(d.as_str()))
            {
                done.insert(r.id.as_str());
                order.push(i);
            }
        }
        if order.len() == before {
            return Err(bad("The dependsOn relations of the batch form a cycle."));
        }
    }
    Ok(order)
}

/// Runs the planned requests, up to [`PARALLEL`] at once, each once everything it depends on
/// has finished; the answers in the order they finish.
async fn execute(
    requests: &[Inner],
    order: &[usize],
    authorization: Option<&HeaderValue>,
    next: &Next,
) -> Vec<Value> {
    let mut finished: HashMap<&str, bool> = HashMap::new(); // id -> succeeded
    let mut waiting: Vec<usize> = order.to_vec();
    let mut running = tokio::task::JoinSet::new();
    let mut task_of: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut responses = Vec::with_capacity(requests.len());
    loop {
        // Start (or answer at once) every request whose dependencies have all finished.
        let mut progressed = true;
        while progressed {
            progressed = false;
            let mut still = Vec::with_capacity(waiting.len());
            for i in waiting.drain(..) {
                let inner = &requests[i];
                if !inner
                    .depends_on
                    .iter()
                    .all(|d| finished.contains_key(d.as_str()))
                {
                    still.push(i);
                    continue;
                }
                if inner
                    .depends_on
                    .iter()
                    .any(|d| finished.get(d.as_str()) == Some(&false))
                {
                    finished.insert(inner.id.as_str(), false);
                    responses.push(failed_dependency(&inner.id));
                    progressed = true;
                    continue;
                }
                if running.len() >= PARALLEL {
                    still.push(i);
                    continue;
                }
                match build(inner, authorization) {
                    Some(request) => {
                        let next = next.clone();
                        let id = inner.id.clone();
                        let task = running.spawn(async move {
                            let value = entry(&id, next.run(request).await).await;
                            (i, value)
                        });
                        task_of.insert(task.id(), i);
                    }
                    None => {
                        finished.insert(inner.id.as_str(), false);
                        responses.push(json!({"id": inner.id, "status": 400, "body": {"error": {
                            "code": "BadRequest", "message": "Invalid request method or url."}}}));
                        progressed = true;
                    }
                }
            }
            waiting = still;
        }
        let Some(done) = running.join_next_with_id().await else {
            break;
        };
        let (i, value) = match done {
            Ok((_, answer)) => answer,
            Err(error) => {
                // The inner request's task ended without an answer: a server error.
                let Some(&i) = task_of.get(&error.id()) else {
                    continue;
                };
                let value = json!({"id": requests[i].id, "status": 500, "body": {"error": {
                    "code": "InternalServerError", "message": "The request failed."}}});
                (i, value)
            }
        };
        let succeeded = value["status"].as_u64().is_some_and(|s| s < 400);
        finished.insert(requests[i].id.as_str(), succeeded);
        responses.push(value);
    }
    responses
}

fn seen_id(requests: &[Inner], id: &str) -> bool {
    requests.iter().any(|r| r.id == id)
}

/// Percent-encodes what a client may leave raw in a batch URL but a URI cannot carry.
fn encode(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' | '"' | '<' | '>' | '{' | '}' | '|' | '\\' | '^' | '`' => {
                out.push_str(&format!("%{:02X}", c as u32));
            }
            c if !c.is_ascii() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Builds the inner request; `None` when its method or URL cannot be a request.
fn build(inner: &Inner, authorization: Option<&HeaderValue>) -> Option<Request> {
    let method = Method::from_bytes(inner.method.to_ascii_uppercase().as_bytes()).ok()?;
    let path = format!("/{}", encode(inner.url.trim_start_matches('/')));
    let uri: Uri = path.parse().ok()?;
    let original: Uri = format!("/v1.0{path}").parse().ok()?;
    let body = match &inner.body {
        Some(v) => Body::from(serde_json::to_vec(v).ok()?),
        None => Body::empty(),
    };
    let mut request = Request::builder().method(method).uri(uri).body(body).ok()?;
    for (name, value) in &inner.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            request.headers_mut().insert(n, v);
        }
    }
    if let Some(auth) = authorization {
        request.headers_mut().insert("authorization", auth.clone());
    }
    request.extensions_mut().insert(OriginalUri(original));
    request.extensions_mut().insert(InBatch);
    Some(request)
}

/// Turns an inner response into its batch entry.
async fn entry(id: &str, response: Response) -> Value {
    let status = response.status().as_u16();
    let mut headers = Map::new();
    for name in [
        "content-type",
        "location",
        "retry-after",
        "preference-applied",
        "etag",
    ] {
        if let Some(v) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            headers.insert(name.to_owned(), Value::String(v.to_owned()));
        }
    }
    let bytes = to_bytes(response.into_body(), MAX_BODY)
        .await
        .unwrap_or_default();
    let mut out = json!({"id": id, "status": status, "headers": headers});
    if !bytes.is_empty() {
        out["body"] = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    }
    out
}

fn failed_dependency(id: &str) -> Value {
    json!({"id": id, "status": 424, "headers": {"content-type": "application/json"}, "body": {"error": {
        "code": "FailedDependency",
        "message": "The request could not be processed because a request it depends on failed.",
    }}})
}

/// Middleware outermost on the Graph routes: answers `POST /$batch`, passes the rest on.
pub(crate) async fn batch(request: Request, next: Next) -> Response {
    if request.uri().path() != "/$batch" || request.method() != Method::POST {
        return next.run(request).await;
    }
    let client_request_id = request
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map_or_else(ids::guid, str::to_owned);
    let request_id = ids::guid();
    let response = run(request, next).await;
    finish(response, &request_id, &client_request_id)
}

async fn run(request: Request, next: Next) -> Response {
    let authorization = request.headers().get("authorization").cloned();
    let Ok(bytes) = to_bytes(request.into_body(), MAX_BODY).await else {
        return GraphError::unreadable_body().into_response();
    };
    let batch: Batch = match serde_json::from_slice(&bytes) {
        Ok(batch) => batch,
        Err(_) => return GraphError::unreadable_body().into_response(),
    };
    let order = match plan(&batch.requests) {
        Ok(order) => order,
        Err(e) => return e.into_response(),
    };
    let responses = execute(&batch.requests, &order, authorization.as_ref(), &next).await;
    (StatusCode::OK, axum::Json(json!({"responses": responses}))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inner(id: &str, depends_on: &[&str]) -> Inner {
        Inner {
            id: id.to_owned(),
            method: "GET".to_owned(),
            url: "/users/x/events".to_owned(),
            headers: HashMap::new(),
            body: None,
            depends_on: depends_on.iter().map(|d| (*d).to_owned()).collect(),
        }
    }

    #[test]
    fn dependencies_run_first_and_bad_batches_are_refused() {
        let order = plan(&[inner("1", &["2"]), inner("2", &[]), inner("3", &["1"])]).expect("plan");
        assert_eq!(order, [1, 0, 2]);
        assert!(plan(&[inner("1", &["2"]), inner("2", &["1"])]).is_err());
        assert!(plan(&[inner("1", &["9"])]).is_err());
        assert!(plan(&[inner("1", &[]), inner("1", &[])]).is_err());
        let many: Vec<Inner> = (0..21).map(|i| inner(&i.to_string(), &[])).collect();
        assert!(plan(&many).is_err());
        assert_eq!(encode("a b{c}"), "a%20b%7Bc%7D");
    }
}

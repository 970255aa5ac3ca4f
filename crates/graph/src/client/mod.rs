//! The HTTP side of the Graph connector: authenticated requests with retries, throttling
//! honoured, at most four requests in flight per mailbox, and `$batch`.
//!
//! Every request carries `Prefer: IdType="ImmutableId"` (ids survive folder moves) and
//! `Prefer: outlook.timezone="UTC"` (times come back in UTC; the wire layer converts them to
//! each item's own zone).
//!
//! Invariants: no request for one mailbox waits on another mailbox's slots; the bearer token
//! never appears in an error or a log line; a 401 refreshes the token once and retries.

mod batch;
mod error;
mod pacing;
mod retry;
mod tokens;
pub mod transfer;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::Semaphore;

pub use error::GraphError;
pub use pacing::{BUDGET_WINDOW, MAILBOX_BUDGET};
pub use retry::RetryPolicy;
pub use tokens::GraphTokens;

use error::{error_code_and_message, permission_for};
use pacing::Pacer;
use retry::Verdict;

/// Requests Graph serves at once per app and mailbox (Outlook's documented limit).
pub const MAX_CONCURRENT_PER_MAILBOX: usize = 4;

/// A future returning a bearer token.
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<SecretString, GraphError>> + Send + 'a>>;

/// A future with nothing to return.
pub type DoneFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Where access tokens come from (the `auth` module's provider, or a fixed token in tests).
pub trait TokenSource: Send + Sync {
    /// A valid access token for Graph.
    fn bearer(&self) -> TokenFuture<'_>;
    /// Forget the token handed out last (Graph answered 401 to it).
    fn invalidate(&self) -> DoneFuture<'_>;
}

/// One Graph request, relative to the Graph base URL (`/users/...`), or an absolute
/// `@odata.nextLink` / `@odata.deltaLink`.
#[derive(Debug, Clone)]
pub struct GraphRequest {
    /// GET, POST, PATCH, DELETE.
    pub method: Method,
    /// `/users/{mailbox}/...` with its query, or an absolute link Graph gave.
    pub url: String,
    /// JSON body.
    pub body: Option<Value>,
    /// `If-Match` (an `@odata.etag`).
    pub if_match: Option<String>,
    /// Extra `Prefer` values (e.g. `odata.maxpagesize=200`).
    pub prefer: Vec<String>,
    /// What this request does, for messages ("create event", "read delta page").
    pub operation: &'static str,
}

impl GraphRequest {
    /// A request without body.
    pub fn new(method: Method, url: impl Into<String>, operation: &'static str) -> Self {
        GraphRequest {
            method,
            url: url.into(),
            body: None,
            if_match: None,
            prefer: Vec::new(),
            operation,
        }
    }

    /// GET `url`.
    pub fn get(url: impl Into<String>, operation: &'static str) -> Self {
        Self::new(Method::GET, url, operation)
    }

    /// With a JSON body.
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// With `If-Match`.
    pub fn if_match(mut self, etag: Option<String>) -> Self {
        self.if_match = etag;
        self
    }

    /// With one more `Prefer` value.
    pub fn prefer(mut self, value: impl Into<String>) -> Self {
        self.prefer.push(value.into());
        self
    }
}

/// A successful answer (2xx).
#[derive(Debug, Clone)]
pub struct GraphResponse {
    /// The status.
    pub status: StatusCode,
    /// The JSON body (`Null` for 204).
    pub body: Value,
}

/// Request counts since the client was made (for reports and benchmarks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestCounts {
    /// HTTP requests sent (a `$batch` counts once).
    pub http_requests: u64,
    /// Requests inside `$batch` bodies.
    pub batched_requests: u64,
    /// 429/503 answers received (outer or inner).
    pub throttled: u64,
}

/// An authenticated Graph client for app-only access to many mailboxes.
pub struct GraphClient {
    http: reqwest::Client,
    base_url: String,
    tokens: Arc<dyn TokenSource>,
    retry: RetryPolicy,
    slots: Mutex<HashMap<String, Arc<Semaphore>>>,
    pacers: Mutex<HashMap<String, Pacer>>,
    budget: u32,
    http_requests: AtomicU64,
    batched_requests: AtomicU64,
    throttled: AtomicU64,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl GraphClient {
    /// A client for the Graph at `base_url` (`https://graph.microsoft.com/v1.0`).
    pub fn new(base_url: impl Into<String>, tokens: Arc<dyn TokenSource>) -> Self {
        let http = crate::tls::http_client_builder()
            .pool_max_idle_per_host(64)
            .timeout(std::time::Duration::from_secs(100))
            .build()
            .unwrap_or_default();
        GraphClient {
            http,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            tokens,
            retry: RetryPolicy::default(),
            slots: Mutex::new(HashMap::new()),
            pacers: Mutex::new(HashMap::new()),
            budget: MAILBOX_BUDGET,
            http_requests: AtomicU64::new(0),
            batched_requests: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
        }
    }

    /// With another retry policy (tests shorten the waits).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// With another per-mailbox budget per [`BUDGET_WINDOW`] (Graph's is [`MAILBOX_BUDGET`]).
    pub fn with_budget(mut self, budget: u32) -> Self {
        self.budget = budget.max(1);
        self
    }

    /// Waits until `count` more requests for `mailbox` fit in its budget, and books them.
    pub(crate) async fn pace(&self, mailbox: &str, count: u32) {
        loop {
            let verdict = {
                let mut pacers = self.pacers.lock().unwrap_or_else(|e| e.into_inner());
                pacers
                    .entry(mailbox.to_ascii_lowercase())
                    .or_insert_with(|| Pacer::new(self.budget, BUDGET_WINDOW))
                    .reserve(count, std::time::Instant::now())
            };
            match verdict {
                Ok(()) => return,
                Err(wait) => {
                    tracing::info!(
                        mailbox,
                        wait_s = wait.as_secs(),
                        "pacing under the mailbox's request budget"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Books `count` requests for `mailbox` if they fit in its budget now; `false` (nothing
    /// booked) if they would have to wait.
    pub(crate) fn try_pace(&self, mailbox: &str, count: u32) -> bool {
        let mut pacers = self.pacers.lock().unwrap_or_else(|e| e.into_inner());
        pacers
            .entry(mailbox.to_ascii_lowercase())
            .or_insert_with(|| Pacer::new(self.budget, BUDGET_WINDOW))
            .reserve(count, std::time::Instant::now())
            .is_ok()
    }

    /// The Graph base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Requests made so far.
    pub fn counts(&self) -> RequestCounts {
        RequestCounts {
            http_requests: self.http_requests.load(Ordering::Relaxed),
            batched_requests: self.batched_requests.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
        }
    }

    fn slots_of(&self, mailbox: &str) -> Arc<Semaphore> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .entry(mailbox.to_ascii_lowercase())
            .or_insert_with(|| Arc::new(Semaphore::new(MAX_CONCURRENT_PER_MAILBOX)))
            .clone()
    }

    fn absolute(&self, url: &str) -> String {
        if url.starts_with("http://") || url.starts_with("https://") {
            url.to_owned()
        } else {
            format!("{}{}", self.base_url, url)
        }
    }

    /// Sends `request` for `mailbox`, retrying throttling and transient failures.
    pub async fn send(
        &self,
        mailbox: &str,
        request: &GraphRequest,
    ) -> Result<GraphResponse, GraphError> {
        let slots = self.slots_of(mailbox);
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            if request.url != "/$batch" {
                self.pace(mailbox, 1).await;
            }
            // An auth failure is final and already says what to do: no retry, no transport error.
            let token = self.tokens.bearer().await?;
            let permit = slots.acquire().await;
            let outcome = self.send_once(mailbox, request, &token).await;
            drop(permit);
            let (status, headers, body) = match outcome {
                Ok(answer) => answer,
                Err(reason) => match self.retry.judge_transport(attempt) {
                    Verdict::Transient(wait) | Verdict::Throttled(wait) => {
                        tracing::debug!(mailbox, operation = request.operation, %reason, "retrying");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    Verdict::Final => {
                        return Err(GraphError::Transport {
                            url: self.base_url.clone(),
                            operation: request.operation.to_owned(),
                            reason,
                        });
                    }
                },
            };
            if status.is_success() {
                return Ok(GraphResponse { status, body });
            }
            if status == StatusCode::UNAUTHORIZED && !refreshed {
                refreshed = true;
                self.tokens.invalidate().await;
                continue;
            }
            match self.retry.judge_status(status, &headers, attempt) {
                Verdict::Throttled(wait) => {
                    self.throttled.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(
                        mailbox,
                        operation = request.operation,
                        wait_ms = wait.as_millis() as u64,
                        "throttled by Graph"
                    );
                    tokio::time::sleep(wait).await;
                }
                Verdict::Transient(wait) => tokio::time::sleep(wait).await,
                Verdict::Final => {
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        self.throttled.fetch_add(1, Ordering::Relaxed);
                        return Err(GraphError::Throttled {
                            mailbox: mailbox.to_owned(),
                            operation: request.operation.to_owned(),
                            attempts: attempt,
                        });
                    }
                    return Err(self.refusal(mailbox, request, status, &body));
                }
            }
        }
    }

    async fn send_once(
        &self,
        mailbox: &str,
        request: &GraphRequest,
        token: &SecretString,
    ) -> Result<(StatusCode, reqwest::header::HeaderMap, Value), String> {
        let url = self.absolute(&request.url);
        let transfer = transfer::PendingTransfer::graph(mailbox, request, &url);
        let mut builder = self
            .http
            .request(request.method.clone(), &url)
            .bearer_auth(token.expose_secret())
            .header("Prefer", prefer_header(&request.prefer));
        if let Some(etag) = &request.if_match {
            builder = builder.header("If-Match", etag);
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        self.http_requests.fetch_add(1, Ordering::Relaxed);
        let failed = |error| transfer::failed(&transfer, describe_transport(error));
        let response = builder.send().await.map_err(failed)?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(failed)?;
        if let Some(transfer) = transfer {
            transfer.finish(status.as_u16(), &bytes);
        }
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Ok((status, headers, body))
    }

    /// The error for a final non-2xx answer.
    pub(crate) fn refusal(
        &self,
        mailbox: &str,
        request: &GraphRequest,
        status: StatusCode,
        body: &Value,
    ) -> GraphError {
        let (code, message) = error_code_and_message(body);
        let operation = request.operation.to_owned();
        match status {
            StatusCode::FORBIDDEN => GraphError::AccessDenied {
                mailbox: mailbox.to_owned(),
                operation,
                code,
                message,
                permission: permission_for(&request.url),
            },
            StatusCode::NOT_FOUND if is_mailbox_missing(&code) => GraphError::MailboxNotFound {
                mailbox: mailbox.to_owned(),
                code,
            },
            StatusCode::UNAUTHORIZED => GraphError::Auth(format!(
                "Graph refused the app's access token for mailbox {mailbox} ({code}: {message}); \
                 check the app registration's permissions and admin consent"
            )),
            _ => GraphError::Status {
                mailbox: mailbox.to_owned(),
                operation,
                status,
                code,
                message,
            },
        }
    }
}

/// Graph's codes for "no such user / mailbox" (as opposed to "no such item").
fn is_mailbox_missing(code: &str) -> bool {
    [
        "ResourceNotFound",
        "MailboxNotEnabledForRESTAPI",
        "ErrorInvalidUser",
        "Request_ResourceNotFound",
    ]
    .iter()
    .any(|c| c.eq_ignore_ascii_case(code))
}

/// The `Prefer` header of every Graph request, outer or inside a `$batch`: immutable ids,
/// times in UTC, bodies as text (so an item reads back as it was written), plus `extra`.
pub(crate) fn prefer_header(extra: &[String]) -> String {
    let mut values = vec![
        "IdType=\"ImmutableId\"".to_owned(),
        "outlook.timezone=\"UTC\"".to_owned(),
        "outlook.body-content-type=\"text\"".to_owned(),
    ];
    values.extend(extra.iter().cloned());
    values.join(", ")
}

/// A transport error without the URL's query (which could carry a delta token).
fn describe_transport(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_decode() || error.is_body() {
        "the answer could not be read"
    } else {
        "request failed"
    };
    let mut text = kind.to_owned();
    if let Some(source) = std::error::Error::source(&error) {
        text.push_str(": ");
        text.push_str(&source.to_string());
    }
    text
}

/// A fixed token (tests, or a token handed in from elsewhere).
pub struct StaticToken(pub SecretString);

impl TokenSource for StaticToken {
    fn bearer(&self) -> TokenFuture<'_> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }

    fn invalidate(&self) -> DoneFuture<'_> {
        Box::pin(async {})
    }
}

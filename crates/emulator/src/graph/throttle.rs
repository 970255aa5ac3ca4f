//! Outlook's per-app, per-mailbox limits on Graph requests
//! (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits): at most 4
//! concurrent requests (the 5th answers 429 `ApplicationThrottled` "Application is over its
//! MailboxConcurrency limit.", the wording Graph is quoted with in public issue threads, e.g.
//! magodo/terraform-provider-outlook#21) and a budget of 10,000 requests per 10 minutes; every
//! 429 carries `Retry-After` in seconds. Tests can lower the budget, throttle a mailbox now and
//! add latency (to hold requests open).
//!
//! Invariants: a request counts against the limits of the app its token was issued to and the
//! mailbox its path names; a request without a valid token or a known mailbox is not counted
//! (it is answered 401/404 by the handler); a request's concurrency slot is released when it
//! ends, however it ends (drop guard).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::error::GraphError;
use crate::auth::Audience;
use crate::server::Shared;
use crate::store::{State as StoreState, Store};

/// Concurrent requests allowed per app and mailbox.
pub const MAX_CONCURRENT: usize = 4;
/// Requests allowed per app and mailbox in [`BUDGET_WINDOW`], by default.
pub const DEFAULT_BUDGET: usize = 10_000;
/// The window of the request budget.
pub const BUDGET_WINDOW: Duration = Duration::from_secs(600);

type Key = (String, String);

/// Counters and knobs of the limits.
#[derive(Debug)]
pub struct Limits {
    in_flight: HashMap<Key, usize>,
    recent: HashMap<Key, VecDeque<Instant>>,
    budget: usize,
    blocked_until: HashMap<String, Instant>,
    latency: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            in_flight: HashMap::new(),
            recent: HashMap::new(),
            budget: DEFAULT_BUDGET,
            blocked_until: HashMap::new(),
            latency: Duration::ZERO,
        }
    }
}

impl Limits {
    /// Sets the request budget per 10 minutes (per app and mailbox).
    pub fn set_budget(&mut self, budget: usize) {
        self.budget = budget;
    }

    /// Every request to `mailbox_id` answers 429 for the next `seconds`.
    pub fn throttle_now(&mut self, mailbox_id: &str, seconds: u64) {
        let until = Instant::now() + Duration::from_secs(seconds);
        self.blocked_until.insert(mailbox_id.to_owned(), until);
    }

    /// Adds `latency` to every counted request (while it holds its slot).
    pub fn set_latency(&mut self, latency: Duration) {
        self.latency = latency;
    }

    /// Admits a request or says how long to wait.
    fn admit(&mut self, key: &Key, now: Instant) -> Result<(), (&'static str, u64)> {
        if let Some(until) = self.blocked_until.get(&key.1) {
            if *until > now {
                return Err((APPLICATION, seconds_until(*until, now)));
            }
            self.blocked_until.remove(&key.1);
        }
        if self.in_flight.get(key).copied().unwrap_or(0) >= MAX_CONCURRENT {
            return Err((CONCURRENCY, 1));
        }
        let recent = self.recent.entry(key.clone()).or_default();
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= BUDGET_WINDOW)
        {
            recent.pop_front();
        }
        if recent.len() >= self.budget {
            let wait = recent
                .front()
                .map_or(1, |t| seconds_until(*t + BUDGET_WINDOW, now));
            return Err((APPLICATION, wait));
        }
        recent.push_back(now);
        *self.in_flight.entry(key.clone()).or_default() += 1;
        Ok(())
    }

    fn release(&mut self, key: &Key) {
        if let Some(n) = self.in_flight.get_mut(key) {
            *n = n.saturating_sub(1);
        }
    }
}

const CONCURRENCY: &str = "Application is over its MailboxConcurrency limit.";
const APPLICATION: &str = "Application is over its MailboxRequests limit.";

fn seconds_until(until: Instant, now: Instant) -> u64 {
    let left = until.saturating_duration_since(now);
    (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1)
}

/// Releases a concurrency slot when the request ends.
struct Slot {
    store: Store,
    key: Key,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.store.lock().graph.limits.release(&self.key);
    }
}

/// App and mailbox a request counts against, if it has a valid token and names a mailbox.
fn key_of(state: &StoreState, request: &Request) -> Option<Key> {
    let mut segments = request.uri().path().split('/').filter(|s| !s.is_empty());
    segments.find(|s| s.eq_ignore_ascii_case("users"))?;
    let user = segments.next()?;
    let token = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token)?;
    let grant = state
        .tokens
        .validate(token, Audience::Graph, Utc::now())
        .ok()?;
    let tenant = state.org.tenants.iter().find(|t| t.id == grant.tenant_id)?;
    let mailbox = tenant.mailbox(user)?;
    Some((grant.client_id.clone(), mailbox.id.clone()))
}

/// What the limits say about a request.
enum Verdict {
    /// Not counted (no valid token or no known mailbox).
    Uncounted,
    /// Admitted: holds a slot, waits `latency` first.
    Admitted(Key, Duration),
    /// Throttled with this message, retry after this many seconds.
    Throttled(&'static str, u64),
}

fn judge(store: &Store, request: &Request) -> Verdict {
    let mut state = store.lock();
    let Some(key) = key_of(&state, request) else {
        return Verdict::Uncounted;
    };
    match state.graph.limits.admit(&key, Instant::now()) {
        Ok(()) => Verdict::Admitted(key, state.graph.limits.latency),
        Err((message, retry_after)) => Verdict::Throttled(message, retry_after),
    }
}

/// Middleware for every Graph route: applies the limits.
pub(crate) async fn limit(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    match judge(&shared.store, &request) {
        Verdict::Uncounted => next.run(request).await,
        Verdict::Throttled(message, retry_after) => {
            tracing::debug!(retry_after, "throttled");
            let mut response = GraphError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "ApplicationThrottled",
                message,
            )
            .into_response();
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert("retry-after", value);
            }
            response
        }
        Verdict::Admitted(key, latency) => {
            let _slot = Slot {
                store: shared.store.clone(),
                key,
            };
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            next.run(request).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(mailbox: &str) -> Key {
        ("app".to_owned(), mailbox.to_owned())
    }

    #[test]
    fn the_fifth_concurrent_request_waits_and_a_released_slot_admits() {
        let mut limits = Limits::default();
        let now = Instant::now();
        for _ in 0..MAX_CONCURRENT {
            assert_eq!(limits.admit(&key("m"), now), Ok(()));
        }
        assert_eq!(limits.admit(&key("m"), now), Err((CONCURRENCY, 1)));
        assert_eq!(limits.admit(&key("other"), now), Ok(()));
        limits.release(&key("m"));
        assert_eq!(limits.admit(&key("m"), now), Ok(()));
    }

    #[test]
    fn the_budget_refills_after_ten_minutes() {
        let mut limits = Limits::default();
        limits.set_budget(2);
        let start = Instant::now();
        for _ in 0..2 {
            assert_eq!(limits.admit(&key("m"), start), Ok(()));
            limits.release(&key("m"));
        }
        let later = start + Duration::from_secs(60);
        assert_eq!(limits.admit(&key("m"), later), Err((APPLICATION, 540)));
        assert_eq!(limits.admit(&key("m"), start + BUDGET_WINDOW), Ok(()));
    }
}

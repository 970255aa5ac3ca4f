//! Outlook's per-app, per-mailbox limits on Graph requests
//! (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits): at most 4
//! concurrent requests (the 5th answers 429 `ApplicationThrottled` "Application is over its
//! MailboxConcurrency limit.", the wording Graph is quoted with in public issue threads, e.g.
//! magodo/terraform-provider-outlook#21) and a budget of 10,000 requests per 10 minutes; every
//! 429 carries `Retry-After` in seconds. An inner request of a `$batch` refused for concurrency
//! is told the fractional seconds until the mailbox's next slot frees (`0.249`, as reported in
//! microsoftgraph/microsoft-graph-docs#3877); a direct request whole seconds. Tests can lower
//! the budget, throttle a mailbox now and add latency, fixed or drawn from a profile (to hold
//! requests open, each for its own latency).
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

use super::batch::InBatch;
use super::error::GraphError;
use super::latency::{Latency, LatencyProfile};
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
    /// Per app and mailbox, the requests holding a slot: ticket and when their latency ends.
    in_flight: HashMap<Key, Vec<(u64, Instant)>>,
    recent: HashMap<Key, VecDeque<Instant>>,
    budget: usize,
    blocked_until: HashMap<String, Instant>,
    latency: Latency,
    next_ticket: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            in_flight: HashMap::new(),
            recent: HashMap::new(),
            budget: DEFAULT_BUDGET,
            blocked_until: HashMap::new(),
            latency: Latency::default(),
            next_ticket: 0,
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
        self.latency = Latency::Fixed(latency);
    }

    /// Draws every counted request's latency from `profile` (its generator restarts from the
    /// profile's seed).
    pub fn set_latency_profile(&mut self, profile: LatencyProfile) {
        self.latency = Latency::profile(profile);
    }

    /// Admits a request (its ticket and its latency) or says why not and how long to wait.
    fn admit(
        &mut self,
        key: &Key,
        now: Instant,
    ) -> Result<(u64, Duration), (&'static str, Duration)> {
        if let Some(until) = self.blocked_until.get(&key.1) {
            if *until > now {
                return Err((APPLICATION, until.saturating_duration_since(now)));
            }
            self.blocked_until.remove(&key.1);
        }
        let holding = self.in_flight.get(key).map_or(0, Vec::len);
        if holding >= MAX_CONCURRENT {
            let next_free = self
                .in_flight
                .get(key)
                .and_then(|slots| slots.iter().map(|(_, end)| *end).min())
                .map_or(Duration::ZERO, |end| end.saturating_duration_since(now));
            return Err((CONCURRENCY, next_free.max(MIN_FRACTIONAL_WAIT)));
        }
        let recent = self.recent.entry(key.clone()).or_default();
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= BUDGET_WINDOW)
        {
            recent.pop_front();
        }
        if recent.len() >= self.budget {
            let wait = recent.front().map_or(Duration::from_secs(1), |t| {
                (*t + BUDGET_WINDOW).saturating_duration_since(now)
            });
            return Err((APPLICATION, wait));
        }
        recent.push_back(now);
        let latency = self.latency.draw();
        self.next_ticket += 1;
        let ticket = self.next_ticket;
        self.in_flight
            .entry(key.clone())
            .or_default()
            .push((ticket, now + latency));
        Ok((ticket, latency))
    }

    fn release(&mut self, key: &Key, ticket: u64) {
        if let Some(slots) = self.in_flight.get_mut(key) {
            slots.retain(|(t, _)| *t != ticket);
        }
    }
}

/// The shortest fractional `Retry-After` (a slot whose latency is over but whose answer is
/// still being made frees within milliseconds).
const MIN_FRACTIONAL_WAIT: Duration = Duration::from_millis(10);

/// `Retry-After` for a wait: fractional seconds (three decimals) for an inner request refused
/// for concurrency, whole seconds (at least 1) otherwise.
fn retry_after_value(wait: Duration, fractional: bool) -> String {
    if fractional {
        format!("{:.3}", wait.as_secs_f64().max(0.001))
    } else {
        seconds_until(wait).to_string()
    }
}

const CONCURRENCY: &str = "Application is over its MailboxConcurrency limit.";
const APPLICATION: &str = "Application is over its MailboxRequests limit.";

fn seconds_until(left: Duration) -> u64 {
    (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1)
}

/// Releases a concurrency slot when the request ends.
struct Slot {
    store: Store,
    key: Key,
    ticket: u64,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.store
            .lock()
            .graph
            .limits
            .release(&self.key, self.ticket);
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
    /// Admitted: holds a slot (its ticket), waits `latency` first.
    Admitted(Key, u64, Duration),
    /// Throttled with this message and this `Retry-After` value.
    Throttled(&'static str, String),
}

fn judge(store: &Store, request: &Request) -> Verdict {
    let mut state = store.lock();
    let Some(key) = key_of(&state, request) else {
        return Verdict::Uncounted;
    };
    let fractional = request.extensions().get::<InBatch>().is_some();
    match state.graph.limits.admit(&key, Instant::now()) {
        Ok((ticket, latency)) => Verdict::Admitted(key, ticket, latency),
        Err((message, wait)) => Verdict::Throttled(
            message,
            retry_after_value(wait, fractional && message == CONCURRENCY),
        ),
    }
}

/// Middleware for every Graph route: applies the limits.
pub(crate) async fn limit(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    match judge(&shared.store, &request) {
        Verdict::Uncounted => next.run(request).await,
        Verdict::Throttled(message, retry_after) => {
            tracing::debug!(%retry_after, "throttled");
            let mut response = GraphError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "ApplicationThrottled",
                message,
            )
            .into_response();
            if let Ok(value) = HeaderValue::from_str(&retry_after) {
                response.headers_mut().insert("retry-after", value);
            }
            response
        }
        Verdict::Admitted(key, ticket, latency) => {
            let _slot = Slot {
                store: shared.store.clone(),
                key,
                ticket,
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
        limits.set_latency(Duration::from_millis(300));
        let mut tickets = Vec::new();
        for _ in 0..MAX_CONCURRENT {
            tickets.push(limits.admit(&key("m"), now).expect("admitted").0);
        }
        let later = now + Duration::from_millis(51);
        assert_eq!(
            limits.admit(&key("m"), later),
            Err((CONCURRENCY, Duration::from_millis(249))),
            "told when the first slot frees"
        );
        assert_eq!(retry_after_value(Duration::from_millis(249), true), "0.249");
        assert_eq!(retry_after_value(Duration::from_millis(249), false), "1");
        assert!(limits.admit(&key("other"), now).is_ok());
        limits.release(&key("m"), tickets[2]);
        assert!(limits.admit(&key("m"), now).is_ok());
    }

    #[test]
    fn the_budget_refills_after_ten_minutes() {
        let mut limits = Limits::default();
        limits.set_budget(2);
        let start = Instant::now();
        for _ in 0..2 {
            let (ticket, _) = limits.admit(&key("m"), start).expect("admitted");
            limits.release(&key("m"), ticket);
        }
        let later = start + Duration::from_secs(60);
        assert_eq!(
            limits.admit(&key("m"), later),
            Err((APPLICATION, Duration::from_secs(540)))
        );
        assert!(limits.admit(&key("m"), start + BUDGET_WINDOW).is_ok());
    }
}

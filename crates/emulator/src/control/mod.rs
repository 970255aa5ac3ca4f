//! The control API and the fault knobs behind it: request counts per protocol, operation and
//! mailbox, added latency, injected error statuses, dropped connections and lost answers (a
//! Graph request served, then its connection closed without the answer). One axum
//! middleware ([`faults`]) serves `/_emulator/...` and applies the faults to every other
//! request; `docs/emulator.md` ("Control API and fault knobs") documents it.
//!
//! Invariants: the control API is not Microsoft's and needs no authentication, so the emulator
//! only ever binds loopback; control requests are neither counted nor faulted. Injected errors
//! draw from one seeded generator, so the same seed and the same request sequence give the
//! same faults. No header or body content beyond the SOAP operation and the mailbox name is
//! read or kept (no tokens, no secrets).

mod api;
mod classify;
mod handle;
mod inject;
mod sync_states;

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::server::Shared;

/// Path prefix of the control API.
pub const PREFIX: &str = "/_emulator";

/// Seed of the fault generator until one is set.
pub const DEFAULT_SEED: u64 = 0x5eed;

/// Which front end a request went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// Microsoft Graph (`/v1.0/...`).
    Graph,
    /// Exchange Web Services (`/EWS/Exchange.asmx`).
    Ews,
    /// The Entra token endpoint.
    Token,
    /// Anything else (unknown paths).
    Other,
}

/// How many requests went to one protocol, operation and mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCount {
    /// The front end.
    pub protocol: Protocol,
    /// Graph: method and path after the user with ids as `{id}` (`GET events/{id}`); EWS: the
    /// SOAP operation (`GetItem`); token: `token`.
    pub operation: String,
    /// The mailbox's primary SMTP address (as named when unknown), empty when none.
    pub mailbox: String,
    /// Number of requests.
    pub count: u64,
}

/// One injected error: `rate` of the requests to `protocol` answer `status`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorRate {
    /// The front end.
    pub protocol: Protocol,
    /// HTTP status (EWS: always the `ErrorServerBusy` fault, HTTP 500).
    pub status: u16,
    /// Share of requests, 0.0..=1.0.
    pub rate: f64,
}

/// The fault knobs and counters (part of the store's state).
#[derive(Debug)]
pub struct ControlState {
    counts: BTreeMap<(Protocol, String, String), u64>,
    latency: BTreeMap<Option<Protocol>, Duration>,
    error_rates: Vec<ErrorRate>,
    rng: SplitMix,
    seed: u64,
    drop_next: u64,
    /// Requests let through before the pending drops start.
    drop_skip: u64,
    lose_next: u64,
    /// Served Graph requests answered before the pending lost answers start.
    lose_skip: u64,
    sync_expired: bool,
    fresh_sync_states: HashSet<String>,
}

impl Default for ControlState {
    fn default() -> Self {
        Self {
            counts: BTreeMap::new(),
            latency: BTreeMap::new(),
            error_rates: Vec::new(),
            rng: SplitMix(DEFAULT_SEED),
            seed: DEFAULT_SEED,
            drop_next: 0,
            drop_skip: 0,
            lose_next: 0,
            lose_skip: 0,
            sync_expired: false,
            fresh_sync_states: HashSet::new(),
        }
    }
}

/// A knob value the emulator refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ControlError {
    /// A rate outside 0.0..=1.0.
    #[error("rate must be between 0.0 and 1.0, got {0}")]
    Rate(f64),
    /// The rates of one protocol add up to more than 1.0.
    #[error("the error rates of {0:?} add up to more than 1.0; lower one or clear them first")]
    RateSum(Protocol),
    /// Not an HTTP error status.
    #[error("status must be an HTTP error status (400..=599), got {0}")]
    Status(u16),
}

/// What the middleware is to do with one request, decided under the store lock.
struct Decision {
    drop: bool,
    /// Serve the request, then close the connection without the answer.
    lose: bool,
    latency: Duration,
    error: Option<u16>,
}

impl ControlState {
    fn count(&mut self, seen: classify::Seen) {
        let key = (seen.protocol, seen.operation, seen.mailbox);
        *self.counts.entry(key).or_default() += 1;
    }

    fn decide(&mut self, protocol: Protocol) -> Decision {
        let drop = countdown(&mut self.drop_skip, &mut self.drop_next);
        let latency = self
            .latency
            .get(&Some(protocol))
            .or_else(|| self.latency.get(&None))
            .copied()
            .unwrap_or_default();
        let mut error = None;
        if self.error_rates.iter().any(|r| r.protocol == protocol) {
            let roll = self.rng.next_f64();
            let mut bound = 0.0;
            for rate in self.error_rates.iter().filter(|r| r.protocol == protocol) {
                bound += rate.rate;
                if roll < bound {
                    error = Some(rate.status);
                    break;
                }
            }
        }
        // Only a Graph request that is really served can lose its answer; the countdown
        // waits for one.
        let lose = !drop
            && error.is_none()
            && protocol == Protocol::Graph
            && countdown(&mut self.lose_skip, &mut self.lose_next);
        Decision {
            drop,
            lose,
            latency,
            error,
        }
    }

    /// Sets the share of `protocol`'s requests answered `status` (0 removes it).
    fn set_rate(&mut self, protocol: Protocol, status: u16, rate: f64) -> Result<(), ControlError> {
        if !(0.0..=1.0).contains(&rate) {
            return Err(ControlError::Rate(rate));
        }
        if !(400..=599).contains(&status) {
            return Err(ControlError::Status(status));
        }
        let others: f64 = self
            .error_rates
            .iter()
            .filter(|r| r.protocol == protocol && r.status != status)
            .map(|r| r.rate)
            .sum();
        if others + rate > 1.0 {
            return Err(ControlError::RateSum(protocol));
        }
        self.error_rates
            .retain(|r| !(r.protocol == protocol && r.status == status));
        if rate > 0.0 {
            self.error_rates.push(ErrorRate {
                protocol,
                status,
                rate,
            });
        }
        Ok(())
    }

    /// Restarts the fault generator from `seed`.
    fn reseed(&mut self, seed: u64) {
        self.seed = seed;
        self.rng = SplitMix(seed);
    }

    /// Makes every EWS sync state issued so far invalid (`ErrorInvalidSyncStateData`).
    fn expire_sync_states(&mut self) {
        self.sync_expired = true;
        self.fresh_sync_states.clear();
    }

    /// Removes latency, error rates, pending drops and pending lost answers.
    fn clear(&mut self) {
        self.latency.clear();
        self.error_rates.clear();
        self.drop_next = 0;
        self.drop_skip = 0;
        self.lose_next = 0;
        self.lose_skip = 0;
    }

    /// Sets (or, for zero, removes) the latency of `protocol` (`None`: every protocol).
    fn set_latency(&mut self, protocol: Option<Protocol>, latency: Duration) {
        if latency.is_zero() {
            self.latency.remove(&protocol);
        } else {
            self.latency.insert(protocol, latency);
        }
    }

    /// The counts so far, sorted by protocol, operation and mailbox.
    pub fn counts(&self) -> Vec<RequestCount> {
        self.counts
            .iter()
            .map(|((protocol, operation, mailbox), count)| RequestCount {
                protocol: *protocol,
                operation: operation.clone(),
                mailbox: mailbox.clone(),
                count: *count,
            })
            .collect()
    }

    /// The fault knobs as JSON (for `GET /_emulator/faults`).
    fn faults_json(&self) -> serde_json::Value {
        let latency: BTreeMap<String, u128> = self
            .latency
            .iter()
            .map(|(p, d)| {
                let key = p.map_or_else(|| "all".to_owned(), |p| protocol_name(p).to_owned());
                (key, d.as_millis())
            })
            .collect();
        serde_json::json!({
            "latency_ms": latency,
            "error_rates": self.error_rates,
            "seed": self.seed,
            "drop_connections": self.drop_next,
            "drop_connections_after": self.drop_skip,
            "lose_answers": self.lose_next,
            "lose_answers_after": self.lose_skip,
        })
    }
}

/// One step of a fault countdown: true when this request is faulted. Pending faults wait
/// until `skip` requests went by; nothing counts down once no fault is pending.
fn countdown(skip: &mut u64, pending: &mut u64) -> bool {
    if *pending == 0 {
        return false;
    }
    if *skip > 0 {
        *skip -= 1;
        return false;
    }
    *pending -= 1;
    true
}

fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Graph => "graph",
        Protocol::Ews => "ews",
        Protocol::Token => "token",
        Protocol::Other => "other",
    }
}

/// SplitMix64: small, seedable, good enough to spread injected faults.
#[derive(Debug)]
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn next_f64(&mut self) -> f64 {
        // 53 random bits as the mantissa; the casts are exact.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Middleware in front of every route: serves the control API, counts each other request, then
/// drops its connection, delays it or answers it with an injected error as the knobs say.
pub(crate) async fn faults(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with(PREFIX) {
        return api::serve(&shared, request).await;
    }
    let protocol = classify::protocol(request.uri().path());
    let (decision, sync_expired) = {
        let mut state = shared.store.lock();
        let decision = state.control.decide(protocol);
        (decision, state.control.sync_expired)
    };
    let faulted = decision.drop || decision.error.is_some();
    if protocol == Protocol::Ews && !faulted && !sync_expired {
        // Named after EWS has read the body, so EWS's concurrency timing is unchanged.
        let (request, tee) = classify::tee(request);
        if !decision.latency.is_zero() {
            tokio::time::sleep(decision.latency).await;
        }
        let response = next.run(request).await;
        // Named first: naming locks the store itself.
        let seen = tee.seen(&shared);
        shared.store.lock().control.count(seen);
        return response;
    }
    let (request, seen) = classify::classify(&shared, request).await;
    let sync = sync_expired && seen.operation == "SyncFolderItems";
    shared.store.lock().control.count(seen);
    if decision.drop {
        // Unwinding out of the service future ends hyper's connection task, which closes the
        // TCP connection without a response. `resume_unwind` skips the panic hook: no noise.
        std::panic::resume_unwind(Box::new("exsync-emulator: connection dropped on purpose"));
    }
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    match decision.error {
        Some(status) => inject::error_response(protocol, status),
        None if sync => sync_states::serve(&shared, request, next).await,
        None if decision.lose => {
            // Served and committed; the answer never reaches the client.
            let _lost = next.run(request).await;
            std::panic::resume_unwind(Box::new("exsync-emulator: answer lost on purpose"));
        }
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let run = |seed| {
            let mut state = ControlState {
                rng: SplitMix(seed),
                ..ControlState::default()
            };
            state.error_rates.push(ErrorRate {
                protocol: Protocol::Graph,
                status: 503,
                rate: 0.3,
            });
            (0..200)
                .map(|_| state.decide(Protocol::Graph).error.is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let hits = run(7).iter().filter(|h| **h).count();
        assert!((30..90).contains(&hits), "{hits} of 200 at 30%");
    }

    #[test]
    fn dropping_counts_down_and_latency_prefers_the_protocol() {
        let mut state = ControlState {
            drop_next: 1,
            ..ControlState::default()
        };
        state.latency.insert(None, Duration::from_millis(5));
        state
            .latency
            .insert(Some(Protocol::Ews), Duration::from_millis(9));
        let first = state.decide(Protocol::Graph);
        let second = state.decide(Protocol::Ews);
        assert!(first.drop && !second.drop);
        assert_eq!(first.latency, Duration::from_millis(5));
        assert_eq!(second.latency, Duration::from_millis(9));
    }

    #[test]
    fn lost_answers_count_down_on_served_graph_requests_only() {
        let mut state = ControlState {
            drop_next: 1,
            lose_next: 2,
            lose_skip: 1,
            ..ControlState::default()
        };
        let dropped = state.decide(Protocol::Graph);
        assert!(
            !state.decide(Protocol::Graph).lose,
            "the skipped one is answered"
        );
        assert!(
            dropped.drop && !dropped.lose,
            "a dropped request is not served"
        );
        assert!(
            !state.decide(Protocol::Token).lose,
            "only Graph answers are lost"
        );
        assert!(state.decide(Protocol::Graph).lose);
        assert!(state.decide(Protocol::Graph).lose);
        assert!(!state.decide(Protocol::Graph).lose);
    }
}

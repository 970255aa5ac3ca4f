//! The control API over HTTP, `/_emulator/...`, JSON in and out; the routes are listed in
//! `docs/emulator.md` ("Control API and fault knobs").
//!
//! Invariants: no authentication (the emulator binds loopback only); every change is made
//! under one store lock; answers never contain a secret, token or password.

use std::time::Duration;

use axum::Json;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{PREFIX, Protocol};
use crate::graph::delta_behaviour::DeltaBehaviour;
use crate::server::Shared;
use crate::store::State;

/// Largest control request body.
const MAX_BODY: usize = 64 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Latency {
    ms: u64,
    #[serde(default)]
    protocol: Option<Protocol>,
}

/// `PUT /latency-profile`: Graph's per-request latency (slot held), log-normal; a median of 0
/// removes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    median_ms: u64,
    #[serde(default)]
    p99_ms: u64,
    #[serde(default)]
    seed: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rate {
    protocol: Protocol,
    #[serde(default = "default_status")]
    status: u16,
    rate: f64,
}

fn default_status() -> u16 {
    500
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Seed {
    seed: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Count {
    count: u64,
    /// Requests let through before the faults start.
    #[serde(default)]
    after: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Throttle {
    mailbox: String,
    seconds: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientId {
    client_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Lifetime {
    seconds: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EwsSwitch {
    tenant: String,
    enabled: bool,
}

fn answer(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

fn bad(message: impl Into<String>) -> Response {
    answer(StatusCode::BAD_REQUEST, json!({"error": message.into()}))
}

fn done() -> Response {
    answer(StatusCode::OK, json!({"ok": true}))
}

/// Serves one control request.
pub(super) async fn serve(shared: &Shared, request: Request) -> Response {
    let method = request.method().clone();
    let path = request
        .uri()
        .path()
        .strip_prefix(PREFIX)
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_owned();
    let bytes = match axum::body::to_bytes(request.into_body(), MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return bad("the body is larger than 64 KiB"),
    };
    let mut state = shared.store.lock();
    match (method, path.as_str()) {
        (Method::GET, "/requests") => {
            let counts = state.control.counts();
            let total: u64 = counts.iter().map(|c| c.count).sum();
            answer(StatusCode::OK, json!({"total": total, "requests": counts}))
        }
        (Method::DELETE, "/requests") => {
            state.control.counts.clear();
            done()
        }
        (Method::GET, "/faults") => answer(StatusCode::OK, state.control.faults_json()),
        (Method::DELETE, "/faults") => {
            state.control.clear();
            done()
        }
        (Method::PUT, "/latency") => with(&bytes, |l: Latency| {
            state
                .control
                .set_latency(l.protocol, Duration::from_millis(l.ms));
            done()
        }),
        (Method::PUT, "/latency-profile") => with(&bytes, |p: Profile| {
            let limits = &mut state.graph.limits;
            if p.median_ms == 0 {
                limits.set_latency(Duration::ZERO);
            } else if p.p99_ms < p.median_ms {
                return bad("p99_ms must be at least median_ms");
            } else {
                limits.set_latency_profile(crate::graph::latency::LatencyProfile {
                    median: Duration::from_millis(p.median_ms),
                    p99: Duration::from_millis(p.p99_ms),
                    seed: p.seed,
                });
            }
            done()
        }),
        (Method::PUT, "/error-rate") => with(&bytes, |r: Rate| {
            match state.control.set_rate(r.protocol, r.status, r.rate) {
                Ok(()) => done(),
                Err(e) => bad(e.to_string()),
            }
        }),
        (Method::PUT, "/seed") => with(&bytes, |s: Seed| {
            state.control.reseed(s.seed);
            done()
        }),
        (Method::POST, "/drop-connections") => with(&bytes, |c: Count| {
            state.control.drop_next = c.count;
            state.control.drop_skip = c.after;
            done()
        }),
        (Method::POST, "/lose-answers") => with(&bytes, |c: Count| {
            state.control.lose_next = c.count;
            state.control.lose_skip = c.after;
            done()
        }),
        (Method::POST, "/throttle") => with(&bytes, |t: Throttle| throttle(&mut state, &t)),
        (Method::GET, "/graph-delta") => {
            let current = serde_json::to_value(&state.graph.delta.behaviour).unwrap_or_default();
            answer(StatusCode::OK, current)
        }
        (Method::PUT, "/graph-delta") => with(&bytes, |b: DeltaBehaviour| {
            state.graph.delta.behaviour = b;
            done()
        }),
        (Method::POST, "/expire-delta-tokens") => {
            state.graph.expire_delta_tokens();
            done()
        }
        (Method::POST, "/expire-sync-states") => {
            state.control.expire_sync_states();
            done()
        }
        (Method::PUT, "/ews") => with(&bytes, |e: crate::ews::EwsSettings| {
            state.ews.apply(&e);
            done()
        }),
        (Method::POST, "/drop-subscriptions") => {
            state.ews.drop_subscriptions();
            done()
        }
        (Method::PUT, "/ews-enabled") => with(&bytes, |e: EwsSwitch| switch_ews(&mut state, &e)),
        (Method::POST, "/expire-client-secret") => with(&bytes, |c: ClientId| {
            expire_secrets(&mut state, &c.client_id)
        }),
        (Method::PUT, "/token-lifetime") => with(&bytes, |l: Lifetime| {
            if l.seconds < 1 {
                return bad("seconds must be at least 1");
            }
            state.token_lifetime = chrono::Duration::seconds(l.seconds);
            done()
        }),
        _ => answer(
            StatusCode::NOT_FOUND,
            json!({"error": "no such control route; see docs/emulator.md, \"Control API\""}),
        ),
    }
}

/// Parses the JSON body and runs `f`, or answers 400 naming what is wrong.
fn with<T: DeserializeOwned>(bytes: &[u8], f: impl FnOnce(T) -> Response) -> Response {
    match serde_json::from_slice(bytes) {
        Ok(value) => f(value),
        Err(e) => bad(format!("body: {e}")),
    }
}

fn throttle(state: &mut State, t: &Throttle) -> Response {
    let found = state.org.tenants.iter().find_map(|x| x.mailbox(&t.mailbox));
    match found.map(|m| m.id.clone()) {
        Some(id) => {
            state.graph.limits.throttle_now(&id, t.seconds);
            done()
        }
        None => answer(
            StatusCode::NOT_FOUND,
            json!({"error": "no such mailbox (give its id, UPN or address)"}),
        ),
    }
}

fn switch_ews(state: &mut State, e: &EwsSwitch) -> Response {
    match crate::ews::switch_ews(state, &e.tenant, e.enabled) {
        Ok(()) => done(),
        Err(_) => answer(
            StatusCode::NOT_FOUND,
            json!({"error": "no such tenant (give its id or domain)"}),
        ),
    }
}

fn expire_secrets(state: &mut State, client_id: &str) -> Response {
    let now = Utc::now();
    let apps = state
        .org
        .tenants
        .iter_mut()
        .flat_map(|t| t.apps.iter_mut())
        .filter(|a| a.client_id.eq_ignore_ascii_case(client_id));
    let mut found = false;
    for app in apps {
        found = true;
        app.secrets
            .iter_mut()
            .for_each(|s| s.expires = s.expires.min(now));
    }
    if found {
        done()
    } else {
        answer(StatusCode::NOT_FOUND, json!({"error": "no such client id"}))
    }
}

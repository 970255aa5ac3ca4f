//! The admin endpoint: `/healthz`, `/readyz`, `/metrics` and `/status` over HTTP.
//!
//! Invariant: the endpoint never listens on a non-loopback address without a token; with a
//! token, every route but `/healthz` answers 401 unless the request carries
//! `Authorization: Bearer <token>` (compared in constant time), and the token is never logged.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;

use crate::metrics::{CONTENT_TYPE, render_metrics};
use crate::status::StatusBoard;

/// Why the admin endpoint could not serve.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// A non-loopback address without a token.
    #[error(
        "the admin endpoint would listen on {addr}, which is not a loopback address, without a \
         token: set `admin.token` or bind it to 127.0.0.1"
    )]
    TokenRequired {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// Binding or serving failed.
    #[error("the admin endpoint on {addr} failed: {source}")]
    Io {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
}

/// Whether the daemon is ready (state store and business database reachable); shared
/// between the daemon (writer) and `/readyz` (reader). Starts not ready.
#[derive(Debug, Clone)]
pub struct Readiness {
    inner: Arc<Mutex<Result<(), String>>>,
}

impl Default for Readiness {
    fn default() -> Self {
        Readiness {
            inner: Arc::new(Mutex::new(Err("starting".to_owned()))),
        }
    }
}

impl Readiness {
    /// Not ready yet ("starting").
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks the daemon ready.
    pub fn set_ready(&self) {
        *self.lock() = Ok(());
    }

    /// Marks the daemon not ready, with the reason `/readyz` reports.
    pub fn set_not_ready(&self, reason: impl Into<String>) {
        *self.lock() = Err(reason.into());
    }

    /// `Ok` when ready, else the reason.
    pub fn current(&self) -> Result<(), String> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Result<(), String>> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[derive(Clone)]
struct AdminState {
    board: StatusBoard,
    readiness: Readiness,
}

/// The admin routes, without authentication (see [`serve`] for the token check).
pub fn admin_router(board: StatusBoard, readiness: Readiness) -> Router {
    Router::new()
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/status", get(status))
        .with_state(AdminState { board, readiness })
}

/// Serves the admin endpoint on `addr` until `shutdown` completes.
///
/// Refuses a non-loopback `addr` without a token before binding anything.
pub async fn serve(
    addr: SocketAddr,
    token: Option<SecretString>,
    board: StatusBoard,
    readiness: Readiness,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AdminError> {
    require_token_off_loopback(addr, token.as_ref())?;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| AdminError::Io { addr, source })?;
    serve_listener(listener, token, board, readiness, shutdown).await
}

/// Serves the admin endpoint on an already bound listener until `shutdown` completes.
pub async fn serve_listener(
    listener: TcpListener,
    token: Option<SecretString>,
    board: StatusBoard,
    readiness: Readiness,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), AdminError> {
    let addr = listener.local_addr().map_err(|source| AdminError::Io {
        addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        source,
    })?;
    // An empty token would let `Authorization: Bearer ` through: treat it as no token.
    let token = token.filter(|t| !t.expose_secret().is_empty());
    require_token_off_loopback(addr, token.as_ref())?;
    let mut protected = admin_router(board, readiness);
    if let Some(token) = token {
        let token = Arc::new(token);
        protected = protected.layer(middleware::from_fn_with_state(token, require_bearer));
    }
    let app = Router::new()
        .route("/healthz", get(healthz))
        .merge(protected);
    tracing::info!(%addr, "admin endpoint listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| AdminError::Io { addr, source })
}

fn require_token_off_loopback(
    addr: SocketAddr,
    token: Option<&SecretString>,
) -> Result<(), AdminError> {
    let has_token = token.is_some_and(|t| !t.expose_secret().is_empty());
    if addr.ip().is_loopback() || has_token {
        Ok(())
    } else {
        Err(AdminError::TokenRequired { addr })
    }
}

async fn require_bearer(
    State(token): State<Arc<SecretString>>,
    request: Request,
    next: Next,
) -> Response {
    if bearer_matches(request.headers(), &token) {
        next.run(request).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a valid admin token is required\n",
        )
            .into_response()
    }
}

fn bearer_matches(headers: &HeaderMap, token: &SecretString) -> bool {
    let Some(presented) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.as_bytes().strip_prefix(b"Bearer "))
    else {
        return false;
    };
    constant_time_eq(presented, token.expose_secret().as_bytes())
}

/// Compares without an early exit on the first differing byte (the length may leak).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<AdminState>) -> Response {
    match state.readiness.current() {
        Ok(()) => (StatusCode::OK, "ready\n".to_owned()).into_response(),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {reason}\n"),
        )
            .into_response(),
    }
}

async fn metrics(State(state): State<AdminState>) -> Response {
    let now = Utc::now();
    let text = render_metrics(&state.board.snapshot(now), now);
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response()
}

async fn status(State(state): State<AdminState>) -> Response {
    axum::Json(state.board.snapshot(Utc::now())).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_equal_only_when_identical() {
        assert!(constant_time_eq(b"s3cret", b"s3cret"));
        assert!(!constant_time_eq(b"s3cret", b"s3creT"));
        assert!(!constant_time_eq(b"s3cret", b"s3cre"));
    }

    #[test]
    fn loopback_needs_no_token_but_any_other_address_does() {
        let v6_loopback: SocketAddr = "[::1]:9000".parse().expect("address");
        assert!(require_token_off_loopback(v6_loopback, None).is_ok());
        let public: SocketAddr = "0.0.0.0:9000".parse().expect("address");
        let empty = SecretString::from(String::new());
        assert!(require_token_off_loopback(public, Some(&empty)).is_err());
        let token = SecretString::from("t".to_owned());
        assert!(require_token_off_loopback(public, Some(&token)).is_ok());
    }
}

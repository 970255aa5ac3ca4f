//! The admin endpoint: `/healthz`, `/readyz`, `/metrics` and `/status` over HTTP.
//!
//! Invariants: the endpoint never listens on a non-loopback address without a token; with a
//! token, every route but `/healthz` answers 401 unless the request carries
//! `Authorization: Bearer <token>` (compared in constant time), and the token is never logged.
//! Texts meant for people (the 401 and `/readyz` answers, the credential's `message` in
//! `/status`) are in the language the request's `Accept-Language` prefers, else in the
//! process's; JSON field names, `/healthz`'s `ok` and the metrics stay as they are.

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
use exsync_i18n::{Lang, tr, tr_in};
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpListener;

use crate::metrics::{CONTENT_TYPE, render_metrics};
use crate::status::StatusBoard;

/// Why the admin endpoint could not serve.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// A non-loopback address without a token.
    #[error("{}", tr!("admin-token-required", addr = .addr.to_string()))]
    TokenRequired {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// Binding or serving failed.
    #[error("{}", tr!("admin-io-failed", addr = .addr.to_string(), error = .source.to_string()))]
    Io {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
}

/// Why the daemon is not ready, as `/readyz` says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    /// The daemon has not finished starting.
    Starting,
    /// The users of the business database cannot be read (the cause).
    RosterUnreadable(String),
    /// The mailbox leases cannot be renewed (the cause).
    LeasesFailed(String),
    /// Renewing the mailbox leases takes too long.
    LeasesSlow,
    /// Another reason, in words (shown as it is).
    Other(String),
}

impl NotReady {
    /// The reason in `lang` (a cause from below stays in its own words).
    pub fn text(&self, lang: Lang) -> String {
        match self {
            NotReady::Starting => tr_in!(lang, "admin-not-ready-starting"),
            NotReady::RosterUnreadable(error) => {
                tr_in!(lang, "admin-not-ready-roster", error = error)
            }
            NotReady::LeasesFailed(error) => tr_in!(lang, "admin-not-ready-leases", error = error),
            NotReady::LeasesSlow => tr_in!(lang, "admin-not-ready-leases-slow"),
            NotReady::Other(reason) => reason.clone(),
        }
    }
}

impl From<String> for NotReady {
    fn from(reason: String) -> Self {
        NotReady::Other(reason)
    }
}

impl From<&str> for NotReady {
    fn from(reason: &str) -> Self {
        NotReady::Other(reason.to_owned())
    }
}

/// Whether the daemon is ready (state store and business database reachable); shared
/// between the daemon (writer) and `/readyz` (reader). Starts not ready.
#[derive(Debug, Clone)]
pub struct Readiness {
    inner: Arc<Mutex<Result<(), NotReady>>>,
}

impl Default for Readiness {
    fn default() -> Self {
        Readiness {
            inner: Arc::new(Mutex::new(Err(NotReady::Starting))),
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
    pub fn set_not_ready(&self, reason: impl Into<NotReady>) {
        *self.lock() = Err(reason.into());
    }

    /// `Ok` when ready, else the reason.
    pub fn current(&self) -> Result<(), NotReady> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Result<(), NotReady>> {
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
        let lang = request_lang(request.headers());
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            format!("{}\n", tr_in!(lang, "admin-token-missing")),
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

/// The language of a request: the one its `Accept-Language` prefers among those the catalogue
/// has; the process's language when it names none of them (or there is no such header).
fn request_lang(headers: &HeaderMap) -> Lang {
    let Some(accepted) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
    else {
        return exsync_i18n::lang();
    };
    let names_a_known_language = accepted
        .split(',')
        .any(|part| Lang::parse(part.split(';').next().unwrap_or_default()).is_some());
    if names_a_known_language {
        Lang::from_accept_language(accepted)
    } else {
        exsync_i18n::lang()
    }
}

async fn readyz(State(state): State<AdminState>, headers: HeaderMap) -> Response {
    let lang = request_lang(&headers);
    match state.readiness.current() {
        Ok(()) => (StatusCode::OK, format!("{}\n", tr_in!(lang, "admin-ready"))).into_response(),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "{}\n",
                tr_in!(lang, "admin-not-ready", reason = reason.text(lang))
            ),
        )
            .into_response(),
    }
}

async fn metrics(State(state): State<AdminState>) -> Response {
    let now = Utc::now();
    let text = render_metrics(&state.board.snapshot(now), now);
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response()
}

async fn status(State(state): State<AdminState>, headers: HeaderMap) -> Response {
    let lang = request_lang(&headers);
    let mut snapshot = state.board.snapshot(Utc::now());
    if let Some(credential) = snapshot.credential.as_mut() {
        credential.message = Some(credential.text(lang));
    }
    axum::Json(snapshot).into_response()
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
    fn the_request_language_follows_accept_language_else_the_process() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::ACCEPT_LANGUAGE,
                value.parse().expect("header value"),
            );
            request_lang(&headers)
        };
        assert_eq!(with("de-DE,de;q=0.9,en;q=0.8"), Lang::German);
        assert_eq!(with("en-US,de;q=0.5"), Lang::English);
        // Unit tests never change the process language: it is English here.
        assert_eq!(with("fr-FR"), exsync_i18n::lang());
        assert_eq!(request_lang(&HeaderMap::new()), exsync_i18n::lang());
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

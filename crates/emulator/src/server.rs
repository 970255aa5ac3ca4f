//! Starting and stopping the emulator: binds a listener, serves the token endpoint and Graph
//! on one axum router, and hands back an [`EmulatorHandle`] with the URLs and credentials of the
//! built-in organisation (the JSON line of issue 3, see [`Description`]).
//!
//! Invariant: the server task stops when the handle is stopped or dropped; nothing outlives it.
//! Request logging records method, path and status only: no headers (tokens), no bodies
//! (secrets).

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::post;
use chrono::{Duration, Utc};
use serde::Serialize;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::org::{Mailbox, Organisation};
use crate::store::Store;
use crate::{graph, token_endpoint};

/// State shared by every request handler.
#[derive(Debug, Clone)]
pub(crate) struct Shared {
    /// The one store.
    pub(crate) store: Store,
    /// `http://HOST:PORT`, without a trailing slash.
    pub(crate) base_url: Arc<str>,
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The organisation has no tenant with an app that has a secret, so there is nothing to
    /// describe on start.
    #[error("the organisation needs at least one tenant with an app that has a client secret")]
    EmptyOrganisation,
}

/// Entry point: `Emulator::start(addr)`.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// Serves the built-in sample organisation on `listen` (port 0 = any free port).
    pub async fn start(listen: SocketAddr) -> Result<EmulatorHandle, StartError> {
        Self::start_with(listen, Organisation::sample()).await
    }

    /// Serves `org` on `listen`. Its first tenant, that tenant's first app and the app's first
    /// secret are the ones [`EmulatorHandle::describe`] reports.
    pub async fn start_with(
        listen: SocketAddr,
        org: Organisation,
    ) -> Result<EmulatorHandle, StartError> {
        let describable = org
            .tenants
            .first()
            .and_then(|t| t.apps.first())
            .is_some_and(|a| !a.secrets.is_empty());
        if !describable {
            return Err(StartError::EmptyOrganisation);
        }
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| StartError::Bind {
                addr: listen,
                source,
            })?;
        let mut addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: listen,
            source,
        })?;
        if addr.ip().is_unspecified() {
            addr.set_ip(Ipv4Addr::LOCALHOST.into());
        }
        let store = Store::new(org);
        let shared = Shared {
            store: store.clone(),
            base_url: format!("http://{addr}").into(),
        };
        let app = router(shared);
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop_rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::warn!(error = %e, "emulator stopped serving");
            }
        });
        tracing::info!(%addr, "emulator listening");
        Ok(EmulatorHandle {
            addr,
            store,
            stop: Some(stop_tx),
            task: Some(task),
        })
    }
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token_endpoint::token))
        .nest("/v1.0", graph::router(&shared))
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            crate::ews::intercept,
        ))
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            crate::control::faults,
        ))
        .layer(middleware::from_fn(log_request))
        .with_state(shared)
}

async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    tracing::debug!(%method, %path, status = response.status().as_u16(), "request");
    response
}

/// A running emulator. Dropping it stops the server.
pub struct EmulatorHandle {
    addr: SocketAddr,
    store: Store,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// The JSON line printed on start (issue 3's contract).
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Description {
    /// Graph base URL, `http://127.0.0.1:PORT/v1.0`.
    pub graph_url: String,
    /// Token endpoint of the sample tenant.
    pub token_url: String,
    /// EWS endpoint.
    pub ews_url: String,
    /// Tenant id.
    pub tenant_id: String,
    /// Client id of the sample app.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// EWS service account user name.
    pub ews_username: String,
    /// Its password.
    pub ews_password: String,
    /// The mailboxes' SMTP addresses.
    pub mailboxes: Vec<String>,
}

impl fmt::Debug for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Description")
            .field("graph_url", &self.graph_url)
            .field("token_url", &self.token_url)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("ews_username", &self.ews_username)
            .field("ews_password", &"<redacted>")
            .field("mailboxes", &self.mailboxes)
            .finish()
    }
}

impl Description {
    /// The one JSON line (no trailing newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl EmulatorHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/v1.0`.
    pub fn graph_url(&self) -> String {
        format!("{}/v1.0", self.base_url())
    }

    /// `http://127.0.0.1:PORT/EWS/Exchange.asmx`.
    pub fn ews_url(&self) -> String {
        format!("{}/EWS/Exchange.asmx", self.base_url())
    }

    /// The token URL of the first tenant.
    pub fn token_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.base_url(), self.tenant_id())
    }

    /// The first tenant's id.
    pub fn tenant_id(&self) -> String {
        let state = self.store.lock();
        state
            .org
            .tenants
            .first()
            .map(|t| t.id.clone())
            .unwrap_or_default()
    }

    /// Client id of the first tenant's first app.
    pub fn client_id(&self) -> String {
        let state = self.store.lock();
        let app = state.org.tenants.first().and_then(|t| t.apps.first());
        app.map(|a| a.client_id.clone()).unwrap_or_default()
    }

    /// The first client secret of that app.
    pub fn client_secret(&self) -> String {
        let state = self.store.lock();
        let app = state.org.tenants.first().and_then(|t| t.apps.first());
        let secret = app.and_then(|a| a.secrets.first());
        secret.map(|s| s.value.clone()).unwrap_or_default()
    }

    /// The first tenant's mailboxes.
    pub fn mailboxes(&self) -> Vec<Mailbox> {
        let state = self.store.lock();
        let tenant = state.org.tenants.first();
        tenant.map(|t| t.mailboxes.clone()).unwrap_or_default()
    }

    /// The store behind the server (for knobs and white-box checks in tests).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The JSON line of issue 3.
    pub fn describe(&self) -> Description {
        let state = self.store.lock();
        let tenant = state.org.tenants.first();
        let app = tenant.and_then(|t| t.apps.first());
        Description {
            graph_url: self.graph_url(),
            token_url: format!(
                "{}/{}/oauth2/v2.0/token",
                self.base_url(),
                tenant.map(|t| t.id.as_str()).unwrap_or_default()
            ),
            ews_url: self.ews_url(),
            tenant_id: tenant.map(|t| t.id.clone()).unwrap_or_default(),
            client_id: app.map(|a| a.client_id.clone()).unwrap_or_default(),
            client_secret: app
                .and_then(|a| a.secrets.first())
                .map(|s| s.value.clone())
                .unwrap_or_default(),
            ews_username: tenant
                .map(|t| t.ews_account.username.clone())
                .unwrap_or_default(),
            ews_password: tenant
                .map(|t| t.ews_account.password.clone())
                .unwrap_or_default(),
            mailboxes: tenant
                .map(|t| t.mailboxes.iter().map(|m| m.mail.clone()).collect())
                .unwrap_or_default(),
        }
    }

    /// Sets the lifetime of tokens issued from now on (`expires_in`); tests use seconds.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.store.lock().token_lifetime = lifetime;
    }

    /// Lets every client secret of the app `client_id` expire now (any tenant); false when no
    /// such app exists.
    pub fn expire_client_secrets(&self, client_id: &str) -> bool {
        let mut state = self.store.lock();
        let now = Utc::now();
        let mut found = false;
        for tenant in &mut state.org.tenants {
            for app in tenant.apps.iter_mut().filter(|a| a.client_id == client_id) {
                found = true;
                for secret in &mut app.secrets {
                    secret.expires = secret.expires.min(now);
                }
            }
        }
        found
    }

    /// Replaces the granted application permissions of the app `client_id` (tokens issued
    /// afterwards carry the new `roles`); false when no such app exists.
    pub fn set_permissions(&self, client_id: &str, permissions: &[&str]) -> bool {
        let mut state = self.store.lock();
        let mut found = false;
        for tenant in &mut state.org.tenants {
            for app in tenant.apps.iter_mut().filter(|a| a.client_id == client_id) {
                found = true;
                app.permissions = permissions.iter().map(|p| (*p).to_owned()).collect();
            }
        }
        found
    }

    /// Forgets every Graph delta state token: following any `@odata.nextLink` or
    /// `@odata.deltaLink` issued so far answers 410 `SyncStateNotFound`.
    pub fn expire_delta_tokens(&self) {
        self.store.lock().graph.expire_delta_tokens();
    }

    /// How Graph `calendarView/delta` answers from now on (bare occurrences, cancelled
    /// occurrences, `@removed` outside the window, series masters, empty pages, link
    /// generations); the default is Exchange Online's behaviour, `DeltaBehaviour::tidy()` the
    /// emulator's behaviour before issue 11.
    pub fn set_graph_delta(&self, behaviour: crate::graph::delta_behaviour::DeltaBehaviour) {
        self.store.lock().graph.delta.behaviour = behaviour;
    }

    /// The current `calendarView/delta` behaviour.
    pub fn graph_delta(&self) -> crate::graph::delta_behaviour::DeltaBehaviour {
        self.store.lock().graph.delta.behaviour.clone()
    }

    /// Makes every Graph request to `mailbox` (id, UPN or address) answer 429
    /// `ApplicationThrottled` with `Retry-After` for the next `seconds`; false if unknown.
    pub fn throttle_now(&self, mailbox: &str, seconds: u64) -> bool {
        let mut state = self.store.lock();
        let id = state
            .org
            .tenants
            .iter()
            .find_map(|t| t.mailbox(mailbox))
            .map(|m| m.id.clone());
        match id {
            Some(id) => {
                state.graph.limits.throttle_now(&id, seconds);
                true
            }
            None => false,
        }
    }

    /// Sets the Graph request budget per app and mailbox per 10 minutes (10,000 by default).
    pub fn set_request_budget(&self, requests: usize) {
        self.store.lock().graph.limits.set_budget(requests);
    }

    /// Adds latency to every Graph request counted against a mailbox (it holds its
    /// concurrency slot meanwhile); zero by default.
    pub fn set_latency(&self, latency: std::time::Duration) {
        self.store.lock().graph.limits.set_latency(latency);
    }

    /// Draws the latency of every Graph request counted against a mailbox from `profile`
    /// (log-normal, seeded; each inner request of a `$batch` draws its own). `set_latency`
    /// goes back to a fixed latency.
    pub fn set_latency_profile(&self, profile: crate::graph::latency::LatencyProfile) {
        self.store.lock().graph.limits.set_latency_profile(profile);
    }

    /// Stops serving and waits for the server task to end.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

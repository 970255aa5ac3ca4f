//! [`TokenProvider`]: app-only access tokens per scope, cached and refreshed before expiry.
//!
//! A cached token is handed out until its refresh time: 5 minutes before `expires_in` runs
//! out, or at half its lifetime for tokens shorter than 10 minutes. Each scope has one slot
//! behind an async mutex, so when a refresh is due exactly one caller asks Entra ID and the
//! others wait for its answer (single-flight). A failed refresh is handed to the callers that
//! were waiting for it too, so ten callers with a wrong secret make one request, not ten.
//!
//! Invariant: a token leaves this module only as an [`AccessToken`], whose `Debug` is
//! redacted; the provider's own `Debug` shows neither the credential nor a token.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use exsync_config::OnlineConfig;
use secrecy::{ExposeSecret, SecretString};

use super::credential::Credential;
use super::endpoint::{RetryPolicy, TokenEndpoint};
use super::error::AuthError;

/// The Microsoft Graph scope for app-only access (`.default` = the granted app permissions).
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
/// The Exchange Online (EWS) scope for app-only access.
pub const EXCHANGE_ONLINE_SCOPE: &str = "https://outlook.office365.com/.default";

/// Refresh this long before a token expires…
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// An access token (for the `Authorization: Bearer` header). `Debug` does not show it.
#[derive(Clone)]
pub struct AccessToken {
    token: SecretString,
    expires_at: Instant,
}

impl AccessToken {
    /// The token itself; expose it only into the `Authorization` header.
    pub fn secret(&self) -> &SecretString {
        &self.token
    }

    /// When Entra ID said it runs out.
    pub fn expires_at(&self) -> Instant {
        self.expires_at
    }

    fn same_token(&self, other: &AccessToken) -> bool {
        self.token.expose_secret() == other.token.expose_secret()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A cached token and when to replace it.
struct Cached {
    token: AccessToken,
    refresh_at: Instant,
}

/// One scope's cache entry.
#[derive(Default)]
struct Slot {
    /// The token; the lock is held across a refresh (single-flight).
    cached: tokio::sync::Mutex<Option<Cached>>,
    /// Refresh attempts finished (success or failure).
    finished: AtomicU64,
    /// The last attempt's error, with the value of `finished` it was stored under.
    last_error: Mutex<Option<(u64, AuthError)>>,
}

/// Hands out app-only access tokens for the configured app. Cheap to clone (shared cache).
#[derive(Clone)]
pub struct TokenProvider {
    endpoint: Arc<TokenEndpoint>,
    slots: Arc<Mutex<HashMap<String, Arc<Slot>>>>,
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenProvider")
            .field("token_url", &self.endpoint.token_url)
            .field("client_id", &self.endpoint.client_id)
            .field("credential", &self.endpoint.credential)
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    /// A provider for `[exchange.online]`: its token URL, client id and credential (a
    /// certificate file is loaded now).
    pub fn from_config(config: &OnlineConfig) -> Result<Self, AuthError> {
        let credential = Credential::from_config(&config.credential)?;
        Ok(Self::new(
            config.token_url(),
            config.client_id.clone(),
            credential,
        ))
    }

    /// A provider from plain parts (tests use the emulator's token URL).
    pub fn new(token_url: String, client_id: String, credential: Credential) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        Self::with_http_client(token_url, client_id, credential, http)
    }

    /// As [`Self::new`] with a given HTTP client (TLS, proxy settings).
    pub fn with_http_client(
        token_url: String,
        client_id: String,
        credential: Credential,
        http: reqwest::Client,
    ) -> Self {
        Self {
            endpoint: Arc::new(TokenEndpoint {
                http,
                token_url,
                client_id,
                credential,
                retry: RetryPolicy::default(),
            }),
            slots: Arc::default(),
        }
    }

    /// Replaces how transient failures are retried (before first use; clones made earlier
    /// keep the old policy).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        let mut endpoint = (*self.endpoint).clone();
        endpoint.retry = retry;
        self.endpoint = Arc::new(endpoint);
        self
    }

    /// The token endpoint asked.
    pub fn token_url(&self) -> &str {
        &self.endpoint.token_url
    }

    /// A token for `scope` (e.g. [`GRAPH_SCOPE`]): the cached one while it is fresh, else a
    /// new one, fetched by one caller while the others wait.
    pub async fn token(&self, scope: &str) -> Result<AccessToken, AuthError> {
        let slot = self.slot(scope);
        let seen = slot.finished.load(Ordering::Acquire);
        let mut cached = slot.cached.lock().await;
        if let Some(c) = cached.as_ref().filter(|c| Instant::now() < c.refresh_at) {
            return Ok(c.token.clone());
        }
        // Someone else's refresh finished while we waited and failed: share its answer.
        if slot.finished.load(Ordering::Acquire) != seen {
            let last = slot
                .last_error
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some((_, error)) = last.as_ref() {
                return Err(error.clone());
            }
        }
        let asked_at = Instant::now();
        let result = self.endpoint.request(scope).await;
        let generation = slot.finished.fetch_add(1, Ordering::AcqRel) + 1;
        let mut last = slot
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok(issued) => {
                *last = None;
                let token = AccessToken {
                    token: issued.access_token,
                    expires_at: asked_at + issued.expires_in,
                };
                tracing::debug!(
                    scope,
                    expires_in_s = issued.expires_in.as_secs(),
                    "token obtained"
                );
                *cached = Some(Cached {
                    refresh_at: asked_at + refresh_after(issued.expires_in, issued.refresh_in),
                    token: token.clone(),
                });
                Ok(token)
            }
            Err(error) => {
                *last = Some((generation, error.clone()));
                Err(error)
            }
        }
    }

    /// Forgets `rejected` (the token a resource answered 401 to), so the next
    /// [`Self::token`] fetches a new one. A newer token cached meanwhile is kept.
    pub async fn invalidate(&self, scope: &str, rejected: &AccessToken) {
        let slot = self.slot(scope);
        let mut cached = slot.cached.lock().await;
        if cached
            .as_ref()
            .is_some_and(|c| c.token.same_token(rejected))
        {
            *cached = None;
        }
    }

    fn slot(&self, scope: &str) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(slots.entry(scope.to_owned()).or_default())
    }
}

/// How long after issue a token of `lifetime` is replaced: 5 minutes before it runs out, or
/// at half-life for tokens shorter than 10 minutes (whichever is later); earlier when Entra
/// sent `refresh_in` (MSAL's "duration after which a token should be renewed").
pub(crate) fn refresh_after(lifetime: Duration, refresh_in: Option<Duration>) -> Duration {
    let own = lifetime.saturating_sub(REFRESH_MARGIN).max(lifetime / 2);
    refresh_in.map_or(own, |hint| hint.min(own))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_tokens_are_refreshed_five_minutes_early() {
        assert_eq!(
            refresh_after(Duration::from_secs(3599), None),
            Duration::from_secs(3299)
        );
    }

    #[test]
    fn short_tokens_are_refreshed_at_half_life() {
        assert_eq!(
            refresh_after(Duration::from_secs(120), None),
            Duration::from_secs(60)
        );
        assert_eq!(
            refresh_after(Duration::from_secs(600), None),
            Duration::from_secs(300)
        );
        assert_eq!(refresh_after(Duration::ZERO, None), Duration::ZERO);
    }

    #[test]
    fn entras_refresh_hint_can_only_bring_the_refresh_forward() {
        let long = Duration::from_secs(86_399);
        let hint = Duration::from_secs(43_200);
        assert_eq!(refresh_after(long, Some(hint)), hint);
        assert_eq!(
            refresh_after(Duration::from_secs(3599), Some(long)),
            Duration::from_secs(3299)
        );
    }

    #[test]
    fn access_tokens_do_not_show_in_debug() {
        let token = AccessToken {
            token: SecretString::from("eyJ-secret-token"),
            expires_at: Instant::now(),
        };
        let shown = format!("{token:?}");
        assert!(!shown.contains("eyJ"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }
}

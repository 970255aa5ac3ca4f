//! [`TokenProvider`]: app-only access tokens per scope, cached and refreshed before expiry.
//!
//! A cached token is handed out until its refresh time: 5 minutes before `expires_in` runs
//! out, or at half its lifetime for tokens shorter than 10 minutes. Each scope has one slot
//! behind an async mutex, so when a refresh is due exactly one caller asks Entra ID and the
//! others wait for its answer (single-flight). A failed refresh is handed to the callers that
//! were waiting for it too, so ten callers with a wrong secret make one request, not ten.
//!
//! [`TokenProvider::reload`] replaces the app's sign-in settings (token URL, client id,
//! credential) of a running provider and all its clones, e.g. a new client secret read on
//! SIGHUP: tokens cached under the old settings are no longer handed out, so the next token
//! request is made with the new credential.
//!
//! Invariant: a token leaves this module only as an [`AccessToken`], whose `Debug` is
//! redacted; the provider's own `Debug` shows neither the credential nor a token; a token is
//! handed out only while the settings it was obtained with are current.

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
    /// The [`Settings::generation`] it was obtained with.
    generation: u64,
}

/// The endpoint currently asked, and how often it was replaced.
struct Settings {
    endpoint: Arc<TokenEndpoint>,
    generation: u64,
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

/// Hands out app-only access tokens for the configured app. Cheap to clone (shared cache and
/// settings).
#[derive(Clone)]
pub struct TokenProvider {
    settings: Arc<Mutex<Settings>>,
    slots: Arc<Mutex<HashMap<String, Arc<Slot>>>>,
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (endpoint, _) = self.current();
        f.debug_struct("TokenProvider")
            .field("token_url", &endpoint.token_url)
            .field("client_id", &endpoint.client_id)
            .field("credential", &endpoint.credential)
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
        let http = crate::tls::http_client_builder()
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
        let endpoint = Arc::new(TokenEndpoint {
            http,
            token_url,
            client_id,
            credential,
            retry: RetryPolicy::default(),
        });
        Self {
            settings: Arc::new(Mutex::new(Settings {
                endpoint,
                generation: 0,
            })),
            slots: Arc::default(),
        }
    }

    /// Replaces how transient failures are retried (before first use: it applies to this
    /// provider and every clone of it).
    pub fn with_retry_policy(self, retry: RetryPolicy) -> Self {
        {
            let mut settings = self.lock_settings();
            let mut endpoint = (*settings.endpoint).clone();
            endpoint.retry = retry;
            settings.endpoint = Arc::new(endpoint);
        }
        self
    }

    /// The token endpoint asked.
    pub fn token_url(&self) -> String {
        self.current().0.token_url.clone()
    }

    /// Replaces the token URL, the client id and the credential (e.g. a new client secret
    /// after SIGHUP) for this provider and every clone. When anything differs, the tokens
    /// cached so far are no longer handed out: the next [`Self::token`] asks Entra ID with the
    /// new settings. Returns whether anything differed.
    pub fn reload(&self, token_url: String, client_id: String, credential: Credential) -> bool {
        let mut settings = self.lock_settings();
        let current = &settings.endpoint;
        if current.token_url == token_url
            && current.client_id == client_id
            && current.credential.same_as(&credential)
        {
            return false;
        }
        let endpoint = TokenEndpoint {
            http: current.http.clone(),
            token_url,
            client_id,
            credential,
            retry: current.retry,
        };
        settings.endpoint = Arc::new(endpoint);
        settings.generation += 1;
        true
    }

    /// [`Self::reload`] with the settings of `[exchange.online]` (a certificate file is loaded
    /// now; when that fails nothing changes and the error says why).
    pub fn reload_from_config(&self, config: &OnlineConfig) -> Result<bool, AuthError> {
        let credential = Credential::from_config(&config.credential)?;
        Ok(self.reload(config.token_url(), config.client_id.clone(), credential))
    }

    fn lock_settings(&self) -> std::sync::MutexGuard<'_, Settings> {
        self.settings.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The endpoint to ask now and its generation.
    fn current(&self) -> (Arc<TokenEndpoint>, u64) {
        let settings = self.lock_settings();
        (Arc::clone(&settings.endpoint), settings.generation)
    }

    /// A token for `scope` (e.g. [`GRAPH_SCOPE`]): the cached one while it is fresh, else a
    /// new one, fetched by one caller while the others wait.
    pub async fn token(&self, scope: &str) -> Result<AccessToken, AuthError> {
        let slot = self.slot(scope);
        let seen = slot.finished.load(Ordering::Acquire);
        let mut cached = slot.cached.lock().await;
        let (endpoint, generation) = self.current();
        let fresh = |c: &&Cached| c.generation == generation && Instant::now() < c.refresh_at;
        if let Some(c) = cached.as_ref().filter(fresh) {
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
        let result = endpoint.request(scope).await;
        let finished = slot.finished.fetch_add(1, Ordering::AcqRel) + 1;
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
                    generation,
                });
                Ok(token)
            }
            Err(error) => {
                *last = Some((finished, error.clone()));
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

//! One client-credentials token request against the Microsoft identity platform v2.0 token
//! endpoint (`POST {authority}/{tenant}/oauth2/v2.0/token`, form body), with retries of
//! transient failures.
//!
//! Transient = the endpoint could not be reached, or answered 5xx, or 429 (throttled: for
//! client credentials Entra answers 429 with `Retry-After`, per Microsoft Learn "MSAL.NET
//! client and server throttling"; retried only when `Retry-After` is within
//! [`RetryPolicy::max_delay`], else reported at once). Every other 4xx is final: asking again
//! with the same configuration cannot help. Backoff doubles from [`RetryPolicy::first_delay`]
//! with up to 50% random jitter.
//!
//! Invariant: the form (with the secret or the assertion) is built per attempt and dropped
//! after it; nothing from the form is put into an error, the transfer log gets it with the
//! secret and the assertion redacted (and the answer with the token redacted), and Entra's
//! text is scrubbed of the secret before it reaches an [`AuthError`].

use std::time::Duration;

use chrono::Utc;
use reqwest::StatusCode;
use rsa::rand_core::{OsRng, RngCore};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::assertion::{JWT_BEARER, client_assertion};
use super::credential::Credential;
use super::error::{AuthError, EntraErrorBody, classify_refusal};
use crate::client::transfer::{self, PendingTransfer};

/// How transient failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (at least 1).
    pub attempts: u32,
    /// Delay before the second attempt; doubled for each further one.
    pub first_delay: Duration,
    /// Upper bound of one delay (also caps `Retry-After`).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let base = self
            .first_delay
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_delay);
        let jitter_ms = u64::from(OsRng.next_u32()) % (base.as_millis() as u64 / 2 + 1);
        let backoff = base + Duration::from_millis(jitter_ms);
        retry_after.map_or(backoff, |wait| wait.min(self.max_delay).max(backoff))
    }
}

/// What the app asks with: who, where, how.
#[derive(Debug, Clone)]
pub(crate) struct TokenEndpoint {
    pub(crate) http: reqwest::Client,
    pub(crate) token_url: String,
    pub(crate) client_id: String,
    pub(crate) credential: Credential,
    pub(crate) retry: RetryPolicy,
}

/// A successful answer.
pub(crate) struct IssuedToken {
    pub(crate) access_token: SecretString,
    pub(crate) expires_in: Duration,
    /// `refresh_in`, when Entra sends it: renew after this long whatever the expiry.
    pub(crate) refresh_in: Option<Duration>,
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    #[serde(default)]
    token_type: String,
    expires_in: u64,
    #[serde(default)]
    refresh_in: Option<u64>,
}

/// The outcome of one attempt.
enum Attempt {
    Done(Result<IssuedToken, AuthError>),
    Transient {
        error: AuthError,
        retry_after: Option<Duration>,
    },
}

impl TokenEndpoint {
    /// Asks for a token for `scope`, retrying transient failures.
    pub(crate) async fn request(&self, scope: &str) -> Result<IssuedToken, AuthError> {
        let attempts = self.retry.attempts.max(1);
        let mut attempt = 1;
        loop {
            match self.attempt(scope, attempt).await {
                Attempt::Done(result) => return result,
                Attempt::Transient { error, .. } if attempt >= attempts => return Err(error),
                Attempt::Transient { error, retry_after } => {
                    let wait = self.retry.delay(attempt, retry_after);
                    tracing::warn!(
                        token_url = %self.token_url, attempt, wait_ms = wait.as_millis() as u64,
                        error = %error, "token request failed; retrying"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn attempt(&self, scope: &str, attempt: u32) -> Attempt {
        let mut form: Vec<(&str, SecretString)> = vec![
            ("grant_type", "client_credentials".into()),
            ("client_id", self.client_id.as_str().into()),
            ("scope", scope.into()),
        ];
        match &self.credential {
            Credential::Secret(secret) => form.push(("client_secret", secret.clone())),
            Credential::Certificate(certificate) => {
                form.push(("client_assertion_type", JWT_BEARER.into()));
                form.push((
                    "client_assertion",
                    client_assertion(certificate, &self.client_id, &self.token_url, Utc::now()),
                ));
            }
        }
        let exposed: Vec<(&str, &str)> =
            form.iter().map(|(k, v)| (*k, v.expose_secret())).collect();
        let request_id = uuid::Uuid::new_v4().to_string();
        let transfer = transfer::enabled().then(|| {
            let headers = format!(
                "Content-Type: application/x-www-form-urlencoded; client-request-id: {request_id}; \
                 return-client-request-id: true"
            );
            let body = transfer::form_body(&exposed);
            PendingTransfer::start("POST", &self.token_url, None, headers, body)
        });
        let sent = self
            .http
            .post(&self.token_url)
            .header("client-request-id", request_id)
            .header("return-client-request-id", "true")
            .form(&exposed)
            .send()
            .await;
        drop(exposed);
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                return Attempt::Transient {
                    error: AuthError::Unreachable {
                        token_url: self.token_url.clone(),
                        attempts: attempt,
                        reason: transfer::failed(&transfer, transport_reason(&e)),
                    },
                    retry_after: None,
                };
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) => {
                return Attempt::Transient {
                    error: AuthError::Unreachable {
                        token_url: self.token_url.clone(),
                        attempts: attempt,
                        reason: transfer::failed(&transfer, transport_reason(&e)),
                    },
                    retry_after: None,
                };
            }
        };
        if let Some(transfer) = transfer {
            transfer.finish(status.as_u16(), &body);
        }
        if status.is_success() {
            return Attempt::Done(self.parse_success(&body));
        }
        let entra: EntraErrorBody = serde_json::from_slice(&body).unwrap_or_default();
        if status == StatusCode::TOO_MANY_REQUESTS {
            let error = AuthError::Throttled {
                token_url: self.token_url.clone(),
                retry_after_seconds: retry_after.map(|d| d.as_secs()),
            };
            // Entra asks client-credential callers to wait (typically `Retry-After: 60`);
            // waiting longer than the policy allows is left to the caller's next pass.
            if retry_after.is_some_and(|wait| wait > self.retry.max_delay) {
                return Attempt::Done(Err(error));
            }
            return Attempt::Transient { error, retry_after };
        }
        if status.is_server_error() {
            let detail = match self.scrub(entra.first_line()) {
                d if d.is_empty() => status.canonical_reason().unwrap_or("no detail").to_owned(),
                d => d,
            };
            return Attempt::Transient {
                error: AuthError::ServerError {
                    token_url: self.token_url.clone(),
                    status: status.as_u16(),
                    attempts: attempt,
                    detail,
                },
                retry_after,
            };
        }
        let scrub = |s: String| self.scrub(s);
        Attempt::Done(Err(classify_refusal(
            status.as_u16(),
            &entra,
            &self.client_id,
            &self.token_url,
            &scrub,
        )))
    }

    fn parse_success(&self, body: &[u8]) -> Result<IssuedToken, AuthError> {
        let bad = |reason: &str| AuthError::BadResponse {
            token_url: self.token_url.clone(),
            reason: reason.to_owned(),
        };
        // The body holds the token: serde's error text could quote it, so it is not passed on.
        let parsed: TokenBody = serde_json::from_slice(body)
            .map_err(|_| bad("no JSON with access_token and expires_in"))?;
        if !parsed.token_type.is_empty() && !parsed.token_type.eq_ignore_ascii_case("bearer") {
            return Err(bad("token_type is not Bearer"));
        }
        if parsed.access_token.is_empty() {
            return Err(bad("access_token is empty"));
        }
        Ok(IssuedToken {
            access_token: SecretString::from(parsed.access_token),
            expires_in: Duration::from_secs(parsed.expires_in),
            refresh_in: parsed.refresh_in.map(Duration::from_secs),
        })
    }

    /// Entra's text with the client secret (should Entra ever echo it) blanked out.
    fn scrub(&self, text: String) -> String {
        match &self.credential {
            Credential::Secret(secret) if !secret.expose_secret().is_empty() => {
                text.replace(secret.expose_secret(), "<redacted>")
            }
            _ => text,
        }
    }
}

/// The transport error and its causes, without the URL (named separately) or any body.
fn transport_reason(e: &reqwest::Error) -> String {
    let mut reason = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "the connection failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            attempts: 5,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        };
        let first = policy.delay(1, None);
        assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(150));
        let second = policy.delay(2, None);
        assert!(second >= Duration::from_millis(200) && second <= Duration::from_millis(300));
        let capped = policy.delay(9, None);
        assert!(capped >= Duration::from_millis(300) && capped <= Duration::from_millis(450));
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let policy = RetryPolicy {
            attempts: 3,
            first_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(2),
        };
        assert!(policy.delay(1, Some(Duration::from_secs(1))) >= Duration::from_secs(1));
        assert!(policy.delay(1, Some(Duration::from_secs(60))) <= Duration::from_secs(2));
    }
}

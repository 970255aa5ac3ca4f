//! When to try a Graph request again, and how long to wait first.
//!
//! Invariant: 429 and 503 wait what `Retry-After` says (capped); other 5xx and transport errors
//! back off exponentially with full jitter; 4xx other than 429 are never retried. The number of
//! attempts is bounded, so a pass always ends.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How often and how long to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// First backoff for 5xx and transport errors.
    pub base_delay: Duration,
    /// Longest single wait (also caps `Retry-After`).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(60),
        }
    }
}

/// What to do after an answer or a transport error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Done (success, or an error not worth retrying).
    Final,
    /// Throttled: wait this long, then try again.
    Throttled(Duration),
    /// Transient: wait this long, then try again.
    Transient(Duration),
}

impl RetryPolicy {
    /// The verdict on a status (and its headers) at attempt `attempt` (1-based).
    pub(crate) fn judge_status(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        attempt: u32,
    ) -> Verdict {
        if attempt >= self.max_attempts {
            return Verdict::Final;
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
            let wait = retry_after(headers).unwrap_or_else(|| self.backoff(attempt));
            return Verdict::Throttled(wait.min(self.max_delay));
        }
        if status.is_server_error() {
            return Verdict::Transient(self.backoff(attempt));
        }
        Verdict::Final
    }

    /// The verdict on a transport error at attempt `attempt`.
    pub(crate) fn judge_transport(&self, attempt: u32) -> Verdict {
        if attempt >= self.max_attempts {
            Verdict::Final
        } else {
            Verdict::Transient(self.backoff(attempt))
        }
    }

    /// Full-jitter exponential backoff: a random wait up to `base * 2^(attempt-1)`, capped.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_delay);
        let fraction = (uuid::Uuid::new_v4().as_u128() % 1_000) as u32;
        ceiling.mul_f64(f64::from(fraction.max(100)) / 1_000.0)
    }
}

/// `Retry-After` in seconds: whole for direct requests, fractional (`0.249`) inside a `$batch`
/// (microsoftgraph/microsoft-graph-docs#3877), so both are read.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    seconds(value)
}

/// A non-negative, finite number of seconds (whole or fractional), capped at a day.
fn seconds(value: &str) -> Option<Duration> {
    let seconds = value.trim().parse::<f64>().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(86_400.0)))
}

/// `Retry-After` from a `$batch` inner response's headers object.
pub(crate) fn retry_after_json(headers: &serde_json::Value) -> Option<Duration> {
    let object = headers.as_object()?;
    object
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))
        .and_then(|(_, value)| match value {
            serde_json::Value::String(s) => seconds(s),
            serde_json::Value::Number(n) => n.as_f64().and_then(|n| seconds(&n.to_string())),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn throttling_waits_what_graph_says() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.judge_status(StatusCode::TOO_MANY_REQUESTS, &headers, 1),
            Verdict::Throttled(Duration::from_secs(7))
        );
        assert_eq!(
            policy.judge_status(StatusCode::TOO_MANY_REQUESTS, &headers, 6),
            Verdict::Final,
            "attempts are bounded"
        );
    }

    #[test]
    fn client_errors_are_final_and_server_errors_back_off() {
        let policy = RetryPolicy::default();
        let none = HeaderMap::new();
        assert_eq!(
            policy.judge_status(StatusCode::NOT_FOUND, &none, 1),
            Verdict::Final
        );
        match policy.judge_status(StatusCode::BAD_GATEWAY, &none, 3) {
            Verdict::Transient(wait) => assert!(wait <= Duration::from_millis(800)),
            other => panic!("expected a backoff, got {other:?}"),
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 30,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        for _ in 0..50 {
            assert!(policy.backoff(1) <= Duration::from_millis(100));
            assert!(policy.backoff(20) <= Duration::from_secs(2));
        }
    }

    #[test]
    fn batch_retry_after_is_read_case_insensitively() {
        let headers = serde_json::json!({"Retry-After": "3"});
        assert_eq!(retry_after_json(&headers), Some(Duration::from_secs(3)));
        assert_eq!(retry_after_json(&serde_json::json!({})), None);
        let fractional = serde_json::json!({"retry-after": "0.249"});
        assert_eq!(
            retry_after_json(&fractional),
            Some(Duration::from_millis(249))
        );
        let number = serde_json::json!({"retry-after": 0.5});
        assert_eq!(retry_after_json(&number), Some(Duration::from_millis(500)));
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("1.5"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(1500)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("-1"));
        assert_eq!(retry_after(&headers), None);
    }
}

//! The transfer log (`logging.exchange_transfers`): one INFO event with target
//! [`TARGET`] per Exchange request and its response, for troubleshooting.
//!
//! Each event carries method, URL, status, duration in milliseconds, the mailbox when known,
//! the request headers and both bodies, each body cut to [`BODY_LIMIT`] characters.
//!
//! Invariants: the `Authorization` header is only ever written as `Bearer [redacted]`; the
//! values of the secret form fields and JSON members ([`SECRET_NAMES`]) and anything after
//! `Bearer ` in a body are replaced by [`REDACTED`] before a body is cut or logged. Nothing
//! here is computed unless [`enabled`] says a subscriber wants the events, so the daemon pays
//! one cached check per request when the switch is off.

use std::time::{Duration, Instant};

mod redact;

use serde_json::Value;

use super::GraphRequest;
pub(crate) use redact::{form_body, json_body, raw_body};

/// The target of every transfer event (the switch turns it on in the log filter).
pub const TARGET: &str = "exsync::transfer";

/// Characters of a body kept in the log; the rest is counted, not written.
pub const BODY_LIMIT: usize = 2_000;

/// What a secret's value is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Form fields and JSON members whose values are never logged (compared ignoring case).
pub const SECRET_NAMES: [&str; 6] = [
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "client_assertion",
    "password",
];

/// Whether a subscriber records transfer events; only then are they built.
pub fn enabled() -> bool {
    tracing::enabled!(target: TARGET, tracing::Level::INFO)
}

/// A request on its way, remembered for the event written when its answer (or failure) comes.
#[derive(Debug)]
pub(crate) struct PendingTransfer {
    started: Instant,
    method: String,
    url: String,
    mailbox: Option<String>,
    request_headers: String,
    request_body: String,
}

impl PendingTransfer {
    /// A Graph request to `url` for `mailbox`; `None` when the transfer log is off.
    pub(crate) fn graph(mailbox: &str, request: &GraphRequest, url: &str) -> Option<Self> {
        if !enabled() {
            return None;
        }
        let mut headers = vec![
            format!("Authorization: Bearer {REDACTED}"),
            format!("Prefer: {}", super::prefer_header(&request.prefer)),
        ];
        if let Some(etag) = &request.if_match {
            headers.push(format!("If-Match: {etag}"));
        }
        if request.body.is_some() {
            headers.push("Content-Type: application/json".to_owned());
        }
        Some(Self::start(
            request.method.as_str(),
            url,
            Some(mailbox),
            headers.join("; "),
            request.body.as_ref().map_or_else(String::new, json_body),
        ))
    }

    /// A request with the given parts; the caller has checked [`enabled`] and passes a
    /// `request_body` already redacted (see [`json_body`], [`form_body`]).
    pub(crate) fn start(
        method: &str,
        url: &str,
        mailbox: Option<&str>,
        request_headers: String,
        request_body: String,
    ) -> Self {
        PendingTransfer {
            started: Instant::now(),
            method: method.to_owned(),
            url: url.to_owned(),
            mailbox: mailbox.map(str::to_owned),
            request_headers,
            request_body,
        }
    }

    /// Logs the exchange with the answer's status and raw body.
    pub(crate) fn finish(self, status: u16, response_body: &[u8]) {
        tracing::info!(
            target: TARGET,
            method = %self.method,
            url = %self.url,
            status,
            duration_ms = millis(self.started.elapsed()),
            mailbox = self.mailbox.as_deref(),
            request_headers = %self.request_headers,
            request_body = %self.request_body,
            response_body = %raw_body(response_body),
            "Exchange request"
        );
    }

    /// Logs a request that got no answer (`reason`: the transport error, without secrets).
    pub(crate) fn fail(&self, reason: &str) {
        tracing::info!(
            target: TARGET,
            method = %self.method,
            url = %self.url,
            duration_ms = millis(self.started.elapsed()),
            mailbox = self.mailbox.as_deref(),
            request_headers = %self.request_headers,
            request_body = %self.request_body,
            error = reason,
            "Exchange request failed"
        );
    }
}

/// Logs the failure of `pending` (if the log is on) and hands `reason` back, for `map_err`.
pub(crate) fn failed(pending: &Option<PendingTransfer>, reason: String) -> String {
    if let Some(pending) = pending {
        pending.fail(&reason);
    }
    reason
}

/// Logs one request carried inside a `$batch` (to the absolute `url`) and its inner answer;
/// `duration` is the whole batch's.
pub(crate) fn batch_item(
    mailbox: &str,
    request: &GraphRequest,
    url: &str,
    status: u16,
    response_body: &Value,
    duration: Duration,
) {
    tracing::info!(
        target: TARGET,
        method = %request.method,
        url,
        status,
        duration_ms = millis(duration),
        mailbox,
        request_body = %request.body.as_ref().map_or_else(String::new, json_body),
        response_body = %json_body(response_body),
        "Exchange request inside $batch"
    );
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use reqwest::Method;
    use serde_json::json;

    use super::*;

    /// Log output collected in memory.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What `run` logs under the filter `filter`.
    fn logged(filter: &str, run: impl FnOnce()) -> String {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, run);
        let bytes = out.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        String::from_utf8(bytes).expect("UTF-8 log")
    }

    fn create_event() -> GraphRequest {
        GraphRequest::new(
            Method::POST,
            "/users/eva@example.com/events",
            "create event",
        )
        .json(json!({ "subject": "Budget", "password": "p4ss-word" }))
        .if_match(Some("W/\"etag-1\"".to_owned()))
    }

    #[test]
    fn a_graph_exchange_is_logged_with_its_facts_and_no_secret() {
        let url = "http://graph.test/v1.0/users/eva@example.com/events";
        let log = logged("exsync::transfer=info", || {
            let pending = PendingTransfer::graph("eva@example.com", &create_event(), url)
                .expect("the transfer log is on");
            pending.finish(201, br#"{"id":"AAMk1","access_token":"eyJhbGciOi.x.y"}"#);
        });
        for expected in [
            "exsync::transfer",
            "Exchange request",
            "method=POST",
            url,
            "status=201",
            "duration_ms=",
            "eva@example.com",
            "Authorization: Bearer [redacted]",
            "If-Match: W/\"etag-1\"",
            "\"subject\":\"Budget\"",
            "\"password\":\"[redacted]\"",
            "\"access_token\":\"[redacted]\"",
            "AAMk1",
        ] {
            assert!(log.contains(expected), "{expected} missing: {log}");
        }
        assert!(!log.contains("p4ss-word") && !log.contains("eyJ"), "{log}");
        assert_eq!(log.lines().count(), 1, "{log}");
    }

    #[test]
    fn failures_and_batch_items_are_logged_too() {
        let request = create_event();
        let log = logged("exsync::transfer=info", || {
            let pending = PendingTransfer::graph("eva@example.com", &request, "http://g/x");
            let reason = failed(&pending, "connection failed".to_owned());
            assert_eq!(reason, "connection failed", "the reason is handed back");
            let answer = json!({ "error": { "code": "ErrorItemNotFound" } });
            batch_item(
                "eva@example.com",
                &request,
                "http://g/v1.0/users/eva@example.com/events",
                404,
                &answer,
                Duration::from_millis(7),
            );
        });
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 2, "{log}");
        assert!(lines[0].contains("Exchange request failed"), "{log}");
        assert!(lines[0].contains("connection failed"), "{log}");
        assert!(lines[1].contains("inside $batch"), "{log}");
        assert!(lines[1].contains("http://g/v1.0/users/eva@example.com/events"));
        assert!(lines[1].contains("status=404") && lines[1].contains("duration_ms=7"));
        assert!(lines[1].contains("ErrorItemNotFound"), "{log}");
        assert!(!log.contains("p4ss-word"), "{log}");
    }

    #[test]
    fn nothing_is_built_or_written_when_the_target_is_off() {
        let log = logged("info,exsync::transfer=off", || {
            assert!(!enabled());
            assert!(PendingTransfer::graph("eva@example.com", &create_event(), "u").is_none());
            tracing::info!("other events still pass");
        });
        assert!(log.contains("other events still pass"), "{log}");
        assert!(!log.contains("exsync::transfer"), "{log}");
    }
}

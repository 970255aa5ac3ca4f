//! Why a token could not be had, worded for the administrator who has to fix it.
//!
//! Entra ID refusals are classified by their AADSTS code (from `error_codes`, else from the
//! start of `error_description`) into the cases an administrator meets when setting up the app
//! registration; everything else keeps Entra's own code and first description line.
//!
//! Invariant: no variant holds a client secret, a certificate password, a client assertion or
//! a token. Entra's descriptions are cut to their first line (no trace or correlation lines)
//! and are further scrubbed of the secret by the caller before they are stored here.

use std::path::PathBuf;

use serde::Deserialize;

/// Failure to obtain an access token. `Clone` so one failed refresh can be handed to every
/// caller that waited for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// AADSTS7000215: Entra ID does not know this secret for the app.
    #[error(
        "Entra ID refused the client secret of app {client_id} (AADSTS7000215): the client \
         secret is wrong: copy the secret's *Value* (not its ID) from the app's \"Certificates & \
         secrets\" in Entra ID into exchange.online.client_secret"
    )]
    WrongSecret {
        /// The application (client) id.
        client_id: String,
    },
    /// AADSTS7000222: the app's secret has run out.
    #[error(
        "the client secret of app {client_id} has expired (AADSTS7000222): create a new one \
         under the app's \"Certificates & secrets\" in Entra ID, then put its Value into \
         exchange.online.client_secret (and its expiry date into \
         exchange.online.client_secret_expires_on)"
    )]
    ExpiredSecret {
        /// The application (client) id.
        client_id: String,
    },
    /// AADSTS700016: no such application in the tenant.
    #[error(
        "Entra ID does not know the app {client_id} in this tenant (AADSTS700016): check \
         exchange.online.client_id (the app's \"Application (client) ID\") and \
         exchange.online.tenant_id, and that the app is registered in this tenant and an \
         administrator has granted consent"
    )]
    UnknownApp {
        /// The application (client) id.
        client_id: String,
    },
    /// AADSTS90002: no such tenant.
    #[error(
        "Entra ID does not know the tenant of {token_url} (AADSTS90002): check \
         exchange.online.tenant_id (the \"Directory (tenant) ID\" or a verified domain of the \
         tenant) and exchange.online.authority"
    )]
    UnknownTenant {
        /// The token endpoint that was asked.
        token_url: String,
    },
    /// AADSTS700027: the certificate is not registered, expired there, or the signature failed.
    #[error(
        "Entra ID refused the certificate of app {client_id} (AADSTS700027: {detail}): upload \
         the certificate (public part, .cer/.pem) under the app's \"Certificates & secrets\" in \
         Entra ID, check it has not expired there, and that exchange.online.certificate_file \
         holds that certificate with its private key"
    )]
    CertificateRejected {
        /// The application (client) id.
        client_id: String,
        /// Entra's first description line (names the thumbprint and the reason).
        detail: String,
    },
    /// AADSTS700024: the assertion's time window does not contain Entra's "now".
    #[error(
        "Entra ID refused the client assertion as outside its valid time (AADSTS700024: \
         {detail}): check this machine's clock and time zone (synchronise it with NTP)"
    )]
    AssertionTime {
        /// Entra's first description line (names both times).
        detail: String,
    },
    /// Any other refusal from the token endpoint.
    #[error(
        "Entra ID refused the token request (HTTP {status}, {error}{}): {description}",
        code_text(*.code)
    )]
    Refused {
        /// HTTP status.
        status: u16,
        /// OAuth `error` (e.g. `invalid_scope`).
        error: String,
        /// The AADSTS code, when Entra gave one.
        code: Option<u32>,
        /// Entra's first description line, without the `AADSTSnnnn:` prefix.
        description: String,
    },
    /// The token endpoint kept failing with a server error (after retries).
    #[error(
        "the token endpoint {token_url} answered HTTP {status} (tried {attempts} times): {detail}; \
         Entra ID may be having an outage, try again later"
    )]
    ServerError {
        /// The token endpoint.
        token_url: String,
        /// The last HTTP status.
        status: u16,
        /// How often it was asked.
        attempts: u32,
        /// What the last answer said (first description line, if any).
        detail: String,
    },
    /// Entra ID throttles the app's token requests (HTTP 429) for longer than is worth waiting.
    #[error(
        "Entra ID is throttling the token requests of this app (HTTP 429 from {token_url}{}): \
         too many token requests; check that no other program or exsync instance requests \
         tokens for this app in a loop, then try again later",
        retry_text(*.retry_after_seconds)
    )]
    Throttled {
        /// The token endpoint.
        token_url: String,
        /// What `Retry-After` asked for.
        retry_after_seconds: Option<u64>,
    },
    /// The token endpoint could not be reached (after retries).
    #[error(
        "cannot reach the token endpoint {token_url} (tried {attempts} times): {reason}; check \
         exchange.online.authority, DNS, the proxy and the firewall"
    )]
    Unreachable {
        /// The token endpoint.
        token_url: String,
        /// How often it was tried.
        attempts: u32,
        /// The transport error.
        reason: String,
    },
    /// A 200 answer that is not a usable token response.
    #[error("the token endpoint {token_url} answered something that is not a token: {reason}")]
    BadResponse {
        /// The token endpoint.
        token_url: String,
        /// What was wrong with it.
        reason: String,
    },
    /// The certificate file cannot be used.
    #[error("cannot use the certificate file {}: {problem}", file.display())]
    CertificateFile {
        /// The file.
        file: PathBuf,
        /// What is wrong and how to fix it.
        problem: String,
    },
}

fn retry_text(seconds: Option<u64>) -> String {
    seconds
        .map(|s| format!(", retry after {s} s"))
        .unwrap_or_default()
}

fn code_text(code: Option<u32>) -> String {
    code.map(|c| format!(", AADSTS{c}")).unwrap_or_default()
}

impl AuthError {
    /// Whether asking again later may succeed without anyone changing the configuration.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            AuthError::ServerError { .. }
                | AuthError::Throttled { .. }
                | AuthError::Unreachable { .. }
        )
    }
}

/// Entra ID's error body (`error`, `error_description`, `error_codes`, …). Only the fields
/// used are read; the trace and correlation ids are left to the logs.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EntraErrorBody {
    #[serde(default)]
    pub(crate) error: String,
    #[serde(default)]
    pub(crate) error_description: String,
    #[serde(default)]
    pub(crate) error_codes: Vec<u32>,
}

impl EntraErrorBody {
    /// The AADSTS code: the first of `error_codes`, else the number after `AADSTS` at the start
    /// of the description.
    pub(crate) fn code(&self) -> Option<u32> {
        self.error_codes.first().copied().or_else(|| {
            let rest = self.error_description.strip_prefix("AADSTS")?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
    }

    /// The description's first line without the `AADSTSnnnn: ` prefix (Entra appends
    /// `Trace ID`, `Correlation ID` and `Timestamp` lines after `\r\n`).
    pub(crate) fn first_line(&self) -> String {
        let line = self
            .error_description
            .lines()
            .next()
            .unwrap_or_default()
            .trim();
        let without_code = match line.strip_prefix("AADSTS") {
            Some(rest) => rest
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start_matches(':')
                .trim_start(),
            None => line,
        };
        without_code.to_owned()
    }
}

/// Turns a refusal (HTTP 4xx with Entra's body) into the administrator's error.
/// `scrub` removes anything secret from Entra's text before it is kept.
pub(crate) fn classify_refusal(
    status: u16,
    body: &EntraErrorBody,
    client_id: &str,
    token_url: &str,
    scrub: &dyn Fn(String) -> String,
) -> AuthError {
    let client_id = client_id.to_owned();
    let detail = scrub(body.first_line());
    match body.code() {
        Some(7_000_215) => AuthError::WrongSecret { client_id },
        Some(7_000_222) => AuthError::ExpiredSecret { client_id },
        Some(700_016) => AuthError::UnknownApp { client_id },
        Some(90_002) => AuthError::UnknownTenant {
            token_url: token_url.to_owned(),
        },
        Some(700_027) => AuthError::CertificateRejected { client_id, detail },
        Some(700_024) => AuthError::AssertionTime { detail },
        code => AuthError::Refused {
            status,
            error: scrub(body.error.clone()),
            code,
            description: detail,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> EntraErrorBody {
        serde_json::from_str(json).expect("test body parses")
    }

    #[test]
    fn the_code_comes_from_error_codes_or_the_description() {
        let from_list = body(r#"{"error":"invalid_client","error_codes":[7000215]}"#);
        assert_eq!(from_list.code(), Some(7_000_215));
        let from_text = body(r#"{"error":"invalid_client","error_description":"AADSTS700016: x"}"#);
        assert_eq!(from_text.code(), Some(700_016));
        assert_eq!(body(r#"{"error":"server_error"}"#).code(), None);
    }

    #[test]
    fn the_description_loses_its_code_and_trace_lines() {
        let b = body(
            r#"{"error_description":"AADSTS50027: JWT token is invalid or malformed.\r\nTrace ID: 1\r\nCorrelation ID: 2\r\nTimestamp: 3"}"#,
        );
        assert_eq!(b.first_line(), "JWT token is invalid or malformed.");
    }

    #[test]
    fn unknown_codes_keep_entras_code_and_words() {
        let b = body(
            r#"{"error":"invalid_scope","error_codes":[1002012],"error_description":"AADSTS1002012: The provided value for scope x is not valid.\r\nTrace ID: t"}"#,
        );
        let e = classify_refusal(400, &b, "app", "http://t/token", &|s| s);
        let text = e.to_string();
        assert!(text.contains("AADSTS1002012"), "{text}");
        assert!(text.contains("invalid_scope"), "{text}");
        assert!(
            text.contains("The provided value for scope x is not valid."),
            "{text}"
        );
        assert!(!text.contains("Trace ID"), "{text}");
        assert!(!e.is_transient());
    }

    #[test]
    fn an_assertion_outside_its_time_says_to_check_the_clock() {
        let b = body(
            r#"{"error":"invalid_client","error_codes":[700024],"error_description":"AADSTS700024: Client assertion is not within its valid time range. Current time: 2024-10-02T22:05:03Z, assertion valid from 2024-10-02T21:20:53Z, expiry time of assertion 2024-10-02T21:30:53Z.\r\nTrace ID: t"}"#,
        );
        let e = classify_refusal(401, &b, "app", "u", &|s| s);
        assert!(matches!(e, AuthError::AssertionTime { .. }), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains("clock") && text.contains("Current time: 2024-10-02T22:05:03Z"),
            "{text}"
        );
    }

    #[test]
    fn scrub_is_applied_to_entras_text() {
        let b =
            body(r#"{"error":"invalid_client","error_description":"AADSTS9999: oops hunter2"}"#);
        let e = classify_refusal(401, &b, "app", "u", &|s| s.replace("hunter2", "<redacted>"));
        assert!(!e.to_string().contains("hunter2"));
        assert!(!format!("{e:?}").contains("hunter2"));
    }
}

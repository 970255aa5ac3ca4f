//! The Exchange line of `exsync check` with `exchange.kind = "server"`: one cheap authenticated
//! EWS request (GetFolder of the service account's inbox, `IdOnly`) to the configured URL. A
//! tenant whose EWS is switched off (Exchange Online since October 2026) answers HTTP 403: the
//! line then says to use `exchange.kind = "online"` (Microsoft Graph). Whatever else answers,
//! the line stays honest: this version of exsync has no EWS connector.
//!
//! Invariants: the request carries the credential in its `Authorization` header only, and no
//! credential, header or answer body reaches a line; the probe gives up after
//! [`PROBE_TIMEOUT`]; NTLM is not spoken (no probe, the not-supported line). The workspace's
//! HTTP client is built without TLS, so an `https` URL gets no answer (the not-supported line)
//! until TLS is switched on for it.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use exsync_config::{ExposeSecret as _, ServerAuth, ServerConfig};
use exsync_i18n::tr;

use super::report::{CheckId, CheckLine};

/// How long the probe waits for an answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

/// What the probe learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EwsAnswer {
    /// HTTP 403: EWS is switched off for the tenant (or the mailbox).
    SwitchedOff,
    /// Any other answer, no answer, or no probe made.
    Other,
}

fn get_inbox(version: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" \
         xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\">\
         <soap:Header><t:RequestServerVersion Version=\"{version}\"/></soap:Header>\
         <soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape>\
         </m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id=\"inbox\"/></m:FolderIds>\
         </m:GetFolder></soap:Body></soap:Envelope>"
    )
}

/// Sends the probe; any failure to get an answer is [`EwsAnswer::Other`].
pub async fn probe(server: &ServerConfig) -> EwsAnswer {
    let authorization = match &server.auth {
        ServerAuth::Basic(c) => {
            let raw = format!("{}:{}", c.username, c.password.expose_secret());
            format!("Basic {}", STANDARD.encode(raw))
        }
        ServerAuth::Bearer(token) => format!("Bearer {}", token.expose_secret()),
        ServerAuth::Ntlm(_) => return EwsAnswer::Other,
    };
    let Ok(http) = reqwest::Client::builder().timeout(PROBE_TIMEOUT).build() else {
        return EwsAnswer::Other;
    };
    let sent = http
        .post(&server.ews_url)
        .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
        .header(reqwest::header::AUTHORIZATION, authorization)
        .body(get_inbox(server.server_version.as_str()))
        .send()
        .await;
    match sent {
        Ok(response) if response.status() == reqwest::StatusCode::FORBIDDEN => {
            EwsAnswer::SwitchedOff
        }
        Ok(_) => EwsAnswer::Other,
        Err(error) => {
            tracing::debug!(error = %error.without_url(), "the EWS probe got no answer");
            EwsAnswer::Other
        }
    }
}

/// The Exchange line for `exchange.kind = "server"`.
pub async fn line(server: &ServerConfig) -> CheckLine {
    match probe(server).await {
        EwsAnswer::SwitchedOff => CheckLine::failed(
            CheckId::Exchange,
            "ews_disabled",
            tr!("check-exchange-ews-disabled", url = server.ews_url.as_str()),
            tr!("check-exchange-ews-disabled-fix"),
        ),
        EwsAnswer::Other => CheckLine::failed(
            CheckId::Exchange,
            "ews_not_supported",
            tr!("check-exchange-ews", url = server.ews_url.as_str()),
            tr!("check-exchange-ews-fix"),
        ),
    }
}

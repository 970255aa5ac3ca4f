//! Who is calling and in which mailbox the request acts: Basic authentication with a tenant's
//! EWS service account, or a Bearer token the emulator issued for
//! `https://outlook.office365.com/.default`; then `ExchangeImpersonation`
//! (https://learn.microsoft.com/exchange/client-developer/exchange-web-services/impersonation-and-ews-in-exchange).
//!
//! Invariants: a password or token is compared, never copied into an error or a log; the
//! service account may impersonate exactly the mailboxes of its own tenant, an app exactly the
//! mailboxes of its tenant within its application access policy.

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;

use super::envelope::Impersonation;
use super::error::EwsError;
use crate::auth::Audience;
use crate::org::Mailbox;
use crate::store::State;

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The tenant's EWS service account (Basic authentication).
    Account {
        /// Tenant id.
        tenant_id: String,
        /// The account's user name.
        username: String,
    },
    /// An app with an app-only token.
    App {
        /// Tenant id.
        tenant_id: String,
        /// Client id.
        client_id: String,
    },
}

/// Checks the `Authorization` header.
pub fn authenticate(state: &State, headers: &HeaderMap) -> Result<Caller, EwsError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(EwsError::Unauthorized)?;
    let (scheme, credentials) = value.split_once(' ').ok_or(EwsError::Unauthorized)?;
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = STANDARD
            .decode(credentials.trim())
            .map_err(|_| EwsError::Unauthorized)?;
        let decoded = String::from_utf8(decoded).map_err(|_| EwsError::Unauthorized)?;
        let (user, password) = decoded.split_once(':').ok_or(EwsError::Unauthorized)?;
        return state
            .org
            .tenants
            .iter()
            .find(|t| {
                t.ews_account.username.eq_ignore_ascii_case(user)
                    && t.ews_account.password == password
            })
            .map(|t| Caller::Account {
                tenant_id: t.id.clone(),
                username: t.ews_account.username.clone(),
            })
            .ok_or(EwsError::Unauthorized);
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        let grant = state
            .tokens
            .validate(credentials, Audience::Outlook, Utc::now())
            .map_err(|_| EwsError::Unauthorized)?;
        return Ok(Caller::App {
            tenant_id: grant.tenant_id.clone(),
            client_id: grant.client_id.clone(),
        });
    }
    Err(EwsError::Unauthorized)
}

/// The mailbox the request acts in.
pub fn target(
    state: &State,
    caller: &Caller,
    impersonation: Option<&Impersonation>,
) -> Result<Mailbox, EwsError> {
    let (tenant_id, address) = match (caller, impersonation) {
        (Caller::Account { tenant_id, .. } | Caller::App { tenant_id, .. }, Some(i)) => {
            (tenant_id, i.address.as_str())
        }
        (
            Caller::Account {
                tenant_id,
                username,
            },
            None,
        ) => (tenant_id, username.as_str()),
        (Caller::App { .. }, None) => {
            return Err(EwsError::Fault {
                code: "ErrorInvalidExchangeImpersonationHeaderData",
                message: "ExchangeImpersonation SOAP header must be present for this type of \
                          OAuth token."
                    .to_owned(),
            });
        }
    };
    let tenant = state
        .org
        .tenants
        .iter()
        .find(|t| &t.id == tenant_id)
        .ok_or(EwsError::Unauthorized)?;
    if let Some(mailbox) = tenant.mailbox(address) {
        if let Caller::App { client_id, .. } = caller {
            let scope = tenant.app(client_id).and_then(|a| a.mailbox_scope.as_ref());
            if scope.is_some_and(|s| !s.iter().any(|m| mailbox.is_named(m))) {
                return Err(EwsError::impersonation_denied());
            }
        }
        return Ok(mailbox.clone());
    }
    let elsewhere = state
        .org
        .tenants
        .iter()
        .any(|t| t.mailbox(address).is_some());
    if elsewhere {
        Err(EwsError::impersonation_denied())
    } else {
        Err(EwsError::no_mailbox(address))
    }
}

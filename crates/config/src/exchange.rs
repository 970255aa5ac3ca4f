//! The `[exchange]` settings: which Exchange, and how the service signs in to it.
//!
//! Invariant: an [`ExchangeTarget`] is complete for its kind. `Online` always has a tenant, a
//! client id and exactly one credential; `Server` always has an endpoint and the credentials its
//! authentication needs. Settings of the kinds not chosen are not kept.

use std::path::PathBuf;

use chrono::NaiveDate;
use secrecy::SecretString;

use crate::types::{EwsAuth, EwsVersion, ExchangeKind, Impersonation, MailboxAddressing};

/// Default Entra ID authority (`exchange.online.authority`).
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";
/// Default Microsoft Graph base URL (`exchange.online.graph_url`).
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";
/// Default days of warning before a client secret expires.
pub const DEFAULT_SECRET_EXPIRY_WARNING_DAYS: u32 = 30;

/// `[exchange]`.
#[derive(Debug, Clone, Default)]
pub struct ExchangeConfig {
    /// Address a user's mailbox by the stored mailbox address or by the user name
    /// (büro+ `Exchange Postfächer verwenden`).
    pub mailbox_addressing: MailboxAddressing,
    /// The Exchange to talk to, with its connection settings.
    pub target: ExchangeTarget,
}

impl ExchangeConfig {
    /// `exchange.kind`.
    pub fn kind(&self) -> ExchangeKind {
        match self.target {
            ExchangeTarget::Emulator => ExchangeKind::Emulator,
            ExchangeTarget::Online(_) => ExchangeKind::Online,
            ExchangeTarget::Server(_) => ExchangeKind::Server,
        }
    }
}

/// The Exchange the service talks to.
#[derive(Debug, Clone, Default)]
pub enum ExchangeTarget {
    /// The built-in emulator (the embedded default).
    #[default]
    Emulator,
    /// Exchange Online through Microsoft Graph.
    Online(OnlineConfig),
    /// Exchange Server through EWS.
    Server(ServerConfig),
}

/// `[exchange.online]`: an app registration in Entra ID, signed in with client credentials.
#[derive(Debug, Clone)]
pub struct OnlineConfig {
    /// Directory (tenant) ID or a domain of the tenant (bnWin `AzureTenantId`).
    pub tenant_id: String,
    /// Application (client) ID (bnWin `AzureClientId`).
    pub client_id: String,
    /// The client secret or the certificate.
    pub credential: OnlineCredential,
    /// When the credential expires, as the admin noted it from Entra ID.
    pub client_secret_expires_on: Option<NaiveDate>,
    /// Warn this many days before `client_secret_expires_on`.
    pub secret_expiry_warning_days: u32,
    /// Entra ID authority without the tenant, e.g. `https://login.microsoftonline.com`.
    pub authority: String,
    /// Microsoft Graph base URL including the version, e.g. `https://graph.microsoft.com/v1.0`.
    pub graph_url: String,
    /// OAuth2 scope requested for the token, e.g. `https://graph.microsoft.com/.default`.
    pub scope: String,
}

impl OnlineConfig {
    /// The token endpoint: `{authority}/{tenant_id}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.authority, self.tenant_id)
    }

    /// How close the credential is to its noted expiry date on `today`.
    pub fn secret_expiry(&self, today: NaiveDate) -> SecretExpiry {
        let Some(expires_on) = self.client_secret_expires_on else {
            return SecretExpiry::Unknown;
        };
        let days_left = (expires_on - today).num_days();
        if days_left < 0 {
            SecretExpiry::Expired { expires_on }
        } else if days_left <= i64::from(self.secret_expiry_warning_days) {
            SecretExpiry::ExpiresSoon {
                expires_on,
                days_left,
            }
        } else {
            SecretExpiry::Valid {
                expires_on,
                days_left,
            }
        }
    }
}

/// How close a credential is to its expiry date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretExpiry {
    /// No expiry date configured.
    Unknown,
    /// Expires later than the warning period.
    Valid {
        /// The date.
        expires_on: NaiveDate,
        /// Whole days left.
        days_left: i64,
    },
    /// Expires within the warning period: time to create a new one.
    ExpiresSoon {
        /// The date.
        expires_on: NaiveDate,
        /// Whole days left (0 = today).
        days_left: i64,
    },
    /// Already expired: sign-in will fail (Entra ID answers AADSTS7000222).
    Expired {
        /// The date.
        expires_on: NaiveDate,
    },
}

/// The credential of the app registration.
#[derive(Debug, Clone)]
pub enum OnlineCredential {
    /// A client secret (bnWin `AzureClientSecret`).
    Secret(SecretString),
    /// A certificate with its private key.
    Certificate(CertificateConfig),
}

/// A certificate for the client assertion.
#[derive(Debug, Clone)]
pub struct CertificateConfig {
    /// The certificate file (checked readable when loading).
    pub file: PathBuf,
    /// What the file holds, judged from its content.
    pub format: CertificateFormat,
    /// Password of a PKCS#12 file or of an encrypted PEM key.
    pub password: Option<SecretString>,
}

/// The format of a certificate file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateFormat {
    /// PEM text: certificate and private key (`-----BEGIN ...`).
    Pem,
    /// PKCS#12 / PFX binary.
    Pkcs12,
}

/// `[exchange.server]`: an on-premises Exchange reached through EWS with impersonation.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The EWS endpoint, e.g. `https://mail.example.com/EWS/Exchange.asmx`.
    pub ews_url: String,
    /// How the service account signs in.
    pub auth: ServerAuth,
    /// How `ExchangeImpersonation` names the mailbox.
    pub impersonation: Impersonation,
    /// `RequestServerVersion` of every request.
    pub server_version: EwsVersion,
    /// Accept TLS certificates that do not verify (self-signed test servers only).
    pub accept_invalid_certs: bool,
}

/// The service account's credentials for EWS.
#[derive(Debug, Clone)]
pub enum ServerAuth {
    /// HTTP Basic.
    Basic(Credentials),
    /// NTLM.
    Ntlm(Credentials),
    /// A bearer token.
    Bearer(SecretString),
}

impl ServerAuth {
    /// `exchange.server.auth`.
    pub fn kind(&self) -> EwsAuth {
        match self {
            ServerAuth::Basic(_) => EwsAuth::Basic,
            ServerAuth::Ntlm(_) => EwsAuth::Ntlm,
            ServerAuth::Bearer(_) => EwsAuth::Bearer,
        }
    }
}

/// User name and password of the administrative account with impersonation rights.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The account (büro+ `Name` under `Administratives Konto`).
    pub username: String,
    /// Its password (büro+ `Passwort`).
    pub password: SecretString,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn online(expires_on: Option<NaiveDate>) -> OnlineConfig {
        OnlineConfig {
            tenant_id: "contoso.onmicrosoft.com".into(),
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            credential: OnlineCredential::Secret(SecretString::from("s")),
            client_secret_expires_on: expires_on,
            secret_expiry_warning_days: 30,
            authority: DEFAULT_AUTHORITY.into(),
            graph_url: DEFAULT_GRAPH_URL.into(),
            scope: "https://graph.microsoft.com/.default".into(),
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn expiry_is_judged_against_the_warning_period() {
        let today = date(2026, 1, 1);
        assert_eq!(online(None).secret_expiry(today), SecretExpiry::Unknown);
        let soon = date(2026, 1, 31);
        assert_eq!(
            online(Some(soon)).secret_expiry(today),
            SecretExpiry::ExpiresSoon {
                expires_on: soon,
                days_left: 30
            }
        );
        assert!(matches!(
            online(Some(date(2026, 2, 1))).secret_expiry(today),
            SecretExpiry::Valid { days_left: 31, .. }
        ));
        assert!(matches!(
            online(Some(date(2025, 12, 31))).secret_expiry(today),
            SecretExpiry::Expired { .. }
        ));
    }

    #[test]
    fn the_token_url_includes_the_tenant() {
        assert_eq!(
            online(None).token_url(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
    }
}

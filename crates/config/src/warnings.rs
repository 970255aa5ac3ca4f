//! Things that are allowed but worth telling the admin at start-up: a client secret about to
//! expire, unverified TLS, unencrypted endpoints, settings that are ignored.
//!
//! Invariant: a warning names keys and dates, never a secret; the same configuration and the
//! same day always give the same warnings.

use chrono::NaiveDate;

use crate::exchange::{ExchangeTarget, SecretExpiry, ServerAuth};
use crate::model::Config;

impl Config {
    /// Warnings for the log at start-up (and for `config show`), judged on `today`.
    pub fn warnings(&self, today: NaiveDate) -> Vec<String> {
        let mut out = self.load_warnings.clone();
        if !self.service.enabled {
            out.push(
                "automatic sync is switched off (service.enabled = false): only manual runs sync"
                    .to_owned(),
            );
        }
        if self.sync.mass_delete_guard.max_share >= 1.0 {
            out.push(
                "the mass-delete guard is off (sync.mass_delete_guard = 1.0): no plan is held, \
                 however much it deletes"
                    .to_owned(),
            );
        }
        match &self.exchange.target {
            ExchangeTarget::Emulator => {}
            ExchangeTarget::Online(online) => {
                out.extend(expiry_warning(online.secret_expiry(today)));
                for (key, url) in [
                    ("exchange.online.authority", &online.authority),
                    ("exchange.online.graph_url", &online.graph_url),
                ] {
                    if url.starts_with("http://") {
                        out.push(format!(
                            "{key} is not https: tokens and mailbox data travel unencrypted \
                             (acceptable for a local emulator only)"
                        ));
                    }
                }
            }
            ExchangeTarget::Server(server) => {
                if server.accept_invalid_certs {
                    out.push(
                        "exchange.server.accept_invalid_certs = true: the Exchange server's TLS \
                         certificate is not verified (test servers only)"
                            .to_owned(),
                    );
                }
                if server.ews_url.starts_with("http://") {
                    let what = match server.auth {
                        ServerAuth::Basic(_) => "the password",
                        ServerAuth::Ntlm(_) => "the NTLM exchange",
                        ServerAuth::Bearer(_) => "the bearer token",
                    };
                    out.push(format!(
                        "exchange.server.ews_url is not https: {what} and mailbox data travel \
                         unencrypted"
                    ));
                }
            }
        }
        out
    }
}

impl Config {
    /// The warning about the Exchange Online credential's expiry on `today`, if it expires
    /// within the warning period or has expired (one of [`Config::warnings`]; the service
    /// repeats it daily).
    pub fn secret_expiry_warning(&self, today: NaiveDate) -> Option<String> {
        match &self.exchange.target {
            ExchangeTarget::Online(online) => expiry_warning(online.secret_expiry(today)),
            _ => None,
        }
    }
}

fn expiry_warning(expiry: SecretExpiry) -> Option<String> {
    match expiry {
        SecretExpiry::Unknown | SecretExpiry::Valid { .. } => None,
        SecretExpiry::ExpiresSoon {
            expires_on,
            days_left,
        } => Some(format!(
            "the app registration's credential expires on {expires_on} (in {days_left} days): \
             create a new client secret in Entra ID (Certificates & secrets), then set \
             exchange.online.client_secret and exchange.online.client_secret_expires_on"
        )),
        SecretExpiry::Expired { expires_on } => Some(format!(
            "the app registration's credential expired on {expires_on}: signing in to Exchange \
             Online fails until a new client secret is configured (exchange.online.client_secret)"
        )),
    }
}

//! The Exchange side `exsync check` talks to, and how long its credential stays valid: the
//! in-process emulator (`exchange.kind = "emulator"`, as `sync` uses it), Exchange Online
//! through Graph, or (`exchange.kind = "server"`) the line of [`super::ews`]: EWS switched off,
//! or not supported yet.
//!
//! Invariants: the token provider and the Graph client share one token cache, so the token the
//! check decodes is the one its Graph requests carry; a credential that cannot be loaded is a
//! failed line, never an error that stops the other checks; no secret reaches a line.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use exsync_business::User;
use exsync_config::{Config, ExchangeTarget, OnlineConfig, OnlineCredential, SecretExpiry};
use exsync_emulator::EmulatorHandle;
use exsync_graph::auth::{Credential, GRAPH_SCOPE, TokenProvider};
use exsync_graph::client::{GraphClient, GraphTokens};
use exsync_i18n::tr;

use super::report::{CheckId, CheckLine};
use crate::commands::connect::start_emulator_with;

/// What the Graph checks talk to.
pub struct Target {
    /// Hands out the app's tokens (cached; shared with `client`).
    pub provider: Arc<TokenProvider>,
    /// Graph, with tokens from `provider`.
    pub client: GraphClient,
    /// The application (client) id, for messages.
    pub app: String,
    /// The scope tokens are asked for (`exchange.online.scope`), as `sync` asks.
    pub scope: String,
    /// The in-process emulator, kept alive while checking.
    pub emulator: Option<EmulatorHandle>,
}

/// How the Exchange of the configuration can be reached: the target and the "Exchange" line,
/// or only a failed line.
pub async fn connect(config: &Config, users: &[User]) -> (Option<Target>, CheckLine) {
    match &config.exchange.target {
        ExchangeTarget::Emulator => {
            // The emulator has a mailbox for every user checked, as `sync` gives every enabled
            // user one.
            let users: Vec<User> = users
                .iter()
                .cloned()
                .map(|u| User { enabled: true, ..u })
                .collect();
            match start_emulator_with(&users, config.exchange.mailbox_addressing).await {
                Ok(emulator) => {
                    let provider = Arc::new(TokenProvider::new(
                        emulator.token_url(),
                        emulator.client_id(),
                        Credential::Secret(emulator.client_secret().into()),
                    ));
                    let target = Target {
                        client: graph_client(&emulator.graph_url(), &provider, GRAPH_SCOPE),
                        app: emulator.client_id(),
                        scope: GRAPH_SCOPE.to_owned(),
                        provider,
                        emulator: Some(emulator),
                    };
                    let line = CheckLine::passed(CheckId::Exchange, tr!("check-exchange-emulator"));
                    (Some(target), line)
                }
                Err(error) => (
                    None,
                    CheckLine::failed(
                        CheckId::Exchange,
                        "emulator_failed",
                        tr!(
                            "check-exchange-emulator-failed",
                            reason = format!("{error:#}")
                        ),
                        tr!("check-exchange-emulator-failed-fix"),
                    ),
                ),
            }
        }
        ExchangeTarget::Online(online) => {
            let line = CheckLine::passed(
                CheckId::Exchange,
                tr!(
                    "check-exchange-online",
                    graph_url = online.graph_url.as_str(),
                    tenant = online.tenant_id.as_str(),
                    app = online.client_id.as_str()
                ),
            );
            match TokenProvider::from_config(online) {
                Ok(provider) => {
                    let provider = Arc::new(provider);
                    let target = Target {
                        client: graph_client(&online.graph_url, &provider, &online.scope),
                        app: online.client_id.clone(),
                        scope: online.scope.clone(),
                        provider,
                        emulator: None,
                    };
                    (Some(target), line)
                }
                // The credential cannot be loaded: the token line says why.
                Err(_) => (None, line),
            }
        }
        ExchangeTarget::Server(server) => (None, super::ews::line(server).await),
    }
}

fn graph_client(url: &str, provider: &Arc<TokenProvider>, scope: &str) -> GraphClient {
    GraphClient::new(
        url,
        Arc::new(GraphTokens::new(provider.clone()).with_scope(scope)),
    )
}

/// The credential's expiry: the emulator's secret, the configured secret's noted date, or the
/// certificate's `notAfter`.
pub fn credential_expiry(config: &Config, target: Option<&Target>, today: NaiveDate) -> CheckLine {
    match &config.exchange.target {
        ExchangeTarget::Online(online) => online_expiry(online, today),
        _ => match target.and_then(|t| t.emulator.as_ref()) {
            Some(emulator) => emulator_expiry(emulator, today),
            None => CheckLine::skipped(CheckId::CredentialExpiry, tr!("check-skipped-no-exchange")),
        },
    }
}

fn emulator_expiry(emulator: &EmulatorHandle, today: NaiveDate) -> CheckLine {
    let client_id = emulator.client_id();
    let expires = {
        let state = emulator.store().lock();
        state
            .org
            .tenants
            .iter()
            .find_map(|t| t.app(&client_id))
            .and_then(|app| app.secrets.iter().map(|s| s.expires).max())
    };
    match expires {
        Some(expires) => {
            let date = expires.date_naive();
            let days = (date - today).num_days();
            CheckLine::passed(
                CheckId::CredentialExpiry,
                tr!(
                    "check-expiry-emulator",
                    date = date.to_string(),
                    days = days
                ),
            )
            .with_days_left(days)
        }
        None => CheckLine::skipped(CheckId::CredentialExpiry, tr!("check-skipped-no-exchange")),
    }
}

fn online_expiry(online: &OnlineConfig, today: NaiveDate) -> CheckLine {
    match &online.credential {
        OnlineCredential::Secret(_) => secret_expiry(online.secret_expiry(today), today),
        OnlineCredential::Certificate(_) => match Credential::from_config(&online.credential) {
            Ok(Credential::Certificate(certificate)) => certificate_expiry(
                certificate.not_after(),
                today,
                online.secret_expiry_warning_days,
            ),
            Ok(Credential::Secret(_)) => secret_expiry(online.secret_expiry(today), today),
            // The token line says what is wrong with the file.
            Err(_) => {
                CheckLine::skipped(CheckId::CredentialExpiry, tr!("check-skipped-certificate"))
            }
        },
    }
}

fn secret_expiry(expiry: SecretExpiry, today: NaiveDate) -> CheckLine {
    let check = CheckId::CredentialExpiry;
    match expiry {
        SecretExpiry::Unknown => CheckLine::warning(
            check,
            "expiry_unknown",
            tr!("check-secret-expiry-unknown"),
            tr!("check-secret-expiry-unknown-fix"),
        ),
        SecretExpiry::Valid {
            expires_on,
            days_left,
        } => CheckLine::passed(
            check,
            tr!(
                "check-secret-expires",
                date = expires_on.to_string(),
                days = days_left
            ),
        )
        .with_days_left(days_left),
        SecretExpiry::ExpiresSoon {
            expires_on,
            days_left,
        } => CheckLine::warning(
            check,
            "expires_soon",
            tr!(
                "check-secret-expires",
                date = expires_on.to_string(),
                days = days_left
            ),
            tr!("check-secret-renew-fix", date = expires_on.to_string()),
        )
        .with_days_left(days_left),
        SecretExpiry::Expired { expires_on } => CheckLine::failed(
            check,
            "expired",
            tr!("check-secret-expired", date = expires_on.to_string()),
            tr!("check-secret-renew-fix", date = expires_on.to_string()),
        )
        .with_days_left((expires_on - today).num_days()),
    }
}

/// The certificate's expiry judged on `today` with `warning_days` of warning.
pub fn certificate_expiry(
    not_after: Option<DateTime<Utc>>,
    today: NaiveDate,
    warning_days: u32,
) -> CheckLine {
    let check = CheckId::CredentialExpiry;
    let Some(not_after) = not_after else {
        return CheckLine::warning(
            check,
            "expiry_unknown",
            tr!("check-certificate-no-date"),
            tr!("check-certificate-renew-fix"),
        );
    };
    let date = not_after.date_naive();
    let days = (date - today).num_days();
    let line = if days < 0 {
        CheckLine::failed(
            check,
            "expired",
            tr!("check-certificate-expired", date = date.to_string()),
            tr!("check-certificate-renew-fix"),
        )
    } else if days <= i64::from(warning_days) {
        CheckLine::warning(
            check,
            "expires_soon",
            tr!(
                "check-certificate-expires",
                date = date.to_string(),
                days = days
            ),
            tr!("check-certificate-renew-fix"),
        )
    } else {
        CheckLine::passed(
            check,
            tr!(
                "check-certificate-expires",
                date = date.to_string(),
                days = days
            ),
        )
    };
    line.with_days_left(days)
}

#[cfg(test)]
mod tests {
    use super::super::report::Status;
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn a_certificate_is_judged_by_its_not_after() {
        let today = day(2027, 1, 1);
        let at = |d: NaiveDate| d.and_hms_opt(12, 0, 0).map(|t| t.and_utc());
        let far = certificate_expiry(at(day(2028, 1, 1)), today, 30);
        assert_eq!((far.status, far.days_left), (Status::Passed, Some(365)));
        let soon = certificate_expiry(at(day(2027, 1, 21)), today, 30);
        assert_eq!((soon.status, soon.days_left), (Status::Warning, Some(20)));
        let gone = certificate_expiry(at(day(2026, 12, 30)), today, 30);
        assert_eq!(
            (gone.status, gone.problem),
            (Status::Failed, Some("expired"))
        );
        let unknown = certificate_expiry(None, today, 30);
        assert_eq!(unknown.status, Status::Warning);
    }

    #[test]
    fn a_secret_without_a_noted_date_is_a_warning_with_the_key_to_set() {
        let line = secret_expiry(SecretExpiry::Unknown, day(2027, 1, 1));
        assert_eq!(line.status, Status::Warning);
        assert!(
            line.fix
                .as_deref()
                .is_some_and(|f| f.contains("client_secret_expires_on")),
            "{line:?}"
        );
        let expired = secret_expiry(
            SecretExpiry::Expired {
                expires_on: day(2026, 12, 29),
            },
            day(2027, 1, 1),
        );
        assert_eq!(
            (expired.status, expired.days_left),
            (Status::Failed, Some(-3))
        );
    }
}

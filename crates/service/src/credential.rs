//! The app registration's credential as `/status` and `exsync status` show it: a client secret
//! or a certificate, the day it expires as the configuration notes it
//! (`exchange.online.client_secret_expires_on`), and the days left until then.
//!
//! Invariants: everything is computed from the configured date and the `now` passed in (days
//! are counted between UTC dates, as the board never reads the clock); a credential within its
//! warning period (`exchange.online.secret_expiry_warning_days`) or past its date is a warning,
//! and no text here ever holds the secret itself.

use chrono::{DateTime, NaiveDate, Utc};
use exsync_config::{ExchangeConfig, ExchangeTarget, OnlineCredential};
use exsync_i18n::{Lang, tr_in};
use serde::{Deserialize, Serialize};

use crate::human;

/// Which credential the app registration signs in with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// A client secret (`exchange.online.client_secret`).
    ClientSecret,
    /// A certificate (`exchange.online.certificate_file`).
    Certificate,
}

/// What the configuration says about the credential; kept on the status board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialSetting {
    /// Secret or certificate.
    pub kind: CredentialKind,
    /// The day it expires, when the administrator noted it.
    pub expires_on: Option<NaiveDate>,
    /// Warn this many days before.
    pub warning_days: u32,
}

impl CredentialSetting {
    /// The credential of `[exchange.online]`; `None` for the emulator and Exchange Server,
    /// whose sign-in has no expiry date to watch.
    pub fn from_config(exchange: &ExchangeConfig) -> Option<CredentialSetting> {
        let ExchangeTarget::Online(online) = &exchange.target else {
            return None;
        };
        let kind = match online.credential {
            OnlineCredential::Secret(_) => CredentialKind::ClientSecret,
            OnlineCredential::Certificate(_) => CredentialKind::Certificate,
        };
        Some(CredentialSetting {
            kind,
            expires_on: online.client_secret_expires_on,
            warning_days: online.secret_expiry_warning_days,
        })
    }

    /// The instant the credential stops working: the start (UTC) of its expiry day.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_on
            .and_then(|day| day.and_hms_opt(0, 0, 0))
            .map(|at| at.and_utc())
    }

    /// How close the credential is to its expiry at `now`.
    pub fn status(&self, now: DateTime<Utc>) -> CredentialStatus {
        let days_left = self
            .expires_on
            .map(|day| (day - now.date_naive()).num_days());
        let state = match days_left {
            None => ExpiryState::Unknown,
            Some(days) if days < 0 => ExpiryState::Expired,
            Some(days) if days <= i64::from(self.warning_days) => ExpiryState::ExpiresSoon,
            Some(_) => ExpiryState::Valid,
        };
        CredentialStatus {
            kind: self.kind,
            expires_on: self.expires_on,
            days_left,
            warning_days: self.warning_days,
            state,
            message: None,
        }
    }
}

/// How close the credential is to its expiry date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryState {
    /// No expiry date configured.
    Unknown,
    /// Expires after the warning period.
    Valid,
    /// Expires within the warning period: time to create a new one.
    ExpiresSoon,
    /// Past its date: signing in fails.
    Expired,
}

/// The credential in `/status` (`credential`) at the snapshot's instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialStatus {
    /// Secret or certificate.
    pub kind: CredentialKind,
    /// The day it expires, when configured.
    pub expires_on: Option<NaiveDate>,
    /// Days until that day (0 = today, negative once expired), when configured.
    pub days_left: Option<i64>,
    /// The configured warning period in days.
    pub warning_days: u32,
    /// Unknown, valid, expires soon, expired.
    pub state: ExpiryState,
    /// The same in words, in the language the request asked for (only in `/status`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl CredentialStatus {
    /// True when the administrator should act: it expires within the warning period or has
    /// expired.
    pub fn is_warning(&self) -> bool {
        matches!(self.state, ExpiryState::ExpiresSoon | ExpiryState::Expired)
    }

    /// One line in words: when it expires and, when it is a warning, what to do.
    pub fn text(&self, lang: Lang) -> String {
        let kind = match self.kind {
            CredentialKind::ClientSecret => "secret",
            CredentialKind::Certificate => "certificate",
        };
        let date = self
            .expires_on
            .map(|day| human::date(lang, day))
            .unwrap_or_default();
        let days = self.days_left.unwrap_or_default();
        match self.state {
            ExpiryState::Unknown => tr_in!(lang, "status-credential-unknown", kind = kind),
            ExpiryState::Valid => {
                tr_in!(
                    lang,
                    "status-credential-valid",
                    kind = kind,
                    date = date,
                    days = days
                )
            }
            ExpiryState::ExpiresSoon => tr_in!(
                lang,
                "status-credential-expires-soon",
                kind = kind,
                date = date,
                days = days
            ),
            ExpiryState::Expired => tr_in!(
                lang,
                "status-credential-expired",
                kind = kind,
                date = date,
                days = -days
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn noon(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
            .single()
            .expect("valid time")
    }

    fn secret(expires_on: Option<NaiveDate>) -> CredentialSetting {
        CredentialSetting {
            kind: CredentialKind::ClientSecret,
            expires_on,
            warning_days: 30,
        }
    }

    #[test]
    fn only_exchange_online_has_a_credential_to_watch() {
        use exsync_config::OnlineConfig;
        use secrecy::SecretString;

        assert_eq!(
            CredentialSetting::from_config(&ExchangeConfig::default()),
            None
        );
        let day = NaiveDate::from_ymd_opt(2027, 3, 1);
        let online = OnlineConfig {
            tenant_id: "contoso.example".into(),
            client_id: "app".into(),
            credential: OnlineCredential::Secret(SecretString::from("s3cret".to_owned())),
            client_secret_expires_on: day,
            secret_expiry_warning_days: 14,
            authority: "https://login.example".into(),
            graph_url: "https://graph.example/v1.0".into(),
            scope: "https://graph.example/.default".into(),
        };
        let exchange = ExchangeConfig {
            target: ExchangeTarget::Online(online),
            ..ExchangeConfig::default()
        };
        let setting = CredentialSetting::from_config(&exchange).expect("a credential");
        assert_eq!(
            setting,
            CredentialSetting {
                kind: CredentialKind::ClientSecret,
                expires_on: day,
                warning_days: 14,
            }
        );
        assert_eq!(
            setting.expires_at().map(|at| at.to_rfc3339()),
            Some("2027-03-01T00:00:00+00:00".to_owned())
        );
        let text = format!("{:?}", setting.status(noon(2027, 1, 1)));
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[test]
    fn days_left_decide_between_valid_soon_and_expired() {
        let day = NaiveDate::from_ymd_opt(2027, 3, 1);
        let setting = secret(day);
        let valid = setting.status(noon(2027, 1, 1));
        assert_eq!(
            (valid.state, valid.days_left),
            (ExpiryState::Valid, Some(59))
        );
        assert!(!valid.is_warning());
        let soon = setting.status(noon(2027, 1, 30));
        assert_eq!(
            (soon.state, soon.days_left),
            (ExpiryState::ExpiresSoon, Some(30))
        );
        assert!(soon.is_warning());
        let today = setting.status(noon(2027, 3, 1));
        assert_eq!(today.days_left, Some(0));
        assert_eq!(today.state, ExpiryState::ExpiresSoon);
        let expired = setting.status(noon(2027, 3, 4));
        assert_eq!(
            (expired.state, expired.days_left),
            (ExpiryState::Expired, Some(-3))
        );
        let unknown = secret(None).status(noon(2027, 3, 4));
        assert_eq!(
            (unknown.state, unknown.days_left),
            (ExpiryState::Unknown, None)
        );
        assert!(!unknown.is_warning());
    }

    #[test]
    fn the_line_names_date_days_and_the_fix_in_both_languages() {
        let setting = secret(NaiveDate::from_ymd_opt(2027, 3, 1));
        let soon = setting.status(noon(2027, 2, 19)).text(Lang::English);
        assert!(
            soon.contains("2027-03-01") && soon.contains("10 days"),
            "{soon}"
        );
        assert!(soon.contains("exchange.online.client_secret"), "{soon}");
        let soon_de = setting.status(noon(2027, 2, 19)).text(Lang::German);
        assert!(
            soon_de.contains("01.03.2027") && soon_de.contains("10 Tagen"),
            "{soon_de}"
        );
        let expired = setting.status(noon(2027, 3, 2)).text(Lang::English);
        assert!(
            expired.contains("expired on 2027-03-01 (1 day ago)"),
            "{expired}"
        );
        let certificate = CredentialSetting {
            kind: CredentialKind::Certificate,
            ..setting
        };
        let line = certificate.status(noon(2026, 1, 1)).text(Lang::German);
        assert!(
            line.starts_with("Das Zertifikat läuft am 01.03.2027 ab"),
            "{line}"
        );
    }
}

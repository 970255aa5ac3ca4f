//! `exsync status [LOGIN] [--admin ADDR]`: the running service's status per mailbox as a
//! table, read from its admin endpoint (`GET http://ADDR/status`, ADDR default
//! `admin.listen`); with LOGIN, everything about that user's mailbox with its last error in
//! full. Above either, a line on the app registration's credential (Exchange Online): when it
//! expires, in warning style within its warning period or once expired.
//!
//! Invariants: prints exactly what `/status` reports (the same snapshot, rendered by
//! `exsync_service`), in the process's language; when nothing answers, says so, names the
//! address and ends with exit code 1; an unknown LOGIN is an error naming the logins reported.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use std::io::IsTerminal;

use anyhow::{Context, bail};
use chrono::Utc;
use exsync_config::{Config, ExposeSecret};
use exsync_i18n::tr;
use exsync_service::{
    CredentialStatus, MailboxStatus, StatusSnapshot, render_mailbox_detail, render_status_table,
};

use super::Outcome;

/// Runs `exsync status`, for every mailbox or, with `login`, for that user's.
pub async fn run(
    config: &Config,
    admin: Option<SocketAddr>,
    login: Option<&str>,
) -> anyhow::Result<Outcome> {
    let Some(mut addr) = admin.or(config.admin.listen) else {
        bail!(tr!("status-admin-off"));
    };
    if addr.ip().is_unspecified() {
        // A service listening on every interface answers on the loopback one too.
        addr.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    let url = format!("http://{addr}/status");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .with_context(|| tr!("status-http-client"))?;
    let mut request = client.get(&url);
    if let Some(token) = &config.admin.token {
        request = request.bearer_auth(token.expose_secret());
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) if error.is_connect() || error.is_timeout() => {
            eprintln!("{}", tr!("status-no-service", addr = addr.to_string()));
            return Ok(Outcome::SyncFailed);
        }
        Err(error) => return Err(error).with_context(|| format!("GET {url}")),
    };
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED {
        bail!(tr!("status-token-wanted", addr = addr.to_string()));
    }
    if !status.is_success() {
        bail!(tr!(
            "status-answered",
            addr = addr.to_string(),
            status = status.to_string()
        ));
    }
    let snapshot: StatusSnapshot = response
        .json()
        .await
        .with_context(|| tr!("status-not-a-status", url = url.as_str()))?;
    let now = Utc::now();
    if let Some(credential) = &snapshot.credential {
        let colour = std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        println!("{}", credential_line(credential, colour));
    }
    match login {
        None => {
            print!("{}", render_status_table(&snapshot, now));
            for mailbox in &snapshot.mailboxes {
                if let Some(held) = &mailbox.held {
                    let (login, address) = (&mailbox.login, &mailbox.mailbox);
                    let line = tr!(
                        "status-held-for",
                        login = login,
                        mailbox = address,
                        held = held
                    );
                    println!("{line}");
                }
            }
        }
        Some(login) => {
            let chosen = mailboxes_of(&snapshot, login);
            if chosen.is_empty() {
                let mut known: Vec<&str> = snapshot
                    .mailboxes
                    .iter()
                    .map(|m| m.login.as_str())
                    .collect();
                known.dedup();
                let known = if known.is_empty() {
                    "-".to_owned()
                } else {
                    known.join(", ")
                };
                bail!(tr!("status-unknown-login", login = login, known = known));
            }
            let lang = exsync_i18n::lang();
            let details: Vec<String> = chosen
                .iter()
                .map(|mailbox| render_mailbox_detail(lang, mailbox, now))
                .collect();
            print!("{}", details.join("\n"));
        }
    }
    Ok(Outcome::Success)
}

/// The mailboxes of user `login` (or with address `login`), letter case ignored.
fn mailboxes_of<'a>(snapshot: &'a StatusSnapshot, login: &str) -> Vec<&'a MailboxStatus> {
    snapshot
        .mailboxes
        .iter()
        .filter(|m| m.login.eq_ignore_ascii_case(login) || m.mailbox.eq_ignore_ascii_case(login))
        .collect()
}

/// The credential line: plain when all is well, a warning when it expires within the warning
/// period or has expired (in bold yellow with `colour`: on a terminal, unless `NO_COLOR`).
fn credential_line(credential: &CredentialStatus, colour: bool) -> String {
    let text = credential.text(exsync_i18n::lang());
    if !credential.is_warning() {
        return text;
    }
    let warning = tr!("status-warning", text = text);
    if colour {
        format!("\x1b[1;33m{warning}\x1b[0m")
    } else {
        warning
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use exsync_service::{CredentialKind, CredentialSetting};

    #[test]
    fn the_credential_line_warns_only_within_the_warning_period() {
        let setting = CredentialSetting {
            kind: CredentialKind::Certificate,
            expires_on: NaiveDate::from_ymd_opt(2027, 3, 1),
            warning_days: 30,
        };
        let at = |y, m, d| {
            NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|day| day.and_hms_opt(12, 0, 0))
                .expect("valid")
                .and_utc()
        };
        let valid = setting.status(at(2027, 1, 1));
        assert_eq!(
            credential_line(&valid, true),
            "the certificate expires on 2027-03-01 (in 59 days)"
        );
        let expired = setting.status(at(2027, 3, 2));
        let plain = credential_line(&expired, false);
        assert!(
            plain.starts_with("warning: the certificate expired on 2027-03-01 (1 day ago)"),
            "{plain}"
        );
        assert_eq!(
            credential_line(&expired, true),
            format!("\x1b[1;33m{plain}\x1b[0m")
        );
    }
}

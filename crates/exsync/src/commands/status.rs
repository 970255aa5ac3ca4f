//! `exsync status [--admin ADDR]`: the running service's status per mailbox as a table, read
//! from its admin endpoint (`GET http://ADDR/status`, ADDR default `admin.listen`).
//!
//! Invariants: prints exactly what `/status` reports (the same snapshot, rendered by
//! `exsync_service::render_status_table`); when nothing answers, says so, names the address
//! and ends with exit code 1.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::Utc;
use exsync_config::{Config, ExposeSecret};
use exsync_service::{StatusSnapshot, render_status_table};

use super::Outcome;

/// Runs `exsync status`.
pub async fn run(config: &Config, admin: Option<SocketAddr>) -> anyhow::Result<Outcome> {
    let Some(mut addr) = admin.or(config.admin.listen) else {
        bail!(
            "the admin endpoint is switched off (admin.listen = \"off\"), so there is no status \
             to read; name the running service's address with `exsync status --admin ADDR:PORT`"
        );
    };
    if addr.ip().is_unspecified() {
        // A service listening on every interface answers on the loopback one too.
        addr.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    let url = format!("http://{addr}/status");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .context("cannot build an HTTP client")?;
    let mut request = client.get(&url);
    if let Some(token) = &config.admin.token {
        request = request.bearer_auth(token.expose_secret());
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) if error.is_connect() || error.is_timeout() => {
            eprintln!(
                "no exsync service answers on {addr} (is `exsync run` running? see admin.listen)"
            );
            return Ok(Outcome::SyncFailed);
        }
        Err(error) => return Err(error).with_context(|| format!("GET {url}")),
    };
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED {
        bail!(
            "the admin endpoint on {addr} wants a token: set admin.token (or admin.token_file) \
             to the service's token"
        );
    }
    if !status.is_success() {
        bail!("the admin endpoint on {addr} answered {status} to GET /status");
    }
    let snapshot: StatusSnapshot = response.json().await.with_context(|| {
        format!("the answer of {url} is not an exsync status (is another program listening there?)")
    })?;
    print!("{}", render_status_table(&snapshot, Utc::now()));
    for mailbox in &snapshot.mailboxes {
        if let Some(held) = &mailbox.held {
            println!("held for {} ({}): {held}", mailbox.login, mailbox.mailbox);
        }
    }
    Ok(Outcome::Success)
}

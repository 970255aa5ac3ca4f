//! SIGHUP while `exsync run` serves: the configuration file is read again. The sync rules and
//! intervals apply from the next pass on; the Exchange Online sign-in settings (client secret
//! or certificate, tenant, client id, authority) go to the running token provider, so the next
//! token request uses them; every other change is named with "takes effect after a restart".
//!
//! Invariants: a file with errors changes nothing (the running configuration stays, the errors
//! are logged); no secret reaches a log line (changes are named by key, never by value).

use std::path::Path;
use std::sync::Arc;

use exsync_config::{Config, ExchangeConfig, ExchangeTarget};
use exsync_graph::auth::TokenProvider;
use exsync_runtime::rules_from_config;
use exsync_service::daemon::LiveSettings;
use tokio::sync::watch;

/// Reads the configuration again and applies what can be applied live; the configuration
/// read, or `None` when it was refused.
pub(super) fn reload_config(
    running: &Config,
    file: Option<&Path>,
    settings: &watch::Sender<Arc<LiveSettings>>,
    tokens: Option<&TokenProvider>,
) -> Option<Config> {
    let fresh = match Config::from_env_and_file(file) {
        Ok(fresh) => fresh,
        Err(errors) => {
            tracing::error!(
                "the configuration was not reloaded, it has errors (the running one stays): {errors}"
            );
            return None;
        }
    };
    let rules = match rules_from_config(&fresh) {
        Ok(rules) => rules,
        Err(error) => {
            tracing::error!(
                "the configuration was not reloaded, its sync rules are invalid (the running one stays): {error}"
            );
            return None;
        }
    };
    let mut needs_restart: Vec<&str> = [
        (
            running.database.url.expose_secret() != fresh.database.url.expose_secret(),
            "database.url",
        ),
        (
            running.database.state_url().expose_secret()
                != fresh.database.state_url().expose_secret(),
            "database.state_url",
        ),
        (running.admin != fresh.admin, "[admin]"),
        (running.logging != fresh.logging, "[logging]"),
        (
            running.service.lease_time != fresh.service.lease_time,
            "service.lease_time",
        ),
        (
            running.service.max_concurrent_passes != fresh.service.max_concurrent_passes,
            "service.max_concurrent_passes",
        ),
    ]
    .into_iter()
    .filter_map(|(changed, key)| changed.then_some(key))
    .collect();
    needs_restart.extend(exchange_restart_keys(&running.exchange, &fresh.exchange));
    for key in needs_restart {
        tracing::warn!("{key} changed in the configuration file; it takes effect after a restart");
    }
    if let (Some(tokens), ExchangeTarget::Online(online)) = (tokens, &fresh.exchange.target) {
        match tokens.reload_from_config(online) {
            Ok(true) => tracing::info!(
                "the Exchange Online sign-in settings changed (client secret or certificate, \
                 tenant_id, client_id or authority): the next token request uses the new ones"
            ),
            Ok(false) => {}
            Err(error) => tracing::error!(
                "the new Exchange Online credential could not be loaded, the running one stays: {error}"
            ),
        }
    }
    settings.send_replace(Arc::new(super::run::live_settings(&fresh, &rules)));
    tracing::info!("configuration reloaded: sync rules and intervals apply from the next pass on");
    Some(fresh)
}

/// The `[exchange]` settings that differ and cannot change while running: the kind, the
/// addressing, the Graph endpoint and scope, the Exchange Server settings. (The Exchange
/// Online sign-in settings are reloaded.)
fn exchange_restart_keys(running: &ExchangeConfig, fresh: &ExchangeConfig) -> Vec<&'static str> {
    let mut keys = Vec::new();
    if running.kind() != fresh.kind() {
        keys.push("exchange.kind");
    }
    if running.mailbox_addressing != fresh.mailbox_addressing {
        keys.push("exchange.mailbox_addressing");
    }
    match (&running.target, &fresh.target) {
        (ExchangeTarget::Online(old), ExchangeTarget::Online(new)) => {
            if old.graph_url != new.graph_url {
                keys.push("exchange.online.graph_url");
            }
            if old.scope != new.scope {
                keys.push("exchange.online.scope");
            }
        }
        (ExchangeTarget::Server(old), ExchangeTarget::Server(new))
            if format!("{old:?}") != format!("{new:?}") =>
        {
            keys.push("[exchange.server]");
        }
        _ => {}
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn online(extra: &str) -> Config {
        let toml = format!(
            "[exchange]\nkind = \"online\"\n[exchange.online]\n\
             tenant_id = \"11111111-2222-3333-4444-555555555555\"\n\
             client_id = \"66666666-7777-8888-9999-000000000000\"\n{extra}"
        );
        Config::from_toml_str(&toml, Vec::<(String, String)>::new()).expect("valid")
    }

    #[test]
    fn a_new_secret_needs_no_restart_but_a_new_endpoint_does() {
        let running = online("client_secret = \"first\"\n");
        let new_secret =
            online("client_secret = \"second\"\nclient_secret_expires_on = 2030-01-01\n");
        assert!(exchange_restart_keys(&running.exchange, &new_secret.exchange).is_empty());
        let moved =
            online("client_secret = \"first\"\ngraph_url = \"https://graph.microsoft.us/v1.0\"\n");
        assert_eq!(
            exchange_restart_keys(&running.exchange, &moved.exchange),
            ["exchange.online.graph_url", "exchange.online.scope"]
        );
        assert_eq!(
            exchange_restart_keys(&running.exchange, &Config::default().exchange),
            ["exchange.kind"]
        );
    }
}

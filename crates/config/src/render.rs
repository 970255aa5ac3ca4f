//! `exsync config show`: the effective configuration as TOML, secrets masked, each value that
//! is not a built-in default followed by a comment saying where it came from.
//!
//! Invariant: no secret's text ever reaches the output (secrets print as `"********"`, database
//! URLs with their password masked), and the output is valid TOML.

use std::fmt::Write as _;

use crate::database_url::{DatabaseUrl, MASK};
use crate::error::Origin;
use crate::exchange::{ExchangeTarget, OnlineCredential, ServerAuth};
use crate::keys::{KEYS, KeyKind, SECTIONS, lookup};
use crate::model::Config;

/// How one key appears in the output.
pub(crate) enum Shown {
    /// A TOML value.
    Value(String),
    /// Not set; the text says what applies instead.
    NotSet(String),
    /// Not printed at all (a `_file` key that was not used).
    Hidden,
}

fn text(value: &str) -> Shown {
    Shown::Value(toml::Value::String(value.to_owned()).to_string())
}

fn not_set(otherwise: &str) -> Shown {
    Shown::NotSet(otherwise.to_owned())
}

fn plain(value: impl ToString) -> Shown {
    Shown::Value(value.to_string())
}

/// What `service.start_mode = "changes_only"` relies on, shown under the key.
const CHANGES_ONLY_NOTE: &str = "# changes_only: the first pass of a mailbox records its start; afterwards an unlinked \
item stays\n# out while it was last changed before then. Business records: the later of their \
newest change journal\n# entry (kept by triggers) and updated_at; Exchange items: \
lastModifiedDateTime. Items both sides\n# already hold are paired all the same \
(sync.pair_existing).\n";

fn optional(value: Option<&str>, otherwise: &str) -> Shown {
    value.map_or_else(|| not_set(otherwise), text)
}

impl Config {
    /// The effective configuration as TOML, for `exsync --config FILE config show`: every key
    /// with its value, secrets as `"********"`, `(not set)` for optional keys without a value,
    /// and a `# from ...` comment (file line or environment variable) on every value that is
    /// not a built-in default.
    pub fn render_effective(&self) -> String {
        let mut out = String::from(
            "# exsync: effective configuration.\n\
             # Secrets are shown as \"********\". Values without a \"# from\" comment are \
             built-in defaults.\n",
        );
        for section in SECTIONS {
            if *section == "exchange.online" || *section == "exchange.server" {
                let active = matches!(
                    (*section, &self.exchange.target),
                    ("exchange.online", ExchangeTarget::Online(_))
                        | ("exchange.server", ExchangeTarget::Server(_))
                );
                if !active {
                    let kind = self.exchange.kind();
                    let _ = write!(
                        out,
                        "\n# [{section}] is not used while exchange.kind = \"{kind}\".\n"
                    );
                    continue;
                }
            }
            let _ = write!(out, "\n[{section}]\n");
            for key in KEYS.iter().filter(|key| key.section() == *section) {
                let line = match self.shown(key.name) {
                    Shown::Hidden => continue,
                    Shown::NotSet(otherwise) => {
                        format!("# {} = (not set: {otherwise})", key.leaf())
                    }
                    Shown::Value(value) => format!("{} = {value}", key.leaf()),
                };
                out.push_str(&line);
                let source = self.origins.get(key.name);
                if let Some(origin) = source.filter(|o| !matches!(o, Origin::Default)) {
                    let _ = write!(out, "  # from {origin}");
                }
                out.push('\n');
                if key.name == "service.start_mode"
                    && self.service.start_mode == crate::StartMode::ChangesOnly
                {
                    out.push_str(CHANGES_ONLY_NOTE);
                }
            }
        }
        out
    }

    /// The file a secret was read from, for `_file` keys.
    fn secret_file(&self, file_key: &str) -> Shown {
        let secret_key = file_key.strip_suffix("_file").unwrap_or(file_key);
        self.secret_files
            .iter()
            .find(|(key, _)| **key == secret_key)
            .map_or(Shown::Hidden, |(_, path)| text(&path.display().to_string()))
    }

    /// The secret itself: masked, or hidden when it came from a file (the `_file` line shows).
    fn secret(&self, key: &str, set: bool, otherwise: &str) -> Shown {
        if self.secret_files.contains_key(key) {
            Shown::Hidden
        } else if set {
            text(MASK)
        } else {
            not_set(otherwise)
        }
    }

    fn database_url(&self, key: &str, url: Option<&DatabaseUrl>, otherwise: &str) -> Shown {
        if self.secret_files.contains_key(key) {
            return Shown::Hidden;
        }
        url.map_or_else(|| not_set(otherwise), |url| text(&url.redacted()))
    }

    pub(crate) fn shown(&self, key: &str) -> Shown {
        let s = &self.service;
        let d = &self.database;
        let y = &self.sync;
        let l = &self.logging;
        match key {
            "service.enabled" => plain(s.enabled),
            "service.full_pass_interval" => plain(s.full_pass_interval.as_secs()),
            "service.poll_interval" => plain(s.poll_interval.as_secs()),
            "service.start_mode" => text(s.start_mode.as_str()),
            "service.lease_time" => plain(s.lease_time.as_secs()),
            "service.max_concurrent_passes" => plain(s.max_concurrent_passes),
            "service.instance_name" => optional(
                s.instance_name.as_deref(),
                &format!("the host name, {:?}", s.instance_name_or_host()),
            ),
            "database.url" => self.database_url(key, Some(&d.url), ""),
            "database.state_url" => {
                self.database_url(key, d.state_url.as_ref(), "the state lives in database.url")
            }
            "database.url_file" | "database.state_url_file" => self.secret_file(key),
            "database.schema" => optional(d.schema.as_deref(), "the connection's search path"),
            "sync.months_past" => plain(y.months_past),
            "sync.months_future" => plain(y.months_future),
            "sync.appointments" => text(y.appointments.as_str()),
            "sync.tasks" => text(y.tasks.as_str()),
            "sync.contacts" => text(y.contacts.as_str()),
            "sync.body" => text(y.body.as_str()),
            "sync.conflict" => text(y.conflict.as_str()),
            "sync.mass_delete_guard" => plain(float(y.mass_delete_guard.max_share)),
            "sync.mass_delete_guard_min_items" => plain(y.mass_delete_guard.min_items),
            "sync.contact_folder" => text(&y.contact_folder),
            "sync.task_list" => optional(y.task_list.as_deref(), "the user's default To Do list"),
            "sync.pair_existing" => plain(y.pair_existing),
            "sync.time_zone" => text(&y.time_zone),
            "exchange.kind" => text(self.exchange.kind().as_str()),
            "exchange.mailbox_addressing" => text(self.exchange.mailbox_addressing.as_str()),
            "logging.level" => text(l.level.as_str()),
            "logging.format" => text(l.format.as_str()),
            "logging.file" => l.file.as_ref().map_or(not_set("standard error"), |path| {
                text(&path.display().to_string())
            }),
            "logging.exchange_transfers" => plain(l.exchange_transfers),
            "logging.diagnostics" => plain(l.diagnostics),
            "admin.listen" => self
                .admin
                .listen
                .map_or_else(|| text("off"), |addr| text(&addr.to_string())),
            "admin.token" => self.secret(
                key,
                self.admin.token.is_some(),
                "none (allowed only on a loopback address)",
            ),
            _ if is_secret_file(key) => self.secret_file(key),
            _ if key.starts_with("exchange.online.") => self.shown_online(key),
            _ if key.starts_with("exchange.server.") => self.shown_server(key),
            _ => not_set("unknown key"),
        }
    }

    fn shown_online(&self, key: &str) -> Shown {
        let ExchangeTarget::Online(o) = &self.exchange.target else {
            return Shown::Hidden;
        };
        let (secret, certificate) = match &o.credential {
            OnlineCredential::Secret(_) => (true, None),
            OnlineCredential::Certificate(certificate) => (false, Some(certificate)),
        };
        match key {
            "exchange.online.tenant_id" => text(&o.tenant_id),
            "exchange.online.client_id" => text(&o.client_id),
            "exchange.online.client_secret" => self.secret(key, secret, "a certificate is used"),
            "exchange.online.client_secret_expires_on" => o
                .client_secret_expires_on
                .map_or(not_set("no expiry warning"), plain),
            "exchange.online.secret_expiry_warning_days" => plain(o.secret_expiry_warning_days),
            "exchange.online.certificate_file" => certificate
                .map_or(not_set("a client secret is used"), |c| {
                    text(&c.file.display().to_string())
                }),
            "exchange.online.certificate_password" => self.secret(
                key,
                certificate.is_some_and(|c| c.password.is_some()),
                "none",
            ),
            "exchange.online.authority" => text(&o.authority),
            "exchange.online.graph_url" => text(&o.graph_url),
            "exchange.online.scope" => text(&o.scope),
            _ => not_set("unknown key"),
        }
    }

    fn shown_server(&self, key: &str) -> Shown {
        let ExchangeTarget::Server(s) = &self.exchange.target else {
            return Shown::Hidden;
        };
        let credentials = match &s.auth {
            ServerAuth::Basic(c) | ServerAuth::Ntlm(c) => Some(c),
            ServerAuth::Bearer(_) => None,
        };
        let bearer = matches!(s.auth, ServerAuth::Bearer(_));
        match key {
            "exchange.server.ews_url" => text(&s.ews_url),
            "exchange.server.auth" => text(s.auth.kind().as_str()),
            "exchange.server.username" => {
                credentials.map_or(not_set("a bearer token is used"), |c| text(&c.username))
            }
            "exchange.server.password" => {
                self.secret(key, credentials.is_some(), "a bearer token is used")
            }
            "exchange.server.token" => self.secret(key, bearer, "user name and password are used"),
            "exchange.server.impersonation" => text(s.impersonation.as_str()),
            "exchange.server.server_version" => text(s.server_version.as_str()),
            "exchange.server.accept_invalid_certs" => plain(s.accept_invalid_certs),
            _ => not_set("unknown key"),
        }
    }
}

fn is_secret_file(key: &str) -> bool {
    lookup(key).is_some_and(|info| info.kind == KeyKind::SecretFile)
}

/// A float as TOML writes it (`1.0`, not `1`).
fn float(value: f64) -> String {
    toml::Value::Float(value).to_string()
}

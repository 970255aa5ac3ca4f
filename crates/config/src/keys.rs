//! The list of every configuration key, its environment variable and whether it holds a secret.
//!
//! Invariant: this list is the only authority on which keys exist. The file reader, the
//! environment reader, unknown-key suggestions and `config show` all consult it, and a test
//! proves that the loader reads every key listed here and that no two keys share a variable.

use crate::suggest::closest;

/// Prefix of every environment variable that sets a configuration key.
pub const ENV_PREFIX: &str = "EXSYNC_";

/// Variables starting with [`ENV_PREFIX`] that are not configuration keys and are ignored by
/// the loader: `EXSYNC_CONFIG` (the configuration file the CLI reads) and `EXSYNC_LOG` (a
/// log filter override for the CLI). Variables starting with `EXSYNC_TEST_` are ignored too.
pub const RESERVED_ENV_VARS: &[&str] = &["EXSYNC_CONFIG", "EXSYNC_LOG"];

/// Prefix of variables reserved for the test suites (e.g. `EXSYNC_TEST_POSTGRES_URL`).
pub const TEST_ENV_PREFIX: &str = "EXSYNC_TEST_";

/// What a key holds, as far as secrecy is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// An ordinary value; shown in `config show` and may be quoted in errors when it is a number.
    Plain,
    /// A secret (or a value that may contain one, such as a database URL with a password).
    /// Never shown, never quoted. Has a `<key>_file` twin.
    Secret,
    /// The path of a file holding the secret named by the key without `_file`.
    SecretFile,
}

/// One configuration key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyInfo {
    /// Dotted name, e.g. `sync.months_past`.
    pub name: &'static str,
    /// Whether the key holds a secret.
    pub kind: KeyKind,
}

impl KeyInfo {
    /// The section part of the name: `exchange.online` for `exchange.online.client_id`.
    pub fn section(&self) -> &'static str {
        self.name
            .rsplit_once('.')
            .map_or("", |(section, _)| section)
    }

    /// The last part of the name: `client_id` for `exchange.online.client_id`.
    pub fn leaf(&self) -> &'static str {
        self.name
            .rsplit_once('.')
            .map_or(self.name, |(_, leaf)| leaf)
    }

    /// The environment variable that sets this key, e.g. `EXSYNC_SYNC_MONTHS_PAST`.
    pub fn env_var(&self) -> String {
        env_var_for(self.name)
    }

    /// For a secret or its `_file` twin: the other key of the pair.
    pub fn partner(&self) -> Option<&'static KeyInfo> {
        match self.kind {
            KeyKind::Plain => None,
            KeyKind::Secret => lookup(&format!("{}_file", self.name)),
            KeyKind::SecretFile => self.name.strip_suffix("_file").and_then(lookup),
        }
    }
}

const fn plain(name: &'static str) -> KeyInfo {
    KeyInfo {
        name,
        kind: KeyKind::Plain,
    }
}

const fn secret(name: &'static str) -> KeyInfo {
    KeyInfo {
        name,
        kind: KeyKind::Secret,
    }
}

const fn secret_file(name: &'static str) -> KeyInfo {
    KeyInfo {
        name,
        kind: KeyKind::SecretFile,
    }
}

/// Every key, in the order `config show` and the documentation list them.
pub const KEYS: &[KeyInfo] = &[
    plain("service.enabled"),
    plain("service.full_pass_interval"),
    plain("service.poll_interval"),
    plain("service.start_mode"),
    plain("service.instance_name"),
    plain("service.lease_time"),
    plain("service.max_concurrent_passes"),
    secret("database.url"),
    secret_file("database.url_file"),
    secret("database.state_url"),
    secret_file("database.state_url_file"),
    plain("database.schema"),
    plain("sync.months_past"),
    plain("sync.months_future"),
    plain("sync.appointments"),
    plain("sync.tasks"),
    plain("sync.contacts"),
    plain("sync.body"),
    plain("sync.conflict"),
    plain("sync.mass_delete_guard"),
    plain("sync.mass_delete_guard_min_items"),
    plain("sync.contact_folder"),
    plain("sync.task_list"),
    plain("sync.pair_existing"),
    plain("sync.time_zone"),
    plain("exchange.kind"),
    plain("exchange.mailbox_addressing"),
    plain("exchange.online.tenant_id"),
    plain("exchange.online.client_id"),
    secret("exchange.online.client_secret"),
    secret_file("exchange.online.client_secret_file"),
    plain("exchange.online.client_secret_expires_on"),
    plain("exchange.online.secret_expiry_warning_days"),
    plain("exchange.online.certificate_file"),
    secret("exchange.online.certificate_password"),
    secret_file("exchange.online.certificate_password_file"),
    plain("exchange.online.authority"),
    plain("exchange.online.graph_url"),
    plain("exchange.online.scope"),
    plain("exchange.server.ews_url"),
    plain("exchange.server.auth"),
    plain("exchange.server.username"),
    secret("exchange.server.password"),
    secret_file("exchange.server.password_file"),
    secret("exchange.server.token"),
    secret_file("exchange.server.token_file"),
    plain("exchange.server.impersonation"),
    plain("exchange.server.server_version"),
    plain("exchange.server.accept_invalid_certs"),
    plain("logging.level"),
    plain("logging.format"),
    plain("logging.file"),
    plain("logging.exchange_transfers"),
    plain("logging.diagnostics"),
    plain("admin.listen"),
    secret("admin.token"),
    secret_file("admin.token_file"),
];

/// Every section (TOML table) that may appear in the file, parents before children.
pub const SECTIONS: &[&str] = &[
    "service",
    "database",
    "sync",
    "exchange",
    "exchange.online",
    "exchange.server",
    "logging",
    "admin",
];

/// The key with this dotted name.
pub fn lookup(name: &str) -> Option<&'static KeyInfo> {
    KEYS.iter().find(|key| key.name == name)
}

/// The key set by this environment variable (which must include the `EXSYNC_` prefix).
pub fn lookup_env(var: &str) -> Option<&'static KeyInfo> {
    KEYS.iter().find(|key| key.env_var() == var)
}

/// Whether `name` is a section.
pub fn is_section(name: &str) -> bool {
    SECTIONS.contains(&name)
}

/// `EXSYNC_` + the dotted name upper-cased with dots turned into underscores.
pub fn env_var_for(name: &str) -> String {
    format!(
        "{ENV_PREFIX}{}",
        name.replace('.', "_").to_ascii_uppercase()
    )
}

/// What a KWP bnWin.net setting (`appSettings` key of `bnNetExchangeSync.exe.config` or
/// `Adress2Exchange-Dienst.exe.config`) became in exsync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BnwinEquivalent {
    /// This key (the value may need changing: see `exsync config import --bnwin`).
    Key(&'static str),
    /// No key: a one-off command does it.
    Command(&'static str),
    /// Nothing in exsync.
    None,
}

/// Every bnWin.net `appSettings` key the manual names, with its exsync equivalent. The
/// `exsync config import --bnwin` mapping and the "did you mean" hint for a bnWin key written
/// into `exsync.toml` both come from this table.
pub const BNWIN_KEYS: &[(&str, BnwinEquivalent)] = &[
    ("AppPath", BnwinEquivalent::None),
    (
        "SyncMonateVergangenheit",
        BnwinEquivalent::Key("sync.months_past"),
    ),
    (
        "SyncMonateZukunft",
        BnwinEquivalent::Key("sync.months_future"),
    ),
    (
        "ZeitZwischenSyncdurchlaeufen(Sekunden)",
        BnwinEquivalent::Key("service.full_pass_interval"),
    ),
    (
        "AlleTermineVorloeschen",
        BnwinEquivalent::Command("exsync reset --kind appointments"),
    ),
    (
        "AzureClientId",
        BnwinEquivalent::Key("exchange.online.client_id"),
    ),
    (
        "AzureTenantId",
        BnwinEquivalent::Key("exchange.online.tenant_id"),
    ),
    (
        "AzureClientSecret",
        BnwinEquivalent::Key("exchange.online.client_secret"),
    ),
    (
        "AzureEwsScopestring",
        BnwinEquivalent::Key("exchange.online.scope"),
    ),
    (
        "AzureEwsEndpoint",
        BnwinEquivalent::Key("exchange.online.graph_url"),
    ),
];

/// The bnWin.net key `name` is, if it is one: compared case-insensitively, and with or without
/// a unit in brackets (`ZeitZwischenSyncdurchlaeufen` = `ZeitZwischenSyncdurchlaeufen(Sekunden)`).
pub fn bnwin_key(name: &str) -> Option<(&'static str, BnwinEquivalent)> {
    let bare = |text: &str| -> String {
        text.split('(')
            .next()
            .unwrap_or(text)
            .trim()
            .to_ascii_lowercase()
    };
    let wanted = bare(name);
    BNWIN_KEYS
        .iter()
        .find(|(bnwin, _)| bare(bnwin) == wanted)
        .copied()
}

/// The hint for a bnWin.net key written where an exsync key belongs.
fn suggest_for_bnwin(unknown: &str) -> Option<String> {
    let leaf = unknown.rsplit_once('.').map_or(unknown, |(_, leaf)| leaf);
    match bnwin_key(leaf).or_else(|| bnwin_key(unknown))? {
        (_, BnwinEquivalent::Key(key)) => Some(key.to_owned()),
        (_, BnwinEquivalent::Command(command)) => Some(format!(
            "the command `{command}` (a one-off action, not a setting)"
        )),
        (_, BnwinEquivalent::None) => None,
    }
}

/// The hint for an unknown dotted name in the file: the exsync key a bnWin.net key became,
/// else the closest known key or section.
pub fn suggest(unknown: &str) -> Option<String> {
    suggest_for_bnwin(unknown).or_else(|| suggest_key(unknown).map(str::to_owned))
}

/// The known key or section an unknown dotted name was most likely meant to be.
pub(crate) fn suggest_key(unknown: &str) -> Option<&'static str> {
    let names = KEYS
        .iter()
        .map(|key| key.name)
        .chain(SECTIONS.iter().copied());
    if let Some(found) = closest(unknown, names) {
        return Some(found);
    }
    // The right key in the wrong section: `sync.ews_url` -> `exchange.server.ews_url`.
    let leaf = unknown.rsplit_once('.').map_or(unknown, |(_, leaf)| leaf);
    let mut same_leaf = KEYS.iter().filter(|key| key.leaf() == leaf);
    match (same_leaf.next(), same_leaf.next()) {
        (Some(only), None) => Some(only.name),
        _ => None,
    }
}

/// The known variable an unknown `EXSYNC_*` variable was most likely meant to be.
pub(crate) fn suggest_env(unknown: &str) -> Option<String> {
    let vars: Vec<String> = KEYS.iter().map(KeyInfo::env_var).collect();
    closest(unknown, vars.iter().map(String::as_str)).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_and_variables_are_unique_and_sections_known() {
        let mut names = HashSet::new();
        let mut vars = HashSet::new();
        for key in KEYS {
            assert!(names.insert(key.name), "duplicate key {}", key.name);
            assert!(
                vars.insert(key.env_var()),
                "duplicate variable for {}",
                key.name
            );
            assert!(is_section(key.section()), "{} has no section", key.name);
            assert!(!RESERVED_ENV_VARS.contains(&key.env_var().as_str()));
            assert!(!key.env_var().starts_with(TEST_ENV_PREFIX));
        }
    }

    #[test]
    fn every_secret_has_its_file_twin() {
        for key in KEYS.iter().filter(|key| key.kind != KeyKind::Plain) {
            let partner = key.partner().expect("partner");
            assert_eq!(partner.partner(), Some(key));
            assert_ne!(partner.kind, key.kind);
        }
    }

    #[test]
    fn environment_names_follow_the_rule() {
        assert_eq!(env_var_for("sync.months_past"), "EXSYNC_SYNC_MONTHS_PAST");
        assert_eq!(
            lookup_env("EXSYNC_EXCHANGE_ONLINE_CLIENT_SECRET").map(|k| k.name),
            Some("exchange.online.client_secret")
        );
    }

    #[test]
    fn bnwin_keys_point_to_their_exsync_key() {
        for (bnwin, equivalent) in BNWIN_KEYS {
            if let BnwinEquivalent::Key(key) = equivalent {
                assert!(lookup(key).is_some(), "{bnwin} -> unknown key {key}");
            }
        }
        assert_eq!(
            suggest("AzureClientId").as_deref(),
            Some("exchange.online.client_id")
        );
        assert_eq!(
            suggest("exchange.online.azureclientsecret").as_deref(),
            Some("exchange.online.client_secret")
        );
        assert_eq!(
            suggest("service.ZeitZwischenSyncdurchlaeufen").as_deref(),
            Some("service.full_pass_interval")
        );
        assert_eq!(
            suggest("AlleTermineVorloeschen").as_deref(),
            Some(
                "the command `exsync reset --kind appointments` (a one-off action, not a setting)"
            )
        );
        assert_eq!(suggest("AppPath"), None);
        assert_eq!(
            suggest("sync.month_past").as_deref(),
            Some("sync.months_past")
        );
    }

    #[test]
    fn suggestions_find_typos_and_misplaced_keys() {
        assert_eq!(suggest_key("sync.month_past"), Some("sync.months_past"));
        assert_eq!(suggest_key("sync.ews_url"), Some("exchange.server.ews_url"));
        assert_eq!(suggest_key("completely.different"), None);
        assert_eq!(
            suggest_env("EXSYNC_SYNC_MONTH_PAST").as_deref(),
            Some("EXSYNC_SYNC_MONTHS_PAST")
        );
    }
}

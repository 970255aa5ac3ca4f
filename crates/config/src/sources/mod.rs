//! Raw settings as the file and the environment give them, before typing and validation, and
//! the rule that merges them.
//!
//! Invariant: after [`merge`], each key has at most one entry, and the environment has
//! overridden the file. A secret and its `_file` twin count as one setting for this purpose:
//! giving either in the environment drops both from the file.

pub(crate) mod env;
pub(crate) mod file;

use std::collections::BTreeMap;

use crate::error::Origin;
use crate::keys::{KeyInfo, KeyKind};

/// A value as written, not yet checked against its key's type.
#[derive(Debug, Clone)]
pub(crate) enum Raw {
    /// A TOML boolean.
    Bool(bool),
    /// A TOML integer.
    Int(i64),
    /// A TOML float.
    Float(f64),
    /// A TOML string.
    Text(String),
    /// A TOML date or date-time.
    Datetime(toml::value::Datetime),
    /// The text of an environment variable (parsed according to the key's type).
    Env(String),
    /// Any other TOML value (array, table, out-of-range integer), by type name.
    Other(&'static str),
}

impl Raw {
    /// What kind of value this is, for "must be ..., not a ..." messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Raw::Bool(_) => "a boolean",
            Raw::Int(_) => "a whole number",
            Raw::Float(_) => "a decimal number",
            Raw::Text(_) | Raw::Env(_) => "a string",
            Raw::Datetime(_) => "a date",
            Raw::Other(name) => name,
        }
    }
}

/// One key's value and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The key.
    pub(crate) key: &'static KeyInfo,
    /// The value as written.
    pub(crate) raw: Raw,
    /// Where it was written.
    pub(crate) origin: Origin,
}

/// What one environment variable does.
#[derive(Debug, Clone)]
pub(crate) enum EnvSetting {
    /// Sets the key.
    Set(Entry),
    /// An empty value: the key goes back to its built-in default, whatever the file says.
    Clear(&'static KeyInfo),
}

impl EnvSetting {
    fn key(&self) -> &'static KeyInfo {
        match self {
            EnvSetting::Set(entry) => entry.key,
            EnvSetting::Clear(key) => key,
        }
    }
}

/// The merged settings: one entry per key that the file or the environment sets.
pub(crate) type Settings = BTreeMap<&'static str, Entry>;

/// File first, then the environment on top.
pub(crate) fn merge(file: Vec<Entry>, env: Vec<EnvSetting>) -> Settings {
    let mut settings: Settings = file
        .into_iter()
        .map(|entry| (entry.key.name, entry))
        .collect();
    for setting in &env {
        let key = setting.key();
        settings.remove(key.name);
        if key.kind != KeyKind::Plain
            && let Some(partner) = key.partner()
        {
            let partner_from_file = settings
                .get(partner.name)
                .is_some_and(|entry| matches!(entry.origin, Origin::File { .. }));
            if partner_from_file {
                settings.remove(partner.name);
            }
        }
    }
    for setting in env {
        if let EnvSetting::Set(entry) = setting {
            settings.insert(entry.key.name, entry);
        }
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::lookup;

    fn entry(name: &str, origin: Origin) -> Entry {
        Entry {
            key: lookup(name).expect("known key"),
            raw: Raw::Text("x".into()),
            origin,
        }
    }

    fn from_file() -> Origin {
        Origin::File {
            path: "f.toml".into(),
            line: 1,
        }
    }

    fn from_env(var: &str) -> Origin {
        Origin::Env { var: var.into() }
    }

    #[test]
    fn environment_beats_file_and_empty_clears() {
        let file = vec![
            entry("sync.body", from_file()),
            entry("sync.conflict", from_file()),
        ];
        let env = vec![
            EnvSetting::Set(entry("sync.body", from_env("EXSYNC_SYNC_BODY"))),
            EnvSetting::Clear(lookup("sync.conflict").expect("key")),
        ];
        let merged = merge(file, env);
        assert_eq!(merged["sync.body"].origin, from_env("EXSYNC_SYNC_BODY"));
        assert!(!merged.contains_key("sync.conflict"));
    }

    #[test]
    fn a_secret_in_the_environment_replaces_both_forms_in_the_file() {
        let file = vec![entry("exchange.online.client_secret", from_file())];
        let var = "EXSYNC_EXCHANGE_ONLINE_CLIENT_SECRET_FILE";
        let env = vec![EnvSetting::Set(entry(
            "exchange.online.client_secret_file",
            from_env(var),
        ))];
        let merged = merge(file, env);
        assert!(!merged.contains_key("exchange.online.client_secret"));
        assert_eq!(
            merged["exchange.online.client_secret_file"].origin,
            from_env(var)
        );
    }
}

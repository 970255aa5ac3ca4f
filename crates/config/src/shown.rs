//! One key's effective value as `config show` prints it, for `exsync config get`.
//!
//! Invariant: the same masking as [`Config::render_effective`]: a secret is never returned,
//! only `********` (database URLs with the password masked).

use crate::model::Config;
use crate::render::Shown;

/// A key's effective value, as `exsync config get` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShownValue {
    /// The value: text without quotes, numbers and booleans as written, secrets masked.
    Value(String),
    /// Not set; the text says what applies instead.
    NotSet(String),
    /// Not in use: a setting of an Exchange kind not chosen, or a `_file` key while the secret
    /// is given otherwise.
    NotUsed,
}

impl Config {
    /// The effective value of `key` (`None` when there is no such key).
    pub fn shown_value(&self, key: &str) -> Option<ShownValue> {
        crate::keys::lookup(key)?;
        Some(match self.shown(key) {
            Shown::Value(literal) => ShownValue::Value(plain(&literal)),
            Shown::NotSet(otherwise) => ShownValue::NotSet(otherwise),
            Shown::Hidden => ShownValue::NotUsed,
        })
    }
}

/// A TOML literal as plain text: strings without their quotes, the rest as written.
fn plain(literal: &str) -> String {
    let parsed = format!("v = {literal}").parse::<toml::Table>();
    match parsed.ok().and_then(|mut table| table.remove("v")) {
        Some(toml::Value::String(text)) => text,
        _ => literal.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_plain_and_secrets_masked() {
        let config = Config::from_toml_str(
            "[exchange]\nkind = \"online\"\n[exchange.online]\n\
             tenant_id = \"11111111-2222-3333-4444-555555555555\"\n\
             client_id = \"66666666-7777-8888-9999-000000000000\"\n\
             client_secret = \"Sup3r~Secret~Value\"\n\
             [database]\nurl = \"postgres://exsync:pw0rd@db/exsync\"\n",
            Vec::<(String, String)>::new(),
        )
        .expect("valid");
        let value = |key| config.shown_value(key);
        assert_eq!(
            value("exchange.online.client_secret"),
            Some(ShownValue::Value("********".into()))
        );
        assert_eq!(
            value("database.url"),
            Some(ShownValue::Value(
                "postgres://exsync:********@db/exsync".into()
            ))
        );
        assert_eq!(
            value("sync.months_past"),
            Some(ShownValue::Value("6".into()))
        );
        assert_eq!(
            value("exchange.kind"),
            Some(ShownValue::Value("online".into()))
        );
        assert!(matches!(
            value("sync.task_list"),
            Some(ShownValue::NotSet(_))
        ));
        assert_eq!(value("exchange.server.ews_url"), Some(ShownValue::NotUsed));
        assert_eq!(value("no.such_key"), None);
    }
}

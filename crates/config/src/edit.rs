//! Editing `exsync.toml` in place: `exsync config set`, and the files `config init` and
//! `config import` write.
//!
//! Invariants: only keys of [`crate::keys::KEYS`] are ever written; comments, blank lines,
//! the order of keys and the style of the rest of the file are kept (the file is edited with
//! `toml_edit`, not rewritten); a secret and its `_file` twin are never both left in one table
//! (setting one removes the other); [`set_key`] only hands back text the loader accepts (or
//! that has no problem the file did not have before); no message repeats a value.

use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;

use toml_edit::{DocumentMut, Item, Table, TableLike, Value};

use crate::error::{ConfigError, ConfigErrors};
use crate::keys::{self, KeyInfo, KeyKind};
use crate::model::Config;

/// Why a key could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// Not a configuration key.
    #[error("unknown key {key}{}", suggestion.as_deref().map_or_else(String::new, |s| format!(": did you mean {s}?")))]
    UnknownKey {
        /// The name given.
        key: String,
        /// The key most likely meant (or the bnWin.net key's equivalent).
        suggestion: Option<String>,
    },
    /// A section (`sync`) was named instead of a key.
    #[error("{section} is a section, not a key: name one of its keys, e.g. {example}")]
    Section {
        /// The section.
        section: String,
        /// One of its keys.
        example: &'static str,
    },
    /// The file writes a section as something other than a table (`sync = 3`).
    #[error("the file writes {section} as a single value, not as a section: fix it first")]
    NotATable {
        /// The section.
        section: String,
    },
    /// The file is not valid TOML, or the result does not load: the loader's messages.
    #[error("{0}")]
    Invalid(ConfigErrors),
}

/// `exsync.toml` as a document that keeps its formatting while keys are changed.
#[derive(Debug, Clone)]
pub struct ConfigDocument {
    doc: DocumentMut,
    /// Made here, not read: sections are laid out in the reference's order
    /// ([`keys::SECTIONS`]) rather than in the order keys were set.
    fresh: bool,
}

impl Default for ConfigDocument {
    fn default() -> Self {
        ConfigDocument::new()
    }
}

impl ConfigDocument {
    /// An empty file.
    pub fn new() -> Self {
        ConfigDocument {
            doc: DocumentMut::new(),
            fresh: true,
        }
    }

    /// Parses the text of a file; `path` names it in syntax errors, which give line, column
    /// and the parser's expectation, never the text of the line (it may hold a secret).
    pub fn parse(text: &str, path: &Path) -> Result<Self, EditError> {
        match DocumentMut::from_str(text) {
            Ok(doc) => Ok(ConfigDocument { doc, fresh: false }),
            Err(error) => {
                let mut errors = Vec::new();
                crate::sources::file::parse(text, path, &mut errors);
                if errors.is_empty() {
                    let offset = error.span().map_or(0, |span| span.start);
                    let before = text.get(..offset).unwrap_or(text);
                    errors.push(ConfigError::Syntax {
                        path: path.to_owned(),
                        line: before.matches('\n').count() + 1,
                        column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
                        message: "not valid TOML".to_owned(),
                    });
                }
                Err(EditError::Invalid(
                    ConfigErrors::from_vec(errors).unwrap_or_else(|| {
                        ConfigErrors::single(ConfigError::File {
                            path: path.to_owned(),
                            reason: "not valid TOML".to_owned(),
                        })
                    }),
                ))
            }
        }
    }

    /// Sets `key` to a text value (a string in quotes in the file). Returns the `_file` twin
    /// (or the secret) that was removed because it would contradict the new value.
    pub fn set_text(&mut self, key: &str, text: &str) -> Result<Option<&'static str>, EditError> {
        self.set_value(key, Value::from(text))
    }

    /// Sets `key` to a whole number.
    pub fn set_integer(
        &mut self,
        key: &str,
        number: i64,
    ) -> Result<Option<&'static str>, EditError> {
        self.set_value(key, Value::from(number))
    }

    /// Sets `key` from text as typed on a command line, trying each reading of
    /// [`value_readings`] in turn and keeping the first `accept` takes (it is given the text
    /// the file would then have). When none is accepted, the file is unchanged and the error
    /// of the first reading is returned.
    pub fn set_typed(
        &mut self,
        key: &str,
        input: &str,
        mut accept: impl FnMut(&str) -> Result<(), ConfigErrors>,
    ) -> Result<Option<&'static str>, EditError> {
        let mut first_error = None;
        for reading in value_readings(input) {
            let mut candidate = self.clone();
            let removed = candidate.set_value(key, reading)?;
            match accept(&candidate.to_string()) {
                Ok(()) => {
                    *self = candidate;
                    return Ok(removed);
                }
                Err(errors) => {
                    first_error.get_or_insert(errors);
                }
            }
        }
        Err(EditError::Invalid(first_error.unwrap_or_else(|| {
            ConfigErrors::single(ConfigError::Missing {
                key: known(key).map_or("", |k| k.name),
                reason: "(no value given)".to_owned(),
            })
        })))
    }

    /// Writes comment lines just above `key` (which must have been set).
    pub fn comment(&mut self, key: &str, lines: &[String]) {
        let Some(info) = keys::lookup(key) else {
            return;
        };
        let Ok(table) = self.table(info.section()) else {
            return;
        };
        if let Some(mut key) = table.key_mut(info.leaf()) {
            let prefix: String = lines.iter().map(|line| format!("# {line}\n")).collect();
            key.leaf_decor_mut().set_prefix(prefix);
        }
    }

    /// Whether the file sets `key`.
    pub fn contains(&self, key: &str) -> bool {
        let Some(info) = keys::lookup(key) else {
            return false;
        };
        let mut item = self.doc.as_item();
        for part in info.name.split('.') {
            match item.as_table_like().and_then(|table| table.get(part)) {
                Some(next) => item = next,
                None => return false,
            }
        }
        true
    }

    fn set_value(
        &mut self,
        key: &str,
        mut value: Value,
    ) -> Result<Option<&'static str>, EditError> {
        let info = known(key)?;
        let table = self.table(info.section())?;
        if let Some(old) = table.get(info.leaf()).and_then(Item::as_value) {
            *value.decor_mut() = old.decor().clone();
        }
        table.insert(info.leaf(), Item::Value(value));
        let mut removed = None;
        if info.kind != KeyKind::Plain
            && let Some(partner) = info.partner()
            && table.remove(partner.leaf()).is_some()
        {
            removed = Some(partner.name);
        }
        Ok(removed)
    }

    /// The table of a section, created (with its parents) when missing.
    fn table(&mut self, section: &str) -> Result<&mut dyn TableLike, EditError> {
        let not_a_table = || EditError::NotATable {
            section: section.to_owned(),
        };
        let empty = self.doc.as_table().is_empty();
        let fresh = self.fresh;
        let separate = fresh || !empty;
        let mut item = self.doc.as_item_mut();
        let mut path = String::new();
        for part in section.split('.') {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(part);
            let table = item.as_table_like_mut().ok_or_else(not_a_table)?;
            if table.get(part).is_none() {
                let mut new = Table::new();
                // A parent that only holds sub-sections needs no header of its own.
                new.set_implicit(path != section);
                if separate {
                    new.decor_mut().set_prefix("\n");
                }
                if fresh {
                    let order = keys::SECTIONS.iter().position(|s| *s == path);
                    new.set_position(order.and_then(|i| isize::try_from(i).ok()));
                }
                table.insert(part, Item::Table(new));
            }
            item = table.get_mut(part).ok_or_else(not_a_table)?;
        }
        item.as_table_like_mut().ok_or_else(not_a_table)
    }
}

impl std::fmt::Display for ConfigDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.fresh {
            // Every section made here starts with a blank line; the first needs none.
            f.write_str(self.doc.to_string().trim_start_matches('\n'))
        } else {
            write!(f, "{}", self.doc)
        }
    }
}

/// The key named, or why it cannot be written.
fn known(key: &str) -> Result<&'static KeyInfo, EditError> {
    if let Some(info) = keys::lookup(key) {
        return Ok(info);
    }
    if keys::is_section(key) {
        let example = keys::KEYS
            .iter()
            .find(|info| info.section() == key)
            .map_or("", |info| info.name);
        return Err(EditError::Section {
            section: key.to_owned(),
            example,
        });
    }
    Err(EditError::UnknownKey {
        key: key.to_owned(),
        suggestion: keys::suggest(key),
    })
}

/// The ways a value typed on a command line can be read, most specific first: as a TOML
/// value when it is one (`6`, `true`, `0.3`, `2027-05-31`, `"quoted text"`), then as plain
/// text. `both` is only text; `6` is a number first, then the text "6".
pub(crate) fn value_readings(input: &str) -> Vec<Value> {
    let mut readings = Vec::new();
    if let Ok(value) = Value::from_str(input.trim())
        && !matches!(value, Value::Array(_) | Value::InlineTable(_))
    {
        let mut value = value;
        value.decor_mut().clear();
        readings.push(value);
    }
    if !readings.iter().any(|value| value.as_str() == Some(input)) {
        readings.push(Value::from(input));
    }
    readings
}

/// What `config set` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    /// The new text of the file.
    pub text: String,
    /// The secret's other form removed from the file (`client_secret_file` when
    /// `client_secret` was set), if any.
    pub removed: Option<&'static str>,
}

/// `exsync config set KEY VALUE` on the text of the file at `path`: the new text, if the
/// configuration it gives loads through `load` without a problem the file did not already have
/// (so a file with one error can be fixed one key at a time). `load` is the normal loader
/// (the file's text at `path` plus the environment), e.g. [`Config::from_env_and_text`].
pub fn set_key(
    text: &str,
    path: &Path,
    key: &str,
    value: &str,
    load: impl Fn(&str) -> Result<Config, ConfigErrors>,
) -> Result<Edited, EditError> {
    let mut doc = ConfigDocument::parse(text, path)?;
    known(key)?;
    let before: BTreeSet<String> = match load(text) {
        Ok(_) => BTreeSet::new(),
        Err(errors) => errors.errors().iter().map(fingerprint).collect(),
    };
    let removed = doc.set_typed(key, value, |candidate| match load(candidate) {
        Ok(_) => Ok(()),
        Err(errors) => {
            let new: Vec<ConfigError> = errors
                .into_iter()
                .filter(|error| !before.contains(&fingerprint(error)))
                .collect();
            ConfigErrors::from_vec(new).map_or(Ok(()), Err)
        }
    })?;
    Ok(Edited {
        text: doc.to_string(),
        removed,
    })
}

impl ConfigErrors {
    /// The errors about `key` only (`None` if there are none), e.g. to judge one answer of a
    /// configuration that is still being written.
    pub fn only_about(&self, key: &str) -> Option<ConfigErrors> {
        let about: Vec<ConfigError> = self
            .errors()
            .iter()
            .filter(|error| error.key() == Some(key))
            .cloned()
            .collect();
        ConfigErrors::from_vec(about)
    }
}

/// An error without its line number, to tell a problem the file had before an edit from a new
/// one (an edit may move lines).
fn fingerprint(error: &ConfigError) -> String {
    match error {
        ConfigError::UnknownKey { key, .. } => format!("unknown {key}"),
        ConfigError::Invalid {
            key,
            value,
            expected,
            ..
        } => format!("invalid {key} {value:?} {expected}"),
        ConfigError::UnreadableFile {
            key, path, reason, ..
        } => format!("unreadable {key} {} {reason}", path.display()),
        ConfigError::Conflict { keys, .. } => format!("conflict {keys:?}"),
        ConfigError::Syntax { message, .. } => format!("syntax {message}"),
        other => other.to_string(),
    }
}

impl Config {
    /// Loads `text` as if it were the content of the configuration file at `path` (messages
    /// name `path`, relative paths in it are relative to its folder), with `env` on top.
    pub fn load_text(
        text: &str,
        path: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigErrors> {
        let input = crate::build::FileInput::Text { text, name: path };
        crate::build::load(Some(input), env, Vec::new())
    }

    /// [`Config::load_text`] with the process environment, as [`Config::from_env_and_file`]
    /// reads it: what the service would run with if `text` were written to `path`.
    pub fn from_env_and_text(text: &str, path: &Path) -> Result<Config, ConfigErrors> {
        let mut errors = Vec::new();
        let env = crate::sources::env::process_vars(std::env::vars_os(), &mut errors);
        let input = crate::build::FileInput::Text { text, name: path };
        crate::build::load(Some(input), env, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(path: &Path) -> impl Fn(&str) -> Result<Config, ConfigErrors> + '_ {
        move |text| Config::load_text(text, path, Vec::<(String, String)>::new())
    }

    const FILE: &str =
        "# our settings\n[sync]\nmonths_past = 6  # half a year\n\n[logging]\nlevel = \"info\"\n";

    #[test]
    fn a_value_is_replaced_in_place_keeping_comments() {
        let path = Path::new("exsync.toml");
        let edited = set_key(FILE, path, "sync.months_past", "12", load(path)).expect("set");
        assert_eq!(
            edited.text,
            "# our settings\n[sync]\nmonths_past = 12  # half a year\n\n[logging]\nlevel = \"info\"\n"
        );
        let edited = set_key(FILE, path, "sync.body", "never", load(path)).expect("set");
        assert!(
            edited.text.starts_with(
                "# our settings\n[sync]\nmonths_past = 6  # half a year\nbody = \"never\"\n"
            ),
            "{}",
            edited.text
        );
    }

    #[test]
    fn new_sections_are_added_with_their_parents() {
        let path = Path::new("exsync.toml");
        let edited = set_key(
            FILE,
            path,
            "exchange.server.ews_url",
            "mail.example.com",
            load(path),
        )
        .expect("set");
        assert!(
            edited
                .text
                .ends_with("\n[exchange.server]\news_url = \"mail.example.com\"\n"),
            "{}",
            edited.text
        );
    }

    #[test]
    fn bad_values_are_refused_with_the_loaders_message() {
        let path = Path::new("exsync.toml");
        let error = set_key(FILE, path, "sync.months_past", "-3", load(path)).expect_err("bad");
        assert_eq!(
            error.to_string(),
            "exsync.toml:3: sync.months_past = -3: must be a whole number from 0 to 120"
        );
        let error = set_key(FILE, path, "sync.tasks", "sideways", load(path)).expect_err("bad");
        assert!(error.to_string().contains("must be one of"), "{error}");
    }

    #[test]
    fn text_that_looks_like_a_number_stays_text_where_text_belongs() {
        let path = Path::new("exsync.toml");
        let edited = set_key(FILE, path, "sync.task_list", "2027", load(path)).expect("set");
        assert!(
            edited.text.contains("task_list = \"2027\""),
            "{}",
            edited.text
        );
        let edited = set_key(FILE, path, "service.enabled", "false", load(path)).expect("set");
        assert!(edited.text.contains("enabled = false"), "{}", edited.text);
        let edited = set_key(FILE, path, "sync.mass_delete_guard", "0.5", load(path)).expect("set");
        assert!(
            edited.text.contains("mass_delete_guard = 0.5"),
            "{}",
            edited.text
        );
    }

    #[test]
    fn unknown_keys_and_bnwin_keys_get_a_hint() {
        let path = Path::new("exsync.toml");
        let error = set_key(FILE, path, "AzureTenantId", "x", load(path)).expect_err("unknown");
        assert_eq!(
            error,
            EditError::UnknownKey {
                key: "AzureTenantId".into(),
                suggestion: Some("exchange.online.tenant_id".into())
            }
        );
        let error = set_key(FILE, path, "sync", "x", load(path)).expect_err("section");
        assert!(matches!(error, EditError::Section { .. }), "{error}");
    }

    #[test]
    fn setting_a_secret_removes_its_file_twin() {
        let path = Path::new("exsync.toml");
        let text = "[admin]\ntoken_file = \"/run/secrets/admin\"\n";
        let edited = set_key(text, path, "admin.token", "s3cr3t-token", load(path)).expect("set");
        assert_eq!(edited.removed, Some("admin.token_file"));
        assert_eq!(edited.text, "[admin]\ntoken = \"s3cr3t-token\"\n");
    }

    #[test]
    fn an_existing_problem_does_not_block_fixing_another() {
        let path = Path::new("exsync.toml");
        let text = "[sync]\nmonths_past = 500\nmonths_future = 500\n";
        let edited = set_key(text, path, "sync.months_past", "6", load(path)).expect("set");
        assert_eq!(
            edited.text,
            "[sync]\nmonths_past = 6\nmonths_future = 500\n"
        );
    }

    #[test]
    fn syntax_errors_do_not_show_the_line() {
        let path = Path::new("exsync.toml");
        let text = "[exchange.online]\nclient_secret = \"XW.8Q~topsecret\n";
        let error = set_key(text, path, "sync.months_past", "6", load(path)).expect_err("bad");
        let message = error.to_string();
        assert!(message.starts_with("exsync.toml:2:"), "{message}");
        assert!(!message.contains("topsecret"), "{message}");
    }

    #[test]
    fn readings_go_from_typed_to_text() {
        let shown: Vec<String> = value_readings("6")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown, ["6", "\"6\""]);
        let shown: Vec<String> = value_readings("both")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown, ["\"both\""]);
        let shown: Vec<String> = value_readings("\"x y\"")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown, ["\"x y\"", "'\"x y\"'"]);
    }
}

//! Typed reading of the merged settings: booleans, whole numbers, shares, choices, text, paths,
//! dates, addresses and secrets, each with an error that names the key and what is allowed.
//!
//! Invariant: a getter returns `None` both when the key is not set and when its value is bad;
//! in the second case exactly one error has been recorded. Only numbers, booleans and dates of
//! non-secret keys are ever quoted back; secrets are never held outside a `SecretString`.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use secrecy::SecretString;

use crate::choice::{Choice, quoted_list};
use crate::error::{ConfigError, Origin};
use crate::keys::{self, KeyKind};
use crate::sources::{Entry, Raw, Settings};
use crate::suggest::closest;

/// Reads typed values out of [`Settings`], collecting every error.
pub(crate) struct Resolver<'s> {
    settings: &'s Settings,
    errors: Vec<ConfigError>,
    read: BTreeSet<&'static str>,
    secret_files: BTreeMap<&'static str, PathBuf>,
}

/// What the resolver learnt besides the values.
pub(crate) struct Outcome {
    pub(crate) errors: Vec<ConfigError>,
    pub(crate) secret_files: BTreeMap<&'static str, PathBuf>,
    /// Keys of [`keys::KEYS`] no getter asked for (a bug if not empty).
    pub(crate) unread: Vec<&'static str>,
}

impl<'s> Resolver<'s> {
    pub(crate) fn new(settings: &'s Settings) -> Self {
        Resolver {
            settings,
            errors: Vec::new(),
            read: BTreeSet::new(),
            secret_files: BTreeMap::new(),
        }
    }

    pub(crate) fn finish(self) -> Outcome {
        let unread = keys::KEYS
            .iter()
            .map(|key| key.name)
            .filter(|name| !self.read.contains(name))
            .collect();
        Outcome {
            errors: self.errors,
            secret_files: self.secret_files,
            unread,
        }
    }

    /// Records an error found by a cross-check.
    pub(crate) fn error(&mut self, error: ConfigError) {
        self.errors.push(error);
    }

    fn get(&mut self, key: &'static str) -> Option<&'s Entry> {
        debug_assert!(keys::lookup(key).is_some(), "{key} is not in keys::KEYS");
        self.read.insert(key);
        self.settings.get(key)
    }

    /// Marks a key as read without using it; returns where it was set, if it was.
    pub(crate) fn ignore(&mut self, key: &'static str) -> Option<&'s Origin> {
        self.get(key).map(|entry| &entry.origin)
    }

    /// Where a key was set, if it was (without marking it read).
    pub(crate) fn origin(&self, key: &str) -> Option<&'s Origin> {
        self.settings.get(key).map(|entry| &entry.origin)
    }

    /// Whether a key is set to something other than an empty string.
    pub(crate) fn is_given(&self, key: &str) -> bool {
        self.settings
            .get(key)
            .is_some_and(|entry| match &entry.raw {
                Raw::Text(text) | Raw::Env(text) => !text.trim().is_empty(),
                _ => true,
            })
    }

    /// Whether a secret is given inline or as a file.
    pub(crate) fn is_given_secret(&self, key: &str) -> bool {
        self.is_given(key) || self.is_given(&format!("{key}_file"))
    }

    fn fail(&mut self, entry: &Entry, shown: Option<String>, expected: String) {
        let value = shown.filter(|_| entry.key.kind == KeyKind::Plain);
        self.errors.push(ConfigError::Invalid {
            origin: entry.origin.clone(),
            key: entry.key.name,
            value,
            expected,
        });
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self, key: &'static str) -> Option<bool> {
        let entry = self.get(key)?;
        let expected = "must be true or false";
        match &entry.raw {
            Raw::Bool(flag) => return Some(*flag),
            Raw::Env(text) if text == "true" => return Some(true),
            Raw::Env(text) if text == "false" => return Some(false),
            Raw::Env(_) => self.fail(entry, None, expected.to_owned()),
            other => self.fail(entry, scalar(other), not_a(expected, other)),
        }
        None
    }

    /// A whole number from `min` to `max`.
    pub(crate) fn whole(&mut self, key: &'static str, min: u32, max: u32) -> Option<u32> {
        let entry = self.get(key)?;
        let expected = format!("must be a whole number from {min} to {max}");
        let number = match &entry.raw {
            Raw::Int(n) => Some(*n),
            Raw::Env(text) => text.trim().parse::<i64>().ok(),
            _ => None,
        };
        match number {
            Some(n) if (i64::from(min)..=i64::from(max)).contains(&n) => u32::try_from(n).ok(),
            Some(n) => {
                self.fail(entry, Some(n.to_string()), expected);
                None
            }
            None if matches!(entry.raw, Raw::Env(_)) => {
                self.fail(entry, None, expected);
                None
            }
            None => {
                self.fail(entry, scalar(&entry.raw), not_a(&expected, &entry.raw));
                None
            }
        }
    }

    /// A share from 0.0 to 1.0.
    pub(crate) fn share(&mut self, key: &'static str) -> Option<f64> {
        let entry = self.get(key)?;
        let expected =
            "must be a share from 0.0 to 1.0 in steps of 0.01, e.g. 0.3 for 30 %".to_owned();
        let number = match &entry.raw {
            Raw::Int(n) => Some(*n as f64),
            Raw::Float(x) => Some(*x),
            Raw::Env(text) => text.trim().parse::<f64>().ok(),
            _ => None,
        };
        match number {
            Some(x) if (0.0..=1.0).contains(&x) && is_whole_percent(x) => Some(x),
            Some(x) => {
                self.fail(entry, Some(x.to_string()), expected);
                None
            }
            None if matches!(entry.raw, Raw::Env(_)) => {
                self.fail(entry, None, expected);
                None
            }
            None => {
                self.fail(entry, scalar(&entry.raw), not_a(&expected, &entry.raw));
                None
            }
        }
    }

    /// One of the enum's words.
    pub(crate) fn choice<T: Choice>(&mut self, key: &'static str) -> Option<T> {
        self.choice_among(key, T::all(), "")
    }

    /// One of `allowed` (a subset of the enum's words); `why` explains a narrower subset.
    pub(crate) fn choice_among<T: Choice>(
        &mut self,
        key: &'static str,
        allowed: &[T],
        why: &str,
    ) -> Option<T> {
        let entry = self.get(key)?;
        let names: Vec<&'static str> = allowed.iter().map(|value| value.name()).collect();
        let expected = format!("must be one of {}{why}", quoted_list(&names));
        let text = match &entry.raw {
            Raw::Text(text) | Raw::Env(text) => text.trim(),
            other => {
                self.fail(entry, scalar(other), not_a(&expected, other));
                return None;
            }
        };
        if let Some(value) = allowed.iter().find(|value| value.name() == text) {
            return Some(*value);
        }
        let hint = closest(text, names.iter().copied())
            .filter(|_| why.is_empty())
            .map_or_else(String::new, |name| format!(" (did you mean \"{name}\"?)"));
        self.fail(entry, None, format!("{expected}{hint}"));
        None
    }

    /// Text, checked and normalised by `check`. An empty string counts as not set.
    pub(crate) fn text(
        &mut self,
        key: &'static str,
        check: fn(&str) -> Result<String, String>,
    ) -> Option<String> {
        let entry = self.get(key)?;
        match &entry.raw {
            Raw::Text(text) | Raw::Env(text) if text.trim().is_empty() => None,
            Raw::Text(text) | Raw::Env(text) => match check(text) {
                Ok(value) => Some(value),
                Err(expected) => {
                    self.fail(entry, None, expected);
                    None
                }
            },
            other => {
                self.fail(entry, scalar(other), not_a("must be text in quotes", other));
                None
            }
        }
    }

    /// A file path; relative paths written in the file are relative to the file's folder.
    pub(crate) fn path(&mut self, key: &'static str) -> Option<PathBuf> {
        let text = self.text(key, |text| Ok(text.trim().to_owned()))?;
        let origin = self.origin(key)?;
        Some(resolve_path(origin, Path::new(&text)))
    }

    /// A date `YYYY-MM-DD` (a TOML date or a string).
    pub(crate) fn date(&mut self, key: &'static str) -> Option<NaiveDate> {
        let entry = self.get(key)?;
        let expected = "must be a date such as 2027-05-31".to_owned();
        let date = match &entry.raw {
            Raw::Datetime(datetime) => match (datetime.date, datetime.time) {
                (Some(d), None) => {
                    NaiveDate::from_ymd_opt(i32::from(d.year), d.month.into(), d.day.into())
                }
                _ => None,
            },
            Raw::Text(text) | Raw::Env(text) => {
                NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
            }
            _ => None,
        };
        if date.is_none() {
            let shown = match &entry.raw {
                Raw::Datetime(datetime) => Some(datetime.to_string()),
                other => scalar(other),
            };
            self.fail(entry, shown, expected);
        }
        date
    }

    /// `off`, or a socket address such as `127.0.0.1:8470` (`localhost:PORT` = `127.0.0.1`).
    pub(crate) fn listen(&mut self, key: &'static str) -> Option<Option<SocketAddr>> {
        let text = self.text(key, |text| {
            let text = text.trim();
            let text = match text.strip_prefix("localhost:") {
                Some(port) => format!("127.0.0.1:{port}"),
                None => text.to_owned(),
            };
            if text == "off" || text.parse::<SocketAddr>().is_ok() {
                Ok(text)
            } else {
                Err(
                    "must be an address with port such as 127.0.0.1:8470 or [::]:8470, \
                     or \"off\""
                        .to_owned(),
                )
            }
        })?;
        Some(text.parse().ok())
    }

    /// A secret given inline (`key`) or as a file (`key_file`, trimmed content), never both.
    /// Returns the secret and the entry it came from.
    pub(crate) fn secret(&mut self, key: &'static str) -> Option<(SecretString, &'s Entry)> {
        let file_key = keys::lookup(key)
            .and_then(|info| info.partner())
            .map(|info| info.name)?;
        let inline = self.get(key);
        let file = self.get(file_key);
        match (inline, file) {
            (Some(inline), Some(file)) => {
                self.errors.push(ConfigError::Conflict {
                    keys: vec![key, file_key],
                    message: format!(
                        "{key} ({}) and {file_key} ({}) are both set: give the secret one way only",
                        inline.origin, file.origin
                    ),
                });
                None
            }
            (Some(entry), None) => match &entry.raw {
                Raw::Text(text) | Raw::Env(text) if text.trim().is_empty() => None,
                Raw::Text(text) | Raw::Env(text) => Some((SecretString::from(text.trim()), entry)),
                other => {
                    self.fail(entry, None, not_a("must be text in quotes", other));
                    None
                }
            },
            (None, Some(entry)) => {
                let path = self.path(file_key)?;
                match read_secret_file(&path) {
                    Ok(secret) => {
                        self.secret_files.insert(key, path);
                        Some((secret, entry))
                    }
                    Err(reason) => {
                        self.errors.push(ConfigError::UnreadableFile {
                            origin: entry.origin.clone(),
                            key: file_key,
                            path,
                            reason,
                        });
                        None
                    }
                }
            }
            (None, None) => None,
        }
    }
}

/// Joins a relative path written in the configuration file to the file's folder.
pub(crate) fn resolve_path(origin: &Origin, path: &Path) -> PathBuf {
    match origin {
        Origin::File { path: file, .. } if path.is_relative() => match file.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join(path),
            _ => path.to_owned(),
        },
        _ => path.to_owned(),
    }
}

/// The file's content without surrounding white space; an empty file is an error.
fn read_secret_file(path: &Path) -> Result<SecretString, String> {
    let content = std::fs::read_to_string(path).map_err(|error| error.to_string())?;
    let trimmed = content.trim();
    if trimmed.is_empty() {
        return Err("the file is empty".to_owned());
    }
    Ok(SecretString::from(trimmed))
}

/// Whether `x` is a whole number of percent (0.3 yes, 0.305 no), allowing for binary floats.
fn is_whole_percent(x: f64) -> bool {
    let percent = x * 100.0;
    (percent - percent.round()).abs() < 1e-6
}

/// The value of a number or boolean, for quoting in an error.
fn scalar(raw: &Raw) -> Option<String> {
    match raw {
        Raw::Bool(flag) => Some(flag.to_string()),
        Raw::Int(n) => Some(n.to_string()),
        Raw::Float(x) => Some(x.to_string()),
        _ => None,
    }
}

/// `expected`, plus what was given instead when the type is wrong.
fn not_a(expected: &str, raw: &Raw) -> String {
    format!("{expected}, not {}", raw.type_name())
}

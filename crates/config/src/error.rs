//! Configuration errors, and where a value came from.
//!
//! Invariant: no error ever carries the text of a configured string value. Errors name the key
//! (and the file line or the environment variable) and say what is allowed; only numbers and
//! booleans are quoted back, because a string in the wrong place may be a pasted secret.

use std::fmt;
use std::path::PathBuf;

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default.
    Default,
    /// A line of the configuration file.
    File {
        /// The configuration file.
        path: PathBuf,
        /// 1-based line of the key.
        line: usize,
    },
    /// An environment variable.
    Env {
        /// The variable's name, e.g. `EXSYNC_SYNC_MONTHS_PAST`.
        var: String,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("built-in default"),
            Origin::File { path, line } => write!(f, "{}:{line}", path.display()),
            Origin::Env { var } => f.write_str(var),
        }
    }
}

/// One problem found while loading the configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The configuration file could not be read.
    #[error("cannot read configuration file {}: {reason}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// The configuration file is not valid TOML.
    #[error("{}:{line}:{column}: not valid TOML: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected (never the offending text).
        message: String,
    },
    /// A key (or section) in the file that exsync does not know.
    #[error("{origin}: unknown key {key}{}", did_you_mean(suggestion.as_deref()))]
    UnknownKey {
        /// Where it was written.
        origin: Origin,
        /// The dotted name as written.
        key: String,
        /// The known key it most likely meant.
        suggestion: Option<String>,
    },
    /// An `EXSYNC_*` environment variable that is not a configuration key.
    #[error("{var}: unknown configuration variable{}", did_you_mean(suggestion.as_deref()))]
    UnknownVariable {
        /// The variable.
        var: String,
        /// The known variable it most likely meant.
        suggestion: Option<String>,
    },
    /// An `EXSYNC_*` environment variable whose value is not valid Unicode.
    #[error("{var}: the value is not valid Unicode")]
    NotUnicode {
        /// The variable.
        var: String,
    },
    /// A value that is not allowed for its key.
    #[error("{origin}: {key}{}: {expected}", quoted(value.as_deref()))]
    Invalid {
        /// Where it was set.
        origin: Origin,
        /// The key.
        key: &'static str,
        /// The offending value, only when it is a number or a boolean.
        value: Option<String>,
        /// What is allowed instead.
        expected: String,
    },
    /// A key that another setting makes necessary is not set.
    #[error("{key} is required {reason}")]
    Missing {
        /// The missing key.
        key: &'static str,
        /// Why it is needed, e.g. `when exchange.kind = "online"`.
        reason: String,
    },
    /// Settings that contradict each other.
    #[error("{message}")]
    Conflict {
        /// The keys involved.
        keys: Vec<&'static str>,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A file a key points to (a `_file` secret, a certificate) cannot be read.
    #[error("{origin}: {key}: cannot read {}: {reason}", path.display())]
    UnreadableFile {
        /// Where the key was set.
        origin: Origin,
        /// The key naming the file.
        key: &'static str,
        /// The file.
        path: PathBuf,
        /// Why (the operating system's reason, or "the file is empty").
        reason: String,
    },
}

impl ConfigError {
    /// The configuration key this error is about, if it is about one.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::UnknownKey { key, .. } => Some(key),
            ConfigError::Invalid { key, .. }
            | ConfigError::Missing { key, .. }
            | ConfigError::UnreadableFile { key, .. } => Some(key),
            ConfigError::Conflict { keys, .. } => keys.first().copied(),
            ConfigError::File { .. }
            | ConfigError::Syntax { .. }
            | ConfigError::UnknownVariable { .. }
            | ConfigError::NotUnicode { .. } => None,
        }
    }
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!(": did you mean {s}?"))
}

fn quoted(value: Option<&str>) -> String {
    value.map_or_else(String::new, |v| format!(" = {v}"))
}

/// Every problem found while loading the configuration (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(Vec<ConfigError>);

impl ConfigErrors {
    /// Wraps a non-empty list; `None` when there is nothing to report.
    pub(crate) fn from_vec(errors: Vec<ConfigError>) -> Option<Self> {
        (!errors.is_empty()).then_some(ConfigErrors(errors))
    }

    /// Exactly one error.
    pub(crate) fn single(error: ConfigError) -> Self {
        ConfigErrors(vec![error])
    }

    /// The errors, in the order they were found (file, then environment, then cross-checks).
    pub fn errors(&self) -> &[ConfigError] {
        &self.0
    }

    /// How many errors there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a `ConfigErrors` holds at least one error.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The errors as a vector.
    pub fn into_vec(self) -> Vec<ConfigError> {
        self.0
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl IntoIterator for ConfigErrors {
    type Item = ConfigError;
    type IntoIter = std::vec::IntoIter<ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_values_read_like_the_file() {
        let error = ConfigError::Invalid {
            origin: Origin::File {
                path: "exsync.toml".into(),
                line: 12,
            },
            key: "sync.months_past",
            value: Some("-3".into()),
            expected: "must be a whole number from 0 to 120".into(),
        };
        assert_eq!(
            error.to_string(),
            "exsync.toml:12: sync.months_past = -3: must be a whole number from 0 to 120"
        );
        assert_eq!(error.key(), Some("sync.months_past"));
    }

    #[test]
    fn lists_put_each_error_on_its_own_line() {
        let errors = ConfigErrors::from_vec(vec![
            ConfigError::NotUnicode { var: "A".into() },
            ConfigError::NotUnicode { var: "B".into() },
        ])
        .expect("non-empty");
        assert_eq!(
            errors.to_string(),
            "A: the value is not valid Unicode\nB: the value is not valid Unicode"
        );
        assert!(ConfigErrors::from_vec(Vec::new()).is_none());
    }
}

//! Reads `EXSYNC_*` environment variables into raw entries.
//!
//! Invariant: every variable starting with `EXSYNC_` is a known key's variable, a reserved
//! variable (`EXSYNC_CONFIG`, `EXSYNC_LOG`, `EXSYNC_TEST_*`, ignored), or reported as unknown.
//! Variables without the prefix are never looked at.

use std::ffi::OsString;

use super::{Entry, EnvSetting, Raw};
use crate::error::{ConfigError, Origin};
use crate::keys::{self, ENV_PREFIX, RESERVED_ENV_VARS, TEST_ENV_PREFIX};

/// Whether a variable is ours but not a configuration key.
fn is_reserved(var: &str) -> bool {
    RESERVED_ENV_VARS.contains(&var) || var.starts_with(TEST_ENV_PREFIX)
}

/// Turns the variables into settings; unknown `EXSYNC_*` variables become errors.
pub(crate) fn read(
    vars: impl IntoIterator<Item = (String, String)>,
    errors: &mut Vec<ConfigError>,
) -> Vec<EnvSetting> {
    let mut settings = Vec::new();
    for (var, value) in vars {
        if !var.starts_with(ENV_PREFIX) || is_reserved(&var) {
            continue;
        }
        let Some(key) = keys::lookup_env(&var) else {
            errors.push(ConfigError::UnknownVariable {
                suggestion: keys::suggest_env(&var),
                var,
            });
            continue;
        };
        if value.is_empty() {
            settings.push(EnvSetting::Clear(key));
        } else {
            settings.push(EnvSetting::Set(Entry {
                key,
                raw: Raw::Env(value),
                origin: Origin::Env { var },
            }));
        }
    }
    settings
}

/// The process environment as UTF-8 pairs. `EXSYNC_*` variables whose value is not valid
/// Unicode become errors (a lossy conversion could silently corrupt a secret); other
/// variables that are not Unicode are skipped, as they cannot be ours.
pub(crate) fn process_vars(
    vars: impl IntoIterator<Item = (OsString, OsString)>,
    errors: &mut Vec<ConfigError>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (var, value) in vars {
        let Ok(var) = var.into_string() else {
            continue;
        };
        if !var.starts_with(ENV_PREFIX) {
            continue;
        }
        match value.into_string() {
            Ok(value) => out.push((var, value)),
            Err(_) if is_reserved(&var) => {}
            Err(_) => errors.push(ConfigError::NotUnicode { var }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn known_reserved_foreign_and_unknown_variables() {
        let mut errors = Vec::new();
        let settings = read(
            vars(&[
                ("EXSYNC_SYNC_MONTHS_PAST", "3"),
                ("EXSYNC_CONFIG", "/etc/exsync.toml"),
                ("EXSYNC_LOG", "debug"),
                ("EXSYNC_TEST_POSTGRES_URL", "postgres://x"),
                ("PATH", "/bin"),
                ("EXSYNC_SYNC_MONTH_PAST", "3"),
                ("EXSYNC_SYNC_BODY", ""),
            ]),
            &mut errors,
        );
        assert_eq!(settings.len(), 2);
        assert!(matches!(&settings[0], EnvSetting::Set(e) if e.key.name == "sync.months_past"));
        assert!(matches!(&settings[1], EnvSetting::Clear(k) if k.name == "sync.body"));
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "EXSYNC_SYNC_MONTH_PAST: unknown configuration variable: did you mean EXSYNC_SYNC_MONTHS_PAST?"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn non_unicode_values_of_our_variables_are_errors() {
        use std::os::unix::ffi::OsStringExt;
        let bad = OsString::from_vec(vec![0xff, 0xfe]);
        let mut errors = Vec::new();
        let out = process_vars(
            vec![
                ("EXSYNC_SYNC_BODY".into(), bad.clone()),
                ("OTHER".into(), bad),
                ("EXSYNC_SYNC_TASKS".into(), "off".into()),
            ],
            &mut errors,
        );
        assert_eq!(out, vars(&[("EXSYNC_SYNC_TASKS", "off")]));
        assert_eq!(
            errors,
            [ConfigError::NotUnicode {
                var: "EXSYNC_SYNC_BODY".into()
            }]
        );
    }
}

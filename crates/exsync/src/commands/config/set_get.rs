//! `exsync config set KEY [VALUE]` and `exsync config get KEY`: one key of the file.
//!
//! Invariants: `set` writes only what the normal loader accepts (a refused value leaves the
//! file untouched, byte for byte) and keeps the file's comments, layout and mode; neither
//! command ever prints a secret (`set` shows it masked, `get` as `config show` does).

use std::io::IsTerminal as _;
use std::path::Path;

use exsync_config::keys::{self, KeyKind, lookup};
use exsync_config::{Config, ExposeSecret as _, MASK, Origin, SecretString, ShownValue};
use exsync_i18n::tr;

use super::prompt::{self, Prompter as _, Terminal};
use super::{edit_error, write};

/// The file must exist: `set` and `get` do not create one (`init` does).
fn existing(path: &Path) -> anyhow::Result<()> {
    if !path.exists() {
        anyhow::bail!(tr!("config-no-file", path = path.display().to_string()));
    }
    Ok(())
}

/// Runs `exsync config set`.
pub(super) fn set(path: &Path, key: &str, value: Option<&str>) -> anyhow::Result<()> {
    existing(path)?;
    let secret = lookup(key).is_some_and(|info| info.kind == KeyKind::Secret);
    let value: SecretString = match value {
        Some(value) => SecretString::from(value),
        None if std::io::stdin().is_terminal() => {
            let question = format!("{key}: ");
            if secret {
                Terminal.hidden(&question)?
            } else {
                SecretString::from(Terminal.line(&question)?)
            }
        }
        None => prompt::read_stdin_line()?,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
    let edited = exsync_config::set_key(&text, path, key, value.expose_secret(), |candidate| {
        Config::from_env_and_text(candidate, path)
    })
    .map_err(|error| match error {
        exsync_config::EditError::Invalid(errors) => anyhow::anyhow!(
            "{errors}\n{}",
            tr!(
                "config-set-refused",
                key = key,
                path = path.display().to_string()
            )
        ),
        other => edit_error(other),
    })?;
    write::replace(path, &edited.text, None)?;
    let shown = if secret {
        MASK.to_owned()
    } else {
        value.expose_secret().to_owned()
    };
    println!(
        "{}",
        tr!(
            "config-set-done",
            key = key,
            value = shown,
            path = path.display().to_string()
        )
    );
    if let Some(removed) = edited.removed {
        println!("{}", tr!("config-set-removed", key = removed));
    }
    if secret && readable_by_others(path) {
        eprintln!(
            "{}",
            tr!("config-set-readable", path = path.display().to_string())
        );
    }
    Ok(())
}

/// Whether users other than the owner may read the file (Unix).
#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).is_ok_and(|meta| meta.permissions().mode() & 0o044 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
}

/// Runs `exsync config get`.
pub(super) fn get(path: &Path, key: &str) -> anyhow::Result<()> {
    if lookup(key).is_none() {
        return Err(edit_error(exsync_config::EditError::UnknownKey {
            key: key.to_owned(),
            suggestion: keys::suggest(key),
        }));
    }
    existing(path)?;
    let config = crate::commands::load_config(Some(path))?;
    match config.shown_value(key) {
        Some(ShownValue::Value(value)) => {
            println!("{value}");
            match config.origin(key) {
                Origin::Default => eprintln!("{}", tr!("config-get-default")),
                Origin::Env { var } => eprintln!("{}", tr!("config-get-from-env", var = var)),
                Origin::File { .. } => {}
            }
        }
        Some(ShownValue::NotSet(otherwise)) => {
            eprintln!(
                "{}",
                tr!("config-get-not-set", key = key, otherwise = otherwise)
            );
        }
        Some(ShownValue::NotUsed) if lookup(key).is_some_and(|k| k.kind == KeyKind::SecretFile) => {
            let secret = key.strip_suffix("_file").unwrap_or(key);
            eprintln!(
                "{}",
                tr!("config-get-file-not-used", key = key, secret = secret)
            );
        }
        Some(ShownValue::NotUsed) | None => {
            eprintln!(
                "{}",
                tr!(
                    "config-get-not-used",
                    key = key,
                    kind = config.exchange.kind().as_str()
                )
            );
        }
    }
    Ok(())
}

//! `exsync config init`: a first configuration file, by questions on a terminal or from
//! `--set` / `--secret-stdin` in a script.
//!
//! Invariants: questions are only asked when standard input is a terminal and no value was
//! given on the command line (a script never hangs on a question); nothing is written unless
//! the whole file loads; an existing file is kept unless `--force`.

use std::io::IsTerminal as _;
use std::path::Path;

use exsync_config::keys::{self, KeyKind};
use exsync_config::{Config, ConfigDocument, ExposeSecret as _};
use exsync_i18n::tr;

use super::interview::{self, about};
use super::prompt::{self, Terminal};
use super::{edit_error, write};
use crate::cli::InitArgs;

/// Runs `exsync config init`.
pub(super) fn run(path: &Path, args: &InitArgs) -> anyhow::Result<()> {
    write::refuse_existing(path, args.force)?;
    let scripted = args.non_interactive || !args.set.is_empty() || !args.secret_stdin.is_empty();
    let doc = if scripted || !std::io::stdin().is_terminal() {
        from_arguments(path, args)?
    } else {
        interview::interview(&mut Terminal, path)?
    };
    let text = format!("{}{doc}", header());
    if let Err(errors) = Config::from_env_and_text(&text, path) {
        let hint = if scripted || !std::io::stdin().is_terminal() {
            tr!("config-init-invalid-scripted")
        } else {
            tr!("config-init-invalid")
        };
        anyhow::bail!("{errors}\n{hint}");
    }
    write::write_new(path, &text, args.force)?;
    super::finish(path, None)
}

/// The comment at the top of a file `init` writes.
fn header() -> String {
    [
        "config-init-header-1",
        "config-init-header-2",
        "config-init-header-3",
    ]
    .iter()
    .map(|id| format!("# {}\n", tr!(id)))
    .chain(std::iter::once("\n".to_owned()))
    .collect()
}

/// Without questions: every question's default, then `--set`, then `--secret-stdin`.
fn from_arguments(path: &Path, args: &InitArgs) -> anyhow::Result<ConfigDocument> {
    let mut doc = interview::defaults(path)?;
    for (key, value) in &args.set {
        if keys::lookup(key).is_some_and(|info| info.kind == KeyKind::Secret) {
            eprintln!("{}", tr!("config-secret-on-command-line", key = key));
        }
        doc.set_typed(key, value, about(key, path))
            .map_err(edit_error)?;
    }
    for key in &args.secret_stdin {
        match keys::lookup(key) {
            Some(info) if info.kind == KeyKind::Secret => {}
            Some(_) => anyhow::bail!(tr!("config-not-a-secret", key = key)),
            None => {
                return Err(edit_error(exsync_config::EditError::UnknownKey {
                    key: key.clone(),
                    suggestion: keys::suggest(key),
                }));
            }
        }
        let secret = prompt::read_stdin_line()?;
        doc.set_text(key, secret.expose_secret())
            .map_err(edit_error)?;
    }
    Ok(doc)
}

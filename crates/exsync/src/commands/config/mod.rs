//! `exsync config ...`: show, init, set, get and import of the configuration file.
//!
//! Invariants: a file is only written after the normal loader accepted what would be in it;
//! a new file is readable by its owner only; no secret reaches the terminal (answers to secret
//! questions are read without echo, values are shown masked).

mod import;
mod init;
mod interview;
mod prompt;
mod set_get;
mod show;
mod write;

use std::path::{Path, PathBuf};

use exsync_config::{Config, EditError};
use exsync_i18n::tr;

use super::Outcome;
use crate::cli::ConfigCommand;

/// The file `init`, `set`, `get` and `import` work on when `--config` is not given.
const DEFAULT_FILE: &str = "exsync.toml";

/// Runs `exsync config <command>`; `file` is `--config` / `EXSYNC_CONFIG`.
pub fn run(file: Option<&Path>, command: ConfigCommand) -> anyhow::Result<Outcome> {
    let target = || file.map_or_else(|| PathBuf::from(DEFAULT_FILE), Path::to_owned);
    match command {
        ConfigCommand::Show => show::run(file)?,
        ConfigCommand::Init(args) => init::run(&target(), &args)?,
        ConfigCommand::Set { key, value } => set_get::set(&target(), &key, value.as_deref())?,
        ConfigCommand::Get { key } => set_get::get(&target(), &key)?,
        ConfigCommand::Import(args) => import::run(&target(), &args)?,
    }
    Ok(Outcome::Success)
}

/// After a new file was written: reads it back through the normal loader and shows it
/// (secrets masked), then `report` (if any), then how to verify it.
fn finish(path: &Path, report: Option<&str>) -> anyhow::Result<()> {
    let config =
        Config::from_env_and_file(Some(path)).map_err(|errors| anyhow::anyhow!("{errors}"))?;
    println!(
        "{}",
        tr!("config-written", path = path.display().to_string())
    );
    println!();
    show::print_effective(&config);
    if let Some(report) = report {
        println!();
        print!("{report}");
    }
    println!();
    offer_check(path);
    Ok(())
}

/// The one place that points to `exsync check` after a file was written. (When `check` is
/// part of this binary, this is where it is offered and run.)
fn offer_check(path: &Path) {
    let command = format!("exsync --config {} check", path.display());
    println!("{}", tr!("config-check-hint", command = command));
}

/// A translated message for an edit that cannot be made.
fn edit_error(error: EditError) -> anyhow::Error {
    match error {
        EditError::UnknownKey {
            key,
            suggestion: Some(suggestion),
        } => anyhow::anyhow!(tr!("config-unknown-key-hint", key = key, hint = suggestion)),
        EditError::UnknownKey {
            key,
            suggestion: None,
        } => anyhow::anyhow!(tr!("config-unknown-key", key = key)),
        EditError::Section { section, example } => anyhow::anyhow!(tr!(
            "config-key-is-section",
            section = section,
            example = example
        )),
        EditError::NotATable { section } => {
            anyhow::anyhow!(tr!("config-section-not-a-table", section = section))
        }
        EditError::Invalid(errors) => anyhow::anyhow!("{errors}"),
    }
}

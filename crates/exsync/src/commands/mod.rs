//! The subcommands of `exsync`, each in its own file, and the exit codes they share.

mod approve;
mod business;
mod check;
mod config;
mod connect;
mod demo;
mod emulator;
mod reload;
mod reset;
mod run;
mod signals;
mod status;
mod sync;

use std::process::ExitCode;

use anyhow::Context;
use exsync_config::Config;

use crate::cli::{Cli, Command};
use crate::logging::{self, CommandKind};

/// How a command ended, as the process exit code says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything done.
    Success,
    /// Done, but some items were rejected (each was reported); the rest went through.
    SomeRejected,
    /// A sync pass ran, but some user, kind or item failed (each was reported).
    SyncFailed,
    /// `exsync check` found a problem (each was reported with its fix).
    ChecksFailed,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::SomeRejected => ExitCode::from(2),
            Outcome::SyncFailed | Outcome::ChecksFailed => ExitCode::from(1),
        }
    }
}

/// Runs the parsed command line, with logging installed first (see [`crate::logging`]).
pub async fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let file = cli.config.as_deref();
    let log = cli.log.as_deref();
    let setup = |kind| load_config_and_log(file, log, kind);
    let one_shot = CommandKind::OneShot;
    match cli.command {
        Command::Config(command) => {
            logging::init(log, &Default::default(), one_shot)?;
            match config::run(file, command)? {
                config::ConfigDone::Done(outcome) => Ok(outcome),
                config::ConfigDone::Check(path) => {
                    let args = crate::cli::CheckArgs {
                        user: None,
                        json: false,
                    };
                    check::run(Some(&path), &args).await
                }
            }
        }
        Command::Business(args) => {
            let (database, schema) = match args.database {
                Some(url) => {
                    logging::init(log, &Default::default(), one_shot)?;
                    (url, None)
                }
                None => {
                    let config = setup(one_shot)?;
                    let url = config.database.url.expose_secret().to_owned();
                    (url, config.database.schema)
                }
            };
            business::run(&database, schema, args.command).await
        }
        Command::Emulator { listen, seed } => {
            logging::init(log, &Default::default(), one_shot)?;
            emulator::run(listen, seed.as_deref()).await
        }
        Command::Check(args) => {
            // A configuration with errors is the first failed check, not an error of the command.
            let logging = load_config(file).map(|c| c.logging).unwrap_or_default();
            logging::init(log, &logging, one_shot)?;
            check::run(file, &args).await
        }
        Command::Sync(args) => sync::run(&setup(one_shot)?, &args).await,
        Command::Run => run::run(&setup(CommandKind::Service)?, file).await,
        Command::Demo(args) => {
            // The demo makes its own configuration; `[logging]` of the usual one applies if it
            // loads (e.g. EXSYNC_LOGGING_EXCHANGE_TRANSFERS=true), else the defaults.
            let logging = load_config(file).map(|c| c.logging).unwrap_or_default();
            logging::init(log, &logging, one_shot)?;
            demo::run(&args).await
        }
        Command::Status { login, admin } => {
            status::run(&setup(one_shot)?, admin, login.as_deref()).await
        }
        Command::Approve { login } => approve::run(&setup(one_shot)?, &login).await,
        Command::Reset(args) => reset::run(&setup(one_shot)?, &args).await,
    }
}

/// Loads the configuration, then installs logging as its `[logging]` says.
fn load_config_and_log(
    file: Option<&std::path::Path>,
    log: Option<&str>,
    kind: CommandKind,
) -> anyhow::Result<Config> {
    let config = load_config(file)?;
    logging::init(log, &config.logging, kind)?;
    Ok(config)
}

/// Loads the configuration from the file (if any) and the process environment.
fn load_config(file: Option<&std::path::Path>) -> anyhow::Result<Config> {
    Config::from_env_and_file(file)
        .map_err(|errors| anyhow::anyhow!("{errors}"))
        .context("the configuration has errors (fix them, then run `exsync config show`)")
}

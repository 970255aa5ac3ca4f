//! The subcommands of `exsync`, each in its own file, and the exit codes they share.

mod approve;
mod business;
mod config;
mod connect;
mod demo;
mod emulator;
mod reset;
mod run;
mod signals;
mod status;
mod sync;

use std::process::ExitCode;

use anyhow::Context;
use exsync_config::Config;

use crate::cli::{Cli, Command};

/// How a command ended, as the process exit code says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything done.
    Success,
    /// Done, but some items were rejected (each was reported); the rest went through.
    SomeRejected,
    /// A sync pass ran, but some user, kind or item failed (each was reported).
    SyncFailed,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::SomeRejected => ExitCode::from(2),
            Outcome::SyncFailed => ExitCode::from(1),
        }
    }
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Config(command) => config::run(cli.config.as_deref(), command),
        Command::Business(args) => {
            let database = match args.database {
                Some(url) => url,
                None => load_config(cli.config.as_deref())?
                    .database
                    .url
                    .expose_secret()
                    .to_owned(),
            };
            business::run(&database, args.command).await
        }
        Command::Emulator { listen, seed } => emulator::run(listen, seed.as_deref()).await,
        Command::Sync(args) => sync::run(&load_config(cli.config.as_deref())?, &args).await,
        Command::Run => run::run(&load_config(cli.config.as_deref())?).await,
        Command::Demo(args) => demo::run(&args).await,
        Command::Status { admin } => status::run(&load_config(cli.config.as_deref())?, admin).await,
        Command::Approve { login } => {
            approve::run(&load_config(cli.config.as_deref())?, &login).await
        }
        Command::Reset(args) => reset::run(&load_config(cli.config.as_deref())?, &args).await,
    }
}

/// Loads the configuration from the file (if any) and the process environment.
fn load_config(file: Option<&std::path::Path>) -> anyhow::Result<Config> {
    Config::from_env_and_file(file)
        .map_err(|errors| anyhow::anyhow!("{errors}"))
        .context("the configuration has errors (fix them, then run `exsync config show`)")
}

//! `exsync`: keeps a business application's appointments, tasks and contacts in two-way sync
//! with Microsoft Exchange. This file only parses the command line, starts the async runtime and
//! turns the outcome into an exit code (0 done, 1 error, 2 some items rejected).

mod cli;
mod commands;
mod logging;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    exsync_i18n::set_lang(cli.lang.unwrap_or_else(exsync_i18n::Lang::from_env));
    // The service waits on I/O nearly all the time: one thread serves it with less CPU than a
    // pool, which would hand every answer from thread to thread (measured: 4.1 % instead of
    // 5.4 % of a core for 1,000 idle mailboxes; docs/benchmarks/service.md).
    let mut builder = if matches!(cli.command, cli::Command::Run) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(outcome) => outcome.into(),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

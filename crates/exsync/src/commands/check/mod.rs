//! `exsync check [--user LOGIN] [--json]`: the configurator's "verify" in plain words. One
//! line per check — configuration, business and state databases, the Exchange checked, the
//! credential's expiry, the token, each permission the enabled data types need, and per user
//! the mailbox and a read-and-write probe of each data type — passed, warning, failed (with
//! the reason and the fix) or skipped; exit code 1 when any failed.
//!
//! Invariants: a failing check never stops the checks that do not depend on it; the checks
//! write nothing into business data nor into a user's own calendar, lists or contacts (only
//! into exsync's own "exsync check" folders, see [`probe`]); every text comes from the message
//! catalogue (`locales/*/check.ftl`).

mod databases;
mod ews;
mod exchange;
mod mailboxes;
mod probe;
mod render;
mod report;
mod token;

use std::io::Write;
use std::path::Path;

use chrono::{Local, Utc};
use exsync_config::{Config, ConfigErrors, ExchangeKind};
use exsync_i18n::tr;

use self::report::{CheckId, CheckLine, Report};
use super::Outcome;
use crate::cli::CheckArgs;

/// Runs `exsync check` with the configuration `file` (and the environment).
pub async fn run(file: Option<&Path>, args: &CheckArgs) -> anyhow::Result<Outcome> {
    let report = check(file, args.user.as_deref()).await;
    let output = if args.json {
        render::json(&report, Utc::now())?
    } else {
        render::text(&report)
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // A monitor that stopped reading has what it wanted; the exit code still tells.
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(anyhow::Error::new(error).context("cannot write the check's output"));
        }
        _ => {}
    }
    Ok(if report.failed() {
        Outcome::ChecksFailed
    } else {
        Outcome::Success
    })
}

/// Every check, in order.
async fn check(file: Option<&Path>, only: Option<&str>) -> Report {
    let mut report = Report::default();
    let config = match Config::from_env_and_file(file) {
        Ok(config) => config,
        Err(errors) => {
            report.push(configuration_failed(&errors));
            return report;
        }
    };
    report.push(configuration_passed(file, &config));
    let today = Local::now().date_naive();
    let business = databases::business(&config, only).await;
    report.extend(business.lines);
    report.push(databases::state(&config, business.reachable).await);
    let users_known = business.users.is_some();
    let users = business.users.unwrap_or_default();
    let (target, exchange_line) = exchange::connect(&config, &users).await;
    report.push(exchange_line);
    if config.exchange.kind() == ExchangeKind::Server {
        // The Exchange line says this version cannot talk EWS; nothing below applies.
        return report;
    }
    report.push(exchange::credential_expiry(&config, target.as_ref(), today));
    let (token_line, roles) = token::obtain(&config, target.as_ref()).await;
    report.push(token_line);
    let app = target.as_ref().map(|t| t.app.clone()).unwrap_or_default();
    report.extend(token::permissions(&config, &app, roles.as_ref()));
    if !users_known {
        report.push(CheckLine::skipped(
            CheckId::Mailbox,
            tr!("check-mailboxes-no-users"),
        ));
    } else if let Some(target) = &target {
        report.extend(mailboxes::check_users(target, &config, roles.as_ref(), &users).await);
    }
    report
}

fn configuration_passed(file: Option<&Path>, config: &Config) -> CheckLine {
    let source = match file {
        Some(file) => file.display().to_string(),
        None => tr!("check-config-defaults"),
    };
    CheckLine::passed(
        CheckId::Configuration,
        tr!(
            "check-config-passed",
            source = source,
            kind = config.exchange.kind().as_str()
        ),
    )
}

fn configuration_failed(errors: &ConfigErrors) -> CheckLine {
    let listed = errors
        .errors()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    CheckLine::failed(
        CheckId::Configuration,
        "config_invalid",
        tr!("check-config-failed", count = errors.len(), errors = listed),
        tr!("check-config-failed-fix"),
    )
}

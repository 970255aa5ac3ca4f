//! The process's logger: one `tracing` subscriber writing text or JSON lines to standard
//! error, or appended to `logging.file`.
//!
//! The filter is `--log` / `EXSYNC_LOG` when given (EnvFilter syntax), else `logging.level`
//! for the service (`exsync run`) and `warn` for the one-shot commands, whose results are
//! tables on standard output. On top come the two troubleshooting switches, whatever the filter
//! says: [`TRANSFER_TARGET`] at `info` when `logging.exchange_transfers` is on (else off), and
//! [`DIAGNOSTICS_TARGET`] at `debug` when `logging.diagnostics` is on (else off).
//!
//! Invariants: installed once per process, before the command runs; a bad filter or a log file
//! that cannot be opened is an error naming it, never a silently missing log.

use std::fs::{File, OpenOptions};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;
use exsync_config::{LogFormat, LoggingConfig};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::Directive;
use tracing_subscriber::fmt::writer::BoxMakeWriter;

/// The target of the Exchange transfer log (`logging.exchange_transfers`).
pub const TRANSFER_TARGET: &str = exsync_graph::client::transfer::TARGET;

/// The target of the per-item engine decisions (`logging.diagnostics`).
pub const DIAGNOSTICS_TARGET: &str = "exsync::diagnostics";

/// Which kind of command runs; it decides the level when no filter is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    /// `exsync run`: `logging.level` applies.
    Service,
    /// Every other command: `warn` (their results go to standard output).
    OneShot,
}

/// Installs the subscriber for this process: `cli_filter` is `--log` / `EXSYNC_LOG`.
pub fn init(
    cli_filter: Option<&str>,
    logging: &LoggingConfig,
    kind: CommandKind,
) -> anyhow::Result<()> {
    let filter = filter(cli_filter, logging, kind)?;
    let (writer, ansi) = match &logging.file {
        Some(path) => (BoxMakeWriter::new(Mutex::new(open_log_file(path)?)), false),
        None => (
            BoxMakeWriter::new(std::io::stderr),
            std::io::stderr().is_terminal(),
        ),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi);
    let installed = match logging.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
}

/// The filter for `kind` with the switches of `logging` applied.
pub fn filter(
    cli_filter: Option<&str>,
    logging: &LoggingConfig,
    kind: CommandKind,
) -> anyhow::Result<EnvFilter> {
    let base = match cli_filter.map(str::trim).filter(|f| !f.is_empty()) {
        Some(given) => given,
        None => match kind {
            CommandKind::Service => logging.level.as_str(),
            CommandKind::OneShot => "warn",
        },
    };
    let filter = EnvFilter::builder().parse(base).map_err(|e| {
        anyhow::anyhow!(
            "the log filter `{base}` (--log / EXSYNC_LOG) is invalid: {e}; write a level \
             (`debug`) or comma-separated target=level pairs (`warn,exsync=debug`)"
        )
    })?;
    let transfer = if logging.exchange_transfers {
        "info"
    } else {
        "off"
    };
    let diagnostics = if logging.diagnostics { "debug" } else { "off" };
    Ok(filter
        .add_directive(directive(TRANSFER_TARGET, transfer)?)
        .add_directive(directive(DIAGNOSTICS_TARGET, diagnostics)?))
}

fn directive(target: &str, level: &str) -> anyhow::Result<Directive> {
    format!("{target}={level}")
        .parse()
        .with_context(|| format!("the log directive {target}={level}"))
}

/// `path` opened for appending, created when missing.
fn open_log_file(path: &Path) -> anyhow::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| {
            format!(
                "cannot open the log file {} (logging.file); create its directory, allow \
                 exsync to write there, or choose another path",
                path.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use exsync_config::LogLevel;

    use super::*;

    fn logging(exchange_transfers: bool, diagnostics: bool) -> LoggingConfig {
        LoggingConfig {
            level: LogLevel::Debug,
            exchange_transfers,
            diagnostics,
            ..LoggingConfig::default()
        }
    }

    /// The filter's directives without the two switches (which every filter has).
    fn base_of(filter: EnvFilter) -> Vec<String> {
        let text = filter.to_string();
        let mut base: Vec<String> = text
            .split(',')
            .filter(|d| {
                !d.starts_with("exsync::transfer=") && !d.starts_with("exsync::diagnostics=")
            })
            .map(str::to_owned)
            .collect();
        base.sort();
        base
    }

    #[test]
    fn the_level_depends_on_the_command_unless_a_filter_is_given() {
        let config = logging(false, false);
        let service = filter(None, &config, CommandKind::Service).expect("valid");
        assert_eq!(base_of(service), ["debug"]);
        let one_shot = filter(None, &config, CommandKind::OneShot).expect("valid");
        assert_eq!(base_of(one_shot), ["warn"]);
        let given = filter(Some(" error,exsync=trace "), &config, CommandKind::Service);
        assert_eq!(base_of(given.expect("valid")), ["error", "exsync=trace"]);
        let empty = filter(Some(""), &config, CommandKind::OneShot).expect("valid");
        assert_eq!(
            base_of(empty),
            ["warn"],
            "an empty EXSYNC_LOG counts as none"
        );
    }

    #[test]
    fn the_switches_turn_their_targets_on_or_off_whatever_the_filter() {
        let off = filter(Some("trace"), &logging(false, false), CommandKind::Service)
            .expect("valid")
            .to_string();
        assert!(off.contains("exsync::transfer=off"), "{off}");
        assert!(off.contains("exsync::diagnostics=off"), "{off}");
        let on = filter(Some("error"), &logging(true, true), CommandKind::OneShot)
            .expect("valid")
            .to_string();
        assert!(on.contains("exsync::transfer=info"), "{on}");
        assert!(on.contains("exsync::diagnostics=debug"), "{on}");
    }

    #[test]
    fn a_bad_filter_is_named_with_the_fix() {
        let error = filter(
            Some("exsync=loud"),
            &logging(false, false),
            CommandKind::Service,
        )
        .expect_err("invalid")
        .to_string();
        assert!(error.contains("`exsync=loud`"), "{error}");
        assert!(
            error.contains("EXSYNC_LOG") && error.contains("warn,exsync=debug"),
            "{error}"
        );
    }

    #[test]
    fn a_log_file_that_cannot_be_opened_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("missing-dir").join("exsync.log");
        let error = open_log_file(&path).expect_err("no such directory");
        let text = format!("{error:#}");
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("logging.file"), "{text}");
    }
}

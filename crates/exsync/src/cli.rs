//! The command line: every subcommand and flag of `exsync`, parsed by clap.
//!
//! Parsing only; the commands themselves live in [`crate::commands`].

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

/// Two-way sync of a business application's appointments, tasks and contacts with Microsoft
/// Exchange (Exchange Online through Microsoft Graph, Exchange Server through EWS).
#[derive(Debug, Parser)]
#[command(name = "exsync", version, about, propagate_version = true)]
pub struct Cli {
    /// The configuration file (TOML). Without it the embedded defaults apply, overridden by
    /// EXSYNC_* environment variables.
    #[arg(long, global = true, env = "EXSYNC_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Log filter for this run (e.g. `debug`, `exsync=trace`); overrides `logging.level`.
    #[arg(long, global = true, env = "EXSYNC_LOG", value_name = "FILTER")]
    pub log: Option<String>,

    /// Language of messages: `en` or `de`; default: the locale (`LC_ALL`, `LC_MESSAGES`,
    /// `LANG`, e.g. `LANG=de_DE.UTF-8`).
    #[arg(long, global = true, value_name = "LANG", value_parser = parse_lang)]
    pub lang: Option<exsync_i18n::Lang>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `--lang`: a language the catalogue has.
fn parse_lang(value: &str) -> Result<exsync_i18n::Lang, String> {
    exsync_i18n::Lang::parse(value)
        .ok_or_else(|| format!("unknown language {value:?}: use en or de"))
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write, edit, import and inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Work with the business integration database (schema, users, iCalendar/vCard files).
    Business(BusinessArgs),
    /// Verify the setup, one line per check with the reason and the fix: configuration,
    /// business and state databases, token and permissions, and per enabled user the mailbox
    /// and a read-and-write probe of each data type (in exsync's own "exsync check" folders);
    /// exit code 1 when any check failed.
    Check(CheckArgs),
    /// Synchronise the business database with Exchange: one complete pass for every enabled
    /// user (or one), then exit; non-zero when any item failed (after syncing all others).
    Sync(SyncArgs),
    /// The service: sync every enabled user's mailbox continuously (incremental passes every
    /// `service.poll_interval`, a full pass every `service.full_pass_interval`) until Ctrl-C or
    /// SIGTERM, with the admin endpoint on `admin.listen`.
    Run,
    /// A guided demonstration on a fresh machine, with nothing configured: a demo business
    /// database (SQLite) with users, appointments, a recurring series, tasks and contacts, the
    /// built-in emulator and the service syncing them; then a change on each side arriving,
    /// with the measured delay, and a summary.
    Demo(DemoArgs),
    /// Print the status of every mailbox as the running service reports it (its admin
    /// endpoint, `admin.listen`); with a login, everything about that user's mailbox, its
    /// last error in full.
    Status {
        /// Show only this user's mailbox in detail (login name, or mailbox address).
        login: Option<String>,
        /// The admin endpoint's address; default: `admin.listen` of the configuration.
        #[arg(long, value_name = "ADDR:PORT")]
        admin: Option<std::net::SocketAddr>,
    },
    /// Release the deletions the mass-deletion guard holds for a user's mailbox: the next pass
    /// carries them out.
    Approve {
        /// The user (login name in the business application).
        login: String,
    },
    /// Start a user's sync (or everyone's) afresh, for every data type or those named by
    /// `--kind`: forget the links and cursors; with `--delete-exchange-items`, first delete
    /// from Exchange the items exsync created or linked (never others). The next pass syncs
    /// the whole window again.
    Reset(ResetArgs),
    /// Serve the built-in Exchange emulator (Entra token endpoint, Microsoft Graph) with its
    /// sample organisation until stopped; prints one JSON line describing it on start.
    Emulator {
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR:PORT")]
        listen: std::net::SocketAddr,
        /// Seed file (JSON, or TOML if named *.toml) with another organisation and its first
        /// items: events and series, tasks, contacts (format: docs/emulator.md, "Seed files");
        /// without it the sample organisation is served.
        #[arg(long, value_name = "FILE")]
        seed: Option<std::path::PathBuf>,
    },
}

/// `exsync sync ...`
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Run one pass and exit (the daemon `exsync run` follows).
    #[arg(long, required = true)]
    pub once: bool,
    /// Only this user (login name in the business application).
    #[arg(long, value_name = "LOGIN")]
    pub user: Option<String>,
    /// Print what would be written, write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `exsync check ...`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check only this user's mailbox (login name in the business application), enabled or not.
    #[arg(long, value_name = "LOGIN")]
    pub user: Option<String>,
    /// Print one JSON document (for monitoring) instead of text lines.
    #[arg(long)]
    pub json: bool,
}

/// `exsync demo ...`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the service running after the demonstration (until Ctrl-C) and print the admin
    /// endpoint's address.
    #[arg(long)]
    pub keep_running: bool,
    /// Directory for the demo business database; default: a new temporary directory.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `exsync reset ...`
#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Only this user (login name); every user when left out.
    #[arg(long, value_name = "LOGIN")]
    pub user: Option<String>,
    /// Delete the Exchange items exsync created or linked before forgetting them.
    #[arg(long)]
    pub delete_exchange_items: bool,
    /// Only this data type: `appointments`, `tasks` or `contacts` (repeat the flag or give a
    /// comma-separated list); every data type when left out. bnWin's
    /// `AlleTermineVorloeschen` is `--kind appointments --delete-exchange-items`.
    #[arg(long = "kind", value_name = "KIND", value_delimiter = ',', value_parser = parse_kind)]
    pub kinds: Vec<exsync_model::ItemKind>,
}

/// `--kind`: a data type by its plural (or singular) name.
fn parse_kind(value: &str) -> Result<exsync_model::ItemKind, String> {
    use exsync_model::ItemKind;
    match value.trim().to_ascii_lowercase().as_str() {
        "appointments" | "appointment" => Ok(ItemKind::Appointment),
        "tasks" | "task" => Ok(ItemKind::Task),
        "contacts" | "contact" => Ok(ItemKind::Contact),
        _ => Err(format!(
            "unknown data type {value:?}: use appointments, tasks or contacts"
        )),
    }
}

/// `exsync config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration (file + environment + defaults), secrets masked, or
    /// every error in it.
    Show,
    /// Write a new configuration file (`--config FILE`, default `exsync.toml`), readable by its
    /// owner only: asks for each setting of a first setup with its default (secrets without
    /// echo), or, with `--set` / `--secret-stdin` / `--non-interactive` or when standard input
    /// is not a terminal, takes the given values and the defaults without asking. Then reads
    /// the file back and shows it, secrets masked.
    Init(InitArgs),
    /// Set one key in the configuration file (`--config FILE`, default `exsync.toml`), keeping
    /// its comments and layout; a value the configuration refuses is not written. Without
    /// VALUE it is read from standard input (without echo on a terminal): use this for secrets.
    Set {
        /// The key, e.g. `sync.months_past`.
        key: String,
        /// The value, e.g. `12`, `both`, `2027-05-31`.
        #[arg(allow_hyphen_values = true)]
        value: Option<String>,
    },
    /// Print one key's effective value (the file `--config FILE`, default `exsync.toml`, plus
    /// EXSYNC_* variables and defaults); secrets masked.
    Get {
        /// The key, e.g. `exchange.kind`.
        key: String,
    },
    /// Write exsync's configuration file from KWP bnWin.net's service configuration and say
    /// what was mapped, what was changed on purpose and what has no equivalent.
    Import(ImportArgs),
}

/// `exsync config init ...`
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
    /// Ask nothing, even on a terminal: the defaults plus `--set` / `--secret-stdin`.
    #[arg(long)]
    pub non_interactive: bool,
    /// A setting, e.g. `--set exchange.online.tenant_id=contoso.onmicrosoft.com` (repeatable;
    /// any key of docs/configuration.md). Implies `--non-interactive`.
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_assignment)]
    pub set: Vec<(String, String)>,
    /// Read this secret key's value from a line of standard input (repeatable: one line per
    /// key, in order), e.g. `--secret-stdin exchange.online.client_secret`; keeps the secret
    /// out of the process list. Implies `--non-interactive`.
    #[arg(long = "secret-stdin", value_name = "KEY")]
    pub secret_stdin: Vec<String>,
}

/// `KEY=VALUE`.
fn parse_assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_owned(), value.to_owned()))
        }
        _ => Err("must be KEY=VALUE, e.g. sync.months_past=12".to_owned()),
    }
}

/// `exsync config import ...`
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// bnWin.net's `bnNetExchangeSync.exe.config` (appointments) and/or
    /// `Adress2Exchange-Dienst.exe.config` (address book): give `--bnwin` once per file.
    #[arg(long, required = true, value_name = "FILE")]
    pub bnwin: Vec<PathBuf>,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
}

/// `exsync business ...`
#[derive(Debug, Args)]
pub struct BusinessArgs {
    /// The business database (`sqlite://FILE`, `postgres://...`); default: `database.url` of the
    /// configuration.
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,

    /// What to do with it.
    #[command(subcommand)]
    pub command: BusinessCommand,
}

/// `exsync business <command>`
#[derive(Debug, Subcommand)]
pub enum BusinessCommand {
    /// Create the integration schema (tables, change journal, triggers); safe to run again.
    Init,
    /// List the users.
    Users,
    /// Add or change a user.
    #[command(subcommand)]
    User(UserCommand),
    /// Load iCalendar files (VEVENT, VTODO) into a user's appointments and tasks.
    ImportIcs {
        /// The user (login name) who owns the imported items.
        #[arg(long, value_name = "LOGIN")]
        user: String,
        /// Zone of times written without one (floating times) when the file names none
        /// (IANA or Windows name, e.g. Europe/Berlin).
        #[arg(long, value_name = "ZONE")]
        default_zone: Option<String>,
        /// The files to import.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Load vCard files into the company contacts.
    ImportVcf {
        /// The files to import.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print the company contacts as vCards.
    ExportVcf,
    /// Print a user's appointments and tasks as iCalendar.
    ExportIcs {
        /// The user (login name).
        #[arg(long, value_name = "LOGIN")]
        user: String,
        /// Only appointments that take place on or after this date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        from: Option<NaiveDate>,
        /// Only appointments that take place before this date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        to: Option<NaiveDate>,
    },
}

/// `exsync business user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user.
    Add {
        /// Login name in the business application.
        login: String,
        /// Primary SMTP address of the user's Exchange mailbox.
        #[arg(long, value_name = "ADDR")]
        mailbox: String,
        /// Display name.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Add the user switched off.
        #[arg(long)]
        disabled: bool,
    },
    /// Change a user.
    Set {
        /// Login name in the business application.
        login: String,
        /// Switch sync for the user on or off.
        #[arg(long, value_name = "true|false")]
        enabled: Option<bool>,
        /// New mailbox address.
        #[arg(long, value_name = "ADDR")]
        mailbox: Option<String>,
        /// New display name.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn business_commands_parse_as_documented() {
        let cli = Cli::try_parse_from([
            "exsync",
            "business",
            "--database",
            "sqlite://b.db",
            "export-ics",
            "--user",
            "eva",
            "--from",
            "2026-01-01",
            "--to",
            "2026-02-01",
        ])
        .expect("parses");
        let Command::Business(args) = cli.command else {
            panic!("not business")
        };
        assert_eq!(args.database.as_deref(), Some("sqlite://b.db"));
        assert!(matches!(
            args.command,
            BusinessCommand::ExportIcs { ref user, from: Some(_), to: Some(_) } if user == "eva"
        ));
        let bad_date = Cli::try_parse_from([
            "exsync",
            "business",
            "export-ics",
            "--user",
            "eva",
            "--from",
            "01.02.2026",
        ]);
        assert!(bad_date.is_err());
        let cli = Cli::try_parse_from([
            "exsync",
            "business",
            "user",
            "set",
            "eva",
            "--enabled",
            "false",
        ])
        .expect("parses");
        let Command::Business(args) = cli.command else {
            panic!("not business")
        };
        assert!(matches!(
            args.command,
            BusinessCommand::User(UserCommand::Set {
                enabled: Some(false),
                ..
            })
        ));
    }
}

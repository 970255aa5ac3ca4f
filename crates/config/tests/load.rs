//! Loading: defaults, file values, environment overrides, and the errors for bad values and
//! unknown keys (named, with what is allowed, all collected).

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{env, errors, load, no_env};
use exsync_config::{
    BodyRule, Config, ConflictPolicy, DatabaseBackend, Direction, ExchangeKind, LogFormat,
    LogLevel, MailboxAddressing, Origin, StartMode,
};
use exsync_model::ItemKind;

#[test]
fn defaults_match_the_mission() {
    for config in [
        Config::default(),
        Config::load(None, no_env()).expect("no file, no env is valid"),
    ] {
        assert!(config.service.enabled);
        assert_eq!(config.service.full_pass_interval, Duration::from_secs(300));
        assert_eq!(config.service.start_mode, StartMode::FullWindow);
        assert_eq!(config.sync.months_past, 6);
        assert_eq!(config.sync.months_future, 17);
        assert_eq!(
            config.sync.direction(ItemKind::Appointment),
            Direction::Both
        );
        assert_eq!(config.sync.direction(ItemKind::Task), Direction::Both);
        assert_eq!(config.sync.direction(ItemKind::Contact), Direction::Export);
        assert_eq!(config.sync.body, BodyRule::ExportOnly);
        assert_eq!(config.sync.conflict, ConflictPolicy::NewestWins);
        assert_eq!(config.sync.contact_folder, "Company addresses");
        assert_eq!(config.sync.task_list, None);
        assert_eq!(config.exchange.kind(), ExchangeKind::Emulator);
        assert_eq!(config.database.url.backend(), DatabaseBackend::Sqlite);
        assert_eq!(config.database.url.expose_secret(), "sqlite://exsync.db");
        assert_eq!(config.logging.level, LogLevel::Info);
        assert!(!config.logging.exchange_transfers && !config.logging.diagnostics);
        assert_eq!(
            config.admin.listen,
            Some("127.0.0.1:8470".parse::<SocketAddr>().expect("address"))
        );
        assert_eq!(config.origin("sync.months_past"), Origin::Default);
    }
}

#[test]
fn a_full_file_is_read() {
    let config = load(
        r#"
[service]
enabled = false
full_pass_interval = 600
poll_interval = 5
start_mode = "changes_only"
instance_name = "node-2"

[database]
url = "postgres://exsync@db.example.com/erp"
state_url = "postgres://exsync@db.example.com/exsync"
schema = "exsync"

[sync]
months_past = 3
months_future = 24
appointments = "export"
tasks = "import"
contacts = "off"
body = "never"
conflict = "business_wins"
mass_delete_guard = 0.5
mass_delete_guard_min_items = 20
contact_folder = "Firmenadressen"
task_list = "Aufgaben"

[exchange]
kind = "emulator"
mailbox_addressing = "user_name"

[logging]
level = "debug"
format = "json"
file = "/var/log/exsync.log"
exchange_transfers = true
diagnostics = true

[admin]
listen = "off"
"#,
        &[],
    );
    assert!(!config.service.enabled);
    assert_eq!(config.service.full_pass_interval, Duration::from_secs(600));
    assert_eq!(config.service.poll_interval, Duration::from_secs(5));
    assert_eq!(config.service.start_mode, StartMode::ChangesOnly);
    assert_eq!(config.service.instance_name_or_host(), "node-2");
    assert_eq!(config.database.url.backend(), DatabaseBackend::Postgres);
    assert_eq!(
        config.database.state_url().expose_secret(),
        "postgres://exsync@db.example.com/exsync"
    );
    assert_eq!(config.database.schema.as_deref(), Some("exsync"));
    assert_eq!(config.sync.months_past, 3);
    assert_eq!(config.sync.months_future, 24);
    assert_eq!(config.sync.appointments, Direction::Export);
    assert_eq!(config.sync.tasks, Direction::Import);
    assert_eq!(config.sync.contacts, Direction::Off);
    assert_eq!(config.sync.body, BodyRule::Never);
    assert_eq!(config.sync.conflict, ConflictPolicy::BusinessWins);
    assert_eq!(config.sync.mass_delete_guard.max_share, 0.5);
    assert_eq!(config.sync.mass_delete_guard.min_items, 20);
    assert_eq!(config.sync.contact_folder, "Firmenadressen");
    assert_eq!(config.sync.task_list.as_deref(), Some("Aufgaben"));
    assert_eq!(
        config.exchange.mailbox_addressing,
        MailboxAddressing::UserName
    );
    assert_eq!(config.logging.level, LogLevel::Debug);
    assert_eq!(config.logging.format, LogFormat::Json);
    assert_eq!(
        config.logging.file.as_deref(),
        Some(std::path::Path::new("/var/log/exsync.log"))
    );
    assert!(config.logging.exchange_transfers && config.logging.diagnostics);
    assert_eq!(config.admin.listen, None);
    assert_eq!(
        config.origin("sync.months_past"),
        Origin::File {
            path: "exsync.toml".into(),
            line: 15
        }
    );
}

#[test]
fn the_environment_overrides_the_file() {
    let config = load(
        "[sync]\nmonths_past = 3\nappointments = \"export\"\n[service]\nenabled = false\n",
        &[
            ("EXSYNC_SYNC_MONTHS_PAST", "12"),
            ("EXSYNC_SYNC_APPOINTMENTS", "import"),
            ("EXSYNC_SERVICE_ENABLED", "true"),
            ("EXSYNC_SYNC_MASS_DELETE_GUARD", "0.25"),
            ("EXSYNC_ADMIN_LISTEN", "[::1]:9000"),
            ("EXSYNC_LOGGING_LEVEL", "warn"),
        ],
    );
    assert_eq!(config.sync.months_past, 12);
    assert_eq!(config.sync.appointments, Direction::Import);
    assert!(config.service.enabled);
    assert_eq!(config.sync.mass_delete_guard.max_share, 0.25);
    assert_eq!(config.admin.listen.map(|a| a.port()), Some(9000));
    assert_eq!(config.logging.level, LogLevel::Warn);
    assert_eq!(
        config.origin("sync.months_past"),
        Origin::Env {
            var: "EXSYNC_SYNC_MONTHS_PAST".into()
        }
    );
}

#[test]
fn an_empty_variable_resets_the_key_to_its_default() {
    let config = load(
        "[sync]\nmonths_past = 3\n",
        &[("EXSYNC_SYNC_MONTHS_PAST", "")],
    );
    assert_eq!(config.sync.months_past, 6);
    assert_eq!(config.origin("sync.months_past"), Origin::Default);
}

#[test]
fn reserved_and_foreign_variables_are_ignored() {
    let config = load(
        "",
        &[
            ("EXSYNC_CONFIG", "/etc/exsync.toml"),
            ("EXSYNC_LOG", "trace"),
            ("EXSYNC_TEST_POSTGRES_URL", "postgres://x"),
            ("HOME", "/root"),
        ],
    );
    assert_eq!(config.logging.level, LogLevel::Info);
}

#[test]
fn numbers_out_of_range_name_key_value_and_range() {
    assert_eq!(
        errors(Config::from_toml_str(
            "[sync]\nmonths_past = -3\n",
            no_env()
        )),
        ["exsync.toml:2: sync.months_past = -3: must be a whole number from 0 to 120"]
    );
    assert_eq!(
        errors(Config::from_toml_str(
            "",
            env(&[("EXSYNC_SYNC_MONTHS_PAST", "-3")])
        )),
        ["EXSYNC_SYNC_MONTHS_PAST: sync.months_past = -3: must be a whole number from 0 to 120"]
    );
    assert_eq!(
        errors(Config::from_toml_str(
            "[sync]\nmonths_past = \"six\"\n",
            no_env()
        )),
        ["exsync.toml:2: sync.months_past: must be a whole number from 0 to 120, not a string"]
    );
    assert_eq!(
        errors(Config::from_toml_str(
            "[sync]\nmass_delete_guard = 1.5\n",
            no_env()
        )),
        [
            "exsync.toml:2: sync.mass_delete_guard = 1.5: must be a share from 0.0 to 1.0 in steps of 0.01, e.g. 0.3 for 30 %"
        ]
    );
    assert_eq!(
        errors(Config::from_toml_str(
            "",
            env(&[("EXSYNC_SYNC_MASS_DELETE_GUARD", "0.305")])
        )),
        [
            "EXSYNC_SYNC_MASS_DELETE_GUARD: sync.mass_delete_guard = 0.305: must be a share from 0.0 to 1.0 in steps of 0.01, e.g. 0.3 for 30 %"
        ]
    );
    assert_eq!(
        errors(Config::from_toml_str(
            "",
            env(&[("EXSYNC_SERVICE_ENABLED", "yes")])
        )),
        ["EXSYNC_SERVICE_ENABLED: service.enabled: must be true or false"]
    );
}

/// Every enumerated key, a bad value, and the allowed words the error must list.
const ENUMS: &[(&str, &str)] = &[
    ("service.start_mode", r#""full_window" or "changes_only""#),
    (
        "sync.appointments",
        r#""both", "export", "import" or "off""#,
    ),
    ("sync.tasks", r#""both", "export", "import" or "off""#),
    ("sync.contacts", r#""export" or "off""#),
    ("sync.body", r#""both", "export_only" or "never""#),
    (
        "sync.conflict",
        r#""business_wins", "exchange_wins" or "newest_wins""#,
    ),
    ("exchange.kind", r#""online", "server" or "emulator""#),
    (
        "exchange.mailbox_addressing",
        r#""mailbox_address" or "user_name""#,
    ),
    (
        "logging.level",
        r#""trace", "debug", "info", "warn" or "error""#,
    ),
    ("logging.format", r#""text" or "json""#),
];

#[test]
fn every_enum_names_key_and_allowed_values_from_file_and_env() {
    for (key, allowed) in ENUMS {
        let (section, leaf) = key.rsplit_once('.').expect("dotted");
        let toml = format!("[{section}]\n{leaf} = \"sideways\"\n");
        let file_errors = errors(Config::from_toml_str(&toml, no_env()));
        assert_eq!(file_errors.len(), 1, "{file_errors:?}");
        assert!(
            file_errors[0].starts_with(&format!("exsync.toml:2: {key}: must be one of {allowed}")),
            "{file_errors:?}"
        );
        let var = exsync_config::keys::env_var_for(key);
        let env_errors = errors(Config::from_toml_str("", env(&[(&var, "sideways")])));
        assert!(
            env_errors[0].starts_with(&format!("{var}: {key}: must be one of {allowed}")),
            "{env_errors:?}"
        );
    }
}

#[test]
fn server_enums_are_checked_too() {
    let toml = r#"
[exchange]
kind = "server"
[exchange.server]
ews_url = "mail.example.com"
auth = "kerberos"
impersonation = "sid"
server_version = "Exchange2019"
"#;
    let lines = errors(Config::from_toml_str(toml, no_env()));
    let joined = lines.join("\n");
    assert!(joined.contains(r#"exchange.server.auth: must be one of "basic", "ntlm" or "bearer""#));
    assert!(joined.contains(
        r#"exchange.server.impersonation: must be one of "smtp_address" or "principal_name""#
    ));
    assert!(
        joined.contains(r#"exchange.server.server_version: must be one of "Exchange2007_SP1""#)
    );
}

#[test]
fn contacts_cannot_be_imported_and_typos_get_a_hint() {
    assert_eq!(
        errors(Config::from_toml_str(
            "[sync]\ncontacts = \"both\"\n",
            no_env()
        )),
        [
            r#"exsync.toml:2: sync.contacts: must be one of "export" or "off" (the company address book is only exported to Exchange)"#
        ]
    );
    assert_eq!(
        errors(Config::from_toml_str(
            "[sync]\nbody = \"export-only\"\n",
            no_env()
        )),
        [
            r#"exsync.toml:2: sync.body: must be one of "both", "export_only" or "never" (did you mean "export_only"?)"#
        ]
    );
}

#[test]
fn unknown_keys_and_variables_get_a_suggestion() {
    assert_eq!(
        errors(Config::from_toml_str("[sync]\nmonth_past = 3\n", no_env())),
        ["exsync.toml:2: unknown key sync.month_past: did you mean sync.months_past?"]
    );
    assert_eq!(
        errors(Config::from_toml_str(
            "",
            env(&[("EXSYNC_SYNC_MONTH_PAST", "3")])
        )),
        [
            "EXSYNC_SYNC_MONTH_PAST: unknown configuration variable: did you mean EXSYNC_SYNC_MONTHS_PAST?"
        ]
    );
    assert_eq!(
        errors(Config::from_toml_str("[frobnicate]\nx = 1\n", no_env())),
        ["exsync.toml:1: unknown key frobnicate"]
    );
}

#[test]
fn all_errors_are_collected() {
    let toml = r#"
[service]
full_pass_interval = 1
[sync]
months_past = 500
month_future = 3
appointments = "sometimes"
[logging]
level = "loud"
"#;
    let lines = errors(Config::from_toml_str(
        toml,
        env(&[("EXSYNC_SYNC_TASKS", "maybe"), ("EXSYNC_NOPE", "1")]),
    ));
    assert_eq!(lines.len(), 7, "{lines:#?}");
    for needle in [
        "service.full_pass_interval = 1",
        "sync.months_past = 500",
        "unknown key sync.month_future",
        "sync.appointments",
        "logging.level",
        "EXSYNC_SYNC_TASKS: sync.tasks",
        "EXSYNC_NOPE: unknown configuration variable",
    ] {
        assert!(
            lines.iter().any(|l| l.contains(needle)),
            "{needle}: {lines:#?}"
        );
    }
}

#[test]
fn a_missing_explicit_file_is_an_error_and_syntax_errors_have_a_position() {
    let lines = errors(Config::load(
        Some(std::path::Path::new("/nonexistent/exsync.toml")),
        no_env(),
    ));
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].starts_with("cannot read configuration file /nonexistent/exsync.toml: "),
        "{lines:?}"
    );
    let lines = errors(Config::from_toml_str(
        "[sync]\nmonths_past = = 3\n",
        no_env(),
    ));
    assert!(lines[0].starts_with("exsync.toml:2:"), "{lines:?}");
}

#[test]
fn database_checks() {
    assert_eq!(
        errors(Config::from_toml_str(
            "[database]\nschema = \"exsync\"\n",
            no_env()
        )),
        [
            "database.schema is set but neither database.url nor database.state_url is a postgres:// URL: schemas exist in PostgreSQL only"
        ]
    );
    let lines = errors(Config::from_toml_str(
        "[database]\nurl = \"mysql://db/x\"\n",
        no_env(),
    ));
    assert!(lines[0].starts_with("exsync.toml:2: database.url: must be a sqlite: URL"));
}

#[test]
fn the_example_file_is_valid_and_lists_every_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let example = include_str!("../exsync.example.toml");
    let path = dir.path().join("exsync.toml");
    std::fs::write(&path, example).expect("write example");
    std::fs::create_dir(dir.path().join("secrets")).expect("secrets dir");
    std::fs::write(
        dir.path().join("secrets/client-secret.txt"),
        "example-secret\n",
    )
    .expect("secret file");
    let config = Config::load(Some(&path), no_env()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.exchange.kind(), ExchangeKind::Online);
    for key in exsync_config::keys::KEYS {
        let section_header = format!("[{}]\n", key.section());
        let start = example
            .find(&section_header)
            .unwrap_or_else(|| panic!("{}", key.name));
        let body = &example[start + section_header.len()..];
        let body = &body[..body.find("\n[").unwrap_or(body.len())];
        let present = body
            .lines()
            .map(|line| line.trim_start_matches("# ").trim_start())
            .any(|line| line.starts_with(&format!("{} = ", key.leaf())));
        assert!(present, "{} is missing from exsync.example.toml", key.name);
    }
}

//! The `exsync` command as an admin or a vendor runs it: real process, real SQLite files.

use std::path::Path;
use std::process::{Command, Output};

fn exsync(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exsync"))
        .args(args)
        .current_dir(dir)
        .env_remove("EXSYNC_CONFIG")
        .env_remove("EXSYNC_DATABASE_URL")
        .output()
        .expect("exsync runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n\
BEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Jour fixe\r\n\
DTSTART;TZID=Europe/Berlin:20260302T090000\r\nDTEND;TZID=Europe/Berlin:20260302T100000\r\n\
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10\r\nEXDATE;TZID=Europe/Berlin:20260316T090000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Jour fixe (moved)\r\n\
RECURRENCE-ID;TZID=Europe/Berlin:20260323T090000\r\n\
DTSTART;TZID=Europe/Berlin:20260324T140000\r\nDTEND;TZID=Europe/Berlin:20260324T150000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:hourly-1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Ping\r\n\
DTSTART:20260302T090000Z\r\nDTEND:20260302T091500Z\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r\n\
BEGIN:VTODO\r\nUID:todo-1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Angebot schreiben\r\n\
DUE;TZID=Europe/Berlin:20260305T170000\r\nSTATUS:IN-PROCESS\r\nEND:VTODO\r\n\
END:VCALENDAR\r\n";

fn prepared_database(dir: &Path, name: &str) -> String {
    let url = format!("sqlite://{}", dir.join(name).display());
    let init = exsync(dir, &["business", "--database", &url, "init"]);
    assert!(init.status.success(), "{}", stderr(&init));
    let add = exsync(
        dir,
        &[
            "business",
            "--database",
            &url,
            "user",
            "add",
            "eva",
            "--mailbox",
            "eva@example.com",
        ],
    );
    assert!(add.status.success(), "{}", stderr(&add));
    url
}

#[test]
fn ics_round_trips_through_import_and_export_and_rejects_by_uid() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("in.ics"), CALENDAR).expect("write");
    let first = prepared_database(dir.path(), "first.db");

    let import = exsync(
        dir.path(),
        &[
            "business",
            "--database",
            &first,
            "import-ics",
            "--user",
            "eva",
            "in.ics",
        ],
    );
    assert_eq!(
        import.status.code(),
        Some(2),
        "a rejected item sets exit code 2"
    );
    let report = stdout(&import);
    assert!(report.contains("2 imported, 1 rejected"), "{report}");
    assert!(
        report.contains("rejected hourly-1") && report.contains("HOURLY"),
        "{report}"
    );

    let export = exsync(
        dir.path(),
        &[
            "business",
            "--database",
            &first,
            "export-ics",
            "--user",
            "eva",
        ],
    );
    assert!(export.status.success(), "{}", stderr(&export));
    let exported = stdout(&export);
    assert!(exported.contains("RRULE:FREQ=WEEKLY"), "{exported}");
    assert!(
        exported.contains("RECURRENCE-ID;TZID=Europe/Berlin:20260323T090000"),
        "{exported}"
    );
    assert!(
        exported.contains("EXDATE;TZID=Europe/Berlin:20260316T090000"),
        "{exported}"
    );
    assert!(exported.contains("SUMMARY:Angebot schreiben"), "{exported}");

    // Into a second database and out again: nothing changes.
    std::fs::write(dir.path().join("exported.ics"), &exported).expect("write");
    let second = prepared_database(dir.path(), "second.db");
    let reimport = exsync(
        dir.path(),
        &[
            "business",
            "--database",
            &second,
            "import-ics",
            "--user",
            "eva",
            "exported.ics",
        ],
    );
    assert!(reimport.status.success(), "{}", stdout(&reimport));
    let again = exsync(
        dir.path(),
        &[
            "business",
            "--database",
            &second,
            "export-ics",
            "--user",
            "eva",
        ],
    );
    assert_eq!(strip_dtstamp(&stdout(&again)), strip_dtstamp(&exported));
}

fn strip_dtstamp(ics: &str) -> String {
    ics.lines()
        .filter(|l| !l.starts_with("DTSTAMP"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn users_are_managed_from_the_shell() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = prepared_database(dir.path(), "users.db");
    let set = exsync(
        dir.path(),
        &[
            "business",
            "--database",
            &url,
            "user",
            "set",
            "eva",
            "--enabled",
            "false",
            "--mailbox",
            "e.huber@example.com",
        ],
    );
    assert!(set.status.success(), "{}", stderr(&set));
    let users = stdout(&exsync(
        dir.path(),
        &["business", "--database", &url, "users"],
    ));
    let eva = users
        .lines()
        .find(|l| l.starts_with("eva"))
        .expect("eva listed");
    assert!(
        eva.contains(" no ") && eva.contains("e.huber@example.com"),
        "{users}"
    );

    let bad = exsync(
        dir.path(),
        &[
            "business",
            "--database",
            &url,
            "user",
            "add",
            "max",
            "--mailbox",
            "max",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("not an e-mail address"),
        "{}",
        stderr(&bad)
    );
    let unknown = exsync(
        dir.path(),
        &[
            "business",
            "--database",
            &url,
            "export-ics",
            "--user",
            "nobody",
        ],
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("nobody"), "{}", stderr(&unknown));
}

#[test]
fn commands_on_a_database_without_schema_say_to_run_init() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("empty.db").display());
    let users = exsync(dir.path(), &["business", "--database", &url, "users"]);
    assert_eq!(users.status.code(), Some(1));
    assert!(
        stderr(&users).contains("exsync business init"),
        "{}",
        stderr(&users)
    );
}

#[test]
fn config_show_masks_secrets_and_names_bad_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("good.toml"),
        "[exchange]\nkind = \"online\"\n[exchange.online]\n\
         tenant_id = \"11111111-2222-3333-4444-555555555555\"\n\
         client_id = \"66666666-7777-8888-9999-000000000000\"\n\
         client_secret = \"Very~Secret~Value~42\"\n",
    )
    .expect("write");
    let shown = exsync(dir.path(), &["--config", "good.toml", "config", "show"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let text = stdout(&shown) + &stderr(&shown);
    assert!(!text.contains("Very~Secret~Value~42"), "{text}");
    assert!(text.contains("client_secret"), "{text}");

    std::fs::write(
        dir.path().join("bad.toml"),
        "[sync]\nmonths_futur = 12\nmonths_past = \"six\"\n",
    )
    .expect("write");
    let bad = exsync(dir.path(), &["--config", "bad.toml", "config", "show"]);
    assert_eq!(bad.status.code(), Some(1));
    let errors = stderr(&bad);
    assert!(
        errors.contains("sync.months_futur") && errors.contains("sync.months_future"),
        "{errors}"
    );
    assert!(errors.contains("sync.months_past"), "{errors}");
}

#[test]
fn emulator_prints_its_json_line_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_exsync"))
        .args(["emulator", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("reads the JSON line");
    let described: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
    for key in [
        "graph_url",
        "token_url",
        "ews_url",
        "tenant_id",
        "client_id",
        "client_secret",
    ] {
        assert!(described[key].is_string(), "{key} missing in {line}");
    }
    assert!(
        described["mailboxes"]
            .as_array()
            .is_some_and(|m| m.len() >= 3),
        "{line}"
    );
    let graph = described["graph_url"].as_str().expect("string");
    assert!(
        graph.starts_with("http://127.0.0.1:") && graph.ends_with("/v1.0"),
        "{graph}"
    );
    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("exits");
    assert!(status.success(), "SIGTERM is a clean stop: {status}");
}

/// `exsync business init` creates the schema on PostgreSQL too (in a scratch schema, dropped
/// afterwards); skipped with a notice when no server is named.
#[test]
fn business_init_creates_the_schema_on_postgresql() {
    let Ok(server) = std::env::var("EXSYNC_TEST_POSTGRES_URL") else {
        eprintln!("skipping PostgreSQL: EXSYNC_TEST_POSTGRES_URL not set");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let schema = format!("exsync_cli_{}", std::process::id());
    let psql = |sql: &str| {
        let status = Command::new("psql")
            .args([server.as_str(), "-qc", sql])
            .status()
            .expect("psql runs");
        assert!(status.success(), "{sql}");
    };
    psql(&format!("CREATE SCHEMA {schema}"));
    let separator = if server.contains('?') { '&' } else { '?' };
    let url = format!("{server}{separator}options=-csearch_path%3D{schema}");
    let init = exsync(dir.path(), &["business", "--database", &url, "init"]);
    let add = exsync(
        dir.path(),
        &[
            "business",
            "--database",
            &url,
            "user",
            "add",
            "eva",
            "--mailbox",
            "eva@example.com",
        ],
    );
    let users = exsync(dir.path(), &["business", "--database", &url, "users"]);
    psql(&format!("DROP SCHEMA {schema} CASCADE"));
    assert!(init.status.success(), "{}", stderr(&init));
    assert!(
        stdout(&init).contains("version 0 -> 1"),
        "{}",
        stdout(&init)
    );
    assert!(add.status.success(), "{}", stderr(&add));
    assert!(
        stdout(&users).contains("eva@example.com"),
        "{}",
        stdout(&users)
    );
}

#[test]
fn emulator_serves_a_seed_file_and_names_a_bad_field() {
    use std::io::{BufRead, BufReader};
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../emulator/seeds/example.json"
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_exsync"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed", example])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("reads the JSON line");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    assert!(child.wait().expect("exits").success());
    let described: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
    assert_eq!(
        described["mailboxes"],
        serde_json::json!([
            "lee.gu@fabrikam.example",
            "nestor.wilke@fabrikam.example",
            "pradeep@fabrikam.example"
        ]),
        "{line}"
    );
    assert_eq!(
        described["tenant_id"],
        "6f1c2a51-7d0e-4a8b-9c3d-0e1f2a3b4c5d"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.json");
    let text = std::fs::read_to_string(example)
        .expect("example")
        .replace("2099-12-31T00:00:00Z", "someday");
    std::fs::write(&bad, text).expect("writes");
    let output = exsync(dir.path(), &["emulator", "--seed", "bad.json"]);
    assert!(!output.status.success());
    let errors = stderr(&output);
    assert!(
        errors.contains("tenants[0].apps[0].secrets[0].expires") && errors.contains("RFC 3339"),
        "{errors}"
    );
    assert!(!errors.contains("example-secret-not-secret"), "{errors}");
}

/// `exsync ARGS` with the business database named by `EXSYNC_DATABASE_URL`, as a service's
/// environment names it.
fn sync_with_database_in_env(dir: &Path, url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exsync"))
        .args(args)
        .current_dir(dir)
        .env_remove("EXSYNC_CONFIG")
        .env("EXSYNC_DATABASE_URL", url)
        .output()
        .expect("exsync runs")
}

/// Imports `NEXT_YEAR` (a series and a single appointment in the sync window, and a task) for eva.
fn import_next_year(dir: &Path, url: &str) {
    std::fs::write(dir.join("next.ics"), NEXT_YEAR).expect("ics written");
    let import = exsync(
        dir,
        &[
            "business",
            "--database",
            url,
            "import-ics",
            "--user",
            "eva",
            "next.ics",
        ],
    );
    assert!(import.status.success(), "{}", stderr(&import));
}

const NEXT_YEAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n\
BEGIN:VEVENT\r\nUID:weekly-2027\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Jour fixe\r\n\
DTSTART;TZID=Europe/Berlin:20270301T090000\r\nDTEND;TZID=Europe/Berlin:20270301T100000\r\n\
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10\r\nEXDATE;TZID=Europe/Berlin:20270315T090000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:single-2027\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Budget review\r\n\
DTSTART;TZID=Europe/Berlin:20270112T100000\r\nDTEND;TZID=Europe/Berlin:20270112T110000\r\nEND:VEVENT\r\n\
BEGIN:VTODO\r\nUID:todo-2027\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Angebot schreiben\r\n\
DUE;TZID=Europe/Berlin:20270105T170000\r\nEND:VTODO\r\n\
END:VCALENDAR\r\n";

#[test]
fn sync_once_on_the_embedded_defaults_exports_and_reports_per_user_and_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = prepared_database(dir.path(), "exsync.db");
    import_next_year(dir.path(), &url);
    let sync = sync_with_database_in_env(dir.path(), &url, &["sync", "--once"]);
    let out = stdout(&sync);
    assert!(sync.status.success(), "{out}\n{}", stderr(&sync));
    let appointments = out
        .lines()
        .find(|l| l.starts_with("eva") && l.contains("appointment"))
        .expect("an appointment line");
    assert!(appointments.contains("Exchange +2 ~0 -0"), "{out}");
    let tasks = out
        .lines()
        .find(|l| l.starts_with("eva") && l.contains("task"))
        .expect("a task line");
    assert!(tasks.contains("Exchange +1 ~0 -0"), "{out}");
    assert!(out.contains("built-in Exchange emulator"), "{out}");
}

#[test]
fn sync_once_names_an_unknown_user() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = prepared_database(dir.path(), "exsync.db");
    let sync = sync_with_database_in_env(dir.path(), &url, &["sync", "--once", "--user", "nobody"]);
    assert!(!sync.status.success());
    assert!(
        stderr(&sync).contains("there is no user \"nobody\""),
        "{}",
        stderr(&sync)
    );
}

#[test]
fn a_dry_run_plans_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = prepared_database(dir.path(), "exsync.db");
    import_next_year(dir.path(), &url);
    let sync = sync_with_database_in_env(dir.path(), &url, &["sync", "--once", "--dry-run"]);
    let out = stdout(&sync);
    assert!(out.contains("Dry run: nothing was written"), "{out}");
    let appointments = out
        .lines()
        .find(|l| l.starts_with("eva") && l.contains("appointment"))
        .expect("an appointment line");
    assert!(
        appointments.contains("Exchange +2 ~0 -0"),
        "what a run would write: {out}"
    );
    // Nothing was written: each run serves a fresh emulator, but the business side shows it.
    let export = exsync(
        dir.path(),
        &[
            "business",
            "--database",
            &url,
            "export-ics",
            "--user",
            "eva",
        ],
    );
    assert!(
        stdout(&export).contains("Budget review"),
        "the business data is untouched"
    );
    assert!(
        out.contains("\"Company addresses\" does not exist in mailbox eva@example.com yet"),
        "the dry run does not create the contact folder: {out}"
    );
    assert!(out.contains("Graph requests:"), "{out}");
}

#[test]
fn sync_reports_in_german_with_lang_de_or_the_locale() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = prepared_database(dir.path(), "exsync.db");
    import_next_year(dir.path(), &url);
    let by_flag = sync_with_database_in_env(
        dir.path(),
        &url,
        &["--lang", "de", "sync", "--once", "--dry-run"],
    );
    let out = stdout(&by_flag);
    assert!(out.contains("Probelauf: nichts wurde geschrieben"), "{out}");
    assert!(out.contains("Benutzer"), "{out}");
    let appointments = out
        .lines()
        .find(|l| l.starts_with("eva") && l.contains("appointment"))
        .expect("an appointment line");
    assert!(
        appointments.contains("Fachanwendung +0 ~0 -0") && appointments.contains("abgelehnt 0"),
        "{out}"
    );
    let by_locale = Command::new(env!("CARGO_BIN_EXE_exsync"))
        .args(["sync", "--once", "--dry-run"])
        .current_dir(dir.path())
        .env_remove("EXSYNC_CONFIG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "de_DE.UTF-8")
        .env("EXSYNC_DATABASE_URL", &url)
        .output()
        .expect("exsync runs");
    assert!(
        stdout(&by_locale).contains("Graph-Anfragen:"),
        "{}",
        stdout(&by_locale)
    );
}

//! Logging as an administrator switches it on: real `exsync` processes writing their log to
//! `logging.file`, the transfer log (`logging.exchange_transfers`) recording the token request
//! (for the configured scope) and the Graph requests with their status, and never a secret or
//! a token; `exsync run` warning at start about a client secret about to expire.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const APPOINTMENTS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n\
BEGIN:VEVENT\r\nUID:log-1\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Budget review\r\n\
DTSTART;TZID=Europe/Berlin:20270112T100000\r\nDTEND;TZID=Europe/Berlin:20270112T110000\r\nEND:VEVENT\r\n\
BEGIN:VTODO\r\nUID:log-2\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Angebot schreiben\r\n\
DUE;TZID=Europe/Berlin:20270105T170000\r\nEND:VTODO\r\n\
END:VCALENDAR\r\n";

/// `exsync ARGS` in `dir`, with no setting from the test's own environment.
fn exsync(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_exsync"));
    for (name, _) in std::env::vars() {
        if name.starts_with("EXSYNC_") {
            command.env_remove(name);
        }
    }
    command
        .args(args)
        .current_dir(dir)
        .output()
        .expect("exsync runs")
}

fn succeeded(output: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what}: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// A business database in `dir` with user eva on `mailbox` and an appointment and a task.
fn business_database(dir: &Path, mailbox: &str) -> String {
    let url = format!("sqlite://{}", dir.join("business.db").display());
    succeeded(
        &exsync(dir, &["business", "--database", &url, "init"]),
        "init",
    );
    let add = [
        "business",
        "--database",
        &url,
        "user",
        "add",
        "eva",
        "--mailbox",
        mailbox,
    ];
    succeeded(&exsync(dir, &add), "user add");
    std::fs::write(dir.join("items.ics"), APPOINTMENTS).expect("ics written");
    let import = [
        "business",
        "--database",
        &url,
        "import-ics",
        "--user",
        "eva",
        "items.ics",
    ];
    succeeded(&exsync(dir, &import), "import-ics");
    url
}

/// Whether `text` holds something shaped like a JWT (`eyJ…​.…​.…`), as access tokens are.
fn contains_jwt(text: &str) -> bool {
    text.match_indices("eyJ").any(|(at, _)| {
        let run: String = text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
            .collect();
        run.split('.').filter(|part| !part.is_empty()).count() >= 3
    })
}

/// Kills a child process (the emulator, a service) when the test ends, however it ends.
struct EmulatorProcess(Child);

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A separate `exsync emulator` process (so the test knows the client secret) and its JSON line.
fn start_emulator() -> (EmulatorProcess, serde_json::Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_exsync"))
        .args(["emulator", "--listen", "127.0.0.1:0"])
        .env_remove("EXSYNC_LOG")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the emulator starts");
    let stdout = child.stdout.take().expect("stdout");
    let process = EmulatorProcess(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the emulator describes itself");
    let described = serde_json::from_str(&line).expect("one JSON line");
    (process, described)
}

fn text<'a>(described: &'a serde_json::Value, key: &str) -> &'a str {
    described[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {described}"))
}

/// Writes `exsync.toml` into `dir` for the emulator process `described` as Exchange Online,
/// with a business database for its first mailbox, `online` lines added to
/// `[exchange.online]` and `logging` lines to `[logging]`; the log file's path.
fn online_config(
    dir: &Path,
    described: &serde_json::Value,
    online: &str,
    logging: &str,
) -> std::path::PathBuf {
    let tenant = text(described, "tenant_id");
    let authority = text(described, "token_url")
        .strip_suffix(&format!("/{tenant}/oauth2/v2.0/token"))
        .expect("token URL = authority/tenant/oauth2/v2.0/token");
    let mailbox = described["mailboxes"][0].as_str().expect("a mailbox");
    let url = business_database(dir, mailbox);
    let log_file = dir.join("exsync.log");
    let config = format!(
        "[database]\nurl = \"{url}\"\n\
         [exchange]\nkind = \"online\"\n\
         [exchange.online]\ntenant_id = \"{tenant}\"\nclient_id = \"{}\"\n\
         client_secret = \"{}\"\nauthority = \"{authority}\"\ngraph_url = \"{}\"\n{online}\
         [admin]\nlisten = \"off\"\n\
         [logging]\nfile = \"{}\"\n{logging}",
        text(described, "client_id"),
        text(described, "client_secret"),
        text(described, "graph_url"),
        log_file.display()
    );
    std::fs::write(dir.join("exsync.toml"), config).expect("config written");
    log_file
}

#[test]
fn the_transfer_log_records_exchange_requests_and_never_a_secret_or_token() {
    let (_emulator, described) = start_emulator();
    let secret = text(&described, "client_secret");
    let token_url = text(&described, "token_url");
    let graph_url = text(&described, "graph_url");
    let mailbox = described["mailboxes"][0].as_str().expect("a mailbox");

    let dir = tempfile::tempdir().expect("temp dir");
    let log_file = online_config(dir.path(), &described, "", "exchange_transfers = true\n");
    let sync = exsync(dir.path(), &["--config", "exsync.toml", "sync", "--once"]);
    let out = succeeded(&sync, "sync --once");
    assert!(out.contains("Exchange +1"), "something was exported: {out}");

    let log = std::fs::read_to_string(&log_file).expect("the log file was written");
    let transfers: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("exsync::transfer"))
        .collect();
    let token_request = transfers
        .iter()
        .find(|l| l.contains(token_url))
        .unwrap_or_else(|| panic!("no token request in {log}"));
    assert!(token_request.contains("status=200"), "{token_request}");
    assert!(
        token_request.contains("client_secret=[redacted]"),
        "{token_request}"
    );
    assert!(
        token_request.contains("\"access_token\":\"[redacted]\""),
        "{token_request}"
    );
    let reads = format!("method=GET url={graph_url}/users/{mailbox}/");
    assert!(
        transfers
            .iter()
            .any(|l| l.contains(&reads) && l.contains("status=200")),
        "no Graph read with its status in {log}"
    );
    assert!(
        transfers
            .iter()
            .any(|l| l.contains("method=POST") && l.contains("status=201")),
        "no create with its status in {log}"
    );
    assert!(
        transfers.iter().all(|l| l.contains("duration_ms=")),
        "{log}"
    );
    assert!(log.contains("Authorization: Bearer [redacted]"), "{log}");

    assert!(!log.contains(secret), "the client secret leaked: {log}");
    assert!(!contains_jwt(&log), "a token leaked: {log}");
    for (at, _) in log.match_indices("Bearer ") {
        let after = &log[at + "Bearer ".len()..];
        assert!(
            after.starts_with("[redacted]"),
            "a bearer value: {}",
            &log[at..]
        );
    }
    // The detector is not blind: the emulator's tokens are JWTs.
    assert!(contains_jwt(
        "x eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln y"
    ));
    assert!(!contains_jwt("$deltatoken=eyJhbGciOiJSUzI1NiJ9 AAMkeyJ.x"));
}

/// A config file for the embedded emulator with `logging` as given.
fn embedded_config(dir: &Path, logging: &str) -> std::path::PathBuf {
    let url = business_database(dir, "eva@example.com");
    let log_file = dir.join("exsync.log");
    let config = format!(
        "[database]\nurl = \"{url}\"\n[logging]\nfile = \"{}\"\n{logging}\n",
        log_file.display()
    );
    std::fs::write(dir.join("exsync.toml"), config).expect("config written");
    log_file
}

#[test]
fn json_format_writes_one_parseable_object_per_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let switches = "format = \"json\"\nexchange_transfers = true\ndiagnostics = true";
    let log_file = embedded_config(dir.path(), switches);
    let sync = exsync(dir.path(), &["--config", "exsync.toml", "sync", "--once"]);
    succeeded(&sync, "sync --once");
    let log = std::fs::read_to_string(&log_file).expect("the log file was written");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let transfers: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["target"] == "exsync::transfer")
        .collect();
    assert!(
        transfers.len() >= 2,
        "the token request and Graph requests: {log}"
    );
    for transfer in &transfers {
        let fields = &transfer["fields"];
        assert!(fields["status"].is_u64(), "{transfer}");
        assert!(
            fields["url"]
                .as_str()
                .is_some_and(|u| u.starts_with("http://127.0.0.1:"))
        );
        assert_eq!(transfer["level"], "INFO");
    }
    assert!(!contains_jwt(&log), "{log}");
    // `logging.diagnostics`: the engine's decision per item, at DEBUG under a `warn` filter.
    assert!(
        lines
            .iter()
            .any(|l| l["target"] == "exsync::diagnostics" && l["level"] == "DEBUG"),
        "no engine decision in {log}"
    );
}

#[test]
fn without_the_switches_no_transfer_or_diagnostics_is_logged_even_at_debug() {
    let dir = tempfile::tempdir().expect("temp dir");
    let switches = "exchange_transfers = false\ndiagnostics = false";
    let log_file = embedded_config(dir.path(), switches);
    let sync = exsync(
        dir.path(),
        &[
            "--config",
            "exsync.toml",
            "--log",
            "debug",
            "sync",
            "--once",
        ],
    );
    succeeded(&sync, "sync --once");
    let log = std::fs::read_to_string(&log_file).expect("the log file is created");
    assert!(!log.contains("exsync::transfer"), "{log}");
    assert!(!log.contains("Exchange request"), "{log}");
    assert!(!log.contains("exsync::diagnostics"), "{log}");
    assert!(log.contains("DEBUG"), "the filter itself applies: {log}");
}

#[test]
fn a_bad_log_filter_or_log_file_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad_filter = exsync(dir.path(), &["--log", "exsync=loud", "config", "show"]);
    assert_eq!(bad_filter.status.code(), Some(1));
    let error = String::from_utf8_lossy(&bad_filter.stderr);
    assert!(
        error.contains("exsync=loud") && error.contains("EXSYNC_LOG"),
        "{error}"
    );

    let url = format!("sqlite://{}", dir.path().join("business.db").display());
    let missing = dir.path().join("no-such-dir").join("exsync.log");
    let config = format!(
        "[database]\nurl = \"{url}\"\n[logging]\nfile = \"{}\"\n",
        missing.display()
    );
    std::fs::write(dir.path().join("exsync.toml"), config).expect("config written");
    let bad_file = exsync(
        dir.path(),
        &["--config", "exsync.toml", "business", "users"],
    );
    assert_eq!(bad_file.status.code(), Some(1));
    let error = String::from_utf8_lossy(&bad_file.stderr);
    assert!(error.contains(&missing.display().to_string()), "{error}");
    assert!(error.contains("logging.file"), "{error}");
}

#[test]
fn the_token_is_requested_for_the_configured_scope() {
    let (_emulator, described) = start_emulator();
    let dir = tempfile::tempdir().expect("temp dir");
    // Graph's application id form of its scope, which Entra ID (and the emulator) accept too.
    let scope = "scope = \"00000003-0000-0000-c000-000000000000/.default\"\n";
    let log_file = online_config(dir.path(), &described, scope, "exchange_transfers = true\n");
    let sync = exsync(dir.path(), &["--config", "exsync.toml", "sync", "--once"]);
    let out = succeeded(&sync, "sync --once");
    assert!(out.contains("Exchange +1"), "{out}");
    let log = std::fs::read_to_string(&log_file).expect("the log file was written");
    let token_url = text(&described, "token_url");
    let token_requests: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("exsync::transfer") && l.contains(token_url))
        .collect();
    assert!(!token_requests.is_empty(), "no token request in {log}");
    for request in token_requests {
        assert!(
            request.contains("scope=00000003-0000-0000-c000-000000000000/.default"),
            "{request}"
        );
    }
}

#[test]
fn the_service_warns_at_start_about_a_client_secret_about_to_expire() {
    let (_emulator, described) = start_emulator();
    let dir = tempfile::tempdir().expect("temp dir");
    let expires_on = chrono::Local::now().date_naive() + chrono::Days::new(10);
    let online = format!("client_secret_expires_on = {expires_on}\n");
    let log_file = online_config(dir.path(), &described, &online, "");
    let mut command = Command::new(env!("CARGO_BIN_EXE_exsync"));
    for (name, _) in std::env::vars() {
        if name.starts_with("EXSYNC_") {
            command.env_remove(name);
        }
    }
    let child = command
        .args(["--config", "exsync.toml", "run"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .spawn()
        .expect("exsync run starts");
    let mut service = EmulatorProcess(child);
    let expected = format!("credential expires on {expires_on} (in 10 days)");
    let started = std::time::Instant::now();
    let log = loop {
        let log = std::fs::read_to_string(&log_file).unwrap_or_default();
        if log.contains(&expected) {
            break log;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "no expiry warning in {log}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let warnings: Vec<&str> = log.lines().filter(|l| l.contains(&expected)).collect();
    assert_eq!(warnings.len(), 1, "logged once at start: {log}");
    assert!(warnings[0].contains("WARN"), "{log}");
    assert!(
        warnings[0].contains("exchange.online.client_secret_expires_on"),
        "it says what to update: {log}"
    );
    let stopped = Command::new("kill")
        .args(["-TERM", &service.0.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(stopped.success());
    assert!(service.0.wait().expect("exits").success());
}

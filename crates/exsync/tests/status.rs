//! `exsync status` as an administrator runs it, the real binary against an admin endpoint
//! serving a status board filled here (so every case is staged exactly, without a running
//! sync): the credential line with its warning, a long last error shown whole under its row,
//! the details of one mailbox (`exsync status LOGIN`), and all of it in German with
//! `--lang de` and with `LANG=de_DE.UTF-8`.

use std::path::Path;
use std::process::{Command, Output};

use chrono::{Duration, Utc};
use exsync_model::ItemKind;
use exsync_runtime::KindReport;
use exsync_service::{CredentialKind, CredentialSetting, Readiness, StatusBoard, serve_listener};

/// A last error as Graph and exsync word it: longer than any column, over two lines.
const LONG_ERROR: &str = "Graph answered 403 Forbidden for eva@x.example: ErrorAccessDenied: \
Access is denied. Check credentials and try again.\nfix: grant the application permission \
Calendars.ReadWrite in the Entra admin center (API permissions) and give admin consent";

/// The admin endpoint over a board with eva (the long error, a pass a minute ago), bob
/// (deletions held) and a client secret expiring in `days` days; stops when dropped.
struct Endpoint {
    addr: String,
    _runtime: tokio::runtime::Runtime,
}

fn endpoint(days: i64) -> Endpoint {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let board = StatusBoard::new();
    let now = Utc::now();
    let mut failed = KindReport::new("eva", "eva@x.example", ItemKind::Appointment);
    failed.failure = Some(LONG_ERROR.to_owned());
    board.record_pass(
        &KindReport::new("eva", "eva@x.example", ItemKind::Appointment),
        now - Duration::seconds(60),
    );
    board.record_pass(&failed, now);
    let mut held = KindReport::new("bob", "bob@x.example", ItemKind::Contact);
    held.held = Some("12 of 20 contacts would be deleted: held".to_owned());
    board.record_pass(&held, now);
    board.set_credential(Some(CredentialSetting {
        kind: CredentialKind::ClientSecret,
        expires_on: Some((now + Duration::days(days)).date_naive()),
        warning_days: 30,
    }));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("address").to_string();
    runtime.spawn(serve_listener(
        listener,
        None,
        board,
        Readiness::new(),
        std::future::pending(),
    ));
    Endpoint {
        addr,
        _runtime: runtime,
    }
}

/// `exsync ARGS` in `dir` with `env`, nothing of the caller's configuration or locale.
fn exsync(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exsync"))
        .args(args)
        .current_dir(dir)
        .env_remove("EXSYNC_CONFIG")
        .env_remove("EXSYNC_DATABASE_URL")
        .env_remove("EXSYNC_ADMIN_LISTEN")
        .env_remove("EXSYNC_ADMIN_TOKEN")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .envs(env.iter().copied())
        .output()
        .expect("exsync runs")
}

fn stdout_of(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

#[test]
fn the_table_warns_of_the_secret_and_shows_a_long_error_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let endpoint = endpoint(10);
    let out = stdout_of(&exsync(
        dir.path(),
        &[],
        &["status", "--admin", &endpoint.addr],
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("warning: the client secret expires on ")
            && lines[0].contains("(in 10 days)")
            && lines[0].contains("exchange.online.client_secret"),
        "a warning header line: {out}"
    );
    assert!(lines[1].starts_with("LOGIN "), "{out}");
    let column = lines[1].find("LAST ERROR").expect("the LAST ERROR column");
    // eva's row and its continuation lines: together the whole error, word by word.
    let start = lines
        .iter()
        .position(|l| l.starts_with("eva "))
        .expect("eva's row");
    let mut shown = Vec::new();
    for line in lines[start..]
        .iter()
        .take_while(|l| l.starts_with("eva ") || l.starts_with(' '))
    {
        shown.extend(words(&line[column..]));
    }
    assert_eq!(shown, words(LONG_ERROR), "{out}");
    assert!(!out.contains("..."), "nothing is cut: {out}");
    assert!(
        out.contains("held for bob (bob@x.example): 12 of 20 contacts would be deleted: held"),
        "{out}"
    );
}

#[test]
fn a_login_shows_that_mailbox_in_detail_and_an_unknown_one_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let endpoint = endpoint(200);
    let out = stdout_of(&exsync(
        dir.path(),
        &[],
        &["status", "eva", "--admin", &endpoint.addr],
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("the client secret expires on ") && lines[0].contains("(in 200 days)"),
        "no warning this far ahead: {out}"
    );
    assert_eq!(lines[1], "eva (eva@x.example)", "{out}");
    assert!(!out.contains("bob"), "only eva: {out}");
    for line in LONG_ERROR.lines() {
        assert!(
            out.contains(line),
            "the error line {line:?} whole in:\n{out}"
        );
    }
    assert!(out.contains("  last success:  "), "{out}");
    assert!(out.contains("(1 min ago)"), "{out}");

    let unknown = exsync(
        dir.path(),
        &[],
        &["status", "nobody", "--admin", &endpoint.addr],
    );
    assert_eq!(unknown.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("no mailbox of \"nobody\"") && stderr.contains("bob, eva"),
        "{stderr}"
    );
}

#[test]
fn status_speaks_german_with_lang_de_and_with_a_german_locale() {
    let dir = tempfile::tempdir().expect("temp dir");
    let endpoint = endpoint(0);
    let status = ["status", "--admin", &endpoint.addr];
    let by_flag = stdout_of(&exsync(
        dir.path(),
        &[],
        &[&["--lang", "de"][..], &status].concat(),
    ));
    let by_locale = stdout_of(&exsync(dir.path(), &[("LANG", "de_DE.UTF-8")], &status));
    assert_eq!(
        by_flag, by_locale,
        "the flag and the locale choose the same"
    );
    let lines: Vec<&str> = by_flag.lines().collect();
    assert!(
        lines[0].starts_with("Warnung: Der geheime Clientschlüssel läuft am ")
            && lines[0].contains(" ab (heute): Legen Sie in Entra ID"),
        "{by_flag}"
    );
    assert!(
        lines[1].starts_with("BENUTZER ") && lines[1].ends_with("LETZTER FEHLER"),
        "{by_flag}"
    );
    assert!(
        by_flag.contains("Zurückgehalten für bob (bob@x.example): "),
        "{by_flag}"
    );
    let eva = lines.iter().find(|l| l.starts_with("eva ")).expect("eva");
    assert!(eva.contains(" ja ") && eva.contains("vor "), "{eva}");

    let detail = stdout_of(&exsync(
        dir.path(),
        &[("LANG", "de_DE.UTF-8")],
        &["status", "EVA", "--admin", &endpoint.addr],
    ));
    assert!(detail.contains("eva (eva@x.example)\n"), "{detail}");
    assert!(
        detail.contains("  Letzter Fehler:     Graph answered 403"),
        "{detail}"
    );

    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = free.local_addr().expect("addr").to_string();
    drop(free);
    let nothing = exsync(
        dir.path(),
        &[],
        &["--lang", "de", "status", "--admin", &addr],
    );
    assert_eq!(nothing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&nothing.stderr);
    assert!(
        stderr.contains(&format!("Auf {addr} antwortet kein exsync-Dienst")),
        "{stderr}"
    );
}

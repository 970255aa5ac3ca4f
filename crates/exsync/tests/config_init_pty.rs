//! `exsync config init` as an admin runs it: the real binary on a pseudo-terminal with echo
//! on, answering each question as typed, secrets included.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;

use rexpect::session::{PtySession, spawn_command};

const SECRET: &str = "XW.8Q~pty-Secret-4711";
const DATABASE_PASSWORD: &str = "Db-Pass!word";

/// The binary on a new terminal whose echo is on, as a login shell leaves it (rexpect starts
/// its terminals with echo off, which would hide a secret whatever exsync does).
fn spawn(dir: &Path, args: &[&str]) -> PtySession {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("stty echo && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_exsync"))
        .args(args)
        .current_dir(dir)
        .env_remove("EXSYNC_CONFIG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C");
    spawn_command(command, Some(30_000)).expect("spawned on a pty")
}

/// Waits for a question and types the answer; returns the terminal's text up to the question.
fn answer(session: &mut PtySession, transcript: &mut String, question: &str, typed: &str) {
    let before = session
        .exp_string(question)
        .unwrap_or_else(|e| panic!("no question {question:?}: {e}\n{transcript}"));
    transcript.push_str(&before);
    transcript.push_str(question);
    session.send_line(typed).expect("typed");
}

#[test]
fn init_asks_on_a_terminal_hides_secrets_and_writes_a_private_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut session = spawn(dir.path(), &["--lang", "en", "config", "init"]);
    let mut t = String::new();
    let s = &mut session;
    answer(s, &mut t, "(exchange.kind) [online]: ", "");
    answer(
        s,
        &mut t,
        "(exchange.online.tenant_id): ",
        "contoso.onmicrosoft.com",
    );
    answer(
        s,
        &mut t,
        "(exchange.online.client_id): ",
        "8e47e025-e175-4a96-85be-59ee5e49e632",
    );
    answer(s, &mut t, "(secret, certificate) [secret]: ", "");
    answer(s, &mut t, "(exchange.online.client_secret): ", SECRET);
    answer(
        s,
        &mut t,
        "(exchange.online.client_secret_expires_on) [none]: ",
        "2027-05-31",
    );
    answer(
        s,
        &mut t,
        "(database.url) [sqlite://exsync.db]: ",
        "postgres://exsync@db.example.com/erp",
    );
    answer(s, &mut t, "(database.url) [none]: ", DATABASE_PASSWORD);
    answer(s, &mut t, "(sync.months_past) [6]: ", "12");
    answer(s, &mut t, "(sync.months_future) [17]: ", "");
    answer(s, &mut t, "(sync.appointments) [both]: ", "");
    // A refused answer is asked again, with the loader's reason.
    answer(s, &mut t, "(sync.tasks) [both]: ", "sideways");
    answer(s, &mut t, "(sync.tasks) [both]: ", "off");
    answer(s, &mut t, "(sync.contacts) [export]: ", "");
    answer(s, &mut t, "(sync.body) [export_only]: ", "never");
    t.push_str(&session.exp_eof().expect("exsync ends"));

    // Echo was on: what was typed for visible questions shows on the terminal...
    assert!(t.contains("sideways"), "{t}");
    assert!(
        t.contains("must be one of \"both\", \"export\", \"import\" or \"off\""),
        "{t}"
    );
    // ...but no character of a secret does, neither while typed nor in what is shown after.
    assert!(!t.contains(SECRET), "{t}");
    assert!(!t.contains("pty-Secret"), "{t}");
    assert!(!t.contains(DATABASE_PASSWORD), "{t}");
    assert!(!t.contains("Pass%21word"), "{t}");
    // The file was read back and shown, secrets masked, then `exsync check` was offered.
    assert!(t.contains("client_secret = \"********\""), "{t}");
    assert!(
        t.contains("url = \"postgres://exsync:********@db.example.com/erp\""),
        "{t}"
    );
    assert!(t.contains("exsync --config exsync.toml check"), "{t}");

    let path = dir.path().join("exsync.toml");
    let mode = std::fs::metadata(&path)
        .expect("written")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let file = std::fs::read_to_string(&path).expect("readable");
    for line in [
        "kind = \"online\"",
        "tenant_id = \"contoso.onmicrosoft.com\"",
        "client_id = \"8e47e025-e175-4a96-85be-59ee5e49e632\"",
        &format!("client_secret = \"{SECRET}\""),
        "client_secret_expires_on = 2027-05-31",
        "url = \"postgres://exsync:Db-Pass%21word@db.example.com/erp\"",
        "months_past = 12",
        "months_future = 17",
        "tasks = \"off\"",
        "body = \"never\"",
    ] {
        assert!(file.contains(line), "{line} missing in\n{file}");
    }
}

#[test]
fn init_on_a_terminal_keeps_an_existing_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("exsync.toml"), "[sync]\nmonths_past = 3\n").expect("write");
    let mut session = spawn(dir.path(), &["--lang", "de", "config", "init"]);
    let out = session.exp_eof().expect("exsync ends");
    assert!(
        out.contains("exsync.toml gibt es bereits: Behalten Sie die Datei, oder ersetzen Sie sie mit --force."),
        "{out}"
    );
    let file = std::fs::read_to_string(dir.path().join("exsync.toml")).expect("readable");
    assert_eq!(file, "[sync]\nmonths_past = 3\n");
}

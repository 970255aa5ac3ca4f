//! The safety commands as an administrator runs them, in real processes: `exsync approve`
//! (unknown user; an approval on a real state store), `exsync status` against a running
//! `exsync run` (and against nothing), and `exsync reset --delete-exchange-items` end to end
//! against an emulator process reached as Exchange Online (every kind, or those `--kind`
//! names), refused while a service runs.

#[path = "safety/online.rs"]
mod online;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use online::Online;

const BUDGET: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n\
BEGIN:VEVENT\r\nUID:safety-1\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Budget review\r\n\
DTSTART;TZID=Europe/Berlin:20270112T100000\r\nDTEND;TZID=Europe/Berlin:20270112T110000\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

/// `exsync ARGS` in `dir` with `env` set (and no configuration from the caller's environment).
fn exsync(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exsync"))
        .args(args)
        .current_dir(dir)
        .env_remove("EXSYNC_CONFIG")
        .env_remove("EXSYNC_DATABASE_URL")
        .envs(env.iter().copied())
        .output()
        .expect("exsync runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}\n--- stderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn succeeds(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let output = exsync(dir, env, args);
    assert!(output.status.success(), "{args:?}: {}", text(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A business database with user eva (mailbox `mailbox`) owning one appointment.
fn business(dir: &Path, mailbox: &str) -> String {
    let url = format!("sqlite://{}", dir.join("business.db").display());
    succeeds(dir, &[], &["business", "--database", &url, "init"]);
    let add = ["business", "--database", &url, "user", "add", "eva"];
    succeeds(dir, &[], &[&add[..], &["--mailbox", mailbox]].concat());
    std::fs::write(dir.join("budget.ics"), BUDGET).expect("written");
    let import = ["business", "--database", &url, "import-ics"];
    succeeds(
        dir,
        &[],
        &[&import[..], &["--user", "eva", "budget.ics"]].concat(),
    );
    url
}

/// Kills a child process if the test fails before it is stopped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn approve_names_an_unknown_user() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = business(dir.path(), "eva@example.com");
    let output = exsync(
        dir.path(),
        &[("EXSYNC_DATABASE_URL", &url)],
        &["approve", "nobody"],
    );
    assert!(!output.status.success());
    let all = text(&output);
    assert!(all.contains("no user \"nobody\""), "{all}");
    assert!(all.contains("exsync business users"), "{all}");
}

#[test]
fn status_prints_a_row_per_mailbox_of_the_running_service() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = business(dir.path(), "eva@example.com");
    let env = [("EXSYNC_DATABASE_URL", url.as_str())];
    let env_run = [
        ("EXSYNC_DATABASE_URL", url.as_str()),
        ("EXSYNC_ADMIN_LISTEN", "127.0.0.1:0"),
        ("EXSYNC_SERVICE_POLL_INTERVAL", "1"),
    ];
    let (_running, addr) = start_service(dir.path(), &env_run, &[]);
    let table = wait_for_eva(dir.path(), &env, &[], &addr);
    let row = table
        .lines()
        .find(|l| l.starts_with("eva"))
        .expect("eva's row");
    assert!(row.contains("eva@example.com"), "{table}");
    assert!(
        table.lines().next().is_some_and(|h| h.contains("HELD")),
        "{table}"
    );
}

#[test]
fn status_says_when_no_service_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = free.local_addr().expect("addr").to_string();
    drop(free);
    let output = exsync(dir.path(), &[], &["status", "--admin", &addr]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let all = text(&output);
    assert!(
        all.contains(&format!("no exsync service answers on {addr}")),
        "{all}"
    );
}

/// `exsync ARGS run` in `dir` with `env`; the running process and its admin address.
fn start_service(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_exsync"))
        .args(args)
        .arg("run")
        .current_dir(dir)
        .env_remove("EXSYNC_CONFIG")
        .env_remove("EXSYNC_DATABASE_URL")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .expect("exsync run starts");
    let stdout = child.stdout.take().expect("stdout");
    let running = Running(child);
    let addr = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("admin endpoint: http://")
                .map(|rest| rest.trim_end_matches("/status").to_owned())
        })
        .expect("the admin endpoint is announced");
    (running, addr)
}

/// Waits until `exsync status` shows a pass of eva's mailbox; the table.
fn wait_for_eva(dir: &Path, env: &[(&str, &str)], args: &[&str], addr: &str) -> String {
    let mut table = String::new();
    wait_for("eva's row after the first pass", || {
        table = succeeds(dir, env, &[args, &["status", "--admin", addr]].concat());
        table
            .lines()
            .any(|l| l.starts_with("eva") && !l.contains("never"))
    });
    table
}

#[test]
fn reset_deletes_only_what_exsync_linked_and_syncs_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let online = Online::start(dir.path(), "off");
    let outlook = &online.outlook;
    let with_config = |args: &[&str]| {
        succeeds(
            dir.path(),
            &[],
            &[&["--config", "exsync.toml"][..], args].concat(),
        )
    };
    with_config(&["sync", "--once"]);
    assert_eq!(outlook.events_titled("Budget review"), 1);
    outlook.create_event("Private lunch");

    let approved = with_config(&["approve", "eva"]);
    assert!(
        approved.contains("Approved the held deletions of eva"),
        "{approved}"
    );

    let reset = with_config(&["reset", "--user", "eva", "--delete-exchange-items"]);
    assert!(
        reset.contains("deleted in Exchange: 1, links forgotten: 1"),
        "{reset}"
    );
    let row = reset
        .lines()
        .find(|l| l.starts_with("eva") && l.contains("appointment"))
        .expect("the appointment row of the pass after the reset");
    assert!(row.contains("Exchange +1 ~0 -0"), "{reset}");
    assert_eq!(
        outlook.events_titled("Budget review"),
        1,
        "exported again, once"
    );
    assert_eq!(
        outlook.events_titled("Private lunch"),
        1,
        "never linked: kept"
    );

    let again = with_config(&["sync", "--once"]);
    let row = again
        .lines()
        .find(|l| l.starts_with("eva") && l.contains("appointment"))
        .expect("the appointment row");
    assert!(row.contains("Exchange +0 ~0 -0"), "{again}");
    assert_eq!(outlook.events_titled("Budget review"), 1);
}

#[test]
fn reset_of_some_kinds_leaves_the_others_linked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let online = Online::start(dir.path(), "off");
    let with_config = |args: &[&str]| {
        succeeds(
            dir.path(),
            &[],
            &[&["--config", "exsync.toml"][..], args].concat(),
        )
    };
    with_config(&["sync", "--once"]);
    assert_eq!(online.outlook.events_titled("Budget review"), 1);

    let reset = with_config(&[
        "reset",
        "--user",
        "eva",
        "--kind",
        "contacts,tasks",
        "--delete-exchange-items",
    ]);
    assert!(reset.contains("Resetting only: tasks, contacts"), "{reset}");
    assert!(
        reset.contains("deleted in Exchange: 0, links forgotten: 0"),
        "the appointment stays linked: {reset}"
    );
    let row = reset
        .lines()
        .find(|l| l.starts_with("eva") && l.contains("appointment"))
        .expect("the appointment row of the pass after the reset");
    assert!(row.contains("Exchange +0 ~0 -0"), "{reset}");
    assert_eq!(online.outlook.events_titled("Budget review"), 1);

    let reset = with_config(&["reset", "--kind", "appointments", "--kind", "tasks"]);
    assert!(
        reset.contains("deleted in Exchange: 0, links forgotten: 1"),
        "{reset}"
    );
    assert_eq!(
        online.outlook.events_titled("Budget review"),
        1,
        "re-linked by its stamp"
    );

    let wrong = exsync(
        dir.path(),
        &[],
        &["--config", "exsync.toml", "reset", "--kind", "calendar"],
    );
    assert!(!wrong.status.success());
    let all = text(&wrong);
    assert!(
        all.contains("unknown data type \"calendar\": use appointments, tasks or contacts"),
        "{all}"
    );
}

#[test]
fn reset_refuses_while_a_service_holds_the_mailbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let online = Online::start(dir.path(), "127.0.0.1:0");
    let config = ["--config", "exsync.toml"];
    let (_running, addr) = start_service(dir.path(), &[], &config);
    wait_for_eva(dir.path(), &[], &config, &addr);

    let reset = exsync(
        dir.path(),
        &[],
        &[
            &config[..],
            &["reset", "--user", "eva", "--delete-exchange-items"],
        ]
        .concat(),
    );
    assert!(!reset.status.success(), "{}", text(&reset));
    let all = text(&reset);
    assert!(
        all.contains("stop the service (`exsync run`) first"),
        "{all}"
    );
    assert!(all.contains("is being synced by exsync process"), "{all}");
    assert_eq!(
        online.outlook.events_titled("Budget review"),
        1,
        "nothing deleted"
    );
}

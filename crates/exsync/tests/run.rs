//! `exsync run` as an administrator runs it: a real process on the embedded defaults (SQLite
//! and the built-in emulator), changes made meanwhile in the business database arriving in
//! Exchange within seconds, the admin endpoint, and a clean stop on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const FIRST: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n\
BEGIN:VEVENT\r\nUID:run-1\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Budget review\r\n\
DTSTART;TZID=Europe/Berlin:20270112T100000\r\nDTEND;TZID=Europe/Berlin:20270112T110000\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

const SECOND: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n\
BEGIN:VEVENT\r\nUID:run-2\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Site visit\r\n\
DTSTART;TZID=Europe/Berlin:20270114T140000\r\nDTEND;TZID=Europe/Berlin:20270114T150000\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

fn exsync(dir: &Path, args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_exsync"))
        .args(args)
        .current_dir(dir)
        .env_remove("EXSYNC_CONFIG")
        .output()
        .expect("exsync runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `GET path` on the admin endpoint, the body.
fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("admin endpoint answers");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
}

/// Appointments exsync has created in Exchange, as `/metrics` counts them.
fn exported(addr: &str) -> u64 {
    get(addr, "/metrics")
        .lines()
        .filter(|l| l.starts_with("exsync_items_written_total{"))
        .filter(|l| {
            l.contains("side=\"exchange\"")
                && l.contains("kind=\"appointment\"")
                && l.contains("operation=\"created\"")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Kills the service if the test fails before stopping it.
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn the_service_syncs_changes_as_they_come_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("exsync.db").display());
    exsync(dir.path(), &["business", "--database", &url, "init"]);
    exsync(
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
    std::fs::write(dir.path().join("first.ics"), FIRST).expect("written");
    std::fs::write(dir.path().join("second.ics"), SECOND).expect("written");
    exsync(
        dir.path(),
        &[
            "business",
            "--database",
            &url,
            "import-ics",
            "--user",
            "eva",
            "first.ics",
        ],
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_exsync"))
        .arg("run")
        .current_dir(dir.path())
        .env_remove("EXSYNC_CONFIG")
        .env("EXSYNC_DATABASE_URL", &url)
        .env("EXSYNC_ADMIN_LISTEN", "127.0.0.1:0")
        .env("EXSYNC_SERVICE_POLL_INTERVAL", "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("exsync run starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut running = Running(Some(child));
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("admin endpoint: http://")
                .map(|rest| rest.trim_end_matches("/status").to_owned())
        })
        .expect("the admin endpoint is announced");

    assert!(get(&addr, "/healthz").starts_with("HTTP/1.1 200"));
    wait_for("the first export", || exported(&addr) >= 1);
    let status = get(&addr, "/status");
    assert!(status.contains("eva@example.com"), "{status}");

    // A change in the business database while the service runs arrives within seconds.
    exsync(
        dir.path(),
        &[
            "business",
            "--database",
            &url,
            "import-ics",
            "--user",
            "eva",
            "second.ics",
        ],
    );
    wait_for("the second appointment", || exported(&addr) >= 2);
    assert_eq!(exported(&addr), 2, "nothing is exported twice");

    let mut child = running.0.take().expect("still running");
    let started = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("exsync run ends");
    assert!(status.success(), "SIGTERM is a clean stop: {status}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l == "stopped"), "{rest:?}");
}

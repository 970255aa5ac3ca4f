//! `exsync demo` as a newcomer runs it: the real binary, nothing configured, the demo database
//! in a temporary directory. The demo must finish with exit 0 after the initial sync exported
//! every demo item and both live changes arrived; afterwards the demo database must hold the
//! change made in Exchange, written by exsync. With `--keep-running` the service stays up
//! with its admin endpoint until SIGTERM, which stops it cleanly. In German (`--lang de` or
//! `LANG=de_DE.UTF-8`) every step, the progress and the summary speak German.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use exsync_business::{BusinessDb, Origin};
use exsync_model::BusinessId;

/// What the demo data holds: 7 appointments and 5 tasks in 3 mailboxes, 4 company contacts in
/// each of them.
const EXPORTED: &str = "created 7 appointments, 5 tasks, 12 contacts";
const OUTLOOK_SUBJECT: &str = "Customer visit Müller GmbH (bring the samples)";

fn demo(dir: &std::path::Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_exsync"));
    command
        .arg("demo")
        .arg("--dir")
        .arg(dir)
        .args(extra)
        .current_dir(dir)
        .env_remove("EXSYNC_CONFIG")
        .env_remove("EXSYNC_DATABASE_URL")
        .env_remove("EXSYNC_ADMIN_LISTEN")
        // English unless a test asks for German, whatever the caller's locale.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    command
}

/// The delay printed after `prefix` (`... after 1.2 s`), in seconds.
fn delay_after(stdout: &str, prefix: &str) -> f64 {
    let line = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?} in:\n{stdout}"));
    line.trim_end_matches(" s")
        .parse()
        .unwrap_or_else(|_| panic!("not a delay: {line:?}"))
}

#[test]
fn the_demo_syncs_everything_shows_both_changes_arriving_and_exits_0() {
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let output = demo(dir.path(), &[]).output().expect("exsync demo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );

    // The initial sync: every item in every mailbox, and the service's own count agrees.
    assert!(
        stdout.contains("initial sync complete: 24 of 24 items in 3 mailboxes"),
        "{stdout}"
    );
    // Exactly the demo items were created; later passes may add updates after a `;`.
    let first_report = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("written to Exchange: "))
        .expect("a report of the initial sync");
    assert!(
        first_report == EXPORTED || first_report.starts_with(&format!("{EXPORTED};")),
        "the first sync created exactly the demo items: {first_report}"
    );
    for user in ["anna", "ben", "carla"] {
        let bar = format!("  {user:<8} [####################]");
        assert!(
            stdout.contains(&bar),
            "{user}'s bar reaches 100 %: {stdout}"
        );
    }

    // Both changes arrived, each within the minute the demo allows.
    for prefix in [
        "arrived in Exchange after ",
        "arrived in the business database after ",
    ] {
        let delay = delay_after(&stdout, prefix);
        assert!((0.0..60.0).contains(&delay), "{prefix}{delay}");
    }
    let summary = stdout.split("\nSummary\n").nth(1).expect("a summary");
    for row in ["anna", "ben", "carla"] {
        let line = summary
            .lines()
            .find(|l| l.starts_with(&format!("  {row} ")))
            .unwrap_or_else(|| panic!("no row for {row}: {summary}"));
        assert!(line.ends_with(" 0"), "no errors for {row}: {line}");
    }
    assert!(
        summary.contains("written to the business database: updated 1 appointment\n"),
        "{summary}"
    );
    assert!(
        summary.contains(&format!(
            "written to Exchange: {EXPORTED}; updated 1 appointment\n"
        )),
        "nothing but the demo items and the business change was written to Exchange (no \
         item rewritten after its export): {summary}"
    );

    // The Outlook change is in the business database, written by exsync.
    let url = format!("sqlite://{}", dir.path().join("exsync-demo.db").display());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let db = BusinessDb::connect(&url)
            .await
            .expect("the demo database opens");
        let visit = db
            .get_appointment(&BusinessId::from("demo-anna-visit"))
            .await
            .expect("readable")
            .expect("still there");
        assert_eq!(visit.owner, "anna");
        assert_eq!(visit.item.subject, OUTLOOK_SUBJECT);
        let journal = db.read_journal(0, 10_000).await.expect("journal");
        let last = journal
            .iter()
            .rfind(|e| e.entity_id == "demo-anna-visit")
            .expect("journaled");
        assert_eq!(last.origin, Origin::Exsync, "{last:?}");

        let budget = db
            .get_appointment(&BusinessId::from("demo-ben-budget"))
            .await
            .expect("readable")
            .expect("still there");
        assert_eq!(budget.item.subject, "Budget review (moved to room 4.12)");

        let series = db
            .get_appointment(&BusinessId::from("demo-anna-weekly"))
            .await
            .expect("readable")
            .expect("still there")
            .item
            .series
            .expect("a series");
        assert_eq!((series.modified.len(), series.cancelled.len()), (1, 1));
        db.close().await;
    });
}

#[test]
fn the_demo_speaks_german_with_lang_de_and_with_a_german_locale() {
    let (flag_dir, locale_dir) = (
        tempfile::tempdir().expect("temp dir"),
        tempfile::tempdir().expect("temp dir"),
    );
    // Both at once: the flag wins over an English locale, the German locale alone suffices.
    let by_flag = demo(flag_dir.path(), &["--lang", "de"])
        .env("LANG", "en_US.UTF-8")
        .stdout(Stdio::piped())
        .spawn()
        .expect("exsync demo starts");
    let by_locale = demo(locale_dir.path(), &[])
        .env("LANG", "de_DE.UTF-8")
        .stdout(Stdio::piped())
        .spawn()
        .expect("exsync demo starts");
    for child in [by_flag, by_locale] {
        let output = child.wait_with_output().expect("the demo ends");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{}\n{stdout}", output.status);
        for line in [
            "1. Eine Geschäftsdatenbank mit Demodaten: ",
            "   anna   Anna Berger  anna.berger@demo.example   3 Termine, 2 Aufgaben\n",
            "   ben    Ben Schulz   ben.schulz@demo.example    2 Termine, 1 Aufgabe\n",
            "   4 Firmenkontakte (jedes Postfach erhält sie)\n",
            "erster Abgleich abgeschlossen: 24 von 24 Einträgen in 3 Postfächern nach ",
            "in Exchange geschrieben: 7 Termine, 5 Aufgaben, 12 Kontakte angelegt",
            "4. Die Geschäftsanwendung benennt „Budget review“ von Ben Schulz in ",
            "\nZusammenfassung\n  BENUTZER POSTFACH ",
            "  in die Geschäftsdatenbank geschrieben: 1 Termin geändert\n",
            "Die Demodatenbank bleibt in ",
        ] {
            assert!(stdout.contains(line), "{line:?} in:\n{stdout}");
        }
        assert!(
            stdout.contains("  anna     [####################]   9/9   Termine 3/3"),
            "{stdout}"
        );
        // Delays with a decimal comma.
        let delay = stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix("in Exchange angekommen nach "))
            .and_then(|d| d.strip_suffix(" s"))
            .unwrap_or_else(|| panic!("no delay in:\n{stdout}"));
        assert!(delay.contains(',') && !delay.contains('.'), "{delay}");
        for english in ["Summary", "initial sync", "written to", "appointments"] {
            assert!(!stdout.contains(english), "{english:?} in:\n{stdout}");
        }
    }
}

/// Kills the demo if the test fails before stopping it.
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

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

#[cfg(unix)]
#[test]
fn keep_running_serves_the_admin_endpoint_until_sigterm() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = demo(dir.path(), &["--keep-running"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("exsync demo starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut running = Running(Some(child));
    let mut seen = Vec::new();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let found = line
                .strip_prefix("The service keeps running: http://")
                .map(|rest| rest.trim_end_matches("/status").to_owned());
            seen.push(line);
            found
        })
        .unwrap_or_else(|| {
            panic!(
                "no admin endpoint announced after the demo:\n{}",
                seen.join("\n")
            )
        });

    let status = get(&addr, "/status");
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    for mailbox in [
        "anna.berger@demo.example",
        "ben.schulz@demo.example",
        "carla.nowak@demo.example",
    ] {
        assert!(status.contains(mailbox), "{mailbox} in {status}");
    }

    let mut child = running.0.take().expect("still running");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("the demo ends");
    assert!(status.success(), "SIGTERM is a clean stop: {status}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l == "stopped"), "{rest:?}");
}

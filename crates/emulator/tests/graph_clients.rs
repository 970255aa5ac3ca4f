//! msgraph-sdk (Microsoft's Python Graph client, from PyPI via `scripts/python-env`) against the
//! emulator: `tests/graph_clients/msgraph_calendar.py` creates events and a weekly series, reads
//! one back, runs a paged calendarView delta round, updates and deletes, follows the delta link
//! and lists the series' instances, checking what the SDK parses at every step.
//!
//! Skips (with a notice) when `EXSYNC_TEST_PYTHON` is not set; `scripts/test` sets it.

use std::path::PathBuf;
use std::process::Command;

use exsync_emulator::Emulator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msgraph_sdk_drives_the_calendar() {
    let Some(python) = std::env::var_os("EXSYNC_TEST_PYTHON") else {
        println!("skipping msgraph-sdk client test: EXSYNC_TEST_PYTHON not set");
        return;
    };
    let emu = Emulator::start("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("emulator starts");
    let description = emu.describe();
    let mailbox = description
        .mailboxes
        .first()
        .expect("the sample organisation has a mailbox")
        .clone();
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/graph_clients/msgraph_calendar.py");
    // Everything goes through the environment, the secret included (never on a command line).
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .env("GRAPH_URL", &description.graph_url)
            .env("TOKEN_URL", &description.token_url)
            .env("CLIENT_ID", &description.client_id)
            .env("CLIENT_SECRET", &description.client_secret)
            .env("GRAPH_MAILBOX", mailbox)
            .env("PYTHONUNBUFFERED", "1")
            .output()
    })
    .await
    .expect("joined")
    .expect("python runs");
    emu.stop().await;
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "msgraph-sdk scenario failed ({}):\n{report}",
        output.status
    );
    assert!(report.contains("msgraph-sdk scenario passed"), "{report}");
}

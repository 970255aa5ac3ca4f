//! exchangelib (an independent EWS client, from PyPI via `scripts/python-env`) against the
//! emulator: `tests/ews_clients/exchangelib_calendar.py` creates, views, updates and deletes
//! calendar items, including a series with a moved and a deleted occurrence; every request
//! exchangelib sends and every answer is then validated against `messages.xsd`.

use std::path::PathBuf;
use std::process::Command;

use crate::common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchangelib_drives_the_calendar() {
    let Some(python) = std::env::var_os("EXSYNC_TEST_PYTHON") else {
        println!("skipping exchangelib test: EXSYNC_TEST_PYTHON not set");
        return;
    };
    let env = common::start().await;
    let dir = crate::schema::capture_dir("exchangelib");
    env.emu.capture_ews(Some(dir.clone()));
    let description = env.emu.describe();
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/ews_clients/exchangelib_calendar.py");
    let mailbox = env.mailbox(0);
    let python_again = PathBuf::from(&python);
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .env("EWS_URL", &description.ews_url)
            .env("EWS_USERNAME", &description.ews_username)
            .env("EWS_PASSWORD", &description.ews_password)
            .env("EWS_MAILBOX", mailbox)
            .output()
    })
    .await
    .expect("joined")
    .expect("python runs");
    env.emu.stop().await;
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "exchangelib scenario failed:\n{report}"
    );
    assert!(report.contains("exchangelib scenario passed"), "{report}");
    // What exchangelib sent and what the emulator answered hold to Microsoft's schema too.
    crate::schema::validate_capture(python_again.as_os_str(), &dir, 10);
}

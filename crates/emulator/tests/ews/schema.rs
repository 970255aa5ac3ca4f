//! Runs every EWS scenario on one emulator with capture on, then validates each captured
//! request and response body against Microsoft's `messages.xsd` with
//! `tests/ews_schema/validate.py` (Python lxml from `scripts/python-env`, named by
//! `EXSYNC_TEST_PYTHON`).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{common, limits, scenarios, series, throttle};

/// A fresh, not yet existing directory for captured exchanges.
pub fn capture_dir(label: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    std::env::temp_dir().join(format!("exsync-ews-{label}-{}-{nanos}", std::process::id()))
}

/// Validates every file in `dir` (at least `min` of them) and removes the directory; panics
/// with the validator's report when a file does not validate.
pub fn validate_capture(python: &OsStr, dir: &Path, min: usize) {
    let captured = std::fs::read_dir(dir).expect("capture dir").count();
    assert!(captured >= min, "only {captured} files captured");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(python)
        .arg(root.join("tests/ews_schema/validate.py"))
        .arg(root.join("../../../shared/conformance/ews"))
        .arg(dir)
        .output()
        .expect("python runs");
    let _ = std::fs::remove_dir_all(dir);
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "schema validation failed:\n{report}"
    );
    println!("{report}");
}

#[tokio::test]
async fn every_request_and_response_validates_against_messages_xsd() {
    let Some(python) = std::env::var_os("EXSYNC_TEST_PYTHON") else {
        println!("skipping EWS schema validation: EXSYNC_TEST_PYTHON not set");
        return;
    };
    let dir = capture_dir("scenarios");
    let env = common::start().await;
    env.emu.capture_ews(Some(dir.clone()));
    scenarios::auth_and_faults(&env).await;
    scenarios::folders(&env).await;
    scenarios::single_item_lifecycle(&env).await;
    series::series_with_exceptions(&env).await;
    series::every_pattern(&env).await;
    series::paging(&env).await;
    series::sync_folder_items(&env).await;
    series::graph_round_trip(&env).await;
    throttle::held_connection(&env).await;
    throttle::sync_call_limit(&env).await;
    limits::subscription_limit(&env).await;
    limits::restart_drops_subscriptions(&env).await;
    env.emu.capture_ews(None);
    env.emu.stop().await;
    validate_capture(&python, &dir, 100);
}

#[test]
fn the_validator_rejects_a_body_that_breaks_the_schema() {
    let Some(python) = std::env::var_os("EXSYNC_TEST_PYTHON") else {
        println!("skipping EWS schema validation: EXSYNC_TEST_PYTHON not set");
        return;
    };
    let dir = capture_dir("negative");
    std::fs::create_dir_all(&dir).expect("dir");
    let bad = common::envelope(None, "<m:GetFolder><m:FolderIds/></m:GetFolder>");
    std::fs::write(dir.join("0001-GetFolder-request.xml"), bad).expect("write");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(python)
        .arg(root.join("tests/ews_schema/validate.py"))
        .arg(root.join("../../../shared/conformance/ews"))
        .arg(&dir)
        .output()
        .expect("python runs");
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("0001-GetFolder-request.xml"), "{stderr}");
    assert!(stderr.contains("FolderShape"), "{stderr}");
}

//! What the service benchmark reads from outside the service: the process's CPU time and
//! memory (Linux `/proc/PID/stat` and `/proc/PID/status`), the admin endpoint's `/status`, and
//! the emulator's request counters (`/_emulator/requests`).
//!
//! Invariant: nothing here touches the service's state; every read is cheap and can be taken
//! while it runs.

use std::collections::BTreeMap;

use serde_json::Value;

/// CPU seconds (user + system) the process `pid` has used so far.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // The command name may hold spaces: the fields worth reading follow its closing ')'.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 =
        fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
    ticks / clock_ticks_per_second()
}

fn clock_ticks_per_second() -> f64 {
    let output = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok());
    output
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}

/// A memory figure of `/proc/PID/status` (`VmRSS`, `VmHWM`) in MiB.
pub fn memory_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The admin endpoint's `/status` as JSON.
pub async fn status(http: &reqwest::Client, admin: &str) -> Value {
    http.get(format!("{admin}/status"))
        .send()
        .await
        .expect("GET /status")
        .json()
        .await
        .expect("/status is JSON")
}

/// What `/status` tells about the initial sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Mailboxes with a successful pass.
    pub succeeded: usize,
    /// Items written on either side so far.
    pub written: u64,
    /// Kind passes without a failure.
    pub passes_ok: u64,
    /// Failed kind passes.
    pub passes_failed: u64,
    /// Throttled answers seen by the service.
    pub throttles: u64,
}

/// Reads [`Progress`] out of a `/status` answer.
pub fn progress(status: &Value) -> Progress {
    let number = |key: &str| status[key].as_u64().unwrap_or_default();
    Progress {
        succeeded: status["mailboxes"].as_array().map_or(0, |m| {
            m.iter().filter(|m| !m["last_success"].is_null()).count()
        }),
        written: status["items_written"]
            .as_array()
            .map_or(0, |w| w.iter().filter_map(|w| w["count"].as_u64()).sum()),
        passes_ok: number("passes_ok"),
        passes_failed: number("passes_failed"),
        throttles: number("throttles"),
    }
}

/// The emulator's request counters: total and per (protocol, operation).
pub async fn emulator_requests(http: &reqwest::Client, base: &str) -> (u64, BTreeMap<String, u64>) {
    let answer: Value = http
        .get(format!("{base}/_emulator/requests"))
        .send()
        .await
        .expect("GET /_emulator/requests")
        .json()
        .await
        .expect("JSON");
    let mut by_operation = BTreeMap::new();
    for row in answer["requests"].as_array().into_iter().flatten() {
        let key = format!(
            "{} {}",
            row["protocol"].as_str().unwrap_or("?"),
            row["operation"].as_str().unwrap_or("?")
        );
        *by_operation.entry(key).or_default() += row["count"].as_u64().unwrap_or_default();
    }
    (answer["total"].as_u64().unwrap_or_default(), by_operation)
}

/// The emulator's base URL (scheme, host and port) from its Graph URL.
pub fn emulator_base(graph_url: &str) -> String {
    graph_url.trim_end_matches("/v1.0").to_owned()
}

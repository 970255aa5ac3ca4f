//! Small builders for the scenarios: mailboxes, snapshots, links and a fixed clock.
//!
//! Invariant: everything here is deterministic, so a failing scenario fails the same way on
//! every run and every backend.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use exsync_model::ItemKind;
use exsync_store::{BaseSnapshot, LinkUpsert};

pub const ALICE: &str = "alice@example.com";
pub const BOB: &str = "bob@example.com";

/// A fixed instant to count lease and retry times from.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 14, 9, 0, 0)
        .single()
        .expect("a valid instant")
}

/// `t0()` plus `seconds`.
pub fn at(seconds: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(seconds)
}

/// A small appointment snapshot whose content depends on `version`.
pub fn snapshot(subject: &str, version: u32) -> BaseSnapshot {
    BaseSnapshot::from_serialize(&serde_json::json!({
        "subject": subject,
        "start": "2025-03-14T09:00:00",
        "end": "2025-03-14T10:00:00",
        "time_zone": "W. Europe Standard Time",
        "version": version,
    }))
    .expect("serialisable")
}

/// An appointment link of `ALICE` with an Exchange id and a base.
pub fn appointment(business_id: &str, exchange_id: &str) -> LinkUpsert {
    LinkUpsert::new(ALICE, ItemKind::Appointment, business_id)
        .exchange(exchange_id, Some(format!("ck-{exchange_id}")))
        .base(snapshot(business_id, 1))
}

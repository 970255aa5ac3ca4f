//! The cancellation phase: one occurrence of the weekly business series cancelled in Outlook
//! (a Graph `DELETE` of the occurrence's id, as Outlook does it) in each of `count` mailboxes
//! at a steady rate, and the delay until the business database holds the cancellation (the
//! row of `exsync_appointment_exceptions` with `cancelled`). Graph's delta feed reports no
//! entry for a cancelled occurrence; the service sees it through the series masters' change
//! keys its probes list.
//!
//! Invariant: every change is registered with its send time before its write starts, and
//! counts as arrived at the end of the first business read that shows it (an upper bound, as
//! in `propagation`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Duration as Days;
use exsync_graph::client::{GraphClient, GraphRequest};
use exsync_graph::delta::{escape_path, escape_query, user_path};
use exsync_model::When;
use reqwest::Method;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::observers::SubjectReader;
use crate::propagation::{Change, Ledger};
use crate::setup::{BUSINESS_SINGLES, business_appointment, business_subject, login, mailbox};

/// Writes in flight at most.
const WRITERS: usize = 16;
/// Which occurrence of the series is cancelled (0 = the first).
const NTH: i64 = 2;

/// One occurrence to cancel.
#[derive(Debug, Clone)]
pub struct Target {
    /// The mailbox (user index).
    pub user: usize,
    /// The occurrence's Graph id.
    pub occurrence: String,
    /// The business series' id and the occurrence's original start as the business
    /// database writes it.
    pub key: (String, String),
}

/// The occurrences to cancel: the third one of the series in `count` mailboxes spread over
/// all of them, found before the phase starts (their reads are not part of any delay).
pub async fn targets(
    client: &Arc<GraphClient>,
    ids: &BTreeMap<String, String>,
    mailboxes: usize,
    count: usize,
) -> Vec<Target> {
    let count = count.min(mailboxes);
    let mut found = Vec::with_capacity(count);
    for k in 0..count {
        let user = k * mailboxes / count.max(1);
        let series = business_appointment(user, BUSINESS_SINGLES);
        let When::Timed { start, .. } = &series.when else {
            panic!("the series is timed");
        };
        let original = start.local + Days::weeks(NTH);
        let master = &ids[&business_subject(user, BUSINESS_SINGLES)];
        let from = (original - Days::days(1)).and_utc().to_rfc3339();
        let to = (original + Days::days(1)).and_utc().to_rfc3339();
        let url = format!(
            "{}/events/{}/instances?startDateTime={}&endDateTime={}&$select=id",
            user_path(&mailbox(user)),
            escape_path(master),
            escape_query(&from),
            escape_query(&to)
        );
        let answer = client
            .send(&mailbox(user), &GraphRequest::get(url, "instances"))
            .await
            .expect("instances listed");
        let occurrence = answer.body["value"][0]["id"]
            .as_str()
            .expect("the occurrence")
            .to_owned();
        let key = (
            format!("{}-a{BUSINESS_SINGLES}", login(user)),
            original.format("%Y-%m-%dT%H:%M:%S").to_string(),
        );
        found.push(Target {
            user,
            occurrence,
            key,
        });
    }
    found
}

/// Cancels every target at `rate` per second; change `seq` is `targets[seq]`.
pub async fn cancel(
    client: Arc<GraphClient>,
    targets: Arc<Vec<Target>>,
    rate: f64,
    ledger: Ledger,
) {
    let gate = Arc::new(Semaphore::new(WRITERS));
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let mut writes = JoinSet::new();
    for seq in 0..targets.len() {
        ticks.tick().await;
        let permit = gate.clone().acquire_owned().await.expect("gate");
        let target = targets[seq].clone();
        let sent = Instant::now();
        ledger.lock().expect("ledger").push(Change {
            user: target.user,
            item: BUSINESS_SINGLES,
            sent,
            write_time: None,
            arrived: None,
            failed: false,
        });
        let (client, ledger) = (client.clone(), ledger.clone());
        writes.spawn(async move {
            let url = format!(
                "{}/events/{}",
                user_path(&mailbox(target.user)),
                escape_path(&target.occurrence)
            );
            let request = GraphRequest::new(Method::DELETE, url, "cancel an occurrence");
            let written = client.send(&mailbox(target.user), &request).await;
            let mut changes = ledger.lock().expect("ledger");
            changes[seq].write_time = Some(sent.elapsed());
            changes[seq].failed = written.is_err();
            drop(permit);
        });
    }
    while writes.join_next().await.is_some() {}
}

/// Observes the business database every `every` until `done` says so.
pub async fn observe(
    reader: SubjectReader,
    targets: Arc<Vec<Target>>,
    ledger: Ledger,
    every: Duration,
    done: impl Fn() -> bool,
) {
    let index: BTreeMap<&(String, String), usize> = targets
        .iter()
        .enumerate()
        .map(|(seq, t)| (&t.key, seq))
        .collect();
    while !done() {
        let round = Instant::now();
        let cancelled = reader.cancelled_occurrences().await;
        let seen = Instant::now();
        {
            let mut changes = ledger.lock().expect("ledger");
            for key in &cancelled {
                if let Some(change) = index.get(key).and_then(|seq| changes.get_mut(*seq)) {
                    change.arrived.get_or_insert(seen);
                }
            }
        }
        tokio::time::sleep(every.saturating_sub(round.elapsed())).await;
    }
}

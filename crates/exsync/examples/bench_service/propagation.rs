//! The writers of the propagation benchmark, both directions at once: each puts a unique
//! marker into an item's subject at a steady rate (business: `upsert_appointment` as the
//! business application; Exchange: a Graph PATCH as Outlook would); `observers` watches for
//! the markers on the other side.
//!
//! Invariants: change `seq` of a direction carries the marker `#b{seq}` (business ->
//! Exchange) or `#x{seq}` (Exchange -> business) and is registered with its send time before
//! its write starts, so the delay runs from before the write to the observation that first
//! shows it (an upper bound, late by at most one observation round). The changes come in
//! rounds: every mailbox once per round, in an order shuffled anew per round and direction,
//! so a change's moment is not tied to the mailbox's probe or pass rhythm (a fixed order
//! made the Exchange changes fall just before a probe and flattered the delays). A round
//! changes another item of each mailbox than the round before, so a marker is not
//! overwritten before it could arrive.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use exsync_business::{BusinessDb, Origin};
use exsync_graph::client::{GraphClient, GraphRequest};
use exsync_graph::delta::{escape_path, user_path};
use exsync_model::BusinessId;
use reqwest::Method;
use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::setup::{
    BUSINESS_SINGLES, EXCHANGE_ITEMS, business_appointment, business_subject, exchange_subject,
    login, mailbox,
};

/// Writes in flight per side at most.
const WRITERS: usize = 16;
/// Exchange reads in flight at most per observation round.
const READERS: usize = 16;

/// One change and what became of it.
#[derive(Debug, Clone, Copy)]
pub struct Change {
    /// The mailbox (user index) it went to.
    pub user: usize,
    /// The item of that mailbox.
    pub item: usize,
    /// Just before the write started.
    pub sent: Instant,
    /// How long the write took.
    pub write_time: Option<Duration>,
    /// When the observer first saw it on the other side.
    pub arrived: Option<Instant>,
    /// The write itself failed (not counted as a delay).
    pub failed: bool,
}

/// The changes of one direction, indexed by their sequence number.
pub type Ledger = Arc<Mutex<Vec<Change>>>;

/// The Graph ids of every mailbox's items by subject, read once after the initial sync.
pub async fn graph_ids(client: &Arc<GraphClient>, mailboxes: usize) -> BTreeMap<String, String> {
    let mut reads = JoinSet::new();
    let gate = Arc::new(Semaphore::new(READERS));
    for i in 0..mailboxes {
        let (client, gate) = (client.clone(), gate.clone());
        reads.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("gate");
            let url = format!("{}/events?$select=subject&$top=100", user_path(&mailbox(i)));
            let answer = client
                .send(&mailbox(i), &GraphRequest::get(url, "list"))
                .await
                .expect("events listed");
            let rows = answer.body["value"].as_array().cloned().unwrap_or_default();
            rows.into_iter()
                .filter_map(|e| {
                    Some((
                        e["subject"].as_str()?.to_owned(),
                        e["id"].as_str()?.to_owned(),
                    ))
                })
                .collect::<Vec<_>>()
        });
    }
    let mut ids = BTreeMap::new();
    while let Some(rows) = reads.join_next().await {
        ids.extend(rows.expect("list task"));
    }
    ids
}

/// Business -> Exchange: `count` subject changes at `rate` per second.
pub async fn write_business(
    business: BusinessDb,
    mailboxes: usize,
    rate: f64,
    count: usize,
    ledger: Ledger,
) {
    let gate = Arc::new(Semaphore::new(WRITERS));
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let mut writes = JoinSet::new();
    let mut order = Vec::new();
    for seq in 0..count {
        ticks.tick().await;
        let permit = gate.clone().acquire_owned().await.expect("gate");
        let round = seq / mailboxes;
        if seq % mailboxes == 0 {
            order = shuffled(mailboxes, round as u64 * 2);
        }
        let (user, item) = (order[seq % mailboxes], round % BUSINESS_SINGLES);
        let mut appointment = business_appointment(user, item);
        appointment.subject = format!("{} #b{seq}", business_subject(user, item));
        let sent = register(&ledger, user, item);
        let (business, ledger) = (business.clone(), ledger.clone());
        writes.spawn(async move {
            let id = BusinessId::from(format!("{}-a{item}", login(user)));
            let written = business
                .upsert_appointment(&login(user), &id, &appointment, Origin::Business)
                .await;
            settle_write(&ledger, seq, sent, written.is_ok());
            drop(permit);
        });
    }
    while writes.join_next().await.is_some() {}
}

/// Exchange -> business: `count` subject PATCHes at `rate` per second.
pub async fn write_exchange(
    client: Arc<GraphClient>,
    ids: Arc<BTreeMap<String, String>>,
    mailboxes: usize,
    rate: f64,
    count: usize,
    ledger: Ledger,
) {
    let gate = Arc::new(Semaphore::new(WRITERS));
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let mut writes = JoinSet::new();
    let mut order = Vec::new();
    for seq in 0..count {
        ticks.tick().await;
        let permit = gate.clone().acquire_owned().await.expect("gate");
        let round = seq / mailboxes;
        if seq % mailboxes == 0 {
            order = shuffled(mailboxes, round as u64 * 2 + 1);
        }
        let (user, item) = (order[seq % mailboxes], round % EXCHANGE_ITEMS);
        let id = ids
            .get(&exchange_subject(user, item))
            .expect("every Exchange item was listed")
            .clone();
        let subject = format!("{} #x{seq}", exchange_subject(user, item));
        let sent = register(&ledger, user, item);
        let (client, ledger) = (client.clone(), ledger.clone());
        writes.spawn(async move {
            let url = format!("{}/events/{}", user_path(&mailbox(user)), escape_path(&id));
            let request =
                GraphRequest::new(Method::PATCH, url, "patch").json(json!({"subject": subject}));
            let written = client.send(&mailbox(user), &request).await;
            settle_write(&ledger, seq, sent, written.is_ok());
            drop(permit);
        });
    }
    while writes.join_next().await.is_some() {}
}

/// `0..n` in an order shuffled by `seed` (Fisher-Yates over SplitMix64: reproducible runs).
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut state = seed.wrapping_add(0x5eed);
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, (next() % (i as u64 + 1)) as usize);
    }
    order
}

fn register(ledger: &Ledger, user: usize, item: usize) -> Instant {
    let sent = Instant::now();
    ledger.lock().expect("ledger").push(Change {
        user,
        item,
        sent,
        write_time: None,
        arrived: None,
        failed: false,
    });
    sent
}

fn settle_write(ledger: &Ledger, seq: usize, sent: Instant, ok: bool) {
    let mut changes = ledger.lock().expect("ledger");
    changes[seq].write_time = Some(sent.elapsed());
    changes[seq].failed = !ok;
}

//! The client's `$batch` against the emulator's real batch model (four inner requests at once,
//! each holding one of the mailbox's four slots): its lanes keep within the slots (no 429), and
//! when someone else holds slots, the inner 429s (fractional `Retry-After`) are sent again
//! after their wait and nothing is written twice.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use exsync_emulator::{Emulator, EmulatorHandle};
use exsync_graph::auth::{Credential, TokenProvider};
use exsync_graph::client::{GraphClient, GraphRequest, GraphTokens};
use reqwest::Method;
use secrecy::SecretString;
use serde_json::json;

async fn emulator() -> EmulatorHandle {
    Emulator::start("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator starts")
}

fn client(emu: &EmulatorHandle) -> GraphClient {
    let provider = TokenProvider::new(
        emu.token_url(),
        emu.client_id(),
        Credential::Secret(SecretString::from(emu.client_secret())),
    );
    GraphClient::new(
        emu.graph_url(),
        Arc::new(GraphTokens::new(Arc::new(provider))),
    )
}

fn creates(mailbox: &str, count: usize) -> Vec<GraphRequest> {
    (0..count)
        .map(|i| {
            GraphRequest::new(
                Method::POST,
                format!("/users/{mailbox}/events"),
                "create event",
            )
            .json(json!({
                "subject": format!("item {i}"),
                "start": {"dateTime": "2027-03-01T09:00:00", "timeZone": "UTC"},
                "end": {"dateTime": "2027-03-01T10:00:00", "timeZone": "UTC"},
            }))
        })
        .collect()
}

/// Subjects of the mailbox's events and how often each is there.
async fn subjects(client: &GraphClient, mailbox: &str) -> BTreeMap<String, usize> {
    let request = GraphRequest::get(
        format!("/users/{mailbox}/events?$top=500&$select=subject"),
        "list events",
    );
    let answer = client.send(mailbox, &request).await.expect("list");
    let mut seen = BTreeMap::new();
    for event in answer.body["value"].as_array().expect("value") {
        let subject = event["subject"].as_str().expect("subject").to_owned();
        *seen.entry(subject).or_default() += 1;
    }
    seen
}

#[tokio::test]
async fn lanes_keep_within_the_mailbox_slots_and_draw_no_429() {
    let emu = emulator().await;
    emu.set_latency(Duration::from_millis(15));
    let mailbox = emu.mailboxes()[0].mail.clone();
    let client = client(&emu);
    let answers = client.batch(&mailbox, &creates(&mailbox, 90)).await;
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    let counts = client.counts();
    assert_eq!(
        counts.throttled, 0,
        "four lanes hold exactly the four slots"
    );
    assert_eq!(counts.batched_requests, 90);
    let seen = subjects(&client, &mailbox).await;
    assert_eq!(seen.len(), 90);
}

#[tokio::test]
async fn inner_429s_are_sent_again_after_their_retry_after_and_nothing_is_written_twice() {
    let emu = emulator().await;
    emu.set_latency(Duration::from_millis(40));
    let mailbox = emu.mailboxes()[0].mail.clone();
    let writer = client(&emu);
    // Another client of the same app keeps two of the mailbox's four slots busy for a while.
    let busy = AtomicBool::new(true);
    let other = client(&emu);
    let list = GraphRequest::get(format!("/users/{mailbox}/calendars"), "list calendars");
    let hog = || async {
        for _ in 0..5 {
            if busy.load(Ordering::Relaxed) {
                let _ = other.send(&mailbox, &list).await;
            }
        }
    };
    let write = async {
        // Let the other client take its slots first.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let answers = writer.batch(&mailbox, &creates(&mailbox, 60)).await;
        busy.store(false, Ordering::Relaxed);
        answers
    };
    let (answers, (), ()) = tokio::join!(write, hog(), hog());
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|a| {
            a.as_ref().expect("ok").body["id"]
                .as_str()
                .expect("id")
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 60, "one event per request");
    assert!(
        writer.counts().throttled > 0,
        "the writer met inner 429s: {:?}",
        writer.counts()
    );
    let seen = subjects(&writer, &mailbox).await;
    assert_eq!(seen.len(), 60, "{seen:?}");
    assert!(
        seen.values().all(|n| *n == 1),
        "nothing written twice: {seen:?}"
    );
}

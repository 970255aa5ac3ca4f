//! `$batch` as Graph runs it: up to four inner requests at once, each holding one of its
//! mailbox's four concurrency slots for its own latency; a second batch to the same mailbox
//! meanwhile draws inner 429s with a fractional `Retry-After`; a `dependsOn` chain runs one
//! request at a time; the latency profile knob over the control API.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Env, start};

fn gets(user: &str, count: usize, chained: bool) -> Value {
    let requests: Vec<Value> = (0..count)
        .map(|i| {
            let mut r = json!({"id": i.to_string(), "method": "GET", "url": format!("/users/{user}/events")});
            if chained && i > 0 {
                r["dependsOn"] = json!([(i - 1).to_string()]);
            }
            r
        })
        .collect();
    json!({ "requests": requests })
}

async fn post_batch(env: &Env, token: &str, body: &Value) -> Vec<Value> {
    let (status, _, answer) = env
        .graph(Method::POST, "/$batch", token, &[], Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["responses"].as_array().expect("responses").clone()
}

fn statuses(answers: &[Value]) -> Vec<u64> {
    answers
        .iter()
        .map(|a| a["status"].as_u64().expect("status"))
        .collect()
}

#[tokio::test]
async fn a_batch_runs_four_at_a_time_each_holding_a_slot_for_its_latency() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let latency = Duration::from_millis(100);
    env.emu.set_latency(latency);
    let body = gets(&user, 20, false);
    let started = Instant::now();
    let path = format!("/users/{user}/events");
    let probe = async {
        // While the batch runs, all four of the mailbox's slots are taken by its requests.
        tokio::time::sleep(Duration::from_millis(30)).await;
        env.graph(Method::GET, &path, &token, &[], None).await
    };
    let (answers, (probe_status, probe_headers, _)) =
        tokio::join!(post_batch(&env, &token, &body), probe);
    let elapsed = started.elapsed();
    assert_eq!(
        statuses(&answers),
        vec![200; 20],
        "the batch keeps within its slots"
    );
    assert!(
        elapsed >= latency * 5,
        "20 requests four at a time take five latencies at least: {elapsed:?}"
    );
    assert_eq!(probe_status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        probe_headers["retry-after"], "1",
        "a direct request: whole seconds"
    );
}

#[tokio::test]
async fn a_second_batch_to_the_mailbox_draws_inner_429s_with_fractional_retry_after() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    env.emu.set_latency(Duration::from_millis(300));
    let body = gets(&user, 4, false);
    let (first, second) = tokio::join!(post_batch(&env, &token, &body), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        post_batch(&env, &token, &body).await
    });
    assert_eq!(statuses(&first), vec![200; 4]);
    assert_eq!(statuses(&second), vec![429; 4], "the four slots were taken");
    for answer in &second {
        assert_eq!(answer["body"]["error"]["code"], "ApplicationThrottled");
        let retry = answer["headers"]["retry-after"]
            .as_str()
            .expect("retry-after");
        let seconds: f64 = retry.parse().expect("a number of seconds");
        assert!(retry.contains('.'), "fractional: {retry}");
        assert!(
            seconds > 0.0 && seconds <= 0.3,
            "until the first slot frees: {retry}"
        );
    }
}

#[tokio::test]
async fn a_depends_on_chain_holds_one_slot_at_a_time() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let latency = Duration::from_millis(60);
    env.emu.set_latency(latency);
    let chain = gets(&user, 5, true);
    let path = format!("/users/{user}/events");
    let started = Instant::now();
    // A chain beside three direct requests: 1 + 3 slots, nobody is refused.
    let direct = async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let (a, b, c) = tokio::join!(
                env.graph(Method::GET, &path, &token, &[], None),
                env.graph(Method::GET, &path, &token, &[], None),
                env.graph(Method::GET, &path, &token, &[], None),
            );
            statuses.extend([a.0, b.0, c.0]);
        }
        statuses
    };
    let (answers, direct) = tokio::join!(post_batch(&env, &token, &chain), direct);
    assert!(started.elapsed() >= latency * 5, "a chain runs in order");
    assert_eq!(statuses(&answers), vec![200; 5]);
    assert!(direct.iter().all(|s| *s == StatusCode::OK), "{direct:?}");
}

#[tokio::test]
async fn the_latency_profile_knob_is_checked_and_set_over_the_control_api() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let bad = json!({"median_ms": 120, "p99_ms": 60});
    assert_eq!(
        env.control(Method::PUT, "/latency-profile", Some(bad))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let profile = json!({"median_ms": 40, "p99_ms": 200, "seed": 3});
    assert_eq!(
        env.control(Method::PUT, "/latency-profile", Some(profile))
            .await
            .0,
        StatusCode::OK
    );
    let started = Instant::now();
    let answers = post_batch(&env, &token, &gets(&user, 8, false)).await;
    assert_eq!(statuses(&answers), vec![200; 8]);
    assert!(
        started.elapsed() >= Duration::from_millis(5),
        "requests take time"
    );
    let off = json!({"median_ms": 0});
    assert_eq!(
        env.control(Method::PUT, "/latency-profile", Some(off))
            .await
            .0,
        StatusCode::OK
    );
}

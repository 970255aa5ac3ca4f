//! Per-app, per-mailbox limits: 4 concurrent requests, a request budget, `throttle_now`; every
//! 429 is `ApplicationThrottled` with `Retry-After`.

use std::time::Duration;

use reqwest::{Method, StatusCode};

use crate::common::{error_code, start};

#[tokio::test]
async fn the_fifth_concurrent_request_to_a_mailbox_is_throttled() {
    let env = start().await;
    let token = env.token().await;
    let (user, other) = (env.mailbox(0), env.mailbox(1));
    env.emu.set_latency(Duration::from_millis(1500));
    let path = format!("/users/{user}/events");
    let other_path = format!("/users/{other}/events");
    let calls = (0..5).map(|_| env.graph(Method::GET, &path, &token, &[], None));
    let (results, (other_status, _, _)) = tokio::join!(
        futures_join_all(calls.collect()),
        env.graph(Method::GET, &other_path, &token, &[], None)
    );
    assert_eq!(other_status, StatusCode::OK);
    let throttled: Vec<_> = results
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(throttled.len(), 1, "{results:?}");
    assert_eq!(
        results
            .iter()
            .filter(|(s, _, _)| *s == StatusCode::OK)
            .count(),
        4
    );
    let (_, headers, body) = throttled[0];
    assert_eq!(error_code(body), "ApplicationThrottled");
    assert_eq!(
        body["error"]["message"],
        "Application is over its MailboxConcurrency limit."
    );
    let retry: u64 = headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry >= 1);
    // The slots are free again.
    env.emu.set_latency(Duration::ZERO);
    let (status, _, _) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK);
}

/// Runs futures concurrently on this task (no extra dependency).
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut outputs: Vec<Option<F::Output>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if outputs[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => outputs[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[tokio::test]
async fn the_request_budget_runs_out_per_mailbox() {
    let env = start().await;
    let token = env.token().await;
    let (user, other) = (env.mailbox(0), env.mailbox(1));
    env.emu.set_request_budget(3);
    let path = format!("/users/{user}/events");
    for _ in 0..3 {
        let (status, _, _) = env.graph(Method::GET, &path, &token, &[], None).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, headers, body) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(error_code(&body), "ApplicationThrottled");
    let retry: u64 = headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=600).contains(&retry), "{retry}");
    let other_path = format!("/users/{other}/events");
    let (status, _, _) = env.graph(Method::GET, &other_path, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn throttle_now_blocks_one_mailbox_for_the_given_seconds() {
    let env = start().await;
    let token = env.token().await;
    let (user, other) = (env.mailbox(0), env.mailbox(1));
    assert!(env.emu.throttle_now(&user, 30));
    assert!(!env.emu.throttle_now("nobody@contoso.example", 30));
    let path = format!("/users/{user}/events");
    let (status, headers, body) = env.graph(Method::GET, &path, &token, &[], None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(error_code(&body), "ApplicationThrottled");
    assert_eq!(headers["retry-after"], "30");
    assert!(headers.contains_key("request-id"));
    let other_path = format!("/users/{other}/events");
    let (status, _, _) = env.graph(Method::GET, &other_path, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    // Without a valid token nothing is counted: the answer is 401, not 429.
    let (status, _, _) = env.graph(Method::GET, &path, "nope", &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

//! Subscription limits and losses, and a tenant with EWS switched off: at most 20 pull
//! subscriptions per mailbox (the 21st `ErrorExceededSubscriptionCount`, or `ErrorServerBusy`
//! by the knob), a server restart that drops every subscription (`ErrorSubscriptionNotFound`),
//! and HTTP 403 for every request of a tenant whose EWS is off — through the Rust knobs, the
//! control API and a seed file.

use reqwest::StatusCode;

use crate::common::{Env, envelope};
use crate::subscriptions::{ITEM_EVENTS, folder, get_events, subscribe, unsubscribe};

async fn subscribe_calendar(env: &Env, mailbox: &str) -> (Vec<String>, String, String) {
    let answer = env
        .ews(
            mailbox,
            &subscribe(&folder("calendar"), ITEM_EVENTS, None, "10"),
        )
        .await;
    let codes = answer.codes();
    let id = answer.first("SubscriptionId").unwrap_or_default();
    let mark = answer.first("Watermark").unwrap_or_default();
    (codes, id, mark)
}

/// Twenty subscriptions per mailbox; the 21st is refused; an unsubscribed or expired one
/// frees its place; another mailbox has its own twenty.
pub async fn subscription_limit(env: &Env) {
    let me = env.mailbox(1);
    let mut ids = Vec::new();
    for _ in 0..20 {
        let (codes, id, _) = subscribe_calendar(env, &me).await;
        assert_eq!(codes, ["NoError"]);
        ids.push(id);
    }
    let (codes, id, _) = subscribe_calendar(env, &me).await;
    assert_eq!(codes, ["ErrorExceededSubscriptionCount"]);
    assert!(id.is_empty());
    env.emu.set_ews_subscription_limit_answers_server_busy(true);
    let (codes, _, _) = subscribe_calendar(env, &me).await;
    assert_eq!(codes, ["ErrorServerBusy"]);
    env.emu
        .set_ews_subscription_limit_answers_server_busy(false);
    let (codes, _, _) = subscribe_calendar(env, &env.mailbox(2)).await;
    assert_eq!(codes, ["NoError"], "another mailbox has its own limit");
    let answer = env.ews(&me, &unsubscribe(&ids.remove(0))).await;
    assert_eq!(answer.codes(), ["NoError"]);
    let (codes, id, _) = subscribe_calendar(env, &me).await;
    assert_eq!(codes, ["NoError"], "an unsubscribed place is free again");
    ids.push(id);
    // Expired subscriptions hold no place.
    env.emu.advance_ews_clock(chrono::Duration::minutes(11));
    let (codes, _, _) = subscribe_calendar(env, &me).await;
    assert_eq!(codes, ["NoError"]);
    env.emu.drop_ews_subscriptions();
}

/// A server restart drops every subscription of every mailbox at once (Rust knob and control
/// API); the client subscribes anew.
pub async fn restart_drops_subscriptions(env: &Env) {
    let (a, b) = (env.mailbox(0), env.mailbox(2));
    let (_, sub_a, mark_a) = subscribe_calendar(env, &a).await;
    let (_, sub_b, mark_b) = subscribe_calendar(env, &b).await;
    env.emu.drop_ews_subscriptions();
    for (mailbox, sub, mark) in [(&a, &sub_a, &mark_a), (&b, &sub_b, &mark_b)] {
        let answer = env.ews(mailbox, &get_events(sub, mark)).await;
        assert_eq!(answer.codes(), ["ErrorSubscriptionNotFound"]);
    }
    let (codes, sub, mark) = subscribe_calendar(env, &a).await;
    assert_eq!(codes, ["NoError"]);
    let answer = env.ews(&a, &get_events(&sub, &mark)).await;
    assert_eq!(answer.codes(), ["NoError"]);
    let control = env
        .http
        .post(format!(
            "{}/_emulator/drop-subscriptions",
            env.emu.base_url()
        ))
        .send()
        .await
        .expect("control");
    assert_eq!(control.status(), StatusCode::OK);
    let answer = env.ews(&a, &get_events(&sub, &mark)).await;
    assert_eq!(answer.codes(), ["ErrorSubscriptionNotFound"]);
}

const GET_CALENDAR: &str = "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape>\
    </m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id=\"calendar\"/></m:FolderIds>\
    </m:GetFolder>";

/// A tenant with EWS switched off answers 403 with no body to every authenticated request;
/// wrong credentials are still 401; another tenant is served; switched on again, served.
pub async fn ews_switched_off(env: &Env) {
    let me = env.mailbox(0);
    let url = env.emu.ews_url();
    let auth = env.basic();
    let tenant = env.emu.tenant_id();
    env.emu
        .set_ews_enabled("contoso.example", false)
        .expect("tenant");
    let refused = env
        .post(&url, Some(&auth), envelope(Some(&me), GET_CALENDAR))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text.is_empty(), "{}", refused.text);
    let wrong = env
        .post(
            &url,
            Some("Basic d3Jvbmc6d3Jvbmc="),
            envelope(Some(&me), GET_CALENDAR),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(env.emu.set_ews_enabled("nowhere.example", false).is_err());
    env.emu.set_ews_enabled(&tenant, true).expect("tenant");
    let served = env
        .post(&url, Some(&auth), envelope(Some(&me), GET_CALENDAR))
        .await;
    assert_eq!(served.status, StatusCode::OK);
    // The control API switches it too.
    let control = |enabled: bool, tenant: String| {
        env.http
            .put(format!("{}/_emulator/ews-enabled", env.emu.base_url()))
            .json(&serde_json::json!({"tenant": tenant, "enabled": enabled}))
            .send()
    };
    let answer = control(false, tenant.clone()).await.expect("control");
    assert_eq!(answer.status(), StatusCode::OK);
    let refused = env
        .post(&url, Some(&auth), envelope(Some(&me), GET_CALENDAR))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let answer = control(true, "nowhere.example".into())
        .await
        .expect("control");
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let answer = control(true, tenant).await.expect("control");
    assert_eq!(answer.status(), StatusCode::OK);
}

/// The control route `PUT /_emulator/ews` sets the limits.
pub async fn limits_through_the_control_api(env: &Env) {
    let me = env.mailbox(0);
    let put = |body: serde_json::Value| {
        env.http
            .put(format!("{}/_emulator/ews", env.emu.base_url()))
            .json(&body)
            .send()
    };
    let answer = put(serde_json::json!({"max_subscriptions": 1}))
        .await
        .expect("control");
    assert_eq!(answer.status(), StatusCode::OK);
    let (codes, _, _) = subscribe_calendar(env, &me).await;
    assert_eq!(codes, ["NoError"]);
    let (codes, _, _) = subscribe_calendar(env, &me).await;
    assert_eq!(codes, ["ErrorExceededSubscriptionCount"]);
    let answer = put(serde_json::json!({"max_subscriptions": 20, "bogus": 1}))
        .await
        .expect("control");
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let answer = put(serde_json::json!({
        "max_subscriptions": 20, "max_concurrency": 27, "max_sync_calls": 5,
        "get_events_is_sync_call": true, "subscription_limit_server_busy": false,
        "expired_subscription_answers_once": false, "latency_ms": 0
    }))
    .await
    .expect("control");
    assert_eq!(answer.status(), StatusCode::OK);
    let (codes, _, _) = subscribe_calendar(env, &me).await;
    assert_eq!(codes, ["NoError"]);
    env.emu.drop_ews_subscriptions();
}

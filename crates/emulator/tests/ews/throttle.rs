//! EWS throttling as Exchange Online answers it: `EWSMaxConcurrency` (27 requests of one
//! caller in flight, then the fault `ErrorExceededConnectionCount`) and `ConcurrentSyncCalls`
//! (5 sync calls of one mailbox in flight, then `ErrorServerBusy` with `BackOffMilliseconds`
//! in an HTTP 200 answer). Requests are held in flight with the EWS latency knob (or a request
//! whose body never comes) and released by lowering it; the test waits for the emulator's own
//! in-flight counts, never for a time.

use std::io::Write as _;
use std::net::TcpStream;
use std::time::Duration;

use reqwest::StatusCode;
use tokio::task::JoinHandle;

use crate::common::{Answer, Env, envelope};
use crate::subscriptions::{ITEM_EVENTS, folder, get_events, subscribe};

const GET_CALENDAR: &str = "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape>\
    </m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id=\"calendar\"/></m:FolderIds>\
    </m:GetFolder>";

const SYNC_CALENDAR: &str = "<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>\
    </m:ItemShape><m:SyncFolderId><t:DistinguishedFolderId Id=\"calendar\"/></m:SyncFolderId>\
    <m:MaxChangesReturned>10</m:MaxChangesReturned></m:SyncFolderItems>";

/// Sends `body` in `mailbox` on a task of its own.
fn spawn(env: &Env, mailbox: &str, body: &str) -> JoinHandle<Answer> {
    let (http, url, auth) = (env.http.clone(), env.emu.ews_url(), env.basic());
    let body = envelope(Some(mailbox), body);
    tokio::spawn(async move {
        let response = http
            .post(url)
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("Authorization", auth)
            .body(body)
            .send()
            .await
            .expect("EWS request");
        let status = response.status();
        Answer {
            status,
            text: response.text().await.expect("body"),
        }
    })
}

/// Waits until `count()` reaches `n` (the emulator's own bookkeeping; bounded, no timing).
async fn until(n: usize, count: impl Fn() -> usize) {
    for _ in 0..1000 {
        if count() == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never reached {n} in flight (now {})", count());
}

fn assert_connection_count_fault(answer: &Answer, limit: usize) {
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        answer
            .text
            .contains("a:ErrorExceededConnectionCount</faultcode>"),
        "{}",
        answer.text
    );
    assert!(
        answer
            .text
            .contains("You have exceeded the available concurrent connections for your account.")
    );
    assert!(
        answer
            .text
            .contains("<t:Value Name=\"Policy\">MaxConcurrency</t:Value>")
    );
    assert!(
        answer
            .text
            .contains(&format!("policy value &apos;{limit}&apos;"))
            || answer.text.contains(&format!("policy value '{limit}'")),
        "{}",
        answer.text
    );
}

/// The 28th concurrent request of one account is refused; the 27 held ones are served.
pub async fn connection_limit(env: &Env) {
    let me = env.mailbox(0);
    env.emu.set_ews_latency(Duration::from_secs(600));
    let held: Vec<_> = (0..27).map(|_| spawn(env, &me, GET_CALENDAR)).collect();
    until(27, || env.emu.ews_requests_in_flight()).await;
    let refused = spawn(env, &me, GET_CALENDAR).await.expect("task");
    assert_connection_count_fault(&refused, 27);
    env.emu.set_ews_latency(Duration::ZERO);
    for task in held {
        let answer = task.await.expect("task");
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        assert_eq!(answer.codes(), ["NoError"]);
    }
    until(0, || env.emu.ews_requests_in_flight()).await;
}

/// A request held open (its body not yet sent) occupies the caller's only slot.
pub async fn held_connection(env: &Env) {
    let me = env.mailbox(0);
    let url = env.emu.ews_url();
    let auth = env.basic();
    env.emu.set_ews_max_concurrency(1);
    // Headers only: the request stays in flight until the connection closes.
    let mut held = TcpStream::connect(env.emu.addr()).expect("connect");
    let head = format!(
        "POST /EWS/Exchange.asmx HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\n\
         Content-Type: text/xml\r\nContent-Length: 100000\r\n\r\n<soap:Envelope",
        env.emu.addr()
    );
    held.write_all(head.as_bytes()).expect("write");
    until(1, || env.emu.ews_requests_in_flight()).await;
    let refused = env
        .post(&url, Some(&auth), envelope(Some(&me), GET_CALENDAR))
        .await;
    assert_connection_count_fault(&refused, 1);
    // Closing the held connection frees the slot.
    drop(held);
    until(0, || env.emu.ews_requests_in_flight()).await;
    let answer = env
        .post(&url, Some(&auth), envelope(Some(&me), GET_CALENDAR))
        .await;
    env.emu.set_ews_max_concurrency(27);
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

fn assert_sync_busy(answer: &Answer, operation: &str) {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(
        answer.text.contains(&format!(
            "<m:{operation}ResponseMessage ResponseClass=\"Error\">"
        )),
        "{}",
        answer.text
    );
    assert_eq!(answer.codes(), ["ErrorServerBusy"]);
    assert!(
        answer
            .text
            .contains("<t:Value Name=\"BackOffMilliseconds\">5000</t:Value>")
    );
    assert!(
        answer
            .text
            .contains("<t:Value Name=\"Policy\">ConcurrentSyncCalls</t:Value>")
    );
}

/// Five sync calls of one mailbox in flight: the sixth SyncFolderItems and a GetEvents are
/// answered `ErrorServerBusy`; another mailbox and other operations are not limited; with the
/// knob GetEvents is no sync call.
pub async fn sync_call_limit(env: &Env) {
    let me = env.mailbox(0);
    let my_id = env.emu.mailboxes()[0].id.clone();
    let other = env.mailbox(1);
    let other_id = env.emu.mailboxes()[1].id.clone();
    let answer = env
        .ews(
            &me,
            &subscribe(&folder("calendar"), ITEM_EVENTS, None, "10"),
        )
        .await;
    let sub = answer.first("SubscriptionId").expect("id");
    let mark = answer.first("Watermark").expect("watermark");

    env.emu.set_ews_latency(Duration::from_secs(600));
    let mut held: Vec<_> = (0..5).map(|_| spawn(env, &me, SYNC_CALENDAR)).collect();
    until(5, || env.emu.ews_sync_calls_in_flight(&my_id)).await;
    let busy = spawn(env, &me, SYNC_CALENDAR).await.expect("task");
    assert_sync_busy(&busy, "SyncFolderItems");
    let busy = spawn(env, &me, &get_events(&sub, &mark))
        .await
        .expect("task");
    assert_sync_busy(&busy, "GetEvents");
    // Not sync calls, or another mailbox: held like the others, not refused.
    held.push(spawn(env, &me, GET_CALENDAR));
    held.push(spawn(env, &other, SYNC_CALENDAR));
    until(1, || env.emu.ews_sync_calls_in_flight(&other_id)).await;
    env.emu.set_ews_get_events_is_sync_call(false);
    held.push(spawn(env, &me, &get_events(&sub, &mark)));
    until(8, || env.emu.ews_requests_in_flight()).await;
    assert_eq!(env.emu.ews_sync_calls_in_flight(&my_id), 5);
    env.emu.set_ews_latency(Duration::ZERO);
    for task in held {
        let answer = task.await.expect("task");
        assert_eq!(answer.codes(), ["NoError"], "{}", answer.text);
    }
    env.emu.set_ews_get_events_is_sync_call(true);
    until(0, || env.emu.ews_sync_calls_in_flight(&my_id)).await;
    // Free again.
    let answer = env.ews(&me, SYNC_CALENDAR).await;
    assert_eq!(answer.codes(), ["NoError"], "{}", answer.text);
}

//! EWSMaxConcurrency: a request held open (its body not yet sent) occupies the caller's only
//! slot, so the next one is answered `ErrorServerBusy` with `BackOffMilliseconds`.

use std::io::Write as _;
use std::net::TcpStream;
use std::time::Duration;

use reqwest::StatusCode;

use crate::common::{Env, envelope};

const GET_CALENDAR: &str = "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape>\
    </m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id=\"calendar\"/></m:FolderIds>\
    </m:GetFolder>";

pub async fn server_busy(env: &Env) {
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
    let mut busy = None;
    for _ in 0..200 {
        let answer = env
            .post(&url, Some(&auth), envelope(Some(&me), GET_CALENDAR))
            .await;
        if answer.status == StatusCode::INTERNAL_SERVER_ERROR {
            busy = Some(answer);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let busy = busy.expect("a second request is refused while the first is in flight");
    assert!(
        busy.text.contains("a:ErrorServerBusy</faultcode>"),
        "{}",
        busy.text
    );
    assert!(
        busy.text
            .contains("<t:Value Name=\"BackOffMilliseconds\">5000</t:Value>")
    );
    // Closing the held connection frees the slot.
    drop(held);
    let mut freed = false;
    for _ in 0..200 {
        let answer = env
            .post(&url, Some(&auth), envelope(Some(&me), GET_CALENDAR))
            .await;
        if answer.status == StatusCode::OK {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    env.emu.set_ews_max_concurrency(27);
    assert!(freed, "the slot was not freed");
}

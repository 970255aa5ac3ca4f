//! Helpers for the EWS tests: start an emulator, send SOAP requests, read answers.

use std::net::SocketAddr;

use base64::Engine as _;
use exsync_emulator::{Emulator, EmulatorHandle, Mailbox, Organisation};
use reqwest::{Client, StatusCode};
use serde_json::Value;

pub const M: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
pub const T: &str = "http://schemas.microsoft.com/exchange/services/2006/types";

pub struct Env {
    pub emu: EmulatorHandle,
    pub http: Client,
}

/// The sample organisation plus a second tenant (`fabrikam.example`) whose mailbox the
/// sample's service account has no rights on.
pub async fn start() -> Env {
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let mut org = Organisation::sample();
    let mut other = Organisation::sample().tenants.remove(0);
    other.domain = "fabrikam.example".to_owned();
    other.mailboxes = vec![Mailbox::new(FOREIGN, "Nestor Wilke")];
    other.ews_account.username = "svc-exsync@fabrikam.example".to_owned();
    org.tenants.push(other);
    Env {
        emu: Emulator::start_with(addr, org)
            .await
            .expect("emulator starts"),
        http: Client::new(),
    }
}

/// A mailbox of the second tenant.
pub const FOREIGN: &str = "nestor.wilke@fabrikam.example";

/// A SOAP 1.1 envelope with `RequestServerVersion` and, if given, impersonation.
pub fn envelope(impersonate: Option<&str>, body: &str) -> String {
    let imp = impersonate
        .map(|a| {
            format!(
                "<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>{a}\
                 </t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>"
            )
        })
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:m=\"{M}\" xmlns:t=\"{T}\"><soap:Header>\
         <t:RequestServerVersion Version=\"Exchange2016\"/>{imp}</soap:Header>\
         <soap:Body>{body}</soap:Body></soap:Envelope>"
    )
}

pub struct Answer {
    pub status: StatusCode,
    pub text: String,
}

impl Answer {
    /// The text of the first element with this local name.
    pub fn first(&self, name: &str) -> Option<String> {
        self.all(name).into_iter().next()
    }

    /// The texts of all elements with this local name (prefix `t:`, `m:` or none).
    pub fn all(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        for prefix in ["t:", "m:", ""] {
            let open = format!("<{prefix}{name}>");
            let close = format!("</{prefix}{name}>");
            let mut rest = self.text.as_str();
            while let Some(i) = rest.find(&open) {
                let after = &rest[i + open.len()..];
                let Some(j) = after.find(&close) else { break };
                out.push(after[..j].to_owned());
                rest = &after[j..];
            }
        }
        out
    }

    /// Values of an attribute on elements with this qualified name, e.g. `("t:ItemId", "Id")`.
    pub fn attrs(&self, element: &str, attr: &str) -> Vec<String> {
        let mut out = Vec::new();
        let open = format!("<{element} ");
        let mut rest = self.text.as_str();
        while let Some(i) = rest.find(&open) {
            let tag = &rest[i..];
            let end = tag.find('>').unwrap_or(tag.len());
            let tag = &tag[..end];
            let key = format!(" {attr}=\"");
            if let Some(k) = tag.find(&key) {
                let v = &tag[k + key.len()..];
                out.push(v[..v.find('"').unwrap_or(v.len())].to_owned());
            }
            rest = &rest[i + open.len()..];
        }
        out
    }

    pub fn codes(&self) -> Vec<String> {
        self.all("ResponseCode")
    }
}

impl Env {
    pub fn mailbox(&self, n: usize) -> String {
        self.emu.mailboxes()[n].mail.clone()
    }

    pub fn basic(&self) -> String {
        let d = self.emu.describe();
        let raw = format!("{}:{}", d.ews_username, d.ews_password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }

    pub async fn post(&self, url: &str, auth: Option<&str>, body: String) -> Answer {
        let mut request = self
            .http
            .post(url)
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(body);
        if let Some(a) = auth {
            request = request.header("Authorization", a);
        }
        let response = request.send().await.expect("EWS request");
        let status = response.status();
        Answer {
            status,
            text: response.text().await.expect("body"),
        }
    }

    /// An operation in `mailbox` (impersonated by the service account).
    pub async fn ews(&self, mailbox: &str, body: &str) -> Answer {
        let auth = self.basic();
        let answer = self
            .post(
                &self.emu.ews_url(),
                Some(&auth),
                envelope(Some(mailbox), body),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer
    }

    /// Creates a calendar item from `fields` (children of t:CalendarItem, schema order).
    pub async fn create(&self, mailbox: &str, fields: &str) -> (String, String) {
        let body = format!(
            "<m:CreateItem SendMeetingInvitations=\"SendToNone\"><m:SavedItemFolderId>\
             <t:DistinguishedFolderId Id=\"calendar\"/></m:SavedItemFolderId><m:Items>\
             <t:CalendarItem>{fields}</t:CalendarItem></m:Items></m:CreateItem>"
        );
        let answer = self.ews(mailbox, &body).await;
        assert_eq!(answer.codes(), ["NoError"], "{}", answer.text);
        let id = answer.attrs("t:ItemId", "Id").remove(0);
        let key = answer.attrs("t:ItemId", "ChangeKey").remove(0);
        (id, key)
    }

    /// GetItem with AllProperties.
    pub async fn get(&self, mailbox: &str, id: &str) -> Answer {
        self.ews(
            mailbox,
            &format!(
                "<m:GetItem><m:ItemShape><t:BaseShape>AllProperties</t:BaseShape></m:ItemShape>\
                 <m:ItemIds><t:ItemId Id=\"{id}\"/></m:ItemIds></m:GetItem>"
            ),
        )
        .await
    }

    /// A token from the emulator's token endpoint for `scope`.
    pub async fn token(&self, scope: &str) -> String {
        let (client, secret) = (self.emu.client_id(), self.emu.client_secret());
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client.as_str()),
            ("client_secret", secret.as_str()),
            ("scope", scope),
        ];
        let response = self
            .http
            .post(self.emu.token_url())
            .form(&form)
            .send()
            .await;
        let body: Value = response.expect("token").json().await.expect("json");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// A Graph GET (path relative to `/v1.0`) or POST with a JSON body.
    pub async fn graph(&self, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let token = self.token("https://graph.microsoft.com/.default").await;
        let url = format!("{}{path}", self.emu.graph_url());
        let request = match body {
            Some(b) => self.http.post(url).json(&b),
            None => self.http.get(url),
        };
        let response = request.bearer_auth(token).send().await.expect("graph");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

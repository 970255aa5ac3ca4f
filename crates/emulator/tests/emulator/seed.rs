//! Seed files: the example seed (JSON and TOML alike) serves its tenants, apps, certificates
//! and items — a series with moved, changed and cancelled occurrences, tasks and contacts —
//! through Graph and EWS; a bad seed is refused with the item and field and the fix named, and
//! never with a value from the file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use exsync_emulator::{Emulator, Organisation, Seed, SeedError};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::common::GRAPH_SCOPE;

fn example(extension: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("seeds/example.{extension}"))
}

fn write(dir: &Path, seed: &Value) -> PathBuf {
    let path = dir.join("seed.json");
    std::fs::write(&path, seed.to_string()).expect("writes");
    path
}

fn minimal() -> Value {
    json!({"tenants": [{
        "domain": "tailspin.example",
        "ews_account": {"username": "svc@tailspin.example", "password": "pw-12345"},
        "apps": [{"name": "a", "permissions": ["Calendars.Read"],
                  "secrets": [{"value": "hunter2-secret", "expires": "2099-01-01T00:00:00Z"}]}],
        "mailboxes": [{"user_principal_name": "kim@tailspin.example", "display_name": "Kim"}]
    }]})
}

/// A weekly series starting Monday 2 March 2026, 10:00 UTC.
fn weekly(recurrence: Value, exceptions: Value) -> Value {
    json!({"subject": "s", "start": "2026-03-02T10:00:00", "end": "2026-03-02T10:30:00",
           "recurrence": recurrence, "exceptions": exceptions})
}

fn field_error(result: Result<Seed, SeedError>) -> (String, String) {
    match result {
        Err(SeedError::Field { field, fix }) => (field, fix),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_example_json_seed_serves_its_organisation_and_items() {
    check_example("json").await;
}

#[tokio::test]
async fn the_example_toml_seed_serves_the_same() {
    check_example("toml").await;
}

async fn check_example(extension: &str) {
    let seed = Seed::from_file(&example(extension)).expect("the example seed loads");
    let shown = format!("{seed:?}");
    assert!(
        !shown.contains("example-secret-not-secret") && !shown.contains("example-ews-password")
    );
    let tenant = &seed.organisation.tenants[0];
    assert_eq!(
        tenant.apps[0].certificates.len(),
        1,
        "certificate read from its PEM files"
    );
    assert_eq!(
        tenant.apps[1].mailbox_scope.as_ref().map(|s| s.len()),
        Some(1)
    );
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let emu = Emulator::start_with(addr, seed.organisation.clone())
        .await
        .expect("starts");
    assert_eq!(
        emu.load_seed_items(&seed),
        7,
        "3 events, 2 tasks, 2 contacts"
    );
    let described = emu.describe();
    assert_eq!(described.tenant_id, "6f1c2a51-7d0e-4a8b-9c3d-0e1f2a3b4c5d");
    assert_eq!(
        described.mailboxes,
        [
            "lee.gu@fabrikam.example",
            "nestor.wilke@fabrikam.example",
            "pradeep@fabrikam.example"
        ]
    );

    let http = Client::new();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", described.client_id.as_str()),
        ("client_secret", "example-secret-not-secret"),
        ("scope", GRAPH_SCOPE),
    ];
    let answer: Value = http
        .post(&described.token_url)
        .form(&form)
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let token = answer["access_token"]
        .as_str()
        .expect("the seeded secret works");
    let old = [
        form[0],
        form[1],
        ("client_secret", "example-old-secret"),
        form[3],
    ];
    let refused = http
        .post(&described.token_url)
        .form(&old)
        .send()
        .await
        .expect("token");
    assert_eq!(
        refused.status(),
        StatusCode::UNAUTHORIZED,
        "the seeded expiry holds"
    );

    let url = format!(
        "{}/users/lee.gu@fabrikam.example/events",
        described.graph_url
    );
    let events: Value = http
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .expect("events")
        .json()
        .await
        .expect("json");
    let subjects: Vec<&str> = events["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|e| e["subject"].as_str())
        .collect();
    assert_eq!(
        subjects,
        ["Quarterly review", "Company holiday", "Weekly team sync"]
    );
    assert_eq!(events["value"][0]["originalStartTimeZone"], "Europe/Berlin");
    let series = events["value"][2]["id"].as_str().expect("series id");
    let graph = Graph {
        http: &http,
        base: &described.graph_url,
        token,
    };
    check_series(&graph, series).await;
    check_tasks_and_contacts(&graph).await;
    let ews = Ews {
        http: &http,
        url: &described.ews_url,
        user: &described.ews_username,
    };
    check_through_ews(&ews).await;
    emu.stop().await;
}

struct Graph<'a> {
    http: &'a Client,
    base: &'a str,
    token: &'a str,
}

impl Graph<'_> {
    async fn get(&self, path: &str) -> Value {
        let url = format!("{}/users/lee.gu@fabrikam.example{path}", self.base);
        let response = self.http.get(&url).bearer_auth(self.token).send().await;
        let response = response.expect("graph");
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        response.json().await.expect("json")
    }
}

fn texts<'a>(body: &'a Value, key: &str) -> Vec<&'a str> {
    body["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|v| v[key].as_str())
        .collect()
}

/// Weekly on Monday 10:00 Berlin from 2 March, 6 times: the 9th moved to the 10th, the 16th
/// renamed, the 23rd cancelled.
async fn check_series(graph: &Graph<'_>, series: &str) {
    let instances = graph
        .get(&format!(
            "/events/{series}/instances?startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-04-30T00:00:00Z"
        ))
        .await;
    assert_eq!(
        texts(&instances, "subject"),
        [
            "Weekly team sync",
            "Team sync (moved)",
            "Team sync with guests",
            "Weekly team sync",
            "Weekly team sync"
        ]
    );
    assert_eq!(
        texts(&instances, "type"),
        [
            "occurrence",
            "exception",
            "exception",
            "occurrence",
            "occurrence"
        ]
    );
    assert_eq!(
        instances["value"][1]["start"]["dateTime"],
        "2026-03-10T13:00:00.0000000"
    );
}

async fn check_tasks_and_contacts(graph: &Graph<'_>) {
    let lists = graph.get("/todo/lists").await;
    assert_eq!(texts(&lists, "displayName"), ["Tasks", "Office"]);
    let ids = texts(&lists, "id");
    let tasks = graph.get(&format!("/todo/lists/{}/tasks", ids[0])).await;
    assert_eq!(texts(&tasks, "title"), ["Prepare quarterly review"]);
    assert_eq!(tasks["value"][0]["status"], "inProgress");
    assert_eq!(
        tasks["value"][0]["dueDateTime"]["dateTime"],
        "2026-03-01T00:00:00.0000000"
    );
    let office = graph.get(&format!("/todo/lists/{}/tasks", ids[1])).await;
    assert_eq!(texts(&office, "title"), ["Order printer paper"]);
    let folders = graph.get("/contactFolders").await;
    assert_eq!(texts(&folders, "displayName"), ["Suppliers"]);
    let root = folders["value"][0]["parentFolderId"]
        .as_str()
        .expect("root");
    let contacts = graph.get(&format!("/contactFolders/{root}/contacts")).await;
    assert_eq!(texts(&contacts, "displayName"), ["Pavel Bansky"]);
    assert_eq!(
        contacts["value"][0]["emailAddresses"][0]["address"],
        "pavel@contoso.example"
    );
    let suppliers = folders["value"][0]["id"].as_str().expect("id");
    let named = graph
        .get(&format!("/contactFolders/{suppliers}/contacts"))
        .await;
    assert_eq!(texts(&named, "displayName"), ["Tailspin Toys hotline"]);
}

struct Ews<'a> {
    http: &'a Client,
    url: &'a str,
    user: &'a str,
}

impl Ews<'_> {
    async fn call(&self, body: &str) -> String {
        let envelope = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope \
             xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
             xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" \
             xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><soap:Header>\
             <t:RequestServerVersion Version=\"Exchange2016\"/><t:ExchangeImpersonation>\
             <t:ConnectingSID><t:PrimarySmtpAddress>lee.gu@fabrikam.example</t:PrimarySmtpAddress>\
             </t:ConnectingSID></t:ExchangeImpersonation></soap:Header><soap:Body>{body}\
             </soap:Body></soap:Envelope>"
        );
        let response = self
            .http
            .post(self.url)
            .basic_auth(self.user, Some("example-ews-password-not-secret"))
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(envelope)
            .send()
            .await
            .expect("ews");
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.expect("body")
    }
}

/// The texts of `<t:{name}>` elements.
fn elements(xml: &str, name: &str) -> Vec<String> {
    let (open, close) = (format!("<t:{name}>"), format!("</t:{name}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(text, _)| text.to_owned()))
        .collect()
}

async fn check_through_ews(ews: &Ews<'_>) {
    let view = ews
        .call(
            "<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>Default</t:BaseShape>\
             </m:ItemShape><m:CalendarView StartDate=\"2026-03-01T00:00:00Z\" \
             EndDate=\"2026-04-30T00:00:00Z\"/><m:ParentFolderIds>\
             <t:DistinguishedFolderId Id=\"calendar\"/></m:ParentFolderIds></m:FindItem>",
        )
        .await;
    assert_eq!(
        elements(&view, "Subject"),
        [
            "Quarterly review",
            "Weekly team sync",
            "Team sync (moved)",
            "Team sync with guests",
            "Weekly team sync",
            "Weekly team sync"
        ],
        "{view}"
    );
    let find = |folder: &str| {
        format!(
            "<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>AllProperties\
             </t:BaseShape></m:ItemShape><m:ParentFolderIds><t:DistinguishedFolderId \
             Id=\"{folder}\"/></m:ParentFolderIds></m:FindItem>"
        )
    };
    let tasks = ews.call(&find("tasks")).await;
    assert_eq!(elements(&tasks, "Subject"), ["Prepare quarterly review"]);
    assert_eq!(elements(&tasks, "Status"), ["InProgress"]);
    assert_eq!(elements(&tasks, "Importance"), ["High"]);
    let contacts = ews.call(&find("contacts")).await;
    assert_eq!(elements(&contacts, "DisplayName"), ["Pavel Bansky"]);
    assert_eq!(elements(&contacts, "CompanyName"), ["Contoso"]);
}

#[test]
fn bad_fields_are_named_with_the_fix() {
    let dir = std::env::temp_dir().join(format!("exsync-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "/tenants/0/apps/0/secrets/0/expires",
            json!("next year"),
            "tenants[0].apps[0].secrets[0].expires",
        ),
        (
            "/tenants/0/apps/0/secrets",
            json!([]),
            "tenants[0].apps[0].secrets",
        ),
        (
            "/tenants/0/apps/0/mailbox_scope",
            json!(["x@y.example"]),
            "tenants[0].apps[0].mailbox_scope[0]",
        ),
        (
            "/tenants/0/mailboxes/0/events",
            json!([{"subject": "s", "start": "2026-01-01T09:00:00",
            "end": "2026-01-01T10:00:00", "time_zone": "Mars/Olympus"}]),
            "tenants[0].mailboxes[0].events[0].time_zone",
        ),
        (
            "/tenants/0/mailboxes/0/user_principal_name",
            json!("kim"),
            "tenants[0].mailboxes[0].user_principal_name",
        ),
        (
            "/tenants/0/mailboxes/0/events",
            json!([weekly(
                json!({"pattern": "fortnightly", "days": ["monday"]}),
                json!([])
            )]),
            "tenants[0].mailboxes[0].events[0].recurrence.pattern",
        ),
        (
            "/tenants/0/mailboxes/0/events",
            json!([weekly(
                json!({"pattern": "weekly", "days": ["funday"]}),
                json!([])
            )]),
            "tenants[0].mailboxes[0].events[0].recurrence.days[0]",
        ),
        (
            "/tenants/0/mailboxes/0/events",
            json!([weekly(
                json!({"pattern": "weekly", "days": ["monday"], "count": 3}),
                json!([{"original_start": "2026-03-03T10:00:00", "subject": "x"}])
            )]),
            "tenants[0].mailboxes[0].events[0].exceptions[0].original_start",
        ),
        (
            "/tenants/0/mailboxes/0/tasks",
            json!([{"title": "t"}, {"title": "u", "status": "done"}]),
            "tenants[0].mailboxes[0].tasks[1].status",
        ),
        (
            "/tenants/0/mailboxes/0/contacts",
            json!([{"given_name": "Kim", "emails": ["not-an-address"]}]),
            "tenants[0].mailboxes[0].contacts[0].emails[0]",
        ),
        (
            "/tenants/0/mailboxes/0/contacts",
            json!([{"company_name": "Contoso"}]),
            "tenants[0].mailboxes[0].contacts[0]",
        ),
    ];
    for (pointer, value, expected) in cases {
        let mut seed = minimal();
        let (parent, key) = pointer.rsplit_once('/').expect("pointer");
        seed.pointer_mut(parent).expect("parent")[key] = value;
        let (field, fix) = field_error(Seed::from_file(&write(&dir, &seed)));
        assert_eq!(field, expected, "{fix}");
        assert!(!fix.is_empty());
    }
    let mut seed = minimal();
    seed["tenants"][0]["apps"][0]["secrets"] = json!("hunter2-secret");
    let error = Seed::from_file(&write(&dir, &seed)).expect_err("not a list");
    let shown = format!("{error} {error:?}");
    assert!(matches!(error, SeedError::Syntax { .. }), "{shown}");
    assert!(
        !shown.contains("hunter2"),
        "values from the file are left out: {shown}"
    );
    let toml = dir.join("seed.toml");
    std::fs::write(
        &toml,
        "[[tenants]]\ndomain = \"hunter2.example\"\nbogus = 1\n",
    )
    .expect("write");
    let error = Seed::from_file(&toml).expect_err("unknown field");
    let shown = format!("{error} {error:?}");
    assert!(matches!(error, SeedError::Syntax { .. }), "{shown}");
    assert!(shown.contains("line 3"), "{shown}");
    assert!(
        !shown.contains("hunter2"),
        "values from the file are left out: {shown}"
    );
    assert!(Organisation::from_seed_file(&dir.join("missing.json")).is_err());
    let org = Organisation::from_seed_file(&write(&dir, &minimal())).expect("minimal seed loads");
    assert_eq!(org.tenants[0].mailboxes[0].mail, "kim@tailspin.example");
    std::fs::remove_dir_all(&dir).expect("cleans up");
}

/// `ews_enabled = false` in a seed switches EWS off for that tenant: its service account is
/// answered 403 (Exchange Online since October 2026); left out, EWS is on.
#[tokio::test]
async fn a_seed_can_switch_ews_off_for_a_tenant() {
    let dir = std::env::temp_dir().join(format!("exsync-seed-ews-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut seed = minimal();
    let on = Seed::from_file(&write(&dir, &seed)).expect("seed");
    assert!(on.organisation.tenants[0].ews_enabled);
    seed["tenants"][0]["ews_enabled"] = json!(false);
    let off = Seed::from_file(&write(&dir, &seed)).expect("seed");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!off.organisation.tenants[0].ews_enabled);
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let emu = Emulator::start_with(addr, off.organisation.clone())
        .await
        .expect("starts");
    let body = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\
        <soap:Body><GetFolder/></soap:Body></soap:Envelope>";
    let answer = Client::new()
        .post(emu.ews_url())
        .basic_auth("svc@tailspin.example", Some("pw-12345"))
        .header("Content-Type", "text/xml")
        .body(body)
        .send()
        .await
        .expect("EWS");
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    emu.stop().await;
}

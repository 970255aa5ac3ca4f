//! `exchange.mailbox_addressing` as an administrator sets it, in real processes against an
//! emulator process reached as Exchange Online: with `"user_name"` the business user's login
//! is the mailbox's user principal name, whatever mailbox address is stored; with
//! `"mailbox_address"` (the default) the stored address is used.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// A mailbox whose user principal name differs from its address, as in many tenants.
const SEED: &str = r#"{"tenants": [{
  "domain": "fabrikam.example",
  "ews_account": {"username": "svc@fabrikam.example", "password": "addressing-test-password"},
  "apps": [{"name": "exsync",
            "secrets": [{"value": "addressing-test-secret", "expires": "2099-12-31T00:00:00Z"}],
            "permissions": ["Calendars.ReadWrite", "Tasks.ReadWrite.All", "Contacts.ReadWrite"]}],
  "mailboxes": [{"user_principal_name": "eva.k@fabrikam.example",
                 "mail": "eva@fabrikam.example", "display_name": "Eva K"}]
}]}"#;

const MEETING: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n\
BEGIN:VEVENT\r\nUID:addr-1\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Supplier meeting\r\n\
DTSTART;TZID=Europe/Berlin:20270112T100000\r\nDTEND;TZID=Europe/Berlin:20270112T110000\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

/// Kills the emulator when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `exsync ARGS` in `dir`, with `env` and no setting from the test's own environment.
fn exsync(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_exsync"));
    for (name, _) in std::env::vars() {
        if name.starts_with("EXSYNC_") {
            command.env_remove(name);
        }
    }
    command
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("exsync runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}\n--- stderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn field<'a>(described: &'a serde_json::Value, key: &str) -> &'a str {
    described[key].as_str().unwrap_or_else(|| panic!("{key}"))
}

/// One HTTP/1.1 request to `addr` with `Connection: close`; the body.
fn http(addr: &str, head: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("emulator answers");
    write!(
        stream,
        "{head}\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default()
}

/// The subjects of the events in the mailbox with address `mail`, as Graph lists them.
fn subjects(described: &serde_json::Value, mail: &str) -> Vec<String> {
    let token_url = field(described, "token_url");
    let (addr, path) = token_url
        .trim_start_matches("http://")
        .split_once('/')
        .expect("a path");
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
        field(described, "client_id"),
        field(described, "client_secret"),
    );
    let head = format!("POST /{path} HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded");
    let token: serde_json::Value = serde_json::from_str(&http(addr, &head, &form)).expect("JSON");
    let head = format!(
        "GET /v1.0/users/{mail}/events HTTP/1.1\r\nAuthorization: Bearer {}",
        token["access_token"].as_str().expect("token")
    );
    let page: serde_json::Value = serde_json::from_str(&http(addr, &head, "")).expect("JSON");
    page["value"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["subject"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn user_name_addresses_the_mailbox_by_the_login_as_user_principal_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let seed = dir.path().join("seed.json");
    std::fs::write(&seed, SEED).expect("seed written");
    let mut child = Command::new(env!("CARGO_BIN_EXE_exsync"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed"])
        .arg(&seed)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the emulator starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("its JSON line");
    let _emulator = Running(child);
    let described: serde_json::Value = serde_json::from_str(&line).expect("JSON");

    // The login is the user principal name; the stored address is an old one.
    let url = format!("sqlite://{}", dir.path().join("business.db").display());
    let business = |args: &[&str]| {
        let output = exsync(
            dir.path(),
            &[],
            &[&["business", "--database", &url][..], args].concat(),
        );
        assert!(output.status.success(), "{args:?}: {}", text(&output));
    };
    business(&["init"]);
    business(&[
        "user",
        "add",
        "eva.k@fabrikam.example",
        "--mailbox",
        "eva@old-name.example",
    ]);
    std::fs::write(dir.path().join("meeting.ics"), MEETING).expect("written");
    business(&[
        "import-ics",
        "--user",
        "eva.k@fabrikam.example",
        "meeting.ics",
    ]);
    let tenant = field(&described, "tenant_id");
    let authority = field(&described, "token_url")
        .strip_suffix(&format!("/{tenant}/oauth2/v2.0/token"))
        .expect("authority/tenant/oauth2/v2.0/token");
    let config = format!(
        "[database]\nurl = \"{url}\"\nstate_url = \"sqlite://{}\"\n\
         [exchange]\nkind = \"online\"\nmailbox_addressing = \"user_name\"\n\
         [exchange.online]\ntenant_id = \"{tenant}\"\nclient_id = \"{}\"\n\
         client_secret = \"{}\"\nauthority = \"{authority}\"\ngraph_url = \"{}\"\n",
        dir.path().join("state.db").display(),
        field(&described, "client_id"),
        field(&described, "client_secret"),
        field(&described, "graph_url"),
    );
    std::fs::write(dir.path().join("exsync.toml"), config).expect("config written");
    let sync = ["--config", "exsync.toml", "sync", "--once"];

    // By the stored address (overriding the file): that mailbox does not exist.
    let by_address = exsync(
        dir.path(),
        &[("EXSYNC_EXCHANGE_MAILBOX_ADDRESSING", "mailbox_address")],
        &sync,
    );
    assert!(!by_address.status.success(), "{}", text(&by_address));
    assert!(
        text(&by_address).contains("eva@old-name.example"),
        "{}",
        text(&by_address)
    );
    assert!(subjects(&described, "eva@fabrikam.example").is_empty());

    // By the user name, as the file says: the login finds the mailbox.
    let by_name = exsync(dir.path(), &[], &sync);
    assert!(by_name.status.success(), "{}", text(&by_name));
    let row = String::from_utf8_lossy(&by_name.stdout)
        .lines()
        .find(|l| l.starts_with("eva.k@fabrikam.example") && l.contains("appointment"))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("the appointment row: {}", text(&by_name)));
    assert!(row.contains("Exchange +1"), "{row}");
    assert_eq!(
        subjects(&described, "eva@fabrikam.example"),
        ["Supplier meeting"]
    );
    let again = exsync(dir.path(), &[], &sync);
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("Exchange +0 ~0 -0"),
        "{}",
        text(&again)
    );
}

//! An emulator process reached as Exchange Online (`exchange.kind = "online"`, a state store
//! in a file), and a plain Graph client on it that plays the user in Outlook.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};

use super::{Running, business};

/// The emulator process, eva's business database and `exsync.toml` in the test directory.
pub struct Online {
    /// The user in Outlook.
    pub outlook: Outlook,
    _emulator: Running,
}

impl Online {
    /// Starts the emulator and writes `exsync.toml` (admin endpoint on `admin_listen`) into `dir`.
    pub fn start(dir: &Path, admin_listen: &str) -> Online {
        let mut emulator = Command::new(env!("CARGO_BIN_EXE_exsync"))
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the emulator starts");
        let mut line = String::new();
        BufReader::new(emulator.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("its JSON line");
        let emulator = Running(emulator);
        let described: serde_json::Value = serde_json::from_str(&line).expect("JSON");
        let outlook = Outlook::new(&described);
        let url = business(dir, &outlook.mailbox);
        let state = format!("sqlite://{}", dir.join("state.db").display());
        let config = format!(
            "[database]\nurl = \"{url}\"\nstate_url = \"{state}\"\n\n[exchange]\nkind = \"online\"\n\n\
             [exchange.online]\ntenant_id = \"{}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\
             authority = \"http://{}\"\ngraph_url = \"{}\"\n\n[service]\npoll_interval = 1\n\n\
             [admin]\nlisten = \"{admin_listen}\"\n",
            described["tenant_id"].as_str().expect("tenant"),
            described["client_id"].as_str().expect("client"),
            described["client_secret"].as_str().expect("secret"),
            outlook.addr,
            described["graph_url"].as_str().expect("graph"),
        );
        std::fs::write(dir.join("exsync.toml"), config).expect("written");
        Online {
            outlook,
            _emulator: emulator,
        }
    }
}

/// One HTTP/1.1 exchange with the emulator; the response body.
fn http(addr: &str, request_head: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("emulator answers");
    write!(
        stream,
        "{request_head}\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
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

/// Outlook's view of the emulator process: a token, creating and counting events.
pub struct Outlook {
    pub addr: String,
    token: String,
    pub mailbox: String,
}

impl Outlook {
    pub fn new(described: &serde_json::Value) -> Outlook {
        let token_url = described["token_url"].as_str().expect("token url");
        let rest = token_url.trim_start_matches("http://");
        let (addr, path) = rest.split_once('/').expect("a path");
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
            described["client_id"].as_str().expect("id"),
            described["client_secret"].as_str().expect("secret"),
        );
        let head =
            format!("POST /{path} HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded");
        let answer: serde_json::Value =
            serde_json::from_str(&http(addr, &head, &form)).expect("token JSON");
        Outlook {
            addr: addr.to_owned(),
            token: answer["access_token"].as_str().expect("token").to_owned(),
            mailbox: described["mailboxes"][0]
                .as_str()
                .expect("mailbox")
                .to_owned(),
        }
    }

    pub fn create_event(&self, subject: &str) {
        let body = serde_json::json!({
            "subject": subject,
            "start": {"dateTime": "2027-01-13T12:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2027-01-13T13:00:00", "timeZone": "UTC"},
        })
        .to_string();
        let head = format!(
            "POST /v1.0/users/{}/events HTTP/1.1\r\nAuthorization: Bearer {}\r\nContent-Type: application/json",
            self.mailbox, self.token
        );
        let answer = http(&self.addr, &head, &body);
        assert!(answer.contains(subject), "{answer}");
    }

    pub fn events_titled(&self, subject: &str) -> usize {
        let head = format!(
            "GET /v1.0/users/{}/events?$top=1000 HTTP/1.1\r\nAuthorization: Bearer {}",
            self.mailbox, self.token
        );
        let page: serde_json::Value =
            serde_json::from_str(&http(&self.addr, &head, "")).expect("events JSON");
        let events = page["value"].as_array().cloned().unwrap_or_default();
        events.iter().filter(|e| e["subject"] == subject).count()
    }
}

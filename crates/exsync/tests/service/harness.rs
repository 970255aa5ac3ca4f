//! Real processes for the service tests: an `exsync emulator` process standing in for
//! Exchange Online (it outlives the `exsync run` processes, as Exchange does), `exsync run`
//! processes configured against it, the business database through the `exsync business` CLI,
//! and plain HTTP to the emulator's Graph API, as Outlook would change a mailbox.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long a test waits for something that should take seconds.
pub const PATIENCE: Duration = Duration::from_secs(45);

/// Waits until `done` holds, checking every 100 ms; panics naming `what` after [`PATIENCE`].
pub fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A child process killed when the test ends, however it ends.
pub struct Process(pub Option<Child>);

impl Process {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.0.as_ref().map(Child::id).unwrap_or_default()
    }

    /// Sends `signal` (e.g. "-KILL", "-TERM") and waits for the exit; whether it exited 0.
    pub fn signal_and_wait(&mut self, signal: &str) -> (bool, Duration) {
        let mut child = self.0.take().expect("running");
        let sent = Instant::now();
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let exit = child.wait().expect("exits");
        (exit.success(), sent.elapsed())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An `exsync emulator` process.
pub struct Exchange {
    _process: Process,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its JSON description (URLs, tenant, app, mailboxes).
    pub described: Value,
    token: String,
}

impl Exchange {
    /// Starts the emulator with its sample organisation.
    pub fn start() -> Exchange {
        let mut child = Command::new(env!("CARGO_BIN_EXE_exsync"))
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .env_remove("EXSYNC_CONFIG")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the emulator starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("reads the JSON line");
        let described: Value = serde_json::from_str(&line).expect("one JSON line");
        let graph = text(&described, "graph_url");
        let base = graph.trim_end_matches("/v1.0").to_owned();
        let mut exchange = Exchange {
            _process: Process(Some(child)),
            base,
            described,
            token: String::new(),
        };
        exchange.token = exchange.fetch_token();
        exchange
    }

    /// The `n`th mailbox of the sample organisation.
    pub fn mailbox(&self, n: usize) -> String {
        self.described["mailboxes"][n]
            .as_str()
            .expect("a mailbox")
            .to_owned()
    }

    fn fetch_token(&self) -> String {
        let token_url = text(&self.described, "token_url");
        let path = token_url.trim_start_matches(&self.base);
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
            text(&self.described, "client_id"),
            text(&self.described, "client_secret"),
        );
        let (status, body) = http(
            &self.base,
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            Some(&form),
        );
        assert_eq!(status, 200, "{body}");
        let answer: Value = serde_json::from_str(&body).expect("JSON");
        text(&answer, "access_token")
    }

    /// A Graph request as an app with the sample app's token; status and JSON body.
    pub fn graph(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let auth = format!("Bearer {}", self.token);
        let body = body.map(Value::to_string);
        let (status, text) = http(
            &self.base,
            method,
            &format!("/v1.0{path}"),
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            body.as_deref(),
        );
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, json)
    }

    /// The subjects of every event (single or series master) in `mailbox`.
    pub fn subjects(&self, mailbox: &str) -> Vec<String> {
        let mut subjects = Vec::new();
        let mut path = format!("/users/{mailbox}/events?$select=subject&$top=500");
        loop {
            let (status, page) = self.graph("GET", &path, None);
            assert_eq!(status, 200, "{page}");
            for event in page["value"].as_array().into_iter().flatten() {
                subjects.push(event["subject"].as_str().unwrap_or_default().to_owned());
            }
            match page["@odata.nextLink"].as_str() {
                Some(next) => {
                    path = next
                        .split_once("/v1.0")
                        .map(|(_, rest)| rest.to_owned())
                        .expect("a Graph link")
                }
                None => break,
            }
        }
        subjects.sort();
        subjects
    }

    /// The id of the event with `subject` in `mailbox`.
    pub fn event_id(&self, mailbox: &str, subject: &str) -> Option<String> {
        let (status, page) = self.graph(
            "GET",
            &format!("/users/{mailbox}/events?$select=subject&$top=500"),
            None,
        );
        assert_eq!(status, 200, "{page}");
        page["value"]
            .as_array()?
            .iter()
            .find(|e| e["subject"] == subject)
            .and_then(|e| e["id"].as_str())
            .map(str::to_owned)
    }

    /// The titles of the tasks in `mailbox`'s default To Do list.
    pub fn task_titles(&self, mailbox: &str) -> Vec<String> {
        let (status, lists) = self.graph("GET", &format!("/users/{mailbox}/todo/lists"), None);
        assert_eq!(status, 200, "{lists}");
        let Some(list) = lists["value"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|l| l["wellknownListName"] == "defaultList")
            .and_then(|l| l["id"].as_str())
        else {
            return Vec::new();
        };
        let (status, tasks) = self.graph(
            "GET",
            &format!("/users/{mailbox}/todo/lists/{list}/tasks"),
            None,
        );
        assert_eq!(status, 200, "{tasks}");
        let mut titles: Vec<String> = tasks["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["title"].as_str().map(str::to_owned))
            .collect();
        titles.sort();
        titles
    }

    /// Sets (or with `ms = 0` removes) a delay before every Graph request is served.
    pub fn set_latency(&self, ms: u64) {
        let (status, _) = http(
            &self.base,
            "PUT",
            "/_emulator/latency",
            &[("Content-Type", "application/json")],
            Some(&format!("{{\"ms\":{ms}}}")),
        );
        assert!(status < 300, "latency set");
    }
}

fn text(json: &Value, key: &str) -> String {
    json[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {json}"))
        .to_owned()
}

/// A plain HTTP/1.1 request with `Connection: close`; status and body.
pub fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, String) {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).expect("connects");
    let body = body.unwrap_or("");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("sent");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, rest) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    (status, body)
}

fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || tail.len() < size {
            break;
        }
        body.push_str(&tail[..size]);
        rest = tail[size..].trim_start_matches("\r\n");
    }
    body
}

/// The working directory of a test: the business database and the configuration.
pub struct Site {
    /// The temporary directory.
    pub dir: tempfile::TempDir,
    /// The business database's URL for the `exsync business` commands.
    pub database: String,
    /// `database.url` and `database.schema` of the service's configuration.
    pub configured: (String, Option<String>),
}

impl Site {
    /// A site whose business database (and sync state) is an SQLite file.
    pub fn sqlite() -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = format!("sqlite://{}", dir.path().join("business.db").display());
        let site = Site {
            dir,
            configured: (database.clone(), None),
            database,
        };
        site.business(&["init"]);
        site
    }

    /// A site on PostgreSQL in a fresh schema `schema`.
    pub fn postgres(server: &str, schema: &str) -> Site {
        let psql = |sql: &str| {
            let status = Command::new("psql")
                .args([server, "-qc", sql])
                .status()
                .expect("psql runs");
            assert!(status.success(), "{sql}");
        };
        psql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        psql(&format!("CREATE SCHEMA {schema}"));
        let separator = if server.contains('?') { '&' } else { '?' };
        let database = format!("{server}{separator}options=-csearch_path%3D{schema}");
        let site = Site {
            dir: tempfile::tempdir().expect("temp dir"),
            database,
            // The service finds the tables through `database.schema`, not the search path.
            configured: (server.to_owned(), Some(schema.to_owned())),
        };
        site.business(&["init"]);
        site
    }

    /// Runs `exsync business --database URL ARGS...`, asserting success; stdout.
    pub fn business(&self, args: &[&str]) -> String {
        let mut all = vec!["business", "--database", &self.database];
        all.extend_from_slice(args);
        let output = self.exsync(&all);
        assert!(
            output.status.success(),
            "{all:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs `exsync ARGS...` in the site's directory.
    pub fn exsync(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_exsync"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("EXSYNC_CONFIG")
            .output()
            .expect("exsync runs")
    }

    /// Imports one appointment (Europe/Berlin, next year) for `login`.
    pub fn add_appointment(&self, login: &str, uid: &str, subject: &str, day: u32) {
        let file = self.dir.path().join(format!("{uid}.ics"));
        std::fs::write(&file, calendar(&[(uid, subject, day)])).expect("write");
        self.business(&["import-ics", "--user", login, &file.display().to_string()]);
    }

    /// Imports `count` appointments for `login` in one file.
    pub fn add_appointments(&self, login: &str, prefix: &str, count: u32) {
        let events: Vec<(String, String, u32)> = (0..count)
            .map(|i| {
                (
                    format!("{prefix}-{i}"),
                    format!("{prefix} {i}"),
                    1 + i % 250,
                )
            })
            .collect();
        let borrowed: Vec<(&str, &str, u32)> = events
            .iter()
            .map(|(u, s, d)| (u.as_str(), s.as_str(), *d))
            .collect();
        let file = self.dir.path().join(format!("{prefix}.ics"));
        std::fs::write(&file, calendar(&borrowed)).expect("write");
        self.business(&["import-ics", "--user", login, &file.display().to_string()]);
    }

    /// Imports one task (a VTODO) for `login`.
    pub fn add_task(&self, login: &str, uid: &str, summary: &str) {
        let file = self.dir.path().join(format!("{uid}.ics"));
        let ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//exsync tests//EN\r\nBEGIN:VTODO\r\n\
             UID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:{summary}\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
        );
        std::fs::write(&file, ics).expect("write");
        self.business(&["import-ics", "--user", login, &file.display().to_string()]);
    }

    /// The SUMMARY lines of `login`'s appointments in the business database.
    pub fn business_subjects(&self, login: &str) -> Vec<String> {
        let ics = self.business(&["export-ics", "--user", login]);
        let mut subjects: Vec<String> = ics
            .lines()
            .filter_map(|l| l.trim_end().strip_prefix("SUMMARY:"))
            .map(str::to_owned)
            .collect();
        subjects.sort();
        subjects
    }

    /// Writes the configuration for `exsync run` against `exchange` and returns its path.
    pub fn config(&self, exchange: &Exchange, lease_time: u64) -> PathBuf {
        self.config_with(exchange, lease_time, "")
    }

    /// [`Site::config`] with `sync` lines added to a `[sync]` section.
    pub fn config_with(&self, exchange: &Exchange, lease_time: u64, sync: &str) -> PathBuf {
        let secret = text(&exchange.described, "client_secret");
        self.config_signing_in_with(exchange, lease_time, sync, &secret)
    }

    /// [`Site::config_with`], signing in with `client_secret` instead of the app's secret.
    pub fn config_signing_in_with(
        &self,
        exchange: &Exchange,
        lease_time: u64,
        sync: &str,
        client_secret: &str,
    ) -> PathBuf {
        let d = &exchange.described;
        let toml = format!(
            "[service]\npoll_interval = 1\nfull_pass_interval = 60\nlease_time = {lease_time}\n\
             [database]\nurl = \"{}\"\n{}\
             [exchange]\nkind = \"online\"\n[exchange.online]\ntenant_id = \"{}\"\nclient_id = \"{}\"\n\
             client_secret = \"{}\"\nauthority = \"{}\"\ngraph_url = \"{}\"\n\
             [admin]\nlisten = \"127.0.0.1:0\"\n[sync]\n{sync}",
            self.configured.0,
            self.configured
                .1
                .as_ref()
                .map(|schema| format!("schema = \"{schema}\"\n"))
                .unwrap_or_default(),
            text(d, "tenant_id"),
            text(d, "client_id"),
            client_secret,
            exchange.base,
            text(d, "graph_url"),
        );
        let path = self.dir.path().join("exsync.toml");
        std::fs::write(&path, toml).expect("write config");
        path
    }

    /// Starts `exsync run --config CONFIG`; returns it and its admin address once it serves.
    pub fn run(&self, config: &Path) -> (Process, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_exsync"))
            .args(["--config", &config.display().to_string(), "run"])
            .current_dir(self.dir.path())
            .env_remove("EXSYNC_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("exsync run starts");
        let stdout = child.stdout.take().expect("stdout");
        let (found, address) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("admin endpoint: http://")
                    && !sent
                {
                    let _ = found.send(rest.trim_end_matches("/status").to_owned());
                    sent = true;
                }
            }
        });
        let address = address
            .recv_timeout(PATIENCE)
            .expect("the service announces its admin endpoint");
        (Process(Some(child)), address)
    }
}

/// The `/status` JSON of a running service.
pub fn status(admin: &str) -> Value {
    let (code, body) = http(&format!("http://{admin}"), "GET", "/status", &[], None);
    assert_eq!(code, 200, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

/// The last error the service reports for `mailbox`, if any.
pub fn last_error(admin: &str, mailbox: &str) -> Option<String> {
    status(admin)["mailboxes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["mailbox"] == mailbox)
        .and_then(|m| m["last_error"].as_str().map(str::to_owned))
}

/// Whether the service reports a successful pass of `mailbox`.
pub fn synced(admin: &str, mailbox: &str) -> bool {
    status(admin)["mailboxes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|m| m["mailbox"] == mailbox && m["last_success"].is_string())
}

/// An iCalendar file with one VEVENT per `(uid, subject, day of 2027)`.
pub fn calendar(events: &[(&str, &str, u32)]) -> String {
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//exsync tests//EN\r\n");
    for (uid, subject, day) in events {
        let date = chrono::NaiveDate::from_yo_opt(2027, *day).expect("a day of 2027");
        let day = date.format("%Y%m%d");
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:{subject}\r\n\
             DTSTART;TZID=Europe/Berlin:{day}T100000\r\nDTEND;TZID=Europe/Berlin:{day}T110000\r\nEND:VEVENT\r\n"
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    ics
}

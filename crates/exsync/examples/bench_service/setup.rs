//! Setup of the service benchmark: the emulator's seed file (N mailboxes, each with
//! [`EXCHANGE_ITEMS`] events of its own), the business database (N users, each with
//! [`BUSINESS_SINGLES`] appointments and one weekly series), the exsync configuration file,
//! and the two child processes (emulator, `exsync run`).
//!
//! Invariants: item subjects are unique per mailbox ("Bench LOGIN aN", "Outlook LOGIN eK"), so
//! the benchmark finds every item on either side by its subject; a child process is killed
//! when its handle is dropped, so no run leaves a process behind.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use exsync_business::{BusinessDb, BusinessDbOptions, NewUser, Origin};
use exsync_model::{
    Appointment, BusinessId, Pattern, Range, Recurrence, Series, TimeZoneName, WeekdaySet,
    ZonedDateTime,
};
use serde_json::{Value, json};

/// Single appointments per user written on the business side (changed during propagation).
pub const BUSINESS_SINGLES: usize = 4;
/// Events per mailbox that exist only in Exchange at the start (changed during propagation).
pub const EXCHANGE_ITEMS: usize = 2;
/// Items each mailbox has on both sides once the initial sync is done.
pub const ITEMS_PER_MAILBOX: usize = BUSINESS_SINGLES + 1 + EXCHANGE_ITEMS;

/// The login of user `i`.
pub fn login(i: usize) -> String {
    format!("bench{i:04}")
}

/// The mailbox address of user `i`.
pub fn mailbox(i: usize) -> String {
    format!("{}@bench.example", login(i))
}

/// The subject of business appointment `n` of user `i` (before any change).
pub fn business_subject(i: usize, n: usize) -> String {
    format!("Bench {} a{n}", login(i))
}

/// The subject of Exchange event `k` of mailbox `i` (before any change).
pub fn exchange_subject(i: usize, k: usize) -> String {
    format!("Outlook {} e{k}", login(i))
}

fn first_day() -> NaiveDate {
    Utc::now().date_naive() + Duration::days(2)
}

/// Business appointment `n` of user `i`: singles on the next days, `n ==
/// BUSINESS_SINGLES` a weekly series of 10.
pub fn business_appointment(i: usize, n: usize) -> Appointment {
    let zone = TimeZoneName::new("Europe/Berlin").expect("zone");
    let day = first_day() + Duration::days((n * 3 + i % 7) as i64);
    let start = day.and_hms_opt(8 + n as u32, 0, 0).expect("time");
    let mut item = Appointment::timed(
        business_subject(i, n),
        ZonedDateTime::new(start, zone.clone()),
        ZonedDateTime::new(start + Duration::minutes(45), zone),
    );
    item.location = format!("Room {}", (i + n) % 17);
    if n == BUSINESS_SINGLES {
        item.series = Some(Series::new(Recurrence {
            pattern: Pattern::Weekly {
                interval: 1,
                days: WeekdaySet::single(day.weekday()),
                first_day_of_week: Weekday::Mon,
            },
            range: Range::Numbered { count: 10 },
            time_zone: None,
        }));
    }
    item
}

/// Writes the seed file: one tenant, the exsync app, `mailboxes` mailboxes with their events.
pub fn write_seed(dir: &Path, mailboxes: usize) -> PathBuf {
    let boxes: Vec<Value> = (0..mailboxes)
        .map(|i| {
            let events: Vec<Value> = (0..EXCHANGE_ITEMS)
                .map(|k| {
                    let day = first_day() + Duration::days((k * 2 + 1 + i % 5) as i64);
                    json!({"subject": exchange_subject(i, k),
                           "start": format!("{day}T14:00:00"), "end": format!("{day}T14:30:00"),
                           "time_zone": "Europe/Berlin"})
                })
                .collect();
            json!({"user_principal_name": mailbox(i), "display_name": login(i), "events": events})
        })
        .collect();
    let seed = json!({"tenants": [{
        "domain": "bench.example",
        "ews_account": {"username": "svc@bench.example", "password": "bench-password-not-secret"},
        "apps": [{"name": "exsync",
                  "secrets": [{"value": "bench-secret-not-secret", "expires": "2099-12-31T00:00:00Z"}],
                  "permissions": ["Calendars.ReadWrite", "Tasks.ReadWrite.All", "Contacts.ReadWrite"]}],
        "mailboxes": boxes,
    }]});
    let path = dir.join("seed.json");
    std::fs::write(&path, seed.to_string()).expect("seed written");
    path
}

/// Fills the business database: the users and their appointments.
pub async fn load_business(url: &str, schema: Option<&str>, mailboxes: usize) -> BusinessDb {
    let options = BusinessDbOptions {
        schema: schema.map(str::to_owned),
        ..BusinessDbOptions::default()
    };
    let business = BusinessDb::connect_with(url, &options)
        .await
        .expect("business database");
    business.init_schema().await.expect("business schema");
    for i in 0..mailboxes {
        business
            .add_user(&NewUser {
                login: login(i),
                display_name: login(i),
                mailbox: Some(mailbox(i)),
                enabled: true,
            })
            .await
            .expect("user");
        for n in 0..=BUSINESS_SINGLES {
            let id = BusinessId::from(format!("{}-a{n}", login(i)));
            business
                .upsert_appointment(
                    &login(i),
                    &id,
                    &business_appointment(i, n),
                    Origin::Business,
                )
                .await
                .expect("appointment");
        }
    }
    business
}

/// A child process, killed when dropped.
pub struct ChildProcess {
    /// The process.
    pub child: Child,
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `exsync` binary next to this example (target/release/exsync).
pub fn exsync_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    let binary = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/release")
        .join("exsync");
    assert!(
        binary.exists(),
        "build it first: cargo build --release -p exsync"
    );
    binary
}

/// Starts `exsync emulator` on `seed`; returns it and its JSON line.
pub fn start_emulator(seed: &Path) -> (ChildProcess, Value) {
    let mut child = Command::new(exsync_binary())
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed"])
        .arg(seed)
        .stdout(Stdio::piped())
        .spawn()
        .expect("emulator starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("JSON line");
    let line = serde_json::from_str(&line).expect("the emulator's JSON line");
    (ChildProcess { child }, line)
}

/// Writes exsync.toml: the business database, the emulator as Exchange Online, the admin
/// endpoint on a free port, logs into `dir/exsync.log`; every service setting at its default.
pub fn write_config(dir: &Path, url: &str, schema: Option<&str>, emulator: &Value) -> PathBuf {
    let text = |key: &str| emulator[key].as_str().expect(key).to_owned();
    let token_url = text("token_url");
    let tenant = text("tenant_id");
    let authority = token_url
        .split(&format!("/{tenant}/"))
        .next()
        .expect("authority")
        .to_owned();
    let schema_line = schema.map_or(String::new(), |s| format!("schema = \"{s}\"\n"));
    let config = format!(
        "[service]\ninstance_name = \"bench\"\n\n[database]\nurl = \"{url}\"\n{schema_line}\n\
         [exchange]\nkind = \"online\"\n\n[exchange.online]\ntenant_id = \"{tenant}\"\n\
         client_id = \"{}\"\nclient_secret = \"{}\"\nauthority = \"{authority}\"\n\
         graph_url = \"{}\"\n\n[logging]\nfile = \"{}\"\n\n[admin]\nlisten = \"127.0.0.1:0\"\n",
        text("client_id"),
        text("client_secret"),
        text("graph_url"),
        dir.join("exsync.log").display(),
    );
    let path = dir.join("exsync.toml");
    std::fs::write(&path, config).expect("config written");
    path
}

/// Starts `exsync run --config FILE`; returns it and the admin endpoint's base URL.
pub fn start_service(config: &Path) -> (ChildProcess, String) {
    let mut child = Command::new(exsync_binary())
        .arg("--config")
        .arg(config)
        .arg("run")
        .stdout(Stdio::piped())
        .spawn()
        .expect("exsync run starts");
    let stdout = child.stdout.take().expect("stdout");
    let (found, admin) = mpsc::channel();
    // Reads stdout to its end, so the service never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("admin endpoint: ") {
                let _ = found.send(rest.trim_end_matches("/status").to_owned());
            }
        }
    });
    let base = admin
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("exsync run prints its admin endpoint");
    (ChildProcess { child }, base)
}

/// Sends SIGTERM and waits (up to 30 s) for the service to exit.
pub fn stop(service: &ChildProcess) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &service.child.id().to_string()])
        .status();
    let pid = service.child.id();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < until
        && std::path::Path::new(&format!("/proc/{pid}/stat")).exists()
    {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if state.contains(") Z ") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Drops the benchmark's PostgreSQL schema.
pub async fn drop_schema(url: &str, schema: &str) {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("PostgreSQL");
    let sql = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&pool)
        .await
        .expect("schema dropped");
}

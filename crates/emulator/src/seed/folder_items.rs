//! Seeded tasks (into the default To Do list or a named list) and contacts (into the default
//! contacts folder or a named folder).
//!
//! Invariants: an error names the item and the field (`tenants[0].mailboxes[0].tasks[1].status`)
//! and the fix, never a value from the file; tasks and contacts become the same property maps
//! Graph writes, so they read the same through Graph and EWS.

use chrono::NaiveTime;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::items::{date, wall_clock};
use super::{SeedError, field};
use crate::store::folders::{Kind, derive_display_name};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileTask {
    title: String,
    #[serde(default)]
    list: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    importance: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    due: Option<String>,
    #[serde(default)]
    categories: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileContact {
    #[serde(default)]
    folder: Option<String>,
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    surname: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    company_name: Option<String>,
    #[serde(default)]
    job_title: Option<String>,
    #[serde(default)]
    mobile_phone: Option<String>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    business_phones: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
}

/// A seeded task or contact: its mailbox, kind, folder (`None`: the default one; a named
/// folder is created when missing) and properties.
#[derive(Debug, Clone)]
pub(crate) struct FolderItem {
    pub(crate) mailbox_id: String,
    pub(crate) kind: Kind,
    pub(crate) folder: Option<String>,
    pub(crate) fields: Map<String, Value>,
}

const STATUS: &[&str] = &[
    "notStarted",
    "inProgress",
    "completed",
    "waitingOnOthers",
    "deferred",
];
const IMPORTANCE: &[&str] = &["low", "normal", "high"];

fn graph_time(at: &str, text: &str) -> Result<Value, SeedError> {
    let local = match date(at, text) {
        Ok(day) => day.and_time(NaiveTime::MIN),
        Err(_) => wall_clock(at, text).map_err(|_| {
            field(
                at,
                "needs a date (2026-03-02) or time (2026-03-02T09:00:00, UTC)",
            )
        })?,
    };
    let text = format!("{}.0000000", local.format("%Y-%m-%dT%H:%M:%S"));
    Ok(json!({"dateTime": text, "timeZone": "UTC"}))
}

/// A task of a seed, as Graph's `todoTask` properties.
pub(super) fn task(at: &str, mailbox_id: &str, ft: FileTask) -> Result<FolderItem, SeedError> {
    let mut fields = Map::new();
    fields.insert("title".to_owned(), Value::String(ft.title));
    if let Some(status) = ft.status {
        if !STATUS.contains(&status.as_str()) {
            return Err(field(
                format!("{at}.status"),
                format!("one of {}", STATUS.join(", ")),
            ));
        }
        if status == "completed" {
            let now = chrono::Utc::now().naive_utc().format("%Y-%m-%dT%H:%M:%S");
            fields.insert(
                "completedDateTime".to_owned(),
                graph_time(at, &now.to_string())?,
            );
        }
        fields.insert("status".to_owned(), Value::String(status));
    }
    if let Some(importance) = ft.importance {
        if !IMPORTANCE.contains(&importance.as_str()) {
            return Err(field(
                format!("{at}.importance"),
                "one of low, normal, high",
            ));
        }
        fields.insert("importance".to_owned(), Value::String(importance));
    }
    if let Some(body) = ft.body {
        fields.insert(
            "body".to_owned(),
            json!({"content": body, "contentType": "text"}),
        );
    }
    if let Some(start) = ft.start {
        fields.insert(
            "startDateTime".to_owned(),
            graph_time(&format!("{at}.start"), &start)?,
        );
    }
    if let Some(due) = ft.due {
        fields.insert(
            "dueDateTime".to_owned(),
            graph_time(&format!("{at}.due"), &due)?,
        );
    }
    if !ft.categories.is_empty() {
        fields.insert("categories".to_owned(), json!(ft.categories));
    }
    if ft.list.as_deref().is_some_and(|l| l.trim().is_empty()) {
        return Err(field(
            format!("{at}.list"),
            "give the list's name or leave it out",
        ));
    }
    Ok(FolderItem {
        mailbox_id: mailbox_id.to_owned(),
        kind: Kind::TodoLists,
        folder: ft.list,
        fields,
    })
}

/// A contact of a seed, as Graph's `contact` properties.
pub(super) fn contact(
    at: &str,
    mailbox_id: &str,
    fc: FileContact,
) -> Result<FolderItem, SeedError> {
    let mut fields = Map::new();
    let mut text = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            fields.insert(key.to_owned(), Value::String(v));
        }
    };
    text("givenName", fc.given_name);
    text("surname", fc.surname);
    text("displayName", fc.display_name);
    text("companyName", fc.company_name);
    text("jobTitle", fc.job_title);
    text("mobilePhone", fc.mobile_phone);
    text("personalNotes", fc.notes);
    if fc.emails.len() > 3 {
        return Err(field(
            format!("{at}.emails"),
            "a contact has at most 3 email addresses",
        ));
    }
    for (i, e) in fc.emails.iter().enumerate() {
        if !e.contains('@') {
            return Err(field(
                format!("{at}.emails[{i}]"),
                "must be an address such as kim@contoso.example",
            ));
        }
    }
    if !fc.emails.is_empty() {
        let emails: Vec<Value> = fc
            .emails
            .iter()
            .map(|e| json!({"address": e, "name": e}))
            .collect();
        fields.insert("emailAddresses".to_owned(), Value::Array(emails));
    }
    if !fc.business_phones.is_empty() {
        fields.insert("businessPhones".to_owned(), json!(fc.business_phones));
    }
    if !fc.categories.is_empty() {
        fields.insert("categories".to_owned(), json!(fc.categories));
    }
    derive_display_name(&mut fields);
    if !fields.contains_key("displayName") {
        return Err(field(at, "give given_name, surname or display_name"));
    }
    if fc.folder.as_deref().is_some_and(|f| f.trim().is_empty()) {
        return Err(field(
            format!("{at}.folder"),
            "give the folder's name or leave it out",
        ));
    }
    Ok(FolderItem {
        mailbox_id: mailbox_id.to_owned(),
        kind: Kind::ContactFolders,
        folder: fc.folder,
        fields,
    })
}

//! Graph `todoTask` JSON <-> model [`Task`]: POST body, PATCH bodies of named fields, and
//! parsing (delta tombstones included).
//!
//! Invariant: the business id travels as a `linkedResource` with `applicationName`
//! [`TASK_LINK_APPLICATION`] (Graph v1.0 `todoTask` has no single-value extended properties);
//! times are `dateTimeTimeZone` written with the zone's Windows name and read back with the
//! zone as given.

use chrono::{DateTime, Utc};
use exsync_model::{Task, TaskStatus, ZonedDateTime};
use serde_json::{Map, Value, json};

use super::values::{
    date_time_zone, importance_name, item_body, optional_str, read_date_time_zone, read_id,
    read_importance, read_item_body, read_strings, read_timestamp, removed_reason, string_or_empty,
};
use super::{TASK_LINK_APPLICATION, WireError};

/// The POST body that creates `task` with a linked resource carrying `business_id`.
pub fn new_task(task: &Task, business_id: &str) -> Result<Value, WireError> {
    let mut body = Map::new();
    for field in [
        "subject",
        "body",
        "start",
        "due",
        "completed",
        "status",
        "importance",
        "reminder",
        "categories",
    ] {
        write_field(&mut body, task, field, false)?;
    }
    body.insert(
        "linkedResources".into(),
        json!([{
            "applicationName": TASK_LINK_APPLICATION,
            "externalId": business_id,
            "displayName": task.subject,
        }]),
    );
    Ok(Value::Object(body))
}

/// The PATCH body that sets the named model fields (names from `Task::FIELDS`) to their values
/// in `task`; a time that is `None` is written as null (cleared).
pub fn task_patch(task: &Task, fields: &[&str]) -> Result<Value, WireError> {
    let mut body = Map::new();
    for field in fields {
        write_field(&mut body, task, field, true)?;
    }
    Ok(Value::Object(body))
}

fn write_field(
    body: &mut Map<String, Value>,
    task: &Task,
    field: &str,
    clear_absent: bool,
) -> Result<(), WireError> {
    let name = task.subject.as_str();
    let mut put_time = |key: &str, time: &Option<ZonedDateTime>| -> Result<(), WireError> {
        match time {
            Some(time) => {
                body.insert(key.to_owned(), date_time_zone(time, name)?);
            }
            None if clear_absent => {
                body.insert(key.to_owned(), Value::Null);
            }
            None => {}
        }
        Ok(())
    };
    match field {
        "start" => put_time("startDateTime", &task.start)?,
        "due" => put_time("dueDateTime", &task.due)?,
        "completed" => put_time("completedDateTime", &task.completed)?,
        "reminder" => {
            put_time("reminderDateTime", &task.reminder)?;
            body.insert("isReminderOn".into(), json!(task.reminder.is_some()));
        }
        "subject" => {
            body.insert("title".into(), json!(task.subject));
        }
        "body" => {
            // Microsoft Learn ("Update todoTask") says only the HTML body type is supported;
            // the model's own format is written all the same (not verified whether To Do
            // refuses or converts a text body).
            body.insert("body".into(), item_body(&task.body));
        }
        "status" => {
            body.insert("status".into(), json!(status_name(task.status)));
        }
        "importance" => {
            body.insert("importance".into(), json!(importance_name(task.importance)));
        }
        "categories" => {
            body.insert("categories".into(), json!(task.categories));
        }
        other => return Err(WireError::UnknownField(other.to_owned())),
    }
    Ok(())
}

fn status_name(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::NotStarted => "notStarted",
        TaskStatus::InProgress => "inProgress",
        TaskStatus::Completed => "completed",
        TaskStatus::WaitingOnOthers => "waitingOnOthers",
        TaskStatus::Deferred => "deferred",
    }
}

/// A To Do task as read from a list or delta response.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphTask {
    /// Graph id.
    pub id: String,
    /// `@odata.etag`, for `If-Match`.
    pub etag: Option<String>,
    /// `lastModifiedDateTime`.
    pub last_modified: Option<DateTime<Utc>>,
    /// The business id from the exsync linked resource, when expanded.
    pub business_id: Option<String>,
    /// `@removed.reason` of a delta tombstone; `None` otherwise.
    pub removed: Option<String>,
    raw: Value,
}

impl GraphTask {
    /// Reads the identifying properties of a Graph task.
    pub fn parse(raw: &Value) -> Result<Self, WireError> {
        let id = read_id(raw, "todoTask")?;
        let business_id = raw
            .get("linkedResources")
            .and_then(Value::as_array)
            .and_then(|links| {
                links
                    .iter()
                    .find(|l| optional_str(l, "applicationName") == Some(TASK_LINK_APPLICATION))
            })
            .and_then(|l| optional_str(l, "externalId"))
            .map(str::to_owned);
        Ok(Self {
            etag: optional_str(raw, "@odata.etag").map(str::to_owned),
            last_modified: read_timestamp(raw, "lastModifiedDateTime", &id)?,
            business_id,
            removed: removed_reason(raw),
            raw: raw.clone(),
            id,
        })
    }

    /// True for a delta tombstone (`@removed`).
    pub fn is_removed(&self) -> bool {
        self.removed.is_some()
    }

    /// The model task.
    pub fn to_task(&self) -> Result<Task, WireError> {
        let raw = &self.raw;
        let id = self.id.as_str();
        if self.is_removed() {
            return Err(WireError::unsupported(id, "@removed", "a deleted task"));
        }
        let mut task = Task::new(string_or_empty(raw, "title"));
        task.body = read_item_body(raw, id)?;
        task.start = read_date_time_zone(raw, "startDateTime", id)?;
        task.due = read_date_time_zone(raw, "dueDateTime", id)?;
        task.completed = read_date_time_zone(raw, "completedDateTime", id)?;
        task.status = match optional_str(raw, "status") {
            None | Some("notStarted") => TaskStatus::NotStarted,
            Some("inProgress") => TaskStatus::InProgress,
            Some("completed") => TaskStatus::Completed,
            Some("waitingOnOthers") => TaskStatus::WaitingOnOthers,
            Some("deferred") => TaskStatus::Deferred,
            Some(other) => return Err(WireError::unsupported(id, "status", other)),
        };
        task.importance = read_importance(raw, id)?;
        task.reminder = match raw.get("isReminderOn").and_then(Value::as_bool) {
            Some(false) => None,
            _ => read_date_time_zone(raw, "reminderDateTime", id)?,
        };
        task.categories = read_strings(raw, "categories", id)?;
        Ok(task)
    }
}

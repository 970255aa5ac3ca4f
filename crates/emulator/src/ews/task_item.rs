//! Tasks through EWS (`t:Task`, https://learn.microsoft.com/exchange/client-developer/
//! web-service-reference/task): reading a request's task properties into the store's
//! `todoTask`-shaped property map and writing a stored task back in `types.xsd` order.
//!
//! Mapping (EWS ↔ Graph To Do): Subject ↔ title, Body ↔ body, Categories, Importance ↔
//! importance, ReminderDueBy ↔ reminderDateTime, ReminderIsSet ↔ isReminderOn, CompleteDate ↔
//! completedDateTime, DueDate ↔ dueDateTime, StartDate ↔ startDateTime, Status ↔ status. Task
//! properties Graph To Do does not have (Companies, Mileage, recurrence, delegation, …) are
//! accepted and not stored; `IsComplete` and `PercentComplete` are derived from the status
//! (100 when completed, else 0: the emulator keeps no separate percentage).
//!
//! Invariant: a task whose status becomes `Completed` gets a completion date if it had none,
//! and loses it when its status changes to anything else.

use chrono::Utc;
use serde_json::{Map, Value};

use super::calendar_item::stamp;
use super::error::ItemError;
use super::folder_item::{
    Head, Props, read_body, read_instant, read_strings, text, when_instant, when_value, write_head,
};
use super::shape::Shape;
use super::xml::{Element, Writer};
use crate::store::folders::Item;

/// Properties of the `Default` shape of a task. Not verified against a real Exchange: chosen
/// as the properties a task list shows.
pub const DEFAULT: &[&str] = &[
    "item:Subject",
    "item:Importance",
    "item:HasAttachments",
    "task:DueDate",
    "task:IsComplete",
    "task:PercentComplete",
    "task:StartDate",
    "task:Status",
];

const STATUS: &[(&str, &str)] = &[
    ("NotStarted", "notStarted"),
    ("InProgress", "inProgress"),
    ("Completed", "completed"),
    ("WaitingOnOthers", "waitingOnOthers"),
    ("Deferred", "deferred"),
];

const IMPORTANCE: &[(&str, &str)] = &[("Low", "low"), ("Normal", "normal"), ("High", "high")];

fn to_graph(table: &[(&str, &'static str)], ews: &str, what: &str) -> Result<Value, ItemError> {
    table
        .iter()
        .find(|(e, _)| *e == ews)
        .map(|(_, g)| Value::String((*g).to_owned()))
        .ok_or_else(|| ItemError::invalid_value(what))
}

fn to_ews(
    table: &[(&'static str, &str)],
    graph: Option<&str>,
    default: &'static str,
) -> &'static str {
    table
        .iter()
        .find(|(_, g)| Some(*g) == graph)
        .map_or(default, |(e, _)| e)
}

fn set_status(fields: &mut Map<String, Value>, status: Value) {
    let completed = status.as_str() == Some("completed");
    fields.insert("status".to_owned(), status);
    if completed {
        if !fields
            .get("completedDateTime")
            .is_some_and(Value::is_object)
        {
            fields.insert("completedDateTime".to_owned(), when_value(Utc::now()));
        }
    } else {
        fields.insert("completedDateTime".to_owned(), Value::Null);
    }
}

fn flag(el: &Element) -> Result<bool, ItemError> {
    match el.text.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ItemError::invalid_value(&el.name)),
    }
}

/// Applies one child element of a `t:Task` to the task's properties.
pub fn apply(fields: &mut Map<String, Value>, el: &Element) -> Result<(), ItemError> {
    let mut put = |key: &str, value: Value| {
        fields.insert(key.to_owned(), value);
    };
    match el.name.as_str() {
        "Subject" => put("title", Value::String(el.text.clone())),
        "Body" => put("body", read_body(el)),
        "Categories" => put("categories", read_strings(el)),
        "Importance" => put(
            "importance",
            to_graph(IMPORTANCE, el.text.trim(), "Importance")?,
        ),
        "ReminderDueBy" => put("reminderDateTime", when_value(read_instant(el)?)),
        "ReminderIsSet" => put("isReminderOn", Value::Bool(flag(el)?)),
        "DueDate" => put("dueDateTime", when_value(read_instant(el)?)),
        "StartDate" => put("startDateTime", when_value(read_instant(el)?)),
        "CompleteDate" => put("completedDateTime", when_value(read_instant(el)?)),
        "Status" => {
            let status = to_graph(STATUS, el.text.trim(), "Status")?;
            set_status(fields, status);
        }
        "PercentComplete" => {
            let percent: f64 = el
                .text
                .trim()
                .parse()
                .map_err(|_| ItemError::invalid_value("PercentComplete"))?;
            if !(0.0..=100.0).contains(&percent) {
                return Err(ItemError::invalid_value("PercentComplete"));
            }
            if percent >= 100.0 {
                set_status(fields, Value::String("completed".to_owned()));
            }
        }
        "IsComplete" | "IsRecurring" | "ChangeCount" | "DelegationState" | "IsTeamTask" => {
            return Err(ItemError::new(
                "ErrorInvalidPropertySet",
                format!("{} is read-only.", el.name),
            ));
        }
        // Accepted, not stored (Graph To Do has no such property).
        _ => {}
    }
    Ok(())
}

/// Clears the property `uri` names (`DeleteItemField`).
pub fn delete(fields: &mut Map<String, Value>, uri: &str) {
    let key = match uri {
        "item:Subject" => "title",
        "item:Body" => "body",
        "item:Categories" => "categories",
        "item:Importance" => "importance",
        "item:ReminderDueBy" => "reminderDateTime",
        "item:ReminderIsSet" => "isReminderOn",
        "task:DueDate" => "dueDateTime",
        "task:StartDate" => "startDateTime",
        "task:CompleteDate" => "completedDateTime",
        "task:Status" => "status",
        _ => return,
    };
    fields.remove(key);
}

/// Writes `t:Task` with the properties `shape` asks for.
pub fn write(w: &mut Writer, item: &Item, folder_id: String, shape: &Shape) {
    let props = Props::new(shape, DEFAULT);
    let f = &item.fields;
    let body = f.get("body").map(|b| {
        let content = b.get("content").and_then(Value::as_str).unwrap_or_default();
        let html = b.get("contentType").and_then(Value::as_str) == Some("html");
        (content.to_owned(), html)
    });
    let status = text(f, "status");
    let head = Head {
        item,
        folder_id,
        class: "IPM.Task",
        subject: text(f, "title").unwrap_or_default().to_owned(),
        body,
        importance: to_ews(IMPORTANCE, text(f, "importance"), "Normal"),
        reminder: Some((
            when_instant(f.get("reminderDateTime")),
            f.get("isReminderOn").and_then(Value::as_bool) == Some(true),
        )),
    };
    w.open("t:Task", &[]);
    write_head(w, &head, &props);
    let time = |w: &mut Writer, uri: &str, tag: &str, key: &str| {
        if let (true, Some(t)) = (props.has(uri), when_instant(f.get(key))) {
            w.text(tag, &stamp(t));
        }
    };
    let completed = status == Some("completed");
    time(
        w,
        "task:CompleteDate",
        "t:CompleteDate",
        "completedDateTime",
    );
    time(w, "task:DueDate", "t:DueDate", "dueDateTime");
    if props.has("task:IsComplete") {
        w.text("t:IsComplete", if completed { "true" } else { "false" });
    }
    if props.has("task:IsRecurring") {
        w.text("t:IsRecurring", "false");
    }
    if props.has("task:PercentComplete") {
        w.text("t:PercentComplete", if completed { "100" } else { "0" });
    }
    time(w, "task:StartDate", "t:StartDate", "startDateTime");
    if props.has("task:Status") {
        w.text("t:Status", to_ews(STATUS, status, "NotStarted"));
    }
    w.close("t:Task");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(name: &str, text: &str) -> Element {
        Element {
            name: name.to_owned(),
            text: text.to_owned(),
            ..Element::default()
        }
    }

    #[test]
    fn ews_task_properties_become_todo_properties() {
        let mut fields = Map::new();
        apply(&mut fields, &el("Subject", "Call back")).expect("subject");
        apply(&mut fields, &el("DueDate", "2026-03-02T00:00:00Z")).expect("due");
        apply(&mut fields, &el("Status", "Completed")).expect("status");
        assert_eq!(fields["title"], "Call back");
        assert_eq!(fields["dueDateTime"]["timeZone"], "UTC");
        assert_eq!(fields["status"], "completed");
        assert!(fields["completedDateTime"].is_object());
        apply(&mut fields, &el("Status", "InProgress")).expect("status");
        assert!(fields["completedDateTime"].is_null());
        assert!(apply(&mut fields, &el("Status", "Done")).is_err());
        assert!(apply(&mut fields, &el("IsComplete", "true")).is_err());
        delete(&mut fields, "task:DueDate");
        assert!(!fields.contains_key("dueDateTime"));
    }
}

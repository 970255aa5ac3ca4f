//! The read-and-write probe of one data type in one mailbox: find (or create) exsync's own
//! calendar, To Do list or contact folder named [`PROBE_FOLDER`], read its items, create a
//! test item in it and delete that item again.
//!
//! Invariant: the probe writes only into the folder named [`PROBE_FOLDER`] — never into the
//! user's calendar, lists or contacts — and deletes the one item it created.

use chrono::{Duration, Timelike, Utc};
use exsync_graph::client::{GraphClient, GraphError, GraphRequest};
use exsync_graph::delta::{escape_path, user_path};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::report::CheckId;

/// The name of exsync's own calendar, To Do list and contact folder the probe writes into.
pub const PROBE_FOLDER: &str = "exsync check";

/// What differs between the data types' probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeKind {
    /// The folders' collection under the user (`calendars`, `todo/lists`, `contactFolders`).
    pub folders: &'static str,
    /// The property holding a folder's name.
    pub name_property: &'static str,
    /// The items' collection under a folder.
    pub items: &'static str,
}

impl ProbeKind {
    /// The probe of a check (`Calendar`, `Todo`, `Contacts`); `None` for other checks.
    pub fn of(check: CheckId) -> Option<ProbeKind> {
        let (folders, name_property, items) = match check {
            CheckId::Calendar => ("calendars", "name", "events"),
            CheckId::Todo => ("todo/lists", "displayName", "tasks"),
            CheckId::Contacts => ("contactFolders", "displayName", "contacts"),
            _ => return None,
        };
        Some(ProbeKind {
            folders,
            name_property,
            items,
        })
    }

    /// `/users/{mailbox}/{folders}`.
    pub fn folders_path(&self, mailbox: &str) -> String {
        format!("{}/{}", user_path(mailbox), self.folders)
    }

    /// The test item to create.
    fn test_item(&self) -> Value {
        let note = "Test item of exsync check; it is deleted right away.";
        match self.items {
            "events" => {
                let start = (Utc::now() + Duration::days(1))
                    .with_minute(0)
                    .and_then(|t| t.with_second(0))
                    .and_then(|t| t.with_nanosecond(0))
                    .unwrap_or_else(Utc::now);
                let at = |t: chrono::DateTime<Utc>| json!({"dateTime": t.format("%Y-%m-%dT%H:%M:%S").to_string(), "timeZone": "UTC"});
                json!({
                    "subject": PROBE_FOLDER,
                    "body": {"contentType": "text", "content": note},
                    "start": at(start),
                    "end": at(start + Duration::minutes(30)),
                    "showAs": "free",
                    "isReminderOn": false,
                })
            }
            "tasks" => json!({
                "title": PROBE_FOLDER,
                "body": {"contentType": "text", "content": note},
            }),
            _ => json!({
                "givenName": "exsync",
                "surname": "check",
                "displayName": PROBE_FOLDER,
                "personalNotes": note,
            }),
        }
    }
}

/// Which step of a probe failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Finding or creating the probe folder.
    Folder,
    /// Reading its items.
    Read,
    /// Creating the test item.
    Create,
    /// Deleting the test item (it is left in the probe folder).
    Delete,
}

/// A probe that failed: at which step, and Graph's answer.
#[derive(Debug, Clone)]
pub struct ProbeFailure {
    /// The step.
    pub step: Step,
    /// Graph's answer.
    pub error: GraphError,
}

/// Runs the probe of `kind` in `mailbox`.
pub async fn run(client: &GraphClient, mailbox: &str, kind: ProbeKind) -> Result<(), ProbeFailure> {
    let at = |step| move |error| ProbeFailure { step, error };
    let folder = probe_folder(client, mailbox, kind)
        .await
        .map_err(at(Step::Folder))?;
    let items = format!(
        "{}/{}/{}",
        kind.folders_path(mailbox),
        escape_path(&folder),
        kind.items
    );
    client
        .send(
            mailbox,
            &GraphRequest::get(format!("{items}?$top=1"), "read the probe folder"),
        )
        .await
        .map_err(at(Step::Read))?;
    let created = client
        .send(
            mailbox,
            &GraphRequest::new(Method::POST, items.clone(), "create the test item")
                .json(kind.test_item()),
        )
        .await
        .map_err(at(Step::Create))?;
    let Some(id) = created.body["id"].as_str() else {
        return Err(ProbeFailure {
            step: Step::Create,
            error: GraphError::Protocol {
                mailbox: mailbox.to_owned(),
                operation: "create the test item".to_owned(),
                reason: "the answer has no id".to_owned(),
            },
        });
    };
    client
        .send(
            mailbox,
            &GraphRequest::new(
                Method::DELETE,
                format!("{items}/{}", escape_path(id)),
                "delete the test item",
            ),
        )
        .await
        .map_err(at(Step::Delete))?;
    Ok(())
}

/// The id of the folder named [`PROBE_FOLDER`], created when missing.
async fn probe_folder(
    client: &GraphClient,
    mailbox: &str,
    kind: ProbeKind,
) -> Result<String, GraphError> {
    if let Some(id) = find_folder(client, mailbox, kind).await? {
        return Ok(id);
    }
    let request = GraphRequest::new(
        Method::POST,
        kind.folders_path(mailbox),
        "create the probe folder",
    )
    .json(json!({ kind.name_property: PROBE_FOLDER }));
    match client.send(mailbox, &request).await {
        Ok(created) => created.body["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| GraphError::Protocol {
                mailbox: mailbox.to_owned(),
                operation: "create the probe folder".to_owned(),
                reason: "the answer has no id".to_owned(),
            }),
        // Made meanwhile (another check running): use it.
        Err(error) if error.status() == Some(StatusCode::CONFLICT) => {
            find_folder(client, mailbox, kind).await?.ok_or(error)
        }
        Err(error) => Err(error),
    }
}

/// The id of the folder named [`PROBE_FOLDER`] (letter case ignored, as Exchange compares
/// folder names), following every page of the list.
async fn find_folder(
    client: &GraphClient,
    mailbox: &str,
    kind: ProbeKind,
) -> Result<Option<String>, GraphError> {
    let mut next = Some(kind.folders_path(mailbox));
    while let Some(url) = next.take() {
        let page = client
            .send(mailbox, &GraphRequest::get(url, "list folders"))
            .await?
            .body;
        let found = page["value"].as_array().into_iter().flatten().find(|f| {
            f[kind.name_property]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(PROBE_FOLDER))
        });
        if let Some(id) = found.and_then(|f| f["id"].as_str()) {
            return Ok(Some(id.to_owned()));
        }
        next = page["@odata.nextLink"].as_str().map(str::to_owned);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_probe_has_its_folders_and_a_test_item() {
        let calendar = ProbeKind::of(CheckId::Calendar).expect("calendar");
        assert_eq!(
            calendar.folders_path("eva@example.com"),
            "/users/eva@example.com/calendars"
        );
        let event = calendar.test_item();
        assert_eq!(event["subject"], PROBE_FOLDER);
        assert_eq!(event["isReminderOn"], false);
        assert!(
            event["start"]["dateTime"]
                .as_str()
                .is_some_and(|t| t.ends_with(":00:00"))
        );
        let todo = ProbeKind::of(CheckId::Todo).expect("todo");
        assert_eq!(todo.test_item()["title"], PROBE_FOLDER);
        assert_eq!(todo.name_property, "displayName");
        assert!(ProbeKind::of(CheckId::Token).is_none());
    }
}

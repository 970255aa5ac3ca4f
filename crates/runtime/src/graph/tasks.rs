//! Tasks on Graph: Microsoft To Do, one list per user (the default list unless the
//! configuration names one, which is created when missing); the business id travels as a
//! linked resource of the task.
//!
//! Invariant: see `folder_items`.

use exsync_graph::client::GraphRequest;
use exsync_graph::wire::task::{GraphTask, new_task, task_patch};
use exsync_graph::wire::{TASK_LINK_APPLICATION, WireError};
use exsync_model::Task;
use reqwest::Method;
use serde_json::Value;
use serde_json::json;

use super::GraphConnector;
use super::folder_items::{FolderKind, ReadItem};
use crate::exchange::SideError;

impl FolderKind for Task {
    const CURSOR: &'static str = "graph.todo.delta";
    const ITEMS: &'static str = "tasks";
    const CONTAINERS: &'static str = "todo/lists";
    const NAME: &'static str = "task";
    const COMPLETE_IN_DELTA: bool = true;

    fn expand() -> String {
        "$expand=linkedResources".to_owned()
    }

    fn read(raw: &Value) -> Result<ReadItem<Self>, WireError> {
        let task = GraphTask::parse(raw)?;
        Ok(ReadItem {
            change_key: super::folder_items::version_of(raw),
            item: task.to_task()?,
            id: task.id,
            business_id: task.business_id,
            modified: task.last_modified,
        })
    }

    fn create_body(item: &Self, business_id: &str) -> Result<Value, WireError> {
        new_task(item, business_id)
    }

    fn patch_body(item: &Self, fields: &[&str]) -> Result<Value, WireError> {
        task_patch(item, fields)
    }

    async fn container(connector: &GraphConnector, mailbox: &str) -> Result<String, SideError> {
        connector
            .container_id(
                mailbox,
                Task::CONTAINERS,
                connector.task_list.as_deref(),
                is_default_list,
            )
            .await
    }

    fn stamp(item_url: String, business_id: &str) -> GraphRequest {
        GraphRequest::new(
            Method::POST,
            format!("{item_url}/linkedResources"),
            "stamp a task with its business id",
        )
        .json(json!({
            "applicationName": TASK_LINK_APPLICATION,
            "externalId": business_id,
            "displayName": format!("exsync {business_id}"),
        }))
    }
}

fn is_default_list(list: &Value) -> bool {
    list["wellknownListName"].as_str() == Some("defaultList")
}

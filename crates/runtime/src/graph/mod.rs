//! The Graph connector as the runtime uses it: appointments through `calendarView/delta` and
//! `events`, tasks through To Do, contacts through a contact folder, all app-only with
//! `$batch`.
//!
//! Invariant: everything mailbox-specific goes through [`GraphClient`] (which holds the
//! per-mailbox concurrency limit and the retries); this module only decides what to ask and
//! how to read the answers.

mod contacts;
mod cursor;
mod duplicates;
mod events_apply;
mod events_collect;
mod folder_items;
mod probe;
mod series_signal;
mod tasks;
mod unsent;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use exsync_engine::SyncWindow;
use exsync_model::{Appointment, ExchangeId};

use exsync_graph::client::{GraphClient, GraphError, GraphRequest, GraphResponse};
use exsync_model::TimeZoneName;

use crate::exchange::{Collected, ExchangeSide, ExchangeWrite, LinkedItems, SideError, Written};

pub use cursor::DeltaCursor;

/// The Graph connector for all three kinds.
#[derive(Debug, Clone)]
pub struct GraphConnector {
    client: Arc<GraphClient>,
    all_day_zone: TimeZoneName,
    task_list: Option<String>,
    contact_folder: String,
    /// Ids of task lists and contact folders by mailbox and container kind.
    containers: Arc<Mutex<HashMap<(String, &'static str), String>>>,
    /// Plan-only run: repairs found while reading are left out and logged, not made.
    read_only: bool,
    /// Full pass: re-read every linked series (a deleted occurrence makes no delta entry).
    full_pass: bool,
    /// The stored delta links probes follow, by mailbox and kind (`None`: no usable cursor);
    /// forgotten when a pass collects that kind, since the pass may store a new cursor.
    probe_links: probe::ProbeLinks,
}

impl GraphConnector {
    /// A connector over `client`. All-day items without a zone of their own are written in
    /// `all_day_zone`; tasks go to the To Do list named `task_list` (default: the user's
    /// default list); company contacts to the contact folder `contact_folder` (created when
    /// missing).
    pub fn new(
        client: Arc<GraphClient>,
        all_day_zone: TimeZoneName,
        task_list: Option<String>,
        contact_folder: impl Into<String>,
    ) -> Self {
        GraphConnector {
            client,
            all_day_zone,
            task_list,
            contact_folder: contact_folder.into(),
            containers: Arc::default(),
            read_only: false,
            full_pass: true,
            probe_links: probe::ProbeLinks::default(),
        }
    }

    /// Full passes (the default) re-read every linked series, because Graph reports no delta
    /// entry when an occurrence is deleted; incremental passes (`false`) read only what the
    /// delta round names, so their cost follows the changes. Run a full pass now and then.
    pub fn full_pass(mut self, full: bool) -> Self {
        self.full_pass = full;
        self
    }

    /// For plan-only runs (`--dry-run`): the copies a retried create left in To Do or a contact
    /// folder are left out of the pass and logged instead of deleted.
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// The client (for request counts).
    pub fn client(&self) -> &GraphClient {
        &self.client
    }

    /// GETs `urls` in `$batch`es; one result per URL.
    async fn get_many(
        &self,
        mailbox: &str,
        urls: Vec<String>,
        operation: &'static str,
    ) -> Vec<Result<GraphResponse, GraphError>> {
        let requests: Vec<GraphRequest> = urls
            .into_iter()
            .map(|u| GraphRequest::get(u, operation))
            .collect();
        self.client.batch(mailbox, &requests).await
    }
}

/// A connector error as the runtime reports it.
pub(crate) fn side_error(error: &GraphError) -> SideError {
    SideError {
        message: error.to_string(),
        mailbox_wide: error.is_mailbox_wide(),
    }
}

/// Writes sent and answered together (10 `$batch`es): bounds the memory of a large pass.
pub(crate) const WRITES_PER_SLICE: usize = 200;

/// The PATCH body that stamps an event or contact with `business_id`.
pub(crate) fn stamp_body(business_id: &str) -> serde_json::Value {
    serde_json::json!({
        "singleValueExtendedProperties": [
            { "id": exsync_graph::wire::BUSINESS_ID_PROPERTY, "value": business_id }
        ]
    })
}

/// `W/"changeKey"`, the `@odata.etag` Graph gives for a change key.
pub(crate) fn etag_of(change_key: Option<&str>) -> Option<String> {
    change_key.map(|key| format!("W/\"{key}\""))
}

impl ExchangeSide<Appointment> for GraphConnector {
    fn cursor_name(&self) -> &'static str {
        events_collect::EVENTS_CURSOR
    }

    fn cursor_after_writes(&self, cursor: &str, written: &[ExchangeId]) -> String {
        DeltaCursor::with_written(cursor, written)
    }

    async fn collect<'a>(
        &'a self,
        mailbox: &'a str,
        cursor: Option<&'a str>,
        window: &'a SyncWindow,
        linked: &'a LinkedItems<'a, Appointment>,
    ) -> Result<Collected<Appointment>, SideError> {
        let fresher =
            self.probe_links
                .fresher_cursor(mailbox, exsync_model::ItemKind::Appointment, cursor);
        let cursor = fresher.as_deref().or(cursor);
        self.collect_events(mailbox, cursor, window, linked).await
    }

    async fn apply<'a>(
        &'a self,
        mailbox: &'a str,
        writes: &'a [ExchangeWrite<'a, Appointment>],
    ) -> Vec<Result<Written, SideError>> {
        self.apply_events(mailbox, writes).await
    }
}

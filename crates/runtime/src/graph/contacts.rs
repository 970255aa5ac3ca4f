//! Company contacts on Graph: a contact folder in each mailbox (default name "Company
//! addresses", created when missing); the business id and the business fax travel as
//! single-value extended properties, so every changed contact is fetched with them.
//!
//! Invariant: see `folder_items`.

use exsync_engine::SyncWindow;
use exsync_graph::delta::escape_query;
use exsync_graph::wire::contact::{GraphContact, contact_patch, new_contact};
use exsync_graph::wire::{BUSINESS_FAX_PROPERTY, BUSINESS_ID_PROPERTY, WireError};
use exsync_model::{Contact, ExchangeId};
use serde_json::Value;

use super::cursor::DeltaCursor;
use super::folder_items::{FolderKind, ReadItem};
use super::{GraphConnector, stamp_body};
use crate::exchange::{Collected, ExchangeSide, ExchangeWrite, LinkedItems, SideError, Written};
use exsync_graph::client::GraphRequest;
use reqwest::Method;

impl FolderKind for Contact {
    const CURSOR: &'static str = "graph.contacts.delta";
    const ITEMS: &'static str = "contacts";
    const CONTAINERS: &'static str = "contactFolders";
    const NAME: &'static str = "contact";
    const COMPLETE_IN_DELTA: bool = false;

    fn expand() -> String {
        let filter = format!(
            "singleValueExtendedProperties($filter=id eq '{BUSINESS_ID_PROPERTY}' or id eq '{BUSINESS_FAX_PROPERTY}')"
        );
        format!("$expand={}", escape_query(&filter))
    }

    fn read(raw: &Value) -> Result<ReadItem<Self>, WireError> {
        let contact = GraphContact::parse(raw)?;
        Ok(ReadItem {
            item: contact.to_contact()?,
            id: contact.id,
            business_id: contact.business_id,
            modified: contact.last_modified,
        })
    }

    fn create_body(item: &Self, business_id: &str) -> Result<Value, WireError> {
        new_contact(item, business_id)
    }

    fn patch_body(item: &Self, fields: &[&str]) -> Result<Value, WireError> {
        contact_patch(item, fields)
    }

    fn stamp(item_url: String, business_id: &str) -> GraphRequest {
        GraphRequest::new(
            Method::PATCH,
            item_url,
            "stamp a contact with its business id",
        )
        .json(stamp_body(business_id))
    }
}

impl GraphConnector {
    async fn contact_folder(&self, mailbox: &str) -> Result<String, SideError> {
        let name = self.contact_folder.clone();
        self.container_id(mailbox, Contact::CONTAINERS, Some(&name), |_| false)
            .await
    }
}

impl ExchangeSide<Contact> for GraphConnector {
    fn cursor_name(&self) -> &'static str {
        Contact::CURSOR
    }

    fn cursor_after_writes(&self, cursor: &str, written: &[ExchangeId]) -> String {
        DeltaCursor::with_written(cursor, written)
    }

    async fn collect<'a>(
        &'a self,
        mailbox: &'a str,
        cursor: Option<&'a str>,
        _window: &'a SyncWindow,
        linked: &'a LinkedItems<'a, Contact>,
    ) -> Result<Collected<Contact>, SideError> {
        let folder = self.contact_folder(mailbox).await?;
        self.collect_in(mailbox, &folder, cursor, linked).await
    }

    async fn apply<'a>(
        &'a self,
        mailbox: &'a str,
        writes: &'a [ExchangeWrite<'a, Contact>],
    ) -> Vec<Result<Written, SideError>> {
        match self.contact_folder(mailbox).await {
            Ok(folder) => self.apply_in(mailbox, &folder, writes).await,
            Err(error) => writes.iter().map(|_| Err(error.clone())).collect(),
        }
    }
}

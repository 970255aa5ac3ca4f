//! Company contacts on Graph: a contact folder in each mailbox (default name "Company
//! addresses", created when missing); the business id and the business fax travel as
//! single-value extended properties, so every changed contact is fetched with them.
//!
//! Invariant: see `folder_items`.

use exsync_graph::delta::escape_query;
use exsync_graph::wire::contact::{GraphContact, contact_patch, new_contact};
use exsync_graph::wire::{BUSINESS_FAX_PROPERTY, BUSINESS_ID_PROPERTY, WireError};
use exsync_model::Contact;
use serde_json::Value;

use super::folder_items::{FolderKind, ReadItem};
use super::{GraphConnector, stamp_body};
use crate::exchange::SideError;
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
            change_key: super::folder_items::version_of(raw),
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

    async fn container(connector: &GraphConnector, mailbox: &str) -> Result<String, SideError> {
        let name = connector.contact_folder.clone();
        connector
            .container_id(mailbox, Contact::CONTAINERS, Some(&name), |_| false)
            .await
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

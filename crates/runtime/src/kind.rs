//! The business side of each item kind: how the runtime lists, writes and deletes
//! appointments, tasks and contacts in the business database, and which items lie in the
//! sync window.
//!
//! Invariant: every write exsync makes to the business database is marked
//! [`Origin::Exsync`], so the journal never echoes it back as a business change.

use std::future::Future;

use exsync_business::{BusinessDb, BusinessError, ItemResult, Origin, Window};
use exsync_engine::{Plannable, SyncWindow};
use exsync_model::{Appointment, BusinessId, Contact, Task};
use serde::Serialize;

use crate::align::Align;
use crate::pairing::PairKey;
use serde::de::DeserializeOwned;

/// An item kind the runtime syncs.
pub trait SyncKind:
    Plannable
    + Align
    + PairKey
    + Clone
    + PartialEq
    + Serialize
    + DeserializeOwned
    + Send
    + Sync
    + 'static
{
    /// The items the business database holds for `owner` (contacts: the company's).
    fn list(
        db: &BusinessDb,
        owner: &str,
    ) -> impl Future<Output = Result<Vec<ItemResult<Self>>, BusinessError>> + Send;

    /// Creates or replaces record `id` of `owner`.
    fn upsert(
        db: &BusinessDb,
        owner: &str,
        id: &BusinessId,
        item: &Self,
    ) -> impl Future<Output = Result<(), BusinessError>> + Send;

    /// Deletes record `id`.
    fn delete(
        db: &BusinessDb,
        id: &BusinessId,
    ) -> impl Future<Output = Result<bool, BusinessError>> + Send;

    /// True when the item lies in the sync window (tasks and contacts always do).
    fn in_window(&self, _window: &SyncWindow) -> bool {
        true
    }
}

impl SyncKind for Appointment {
    async fn list(db: &BusinessDb, owner: &str) -> Result<Vec<ItemResult<Self>>, BusinessError> {
        db.list_appointments(owner, None).await
    }

    async fn upsert(
        db: &BusinessDb,
        owner: &str,
        id: &BusinessId,
        item: &Self,
    ) -> Result<(), BusinessError> {
        db.upsert_appointment(owner, id, item, Origin::Exsync).await
    }

    async fn delete(db: &BusinessDb, id: &BusinessId) -> Result<bool, BusinessError> {
        db.delete_appointment(id, Origin::Exsync).await
    }

    fn in_window(&self, window: &SyncWindow) -> bool {
        Window::new(window.from(), window.to()).overlaps(self)
    }
}

impl SyncKind for Task {
    async fn list(db: &BusinessDb, owner: &str) -> Result<Vec<ItemResult<Self>>, BusinessError> {
        db.list_tasks(owner).await
    }

    async fn upsert(
        db: &BusinessDb,
        owner: &str,
        id: &BusinessId,
        item: &Self,
    ) -> Result<(), BusinessError> {
        db.upsert_task(owner, id, item, Origin::Exsync).await
    }

    async fn delete(db: &BusinessDb, id: &BusinessId) -> Result<bool, BusinessError> {
        db.delete_task(id, Origin::Exsync).await
    }
}

impl SyncKind for Contact {
    async fn list(db: &BusinessDb, _owner: &str) -> Result<Vec<ItemResult<Self>>, BusinessError> {
        db.list_contacts().await
    }

    async fn upsert(
        db: &BusinessDb,
        _owner: &str,
        id: &BusinessId,
        item: &Self,
    ) -> Result<(), BusinessError> {
        db.upsert_contact(id, item, Origin::Exsync).await
    }

    async fn delete(db: &BusinessDb, id: &BusinessId) -> Result<bool, BusinessError> {
        db.delete_contact(id, Origin::Exsync).await
    }
}

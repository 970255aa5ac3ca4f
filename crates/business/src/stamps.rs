//! When each record was last written (`updated_at`), for the conflict policy "newest wins";
//! and when the business application last changed it according to the change journal, for
//! start mode "changes only" (the journal is kept by triggers, `updated_at` by the vendor).
//!
//! Invariant: a record whose `updated_at` cannot be read is simply absent from the answer (the
//! planner then treats its stamp as unknown, and the business side wins ties), never an error
//! for the whole listing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use exsync_model::{BusinessId, ItemKind};

use crate::db::BusinessDb;
use crate::error::BusinessError;
use crate::sql::Param;

impl BusinessDb {
    /// `updated_at` of every record of `kind` owned by `owner` (contacts: of every contact), by id.
    pub async fn modification_times(
        &self,
        kind: ItemKind,
        owner: &str,
    ) -> Result<HashMap<BusinessId, DateTime<Utc>>, BusinessError> {
        let (sql, params) = match kind {
            ItemKind::Appointment => (
                "SELECT id, updated_at FROM exsync_appointments WHERE owner_login = $1",
                vec![Param::text(owner)],
            ),
            ItemKind::Task => (
                "SELECT id, updated_at FROM exsync_tasks WHERE owner_login = $1",
                vec![Param::text(owner)],
            ),
            ItemKind::Contact => ("SELECT id, updated_at FROM exsync_contacts", Vec::new()),
        };
        let mut tx = self.begin_read().await?;
        let rows = tx
            .fetch(sql, params)
            .await
            .map_err(BusinessError::db("reading modification times"))?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let id = row.string("id").ok()?;
                let at = row.timestamp("updated_at").ok()??;
                Some((BusinessId::from(id), at))
            })
            .collect())
    }

    /// The time of the newest journal entry the business application (not exsync) wrote for
    /// each record of `kind` owned by `owner` (contacts: every contact), by id. Records whose
    /// entries were pruned are absent.
    pub async fn journal_change_times(
        &self,
        kind: ItemKind,
        owner: &str,
    ) -> Result<HashMap<BusinessId, DateTime<Utc>>, BusinessError> {
        let (sql, params) = match kind {
            ItemKind::Contact => (
                "SELECT entity_id AS id, MAX(changed_at) AS changed_at FROM exsync_journal \
                 WHERE entity_kind = 'contact' AND origin = 'business' GROUP BY entity_id",
                Vec::new(),
            ),
            other => (
                "SELECT entity_id AS id, MAX(changed_at) AS changed_at FROM exsync_journal \
                 WHERE entity_kind = $1 AND owner_login = $2 AND origin = 'business' \
                 GROUP BY entity_id",
                vec![Param::text(other.as_str()), Param::text(owner)],
            ),
        };
        let mut tx = self.begin_read().await?;
        let rows = tx
            .fetch(sql, params)
            .await
            .map_err(BusinessError::db("reading the change journal"))?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let id = row.string("id").ok()?;
                let at = row.timestamp("changed_at").ok()??;
                Some((BusinessId::from(id), at))
            })
            .collect())
    }
}

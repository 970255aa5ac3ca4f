//! Committing what one mailbox pass learned — new bases, removed links, cursor positions,
//! completed outbox entries — as a single transaction.
//!
//! Invariant: a commit is all or nothing. If any part fails (e.g. two links claiming one
//! Exchange id) the transaction is rolled back and nothing of it is visible, so a cursor never
//! moves past changes whose bases were not stored.

use exsync_model::ItemKind;

use crate::backend::{WritePool, with_pool};
use crate::cursors::{self, CursorWrite};
use crate::error::{StoreError, StoreResult};
use crate::links::{self, LinkUpsert};
use crate::links_batch::{UpsertLinks, last_write_wins};
use crate::outbox::{self, OutboxId};
use crate::store::StateStore;
use crate::time::DbTime;

/// Everything one pass commits together. Applied in this order: unlinks, link upserts, cursors,
/// outbox completions; within link upserts, the last one of a business id wins.
///
/// ```
/// # use exsync_model::ItemKind;
/// # use exsync_store::{BaseSnapshot, LinkUpsert, PassCommit};
/// let mut pass = PassCommit::new();
/// pass.upsert_link(
///     LinkUpsert::new("alice@example.com", ItemKind::Appointment, "A-17")
///         .exchange("AAMkAD...", Some("CQAAAB..."))
///         .base(BaseSnapshot::new(r#"{"subject":"Review"}"#)),
/// )
/// .set_cursor("alice@example.com", "graph.calendar_view.delta", "https://graph/delta?token=2");
/// assert_eq!(pass.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassCommit {
    unlinks: Vec<(String, ItemKind, String)>,
    links: Vec<LinkUpsert>,
    cursors: Vec<CursorWrite>,
    completed_outbox: Vec<OutboxId>,
}

/// What a commit changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitSummary {
    /// Links removed by [`PassCommit::unlink`] that existed.
    pub links_removed: u64,
    /// Links inserted or replaced (after duplicates of one key were folded).
    pub links_written: u64,
    /// Cursors written.
    pub cursors_written: u64,
    /// Outbox entries removed that were pending.
    pub outbox_completed: u64,
}

impl PassCommit {
    /// An empty commit.
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts or replaces a link (see [`LinkUpsert`]).
    pub fn upsert_link(&mut self, link: LinkUpsert) -> &mut Self {
        self.links.push(link);
        self
    }

    /// Inserts or replaces many links.
    pub fn upsert_links(&mut self, links: impl IntoIterator<Item = LinkUpsert>) -> &mut Self {
        self.links.extend(links);
        self
    }

    /// Removes the link of business record `business_id`, if there is one.
    pub fn unlink(
        &mut self,
        mailbox: impl Into<String>,
        kind: ItemKind,
        business_id: impl Into<String>,
    ) -> &mut Self {
        self.unlinks
            .push((mailbox.into(), kind, business_id.into()));
        self
    }

    /// Sets the cursor `name` of `owner` to `value`.
    pub fn set_cursor(
        &mut self,
        owner: impl Into<String>,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> &mut Self {
        self.cursors.push(CursorWrite {
            owner: owner.into(),
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Removes outbox entry `id`, whose write the new base reflects.
    pub fn complete_outbox(&mut self, id: OutboxId) -> &mut Self {
        self.completed_outbox.push(id);
        self
    }

    /// How many changes the commit holds.
    pub fn len(&self) -> usize {
        self.unlinks.len() + self.links.len() + self.cursors.len() + self.completed_outbox.len()
    }

    /// Whether the commit holds no change.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl StateStore {
    /// Applies `pass` in one transaction: all of it, or — on error — none of it.
    pub async fn commit(&self, pass: &PassCommit) -> StoreResult<CommitSummary> {
        self.commit_parts(
            &pass.unlinks,
            &pass.links,
            &pass.cursors,
            &pass.completed_outbox,
        )
        .await
    }

    /// Inserts or replaces `links` in one transaction (all or nothing); returns how many links
    /// were written (the last upsert of a repeated business id wins).
    pub async fn upsert_links(&self, links: &[LinkUpsert]) -> StoreResult<u64> {
        let summary = self.commit_parts(&[], links, &[], &[]).await?;
        Ok(summary.links_written)
    }

    async fn commit_parts(
        &self,
        unlinks: &[(String, ItemKind, String)],
        links: &[LinkUpsert],
        cursors: &[CursorWrite],
        completed_outbox: &[OutboxId],
    ) -> StoreResult<CommitSummary> {
        let mut summary = CommitSummary::default();
        if unlinks.is_empty()
            && links.is_empty()
            && cursors.is_empty()
            && completed_outbox.is_empty()
        {
            return Ok(summary);
        }
        let links = last_write_wins(links);
        let now = DbTime::now();
        with_pool!(&self.backend, |pool| {
            let mut tx = pool
                .begin_write()
                .await
                .map_err(StoreError::during("begin commit"))?;
            for (mailbox, kind, business_id) in unlinks {
                let done = sqlx::query(links::DELETE_BY_BUSINESS_ID)
                    .bind(mailbox.as_str())
                    .bind(kind.as_str())
                    .bind(business_id.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::during("unlink"))?;
                summary.links_removed += done.rows_affected();
            }
            tx.upsert_links(&links, now)
                .await
                .map_err(StoreError::during("commit links"))?;
            summary.links_written = links.len() as u64;
            for cursor in cursors {
                sqlx::query(cursors::UPSERT)
                    .bind(cursor.owner.as_str())
                    .bind(cursor.name.as_str())
                    .bind(cursor.value.as_str())
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::during("commit cursor"))?;
                summary.cursors_written += 1;
            }
            for id in completed_outbox {
                let done = sqlx::query(outbox::DELETE)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::during("complete outbox entry"))?;
                summary.outbox_completed += done.rows_affected();
            }
            tx.commit()
                .await
                .map_err(StoreError::during("commit pass"))?;
        });
        tracing::debug!(?summary, "pass committed");
        Ok(summary)
    }
}

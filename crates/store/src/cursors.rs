//! Cursors: how far exsync has read a change feed, e.g. a mailbox's Graph delta link or the
//! business change journal's position.
//!
//! Invariant: there is at most one value per (owner, name); writing replaces it. A cursor that
//! must move together with the bases it produced is written through
//! [`StateStore::commit`](crate::StateStore::commit) instead of [`StateStore::set_cursor`].

use chrono::{DateTime, Utc};

use crate::backend::with_pool;
use crate::error::{StoreError, StoreResult};
use crate::store::StateStore;
use crate::time::DbTime;

/// The owner of cursors that belong to no mailbox, e.g. the business change journal's position.
pub const GLOBAL_CURSOR_OWNER: &str = "";

/// A stored cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// A mailbox address, or [`GLOBAL_CURSOR_OWNER`].
    pub owner: String,
    /// Which feed, e.g. `graph.calendar_view.delta`.
    pub name: String,
    /// The position, opaque to the store.
    pub value: String,
    /// When it was last written.
    pub updated_at: DateTime<Utc>,
}

/// A cursor value to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CursorWrite {
    pub(crate) owner: String,
    pub(crate) name: String,
    pub(crate) value: String,
}

const SELECT: &str =
    "SELECT owner, name, value, updated_at FROM exsync_cursors WHERE owner = $1 AND name = $2";
/// Inserts or replaces one cursor; shared with [`StateStore::commit`].
pub(crate) const UPSERT: &str = "INSERT INTO exsync_cursors (owner, name, value, updated_at) \
     VALUES ($1, $2, $3, $4) \
     ON CONFLICT (owner, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
const DELETE: &str = "DELETE FROM exsync_cursors WHERE owner = $1 AND name = $2";
const DELETE_IF: &str = "DELETE FROM exsync_cursors WHERE owner = $1 AND name = $2 AND value = $3";

#[derive(sqlx::FromRow)]
struct CursorRow {
    owner: String,
    name: String,
    value: String,
    updated_at: DbTime,
}

impl StateStore {
    /// The cursor `name` of `owner`, if it was ever set.
    pub async fn cursor(&self, owner: &str, name: &str) -> StoreResult<Option<Cursor>> {
        let row: Option<CursorRow> = with_pool!(&self.backend, |pool| {
            sqlx::query_as(SELECT)
                .bind(owner)
                .bind(name)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::during("get cursor"))?;
        Ok(row.map(|row| Cursor {
            owner: row.owner,
            name: row.name,
            value: row.value,
            updated_at: row.updated_at.get(),
        }))
    }

    /// Sets the cursor `name` of `owner` to `value`, on its own.
    pub async fn set_cursor(&self, owner: &str, name: &str, value: &str) -> StoreResult<()> {
        let now = DbTime::now();
        with_pool!(&self.backend, |pool| {
            sqlx::query(UPSERT)
                .bind(owner)
                .bind(name)
                .bind(value)
                .bind(now)
                .execute(pool)
                .await
                .map(drop)
        })
        .map_err(StoreError::during("set cursor"))
    }

    /// Forgets the cursor `name` of `owner` (the next read starts over); `false` if unset.
    pub async fn delete_cursor(&self, owner: &str, name: &str) -> StoreResult<bool> {
        let deleted = with_pool!(&self.backend, |pool| {
            sqlx::query(DELETE)
                .bind(owner)
                .bind(name)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(StoreError::during("delete cursor"))?;
        Ok(deleted > 0)
    }

    /// Forgets the cursor `name` of `owner` only if it still holds `value` (nobody replaced it
    /// meanwhile); `false` if it did not.
    pub async fn delete_cursor_if(
        &self,
        owner: &str,
        name: &str,
        value: &str,
    ) -> StoreResult<bool> {
        let deleted = with_pool!(&self.backend, |pool| {
            sqlx::query(DELETE_IF)
                .bind(owner)
                .bind(name)
                .bind(value)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(StoreError::during("delete cursor"))?;
        Ok(deleted > 0)
    }
}

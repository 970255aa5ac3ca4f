//! The outbox: writes planned for one side that have not been confirmed yet, with retry
//! bookkeeping.
//!
//! Invariants: an idempotency key names at most one pending entry, so planning the same write
//! twice queues it once; an entry leaves the outbox only when it is marked done; ids are never
//! reused, so a stale id can never complete another entry.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use exsync_model::ItemKind;

use crate::backend::with_pool;
use crate::error::{StoreError, StoreResult};
use crate::links::parse_kind;
use crate::store::StateStore;
use crate::time::DbTime;

/// The id of an outbox entry, assigned by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutboxId(pub i64);

/// The side of the sync a write goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The business application's database.
    Business,
    /// The Exchange mailbox.
    Exchange,
}

impl Side {
    /// The persisted name: `business` or `exchange`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Business => "business",
            Side::Exchange => "exchange",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Side {
    type Err = StoreError;

    fn from_str(name: &str) -> Result<Self, StoreError> {
        match name {
            "business" => Ok(Side::Business),
            "exchange" => Ok(Side::Exchange),
            other => Err(StoreError::Invalid(format!(
                "unknown side {other:?}: expected business or exchange"
            ))),
        }
    }
}

/// A write to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxEntry {
    /// Names the write: queueing the same key again returns the pending entry unchanged.
    pub idempotency_key: String,
    /// The mailbox the item belongs to.
    pub mailbox: String,
    /// What the item is.
    pub kind: ItemKind,
    /// The side to write to.
    pub target: Side,
    /// The business record the write concerns.
    pub business_id: String,
    /// The operation, as JSON text (opaque to the store).
    pub payload: String,
    /// Do not attempt before this instant; `None` means at once.
    pub not_before: Option<DateTime<Utc>>,
}

/// A queued write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The store's id of the entry.
    pub id: OutboxId,
    /// The key it was queued under.
    pub idempotency_key: String,
    /// The mailbox the item belongs to.
    pub mailbox: String,
    /// What the item is.
    pub kind: ItemKind,
    /// The side to write to.
    pub target: Side,
    /// The business record the write concerns.
    pub business_id: String,
    /// The operation, as JSON text.
    pub payload: String,
    /// How many attempts failed so far.
    pub attempts: u32,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// The entry is due from this instant on.
    pub next_attempt_at: DateTime<Utc>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

/// What [`StateStore::enqueue`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enqueued {
    /// The pending entry under the key: the new one, or the one queued before.
    pub entry: OutboxEntry,
    /// `true` if this call queued it, `false` if the key was already pending.
    pub created: bool,
}

macro_rules! outbox_columns {
    () => {
        "id, idempotency_key, mailbox, kind, target, business_id, payload, attempts, \
         last_error, next_attempt_at, created_at"
    };
}

const INSERT: &str = concat!(
    "INSERT INTO exsync_outbox (idempotency_key, mailbox, kind, target, business_id, payload, \
     attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8) \
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING ",
    outbox_columns!()
);
const SELECT_BY_KEY: &str = concat!(
    "SELECT ",
    outbox_columns!(),
    " FROM exsync_outbox WHERE idempotency_key = $1"
);
const SELECT_DUE: &str = concat!(
    "SELECT ",
    outbox_columns!(),
    " FROM exsync_outbox WHERE mailbox = $1 AND next_attempt_at <= $2 \
     ORDER BY created_at, id LIMIT $3"
);
const RECORD_FAILURE: &str = concat!(
    "UPDATE exsync_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 \
     WHERE id = $1 RETURNING ",
    outbox_columns!()
);
/// Removes one entry; shared with [`StateStore::commit`].
pub(crate) const DELETE: &str = "DELETE FROM exsync_outbox WHERE id = $1";
const COUNT: &str = "SELECT COUNT(*) FROM exsync_outbox WHERE mailbox = $1";

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    idempotency_key: String,
    mailbox: String,
    kind: String,
    target: String,
    business_id: String,
    payload: String,
    attempts: i64,
    last_error: Option<String>,
    next_attempt_at: DbTime,
    created_at: DbTime,
}

impl TryFrom<OutboxRow> for OutboxEntry {
    type Error = StoreError;

    fn try_from(row: OutboxRow) -> Result<Self, StoreError> {
        let target = row.target.parse().map_err(|_| StoreError::Corrupt {
            table: "exsync_outbox",
            detail: format!("unknown side {:?}", row.target),
        })?;
        Ok(OutboxEntry {
            id: OutboxId(row.id),
            idempotency_key: row.idempotency_key,
            mailbox: row.mailbox,
            kind: parse_kind("exsync_outbox", &row.kind)?,
            target,
            business_id: row.business_id,
            payload: row.payload,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            last_error: row.last_error,
            next_attempt_at: row.next_attempt_at.get(),
            created_at: row.created_at.get(),
        })
    }
}

impl StateStore {
    /// Queues `entry` unless its idempotency key is already pending; either way returns the
    /// pending entry under that key.
    pub async fn enqueue(&self, entry: &NewOutboxEntry) -> StoreResult<Enqueued> {
        // Between our refused insert and our read, the holder of the key may complete it; then
        // the key is free again and the next insert succeeds. Two rounds always settle it
        // unless entries under this key are queued and completed faster than we can look.
        for _ in 0..3 {
            if let Some(created) = self.insert_outbox_entry(entry).await? {
                return Ok(Enqueued {
                    entry: created,
                    created: true,
                });
            }
            if let Some(existing) = self.outbox_entry_by_key(&entry.idempotency_key).await? {
                if existing.payload != entry.payload {
                    tracing::warn!(
                        key = %entry.idempotency_key,
                        "outbox key already pending with a different payload; keeping the first"
                    );
                }
                return Ok(Enqueued {
                    entry: existing,
                    created: false,
                });
            }
        }
        Err(StoreError::Conflict {
            operation: "enqueue",
            detail: format!(
                "outbox entries with key {:?} keep appearing and disappearing",
                entry.idempotency_key
            ),
        })
    }

    async fn insert_outbox_entry(
        &self,
        entry: &NewOutboxEntry,
    ) -> StoreResult<Option<OutboxEntry>> {
        let created_at = DbTime::now();
        let next_attempt_at = entry.not_before.map_or(created_at, DbTime::new);
        let row: Option<OutboxRow> = with_pool!(&self.backend, |pool| {
            sqlx::query_as(INSERT)
                .bind(entry.idempotency_key.as_str())
                .bind(entry.mailbox.as_str())
                .bind(entry.kind.as_str())
                .bind(entry.target.as_str())
                .bind(entry.business_id.as_str())
                .bind(entry.payload.as_str())
                .bind(next_attempt_at)
                .bind(created_at)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::during("enqueue"))?;
        row.map(OutboxEntry::try_from).transpose()
    }

    /// The pending entry queued under `idempotency_key`, if any.
    pub async fn outbox_entry_by_key(
        &self,
        idempotency_key: &str,
    ) -> StoreResult<Option<OutboxEntry>> {
        let row: Option<OutboxRow> = with_pool!(&self.backend, |pool| {
            sqlx::query_as(SELECT_BY_KEY)
                .bind(idempotency_key)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::during("get outbox entry"))?;
        row.map(OutboxEntry::try_from).transpose()
    }

    /// Up to `limit` entries of `mailbox` due at `now` (next attempt at or before it), oldest
    /// first.
    pub async fn due_outbox(
        &self,
        mailbox: &str,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>> {
        let rows: Vec<OutboxRow> = with_pool!(&self.backend, |pool| {
            sqlx::query_as(SELECT_DUE)
                .bind(mailbox)
                .bind(DbTime::new(now))
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await
        })
        .map_err(StoreError::during("list due outbox entries"))?;
        rows.into_iter().map(OutboxEntry::try_from).collect()
    }

    /// Removes entry `id` once its write succeeded; `false` if it was not pending. To remove it
    /// together with the new base, use [`PassCommit::complete_outbox`](crate::PassCommit).
    pub async fn outbox_done(&self, id: OutboxId) -> StoreResult<bool> {
        let deleted = with_pool!(&self.backend, |pool| {
            sqlx::query(DELETE)
                .bind(id.0)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(StoreError::during("complete outbox entry"))?;
        Ok(deleted > 0)
    }

    /// Records a failed attempt of entry `id`: one more attempt, `error` as the last error,
    /// due again at `next_attempt_at`. Returns the updated entry, `None` if it was not pending.
    pub async fn outbox_failed(
        &self,
        id: OutboxId,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> StoreResult<Option<OutboxEntry>> {
        let row: Option<OutboxRow> = with_pool!(&self.backend, |pool| {
            sqlx::query_as(RECORD_FAILURE)
                .bind(id.0)
                .bind(error)
                .bind(DbTime::new(next_attempt_at))
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::during("record outbox failure"))?;
        row.map(OutboxEntry::try_from).transpose()
    }

    /// How many entries of `mailbox` are pending, due or not.
    pub async fn count_outbox(&self, mailbox: &str) -> StoreResult<u64> {
        let count: i64 = with_pool!(&self.backend, |pool| {
            sqlx::query_scalar(COUNT)
                .bind(mailbox)
                .fetch_one(pool)
                .await
        })
        .map_err(StoreError::during("count outbox entries"))?;
        Ok(u64::try_from(count).unwrap_or_default())
    }
}

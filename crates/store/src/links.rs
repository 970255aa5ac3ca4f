//! Links: one row per synced item, tying a business record to its Exchange item and holding the
//! base snapshot, the last state both sides agreed on.
//!
//! Invariants: within one mailbox and kind a business id and an Exchange id each belong to at
//! most one link (the database enforces both); a link's fingerprint is the xxh3 of exactly its
//! snapshot text, and a link has a fingerprint exactly when it has a snapshot.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use exsync_model::ItemKind;
use serde::Serialize;

use crate::backend::with_pool;
use crate::error::{StoreError, StoreResult};
use crate::store::StateStore;
use crate::time::DbTime;

/// The stable fingerprint of a snapshot's JSON text: xxh3-64 of its bytes, as a signed 64-bit
/// integer (the bits unchanged) so that both databases store it natively.
///
/// Equal texts give equal fingerprints; the runtime can compare the fingerprint of an item's
/// current state, serialised the same way, with [`LinkHead::base_fingerprint`] without loading
/// the base.
pub fn fingerprint(json: &str) -> i64 {
    i64::from_ne_bytes(xxhash_rust::xxh3::xxh3_64(json.as_bytes()).to_ne_bytes())
}

/// The last state both sides agreed on for one item: opaque JSON text and its fingerprint.
/// Cheap to clone: clones share the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseSnapshot {
    json: Arc<str>,
    fingerprint: i64,
}

impl BaseSnapshot {
    /// A snapshot of `json`, taken as is (the store does not parse it).
    pub fn new(json: impl Into<Arc<str>>) -> Self {
        let json = json.into();
        let fingerprint = fingerprint(&json);
        BaseSnapshot { json, fingerprint }
    }

    /// A snapshot of `value` serialised with `serde_json`.
    pub fn from_serialize<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_string(value).map(BaseSnapshot::new)
    }

    /// The JSON text.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The JSON text, shared.
    pub fn shared_json(&self) -> Arc<str> {
        Arc::clone(&self.json)
    }

    /// The [`fingerprint`] of the JSON text.
    pub fn fingerprint(&self) -> i64 {
        self.fingerprint
    }
}

/// A stored link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The mailbox address the item lives in.
    pub mailbox: String,
    /// What the item is.
    pub kind: ItemKind,
    /// The business application's record id.
    pub business_id: String,
    /// The Exchange item id; `None` until the item has been created on Exchange.
    pub exchange_id: Option<String>,
    /// The Exchange change key of the version in [`base`](Self::base).
    pub exchange_change_key: Option<String>,
    /// The last state both sides agreed on; `None` before the first agreement.
    pub base: Option<BaseSnapshot>,
    /// When the link was last written.
    pub updated_at: DateTime<Utc>,
}

/// A link without its snapshot: enough to see which items changed since their base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkHead {
    /// The business application's record id.
    pub business_id: String,
    /// The Exchange item id, once created.
    pub exchange_id: Option<String>,
    /// The Exchange change key of the base version.
    pub exchange_change_key: Option<String>,
    /// The [`fingerprint`] of the base snapshot, if there is one.
    pub base_fingerprint: Option<i64>,
    /// When the link was last written.
    pub updated_at: DateTime<Utc>,
}

/// The full new state of one link, written by [`StateStore::commit`] or
/// [`StateStore::upsert_links`]: it replaces every field of the link with the same mailbox,
/// kind and business id, or creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkUpsert {
    /// The mailbox address the item lives in.
    pub mailbox: String,
    /// What the item is.
    pub kind: ItemKind,
    /// The business application's record id.
    pub business_id: String,
    /// The Exchange item id, once created.
    pub exchange_id: Option<String>,
    /// The Exchange change key of the version in `base`.
    pub exchange_change_key: Option<String>,
    /// The new base snapshot.
    pub base: Option<BaseSnapshot>,
}

impl LinkUpsert {
    /// A link of a business record not yet on Exchange and without a base.
    pub fn new(mailbox: impl Into<String>, kind: ItemKind, business_id: impl Into<String>) -> Self {
        LinkUpsert {
            mailbox: mailbox.into(),
            kind,
            business_id: business_id.into(),
            exchange_id: None,
            exchange_change_key: None,
            base: None,
        }
    }

    /// With the Exchange item id and change key.
    pub fn exchange(
        mut self,
        exchange_id: impl Into<String>,
        change_key: Option<impl Into<String>>,
    ) -> Self {
        self.exchange_id = Some(exchange_id.into());
        self.exchange_change_key = change_key.map(Into::into);
        self
    }

    /// With a base snapshot.
    pub fn base(mut self, base: BaseSnapshot) -> Self {
        self.base = Some(base);
        self
    }
}

/// Expands to the link columns, in the order [`LinkRow`] reads them.
macro_rules! link_columns {
    () => {
        "mailbox, kind, business_id, exchange_id, exchange_change_key, \
         base_snapshot, base_fingerprint, updated_at"
    };
}

const SELECT_BY_BUSINESS_ID: &str = concat!(
    "SELECT ",
    link_columns!(),
    " FROM exsync_links WHERE mailbox = $1 AND kind = $2 AND business_id = $3"
);
const SELECT_BY_EXCHANGE_ID: &str = concat!(
    "SELECT ",
    link_columns!(),
    " FROM exsync_links WHERE mailbox = $1 AND kind = $2 AND exchange_id = $3"
);
const SELECT_ALL: &str = concat!(
    "SELECT ",
    link_columns!(),
    " FROM exsync_links WHERE mailbox = $1 AND kind = $2 ORDER BY business_id"
);
const SELECT_HEADS: &str = "SELECT business_id, exchange_id, exchange_change_key, \
     base_fingerprint, updated_at FROM exsync_links \
     WHERE mailbox = $1 AND kind = $2 ORDER BY business_id";
const COUNT: &str = "SELECT COUNT(*) FROM exsync_links WHERE mailbox = $1 AND kind = $2";
/// Deletes one link; shared with [`StateStore::commit`].
pub(crate) const DELETE_BY_BUSINESS_ID: &str =
    "DELETE FROM exsync_links WHERE mailbox = $1 AND kind = $2 AND business_id = $3";

/// A link row as stored.
#[derive(sqlx::FromRow)]
struct LinkRow {
    mailbox: String,
    kind: String,
    business_id: String,
    exchange_id: Option<String>,
    exchange_change_key: Option<String>,
    base_snapshot: Option<String>,
    base_fingerprint: Option<i64>,
    updated_at: DbTime,
}

impl TryFrom<LinkRow> for Link {
    type Error = StoreError;

    fn try_from(row: LinkRow) -> Result<Self, StoreError> {
        let kind = parse_kind("exsync_links", &row.kind)?;
        let base = match (row.base_snapshot, row.base_fingerprint) {
            (Some(json), Some(fingerprint)) => Some(BaseSnapshot {
                json: json.into(),
                fingerprint,
            }),
            (None, None) => None,
            _ => {
                return Err(StoreError::Corrupt {
                    table: "exsync_links",
                    detail: format!(
                        "link {:?} has a snapshot without fingerprint",
                        row.business_id
                    ),
                });
            }
        };
        Ok(Link {
            mailbox: row.mailbox,
            kind,
            business_id: row.business_id,
            exchange_id: row.exchange_id,
            exchange_change_key: row.exchange_change_key,
            base,
            updated_at: row.updated_at.get(),
        })
    }
}

/// A [`LinkHead`] row as stored.
#[derive(sqlx::FromRow)]
struct LinkHeadRow {
    business_id: String,
    exchange_id: Option<String>,
    exchange_change_key: Option<String>,
    base_fingerprint: Option<i64>,
    updated_at: DbTime,
}

/// Reads a stored item kind name.
pub(crate) fn parse_kind(table: &'static str, name: &str) -> StoreResult<ItemKind> {
    name.parse().map_err(|error| StoreError::Corrupt {
        table,
        detail: format!("{error}"),
    })
}

impl StateStore {
    /// The link of business record `business_id`, if any.
    pub async fn link_by_business_id(
        &self,
        mailbox: &str,
        kind: ItemKind,
        business_id: &str,
    ) -> StoreResult<Option<Link>> {
        let row: Option<LinkRow> = with_pool!(&self.backend, |pool| {
            sqlx::query_as(SELECT_BY_BUSINESS_ID)
                .bind(mailbox)
                .bind(kind.as_str())
                .bind(business_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::during("get link by business id"))?;
        row.map(Link::try_from).transpose()
    }

    /// The link of Exchange item `exchange_id`, if any.
    pub async fn link_by_exchange_id(
        &self,
        mailbox: &str,
        kind: ItemKind,
        exchange_id: &str,
    ) -> StoreResult<Option<Link>> {
        let row: Option<LinkRow> = with_pool!(&self.backend, |pool| {
            sqlx::query_as(SELECT_BY_EXCHANGE_ID)
                .bind(mailbox)
                .bind(kind.as_str())
                .bind(exchange_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::during("get link by exchange id"))?;
        row.map(Link::try_from).transpose()
    }

    /// Every link of `mailbox` and `kind`, with snapshots, ordered by business id (byte order).
    /// One indexed query; [`link_heads`](Self::link_heads) is lighter when the snapshots are
    /// not needed.
    pub async fn links(&self, mailbox: &str, kind: ItemKind) -> StoreResult<Vec<Link>> {
        let rows: Vec<LinkRow> = with_pool!(&self.backend, |pool| {
            sqlx::query_as(SELECT_ALL)
                .bind(mailbox)
                .bind(kind.as_str())
                .fetch_all(pool)
                .await
        })
        .map_err(StoreError::during("list links"))?;
        rows.into_iter().map(Link::try_from).collect()
    }

    /// Every link of `mailbox` and `kind` without snapshots, ordered by business id.
    pub async fn link_heads(&self, mailbox: &str, kind: ItemKind) -> StoreResult<Vec<LinkHead>> {
        let rows: Vec<LinkHeadRow> = with_pool!(&self.backend, |pool| {
            sqlx::query_as(SELECT_HEADS)
                .bind(mailbox)
                .bind(kind.as_str())
                .fetch_all(pool)
                .await
        })
        .map_err(StoreError::during("list link heads"))?;
        Ok(rows
            .into_iter()
            .map(|row| LinkHead {
                business_id: row.business_id,
                exchange_id: row.exchange_id,
                exchange_change_key: row.exchange_change_key,
                base_fingerprint: row.base_fingerprint,
                updated_at: row.updated_at.get(),
            })
            .collect())
    }

    /// How many links `mailbox` has of `kind`.
    pub async fn count_links(&self, mailbox: &str, kind: ItemKind) -> StoreResult<u64> {
        let count: i64 = with_pool!(&self.backend, |pool| {
            sqlx::query_scalar(COUNT)
                .bind(mailbox)
                .bind(kind.as_str())
                .fetch_one(pool)
                .await
        })
        .map_err(StoreError::during("count links"))?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// Forgets the link of business record `business_id`; `false` if there was none.
    pub async fn unlink(
        &self,
        mailbox: &str,
        kind: ItemKind,
        business_id: &str,
    ) -> StoreResult<bool> {
        let result = with_pool!(&self.backend, |pool| {
            sqlx::query(DELETE_BY_BUSINESS_ID)
                .bind(mailbox)
                .bind(kind.as_str())
                .bind(business_id)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(StoreError::during("unlink"))?;
        Ok(result > 0)
    }
}

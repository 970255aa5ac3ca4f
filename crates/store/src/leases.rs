//! Leases: time-limited ownership of a resource (e.g. a mailbox) by one exsync instance, so that
//! several instances sharing one PostgreSQL split the work without doing it twice.
//!
//! Invariant: at any instant at most one holder has an unexpired lease on a resource. Acquiring
//! is one atomic upsert whose conflict branch only fires when the lease is free, expired or
//! already the caller's, so concurrent callers cannot both win. Callers pass `now` (their
//! clock); instances sharing a database need clocks closer together than the lease duration.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::backend::with_pool;
use crate::error::{StoreError, StoreResult};
use crate::store::StateStore;
use crate::time::DbTime;

/// Who holds a resource, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// What is leased, e.g. a mailbox address.
    pub resource: String,
    /// The instance holding it.
    pub holder: String,
    /// When this holder first acquired it (renewals keep this).
    pub acquired_at: DateTime<Utc>,
    /// When it lapses unless renewed.
    pub expires_at: DateTime<Utc>,
}

/// Takes a free or expired lease, or renews the caller's own; returns a row only on success.
const ACQUIRE: &str = "INSERT INTO exsync_leases (resource, holder, acquired_at, expires_at) \
     VALUES ($1, $2, $3, $4) \
     ON CONFLICT (resource) DO UPDATE SET \
       holder = excluded.holder, \
       acquired_at = CASE WHEN exsync_leases.holder = excluded.holder \
                          THEN exsync_leases.acquired_at ELSE excluded.acquired_at END, \
       expires_at = excluded.expires_at \
     WHERE exsync_leases.holder = excluded.holder \
        OR exsync_leases.expires_at <= excluded.acquired_at \
     RETURNING holder";
const RELEASE: &str = "DELETE FROM exsync_leases WHERE resource = $1 AND holder = $2";
const RENEW_ALL: &str = "UPDATE exsync_leases SET expires_at = $3 \
     WHERE holder = $1 AND resource LIKE $4 AND expires_at > $2 RETURNING resource";
const RELEASE_ALL: &str = "DELETE FROM exsync_leases WHERE holder = $1 AND resource LIKE $2";
const SELECT_LIVE_PREFIX: &str = "SELECT resource, holder, acquired_at, expires_at FROM exsync_leases \
     WHERE resource LIKE $1 AND expires_at > $2 ORDER BY resource";
const SELECT_LIVE: &str = "SELECT resource, holder, acquired_at, expires_at FROM exsync_leases \
     WHERE resource = $1 AND expires_at > $2";

#[derive(sqlx::FromRow)]
struct LeaseRow {
    resource: String,
    holder: String,
    acquired_at: DbTime,
    expires_at: DbTime,
}

impl StateStore {
    /// Takes the lease on `resource` for `holder` until `now + ttl` if it is free, expired, or
    /// already held by `holder` (then this renews it). `false` if another holder's lease is
    /// still running at `now`.
    pub async fn try_acquire_lease(
        &self,
        resource: &str,
        holder: &str,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let expires_at = expiry(now, ttl)?;
        let won: Option<String> = with_pool!(&self.backend, |pool| {
            sqlx::query_scalar(ACQUIRE)
                .bind(resource)
                .bind(holder)
                .bind(DbTime::new(now))
                .bind(DbTime::new(expires_at))
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::during("acquire lease"))?;
        tracing::debug!(resource, holder, acquired = won.is_some(), "lease attempt");
        Ok(won.is_some())
    }

    /// Gives up `holder`'s lease on `resource`; `false` if `holder` did not hold it (e.g. it
    /// expired and another holder took it).
    pub async fn release_lease(&self, resource: &str, holder: &str) -> StoreResult<bool> {
        let deleted = with_pool!(&self.backend, |pool| {
            sqlx::query(RELEASE)
                .bind(resource)
                .bind(holder)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(StoreError::during("release lease"))?;
        Ok(deleted > 0)
    }

    /// Renews, in one statement, every lease `holder` still holds at `now` on a resource
    /// starting with `prefix`, until `now + ttl`; returns the renewed resources. A lease that
    /// expired meanwhile is not renewed (another holder may have it now): the caller has lost it.
    pub async fn renew_leases(
        &self,
        holder: &str,
        prefix: &str,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<String>> {
        let expires_at = expiry(now, ttl)?;
        let pattern = like_prefix(prefix);
        let mut renewed: Vec<String> = with_pool!(&self.backend, |pool| {
            sqlx::query_scalar(RENEW_ALL)
                .bind(holder)
                .bind(DbTime::new(now))
                .bind(DbTime::new(expires_at))
                .bind(&pattern)
                .fetch_all(pool)
                .await
        })
        .map_err(StoreError::during("renew leases"))?;
        renewed.sort();
        Ok(renewed)
    }

    /// Gives up every lease of `holder` on a resource starting with `prefix`; how many.
    pub async fn release_leases(&self, holder: &str, prefix: &str) -> StoreResult<u64> {
        let pattern = like_prefix(prefix);
        with_pool!(&self.backend, |pool| {
            sqlx::query(RELEASE_ALL)
                .bind(holder)
                .bind(&pattern)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(StoreError::during("release leases"))
    }

    /// The leases running at `now` on resources starting with `prefix`, by resource.
    pub async fn live_leases(&self, prefix: &str, now: DateTime<Utc>) -> StoreResult<Vec<Lease>> {
        let pattern = like_prefix(prefix);
        let rows: Vec<LeaseRow> = with_pool!(&self.backend, |pool| {
            sqlx::query_as(SELECT_LIVE_PREFIX)
                .bind(&pattern)
                .bind(DbTime::new(now))
                .fetch_all(pool)
                .await
        })
        .map_err(StoreError::during("list leases"))?;
        Ok(rows
            .into_iter()
            .map(|row| Lease {
                resource: row.resource,
                holder: row.holder,
                acquired_at: row.acquired_at.get(),
                expires_at: row.expires_at.get(),
            })
            .collect())
    }

    /// The lease on `resource` that is running at `now`; `None` if free or expired.
    pub async fn lease_holder(
        &self,
        resource: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Lease>> {
        let row: Option<LeaseRow> = with_pool!(&self.backend, |pool| {
            sqlx::query_as(SELECT_LIVE)
                .bind(resource)
                .bind(DbTime::new(now))
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::during("get lease"))?;
        Ok(row.map(|row| Lease {
            resource: row.resource,
            holder: row.holder,
            acquired_at: row.acquired_at.get(),
            expires_at: row.expires_at.get(),
        }))
    }
}

/// `now + ttl`, refused when the duration is zero or the sum overflows.
fn expiry(now: DateTime<Utc>, ttl: Duration) -> StoreResult<DateTime<Utc>> {
    let ttl = TimeDelta::from_std(ttl)
        .ok()
        .filter(|ttl| *ttl > TimeDelta::zero())
        .ok_or_else(|| StoreError::Invalid(format!("lease duration {ttl:?} out of range")))?;
    now.checked_add_signed(ttl)
        .ok_or_else(|| StoreError::Invalid(format!("lease from {now} for {ttl} overflows")))
}

/// A LIKE pattern matching what starts with `prefix` (its `%` and `_` taken literally is not
/// needed: exsync's prefixes are `mailbox:` and `instance:`, free of wildcards).
fn like_prefix(prefix: &str) -> String {
    debug_assert!(
        !prefix.contains(['%', '_']),
        "lease prefixes hold no wildcards"
    );
    format!("{prefix}%")
}

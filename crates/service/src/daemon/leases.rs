//! Splitting the mailboxes between the `exsync run` processes sharing one state store.
//!
//! Every instance keeps a lease `instance:<holder>` alive, so each knows how many instances
//! run; it claims free mailbox leases (`mailbox:<address>`) up to its fair share (the wanted
//! mailboxes divided by the live instances, rounded up), renews what it holds every third of
//! the lease time in one statement, and gives back idle mailboxes above its share so that a
//! newly started instance gets work. A killed instance renews nothing: its leases lapse and
//! the others claim them within one lease time. Only leases free at the heartbeat are tried,
//! so a busy neighbour costs one listing, not an attempt per mailbox.
//!
//! Invariant: a mailbox is scheduled only while its lease is held (the store's atomic
//! acquire makes that one holder at a time); a lease found lost on renewal is dropped at
//! once.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use exsync_store::{StateStore, StoreError};

const MAILBOX_PREFIX: &str = "mailbox:";
const INSTANCE_PREFIX: &str = "instance:";

/// The resource name of a mailbox's lease (the same `sync --once` takes).
pub fn mailbox_resource(key: &str) -> String {
    exsync_runtime::mailbox_lease(key)
}

/// What a heartbeat changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LeaseChanges {
    /// Mailbox keys newly held.
    pub gained: Vec<String>,
    /// Mailbox keys no longer held (lost, given back, or no longer wanted).
    pub lost: Vec<String>,
}

/// This instance's leases.
#[derive(Debug)]
pub struct LeaseKeeper {
    holder: String,
    lease_time: Duration,
    held: BTreeSet<String>,
    /// When the held leases were last renewed (they run until this plus the lease time).
    renewed_at: Option<DateTime<Utc>>,
}

impl LeaseKeeper {
    /// A keeper for `holder` (unique per process) with leases of `lease_time`.
    pub fn new(holder: impl Into<String>, lease_time: Duration) -> Self {
        LeaseKeeper {
            holder: holder.into(),
            lease_time,
            held: BTreeSet::new(),
            renewed_at: None,
        }
    }

    /// The holder name.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// How often [`LeaseKeeper::heartbeat`] must run.
    pub fn heartbeat_interval(&self) -> Duration {
        self.lease_time / 3
    }

    /// Whether `key`'s lease is held.
    pub fn holds(&self, key: &str) -> bool {
        self.held.contains(key)
    }

    /// Renews, claims and gives back leases at `now`. `wanted` are the mailbox keys on the
    /// roster; `busy(key)` says whether a mailbox must not be given back now (a job runs or
    /// changes wait). On an error, what [`LeaseKeeper::holds`] says is still true: leases
    /// claimed before the error are held, and leases not renewed within their time are
    /// counted as lost.
    pub async fn heartbeat(
        &mut self,
        state: &StateStore,
        wanted: &BTreeSet<String>,
        busy: impl Fn(&str) -> bool,
        now: DateTime<Utc>,
    ) -> Result<LeaseChanges, StoreError> {
        let beat = self.beat(state, wanted, busy, now).await;
        if beat.is_err() {
            let lapsed = self.renewed_at.is_none_or(|at| {
                chrono::TimeDelta::from_std(self.lease_time).is_ok_and(|ttl| now >= at + ttl)
            });
            if lapsed && !self.held.is_empty() {
                tracing::warn!(
                    "the mailbox leases could not be renewed within their time; this instance stops syncing until it can"
                );
                self.held.clear();
            }
        }
        beat
    }

    async fn beat(
        &mut self,
        state: &StateStore,
        wanted: &BTreeSet<String>,
        busy: impl Fn(&str) -> bool,
        now: DateTime<Utc>,
    ) -> Result<LeaseChanges, StoreError> {
        let mut changes = LeaseChanges::default();
        let instance = format!("{INSTANCE_PREFIX}{}", self.holder);
        state
            .try_acquire_lease(&instance, &self.holder, self.lease_time, now)
            .await?;
        let renewed: BTreeSet<String> = state
            .renew_leases(&self.holder, MAILBOX_PREFIX, self.lease_time, now)
            .await?
            .into_iter()
            .filter_map(|resource| resource.strip_prefix(MAILBOX_PREFIX).map(str::to_owned))
            .collect();
        for key in self.held.difference(&renewed) {
            tracing::warn!(
                mailbox = key.as_str(),
                "the lease on this mailbox lapsed and another instance may have it now; this instance stops syncing it"
            );
            changes.lost.push(key.clone());
        }
        self.held = renewed;
        self.renewed_at = Some(now);
        for key in self.held.clone() {
            if !wanted.contains(&key) && !busy(&key) {
                state
                    .release_lease(&mailbox_resource(&key), &self.holder)
                    .await?;
                self.held.remove(&key);
                changes.lost.push(key);
            }
        }
        let instances = state.live_leases(INSTANCE_PREFIX, now).await?.len().max(1);
        let share = wanted.len().div_ceil(instances);
        let taken: BTreeSet<String> = if self.held.len() < share {
            state
                .live_leases(MAILBOX_PREFIX, now)
                .await?
                .into_iter()
                .filter_map(|lease| {
                    lease
                        .resource
                        .strip_prefix(MAILBOX_PREFIX)
                        .map(str::to_owned)
                })
                .collect()
        } else {
            BTreeSet::new()
        };
        for key in wanted {
            if self.held.len() >= share {
                break;
            }
            if self.held.contains(key) || taken.contains(key) {
                continue;
            }
            let resource = mailbox_resource(key);
            if state
                .try_acquire_lease(&resource, &self.holder, self.lease_time, now)
                .await?
            {
                self.held.insert(key.clone());
                changes.gained.push(key.clone());
            }
        }
        let surplus = self.held.len().saturating_sub(share);
        let idle: Vec<String> = self
            .held
            .iter()
            .filter(|key| !busy(key))
            .rev()
            .take(surplus)
            .cloned()
            .collect();
        for key in idle {
            state
                .release_lease(&mailbox_resource(&key), &self.holder)
                .await?;
            self.held.remove(&key);
            changes.lost.push(key);
        }
        Ok(changes)
    }

    /// Gives back the lease on `key` (a user left the roster and its last job ended).
    pub async fn give_back(&mut self, state: &StateStore, key: &str) -> Result<(), StoreError> {
        if self.held.remove(key) {
            state
                .release_lease(&mailbox_resource(key), &self.holder)
                .await?;
        }
        Ok(())
    }

    /// Extends every held lease to `now + ttl` (the service is stopping and its last passes
    /// need their leases a little longer than a heartbeat might come).
    pub async fn extend(
        &mut self,
        state: &StateStore,
        ttl: Duration,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.held = state
            .renew_leases(&self.holder, MAILBOX_PREFIX, ttl, now)
            .await?
            .into_iter()
            .filter_map(|resource| resource.strip_prefix(MAILBOX_PREFIX).map(str::to_owned))
            .collect();
        Ok(())
    }

    /// Gives back every lease (the service stops).
    pub async fn release_all(&mut self, state: &StateStore) -> Result<(), StoreError> {
        self.held.clear();
        state.release_leases(&self.holder, MAILBOX_PREFIX).await?;
        state.release_leases(&self.holder, INSTANCE_PREFIX).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(n: usize) -> BTreeSet<String> {
        (0..n).map(|i| format!("user{i:02}@example.com")).collect()
    }

    #[tokio::test]
    async fn two_instances_split_the_mailboxes_and_one_takes_over_when_the_other_dies() {
        let state = StateStore::connect("sqlite::memory:").await.expect("store");
        let ttl = Duration::from_secs(30);
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).expect("valid");
        let at = |s: i64| t0 + chrono::TimeDelta::seconds(s);
        let all = wanted(10);
        let mut one = LeaseKeeper::new("one", ttl);
        let mut two = LeaseKeeper::new("two", ttl);
        let first = one
            .heartbeat(&state, &all, |_| false, t0)
            .await
            .expect("beat");
        assert_eq!(first.gained.len(), 10, "alone, it takes everything");
        two.heartbeat(&state, &all, |_| false, at(1))
            .await
            .expect("beat");
        // "one" sees two instances now and gives back its surplus; "two" claims it.
        let given = one
            .heartbeat(&state, &all, |_| false, at(10))
            .await
            .expect("beat");
        assert_eq!(given.lost.len(), 5);
        let taken = two
            .heartbeat(&state, &all, |_| false, at(11))
            .await
            .expect("beat");
        assert_eq!(taken.gained.len(), 5);
        assert!(
            all.iter().all(|k| one.holds(k) != two.holds(k)),
            "never both, never none"
        );
        // "two" dies; after the lease time "one" holds everything again.
        one.heartbeat(&state, &all, |_| false, at(20))
            .await
            .expect("beat");
        let back = one
            .heartbeat(&state, &all, |_| false, at(45))
            .await
            .expect("beat");
        assert_eq!(back.gained.len(), 5);
        assert!(all.iter().all(|k| one.holds(k)));
    }

    #[tokio::test]
    async fn a_busy_mailbox_is_not_given_back_and_a_lapsed_lease_is_dropped() {
        let state = StateStore::connect("sqlite::memory:").await.expect("store");
        let ttl = Duration::from_secs(30);
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).expect("valid");
        let at = |s: i64| t0 + chrono::TimeDelta::seconds(s);
        let all = wanted(2);
        let mut one = LeaseKeeper::new("one", ttl);
        one.heartbeat(&state, &all, |_| false, t0)
            .await
            .expect("beat");
        let fewer = wanted(1);
        let changes = one
            .heartbeat(&state, &fewer, |_| true, at(5))
            .await
            .expect("beat");
        assert!(changes.lost.is_empty(), "busy: kept until its job ends");
        // The process stalls past the lease time; another instance takes the mailbox.
        assert!(
            state
                .try_acquire_lease(&mailbox_resource("user00@example.com"), "two", ttl, at(40))
                .await
                .expect("steal")
        );
        let changes = one
            .heartbeat(&state, &fewer, |_| false, at(41))
            .await
            .expect("beat");
        assert!(changes.lost.contains(&"user00@example.com".to_owned()));
        assert!(!one.holds("user00@example.com"));
    }
}

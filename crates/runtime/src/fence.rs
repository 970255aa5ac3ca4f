//! The lease check before a pass commits: a process that stalled longer than its lease (a
//! paused VM, a stopped debugger) may find another process syncing its mailbox by now; its
//! pass then commits nothing, so it cannot overwrite the newer state the other one stored.
//!
//! Invariant: the check reads the lease just before the commit; what the stalled pass already
//! wrote to either side is found again by the other process (creates carry the business id
//! and transaction id, so nothing is duplicated).

use chrono::{TimeDelta, Utc};
use exsync_store::StateStore;

/// Whose lease a pass runs under, and on which clock the lease was taken.
#[derive(Debug, Clone, Copy)]
pub struct LeaseFence<'a> {
    /// The holder that took the mailbox's lease.
    pub holder: &'a str,
    /// The lease clock minus the real clock (zero, except for runs on a given clock such as
    /// tests of a later day).
    pub clock_offset: TimeDelta,
}

/// The resource name of a mailbox's lease (the service and `sync --once` take the same).
pub fn mailbox_lease(mailbox: &str) -> String {
    format!("mailbox:{}", mailbox.to_ascii_lowercase())
}

/// `Ok` while `fence.holder` still holds `mailbox`'s lease; otherwise why the pass must not
/// commit.
pub(crate) async fn check_lease(
    state: &StateStore,
    mailbox: &str,
    fence: LeaseFence<'_>,
) -> Result<(), String> {
    let holder = fence.holder;
    let lease = state
        .lease_holder(&mailbox_lease(mailbox), Utc::now() + fence.clock_offset)
        .await
        .map_err(|e| format!("reading the mailbox's lease before committing: {e}"))?;
    match lease {
        Some(lease) if lease.holder == holder => Ok(()),
        Some(lease) => Err(format!(
            "the lease on mailbox {mailbox} passed to exsync process {:?} during this pass (this \
             process stalled longer than service.lease_time); nothing of this pass was committed, \
             the other process syncs the mailbox now",
            lease.holder
        )),
        None => Err(format!(
            "the lease on mailbox {mailbox} lapsed during this pass (this process stalled longer \
             than service.lease_time); nothing of this pass was committed, the next pass starts \
             over"
        )),
    }
}

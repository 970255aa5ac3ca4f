//! Watching the business change journal: PostgreSQL notifies (`LISTEN`), SQLite is read about
//! every second; each new entry not written by exsync itself becomes a notice for the
//! scheduler (whose mailbox, which kind), and a change to the users table a roster refresh.
//!
//! Invariant: the journal is the truth, a notification only says "read it"; entries are read
//! in `seq` order from the last one seen, so none is missed. When the watcher loses the
//! database it says so ([`Noticed::Everything`]) once it is back, because entries may have
//! been missed by a listener.

use std::collections::BTreeMap;
use std::time::Duration;

use exsync_business::{BusinessDb, EntityKind, JournalEntry, Origin};
use tokio::sync::mpsc::UnboundedSender;

use super::schedule::KindSet;

/// What the journal says the scheduler should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Noticed {
    /// Items of `kinds` changed for `login` (`None`: for every mailbox, e.g. company contacts).
    Items {
        /// Whose mailbox.
        login: Option<String>,
        /// Which kinds.
        kinds: KindSet,
        /// How many journal entries.
        count: u64,
    },
    /// The users table changed: read the roster again.
    Users,
    /// Something may have been missed: every mailbox may have changes, re-read the roster.
    Everything,
}

/// Entries read per query.
const PAGE: u32 = 1_000;

/// The journal is read at least this often.
const REREAD_AFTER: Duration = Duration::from_secs(2);

/// Watches the journal until the receiver is gone, sending notices.
pub async fn watch_journal(business: BusinessDb, notices: UnboundedSender<Noticed>) {
    let mut last_seq = None;
    loop {
        match watch_once(&business, &notices, &mut last_seq).await {
            Ok(()) => return,
            Err(error) => {
                tracing::error!(%error, "watching the business change journal failed; trying again in 5 s");
                tokio::time::sleep(Duration::from_secs(5)).await;
                if notices.send(Noticed::Everything).is_err() {
                    return;
                }
            }
        }
    }
}

/// One listening session; `Ok` when the receiver is gone.
async fn watch_once(
    business: &BusinessDb,
    notices: &UnboundedSender<Noticed>,
    last_seq: &mut Option<i64>,
) -> Result<(), exsync_business::BusinessError> {
    let mut listener = business.listen_journal().await?;
    let mut seen = match *last_seq {
        Some(seq) => seq,
        None => business.latest_journal_seq().await?,
    };
    *last_seq = Some(seen);
    loop {
        // Read first: entries written while the listener was being set up are not missed.
        loop {
            let entries = business.read_journal(seen, PAGE).await?;
            let Some(last) = entries.last() else { break };
            seen = last.seq;
            *last_seq = Some(seen);
            for notice in notices_of(&entries) {
                if notices.send(notice).is_err() {
                    return Ok(());
                }
            }
            if entries.len() < PAGE as usize {
                break;
            }
        }
        if notices.is_closed() {
            return Ok(());
        }
        // Read again after a while even without a signal: on PostgreSQL an entry is
        // readable only once every older transaction has ended, which may be after its NOTIFY.
        if let Ok(signal) = tokio::time::timeout(REREAD_AFTER, listener.recv()).await
            && let exsync_business::JournalSignal::Reconnected = signal?
        {
            tracing::warn!(
                "the journal notification connection was re-established; reading the journal again"
            );
        }
    }
}

/// The notices for a page of entries: exsync's own writes left out, one notice per user.
pub fn notices_of(entries: &[JournalEntry]) -> Vec<Noticed> {
    let mut users_changed = false;
    let mut per_owner: BTreeMap<Option<String>, (KindSet, u64)> = BTreeMap::new();
    for entry in entries.iter().filter(|e| e.origin != Origin::Exsync) {
        let Some(kind) = entry.kind.item_kind() else {
            users_changed |= entry.kind == EntityKind::User;
            continue;
        };
        let owner = match entry.kind {
            EntityKind::Contact => None,
            _ => entry.owner.clone(),
        };
        let slot = per_owner.entry(owner).or_default();
        slot.0 = slot.0.with(KindSet::of([kind]));
        slot.1 += 1;
    }
    let mut notices: Vec<Noticed> = per_owner
        .into_iter()
        .map(|(login, (kinds, count))| Noticed::Items {
            login,
            kinds,
            count,
        })
        .collect();
    if users_changed {
        notices.insert(0, Noticed::Users);
    }
    notices
}

//! One sync pass for one mailbox and one item kind: read the links and their bases, list the
//! business records, collect Exchange's changes, plan, apply, commit.
//!
//! Invariants:
//! - An op's link and base are committed only when all of its writes succeeded (see
//!   `exsync_engine::Op`); everything the pass commits goes into one state-store transaction.
//! - The Exchange cursor advances only when every op succeeded; otherwise the next pass reads
//!   the same changes again (harmless: what was committed now compares equal to its base).
//! - A failure of one item is recorded with its reason and costs nothing else; a failure that
//!   makes the mailbox unusable (auth, permission) ends the pass with that failure.
//! - Held deletions run only with an approval written before the pass started (`approval`);
//!   the approval is consumed once the pass committed. Under "changes only" the start mark
//!   (`start_mark`) is committed with the mailbox's first pass and keeps older unlinked items
//!   out of every plan.
//! - Unlinked items both sides hold are paired, not copied (`pairing`); while items are held
//!   out as ambiguous the Exchange cursor does not advance, so the next pass sees them again.

use std::collections::{HashMap, HashSet};

use chrono::{SubsecRound, Utc};
use exsync_business::BusinessDb;
use exsync_config::StartMode;
use exsync_engine::{Observed, Plan, Rules, Scope, SyncWindow, plan};
use exsync_model::{BusinessId, ExchangeId};
use exsync_store::{BaseSnapshot, LinkUpsert, PassCommit, StateStore};

use crate::apply::apply_plan;
use crate::approval::{consume_approval, pending_approval, settle_held};
use crate::exchange::{ExchangeSide, LinkedItem, LinkedItems};
use crate::kind::SyncKind;
use crate::report::KindReport;
use crate::start_mark::{leave_out_older, start_mark, start_mark_cursor_name};
use crate::states::{LinkedBase, SidesNow, gather};

/// What every pass of a run shares.
pub struct PassEnv<'a> {
    /// The business database.
    pub business: &'a BusinessDb,
    /// The sync state.
    pub state: &'a StateStore,
    /// The sync rules from the configuration.
    pub rules: &'a Rules,
    /// The sync window.
    pub window: SyncWindow,
    /// Plan only: write nothing, commit nothing.
    pub dry_run: bool,
    /// What a mailbox's first sync does: everything in the window, or only later changes.
    pub start_mode: StartMode,
    /// The mailbox lease the pass runs under, checked just before the commit (`None`: no
    /// lease, e.g. tests of a single pass).
    pub lease: Option<crate::fence::LeaseFence<'a>>,
    /// Pair unlinked items both sides hold instead of copying them (`sync.pair_existing`).
    pub pair_existing: bool,
}

/// The business user whose mailbox a pass syncs.
#[derive(Debug, Clone, Copy)]
pub struct MailboxUser<'a> {
    /// Login in the business application.
    pub login: &'a str,
    /// Primary SMTP address of the mailbox.
    pub mailbox: &'a str,
}

/// Runs one pass of kind `T` for `user` through `exchange`.
pub async fn sync_kind<T: SyncKind, X: ExchangeSide<T>>(
    env: &PassEnv<'_>,
    user: MailboxUser<'_>,
    exchange: &X,
) -> (KindReport, Option<Plan<T>>) {
    let mut report = KindReport::new(user.login, user.mailbox, T::KIND);
    match run(env, user, exchange, &mut report).await {
        Ok(plan) => (report, Some(plan)),
        Err(failure) => {
            tracing::warn!(mailbox = user.mailbox, kind = %T::KIND, %failure, "pass failed");
            report.failure = Some(failure);
            (report, None)
        }
    }
}

async fn run<T: SyncKind, X: ExchangeSide<T>>(
    env: &PassEnv<'_>,
    user: MailboxUser<'_>,
    exchange: &X,
    report: &mut KindReport,
) -> Result<Plan<T>, String> {
    let mailbox = user.mailbox;
    let pass_started = Utc::now();
    let links = load_links::<T>(env.state, mailbox, report).await?;
    let (mut business, business_rejected) =
        list_business::<T>(env.business, user.login, report).await?;
    let cursor = env
        .state
        .cursor(mailbox, exchange.cursor_name())
        .await
        .map_err(|e| format!("reading the sync state: {e}"))?
        .map(|c| c.value);
    let first_sync = cursor.is_none() && links.is_empty();
    let mark = start_mark::<T>(env.state, env.start_mode, mailbox, first_sync, pass_started);
    let mark = mark.await?;
    if mark.is_some() {
        journal_times::<T>(env.business, user.login, &mut business).await?;
    }
    let approval = pending_approval(env.state, mailbox, T::KIND, pass_started).await?;
    let linked: LinkedItems<'_, T> = links
        .iter()
        .map(|l| {
            let item = LinkedItem {
                business_id: &l.business_id,
                base: &l.base,
            };
            (l.exchange_id.clone(), item)
        })
        .collect();
    let collected = exchange
        .collect(mailbox, cursor.as_deref(), &env.window, &linked)
        .await
        .map_err(|e| e.message)?;
    report.initial = collected.initial;
    // Linked items this pass leaves out (unreadable on Exchange, or a malformed business row):
    // the next round must read them again, even though the feed will not name them again.
    let mut left_out: Vec<ExchangeId> = collected.rejected.iter().map(|r| r.id.clone()).collect();
    left_out.extend(
        links
            .iter()
            .filter(|l| business_rejected.contains(&l.business_id))
            .map(|l| l.exchange_id.clone()),
    );
    for unreadable in &collected.rejected {
        report.reject(
            format!("Exchange {}", unreadable.id),
            unreadable.reason.clone(),
        );
    }
    let next_cursor = collected.next_cursor.clone();
    let gathered = gather(
        &links,
        SidesNow {
            business,
            business_rejected,
            exchange: collected,
        },
        env.pair_existing,
    );
    report.paired = gathered.paired.len();
    for ambiguity in &gathered.ambiguous {
        report.ambiguous.push(crate::report::Rejection {
            item: ambiguity.items.clone(),
            reason: ambiguity.message.clone(),
        });
    }
    report.notices.extend(gathered.lookalikes.iter().cloned());
    let window = env.window;
    let in_window = move |item: &T| item.in_window(&window);
    let scope = Scope::new(mailbox)
        .with_window(&in_window)
        .with_linked_total(links.len());
    let states = leave_out_older(gathered.states, mark.as_ref(), mailbox);
    let mut plan = plan(env.rules, &scope, states);
    settle_held(&mut plan, approval.as_ref(), user.login, report);
    crate::diagnostics::log_decisions(mailbox, &plan);
    // A pair's differences are settled by the conflict policy as it was linked: expected, so
    // not reported as conflicts (the diagnostics name them).
    for conflict in plan.conflicts.iter().filter(|c| {
        c.ids
            .exchange
            .as_ref()
            .is_none_or(|id| !gathered.paired.contains(id))
    }) {
        let what = conflict
            .field
            .unwrap_or("the item (edited on one side, deleted on the other)");
        report.notices.push(format!(
            "conflict on {}: {what} changed on both sides; kept the {} version",
            conflict.ids,
            conflict.winner.as_str()
        ));
    }
    for notice in &plan.notices {
        report.notices.push(format!(
            "{}: {:?} on the {} side ({:?})",
            notice.ids,
            notice.kind,
            notice.side.as_str(),
            notice.reason
        ));
    }
    if env.dry_run {
        // The counts say what a run would write.
        for op in &plan.ops {
            crate::apply::count(report, op);
        }
        return Ok(plan);
    }
    let fresh_keys = gathered.change_keys;
    let change_keys: HashMap<ExchangeId, String> = links
        .iter()
        .filter_map(|l| Some((l.exchange_id.clone(), l.change_key.clone()?)))
        .chain(fresh_keys.iter().map(|(id, key)| (id.clone(), key.clone())))
        .collect();
    let applied = apply_plan(
        env.business,
        user,
        exchange,
        &plan,
        &change_keys,
        &gathered.paired,
        report,
    )
    .await;
    let mut commit = applied.commit;
    refresh_change_keys(&mut commit, mailbox, &links, &fresh_keys, &plan);
    if let Some(mark) = mark.filter(|mark| mark.is_new) {
        commit.set_cursor(
            mailbox,
            start_mark_cursor_name(T::KIND),
            mark.at.to_rfc3339(),
        );
    }
    if applied.failed_writes == 0 && plan.held.is_none() && !gathered.hold_cursor {
        left_out.extend(applied.written.iter().cloned());
        let next_cursor = exchange.cursor_after_writes(&next_cursor, &left_out);
        commit.set_cursor(mailbox, exchange.cursor_name(), next_cursor);
    } else if let Some(old) = &cursor {
        // Some write failed, deletions are held or unlinked items were held out: the next
        // pass reads the same changes again, and also checks what this pass did write.
        let mut check = applied.written.clone();
        check.extend(applied.failed.iter().cloned());
        let kept = exchange.cursor_after_writes(old, &check);
        commit.set_cursor(mailbox, exchange.cursor_name(), kept);
    }
    if let Some(fence) = env.lease {
        crate::fence::check_lease(env.state, mailbox, fence).await?;
    }
    env.state
        .commit(&commit)
        .await
        .map_err(|e| format!("committing the sync state: {e}"))?;
    if let Some(approval) = &approval {
        consume_approval(env.state, mailbox, T::KIND, approval).await;
    }
    Ok(plan)
}

/// The links of the mailbox and kind with their decoded bases. A link whose base cannot be
/// decoded (written by another version) is dropped from this pass: its items are matched
/// again by the business id stamped on the Exchange item.
async fn load_links<T: SyncKind>(
    state: &StateStore,
    mailbox: &str,
    report: &mut KindReport,
) -> Result<Vec<LinkedBase<T>>, String> {
    let links = state
        .links(mailbox, T::KIND)
        .await
        .map_err(|e| format!("reading the sync state: {e}"))?;
    let mut bases = Vec::with_capacity(links.len());
    for link in links {
        let (Some(exchange_id), Some(base)) = (link.exchange_id, link.base) else {
            continue;
        };
        match serde_json::from_str::<T>(base.json()) {
            Ok(item) => bases.push(LinkedBase {
                business_id: BusinessId::from(link.business_id),
                exchange_id: ExchangeId::from(exchange_id),
                change_key: link.exchange_change_key,
                base: item,
            }),
            Err(error) => report.notices.push(format!(
                "business {}: the stored base could not be read ({error}); the item is matched \
                 again by its business id",
                link.business_id
            )),
        }
    }
    Ok(bases)
}

/// Links of items no op touched whose Exchange change key moved on (an Outlook edit that
/// changes nothing exsync syncs, or exsync's own occurrence writes): the link takes the
/// current key, so the next `If-Match` does not fail for nothing.
fn refresh_change_keys<T: SyncKind>(
    commit: &mut PassCommit,
    mailbox: &str,
    links: &[LinkedBase<T>],
    fresh: &HashMap<ExchangeId, String>,
    plan: &Plan<T>,
) {
    let touched: HashSet<BusinessId> = plan.ops.iter().filter_map(|op| op.ids().business).collect();
    for link in links {
        let Some(key) = fresh.get(&link.exchange_id) else {
            continue;
        };
        if link.change_key.as_ref() == Some(key) || touched.contains(&link.business_id) {
            continue;
        }
        if let Ok(base) = snapshot(&link.base) {
            commit.upsert_link(
                LinkUpsert::new(mailbox, T::KIND, link.business_id.as_str())
                    .exchange(link.exchange_id.as_str(), Some(key.as_str()))
                    .base(base),
            );
        }
    }
}

/// The business records of the user, and the ids of malformed rows (reported).
async fn list_business<T: SyncKind>(
    db: &BusinessDb,
    login: &str,
    report: &mut KindReport,
) -> Result<(HashMap<BusinessId, Observed<T>>, HashSet<BusinessId>), String> {
    let rows = T::list(db, login)
        .await
        .map_err(|e| format!("reading the business database: {e}"))?;
    let mut stamps = db
        .modification_times(T::KIND, login)
        .await
        .map_err(|e| format!("reading the business database: {e}"))?;
    let mut items = HashMap::with_capacity(rows.len());
    let mut rejected = HashSet::new();
    for row in rows {
        match row {
            Ok((id, item)) => {
                let observed = match stamps.remove(&id) {
                    Some(at) => Observed::at(item, at.trunc_subsecs(0)),
                    None => Observed::new(item),
                };
                items.insert(id, observed);
            }
            Err(error) => {
                report.reject(format!("business {}", error.id), error.to_string());
                rejected.insert(BusinessId::from(error.id.clone()));
            }
        }
    }
    Ok((items, rejected))
}

/// Under a start mark: each business record's modification time is the later of its
/// `updated_at` and its last journal entry written by the business application, so a
/// vendor that does not maintain `updated_at` still has its changes seen.
async fn journal_times<T: SyncKind>(
    db: &BusinessDb,
    login: &str,
    business: &mut HashMap<BusinessId, Observed<T>>,
) -> Result<(), String> {
    let times = db
        .journal_change_times(T::KIND, login)
        .await
        .map_err(|e| format!("reading the business database: {e}"))?;
    for (id, at) in times {
        if let Some(observed) = business.get_mut(&id) {
            let at = at.trunc_subsecs(0);
            if observed.modified.is_none_or(|known| known < at) {
                observed.modified = Some(at);
            }
        }
    }
    Ok(())
}

/// The snapshot of a base.
pub(crate) fn snapshot<T: SyncKind>(base: &T) -> Result<BaseSnapshot, String> {
    BaseSnapshot::from_serialize(base).map_err(|e| format!("could not store the base: {e}"))
}

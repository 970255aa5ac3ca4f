//! Carrying out a plan: Exchange writes in bulk (the connector batches them), then the stamps
//! of items paired by content, then the business writes, then what to commit for each op whose
//! writes all succeeded.
//!
//! Invariant: an op with a failed write commits nothing (its link and base stay as they were)
//! and is reported with the reason; the other ops go on. A paired item is linked only once
//! its Exchange item carries the business id, so a lost state store re-links it by stamp.

use std::collections::{HashMap, HashSet};

use exsync_business::BusinessDb;
use exsync_engine::{Commit, Op, Plan, Write};
use exsync_model::{BusinessId, ExchangeId};
use exsync_store::{LinkUpsert, PassCommit};

use crate::exchange::{ExchangeSide, ExchangeWrite, Written, transaction_id};
use crate::kind::SyncKind;
use crate::pass::{MailboxUser, snapshot};
use crate::report::KindReport;

/// What applying a plan leaves to commit.
pub struct Applied {
    /// Links, bases and unlinks of the ops that succeeded.
    pub commit: PassCommit,
    /// Ops with a failed write.
    pub failed_writes: usize,
    /// Exchange items created or updated.
    pub written: Vec<ExchangeId>,
    /// Exchange items whose write failed (e.g. 412: changed meanwhile): read them again.
    pub failed: Vec<ExchangeId>,
}

/// Applies `plan` and returns what to commit; the Exchange items in `paired` (paired by
/// content this pass) are stamped with their business id after their other writes.
pub async fn apply_plan<T: SyncKind, X: ExchangeSide<T>>(
    db: &BusinessDb,
    user: MailboxUser<'_>,
    exchange: &X,
    plan: &Plan<T>,
    change_keys: &HashMap<ExchangeId, String>,
    paired: &HashSet<ExchangeId>,
    report: &mut KindReport,
) -> Applied {
    let kind = T::KIND.as_str();
    let new_ids: Vec<Option<BusinessId>> = plan
        .ops
        .iter()
        .map(|op| new_business_id(op, user.mailbox, kind))
        .collect();
    let mut writes = Vec::new();
    let mut write_of_op: Vec<Option<usize>> = Vec::with_capacity(plan.ops.len());
    for (op, new_id) in plan.ops.iter().zip(&new_ids) {
        let write = match op {
            Op::CreateInExchange {
                business_id,
                write,
                replaces,
            } => Some(ExchangeWrite::Create {
                business_id,
                item: &write.item,
                fields: &write.fields,
                // A re-creation (the item was deleted in Outlook) is a new create for Graph:
                // its transaction id names the item it replaces, so Graph does not answer
                // with the deleted one.
                transaction_id: match replaces {
                    None => transaction_id(user.mailbox, kind, business_id),
                    Some(old) => transaction_id(
                        user.mailbox,
                        &format!("{kind}/replaces/{}", old.as_str()),
                        business_id,
                    ),
                },
            }),
            Op::Update {
                ids,
                exchange: Some(write),
                ..
            } => Some(ExchangeWrite::Update {
                id: &ids.exchange,
                business_id: &ids.business,
                change_key: change_keys.get(&ids.exchange).map(String::as_str),
                write,
            }),
            Op::DeleteInExchange { ids } => Some(ExchangeWrite::Delete { id: &ids.exchange }),
            Op::CreateInBusiness { exchange_id, .. } => {
                new_id.clone().map(|business_id| ExchangeWrite::Stamp {
                    id: exchange_id,
                    business_id,
                })
            }
            _ => None,
        };
        write_of_op.push(write.as_ref().map(|_| writes.len()));
        if let Some(write) = write {
            writes.push(write);
        }
    }
    let mut results = if writes.is_empty() {
        Vec::new()
    } else {
        exchange.apply(user.mailbox, &writes).await
    };
    let stamped = stamp_pairs(user.mailbox, exchange, plan, &write_of_op, &results, paired).await;
    let stamped_ops: HashSet<usize> = stamped.iter().map(|(op, _)| *op).collect();
    for (op_index, stamp) in stamped {
        match write_of_op[op_index] {
            // The op's own write went through: the stamp's outcome is the op's (a failed
            // stamp fails the op; its change key is the item's newest).
            Some(w) => {
                if let Some(result) = results.get_mut(w) {
                    *result = stamp;
                }
            }
            None => {
                write_of_op[op_index] = Some(results.len());
                results.push(stamp);
            }
        }
    }
    let no_keys = HashMap::new();
    let mut commit = PassCommit::new();
    let mut failed_writes = 0;
    let mut written_ids = Vec::new();
    let mut failed_ids = Vec::new();
    for (op_index, ((op, write_index), new_id)) in
        plan.ops.iter().zip(write_of_op).zip(new_ids).enumerate()
    {
        let stamped = stamped_ops.contains(&op_index);
        let written = match write_index.map(|i| results.get(i)) {
            None => Written::default(),
            Some(Some(Ok(written))) => written.clone(),
            Some(Some(Err(error))) => {
                failed_writes += 1;
                failed_ids.extend(op.ids().exchange);
                report.reject(
                    op.ids().to_string(),
                    format!("writing to Exchange: {error}"),
                );
                continue;
            }
            Some(None) => {
                failed_writes += 1;
                report.reject(op.ids().to_string(), "the connector returned no result");
                continue;
            }
        };
        // After a stamp only the key it returned is current (none: no If-Match next time).
        let keys = if stamped { &no_keys } else { change_keys };
        match op {
            _ if stamped => written_ids.extend(op.ids().exchange),
            Op::CreateInExchange { .. } => written_ids.extend(written.id.clone()),
            Op::Update {
                ids,
                exchange: Some(_),
                ..
            } => written_ids.push(ids.exchange.clone()),
            _ => {}
        }
        match apply_business(db, user, op, new_id).await {
            Ok(business_id) => {
                count(report, op);
                record(
                    &mut commit,
                    user.mailbox,
                    op,
                    business_id,
                    written,
                    keys,
                    report,
                );
            }
            Err(reason) => {
                failed_writes += 1;
                report.reject(op.ids().to_string(), reason);
            }
        }
    }
    Applied {
        commit,
        failed_writes,
        written: written_ids,
        failed: failed_ids,
    }
}

/// Stamps the Exchange items of the ops that link a pair found by content (`paired`), once
/// their own write (if any) succeeded: `(op index, stamp result)`.
async fn stamp_pairs<T: SyncKind, X: ExchangeSide<T>>(
    mailbox: &str,
    exchange: &X,
    plan: &Plan<T>,
    write_of_op: &[Option<usize>],
    results: &[Result<Written, crate::exchange::SideError>],
    paired: &HashSet<ExchangeId>,
) -> Vec<(usize, Result<Written, crate::exchange::SideError>)> {
    let mut ops = Vec::new();
    let mut stamps = Vec::new();
    for (index, op) in plan.ops.iter().enumerate() {
        let (Op::Link { ids, .. } | Op::SetBase { ids, .. } | Op::Update { ids, .. }) = op else {
            continue;
        };
        if !paired.contains(&ids.exchange) {
            continue;
        }
        let own_write_ok = write_of_op[index].is_none_or(|w| matches!(results.get(w), Some(Ok(_))));
        if own_write_ok {
            ops.push(index);
            stamps.push(ExchangeWrite::Stamp {
                id: &ids.exchange,
                business_id: ids.business.clone(),
            });
        }
    }
    if stamps.is_empty() {
        return Vec::new();
    }
    let mut results = exchange.apply(mailbox, &stamps).await.into_iter();
    ops.into_iter()
        .map(|op| {
            let result = results.next().unwrap_or_else(|| {
                Err(crate::exchange::SideError::item(
                    "the connector returned no result for the stamp",
                ))
            });
            (op, result)
        })
        .collect()
}

/// The business write of `op`, if it has one; returns the business id the link gets.
async fn apply_business<T: SyncKind>(
    db: &BusinessDb,
    user: MailboxUser<'_>,
    op: &Op<T>,
    new_id: Option<BusinessId>,
) -> Result<Option<BusinessId>, String> {
    let upsert = |id: BusinessId, write: &Write<T>| {
        let item = write.item.clone();
        async move {
            T::upsert(db, user.login, &id, &item)
                .await
                .map(|()| Some(id))
                .map_err(|e| format!("writing to the business database: {e}"))
        }
    };
    match op {
        Op::CreateInBusiness { write, .. } => match new_id {
            Some(id) => upsert(id, write).await,
            None => Err("no business id for the new record".to_owned()),
        },
        Op::Update {
            ids,
            business: Some(write),
            ..
        } => upsert(ids.business.clone(), write).await,
        Op::DeleteInBusiness { ids } => T::delete(db, &ids.business)
            .await
            .map(|_| None)
            .map_err(|e| format!("deleting in the business database: {e}")),
        _ => Ok(None),
    }
}

/// The id a record created in the business database gets: the one it replaces, else a new
/// UUID. Chosen before any write, so the Exchange item can be stamped with it first.
///
/// A new id is derived from the mailbox, the kind and the Exchange id (GUID-shaped), so a
/// retried import (the business write failed after the stamp) gets the same id and the same
/// stamp, never a second record or a second stamp.
fn new_business_id<T>(op: &Op<T>, mailbox: &str, kind: &str) -> Option<BusinessId> {
    match op {
        Op::CreateInBusiness {
            replaces,
            exchange_id,
            ..
        } => Some(replaces.clone().unwrap_or_else(|| {
            let text = format!(
                "{}\u{1f}{kind}\u{1f}{}",
                mailbox.to_ascii_lowercase(),
                exchange_id.as_str()
            );
            let hash = xxhash_rust::xxh3::xxh3_128(text.as_bytes());
            BusinessId::from(uuid::Uuid::from_u128(hash).to_string())
        })),
        _ => None,
    }
}

pub(crate) fn count<T>(report: &mut KindReport, op: &Op<T>) {
    match op {
        Op::CreateInExchange { .. } => report.exchange.created += 1,
        Op::CreateInBusiness { .. } => report.business.created += 1,
        Op::Update {
            exchange, business, ..
        } => {
            report.exchange.updated += usize::from(exchange.is_some());
            report.business.updated += usize::from(business.is_some());
        }
        Op::DeleteInExchange { .. } => report.exchange.deleted += 1,
        Op::DeleteInBusiness { .. } => report.business.deleted += 1,
        Op::Link { .. } => report.linked += 1,
        _ => {}
    }
}

/// What to commit for `op`, whose writes succeeded.
fn record<T: SyncKind>(
    commit: &mut PassCommit,
    mailbox: &str,
    op: &Op<T>,
    created_business_id: Option<BusinessId>,
    written: Written,
    change_keys: &HashMap<ExchangeId, String>,
    report: &mut KindReport,
) {
    let ids = op.ids();
    let Some(business_id) = created_business_id.or(ids.business.clone()) else {
        return;
    };
    match op.commit() {
        Commit::Forget => {
            commit.unlink(mailbox, T::KIND, business_id.as_str());
        }
        Commit::Base(base) => {
            let Some(exchange_id) = written.id.clone().or(ids.exchange.clone()) else {
                report.reject(
                    ids.to_string(),
                    "Exchange returned no id for the created item",
                );
                return;
            };
            // After a write to Exchange only the key it returned is current (none: the next
            // write goes without If-Match); otherwise the key the pass read or had stored.
            let change_key = if op.writes_to(exsync_engine::Side::Exchange) {
                written.change_key
            } else {
                written
                    .change_key
                    .or_else(|| change_keys.get(&exchange_id).cloned())
            };
            match snapshot(base) {
                Ok(snapshot) => {
                    commit.upsert_link(
                        LinkUpsert::new(mailbox, T::KIND, business_id.as_str())
                            .exchange(exchange_id.as_str(), change_key)
                            .base(snapshot),
                    );
                }
                Err(reason) => report.reject(ids.to_string(), reason),
            }
        }
    }
}

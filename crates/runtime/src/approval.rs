//! Approval markers: `exsync approve LOGIN` releases the deletions the mass-deletion guard
//! holds for a user's mailbox; the next pass of each kind carries them out.
//!
//! A marker is a cursor of the mailbox in the state store (owner: the mailbox address exactly
//! as the business database names it, the key of every link and cursor of a pass), named
//! `approved-deletions:<kind>`, valued with the RFC 3339 time of the approval. Writing it
//! needs only the state store, so it works while `exsync run` is running.
//!
//! Invariants:
//! - An approval is for what is held now, not a blank cheque: the first committed pass of the
//!   mailbox and kind that started after the marker was written consumes it, whether or not
//!   that pass held anything. A marker written while a pass runs waits for the next pass.
//! - A marker is removed only after its pass committed; a failed pass leaves it in place.
//! - Approver and service compare wall clocks: they should be synchronised (NTP).

use chrono::{DateTime, Utc};
use exsync_engine::Plan;
use exsync_model::ItemKind;
use exsync_store::StateStore;

use crate::report::KindReport;

/// The cursor name of the approval marker for `kind`.
pub fn approval_cursor_name(kind: ItemKind) -> String {
    format!("approved-deletions:{}", kind.as_str())
}

/// Writes an approval marker for each of `kinds` of `mailbox` at `now` (the mailbox address as
/// the business database names it). Pass only the kinds that are synced: a marker of a kind
/// whose passes do not run would wait, unused, until that kind is switched on.
pub async fn approve_deletions(
    state: &StateStore,
    mailbox: &str,
    kinds: &[ItemKind],
    now: DateTime<Utc>,
) -> Result<(), String> {
    for &kind in kinds {
        state
            .set_cursor(mailbox, &approval_cursor_name(kind), &now.to_rfc3339())
            .await
            .map_err(|e| format!("writing the approval into the sync state: {e}"))?;
    }
    Ok(())
}

/// An approval marker a pass may use.
#[derive(Debug, Clone)]
pub(crate) struct Approval {
    /// The stored value (to remove exactly this marker, not a newer one).
    value: String,
    /// When it was given.
    pub(crate) at: DateTime<Utc>,
}

/// The approval for `mailbox` and `kind` written before `pass_started`, if any.
pub(crate) async fn pending_approval(
    state: &StateStore,
    mailbox: &str,
    kind: ItemKind,
    pass_started: DateTime<Utc>,
) -> Result<Option<Approval>, String> {
    let marker = state
        .cursor(mailbox, &approval_cursor_name(kind))
        .await
        .map_err(|e| format!("reading the sync state: {e}"))?;
    Ok(marker.and_then(|marker| {
        let at = DateTime::parse_from_rfc3339(&marker.value)
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or(marker.updated_at);
        (at <= pass_started).then_some(Approval {
            value: marker.value,
            at,
        })
    }))
}

/// Removes the marker `approval` came from, unless a newer approval replaced it meanwhile.
pub(crate) async fn consume_approval(
    state: &StateStore,
    mailbox: &str,
    kind: ItemKind,
    approval: &Approval,
) {
    let name = approval_cursor_name(kind);
    let consumed = state
        .delete_cursor_if(mailbox, &name, &approval.value)
        .await;
    if let Err(error) = consumed {
        tracing::warn!(mailbox, kind = %kind, %error, "could not remove the used approval");
    }
}

/// Settles the plan's held deletions: carried out when `approval` allows them (noted in the
/// report), otherwise reported as held with how to release them.
pub(crate) fn settle_held<T>(
    plan: &mut Plan<T>,
    approval: Option<&Approval>,
    login: &str,
    report: &mut KindReport,
) {
    let Some(held) = &plan.held else {
        return;
    };
    if let Some(approval) = approval {
        report.notices.push(format!(
            "{} held deletions carried out: approved at {}",
            held.deletions.len(),
            approval.at.to_rfc3339()
        ));
        plan.release_held();
        return;
    }
    let message = &held.message;
    let head = message
        .strip_suffix(" approve them")
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{message}; if the deletions are meant,"));
    report.held = Some(format!("{head} release them with `exsync approve {login}`"));
}

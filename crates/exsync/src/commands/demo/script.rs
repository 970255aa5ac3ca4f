//! The demonstration proper, while the service runs: the initial sync with a progress bar
//! per user, a change on each side with its measured delay, and the summary.
//!
//! Invariant: it only observes the service (state store links, status board, both sides'
//! data) and makes the two changes as the business application and Outlook would; the
//! service itself does all syncing.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use exsync_model::ItemKind;
use exsync_service::StatusBoard;

use super::changes::{self, ARRIVAL_TIMEOUT, seconds};
use super::data::{BUSINESS_CHANGED, DemoData, DemoUser, EXCHANGE_CHANGED, SERIES};
use super::progress::{ProgressPrinter, UserProgress};
use super::summary::{self, SummaryRow};
use crate::commands::connect::Connected;

/// The demonstration proper, while the service runs: initial sync, the two changes, summary.
pub async fn demonstrate(
    connected: &Connected,
    board: &StatusBoard,
    data: &DemoData,
) -> anyhow::Result<()> {
    println!("\n3. The service is running (it looks for changes every second); the initial sync:");
    let started = Instant::now();
    let synced = initial_sync(connected, board, data).await?;
    let items: usize = synced.iter().map(|p| p.total().0).sum();
    println!(
        "   initial sync complete: {items} of {items} items in {} mailboxes after {}",
        synced.len(),
        seconds(started.elapsed())
    );
    println!(
        "   written to Exchange: {}",
        summary::written(&board.snapshot(Utc::now()), "exchange")
    );

    let ben = user_of(data, BUSINESS_CHANGED)?;
    let subject = "Budget review (moved to room 4.12)";
    println!(
        "\n4. The business application renames {}'s \"Budget review\" to \"{subject}\"",
        ben.name
    );
    let event = changes::event_id(&connected.state, ben.mailbox, BUSINESS_CHANGED).await?;
    let client = connected.connector.client();
    let committed =
        changes::rename_in_business(&connected.business, BUSINESS_CHANGED, subject).await?;
    let delay = changes::wait_for_arrival("the business change", committed, async || {
        let now = changes::exchange_subject(client, ben.mailbox, &event).await?;
        Ok(now.as_deref() == Some(subject))
    })
    .await?;
    println!("   arrived in Exchange after {}", seconds(delay));

    let anna = user_of(data, EXCHANGE_CHANGED)?;
    let subject = "Customer visit Müller GmbH (bring the samples)";
    println!(
        "\n5. {} renames \"Customer visit Müller GmbH\" in Outlook to \"{subject}\"",
        anna.name
    );
    let event = changes::event_id(&connected.state, anna.mailbox, EXCHANGE_CHANGED).await?;
    let mut renamed = changes::business_appointment(&connected.business, EXCHANGE_CHANGED)
        .await?
        .context("the demo appointment to rename is missing")?;
    renamed.subject = subject.to_owned();
    let committed = changes::rename_in_exchange(client, anna.mailbox, &event, &renamed).await?;
    let delay = changes::wait_for_arrival("the Outlook change", committed, async || {
        let now = changes::business_appointment(&connected.business, EXCHANGE_CHANGED).await?;
        Ok(now.is_some_and(|a| a.subject == subject))
    })
    .await?;
    println!(
        "   arrived in the business database after {}",
        seconds(delay)
    );
    // The summary shows what the service recorded: wait until the pass that wrote the change
    // into the business database has reported it (the only write the demo expects there).
    changes::wait_for_arrival("the service's report of it", Instant::now(), async || {
        let snapshot = board.snapshot(Utc::now());
        let updated =
            summary::written_count(&snapshot, "business", ItemKind::Appointment, "updated");
        Ok(updated >= 1)
    })
    .await?;

    print_summary(connected, board, data).await
}

/// The demo user owning appointment `id`.
fn user_of<'a>(data: &'a DemoData, id: &str) -> anyhow::Result<&'a DemoUser> {
    data.users
        .iter()
        .find(|u| u.appointments.contains(&id))
        .with_context(|| format!("no demo user owns {id}"))
}

/// Shows the progress of every mailbox until all demo items are synced: linked to their
/// Exchange items in the sync state, and counted as created on the status board.
async fn initial_sync(
    connected: &Connected,
    board: &StatusBoard,
    data: &DemoData,
) -> anyhow::Result<Vec<UserProgress>> {
    let mut printer = ProgressPrinter::for_stdout();
    let started = Instant::now();
    loop {
        let now = progress_of(connected, data).await?;
        printer.show(&now);
        if now.iter().all(UserProgress::is_done) && all_reported(board, &now) {
            return Ok(now);
        }
        if started.elapsed() > ARRIVAL_TIMEOUT {
            anyhow::bail!(
                "the initial sync did not complete within {} s: {}",
                ARRIVAL_TIMEOUT.as_secs(),
                changes::SEE_WHY
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// True when the status board counts every item of `synced` as created in Exchange.
fn all_reported(board: &StatusBoard, synced: &[UserProgress]) -> bool {
    let snapshot = board.snapshot(Utc::now());
    [ItemKind::Appointment, ItemKind::Task, ItemKind::Contact]
        .into_iter()
        .all(|kind| {
            let items: usize = synced.iter().map(|p| p.of(kind).1).sum();
            summary::written_count(&snapshot, "exchange", kind, "created") >= items as u64
        })
}

/// Per user, how many of the demo items have an Exchange item linked in the sync state.
async fn progress_of(connected: &Connected, data: &DemoData) -> anyhow::Result<Vec<UserProgress>> {
    let mut all = Vec::with_capacity(data.users.len());
    for user in &data.users {
        let count = async |kind: ItemKind, ids: &[&str]| -> anyhow::Result<(usize, usize)> {
            let heads = connected.state.link_heads(user.mailbox, kind).await?;
            let linked = heads
                .iter()
                .filter(|h| h.exchange_id.is_some() && ids.contains(&h.business_id.as_str()))
                .count();
            Ok((linked, ids.len()))
        };
        all.push(UserProgress {
            login: user.login.to_owned(),
            appointments: count(ItemKind::Appointment, &user.appointments).await?,
            tasks: count(ItemKind::Task, &user.tasks).await?,
            contacts: count(ItemKind::Contact, &data.contacts).await?,
        });
    }
    Ok(all)
}

async fn print_summary(
    connected: &Connected,
    board: &StatusBoard,
    data: &DemoData,
) -> anyhow::Result<()> {
    let snapshot = board.snapshot(Utc::now());
    let progress = progress_of(connected, data).await?;
    let rows: Vec<SummaryRow> = data
        .users
        .iter()
        .zip(progress)
        .map(|(user, progress)| SummaryRow {
            progress,
            mailbox: user.mailbox.to_owned(),
            error: snapshot
                .mailboxes
                .iter()
                .find(|m| m.login == user.login)
                .and_then(|m| m.last_error.clone()),
        })
        .collect();
    println!("\nSummary");
    print!("{}", summary::table(&rows));
    println!(
        "  written to Exchange: {}",
        summary::written(&snapshot, "exchange")
    );
    println!(
        "  written to the business database: {}",
        summary::written(&snapshot, "business")
    );
    let series = changes::business_appointment(&connected.business, SERIES).await?;
    if let Some(series) = series.and_then(|a| a.series) {
        println!(
            "  the weekly series kept {} moved and {} cancelled occurrence(s)",
            series.modified.len(),
            series.cancelled.len()
        );
    }
    Ok(())
}

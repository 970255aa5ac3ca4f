//! The demonstration proper, while the service runs: the initial sync with a progress bar
//! per user, a change on each side with its measured delay, and the summary.
//!
//! Invariant: it only observes the service (state store links, status board, both sides'
//! data) and makes the two changes as the business application and Outlook would; the
//! service itself does all syncing.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use exsync_i18n::{Lang, tr_in};
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
    let lang = exsync_i18n::lang();
    println!("\n{}", tr_in!(lang, "demo-step-service"));
    let started = Instant::now();
    let synced = initial_sync(lang, connected, board, data).await?;
    let items: usize = synced.iter().map(|p| p.total().0).sum();
    let complete = tr_in!(
        lang,
        "demo-initial-complete",
        items = items,
        mailboxes = synced.len(),
        duration = seconds(lang, started.elapsed())
    );
    println!("   {complete}");
    let written = summary::written(lang, &board.snapshot(Utc::now()), "exchange");
    println!(
        "   {}",
        tr_in!(lang, "demo-written-exchange", written = written)
    );

    let ben = user_of(data, BUSINESS_CHANGED)?;
    let subject = "Budget review (moved to room 4.12)";
    let step = tr_in!(
        lang,
        "demo-step-business-change",
        name = ben.name,
        old = "Budget review",
        new = subject
    );
    println!("\n{step}");
    let event = changes::event_id(&connected.state, ben.mailbox, BUSINESS_CHANGED).await?;
    let client = connected.connector.client();
    let committed =
        changes::rename_in_business(&connected.business, BUSINESS_CHANGED, subject).await?;
    let what = tr_in!(lang, "demo-what-business-change");
    let delay = changes::wait_for_arrival(&what, committed, async || {
        let now = changes::exchange_subject(client, ben.mailbox, &event).await?;
        Ok(now.as_deref() == Some(subject))
    })
    .await?;
    let duration = seconds(lang, delay);
    println!(
        "   {}",
        tr_in!(lang, "demo-arrived-exchange", duration = duration)
    );

    let anna = user_of(data, EXCHANGE_CHANGED)?;
    let subject = "Customer visit Müller GmbH (bring the samples)";
    let step = tr_in!(
        lang,
        "demo-step-outlook-change",
        name = anna.name,
        old = "Customer visit Müller GmbH",
        new = subject
    );
    println!("\n{step}");
    let event = changes::event_id(&connected.state, anna.mailbox, EXCHANGE_CHANGED).await?;
    let mut renamed = changes::business_appointment(&connected.business, EXCHANGE_CHANGED)
        .await?
        .with_context(|| tr_in!(lang, "demo-error-missing", id = EXCHANGE_CHANGED))?;
    renamed.subject = subject.to_owned();
    let committed = changes::rename_in_exchange(client, anna.mailbox, &event, &renamed).await?;
    let what = tr_in!(lang, "demo-what-outlook-change");
    let delay = changes::wait_for_arrival(&what, committed, async || {
        let now = changes::business_appointment(&connected.business, EXCHANGE_CHANGED).await?;
        Ok(now.is_some_and(|a| a.subject == subject))
    })
    .await?;
    let duration = seconds(lang, delay);
    println!(
        "   {}",
        tr_in!(lang, "demo-arrived-business", duration = duration)
    );
    // The summary shows what the service recorded: wait until the pass that wrote the change
    // into the business database has reported it (the only write the demo expects there).
    let what = tr_in!(lang, "demo-what-report");
    changes::wait_for_arrival(&what, Instant::now(), async || {
        let snapshot = board.snapshot(Utc::now());
        let updated =
            summary::written_count(&snapshot, "business", ItemKind::Appointment, "updated");
        Ok(updated >= 1)
    })
    .await?;

    print_summary(lang, connected, board, data).await
}

/// The demo user owning appointment `id`.
fn user_of<'a>(data: &'a DemoData, id: &str) -> anyhow::Result<&'a DemoUser> {
    data.users
        .iter()
        .find(|u| u.appointments.contains(&id))
        .with_context(|| tr_in!(exsync_i18n::lang(), "demo-error-no-owner", id = id))
}

/// Shows the progress of every mailbox until all demo items are synced: linked to their
/// Exchange items in the sync state, and counted as created on the status board.
async fn initial_sync(
    lang: Lang,
    connected: &Connected,
    board: &StatusBoard,
    data: &DemoData,
) -> anyhow::Result<Vec<UserProgress>> {
    let mut printer = ProgressPrinter::for_stdout();
    let started = Instant::now();
    loop {
        let now = progress_of(connected, data).await?;
        printer.show(lang, &now);
        if now.iter().all(UserProgress::is_done) && all_reported(board, &now) {
            return Ok(now);
        }
        if started.elapsed() > ARRIVAL_TIMEOUT {
            anyhow::bail!(tr_in!(
                lang,
                "demo-error-initial",
                seconds = ARRIVAL_TIMEOUT.as_secs(),
                why = changes::see_why()
            ));
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
    lang: Lang,
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
    println!("\n{}", tr_in!(lang, "demo-summary"));
    print!("{}", summary::table(lang, &rows));
    let written = summary::written(lang, &snapshot, "exchange");
    println!(
        "  {}",
        tr_in!(lang, "demo-written-exchange", written = written)
    );
    let written = summary::written(lang, &snapshot, "business");
    println!(
        "  {}",
        tr_in!(lang, "demo-written-business", written = written)
    );
    let series = changes::business_appointment(&connected.business, SERIES).await?;
    if let Some(series) = series.and_then(|a| a.series) {
        let kept = tr_in!(
            lang,
            "demo-series-kept",
            moved = series.modified.len(),
            cancelled = series.cancelled.len()
        );
        println!("  {kept}");
    }
    Ok(())
}

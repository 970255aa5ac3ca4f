//! The demo's two live changes, one on each side, and the measured delay until each shows up
//! on the other side: the business application renames an appointment (a write into the
//! business database, journaled as any application write is), and an Outlook user renames
//! another (a Graph PATCH of the event's subject, as Outlook sends it).
//!
//! Invariant: a delay is measured from the moment the change was committed (the write
//! returned) to the first poll (every 50 ms) that sees it on the other side; after
//! [`ARRIVAL_TIMEOUT`] the demo fails with an error naming the change.

use std::time::{Duration, Instant};

use anyhow::Context;
use exsync_business::{BusinessDb, Origin};
use exsync_graph::client::{GraphClient, GraphRequest};
use exsync_graph::delta::{escape_path, user_path};
use exsync_graph::wire::event::event_patch;
use exsync_i18n::{Lang, tr};
use exsync_model::{Appointment, BusinessId, ItemKind, TimeZoneName};
use exsync_store::StateStore;

/// How often the other side is looked at.
const POLL: Duration = Duration::from_millis(50);
/// How long a change may take before the demo gives up.
pub const ARRIVAL_TIMEOUT: Duration = Duration::from_secs(60);

/// Where to look when something does not arrive.
pub fn see_why() -> String {
    tr!("demo-see-why")
}

/// Polls `arrived` every 50 ms until it is true; the time from `since` to then. `what` names
/// the change in the error when it does not arrive.
pub async fn wait_for_arrival(
    what: &str,
    since: Instant,
    mut arrived: impl AsyncFnMut() -> anyhow::Result<bool>,
) -> anyhow::Result<Duration> {
    loop {
        if arrived().await? {
            return Ok(since.elapsed());
        }
        if since.elapsed() > ARRIVAL_TIMEOUT {
            anyhow::bail!(tr!(
                "demo-error-not-arrived",
                what = what,
                seconds = ARRIVAL_TIMEOUT.as_secs(),
                why = see_why()
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The Exchange id of the event exsync created for business appointment `business_id`.
pub async fn event_id(
    state: &StateStore,
    mailbox: &str,
    business_id: &str,
) -> anyhow::Result<String> {
    state
        .link_by_business_id(mailbox, ItemKind::Appointment, business_id)
        .await?
        .and_then(|link| link.exchange_id)
        .with_context(|| tr!("demo-error-no-event", id = business_id, mailbox = mailbox))
}

/// Renames appointment `id` in the business database as the business application would;
/// returns when the write is committed.
pub async fn rename_in_business(
    db: &BusinessDb,
    id: &str,
    subject: &str,
) -> anyhow::Result<Instant> {
    let id = BusinessId::from(id);
    let mut owned = db
        .get_appointment(&id)
        .await?
        .with_context(|| tr!("demo-error-missing", id = id.as_str()))?;
    owned.item.subject = subject.to_owned();
    db.upsert_appointment(&owned.owner, &id, &owned.item, Origin::Business)
        .await
        .with_context(|| tr!("demo-error-change", id = id.as_str()))?;
    Ok(Instant::now())
}

/// Appointment `id` of the business database; `None` when there is none.
pub async fn business_appointment(
    db: &BusinessDb,
    id: &str,
) -> anyhow::Result<Option<Appointment>> {
    let found = db.get_appointment(&BusinessId::from(id)).await?;
    Ok(found.map(|owned| owned.item))
}

/// Gives event `event_id` in `mailbox` the subject of `renamed` as Outlook does (a PATCH of
/// `subject` only); returns when Exchange has accepted it.
pub async fn rename_in_exchange(
    client: &GraphClient,
    mailbox: &str,
    event_id: &str,
    renamed: &Appointment,
) -> anyhow::Result<Instant> {
    let zone = TimeZoneName::new("Europe/Berlin")?;
    let body = event_patch(renamed, &["subject"], &zone)?;
    let mut request = GraphRequest::get(event_url(mailbox, event_id), "rename an event");
    // The method type is reqwest's, which this crate does not name; parse infers it.
    request.method = "PATCH".parse()?;
    client
        .send(mailbox, &request.json(body))
        .await
        .with_context(|| tr!("demo-error-rename", mailbox = mailbox))?;
    Ok(Instant::now())
}

/// The subject of event `event_id` in `mailbox`, as Exchange has it now.
pub async fn exchange_subject(
    client: &GraphClient,
    mailbox: &str,
    event_id: &str,
) -> anyhow::Result<Option<String>> {
    let url = format!("{}?$select=subject", event_url(mailbox, event_id));
    let answer = client
        .send(mailbox, &GraphRequest::get(url, "read an event"))
        .await
        .with_context(|| tr!("demo-error-read", mailbox = mailbox))?;
    Ok(answer.body["subject"].as_str().map(str::to_owned))
}

fn event_url(mailbox: &str, event_id: &str) -> String {
    format!("{}/events/{}", user_path(mailbox), escape_path(event_id))
}

/// A delay as the demo prints it: `1.2 s`, in German `1,2 s`.
pub fn seconds(lang: Lang, delay: Duration) -> String {
    let text = format!("{:.1} s", delay.as_secs_f64());
    match lang {
        Lang::English => text,
        Lang::German => text.replace('.', ","),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_shown_in_tenths_of_seconds() {
        assert_eq!(seconds(Lang::English, Duration::from_millis(1234)), "1.2 s");
        assert_eq!(seconds(Lang::English, Duration::from_millis(960)), "1.0 s");
        assert_eq!(seconds(Lang::German, Duration::from_millis(1234)), "1,2 s");
    }

    #[tokio::test]
    async fn waiting_ends_as_soon_as_the_change_is_seen() {
        let since = Instant::now();
        let mut polls = 0;
        let delay = wait_for_arrival("the test change", since, async || {
            polls += 1;
            Ok(polls == 3)
        })
        .await
        .expect("arrives");
        assert_eq!(polls, 3);
        assert!(delay >= 2 * POLL, "two polls were waited for: {delay:?}");
    }
}

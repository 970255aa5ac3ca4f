//! Waiting for journal entries: PostgreSQL `LISTEN exsync_journal`, polling on SQLite.
//!
//! Invariant: a signal only says "read the journal now"; the journal itself stays the truth.
//! When a PostgreSQL listener loses its connection it says so ([`JournalSignal::Reconnected`]),
//! because notifications sent meanwhile are lost and the reader must catch up.

use std::time::Duration;

use serde::Deserialize;
use sqlx::postgres::PgListener;

use crate::db::{BusinessDb, Origin, Pool};
use crate::error::BusinessError;
use crate::journal::EntityKind;
use crate::tables::NOTIFY_CHANNEL;

/// What a notification said about the change; every part is optional (polling knows none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalNotice {
    /// What changed.
    pub kind: Option<EntityKind>,
    /// Whose item changed.
    pub owner: Option<String>,
    /// Who changed it.
    pub origin: Option<Origin>,
}

/// Why [`JournalListener::recv`] returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalSignal {
    /// New journal entries exist.
    Changed(JournalNotice),
    /// The notification connection was lost and is being re-established: read the journal,
    /// something may have been missed.
    Reconnected,
}

/// Waits for new journal entries; made by [`BusinessDb::listen_journal`].
pub struct JournalListener {
    inner: Inner,
}

enum Inner {
    Notify {
        listener: Box<PgListener>,
        schema: String,
    },
    Poll {
        db: BusinessDb,
        last_seq: i64,
        interval: Duration,
    },
}

#[derive(Deserialize)]
struct Payload {
    schema: Option<String>,
    kind: Option<String>,
    owner: Option<String>,
    origin: Option<String>,
}

impl BusinessDb {
    /// Starts listening: on PostgreSQL to the NOTIFY channel `exsync_journal` (only entries
    /// of this handle's schema count), on SQLite by polling the journal every
    /// [`crate::BusinessDbOptions::journal_poll_interval`].
    pub async fn listen_journal(&self) -> Result<JournalListener, BusinessError> {
        let inner = match &self.pool {
            Pool::Postgres(pool) => {
                let context = "listening to the journal";
                let mut tx = self.begin_read().await?;
                let rows = tx
                    .fetch("SELECT current_schema() AS name", Vec::new())
                    .await
                    .map_err(BusinessError::db(context))?;
                drop(tx);
                let schema = rows
                    .first()
                    .and_then(|row| row.filled("name").ok().flatten())
                    .unwrap_or_else(|| "public".to_owned());
                let mut listener = PgListener::connect_with(pool)
                    .await
                    .map_err(BusinessError::db(context))?;
                listener
                    .listen(NOTIFY_CHANNEL)
                    .await
                    .map_err(BusinessError::db(context))?;
                Inner::Notify {
                    listener: Box::new(listener),
                    schema,
                }
            }
            Pool::Sqlite(_) => Inner::Poll {
                db: self.clone(),
                last_seq: self.latest_journal_seq().await?,
                interval: self.poll_interval,
            },
        };
        Ok(JournalListener { inner })
    }
}

impl JournalListener {
    /// Waits until the journal has new entries (or the connection was lost).
    pub async fn recv(&mut self) -> Result<JournalSignal, BusinessError> {
        match &mut self.inner {
            Inner::Notify { listener, schema } => loop {
                let received = listener
                    .try_recv()
                    .await
                    .map_err(BusinessError::db("waiting for journal notifications"))?;
                let Some(notification) = received else {
                    return Ok(JournalSignal::Reconnected);
                };
                let payload: Option<Payload> = serde_json::from_str(notification.payload()).ok();
                let Some(payload) = payload else {
                    // Not ours to interpret, but a change all the same.
                    return Ok(JournalSignal::Changed(JournalNotice::default()));
                };
                if payload.schema.as_deref().is_some_and(|s| s != schema) {
                    continue;
                }
                return Ok(JournalSignal::Changed(JournalNotice {
                    kind: payload.kind.and_then(|k| k.parse().ok()),
                    owner: payload.owner,
                    origin: payload.origin.and_then(|o| o.parse().ok()),
                }));
            },
            Inner::Poll {
                db,
                last_seq,
                interval,
            } => loop {
                tokio::time::sleep(*interval).await;
                let latest = db.latest_journal_seq().await?;
                if latest > *last_seq {
                    *last_seq = latest;
                    return Ok(JournalSignal::Changed(JournalNotice::default()));
                }
            },
        }
    }
}

//! Reading the change journal (`exsync_journal`) that the triggers fill.
//!
//! Invariant: entries are returned in `seq` order and an entry never appears behind a `seq` a
//! reader has already passed, so `read_journal(last_seen_seq, ..)` in a loop misses nothing.
//! SQLite commits one writer at a time, so insertion order is commit order. On PostgreSQL,
//! concurrent transactions commit in any order; there `seq` is assigned by
//! `exsync_journal_seal()` just before reading, and only to entries of transactions older than
//! every transaction still running.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use exsync_model::ItemKind;

use crate::db::{BusinessDb, Origin, Pool, Tx};
use crate::error::{BusinessError, Problem};
use crate::sql::{Param, Row};
use crate::tables::JOURNAL;

/// What a journal entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    /// A row of `exsync_users` (id = login).
    User,
    /// An appointment (its row or one of its exception rows).
    Appointment,
    /// A task.
    Task,
    /// A contact.
    Contact,
}

impl EntityKind {
    /// The stored text: `user`, `appointment`, `task` or `contact`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::User => "user",
            EntityKind::Appointment => "appointment",
            EntityKind::Task => "task",
            EntityKind::Contact => "contact",
        }
    }

    /// The synced item kind; `None` for users.
    pub fn item_kind(self) -> Option<ItemKind> {
        match self {
            EntityKind::User => None,
            EntityKind::Appointment => Some(ItemKind::Appointment),
            EntityKind::Task => Some(ItemKind::Task),
            EntityKind::Contact => Some(ItemKind::Contact),
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntityKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [
            EntityKind::User,
            EntityKind::Appointment,
            EntityKind::Task,
            EntityKind::Contact,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
        .ok_or_else(|| format!("unknown entity kind {text:?}"))
    }
}

/// What happened to the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// It appeared (also: moved here from another id or owner).
    Insert,
    /// It changed (for appointments also: one of its exception rows changed).
    Update,
    /// It disappeared (also: moved away to another id or owner).
    Delete,
}

impl FromStr for Operation {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "insert" => Ok(Operation::Insert),
            "update" => Ok(Operation::Update),
            "delete" => Ok(Operation::Delete),
            other => Err(format!("unknown operation {other:?}")),
        }
    }
}

/// One change, as the triggers recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// Position in the journal; strictly increasing in reading order.
    pub seq: i64,
    /// What changed.
    pub kind: EntityKind,
    /// The id of what changed (login for users).
    pub entity_id: String,
    /// The owner's login (appointments, tasks; the login itself for users; `None` for
    /// contacts).
    pub owner: Option<String>,
    /// Insert, update or delete.
    pub operation: Operation,
    /// Who wrote it.
    pub origin: Origin,
    /// When (UTC).
    pub changed_at: DateTime<Utc>,
}

fn decode_entry(row: &Row) -> Result<JournalEntry, BusinessError> {
    let seq = row.int("seq").ok().flatten().unwrap_or_default();
    let read = || -> Result<JournalEntry, Problem> {
        let parse_error = |column: &'static str| {
            move |reason: String| {
                Problem::at(column, reason, "the journal is written by triggers only")
            }
        };
        Ok(JournalEntry {
            seq,
            kind: row
                .string("entity_kind")?
                .parse()
                .map_err(parse_error("entity_kind"))?,
            entity_id: row.string("entity_id")?,
            owner: row.text("owner_login")?,
            operation: row
                .string("operation")?
                .parse()
                .map_err(parse_error("operation"))?,
            origin: row
                .string("origin")?
                .parse()
                .map_err(parse_error("origin"))?,
            changed_at: row.timestamp("changed_at")?.unwrap_or_default(),
        })
    };
    read().map_err(|problem| BusinessError::Item(problem.in_row(JOURNAL, &seq.to_string())))
}

impl BusinessDb {
    /// Up to `limit` journal entries with `seq` greater than `after_seq`, oldest first.
    pub async fn read_journal(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<JournalEntry>, BusinessError> {
        self.seal_journal().await?;
        let mut tx = self.begin_read().await?;
        let rows = tx
            .fetch(
                "SELECT seq, entity_kind, entity_id, owner_login, operation, origin, changed_at \
                 FROM exsync_journal WHERE seq > $1 ORDER BY seq LIMIT $2",
                vec![
                    Param::Int(Some(after_seq)),
                    Param::Int(Some(i64::from(limit))),
                ],
            )
            .await
            .map_err(BusinessError::db("reading the journal"))?;
        rows.iter().map(decode_entry).collect()
    }

    /// The `seq` of the newest readable entry; 0 for an empty journal.
    pub async fn latest_journal_seq(&self) -> Result<i64, BusinessError> {
        self.seal_journal().await?;
        let mut tx = self.begin_read().await?;
        let rows = tx
            .fetch(
                "SELECT COALESCE(MAX(seq), 0) AS seq FROM exsync_journal",
                Vec::new(),
            )
            .await
            .map_err(BusinessError::db("reading the journal"))?;
        Ok(rows
            .first()
            .and_then(|row| row.int("seq").ok().flatten())
            .unwrap_or(0))
    }

    /// Deletes entries up to and including `up_to_seq` (those every reader has passed);
    /// returns how many. `seq` keeps increasing afterwards.
    pub async fn prune_journal(&self, up_to_seq: i64) -> Result<u64, BusinessError> {
        let mut write = self.begin_write(Origin::Business).await?;
        let deleted = write
            .tx()
            .execute(
                "DELETE FROM exsync_journal WHERE seq <= $1",
                vec![Param::Int(Some(up_to_seq))],
            )
            .await
            .map_err(BusinessError::db("pruning the journal"))?;
        write.commit().await?;
        Ok(deleted)
    }

    /// PostgreSQL: numbers the entries whose transactions can no longer be overtaken.
    async fn seal_journal(&self) -> Result<(), BusinessError> {
        let Pool::Postgres(pool) = &self.pool else {
            return Ok(());
        };
        let context = "numbering new journal entries";
        let mut tx = Tx::Postgres(pool.begin().await.map_err(BusinessError::db(context))?);
        tx.execute("SELECT exsync_journal_seal()", Vec::new())
            .await
            .map_err(BusinessError::db(context))?;
        tx.commit().await.map_err(BusinessError::db(context))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::Value;

    #[test]
    fn kinds_round_trip() {
        for kind in [
            EntityKind::User,
            EntityKind::Appointment,
            EntityKind::Task,
            EntityKind::Contact,
        ] {
            assert_eq!(kind.as_str().parse::<EntityKind>(), Ok(kind));
        }
        assert_eq!(EntityKind::User.item_kind(), None);
        assert_eq!(EntityKind::Task.item_kind(), Some(ItemKind::Task));
    }

    #[test]
    fn entries_decode_from_sqlite_text() {
        let row = Row::of(vec![
            ("seq", Value::Int(7)),
            ("entity_kind", Value::Text("appointment".into())),
            ("entity_id", Value::Text("A-1".into())),
            ("owner_login", Value::Text("eva".into())),
            ("operation", Value::Text("update".into())),
            ("origin", Value::Text("exsync".into())),
            ("changed_at", Value::Text("2026-03-02 08:00:00".into())),
        ]);
        let entry = decode_entry(&row).expect("valid");
        assert_eq!(entry.seq, 7);
        assert_eq!(entry.operation, Operation::Update);
        assert_eq!(entry.origin, Origin::Exsync);
    }
}

//! Writing many links at once, in the fastest form each dialect offers: multi-row
//! `INSERT ... ON CONFLICT DO UPDATE` on SQLite, one `INSERT ... SELECT FROM UNNEST(arrays)` per
//! chunk on PostgreSQL.
//!
//! Invariants: the caller's transaction is the only one used, so a batch is all or nothing;
//! a batch holds each (mailbox, kind, business id) at most once — [`last_write_wins`] makes it
//! so — because one statement may not update the same row twice on PostgreSQL.

use std::collections::HashSet;
use std::sync::Arc;

use sqlx::{AssertSqlSafe, PgConnection, SqliteConnection};

use crate::links::{BaseSnapshot, LinkUpsert};
use crate::time::DbTime;

/// Writing a batch of links on an open transaction's connection.
pub(crate) trait UpsertLinks {
    /// Inserts or replaces every link of `links` (unique keys, see [`last_write_wins`]),
    /// stamping them `updated_at`.
    async fn upsert_links(
        &mut self,
        links: &[&LinkUpsert],
        updated_at: DbTime,
    ) -> Result<(), sqlx::Error>;
}

/// Keeps, for each (mailbox, kind, business id), only the last upsert of `links`, in their
/// original order: the same outcome as writing them one after the other.
pub(crate) fn last_write_wins(links: &[LinkUpsert]) -> Vec<&LinkUpsert> {
    let mut seen = HashSet::with_capacity(links.len());
    let mut kept: Vec<&LinkUpsert> = links
        .iter()
        .rev()
        .filter(|link| seen.insert((link.mailbox.as_str(), link.kind, link.business_id.as_str())))
        .collect();
    kept.reverse();
    kept
}

/// What an upsert changes on an existing link: everything but its key.
const ON_CONFLICT_REPLACE: &str = " ON CONFLICT (mailbox, kind, business_id) DO UPDATE SET \
     exchange_id = excluded.exchange_id, \
     exchange_change_key = excluded.exchange_change_key, \
     base_snapshot = excluded.base_snapshot, \
     base_fingerprint = excluded.base_fingerprint, \
     updated_at = excluded.updated_at";

/// Rows per SQLite statement: 8 parameters each, well below SQLite's limit of 32,766.
const SQLITE_ROWS_PER_STATEMENT: usize = 500;
const _: () = assert!(SQLITE_ROWS_PER_STATEMENT * 8 < 32_766);

/// `INSERT` of `rows` links with anonymous `?` parameters, 8 per row. (Numbered parameters
/// would let rows share `updated_at`, but binding them costs quadratic time in the driver.)
fn sqlite_upsert_sql(rows: usize) -> String {
    const HEAD: &str = "INSERT INTO exsync_links (mailbox, kind, business_id, exchange_id, \
         exchange_change_key, base_snapshot, base_fingerprint, updated_at) VALUES ";
    const ROW: &str = "(?,?,?,?,?,?,?,?)";
    let mut sql = String::with_capacity(HEAD.len() + rows * (ROW.len() + 1) + 300);
    sql.push_str(HEAD);
    for row in 0..rows {
        if row > 0 {
            sql.push(',');
        }
        sql.push_str(ROW);
    }
    sql.push_str(ON_CONFLICT_REPLACE);
    sql
}

/// The last text a column had, shared: rows of a batch mostly repeat their mailbox and kind, and
/// a shared text is bound without a copy.
#[derive(Default)]
struct RepeatedText(Option<Arc<str>>);

impl RepeatedText {
    /// `text` as a shared text, reusing the previous one when equal.
    fn share(&mut self, text: &str) -> Arc<str> {
        match &self.0 {
            Some(shared) if **shared == *text => Arc::clone(shared),
            _ => Arc::clone(self.0.insert(Arc::from(text))),
        }
    }
}

impl UpsertLinks for SqliteConnection {
    async fn upsert_links(
        &mut self,
        links: &[&LinkUpsert],
        updated_at: DbTime,
    ) -> Result<(), sqlx::Error> {
        // The driver copies every borrowed text it binds (two allocations each), but binds an
        // `Arc<str>` as is: so the time, the mailbox and the kind, which rows share, and the
        // snapshot, which already is shared, are bound as `Arc<str>`.
        let updated_at: Arc<str> = updated_at
            .sqlite_text()
            .map_err(sqlx::Error::Encode)?
            .into();
        let mut mailbox = RepeatedText::default();
        let mut kind = RepeatedText::default();
        for chunk in links.chunks(SQLITE_ROWS_PER_STATEMENT) {
            // Built from constants only; full chunks share one text, so one cached statement.
            let mut query = sqlx::query(AssertSqlSafe(sqlite_upsert_sql(chunk.len())));
            for link in chunk {
                query = query
                    .bind(mailbox.share(&link.mailbox))
                    .bind(kind.share(link.kind.as_str()))
                    .bind(link.business_id.as_str())
                    .bind(link.exchange_id.as_deref())
                    .bind(link.exchange_change_key.as_deref())
                    .bind(link.base.as_ref().map(BaseSnapshot::shared_json))
                    .bind(link.base.as_ref().map(BaseSnapshot::fingerprint))
                    .bind(Arc::clone(&updated_at));
            }
            query.execute(&mut *self).await?;
        }
        Ok(())
    }
}

/// Rows per PostgreSQL statement; bounds the size of one bind message.
const POSTGRES_ROWS_PER_STATEMENT: usize = 10_000;

const POSTGRES_UPSERT: &str = "INSERT INTO exsync_links (mailbox, kind, business_id, \
     exchange_id, exchange_change_key, base_snapshot, base_fingerprint, updated_at) \
     SELECT mailbox, kind, business_id, exchange_id, exchange_change_key, \
            base_snapshot, base_fingerprint, $8 \
     FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
                 $7::int8[]) \
       AS batch (mailbox, kind, business_id, exchange_id, exchange_change_key, \
                 base_snapshot, base_fingerprint) \
     ON CONFLICT (mailbox, kind, business_id) DO UPDATE SET \
     exchange_id = excluded.exchange_id, \
     exchange_change_key = excluded.exchange_change_key, \
     base_snapshot = excluded.base_snapshot, \
     base_fingerprint = excluded.base_fingerprint, \
     updated_at = excluded.updated_at";

impl UpsertLinks for PgConnection {
    async fn upsert_links(
        &mut self,
        links: &[&LinkUpsert],
        updated_at: DbTime,
    ) -> Result<(), sqlx::Error> {
        for chunk in links.chunks(POSTGRES_ROWS_PER_STATEMENT) {
            let column = |field: fn(&LinkUpsert) -> Option<&str>| -> Vec<Option<&str>> {
                chunk.iter().map(|link| field(link)).collect()
            };
            let mailboxes: Vec<&str> = chunk.iter().map(|link| link.mailbox.as_str()).collect();
            let kinds: Vec<&str> = chunk.iter().map(|link| link.kind.as_str()).collect();
            let business_ids: Vec<&str> =
                chunk.iter().map(|link| link.business_id.as_str()).collect();
            let exchange_ids = column(|link| link.exchange_id.as_deref());
            let change_keys = column(|link| link.exchange_change_key.as_deref());
            let snapshots = column(|link| link.base.as_ref().map(|base| base.json()));
            let fingerprints: Vec<Option<i64>> = chunk
                .iter()
                .map(|link| link.base.as_ref().map(|base| base.fingerprint()))
                .collect();
            sqlx::query(POSTGRES_UPSERT)
                .bind(mailboxes)
                .bind(kinds)
                .bind(business_ids)
                .bind(exchange_ids)
                .bind(change_keys)
                .bind(snapshots)
                .bind(fingerprints)
                .bind(updated_at)
                .execute(&mut *self)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use exsync_model::ItemKind;

    use super::*;

    #[test]
    fn last_write_wins_keeps_the_last_upsert_of_each_key_in_order() {
        let first = LinkUpsert::new("a@x", ItemKind::Task, "1");
        let other_kind = LinkUpsert::new("a@x", ItemKind::Contact, "1");
        let second = LinkUpsert::new("a@x", ItemKind::Task, "2");
        let first_again =
            LinkUpsert::new("a@x", ItemKind::Task, "1").exchange("AAM=", None::<&str>);
        let links = [
            first,
            other_kind.clone(),
            second.clone(),
            first_again.clone(),
        ];
        let kept: Vec<LinkUpsert> = last_write_wins(&links).into_iter().cloned().collect();
        assert_eq!(kept, vec![other_kind, second, first_again]);
    }

    #[test]
    fn repeated_text_shares_equal_neighbours_only() {
        let mut column = RepeatedText::default();
        let first = column.share("alice@example.com");
        let again = column.share("alice@example.com");
        let other = column.share("bob@example.com");
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(&*other, "bob@example.com");
        assert!(!Arc::ptr_eq(&first, &column.share("alice@example.com")));
    }

    #[test]
    fn sqlite_statement_has_eight_parameters_per_row() {
        let sql = sqlite_upsert_sql(3);
        assert_eq!(sql.matches('?').count(), 24);
        assert!(
            sql.contains("(?,?,?,?,?,?,?,?),(?,?,?,?,?,?,?,?),(?,?,?,?,?,?,?,?) ON CONFLICT"),
            "{sql}"
        );
    }
}

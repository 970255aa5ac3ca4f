//! Tasks in the integration tables (`exsync_tasks`): upsert, read one, list per owner, delete.
//!
//! Invariant: each time of a task is a wall-clock time with its zone, or absent; a row whose
//! time has no zone, or whose zone is unknown, is reported as a [`crate::RowError`] and never
//! read with a guessed zone.

use exsync_model::{Body, BodyFormat, BusinessId, Task, ZonedDateTime};

use crate::columns::{
    ColumnEnum, format_local, join_list, parse_enum, parse_local_or_date, parse_zone,
    split_categories,
};
use crate::db::{BusinessDb, Origin, Tx};
use crate::error::{BusinessError, Problem, RowError};
use crate::items::{ItemResult, Owned, check_owner};
use crate::sql::{Param, Row};
use crate::tables::TASKS;

macro_rules! task_columns {
    () => {
        "id, owner_login, subject, body, body_format, start_time, start_zone, due_time, \
         due_zone, completed_time, completed_zone, status, importance, reminder_time, \
         reminder_zone, categories"
    };
}

const UPSERT_TASK: &str = concat!(
    "INSERT INTO exsync_tasks (",
    task_columns!(),
    ", updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
     $16, CURRENT_TIMESTAMP) \
     ON CONFLICT (id) DO UPDATE SET owner_login = excluded.owner_login, \
     subject = excluded.subject, body = excluded.body, body_format = excluded.body_format, \
     start_time = excluded.start_time, start_zone = excluded.start_zone, \
     due_time = excluded.due_time, due_zone = excluded.due_zone, \
     completed_time = excluded.completed_time, completed_zone = excluded.completed_zone, \
     status = excluded.status, importance = excluded.importance, \
     reminder_time = excluded.reminder_time, reminder_zone = excluded.reminder_zone, \
     categories = excluded.categories, updated_at = excluded.updated_at"
);

/// Reads a time column and its zone column.
fn zoned(
    row: &Row,
    time: &'static str,
    zone: &'static str,
) -> Result<Option<ZonedDateTime>, Problem> {
    let Some(text) = row.filled(time)? else {
        return Ok(None);
    };
    let local = parse_local_or_date(time, &text)?;
    let Some(zone_text) = row.filled(zone)? else {
        return Err(Problem::at(
            zone,
            format!("is empty while {time} is set"),
            format!("write the zone of {time} (e.g. Europe/Berlin), or clear {time}"),
        ));
    };
    Ok(Some(ZonedDateTime::new(
        local,
        parse_zone(zone, &zone_text)?,
    )))
}

fn zoned_params(time: &Option<ZonedDateTime>) -> [Param; 2] {
    match time {
        Some(time) => [
            Param::text(format_local(time.local)),
            Param::text(time.zone.as_str()),
        ],
        None => [Param::Text(None), Param::Text(None)],
    }
}

fn decode_task(row: &Row) -> Result<(BusinessId, String, Task), RowError> {
    let id = row.string("id").unwrap_or_default();
    let read = || -> Result<(String, Task), Problem> {
        let task = Task {
            subject: row.string("subject")?,
            body: Body {
                format: parse_enum::<BodyFormat>(
                    "body_format",
                    row.text("body_format")?.as_deref(),
                )?
                .unwrap_or_default(),
                content: row.string("body")?,
            },
            start: zoned(row, "start_time", "start_zone")?,
            due: zoned(row, "due_time", "due_zone")?,
            completed: zoned(row, "completed_time", "completed_zone")?,
            status: parse_enum("status", row.text("status")?.as_deref())?.unwrap_or_default(),
            importance: parse_enum("importance", row.text("importance")?.as_deref())?
                .unwrap_or_default(),
            reminder: zoned(row, "reminder_time", "reminder_zone")?,
            categories: split_categories(&row.string("categories")?),
        };
        Ok((row.string("owner_login")?, task))
    };
    let (owner, task) = read().map_err(|problem| problem.in_row(TASKS, &id))?;
    Ok((BusinessId(id), owner, task))
}

fn task_params(id: &str, owner: &str, task: &Task) -> Vec<Param> {
    let mut params = vec![
        Param::text(id),
        Param::text(owner),
        Param::text(task.subject.as_str()),
        Param::text(task.body.content.as_str()),
        Param::text(task.body.format.text()),
    ];
    params.extend(zoned_params(&task.start));
    params.extend(zoned_params(&task.due));
    params.extend(zoned_params(&task.completed));
    params.push(Param::text(task.status.text()));
    params.push(Param::text(task.importance.text()));
    params.extend(zoned_params(&task.reminder));
    params.push(Param::text(join_list(&task.categories)));
    params
}

/// Writes a task that passed `check_writable`, for an owner that exists, inside `tx`.
pub(crate) async fn write_task(
    tx: &mut Tx,
    owner: &str,
    id: &BusinessId,
    task: &Task,
) -> Result<(), BusinessError> {
    tx.execute(UPSERT_TASK, task_params(id.as_str(), owner, task))
        .await
        .map_err(BusinessError::db("writing a task"))?;
    Ok(())
}

/// Refuses a task whose zones are unknown, naming it.
pub(crate) fn check_writable(id: &str, task: &Task) -> Result<(), RowError> {
    let times = [
        ("start_zone", &task.start),
        ("due_zone", &task.due),
        ("completed_zone", &task.completed),
        ("reminder_zone", &task.reminder),
    ];
    for (column, time) in times {
        if let Some(time) = time {
            parse_zone(column, time.zone.as_str()).map_err(|p| p.in_row(TASKS, id))?;
        }
    }
    Ok(())
}

impl BusinessDb {
    /// Creates or replaces task `id` of user `owner`; `origin` goes into the journal.
    pub async fn upsert_task(
        &self,
        owner: &str,
        id: &BusinessId,
        task: &Task,
        origin: Origin,
    ) -> Result<(), BusinessError> {
        check_writable(id.as_str(), task)?;
        let mut write = self.begin_write(origin).await?;
        check_owner(write.tx(), owner).await?;
        write_task(write.tx(), owner, id, task).await?;
        write.commit().await
    }

    /// Task `id` with its owner, or `None`; a malformed row is [`BusinessError::Item`].
    pub async fn get_task(&self, id: &BusinessId) -> Result<Option<Owned<Task>>, BusinessError> {
        let mut tx = self.begin_read().await?;
        let rows = tx
            .fetch(
                concat!(
                    "SELECT ",
                    task_columns!(),
                    " FROM exsync_tasks WHERE id = $1"
                ),
                vec![Param::text(id.as_str())],
            )
            .await
            .map_err(BusinessError::db("reading a task"))?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let (_, owner, item) = decode_task(row)?;
        Ok(Some(Owned { owner, item }))
    }

    /// The tasks of user `owner`, each an item or the error naming what to fix.
    pub async fn list_tasks(&self, owner: &str) -> Result<Vec<ItemResult<Task>>, BusinessError> {
        let mut tx = self.begin_read().await?;
        let rows = tx
            .fetch(
                concat!(
                    "SELECT ",
                    task_columns!(),
                    " FROM exsync_tasks WHERE owner_login = $1 ORDER BY id"
                ),
                vec![Param::text(owner)],
            )
            .await
            .map_err(BusinessError::db("listing tasks"))?;
        Ok(rows
            .iter()
            .map(|row| decode_task(row).map(|(id, _, task)| (id, task)))
            .collect())
    }

    /// Deletes task `id`; `false` when there was none.
    pub async fn delete_task(
        &self,
        id: &BusinessId,
        origin: Origin,
    ) -> Result<bool, BusinessError> {
        self.delete_row(
            "DELETE FROM exsync_tasks WHERE id = $1",
            id,
            origin,
            "deleting a task",
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::Value;

    #[test]
    fn statements_and_parameters_agree() {
        let columns = task_columns!().split(',').count();
        assert_eq!(task_params("T", "eva", &Task::new("x")).len(), columns);
        assert_eq!(UPSERT_TASK.matches('$').count(), columns);
    }

    #[test]
    fn a_time_without_its_zone_is_named() {
        let row = Row::of(vec![
            ("id", Value::Text("T-1".into())),
            ("owner_login", Value::Text("eva".into())),
            ("due_time", Value::Text("2026-03-02".into())),
        ]);
        let error = decode_task(&row).expect_err("zone missing");
        assert_eq!((error.table, error.id.as_str()), (TASKS, "T-1"));
        assert_eq!(error.column, Some("due_zone"));
    }
}

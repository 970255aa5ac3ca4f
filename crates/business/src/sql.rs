//! Database-neutral values: parameters bound to statements and rows read back, so that the
//! mapping code is written once for SQLite and PostgreSQL.
//!
//! Invariant: a [`Row`] holds every selected column by name with the value the database
//! actually stored (SQLite is dynamically typed: a vendor may have put text into an INTEGER
//! column); the typed accessors turn a surprise into a [`Problem`] naming the column, never
//! into a panic.

use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Column, Row as _, TypeInfo, ValueRef};

use crate::error::Problem;

/// A statement parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    /// Text or NULL.
    Text(Option<String>),
    /// An integer or NULL.
    Int(Option<i64>),
    /// A boolean or NULL (SQLite stores 0/1).
    Bool(Option<bool>),
}

impl Param {
    /// Text that is never NULL.
    pub fn text(value: impl Into<String>) -> Self {
        Param::Text(Some(value.into()))
    }
}

/// A value as stored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
    /// A boolean (PostgreSQL).
    Bool(bool),
    /// A timestamp (PostgreSQL `timestamptz`).
    Time(DateTime<Utc>),
    /// Anything else, by type name.
    Other(String),
}

/// One row, its columns by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    cells: Vec<(Arc<str>, Value)>,
}

/// Column names shared by all rows of one result (a listing of thousands of rows holds each
/// name once, not once per row).
#[derive(Debug, Default)]
pub(crate) struct ColumnNames(Vec<Arc<str>>);

impl ColumnNames {
    /// The name of column `index`, made once per result.
    fn name(&mut self, index: usize, name: &str) -> Arc<str> {
        match self.0.get(index) {
            Some(known) if &**known == name => Arc::clone(known),
            _ => {
                let shared: Arc<str> = Arc::from(name);
                if index < self.0.len() {
                    self.0[index] = Arc::clone(&shared);
                } else {
                    self.0.push(Arc::clone(&shared));
                }
                shared
            }
        }
    }
}

impl Row {
    /// Reads every column of a SQLite row by the type of the value actually stored.
    pub fn from_sqlite(row: &SqliteRow, names: &mut ColumnNames) -> Result<Row, sqlx::Error> {
        let mut cells = Vec::with_capacity(row.columns().len());
        for (index, column) in row.columns().iter().enumerate() {
            let raw = row.try_get_raw(index)?;
            let value = if raw.is_null() {
                Value::Null
            } else {
                let type_name = raw.type_info().name().to_owned();
                match type_name.as_str() {
                    "INTEGER" | "BOOLEAN" => Value::Int(row.try_get_unchecked::<i64, _>(index)?),
                    "REAL" => Value::Real(row.try_get_unchecked::<f64, _>(index)?),
                    "TEXT" => Value::Text(row.try_get_unchecked::<String, _>(index)?),
                    _ => Value::Other(type_name),
                }
            };
            cells.push((names.name(index, column.name()), value));
        }
        Ok(Row { cells })
    }

    /// Reads every column of a PostgreSQL row by its declared type.
    pub fn from_pg(row: &PgRow, names: &mut ColumnNames) -> Result<Row, sqlx::Error> {
        let mut cells = Vec::with_capacity(row.columns().len());
        for (index, column) in row.columns().iter().enumerate() {
            let raw = row.try_get_raw(index)?;
            let value = if raw.is_null() {
                Value::Null
            } else {
                match column.type_info().name() {
                    "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Value::Text(row.try_get(index)?),
                    "INT2" => Value::Int(i64::from(row.try_get::<i16, _>(index)?)),
                    "INT4" => Value::Int(i64::from(row.try_get::<i32, _>(index)?)),
                    "INT8" => Value::Int(row.try_get(index)?),
                    "FLOAT4" => Value::Real(f64::from(row.try_get::<f32, _>(index)?)),
                    "FLOAT8" => Value::Real(row.try_get(index)?),
                    "BOOL" => Value::Bool(row.try_get(index)?),
                    "TIMESTAMPTZ" => Value::Time(row.try_get(index)?),
                    "TIMESTAMP" => Value::Time(row.try_get::<NaiveDateTime, _>(index)?.and_utc()),
                    other => Value::Other(other.to_owned()),
                }
            };
            cells.push((names.name(index, column.name()), value));
        }
        Ok(Row { cells })
    }

    /// The row a statement stores: the comma-separated `columns`, in order, holding `params`
    /// as the database keeps them (lets a writer read back what it is about to write).
    pub fn from_params(columns: &str, params: Vec<Param>) -> Row {
        let cells = columns
            .split(',')
            .map(str::trim)
            .zip(params)
            .map(|(name, param)| {
                let value = match param {
                    Param::Text(Some(text)) => Value::Text(text),
                    Param::Int(Some(number)) => Value::Int(number),
                    Param::Bool(Some(flag)) => Value::Bool(flag),
                    Param::Text(None) | Param::Int(None) | Param::Bool(None) => Value::Null,
                };
                (Arc::from(name), value)
            })
            .collect();
        Row { cells }
    }

    /// A row from name/value pairs (tests).
    #[cfg(test)]
    pub fn of(cells: Vec<(&str, Value)>) -> Row {
        Row {
            cells: cells
                .into_iter()
                .map(|(name, value)| (Arc::from(name), value))
                .collect(),
        }
    }

    /// The stored value of `column` (NULL when the row has no such column).
    pub fn value(&self, column: &str) -> &Value {
        self.cells
            .iter()
            .find(|(name, _)| &**name == column)
            .map_or(&Value::Null, |(_, value)| value)
    }

    /// Text, or `None` for NULL. Numbers are accepted as their decimal text.
    pub fn text(&self, column: &'static str) -> Result<Option<String>, Problem> {
        match self.value(column) {
            Value::Null => Ok(None),
            Value::Text(text) => Ok(Some(text.clone())),
            Value::Int(number) => Ok(Some(number.to_string())),
            Value::Real(number) => Ok(Some(number.to_string())),
            other => Err(wrong_type(column, other, "text")),
        }
    }

    /// Text with surrounding blanks removed; NULL and blank text are `None`.
    pub fn filled(&self, column: &'static str) -> Result<Option<String>, Problem> {
        Ok(self
            .text(column)?
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty()))
    }

    /// Text where NULL counts as empty.
    pub fn string(&self, column: &'static str) -> Result<String, Problem> {
        Ok(self.text(column)?.unwrap_or_default())
    }

    /// A whole number, or `None` for NULL.
    pub fn int(&self, column: &'static str) -> Result<Option<i64>, Problem> {
        match self.value(column) {
            Value::Null => Ok(None),
            Value::Int(number) => Ok(Some(*number)),
            Value::Text(text) => text
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| wrong_type(column, &Value::Text(text.clone()), "a whole number")),
            other => Err(wrong_type(column, other, "a whole number")),
        }
    }

    /// A boolean, or `None` for NULL. SQLite's 0 and 1 are accepted.
    pub fn bool(&self, column: &'static str) -> Result<Option<bool>, Problem> {
        match self.value(column) {
            Value::Null => Ok(None),
            Value::Bool(flag) => Ok(Some(*flag)),
            Value::Int(0) => Ok(Some(false)),
            Value::Int(1) => Ok(Some(true)),
            Value::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
                "0" | "false" => Ok(Some(false)),
                "1" | "true" => Ok(Some(true)),
                _ => Err(wrong_type(
                    column,
                    &Value::Text(text.clone()),
                    "TRUE or FALSE",
                )),
            },
            other => Err(wrong_type(column, other, "TRUE or FALSE")),
        }
    }

    /// A UTC timestamp, or `None` for NULL. SQLite's `CURRENT_TIMESTAMP` text
    /// (`YYYY-MM-DD HH:MM:SS`, UTC) and RFC 3339 text are accepted.
    pub fn timestamp(&self, column: &'static str) -> Result<Option<DateTime<Utc>>, Problem> {
        match self.value(column) {
            Value::Null => Ok(None),
            Value::Time(time) => Ok(Some(*time)),
            Value::Text(text) => parse_timestamp(text)
                .map(Some)
                .ok_or_else(|| wrong_type(column, &Value::Text(text.clone()), "a timestamp")),
            other => Err(wrong_type(column, other, "a timestamp")),
        }
    }
}

fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| naive.and_utc())
}

fn wrong_type(column: &'static str, value: &Value, expected: &str) -> Problem {
    let shown = match value {
        Value::Null => "NULL".to_owned(),
        Value::Int(number) => number.to_string(),
        Value::Real(number) => number.to_string(),
        Value::Text(text) => format!("{text:?}"),
        Value::Bool(flag) => flag.to_string(),
        Value::Time(time) => time.to_rfc3339(),
        Value::Other(type_name) => format!("a value of type {type_name}"),
    };
    Problem::at(
        column,
        format!("holds {shown}, expected {expected}"),
        format!("write {expected} into {column}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_accept_what_sqlite_and_postgres_store() {
        let row = Row::of(vec![
            ("a", Value::Int(1)),
            ("b", Value::Bool(false)),
            ("c", Value::Text("15".into())),
            ("d", Value::Text("2026-03-02 08:00:00".into())),
            ("e", Value::Text("  ".into())),
        ]);
        assert_eq!(row.bool("a"), Ok(Some(true)));
        assert_eq!(row.bool("b"), Ok(Some(false)));
        assert_eq!(row.int("c"), Ok(Some(15)));
        assert_eq!(row.text("a"), Ok(Some("1".into())));
        assert_eq!(
            row.timestamp("d").ok().flatten().map(|t| t.to_rfc3339()),
            Some("2026-03-02T08:00:00+00:00".into())
        );
        assert_eq!(row.filled("e"), Ok(None));
        assert_eq!(row.text("missing"), Ok(None));
    }

    #[test]
    fn surprises_name_the_column_and_the_value() {
        let row = Row::of(vec![("reminder_minutes", Value::Text("soon".into()))]);
        let problem = row.int("reminder_minutes").expect_err("not a number");
        assert_eq!(problem.column, Some("reminder_minutes"));
        assert!(problem.problem.contains("\"soon\""), "{problem:?}");
        assert!(problem.fix.contains("whole number"), "{problem:?}");
    }
}

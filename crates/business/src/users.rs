//! The users whose mailboxes are synced (`exsync_users`): login name, display name, primary
//! mailbox address, enabled flag.
//!
//! Invariant: user changes are always journaled as `business` (they are settings, not synced
//! data), so the runtime reacts to enabling or disabling a user at once, whoever changed it.

use chrono::{DateTime, Utc};

use crate::db::{BusinessDb, Origin};
use crate::error::{BusinessError, Problem};
use crate::sql::{Param, Row};
use crate::tables::USERS;

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Login name in the business application (primary key).
    pub login: String,
    /// Name to show.
    pub display_name: String,
    /// Primary SMTP address of the user's mailbox; `None` when not set.
    pub mailbox: Option<String>,
    /// Whether the user's mailbox is synced.
    pub enabled: bool,
    /// When the row was created (UTC).
    pub created_at: Option<DateTime<Utc>>,
    /// When the row was last written (UTC; informational).
    pub updated_at: Option<DateTime<Utc>>,
}

/// A user to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Login name (primary key, not empty).
    pub login: String,
    /// Name to show.
    pub display_name: String,
    /// Primary SMTP address of the mailbox.
    pub mailbox: Option<String>,
    /// Whether to sync the mailbox.
    pub enabled: bool,
}

/// Changes to a user; `None` fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChange {
    /// New display name.
    pub display_name: Option<String>,
    /// New mailbox address (`Some(None)` clears it).
    pub mailbox: Option<Option<String>>,
    /// Enable or disable.
    pub enabled: Option<bool>,
}

fn decode_user(row: &Row) -> Result<User, BusinessError> {
    let login = row.string("login").unwrap_or_default();
    let read = || -> Result<User, Problem> {
        Ok(User {
            login: login.clone(),
            display_name: row.string("display_name")?,
            mailbox: row.filled("mailbox")?,
            enabled: row.bool("enabled")?.unwrap_or(true),
            created_at: row.timestamp("created_at")?,
            updated_at: row.timestamp("updated_at")?,
        })
    };
    read().map_err(|problem| BusinessError::Item(problem.in_row(USERS, &login)))
}

impl BusinessDb {
    /// Adds a user; [`BusinessError::AlreadyExists`] when the login is taken.
    pub async fn add_user(&self, user: &NewUser) -> Result<(), BusinessError> {
        if user.login.trim().is_empty() {
            return Err(BusinessError::Invalid(
                "a user needs a login name: exsync_users.login must not be empty".to_owned(),
            ));
        }
        let mut write = self.begin_write(Origin::Business).await?;
        let result = write
            .tx()
            .execute(
                "INSERT INTO exsync_users (login, display_name, mailbox, enabled) \
                 VALUES ($1, $2, $3, $4)",
                vec![
                    Param::text(user.login.as_str()),
                    Param::text(user.display_name.as_str()),
                    Param::Text(user.mailbox.clone()),
                    Param::Bool(Some(user.enabled)),
                ],
            )
            .await;
        match result {
            Ok(_) => write.commit().await,
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                Err(BusinessError::AlreadyExists {
                    table: USERS,
                    id: user.login.clone(),
                })
            }
            Err(error) => Err(BusinessError::db("adding a user")(error)),
        }
    }

    /// Changes a user and returns the result; [`BusinessError::NotFound`] when there is none.
    pub async fn set_user(&self, login: &str, change: &UserChange) -> Result<User, BusinessError> {
        let mut write = self.begin_write(Origin::Business).await?;
        let tx = write.tx();
        let context = "changing a user";
        let updated = tx
            .execute(
                "UPDATE exsync_users SET \
                 display_name = CASE WHEN $2 THEN $3 ELSE display_name END, \
                 mailbox = CASE WHEN $4 THEN $5 ELSE mailbox END, \
                 enabled = COALESCE($6, enabled), \
                 updated_at = CURRENT_TIMESTAMP \
                 WHERE login = $1",
                vec![
                    Param::text(login),
                    Param::Bool(Some(change.display_name.is_some())),
                    Param::Text(change.display_name.clone()),
                    Param::Bool(Some(change.mailbox.is_some())),
                    Param::Text(change.mailbox.clone().flatten()),
                    Param::Bool(change.enabled),
                ],
            )
            .await
            .map_err(BusinessError::db(context))?;
        if updated == 0 {
            return Err(BusinessError::NotFound {
                table: USERS,
                id: login.to_owned(),
            });
        }
        let rows = tx
            .fetch(
                concat!(
                    "SELECT login, display_name, mailbox, enabled, created_at, updated_at ",
                    "FROM exsync_users WHERE login = $1"
                ),
                vec![Param::text(login)],
            )
            .await
            .map_err(BusinessError::db(context))?;
        write.commit().await?;
        let row = rows.first().ok_or_else(|| BusinessError::NotFound {
            table: USERS,
            id: login.to_owned(),
        })?;
        decode_user(row)
    }

    /// User `login`, or `None`.
    pub async fn get_user(&self, login: &str) -> Result<Option<User>, BusinessError> {
        let mut tx = self.begin_read().await?;
        let rows = tx
            .fetch(
                concat!(
                    "SELECT login, display_name, mailbox, enabled, created_at, updated_at ",
                    "FROM exsync_users WHERE login = $1"
                ),
                vec![Param::text(login)],
            )
            .await
            .map_err(BusinessError::db("reading a user"))?;
        rows.first().map(decode_user).transpose()
    }

    /// Every user, by login.
    pub async fn list_users(&self) -> Result<Vec<User>, BusinessError> {
        let mut tx = self.begin_read().await?;
        let rows = tx
            .fetch(
                concat!(
                    "SELECT login, display_name, mailbox, enabled, created_at, updated_at ",
                    "FROM exsync_users ORDER BY login"
                ),
                Vec::new(),
            )
            .await
            .map_err(BusinessError::db("listing users"))?;
        rows.iter().map(decode_user).collect()
    }

    /// Removes a user who owns no appointments or tasks; `false` when there was none.
    /// [`BusinessError::UserHasItems`] otherwise (disable the user instead).
    pub async fn remove_user(&self, login: &str) -> Result<bool, BusinessError> {
        let mut write = self.begin_write(Origin::Business).await?;
        let tx = write.tx();
        let context = "removing a user";
        let rows = tx
            .fetch(
                "SELECT (SELECT count(*) FROM exsync_appointments WHERE owner_login = $1) \
                 + (SELECT count(*) FROM exsync_tasks WHERE owner_login = $1) AS items",
                vec![Param::text(login)],
            )
            .await
            .map_err(BusinessError::db(context))?;
        let items = rows
            .first()
            .and_then(|row| row.int("items").ok().flatten())
            .unwrap_or(0);
        if items > 0 {
            return Err(BusinessError::UserHasItems {
                login: login.to_owned(),
                items,
            });
        }
        let deleted = tx
            .execute(
                "DELETE FROM exsync_users WHERE login = $1",
                vec![Param::text(login)],
            )
            .await
            .map_err(BusinessError::db(context))?;
        write.commit().await?;
        Ok(deleted > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::Value;

    #[test]
    fn a_user_row_reads_with_defaults() {
        let row = Row::of(vec![
            ("login", Value::Text("eva".into())),
            ("display_name", Value::Null),
            ("mailbox", Value::Text(" ".into())),
            ("enabled", Value::Int(0)),
        ]);
        let user = decode_user(&row).expect("valid");
        assert_eq!(user.display_name, "");
        assert_eq!(user.mailbox, None);
        assert!(!user.enabled);
    }
}

//! A task (Microsoft To Do / Outlook task). Follow-ups ("Wiedervorlagen") are not tasks: Exchange
//! has no twin for them, so they never reach this type.

use serde::{Deserialize, Serialize};

use crate::common::{Body, Importance};
use crate::zone::ZonedDateTime;

/// A task as exsync syncs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Title.
    pub subject: String,
    /// Free text.
    #[serde(default)]
    pub body: Body,
    /// When work starts.
    #[serde(default)]
    pub start: Option<ZonedDateTime>,
    /// When it is due.
    #[serde(default)]
    pub due: Option<ZonedDateTime>,
    /// When it was completed.
    #[serde(default)]
    pub completed: Option<ZonedDateTime>,
    /// Progress.
    #[serde(default)]
    pub status: TaskStatus,
    /// Importance.
    #[serde(default)]
    pub importance: Importance,
    /// Reminder time; `None` = no reminder.
    #[serde(default)]
    pub reminder: Option<ZonedDateTime>,
    /// Outlook categories.
    #[serde(default)]
    pub categories: Vec<String>,
}

impl Task {
    /// A task with only a subject.
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            body: Body::default(),
            start: None,
            due: None,
            completed: None,
            status: TaskStatus::default(),
            importance: Importance::default(),
            reminder: None,
            categories: Vec::new(),
        }
    }
}

/// Progress of a task (Graph `taskStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not started (the default).
    #[default]
    NotStarted,
    /// In progress.
    InProgress,
    /// Completed.
    Completed,
    /// Waiting on someone else.
    WaitingOnOthers,
    /// Deferred.
    Deferred,
}

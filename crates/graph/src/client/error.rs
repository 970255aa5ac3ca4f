//! What can go wrong talking to Microsoft Graph, as messages an administrator can act on.
//!
//! Invariant: no variant holds a token, a secret or a request body; messages name the mailbox
//! and the operation, Graph's error code, and what to do about it.

use reqwest::StatusCode;

/// A failed Graph request (after retries).
#[derive(Debug, Clone, thiserror::Error)]
pub enum GraphError {
    /// No access token (wrong secret, expired secret, unknown app, ...): the message says what to do.
    #[error("{0}")]
    Auth(String),
    /// The app may not touch this mailbox, or lacks a permission.
    #[error(
        "Graph refused access to mailbox {mailbox} ({operation}): {code}: {message}. Grant the app the \
         application permission {permission} with admin consent in Entra ID, and check that no \
         application access policy or RBAC for Applications scope keeps it out of this mailbox"
    )]
    AccessDenied {
        /// The mailbox.
        mailbox: String,
        /// What was asked.
        operation: String,
        /// Graph's error code.
        code: String,
        /// Graph's message.
        message: String,
        /// The permission the operation needs.
        permission: &'static str,
    },
    /// The mailbox does not exist (or has no Exchange Online mailbox).
    #[error(
        "mailbox {mailbox} was not found in Exchange Online ({code}): check the user's mailbox \
         address in the business application's users table"
    )]
    MailboxNotFound {
        /// The mailbox.
        mailbox: String,
        /// Graph's error code.
        code: String,
    },
    /// Graph answered with an error status.
    #[error("Graph answered {status} to {operation} in mailbox {mailbox}: {code}: {message}")]
    Status {
        /// The mailbox.
        mailbox: String,
        /// What was asked.
        operation: String,
        /// The HTTP status.
        status: StatusCode,
        /// Graph's error code (`ErrorItemNotFound`, `ErrorIrresolvableConflict`, ...).
        code: String,
        /// Graph's message.
        message: String,
    },
    /// Still throttled after every retry.
    #[error(
        "Graph kept throttling mailbox {mailbox} ({operation}) after {attempts} attempts; the next \
         pass retries"
    )]
    Throttled {
        /// The mailbox.
        mailbox: String,
        /// What was asked.
        operation: String,
        /// How often it was tried.
        attempts: u32,
    },
    /// Graph could not be reached, or the answer was not Graph's.
    #[error("could not reach Microsoft Graph at {url} ({operation}): {reason}")]
    Transport {
        /// The base URL.
        url: String,
        /// What was asked.
        operation: String,
        /// The cause (no URL query, no headers).
        reason: String,
    },
    /// Graph's answer was not what the API documents.
    #[error("unexpected answer from Graph to {operation} in mailbox {mailbox}: {reason}")]
    Protocol {
        /// The mailbox.
        mailbox: String,
        /// What was asked.
        operation: String,
        /// What was wrong.
        reason: String,
    },
}

impl GraphError {
    /// The HTTP status of a [`GraphError::Status`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            GraphError::Status { status, .. } => Some(*status),
            GraphError::MailboxNotFound { .. } => Some(StatusCode::NOT_FOUND),
            GraphError::AccessDenied { .. } => Some(StatusCode::FORBIDDEN),
            _ => None,
        }
    }

    /// Graph's error code, if Graph gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            GraphError::Status { code, .. }
            | GraphError::AccessDenied { code, .. }
            | GraphError::MailboxNotFound { code, .. } => Some(code),
            _ => None,
        }
    }

    /// True when the item asked for does not exist (404 on an item, not on the mailbox).
    pub fn is_not_found(&self) -> bool {
        matches!(self, GraphError::Status { status, .. } if *status == StatusCode::NOT_FOUND)
    }

    /// True for 410 Gone / `syncStateNotFound`: the delta link expired; start a new round.
    pub fn is_sync_state_lost(&self) -> bool {
        match self {
            GraphError::Status { status, code, .. } => {
                *status == StatusCode::GONE
                    || code.eq_ignore_ascii_case("syncStateNotFound")
                    || code.eq_ignore_ascii_case("resyncRequired")
            }
            _ => false,
        }
    }

    /// True when the whole mailbox is unusable (no point trying its other items).
    pub fn is_mailbox_wide(&self) -> bool {
        matches!(
            self,
            GraphError::Auth(_)
                | GraphError::AccessDenied { .. }
                | GraphError::MailboxNotFound { .. }
                | GraphError::Transport { .. }
                | GraphError::Throttled { .. }
        )
    }
}

/// Graph's error envelope `{"error": {"code", "message"}}`, tolerant of anything else.
pub(crate) fn error_code_and_message(body: &serde_json::Value) -> (String, String) {
    let error = &body["error"];
    let code = error["code"].as_str().unwrap_or("unknown").to_owned();
    let message = error["message"]
        .as_str()
        .unwrap_or("no message")
        .chars()
        .take(500)
        .collect();
    (code, message)
}

/// The application permission an operation on `path` needs, for [`GraphError::AccessDenied`].
pub(crate) fn permission_for(path: &str) -> &'static str {
    let path = path.to_ascii_lowercase();
    if path.contains("/todo/") {
        "Tasks.ReadWrite.All"
    } else if path.contains("contact") {
        "Contacts.ReadWrite"
    } else {
        "Calendars.ReadWrite"
    }
}

//! The roster: which mailboxes the service syncs, read from the business users table. Every
//! enabled user with a mailbox (addressed as `exchange.mailbox_addressing` says); a user
//! switched off keeps its links and cursors (the next switch-on resumes from them), a user
//! without an address is reported.

use exsync_business::{BusinessDb, BusinessError};
use exsync_config::MailboxAddressing;
use exsync_runtime::mailbox_of;

use crate::StatusBoard;

/// `(login, mailbox)` of every enabled user with a mailbox, after recording every user's
/// state on `board`.
pub async fn read_roster(
    business: &BusinessDb,
    board: &StatusBoard,
    addressing: MailboxAddressing,
) -> Result<Vec<(String, String)>, BusinessError> {
    let users = business.list_users().await?;
    let mut roster = Vec::new();
    for user in users {
        match (mailbox_of(&user, addressing), user.enabled) {
            (Some(mailbox), enabled) => {
                board.set_enabled(&user.login, mailbox, enabled);
                if enabled {
                    roster.push((user.login.clone(), mailbox.to_owned()));
                }
            }
            (None, true) => board.record_error(
                &user.login,
                "",
                &format!(
                    "user {:?} is switched on but has no mailbox address; set it with \
                     `exsync business user set {} --mailbox ADDRESS`",
                    user.login, user.login
                ),
            ),
            (None, false) => {}
        }
    }
    Ok(roster)
}

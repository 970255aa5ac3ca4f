//! Which name addresses a business user's mailbox in Exchange (`exchange.mailbox_addressing`):
//! the mailbox address stored for the user, or the user's login name, taken as the user
//! principal name (Graph's `/users/{userPrincipalName}`; bnWin's "Benutzername", büro+'s
//! "Exchange Postfächer verwenden" unchecked).
//!
//! Invariant: every place that turns a user into a mailbox (a pass, the service's roster, a
//! reset, an approval) asks [`mailbox_of`], so the sync state, the leases and the Exchange
//! requests of a user are always keyed by the same name.

use exsync_business::User;
use exsync_config::MailboxAddressing;

/// The name `user`'s mailbox is addressed by; `None` when it has none (a mailbox address is
/// needed and not stored).
pub fn mailbox_of(user: &User, addressing: MailboxAddressing) -> Option<&str> {
    match addressing {
        MailboxAddressing::MailboxAddress => user.mailbox.as_deref(),
        MailboxAddressing::UserName => Some(user.login.as_str()).filter(|l| !l.trim().is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(login: &str, mailbox: Option<&str>) -> User {
        User {
            login: login.to_owned(),
            display_name: "Eva".to_owned(),
            mailbox: mailbox.map(str::to_owned),
            enabled: true,
            created_at: None,
            updated_at: None,
        }
    }

    #[test]
    fn the_login_addresses_the_mailbox_under_user_name() {
        let eva = user("eva.k@contoso.example", Some("eva@contoso.example"));
        assert_eq!(
            mailbox_of(&eva, MailboxAddressing::MailboxAddress),
            Some("eva@contoso.example")
        );
        assert_eq!(
            mailbox_of(&eva, MailboxAddressing::UserName),
            Some("eva.k@contoso.example")
        );
        let no_address = user("ben@contoso.example", None);
        assert_eq!(
            mailbox_of(&no_address, MailboxAddressing::MailboxAddress),
            None
        );
        assert_eq!(
            mailbox_of(&no_address, MailboxAddressing::UserName),
            Some("ben@contoso.example")
        );
    }
}

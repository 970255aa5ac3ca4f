//! The enumerated settings: directions, body rule, conflict policy, start mode, Exchange kind,
//! EWS authentication and version, logging level and format.
//!
//! Invariant: the spelling of each value (see [`crate::choice`]) is part of the configuration
//! file format and is never changed; new values may be added.

use crate::choice::choice;

choice! {
    /// Which way a data type travels between the business application and Exchange.
    pub enum Direction {
        /// Both ways: business -> Exchange and Exchange -> business.
        Both = "both",
        /// Business application -> Exchange only.
        Export = "export",
        /// Exchange -> business application only.
        Import = "import",
        /// Not synchronised at all.
        Off = "off",
    }
}

impl Direction {
    /// Whether changes made in the business application are written to Exchange.
    pub const fn allows_export(self) -> bool {
        matches!(self, Direction::Both | Direction::Export)
    }

    /// Whether changes made in Exchange are written to the business application.
    pub const fn allows_import(self) -> bool {
        matches!(self, Direction::Both | Direction::Import)
    }

    /// Whether the data type is synchronised at all.
    pub const fn is_enabled(self) -> bool {
        !matches!(self, Direction::Off)
    }
}

choice! {
    /// What happens to the free-text "info" field (the Exchange item body).
    pub enum BodyRule {
        /// Synchronised like every other field, both ways (within the data type's direction).
        Both = "both",
        /// Written from the business application to Exchange when it changes there, never
        /// read back: a text edited in Outlook stays in Outlook until the business text changes
        /// again (büro+ behaviour: info texts edited in Outlook do not reach büro+).
        ExportOnly = "export_only",
        /// Never written to Exchange and never read back: Outlook's own text is kept
        /// (büro+ `Feld "Informationen" nicht hinterlegen`).
        Never = "never",
    }
}

impl BodyRule {
    /// Whether the body may be written to Exchange.
    pub const fn exports(self) -> bool {
        matches!(self, BodyRule::Both | BodyRule::ExportOnly)
    }

    /// Whether the body may be written back to the business application.
    pub const fn imports(self) -> bool {
        matches!(self, BodyRule::Both)
    }
}

choice! {
    /// Who wins when the same field changed on both sides since the last sync.
    pub enum ConflictPolicy {
        /// The business application's value is kept.
        BusinessWins = "business_wins",
        /// Exchange's value is kept.
        ExchangeWins = "exchange_wins",
        /// The value changed last (by modification time) is kept.
        NewestWins = "newest_wins",
    }
}

choice! {
    /// What a mailbox's first sync does.
    pub enum StartMode {
        /// Synchronise every item inside the sync window.
        FullWindow = "full_window",
        /// Only what is created, changed or deleted after setup (büro+ behaviour).
        ChangesOnly = "changes_only",
    }
}

choice! {
    /// Which Exchange the service talks to.
    pub enum ExchangeKind {
        /// Exchange Online (Microsoft 365) through Microsoft Graph.
        Online = "online",
        /// Exchange Server on premises through Exchange Web Services.
        Server = "server",
        /// The built-in Exchange emulator: runs on a fresh machine without any Exchange.
        Emulator = "emulator",
    }
}

choice! {
    /// How a user's mailbox is addressed.
    pub enum MailboxAddressing {
        /// By the mailbox (primary SMTP) address stored for the user.
        MailboxAddress = "mailbox_address",
        /// By the user name stored for the user.
        UserName = "user_name",
    }
}

choice! {
    /// How the service signs in to Exchange Server (EWS).
    pub enum EwsAuth {
        /// HTTP Basic with `username` and `password`.
        Basic = "basic",
        /// NTLM with `username` (`DOMAIN\user` or UPN) and `password`.
        Ntlm = "ntlm",
        /// A bearer token given as `token`.
        Bearer = "bearer",
    }
}

impl Default for MailboxAddressing {
    /// By the mailbox address: the common case, and what Graph needs.
    fn default() -> Self {
        MailboxAddressing::MailboxAddress
    }
}

choice! {
    /// How `ExchangeImpersonation` names the mailbox being worked on.
    pub enum Impersonation {
        /// `ConnectingSID/SmtpAddress`: the mailbox's SMTP address.
        SmtpAddress = "smtp_address",
        /// `ConnectingSID/PrincipalName`: the user principal name.
        PrincipalName = "principal_name",
    }
}

choice! {
    /// The `RequestServerVersion` sent with every EWS request.
    pub enum EwsVersion {
        /// Exchange 2007 SP1 to SP3.
        Exchange2007Sp1 = "Exchange2007_SP1",
        /// Exchange 2010.
        Exchange2010 = "Exchange2010",
        /// Exchange 2010 SP1.
        Exchange2010Sp1 = "Exchange2010_SP1",
        /// Exchange 2010 SP2 and SP3.
        Exchange2010Sp2 = "Exchange2010_SP2",
        /// Exchange 2013.
        Exchange2013 = "Exchange2013",
        /// Exchange 2013 SP1.
        Exchange2013Sp1 = "Exchange2013_SP1",
        /// Exchange 2016 and Exchange 2019 / Subscription Edition.
        Exchange2016 = "Exchange2016",
    }
}

choice! {
    /// The least severe log level written.
    pub enum LogLevel {
        /// Everything, including payload summaries.
        Trace = "trace",
        /// State changes.
        Debug = "debug",
        /// Normal operation.
        Info = "info",
        /// Problems the service works around.
        Warn = "warn",
        /// Failures only.
        Error = "error",
    }
}

choice! {
    /// How log lines are written.
    pub enum LogFormat {
        /// Human-readable lines.
        Text = "text",
        /// One JSON object per line.
        Json = "json",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_say_what_they_allow() {
        assert!(Direction::Both.allows_export() && Direction::Both.allows_import());
        assert!(Direction::Export.allows_export() && !Direction::Export.allows_import());
        assert!(!Direction::Import.allows_export() && Direction::Import.allows_import());
        assert!(!Direction::Off.allows_export() && !Direction::Off.allows_import());
        assert!(!Direction::Off.is_enabled());
    }

    #[test]
    fn body_rules_say_what_they_allow() {
        assert!(BodyRule::Both.exports() && BodyRule::Both.imports());
        assert!(BodyRule::ExportOnly.exports() && !BodyRule::ExportOnly.imports());
        assert!(!BodyRule::Never.exports() && !BodyRule::Never.imports());
    }

    #[test]
    fn spellings_round_trip() {
        for value in EwsVersion::ALL {
            assert_eq!(value.to_string().parse::<EwsVersion>(), Ok(*value));
        }
        let err = "sideways".parse::<Direction>().expect_err("refused");
        assert_eq!(
            err.to_string(),
            "must be one of \"both\", \"export\", \"import\" or \"off\""
        );
    }
}

//! The organisation the emulator plays: tenants, app registrations with their secrets,
//! certificates and granted application permissions, mailboxes, and the EWS service account.
//!
//! Invariant: a secret's value is never printed by `Debug` (it shows as `<redacted>`), so an
//! organisation can be logged or put into an error without leaking a credential.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Duration, Utc};

use crate::ids;

/// Application permission to read and write calendars in all mailboxes.
pub const CALENDARS_READ_WRITE: &str = "Calendars.ReadWrite";
/// Application permission to read calendars in all mailboxes.
pub const CALENDARS_READ: &str = "Calendars.Read";
/// Application permission to read and write To Do tasks of all users.
pub const TASKS_READ_WRITE_ALL: &str = "Tasks.ReadWrite.All";
/// Application permission to read and write contacts in all mailboxes.
pub const CONTACTS_READ_WRITE: &str = "Contacts.ReadWrite";

/// Everything the emulator knows about who exists and who may do what.
#[derive(Debug, Clone, Default)]
pub struct Organisation {
    /// Entra tenants (directories).
    pub tenants: Vec<Tenant>,
}

/// One Entra tenant with its app registrations and mailboxes.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// Directory (tenant) id, a GUID.
    pub id: String,
    /// Verified domain, e.g. `contoso.example`; also accepted in the token URL.
    pub domain: String,
    /// App registrations.
    pub apps: Vec<App>,
    /// Mailboxes (users with an Exchange mailbox).
    pub mailboxes: Vec<Mailbox>,
    /// The EWS service account that holds impersonation rights on every mailbox.
    pub ews_account: ServiceAccount,
    /// Whether EWS is switched on (`Set-OrganizationConfig -EwsEnabled`); off, every
    /// authenticated EWS request answers HTTP 403, as Exchange Online does since October 2026.
    pub ews_enabled: bool,
}

/// An app registration.
#[derive(Debug, Clone)]
pub struct App {
    /// Application (client) id, a GUID.
    pub client_id: String,
    /// Display name.
    pub name: String,
    /// Client secrets; each may expire.
    pub secrets: Vec<ClientSecret>,
    /// Registered certificates (public keys) for client assertions; each may expire.
    pub certificates: Vec<Certificate>,
    /// Granted (admin-consented) application permissions, e.g. `Calendars.ReadWrite`.
    pub permissions: BTreeSet<String>,
    /// Mailboxes the app may reach (an application access policy); `None` = all.
    pub mailbox_scope: Option<BTreeSet<String>>,
}

/// A client secret and when it expires.
#[derive(Clone)]
pub struct ClientSecret {
    /// The secret value (what a client sends as `client_secret`).
    pub value: String,
    /// End of validity.
    pub expires: DateTime<Utc>,
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecret")
            .field("value", &"<redacted>")
            .field("expires", &self.expires)
            .finish()
    }
}

/// A certificate registered on an app (Entra's `keyCredentials`): what a client assertion's
/// `x5t` / `x5t#S256` header names and whose public key verifies its signature. Only public
/// material: nothing here is a secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Certificate {
    /// The RSA public key, PEM (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo).
    pub public_key_pem: String,
    /// SHA-1 of the certificate's DER, upper-case hex (what Entra calls the thumbprint).
    pub sha1_thumbprint: String,
    /// SHA-256 of the certificate's DER, upper-case hex.
    pub sha256_thumbprint: String,
    /// End of validity of the registration; `None` = never expires.
    pub expires: Option<DateTime<Utc>>,
}

/// A user with a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// Object id, a GUID (Graph `id`).
    pub id: String,
    /// `userPrincipalName`.
    pub user_principal_name: String,
    /// Primary SMTP address (`mail`).
    pub mail: String,
    /// Display name.
    pub display_name: String,
}

/// A user name and password (EWS Basic authentication).
#[derive(Clone)]
pub struct ServiceAccount {
    /// User name (UPN).
    pub username: String,
    /// Password.
    pub password: String,
}

impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Mailbox {
    /// A mailbox with a fresh object id.
    pub fn new(user_principal_name: &str, display_name: &str) -> Self {
        Self {
            id: ids::guid(),
            user_principal_name: user_principal_name.to_owned(),
            mail: user_principal_name.to_owned(),
            display_name: display_name.to_owned(),
        }
    }

    /// True when `key` names this mailbox: its object id or its UPN/mail (case-insensitive),
    /// as Graph's `/users/{id | userPrincipalName}` accepts.
    pub fn is_named(&self, key: &str) -> bool {
        self.id.eq_ignore_ascii_case(key)
            || self.user_principal_name.eq_ignore_ascii_case(key)
            || self.mail.eq_ignore_ascii_case(key)
    }
}

impl Tenant {
    /// The app registration with this client id.
    pub fn app(&self, client_id: &str) -> Option<&App> {
        self.apps
            .iter()
            .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
    }

    /// The mailbox named by object id, UPN or mail.
    pub fn mailbox(&self, key: &str) -> Option<&Mailbox> {
        self.mailboxes.iter().find(|m| m.is_named(key))
    }
}

impl Organisation {
    /// The tenant named by id or domain (case-insensitive), as the token URL accepts both.
    pub fn tenant(&self, key: &str) -> Option<&Tenant> {
        self.tenants
            .iter()
            .find(|t| t.id.eq_ignore_ascii_case(key) || t.domain.eq_ignore_ascii_case(key))
    }

    /// Mutable access to a tenant by id.
    pub fn tenant_mut(&mut self, id: &str) -> Option<&mut Tenant> {
        self.tenants
            .iter_mut()
            .find(|t| t.id.eq_ignore_ascii_case(id))
    }

    /// The built-in sample organisation: one tenant (`contoso.example`), one app with one
    /// client secret valid for two years and the permissions `Calendars.ReadWrite`,
    /// `Tasks.ReadWrite.All` and `Contacts.ReadWrite`, three mailboxes, one EWS service account.
    /// Ids and secrets are fresh on every call.
    pub fn sample() -> Self {
        let domain = "contoso.example";
        let mailboxes = vec![
            Mailbox::new(&format!("adele.vance@{domain}"), "Adele Vance"),
            Mailbox::new(&format!("alex.wilber@{domain}"), "Alex Wilber"),
            Mailbox::new(&format!("megan.bowen@{domain}"), "Megan Bowen"),
        ];
        let app = App {
            client_id: ids::guid(),
            name: "exsync".to_owned(),
            secrets: vec![ClientSecret {
                value: ids::client_secret(),
                expires: Utc::now() + Duration::days(730),
            }],
            certificates: crate::client_assertion::sample_certificate()
                .into_iter()
                .collect(),
            permissions: [
                CALENDARS_READ_WRITE,
                TASKS_READ_WRITE_ALL,
                CONTACTS_READ_WRITE,
            ]
            .into_iter()
            .map(str::to_owned)
            .collect(),
            mailbox_scope: None,
        };
        let tenant = Tenant {
            id: ids::guid(),
            domain: domain.to_owned(),
            apps: vec![app],
            mailboxes,
            ews_account: ServiceAccount {
                username: format!("svc-exsync@{domain}"),
                password: ids::client_secret(),
            },
            ews_enabled: true,
        };
        Self {
            tenants: vec![tenant],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_has_what_issue_3_promises() {
        let org = Organisation::sample();
        assert_eq!(org.tenants.len(), 1);
        let tenant = &org.tenants[0];
        assert!(tenant.mailboxes.len() >= 3);
        let app = &tenant.apps[0];
        for p in [
            CALENDARS_READ_WRITE,
            TASKS_READ_WRITE_ALL,
            CONTACTS_READ_WRITE,
        ] {
            assert!(app.permissions.contains(p), "{p}");
        }
        assert!(org.tenant(&tenant.domain.to_uppercase()).is_some());
        assert!(tenant.mailbox(&tenant.mailboxes[1].id).is_some());
        assert!(tenant.mailbox("ADELE.VANCE@contoso.example").is_some());
        assert!(tenant.mailbox("nobody@contoso.example").is_none());
        assert_eq!(
            app.certificates.len(),
            1,
            "the sample app has its test certificate"
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let org = Organisation::sample();
        let tenant = &org.tenants[0];
        let shown = format!("{org:?}");
        assert!(!shown.contains(&tenant.apps[0].secrets[0].value));
        assert!(!shown.contains(&tenant.ews_account.password));
        assert!(shown.contains("<redacted>"));
    }
}

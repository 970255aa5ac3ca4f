//! Seed files: an [`Organisation`] (tenants, apps with secrets, certificates and permissions,
//! mailboxes, the EWS account) and the mailboxes' first items (calendar items and series,
//! tasks, contacts; see [`items`] and [`folder_items`]), read from JSON or TOML by the file's extension
//! (`exsync emulator --seed FILE`; the format is in `docs/emulator.md`, "Seed files").
//!
//! Invariants: a seed is checked whole before anything is served; every error names the field
//! (`tenants[0].apps[1].secrets[0].expires`) and the fix, and never contains a value from the
//! file (a secret or password could be in it); `Debug` of a seed redacts secrets.

mod folder_items;
mod items;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use crate::ids;
use crate::org::{App, Certificate, ClientSecret, Mailbox, Organisation, ServiceAccount, Tenant};
use crate::server::EmulatorHandle;
use crate::store::{Created, NewEvent};

/// Why a seed file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The file cannot be read.
    #[error("cannot read the seed file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not valid seed JSON (values from the file are left out of the message).
    #[error("seed file {path} is not valid: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// serde's message with quoted values removed (line and column kept).
        message: String,
    },
    /// A field has a value the emulator cannot use.
    #[error("seed field {field}: {fix}")]
    Field {
        /// Where, e.g. `tenants[0].mailboxes[2].events[0].start`.
        field: String,
        /// What is wrong and how to fix it.
        fix: String,
    },
}

fn field(field: impl Into<String>, fix: impl Into<String>) -> SeedError {
    SeedError::Field {
        field: field.into(),
        fix: fix.into(),
    }
}

/// A loaded seed: the organisation and the items to create in its mailboxes.
#[derive(Clone)]
pub struct Seed {
    /// Who exists and who may do what.
    pub organisation: Organisation,
    /// Calendar items per mailbox object id, in file order.
    pub events: Vec<(String, NewEvent)>,
    /// Tasks and contacts, in file order.
    folder_items: Vec<folder_items::FolderItem>,
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Organisation`'s Debug redacts secrets and passwords itself.
        f.debug_struct("Seed")
            .field("organisation", &self.organisation)
            .field("events", &self.events.len())
            .field("tasks_and_contacts", &self.folder_items.len())
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSeed {
    tenants: Vec<FileTenant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTenant {
    #[serde(default)]
    id: Option<String>,
    domain: String,
    apps: Vec<FileApp>,
    mailboxes: Vec<FileMailbox>,
    ews_account: FileAccount,
    #[serde(default = "switched_on")]
    ews_enabled: bool,
}

fn switched_on() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileApp {
    #[serde(default)]
    client_id: Option<String>,
    name: String,
    #[serde(default)]
    secrets: Vec<FileSecret>,
    #[serde(default)]
    certificates: Vec<FileCertificate>,
    permissions: Vec<String>,
    #[serde(default)]
    mailbox_scope: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSecret {
    value: String,
    expires: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCertificate {
    certificate_file: PathBuf,
    public_key_file: PathBuf,
    #[serde(default)]
    expires: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAccount {
    username: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileMailbox {
    #[serde(default)]
    id: Option<String>,
    user_principal_name: String,
    #[serde(default)]
    mail: Option<String>,
    display_name: String,
    #[serde(default)]
    events: Vec<items::FileEvent>,
    #[serde(default)]
    tasks: Vec<folder_items::FileTask>,
    #[serde(default)]
    contacts: Vec<folder_items::FileContact>,
}

/// serde's message without anything between double quotes (values from the file).
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"…\"");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

fn instant(at: &str, text: &str) -> Result<DateTime<Utc>, SeedError> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| {
            field(
                at,
                "must be an RFC 3339 instant such as 2030-01-01T00:00:00Z",
            )
        })
}

impl Seed {
    /// Reads and checks a seed file: TOML when its name ends in `.toml`, else JSON. Relative
    /// certificate paths are relative to the file.
    pub fn from_file(path: &Path) -> Result<Self, SeedError> {
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: path.to_owned(),
            source,
        })?;
        let is_toml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        let parsed = if is_toml {
            toml::from_str::<FileSeed>(&text).map_err(|e| toml_message(&text, &e))
        } else {
            serde_json::from_str::<FileSeed>(&text).map_err(|e| without_values(&e.to_string()))
        };
        let file = parsed.map_err(|message| SeedError::Syntax {
            path: path.to_owned(),
            message,
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Self::build(file, dir)
    }

    fn build(file: FileSeed, dir: &Path) -> Result<Self, SeedError> {
        if file.tenants.is_empty() {
            return Err(field("tenants", "list at least one tenant"));
        }
        let mut organisation = Organisation::default();
        let mut events = Vec::new();
        let mut folder_items = Vec::new();
        for (t, ft) in file.tenants.into_iter().enumerate() {
            let at = format!("tenants[{t}]");
            let (tenant, tenant_events, tenant_items) = tenant(&at, ft, dir)?;
            folder_items.extend(tenant_items);
            if organisation.tenant(&tenant.id).is_some()
                || organisation.tenant(&tenant.domain).is_some()
            {
                return Err(field(
                    at,
                    "another tenant has this id or domain; make it unique",
                ));
            }
            organisation.tenants.push(tenant);
            events.extend(tenant_events);
        }
        let first_has_secret = organisation.tenants[0]
            .apps
            .first()
            .is_some_and(|a| !a.secrets.is_empty());
        if !first_has_secret {
            return Err(field(
                "tenants[0].apps[0].secrets",
                "the first tenant's first app needs a client secret (the JSON line reports it)",
            ));
        }
        Ok(Self {
            organisation,
            events,
            folder_items,
        })
    }
}

/// A TOML error without the source snippet (it could show a secret): message and position.
fn toml_message(text: &str, e: &toml::de::Error) -> String {
    let position = e.span().map(|span| {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        format!(" at line {line} column {column}")
    });
    format!(
        "{}{}",
        without_values(e.message().trim()),
        position.unwrap_or_default()
    )
}

type TenantItems = (
    Tenant,
    Vec<(String, NewEvent)>,
    Vec<folder_items::FolderItem>,
);

fn tenant(at: &str, ft: FileTenant, dir: &Path) -> Result<TenantItems, SeedError> {
    if ft.domain.trim().is_empty() {
        return Err(field(format!("{at}.domain"), "give the tenant's domain"));
    }
    if ft.ews_account.username.is_empty() || ft.ews_account.password.is_empty() {
        return Err(field(
            format!("{at}.ews_account"),
            "give a username and a non-empty password",
        ));
    }
    let mut mailboxes: Vec<Mailbox> = Vec::new();
    let mut events = Vec::new();
    let mut folder_items = Vec::new();
    for (m, fm) in ft.mailboxes.into_iter().enumerate() {
        let at = format!("{at}.mailboxes[{m}]");
        if !fm.user_principal_name.contains('@') {
            return Err(field(
                format!("{at}.user_principal_name"),
                "must be an address such as adele@contoso.example",
            ));
        }
        let mut mailbox = Mailbox::new(&fm.user_principal_name, &fm.display_name);
        if let Some(id) = fm.id {
            mailbox.id = id;
        }
        if let Some(mail) = fm.mail {
            mailbox.mail = mail;
        }
        let taken = |k: &str| mailboxes.iter().any(|x| x.is_named(k));
        if taken(&mailbox.id) || taken(&mailbox.mail) || taken(&mailbox.user_principal_name) {
            return Err(field(at, "another mailbox has this id, UPN or address"));
        }
        for (e, fe) in fm.events.into_iter().enumerate() {
            let event = items::event(&format!("{at}.events[{e}]"), fe)?;
            events.push((mailbox.id.clone(), event));
        }
        for (i, ft) in fm.tasks.into_iter().enumerate() {
            let at = format!("{at}.tasks[{i}]");
            folder_items.push(folder_items::task(&at, &mailbox.id, ft)?);
        }
        for (i, fc) in fm.contacts.into_iter().enumerate() {
            let at = format!("{at}.contacts[{i}]");
            folder_items.push(folder_items::contact(&at, &mailbox.id, fc)?);
        }
        mailboxes.push(mailbox);
    }
    let mut apps = Vec::new();
    for (a, fa) in ft.apps.into_iter().enumerate() {
        apps.push(app(&format!("{at}.apps[{a}]"), fa, dir, &mailboxes)?);
    }
    let tenant = Tenant {
        id: ft.id.unwrap_or_else(ids::guid),
        domain: ft.domain,
        apps,
        mailboxes,
        ews_account: ServiceAccount {
            username: ft.ews_account.username,
            password: ft.ews_account.password,
        },
        ews_enabled: ft.ews_enabled,
    };
    Ok((tenant, events, folder_items))
}

fn app(at: &str, fa: FileApp, dir: &Path, mailboxes: &[Mailbox]) -> Result<App, SeedError> {
    let mut secrets = Vec::new();
    for (s, fs) in fa.secrets.into_iter().enumerate() {
        if fs.value.is_empty() {
            return Err(field(
                format!("{at}.secrets[{s}].value"),
                "must not be empty",
            ));
        }
        let expires = instant(&format!("{at}.secrets[{s}].expires"), &fs.expires)?;
        secrets.push(ClientSecret {
            value: fs.value,
            expires,
        });
    }
    let mut certificates = Vec::new();
    for (c, fc) in fa.certificates.into_iter().enumerate() {
        let at = format!("{at}.certificates[{c}]");
        let read = |name: &str, p: &Path| {
            std::fs::read_to_string(dir.join(p)).map_err(|e| {
                let shown = dir.join(p).display().to_string();
                field(format!("{at}.{name}"), format!("cannot read {shown}: {e}"))
            })
        };
        let certificate = read("certificate_file", &fc.certificate_file)?;
        let public_key = read("public_key_file", &fc.public_key_file)?;
        let expires = match fc.expires {
            Some(text) => Some(instant(&format!("{at}.expires"), &text)?),
            None => None,
        };
        let registered =
            Certificate::from_pem(&certificate, &public_key, expires).map_err(|e| {
                field(
                    at,
                    format!("{e}; give a PEM certificate and its RSA public key"),
                )
            })?;
        certificates.push(registered);
    }
    let mailbox_scope = match fa.mailbox_scope {
        None => None,
        Some(names) => {
            let mut ids = BTreeSet::new();
            for (i, name) in names.iter().enumerate() {
                let found = mailboxes.iter().find(|m| m.is_named(name)).ok_or_else(|| {
                    field(
                        format!("{at}.mailbox_scope[{i}]"),
                        "names no mailbox of this tenant (give its id, UPN or address)",
                    )
                })?;
                ids.insert(found.id.clone());
            }
            Some(ids)
        }
    };
    Ok(App {
        client_id: fa.client_id.unwrap_or_else(ids::guid),
        name: fa.name,
        secrets,
        certificates,
        permissions: fa.permissions.into_iter().collect(),
        mailbox_scope,
    })
}

impl Organisation {
    /// The organisation of a seed file (its items are left out; see [`Seed`]).
    pub fn from_seed_file(path: &Path) -> Result<Organisation, SeedError> {
        Seed::from_file(path).map(|s| s.organisation)
    }
}

impl EmulatorHandle {
    /// Creates a seed's calendar items, tasks and contacts in the running emulator's
    /// mailboxes (named task lists and contact folders are created when missing); returns how
    /// many items were created.
    pub fn load_seed_items(&self, seed: &Seed) -> usize {
        let mut state = self.store().lock();
        let now = Utc::now() - Duration::seconds(1);
        let mut created = 0;
        for (mailbox_id, new) in &seed.events {
            if let Some(data) = state.mailboxes.get_mut(mailbox_id)
                && let Created::New(_) = data.create(new.clone(), now)
            {
                created += 1;
            }
        }
        for item in &seed.folder_items {
            let Some(data) = state.mailboxes.get_mut(&item.mailbox_id) else {
                continue;
            };
            let mut set = data.folder_set(item.kind);
            let folder = match &item.folder {
                None => set.default_folder().map(|f| f.id.clone()),
                Some(name) => match set.folder_named(name) {
                    Some(f) => Some(f.id.clone()),
                    None => Some(set.add_folder(name, None).id.clone()),
                },
            };
            if let Some(folder) = folder
                && set.create(&folder, item.fields.clone(), now).is_some()
            {
                created += 1;
            }
        }
        created
    }
}

//! `exsync config import --bnwin`: KWP bnWin.net's service settings (`bnNetExchangeSync.exe.config`
//! for appointments, `Adress2Exchange-Dienst.exe.config` for the address book) turned into
//! exsync settings, with a note for everything the admin should know about the translation.
//!
//! Invariants: every `appSettings` key of the files ends up in exactly one note (mapped,
//! changed on purpose, or without equivalent); secret values stay [`SecretString`]s and are
//! shown masked in notes; errors never repeat a value. The key table is
//! [`crate::keys::BNWIN_KEYS`], shared with the loader's "did you mean" hints.

mod app_settings;
mod mapping;

use std::path::{Path, PathBuf};

use secrecy::SecretString;

pub use mapping::import;

use app_settings::{AppSetting, ReadError};

/// The two bnWin.net services that talk to Exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BnwinService {
    /// `bnNetExchangeSync` (appointments), configured in `bnNetExchangeSync.exe.config`.
    Appointments,
    /// `bnNETExchangeAdresssync` (the address book), configured in
    /// `Adress2Exchange-Dienst.exe.config`.
    Addresses,
}

impl BnwinService {
    /// The Windows service's name, as the manual spells it.
    pub fn service_name(self) -> &'static str {
        match self {
            BnwinService::Appointments => "bnNetExchangeSync",
            BnwinService::Addresses => "bnNETExchangeAdresssync",
        }
    }
}

/// Why a bnWin.net file could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BnwinError {
    /// The file cannot be read.
    #[error("cannot read {}: {reason}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// Neither UTF-8 nor UTF-16 text.
    #[error("{}: not a text file (neither UTF-8 nor UTF-16)", path.display())]
    NotText {
        /// The file.
        path: PathBuf,
    },
    /// Not well-formed XML.
    #[error("{}:{line}: not well-formed XML: {reason}", path.display())]
    NotXml {
        /// The file.
        path: PathBuf,
        /// The line.
        line: usize,
        /// What is wrong with the structure.
        reason: String,
    },
    /// No `<configuration><appSettings>`.
    #[error("{}: has no <appSettings> section under <configuration>: not a bnWin.net service configuration", path.display())]
    NoAppSettings {
        /// The file.
        path: PathBuf,
    },
    /// A setting that must be a whole number is not one.
    #[error("{}:{line}: {key} must be a whole number", path.display())]
    NotANumber {
        /// The file.
        path: PathBuf,
        /// The line.
        line: usize,
        /// The bnWin.net key.
        key: String,
    },
    /// The two files name different app registrations (or secrets).
    #[error("{key} differs between {} and {}: exsync signs in with one app registration for all data types; make the values equal (one app with every permission) or import one file", first.display(), second.display())]
    Differs {
        /// The bnWin.net key.
        key: String,
        /// The first file.
        first: PathBuf,
        /// The second file.
        second: PathBuf,
    },
    /// Two files of the same service.
    #[error("{} and {} both configure {}: import one of them", first.display(), second.display(), service.service_name())]
    SameService {
        /// The first file.
        first: PathBuf,
        /// The second file.
        second: PathBuf,
        /// The service.
        service: BnwinService,
    },
}

/// One bnWin.net configuration file, read.
pub struct BnwinFile {
    path: PathBuf,
    service: BnwinService,
    assumed: bool,
    settings: Vec<AppSetting>,
}

impl std::fmt::Debug for BnwinFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self.settings.iter().map(|s| s.key.as_str()).collect();
        f.debug_struct("BnwinFile")
            .field("path", &self.path)
            .field("service", &self.service)
            .field("keys", &keys)
            .finish()
    }
}

impl BnwinFile {
    /// Reads and parses a file.
    pub fn read(path: &Path) -> Result<Self, BnwinError> {
        let bytes = std::fs::read(path).map_err(|error| BnwinError::Read {
            path: path.to_owned(),
            reason: error.to_string(),
        })?;
        let text = app_settings::decode(&bytes).ok_or_else(|| BnwinError::NotText {
            path: path.to_owned(),
        })?;
        Self::parse(&text, path)
    }

    /// Parses the text of a file; `path` names it (and its name tells the service).
    pub fn parse(text: &str, path: &Path) -> Result<Self, BnwinError> {
        let settings = app_settings::read(text).map_err(|error| match error {
            ReadError::NotXml { line, reason } => BnwinError::NotXml {
                path: path.to_owned(),
                line,
                reason,
            },
            ReadError::NoAppSettings => BnwinError::NoAppSettings {
                path: path.to_owned(),
            },
        })?;
        let (service, assumed) = service_of(path, &settings);
        Ok(BnwinFile {
            path: path.to_owned(),
            service,
            assumed,
            settings,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The service it configures.
    pub fn service(&self) -> BnwinService {
        self.service
    }

    fn name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        )
    }
}

/// The service a file configures: by its name (`Adress2Exchange...` = addresses,
/// `bnNetExchangeSync...` = appointments), else by its keys (the sync window and
/// `AlleTermineVorloeschen` are appointment settings); `true` when it had to be assumed.
fn service_of(path: &Path, settings: &[AppSetting]) -> (BnwinService, bool) {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.contains("adress") || name.contains("address") {
        return (BnwinService::Addresses, false);
    }
    if name.contains("exchangesync") {
        return (BnwinService::Appointments, false);
    }
    let appointment_keys = ["SyncMonate", "AlleTermine", "ZeitZwischen"];
    let by_keys = settings.iter().any(|s| {
        appointment_keys
            .iter()
            .any(|prefix| s.key.starts_with(prefix))
    });
    (BnwinService::Appointments, !by_keys)
}

/// What the import writes and says.
#[derive(Debug)]
pub struct BnwinImport {
    /// The settings for `exsync.toml`, in the order of [`crate::keys::KEYS`].
    pub settings: Vec<ImportedSetting>,
    /// What to tell the admin, in the order found.
    pub notes: Vec<ImportNote>,
}

/// One setting for `exsync.toml`.
#[derive(Debug)]
pub struct ImportedSetting {
    /// The exsync key.
    pub key: &'static str,
    /// Its value.
    pub value: ImportedValue,
    /// Where it comes from.
    pub source: Source,
}

/// A value to write.
#[derive(Debug)]
pub enum ImportedValue {
    /// A whole number.
    Integer(i64),
    /// Text.
    Text(String),
    /// A secret.
    Secret(SecretString),
}

/// Where an imported setting comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A bnWin.net key in a file.
    Key {
        /// The file's name.
        file: String,
        /// The bnWin.net key.
        bnwin_key: String,
    },
    /// Which bnWin.net services were imported (or not).
    Services,
    /// The change from EWS to Microsoft Graph.
    Graph,
}

/// Something the admin should know about the import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportNote {
    /// A bnWin.net key became an exsync key with the same meaning and value.
    Mapped {
        /// The file's name.
        file: String,
        /// The bnWin.net key.
        bnwin_key: String,
        /// The exsync key.
        key: &'static str,
        /// The value as shown (secrets masked).
        shown: String,
    },
    /// A data type is synchronised because its bnWin.net service's file was imported.
    Service {
        /// The file's name.
        file: String,
        /// The service.
        service: BnwinService,
        /// The exsync key.
        key: &'static str,
        /// Its value.
        value: &'static str,
    },
    /// A data type is switched off because its service's file was not imported.
    NoService {
        /// The service.
        service: BnwinService,
        /// The exsync key.
        key: &'static str,
    },
    /// bnWin.net synchronises no tasks: `sync.tasks = "off"`.
    NoTasks,
    /// The service of a file was judged from its keys or assumed.
    ServiceAssumed {
        /// The file's name.
        file: String,
        /// The service.
        service: BnwinService,
    },
    /// Both files set a key differently; the first (appointments) file's value was kept.
    KeptFirst {
        /// The bnWin.net key.
        bnwin_key: String,
        /// The file whose value was kept.
        kept: String,
        /// The file whose value was not.
        ignored: String,
    },
    /// The EWS scope is replaced by Microsoft Graph's (not written: the default is right).
    ScopeReplaced {
        /// The file's name.
        file: String,
        /// bnWin.net's scope.
        old: String,
        /// The scope exsync requests.
        new: String,
    },
    /// EWS is replaced by Microsoft Graph: `exchange.kind = "online"`, the default Graph URL.
    EndpointReplaced {
        /// The file's name.
        file: String,
        /// bnWin.net's EWS endpoint (`None` when the file has none).
        old: Option<String>,
        /// The Graph URL exsync uses.
        graph_url: &'static str,
        /// Whether the endpoint was Exchange Online's (`outlook.office365.com`).
        exchange_online: bool,
    },
    /// `AlleTermineVorloeschen` was off: nothing to do.
    ResetWasOff {
        /// The file's name.
        file: String,
    },
    /// `AlleTermineVorloeschen` was on: exsync does this with a one-off command.
    ResetWasOn {
        /// The file's name.
        file: String,
    },
    /// `AppPath`, the bnWin.net program folder: exsync reaches the data through `database.url`.
    AppPath {
        /// The file's name.
        file: String,
    },
    /// A key the manual does not describe (its value is not shown: it may be a secret).
    Unknown {
        /// The file's name.
        file: String,
        /// The key.
        bnwin_key: String,
    },
    /// To do: point `database.url` at the business database.
    SetDatabase,
    /// To do: note the client secret's expiry date.
    SetExpiry,
    /// To do: a bnWin.net key Exchange Online needs was missing or empty.
    MissingKey {
        /// The bnWin.net key.
        bnwin_key: &'static str,
        /// The exsync key.
        key: &'static str,
    },
    /// To do: the files hold no Azure settings, so no Exchange settings were imported.
    NoExchange,
}

/// The part of the report a note belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteCategory {
    /// Taken over with the same meaning.
    Mapped,
    /// Changed on purpose.
    Changed,
    /// No equivalent in exsync.
    NoEquivalent,
    /// Left for the admin to do.
    ToDo,
}

impl ImportNote {
    /// The part of the report this note belongs to.
    pub fn category(&self) -> NoteCategory {
        match self {
            ImportNote::Mapped { .. }
            | ImportNote::Service { .. }
            | ImportNote::NoService { .. }
            | ImportNote::NoTasks
            | ImportNote::ServiceAssumed { .. }
            | ImportNote::KeptFirst { .. } => NoteCategory::Mapped,
            ImportNote::ScopeReplaced { .. } | ImportNote::EndpointReplaced { .. } => {
                NoteCategory::Changed
            }
            ImportNote::ResetWasOff { .. }
            | ImportNote::ResetWasOn { .. }
            | ImportNote::AppPath { .. }
            | ImportNote::Unknown { .. } => NoteCategory::NoEquivalent,
            ImportNote::SetDatabase
            | ImportNote::SetExpiry
            | ImportNote::MissingKey { .. }
            | ImportNote::NoExchange => NoteCategory::ToDo,
        }
    }
}

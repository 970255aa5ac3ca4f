//! The translation of bnWin.net's `appSettings` into exsync settings and notes.
//!
//! Invariant: each key of each file gives exactly one note; the app registration (client id,
//! tenant, secret) is taken from both files only when they agree, as exsync signs in once for
//! every data type.

use secrecy::{ExposeSecret, SecretString};

use super::{
    BnwinError, BnwinFile, BnwinImport, BnwinService, ImportNote, ImportedSetting, ImportedValue,
    Source,
};
use crate::database_url::MASK;
use crate::exchange::DEFAULT_GRAPH_URL;
use crate::keys::{self, BnwinEquivalent, KEYS};

/// Host names of Exchange Online's EWS endpoint.
const EXCHANGE_ONLINE_HOSTS: &[&str] = &["outlook.office365.com", "outlook.office.com"];

/// Turns the files (one per service, at most two) into settings and notes.
pub fn import(files: &[BnwinFile]) -> Result<BnwinImport, BnwinError> {
    for (i, first) in files.iter().enumerate() {
        if let Some(second) = files[i + 1..].iter().find(|f| f.service == first.service) {
            return Err(BnwinError::SameService {
                first: first.path.clone(),
                second: second.path.clone(),
                service: first.service,
            });
        }
    }
    let mut ordered: Vec<&BnwinFile> = files.iter().collect();
    ordered.sort_by_key(|file| file.service != BnwinService::Appointments);
    let mut import = Importer::default();
    for file in &ordered {
        import.file(file)?;
    }
    import.exchange();
    import.services(&ordered);
    let mut settings = import.settings;
    settings.sort_by_key(|s| KEYS.iter().position(|k| k.name == s.key));
    Ok(BnwinImport {
        settings,
        notes: import.notes,
    })
}

#[derive(Default)]
struct Importer<'f> {
    settings: Vec<ImportedSetting>,
    notes: Vec<ImportNote>,
    /// Where each imported key came from: (file, its value for comparison).
    origin: Vec<(&'static str, &'f BnwinFile, SecretString)>,
    /// `AzureEwsScopestring` per file: (file, key as written, value).
    scopes: Vec<(String, String, String)>,
    /// `AzureEwsEndpoint` per file: (file, key as written, value).
    endpoints: Vec<(String, String, String)>,
    azure_file: Option<String>,
}

impl<'f> Importer<'f> {
    fn file(&mut self, file: &'f BnwinFile) -> Result<(), BnwinError> {
        let name = file.name();
        if file.assumed || !file_name_tells(file) {
            self.notes.push(ImportNote::ServiceAssumed {
                file: name.clone(),
                service: file.service,
            });
        }
        for setting in &file.settings {
            let value = setting.value.expose_secret();
            let unknown = || ImportNote::Unknown {
                file: name.clone(),
                bnwin_key: setting.key.clone(),
            };
            let Some((bnwin_key, equivalent)) = keys::bnwin_key(&setting.key) else {
                self.notes.push(unknown());
                continue;
            };
            match (bnwin_key, equivalent) {
                ("AppPath", _) => self.notes.push(ImportNote::AppPath { file: name.clone() }),
                (_, BnwinEquivalent::Command(_)) => self.notes.push(if is_on(value) {
                    ImportNote::ResetWasOn { file: name.clone() }
                } else {
                    ImportNote::ResetWasOff { file: name.clone() }
                }),
                ("AzureEwsScopestring", _) => {
                    self.scopes
                        .push((name.clone(), setting.key.clone(), value.to_owned()));
                }
                ("AzureEwsEndpoint", _) => {
                    self.endpoints
                        .push((name.clone(), setting.key.clone(), value.to_owned()));
                }
                (_, BnwinEquivalent::Key(key)) if key.starts_with("exchange.online.") => {
                    if value.is_empty() {
                        continue;
                    }
                    self.azure_file.get_or_insert_with(|| name.clone());
                    let secret = keys::lookup(key).is_some_and(|k| k.kind != keys::KeyKind::Plain);
                    let imported = if secret {
                        ImportedValue::Secret(setting.value.clone())
                    } else {
                        ImportedValue::Text(value.to_owned())
                    };
                    self.add(file, &setting.key, key, imported, true)?;
                }
                (_, BnwinEquivalent::Key(key)) => {
                    let number = value.parse::<i64>().map_err(|_| BnwinError::NotANumber {
                        path: file.path.clone(),
                        line: setting.line,
                        key: setting.key.clone(),
                    })?;
                    self.add(
                        file,
                        &setting.key,
                        key,
                        ImportedValue::Integer(number),
                        false,
                    )?;
                }
                (_, BnwinEquivalent::None) => self.notes.push(unknown()),
            }
        }
        Ok(())
    }

    /// Adds a setting, or checks it against the one another file gave.
    fn add(
        &mut self,
        file: &'f BnwinFile,
        bnwin_key: &str,
        key: &'static str,
        value: ImportedValue,
        must_agree: bool,
    ) -> Result<(), BnwinError> {
        let compare = SecretString::from(match &value {
            ImportedValue::Integer(n) => n.to_string(),
            ImportedValue::Text(text) => text.clone(),
            ImportedValue::Secret(secret) => secret.expose_secret().to_owned(),
        });
        if let Some((_, first, before)) = self.origin.iter().find(|(k, _, _)| *k == key) {
            if before.expose_secret() != compare.expose_secret() {
                if must_agree {
                    return Err(BnwinError::Differs {
                        key: bnwin_key.to_owned(),
                        first: first.path.clone(),
                        second: file.path.clone(),
                    });
                }
                self.notes.push(ImportNote::KeptFirst {
                    bnwin_key: bnwin_key.to_owned(),
                    kept: first.name(),
                    ignored: file.name(),
                });
                return Ok(());
            }
        } else {
            self.origin.push((key, file, compare));
            self.settings.push(ImportedSetting {
                key,
                value: clone_value(&value),
                source: Source::Key {
                    file: file.name(),
                    bnwin_key: bnwin_key.to_owned(),
                },
            });
        }
        let shown = match &value {
            ImportedValue::Integer(n) => n.to_string(),
            ImportedValue::Text(text) => text.clone(),
            ImportedValue::Secret(_) => MASK.to_owned(),
        };
        self.notes.push(ImportNote::Mapped {
            file: file.name(),
            bnwin_key: bnwin_key.to_owned(),
            key,
            shown,
        });
        Ok(())
    }

    /// Exchange Online through Microsoft Graph instead of EWS, when the files name an app
    /// registration.
    fn exchange(&mut self) {
        let Some(azure_file) = self.azure_file.clone() else {
            let ews = std::mem::take(&mut self.endpoints)
                .into_iter()
                .chain(std::mem::take(&mut self.scopes));
            for (file, bnwin_key, _) in ews {
                self.notes.push(ImportNote::Unknown { file, bnwin_key });
            }
            self.notes.push(ImportNote::NoExchange);
            return;
        };
        self.settings.push(ImportedSetting {
            key: "exchange.kind",
            value: ImportedValue::Text("online".to_owned()),
            source: Source::Graph,
        });
        if self.endpoints.is_empty() {
            self.notes.push(ImportNote::EndpointReplaced {
                file: azure_file,
                old: None,
                graph_url: DEFAULT_GRAPH_URL,
                exchange_online: true,
            });
        }
        for (file, _, old) in std::mem::take(&mut self.endpoints) {
            self.notes.push(ImportNote::EndpointReplaced {
                file,
                exchange_online: is_exchange_online(&old),
                old: Some(old),
                graph_url: DEFAULT_GRAPH_URL,
            });
        }
        for (file, _, old) in std::mem::take(&mut self.scopes) {
            self.notes.push(ImportNote::ScopeReplaced {
                file,
                old,
                new: crate::checks::default_scope(DEFAULT_GRAPH_URL),
            });
        }
        for (bnwin_key, key) in [
            ("AzureTenantId", "exchange.online.tenant_id"),
            ("AzureClientId", "exchange.online.client_id"),
            ("AzureClientSecret", "exchange.online.client_secret"),
        ] {
            if !self.settings.iter().any(|s| s.key == key) {
                self.notes.push(ImportNote::MissingKey { bnwin_key, key });
            }
        }
        if self
            .settings
            .iter()
            .any(|s| s.key == "exchange.online.client_secret")
        {
            self.notes.push(ImportNote::SetExpiry);
        }
    }

    /// The data types: those whose service's file was imported; bnWin.net has no tasks.
    fn services(&mut self, files: &[&BnwinFile]) {
        for (service, key, on) in [
            (BnwinService::Appointments, "sync.appointments", "both"),
            (BnwinService::Addresses, "sync.contacts", "export"),
        ] {
            let file = files.iter().find(|file| file.service == service);
            let value = if file.is_some() { on } else { "off" };
            self.settings.push(ImportedSetting {
                key,
                value: ImportedValue::Text(value.to_owned()),
                source: Source::Services,
            });
            self.notes.push(match file {
                Some(file) => ImportNote::Service {
                    file: file.name(),
                    service,
                    key,
                    value,
                },
                None => ImportNote::NoService { service, key },
            });
        }
        self.settings.push(ImportedSetting {
            key: "sync.tasks",
            value: ImportedValue::Text("off".to_owned()),
            source: Source::Services,
        });
        self.notes.push(ImportNote::NoTasks);
        self.notes.push(ImportNote::SetDatabase);
    }
}

fn clone_value(value: &ImportedValue) -> ImportedValue {
    match value {
        ImportedValue::Integer(n) => ImportedValue::Integer(*n),
        ImportedValue::Text(text) => ImportedValue::Text(text.clone()),
        ImportedValue::Secret(secret) => ImportedValue::Secret(secret.clone()),
    }
}

/// Whether the file's name says which service it configures.
fn file_name_tells(file: &BnwinFile) -> bool {
    let name = file.name().to_lowercase();
    name.contains("adress") || name.contains("address") || name.contains("exchangesync")
}

/// `1`, `true`, `ja`, `yes` (any case): a switch that is on.
fn is_on(value: &str) -> bool {
    ["1", "true", "ja", "yes", "-1"]
        .iter()
        .any(|on| value.eq_ignore_ascii_case(on))
}

/// Whether an EWS endpoint is Exchange Online's.
fn is_exchange_online(endpoint: &str) -> bool {
    let host = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest)
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    EXCHANGE_ONLINE_HOSTS.contains(&host.as_str())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::bnwin::NoteCategory;

    /// The manual's example, with real-looking values.
    const APPOINTMENTS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="AppPath" value="C:\binwin\" />
    <add key="SyncMonateVergangenheit" value="6" />
    <add key="SyncMonateZukunft" value="17" />
    <add key="ZeitZwischenSyncdurchlaeufen(Sekunden)" value="300" />
    <add key="AlleTermineVorloeschen" value="0" />
    <add key="AzureClientId" value="8e47e025-e175-4a96-85be-59ee5e49e632" />
    <add key="AzureTenantId" value="8e87c822-a1dd-4e03-ae26-7fd46c75f31e" />
    <add key="AzureClientSecret" value="XW.8Q~q6rDOhRG2Kml9xfTopSecret" />
    <add key="AzureEwsScopestring" value="https://outlook.office365.com/.default" />
    <add key="AzureEwsEndpoint" value="https://outlook.office365.com/EWS/Exchange.asmx" />
  </appSettings>
</configuration>
"#;

    fn file(text: &str, name: &str) -> BnwinFile {
        BnwinFile::parse(text, Path::new(name)).expect("parses")
    }

    fn setting<'a>(import: &'a BnwinImport, key: &str) -> Option<&'a ImportedValue> {
        import
            .settings
            .iter()
            .find(|s| s.key == key)
            .map(|s| &s.value)
    }

    #[test]
    fn the_manuals_example_maps_to_exchange_online() {
        let import = import(&[file(APPOINTMENTS, "bnNetExchangeSync.exe.config")]).expect("ok");
        let text = |key| match setting(&import, key) {
            Some(ImportedValue::Text(text)) => text.clone(),
            Some(ImportedValue::Integer(n)) => n.to_string(),
            Some(ImportedValue::Secret(s)) => format!("secret {}", s.expose_secret()),
            None => "none".to_owned(),
        };
        assert_eq!(text("sync.months_past"), "6");
        assert_eq!(text("sync.months_future"), "17");
        assert_eq!(text("service.full_pass_interval"), "300");
        assert_eq!(text("exchange.kind"), "online");
        assert_eq!(
            text("exchange.online.client_secret"),
            "secret XW.8Q~q6rDOhRG2Kml9xfTopSecret"
        );
        assert_eq!(text("sync.appointments"), "both");
        assert_eq!(text("sync.contacts"), "off");
        assert_eq!(text("sync.tasks"), "off");
        assert_eq!(
            text("exchange.online.scope"),
            "none",
            "the default is right"
        );
        assert_eq!(
            text("exchange.online.graph_url"),
            "none",
            "the default is right"
        );
        let keys: Vec<&str> = import.settings.iter().map(|s| s.key).collect();
        let mut sorted = keys.clone();
        sorted.sort_by_key(|k| KEYS.iter().position(|info| info.name == *k));
        assert_eq!(keys, sorted, "written in the reference's order");
        let debug = format!("{import:?}");
        assert!(!debug.contains("TopSecret"), "{debug}");
        assert!(import.notes.contains(&ImportNote::Mapped {
            file: "bnNetExchangeSync.exe.config".into(),
            bnwin_key: "AzureClientSecret".into(),
            key: "exchange.online.client_secret",
            shown: MASK.into(),
        }));
        assert!(import.notes.contains(&ImportNote::EndpointReplaced {
            file: "bnNetExchangeSync.exe.config".into(),
            old: Some("https://outlook.office365.com/EWS/Exchange.asmx".into()),
            graph_url: DEFAULT_GRAPH_URL,
            exchange_online: true,
        }));
        assert!(import.notes.contains(&ImportNote::ResetWasOff {
            file: "bnNetExchangeSync.exe.config".into()
        }));
        let changed = import
            .notes
            .iter()
            .filter(|n| n.category() == NoteCategory::Changed)
            .count();
        assert_eq!(changed, 2, "scope and endpoint");
    }

    #[test]
    fn both_services_give_appointments_and_contacts_with_one_app() {
        let addresses = APPOINTMENTS
            .replace(
                "    <add key=\"SyncMonateVergangenheit\" value=\"6\" />\n",
                "",
            )
            .replace("    <add key=\"SyncMonateZukunft\" value=\"17\" />\n", "")
            .replace("value=\"300\"", "value=\"600\"")
            .replace(
                "    <add key=\"AlleTermineVorloeschen\" value=\"0\" />\n",
                "",
            );
        let import = import(&[
            file(&addresses, "Adress2Exchange-Dienst.exe.config"),
            file(APPOINTMENTS, "bnNetExchangeSync.exe.config"),
        ])
        .expect("ok");
        assert!(matches!(
            setting(&import, "sync.contacts"),
            Some(ImportedValue::Text(t)) if t == "export"
        ));
        assert!(matches!(
            setting(&import, "service.full_pass_interval"),
            Some(ImportedValue::Integer(300))
        ));
        let changed = import
            .notes
            .iter()
            .filter(|n| n.category() == NoteCategory::Changed)
            .count();
        assert_eq!(changed, 4, "scope and endpoint of each file");
        assert!(import.notes.contains(&ImportNote::KeptFirst {
            bnwin_key: "ZeitZwischenSyncdurchlaeufen(Sekunden)".into(),
            kept: "bnNetExchangeSync.exe.config".into(),
            ignored: "Adress2Exchange-Dienst.exe.config".into(),
        }));
    }

    #[test]
    fn two_app_registrations_are_refused_without_showing_them() {
        let other = APPOINTMENTS.replace("TopSecret", "OtherSecret");
        let error = import(&[
            file(APPOINTMENTS, "bnNetExchangeSync.exe.config"),
            file(&other, "Adress2Exchange-Dienst.exe.config"),
        ])
        .expect_err("differs");
        let message = error.to_string();
        assert!(
            message.starts_with("AzureClientSecret differs"),
            "{message}"
        );
        assert!(!message.contains("Secret\""), "{message}");
        assert!(!message.contains("XW.8Q"), "{message}");
    }

    #[test]
    fn reset_unknown_keys_and_bad_numbers() {
        let text = APPOINTMENTS
            .replace(
                "\"AlleTermineVorloeschen\" value=\"0\"",
                "\"AlleTermineVorloeschen\" value=\"1\"",
            )
            .replace(
                "</appSettings>",
                "<add key=\"LogLevel\" value=\"hidden-value\" /></appSettings>",
            );
        let import = import(&[file(&text, "bnNetExchangeSync.exe.config")]).expect("ok");
        assert!(import.notes.contains(&ImportNote::ResetWasOn {
            file: "bnNetExchangeSync.exe.config".into()
        }));
        assert!(import.notes.contains(&ImportNote::Unknown {
            file: "bnNetExchangeSync.exe.config".into(),
            bnwin_key: "LogLevel".into()
        }));
        let bad = APPOINTMENTS.replace("value=\"17\"", "value=\"siebzehn\"");
        let error =
            super::import(&[file(&bad, "bnNetExchangeSync.exe.config")]).expect_err("not a number");
        assert_eq!(
            error.to_string(),
            "bnNetExchangeSync.exe.config:6: SyncMonateZukunft must be a whole number"
        );
    }

    #[test]
    fn without_azure_keys_nothing_about_exchange_is_written() {
        let text = "<configuration><appSettings>\
            <add key=\"SyncMonateZukunft\" value=\"12\"/>\
            <add key=\"AzureEwsEndpoint\" value=\"https://mail.firma.local/EWS/Exchange.asmx\"/>\
            </appSettings></configuration>";
        let import = import(&[file(text, "bnNetExchangeSync.exe.config")]).expect("ok");
        assert!(setting(&import, "exchange.kind").is_none());
        assert!(import.notes.contains(&ImportNote::NoExchange));
    }

    #[test]
    fn the_service_of_a_renamed_file_is_judged_from_its_keys() {
        let f = file(APPOINTMENTS, "backup.config");
        assert_eq!(f.service(), BnwinService::Appointments);
        let import = import(&[f]).expect("ok");
        assert!(import.notes.contains(&ImportNote::ServiceAssumed {
            file: "backup.config".into(),
            service: BnwinService::Appointments
        }));
    }
}

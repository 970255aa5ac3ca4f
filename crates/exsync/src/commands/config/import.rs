//! `exsync config import --bnwin FILE`: `exsync.toml` from KWP bnWin.net's service
//! configuration, and a report of what was mapped, what was changed on purpose, what has no
//! equivalent and what is left to do.
//!
//! Invariants: the file is written only when it loads; each imported key carries a comment
//! naming the bnWin.net key it came from; the report shows secrets masked.

use std::fmt::Write as _;
use std::path::Path;

use exsync_config::bnwin::{
    self, BnwinError, BnwinFile, BnwinImport, BnwinService, ImportNote, ImportedValue,
    NoteCategory, Source,
};
use exsync_config::{Config, ConfigDocument, ExposeSecret as _};
use exsync_i18n::tr;

use super::{edit_error, write};
use crate::cli::ImportArgs;

/// Runs `exsync config import`.
pub(super) fn run(path: &Path, args: &ImportArgs) -> anyhow::Result<()> {
    write::refuse_existing(path, args.force)?;
    if args.bnwin.len() > 2 {
        anyhow::bail!(tr!("config-import-too-many"));
    }
    let files = args
        .bnwin
        .iter()
        .map(|file| BnwinFile::read(file))
        .collect::<Result<Vec<_>, _>>()
        .map_err(bnwin_error)?;
    let import = bnwin::import(&files).map_err(bnwin_error)?;
    let text = document(&files, &import)?;
    let report = report(&import);
    if let Err(errors) = Config::from_env_and_text(&text, path) {
        anyhow::bail!("{report}\n{errors}\n{}", tr!("config-import-invalid"));
    }
    write::write_new(path, &text, args.force)?;
    super::finish(path, Some(&report))
}

/// The new file: a header naming the files, then each setting with where it came from.
fn document(files: &[BnwinFile], import: &BnwinImport) -> anyhow::Result<String> {
    let mut doc = ConfigDocument::new();
    for setting in &import.settings {
        let key = setting.key;
        match &setting.value {
            ImportedValue::Integer(n) => doc.set_integer(key, *n),
            ImportedValue::Text(text) => doc.set_text(key, text),
            ImportedValue::Secret(secret) => doc.set_text(key, secret.expose_secret()),
        }
        .map_err(edit_error)?;
        let comment = match &setting.source {
            Source::Key { file, bnwin_key } => {
                tr!(
                    "config-import-comment-key",
                    bnwin_key = bnwin_key,
                    file = file
                )
            }
            Source::Services => tr!("config-import-comment-services"),
            Source::Graph => tr!("config-import-comment-graph"),
        };
        doc.comment(key, &[comment]);
    }
    let names: Vec<String> = files
        .iter()
        .map(|f| f.path().display().to_string())
        .collect();
    let mut text = format!(
        "# {}\n# {}\n\n",
        tr!("config-import-header", files = names.join(", ")),
        tr!("config-init-header-3")
    );
    text.push_str(&doc.to_string());
    Ok(text)
}

/// The report, one part per [`NoteCategory`] that has notes.
fn report(import: &BnwinImport) -> String {
    let mut out = String::new();
    for (category, title) in [
        (NoteCategory::Mapped, "config-import-mapped"),
        (NoteCategory::Changed, "config-import-changed"),
        (NoteCategory::NoEquivalent, "config-import-no-equivalent"),
        (NoteCategory::ToDo, "config-import-todo"),
    ] {
        let notes: Vec<&ImportNote> = import
            .notes
            .iter()
            .filter(|note| note.category() == category)
            .collect();
        if notes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}", tr!(title));
        for note in notes {
            let _ = writeln!(out, "  - {}", describe(note));
        }
    }
    out
}

/// One note in the admin's words.
fn describe(note: &ImportNote) -> String {
    match note {
        ImportNote::Mapped {
            file,
            bnwin_key,
            key,
            shown,
        } => tr!(
            "config-import-note-mapped",
            file = file,
            bnwin_key = bnwin_key,
            key = *key,
            value = shown
        ),
        ImportNote::Service {
            file,
            service,
            key,
            value,
        } => tr!(
            "config-import-note-service",
            file = file,
            service = service.service_name(),
            key = *key,
            value = *value
        ),
        ImportNote::NoService { service, key } => tr!(
            "config-import-note-no-service",
            service = service.service_name(),
            key = *key,
            file = expected_file(*service)
        ),
        ImportNote::NoTasks => tr!("config-import-note-no-tasks"),
        ImportNote::ServiceAssumed { file, service } => tr!(
            "config-import-note-service-assumed",
            file = file,
            service = service.service_name()
        ),
        ImportNote::KeptFirst {
            bnwin_key,
            kept,
            ignored,
        } => tr!(
            "config-import-note-kept-first",
            bnwin_key = bnwin_key,
            kept = kept,
            ignored = ignored
        ),
        ImportNote::ScopeReplaced { file, old, new } => tr!(
            "config-import-note-scope",
            file = file,
            old = old,
            new = new
        ),
        ImportNote::EndpointReplaced {
            file,
            old,
            graph_url,
            exchange_online,
        } => {
            let mut text = match old {
                Some(old) => tr!(
                    "config-import-note-endpoint",
                    file = file,
                    old = old,
                    graph_url = *graph_url
                ),
                None => tr!("config-import-note-graph", graph_url = *graph_url),
            };
            if !exchange_online {
                text.push(' ');
                text.push_str(&tr!("config-import-note-endpoint-not-online"));
            }
            text
        }
        ImportNote::ResetWasOff { file } => tr!("config-import-note-reset-off", file = file),
        ImportNote::ResetWasOn { file } => tr!("config-import-note-reset-on", file = file),
        ImportNote::AppPath { file } => tr!("config-import-note-app-path", file = file),
        ImportNote::Unknown { file, bnwin_key } => tr!(
            "config-import-note-unknown",
            file = file,
            bnwin_key = bnwin_key
        ),
        ImportNote::SetDatabase => tr!("config-import-note-database"),
        ImportNote::SetExpiry => tr!("config-import-note-expiry"),
        ImportNote::MissingKey { bnwin_key, key } => tr!(
            "config-import-note-missing",
            bnwin_key = *bnwin_key,
            key = *key
        ),
        ImportNote::NoExchange => tr!("config-import-note-no-exchange"),
    }
}

/// The file that configures a service.
fn expected_file(service: BnwinService) -> &'static str {
    match service {
        BnwinService::Appointments => "bnNetExchangeSync.exe.config",
        BnwinService::Addresses => "Adress2Exchange-Dienst.exe.config",
    }
}

/// A translated message for a file that cannot be imported.
fn bnwin_error(error: BnwinError) -> anyhow::Error {
    let path = |p: &Path| p.display().to_string();
    anyhow::anyhow!(match error {
        BnwinError::Read { path: p, reason } => {
            tr!(
                "config-import-cannot-read",
                path = path(&p),
                reason = reason
            )
        }
        BnwinError::NotText { path: p } => tr!("config-import-not-text", path = path(&p)),
        BnwinError::NotXml {
            path: p,
            line,
            reason,
        } => tr!(
            "config-import-not-xml",
            path = path(&p),
            line = line,
            reason = reason
        ),
        BnwinError::NoAppSettings { path: p } => {
            tr!("config-import-no-app-settings", path = path(&p))
        }
        BnwinError::NotANumber { path: p, line, key } => tr!(
            "config-import-not-a-number",
            path = path(&p),
            line = line,
            key = key
        ),
        BnwinError::Differs { key, first, second } => tr!(
            "config-import-differs",
            key = key,
            first = path(&first),
            second = path(&second)
        ),
        BnwinError::SameService {
            first,
            second,
            service,
        } => tr!(
            "config-import-same-service",
            first = path(&first),
            second = path(&second),
            service = service.service_name()
        ),
    })
}

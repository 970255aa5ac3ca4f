//! iCalendar and vCard import into, and export out of, the integration tables (for the CLI's
//! `business import-ics`, `import-vcf`, `export-ics`, `export-vcf`).
//!
//! The business id of an imported item is its UID, unchanged: importing the same file again
//! updates the same rows and never duplicates them. Imports are the business side's data and
//! are journaled with origin `business`, so exsync syncs them into Exchange.
//!
//! Invariant: an item that cannot be stored is reported with its UID and the reason, and costs
//! nothing else; everything else of the file is written in one transaction.

use chrono::NaiveDate;
use exsync_ical::ParseOptions;
use exsync_model::{Appointment, BusinessId, Contact, Task};

use crate::appointments::{check_writable as appointment_writable, write_appointment};
use crate::contacts::{check_writable as contact_writable, write_contact};
use crate::db::{BusinessDb, Origin, Tx};
use crate::error::{BusinessError, RowError};
use crate::items::{Window, check_owner};
use crate::sql::Param;
use crate::tasks::{check_writable as task_writable, write_task};

/// An item of a file that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedItem {
    /// Its UID (`""` when it has none).
    pub uid: String,
    /// Why, and what to change.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Items written (created or updated).
    pub imported: usize,
    /// Items left out, each with its reason.
    pub rejected: Vec<RejectedItem>,
}

/// An exported file and the rows that could not be exported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Export {
    /// The file's text (iCalendar or vCard).
    pub text: String,
    /// Malformed rows, left out of `text`.
    pub skipped: Vec<RowError>,
}

impl ImportReport {
    fn reject(&mut self, uid: &str, reason: impl Into<String>) {
        self.rejected.push(RejectedItem {
            uid: uid.to_owned(),
            reason: reason.into(),
        });
    }

    fn take_rejected(&mut self, rejected: Vec<exsync_ical::Rejected>) {
        for item in rejected {
            self.reject(&item.uid, item.reason);
        }
    }
}

/// Imports the events and tasks of an iCalendar file into user `login`'s appointments and
/// tasks. Floating times (no zone) are refused per item unless the file names its zone
/// (X-WR-TIMEZONE); see [`import_ics_bytes`] to give a default zone.
pub async fn import_ics(
    db: &BusinessDb,
    login: &str,
    text: &str,
) -> Result<ImportReport, BusinessError> {
    import_ics_bytes(db, login, text.as_bytes(), &ParseOptions::default()).await
}

/// As [`import_ics`], from the file's bytes (Windows-1252 lines are accepted), with `options`.
pub async fn import_ics_bytes(
    db: &BusinessDb,
    login: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<ImportReport, BusinessError> {
    let parsed = exsync_ical::parse_calendar_bytes(bytes, options)
        .map_err(|error| BusinessError::Invalid(error.to_string()))?;
    let mut report = ImportReport::default();
    report.take_rejected(parsed.rejected);
    let mut write = db.begin_write(Origin::Business).await?;
    let tx = write.tx();
    check_owner(tx, login).await?;
    for event in &parsed.events {
        let Some(id) = usable_id(&mut report, &event.uid) else {
            continue;
        };
        if let Err(error) = appointment_writable(id.as_str(), &event.appointment) {
            report.reject(&event.uid, error.to_string());
            continue;
        }
        if let Some(other) = owner_elsewhere(tx, "appointment", &id, login).await? {
            report.reject(&event.uid, owned_by(&other));
            continue;
        }
        write_appointment(tx, login, &id, &event.appointment).await?;
        report.imported += 1;
    }
    for todo in &parsed.tasks {
        let Some(id) = usable_id(&mut report, &todo.uid) else {
            continue;
        };
        if let Err(error) = task_writable(id.as_str(), &todo.task) {
            report.reject(&todo.uid, error.to_string());
            continue;
        }
        if let Some(other) = owner_elsewhere(tx, "task", &id, login).await? {
            report.reject(&todo.uid, owned_by(&other));
            continue;
        }
        write_task(tx, login, &id, &todo.task).await?;
        report.imported += 1;
    }
    write.commit().await?;
    Ok(report)
}

/// Imports the contacts of a vCard file (2.1, 3.0 or 4.0) into the company address book.
pub async fn import_vcf(db: &BusinessDb, text: &str) -> Result<ImportReport, BusinessError> {
    import_vcf_bytes(db, text.as_bytes()).await
}

/// As [`import_vcf`], from the file's bytes (vCard 2.1 files from Outlook may be Windows-1252).
pub async fn import_vcf_bytes(
    db: &BusinessDb,
    bytes: &[u8],
) -> Result<ImportReport, BusinessError> {
    let parsed = exsync_ical::parse_vcards_bytes(bytes)
        .map_err(|error| BusinessError::Invalid(error.to_string()))?;
    let mut report = ImportReport::default();
    report.take_rejected(parsed.rejected);
    let mut write = db.begin_write(Origin::Business).await?;
    for card in &parsed.contacts {
        let id = contact_id(&card.uid, &card.contact);
        if let Err(error) = contact_writable(id.as_str(), &card.contact) {
            report.reject(&card.uid, error.to_string());
            continue;
        }
        write_contact(write.tx(), &id, &card.contact).await?;
        report.imported += 1;
    }
    write.commit().await?;
    Ok(report)
}

/// Writes user `login`'s appointments (those overlapping `from`..=`to` when given; a series
/// when any occurrence does) and all of the user's tasks as an iCalendar file. UIDs are the
/// business ids.
pub async fn export_ics(
    db: &BusinessDb,
    login: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Export, BusinessError> {
    let window = match (from, to) {
        (None, None) => None,
        (from, to) => {
            let first = from.or_else(|| NaiveDate::from_ymd_opt(1900, 1, 1));
            let last = to.or_else(|| NaiveDate::from_ymd_opt(2199, 12, 31));
            match (first, last) {
                (Some(first), Some(last)) => Some(Window::days(first, last)),
                _ => None,
            }
        }
    };
    if let (Some(first), Some(last)) = (from, to)
        && last < first
    {
        return Err(BusinessError::Invalid(format!(
            "the export window ends ({last}) before it starts ({first}): swap the dates"
        )));
    }
    let mut skipped = Vec::new();
    let mut events: Vec<(BusinessId, Appointment)> = Vec::new();
    for item in db.list_appointments(login, window.as_ref()).await? {
        match item {
            Ok(pair) => events.push(pair),
            Err(error) => skipped.push(error),
        }
    }
    let mut tasks: Vec<(BusinessId, Task)> = Vec::new();
    for item in db.list_tasks(login).await? {
        match item {
            Ok(pair) => tasks.push(pair),
            Err(error) => skipped.push(error),
        }
    }
    let event_refs: Vec<(&str, &Appointment)> =
        events.iter().map(|(id, a)| (id.as_str(), a)).collect();
    let task_refs: Vec<(&str, &Task)> = tasks.iter().map(|(id, t)| (id.as_str(), t)).collect();
    Ok(Export {
        text: exsync_ical::write_calendar(&event_refs, &task_refs),
        skipped,
    })
}

/// Writes the company address book as a vCard 3.0 file. UIDs are the business ids.
pub async fn export_vcf(db: &BusinessDb) -> Result<Export, BusinessError> {
    let mut skipped = Vec::new();
    let mut contacts: Vec<(BusinessId, Contact)> = Vec::new();
    for item in db.list_contacts().await? {
        match item {
            Ok(pair) => contacts.push(pair),
            Err(error) => skipped.push(error),
        }
    }
    let refs: Vec<(&str, &Contact)> = contacts.iter().map(|(id, c)| (id.as_str(), c)).collect();
    Ok(Export {
        text: exsync_ical::write_vcards(&refs),
        skipped,
    })
}

/// The business id for a UID; `None` (and a rejection) when there is no UID.
fn usable_id(report: &mut ImportReport, uid: &str) -> Option<BusinessId> {
    if uid.trim().is_empty() {
        report.reject(
            uid,
            "the item has no UID, which exsync uses as its business id: add a UID property",
        );
        return None;
    }
    Some(BusinessId::from(uid))
}

/// The business id of an imported contact: its UID, or, for vCards without one (Google and
/// Outlook write none), a stable id derived from name, company and first e-mail address, so
/// that importing the same file again updates the contact instead of duplicating it.
fn contact_id(uid: &str, contact: &Contact) -> BusinessId {
    if !uid.trim().is_empty() {
        return BusinessId::from(uid);
    }
    let email = contact
        .emails
        .first()
        .map(|e| e.address.to_lowercase())
        .unwrap_or_default();
    let identity = format!(
        "{}\n{}\n{}",
        contact.shown_name().trim().to_lowercase(),
        contact.company.trim().to_lowercase(),
        email.trim()
    );
    BusinessId(format!(
        "vcard-{:016x}",
        xxhash_rust::xxh3::xxh3_64(identity.as_bytes())
    ))
}

/// The owner of an existing appointment or task `id` when it is not `login`.
async fn owner_elsewhere(
    tx: &mut Tx,
    kind: &str,
    id: &BusinessId,
    login: &str,
) -> Result<Option<String>, BusinessError> {
    let sql = if kind == "task" {
        "SELECT owner_login FROM exsync_tasks WHERE id = $1"
    } else {
        "SELECT owner_login FROM exsync_appointments WHERE id = $1"
    };
    let rows = tx
        .fetch(sql, vec![Param::text(id.as_str())])
        .await
        .map_err(BusinessError::db("looking up an imported item"))?;
    Ok(rows
        .first()
        .and_then(|row| row.text("owner_login").ok().flatten())
        .filter(|owner| owner != login))
}

fn owned_by(owner: &str) -> String {
    format!(
        "an item with this UID already belongs to user {owner:?} (the UID is the business id, \
         unique across users): import it for {owner:?}, or give this copy another UID"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_without_uid_are_rejected_with_the_fix() {
        let mut report = ImportReport::default();
        assert_eq!(usable_id(&mut report, "  "), None);
        assert_eq!(usable_id(&mut report, "abc"), Some(BusinessId::from("abc")));
        assert_eq!(report.rejected.len(), 1);
        assert!(report.rejected[0].reason.contains("add a UID"));
    }
}

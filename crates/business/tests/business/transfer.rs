//! iCalendar and vCard import and export.

use exsync_business::{Origin, export_ics, export_vcf, import_ics, import_vcf};
use exsync_model::{Appointment, BusinessId, Task};

use crate::fixtures::{add_user, berlin, day};
use crate::harness::TestDb;
use crate::on_both;

on_both!(
    ics_imports_update_instead_of_duplicating_and_export_reads_back,
    vcf_imports_and_exports_contacts,
    vcards_without_uid_get_a_stable_id
);

const ICS: &str = "BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Test//EN\r
BEGIN:VEVENT\r
UID:weekly-1@example.com\r
DTSTAMP:20260201T120000Z\r
DTSTART;TZID=Europe/Berlin:20260302T090000\r
DTEND;TZID=Europe/Berlin:20260302T100000\r
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10\r
EXDATE;TZID=Europe/Berlin:20260406T090000\r
SUMMARY:Team meeting\r
LOCATION:Room 1\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:weekly-1@example.com\r
DTSTAMP:20260201T120000Z\r
RECURRENCE-ID;TZID=Europe/Berlin:20260316T090000\r
DTSTART;TZID=Europe/Berlin:20260317T140000\r
DTEND;TZID=Europe/Berlin:20260317T150000\r
SUMMARY:Team meeting\r
LOCATION:Room 2\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:single-1@example.com\r
DTSTAMP:20260201T120000Z\r
DTSTART;TZID=Europe/Berlin:20260305T150000\r
DTEND;TZID=Europe/Berlin:20260305T160000\r
SUMMARY:Customer visit\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:hourly-1@example.com\r
DTSTAMP:20260201T120000Z\r
DTSTART;TZID=Europe/Berlin:20260305T150000\r
DTEND;TZID=Europe/Berlin:20260305T153000\r
RRULE:FREQ=HOURLY;COUNT=3\r
SUMMARY:Every hour\r
END:VEVENT\r
BEGIN:VTODO\r
UID:todo-1@example.com\r
DTSTAMP:20260201T120000Z\r
SUMMARY:Send offer\r
DUE;TZID=Europe/Berlin:20260306T120000\r
END:VTODO\r
END:VCALENDAR\r
";

async fn ics_imports_update_instead_of_duplicating_and_export_reads_back(t: TestDb) {
    let db = t.ready().await;
    add_user(db, "eva").await;
    add_user(db, "max").await;
    let report = import_ics(db, "eva", ICS).await.expect("imports");
    assert_eq!(report.imported, 3, "{report:?}");
    assert_eq!(report.rejected.len(), 1, "{report:?}");
    assert_eq!(report.rejected[0].uid, "hourly-1@example.com");
    assert!(report.rejected[0].reason.contains("HOURLY"), "{report:?}");

    let weekly = db
        .get_appointment(&BusinessId::from("weekly-1@example.com"))
        .await
        .expect("reads")
        .expect("imported under its UID");
    let series = weekly.item.series.as_ref().expect("a series");
    assert_eq!(series.cancelled.len(), 1);
    assert_eq!(series.modified.len(), 1);
    let journal = t.journal_after(2).await;
    assert!(journal.iter().all(|(_, _, _, origin)| origin == "business"));

    // Importing again updates the same rows.
    let again = import_ics(db, "eva", ICS).await.expect("imports");
    assert_eq!(again.imported, 3);
    assert_eq!(
        db.list_appointments("eva", None)
            .await
            .expect("lists")
            .len(),
        2
    );
    assert_eq!(db.list_tasks("eva").await.expect("lists").len(), 1);
    // The same UIDs cannot be taken over by another user's import.
    let other = import_ics(db, "max", ICS).await.expect("imports");
    assert_eq!(other.imported, 0);
    assert_eq!(other.rejected.len(), 4);
    assert!(other.rejected.iter().any(|r| r.reason.contains("\"eva\"")));

    // Export and read back: the same appointments and tasks.
    let exported = export_ics(db, "eva", None, None).await.expect("exports");
    assert!(exported.skipped.is_empty());
    let parsed = exsync_ical::parse_calendar(&exported.text).expect("valid iCalendar");
    let mut events: Vec<(String, Appointment)> = parsed
        .events
        .into_iter()
        .map(|e| (e.uid, e.appointment))
        .collect();
    events.sort_by(|a, b| a.0.cmp(&b.0));
    let mut stored: Vec<(String, Appointment)> = db
        .list_appointments("eva", None)
        .await
        .expect("lists")
        .into_iter()
        .map(|item| item.map(|(id, a)| (id.0, a)).expect("valid"))
        .collect();
    stored.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(events, stored);
    let tasks: Vec<(String, Task)> = parsed.tasks.into_iter().map(|t| (t.uid, t.task)).collect();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].1.subject, "Send offer");

    // A window keeps what overlaps it; a malformed row is reported, not exported.
    let single = Appointment::timed(
        "Late",
        berlin("2026-09-01T09:00"),
        berlin("2026-09-01T10:00"),
    );
    db.upsert_appointment("eva", &BusinessId::from("late"), &single, Origin::Business)
        .await
        .expect("writes");
    t.vendor
        .exec(
            "INSERT INTO exsync_appointments (id, owner_login, start_time, start_zone, end_time) \
             VALUES ('broken', 'eva', '2026-09-02T09:00:00', 'Nowhere/City', '2026-09-02T10:00:00')",
        )
        .await;
    let march = export_ics(db, "eva", Some(day("2026-03-05")), Some(day("2026-03-05")))
        .await
        .expect("exports");
    let uids: Vec<String> = exsync_ical::parse_calendar(&march.text)
        .expect("valid")
        .events
        .into_iter()
        .map(|e| e.uid)
        .collect();
    assert_eq!(uids, ["single-1@example.com"]);
    let autumn = export_ics(db, "eva", Some(day("2026-08-01")), None)
        .await
        .expect("exports");
    assert!(autumn.text.contains("UID:late"), "{}", autumn.text);
    assert!(!autumn.text.contains("weekly-1"));
    assert_eq!(autumn.skipped.len(), 1);
    assert_eq!(autumn.skipped[0].id, "broken");
    assert!(
        export_ics(db, "eva", Some(day("2026-03-05")), Some(day("2026-03-01")))
            .await
            .is_err()
    );
}

const VCF: &str = "BEGIN:VCARD\r
VERSION:3.0\r
UID:contact-1\r
N:Huber;Eva;;Dr.;\r
FN:Dr. Eva Huber\r
ORG:Muster GmbH;Sales\r
EMAIL;TYPE=WORK:eva@muster.de\r
TEL;TYPE=WORK:+49 89 1234\r
ADR;TYPE=WORK:;;Hauptstr. 1;München;BY;80331;Deutschland\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:3.0\r
UID:contact-2\r
FN:Too Many\r
EMAIL:a@x.de\r
EMAIL:b@x.de\r
EMAIL:c@x.de\r
EMAIL:d@x.de\r
END:VCARD\r
";

async fn vcf_imports_and_exports_contacts(t: TestDb) {
    let db = t.ready().await;
    let report = import_vcf(db, VCF).await.expect("imports");
    assert_eq!(report.imported, 1, "{report:?}");
    assert_eq!(report.rejected.len(), 1, "{report:?}");
    assert_eq!(report.rejected[0].uid, "contact-2");
    let again = import_vcf(db, VCF).await.expect("imports");
    assert_eq!(again.imported, 1);
    let contacts = db.list_contacts().await.expect("lists");
    assert_eq!(contacts.len(), 1);
    let (id, contact) = contacts[0].as_ref().expect("valid");
    assert_eq!(id.as_str(), "contact-1");
    assert_eq!(contact.surname, "Huber");
    assert_eq!(contact.company, "Muster GmbH");
    assert_eq!(contact.business_address.city, "München");

    let exported = export_vcf(db).await.expect("exports");
    let parsed = exsync_ical::parse_vcards(&exported.text).expect("valid vCard");
    assert_eq!(parsed.contacts.len(), 1);
    assert_eq!(parsed.contacts[0].uid, "contact-1");
    assert_eq!(&parsed.contacts[0].contact, contact);
    assert!(import_vcf(db, "not a card").await.is_err());
}

/// Google and Outlook write vCards without UID: they are imported under an id derived from the
/// name, company and first e-mail, so a second import updates instead of duplicating.
async fn vcards_without_uid_get_a_stable_id(t: TestDb) {
    let db = t.ready().await;
    let card = |phone: &str| {
        format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Berger;Jonas;;;\r\nFN:Jonas Berger\r\n\
             ORG:Berger Bau KG\r\nEMAIL;TYPE=INTERNET;TYPE=WORK:j.berger@example.com\r\n\
             TEL;TYPE=WORK:{phone}\r\nEND:VCARD\r\n"
        )
    };
    let first = import_vcf(db, &card("+49 89 1")).await.expect("imports");
    assert_eq!((first.imported, first.rejected.len()), (1, 0), "{first:?}");
    let second = import_vcf(db, &card("+49 89 2")).await.expect("imports");
    assert_eq!(
        (second.imported, second.rejected.len()),
        (1, 0),
        "{second:?}"
    );
    let contacts = db.list_contacts().await.expect("lists");
    assert_eq!(contacts.len(), 1, "re-import must update, not duplicate");
    let (id, contact) = contacts[0].as_ref().expect("valid");
    assert!(id.as_str().starts_with("vcard-"), "{id}");
    assert_eq!(contact.business_phones, vec!["+49 89 2".to_owned()]);
}

//! The demo's business data: three users with appointments (one of them a weekly series with a
//! moved and a cancelled occurrence) and tasks, and the company contacts, written into a fresh
//! business database the way a business application would (iCalendar and vCard imports).
//!
//! Invariants: every date lies between two days and eight weeks after `today` (well inside
//! the default sync window) and every time is Europe/Berlin; each item's business id is its
//! UID, so the demo knows the id of everything it created (the files' text is built by
//! `calendar`); an item the import rejects fails the demo (the data is ours: a bug).

use anyhow::Context;
use chrono::NaiveDate;
use exsync_business::{BusinessDb, ImportReport, NewUser, import_ics, import_vcf};
use exsync_i18n::tr;

use super::calendar::{self, Calendar};

/// One demo user and the business ids of what the user owns.
#[derive(Debug, Clone)]
pub struct DemoUser {
    /// Login name in the business application.
    pub login: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Mailbox address (the emulator serves it).
    pub mailbox: &'static str,
    /// Business ids of the user's appointments.
    pub appointments: Vec<&'static str>,
    /// Business ids of the user's tasks.
    pub tasks: Vec<&'static str>,
    /// The user's appointments and tasks as an iCalendar file.
    ics: String,
}

/// Everything the demo puts into the business database.
#[derive(Debug, Clone)]
pub struct DemoData {
    /// The users, in the order they are shown.
    pub users: Vec<DemoUser>,
    /// Business ids of the company contacts (every user's mailbox gets all of them).
    pub contacts: Vec<&'static str>,
    /// The company contacts as a vCard file.
    vcf: String,
}

/// The appointment the business application changes during the demo (Ben's).
pub const BUSINESS_CHANGED: &str = "demo-ben-budget";
/// The appointment changed in Outlook during the demo (Anna's).
pub const EXCHANGE_CHANGED: &str = "demo-anna-visit";
/// The weekly series with a moved and a cancelled occurrence (Anna's).
pub const SERIES: &str = "demo-anna-weekly";

/// A single appointment: UID, subject, location, days from today, start and end (`HHMM`).
#[rustfmt::skip]
type EventSpec = (&'static str, &'static str, &'static str, i64, &'static str, &'static str);
/// A task: UID, subject, days from today until it is due, priority (1 high, 9 low).
type TodoSpec = (&'static str, &'static str, i64, u8);

/// Anna: a customer visit, a kick-off, the weekly series, two tasks.
#[rustfmt::skip]
const ANNA_EVENTS: &[EventSpec] = &[
    (EXCHANGE_CHANGED, "Customer visit Müller GmbH", "Müller GmbH, Augsburg", 3, "1000", "1130"),
    ("demo-anna-kickoff", "Kick-off project Nordlicht", "Room 2.04", 4, "1400", "1500"),
];
#[rustfmt::skip]
const ANNA_TODOS: &[TodoSpec] = &[
    ("demo-anna-offer", "Prepare the offer for Müller GmbH", 2, 1),
    ("demo-anna-callback", "Call back Dr. Weber", 5, 5),
];
/// Ben: the budget review the business application renames, a planning meeting, a task.
#[rustfmt::skip]
const BEN_EVENTS: &[EventSpec] = &[
    (BUSINESS_CHANGED, "Budget review", "Room 1.12", 2, "0900", "1000"),
    ("demo-ben-fair", "Trade fair planning", "", 9, "1300", "1430"),
];
const BEN_TODOS: &[TodoSpec] = &[("demo-ben-invoice", "Send invoice 2026-117", 3, 5)];
/// Carla: a service appointment, a team lunch, two tasks.
#[rustfmt::skip]
const CARLA_EVENTS: &[EventSpec] = &[
    ("demo-carla-service", "Service appointment Hotel Adler", "Hotel Adler, Lindau", 6, "0800", "1200"),
    ("demo-carla-lunch", "Team lunch", "Gasthaus Krone", 10, "1200", "1330"),
];
#[rustfmt::skip]
const CARLA_TODOS: &[TodoSpec] = &[
    ("demo-carla-parts", "Order spare parts for Hotel Adler", 4, 1),
    ("demo-carla-prices", "Update the price list", 14, 9),
];

impl DemoData {
    /// The demo data with dates relative to `today`.
    pub fn for_today(today: NaiveDate) -> DemoData {
        let calendar = Calendar::new(today);
        let user = |login, name, mailbox, events: &[EventSpec], todos: &[TodoSpec]| {
            let mut ics = String::new();
            let mut appointments = Vec::new();
            for &(uid, subject, location, days, from, to) in events {
                ics.push_str(&calendar.event(uid, subject, location, days, from, to));
                appointments.push(uid);
            }
            if login == "anna" {
                ics.push_str(&calendar.series(SERIES));
                appointments.push(SERIES);
            }
            for &(uid, subject, days, priority) in todos {
                ics.push_str(&calendar.todo(uid, subject, days, priority));
            }
            DemoUser {
                login,
                name,
                mailbox,
                appointments,
                tasks: todos.iter().map(|t| t.0).collect(),
                ics: calendar::vcalendar(&ics),
            }
        };
        DemoData {
            users: vec![
                user(
                    "anna",
                    "Anna Berger",
                    "anna.berger@demo.example",
                    ANNA_EVENTS,
                    ANNA_TODOS,
                ),
                user(
                    "ben",
                    "Ben Schulz",
                    "ben.schulz@demo.example",
                    BEN_EVENTS,
                    BEN_TODOS,
                ),
                user(
                    "carla",
                    "Carla Nowak",
                    "carla.nowak@demo.example",
                    CARLA_EVENTS,
                    CARLA_TODOS,
                ),
            ],
            contacts: calendar::CONTACTS.iter().map(|c| c.0).collect(),
            vcf: calendar::CONTACTS.iter().map(calendar::vcard).collect(),
        }
    }

    /// Creates the integration schema and writes the users, their appointments and tasks, and
    /// the company contacts into `db`.
    pub async fn write_to(&self, db: &BusinessDb) -> anyhow::Result<()> {
        db.init_schema()
            .await
            .with_context(|| tr!("demo-error-schema"))?;
        for user in &self.users {
            db.add_user(&NewUser {
                login: user.login.to_owned(),
                display_name: user.name.to_owned(),
                mailbox: Some(user.mailbox.to_owned()),
                enabled: true,
            })
            .await
            .with_context(|| tr!("demo-error-add-user", login = user.login))?;
            let report = import_ics(db, user.login, &user.ics).await?;
            let whose = tr!("demo-of-user", login = user.login);
            all_imported(&report, user.appointments.len() + user.tasks.len(), &whose)?;
        }
        let report = import_vcf(db, &self.vcf).await?;
        all_imported(&report, self.contacts.len(), &tr!("demo-of-contacts"))
    }
}

/// Fails unless `report` imported exactly `expected` items and rejected none; `whose` names
/// the data ("of anna").
fn all_imported(report: &ImportReport, expected: usize, whose: &str) -> anyhow::Result<()> {
    if let Some(rejected) = report.rejected.first() {
        anyhow::bail!(tr!(
            "demo-error-rejected",
            whose = whose,
            uid = &rejected.uid,
            reason = &rejected.reason
        ));
    }
    anyhow::ensure!(
        report.imported == expected,
        tr!(
            "demo-error-imported",
            imported = report.imported,
            expected = expected,
            whose = whose
        )
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, Duration};

    use super::calendar::compact;
    use super::*;

    #[test]
    fn the_series_starts_on_a_monday_at_least_a_week_ahead_and_everything_is_ahead() {
        for offset in 0..7 {
            let today =
                NaiveDate::from_ymd_opt(2026, 12, 7).expect("date") + Duration::days(offset);
            let data = DemoData::for_today(today);
            let anna = &data.users[0];
            let first = anna
                .ics
                .split("DTSTART;TZID=Europe/Berlin:")
                .nth(3)
                .expect("series");
            let first = NaiveDate::parse_from_str(&first[..8], "%Y%m%d").expect("date");
            assert_eq!(first.weekday(), chrono::Weekday::Mon, "{today}");
            assert!(first >= today + Duration::days(7) && first < today + Duration::days(14));
            assert!(anna.ics.contains(&format!(
                "EXDATE;TZID=Europe/Berlin:{}T090000",
                compact(first + Duration::days(21))
            )));
            assert!(anna.ics.contains(&format!(
                "RECURRENCE-ID;TZID=Europe/Berlin:{}T090000",
                compact(first + Duration::days(7))
            )));
        }
    }

    #[test]
    fn ids_are_unique_and_counted_per_mailbox() {
        let data = DemoData::for_today(NaiveDate::from_ymd_opt(2026, 12, 5).expect("date"));
        let mut ids: Vec<&str> = data.contacts.clone();
        for user in &data.users {
            ids.extend(&user.appointments);
            ids.extend(&user.tasks);
        }
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count);
        let anna = &data.users[0];
        assert_eq!((anna.appointments.len(), anna.tasks.len()), (3, 2));
        assert_eq!(data.contacts.len(), 4);
        assert!(data.users[0].appointments.contains(&SERIES));
        assert!(data.users[0].appointments.contains(&EXCHANGE_CHANGED));
        assert!(data.users[1].appointments.contains(&BUSINESS_CHANGED));
    }
}

//! The text of the demo's iCalendar and vCard files, as a business application would export
//! them: events and the weekly series in Europe/Berlin, tasks with due dates, vCard 3.0
//! contacts.
//!
//! Invariant: every date is computed from `today` (events and tasks a few days ahead, the
//! series from the first Monday at least a week ahead), so the data is always inside the
//! sync window; text values are escaped as RFC 5545 wants (commas in LOCATION).

use chrono::{Datelike, Duration, NaiveDate};

/// Builds the components of the demo's calendars for one day.
pub struct Calendar {
    today: NaiveDate,
    stamp: String,
    /// The first occurrence of the weekly series.
    monday: NaiveDate,
}

impl Calendar {
    /// The calendar as of `today`.
    pub fn new(today: NaiveDate) -> Self {
        let until_monday = (7 - i64::from(today.weekday().num_days_from_monday())) % 7;
        Calendar {
            today,
            stamp: format!("{}T000000Z", compact(today)),
            monday: today + Duration::days(7 + until_monday),
        }
    }

    /// A single appointment `days` after today from `from` to `to` (`HHMM`, Europe/Berlin).
    pub fn event(
        &self,
        uid: &str,
        subject: &str,
        location: &str,
        days: i64,
        from: &str,
        to: &str,
    ) -> String {
        let (stamp, date) = (&self.stamp, compact(self.today + Duration::days(days)));
        let location = match location {
            "" => String::new(),
            place => format!("LOCATION:{}\r\n", place.replace(',', "\\,")),
        };
        format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{stamp}\r\nSUMMARY:{subject}\r\n{location}\
             DTSTART;TZID=Europe/Berlin:{date}T{from}00\r\nDTEND;TZID=Europe/Berlin:{date}T{to}00\r\n\
             END:VEVENT\r\n"
        )
    }

    /// The weekly sales meeting: six Mondays 09:00-09:30; the second takes place on Tuesday
    /// 14:00 instead, the fourth is cancelled.
    pub fn series(&self, uid: &str) -> String {
        let stamp = &self.stamp;
        let week = |n: i64| self.monday + Duration::days(7 * n);
        let (first, moved, cancelled) = (compact(week(0)), compact(week(1)), compact(week(3)));
        let tuesday = compact(week(1) + Duration::days(1));
        format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{stamp}\r\nSUMMARY:Weekly sales meeting\r\n\
             LOCATION:Room 2.04\r\nDTSTART;TZID=Europe/Berlin:{first}T090000\r\n\
             DTEND;TZID=Europe/Berlin:{first}T093000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6\r\n\
             EXDATE;TZID=Europe/Berlin:{cancelled}T090000\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{stamp}\r\n\
             RECURRENCE-ID;TZID=Europe/Berlin:{moved}T090000\r\n\
             SUMMARY:Weekly sales meeting (on Tuesday this week)\r\nLOCATION:Room 2.04\r\n\
             DTSTART;TZID=Europe/Berlin:{tuesday}T140000\r\nDTEND;TZID=Europe/Berlin:{tuesday}T143000\r\n\
             END:VEVENT\r\n"
        )
    }

    /// A task due `days` after today with `priority` (1 high, 9 low).
    pub fn todo(&self, uid: &str, subject: &str, days: i64, priority: u8) -> String {
        let (stamp, due) = (&self.stamp, compact(self.today + Duration::days(days)));
        format!(
            "BEGIN:VTODO\r\nUID:{uid}\r\nDTSTAMP:{stamp}\r\nSUMMARY:{subject}\r\n\
             DUE;VALUE=DATE:{due}\r\nPRIORITY:{priority}\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\n"
        )
    }
}

/// `components` wrapped into a VCALENDAR.
pub fn vcalendar(components: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//exsync//demo//EN\r\n{components}END:VCALENDAR\r\n"
    )
}

/// `20261205`.
pub fn compact(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

/// A company contact: UID, given name, family name, company, e-mail, phone.
#[rustfmt::skip]
pub type ContactSpec = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str);

/// The company contacts (one row each).
#[rustfmt::skip]
pub const CONTACTS: [ContactSpec; 4] = [
    ("demo-contact-mueller", "Hans", "Müller", "Müller GmbH", "hans.mueller@mueller-gmbh.example", "+49 821 123456"),
    ("demo-contact-weber", "Petra", "Weber", "Praxis Dr. Weber", "p.weber@praxis-weber.example", "+49 89 987654"),
    ("demo-contact-adler", "Jonas", "Brandt", "Hotel Adler", "j.brandt@hotel-adler.example", "+49 8382 4455"),
    ("demo-contact-krone", "Maria", "Huber", "Gasthaus Krone", "info@krone.example", "+43 5574 1234"),
];

/// One contact as a vCard 3.0.
pub fn vcard(contact: &ContactSpec) -> String {
    let (uid, given, family, company, email, phone) = contact;
    format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{given} {family}\r\nN:{family};{given};;;\r\n\
         ORG:{company}\r\nEMAIL;TYPE=WORK:{email}\r\nTEL;TYPE=WORK:{phone}\r\nEND:VCARD\r\n"
    )
}

//! Pairing by key: unique matches pair, several candidates hold all of them out, lookalikes on
//! one side are reported and copied.

use chrono::{NaiveDateTime, Weekday};
use exsync_engine::Observed;
use exsync_model::{
    Appointment, Contact, EmailAddress, ItemKind, Pattern, Range, Recurrence, Series, Task,
    TimeZoneName, WeekdaySet, ZonedDateTime,
};

use super::*;

fn at(text: &str, zone: &str) -> ZonedDateTime {
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").expect("time");
    ZonedDateTime::new(local, TimeZoneName::new(zone).expect("zone"))
}

fn meeting(subject: &str, start: &str, end: &str, zone: &str) -> Appointment {
    Appointment::timed(subject, at(start, zone), at(end, zone))
}

fn x<T>(id: &str, item: T) -> ExchangeItem<T> {
    ExchangeItem {
        id: id.into(),
        change_key: None,
        business_id: None,
        item,
        modified: None,
    }
}

fn b<T>(id: &str, item: T) -> (BusinessId, Observed<T>) {
    (id.into(), Observed::new(item))
}

#[test]
fn subjects_compare_without_case_spacing_or_trailing_punctuation() {
    assert_eq!(normalise_subject("  Kunden  Termin!! "), "kunden termin");
    assert_eq!(normalise_subject("Kundentermin."), "kundentermin");
    assert_ne!(normalise_subject("Termin A"), normalise_subject("Termin B"));
}

#[test]
fn the_same_instant_in_windows_and_iana_zone_names_pairs() {
    let business = meeting(
        "Kundentermin",
        "2027-03-02T09:00",
        "2027-03-02T10:00",
        "Europe/Berlin",
    );
    let outlook = meeting(
        "kundentermin.",
        "2027-03-02T09:00",
        "2027-03-02T10:00",
        "W. Europe Standard Time",
    );
    let other_hour = meeting(
        "Kundentermin",
        "2027-03-02T10:00",
        "2027-03-02T11:00",
        "Europe/Berlin",
    );
    let pairing = pair(
        ItemKind::Appointment,
        vec![b("4711", business)],
        vec![x("X1", outlook), x("X2", other_hour)],
    );
    assert_eq!(pairing.pairs.len(), 1);
    assert_eq!(pairing.pairs[0].0.as_str(), "4711");
    assert_eq!(pairing.pairs[0].2.id.as_str(), "X1");
    assert_eq!(
        pairing.exchange.len(),
        1,
        "the other hour is a different item"
    );
    assert!(pairing.business.is_empty() && pairing.ambiguous.is_empty());
}

#[test]
fn two_candidates_hold_all_of_them_out_and_say_so() {
    let item = || {
        meeting(
            "Kundentermin",
            "2027-03-02T09:00",
            "2027-03-02T10:00",
            "Europe/Berlin",
        )
    };
    let pairing = pair(
        ItemKind::Appointment,
        vec![b("4711", item())],
        vec![x("X2", item()), x("X1", item())],
    );
    assert!(pairing.pairs.is_empty());
    assert!(pairing.business.is_empty() && pairing.exchange.is_empty());
    assert_eq!(pairing.ambiguous.len(), 1);
    let message = &pairing.ambiguous[0].message;
    assert!(
        message.contains("2 Outlook items (X1, X2) match business appointment 4711")
            && message.contains("\"Kundentermin\" on 2027-03-02 09:00")
            && message.contains("linked none"),
        "{message}"
    );
}

#[test]
fn lookalikes_on_one_side_are_reported_and_copied() {
    let task = || {
        let mut t = Task::new("Angebot schreiben");
        t.due = Some(at("2027-03-05T00:00", "Europe/Berlin"));
        t
    };
    let pairing = pair(ItemKind::Task, vec![b("1", task()), b("2", task())], vec![]);
    assert_eq!(pairing.business.len(), 2);
    assert_eq!(pairing.lookalikes.len(), 1);
    assert!(
        pairing.lookalikes[0].contains("(1, 2)"),
        "{:?}",
        pairing.lookalikes
    );
}

#[test]
fn tasks_pair_by_subject_and_due_date() {
    let task = |subject: &str, due: Option<&str>| {
        let mut t = Task::new(subject);
        t.due = due.map(|d| at(d, "Europe/Berlin"));
        t
    };
    let pairing = pair(
        ItemKind::Task,
        vec![
            b("1", task("Angebot", Some("2027-03-05T00:00"))),
            b("2", task("Rückruf", None)),
        ],
        vec![
            x("A", task("angebot", Some("2027-03-05T00:00"))),
            x("B", task("Angebot", Some("2027-03-06T00:00"))),
            x("C", task("Rückruf ", None)),
        ],
    );
    let pairs: Vec<(&str, &str)> = pairing
        .pairs
        .iter()
        .map(|(b, _, e)| (b.as_str(), e.id.as_str()))
        .collect();
    assert_eq!(pairs.len(), 2);
    assert!(pairs.contains(&("1", "A")) && pairs.contains(&("2", "C")));
    assert_eq!(pairing.exchange.len(), 1);
}

#[test]
fn contacts_pair_by_mail_address_else_by_name_and_company() {
    let contact = |given: &str, surname: &str, company: &str, mail: Option<&str>| {
        let mut c = Contact {
            given_name: given.into(),
            surname: surname.into(),
            company: company.into(),
            ..Contact::default()
        };
        if let Some(mail) = mail {
            c.emails.push(EmailAddress::new(mail, ""));
        }
        c
    };
    let pairing = pair(
        ItemKind::Contact,
        vec![
            b(
                "k1",
                contact("Eva", "Berg", "Berg GmbH", Some("Eva.Berg@berg.example")),
            ),
            b("k2", contact("Jan", "Ohm", "Ohm KG", None)),
            b("k3", contact("Jan", "Ohm", "Andere AG", None)),
        ],
        vec![
            x(
                "A",
                contact("E.", "Berg", "", Some("eva.berg@berg.example")),
            ),
            x("B", contact("jan", "ohm", "Ohm KG", None)),
        ],
    );
    let pairs: Vec<(&str, &str)> = pairing
        .pairs
        .iter()
        .map(|(b, _, e)| (b.as_str(), e.id.as_str()))
        .collect();
    assert_eq!(pairs.len(), 2);
    assert!(pairs.contains(&("k1", "A")) && pairs.contains(&("k2", "B")));
    assert_eq!(
        pairing.business.len(),
        1,
        "same name, other company: not a twin"
    );
}

#[test]
fn series_pair_only_with_the_same_pattern() {
    let series = |days: &[Weekday], first_day: Weekday| {
        let mut a = meeting(
            "Jour fixe",
            "2027-03-01T09:00",
            "2027-03-01T09:30",
            "Europe/Berlin",
        );
        a.series = Some(Series::new(Recurrence {
            pattern: Pattern::Weekly {
                interval: 1,
                days: {
                    let mut set = WeekdaySet::EMPTY;
                    for day in days {
                        set.insert(*day);
                    }
                    set
                },
                first_day_of_week: first_day,
            },
            range: Range::NoEnd,
            time_zone: None,
        }));
        a
    };
    let pairing = pair(
        ItemKind::Appointment,
        vec![b("s1", series(&[Weekday::Mon], Weekday::Mon))],
        vec![
            x("S1", series(&[Weekday::Mon], Weekday::Sun)),
            x("S2", series(&[Weekday::Mon, Weekday::Wed], Weekday::Mon)),
        ],
    );
    assert_eq!(pairing.pairs.len(), 1);
    assert_eq!(pairing.pairs[0].2.id.as_str(), "S1");
    assert_eq!(pairing.exchange.len(), 1);
}

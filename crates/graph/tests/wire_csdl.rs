//! Conformance with Microsoft's Graph v1.0 CSDL: every property the wire module writes for an
//! event, a task or a contact (POST and PATCH bodies, nested objects included) exists on the
//! CSDL type it is sent as (or a base type), and every enumeration value is a member of its
//! enum.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{NaiveDate, Weekday};
use exsync_graph::wire::contact::{contact_patch, new_contact};
use exsync_graph::wire::event::{event_patch, new_event};
use exsync_graph::wire::task::{new_task, task_patch};
use exsync_model::{
    Appointment, Body, Contact, EmailAddress, Pattern, PostalAddress, Range, Recurrence, Series,
    SyncItem, Task, TaskStatus, TimeZoneName, WeekIndex, WeekdaySet, ZonedDateTime,
};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event as XmlEvent};
use serde_json::Value;

#[derive(Debug, Default)]
struct Schema {
    /// Structured types: name -> (base type, property -> type).
    types: HashMap<String, (Option<String>, HashMap<String, String>)>,
    /// Enum types: name -> members.
    enums: HashMap<String, Vec<String>>,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.to_string())
}

fn strip(name: &str) -> String {
    name.trim_start_matches("graph.").to_owned()
}

fn load() -> Schema {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/graph/v1.0-Prod.csdl");
    let text = std::fs::read_to_string(path).expect("CSDL readable (shared/ beside main)");
    let mut reader = Reader::from_str(&text);
    let mut schema = Schema::default();
    let (mut in_graph, mut current_type, mut current_enum) =
        (false, None::<String>, None::<String>);
    loop {
        match reader.read_event().expect("well-formed CSDL") {
            XmlEvent::Start(e) | XmlEvent::Empty(e) => match e.local_name().as_ref() {
                "Schema" => in_graph = attr(&e, "Namespace").as_deref() == Some("microsoft.graph"),
                "EntityType" | "ComplexType" if in_graph => {
                    let name = attr(&e, "Name").expect("name");
                    let base = attr(&e, "BaseType").map(|b| strip(&b));
                    schema.types.insert(name.clone(), (base, HashMap::new()));
                    current_type = Some(name);
                }
                "EnumType" if in_graph => {
                    let name = attr(&e, "Name").expect("name");
                    schema.enums.insert(name.clone(), Vec::new());
                    current_enum = Some(name);
                }
                "Property" | "NavigationProperty" => {
                    if let Some(t) = current_type.as_ref().and_then(|t| schema.types.get_mut(t)) {
                        t.1.insert(
                            attr(&e, "Name").expect("name"),
                            attr(&e, "Type").expect("type"),
                        );
                    }
                }
                "Member" => {
                    if let Some(m) = current_enum.as_ref().and_then(|n| schema.enums.get_mut(n)) {
                        m.push(attr(&e, "Name").expect("name"));
                    }
                }
                _ => {}
            },
            XmlEvent::End(e) => match e.local_name().as_ref() {
                "EntityType" | "ComplexType" => current_type = None,
                "EnumType" => current_enum = None,
                _ => {}
            },
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    schema
}

impl Schema {
    /// The type of `property` on `type_name` or one of its base types.
    fn property_type(&self, type_name: &str, property: &str) -> Option<String> {
        let mut current = Some(type_name.to_owned());
        while let Some(name) = current {
            let (base, properties) = self.types.get(&name)?;
            if let Some(t) = properties.get(property) {
                return Some(t.clone());
            }
            current = base.clone();
        }
        None
    }

    /// Checks `value`, sent as CSDL type `type_name`, against the schema; returns problems.
    fn check(&self, value: &Value, type_name: &str, path: &str, problems: &mut Vec<String>) {
        if let Some(inner) = type_name
            .strip_prefix("Collection(")
            .and_then(|t| t.strip_suffix(')'))
        {
            match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item, inner, &format!("{path}[{i}]"), problems);
                    }
                }
                None => problems.push(format!("{path}: {type_name} expects an array, got {value}")),
            }
            return;
        }
        if value.is_null() {
            return;
        }
        let name = strip(type_name);
        if let Some(members) = self.enums.get(&name) {
            if !value
                .as_str()
                .is_some_and(|v| members.iter().any(|m| m == v))
            {
                problems.push(format!("{path}: {value} is not a member of {name}"));
            }
            return;
        }
        if self.types.contains_key(&name) {
            let Some(object) = value.as_object() else {
                problems.push(format!("{path}: {name} expects an object, got {value}"));
                return;
            };
            for (key, inner) in object {
                match self.property_type(&name, key) {
                    Some(t) => self.check(inner, &t, &format!("{path}.{key}"), problems),
                    None => problems.push(format!("{path}.{key}: no such property on {name}")),
                }
            }
            return;
        }
        let ok = match name.as_str() {
            "Edm.String" | "Edm.Date" | "Edm.DateTimeOffset" => value.is_string(),
            "Edm.Boolean" => value.is_boolean(),
            "Edm.Int32" | "Edm.Int64" => value.is_i64() || value.is_u64(),
            _ => false,
        };
        if !ok {
            problems.push(format!("{path}: {value} does not fit {name}"));
        }
    }

    fn assert_fits(&self, value: &Value, type_name: &str) {
        let mut problems = Vec::new();
        self.check(value, type_name, type_name, &mut problems);
        assert!(problems.is_empty(), "{problems:#?}");
    }
}

fn berlin() -> TimeZoneName {
    TimeZoneName::new("Europe/Berlin").expect("known zone")
}

fn full_appointment() -> Appointment {
    let at = |h| {
        ZonedDateTime::new(
            NaiveDate::from_ymd_opt(2026, 3, 2)
                .and_then(|d| d.and_hms_opt(h, 0, 0))
                .expect("date"),
            berlin(),
        )
    };
    let mut item = Appointment::timed("Jour fixe", at(9), at(10));
    item.location = "Raum 1".into();
    item.body = Body::html("<p>x</p>");
    item.categories = vec!["Kunde".into()];
    item.reminder_minutes = Some(15);
    item.series = Some(Series::new(Recurrence {
        pattern: Pattern::Weekly {
            interval: 1,
            days: WeekdaySet::single(Weekday::Mon),
            first_day_of_week: Weekday::Mon,
        },
        range: Range::Numbered { count: 5 },
        time_zone: Some(berlin()),
    }));
    item
}

#[test]
fn event_bodies_fit_the_csdl_for_every_pattern() {
    let schema = load();
    let mut item = full_appointment();
    schema.assert_fits(
        &new_event(&item, "B", "tx", &berlin()).expect("writes"),
        "event",
    );
    schema.assert_fits(
        &event_patch(&item, Appointment::FIELDS, &berlin()).expect("writes"),
        "event",
    );
    let patterns = [
        Pattern::Daily { interval: 1 },
        Pattern::AbsoluteMonthly {
            interval: 1,
            day_of_month: 31,
        },
        Pattern::RelativeMonthly {
            interval: 1,
            days: WeekdaySet::WORKDAYS,
            index: WeekIndex::Last,
        },
        Pattern::AbsoluteYearly {
            interval: 1,
            month: 2,
            day_of_month: 29,
        },
        Pattern::RelativeYearly {
            interval: 1,
            month: 11,
            days: WeekdaySet::ALL,
            index: WeekIndex::Fourth,
        },
    ];
    for pattern in patterns {
        for range in [
            Range::NoEnd,
            Range::EndDate {
                end: NaiveDate::from_ymd_opt(2027, 1, 1).expect("date"),
            },
        ] {
            if let Some(series) = item.series.as_mut() {
                series.recurrence.pattern = pattern.clone();
                series.recurrence.range = range;
            }
            schema.assert_fits(
                &new_event(&item, "B", "tx", &berlin()).expect("writes"),
                "event",
            );
        }
    }
    let all_day = Appointment::all_day(
        "Urlaub",
        NaiveDate::from_ymd_opt(2026, 7, 20).expect("date"),
        NaiveDate::from_ymd_opt(2026, 7, 21).expect("date"),
    );
    schema.assert_fits(
        &new_event(&all_day, "B", "tx", &berlin()).expect("writes"),
        "event",
    );
}

#[test]
fn task_bodies_fit_the_csdl() {
    let schema = load();
    let at = ZonedDateTime::new(
        NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .expect("date"),
        berlin(),
    );
    let mut task = Task::new("Angebot");
    task.body = Body::text("Details");
    task.start = Some(at.clone());
    task.due = Some(at.clone());
    task.completed = Some(at.clone());
    task.reminder = Some(at);
    task.status = TaskStatus::WaitingOnOthers;
    task.categories = vec!["Kunde".into()];
    schema.assert_fits(&new_task(&task, "B").expect("writes"), "todoTask");
    schema.assert_fits(
        &task_patch(&Task::new("x"), Task::FIELDS).expect("writes"),
        "todoTask",
    );
}

#[test]
fn contact_bodies_fit_the_csdl() {
    let schema = load();
    let address = PostalAddress {
        street: "Hauptstr. 1".into(),
        city: "Berlin".into(),
        state: "BE".into(),
        postal_code: "10115".into(),
        country: "DE".into(),
    };
    let contact = Contact {
        title: "Dr.".into(),
        given_name: "Eva".into(),
        middle_name: "M.".into(),
        surname: "Huber".into(),
        suffix: "jun.".into(),
        display_name: "Huber, Eva".into(),
        company: "Muster GmbH".into(),
        department: "Einkauf".into(),
        job_title: "Leitung".into(),
        emails: vec![EmailAddress::new("eva@muster.de", "Eva Huber")],
        business_phones: vec!["+49 30 1".into()],
        mobile_phone: "+49 170 1".into(),
        home_phones: vec!["+49 30 2".into()],
        business_fax: "+49 30 3".into(),
        business_address: address.clone(),
        home_address: address.clone(),
        other_address: address,
        website: "https://muster.de".into(),
        notes: "Notiz".into(),
        categories: vec!["Kunde".into()],
    };
    schema.assert_fits(&new_contact(&contact, "B").expect("writes"), "contact");
    schema.assert_fits(
        &contact_patch(&contact, Contact::FIELDS).expect("writes"),
        "contact",
    );
    schema.assert_fits(
        &contact_patch(&Contact::default(), Contact::FIELDS).expect("writes"),
        "contact",
    );
}

#[test]
fn the_checker_refuses_unknown_properties_and_enum_values() {
    let schema = load();
    let mut problems = Vec::new();
    let bad = serde_json::json!({"subject": "x", "colour": "red", "showAs": "away",
                                 "start": {"dateTime": "2026-03-02T09:00:00", "zone": "UTC"}});
    schema.check(&bad, "event", "event", &mut problems);
    assert_eq!(problems.len(), 3, "{problems:#?}");
}

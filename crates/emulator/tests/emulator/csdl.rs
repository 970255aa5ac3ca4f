//! Conformance with Microsoft's Graph v1.0 CSDL: every property the emulator writes for an
//! event, task (with expanded linked resources) or contact exists on its type (or its base
//! types such as `outlookItem`, `entity`) or on the complex type it nests, with a compatible
//! JSON type, and every enumeration value is a member of its enum.

use std::collections::HashMap;
use std::path::PathBuf;

use quick_xml::Reader;
use quick_xml::events::Event as XmlEvent;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::start;

/// Properties of a structured type: name -> (type, nullable).
type Properties = HashMap<String, (String, bool)>;

#[derive(Debug, Default)]
struct Schema {
    /// Structured types (entity and complex): name -> (base type, property -> (type, nullable)).
    types: HashMap<String, (Option<String>, Properties)>,
    /// Enum types: name -> members.
    enums: HashMap<String, Vec<String>>,
}

fn csdl_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/graph/v1.0-Prod.csdl")
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.to_string())
}

/// Reads the `microsoft.graph` schema's structured and enum types.
fn load() -> Schema {
    let text = std::fs::read_to_string(csdl_path()).expect("CSDL readable (shared/ beside main)");
    let mut reader = Reader::from_str(&text);
    let mut schema = Schema::default();
    let mut current_type: Option<String> = None;
    let mut current_enum: Option<String> = None;
    let mut in_graph = false;
    loop {
        match reader.read_event().expect("well-formed CSDL") {
            XmlEvent::Start(e) | XmlEvent::Empty(e) => match e.local_name().as_ref() {
                "Schema" => in_graph = attr(&e, "Namespace").as_deref() == Some("microsoft.graph"),
                "EntityType" | "ComplexType" if in_graph => {
                    let name = attr(&e, "Name").expect("name");
                    let base =
                        attr(&e, "BaseType").map(|b| b.trim_start_matches("graph.").to_owned());
                    schema.types.insert(name.clone(), (base, HashMap::new()));
                    current_type = Some(name);
                }
                "EnumType" if in_graph => {
                    let name = attr(&e, "Name").expect("name");
                    schema.enums.insert(name.clone(), Vec::new());
                    current_enum = Some(name);
                }
                // Navigation properties appear in JSON when expanded ($expand).
                "Property" | "NavigationProperty" => {
                    if let Some(t) = current_type.as_ref().and_then(|t| schema.types.get_mut(t)) {
                        let nullable = attr(&e, "Nullable").as_deref() != Some("false");
                        t.1.insert(
                            attr(&e, "Name").expect("name"),
                            (attr(&e, "Type").expect("type"), nullable),
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
                "Schema" => in_graph = false,
                _ => {}
            },
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    schema
}

impl Schema {
    fn property(&self, type_name: &str, name: &str) -> Option<&(String, bool)> {
        let mut current = Some(type_name.to_owned());
        while let Some(t) = current {
            let (base, props) = self.types.get(&t)?;
            if let Some(p) = props.get(name) {
                return Some(p);
            }
            current = base.clone();
        }
        None
    }

    /// Problems found in `value` as an instance of the structured type `type_name`.
    fn check_object(&self, type_name: &str, value: &Value, at: &str, problems: &mut Vec<String>) {
        let Some(map) = value.as_object() else {
            problems.push(format!(
                "{at}: expected an object of {type_name}, got {value}"
            ));
            return;
        };
        for (key, v) in map {
            if key.starts_with("@odata.") {
                continue;
            }
            match self.property(type_name, key) {
                None => problems.push(format!("{at}.{key}: no such property on {type_name}")),
                Some((t, nullable)) => {
                    self.check_value(t, *nullable, v, &format!("{at}.{key}"), problems)
                }
            }
        }
    }

    fn check_value(
        &self,
        t: &str,
        nullable: bool,
        v: &Value,
        at: &str,
        problems: &mut Vec<String>,
    ) {
        if v.is_null() {
            if !nullable {
                problems.push(format!("{at}: null but {t} is not nullable"));
            }
            return;
        }
        if let Some(inner) = t
            .strip_prefix("Collection(")
            .and_then(|r| r.strip_suffix(')'))
        {
            match v.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check_value(inner, false, item, &format!("{at}[{i}]"), problems);
                    }
                }
                None => problems.push(format!("{at}: expected an array of {inner}")),
            }
            return;
        }
        let ok = match t {
            "Edm.String" => v.is_string(),
            "Edm.Boolean" => v.is_boolean(),
            "Edm.Int32" | "Edm.Int64" => v.is_i64(),
            "Edm.Double" => v.is_number(),
            "Edm.DateTimeOffset" => v
                .as_str()
                .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok()),
            "Edm.Date" => v
                .as_str()
                .is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()),
            graph => {
                let name = graph.trim_start_matches("graph.");
                if let Some(members) = self.enums.get(name) {
                    v.as_str().is_some_and(|s| members.iter().any(|m| m == s))
                } else if self.types.contains_key(name) {
                    self.check_object(name, v, at, problems);
                    true
                } else {
                    problems.push(format!("{at}: unknown type {t}"));
                    true
                }
            }
        };
        if !ok {
            problems.push(format!("{at}: {v} is not a {t}"));
        }
    }
}

#[test]
fn the_checker_itself_catches_wrong_names_types_and_enum_values() {
    let schema = load();
    let mut problems = Vec::new();
    schema.check_object(
        "event",
        &json!({"subjekt": "x", "isAllDay": "yes", "showAs": "sleeping", "start": {"dateTime": 5}, "id": null}),
        "event",
        &mut problems,
    );
    assert_eq!(problems.len(), 5, "{problems:#?}");
}

#[tokio::test]
async fn every_event_property_the_emulator_writes_is_in_the_csdl() {
    let schema = load();
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let rich = json!({
        "subject": "Review",
        "body": {"contentType": "html", "content": "<p>Hello</p>"},
        "start": {"dateTime": "2026-03-16T09:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2026-03-16T10:00:00", "timeZone": "W. Europe Standard Time"},
        "location": {"displayName": "Room 2"},
        "sensitivity": "private",
        "importance": "low",
        "showAs": "tentative",
        "categories": ["A", "B"],
        "attendees": [{"type": "optional", "status": {"response": "accepted"},
                        "emailAddress": {"address": "x@fabrikam.example", "name": "X"}}],
        "transactionId": "t-1",
        "recurrence": {
            "pattern": {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["monday"], "index": "third"},
            "range": {"type": "endDate", "startDate": "2026-03-16", "endDate": "2026-12-31"}
        }
    });
    let master = env.create(&token, &user, &rich).await;
    let single = env
        .create(&token, &user, &crate::common::berlin_event("Plain"))
        .await;
    let path = format!(
        "/users/{user}/calendarView?startDateTime=2026-01-01T00:00:00Z&endDateTime=2026-05-01T00:00:00Z"
    );
    let (_, _, view) = env.graph(Method::GET, &path, &token, &[], None).await;
    let occurrence = view["value"][0].clone();
    assert_eq!(occurrence["type"], "occurrence");
    let mut problems = Vec::new();
    for (name, event) in [
        ("master", &master),
        ("single", &single),
        ("occurrence", &occurrence),
    ] {
        schema.check_object("event", event, name, &mut problems);
    }
    assert!(problems.is_empty(), "{problems:#?}");
    // The fields the brief names are all there.
    for field in [
        "id",
        "@odata.etag",
        "changeKey",
        "createdDateTime",
        "lastModifiedDateTime",
        "iCalUId",
        "subject",
        "body",
        "start",
        "end",
        "originalStartTimeZone",
        "originalEndTimeZone",
        "isAllDay",
        "showAs",
        "sensitivity",
        "importance",
        "categories",
        "isReminderOn",
        "reminderMinutesBeforeStart",
        "location",
        "type",
        "seriesMasterId",
        "recurrence",
        "organizer",
        "attendees",
        "isOrganizer",
        "transactionId",
    ] {
        assert!(master.get(field).is_some(), "missing {field}");
    }
}

/// Drops what only a delta answer carries on a removed item (`@removed`).
fn without_removed(items: &Value) -> Vec<Value> {
    items
        .as_array()
        .expect("value")
        .iter()
        .filter(|i| i.get("@removed").is_none())
        .cloned()
        .collect()
}

#[tokio::test]
async fn every_task_contact_folder_and_delta_item_is_in_the_csdl() {
    let schema = load();
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let mut problems = Vec::new();
    let get = |path: String| {
        let (env, token) = (&env, &token);
        async move { env.graph(Method::GET, &path, token, &[], None).await.2 }
    };

    // To Do.
    let list_id = crate::todo::default_list(&env, &token, &user).await;
    let lists = get(format!("/users/{user}/todo/lists")).await;
    for list in lists["value"].as_array().expect("value") {
        schema.check_object("todoTaskList", list, "list", &mut problems);
    }
    let tasks = format!("/users/{user}/todo/lists/{list_id}/tasks");
    let (_, _, task) = env
        .graph(
            Method::POST,
            &tasks,
            &token,
            &[],
            Some(&crate::todo::full_task()),
        )
        .await;
    let (_, _, plain) = env
        .graph(
            Method::POST,
            &tasks,
            &token,
            &[],
            Some(&json!({"title": "t"})),
        )
        .await;
    schema.check_object("todoTask", &task, "task", &mut problems);
    schema.check_object("todoTask", &plain, "plain task", &mut problems);
    let mut linked_task = json!({"title": "linked"});
    linked_task["linkedResources"] = json!([{"applicationName": "exsync", "externalId": "T-1",
        "displayName": "ERP", "webUrl": "https://erp.example/T-1"}]);
    let (_, _, linked) = env
        .graph(Method::POST, &tasks, &token, &[], Some(&linked_task))
        .await;
    let linked_id = linked["id"].as_str().expect("id");
    let expanded = get(format!("{tasks}/{linked_id}?$expand=linkedResources")).await;
    assert_eq!(expanded["linkedResources"][0]["externalId"], "T-1");
    schema.check_object("todoTask", &linked, "deep-inserted task", &mut problems);
    schema.check_object("todoTask", &expanded, "expanded task", &mut problems);
    let links = get(format!("{tasks}/{linked_id}/linkedResources")).await;
    for link in links["value"].as_array().expect("value") {
        schema.check_object("linkedResource", link, "linkedResource", &mut problems);
    }
    for item in without_removed(&get(format!("{tasks}/delta")).await["value"]) {
        schema.check_object("todoTask", &item, "task delta", &mut problems);
    }

    // Contacts.
    let (_, folder) = crate::contacts::new_folder(&env, &token, &user, "CRM").await;
    schema.check_object("contactFolder", &folder, "folder", &mut problems);
    let contacts = format!(
        "/users/{user}/contactFolders/{}/contacts",
        folder["id"].as_str().expect("id")
    );
    let (_, _, contact) = env
        .graph(
            Method::POST,
            &contacts,
            &token,
            &[],
            Some(&crate::contacts::full_contact()),
        )
        .await;
    let (_, _, bare) = env
        .graph(
            Method::POST,
            &contacts,
            &token,
            &[],
            Some(&json!({"givenName": "A"})),
        )
        .await;
    schema.check_object("contact", &contact, "contact", &mut problems);
    schema.check_object("contact", &bare, "bare contact", &mut problems);
    let prop = "String {a42cbdf3-bae0-4cee-a2fb-99aa72ae86b8} Name exsync.businessId";
    let stamped =
        json!({"givenName": "S", "singleValueExtendedProperties": [{"id": prop, "value": "C-1"}]});
    let (_, _, stamped) = env
        .graph(Method::POST, &contacts, &token, &[], Some(&stamped))
        .await;
    let expanded = get(format!(
        "{contacts}/{}?$expand=singleValueExtendedProperties($filter=id eq '{prop}')",
        stamped["id"].as_str().expect("id")
    ))
    .await;
    assert!(expanded.get("singleValueExtendedProperties").is_some());
    schema.check_object("contact", &expanded, "expanded contact", &mut problems);
    for item in without_removed(&get(format!("{contacts}/delta")).await["value"]) {
        schema.check_object("contact", &item, "contact delta", &mut problems);
    }

    // Events: calendarView delta items and an expanded extended property.
    let prop = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name exsyncId";
    let mut event = crate::common::berlin_event("E");
    event["singleValueExtendedProperties"] = json!([{"id": prop, "value": "v"}]);
    let created = env.create(&token, &user, &event).await;
    let expanded = get(format!(
        "/users/{user}/events/{}?$expand=singleValueExtendedProperties($filter=id eq '{prop}')",
        created["id"].as_str().expect("id")
    ))
    .await;
    assert!(expanded.get("singleValueExtendedProperties").is_some());
    schema.check_object("event", &expanded, "expanded event", &mut problems);
    let path = "/users/{user}/calendarView/delta?startDateTime=2026-07-01T00:00:00Z&endDateTime=2026-08-01T00:00:00Z";
    let (items, _, _) = crate::delta::round(&env, &token, &path.replace("{user}", &user), 10).await;
    let items = without_removed(&Value::Array(items));
    assert_eq!(items.len(), 1);
    for item in items {
        schema.check_object("event", &item, "event delta", &mut problems);
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

//! Contacts through EWS (`t:Contact`, https://learn.microsoft.com/exchange/client-developer/
//! web-service-reference/contact): reading a request's contact properties into the store's
//! Graph `contact`-shaped property map and writing a stored contact back in `types.xsd` order.
//!
//! Mapping (EWS ↔ Graph): the plain strings by name (FileAs ↔ fileAs, Nickname ↔ nickName, …),
//! Body ↔ personalNotes, Birthday ↔ birthday, Children, Categories; the dictionaries by key:
//! `EmailAddress1..3` ↔ `emailAddresses[0..2]`, `BusinessPhone`/`BusinessPhone2` ↔
//! `businessPhones`, `HomePhone`/`HomePhone2` ↔ `homePhones`, `MobilePhone` ↔ `mobilePhone`,
//! `ImAddress1..3` ↔ `imAddresses`, `Business`/`Home`/`Other` ↔ `businessAddress`/`homeAddress`/
//! `otherAddress`. Other phone keys and contact properties are accepted and not stored. The
//! `Subject` of a contact is its display name (written, never read).
//!
//! Invariant: Graph keeps lists where EWS has numbered keys, so setting slot N of a list that
//! is shorter appends (the list never holds gaps); deleting a slot removes that entry.

use serde_json::{Map, Value, json};

use super::calendar_item::stamp;
use super::error::ItemError;
use super::folder_item::{Head, Props, read_instant, read_strings, strings, text, write_head};
use super::shape::Shape;
use super::xml::{Element, Writer};
use crate::store::folders::Item;

/// Properties of the `Default` shape of a contact. Not verified against a real Exchange: chosen
/// as the properties an address list shows.
pub const DEFAULT: &[&str] = &[
    "item:Subject",
    "item:HasAttachments",
    "contacts:FileAs",
    "contacts:DisplayName",
    "contacts:GivenName",
    "contacts:CompanyName",
    "contacts:EmailAddresses",
    "contacts:PhoneNumbers",
    "contacts:JobTitle",
    "contacts:Surname",
];

/// Plain string properties: EWS element, Graph property.
const PLAIN: &[(&str, &str)] = &[
    ("FileAs", "fileAs"),
    ("DisplayName", "displayName"),
    ("GivenName", "givenName"),
    ("Initials", "initials"),
    ("MiddleName", "middleName"),
    ("Nickname", "nickName"),
    ("CompanyName", "companyName"),
    ("AssistantName", "assistantName"),
    ("BusinessHomePage", "businessHomePage"),
    ("Department", "department"),
    ("Generation", "generation"),
    ("JobTitle", "jobTitle"),
    ("Manager", "manager"),
    ("OfficeLocation", "officeLocation"),
    ("Profession", "profession"),
    ("SpouseName", "spouseName"),
    ("Surname", "surname"),
];

/// Phone keys: EWS key, Graph property, slot (`None`: a single string).
const PHONES: &[(&str, &str, Option<usize>)] = &[
    ("BusinessPhone", "businessPhones", Some(0)),
    ("BusinessPhone2", "businessPhones", Some(1)),
    ("HomePhone", "homePhones", Some(0)),
    ("HomePhone2", "homePhones", Some(1)),
    ("MobilePhone", "mobilePhone", None),
];

const ADDRESSES: &[(&str, &str)] = &[
    ("Home", "homeAddress"),
    ("Business", "businessAddress"),
    ("Other", "otherAddress"),
];

const ADDRESS_PARTS: &[(&str, &str)] = &[
    ("Street", "street"),
    ("City", "city"),
    ("State", "state"),
    ("CountryOrRegion", "countryOrRegion"),
    ("PostalCode", "postalCode"),
];

fn slot(key: &str, prefix: &str) -> Option<usize> {
    let n: usize = key.strip_prefix(prefix)?.parse().ok()?;
    (1..=3).contains(&n).then(|| n - 1)
}

fn set_slot(fields: &mut Map<String, Value>, key: &str, index: usize, value: Value) {
    let list = fields
        .entry(key.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    if let Some(list) = list.as_array_mut() {
        if index < list.len() {
            list[index] = value;
        } else {
            list.push(value);
        }
    }
}

fn remove_slot(fields: &mut Map<String, Value>, key: &str, index: usize) {
    if let Some(list) = fields.get_mut(key).and_then(Value::as_array_mut)
        && index < list.len()
    {
        list.remove(index);
    }
}

/// The entries of a numbered dictionary with their slots, lowest slot first (so
/// `EmailAddress2` before `EmailAddress1` still lands second).
fn slots<'a>(el: &'a Element, prefix: &str) -> Result<Vec<(usize, &'a Element)>, ItemError> {
    let mut entries = el
        .all("Entry")
        .map(|e| {
            let key = e.attr("Key").unwrap_or_default();
            slot(key, prefix).map(|i| (i, e)).ok_or_else(|| bad_key(e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    entries.sort_by_key(|(i, _)| *i);
    Ok(entries)
}

fn bad_key(entry: &Element) -> ItemError {
    ItemError::invalid_value(&format!(
        "the dictionary key '{}'",
        entry.attr("Key").unwrap_or_default()
    ))
}

/// Applies one child element of a `t:Contact` to the contact's properties.
pub fn apply(fields: &mut Map<String, Value>, el: &Element) -> Result<(), ItemError> {
    let name = el.name.as_str();
    if let Some((_, key)) = PLAIN.iter().find(|(e, _)| *e == name) {
        fields.insert((*key).to_owned(), Value::String(el.text.clone()));
        return Ok(());
    }
    match name {
        "Body" => {
            fields.insert("personalNotes".to_owned(), Value::String(el.text.clone()));
        }
        "Categories" => {
            fields.insert("categories".to_owned(), read_strings(el));
        }
        "Children" => {
            fields.insert("children".to_owned(), read_strings(el));
        }
        "Birthday" => {
            let day = read_instant(el)?;
            fields.insert("birthday".to_owned(), Value::String(stamp(day)));
        }
        "EmailAddresses" => {
            for (index, entry) in slots(el, "EmailAddress")? {
                let email = json!({"address": entry.text.trim(), "name": entry.attr("Name")});
                set_slot(fields, "emailAddresses", index, email);
            }
        }
        "ImAddresses" => {
            for (index, entry) in slots(el, "ImAddress")? {
                set_slot(
                    fields,
                    "imAddresses",
                    index,
                    Value::String(entry.text.clone()),
                );
            }
        }
        "PhoneNumbers" => {
            for entry in el.all("Entry") {
                let key = entry.attr("Key").unwrap_or_default();
                let number = Value::String(entry.text.clone());
                match PHONES.iter().find(|(k, _, _)| *k == key) {
                    Some((_, prop, Some(index))) => set_slot(fields, prop, *index, number),
                    Some((_, prop, None)) => {
                        fields.insert((*prop).to_owned(), number);
                    }
                    // Other phone kinds (fax, pager, …) have no Graph property.
                    None => {}
                }
            }
        }
        "PhysicalAddresses" => {
            for entry in el.all("Entry") {
                let key = entry.attr("Key").unwrap_or_default();
                let (_, prop) = ADDRESSES
                    .iter()
                    .find(|(k, _)| *k == key)
                    .ok_or_else(|| bad_key(entry))?;
                let address = fields
                    .entry((*prop).to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if !address.is_object() {
                    *address = Value::Object(Map::new());
                }
                if let Some(address) = address.as_object_mut() {
                    for part in &entry.children {
                        if let Some((_, k)) = ADDRESS_PARTS.iter().find(|(e, _)| *e == part.name) {
                            address.insert((*k).to_owned(), Value::String(part.text.clone()));
                        }
                    }
                }
            }
        }
        "CompleteName" => {
            return Err(ItemError::new(
                "ErrorInvalidPropertySet",
                "CompleteName is read-only.",
            ));
        }
        // Accepted, not stored (Graph's contact has no such property).
        _ => {}
    }
    Ok(())
}

/// Clears the property `uri` (with `index` for dictionary entries) names (`DeleteItemField`).
pub fn delete(fields: &mut Map<String, Value>, uri: &str, index: Option<&str>) {
    let index = index.unwrap_or_default();
    if let Some(element) = uri.strip_prefix("contacts:")
        && let Some((_, key)) = PLAIN.iter().find(|(e, _)| *e == element)
    {
        fields.remove(*key);
        return;
    }
    match uri {
        "item:Body" => {
            fields.remove("personalNotes");
        }
        "item:Categories" => {
            fields.remove("categories");
        }
        "contacts:Children" => {
            fields.remove("children");
        }
        "contacts:Birthday" => {
            fields.remove("birthday");
        }
        "contacts:EmailAddress" => {
            if let Some(i) = slot(index, "EmailAddress") {
                remove_slot(fields, "emailAddresses", i);
            }
        }
        "contacts:ImAddress" => {
            if let Some(i) = slot(index, "ImAddress") {
                remove_slot(fields, "imAddresses", i);
            }
        }
        "contacts:PhoneNumber" => match PHONES.iter().find(|(k, _, _)| *k == index) {
            Some((_, prop, Some(i))) => remove_slot(fields, prop, *i),
            Some((_, prop, None)) => {
                fields.remove(*prop);
            }
            None => {}
        },
        _ => {
            let part = uri.strip_prefix("contacts:PhysicalAddress:");
            let part = part.and_then(|p| ADDRESS_PARTS.iter().find(|(e, _)| *e == p));
            let prop = ADDRESSES.iter().find(|(k, _)| *k == index);
            if let (Some((_, part)), Some((_, prop))) = (part, prop)
                && let Some(address) = fields.get_mut(*prop).and_then(Value::as_object_mut)
            {
                address.remove(*part);
            }
        }
    }
}

/// Writes `t:Contact` with the properties `shape` asks for.
pub fn write(w: &mut Writer, item: &Item, folder_id: String, shape: &Shape) {
    let props = Props::new(shape, DEFAULT);
    let f = &item.fields;
    let head = Head {
        item,
        folder_id,
        class: "IPM.Contact",
        subject: text(f, "displayName").unwrap_or_default().to_owned(),
        body: Some((
            text(f, "personalNotes").unwrap_or_default().to_owned(),
            false,
        )),
        importance: "Normal",
        reminder: None,
    };
    w.open("t:Contact", &[]);
    write_head(w, &head, &props);
    let plain = |w: &mut Writer, element: &str| {
        let key = PLAIN.iter().find(|(e, _)| *e == element).map(|(_, k)| *k);
        if let (true, Some(value)) = (
            props.has(&format!("contacts:{element}")),
            key.and_then(|k| text(f, k)),
        ) {
            w.text(&format!("t:{element}"), value);
        }
    };
    for element in [
        "FileAs",
        "DisplayName",
        "GivenName",
        "Initials",
        "MiddleName",
        "Nickname",
        "CompanyName",
    ] {
        plain(w, element);
    }
    write_dictionaries(w, f, &props);
    plain(w, "AssistantName");
    if let (true, Some(day)) = (props.has("contacts:Birthday"), text(f, "birthday")) {
        w.text("t:Birthday", day);
    }
    plain(w, "BusinessHomePage");
    let children = strings(f, "children");
    if props.has("contacts:Children") && !children.is_empty() {
        w.open("t:Children", &[]);
        for c in &children {
            w.text("t:String", c);
        }
        w.close("t:Children");
    }
    plain(w, "Department");
    plain(w, "Generation");
    let ims = strings(f, "imAddresses");
    if props.has("contacts:ImAddresses") && !ims.is_empty() {
        w.open("t:ImAddresses", &[]);
        for (i, im) in ims.iter().take(3).enumerate() {
            w.text_with("t:Entry", &[("Key", &format!("ImAddress{}", i + 1))], im);
        }
        w.close("t:ImAddresses");
    }
    for element in [
        "JobTitle",
        "Manager",
        "OfficeLocation",
        "Profession",
        "SpouseName",
        "Surname",
    ] {
        plain(w, element);
    }
    w.close("t:Contact");
}

/// `EmailAddresses`, `PhysicalAddresses`, `PhoneNumbers` (each left out when empty: the schema
/// wants at least one entry).
fn write_dictionaries(w: &mut Writer, f: &Map<String, Value>, props: &Props<'_>) {
    let emails: Vec<&Value> = f
        .get("emailAddresses")
        .and_then(Value::as_array)
        .map(|a| a.iter().take(3).collect())
        .unwrap_or_default();
    if props.has("contacts:EmailAddresses") && !emails.is_empty() {
        w.open("t:EmailAddresses", &[]);
        for (i, e) in emails.iter().enumerate() {
            let key = format!("EmailAddress{}", i + 1);
            let address = e.get("address").and_then(Value::as_str).unwrap_or_default();
            let mut attrs = vec![("Key", key.as_str())];
            if let Some(name) = e.get("name").and_then(Value::as_str) {
                attrs.push(("Name", name));
            }
            w.text_with("t:Entry", &attrs, address);
        }
        w.close("t:EmailAddresses");
    }
    let addresses: Vec<(&str, &Map<String, Value>)> = ADDRESSES
        .iter()
        .filter_map(|(k, prop)| {
            let a = f.get(*prop).and_then(Value::as_object)?;
            a.values().any(Value::is_string).then_some((*k, a))
        })
        .collect();
    if props.has("contacts:PhysicalAddresses") && !addresses.is_empty() {
        w.open("t:PhysicalAddresses", &[]);
        for (key, a) in addresses {
            w.open("t:Entry", &[("Key", key)]);
            for (element, part) in ADDRESS_PARTS {
                if let Some(v) = a.get(*part).and_then(Value::as_str) {
                    w.text(&format!("t:{element}"), v);
                }
            }
            w.close("t:Entry");
        }
        w.close("t:PhysicalAddresses");
    }
    let phones: Vec<(&str, String)> = PHONES
        .iter()
        .filter_map(|(key, prop, index)| {
            let number = match index {
                Some(i) => strings(f, prop).get(*i).cloned(),
                None => text(f, prop).map(str::to_owned),
            };
            number.map(|n| (*key, n))
        })
        .collect();
    if props.has("contacts:PhoneNumbers") && !phones.is_empty() {
        w.open("t:PhoneNumbers", &[]);
        for (key, number) in phones {
            w.text_with("t:Entry", &[("Key", key)], &number);
        }
        w.close("t:PhoneNumbers");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, text: &str) -> Element {
        Element {
            name: "Entry".to_owned(),
            attrs: vec![("Key".to_owned(), key.to_owned())],
            text: text.to_owned(),
            ..Element::default()
        }
    }

    fn dict(name: &str, entries: Vec<Element>) -> Element {
        Element {
            name: name.to_owned(),
            children: entries,
            ..Element::default()
        }
    }

    #[test]
    fn keyed_slots_map_to_graph_lists_without_gaps() {
        let mut fields = Map::new();
        let emails = dict(
            "EmailAddresses",
            vec![
                entry("EmailAddress2", "b@x.example"),
                entry("EmailAddress1", "a@x.example"),
            ],
        );
        apply(&mut fields, &emails).expect("emails");
        assert_eq!(fields["emailAddresses"][0]["address"], "a@x.example");
        assert_eq!(fields["emailAddresses"][1]["address"], "b@x.example");
        let phones = dict(
            "PhoneNumbers",
            vec![
                entry("MobilePhone", "+1 555"),
                entry("BusinessPhone", "+1 556"),
                entry("Pager", "1"),
            ],
        );
        apply(&mut fields, &phones).expect("phones");
        assert_eq!(fields["mobilePhone"], "+1 555");
        assert_eq!(fields["businessPhones"], json!(["+1 556"]));
        delete(&mut fields, "contacts:EmailAddress", Some("EmailAddress1"));
        assert_eq!(fields["emailAddresses"].as_array().map(Vec::len), Some(1));
        assert!(
            apply(
                &mut fields,
                &dict("EmailAddresses", vec![entry("EmailAddress4", "x")])
            )
            .is_err()
        );
    }
}

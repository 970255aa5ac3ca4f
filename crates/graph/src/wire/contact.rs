//! Graph `contact` JSON <-> model [`Contact`]: POST body, PATCH bodies of named fields, and
//! parsing (delta tombstones included).
//!
//! Invariant: at most three e-mail addresses are written (Exchange's limit; more is an error,
//! never a silent cut); the business id and the business fax (Graph v1.0 has no fax property)
//! travel as single-value extended properties; an empty text field is omitted on create and
//! cleared (null) on patch.

use chrono::{DateTime, Utc};
use exsync_model::{Contact, EmailAddress, MAX_EMAILS, PostalAddress};
use serde_json::{Map, Value, json};

use super::values::{
    extended_property, optional_str, read_id, read_strings, read_timestamp, removed_reason,
    string_or_empty,
};
use super::{BUSINESS_FAX_PROPERTY, BUSINESS_ID_PROPERTY, WireError};

/// Model field -> Graph property, for the plain text fields.
const TEXT_FIELDS: [(&str, &str); 10] = [
    ("title", "title"),
    ("given_name", "givenName"),
    ("middle_name", "middleName"),
    ("surname", "surname"),
    ("suffix", "generation"),
    ("display_name", "displayName"),
    ("company", "companyName"),
    ("department", "department"),
    ("job_title", "jobTitle"),
    ("website", "businessHomePage"),
];

/// The POST body that creates `contact` with the business id property.
pub fn new_contact(contact: &Contact, business_id: &str) -> Result<Value, WireError> {
    check(contact)?;
    let mut body = Map::new();
    for (field, _) in TEXT_FIELDS {
        write_field(&mut body, contact, field, false)?;
    }
    for field in [
        "emails",
        "business_phones",
        "mobile_phone",
        "home_phones",
        "business_address",
        "home_address",
        "other_address",
        "notes",
        "categories",
    ] {
        write_field(&mut body, contact, field, false)?;
    }
    let mut properties = vec![json!({ "id": BUSINESS_ID_PROPERTY, "value": business_id })];
    if !contact.business_fax.trim().is_empty() {
        properties.push(json!({ "id": BUSINESS_FAX_PROPERTY, "value": contact.business_fax }));
    }
    body.insert(
        "singleValueExtendedProperties".into(),
        Value::Array(properties),
    );
    Ok(Value::Object(body))
}

/// The PATCH body that sets the named model fields (names from `Contact::FIELDS`) to their
/// values in `contact`.
pub fn contact_patch(contact: &Contact, fields: &[&str]) -> Result<Value, WireError> {
    check(contact)?;
    let mut body = Map::new();
    for field in fields {
        write_field(&mut body, contact, field, true)?;
    }
    Ok(Value::Object(body))
}

fn check(contact: &Contact) -> Result<(), WireError> {
    if contact.emails.len() > MAX_EMAILS {
        return Err(WireError::Invalid {
            item: contact.shown_name(),
            reason: format!(
                "{} e-mail addresses given, Exchange keeps at most {MAX_EMAILS}",
                contact.emails.len()
            ),
        });
    }
    Ok(())
}

fn text(value: &str, clear: bool) -> Option<Value> {
    if !value.is_empty() {
        Some(json!(value))
    } else if clear {
        Some(Value::Null)
    } else {
        None
    }
}

fn address(address: &PostalAddress) -> Value {
    json!({
        "street": address.street, "city": address.city, "state": address.state,
        "postalCode": address.postal_code, "countryOrRegion": address.country,
    })
}

fn write_field(
    body: &mut Map<String, Value>,
    contact: &Contact,
    field: &str,
    clear: bool,
) -> Result<(), WireError> {
    if let Some((_, property)) = TEXT_FIELDS.iter().find(|(f, _)| *f == field) {
        let value = match field {
            "title" => &contact.title,
            "given_name" => &contact.given_name,
            "middle_name" => &contact.middle_name,
            "surname" => &contact.surname,
            "suffix" => &contact.suffix,
            "display_name" => &contact.display_name,
            "company" => &contact.company,
            "department" => &contact.department,
            "job_title" => &contact.job_title,
            _ => &contact.website,
        };
        if let Some(v) = text(value, clear) {
            body.insert((*property).to_owned(), v);
        }
        return Ok(());
    }
    let mut put = |key: &str, value: Value| {
        body.insert(key.to_owned(), value);
    };
    let address_of = |a: &PostalAddress| (!a.is_empty() || clear).then(|| address(a));
    match field {
        "emails" => put(
            "emailAddresses",
            Value::Array(
                contact
                    .emails
                    .iter()
                    .map(|e| json!({ "address": e.address, "name": e.name }))
                    .collect(),
            ),
        ),
        "business_phones" => put("businessPhones", json!(contact.business_phones)),
        "home_phones" => put("homePhones", json!(contact.home_phones)),
        "mobile_phone" => {
            if let Some(v) = text(&contact.mobile_phone, clear) {
                put("mobilePhone", v);
            }
        }
        "notes" => {
            if let Some(v) = text(&contact.notes, clear) {
                put("personalNotes", v);
            }
        }
        "categories" => put("categories", json!(contact.categories)),
        "business_address" => {
            if let Some(v) = address_of(&contact.business_address) {
                put("businessAddress", v);
            }
        }
        "home_address" => {
            if let Some(v) = address_of(&contact.home_address) {
                put("homeAddress", v);
            }
        }
        "other_address" => {
            if let Some(v) = address_of(&contact.other_address) {
                put("otherAddress", v);
            }
        }
        "business_fax" => put(
            "singleValueExtendedProperties",
            json!([{ "id": BUSINESS_FAX_PROPERTY, "value": contact.business_fax }]),
        ),
        other => return Err(WireError::UnknownField(other.to_owned())),
    }
    Ok(())
}

/// A contact as read from a list or delta response.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphContact {
    /// Graph id.
    pub id: String,
    /// `changeKey`.
    pub change_key: Option<String>,
    /// `@odata.etag`, for `If-Match`.
    pub etag: Option<String>,
    /// `lastModifiedDateTime`.
    pub last_modified: Option<DateTime<Utc>>,
    /// The business id ([`BUSINESS_ID_PROPERTY`]) when expanded.
    pub business_id: Option<String>,
    /// `@removed.reason` of a delta tombstone; `None` otherwise.
    pub removed: Option<String>,
    raw: Value,
}

impl GraphContact {
    /// Reads the identifying properties of a Graph contact.
    pub fn parse(raw: &Value) -> Result<Self, WireError> {
        let id = read_id(raw, "contact")?;
        Ok(Self {
            change_key: optional_str(raw, "changeKey").map(str::to_owned),
            etag: optional_str(raw, "@odata.etag").map(str::to_owned),
            last_modified: read_timestamp(raw, "lastModifiedDateTime", &id)?,
            business_id: extended_property(raw, BUSINESS_ID_PROPERTY).map(str::to_owned),
            removed: removed_reason(raw),
            raw: raw.clone(),
            id,
        })
    }

    /// True for a delta tombstone (`@removed`).
    pub fn is_removed(&self) -> bool {
        self.removed.is_some()
    }

    /// The model contact (the fax only when its extended property was expanded).
    pub fn to_contact(&self) -> Result<Contact, WireError> {
        let raw = &self.raw;
        let id = self.id.as_str();
        if self.is_removed() {
            return Err(WireError::unsupported(id, "@removed", "a deleted contact"));
        }
        let text = |property| string_or_empty(raw, property);
        let emails = match raw.get("emailAddresses") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list
                .iter()
                .map(|e| {
                    EmailAddress::new(string_or_empty(e, "address"), string_or_empty(e, "name"))
                })
                .collect(),
            Some(other) => return Err(WireError::unsupported(id, "emailAddresses", other)),
        };
        let read_address = |property: &str| -> Result<PostalAddress, WireError> {
            match raw.get(property) {
                None | Some(Value::Null) => Ok(PostalAddress::default()),
                Some(a) if a.is_object() => Ok(PostalAddress {
                    street: string_or_empty(a, "street"),
                    city: string_or_empty(a, "city"),
                    state: string_or_empty(a, "state"),
                    postal_code: string_or_empty(a, "postalCode"),
                    country: string_or_empty(a, "countryOrRegion"),
                }),
                Some(other) => Err(WireError::unsupported(id, property, other)),
            }
        };
        Ok(Contact {
            title: text("title"),
            given_name: text("givenName"),
            middle_name: text("middleName"),
            surname: text("surname"),
            suffix: text("generation"),
            display_name: text("displayName"),
            company: text("companyName"),
            department: text("department"),
            job_title: text("jobTitle"),
            emails,
            business_phones: read_strings(raw, "businessPhones", id)?,
            mobile_phone: text("mobilePhone"),
            home_phones: read_strings(raw, "homePhones", id)?,
            business_fax: extended_property(raw, BUSINESS_FAX_PROPERTY)
                .unwrap_or("")
                .to_owned(),
            business_address: read_address("businessAddress")?,
            home_address: read_address("homeAddress")?,
            other_address: read_address("otherAddress")?,
            website: text("businessHomePage"),
            notes: text("personalNotes"),
            categories: read_strings(raw, "categories", id)?,
        })
    }
}

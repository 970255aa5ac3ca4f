//! Property lists of the JSON-stored Graph resources (To Do tasks, contacts) with the JSON
//! shape each property takes, per the v1.0 CSDL: what a POST/PATCH may set and what a read
//! writes when a property was never set.
//!
//! Invariant: a stored item only ever holds properties of its schema, each with a value of the
//! property's shape (or null), so every answer built from it conforms to the CSDL.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::error::GraphError;

/// The JSON shape of a property.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ty {
    /// A string.
    Str,
    /// A boolean.
    Bool,
    /// An array of strings.
    Strings,
    /// One of these strings.
    Enum(&'static [&'static str]),
    /// `itemBody`: `{content, contentType: text|html}`.
    Body,
    /// `dateTimeTimeZone`: `{dateTime, timeZone}`.
    When,
    /// `Edm.DateTimeOffset` (RFC 3339).
    Instant,
    /// `physicalAddress`: `{street, city, state, postalCode, countryOrRegion}`.
    Address,
    /// An array of at most this many `emailAddress` `{address, name}`.
    Emails(usize),
}

/// One writable property: name, shape, and the JSON written when it was never set.
pub(crate) type Prop = (&'static str, Ty, &'static str);

fn is_string_map(value: &Value, keys: &[&str]) -> bool {
    value.as_object().is_some_and(|m| {
        m.iter()
            .all(|(k, v)| keys.contains(&k.as_str()) && (v.is_string() || v.is_null()))
    })
}

fn fits(ty: Ty, value: &Value) -> bool {
    if value.is_null() {
        return !matches!(ty, Ty::Bool | Ty::Strings | Ty::Emails(_));
    }
    match ty {
        Ty::Str => value.is_string(),
        Ty::Bool => value.is_boolean(),
        Ty::Strings => value
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string)),
        Ty::Enum(members) => value.as_str().is_some_and(|s| members.contains(&s)),
        Ty::Body => {
            is_string_map(value, &["content", "contentType"])
                && value
                    .get("contentType")
                    .and_then(Value::as_str)
                    .is_none_or(|t| t == "text" || t == "html")
        }
        Ty::When => {
            is_string_map(value, &["dateTime", "timeZone"])
                && value.get("dateTime").is_some_and(Value::is_string)
        }
        Ty::Instant => value
            .as_str()
            .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok()),
        Ty::Address => is_string_map(
            value,
            &["street", "city", "state", "postalCode", "countryOrRegion"],
        ),
        Ty::Emails(max) => value.as_array().is_some_and(|a| {
            a.len() <= max && a.iter().all(|e| is_string_map(e, &["address", "name"]))
        }),
    }
}

/// The properties of a POST/PATCH body that `schema` allows; `read_only` ones are ignored, as
/// are OData annotations. An unknown property or a value of the wrong shape answers 400.
pub(crate) fn accept(
    body: &Value,
    schema: &[Prop],
    read_only: &[&str],
    type_name: &str,
) -> Result<Map<String, Value>, GraphError> {
    let map = body.as_object().ok_or_else(GraphError::unreadable_body)?;
    let mut accepted = Map::new();
    for (key, value) in map {
        if key.starts_with('@') || read_only.contains(&key.as_str()) {
            continue;
        }
        let Some((_, ty, _)) = schema.iter().find(|(name, _, _)| name == key) else {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!(
                    "The property '{key}' does not exist on type 'microsoft.graph.{type_name}'. Make sure to only use property names that are defined by the type."
                ),
            ));
        };
        if !fits(*ty, value) {
            return Err(GraphError::invalid_request(format!(
                "Invalid value for property '{key}' of type 'microsoft.graph.{type_name}'."
            )));
        }
        accepted.insert(key.clone(), value.clone());
    }
    Ok(accepted)
}

/// Every property of `schema`: the stored value, else its default.
pub(crate) fn render(fields: &Map<String, Value>, schema: &[Prop], out: &mut Map<String, Value>) {
    for (name, _, default) in schema {
        let value = fields
            .get(*name)
            .cloned()
            .unwrap_or_else(|| serde_json::from_str(default).unwrap_or(Value::Null));
        out.insert((*name).to_owned(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SCHEMA: &[Prop] = &[
        ("title", Ty::Str, "null"),
        (
            "status",
            Ty::Enum(&["notStarted", "completed"]),
            "\"notStarted\"",
        ),
        ("emailAddresses", Ty::Emails(3), "[]"),
    ];

    #[test]
    fn accepts_known_shapes_and_refuses_the_rest() {
        let ok = accept(
            &json!({"title": "t", "id": "x", "@odata.type": "y", "emailAddresses": [{"address": "a@b"}]}),
            SCHEMA,
            &["id"],
            "todoTask",
        )
        .expect("accepted");
        assert_eq!(ok.len(), 2);
        assert!(accept(&json!({"nope": 1}), SCHEMA, &[], "todoTask").is_err());
        assert!(accept(&json!({"status": "done"}), SCHEMA, &[], "todoTask").is_err());
        let four = json!({"emailAddresses": [{}, {}, {}, {}]});
        assert!(accept(&four, SCHEMA, &[], "contact").is_err());
        let mut out = Map::new();
        render(&ok, SCHEMA, &mut out);
        assert_eq!(out["status"], "notStarted");
        assert_eq!(out["title"], "t");
    }
}

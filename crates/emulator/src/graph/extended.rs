//! `singleValueExtendedProperties` on events and contacts: written with POST/PATCH, read back only with
//! `$expand=singleValueExtendedProperties($filter=id eq '...')`, and searched with
//! `$filter=singleValueExtendedProperties/Any(ep: ep/id eq '...' and ep/value eq '...')`
//! (https://learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get). Only that
//! filter form is understood; anything else answers 400 `BadRequest` "Invalid filter clause",
//! Graph's answer to a filter it cannot parse.
//!
//! Invariants: property ids compare case-insensitively (Graph's do) and an item has at most one
//! value per id (a later write replaces it); an item's properties never appear in an answer
//! that did not `$expand` them.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::calendar_view::{query_param, split_occurrence_id};
use super::error::GraphError;

/// The JSON property holding them.
pub(crate) const PROPERTY: &str = "singleValueExtendedProperties";

/// Extended properties by item id, each a list of `(id, value)`.
#[derive(Debug, Default)]
pub struct ExtendedProperties {
    by_item: HashMap<String, Vec<(String, String)>>,
}

impl ExtendedProperties {
    /// Sets (or replaces) the given properties of `item`.
    pub(crate) fn set(&mut self, item: &str, props: Vec<(String, String)>) {
        let stored = self.by_item.entry(item.to_owned()).or_default();
        for (id, value) in props {
            match stored.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&id)) {
                Some(slot) => slot.1 = value,
                None => stored.push((id, value)),
            }
        }
    }

    /// Forgets the properties of a deleted item.
    pub(crate) fn remove(&mut self, item: &str) {
        self.by_item.remove(item);
    }

    /// The properties of `item`; an occurrence has its series master's.
    fn of(&self, item: &str) -> &[(String, String)] {
        let found = self
            .by_item
            .get(item)
            .or_else(|| split_occurrence_id(item).and_then(|(master, _)| self.by_item.get(master)));
        found.map_or(&[], Vec::as_slice)
    }

    /// True when `item` has property `id` with exactly `value`.
    fn matches(&self, item: &str, id: &str, value: &str) -> bool {
        self.of(item)
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case(id) && v == value)
    }
}

fn bad_filter() -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        "Invalid filter clause",
    )
}

/// The properties in a POST/PATCH body, if it has any; validates their shape.
pub(crate) fn from_body(body: &Value) -> Result<Option<Vec<(String, String)>>, GraphError> {
    let Some(list) = body.get(PROPERTY) else {
        return Ok(None);
    };
    let invalid = || {
        GraphError::invalid_request(format!(
            "Invalid {PROPERTY}: expected [{{\"id\": \"String {{GUID}} Name NAME\", \"value\": \"...\"}}]"
        ))
    };
    let items = list.as_array().ok_or_else(invalid)?;
    let mut props = Vec::new();
    for item in items {
        let id = item.get("id").and_then(Value::as_str).ok_or_else(invalid)?;
        let value = item
            .get("value")
            .and_then(Value::as_str)
            .ok_or_else(invalid)?;
        if !well_formed_id(id) {
            return Err(invalid());
        }
        props.push((id.to_owned(), value.to_owned()));
    }
    Ok(Some(props))
}

/// `TYPE {GUID} Name NAME`, `TYPE {GUID} Id 0xHEX` or `TYPE 0xHEX`.
fn well_formed_id(id: &str) -> bool {
    let mut parts = id.splitn(2, ' ');
    let (Some(kind), Some(rest)) = (parts.next(), parts.next()) else {
        return false;
    };
    let kinds = [
        "String",
        "Integer",
        "Boolean",
        "SystemTime",
        "Double",
        "Binary",
    ];
    if !kinds.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
        return false;
    }
    if let Some(tag) = rest.strip_prefix("0x") {
        return !tag.is_empty() && tag.chars().all(|c| c.is_ascii_hexdigit());
    }
    let Some((guid, named)) = rest.strip_prefix('{').and_then(|r| r.split_once("} ")) else {
        return false;
    };
    uuid::Uuid::parse_str(guid).is_ok()
        && (named.strip_prefix("Name ").is_some_and(|n| !n.is_empty())
            || named.strip_prefix("Id 0x").is_some_and(|n| !n.is_empty()))
}

/// Reads a quoted OData string literal at the start of `text` ('' stands for ').
fn literal(text: &str) -> Option<(String, &str)> {
    let mut rest = text.trim_start().strip_prefix('\'')?;
    let mut out = String::new();
    loop {
        let end = rest.find('\'')?;
        out.push_str(&rest[..end]);
        rest = &rest[end + 1..];
        match rest.strip_prefix('\'') {
            Some(more) => {
                out.push('\'');
                rest = more;
            }
            None => return Some((out, rest)),
        }
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// `ep/FIELD eq 'literal'` with the range variable `var`.
fn comparison<'a>(text: &'a str, var: &str, field: &str) -> Option<(String, &'a str)> {
    let rest = strip_prefix_ci(text.trim_start(), &format!("{var}/{field}"))?;
    let rest = strip_prefix_ci(rest.trim_start(), "eq ")?;
    literal(rest)
}

/// The `(id, value)` a `$filter` asks for; `None` when there is no `$filter`.
pub(crate) fn filter(
    query: &HashMap<String, String>,
) -> Result<Option<(String, String)>, GraphError> {
    let Some(text) = query_param(query, "$filter") else {
        return Ok(None);
    };
    let inner = strip_prefix_ci(text.trim(), &format!("{PROPERTY}/any("))
        .and_then(|r| r.trim_end().strip_suffix(')'))
        .ok_or_else(bad_filter)?;
    let (var, body) = inner.split_once(':').ok_or_else(bad_filter)?;
    let var = var.trim();
    if var.is_empty() || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(bad_filter());
    }
    let (id, rest) = comparison(body, var, "id").ok_or_else(bad_filter)?;
    let rest = strip_prefix_ci(rest.trim_start(), "and ").ok_or_else(bad_filter)?;
    let (value, rest) = comparison(rest, var, "value").ok_or_else(bad_filter)?;
    if !rest.trim().is_empty() {
        return Err(bad_filter());
    }
    Ok(Some((id, value)))
}

/// The property id an `$expand` asks for; `Ok(None)` without `$expand`. One id only (the
/// events front end reads one property); see [`expand_ids`] for `or`.
pub(crate) fn expand(query: &HashMap<String, String>) -> Result<Option<String>, GraphError> {
    match expand_ids(query)? {
        None => Ok(None),
        Some(mut ids) if ids.len() == 1 => Ok(ids.pop()),
        Some(_) => Err(bad_expand()),
    }
}

fn bad_expand() -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        "Parsing OData Select and Expand failed: only singleValueExtendedProperties($filter=id eq '...') can be expanded.",
    )
}

/// The property ids an `$expand` asks for, as
/// `singleValueExtendedProperties($filter=id eq 'A' or id eq 'B' ...)`; `Ok(None)` without
/// `$expand`.
pub(crate) fn expand_ids(
    query: &HashMap<String, String>,
) -> Result<Option<Vec<String>>, GraphError> {
    let Some(text) = query_param(query, "$expand") else {
        return Ok(None);
    };
    let inner = strip_prefix_ci(text.trim(), &format!("{PROPERTY}("))
        .and_then(|r| r.trim_end().strip_suffix(')'))
        .ok_or_else(bad_expand)?;
    let mut rest = strip_prefix_ci(inner.trim_start(), "$filter=").ok_or_else(bad_expand)?;
    let mut ids = Vec::new();
    loop {
        let after_id = strip_prefix_ci(rest.trim_start(), "id").ok_or_else(bad_expand)?;
        let after_eq = strip_prefix_ci(after_id.trim_start(), "eq ").ok_or_else(bad_expand)?;
        let (id, tail) = literal(after_eq).ok_or_else(bad_expand)?;
        ids.push(id);
        if tail.trim().is_empty() {
            return Ok(Some(ids));
        }
        rest = strip_prefix_ci(tail.trim_start(), "or ").ok_or_else(bad_expand)?;
    }
}

/// True when the `$filter` (if any) is about extended properties, the only filter the
/// JSON-kept collections (contacts) understand; other filters are left unapplied there.
pub(crate) fn filters_properties(query: &HashMap<String, String>) -> bool {
    query_param(query, "$filter")
        .is_some_and(|text| strip_prefix_ci(text.trim_start(), PROPERTY).is_some())
}

/// Keeps the events (JSON) that `filter` admits.
pub(crate) fn retain(
    items: &mut Vec<Value>,
    props: &ExtendedProperties,
    filter: Option<&(String, String)>,
) {
    if let Some((id, value)) = filter {
        items.retain(|item| {
            item["id"]
                .as_str()
                .is_some_and(|item| props.matches(item, id, value))
        });
    }
}

/// Adds the expanded property to an event (JSON) that has it.
pub(crate) fn add_expanded(item: &mut Value, props: &ExtendedProperties, expand: Option<&str>) {
    if let Some(wanted) = expand {
        add_expanded_ids(item, props, &[wanted.to_owned()]);
    }
}

/// Adds those of the `wanted` properties an item (JSON) has; nothing when it has none of them,
/// as Graph omits the collection then.
pub(crate) fn add_expanded_ids(item: &mut Value, props: &ExtendedProperties, wanted: &[String]) {
    let Some(id) = item["id"].as_str() else {
        return;
    };
    let found: Vec<Value> = props
        .of(id)
        .iter()
        .filter(|(k, _)| wanted.iter().any(|w| k.eq_ignore_ascii_case(w)))
        .map(|(k, v)| json!({"id": k, "value": v}))
        .collect();
    if !found.is_empty()
        && let Some(map) = item.as_object_mut()
    {
        map.insert(PROPERTY.to_owned(), Value::Array(found));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(key: &str, value: &str) -> HashMap<String, String> {
        HashMap::from([(key.to_owned(), value.to_owned())])
    }

    const ID: &str = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name exsyncId";

    #[test]
    fn the_any_filter_parses_and_nothing_else_does() {
        let text = format!(
            "singleValueExtendedProperties/Any(ep: ep/id eq '{ID}' and ep/value eq 'it''s')"
        );
        assert_eq!(
            filter(&q("$filter", &text)).expect("parses"),
            Some((ID.to_owned(), "it's".to_owned()))
        );
        for bad in [
            "subject eq 'x'",
            "singleValueExtendedProperties/Any(ep: ep/id eq 'x')",
            "singleValueExtendedProperties/Any(ep: ep/id eq 'x' or ep/value eq 'y')",
            "singleValueExtendedProperties/Any(ep: ep/id eq 'x' and ep/value eq 'y') and 1",
        ] {
            assert_eq!(filter(&q("$filter", bad)), Err(bad_filter()), "{bad}");
        }
    }

    #[test]
    fn expand_and_ids() {
        let text = format!("singleValueExtendedProperties($filter=id eq '{ID}')");
        assert_eq!(
            expand(&q("$expand", &text)).expect("parses"),
            Some(ID.to_owned())
        );
        assert!(expand(&q("$expand", "attachments")).is_err());
        let two = format!("{PROPERTY}($filter=id eq '{ID}' or id eq 'String 0x3A24')");
        assert_eq!(
            expand_ids(&q("$expand", &two)).expect("parses"),
            Some(vec![ID.to_owned(), "String 0x3A24".to_owned()])
        );
        assert!(expand(&q("$expand", &two)).is_err(), "events read one id");
        let dangling = format!("{PROPERTY}($filter=id eq '{ID}' or)");
        assert!(expand_ids(&q("$expand", &dangling)).is_err());
        assert!(well_formed_id(ID));
        assert!(well_formed_id("Integer 0x1234"));
        assert!(!well_formed_id("String exsyncId"));
        assert!(!well_formed_id("String {nope} Name x"));
    }
}

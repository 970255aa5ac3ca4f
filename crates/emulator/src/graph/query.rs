//! OData query options shared by the Graph collections, applied to the JSON an entity is
//! written as, so that every resource (events, occurrences, To Do tasks, contacts) gets them
//! the same way:
//!
//! - `$select=a,b` keeps only the named properties plus `id`, `@odata.etag` and the
//!   `@`-annotations (Graph always returns an Outlook item's `id` and `@odata.etag`; see the
//!   examples of https://learn.microsoft.com/graph/query-parameters#select-parameter and
//!   https://learn.microsoft.com/graph/api/event-get). Names match case-insensitively, as Graph
//!   treats property names in query options.
//! - `$orderby=p [asc|desc],...` over `start/dateTime`, `end/dateTime` (compared as instants:
//!   the `dateTime` read in its `timeZone`), `lastModifiedDateTime`, `createdDateTime` and
//!   `subject`; any other property answers 400, so a client never silently gets an order it did
//!   not ask for.
//! - [`encode_query_value`] writes a value back into a `@odata.nextLink` (the `Query` extractor
//!   hands values over decoded).
//!
//! Invariants: a filter never removes `id` or `@odata.etag`; sorting is stable, so equal keys
//! keep the order the collection had before (creation or start order).

use std::cmp::Ordering;
use std::collections::HashMap;

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDateTime, Utc};
use exsync_model::{TimeZoneName, local_to_utc};
use serde_json::Value;

use super::error::GraphError;

/// Properties `$select` always keeps.
const ALWAYS_KEPT: [&str; 2] = ["id", "@odata.etag"];

/// The value of a query option, its name matched case-insensitively (`$select`, `$SELECT`).
fn option<'a>(query: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The properties `$select` names, or `None` when there is no (or an empty) `$select`.
pub(crate) fn select(query: &HashMap<String, String>) -> Option<Vec<String>> {
    let names: Vec<String> = option(query, "$select")?
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    (!names.is_empty()).then_some(names)
}

/// Keeps only the selected properties of one entity (plus `id`, `@odata.etag` and annotations
/// such as `@odata.context` and `@removed`). Anything that is not an object is left alone.
pub(crate) fn apply_select(entity: &mut Value, selected: &[String]) {
    let Some(map) = entity.as_object_mut() else {
        return;
    };
    map.retain(|key, _| {
        key.starts_with('@')
            || ALWAYS_KEPT.contains(&key.as_str())
            || selected.iter().any(|s| s.eq_ignore_ascii_case(key))
    });
}

/// `apply_select` over a collection, when the query has a `$select`.
pub(crate) fn select_all(items: &mut [Value], query: &HashMap<String, String>) {
    if let Some(selected) = select(query) {
        for item in items {
            apply_select(item, &selected);
        }
    }
}

/// The `@odata.context` of a response with `$select`: the selected properties in parentheses
/// after the entity set (`.../events(subject,start)` or `.../events(subject)/$entity`), as
/// OData writes it.
pub(crate) fn context_with_select(context: String, query: &HashMap<String, String>) -> String {
    let Some(selected) = select(query) else {
        return context;
    };
    let list = format!("({})", selected.join(","));
    match context.strip_suffix("/$entity") {
        Some(base) => format!("{base}{list}/$entity"),
        None => format!("{context}{list}"),
    }
}

/// A property `$orderby` can sort on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortKey {
    /// `start/dateTime`, as an instant.
    Start,
    /// `end/dateTime`, as an instant.
    End,
    /// `lastModifiedDateTime`.
    LastModified,
    /// `createdDateTime`.
    Created,
    /// `subject`.
    Subject,
}

impl SortKey {
    fn parse(name: &str) -> Option<Self> {
        let name = name.to_ascii_lowercase();
        Some(match name.as_str() {
            "start/datetime" => SortKey::Start,
            "end/datetime" => SortKey::End,
            "lastmodifieddatetime" => SortKey::LastModified,
            "createddatetime" => SortKey::Created,
            "subject" => SortKey::Subject,
            _ => return None,
        })
    }
}

/// One `$orderby` clause: the key and whether it sorts descending.
pub(crate) type OrderClause = (SortKey, bool);

/// The clauses of `$orderby`, `None` when there is none; 400 for a property or direction the
/// emulator cannot sort on.
pub(crate) fn order_by(
    query: &HashMap<String, String>,
) -> Result<Option<Vec<OrderClause>>, GraphError> {
    let Some(text) = option(query, "$orderby") else {
        return Ok(None);
    };
    let mut clauses = Vec::new();
    for clause in text.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let mut words = clause.split_whitespace();
        let name = words.next().unwrap_or_default();
        let key = SortKey::parse(name).ok_or_else(|| unsupported(name))?;
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(unsupported(clause)),
        };
        if words.next().is_some() {
            return Err(unsupported(clause));
        }
        clauses.push((key, descending));
    }
    Ok((!clauses.is_empty()).then_some(clauses))
}

fn unsupported(what: &str) -> GraphError {
    // Ordering by a complex property (`start` instead of `start/dateTime`) is answered so by
    // Graph (quoted in microsoftgraph/microsoft-graph-docs#62); the wording for other
    // properties Outlook cannot sort on is not verified, only status and code follow it.
    let complex = [
        "start",
        "end",
        "location",
        "body",
        "organizer",
        "responseStatus",
    ];
    if complex.iter().any(|c| c.eq_ignore_ascii_case(what)) {
        return GraphError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "The $orderby expression must evaluate to a single value of primitive type.",
        );
    }
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        format!(
            "Invalid $orderby clause '{what}'. The emulator sorts on start/dateTime, end/dateTime, lastModifiedDateTime, createdDateTime and subject, asc or desc."
        ),
    )
}

/// A comparable value of one key of one entity.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum SortValue {
    Missing,
    Instant(DateTime<Utc>),
    Text(String),
}

fn instant_of(time: &Value) -> SortValue {
    let (Some(text), zone) = (time["dateTime"].as_str(), time["timeZone"].as_str()) else {
        return SortValue::Missing;
    };
    let Ok(local) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") else {
        return SortValue::Text(text.to_owned());
    };
    let resolved = TimeZoneName::new(zone.unwrap_or("UTC"))
        .ok()
        .and_then(|z| z.resolve().ok());
    match resolved {
        Some(tz) => SortValue::Instant(local_to_utc(tz, local)),
        None => SortValue::Instant(local.and_utc()),
    }
}

fn sort_value(entity: &Value, key: SortKey) -> SortValue {
    let text = |name: &str| {
        entity[name]
            .as_str()
            .map_or(SortValue::Missing, |t| SortValue::Text(t.to_owned()))
    };
    match key {
        SortKey::Start => instant_of(&entity["start"]),
        SortKey::End => instant_of(&entity["end"]),
        // Both are written in UTC with a fixed number of digits: text order is time order.
        SortKey::LastModified => text("lastModifiedDateTime"),
        SortKey::Created => text("createdDateTime"),
        SortKey::Subject => match entity["subject"].as_str() {
            Some(s) => SortValue::Text(s.to_lowercase()),
            None => SortValue::Missing,
        },
    }
}

/// Sorts `items` by the clauses (stable).
pub(crate) fn sort(items: &mut Vec<Value>, clauses: &[OrderClause]) {
    let mut keyed: Vec<(Vec<SortValue>, Value)> = items
        .drain(..)
        .map(|item| {
            let keys = clauses.iter().map(|(k, _)| sort_value(&item, *k)).collect();
            (keys, item)
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| {
        for ((x, y), (_, descending)) in a.iter().zip(b).zip(clauses) {
            let order = if *descending { y.cmp(x) } else { x.cmp(y) };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    });
    items.extend(keyed.into_iter().map(|(_, item)| item));
}

/// Applies `$orderby` (if any) to a collection.
pub(crate) fn order_all(
    items: &mut Vec<Value>,
    query: &HashMap<String, String>,
) -> Result<(), GraphError> {
    if let Some(clauses) = order_by(query)? {
        sort(items, &clauses);
    }
    Ok(())
}

/// Percent-encodes a query value for a link: everything but RFC 3986 unreserved characters and
/// the few OData writes raw (`$ , / : ' ( ) @`).
pub(crate) fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'$'
            | b','
            | b'/'
            | b':'
            | b'\''
            | b'('
            | b')'
            | b'@' => out.push(char::from(b)),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn select_keeps_named_properties_id_etag_and_annotations() {
        let mut entity = json!({"@odata.etag": "W/\"x\"", "@odata.context": "c", "id": "1",
            "subject": "s", "body": {"content": "b"}, "start": {}});
        let selected = select(&query(&[("$SELECT", "Subject, start")])).expect("select");
        apply_select(&mut entity, &selected);
        assert_eq!(
            entity,
            json!({"@odata.etag": "W/\"x\"", "@odata.context": "c", "id": "1", "subject": "s", "start": {}})
        );
        assert_eq!(select(&query(&[("$select", " , ")])), None);
    }

    #[test]
    fn context_names_the_selection() {
        let q = query(&[("$select", "subject,start")]);
        assert_eq!(
            context_with_select("m#users('a')/events".into(), &q),
            "m#users('a')/events(subject,start)"
        );
        assert_eq!(
            context_with_select("m#users('a')/events/$entity".into(), &q),
            "m#users('a')/events(subject,start)/$entity"
        );
    }

    #[test]
    fn orderby_compares_instants_across_zones_and_is_stable() {
        let mut items = vec![
            json!({"id": "berlin-10", "start": {"dateTime": "2026-07-15T10:00:00.0000000", "timeZone": "Europe/Berlin"}}),
            json!({"id": "utc-09", "start": {"dateTime": "2026-07-15T09:00:00.0000000", "timeZone": "UTC"}}),
            json!({"id": "utc-08", "start": {"dateTime": "2026-07-15T08:00:00.0000000", "timeZone": "UTC"}}),
            json!({"id": "utc-08-b", "start": {"dateTime": "2026-07-15T08:00:00.0000000", "timeZone": "UTC"}}),
        ];
        order_all(&mut items, &query(&[("$orderby", "start/dateTime desc")])).expect("valid");
        let ids: Vec<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
        // Berlin 10:00 in July is 08:00 UTC: equal to the UTC 08:00 items, order kept.
        assert_eq!(ids, ["utc-09", "berlin-10", "utc-08", "utc-08-b"]);
        assert!(order_by(&query(&[("$orderby", "bodyPreview")])).is_err());
        let complex = order_by(&query(&[("$orderby", "start")])).expect_err("complex");
        assert!(complex.message.contains("single value of primitive type"));
        assert!(order_by(&query(&[("$orderby", "subject sideways")])).is_err());
    }

    #[test]
    fn link_values_are_encoded() {
        assert_eq!(
            encode_query_value("start/dateTime desc"),
            "start/dateTime%20desc"
        );
        assert_eq!(
            encode_query_value("2026-01-01T00:00:00+01:00"),
            "2026-01-01T00:00:00%2B01:00"
        );
    }
}

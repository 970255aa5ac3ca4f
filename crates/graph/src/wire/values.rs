//! Small Graph value types shared by events, tasks and contacts: `dateTimeTimeZone`,
//! `itemBody`, `importance`, timestamps, string lists, and typed reads of JSON properties that
//! name the item and property on failure.
//!
//! Invariant: a wall-clock time is written as `YYYY-MM-DDTHH:MM:SS` with the zone's Windows
//! name (Exchange's own naming), and read back as given (the zone name is kept).

use chrono::{DateTime, NaiveDateTime, Utc};
use exsync_model::{Body, BodyFormat, Importance, TimeZoneName, ZonedDateTime};
use serde_json::{Value, json};

use super::WireError;

/// The Graph `dateTime` text of a wall-clock time (seconds precision, no offset).
pub fn format_local(local: NaiveDateTime) -> String {
    local.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Reads a Graph `dateTime` (`2026-03-02T09:00:00.0000000`, fraction optional).
pub fn parse_local(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .ok()
}

/// Reads a Graph `Edm.DateTimeOffset` (`2026-03-02T08:00:00Z`, fraction/offset allowed).
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The zone name to send to Graph: the Windows name when the zone has one (Exchange's own
/// naming), else the IANA name (Graph accepts both in `dateTimeTimeZone.timeZone`).
pub fn graph_zone_name(zone: &TimeZoneName) -> Result<String, exsync_model::UnknownTimeZone> {
    match zone.windows_name() {
        Ok(name) => Ok(name.to_owned()),
        Err(_) => zone.iana_name().map(str::to_owned),
    }
}

/// A `dateTimeTimeZone` object.
pub(crate) fn date_time_zone(time: &ZonedDateTime, item: &str) -> Result<Value, WireError> {
    let zone = graph_zone_name(&time.zone).map_err(|e| WireError::zone(item, e))?;
    Ok(json!({ "dateTime": format_local(time.local), "timeZone": zone }))
}

/// Reads a `dateTimeTimeZone` property; `Ok(None)` when absent or null.
pub(crate) fn read_date_time_zone(
    raw: &Value,
    property: &str,
    item: &str,
) -> Result<Option<ZonedDateTime>, WireError> {
    let Some(value) = raw.get(property).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let text = value
        .get("dateTime")
        .and_then(Value::as_str)
        .ok_or_else(|| WireError::missing(item, &format!("{property}.dateTime")))?;
    let local = parse_local(text)
        .ok_or_else(|| WireError::unsupported(item, &format!("{property}.dateTime"), text))?;
    let zone_text = value
        .get("timeZone")
        .and_then(Value::as_str)
        .filter(|z| !z.trim().is_empty())
        .unwrap_or("UTC");
    let zone = TimeZoneName::new(zone_text).map_err(|e| WireError::zone(item, e))?;
    Ok(Some(ZonedDateTime::new(local, zone)))
}

/// An `itemBody` object.
pub(crate) fn item_body(body: &Body) -> Value {
    let content_type = match body.format {
        BodyFormat::Text => "text",
        BodyFormat::Html => "html",
    };
    json!({ "contentType": content_type, "content": body.content })
}

/// Reads an `itemBody` property (absent = empty text).
pub(crate) fn read_item_body(raw: &Value, item: &str) -> Result<Body, WireError> {
    let Some(body) = raw.get("body").filter(|v| !v.is_null()) else {
        return Ok(Body::default());
    };
    let content = body.get("content").and_then(Value::as_str).unwrap_or("");
    match body.get("contentType").and_then(Value::as_str) {
        None | Some("text") => Ok(Body::text(content)),
        Some("html") => Ok(Body::html(content)),
        Some(other) => Err(WireError::unsupported(item, "body.contentType", other)),
    }
}

/// The Graph `importance` member.
pub(crate) fn importance_name(importance: Importance) -> &'static str {
    match importance {
        Importance::Low => "low",
        Importance::Normal => "normal",
        Importance::High => "high",
    }
}

/// Reads `importance` (absent = normal).
pub(crate) fn read_importance(raw: &Value, item: &str) -> Result<Importance, WireError> {
    match optional_str(raw, "importance") {
        None | Some("normal") => Ok(Importance::Normal),
        Some("low") => Ok(Importance::Low),
        Some("high") => Ok(Importance::High),
        Some(other) => Err(WireError::unsupported(item, "importance", other)),
    }
}

/// A string property, `None` when absent or null.
pub(crate) fn optional_str<'a>(raw: &'a Value, property: &str) -> Option<&'a str> {
    raw.get(property).and_then(Value::as_str)
}

/// A string property, empty when absent or null.
pub(crate) fn string_or_empty(raw: &Value, property: &str) -> String {
    optional_str(raw, property).unwrap_or("").to_owned()
}

/// A `Collection(Edm.String)` property, empty when absent; non-strings are an error.
pub(crate) fn read_strings(
    raw: &Value,
    property: &str,
    item: &str,
) -> Result<Vec<String>, WireError> {
    match raw.get(property) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(values)) => values
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| WireError::unsupported(item, property, v))
            })
            .collect(),
        Some(other) => Err(WireError::unsupported(item, property, other)),
    }
}

/// A timestamp property (`Edm.DateTimeOffset`), `None` when absent.
pub(crate) fn read_timestamp(
    raw: &Value,
    property: &str,
    item: &str,
) -> Result<Option<DateTime<Utc>>, WireError> {
    match optional_str(raw, property) {
        None => Ok(None),
        Some(text) => parse_timestamp(text)
            .map(Some)
            .ok_or_else(|| WireError::unsupported(item, property, text)),
    }
}

/// The Graph id of an item, or an error naming what was parsed.
pub(crate) fn read_id(raw: &Value, what: &str) -> Result<String, WireError> {
    optional_str(raw, "id")
        .map(str::to_owned)
        .ok_or_else(|| WireError::missing(&format!("({what} without id)"), "id"))
}

/// The reason of a delta tombstone (`"@removed": {"reason": "deleted"}`), if this is one.
pub(crate) fn removed_reason(raw: &Value) -> Option<String> {
    raw.get("@removed").map(|r| {
        r.get("reason")
            .and_then(Value::as_str)
            .unwrap_or("deleted")
            .to_owned()
    })
}

/// The value of the single-value extended property `id` (ids compare case-insensitively, as
/// Graph may spell the GUID in either case), if expanded on the item.
pub(crate) fn extended_property<'a>(raw: &'a Value, id: &str) -> Option<&'a str> {
    raw.get("singleValueExtendedProperties")?
        .as_array()?
        .iter()
        .find(|p| {
            p.get("id")
                .and_then(Value::as_str)
                .is_some_and(|pid| pid.eq_ignore_ascii_case(id))
        })?
        .get("value")?
        .as_str()
}

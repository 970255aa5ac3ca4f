//! `$filter=type eq 'seriesMaster'` (and `or` of such comparisons) on the `events` list: the
//! way clients list a mailbox's series masters — e.g. with `$select=id,changeKey` to see
//! which series changed — without reading every event. The `events` list holds single
//! instances and series masters only, so `singleInstance` and `seriesMaster` are the values
//! that can match; `occurrence` and `exception` are valid and match nothing.
//!
//! Real clients use this filter against Graph (e.g. `$filter=type eq 'seriesMaster'` in
//! public projects listing recurring meetings; `type eq 'singleInstance' or type eq
//! 'seriesMaster'` to list without occurrences). Anything else that starts with `type`
//! answers 400 `BadRequest` "Invalid filter clause".
//!
//! Invariant: a filter is either fully understood or refused; nothing is half applied.

use std::collections::HashMap;

use super::calendar_view::query_param;
use super::error::GraphError;
use axum::http::StatusCode;

const TYPES: [&str; 4] = ["singleInstance", "occurrence", "exception", "seriesMaster"];

/// The event types a `$filter` of the form `type eq 'X' [or type eq 'Y' ...]` admits;
/// `Ok(None)` when there is no `$filter` or it is not about `type` (another filter's business).
pub(crate) fn types(query: &HashMap<String, String>) -> Result<Option<Vec<String>>, GraphError> {
    let Some(text) = query_param(query, "$filter") else {
        return Ok(None);
    };
    let text = text.trim();
    if !starts_with_ci(text, "type ") && !starts_with_ci(text, "type\t") {
        return Ok(None);
    }
    let mut admitted = Vec::new();
    for clause in split_or(text) {
        let clause = clause.trim();
        let rest = strip_ci(clause, "type").ok_or_else(bad_filter)?;
        let rest = strip_ci(rest.trim_start(), "eq").ok_or_else(bad_filter)?;
        let literal = rest
            .trim()
            .strip_prefix('\'')
            .and_then(|r| r.strip_suffix('\''))
            .ok_or_else(bad_filter)?;
        let known = TYPES
            .iter()
            .find(|t| t.eq_ignore_ascii_case(literal))
            .ok_or_else(bad_filter)?;
        admitted.push((*known).to_owned());
    }
    Ok(Some(admitted))
}

/// Whether a stored event (a series master when `is_series`, else a single instance) is
/// admitted by the types a filter names (`None`: no type filter, everything is).
pub(crate) fn admits(admitted: Option<&[String]>, is_series: bool) -> bool {
    let kind = if is_series {
        "seriesMaster"
    } else {
        "singleInstance"
    };
    admitted.is_none_or(|types| types.iter().any(|t| t == kind))
}

fn split_or(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = text;
    let lower = text.to_ascii_lowercase();
    let mut offset = 0;
    while let Some(at) = lower[offset..].find(" or ") {
        let cut = offset + at;
        parts.push(&text[offset..cut]);
        offset = cut + 4;
        rest = &text[offset..];
    }
    parts.push(rest);
    parts
}

fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn strip_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    starts_with_ci(text, prefix).then(|| &text[prefix.len()..])
}

fn bad_filter() -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        "Invalid filter clause",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(filter: &str) -> HashMap<String, String> {
        HashMap::from([("$filter".to_owned(), filter.to_owned())])
    }

    #[test]
    fn type_comparisons_are_read_and_others_left_or_refused() {
        assert_eq!(
            types(&query("type eq 'seriesMaster'")).expect("read"),
            Some(vec!["seriesMaster".to_owned()])
        );
        assert_eq!(
            types(&query("Type eq 'singleInstance' OR type eq 'SeriesMaster'")).expect("read"),
            Some(vec!["singleInstance".to_owned(), "seriesMaster".to_owned()])
        );
        assert_eq!(types(&HashMap::new()).expect("read"), None);
        assert_eq!(
            types(&query("singleValueExtendedProperties/any(e: e/id eq 'x')")).expect("read"),
            None
        );
        assert!(types(&query("type eq 'meeting'")).is_err());
        assert!(types(&query("type ne 'seriesMaster'")).is_err());
        assert!(types(&query("type eq 'seriesMaster' and isCancelled eq false")).is_err());
    }
}

//! What the JSON-kept item collections keep beside an item's properties and serve only on
//! `$expand`: a task's `linkedResources` (a navigation property of `todoTask`) and a contact's
//! `singleValueExtendedProperties`. This module takes them out of a POST/PATCH body, parses the
//! `$expand` (and, for contacts, the extended-property `$filter`) that asks for them, and adds
//! them to a rendered item.
//!
//! Invariants: an answer carries them only when the request `$expand`ed them (a deep-inserted
//! task's create answer also carries the linked resources just created); an `$expand` of
//! anything else answers 400, so a client never silently misses what it asked for.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::calendar_view::query_param;
use super::error::GraphError;
use super::extended::{self, ExtendedProperties};
use super::folders::Item;
use super::linked;

/// What a resource keeps beside its properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Navigation {
    /// A task's `linkedResources`.
    LinkedResources,
    /// A contact's `singleValueExtendedProperties`.
    ExtendedProperties,
}

/// What a POST/PATCH body carried beside the item's own properties.
#[derive(Debug)]
pub(crate) enum Nested {
    /// Linked resources to create with the task (deep insert), ids assigned.
    Linked(Vec<Map<String, Value>>),
    /// Extended properties to set on the contact.
    Extended(Vec<(String, String)>),
}

/// What a request's `$expand` asks for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Expansion {
    /// Nothing.
    #[default]
    Nothing,
    /// The task's linked resources.
    Linked,
    /// These extended properties of the contact.
    Extended(Vec<String>),
}

/// Takes the nested part out of `body` (so that the rest is the item's own properties).
/// Linked resources can only be created with the task (`creating`); a PATCH that carries them
/// is left to the schema check, which refuses it as Graph does not update navigation properties
/// that way.
pub(crate) fn take(
    nav: Navigation,
    body: &mut Value,
    creating: bool,
) -> Result<Option<Nested>, GraphError> {
    let nested = match nav {
        Navigation::LinkedResources if creating => {
            linked::from_task_body(body)?.map(Nested::Linked)
        }
        Navigation::LinkedResources => None,
        Navigation::ExtendedProperties => extended::from_body(body)?.map(Nested::Extended),
    };
    if nested.is_some()
        && let Some(map) = body.as_object_mut()
    {
        map.remove(match nav {
            Navigation::LinkedResources => linked::PROPERTY,
            Navigation::ExtendedProperties => extended::PROPERTY,
        });
    }
    Ok(nested)
}

fn bad_expand(what: &str) -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        format!("Parsing OData Select and Expand failed: only {what} can be expanded."),
    )
}

/// The `$expand` of a request on `nav`'s resource.
pub(crate) fn parse(
    nav: Navigation,
    query: &HashMap<String, String>,
) -> Result<Expansion, GraphError> {
    match nav {
        Navigation::LinkedResources => match query_param(query, "$expand") {
            None => Ok(Expansion::Nothing),
            Some(text) if text.trim().eq_ignore_ascii_case(linked::PROPERTY) => {
                Ok(Expansion::Linked)
            }
            Some(_) => Err(bad_expand(linked::PROPERTY)),
        },
        Navigation::ExtendedProperties => Ok(extended::expand_ids(query)?
            .map(Expansion::Extended)
            .unwrap_or_default()),
    }
}

/// The extended-property `$filter` of a list request, for contacts; other filters (and tasks)
/// are not applied.
pub(crate) fn filter(
    nav: Navigation,
    query: &HashMap<String, String>,
) -> Result<Option<(String, String)>, GraphError> {
    if nav == Navigation::ExtendedProperties && extended::filters_properties(query) {
        extended::filter(query)
    } else {
        Ok(None)
    }
}

/// Adds what `expansion` asks for to the rendered `item`.
pub(crate) fn apply(
    out: &mut Value,
    item: &Item,
    expansion: &Expansion,
    props: &ExtendedProperties,
) {
    match expansion {
        Expansion::Nothing => {}
        Expansion::Linked => {
            if let Some(map) = out.as_object_mut() {
                map.insert(
                    linked::PROPERTY.to_owned(),
                    Value::Array(item.linked.iter().map(linked::render).collect()),
                );
            }
        }
        Expansion::Extended(ids) => extended::add_expanded_ids(out, props, ids),
    }
}

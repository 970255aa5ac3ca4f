//! The part of `Restriction` FindFolder evaluates: `IsEqualTo`, `IsNotEqualTo` and `Contains` on
//! `folder:DisplayName` and `folder:FolderClass` against a `Constant`, combined with `And`, `Or`
//! and `Not` (https://learn.microsoft.com/exchange/client-developer/web-service-reference/restriction).
//!
//! Invariant: a restriction is either evaluated exactly as written or refused as a whole with
//! `ErrorUnsupportedQueryFilter` — never half-applied. Equality ignores letter case; `Contains`
//! honours `ContainmentMode` and `ContainmentComparison` (`Exact` is case-sensitive, every other
//! comparison ignores case). Unverified: whether Exchange's `IsEqualTo` on strings ignores case.

use super::error::ItemError;
use super::folders::Node;
use super::xml::Element;

/// A folder test read from a `Restriction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// `IsEqualTo` (`negated` for `IsNotEqualTo`).
    Equal {
        /// `folder:DisplayName` or `folder:FolderClass`.
        field: String,
        /// The constant.
        value: String,
        /// True for `IsNotEqualTo`.
        negated: bool,
    },
    /// `Contains`.
    Contains {
        /// The field.
        field: String,
        /// The constant.
        value: String,
        /// `FullString`, `Prefixed`, `Substring`, … (default `FullString`).
        mode: String,
        /// False for `ContainmentComparison="Exact"`.
        ignore_case: bool,
    },
    /// `And`.
    All(Vec<Test>),
    /// `Or`.
    Any(Vec<Test>),
    /// `Not`.
    Not(Box<Test>),
}

fn unsupported(what: &str) -> ItemError {
    ItemError::new(
        "ErrorUnsupportedQueryFilter",
        format!("The emulator does not evaluate {what} in a folder restriction."),
    )
}

fn field_and_constant(el: &Element) -> Result<(String, String), ItemError> {
    let field = el
        .child("FieldURI")
        .and_then(|f| f.attr("FieldURI"))
        .filter(|f| matches!(*f, "folder:DisplayName" | "folder:FolderClass"))
        .ok_or_else(|| unsupported("this property"))?;
    let constant = el
        .child("Constant")
        .or_else(|| el.path(&["FieldURIOrConstant", "Constant"]))
        .and_then(|c| c.attr("Value"))
        .ok_or_else(|| unsupported("a comparison with anything but a constant"))?;
    Ok((field.to_owned(), constant.to_owned()))
}

/// Reads the test inside a `Restriction` element.
pub fn parse(restriction: &Element) -> Result<Test, ItemError> {
    let inner = restriction
        .children
        .first()
        .ok_or_else(|| unsupported("an empty restriction"))?;
    read(inner)
}

fn read(el: &Element) -> Result<Test, ItemError> {
    let many = |el: &Element| el.children.iter().map(read).collect::<Result<Vec<_>, _>>();
    Ok(match el.name.as_str() {
        "IsEqualTo" | "IsNotEqualTo" => {
            let (field, value) = field_and_constant(el)?;
            Test::Equal {
                field,
                value,
                negated: el.name == "IsNotEqualTo",
            }
        }
        "Contains" => {
            let (field, value) = field_and_constant(el)?;
            Test::Contains {
                field,
                value,
                mode: el
                    .attr("ContainmentMode")
                    .unwrap_or("FullString")
                    .to_owned(),
                ignore_case: el.attr("ContainmentComparison") != Some("Exact"),
            }
        }
        "And" => Test::All(many(el)?),
        "Or" => Test::Any(many(el)?),
        "Not" => Test::Not(Box::new(read(
            el.children
                .first()
                .ok_or_else(|| unsupported("an empty Not"))?,
        )?)),
        other => return Err(unsupported(other)),
    })
}

fn field_of<'a>(node: &'a Node, field: &str) -> &'a str {
    match field {
        "folder:DisplayName" => &node.display_name,
        _ => node.class.as_deref().unwrap_or_default(),
    }
}

impl Test {
    /// True when `node` passes.
    pub fn matches(&self, node: &Node) -> bool {
        match self {
            Test::Equal {
                field,
                value,
                negated,
            } => field_of(node, field).eq_ignore_ascii_case(value) != *negated,
            Test::Contains {
                field,
                value,
                mode,
                ignore_case,
            } => {
                let fold = |s: &str| {
                    if *ignore_case {
                        s.to_lowercase()
                    } else {
                        s.to_owned()
                    }
                };
                let (text, value) = (fold(field_of(node, field)), fold(value));
                match mode.as_str() {
                    "Prefixed" => text.starts_with(&value),
                    "Substring" | "ExactPhrase" => text.contains(&value),
                    "PrefixOnWords" => text.split_whitespace().any(|w| w.starts_with(&value)),
                    _ => text == value,
                }
            }
            Test::All(tests) => tests.iter().all(|t| t.matches(node)),
            Test::Any(tests) => tests.iter().any(|t| t.matches(node)),
            Test::Not(test) => !test.matches(node),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ews::folders::FolderKind;
    use crate::ews::xml;

    fn node(name: &str, class: &str) -> Node {
        Node {
            id: name.into(),
            parent_id: None,
            display_name: name.into(),
            class: Some(class.into()),
            kind: FolderKind::of_class(class),
            well_known: None,
            store: None,
        }
    }

    fn test(text: &str) -> Result<Test, ItemError> {
        parse(&xml::parse(text).map_err(|e| unsupported(&e.to_string()))?)
    }

    #[test]
    fn evaluates_names_and_classes() {
        let t = test(
            "<Restriction><And><IsEqualTo><FieldURI FieldURI=\"folder:FolderClass\"/>\
             <FieldURIOrConstant><Constant Value=\"IPF.Appointment\"/></FieldURIOrConstant>\
             </IsEqualTo><Contains ContainmentMode=\"Prefixed\" ContainmentComparison=\"IgnoreCase\">\
             <FieldURI FieldURI=\"folder:DisplayName\"/><Constant Value=\"crm\"/></Contains>\
             </And></Restriction>",
        )
        .expect("supported");
        assert!(t.matches(&node("CRM sync", "IPF.Appointment")));
        assert!(!t.matches(&node("CRM sync", "IPF.Note")));
        assert!(!t.matches(&node("My CRM", "IPF.Appointment")));
        let exact = test(
            "<Restriction><Not><Contains ContainmentMode=\"Substring\" \
             ContainmentComparison=\"Exact\"><FieldURI FieldURI=\"folder:DisplayName\"/>\
             <Constant Value=\"crm\"/></Contains></Not></Restriction>",
        )
        .expect("supported");
        assert!(exact.matches(&node("My CRM", "IPF.Note")));
        assert!(!exact.matches(&node("my crm", "IPF.Note")));
    }

    #[test]
    fn refuses_what_it_cannot_evaluate() {
        let other_field = test(
            "<Restriction><IsEqualTo><FieldURI FieldURI=\"folder:TotalCount\"/>\
             <FieldURIOrConstant><Constant Value=\"0\"/></FieldURIOrConstant></IsEqualTo>\
             </Restriction>",
        );
        assert_eq!(
            other_field.map_err(|e| e.code),
            Err("ErrorUnsupportedQueryFilter")
        );
        let other_test = test(
            "<Restriction><Exists><FieldURI FieldURI=\"folder:DisplayName\"/></Exists></Restriction>",
        );
        assert!(other_test.is_err());
    }
}

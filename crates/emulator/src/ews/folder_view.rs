//! Folder response shapes (`FolderShape`) and how a folder is written in GetFolder, FindFolder
//! and CreateFolder answers
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/foldershape).
//!
//! Invariant: `FolderId` is always written; the other properties follow the schema order of
//! `BaseFolderType` then `FolderType`, and only those of the shape; a folder property the
//! emulator does not keep (`EffectiveRights`, `PermissionSet`, extended ones) is left out, as
//! Exchange leaves out an unset one.

use std::collections::BTreeSet;

use super::error::EwsError;
use super::folders::{FolderKind, Node, children};
use super::xml::{Element, Writer};

/// Properties of the `Default` folder shape.
const DEFAULT: &[&str] = &[
    "folder:DisplayName",
    "folder:TotalCount",
    "folder:ChildFolderCount",
    "folder:UnreadCount",
];

/// Properties `AllProperties` adds.
const ALL_EXTRA: &[&str] = &["folder:ParentFolderId", "folder:FolderClass"];

/// Change key of every folder (folders are never changed by the emulator).
pub const FOLDER_CHANGE_KEY: &str = "AQAAAA==";

/// The folder properties to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderShape {
    fields: BTreeSet<String>,
}

impl FolderShape {
    /// Reads a `FolderShape` element (required where it is used).
    pub fn parse(el: Option<&Element>) -> Result<Self, EwsError> {
        let el = el.ok_or_else(|| EwsError::schema("the FolderShape element is missing"))?;
        let base = el
            .child_text("BaseShape")
            .ok_or_else(|| EwsError::schema("FolderShape needs a BaseShape"))?;
        let mut fields: BTreeSet<String> = match base {
            "IdOnly" => BTreeSet::new(),
            "Default" => DEFAULT.iter().map(|f| (*f).to_owned()).collect(),
            "AllProperties" => DEFAULT
                .iter()
                .chain(ALL_EXTRA)
                .map(|f| (*f).to_owned())
                .collect(),
            other => {
                return Err(EwsError::schema(format!(
                    "'{other}' is not a valid BaseShape"
                )));
            }
        };
        if let Some(more) = el.child("AdditionalProperties") {
            for p in &more.children {
                match (p.name.as_str(), p.attr("FieldURI")) {
                    ("FieldURI", Some(uri)) => {
                        fields.insert(uri.to_owned());
                    }
                    ("ExtendedFieldURI" | "IndexedFieldURI", _) => {}
                    _ => {
                        return Err(EwsError::schema(format!(
                            "'{}' is not a valid property path",
                            p.name
                        )));
                    }
                }
            }
        }
        Ok(Self { fields })
    }

    fn has(&self, uri: &str) -> bool {
        self.fields.contains(uri)
    }
}

/// Writes `node` (one of `nodes`) in `shape`; `total` is the number of items it holds.
pub fn write(w: &mut Writer, nodes: &[Node], node: &Node, shape: &FolderShape, total: usize) {
    let element = node.kind.element();
    w.open(element, &[]);
    w.empty(
        "t:FolderId",
        &[("Id", &node.id), ("ChangeKey", FOLDER_CHANGE_KEY)],
    );
    if shape.has("folder:ParentFolderId")
        && let Some(parent) = &node.parent_id
    {
        w.empty(
            "t:ParentFolderId",
            &[("Id", parent), ("ChangeKey", FOLDER_CHANGE_KEY)],
        );
    }
    if shape.has("folder:FolderClass")
        && let Some(class) = &node.class
    {
        w.text("t:FolderClass", class);
    }
    if shape.has("folder:DisplayName") {
        w.text("t:DisplayName", &node.display_name);
    }
    if shape.has("folder:TotalCount") {
        w.text("t:TotalCount", &total.to_string());
    }
    if shape.has("folder:ChildFolderCount") {
        let count = children(nodes, &node.id).count();
        w.text("t:ChildFolderCount", &count.to_string());
    }
    if shape.has("folder:DistinguishedFolderId")
        && let Some(known) = node.well_known
    {
        w.text("t:DistinguishedFolderId", known.name());
    }
    // `UnreadCount` belongs to FolderType (and TasksFolderType, which extends it) only.
    let has_unread = matches!(node.kind, FolderKind::Generic | FolderKind::Tasks);
    if has_unread && shape.has("folder:UnreadCount") {
        w.text("t:UnreadCount", "0");
    }
    w.close(element);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ews::xml;

    fn shape(text: &str) -> Result<FolderShape, EwsError> {
        let el = xml::parse(text).map_err(|e| EwsError::schema(e.to_string()))?;
        FolderShape::parse(Some(&el))
    }

    #[test]
    fn shapes_add_up() {
        let id_only = shape(
            "<FolderShape><BaseShape>IdOnly</BaseShape><AdditionalProperties>\
             <FieldURI FieldURI=\"folder:DisplayName\"/></AdditionalProperties></FolderShape>",
        )
        .expect("valid");
        assert!(id_only.has("folder:DisplayName"));
        assert!(!id_only.has("folder:TotalCount"));
        let all = shape("<FolderShape><BaseShape>AllProperties</BaseShape></FolderShape>")
            .expect("valid");
        assert!(all.has("folder:FolderClass") && all.has("folder:UnreadCount"));
        assert!(shape("<FolderShape><BaseShape>Some</BaseShape></FolderShape>").is_err());
        assert!(shape("<FolderShape/>").is_err());
    }
}

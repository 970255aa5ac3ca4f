//! FindFolder: the folders below a parent, its children (`Shallow`) or its whole subtree
//! (`Deep`), optionally paged by an `IndexedPageFolderView`
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/findfolder-operation).
//!
//! Invariants: one `FindFolderResponseMessage` per parent, in request order; folders come in
//! tree order (each before its children); `IncludesLastItemInRange` is false exactly when
//! folders after the page were left out. `SoftDeleted` finds nothing: the emulator deletes no
//! folders. A `Restriction` filters before paging (see `folder_restriction.rs`; one it cannot
//! evaluate answers `ErrorUnsupportedQueryFilter`).

use super::Ctx;
use super::error::EwsError;
use super::folder_restriction;
use super::folder_view::{self, FolderShape};
use super::folders::{self, Node};
use super::get_folder::item_count;
use super::messages;
use super::xml::{Element, Writer};

/// Which part of the list a page view asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Page {
    max: Option<usize>,
    offset: usize,
    from_end: bool,
}

fn count_attr(el: &Element, name: &str) -> Result<Option<usize>, EwsError> {
    el.attr(name)
        .map(|v| {
            v.trim()
                .parse::<usize>()
                .map_err(|_| EwsError::schema(format!("'{v}' is not a valid {name}")))
        })
        .transpose()
}

fn read_page(op: &Element) -> Result<Page, EwsError> {
    let Some(view) = op.child("IndexedPageFolderView") else {
        return Ok(Page {
            max: None,
            offset: 0,
            from_end: false,
        });
    };
    let offset = count_attr(view, "Offset")?
        .ok_or_else(|| EwsError::schema("IndexedPageFolderView needs an Offset"))?;
    let from_end = match view.attr("BasePoint") {
        Some("Beginning") => false,
        Some("End") => true,
        _ => return Err(EwsError::schema("IndexedPageFolderView needs a BasePoint")),
    };
    Ok(Page {
        max: count_attr(view, "MaxEntriesReturned")?,
        offset,
        from_end,
    })
}

/// The slice of `total` entries a page covers: `(start, end)`.
fn window(page: Page, total: usize) -> (usize, usize) {
    let max = page.max.unwrap_or(usize::MAX);
    if page.from_end {
        let end = total.saturating_sub(page.offset);
        (end.saturating_sub(max), end)
    } else {
        let start = page.offset.min(total);
        (start, start.saturating_add(max).min(total))
    }
}

/// Runs the operation; returns the response messages.
pub fn run(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    let traversal = match op.attr("Traversal") {
        Some(t @ ("Shallow" | "Deep" | "SoftDeleted")) => t,
        _ => {
            return Err(EwsError::schema(
                "the attribute 'Traversal' is missing or not valid",
            ));
        }
    };
    let shape = FolderShape::parse(op.child("FolderShape"))?;
    let page = read_page(op)?;
    let restriction = op.child("Restriction").map(folder_restriction::parse);
    let nodes = folders::tree(ctx.mailbox, &ctx.ews.folders, ctx.data);
    let mut w = Writer::new();
    for parent in folders::list(op, "ParentFolderIds")? {
        let found = folders::resolve_node(ctx.mailbox, &ctx.ews.folders, ctx.data, parent)
            .and_then(|p| {
                let test = restriction.clone().transpose()?;
                let below: Vec<&Node> = match traversal {
                    "Shallow" => folders::children(&nodes, &p.id).collect(),
                    "Deep" => folders::descendants(&nodes, &p.id),
                    _ => Vec::new(),
                };
                Ok(below
                    .into_iter()
                    .filter(|n| test.as_ref().is_none_or(|t| t.matches(n)))
                    .collect::<Vec<_>>())
            });
        messages::write(&mut w, "FindFolderResponseMessage", found, |w, below| {
            let total = below.len();
            let (start, end) = window(page, total);
            let next = if page.from_end { total - start } else { end };
            w.open(
                "m:RootFolder",
                &[
                    ("IndexedPagingOffset", &next.to_string()),
                    ("TotalItemsInView", &total.to_string()),
                    (
                        "IncludesLastItemInRange",
                        if end == total { "true" } else { "false" },
                    ),
                ],
            );
            w.open("t:Folders", &[]);
            for node in &below[start..end] {
                folder_view::write(w, &nodes, node, &shape, item_count(ctx, node));
            }
            w.close("t:Folders");
            w.close("m:RootFolder");
        });
    }
    Ok(w.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_the_list_from_either_end() {
        let page = |max, offset, from_end| Page {
            max,
            offset,
            from_end,
        };
        assert_eq!(window(page(None, 0, false), 5), (0, 5));
        assert_eq!(window(page(Some(2), 4, false), 5), (4, 5));
        assert_eq!(window(page(Some(2), 9, false), 5), (5, 5));
        assert_eq!(window(page(Some(2), 1, true), 5), (2, 4));
        assert_eq!(window(page(Some(9), 0, true), 5), (0, 5));
    }
}

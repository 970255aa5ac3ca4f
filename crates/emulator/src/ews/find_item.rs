//! FindItem on the calendar: a `CalendarView` (occurrences expanded, masters left out, as Graph's
//! calendarView), an `IndexedPageItemView` or no view (masters and single items)
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/finditem-operation);
//! on a task or contact folder: its tasks or contacts by creation, paged the same way (a
//! `CalendarView` there is refused).
//!
//! Invariants: a calendar view lists items by start, a paged list by creation; cancelled
//! occurrences never appear; `IncludesLastItemInRange` is false exactly when items were left
//! out because of `MaxEntriesReturned`.

use chrono::{DateTime, Utc};

use super::Ctx;
use super::calendar_item::{self, View, instants, item_view, occurrence_view};
use super::draft::{Stamp, parse_stamp};
use super::error::{EwsError, ItemError};
use super::folder_item::{self, Place};
use super::folders;
use super::messages;
use super::shape::Shape;
use super::xml::{Element, Writer};

use crate::store::folders::{Item, Kind};

struct Page<T> {
    items: Vec<T>,
    total: usize,
    complete: bool,
    offset: Option<usize>,
}

fn instant_attr(el: &Element, name: &str) -> Result<DateTime<Utc>, EwsError> {
    match el.attr(name).and_then(parse_stamp) {
        Some(Stamp::Instant(t)) => Ok(t),
        Some(Stamp::Local(t)) => Ok(t.and_utc()),
        None => Err(EwsError::schema(format!(
            "the attribute '{name}' of CalendarView is missing or not a dateTime"
        ))),
    }
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

/// Runs the operation; returns the response messages.
pub fn run(ctx: &mut Ctx<'_>, op: &Element) -> Result<String, EwsError> {
    if !matches!(
        op.attr("Traversal"),
        Some("Shallow" | "SoftDeleted" | "Associated")
    ) {
        return Err(EwsError::schema(
            "the attribute 'Traversal' is missing or not valid",
        ));
    }
    let shape = Shape::parse(op.child("ItemShape"))?;
    let parents = folders::list(op, "ParentFolderIds")?;
    let calendar_view = op.child("CalendarView");
    let window = match calendar_view {
        Some(v) => Some((instant_attr(v, "StartDate")?, instant_attr(v, "EndDate")?)),
        None => None,
    };
    let paged = op.child("IndexedPageItemView");
    let (max, offset, from_end) = match (calendar_view, paged) {
        (Some(v), _) => (count_attr(v, "MaxEntriesReturned")?, 0, false),
        (None, Some(p)) => {
            let offset = count_attr(p, "Offset")?
                .ok_or_else(|| EwsError::schema("IndexedPageItemView needs an Offset"))?;
            let from_end = match p.attr("BasePoint") {
                Some("Beginning") => false,
                Some("End") => true,
                _ => return Err(EwsError::schema("IndexedPageItemView needs a BasePoint")),
            };
            (count_attr(p, "MaxEntriesReturned")?, offset, from_end)
        }
        (None, None) => (None, 0, false),
    };
    let mut w = Writer::new();
    for parent in parents {
        let place = folder_item::resolve(ctx, parent).and_then(|place| {
            if op.child("Restriction").is_some() {
                return Err(ItemError::new(
                    "ErrorUnsupportedQueryFilter",
                    "The emulator does not evaluate restrictions.",
                ));
            }
            Ok(place)
        });
        if let Ok(Place::Store(kind, folder)) = &place {
            let found = if window.is_some() {
                Err(ItemError::new(
                    "ErrorInvalidOperation",
                    "A CalendarView needs a calendar folder.",
                ))
            } else {
                let all: Vec<Item> = ctx
                    .data
                    .folders(*kind)
                    .iter()
                    .find(|f| f.id == *folder)
                    .map(|f| f.items_in_order().cloned().collect())
                    .unwrap_or_default();
                Ok(page(all, max, offset, from_end, true))
            };
            write_store_page(&mut w, ctx, *kind, folder, found, &shape);
            continue;
        }
        let found = place.and_then(|_| {
            let all = match window {
                Some((s, e)) => expand(ctx, s, e)?,
                None => ctx.data.events().into_iter().map(item_view).collect(),
            };
            Ok(page(all, max, offset, from_end, window.is_none()))
        });
        messages::write(&mut w, "FindItemResponseMessage", found, |w, page| {
            root_folder(w, &page);
            for view in &page.items {
                calendar_item::write(w, view, &shape, ctx.mailbox);
            }
            w.close("t:Items");
            w.close("m:RootFolder");
        });
    }
    Ok(w.finish())
}

fn root_folder<T>(w: &mut Writer, page: &Page<T>) {
    let total = page.total.to_string();
    let offset = page.offset.map(|o| o.to_string());
    let mut attrs = vec![
        ("TotalItemsInView", total.as_str()),
        (
            "IncludesLastItemInRange",
            if page.complete { "true" } else { "false" },
        ),
    ];
    if let Some(o) = &offset {
        attrs.insert(0, ("IndexedPagingOffset", o.as_str()));
    }
    w.open("m:RootFolder", &attrs);
    w.open("t:Items", &[]);
}

fn write_store_page(
    w: &mut Writer,
    ctx: &Ctx<'_>,
    kind: Kind,
    folder: &str,
    found: Result<Page<Item>, ItemError>,
    shape: &Shape,
) {
    messages::write(w, "FindItemResponseMessage", found, |w, page| {
        root_folder(w, &page);
        for item in &page.items {
            folder_item::write_item(w, ctx, kind, folder, item, shape);
        }
        w.close("t:Items");
        w.close("m:RootFolder");
    });
}

fn page<T>(
    mut all: Vec<T>,
    max: Option<usize>,
    offset: usize,
    from_end: bool,
    indexed: bool,
) -> Page<T> {
    let total = all.len();
    let start = if from_end {
        total.saturating_sub(offset + max.unwrap_or(total))
    } else {
        offset.min(total)
    };
    let end = if from_end {
        total.saturating_sub(offset)
    } else {
        max.map_or(total, |m| (start + m).min(total))
    };
    let items: Vec<T> = all.drain(start..end.max(start)).collect();
    let complete = if from_end { start == 0 } else { end >= total };
    let next = if from_end { total - start } else { end };
    Page {
        items,
        total,
        complete,
        offset: indexed.then_some(next),
    }
}

fn expand<'a>(
    ctx: &'a Ctx<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<View<'a>>, ItemError> {
    if to < from {
        return Err(ItemError::new(
            "ErrorCalendarEndDateIsEarlierThanStartDate",
            "EndDate is earlier than StartDate.",
        ));
    }
    let mut found: Vec<(DateTime<Utc>, View<'a>)> = Vec::new();
    for event in ctx.data.events() {
        match &event.appointment.series {
            Some(series) => {
                let occurrences =
                    exsync_model::occurrences(&event.appointment.when, series, from, to).map_err(
                        |e| ItemError::new("ErrorCalendarInvalidRecurrence", e.to_string()),
                    )?;
                for o in &occurrences {
                    let view = occurrence_view(event, o);
                    found.push((instants(&view.appointment.when, event).0, view));
                }
            }
            None => {
                let (s, e) = instants(&event.appointment.when, event);
                if (s < to && e > from) || (s == e && s >= from && s < to) {
                    found.push((s, item_view(event)));
                }
            }
        }
    }
    found.sort_by_key(|(s, _)| *s);
    Ok(found.into_iter().map(|(_, v)| v).collect())
}

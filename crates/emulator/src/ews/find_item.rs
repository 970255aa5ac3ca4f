//! FindItem on the calendar: a `CalendarView` (occurrences expanded, masters left out, as Graph's
//! calendarView), an `IndexedPageItemView` or no view (masters and single items)
//! (https://learn.microsoft.com/exchange/client-developer/web-service-reference/finditem-operation).
//!
//! Invariants: a calendar view lists items by start, a paged list by creation; cancelled
//! occurrences never appear; `IncludesLastItemInRange` is false exactly when items were left
//! out because of `MaxEntriesReturned`.

use chrono::{DateTime, Utc};

use super::Ctx;
use super::calendar_item::{self, View, instants, item_view, occurrence_view};
use super::draft::{Stamp, parse_stamp};
use super::error::{EwsError, ItemError};
use super::folders;
use super::messages;
use super::shape::Shape;
use super::xml::{Element, Writer};

struct Page<'a> {
    items: Vec<View<'a>>,
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
        let found = folders::calendar(ctx.mailbox, parent).and_then(|()| {
            if op.child("Restriction").is_some() {
                return Err(ItemError::new(
                    "ErrorUnsupportedQueryFilter",
                    "The emulator does not evaluate restrictions.",
                ));
            }
            let all = match window {
                Some((s, e)) => expand(ctx, s, e)?,
                None => ctx.data.events().into_iter().map(item_view).collect(),
            };
            Ok(page(all, max, offset, from_end, window.is_none()))
        });
        messages::write(&mut w, "FindItemResponseMessage", found, |w, page| {
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
            for view in &page.items {
                calendar_item::write(w, view, &shape, ctx.mailbox);
            }
            w.close("t:Items");
            w.close("m:RootFolder");
        });
    }
    Ok(w.finish())
}

fn page(
    mut all: Vec<View<'_>>,
    max: Option<usize>,
    offset: usize,
    from_end: bool,
    indexed: bool,
) -> Page<'_> {
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
    let items: Vec<View<'_>> = all.drain(start..end.max(start)).collect();
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

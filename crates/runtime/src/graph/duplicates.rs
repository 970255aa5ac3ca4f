//! Copies left behind by a retried create. To Do tasks and contacts have no `transactionId`:
//! when the answer to a create is lost in transit, the client's retry creates the item a
//! second time. Both copies carry the same business id (linked resource, extended property).
//! This module picks out the extra copies so the connector deletes them instead of the pass
//! importing them as new business records.
//!
//! Invariant: only an unlinked item is ever picked, only when it carries a business id that
//! another item also carries (linked to it, or unlinked with a smaller id), and only when its
//! content equals that item's current state in the same round — a copy the user has since
//! edited differs, and one made beside an unchanged or deleted original is not considered.

use std::collections::HashMap;

use exsync_model::{BusinessId, ExchangeId};

use crate::align::Align;
use crate::exchange::{ExchangeItem, LinkedItems};

/// The ids of the items of `present` that are extra copies of one create.
pub(crate) fn retried_copies<T: Clone + PartialEq + Align>(
    present: &[ExchangeItem<T>],
    linked: &LinkedItems<'_, T>,
) -> Vec<ExchangeId> {
    let by_id: HashMap<&ExchangeId, &ExchangeItem<T>> =
        present.iter().map(|item| (&item.id, item)).collect();
    let linked_by_business: HashMap<&BusinessId, (&ExchangeId, &T)> = linked
        .iter()
        .map(|(id, link)| (link.business_id, (id, link.base)))
        .collect();
    // The first unlinked copy (smallest id) of each business id not linked at all.
    let mut first_unlinked: HashMap<&BusinessId, &ExchangeItem<T>> = HashMap::new();
    let mut unlinked: Vec<&ExchangeItem<T>> = present
        .iter()
        .filter(|item| item.business_id.is_some() && !linked.contains_key(&item.id))
        .collect();
    unlinked.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    let mut copies = Vec::new();
    for item in unlinked {
        let Some(stamp) = &item.business_id else {
            continue;
        };
        let original: &T = match linked_by_business.get(stamp) {
            // Only while the linked original is in this round too: a retried create puts both
            // copies in the same round. A stamped item beside an original that did not change
            // (or was deleted) is a copy the user made, and is left alone.
            Some((linked_id, _base)) => match by_id.get(linked_id) {
                Some(now) => &now.item,
                None => continue,
            },
            None => match first_unlinked.get(stamp) {
                Some(first) => &first.item,
                None => {
                    first_unlinked.insert(stamp, item);
                    continue;
                }
            },
        };
        let mut candidate = item.item.clone();
        candidate.align_to(original);
        if candidate == *original {
            copies.push(item.id.clone());
        }
    }
    copies
}

#[cfg(test)]
mod tests {
    use exsync_model::Task;

    use super::*;
    use crate::exchange::LinkedItem;

    fn item(id: &str, stamp: &str, subject: &str) -> ExchangeItem<Task> {
        ExchangeItem {
            id: id.into(),
            change_key: None,
            business_id: Some(stamp.into()),
            item: Task::new(subject),
            modified: None,
        }
    }

    #[test]
    fn an_equal_copy_of_a_linked_item_is_picked_and_an_edited_one_is_not() {
        let business = BusinessId::from("7");
        let base = Task::new("call");
        let linked: LinkedItems<'_, Task> = HashMap::from([(
            ExchangeId::from("A"),
            LinkedItem {
                business_id: &business,
                base: &base,
            },
        )]);
        let present = [
            item("A", "7", "call"),
            item("B", "7", "call"),
            item("C", "7", "call back"),
        ];
        assert_eq!(retried_copies(&present, &linked), [ExchangeId::from("B")]);
        // Without the original in the round (unchanged, or deleted), a stamped item is a
        // copy the user made: left alone.
        let present = [item("B", "7", "call")];
        assert!(retried_copies(&present, &linked).is_empty());
    }

    #[test]
    fn of_unlinked_equal_copies_the_smallest_id_stays() {
        let linked: LinkedItems<'_, Task> = HashMap::new();
        let present = [
            item("Z", "7", "call"),
            item("M", "7", "call"),
            item("Q", "8", "call"),
        ];
        assert_eq!(retried_copies(&present, &linked), [ExchangeId::from("Z")]);
    }
}

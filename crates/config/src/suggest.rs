//! "Did you mean ...?": the closest known name to a misspelt one.
//!
//! Invariant: a suggestion is only made when it is close (a few edits, relative to the length),
//! so an unrelated name never gets a misleading hint.

/// Levenshtein distance between two strings, compared case-insensitively by character.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidate closest to `unknown`, if it is close enough to be a plausible typo.
pub(crate) fn closest<'a>(
    unknown: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (unknown.chars().count() / 4).max(2);
    candidates
        .into_iter()
        .map(|candidate| (distance(unknown, candidate), candidate))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("Both", "both"), 0);
    }

    #[test]
    fn only_close_names_are_suggested() {
        assert_eq!(closest("bothh", ["both", "export"]), Some("both"));
        assert_eq!(closest("xyz", ["both", "export"]), None);
    }

    proptest! {
        #[test]
        fn distance_is_symmetric_and_zero_on_equal(a in "[a-z_.]{0,12}", b in "[a-z_.]{0,12}") {
            prop_assert_eq!(distance(&a, &b), distance(&b, &a));
            prop_assert_eq!(distance(&a, &a), 0);
        }
    }
}

//! What makes two unlinked items "the same" for pairing: a key per item kind, built from the
//! fields an earlier sync tool copies faithfully.
//!
//! - Appointments: start and end as instants (all-day: the dates) plus the normalised subject;
//!   a series also by its pattern (the first occurrence is its start).
//! - Tasks: the normalised subject plus the due date.
//! - Contacts: the first e-mail address (case-insensitive), else the full name plus company.
//!
//! Invariant: an item whose key cannot be computed (an unknown zone) has no key and is never
//! paired; equal keys never depend on how a side spells a zone (Windows or IANA names give the
//! same instant).

use exsync_model::{Appointment, Contact, Pattern, Task, When};

/// An item kind whose unlinked items can be paired across the sides.
pub trait PairKey {
    /// The key two items must share to be paired; `None`: this item is never paired.
    fn pair_key(&self) -> Option<String>;

    /// How reports name the item: subject and time, or name and address.
    fn describe(&self) -> String;
}

/// A subject as pairing compares it: lower case, runs of white space as one blank, no
/// leading or trailing blanks, no trailing punctuation.
pub fn normalise_subject(subject: &str) -> String {
    let words: Vec<String> = subject.split_whitespace().map(str::to_lowercase).collect();
    let joined = words.join(" ");
    joined
        .trim_end_matches(|c: char| c.is_ascii_punctuation() || c == '…' || c.is_whitespace())
        .to_owned()
}

impl PairKey for Appointment {
    fn pair_key(&self) -> Option<String> {
        let when = match &self.when {
            When::Timed { start, end } => format!(
                "{}/{}",
                start.to_utc().ok()?.to_rfc3339(),
                end.to_utc().ok()?.to_rfc3339()
            ),
            When::AllDay { start, end } => format!("{start}/{end}"),
        };
        let series = match &self.series {
            None => String::new(),
            Some(series) => format!(" series {}", pattern_key(&series.recurrence.pattern)),
        };
        Some(format!(
            "{when}{series} {}",
            normalise_subject(&self.subject)
        ))
    }

    fn describe(&self) -> String {
        let when = match &self.when {
            When::Timed { start, .. } => start.local.format("%Y-%m-%d %H:%M").to_string(),
            When::AllDay { start, .. } => start.to_string(),
        };
        let series = if self.series.is_some() {
            " (series)"
        } else {
            ""
        };
        format!("{:?} on {when}{series}", self.subject)
    }
}

/// The pattern as pairing compares it: the week's first day matters only every other week
/// or less often, so a weekly series is the same whichever day its side starts weeks on.
fn pattern_key(pattern: &Pattern) -> String {
    match pattern {
        Pattern::Weekly {
            interval: 1, days, ..
        } => format!("weekly 1 {days:?}"),
        other => format!("{other:?}"),
    }
}

impl PairKey for Task {
    fn pair_key(&self) -> Option<String> {
        let due = self.due.as_ref().map_or_else(
            || "no due date".to_owned(),
            |due| due.local.date().to_string(),
        );
        Some(format!("{due} {}", normalise_subject(&self.subject)))
    }

    fn describe(&self) -> String {
        match &self.due {
            Some(due) => format!("{:?} due {}", self.subject, due.local.date()),
            None => format!("{:?} without due date", self.subject),
        }
    }
}

impl PairKey for Contact {
    fn pair_key(&self) -> Option<String> {
        if let Some(mail) = self
            .emails
            .iter()
            .map(|e| e.address.trim().to_lowercase())
            .find(|a| !a.is_empty())
        {
            return Some(format!("mail {mail}"));
        }
        let name = full_name(self);
        if name.is_empty() {
            return None;
        }
        Some(format!(
            "name {name} | {}",
            normalise_subject(&self.company)
        ))
    }

    fn describe(&self) -> String {
        let name = if self.display_name.trim().is_empty() {
            format!("{} {}", self.given_name, self.surname)
                .trim()
                .to_owned()
        } else {
            self.display_name.clone()
        };
        match self.emails.first() {
            Some(mail) => format!("{name:?} <{}>", mail.address),
            None if self.company.is_empty() => format!("{name:?}"),
            None => format!("{name:?} ({})", self.company),
        }
    }
}

/// Given name and surname (else the display name), normalised.
fn full_name(contact: &Contact) -> String {
    let parts = format!("{} {}", contact.given_name, contact.surname);
    let name = normalise_subject(&parts);
    if name.is_empty() {
        normalise_subject(&contact.display_name)
    } else {
        name
    }
}

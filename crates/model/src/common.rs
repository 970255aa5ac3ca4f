//! Value types shared by appointments, tasks and contacts: body text, importance, people.

use serde::{Deserialize, Serialize};

/// Free text of an item (the business application's "info" field), plain or HTML.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Body {
    /// Whether `content` is plain text or HTML.
    pub format: BodyFormat,
    /// The text itself.
    pub content: String,
}

impl Body {
    /// A plain-text body.
    pub fn text(content: impl Into<String>) -> Self {
        Self {
            format: BodyFormat::Text,
            content: content.into(),
        }
    }

    /// An HTML body.
    pub fn html(content: impl Into<String>) -> Self {
        Self {
            format: BodyFormat::Html,
            content: content.into(),
        }
    }

    /// True when there is no text at all.
    pub fn is_empty(&self) -> bool {
        self.content.trim().is_empty()
    }
}

/// How a [`Body`] is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyFormat {
    /// Plain text.
    #[default]
    Text,
    /// HTML.
    Html,
}

/// Importance of an appointment or a task (Graph `importance`, EWS `Importance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Importance {
    /// Low.
    Low,
    /// Normal (the default).
    #[default]
    Normal,
    /// High.
    High,
}

/// A person by name and e-mail address (organizer, attendee, contact e-mail).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct EmailAddress {
    /// The SMTP address.
    pub address: String,
    /// The display name, empty when unknown.
    #[serde(default)]
    pub name: String,
}

impl EmailAddress {
    /// An address with a display name.
    pub fn new(address: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            address: address.into(),
            name: name.into(),
        }
    }
}

/// Categories as Outlook shows them; order is kept as given, duplicates are not.
pub fn normalize_categories(categories: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    categories.retain(|c| !c.trim().is_empty() && seen.insert(c.trim().to_lowercase()));
    for c in categories.iter_mut() {
        let trimmed = c.trim();
        if trimmed.len() != c.len() {
            *c = trimmed.to_owned();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_drop_blanks_and_case_duplicates_keeping_order() {
        let mut cats = vec![
            "Kunde".to_owned(),
            " ".to_owned(),
            "Service ".to_owned(),
            "kunde".to_owned(),
        ];
        normalize_categories(&mut cats);
        assert_eq!(cats, vec!["Kunde".to_owned(), "Service".to_owned()]);
    }
}

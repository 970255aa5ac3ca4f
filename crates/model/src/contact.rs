//! A contact of the company address book, exported into each user's Exchange contact folder.
//!
//! Invariant kept by [`Contact::validate`]: at most three e-mail addresses (Exchange's limit).

use serde::{Deserialize, Serialize};

use crate::common::EmailAddress;

/// Exchange stores at most this many e-mail addresses per contact.
pub const MAX_EMAILS: usize = 3;

/// A contact as exsync syncs it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    /// Title before the name ("Dr.").
    pub title: String,
    /// First name.
    pub given_name: String,
    /// Middle name.
    pub middle_name: String,
    /// Last name.
    pub surname: String,
    /// Suffix after the name ("jun.").
    pub suffix: String,
    /// Name as shown in lists; empty = derived by Exchange.
    pub display_name: String,
    /// Company.
    pub company: String,
    /// Department.
    pub department: String,
    /// Job title.
    pub job_title: String,
    /// Up to three e-mail addresses.
    pub emails: Vec<EmailAddress>,
    /// Business phone numbers (first = main).
    pub business_phones: Vec<String>,
    /// Mobile phone.
    pub mobile_phone: String,
    /// Home phone numbers.
    pub home_phones: Vec<String>,
    /// Business fax.
    pub business_fax: String,
    /// Business address.
    pub business_address: PostalAddress,
    /// Home address.
    pub home_address: PostalAddress,
    /// Other address.
    pub other_address: PostalAddress,
    /// Web site.
    pub website: String,
    /// Notes.
    pub notes: String,
    /// Outlook categories.
    pub categories: Vec<String>,
}

/// A postal address (Graph `physicalAddress`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PostalAddress {
    /// Street and number (may span lines).
    pub street: String,
    /// City.
    pub city: String,
    /// State or province.
    pub state: String,
    /// Postal code.
    pub postal_code: String,
    /// Country or region.
    pub country: String,
}

impl PostalAddress {
    /// True when no part is filled.
    pub fn is_empty(&self) -> bool {
        self == &PostalAddress::default()
    }
}

/// Why a contact cannot be written to Exchange as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidContact {
    /// More than three e-mail addresses.
    #[error("{0} e-mail addresses given, Exchange keeps at most 3: remove the extra addresses")]
    TooManyEmails(usize),
    /// No name, company or e-mail to recognise the contact by.
    #[error("the contact has no name, company or e-mail address: fill at least one of them")]
    Nameless,
}

impl Contact {
    /// Checks what Exchange would refuse.
    pub fn validate(&self) -> Result<(), InvalidContact> {
        if self.emails.len() > MAX_EMAILS {
            return Err(InvalidContact::TooManyEmails(self.emails.len()));
        }
        let named = [
            &self.given_name,
            &self.surname,
            &self.display_name,
            &self.company,
        ]
        .iter()
        .any(|s| !s.trim().is_empty())
            || self.emails.iter().any(|e| !e.address.trim().is_empty());
        if !named {
            return Err(InvalidContact::Nameless);
        }
        Ok(())
    }

    /// The name to show: the display name, else first and last name, else the company.
    pub fn shown_name(&self) -> String {
        if !self.display_name.trim().is_empty() {
            return self.display_name.clone();
        }
        let full = [&self.given_name, &self.middle_name, &self.surname]
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim())
            .collect::<Vec<_>>()
            .join(" ");
        if full.is_empty() {
            self.company.clone()
        } else {
            full
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_three_emails_and_some_name() {
        let mut contact = Contact {
            surname: "Huber".into(),
            ..Contact::default()
        };
        assert_eq!(contact.validate(), Ok(()));
        contact.emails = (0..4)
            .map(|i| EmailAddress::new(format!("a{i}@x.de"), ""))
            .collect();
        assert_eq!(contact.validate(), Err(InvalidContact::TooManyEmails(4)));
        assert_eq!(Contact::default().validate(), Err(InvalidContact::Nameless));
    }

    #[test]
    fn shown_name_falls_back_to_names_then_company() {
        let mut contact = Contact {
            company: "Muster GmbH".into(),
            ..Contact::default()
        };
        assert_eq!(contact.shown_name(), "Muster GmbH");
        contact.given_name = "Eva".into();
        contact.surname = "Huber".into();
        assert_eq!(contact.shown_name(), "Eva Huber");
        contact.display_name = "Huber, Eva".into();
        assert_eq!(contact.shown_name(), "Huber, Eva");
    }
}

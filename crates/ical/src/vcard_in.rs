//! vCard 2.1, 3.0 and 4.0 -> [`Contact`].
//!
//! Mapping: N (family;given;additional;prefix;suffix), FN (kept unless it is just the name the
//! other fields give, which Exchange derives anyway), ORG (company;department), TITLE, EMAIL
//! (at most 3), TEL by TYPE (work/voice/untyped -> business, cell -> mobile, home -> home, fax ->
//! business fax), ADR by TYPE (work, home, other/untyped), URL, NOTE, CATEGORIES, UID; vCard
//! 2.1 bare types and QUOTED-PRINTABLE values with CHARSET (Outlook exports).
//! Invariant: a value that has no place in the contact (a 4th e-mail address, a 2nd mobile
//! number, a 2nd web site, a pager) rejects the contact with a reason naming the property;
//! properties the model does not sync (PHOTO, BDAY, ...) are ignored.

use exsync_model::{Contact, EmailAddress, PostalAddress, normalize_categories};

use crate::component::{Component, all_errors, read_components};
use crate::line::ContentLine;
use crate::text::{decode_charset, decode_quoted_printable, split_raw, text_list, unescape};
use crate::{IcalError, ImportedContact, ParsedContacts, Rejected};

/// The raw value of `line` with vCard 2.1 transfer encodings undone (still TEXT-escaped).
fn raw(line: &ContentLine) -> String {
    if line.has_param("ENCODING", "quoted-printable") {
        let bytes = decode_quoted_printable(&line.value);
        let text = decode_charset(&bytes, line.param("CHARSET").unwrap_or("utf-8"));
        return text.replace("\r\n", "\n");
    }
    line.value.clone()
}

/// The components of a structured value (N, ADR, ORG), unescaped.
fn structured(line: &ContentLine) -> Vec<String> {
    let value = raw(line);
    split_raw(&value, ';').into_iter().map(unescape).collect()
}

fn text(line: &ContentLine) -> String {
    unescape(&raw(line))
}

/// Reads a vCard file.
pub(crate) fn parse(bytes: &[u8]) -> Result<ParsedContacts, IcalError> {
    let cards: Vec<Component> = read_components(bytes)
        .into_iter()
        .filter(|c| c.name == "VCARD")
        .collect();
    if cards.is_empty() {
        return Err(IcalError::NotVCard("no BEGIN:VCARD found".into()));
    }
    let mut parsed = ParsedContacts::default();
    for card in &cards {
        let uid = card
            .prop("UID")
            .map(text)
            .unwrap_or_default()
            .trim()
            .to_owned();
        match read_card(card) {
            Ok(contact) => parsed.contacts.push(ImportedContact { uid, contact }),
            Err(reason) => parsed.rejected.push(Rejected { uid, reason }),
        }
    }
    Ok(parsed)
}

fn place(slot: &mut String, value: String, what: &str) -> Result<(), String> {
    if slot.is_empty() || *slot == value {
        *slot = value;
        Ok(())
    } else {
        Err(format!(
            "{what}: Exchange keeps one, this contact has more: remove the extra one"
        ))
    }
}

fn read_card(card: &Component) -> Result<Contact, String> {
    if let Some(error) = all_errors(card).into_iter().next() {
        return Err(format!("the vCard is malformed: {error}"));
    }
    let mut c = Contact::default();
    if let Some(n) = card.prop("N") {
        // vCard 4.0 allows several values per component (`Anna,Lena`): join them with spaces.
        let value = raw(n);
        let parts: Vec<String> = split_raw(&value, ';')
            .into_iter()
            .map(|p| {
                split_raw(p, ',')
                    .into_iter()
                    .map(unescape)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let part = |i: usize| {
            parts
                .get(i)
                .map(|p| p.trim().to_owned())
                .unwrap_or_default()
        };
        (c.surname, c.given_name, c.middle_name, c.title, c.suffix) =
            (part(0), part(1), part(2), part(3), part(4));
    }
    if let Some(org) = card.prop("ORG") {
        let mut units = structured(org).into_iter().map(|u| u.trim().to_owned());
        c.company = units.next().unwrap_or_default();
        c.department = units
            .filter(|u| !u.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
    }
    c.job_title = card.prop("TITLE").map(text).unwrap_or_default();
    for email in card.props("EMAIL") {
        let address = text(email).trim().to_owned();
        if !address.is_empty()
            && !c
                .emails
                .iter()
                .any(|e| e.address.eq_ignore_ascii_case(&address))
        {
            c.emails.push(EmailAddress::new(address, ""));
        }
    }
    if c.emails.len() > exsync_model::MAX_EMAILS {
        return Err(format!(
            "EMAIL: {} addresses given, Exchange keeps at most {}: remove the extra addresses",
            c.emails.len(),
            exsync_model::MAX_EMAILS
        ));
    }
    for tel in card.props("TEL") {
        read_phone(&mut c, tel)?;
    }
    for adr in card.props("ADR") {
        read_address(&mut c, adr)?;
    }
    for url in card.props("URL") {
        place(
            &mut c.website,
            text(url).trim().to_owned(),
            "URL: a second web site",
        )?;
    }
    let notes: Vec<String> = card
        .props("NOTE")
        .map(text)
        .filter(|n| !n.trim().is_empty())
        .collect();
    c.notes = notes.join("\n\n");
    c.categories = card
        .props("CATEGORIES")
        .flat_map(|p| text_list(&raw(p)))
        .collect();
    normalize_categories(&mut c.categories);
    if let Some(full) = card.prop("FN").map(text).map(|f| f.trim().to_owned()) {
        c.display_name = if full == c.shown_name() {
            String::new()
        } else {
            full
        };
    }
    c.validate().map_err(|e| e.to_string())?;
    Ok(c)
}

fn read_phone(c: &mut Contact, tel: &ContentLine) -> Result<(), String> {
    let value = text(tel);
    let number = value
        .trim()
        .strip_prefix("tel:")
        .unwrap_or(value.trim())
        .to_owned();
    if number.is_empty() {
        return Ok(());
    }
    let types = tel.param_list("TYPE");
    let is = |t: &str| types.iter().any(|x| x == t);
    if is("fax") {
        place(
            &mut c.business_fax,
            number,
            "TEL;TYPE=FAX: a second fax number",
        )
    } else if is("cell") || is("mobile") || is("iphone") {
        place(
            &mut c.mobile_phone,
            number,
            "TEL;TYPE=CELL: a second mobile number",
        )
    } else if is("pager") {
        Err("TEL;TYPE=PAGER: Exchange contacts have no pager number here: remove it".into())
    } else if is("home") && !is("work") {
        if !c.home_phones.contains(&number) {
            c.home_phones.push(number);
        }
        Ok(())
    } else {
        if !c.business_phones.contains(&number) {
            c.business_phones.push(number);
        }
        Ok(())
    }
}

fn read_address(c: &mut Contact, adr: &ContentLine) -> Result<(), String> {
    let parts = structured(adr);
    let part = |i: usize| {
        parts
            .get(i)
            .map(|p| p.trim().to_owned())
            .unwrap_or_default()
    };
    let street = [part(0), part(1), part(2)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let address = PostalAddress {
        street,
        city: part(3),
        state: part(4),
        postal_code: part(5),
        country: part(6),
    };
    if address.is_empty() {
        return Ok(());
    }
    let types = adr.param_list("TYPE");
    let is = |t: &str| types.iter().any(|x| x == t);
    let mut slots: Vec<&mut PostalAddress> = Vec::new();
    if is("work") {
        slots.push(&mut c.business_address);
    } else if is("home") {
        slots.push(&mut c.home_address);
    }
    slots.push(&mut c.other_address);
    for slot in slots {
        if slot.is_empty() || *slot == address {
            *slot = address;
            return Ok(());
        }
    }
    Err(
        "ADR: more addresses of one kind than Exchange keeps (business, home, other): \
         remove the extra one"
            .into(),
    )
}

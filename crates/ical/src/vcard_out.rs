//! [`Contact`] -> vCard 3.0 (the version Outlook, Google and Apple all import).
//!
//! Invariant: [`crate::parse_vcards`] reads back the same contact: every field is written, phone
//! and address types are the ones the reader maps back to the same field, and FN is the display
//! name (or the derived name when there is none, which the reader turns back into "none").

use exsync_model::{Contact, PostalAddress};

use crate::line::LineWriter;
use crate::text::escape;

fn address(w: &mut LineWriter, kind: &str, a: &PostalAddress) {
    if a.is_empty() {
        return;
    }
    let parts = [
        "",
        "",
        &a.street,
        &a.city,
        &a.state,
        &a.postal_code,
        &a.country,
    ];
    let value = parts
        .iter()
        .map(|p| escape(p))
        .collect::<Vec<_>>()
        .join(";");
    w.prop("ADR", &[("TYPE", kind)], &value);
}

/// Writes one vCard.
pub(crate) fn write_card(w: &mut LineWriter, uid: &str, c: &Contact) {
    w.begin("VCARD");
    w.prop("VERSION", &[], "3.0");
    if !uid.is_empty() {
        w.text("UID", &[], uid);
    }
    let name = [
        &c.surname,
        &c.given_name,
        &c.middle_name,
        &c.title,
        &c.suffix,
    ]
    .iter()
    .map(|p| escape(p))
    .collect::<Vec<_>>()
    .join(";");
    w.prop("N", &[], &name);
    let full = if c.display_name.is_empty() {
        c.shown_name()
    } else {
        c.display_name.clone()
    };
    w.text("FN", &[], &full);
    if !c.company.is_empty() || !c.department.is_empty() {
        w.prop(
            "ORG",
            &[],
            &format!("{};{}", escape(&c.company), escape(&c.department)),
        );
    }
    if !c.job_title.is_empty() {
        w.text("TITLE", &[], &c.job_title);
    }
    for email in &c.emails {
        w.text("EMAIL", &[("TYPE", "INTERNET")], &email.address);
    }
    for phone in &c.business_phones {
        w.text("TEL", &[("TYPE", "WORK,VOICE")], phone);
    }
    if !c.mobile_phone.is_empty() {
        w.text("TEL", &[("TYPE", "CELL,VOICE")], &c.mobile_phone);
    }
    for phone in &c.home_phones {
        w.text("TEL", &[("TYPE", "HOME,VOICE")], phone);
    }
    if !c.business_fax.is_empty() {
        w.text("TEL", &[("TYPE", "WORK,FAX")], &c.business_fax);
    }
    address(w, "WORK", &c.business_address);
    address(w, "HOME", &c.home_address);
    address(w, "OTHER", &c.other_address);
    if !c.website.is_empty() {
        w.text("URL", &[], &c.website);
    }
    if !c.notes.is_empty() {
        w.text("NOTE", &[], &c.notes);
    }
    if !c.categories.is_empty() {
        let list: Vec<String> = c.categories.iter().map(|x| escape(x)).collect();
        w.prop("CATEGORIES", &[], &list.join(","));
    }
    w.end("VCARD");
}

//! vCard fixtures in the styles of Outlook (2.1, Windows-1252, quoted-printable), Google
//! (3.0) and Apple (4.0): what they import as, what is rejected, and that write -> parse gives
//! identical contacts.

mod common;

use common::fixture;
use exsync_ical::{ParsedContacts, parse_vcards, parse_vcards_bytes, write_vcards};
use exsync_model::{Contact, EmailAddress, PostalAddress};

fn read(name: &str) -> ParsedContacts {
    parse_vcards_bytes(&fixture(name)).expect("a vCard file")
}

fn round_trip(parsed: &ParsedContacts) -> ParsedContacts {
    let contacts: Vec<_> = parsed
        .contacts
        .iter()
        .map(|c| (c.uid.as_str(), &c.contact))
        .collect();
    let text = write_vcards(&contacts);
    for line in text.trim_end_matches("\r\n").split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    parse_vcards(&text).expect("our own output is vCard")
}

fn address(street: &str, city: &str, state: &str, code: &str, country: &str) -> PostalAddress {
    PostalAddress {
        street: street.into(),
        city: city.into(),
        state: state.into(),
        postal_code: code.into(),
        country: country.into(),
    }
}

#[test]
fn outlook_2_1_with_windows_1252_and_quoted_printable() {
    let parsed = read("outlook-2.1.vcf");
    assert_eq!(parsed.contacts.len(), 1);
    let expected = Contact {
        title: "Dr.".into(),
        given_name: "Jürgen".into(),
        surname: "Müller".into(),
        display_name: "Dr. Jürgen Müller".into(),
        company: "Müller & Söhne GmbH".into(),
        department: "Vertrieb".into(),
        job_title: "Geschäftsführer".into(),
        emails: vec![
            EmailAddress::new("juergen.mueller@mueller-soehne.example", ""),
            EmailAddress::new("j.mueller@example.org", ""),
        ],
        business_phones: vec!["+49 89 1234567".into(), "+49 89 1234568".into()],
        mobile_phone: "+49 171 2345678".into(),
        home_phones: vec!["+49 89 7654321".into()],
        business_fax: "+49 89 1234569".into(),
        business_address: address(
            "Leopoldstraße 12\n2. OG",
            "München",
            "Bayern",
            "80802",
            "Deutschland",
        ),
        home_address: address("Am Hang 3", "Starnberg", "", "82319", "Deutschland"),
        website: "https://www.mueller-soehne.example".into(),
        notes: "Kunde seit 2009.\nAnsprechpartner für Rahmenverträge; bitte vorher anrufen.".into(),
        categories: vec!["Kunde".into(), "VIP".into()],
        ..Contact::default()
    };
    assert_eq!(parsed.contacts[0].contact, expected);
    // The second card has four e-mail addresses: rejected, naming EMAIL (no UID in 2.1).
    assert_eq!(parsed.rejected.len(), 1);
    assert_eq!(parsed.rejected[0].uid, "");
    assert!(
        parsed.rejected[0].reason.starts_with("EMAIL: 4 addresses"),
        "{}",
        parsed.rejected[0].reason
    );
    assert_eq!(round_trip(&parsed).contacts, parsed.contacts);
}

#[test]
fn google_3_0() {
    let parsed = read("google-3.0.vcf");
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let eva = &parsed.contacts[0].contact;
    // FN is just the name: Exchange derives it, so it is not stored.
    assert_eq!(
        (
            eva.given_name.as_str(),
            eva.surname.as_str(),
            eva.display_name.as_str()
        ),
        ("Eva", "Huber", "")
    );
    assert_eq!(eva.emails.len(), 2);
    assert_eq!(
        (eva.mobile_phone.as_str(), eva.business_phones.clone()),
        ("+49 170 1112223", vec!["+49 30 555123".to_owned()])
    );
    assert_eq!(
        eva.business_address,
        address("Unter den Linden 5", "Berlin", "", "10117", "Deutschland")
    );
    assert_eq!(eva.website, "https://beispiel.example");
    assert_eq!(
        (eva.company.as_str(), eva.job_title.as_str()),
        ("Beispiel AG", "Einkauf")
    );
    assert!(
        eva.notes
            .starts_with("Mag keine Anrufe vor 10 Uhr, lieber E-Mail. Zuständig")
    );
    assert!(
        eva.notes
            .ends_with("– bei Rückfragen bitte an die Zentrale wenden.")
    );
    assert_eq!(eva.categories, ["myContacts", "Lieferant"]);
    let office = &parsed.contacts[1].contact;
    assert_eq!(
        (office.company.as_str(), office.department.as_str()),
        ("Beispiel AG", "Zentrale")
    );
    assert_eq!(office.display_name, "Beispiel AG Zentrale");
    assert_eq!(office.business_fax, "+49 30 555999");
    assert_eq!(round_trip(&parsed).contacts, parsed.contacts);
}

#[test]
fn apple_4_0() {
    let parsed = read("apple-4.0.vcf");
    assert_eq!(parsed.contacts.len(), 1);
    let imported = &parsed.contacts[0];
    assert_eq!(
        imported.uid,
        "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    );
    let anna = &imported.contact;
    assert_eq!(
        (anna.given_name.as_str(), anna.title.as_str()),
        ("Anna Lena", "Prof. Dr.")
    );
    assert_eq!(anna.display_name, "Prof. Dr. Anna-Lena Schmidt");
    assert_eq!(anna.department, "Institut für Informatik, Lehrstuhl 3");
    assert_eq!(anna.business_phones, ["+49-621-1234-0"]);
    assert_eq!(anna.mobile_phone, "+49-160-9876543");
    assert_eq!(anna.home_phones, ["+49-621-555"]);
    assert_eq!(
        anna.business_address,
        address("Schloss 1", "Mannheim", "BW", "68131", "Germany")
    );
    assert_eq!(
        anna.home_address,
        address("Gartenweg 2", "Heidelberg", "", "69117", "Germany")
    );
    assert_eq!(
        anna.other_address,
        address("Postfach 12 34", "Mannheim", "", "68001", "Germany")
    );
    assert_eq!(anna.notes, "Sprechstunde: Di 10-12\nRaum A 101");
    // The second card has a pager number, which has no place in an Exchange contact here.
    assert_eq!(parsed.rejected.len(), 1);
    assert_eq!(
        parsed.rejected[0].uid,
        "urn:uuid:9a3e2b1c-7d6f-4e5a-8b9c-0d1e2f3a4b5c"
    );
    assert!(parsed.rejected[0].reason.contains("PAGER"));
    assert_eq!(round_trip(&parsed).contacts, parsed.contacts);
}

#[test]
fn contacts_with_every_field_and_awkward_text_round_trip() {
    let contact = Contact {
        title: "Mag.".into(),
        given_name: "Zoë".into(),
        middle_name: "Maria".into(),
        surname: "O'Neil; Gräfin, von".into(),
        suffix: "jun.".into(),
        display_name: String::new(),
        company: "Ä\\B, C; D".into(),
        department: "Forschung, Entwicklung".into(),
        job_title: "Leitung".into(),
        emails: vec![
            EmailAddress::new("z@example.com", ""),
            EmailAddress::new("zoe@example.org", ""),
        ],
        business_phones: vec!["+43 1 234".into()],
        mobile_phone: "+43 664 1".into(),
        home_phones: vec!["+43 1 999".into(), "+43 1 998".into()],
        business_fax: "+43 1 235".into(),
        business_address: address("Ring 1\nStiege 2", "Wien", "W", "1010", "Österreich"),
        home_address: PostalAddress::default(),
        other_address: address("Postfach 7", "Graz", "", "8010", "AT"),
        website: "https://example.com/a;b,c".into(),
        notes: "Zeile 1\nZeile 2, mit Komma; und Semikolon \\ und Backslash. ".repeat(4),
        categories: vec!["A, B".into(), "C".into()],
    };
    let text = write_vcards(&[("uid-1", &contact)]);
    let parsed = parse_vcards(&text).expect("vCard");
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(parsed.contacts[0].uid, "uid-1");
    assert_eq!(parsed.contacts[0].contact, contact);
    assert!(parse_vcards("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").is_err());
}

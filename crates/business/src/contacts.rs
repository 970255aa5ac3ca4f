//! The company address book (`exsync_contacts`): upsert, read one, list all, delete. Contacts
//! belong to no user: exsync exports every contact into each enabled user's mailbox.
//!
//! Invariant: a contact is read only when Exchange can store it ([`Contact::validate`]: a name,
//! company or e-mail address, at most three addresses); otherwise its row is a
//! [`crate::RowError`].

use exsync_model::{BusinessId, Contact, EmailAddress, PostalAddress};

use crate::columns::{join_list, split_categories, split_list};
use crate::db::{BusinessDb, Origin, Tx};
use crate::error::{BusinessError, Problem, RowError};
use crate::items::ItemResult;
use crate::sql::{Param, Row};
use crate::tables::CONTACTS;

macro_rules! contact_columns {
    () => {
        "id, title, given_name, middle_name, surname, suffix, display_name, company, department, \
         job_title, email1_address, email1_name, email2_address, email2_name, email3_address, \
         email3_name, business_phones, mobile_phone, home_phones, business_fax, \
         business_street, business_city, business_state, business_postal_code, business_country, \
         home_street, home_city, home_state, home_postal_code, home_country, \
         other_street, other_city, other_state, other_postal_code, other_country, \
         website, notes, categories"
    };
}

const UPSERT_CONTACT: &str = concat!(
    "INSERT INTO exsync_contacts (",
    contact_columns!(),
    ", updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
     $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, \
     $34, $35, $36, $37, $38, CURRENT_TIMESTAMP) \
     ON CONFLICT (id) DO UPDATE SET title = excluded.title, given_name = excluded.given_name, \
     middle_name = excluded.middle_name, surname = excluded.surname, suffix = excluded.suffix, \
     display_name = excluded.display_name, company = excluded.company, \
     department = excluded.department, job_title = excluded.job_title, \
     email1_address = excluded.email1_address, email1_name = excluded.email1_name, \
     email2_address = excluded.email2_address, email2_name = excluded.email2_name, \
     email3_address = excluded.email3_address, email3_name = excluded.email3_name, \
     business_phones = excluded.business_phones, mobile_phone = excluded.mobile_phone, \
     home_phones = excluded.home_phones, business_fax = excluded.business_fax, \
     business_street = excluded.business_street, business_city = excluded.business_city, \
     business_state = excluded.business_state, \
     business_postal_code = excluded.business_postal_code, \
     business_country = excluded.business_country, home_street = excluded.home_street, \
     home_city = excluded.home_city, home_state = excluded.home_state, \
     home_postal_code = excluded.home_postal_code, home_country = excluded.home_country, \
     other_street = excluded.other_street, other_city = excluded.other_city, \
     other_state = excluded.other_state, other_postal_code = excluded.other_postal_code, \
     other_country = excluded.other_country, website = excluded.website, \
     notes = excluded.notes, categories = excluded.categories, updated_at = excluded.updated_at"
);

const EMAIL_COLUMNS: [(&str, &str); 3] = [
    ("email1_address", "email1_name"),
    ("email2_address", "email2_name"),
    ("email3_address", "email3_name"),
];

const ADDRESS_COLUMNS: [[&str; 5]; 3] = [
    [
        "business_street",
        "business_city",
        "business_state",
        "business_postal_code",
        "business_country",
    ],
    [
        "home_street",
        "home_city",
        "home_state",
        "home_postal_code",
        "home_country",
    ],
    [
        "other_street",
        "other_city",
        "other_state",
        "other_postal_code",
        "other_country",
    ],
];

fn address(row: &Row, columns: [&'static str; 5]) -> Result<PostalAddress, Problem> {
    let [street, city, state, postal_code, country] = columns;
    Ok(PostalAddress {
        street: row.string(street)?,
        city: row.string(city)?,
        state: row.string(state)?,
        postal_code: row.string(postal_code)?,
        country: row.string(country)?,
    })
}

fn fields(row: &Row) -> Result<Contact, Problem> {
    let mut emails = Vec::new();
    for (address_column, name_column) in EMAIL_COLUMNS {
        let name = row.filled(name_column)?;
        match row.filled(address_column)? {
            Some(address) => emails.push(EmailAddress::new(address, name.unwrap_or_default())),
            None if name.is_some() => {
                return Err(Problem::at(
                    address_column,
                    format!("is empty while {name_column} is set"),
                    format!("fill {address_column} or clear {name_column}"),
                ));
            }
            None => {}
        }
    }
    let [business, home, other] = ADDRESS_COLUMNS;
    Ok(Contact {
        title: row.string("title")?,
        given_name: row.string("given_name")?,
        middle_name: row.string("middle_name")?,
        surname: row.string("surname")?,
        suffix: row.string("suffix")?,
        display_name: row.string("display_name")?,
        company: row.string("company")?,
        department: row.string("department")?,
        job_title: row.string("job_title")?,
        emails,
        business_phones: split_list(&row.string("business_phones")?),
        mobile_phone: row.string("mobile_phone")?,
        home_phones: split_list(&row.string("home_phones")?),
        business_fax: row.string("business_fax")?,
        business_address: address(row, business)?,
        home_address: address(row, home)?,
        other_address: address(row, other)?,
        website: row.string("website")?,
        notes: row.string("notes")?,
        categories: split_categories(&row.string("categories")?),
    })
}

fn decode_contact(row: &Row) -> Result<(BusinessId, Contact), RowError> {
    let id = row.string("id").unwrap_or_default();
    let contact = fields(row).map_err(|problem| problem.in_row(CONTACTS, &id))?;
    contact.validate().map_err(|invalid| {
        Problem::whole(
            invalid.to_string(),
            "fill given_name, surname, display_name, company or email1_address",
        )
        .in_row(CONTACTS, &id)
    })?;
    Ok((BusinessId(id), contact))
}

fn contact_params(id: &str, c: &Contact) -> Vec<Param> {
    let mut params = vec![Param::text(id)];
    params.extend(
        [
            &c.title,
            &c.given_name,
            &c.middle_name,
            &c.surname,
            &c.suffix,
            &c.display_name,
            &c.company,
            &c.department,
            &c.job_title,
        ]
        .map(|text| Param::text(text.as_str())),
    );
    for index in 0..EMAIL_COLUMNS.len() {
        let email = c.emails.get(index);
        params.push(Param::Text(email.map(|e| e.address.clone())));
        params.push(Param::Text(email.map(|e| e.name.clone())));
    }
    params.extend([
        Param::text(join_list(&c.business_phones)),
        Param::text(c.mobile_phone.as_str()),
        Param::text(join_list(&c.home_phones)),
        Param::text(c.business_fax.as_str()),
    ]);
    for address in [&c.business_address, &c.home_address, &c.other_address] {
        params.extend(
            [
                &address.street,
                &address.city,
                &address.state,
                &address.postal_code,
                &address.country,
            ]
            .map(|text| Param::text(text.as_str())),
        );
    }
    params.extend([
        Param::text(c.website.as_str()),
        Param::text(c.notes.as_str()),
        Param::text(join_list(&c.categories)),
    ]);
    params
}

/// Refuses a contact Exchange cannot store, naming it.
pub(crate) fn check_writable(id: &str, contact: &Contact) -> Result<(), RowError> {
    contact.validate().map_err(|invalid| {
        Problem::whole(invalid.to_string(), "correct the contact before writing it")
            .in_row(CONTACTS, id)
    })
}

/// Writes a contact that passed `check_writable` inside `tx`.
pub(crate) async fn write_contact(
    tx: &mut Tx,
    id: &BusinessId,
    contact: &Contact,
) -> Result<(), BusinessError> {
    tx.execute(UPSERT_CONTACT, contact_params(id.as_str(), contact))
        .await
        .map_err(BusinessError::db("writing a contact"))?;
    Ok(())
}

impl BusinessDb {
    /// Creates or replaces contact `id`; refuses what Exchange cannot store
    /// ([`Contact::validate`]).
    pub async fn upsert_contact(
        &self,
        id: &BusinessId,
        contact: &Contact,
        origin: Origin,
    ) -> Result<(), BusinessError> {
        check_writable(id.as_str(), contact)?;
        let mut write = self.begin_write(origin).await?;
        write_contact(write.tx(), id, contact).await?;
        write.commit().await
    }

    /// Contact `id`, or `None`; a malformed row is [`BusinessError::Item`].
    pub async fn get_contact(&self, id: &BusinessId) -> Result<Option<Contact>, BusinessError> {
        let mut tx = self.begin_read().await?;
        let rows = tx
            .fetch(
                concat!(
                    "SELECT ",
                    contact_columns!(),
                    " FROM exsync_contacts WHERE id = $1"
                ),
                vec![Param::text(id.as_str())],
            )
            .await
            .map_err(BusinessError::db("reading a contact"))?;
        match rows.first() {
            Some(row) => Ok(Some(decode_contact(row)?.1)),
            None => Ok(None),
        }
    }

    /// Every contact, each an item or the error naming what to fix.
    pub async fn list_contacts(&self) -> Result<Vec<ItemResult<Contact>>, BusinessError> {
        let mut tx = self.begin_read().await?;
        let rows = tx
            .fetch(
                concat!(
                    "SELECT ",
                    contact_columns!(),
                    " FROM exsync_contacts ORDER BY id"
                ),
                Vec::new(),
            )
            .await
            .map_err(BusinessError::db("listing contacts"))?;
        Ok(rows.iter().map(decode_contact).collect())
    }

    /// Deletes contact `id`; `false` when there was none.
    pub async fn delete_contact(
        &self,
        id: &BusinessId,
        origin: Origin,
    ) -> Result<bool, BusinessError> {
        self.delete_row(
            "DELETE FROM exsync_contacts WHERE id = $1",
            id,
            origin,
            "deleting a contact",
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_match_the_column_list() {
        let columns = contact_columns!().split(',').count();
        assert_eq!(contact_params("C-1", &Contact::default()).len(), columns);
        assert_eq!(UPSERT_CONTACT.matches('$').count(), columns);
    }
}

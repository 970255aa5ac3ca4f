//! Contacts: folders, contact CRUD, delta and the permission check.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Env, error_code, start};

pub fn full_contact() -> Value {
    json!({
        "givenName": "Pavel", "middleName": "J.", "surname": "Bansky", "title": "Dr.",
        "companyName": "Fabrikam", "department": "Sales", "jobTitle": "Buyer",
        "emailAddresses": [{"address": "pavel@fabrikam.example", "name": "Pavel Bansky"}],
        "businessPhones": ["+49 30 1234"], "mobilePhone": "+49 170 1234", "homePhones": [],
        "businessAddress": {"street": "Main St 1", "city": "Berlin", "state": "BE",
                            "postalCode": "10115", "countryOrRegion": "Germany"},
        "birthday": "1980-05-01T00:00:00Z", "categories": ["Kunde"],
    })
}

pub async fn new_folder(env: &Env, token: &str, user: &str, name: &str) -> (StatusCode, Value) {
    let (status, _, body) = env
        .graph(
            Method::POST,
            &format!("/users/{user}/contactFolders"),
            token,
            &[],
            Some(&json!({"displayName": name})),
        )
        .await;
    (status, body)
}

#[tokio::test]
async fn folders_and_contacts_round_trip() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let (status, folder) = new_folder(&env, &token, &user, "CRM").await;
    assert_eq!(status, StatusCode::CREATED, "{folder}");
    assert_eq!(folder["displayName"], "CRM");
    let (status, body) = new_folder(&env, &token, &user, "crm").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_code(&body), "ErrorFolderExists");
    let (_, _, listed) = env
        .graph(
            Method::GET,
            &format!("/users/{user}/contactFolders"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(listed["value"].as_array().expect("value").len(), 1);
    assert_eq!(listed["value"][0]["id"], folder["id"]);

    let folder_id = folder["id"].as_str().expect("id");
    let contacts = format!("/users/{user}/contactFolders/{folder_id}/contacts");
    let (status, _, created) = env
        .graph(Method::POST, &contacts, &token, &[], Some(&full_contact()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["displayName"], "Pavel Bansky");
    assert_eq!(created["parentFolderId"], folder["id"]);
    assert_eq!(created["businessAddress"]["city"], "Berlin");
    assert_eq!(created["homeAddress"], json!({}));
    let id = created["id"].as_str().expect("id");
    let one = format!("{contacts}/{id}");
    let patch = json!({"jobTitle": "Head of Buying", "emailAddresses": []});
    let (status, _, changed) = env
        .graph(Method::PATCH, &one, &token, &[], Some(&patch))
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["jobTitle"], "Head of Buying");
    assert_eq!(changed["emailAddresses"], json!([]));
    assert_eq!(changed["surname"], "Bansky");
    assert_ne!(changed["changeKey"], created["changeKey"]);

    let four = json!({"emailAddresses": [{"address": "a@x"}, {"address": "b@x"}, {"address": "c@x"}, {"address": "d@x"}]});
    let (status, _, _) = env
        .graph(Method::PATCH, &one, &token, &[], Some(&four))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, _, _) = env.graph(Method::DELETE, &one, &token, &[], None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = env.graph(Method::GET, &one, &token, &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // An item of one folder is not found through another.
    let (_, other) = new_folder(&env, &token, &user, "Other").await;
    let (_, _, c) = env
        .graph(
            Method::POST,
            &contacts,
            &token,
            &[],
            Some(&json!({"givenName": "Ann"})),
        )
        .await;
    let wrong = format!(
        "/users/{user}/contactFolders/{}/contacts/{}",
        other["id"].as_str().expect("id"),
        c["id"].as_str().expect("id")
    );
    let (status, _, _) = env.graph(Method::GET, &wrong, &token, &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn contact_delta_reports_changes_and_removals() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let (_, folder) = new_folder(&env, &token, &user, "CRM").await;
    let contacts = format!(
        "/users/{user}/contactFolders/{}/contacts",
        folder["id"].as_str().expect("id")
    );
    let (_, _, a) = env
        .graph(
            Method::POST,
            &contacts,
            &token,
            &[],
            Some(&json!({"givenName": "A"})),
        )
        .await;
    let (status, _, first) = env
        .graph(
            Method::GET,
            &format!("{contacts}/delta()"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["value"].as_array().expect("value").len(), 1);
    assert!(
        first["@odata.context"]
            .as_str()
            .expect("ctx")
            .ends_with("Collection(contact)")
    );
    let base = env.emu.graph_url();
    let delta = first["@odata.deltaLink"].as_str().expect("deltaLink");
    let delta = delta.strip_prefix(&base).expect("own").to_owned();
    let (_, _, b) = env
        .graph(
            Method::POST,
            &contacts,
            &token,
            &[],
            Some(&json!({"givenName": "B"})),
        )
        .await;
    let a_id = a["id"].as_str().expect("id");
    env.graph(
        Method::DELETE,
        &format!("{contacts}/{a_id}"),
        &token,
        &[],
        None,
    )
    .await;
    let (_, _, changes) = env.graph(Method::GET, &delta, &token, &[], None).await;
    let mut created = b.clone();
    created
        .as_object_mut()
        .expect("object")
        .remove("@odata.context");
    let removed = json!({"id": a_id, "@removed": {"reason": "deleted"}});
    assert_eq!(changes["value"], json!([created, removed]));
    // A token that was never issued answers 410.
    let (status, _, _) = env
        .graph(
            Method::GET,
            &format!(
                "/users/{user}/contactFolders/{}/contacts/delta?$deltatoken=bm9wZQ",
                folder["id"].as_str().expect("id")
            ),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::GONE);
}

#[tokio::test]
async fn contacts_need_the_contacts_permission() {
    let env = start().await;
    let user = env.mailbox(0);
    env.emu.set_permissions(
        &env.emu.client_id(),
        &["Calendars.ReadWrite", "Tasks.ReadWrite.All"],
    );
    let token = env.token().await;
    let (status, _, body) = env
        .graph(
            Method::GET,
            &format!("/users/{user}/contactFolders"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "ErrorAccessDenied");
    let (status, _) = new_folder(&env, &token, &user, "CRM").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

const BUSINESS_ID: &str = "String {a42cbdf3-bae0-4cee-a2fb-99aa72ae86b8} Name exsync.businessId";
const BUSINESS_FAX: &str = "String 0x3A24";

fn both_properties() -> String {
    format!(
        "$expand=singleValueExtendedProperties($filter=id eq '{BUSINESS_ID}' or id eq '{BUSINESS_FAX}')"
    )
}

fn stamped(given_name: &str, business_id: &str) -> Value {
    json!({"givenName": given_name,
        "singleValueExtendedProperties": [{"id": BUSINESS_ID, "value": business_id}]})
}

#[tokio::test]
async fn contacts_carry_single_value_extended_properties() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let (_, folder) = new_folder(&env, &token, &user, "CRM").await;
    let contacts = format!(
        "/users/{user}/contactFolders/{}/contacts",
        folder["id"].as_str().expect("id")
    );
    let (status, _, c1) = env
        .graph(
            Method::POST,
            &contacts,
            &token,
            &[],
            Some(&stamped("A", "C-1")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c1}");
    assert!(c1.get("singleValueExtendedProperties").is_none(), "{c1}");
    assert_eq!(c1["displayName"], "A");
    env.graph(
        Method::POST,
        &contacts,
        &token,
        &[],
        Some(&stamped("B", "C-2")),
    )
    .await;
    let one = format!("{contacts}/{}", c1["id"].as_str().expect("id"));

    let (_, _, plain) = env.graph(Method::GET, &one, &token, &[], None).await;
    assert!(plain.get("singleValueExtendedProperties").is_none());
    let expanded = format!("{one}?{}", both_properties());
    let (status, _, read) = env.graph(Method::GET, &expanded, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(
        read["singleValueExtendedProperties"],
        json!([{"id": BUSINESS_ID, "value": "C-1"}])
    );

    // PATCH adds the fax beside the business id; both come back with the `or` expansion.
    let patch = json!({"singleValueExtendedProperties": [{"id": BUSINESS_FAX, "value": "+49 30 99"}],
        "jobTitle": "Buyer"});
    let (status, _, changed) = env
        .graph(Method::PATCH, &one, &token, &[], Some(&patch))
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["jobTitle"], "Buyer");
    let (_, _, read) = env.graph(Method::GET, &expanded, &token, &[], None).await;
    assert_eq!(
        read["singleValueExtendedProperties"],
        json!([{"id": BUSINESS_ID, "value": "C-1"}, {"id": BUSINESS_FAX, "value": "+49 30 99"}])
    );

    // The list finds a contact by its business id.
    let filter = format!(
        "$filter=singleValueExtendedProperties/Any(ep: ep/id eq '{BUSINESS_ID}' and ep/value eq 'C-2')"
    );
    let (status, _, found) = env
        .graph(
            Method::GET,
            &format!("{contacts}?{filter}"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let value = found["value"].as_array().expect("value");
    assert_eq!(value.len(), 1);
    assert_eq!(value[0]["givenName"], "B");
    assert!(value[0].get("singleValueExtendedProperties").is_none());
    let (_, _, listed) = env
        .graph(
            Method::GET,
            &format!("{contacts}?{}", both_properties()),
            &token,
            &[],
            None,
        )
        .await;
    let value = listed["value"].as_array().expect("value");
    assert_eq!(value[1]["singleValueExtendedProperties"][0]["value"], "C-2");

    // Malformed properties and unknown expansions answer 400.
    let bad = json!({"givenName": "X", "singleValueExtendedProperties": [{"id": "exsync", "value": "v"}]});
    let (status, _, _) = env
        .graph(Method::POST, &contacts, &token, &[], Some(&bad))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = env
        .graph(
            Method::GET,
            &format!("{one}?$expand=photo"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A deleted contact is no longer found by its property.
    env.graph(Method::DELETE, &one, &token, &[], None).await;
    let c1_filter = filter.replace("C-2", "C-1");
    let (_, _, found) = env
        .graph(
            Method::GET,
            &format!("{contacts}?{c1_filter}"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(found["value"], json!([]));
}

#[tokio::test]
async fn contacts_are_addressed_by_id_in_any_folder() {
    let env = start().await;
    let token = env.token().await;
    let user = env.mailbox(0);
    let (_, folder) = new_folder(&env, &token, &user, "CRM").await;
    let folder_id = folder["id"].as_str().expect("id");
    let contacts = format!("/users/{user}/contactFolders/{folder_id}/contacts");
    let (_, _, created) = env
        .graph(
            Method::POST,
            &contacts,
            &token,
            &[],
            Some(&stamped("A", "C-1")),
        )
        .await;
    let direct = format!(
        "/users/{user}/contacts/{}",
        created["id"].as_str().expect("id")
    );
    let (status, _, read) = env.graph(Method::GET, &direct, &token, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["parentFolderId"], folder_id);
    let (_, _, read) = env
        .graph(
            Method::GET,
            &format!("{direct}?{}", both_properties()),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(read["singleValueExtendedProperties"][0]["value"], "C-1");
    let (status, _, changed) = env
        .graph(
            Method::PATCH,
            &direct,
            &token,
            &[],
            Some(&json!({"surname": "Z"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["surname"], "Z");
    assert_eq!(changed["parentFolderId"], folder_id);
    let (status, _, _) = env.graph(Method::DELETE, &direct, &token, &[], None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, body) = env.graph(Method::GET, &direct, &token, &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&body), "ErrorItemNotFound");
    let (status, _, _) = env
        .graph(
            Method::GET,
            &format!("/users/{user}/contacts/not-an-id!"),
            &token,
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // `/contacts` itself is the root folder's collection.
    let root = format!("/users/{user}/contacts");
    let (status, _, in_root) = env
        .graph(
            Method::POST,
            &root,
            &token,
            &[],
            Some(&json!({"givenName": "R"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{in_root}");
    assert_ne!(in_root["parentFolderId"], folder_id);
    let (_, _, listed) = env.graph(Method::GET, &root, &token, &[], None).await;
    let names: Vec<&str> = listed["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|c| c["givenName"].as_str().expect("givenName"))
        .collect();
    assert_eq!(names, ["R"]);
}

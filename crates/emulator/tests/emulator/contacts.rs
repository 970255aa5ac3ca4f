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

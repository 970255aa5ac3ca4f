//! EWS scenarios on tasks and contacts: CreateItem, GetItem, UpdateItem, DeleteItem, FindItem
//! and SyncFolderItems on the `tasks` and `contacts` folders, and the one store behind both
//! protocols (an EWS task is in Graph's default To Do list, a Graph contact in EWS FindItem).

use serde_json::Value;

use crate::common::{Answer, Env};

const TASKS: &str = "<t:DistinguishedFolderId Id=\"tasks\"/>";
const CONTACTS: &str = "<t:DistinguishedFolderId Id=\"contacts\"/>";

fn create(folder: &str, item: &str) -> String {
    format!(
        "<m:CreateItem MessageDisposition=\"SaveOnly\"><m:SavedItemFolderId>{folder}\
         </m:SavedItemFolderId><m:Items>{item}</m:Items></m:CreateItem>"
    )
}

fn get(id: &str, shape: &str) -> String {
    format!(
        "<m:GetItem><m:ItemShape><t:BaseShape>{shape}</t:BaseShape></m:ItemShape>\
         <m:ItemIds><t:ItemId Id=\"{id}\"/></m:ItemIds></m:GetItem>"
    )
}

fn find(folder: &str, shape: &str) -> String {
    format!(
        "<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>{shape}</t:BaseShape>\
         </m:ItemShape><m:IndexedPageItemView MaxEntriesReturned=\"10\" Offset=\"0\" \
         BasePoint=\"Beginning\"/><m:ParentFolderIds>{folder}</m:ParentFolderIds></m:FindItem>"
    )
}

fn sync(folder: &str, state: &str) -> String {
    let state = if state.is_empty() {
        String::new()
    } else {
        format!("<m:SyncState>{state}</m:SyncState>")
    };
    format!(
        "<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>\
         <m:SyncFolderId>{folder}</m:SyncFolderId>{state}\
         <m:MaxChangesReturned>100</m:MaxChangesReturned></m:SyncFolderItems>"
    )
}

fn update(id: &str, key: &str, updates: &str) -> String {
    format!(
        "<m:UpdateItem ConflictResolution=\"NeverOverwrite\" MessageDisposition=\"SaveOnly\">\
         <m:ItemChanges><t:ItemChange><t:ItemId Id=\"{id}\" ChangeKey=\"{key}\"/>\
         <t:Updates>{updates}</t:Updates></t:ItemChange></m:ItemChanges></m:UpdateItem>"
    )
}

fn delete(id: &str, attrs: &str) -> String {
    format!(
        "<m:DeleteItem DeleteType=\"HardDelete\"{attrs}><m:ItemIds><t:ItemId Id=\"{id}\"/>\
         </m:ItemIds></m:DeleteItem>"
    )
}

fn id_and_key(answer: &Answer) -> (String, String) {
    assert_eq!(answer.codes(), ["NoError"], "{}", answer.text);
    let id = answer.attrs("t:ItemId", "Id").remove(0);
    let key = answer.attrs("t:ItemId", "ChangeKey").remove(0);
    (id, key)
}

async fn default_list(env: &Env, user: &str) -> String {
    let (_, lists) = env.graph(&format!("/users/{user}/todo/lists"), None).await;
    let lists = lists["value"].as_array().cloned().unwrap_or_default();
    let default = lists
        .iter()
        .find(|l| l["wellknownListName"] == "defaultList")
        .expect("default list");
    default["id"].as_str().expect("id").to_owned()
}

async fn graph_tasks(env: &Env, user: &str) -> Vec<Value> {
    let list = default_list(env, user).await;
    let (status, body) = env
        .graph(&format!("/users/{user}/todo/lists/{list}/tasks"), None)
        .await;
    assert!(status.is_success(), "{body}");
    body["value"].as_array().cloned().unwrap_or_default()
}

/// A task created through EWS is in Graph's default To Do list; EWS reads, changes, finds,
/// syncs and deletes it, and Graph's delta sees the deletion.
pub async fn task_lifecycle(env: &Env) {
    let me = env.mailbox(2);
    let task = "<t:Task><t:Subject>Call back</t:Subject>\
        <t:Body BodyType=\"Text\">About the offer</t:Body><t:Importance>High</t:Importance>\
        <t:DueDate>2026-07-15T00:00:00Z</t:DueDate><t:StartDate>2026-07-14T00:00:00Z</t:StartDate>\
        <t:Status>InProgress</t:Status></t:Task>";
    let (id, key) = id_and_key(&env.ews(&me, &create(TASKS, task)).await);
    let tasks = graph_tasks(env, &me).await;
    let seen = tasks
        .iter()
        .find(|t| t["id"] == id.as_str())
        .expect("in To Do");
    assert_eq!(seen["title"], "Call back");
    assert_eq!(seen["importance"], "high");
    assert_eq!(seen["status"], "inProgress");
    assert_eq!(seen["body"]["content"], "About the offer");
    assert_eq!(
        seen["dueDateTime"]["dateTime"],
        "2026-07-15T00:00:00.0000000"
    );

    let all = env.ews(&me, &get(&id, "AllProperties")).await;
    assert_eq!(all.codes(), ["NoError"], "{}", all.text);
    assert!(all.text.contains("<t:Task>"), "{}", all.text);
    assert_eq!(all.first("Subject").as_deref(), Some("Call back"));
    assert_eq!(all.first("Status").as_deref(), Some("InProgress"));
    assert_eq!(
        all.first("DueDate").as_deref(),
        Some("2026-07-15T00:00:00Z")
    );
    assert_eq!(all.first("ItemClass").as_deref(), Some("IPM.Task"));
    let bare = env.ews(&me, &get(&id, "IdOnly")).await;
    assert_eq!(bare.first("Subject"), None);
    let convert = format!(
        "<m:ConvertId DestinationFormat=\"HexEntryId\"><m:SourceIds><t:AlternateId \
         Format=\"EwsId\" Id=\"{id}\" Mailbox=\"{me}\"/></m:SourceIds></m:ConvertId>"
    );
    assert_eq!(env.ews(&me, &convert).await.codes(), ["NoError"]);

    // Complete it and drop the due date, in one write.
    let changes = "<t:SetItemField><t:FieldURI FieldURI=\"task:Status\"/><t:Task>\
        <t:Status>Completed</t:Status></t:Task></t:SetItemField>\
        <t:DeleteItemField><t:FieldURI FieldURI=\"task:DueDate\"/></t:DeleteItemField>";
    let (_, new_key) = id_and_key(&env.ews(&me, &update(&id, &key, changes)).await);
    assert_ne!(new_key, key);
    let stale = env.ews(&me, &update(&id, &key, changes)).await;
    assert_eq!(stale.codes(), ["ErrorIrresolvableConflict"]);
    let tasks = graph_tasks(env, &me).await;
    let seen = tasks
        .iter()
        .find(|t| t["id"] == id.as_str())
        .expect("in To Do");
    assert_eq!(seen["status"], "completed");
    assert!(seen["dueDateTime"].is_null(), "{seen}");
    assert!(seen["completedDateTime"].is_object(), "{seen}");

    let found = env.ews(&me, &find(TASKS, "Default")).await;
    assert_eq!(found.codes(), ["NoError"], "{}", found.text);
    assert_eq!(found.attrs("t:ItemId", "Id"), [id.as_str()]);
    assert_eq!(found.first("IsComplete").as_deref(), Some("true"));

    let first = env.ews(&me, &sync(TASKS, "")).await;
    assert_eq!(first.codes(), ["NoError"], "{}", first.text);
    assert_eq!(first.all("Create").len(), 1, "{}", first.text);
    let state = first.first("SyncState").expect("state");

    let list = default_list(env, &me).await;
    let (_, round) = env
        .graph(&format!("/users/{me}/todo/lists/{list}/tasks/delta"), None)
        .await;
    let delta_link = round["@odata.deltaLink"].as_str().expect("deltaLink");
    let delta_path = delta_link
        .split_once("/v1.0")
        .map(|(_, p)| p.to_owned())
        .expect("path");

    let refused = env.ews(&me, &delete(&id, "")).await;
    assert_eq!(refused.codes(), ["ErrorAffectedTaskOccurrencesRequired"]);
    let deleted = env
        .ews(
            &me,
            &delete(&id, " AffectedTaskOccurrences=\"AllOccurrences\""),
        )
        .await;
    assert_eq!(deleted.codes(), ["NoError"], "{}", deleted.text);
    assert!(
        graph_tasks(env, &me)
            .await
            .iter()
            .all(|t| t["id"] != id.as_str())
    );
    let next = env.ews(&me, &sync(TASKS, &state)).await;
    assert_eq!(next.all("Create").len(), 0, "{}", next.text);
    assert_eq!(next.attrs("t:ItemId", "Id"), [id.as_str()], "{}", next.text);
    assert!(next.text.contains("<t:Delete>"), "{}", next.text);
    let (_, changes) = env.graph(&delta_path, None).await;
    let removed = changes["value"].as_array().cloned().unwrap_or_default();
    assert!(
        removed
            .iter()
            .any(|c| c["id"] == id.as_str() && c["@removed"]["reason"] == "deleted"),
        "{changes}"
    );
    assert_eq!(
        env.ews(&me, &get(&id, "IdOnly")).await.codes(),
        ["ErrorItemNotFound"]
    );
}

/// A contact created through Graph is in EWS FindItem on `contacts`; one created through EWS
/// (Microsoft's CreateItem (contact) example) is in Graph; EWS changes and deletes contacts.
pub async fn contact_lifecycle(env: &Env) {
    let me = env.mailbox(2);
    // Graph shows the root folder's id as the parent of a folder created in it.
    let (_, folder) = env
        .graph(
            &format!("/users/{me}/contactFolders"),
            Some(serde_json::json!({"displayName": "Kunden"})),
        )
        .await;
    let root = folder["parentFolderId"].as_str().expect("root").to_owned();
    let named = folder["id"].as_str().expect("folder id").to_owned();
    let contacts = format!("/users/{me}/contactFolders/{root}/contacts");
    let (_, from_graph) = env
        .graph(
            &contacts,
            Some(serde_json::json!({
                "givenName": "Pavel", "surname": "Bansky",
                "emailAddresses": [{"address": "pavel@fabrikam.example", "name": "Pavel Bansky"}],
                "businessPhones": ["+1 732 555 0102"],
            })),
        )
        .await;
    let graph_id = from_graph["id"].as_str().expect("id").to_owned();
    let found = env.ews(&me, &find(CONTACTS, "AllProperties")).await;
    assert_eq!(found.codes(), ["NoError"], "{}", found.text);
    assert_eq!(found.attrs("t:ItemId", "Id"), [graph_id.as_str()]);
    assert_eq!(found.first("DisplayName").as_deref(), Some("Pavel Bansky"));
    assert!(
        found.text.contains(">pavel@fabrikam.example</t:Entry>"),
        "{}",
        found.text
    );
    assert!(
        found
            .text
            .contains("Key=\"BusinessPhone\">+1 732 555 0102<"),
        "{}",
        found.text
    );

    let contact = "<t:Contact><t:FileAs>SampleContact</t:FileAs><t:GivenName>Tanja</t:GivenName>\
        <t:CompanyName>Blue Yonder Airlines</t:CompanyName><t:EmailAddresses>\
        <t:Entry Key=\"EmailAddress1\">tplate@example.com</t:Entry></t:EmailAddresses>\
        <t:PhysicalAddresses><t:Entry Key=\"Business\"><t:Street>1234 56th Ave</t:Street>\
        <t:City>La Habra</t:City><t:State>CA</t:State><t:CountryOrRegion>USA</t:CountryOrRegion>\
        </t:Entry></t:PhysicalAddresses><t:PhoneNumbers><t:Entry Key=\"BusinessPhone\">4255550199\
        </t:Entry></t:PhoneNumbers><t:JobTitle>Manager</t:JobTitle><t:Surname>Plate</t:Surname>\
        </t:Contact>";
    let (id, key) = id_and_key(&env.ews(&me, &create(CONTACTS, contact)).await);
    let (_, listed) = env.graph(&contacts, None).await;
    let listed = listed["value"].as_array().cloned().unwrap_or_default();
    let seen = listed
        .iter()
        .find(|c| c["id"] == id.as_str())
        .expect("in Graph");
    assert_eq!(seen["displayName"], "Tanja Plate");
    assert_eq!(seen["emailAddresses"][0]["address"], "tplate@example.com");
    assert_eq!(seen["businessAddress"]["city"], "La Habra");
    assert_eq!(seen["jobTitle"], "Manager");

    let changes = "<t:SetItemField><t:IndexedFieldURI FieldURI=\"contacts:PhoneNumber\" \
        FieldIndex=\"MobilePhone\"/><t:Contact><t:PhoneNumbers><t:Entry Key=\"MobilePhone\">\
        +1 425 555 0100</t:Entry></t:PhoneNumbers></t:Contact></t:SetItemField>\
        <t:DeleteItemField><t:IndexedFieldURI FieldURI=\"contacts:EmailAddress\" \
        FieldIndex=\"EmailAddress1\"/></t:DeleteItemField>";
    id_and_key(&env.ews(&me, &update(&id, &key, changes)).await);
    let (_, one) = env.graph(&format!("{contacts}/{id}"), None).await;
    assert_eq!(one["mobilePhone"], "+1 425 555 0100");
    assert_eq!(one["emailAddresses"], serde_json::json!([]));

    let first = env.ews(&me, &sync(CONTACTS, "")).await;
    assert_eq!(first.all("Create").len(), 2, "{}", first.text);
    let state = first.first("SyncState").expect("state");
    let deleted = env.ews(&me, &delete(&graph_id, "")).await;
    assert_eq!(deleted.codes(), ["NoError"], "{}", deleted.text);
    let next = env.ews(&me, &sync(CONTACTS, &state)).await;
    assert_eq!(
        next.attrs("t:ItemId", "Id"),
        [graph_id.as_str()],
        "{}",
        next.text
    );
    let (status, _) = env.graph(&format!("{contacts}/{graph_id}"), None).await;
    assert_eq!(status.as_u16(), 404);

    // A named folder is addressed by the id Graph gives it; a task cannot go there.
    let by_id = format!("<t:FolderId Id=\"{named}\"/>");
    let in_named = env
        .ews(
            &me,
            &create(
                &by_id,
                "<t:Contact><t:GivenName>Nina</t:GivenName></t:Contact>",
            ),
        )
        .await;
    id_and_key(&in_named);
    let wrong = env
        .ews(
            &me,
            &create(&by_id, "<t:Task><t:Subject>x</t:Subject></t:Task>"),
        )
        .await;
    assert_eq!(wrong.codes(), ["ErrorInvalidOperation"]);
    let (_, named_list) = env
        .graph(
            &format!("/users/{me}/contactFolders/{named}/contacts"),
            None,
        )
        .await;
    assert_eq!(named_list["value"][0]["givenName"], "Nina");
}

/// Both scenarios with capture on: every request and response validates against
/// `messages.xsd` (skipped without `EXSYNC_TEST_PYTHON`, like the other schema tests).
#[tokio::test]
async fn task_and_contact_exchanges_validate_against_messages_xsd() {
    let Some(python) = std::env::var_os("EXSYNC_TEST_PYTHON") else {
        println!("skipping EWS schema validation: EXSYNC_TEST_PYTHON not set");
        return;
    };
    let dir = crate::schema::capture_dir("items");
    let env = crate::common::start().await;
    env.emu.capture_ews(Some(dir.clone()));
    task_lifecycle(&env).await;
    contact_lifecycle(&env).await;
    env.emu.capture_ews(None);
    env.emu.stop().await;
    crate::schema::validate_capture(&python, &dir, 36);
}

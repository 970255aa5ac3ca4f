//! FindFolder and CreateFolder: the well-known folders, created folders of each kind, name
//! clashes, traversal depth, paging, and folders that belong to one mailbox.

use crate::common::{Answer, Env};

fn find(traversal: &str, parent: &str, shape: &str, view: &str) -> String {
    format!(
        "<m:FindFolder Traversal=\"{traversal}\"><m:FolderShape><t:BaseShape>{shape}\
         </t:BaseShape></m:FolderShape>{view}<m:ParentFolderIds>{parent}</m:ParentFolderIds>\
         </m:FindFolder>"
    )
}

fn create(parent: &str, folders: &str) -> String {
    format!(
        "<m:CreateFolder><m:ParentFolderId>{parent}</m:ParentFolderId>\
         <m:Folders>{folders}</m:Folders></m:CreateFolder>"
    )
}

fn named(element: &str, name: &str) -> String {
    format!("<t:{element}><t:DisplayName>{name}</t:DisplayName></t:{element}>")
}

fn distinguished(name: &str) -> String {
    format!("<t:DistinguishedFolderId Id=\"{name}\"/>")
}

fn by_id(id: &str) -> String {
    format!("<t:FolderId Id=\"{id}\"/>")
}

fn names(answer: &Answer) -> Vec<String> {
    answer.all("DisplayName")
}

/// The well-known folders, then created ones of every kind, clashes, depth and paging.
pub async fn find_and_create_folders(env: &Env) {
    let me = env.mailbox(1);
    let top = distinguished("msgfolderroot");
    let answer = env
        .ews(&me, &find("Shallow", &top, "AllProperties", ""))
        .await;
    assert_eq!(answer.codes(), ["NoError"], "{}", answer.text);
    assert_eq!(names(&answer), ["Inbox", "Calendar", "Contacts", "Tasks"]);
    assert_eq!(
        answer.all("FolderClass"),
        ["IPF.Note", "IPF.Appointment", "IPF.Contact", "IPF.Task"]
    );
    assert!(answer.text.contains("TotalItemsInView=\"4\""));
    for element in [
        "<t:Folder>",
        "<t:CalendarFolder>",
        "<t:ContactsFolder>",
        "<t:TasksFolder>",
    ] {
        assert!(answer.text.contains(element), "{element}: {}", answer.text);
    }

    // One of each kind; a t:Folder with a calendar class is a calendar folder.
    let classed = "<t:Folder><t:FolderClass>IPF.Appointment</t:FolderClass>\
        <t:DisplayName>Holidays</t:DisplayName></t:Folder>";
    let body = format!(
        "{}{}{}{classed}",
        named("Folder", "Projects"),
        named("CalendarFolder", "Team calendar"),
        named("TasksFolder", "Backlog"),
    );
    let made = env.ews(&me, &create(&top, &body)).await;
    assert_eq!(made.codes(), ["NoError"; 4], "{}", made.text);
    let ids = made.attrs("t:FolderId", "Id");
    assert_eq!(ids.len(), 4);
    assert_eq!(made.text.matches("<t:CalendarFolder>").count(), 2);
    let suppliers = env
        .ews(
            &me,
            &create(
                &distinguished("contacts"),
                &named("ContactsFolder", "Suppliers"),
            ),
        )
        .await;
    assert_eq!(suppliers.codes(), ["NoError"], "{}", suppliers.text);
    // ... which is a Graph contact folder, as a tasks folder under tasks is a To Do list.
    let (_, graph_folders) = env
        .graph(&format!("/users/{me}/contactFolders"), None)
        .await;
    assert_eq!(graph_folders["value"][0]["displayName"], "Suppliers");
    assert_eq!(
        graph_folders["value"][0]["id"].as_str(),
        suppliers
            .attrs("t:FolderId", "Id")
            .first()
            .map(String::as_str)
    );
    let errands = env
        .ews(
            &me,
            &create(&distinguished("tasks"), &named("TasksFolder", "Errands")),
        )
        .await;
    assert_eq!(errands.codes(), ["NoError"], "{}", errands.text);
    let (_, lists) = env.graph(&format!("/users/{me}/todo/lists"), None).await;
    let list_names: Vec<&str> = lists["value"]
        .as_array()
        .map(|v| v.iter().filter_map(|l| l["displayName"].as_str()).collect())
        .unwrap_or_default();
    assert!(list_names.contains(&"Errands"), "{lists}");
    // Names are unique per parent in any letter case, well-known siblings included; the same
    // name under another parent is fine.
    let clash = env
        .ews(
            &me,
            &create(
                &top,
                &format!(
                    "{}{}",
                    named("Folder", "PROJECTS"),
                    named("Folder", "calendar")
                ),
            ),
        )
        .await;
    assert_eq!(clash.codes(), ["ErrorFolderExists", "ErrorFolderExists"]);
    let nested = env
        .ews(&me, &create(&by_id(&ids[0]), &named("Folder", "Projects")))
        .await;
    assert_eq!(nested.codes(), ["NoError"], "{}", nested.text);

    let shallow = env.ews(&me, &find("Shallow", &top, "Default", "")).await;
    assert_eq!(
        names(&shallow),
        [
            "Inbox",
            "Calendar",
            "Contacts",
            "Tasks",
            "Projects",
            "Team calendar",
            "Backlog",
            "Holidays"
        ]
    );
    let deep = env.ews(&me, &find("Deep", &top, "IdOnly", "")).await;
    assert!(
        deep.text.contains("TotalItemsInView=\"11\""),
        "{}",
        deep.text
    );
    let deep_names = env.ews(&me, &find("Deep", &top, "Default", "")).await;
    assert_eq!(
        names(&deep_names),
        [
            "Inbox",
            "Calendar",
            "Contacts",
            "Suppliers",
            "Tasks",
            "Errands",
            "Projects",
            "Projects",
            "Team calendar",
            "Backlog",
            "Holidays"
        ]
    );
    // Projects has one child folder.
    let projects = deep_names.all("ChildFolderCount")[6].clone();
    assert_eq!(projects, "1");

    // A restriction on the name (letter case ignored) finds the folder anywhere below.
    let restrict = |test: &str| format!("<m:Restriction>{test}</m:Restriction>");
    let by_name = restrict(
        "<t:IsEqualTo><t:FieldURI FieldURI=\"folder:DisplayName\"/><t:FieldURIOrConstant>\
         <t:Constant Value=\"team CALENDAR\"/></t:FieldURIOrConstant></t:IsEqualTo>",
    );
    let found = env.ews(&me, &find("Deep", &top, "Default", &by_name)).await;
    assert_eq!(names(&found), ["Team calendar"], "{}", found.text);
    assert_eq!(found.attrs("t:FolderId", "Id"), [ids[1].clone()]);
    let calendars = restrict(
        "<t:Contains ContainmentMode=\"Prefixed\" ContainmentComparison=\"IgnoreCase\">\
         <t:FieldURI FieldURI=\"folder:FolderClass\"/><t:Constant Value=\"IPF.Appointment\"/>\
         </t:Contains>",
    );
    let found = env
        .ews(&me, &find("Deep", &top, "Default", &calendars))
        .await;
    assert_eq!(names(&found), ["Calendar", "Team calendar", "Holidays"]);
    let unsupported = restrict(
        "<t:IsGreaterThan><t:FieldURI FieldURI=\"folder:TotalCount\"/><t:FieldURIOrConstant>\
         <t:Constant Value=\"0\"/></t:FieldURIOrConstant></t:IsGreaterThan>",
    );
    let refused = env
        .ews(&me, &find("Deep", &top, "Default", &unsupported))
        .await;
    assert_eq!(refused.codes(), ["ErrorUnsupportedQueryFilter"]);

    // Paging: two at a time from the start, then the rest.
    let page = |offset: usize| {
        format!(
            "<m:IndexedPageFolderView MaxEntriesReturned=\"2\" Offset=\"{offset}\" \
             BasePoint=\"Beginning\"/>"
        )
    };
    let first = env
        .ews(&me, &find("Shallow", &top, "Default", &page(0)))
        .await;
    assert_eq!(names(&first), ["Inbox", "Calendar"]);
    assert!(first.text.contains("IncludesLastItemInRange=\"false\""));
    assert!(first.text.contains("IndexedPagingOffset=\"2\""));
    let last = env
        .ews(&me, &find("Shallow", &top, "Default", &page(6)))
        .await;
    assert_eq!(names(&last), ["Backlog", "Holidays"]);
    assert!(last.text.contains("IncludesLastItemInRange=\"true\""));

    // A created folder reads back through GetFolder with its parent and class.
    let got = env
        .ews(
            &me,
            &format!(
                "<m:GetFolder><m:FolderShape><t:BaseShape>AllProperties</t:BaseShape>\
                 </m:FolderShape><m:FolderIds>{}</m:FolderIds></m:GetFolder>",
                by_id(&ids[3])
            ),
        )
        .await;
    assert_eq!(got.codes(), ["NoError"], "{}", got.text);
    assert_eq!(got.first("DisplayName").as_deref(), Some("Holidays"));
    assert_eq!(got.first("FolderClass").as_deref(), Some("IPF.Appointment"));
    assert!(got.text.contains("<t:CalendarFolder>"));

    // Another mailbox does not see these folders.
    let other = env.mailbox(2);
    let answer = env
        .ews(&other, &find("Shallow", &by_id(&ids[0]), "IdOnly", ""))
        .await;
    assert_eq!(answer.codes(), ["ErrorFolderNotFound"]);
    let answer = env.ews(&other, &find("Shallow", &top, "Default", "")).await;
    assert_eq!(names(&answer), ["Inbox", "Calendar", "Contacts", "Tasks"]);

    // A created folder can be watched by a pull subscription.
    let watch = format!(
        "<m:Subscribe><m:PullSubscriptionRequest><t:FolderIds>{}</t:FolderIds>\
         <t:EventTypes><t:EventType>CreatedEvent</t:EventType></t:EventTypes>\
         <t:Timeout>5</t:Timeout></m:PullSubscriptionRequest></m:Subscribe>",
        by_id(&ids[1])
    );
    let answer = env.ews(&me, &watch).await;
    assert_eq!(answer.codes(), ["NoError"], "{}", answer.text);
}

/// Errors: unknown parents, missing names, root traversal, SoftDeleted.
pub async fn folder_errors(env: &Env) {
    let me = env.mailbox(1);
    let answer = env
        .ews(
            &me,
            &create(&distinguished("drafts"), &named("Folder", "Nowhere")),
        )
        .await;
    assert_eq!(answer.codes(), ["ErrorFolderNotFound"]);
    let answer = env
        .ews(
            &me,
            &create(
                &distinguished("inbox"),
                "<t:Folder><t:FolderClass>IPF.Note</t:FolderClass></t:Folder>",
            ),
        )
        .await;
    assert_eq!(answer.codes(), ["ErrorFolderSavePropertyError"]);
    // From the root: the top of the information store, and (deep) everything under it.
    let root = distinguished("root");
    let answer = env.ews(&me, &find("Shallow", &root, "Default", "")).await;
    assert_eq!(names(&answer), ["Top of Information Store"]);
    let answer = env.ews(&me, &find("Deep", &root, "Default", "")).await;
    assert!(names(&answer).len() >= 5, "{}", answer.text);
    let answer = env
        .ews(&me, &find("SoftDeleted", &root, "Default", ""))
        .await;
    assert_eq!(answer.codes(), ["NoError"]);
    assert!(names(&answer).is_empty());
    assert!(answer.text.contains("TotalItemsInView=\"0\""));
}

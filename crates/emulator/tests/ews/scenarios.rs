//! The EWS scenarios. Each runs against any emulator started by `common::start` and touches
//! only items it creates, so `schema.rs` can run them all on one emulator with capture on.

use reqwest::StatusCode;

use crate::common::{Env, FOREIGN, envelope};

const CAL: &str = "<t:DistinguishedFolderId Id=\"calendar\"/>";

fn get_folder(id: &str, shape: &str) -> String {
    format!(
        "<m:GetFolder><m:FolderShape><t:BaseShape>{shape}</t:BaseShape></m:FolderShape>\
         <m:FolderIds>{id}</m:FolderIds></m:GetFolder>"
    )
}

fn set_field(item: &str, uri: &str, field: &str, resolution: &str) -> String {
    format!(
        "<m:UpdateItem ConflictResolution=\"{resolution}\" \
         SendMeetingInvitationsOrCancellations=\"SendToNone\"><m:ItemChanges><t:ItemChange>\
         {item}<t:Updates><t:SetItemField><t:FieldURI FieldURI=\"{uri}\"/><t:CalendarItem>\
         {field}</t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges>\
         </m:UpdateItem>"
    )
}

fn delete(item: &str) -> String {
    format!(
        "<m:DeleteItem DeleteType=\"HardDelete\" SendMeetingCancellations=\"SendToNone\">\
         <m:ItemIds>{item}</m:ItemIds></m:DeleteItem>"
    )
}

fn sync(state: Option<&str>, max: usize) -> String {
    let state = state
        .map(|s| format!("<m:SyncState>{s}</m:SyncState>"))
        .unwrap_or_default();
    format!(
        "<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>\
         <m:SyncFolderId>{CAL}</m:SyncFolderId>{state}<m:MaxChangesReturned>{max}\
         </m:MaxChangesReturned></m:SyncFolderItems>"
    )
}

fn timed(subject: &str, start: &str, end: &str) -> String {
    format!("<t:Subject>{subject}</t:Subject><t:Start>{start}</t:Start><t:End>{end}</t:End>")
}

/// Authentication, impersonation and request-level errors.
pub async fn auth_and_faults(env: &Env) {
    let me = env.mailbox(0);
    let url = env.emu.ews_url();
    let body = || envelope(Some(&me), &get_folder(CAL, "IdOnly"));
    assert_eq!(
        env.post(&url, None, body()).await.status,
        StatusCode::UNAUTHORIZED
    );
    let wrong = "Basic c3ZjLWV4c3luY0Bjb250b3NvLmV4YW1wbGU6d3Jvbmc=";
    let answer = env.post(&url, Some(wrong), body()).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(!answer.text.contains(&env.emu.describe().ews_password));
    let graph = format!(
        "Bearer {}",
        env.token("https://graph.microsoft.com/.default").await
    );
    assert_eq!(
        env.post(&url, Some(&graph), body()).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Bearer token for Outlook, any letter case of the path.
    let outlook = format!(
        "Bearer {}",
        env.token("https://outlook.office365.com/.default").await
    );
    let lower = url.replace("/EWS/Exchange.asmx", "/ews/exchange.asmx");
    let answer = env.post(&lower, Some(&outlook), body()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.codes(), ["NoError"]);
    assert!(answer.text.contains("ServerVersionInfo"));
    // An application access policy limits the app's mailboxes.
    let scope = |mailboxes: Option<&[String]>| {
        let mut state = env.emu.store().lock();
        let app = &mut state.org.tenants[0].apps[0];
        app.mailbox_scope = mailboxes.map(|m| m.iter().cloned().collect());
    };
    scope(Some(&[env.mailbox(1)]));
    let answer = env.post(&url, Some(&outlook), body()).await;
    scope(None);
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        answer
            .text
            .contains("a:ErrorImpersonateUserDenied</faultcode>"),
        "{}",
        answer.text
    );
    // An app token needs impersonation.
    let answer = env
        .post(
            &url,
            Some(&outlook),
            envelope(None, &get_folder(CAL, "IdOnly")),
        )
        .await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        answer
            .text
            .contains("ErrorInvalidExchangeImpersonationHeaderData")
    );
    let basic = env.basic();
    let fault = |text: &str, code: &str| {
        assert!(
            text.contains(&format!("a:{code}</faultcode>")),
            "{code}: {text}"
        );
    };
    // The service account has no mailbox of its own.
    let answer = env
        .post(
            &url,
            Some(&basic),
            envelope(None, &get_folder(CAL, "IdOnly")),
        )
        .await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    fault(&answer.text, "ErrorNonExistentMailbox");
    let nobody = envelope(Some("nobody@contoso.example"), &get_folder(CAL, "IdOnly"));
    fault(
        &env.post(&url, Some(&basic), nobody).await.text,
        "ErrorNonExistentMailbox",
    );
    let foreign = envelope(Some(FOREIGN), &get_folder(CAL, "IdOnly"));
    let answer = env.post(&url, Some(&basic), foreign).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    fault(&answer.text, "ErrorImpersonateUserDenied");
    // Requests that break the schema.
    for bad in [
        envelope(Some(&me), "<m:NoSuchOperation/>"),
        envelope(
            Some(&me),
            &format!("<m:GetFolder><m:FolderIds>{CAL}</m:FolderIds></m:GetFolder>"),
        ),
        envelope(Some(&me), &sync(None, 0)),
        envelope(Some(&me), &sync(None, 513)),
        "<not xml".to_owned(),
    ] {
        let answer = env.post(&url, Some(&basic), bad).await;
        assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
        fault(&answer.text, "ErrorSchemaValidation");
    }
    // A real operation the emulator does not serve is not a schema violation.
    let unserved = envelope(Some(&me), "<m:GetServerTimeZones/>");
    let answer = env.post(&url, Some(&basic), unserved).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    fault(&answer.text, "ErrorInvalidOperation");
    let answer = env
        .http
        .get(&url)
        .header("Authorization", &basic)
        .send()
        .await;
    assert_eq!(
        answer.expect("get").status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
}

/// GetFolder on the three served folders, by name and by id; ConvertId on a folder id.
pub async fn folders(env: &Env) {
    let me = env.mailbox(1);
    let ids = format!(
        "{CAL}<t:DistinguishedFolderId Id=\"root\"/>\
         <t:DistinguishedFolderId Id=\"msgfolderroot\"/><t:DistinguishedFolderId Id=\"drafts\"/>"
    );
    let answer = env.ews(&me, &get_folder(&ids, "AllProperties")).await;
    assert_eq!(
        answer.codes(),
        ["NoError", "NoError", "NoError", "ErrorFolderNotFound"]
    );
    assert_eq!(answer.first("DisplayName").as_deref(), Some("Calendar"));
    assert_eq!(
        answer.first("FolderClass").as_deref(),
        Some("IPF.Appointment")
    );
    let calendar = answer.attrs("t:FolderId", "Id").remove(0);
    let by_id = format!("<t:FolderId Id=\"{calendar}\"/>");
    let answer = env.ews(&me, &get_folder(&by_id, "Default")).await;
    assert_eq!(answer.codes(), ["NoError"]);
    assert!(answer.text.contains("<t:CalendarFolder>"));
    // Another mailbox's calendar id is not found in this one.
    let answer = env
        .ews(&env.mailbox(2), &get_folder(&by_id, "IdOnly"))
        .await;
    assert_eq!(answer.codes(), ["ErrorFolderNotFound"]);
    // ConvertId: EwsId -> HexEntryId -> EntryId -> EwsId, and a garbage id.
    let convert = |format: &str, id: &str, to: &str| {
        format!(
            "<m:ConvertId DestinationFormat=\"{to}\"><m:SourceIds><t:AlternateId \
             Format=\"{format}\" Id=\"{id}\" Mailbox=\"{me}\"/></m:SourceIds></m:ConvertId>"
        )
    };
    let mut id = calendar.clone();
    for (from, to) in [
        ("EwsId", "HexEntryId"),
        ("HexEntryId", "EntryId"),
        ("EntryId", "EwsId"),
    ] {
        let answer = env.ews(&me, &convert(from, &id, to)).await;
        assert_eq!(answer.codes(), ["NoError"], "{}", answer.text);
        assert_eq!(answer.attrs("m:AlternateId", "Format"), [to]);
        id = answer.attrs("m:AlternateId", "Id").remove(0);
    }
    assert_eq!(id, calendar);
    let answer = env.ews(&me, &convert("EwsId", "nonsense", "EntryId")).await;
    assert_eq!(answer.codes(), ["ErrorInvalidIdMalformed"]);
}

/// Create, read, update (with change keys) and delete a single item.
pub async fn single_item_lifecycle(env: &Env) {
    let me = env.mailbox(0);
    let fields = "<t:Subject>Board meeting</t:Subject><t:Sensitivity>Private</t:Sensitivity>\
        <t:Body BodyType=\"HTML\">&lt;p&gt;Agenda&lt;/p&gt;</t:Body>\
        <t:Categories><t:String>Red</t:String><t:String>Blue</t:String></t:Categories>\
        <t:Importance>High</t:Importance><t:ReminderIsSet>true</t:ReminderIsSet>\
        <t:ReminderMinutesBeforeStart>30</t:ReminderMinutesBeforeStart>\
        <t:Start>2026-03-10T09:00:00</t:Start><t:End>2026-03-10T10:30:00</t:End>\
        <t:IsAllDayEvent>false</t:IsAllDayEvent>\
        <t:LegacyFreeBusyStatus>Tentative</t:LegacyFreeBusyStatus>\
        <t:Location>Room 1</t:Location>\
        <t:StartTimeZone Id=\"W. Europe Standard Time\"/>\
        <t:EndTimeZone Id=\"W. Europe Standard Time\"/>";
    let (id, key) = env.create(&me, fields).await;
    let got = env.get(&me, &id).await;
    assert_eq!(got.codes(), ["NoError"]);
    assert_eq!(got.first("Subject").as_deref(), Some("Board meeting"));
    assert_eq!(got.first("Start").as_deref(), Some("2026-03-10T08:00:00Z"));
    assert_eq!(got.first("End").as_deref(), Some("2026-03-10T09:30:00Z"));
    assert_eq!(got.all("String"), ["Red", "Blue"]);
    assert_eq!(
        got.first("ReminderMinutesBeforeStart").as_deref(),
        Some("30")
    );
    assert_eq!(
        got.first("LegacyFreeBusyStatus").as_deref(),
        Some("Tentative")
    );
    assert_eq!(got.first("Sensitivity").as_deref(), Some("Private"));
    assert_eq!(got.first("CalendarItemType").as_deref(), Some("Single"));
    assert_eq!(
        got.attrs("t:StartTimeZone", "Id"),
        ["W. Europe Standard Time"]
    );
    assert!(got.text.contains("&lt;p&gt;Agenda&lt;/p&gt;"));
    // IdOnly plus additional properties.
    let shaped = env
        .ews(
            &me,
            &format!(
                "<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>\
                 <t:AdditionalProperties><t:FieldURI FieldURI=\"item:Subject\"/>\
                 <t:ExtendedFieldURI PropertySetId=\"00020329-0000-0000-C000-000000000046\" \
                 PropertyName=\"exsync\" PropertyType=\"String\"/></t:AdditionalProperties>\
                 </m:ItemShape><m:ItemIds><t:ItemId Id=\"{id}\"/></m:ItemIds></m:GetItem>"
            ),
        )
        .await;
    assert_eq!(shaped.first("Subject").as_deref(), Some("Board meeting"));
    assert_eq!(shaped.first("Start"), None);
    // Update with the current change key, then with the stale one.
    let item = format!("<t:ItemId Id=\"{id}\" ChangeKey=\"{key}\"/>");
    let field = "<t:Subject>Board meeting (moved)</t:Subject>";
    let updated = env
        .ews(
            &me,
            &set_field(&item, "item:Subject", field, "NeverOverwrite"),
        )
        .await;
    assert_eq!(updated.codes(), ["NoError"], "{}", updated.text);
    let new_key = updated.attrs("t:ItemId", "ChangeKey").remove(0);
    assert_ne!(new_key, key);
    let stale = env
        .ews(
            &me,
            &set_field(
                &item,
                "item:Subject",
                "<t:Subject>x</t:Subject>",
                "NeverOverwrite",
            ),
        )
        .await;
    assert_eq!(stale.codes(), ["ErrorIrresolvableConflict"]);
    assert_eq!(
        env.get(&me, &id).await.first("Subject").as_deref(),
        Some("Board meeting (moved)")
    );
    let forced = env
        .ews(
            &me,
            &set_field(
                &item,
                "calendar:Location",
                "<t:Location>Room 2</t:Location>",
                "AlwaysOverwrite",
            ),
        )
        .await;
    assert_eq!(forced.codes(), ["NoError"]);
    let unset = format!(
        "<m:UpdateItem ConflictResolution=\"AlwaysOverwrite\" \
         SendMeetingInvitationsOrCancellations=\"SendToNone\"><m:ItemChanges><t:ItemChange>\
         <t:ItemId Id=\"{id}\"/><t:Updates><t:DeleteItemField><t:FieldURI \
         FieldURI=\"calendar:Location\"/></t:DeleteItemField></t:Updates></t:ItemChange>\
         </m:ItemChanges></m:UpdateItem>"
    );
    assert_eq!(env.ews(&me, &unset).await.codes(), ["NoError"]);
    assert_eq!(
        env.get(&me, &id).await.first("Location").as_deref(),
        Some("")
    );
    // Calendar items need SendMeetingInvitations.
    let missing = format!(
        "<m:CreateItem><m:Items><t:CalendarItem>{}</t:CalendarItem></m:Items></m:CreateItem>",
        timed("x", "2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z")
    );
    assert_eq!(
        env.ews(&me, &missing).await.codes(),
        ["ErrorSendMeetingInvitationsRequired"]
    );
    let deleted = env
        .ews(&me, &delete(&format!("<t:ItemId Id=\"{id}\"/>")))
        .await;
    assert_eq!(deleted.codes(), ["NoError"]);
    assert_eq!(env.get(&me, &id).await.codes(), ["ErrorItemNotFound"]);
    assert_eq!(
        env.get(&me, "not-an-id").await.codes(),
        ["ErrorInvalidIdMalformed"]
    );
}

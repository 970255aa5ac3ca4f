//! EWS scenarios on series, paging, SyncFolderItems and the Graph/EWS round trip.

use serde_json::json;

use crate::common::Env;

const CAL: &str = "<t:DistinguishedFolderId Id=\"calendar\"/>";

fn find(view: &str, shape: &str) -> String {
    format!(
        "<m:FindItem Traversal=\"Shallow\"><m:ItemShape><t:BaseShape>{shape}</t:BaseShape>\
         </m:ItemShape>{view}<m:ParentFolderIds>{CAL}</m:ParentFolderIds></m:FindItem>"
    )
}

fn window(start: &str, end: &str, max: usize) -> String {
    format!(
        "<m:CalendarView MaxEntriesReturned=\"{max}\" StartDate=\"{start}\" EndDate=\"{end}\"/>"
    )
}

fn occurrence(master: &str, index: usize) -> String {
    format!("<t:OccurrenceItemId RecurringMasterId=\"{master}\" InstanceIndex=\"{index}\"/>")
}

fn update(item: &str, uri: &str, fields: &str) -> String {
    format!(
        "<m:UpdateItem ConflictResolution=\"AlwaysOverwrite\" \
         SendMeetingInvitationsOrCancellations=\"SendToNone\"><m:ItemChanges><t:ItemChange>\
         {item}<t:Updates><t:SetItemField><t:FieldURI FieldURI=\"{uri}\"/><t:CalendarItem>\
         {fields}</t:CalendarItem></t:SetItemField></t:Updates></t:ItemChange></m:ItemChanges>\
         </m:UpdateItem>"
    )
}

fn delete(item: &str) -> String {
    format!(
        "<m:DeleteItem DeleteType=\"MoveToDeletedItems\" SendMeetingCancellations=\"SendToNone\">\
         <m:ItemIds>{item}</m:ItemIds></m:DeleteItem>"
    )
}

const WEEKLY: &str = "<t:Recurrence><t:WeeklyRecurrence><t:Interval>1</t:Interval>\
    <t:DaysOfWeek>Monday</t:DaysOfWeek></t:WeeklyRecurrence><t:NumberedRecurrence>\
    <t:StartDate>2026-04-06</t:StartDate><t:NumberOfOccurrences>5</t:NumberOfOccurrences>\
    </t:NumberedRecurrence></t:Recurrence>";

/// A weekly series: expansion, one moved and one deleted occurrence, the master's view.
pub async fn series_with_exceptions(env: &Env) {
    let me = env.mailbox(1);
    let fields = format!(
        "<t:Subject>Weekly sync</t:Subject><t:Start>2026-04-06T10:00:00</t:Start>\
         <t:End>2026-04-06T10:30:00</t:End>{WEEKLY}\
         <t:StartTimeZone Id=\"W. Europe Standard Time\"/><t:EndTimeZone Id=\"W. Europe Standard Time\"/>"
    );
    let (master, _) = env.create(&me, &fields).await;
    let range = window("2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z", 100);
    let view = env.ews(&me, &find(&range, "Default")).await;
    assert_eq!(view.codes(), ["NoError"]);
    let starts = view.all("Start");
    assert_eq!(starts.len(), 5, "{}", view.text);
    // 10:00 in Berlin is 08:00Z in summer.
    assert_eq!(starts[0], "2026-04-06T08:00:00Z");
    assert!(
        view.all("CalendarItemType")
            .iter()
            .all(|t| t == "Occurrence")
    );
    // Move the second occurrence and rename it; cancel the third.
    let moved = update(
        &occurrence(&master, 2),
        "calendar:Start",
        "<t:Subject>Moved sync</t:Subject><t:Start>2026-04-14T12:00:00Z</t:Start>\
         <t:End>2026-04-14T12:30:00Z</t:End>",
    );
    assert_eq!(env.ews(&me, &moved).await.codes(), ["NoError"]);
    assert_eq!(
        env.ews(&me, &delete(&occurrence(&master, 3))).await.codes(),
        ["NoError"]
    );
    let view = env.ews(&me, &find(&range, "AllProperties")).await;
    assert_eq!(
        view.all("CalendarItemType"),
        ["Occurrence", "Exception", "Occurrence", "Occurrence"]
    );
    assert!(view.all("Subject").contains(&"Moved sync".to_owned()));
    assert!(
        view.all("Start")
            .contains(&"2026-04-14T12:00:00Z".to_owned())
    );
    assert!(
        !view
            .all("Start")
            .contains(&"2026-04-20T08:00:00Z".to_owned())
    );
    // An occurrence id from the view reads the occurrence.
    let ids = view.attrs("t:ItemId", "Id");
    let got = env.get(&me, &ids[1]).await;
    assert_eq!(got.first("CalendarItemType").as_deref(), Some("Exception"));
    assert_eq!(
        got.first("OriginalStart").as_deref(),
        Some("2026-04-13T08:00:00Z")
    );
    // The master lists its exceptions.
    let got = env.get(&me, &master).await;
    assert_eq!(
        got.first("CalendarItemType").as_deref(),
        Some("RecurringMaster")
    );
    assert_eq!(got.first("NumberOfOccurrences").as_deref(), Some("5"));
    assert!(got.text.contains("<t:ModifiedOccurrences>"), "{}", got.text);
    assert!(
        got.text
            .contains("<t:DeletedOccurrence><t:Start>2026-04-20T08:00:00Z</t:Start>")
    );
    // MaxEntriesReturned cuts the view.
    let small = env
        .ews(
            &me,
            &find(
                &window("2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z", 2),
                "IdOnly",
            ),
        )
        .await;
    assert_eq!(
        small.attrs("m:RootFolder", "IncludesLastItemInRange"),
        ["false"]
    );
    assert_eq!(small.attrs("t:ItemId", "Id").len(), 2);
    // Index out of range.
    let got = env
        .ews(
            &me,
            &format!(
                "<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>\
         <m:ItemIds>{}</m:ItemIds></m:GetItem>",
                occurrence(&master, 9)
            ),
        )
        .await;
    assert_eq!(
        got.codes(),
        ["ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange"]
    );
    assert_eq!(
        env.ews(&me, &delete(&format!("<t:ItemId Id=\"{master}\"/>")))
            .await
            .codes(),
        ["NoError"]
    );
}

/// Every pattern and range is accepted and read back; all-day items too.
pub async fn every_pattern(env: &Env) {
    let me = env.mailbox(2);
    let patterns = [
        "<t:DailyRecurrence><t:Interval>2</t:Interval></t:DailyRecurrence>",
        "<t:WeeklyRecurrence><t:Interval>2</t:Interval><t:DaysOfWeek>Monday Thursday</t:DaysOfWeek>\
         <t:FirstDayOfWeek>Monday</t:FirstDayOfWeek></t:WeeklyRecurrence>",
        "<t:AbsoluteMonthlyRecurrence><t:Interval>1</t:Interval><t:DayOfMonth>6</t:DayOfMonth>\
         </t:AbsoluteMonthlyRecurrence>",
        "<t:RelativeMonthlyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Monday</t:DaysOfWeek>\
         <t:DayOfWeekIndex>First</t:DayOfWeekIndex></t:RelativeMonthlyRecurrence>",
        "<t:AbsoluteYearlyRecurrence><t:DayOfMonth>6</t:DayOfMonth><t:Month>April</t:Month>\
         </t:AbsoluteYearlyRecurrence>",
        "<t:RelativeYearlyRecurrence><t:DaysOfWeek>Monday</t:DaysOfWeek>\
         <t:DayOfWeekIndex>First</t:DayOfWeekIndex><t:Month>April</t:Month></t:RelativeYearlyRecurrence>",
    ];
    let ranges = [
        "<t:NoEndRecurrence><t:StartDate>2026-04-06</t:StartDate></t:NoEndRecurrence>",
        "<t:EndDateRecurrence><t:StartDate>2026-04-06</t:StartDate><t:EndDate>2028-12-31</t:EndDate></t:EndDateRecurrence>",
        "<t:NumberedRecurrence><t:StartDate>2026-04-06</t:StartDate><t:NumberOfOccurrences>3</t:NumberOfOccurrences></t:NumberedRecurrence>",
    ];
    for (i, pattern) in patterns.iter().enumerate() {
        let range = ranges[i % ranges.len()];
        let all_day = i % 2 == 0;
        let (start, end) = if all_day {
            ("2026-04-06T00:00:00", "2026-04-07T00:00:00")
        } else {
            ("2026-04-06T09:00:00Z", "2026-04-06T10:00:00Z")
        };
        let fields = format!(
            "<t:Subject>Pattern {i}</t:Subject><t:Start>{start}</t:Start><t:End>{end}</t:End>\
             <t:IsAllDayEvent>{all_day}</t:IsAllDayEvent>\
             <t:Recurrence>{pattern}{range}</t:Recurrence>\
             <t:StartTimeZone Id=\"Eastern Standard Time\"/><t:EndTimeZone Id=\"Eastern Standard Time\"/>"
        );
        let (id, _) = env.create(&me, &fields).await;
        let got = env.get(&me, &id).await;
        let name = &pattern[3..pattern.find('>').unwrap_or(3)];
        assert!(
            got.text.contains(&format!("<t:{name}>")),
            "{name}: {}",
            got.text
        );
        assert_eq!(
            got.first("IsAllDayEvent").as_deref(),
            Some(if all_day { "true" } else { "false" })
        );
        if all_day {
            // Midnight in New York, written in UTC.
            assert_eq!(got.first("Start").as_deref(), Some("2026-04-06T04:00:00Z"));
        }
        env.ews(&me, &delete(&format!("<t:ItemId Id=\"{id}\"/>")))
            .await;
    }
}

/// Plain paging over masters and single items.
pub async fn paging(env: &Env) {
    let me = env.mailbox(2);
    let mut created = Vec::new();
    for n in 0..3 {
        let fields = format!(
            "<t:Subject>Page {n}</t:Subject><t:Start>2026-05-0{}T09:00:00Z</t:Start>\
             <t:End>2026-05-0{}T10:00:00Z</t:End>",
            n + 1,
            n + 1
        );
        created.push(env.create(&me, &fields).await.0);
    }
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let view = format!(
            "<m:IndexedPageItemView MaxEntriesReturned=\"2\" Offset=\"{offset}\" BasePoint=\"Beginning\"/>"
        );
        let page = env.ews(&me, &find(&view, "IdOnly")).await;
        assert_eq!(page.codes(), ["NoError"]);
        seen.extend(page.attrs("t:ItemId", "Id"));
        offset = page.attrs("m:RootFolder", "IndexedPagingOffset")[0]
            .parse()
            .expect("offset");
        if page.attrs("m:RootFolder", "IncludesLastItemInRange") == ["true"] {
            break;
        }
    }
    for id in &created {
        assert!(seen.contains(id));
        env.ews(&me, &delete(&format!("<t:ItemId Id=\"{id}\"/>")))
            .await;
    }
}

fn sync(state: &str, max: usize) -> String {
    format!(
        "<m:SyncFolderItems><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape>\
         <m:SyncFolderId>{CAL}</m:SyncFolderId><m:SyncState>{state}</m:SyncState>\
         <m:MaxChangesReturned>{max}</m:MaxChangesReturned></m:SyncFolderItems>"
    )
}

/// SyncFolderItems: catch up, then page through creates, an update and a delete.
pub async fn sync_folder_items(env: &Env) {
    let me = env.mailbox(0);
    let mut state = String::new();
    loop {
        let answer = env.ews(&me, &sync(&state, 512)).await;
        state = answer.first("SyncState").expect("state");
        if answer.first("IncludesLastItemInRange").as_deref() == Some("true") {
            break;
        }
    }
    let a = env.create(&me, "<t:Subject>A</t:Subject><t:Start>2026-06-01T09:00:00Z</t:Start><t:End>2026-06-01T10:00:00Z</t:End>").await.0;
    let b = env.create(&me, "<t:Subject>B</t:Subject><t:Start>2026-06-02T09:00:00Z</t:Start><t:End>2026-06-02T10:00:00Z</t:End>").await.0;
    let first = env.ews(&me, &sync(&state, 1)).await;
    assert_eq!(
        first.first("IncludesLastItemInRange").as_deref(),
        Some("false")
    );
    assert_eq!(first.attrs("t:ItemId", "Id"), std::slice::from_ref(&a));
    assert!(first.text.contains("<t:Create>"));
    let state2 = first.first("SyncState").expect("state");
    let second = env.ews(&me, &sync(&state2, 5)).await;
    assert_eq!(
        second.first("IncludesLastItemInRange").as_deref(),
        Some("true")
    );
    assert_eq!(second.attrs("t:ItemId", "Id"), std::slice::from_ref(&b));
    let state3 = second.first("SyncState").expect("state");
    let change = update(
        &format!("<t:ItemId Id=\"{a}\"/>"),
        "item:Subject",
        "<t:Subject>A2</t:Subject>",
    );
    env.ews(&me, &change).await;
    env.ews(&me, &delete(&format!("<t:ItemId Id=\"{b}\"/>")))
        .await;
    let third = env.ews(&me, &sync(&state3, 10)).await;
    assert!(
        third
            .text
            .contains(&format!("<t:Update><t:CalendarItem><t:ItemId Id=\"{a}\"")),
        "{}",
        third.text
    );
    assert!(
        third
            .text
            .contains(&format!("<t:Delete><t:ItemId Id=\"{b}\"/></t:Delete>"))
    );
    let quiet = env
        .ews(&me, &sync(&third.first("SyncState").expect("state"), 10))
        .await;
    assert_eq!(quiet.first("Changes").as_deref(), Some(""));
    for bad in ["garbage", "ZXhzeW5jLWV3cy1zeW5jOm5vYm9keTox"] {
        assert_eq!(
            env.ews(&me, &sync(bad, 10)).await.codes(),
            ["ErrorInvalidSyncStateData"]
        );
    }
    env.ews(&me, &delete(&format!("<t:ItemId Id=\"{a}\"/>")))
        .await;
}

/// An item created through EWS is seen through Graph and the other way round.
pub async fn graph_round_trip(env: &Env) {
    let me = env.mailbox(1);
    let (id, _) = env.create(&me, "<t:Subject>From EWS</t:Subject><t:Start>2026-07-01T09:00:00Z</t:Start><t:End>2026-07-01T10:00:00Z</t:End>").await;
    let (status, event) = env.graph(&format!("/users/{me}/events/{id}"), None).await;
    assert_eq!(status, 200, "{event}");
    assert_eq!(event["subject"], "From EWS");
    let (status, made) = env
        .graph(
            &format!("/users/{me}/events"),
            Some(json!({
                "subject": "From Graph",
                "start": {"dateTime": "2026-07-02T09:00:00", "timeZone": "UTC"},
                "end": {"dateTime": "2026-07-02T10:00:00", "timeZone": "UTC"},
                "recurrence": {
                    "pattern": {"type": "daily", "interval": 1},
                    "range": {"type": "numbered", "startDate": "2026-07-02", "numberOfOccurrences": 3}
                }
            })),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let graph_id = made["id"].as_str().expect("id").to_owned();
    let got = env.get(&me, &graph_id).await;
    assert_eq!(got.first("Subject").as_deref(), Some("From Graph"));
    assert!(got.text.contains("<t:DailyRecurrence>"));
    // A Graph occurrence id is an EWS occurrence id.
    let (_, view) = env
        .graph(&format!("/users/{me}/calendarView?startDateTime=2026-07-03T00:00:00Z&endDateTime=2026-07-04T00:00:00Z"), None)
        .await;
    let occurrence = view["value"][0]["id"]
        .as_str()
        .expect("occurrence")
        .to_owned();
    let got = env.get(&me, &occurrence).await;
    assert_eq!(got.first("Start").as_deref(), Some("2026-07-03T09:00:00Z"));
    assert_eq!(got.first("CalendarItemType").as_deref(), Some("Occurrence"));
    for item in [id, graph_id] {
        env.ews(&me, &delete(&format!("<t:ItemId Id=\"{item}\"/>")))
            .await;
    }
}

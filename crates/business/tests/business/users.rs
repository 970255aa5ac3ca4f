//! Users: add, change, list, remove, and the journal entries that make changes take effect.

use exsync_business::{BusinessError, NewUser, Origin, UserChange};
use exsync_model::{BusinessId, Task};

use crate::harness::TestDb;
use crate::on_both;

on_both!(users_can_be_added_changed_listed_and_removed);

fn new_user(login: &str) -> NewUser {
    NewUser {
        login: login.to_owned(),
        display_name: format!("User {login}"),
        mailbox: Some(format!("{login}@example.com")),
        enabled: true,
    }
}

async fn users_can_be_added_changed_listed_and_removed(t: TestDb) {
    let db = t.ready().await;
    db.add_user(&new_user("max")).await.expect("adds");
    db.add_user(&new_user("eva")).await.expect("adds");
    match db.add_user(&new_user("eva")).await {
        Err(BusinessError::AlreadyExists { table, id }) => {
            assert_eq!((table, id.as_str()), ("exsync_users", "eva"));
        }
        other => panic!("expected a duplicate, got {other:?}"),
    }
    assert!(matches!(
        db.add_user(&new_user(" ")).await,
        Err(BusinessError::Invalid(_))
    ));
    let logins: Vec<String> = db
        .list_users()
        .await
        .expect("lists")
        .into_iter()
        .map(|u| u.login)
        .collect();
    assert_eq!(logins, ["eva", "max"]);

    let eva = db.get_user("eva").await.expect("reads").expect("exists");
    assert_eq!(eva.mailbox.as_deref(), Some("eva@example.com"));
    assert!(eva.enabled);
    assert!(eva.created_at.is_some());

    let before = t.seq().await;
    let changed = db
        .set_user(
            "eva",
            &UserChange {
                enabled: Some(false),
                mailbox: Some(Some("eva.huber@example.com".into())),
                ..UserChange::default()
            },
        )
        .await
        .expect("changes");
    assert!(!changed.enabled);
    assert_eq!(changed.mailbox.as_deref(), Some("eva.huber@example.com"));
    assert_eq!(changed.display_name, "User eva", "unchanged fields stay");
    let renamed = db
        .set_user(
            "eva",
            &UserChange {
                display_name: Some("Eva Huber".into()),
                mailbox: Some(None),
                ..UserChange::default()
            },
        )
        .await
        .expect("changes");
    assert_eq!(renamed.display_name, "Eva Huber");
    assert_eq!(renamed.mailbox, None);
    assert!(!renamed.enabled, "unchanged fields stay");
    let journal = t.journal_after(before).await;
    assert_eq!(journal.len(), 2);
    assert!(journal.iter().all(|(kind, id, op, origin)| {
        (kind.as_str(), id.as_str(), op.as_str(), origin.as_str())
            == ("user", "eva", "update", "business")
    }));
    assert!(matches!(
        db.set_user("nobody", &UserChange::default()).await,
        Err(BusinessError::NotFound { .. })
    ));
    assert_eq!(db.get_user("nobody").await.expect("reads"), None);

    db.upsert_task(
        "eva",
        &BusinessId::from("T-1"),
        &Task::new("x"),
        Origin::Business,
    )
    .await
    .expect("writes");
    match db.remove_user("eva").await {
        Err(BusinessError::UserHasItems { login, items }) => {
            assert_eq!((login.as_str(), items), ("eva", 1));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(db.remove_user("max").await.expect("removes"));
    assert!(!db.remove_user("max").await.expect("nothing to remove"));
    assert_eq!(db.list_users().await.expect("lists").len(), 1);
}

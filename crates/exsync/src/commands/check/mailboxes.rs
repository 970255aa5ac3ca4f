//! The per-user checks: the user has a mailbox address, the mailbox is found and the app may
//! reach it, and each enabled data type can be read and written there (see [`super::probe`]).
//!
//! Invariants: a check whose permission the token lacks is skipped (the permission line has
//! failed already), as are a mailbox's probes when the mailbox cannot be reached; Graph's 403
//! for a mailbox outside the app's application access policy (`Access to OData is disabled:
//! [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.`) is told apart from a
//! missing permission; users are checked a few at a time and reported in their order.

use exsync_business::User;
use exsync_config::Config;
use exsync_graph::client::{GraphError, GraphRequest};
use exsync_i18n::tr;
use futures_util::StreamExt;

use super::exchange::Target;
use super::probe::{self, ProbeFailure, ProbeKind, Step};
use super::report::{CheckId, CheckLine};
use super::token::{Needed, Roles, needed, permission_fix};

/// Users checked at the same time.
const USERS_AT_ONCE: usize = 4;

/// The lines of every user, in the users' order.
pub async fn check_users(
    target: &Target,
    config: &Config,
    roles: Option<&Roles>,
    users: &[User],
) -> Vec<CheckLine> {
    if users.is_empty() {
        return Vec::new();
    }
    let Some(roles) = roles else {
        return vec![CheckLine::skipped(
            CheckId::Mailbox,
            tr!("check-mailboxes-skipped", count = users.len()),
        )];
    };
    let needs = needed(&config.sync);
    futures_util::stream::iter(users)
        .map(|user| {
            check_user(
                target,
                &needs,
                roles,
                user,
                config.exchange.mailbox_addressing,
            )
        })
        .buffered(USERS_AT_ONCE)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// The lines of one user.
async fn check_user(
    target: &Target,
    needs: &[Needed],
    roles: &Roles,
    user: &User,
    addressing: exsync_config::MailboxAddressing,
) -> Vec<CheckLine> {
    // The mailbox as the sync addresses it (`exchange.mailbox_addressing`).
    let addressed = exsync_runtime::mailbox_of(user, addressing);
    let Some(mailbox) = addressed.filter(|m| !m.trim().is_empty()) else {
        return vec![
            CheckLine::failed(
                CheckId::Users,
                "no_mailbox_address",
                tr!("check-user-no-mailbox"),
                tr!("check-user-no-mailbox-fix", login = user.login.as_str()),
            )
            .about(user.login.as_str()),
        ];
    };
    let subject = format!("{} <{mailbox}>", user.login);
    let granted: Vec<&Needed> = needs
        .iter()
        .filter(|n| roles.contains(n.permission))
        .collect();
    let mailbox_line = match granted.first() {
        None => CheckLine::skipped(CheckId::Mailbox, tr!("check-mailbox-no-permission")),
        Some(first) => look_up(target, mailbox, user, first).await,
    };
    let reachable = mailbox_line.status == super::report::Status::Passed;
    let mut lines = vec![mailbox_line.about(subject.as_str())];
    for need in needs {
        let line = if !reachable {
            CheckLine::skipped(need.check, tr!("check-probe-skipped-mailbox"))
        } else if !roles.contains(need.permission) {
            CheckLine::skipped(
                need.check,
                tr!(
                    "check-probe-skipped-permission",
                    permission = need.permission
                ),
            )
        } else {
            probe_line(target, mailbox, user, need).await
        };
        lines.push(line.about(subject.as_str()));
    }
    lines
}

/// Looks the mailbox up by listing the folders of a data type the app may read.
async fn look_up(target: &Target, mailbox: &str, user: &User, need: &Needed) -> CheckLine {
    let Some(kind) = ProbeKind::of(need.check) else {
        return CheckLine::skipped(CheckId::Mailbox, tr!("check-mailbox-no-permission"));
    };
    let request = GraphRequest::get(kind.folders_path(mailbox), "look up the mailbox");
    match target.client.send(mailbox, &request).await {
        Ok(_) => CheckLine::passed(CheckId::Mailbox, tr!("check-mailbox-found")),
        Err(error) => graph_failure(CheckId::Mailbox, &error, target, mailbox, user, need),
    }
}

/// The probe of one data type.
async fn probe_line(target: &Target, mailbox: &str, user: &User, need: &Needed) -> CheckLine {
    let Some(kind) = ProbeKind::of(need.check) else {
        return CheckLine::skipped(need.check, tr!("check-mailbox-no-permission"));
    };
    let folder = probe::PROBE_FOLDER;
    match probe::run(&target.client, mailbox, kind).await {
        Ok(()) => CheckLine::passed(need.check, tr!("check-probe-passed", folder = folder)),
        Err(ProbeFailure { step, error }) => {
            let mut line = graph_failure(need.check, &error, target, mailbox, user, need);
            if line.problem == Some("graph_error") {
                let (problem, key) = match step {
                    Step::Folder => ("folder_failed", "check-probe-folder-failed"),
                    Step::Read => ("read_failed", "check-probe-read-failed"),
                    Step::Create => ("create_failed", "check-probe-create-failed"),
                    Step::Delete => ("delete_failed", "check-probe-delete-failed"),
                };
                line.problem = Some(problem);
                line.message = tr!(key, folder = folder, reason = error.to_string());
            }
            line
        }
    }
}

/// The line for Graph's refusal of a request about `mailbox`.
fn graph_failure(
    check: CheckId,
    error: &GraphError,
    target: &Target,
    mailbox: &str,
    user: &User,
    need: &Needed,
) -> CheckLine {
    match error {
        GraphError::MailboxNotFound { code, .. } => CheckLine::failed(
            check,
            "mailbox_not_found",
            tr!(
                "check-mailbox-not-found",
                mailbox = mailbox,
                code = code.as_str()
            ),
            tr!("check-mailbox-not-found-fix", login = user.login.as_str()),
        ),
        GraphError::AccessDenied { code, message, .. } if is_access_policy(message) => {
            CheckLine::failed(
                check,
                "outside_app_scope",
                tr!(
                    "check-mailbox-outside-scope",
                    code = code.as_str(),
                    detail = message.as_str()
                ),
                tr!(
                    "check-mailbox-outside-scope-fix",
                    mailbox = mailbox,
                    app = target.app.as_str()
                ),
            )
        }
        GraphError::AccessDenied { code, message, .. } => CheckLine::failed(
            check,
            "permission_missing",
            tr!(
                "check-access-denied",
                code = code.as_str(),
                detail = message.as_str()
            ),
            permission_fix(need.permission, &target.app),
        ),
        other => CheckLine::failed(
            check,
            "graph_error",
            tr!("check-graph-error", reason = other.to_string()),
            tr!("check-graph-error-fix"),
        ),
    }
}

/// True for Exchange Online's refusal by an application access policy (or RBAC for
/// Applications scope), as opposed to a missing permission.
fn is_access_policy(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    ["accesspolicy", "[raop]", "access to odata is disabled"]
        .iter()
        .any(|needle| message.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_access_policy_refusal_is_told_from_a_missing_permission() {
        assert!(is_access_policy(
            "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings."
        ));
        assert!(!is_access_policy(
            "Access is denied. Check credentials and try again."
        ));
    }
}

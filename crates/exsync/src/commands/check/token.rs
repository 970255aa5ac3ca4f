//! The sign-in checks: an access token obtained for Graph (Entra's refusals, as
//! `exsync_graph::auth::AuthError` classifies their AADSTS codes, explained with where in the
//! Microsoft Entra admin center to fix them), and the application permissions in the token's
//! `roles` claim against what the enabled data types need.
//!
//! Invariants: the token is only decoded (its payload, no signature check) and never shown;
//! a permission line names the exact permission and the admin center's path to add it.

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use exsync_config::{Config, Direction, ExchangeTarget, ExposeSecret, SyncConfig};
use exsync_graph::auth::{AuthError, TokenProvider};
use exsync_i18n::tr;

use super::exchange::Target;
use super::report::{CheckId, CheckLine};

/// The application permissions the token carries (its `roles` claim).
pub type Roles = BTreeSet<String>;

/// A permission a data type needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needed {
    /// The probe that uses it.
    pub check: CheckId,
    /// The application permission (Microsoft Graph).
    pub permission: &'static str,
    /// The setting that switches the data type on.
    pub setting: &'static str,
    /// Its value.
    pub direction: Direction,
}

/// The permissions the data types switched on in `sync` need, in probe order.
pub fn needed(sync: &SyncConfig) -> Vec<Needed> {
    [
        (
            CheckId::Calendar,
            "Calendars.ReadWrite",
            "sync.appointments",
            sync.appointments,
        ),
        (
            CheckId::Todo,
            "Tasks.ReadWrite.All",
            "sync.tasks",
            sync.tasks,
        ),
        (
            CheckId::Contacts,
            "Contacts.ReadWrite",
            "sync.contacts",
            sync.contacts,
        ),
    ]
    .into_iter()
    .filter(|(_, _, _, direction)| *direction != Direction::Off)
    .map(|(check, permission, setting, direction)| Needed {
        check,
        permission,
        setting,
        direction,
    })
    .collect()
}

/// The `roles` claim of a JWT access token (empty when it has none); `None` when the token
/// is not a JWT with a JSON payload.
pub fn roles_of(token: &str) -> Option<Roles> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    if !claims.is_object() {
        return None;
    }
    Some(
        claims["roles"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_owned))
            .collect(),
    )
}

/// Asks for a token; the line, and the token's roles when one was obtained.
pub async fn obtain(config: &Config, target: Option<&Target>) -> (CheckLine, Option<Roles>) {
    let Some(target) = target else {
        // Online with a credential that cannot be loaded: say why.
        if let ExchangeTarget::Online(online) = &config.exchange.target
            && let Err(error) = TokenProvider::from_config(online)
        {
            return (auth_failure(&error, &online.client_id), None);
        }
        return (
            CheckLine::skipped(CheckId::Token, tr!("check-skipped-no-exchange")),
            None,
        );
    };
    match target.provider.token(&target.scope).await {
        Ok(token) => match roles_of(token.secret().expose_secret()) {
            Some(roles) => (
                CheckLine::passed(
                    CheckId::Token,
                    tr!(
                        "check-token-passed",
                        url = target.provider.token_url(),
                        app = target.app.as_str()
                    ),
                ),
                Some(roles),
            ),
            None => (
                CheckLine::failed(
                    CheckId::Token,
                    "token_unreadable",
                    tr!("check-token-not-jwt"),
                    tr!("check-token-not-jwt-fix"),
                ),
                None,
            ),
        },
        Err(error) => (auth_failure(&error, &target.app), None),
    }
}

/// One line per needed permission: in the token's roles or not.
pub fn permissions(config: &Config, app: &str, roles: Option<&Roles>) -> Vec<CheckLine> {
    needed(&config.sync)
        .into_iter()
        .map(|need| {
            let line = match roles {
                None => CheckLine::skipped(CheckId::Permission, tr!("check-skipped-no-token")),
                Some(roles) if roles.contains(need.permission) => CheckLine::passed(
                    CheckId::Permission,
                    tr!(
                        "check-permission-passed",
                        setting = need.setting,
                        direction = need.direction.as_str()
                    ),
                ),
                Some(roles) => CheckLine::failed(
                    CheckId::Permission,
                    "permission_missing",
                    tr!(
                        "check-permission-missing",
                        permission = need.permission,
                        setting = need.setting,
                        direction = need.direction.as_str(),
                        roles = shown_roles(roles)
                    ),
                    permission_fix(need.permission, app),
                ),
            };
            line.about(need.permission)
        })
        .collect()
}

fn shown_roles(roles: &Roles) -> String {
    if roles.is_empty() {
        tr!("check-permission-no-roles")
    } else {
        roles.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// Where to add `permission` for `app` in the Microsoft Entra admin center.
pub fn permission_fix(permission: &str, app: &str) -> String {
    tr!("check-permission-fix", permission = permission, app = app)
}

/// The line for a token that could not be had.
fn auth_failure(error: &AuthError, app: &str) -> CheckLine {
    let check = CheckId::Token;
    let (problem, message, fix) = match error {
        AuthError::WrongSecret { .. } => (
            "aadsts7000215",
            tr!("check-token-wrong-secret", app = app),
            tr!("check-token-wrong-secret-fix", app = app),
        ),
        AuthError::ExpiredSecret { .. } => (
            "aadsts7000222",
            tr!("check-token-expired-secret", app = app),
            tr!("check-token-expired-secret-fix", app = app),
        ),
        AuthError::UnknownApp { .. } => (
            "aadsts700016",
            tr!("check-token-unknown-app", app = app),
            tr!("check-token-unknown-app-fix"),
        ),
        AuthError::UnknownTenant { token_url } => (
            "aadsts90002",
            tr!("check-token-unknown-tenant", url = token_url.as_str()),
            tr!("check-token-unknown-tenant-fix"),
        ),
        AuthError::CertificateRejected { detail, .. } => (
            "aadsts700027",
            tr!(
                "check-token-certificate-rejected",
                app = app,
                detail = detail.as_str()
            ),
            tr!("check-token-certificate-rejected-fix", app = app),
        ),
        AuthError::AssertionTime { detail } => (
            "aadsts700024",
            tr!("check-token-assertion-time", detail = detail.as_str()),
            tr!("check-token-assertion-time-fix"),
        ),
        AuthError::Refused {
            code: Some(7_000_112),
            description,
            ..
        } => (
            "aadsts7000112",
            tr!(
                "check-token-app-disabled",
                app = app,
                detail = description.as_str()
            ),
            tr!("check-token-app-disabled-fix"),
        ),
        AuthError::Refused {
            status,
            error,
            code,
            description,
        } => (
            "token_refused",
            tr!(
                "check-token-refused",
                status = *status,
                error = error.as_str(),
                code = code.map(|c| format!(", AADSTS{c}")).unwrap_or_default(),
                detail = description.as_str()
            ),
            tr!("check-token-refused-fix"),
        ),
        AuthError::ServerError {
            token_url,
            status,
            detail,
            ..
        } => (
            "token_endpoint_error",
            tr!(
                "check-token-server-error",
                url = token_url.as_str(),
                status = *status,
                detail = detail.as_str()
            ),
            tr!("check-token-try-later-fix"),
        ),
        AuthError::Throttled { token_url, .. } => (
            "token_throttled",
            tr!("check-token-throttled", url = token_url.as_str()),
            tr!("check-token-try-later-fix"),
        ),
        AuthError::Unreachable {
            token_url, reason, ..
        } => (
            "token_endpoint_unreachable",
            tr!(
                "check-token-unreachable",
                url = token_url.as_str(),
                reason = reason.as_str()
            ),
            tr!("check-token-unreachable-fix"),
        ),
        AuthError::BadResponse { token_url, reason } => (
            "token_bad_response",
            tr!(
                "check-token-bad-response",
                url = token_url.as_str(),
                reason = reason.as_str()
            ),
            tr!("check-token-unreachable-fix"),
        ),
        AuthError::CertificateFile { file, problem } => (
            "certificate_unreadable",
            tr!(
                "check-certificate-unreadable",
                file = file.display().to_string(),
                problem = problem.as_str()
            ),
            tr!("check-certificate-unreadable-fix"),
        ),
    };
    CheckLine::failed(check, problem, message, fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::check::report::Status;

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn roles_come_from_the_payload() {
        let roles = roles_of(&jwt(
            r#"{"roles":["Calendars.ReadWrite","Tasks.ReadWrite.All"]}"#,
        ))
        .expect("a JWT");
        assert_eq!(roles.len(), 2);
        assert!(roles.contains("Tasks.ReadWrite.All"));
        assert_eq!(roles_of(&jwt(r#"{"aud":"x"}"#)), Some(Roles::new()));
        assert_eq!(roles_of("opaque-token"), None);
        assert_eq!(roles_of(&jwt("not json")), None);
    }

    #[test]
    fn each_enabled_data_type_needs_its_permission() {
        let mut config = Config::default();
        config.sync.tasks = Direction::Off;
        let roles: Roles = ["Calendars.ReadWrite".to_owned()].into();
        let lines = permissions(&config, "app-id", Some(&roles));
        assert_eq!(lines.len(), 2, "tasks are off: {lines:?}");
        assert_eq!(lines[0].status, Status::Passed);
        assert_eq!(lines[0].subject.as_deref(), Some("Calendars.ReadWrite"));
        let contacts = &lines[1];
        assert_eq!(
            (contacts.status, contacts.problem),
            (Status::Failed, Some("permission_missing"))
        );
        let fix = contacts.fix.as_deref().unwrap_or_default();
        assert!(
            fix.contains("Contacts.ReadWrite")
                && fix.contains("API permissions")
                && fix.contains("Application permissions")
                && fix.contains("admin consent"),
            "{fix}"
        );
        let skipped = permissions(&config, "app-id", None);
        assert!(skipped.iter().all(|l| l.status == Status::Skipped));
    }

    #[test]
    fn every_classified_refusal_names_its_code_and_the_admin_center() {
        let app = "2b7e9c40-1f3a-4d5e-8a6b-7c8d9e0f1a2b";
        let cases = [
            (
                AuthError::WrongSecret {
                    client_id: app.into(),
                },
                "AADSTS7000215",
            ),
            (
                AuthError::ExpiredSecret {
                    client_id: app.into(),
                },
                "AADSTS7000222",
            ),
            (
                AuthError::UnknownApp {
                    client_id: app.into(),
                },
                "AADSTS700016",
            ),
            (
                AuthError::CertificateRejected {
                    client_id: app.into(),
                    detail: "The key was not found.".into(),
                },
                "AADSTS700027",
            ),
        ];
        for (error, code) in cases {
            let line = auth_failure(&error, app);
            assert_eq!(line.status, Status::Failed);
            assert_eq!(
                line.problem.map(str::to_ascii_uppercase).as_deref(),
                Some(code)
            );
            assert!(line.message.contains(code), "{line:?}");
            let fix = line.fix.unwrap_or_default();
            assert!(fix.contains("Entra admin center"), "{code}: {fix}");
        }
    }
}

//! The Microsoft Entra token endpoint, `POST /{tenant}/oauth2/v2.0/token`, client credentials
//! flow with a client secret or a certificate (`client_assertion`, see
//! [`crate::client_assertion`]).
//!
//! Error bodies follow what Entra answers: `error`, `error_description` (starting with the
//! AADSTS code, then `Trace ID`, `Correlation ID` and `Timestamp` lines), `error_codes`,
//! `timestamp`, `trace_id`, `correlation_id`, `error_uri`. The codes and their meaning are listed
//! on Microsoft Learn, "Troubleshoot ClientSecretCredential"
//! (https://learn.microsoft.com/en-us/azure/developer/java/sdk/troubleshooting-authentication-service-principal:
//! AADSTS7000215 invalid secret, AADSTS7000222 expired secret, AADSTS700016 application not
//! found) and "Microsoft Entra authentication and authorization error codes"
//! (https://learn.microsoft.com/entra/identity-platform/reference-error-codes); the wording of
//! each message is the one Entra returns as quoted in public issue threads (e.g.
//! Azure-Samples/active-directory-dotnetcore-daemon-v2#87, dotnet/sign#849,
//! microsoft/cross-tenant#83).
//!
//! Invariant: the client secret and the client assertion are checked and then dropped; neither
//! reaches a log line, a response or an error description.

use std::collections::HashMap;

use axum::Form;
use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::auth::{Audience, Grant};
use crate::client_assertion;
use crate::ids;
use crate::org::App;
use crate::server::Shared;

/// One Entra error: HTTP status, OAuth `error`, AADSTS number and message.
struct EntraError {
    status: StatusCode,
    error: &'static str,
    code: u32,
    message: String,
}

impl EntraError {
    fn new(status: StatusCode, error: &'static str, code: u32, message: String) -> Self {
        Self {
            status,
            error,
            code,
            message,
        }
    }

    fn missing(parameter: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{parameter}'."),
        )
    }

    fn into_response(self, correlation_id: String) -> Response {
        let now = Utc::now();
        let timestamp = now.format("%Y-%m-%d %H:%M:%SZ").to_string();
        let trace_id = ids::guid();
        let description = format!(
            "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}",
            self.code, self.message
        );
        let body = json!({
            "error": self.error,
            "error_description": description,
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        (self.status, Json(body)).into_response()
    }
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub(crate) async fn token(
    State(shared): State<Shared>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let correlation_id = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64)
        .map_or_else(ids::guid, str::to_owned);
    let form = match form {
        Ok(Form(form)) => form,
        Err(_) => return EntraError::missing("grant_type").into_response(correlation_id),
    };
    match issue(&shared, &tenant, &form) {
        Ok((token, lifetime)) => {
            tracing::debug!(tenant = %tenant, "token issued");
            let body = json!({
                "token_type": "Bearer",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": token,
            });
            (StatusCode::OK, Json(body)).into_response()
        }
        Err(e) => {
            tracing::debug!(tenant = %tenant, code = e.code, "token refused");
            e.into_response(correlation_id)
        }
    }
}

/// Checks the request against the organisation and issues a token: `(token, lifetime secs)`.
fn issue(
    shared: &Shared,
    tenant_key: &str,
    form: &HashMap<String, String>,
) -> Result<(String, i64), EntraError> {
    let param = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let mut state = shared.store.lock();
    let now = Utc::now();
    let Some(tenant) = state.org.tenant(tenant_key) else {
        return Err(EntraError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant_key}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
            ),
        ));
    };
    let grant_type = param("grant_type").ok_or_else(|| EntraError::missing("grant_type"))?;
    if grant_type != "client_credentials" {
        return Err(EntraError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant_type}'."),
        ));
    }
    let client_id = param("client_id").ok_or_else(|| EntraError::missing("client_id"))?;
    let Some(app) = tenant.app(client_id) else {
        return Err(EntraError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                tenant.domain
            ),
        ));
    };
    if let Some(assertion) = param("client_assertion") {
        let kind = param("client_assertion_type")
            .ok_or_else(|| EntraError::missing("client_assertion_type"))?;
        if kind != client_assertion::JWT_BEARER {
            return Err(EntraError::missing("client_assertion_type"));
        }
        let audiences = [&tenant.id, &tenant.domain]
            .map(|t| format!("{}/{t}/oauth2/v2.0/token", shared.base_url));
        client_assertion::verify(assertion, app, client_id, &audiences, now).map_err(|e| {
            EntraError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                e.code(),
                e.to_string(),
            )
        })?;
    } else {
        check_secret(app, param("client_secret"), now)?;
    }
    let scope = param("scope").ok_or_else(|| EntraError::missing("scope"))?;
    let Some(audience) = Audience::from_scope(scope) else {
        return Err(EntraError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        ));
    };
    let lifetime = state.token_lifetime;
    let grant = Grant {
        tenant_id: tenant.id.clone(),
        client_id: app.client_id.clone(),
        roles: app.permissions.clone(),
        audience,
        expires: now + lifetime,
    };
    let token = state.tokens.issue(grant, now);
    Ok((token, lifetime.num_seconds()))
}

/// The client-secret half of client credentials: present, known, not expired.
fn check_secret(app: &App, secret: Option<&str>, now: DateTime<Utc>) -> Result<(), EntraError> {
    let Some(secret) = secret else {
        return Err(EntraError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000216,
            "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.".to_owned(),
        ));
    };
    let matching: Vec<_> = app.secrets.iter().filter(|s| s.value == secret).collect();
    if matching.is_empty() {
        return Err(EntraError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                app.client_id
            ),
        ));
    }
    if matching.iter().all(|s| s.expires <= now) {
        return Err(EntraError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000222,
            format!(
                "The provided client secret keys for app '{}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.",
                app.client_id
            ),
        ));
    }
    Ok(())
}

//! Graph's error envelope, `{"error":{"code","message","innerError":{"date","request-id",
//! "client-request-id"}}}`, and the errors the emulator answers with.
//!
//! A handler returns a [`GraphError`]; it becomes a response carrying only status, code and
//! message, and the [`envelope`] middleware writes the body with the request's ids, so that
//! every Graph response (errors included) carries `request-id` and `client-request-id` as
//! Graph's do. Invariant: messages never contain a token or a secret (they are built from
//! fixed text, user names and item ids only).

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, body::Body};
use chrono::Utc;
use serde_json::json;

use crate::auth::TokenError;
use crate::ids;

/// A Graph error: HTTP status, `code` and `message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct GraphError {
    /// HTTP status.
    pub status: StatusCode,
    /// Graph's `error.code`.
    pub code: &'static str,
    /// Graph's `error.message`.
    pub message: String,
}

impl GraphError {
    /// Any error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 401 `InvalidAuthenticationToken`.
    pub fn unauthenticated(reason: TokenError) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            reason.to_string(),
        )
    }

    /// 403 `ErrorAccessDenied` (missing permission).
    pub fn access_denied() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        )
    }

    /// 403 `ErrorAccessDenied` (mailbox outside the app's application access policy).
    pub fn outside_scope() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "ErrorAccessDenied",
            "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
        )
    }

    /// 404 `ErrorInvalidUser`.
    pub fn invalid_user(user: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ErrorInvalidUser",
            format!("The requested user '{user}' is invalid."),
        )
    }

    /// 404 `ErrorItemNotFound`.
    pub fn item_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        )
    }

    /// 400 `ErrorInvalidIdMalformed`.
    pub fn malformed_id() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidIdMalformed",
            "Id is malformed.",
        )
    }

    /// 412 `ErrorIrresolvableConflict` (stale `If-Match`).
    pub fn conflict() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "ErrorIrresolvableConflict",
            "The change key passed in the request does not match the current change key for the item.",
        )
    }

    /// 400 with a request-validation code.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ErrorInvalidRequest", message)
    }

    /// 400 `BadRequest` for a body that is not JSON.
    pub fn unreadable_body() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )
    }

    /// 400 `TimeZoneNotSupportedException`.
    pub fn time_zone(zone: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "TimeZoneNotSupportedException",
            format!(
                "A valid TimeZone value must be specified. The following TimeZone value is not supported: '{zone}'."
            ),
        )
    }
}

/// Status, code and message waiting for the envelope middleware.
#[derive(Debug, Clone)]
struct Pending {
    code: &'static str,
    message: String,
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(Pending {
            code: self.code,
            message: self.message,
        });
        response
    }
}

/// Middleware for every Graph route: echoes `client-request-id`, adds `request-id`, and writes
/// the error envelope for a [`GraphError`].
pub(crate) async fn envelope(request: Request, next: Next) -> Response {
    let client_request_id = request
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map_or_else(ids::guid, str::to_owned);
    let request_id = ids::guid();
    let response = next.run(request).await;
    finish(response, &request_id, &client_request_id)
}

/// Writes the error envelope of a [`GraphError`] response (if it is one) and adds the
/// `request-id` and `client-request-id` headers.
pub(crate) fn finish(
    mut response: Response,
    request_id: &str,
    client_request_id: &str,
) -> Response {
    if let Some(pending) = response.extensions_mut().remove::<Pending>() {
        let body = json!({"error": {
            "code": pending.code,
            "message": pending.message,
            "innerError": {
                "date": Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                "request-id": request_id,
                "client-request-id": client_request_id,
            }
        }});
        let status = response.status();
        let mut rebuilt = (status, Json(body)).into_response();
        for (name, value) in response.headers() {
            if name != "content-type" && name != "content-length" {
                rebuilt.headers_mut().insert(name.clone(), value.clone());
            }
        }
        response = rebuilt;
    }
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(client_request_id) {
        headers.insert("client-request-id", v);
    }
    response
}

/// Fallback for a Graph path the emulator does not serve.
pub(crate) async fn unknown_segment(request: Request<Body>) -> GraphError {
    let path = request.uri().path();
    let segment = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(path);
    GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        format!("Resource not found for the segment '{segment}'."),
    )
}

//! The answers of injected errors, each in its protocol's own shape: Graph's error envelope,
//! EWS's `ErrorServerBusy` SOAP fault, an OAuth error body from the token endpoint.
//!
//! Invariant: an injected answer never carries request data (no echoed headers or bodies).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;

use super::Protocol;
use crate::ids;

/// `BackOffMilliseconds` of an injected `ErrorServerBusy`.
const EWS_BACK_OFF_MS: u64 = 5000;

/// Seconds in `Retry-After` of injected 429 and 503 answers.
const RETRY_AFTER_SECS: &str = "1";

/// The answer to a request picked for an injected error `status`.
pub(super) fn error_response(protocol: Protocol, status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut response = match protocol {
        Protocol::Graph => graph(status),
        Protocol::Ews => ews_busy(),
        Protocol::Token => token(status),
        Protocol::Other => status.into_response(),
    };
    if matches!(status.as_u16(), 429 | 503) && protocol != Protocol::Ews {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECS),
        );
    }
    response
}

/// Graph's code for a status (the `error.code` of its envelope).
fn graph_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "BadRequest",
        401 => "InvalidAuthenticationToken",
        403 => "ErrorAccessDenied",
        404 => "ErrorItemNotFound",
        409 => "ErrorIrresolvableConflict",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "UnknownError",
    }
}

fn graph(status: StatusCode) -> Response {
    let request_id = ids::guid();
    let body = json!({"error": {
        "code": graph_code(status),
        "message": format!("Injected by the emulator's error-rate knob ({}).", status.as_u16()),
        "innerError": {
            "date": Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
            "request-id": request_id,
            "client-request-id": request_id,
        }
    }});
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("request-id", v);
    }
    response
}

fn token(status: StatusCode) -> Response {
    let body = json!({
        "error": "temporarily_unavailable",
        "error_description": "The emulator's error-rate knob refused this request.",
        "error_codes": [],
        "timestamp": Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string(),
        "trace_id": ids::guid(),
        "correlation_id": ids::guid(),
    });
    (status, axum::Json(body)).into_response()
}

fn ews_busy() -> Response {
    let message = "The server cannot service this request right now. Try again later.";
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault>\
         <faultcode xmlns:a=\"{types}\">a:ErrorServerBusy</faultcode>\
         <faultstring xml:lang=\"en-US\">{message}</faultstring><detail>\
         <e:ResponseCode xmlns:e=\"{errors}\">ErrorServerBusy</e:ResponseCode>\
         <e:Message xmlns:e=\"{errors}\">{message}</e:Message>\
         <t:MessageXml xmlns:t=\"{types}\"><t:Value Name=\"BackOffMilliseconds\">{EWS_BACK_OFF_MS}\
         </t:Value></t:MessageXml></detail></s:Fault></s:Body></s:Envelope>",
        types = "http://schemas.microsoft.com/exchange/services/2006/types",
        errors = "http://schemas.microsoft.com/exchange/services/2006/errors",
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

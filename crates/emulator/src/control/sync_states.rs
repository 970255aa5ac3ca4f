//! Expiring EWS sync states without a hook in EWS itself: after the knob, a `SyncFolderItems`
//! request whose `SyncState` was not issued since is handed to EWS with a state that cannot
//! decode, so EWS answers its own `ErrorInvalidSyncStateData`.
//!
//! Invariant: states issued after the knob (read from `SyncFolderItems` answers) stay valid;
//! only the `SyncState` element's text is changed, nothing else in the request.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::response::Response;

use super::classify::find_start_tag;
use crate::server::Shared;

/// Largest body read (as EWS).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// What replaces an expired state: base64url of a text EWS does not recognise.
const EXPIRED: &str = "ZXhwaXJlZA";

/// The text of the first element with this local name, with its byte range.
fn element_text(xml: &str, local: &str) -> Option<(usize, usize)> {
    let at = find_start_tag(xml, local)?;
    let open_end = at + xml[at..].find('>')?;
    if xml[..open_end].ends_with('/') {
        return None;
    }
    let start = open_end + 1;
    let end = start + xml[start..].find('<')?;
    Some((start, end))
}

/// Serves a `SyncFolderItems` request while sync states are expired.
pub(super) async fn serve(
    shared: &Shared,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    // The body may change length; the new body knows its own.
    parts.headers.remove(header::CONTENT_LENGTH);
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if let Some((start, end)) = element_text(&text, "SyncState") {
        let given = text[start..end].trim().to_owned();
        let fresh = shared
            .store
            .lock()
            .control
            .fresh_sync_states
            .contains(&given);
        if !given.is_empty() && !fresh {
            text.replace_range(start..end, EXPIRED);
        }
    }
    let response = next.run(Request::from_parts(parts, Body::from(text))).await;
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let answer = String::from_utf8_lossy(&bytes);
    if let Some((start, end)) = element_text(&answer, "SyncState") {
        let issued = answer[start..end].trim().to_owned();
        shared.store.lock().control.fresh_sync_states.insert(issued);
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_state_text_only_in_a_full_element() {
        let xml = "<m:SyncFolderItems><m:SyncState>abc</m:SyncState></m:SyncFolderItems>";
        let (s, e) = element_text(xml, "SyncState").expect("found");
        assert_eq!(&xml[s..e], "abc");
        assert_eq!(element_text("<m:SyncState/>", "SyncState"), None);
    }
}

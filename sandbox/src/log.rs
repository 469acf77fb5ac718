//! One stderr line per request: method, path and status. Never the query string
//! or body, which carry codes, tokens, verifiers and state; nor the ids in a path that
//! act as credentials (a notification channel's id is all a WebSocket needs).
//!
//! `eprintln!` rather than `tracing`: the e2e suite relies on these lines as they are
//! ("GET /health 200"), and tracing-subscriber's formatter would add a timestamp and
//! level unless replaced by a custom formatter longer than this file.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::faults::Dropped;

pub async fn layer(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = redacted(request.uri().path());
    let response = next.run(request).await;
    // A dropped request's status never reaches the client; say what it did see.
    if response.extensions().get::<Dropped>().is_some() {
        eprintln!("{method} {path} dropped");
    } else {
        eprintln!("{method} {path} {}", response.status().as_u16());
    }
    response
}

/// `path` with the segment after `channels` (Genesys channel ids) and `agent-sessions`
/// (CXone session ids) replaced by `{id}`.
pub fn redacted(path: &str) -> String {
    let mut previous = "";
    path.split('/')
        .map(|segment| {
            let secret = matches!(previous, "channels" | "agent-sessions")
                && !segment.is_empty()
                && segment != "join";
            previous = segment;
            if secret {
                "{id}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn channel_and_session_ids_are_not_logged() {
        assert_eq!(redacted("/health"), "/health");
        assert_eq!(redacted("/channels/streaming-0-abc"), "/channels/{id}");
        assert_eq!(
            redacted("/api/v2/notifications/channels/streaming-0-abc/subscriptions"),
            "/api/v2/notifications/channels/{id}/subscriptions"
        );
        assert_eq!(
            redacted("/api/v2/notifications/channels"),
            "/api/v2/notifications/channels"
        );
        assert_eq!(
            redacted("/InContactAPI/services/v23.0/agent-sessions/s3cr3t/get-next-event"),
            "/InContactAPI/services/v23.0/agent-sessions/{id}/get-next-event"
        );
        assert_eq!(
            redacted("/InContactAPI/services/v23.0/agent-sessions/join"),
            "/InContactAPI/services/v23.0/agent-sessions/join"
        );
    }
}

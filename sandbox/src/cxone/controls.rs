//! The cxone flavor's live test controls (`--test-controls`), under /__sandbox/cxone/.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::api_error;
use crate::controls::live;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/__sandbox/cxone/push", post(push))
        .route("/__sandbox/cxone/end-session", post(end_session))
        .route("/__sandbox/cxone/sessions", get(sessions))
}

fn bad_request(message: &str) -> Response {
    api_error(StatusCode::BAD_REQUEST, message)
}

/// `{"user", "event": {"Type": …, …}}`: queued as is for the user's live session(s).
/// → `{"sessions": n}`.
async fn push(State(state): State<AppState>, body: Bytes) -> Response {
    match live::parse_cxone_push(&body) {
        Ok(p) => {
            let n = state.cxone_live.push(p.user.id, Value::Object(p.event));
            Json(json!({ "sessions": n })).into_response()
        }
        Err(message) => bad_request(&message),
    }
}

/// `{"user", "event"?: true}`: the platform ends the user's session: a
/// `RemoteAgentSessionEnd` event (unless `"event": false`), then 409. → `{"sessions": n}`.
async fn end_session(State(state): State<AppState>, body: Bytes) -> Response {
    match live::parse_end_session(&body) {
        Ok((user, with_event)) => {
            let n = state.cxone_live.end_remotely(user.id, with_event);
            state
                .controls()
                .add(crate::controls::Counter::AgentSessionsEnded, n as u64);
            Json(json!({ "sessions": n })).into_response()
        }
        Err(message) => bad_request(&message),
    }
}

/// `{"sessions": [{session_id, user_id, ended, queued}]}`.
async fn sessions(State(state): State<AppState>) -> Response {
    Json(json!({ "sessions": state.cxone_live.describe() })).into_response()
}

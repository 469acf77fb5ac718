//! The genesys flavor's live test controls (`--test-controls`), under /__sandbox/genesys/.
//! Bodies are parsed strictly by `controls::live`; see the sandbox README for each.

use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::notifications::Outgoing;
use super::presence::{self, ROUTING_STATUSES};
use crate::controls::live;
use crate::random;
use crate::responses::api_error;
use crate::users::ORGANIZATION_ID;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/__sandbox/genesys/push", post(push))
        .route("/__sandbox/genesys/agent-state", post(agent_state))
        .route("/__sandbox/genesys/socket-closing", post(socket_closing))
        .route("/__sandbox/genesys/drop-sockets", post(drop_sockets))
        .route("/__sandbox/genesys/expire-channels", post(expire_channels))
        .route("/__sandbox/genesys/reject-topic", post(reject_topic))
        .route("/__sandbox/genesys/permissions", post(permissions))
        .route("/__sandbox/genesys/channels", get(channels))
}

fn bad_request(message: &str) -> Response {
    api_error(StatusCode::BAD_REQUEST, "bad.request", message)
}

fn sockets(n: usize) -> Response {
    Json(json!({ "sockets": n })).into_response()
}

/// `{"user", "topic_name", "event_body"}` → `{"sockets": n}` that got it.
async fn push(State(state): State<AppState>, body: Bytes) -> Response {
    match live::parse_push(&body) {
        Ok(p) => sockets(
            state
                .genesys_live
                .push(p.user.id, &p.topic_name, p.event_body),
        ),
        Err(message) => bad_request(&message),
    }
}

/// `{"user", "presence"?, "routing_status"?}`: the platform changes the user's state
/// (with the events a real change sends). 204.
async fn agent_state(State(state): State<AppState>, body: Bytes) -> Response {
    let change = match live::parse_agent_state(&body) {
        Ok(change) => change,
        Err(message) => return bad_request(&message),
    };
    let definition = match change.presence.as_deref().map(presence::find) {
        Some(None) => {
            return bad_request("presence: no such presence definition or system presence")
        }
        Some(found) => found,
        None => None,
    };
    let status = match change.routing_status.as_deref() {
        Some(s) => match ROUTING_STATUSES.iter().find(|r| **r == s) {
            Some(r) => Some(*r),
            None => {
                return bad_request(&format!(
                    "routing_status must be one of {}",
                    ROUTING_STATUSES.join(", ")
                ))
            }
        },
        None => None,
    };
    let now = SystemTime::now();
    if let Some(definition) = definition {
        state
            .genesys_live
            .set_presence(change.user.id, definition, String::new(), now);
    }
    if let Some(status) = status {
        state
            .genesys_live
            .set_routing_status(change.user.id, status, now);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `{"user", "close_after_ms"?}`: `v2.system.socket_closing` to each of the user's sockets,
/// which are closed (1001) `close_after_ms` later if still open. → `{"sockets": n}`.
async fn socket_closing(State(state): State<AppState>, body: Bytes) -> Response {
    let closing = match live::parse_socket_closing(&body) {
        Ok(closing) => closing,
        Err(message) => return bad_request(&message),
    };
    let targets = state.genesys_live.user_sockets(closing.user.id);
    for target in &targets {
        // `SystemMessageSystemMessage`; the values are the sandbox's.
        let body = json!({
            "channelId": target.channel_id,
            "systemTopicType": "socket_closing",
            "correlationId": random::uuid_v4(),
            "organizationId": ORGANIZATION_ID,
            "userId": closing.user.id,
            "reason": "maintenance",
            "message": "This WebSocket will close soon; connect a new one to the same channel.",
        });
        let text = super::notifications::envelope("v2.system.socket_closing", body);
        state
            .genesys_live
            .send_to_socket(target, Outgoing::Text(text));
    }
    let n = targets.len();
    let later = state.clone();
    let delay: Duration = closing.close_after;
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        for target in &targets {
            later.genesys_live.send_to_socket(
                target,
                Outgoing::Close(Some((1001, "Closed for maintenance".into()))),
            );
        }
    });
    sockets(n)
}

/// `{"user", "close_frame"?}`: ends the user's sockets now, with a 1001 close frame or
/// (default) without any. → `{"sockets": n}`.
async fn drop_sockets(State(state): State<AppState>, body: Bytes) -> Response {
    match live::parse_drop_sockets(&body) {
        Ok(d) => {
            let n = state.genesys_live.for_user_sockets(d.user.id, |_, socket| {
                let how = d
                    .close_frame
                    .then(|| (1001, "Dropped by a sandbox test control".to_string()));
                let _ = socket.tx.send(Outgoing::Close(how));
            });
            sockets(n)
        }
        Err(message) => bad_request(&message),
    }
}

/// `{"user", "channel_id"?}`: the channels end now, as at their 24 hours: sockets closed
/// (1001), REST and upgrades 404. → `{"channels": n}`.
async fn expire_channels(State(state): State<AppState>, body: Bytes) -> Response {
    match live::parse_expire_channels(&body) {
        Ok(e) => {
            let n = state
                .genesys_live
                .expire_channels(e.user.id, e.channel_id.as_deref());
            Json(json!({ "channels": n })).into_response()
        }
        Err(message) => bad_request(&message),
    }
}

/// `{"topic", "missing_permissions": [...], "reason"?}`: later subscriptions to the topic
/// (or a combined topic that expands to it) are Rejected. 204.
async fn reject_topic(State(state): State<AppState>, body: Bytes) -> Response {
    match live::parse_reject_topic(&body) {
        Ok(rule) => {
            state.controls().live_mut().rejections.push(rule);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(message) => bad_request(&message),
    }
}

/// `{"user", "on_queue": false}`: the user loses (or with `true` gets back) the On Queue
/// permission. 204.
async fn permissions(State(state): State<AppState>, body: Bytes) -> Response {
    match live::parse_permissions(&body) {
        Ok((user, on_queue)) => {
            let mut controls = state.controls();
            let denied = &mut controls.live_mut().on_queue_denied;
            if on_queue {
                denied.remove(user.id);
            } else {
                denied.insert(user.id.to_string());
            }
            StatusCode::NO_CONTENT.into_response()
        }
        Err(message) => bad_request(&message),
    }
}

/// `{"channels": [{id, user_id, topics, connected, expires}], "sockets_open": n}`.
async fn channels(State(state): State<AppState>) -> Response {
    let hub = &state.genesys_live;
    Json(json!({
        "channels": hub.describe(SystemTime::now()),
        "sockets_open": hub.sockets_open(),
    }))
    .into_response()
}

//! The WebSocket at a channel's `connectUri` (`ws://<host>/channels/{id}`). No auth, as
//! the real service: the SDKs dial it with no header, so the channel id is the credential
//! (AGENT-APIS.md §1). An unknown or expired channel's upgrade is refused with 404.
//!
//! Each socket gets its channel's events (`notifications::Hub`), a `channel.metadata`
//! "WebSocket Heartbeat" every `heartbeat_interval`, and a `channel.metadata` "pong" for
//! each `{"message":"ping"}`. Other frames from the client are ignored.

use std::time::{Duration, SystemTime};

use axum::extract::ws::{
    rejection::WebSocketUpgradeRejection, CloseFrame, Message, WebSocket, WebSocketUpgrade,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::time::{sleep_until, Instant};

use super::notifications::{metadata, Outgoing};
use crate::controls::{Counter, Endpoint};
use crate::responses::api_error;
use crate::{faults, AppState};

pub const HEARTBEAT: &str = "WebSocket Heartbeat";

/// GET /channels/{id} with an Upgrade: websocket.
pub async fn upgrade(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if let Some(response) = faults::intercept(&state, &[Endpoint::Live]).await {
        return response;
    }
    if !state.genesys_live.is_live(&id, SystemTime::now()) {
        return api_error(
            StatusCode::NOT_FOUND,
            "not.found",
            "The requested resource was not found.",
        );
    }
    match ws {
        Ok(ws) => ws.on_upgrade(move |socket| run(state, id, socket)),
        Err(rejection) => rejection.into_response(),
    }
}

fn is_ping(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|v| v["message"] == "ping")
}

async fn close(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

async fn run(state: AppState, id: String, mut socket: WebSocket) {
    let Some((socket_id, mut rx, expires)) = state.genesys_live.attach(&id, SystemTime::now())
    else {
        close(&mut socket, 1001, "Channel expired").await;
        return;
    };
    state.controls().count(Counter::SocketsOpened);
    let expiry = Instant::now()
        + expires
            .duration_since(SystemTime::now())
            .unwrap_or_default();
    let mut last_beat = Instant::now();
    loop {
        let live = state.controls().live().settings;
        let beat_at = last_beat + live.heartbeat_interval;
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) if is_ping(&text) => {
                    state.controls().count(Counter::Pings);
                    let pongs = state.controls().live().settings.pongs;
                    if pongs && socket.send(Message::Text(metadata("pong").into())).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) => {
                    // The reply is queued by tungstenite; reading on sends it and ends the
                    // stream, so the client sees a clean close.
                    let drain = async { while let Some(Ok(_)) = socket.recv().await {} };
                    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
                    break;
                }
                Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            outgoing = rx.recv() => match outgoing {
                Some(Outgoing::Text(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Close(Some((code, reason)))) => {
                    close(&mut socket, code, &reason).await;
                    break;
                }
                // No close frame: the connection just ends (the hub dropping the
                // sender means the channel is gone).
                Some(Outgoing::Close(None)) | None => break,
                Some(Outgoing::Wake) => {}
            },
            _ = sleep_until(beat_at), if live.heartbeats => {
                if socket.send(Message::Text(metadata(HEARTBEAT).into())).await.is_err() {
                    break;
                }
                last_beat = Instant::now();
            }
            _ = sleep_until(expiry) => {
                close(&mut socket, 1001, "Channel expired").await;
                break;
            }
        }
    }
    state.genesys_live.detach(&id, socket_id);
}

//! /__sandbox/*: the test controls, routed only with `--test-controls`.
//!
//! Bodies are JSON whatever their Content-Type, so a test runner can send them
//! without ceremony; mistakes get a 400 whose message names the problem.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::controls::live::parse_live_settings;
use crate::controls::{check_flavor, parse_rule, parse_settings};
use crate::responses::api_error;
use crate::AppState;

/// The test control paths; without `--test-controls` they are not routed (404).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/__sandbox/fail-next", post(fail_next))
        .route("/__sandbox/settings", post(settings))
        .route(
            "/__sandbox/expire-access-tokens",
            post(expire_access_tokens),
        )
        .route("/__sandbox/stats", get(stats))
        .route("/__sandbox/expire-sso-sessions", post(expire_sso_sessions))
        .route("/__sandbox/token-status", post(token_status))
        .route("/__sandbox/reset", post(reset))
        .route("/__sandbox/live-settings", post(live_settings))
}

fn bad_request(message: &str) -> Response {
    api_error(StatusCode::BAD_REQUEST, "bad.request", message)
}

/// POST /__sandbox/fail-next: queue a failure rule.
pub async fn fail_next(State(state): State<AppState>, body: Bytes) -> Response {
    // The ID token modes are refused outright by the genesys flavor.
    let rule = parse_rule(&body).and_then(|rule| {
        check_flavor(&rule, state.config.flavor)?;
        Ok(rule)
    });
    match rule {
        Ok(rule) => {
            state.controls().add_rule(rule);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(message) => bad_request(&message),
    }
}

/// POST /__sandbox/settings: change how later tokens are issued.
pub async fn settings(State(state): State<AppState>, body: Bytes) -> Response {
    match parse_settings(&body) {
        Ok(update) => {
            state.controls().update_settings(update);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(message) => bad_request(&message),
    }
}

/// POST /__sandbox/expire-access-tokens: every access token issued so far dies now.
pub async fn expire_access_tokens(State(state): State<AppState>) -> Response {
    state.store().expire_access_tokens(Instant::now());
    StatusCode::NO_CONTENT.into_response()
}

/// GET /__sandbox/stats: request counts since start or the last reset, plus
/// `live_refresh_tokens`, the store's current count (not reset by `reset`).
pub async fn stats(State(state): State<AppState>) -> Response {
    let mut stats = state.controls().stats().to_json();
    stats["live_refresh_tokens"] = json!(state.store().live_refresh_tokens());
    for (name, value) in state.live_gauges() {
        stats[name] = json!(value);
    }
    Json(stats).into_response()
}

/// POST /__sandbox/expire-sso-sessions: every sign-in page session ends now; the next
/// authorization request shows the form again.
pub async fn expire_sso_sessions(State(state): State<AppState>) -> Response {
    state.store().end_all_sso();
    StatusCode::NO_CONTENT.into_response()
}

/// POST /__sandbox/token-status `{"refresh_token": "..."}`:
/// `{"refresh_token_status": "live" | "spent" | "revoked" | "unknown"}`.
pub async fn token_status(State(state): State<AppState>, body: Bytes) -> Response {
    let token = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => match (map.get("refresh_token"), map.len()) {
            (Some(Value::String(token)), 1) => token.clone(),
            _ => {
                return bad_request(
                    "the body must be {\"refresh_token\": \"...\"} and nothing else",
                )
            }
        },
        _ => return bad_request("the body must be a JSON object"),
    };
    let status = state.store().refresh_status(&token);
    Json(json!({ "refresh_token_status": status.as_str() })).into_response()
}

/// POST /__sandbox/reset: back to the command line's behaviour. Codes and
/// tokens are kept; a test that needs a clean slate signs in afresh.
pub async fn reset(State(state): State<AppState>) -> Response {
    state.controls().reset();
    state.reset_agents();
    state.live_settings_changed();
    StatusCode::NO_CONTENT.into_response()
}

/// POST /__sandbox/live-settings `{"heartbeat_interval_ms", "heartbeats", "pong",
/// "long_poll_cap_ms"}`, every field optional.
pub async fn live_settings(State(state): State<AppState>, body: Bytes) -> Response {
    match parse_live_settings(&body) {
        Ok(update) => {
            state.controls().live_mut().update(update);
            state.live_settings_changed();
            StatusCode::NO_CONTENT.into_response()
        }
        Err(message) => bad_request(&message),
    }
}

//! GET or POST (form) /auth/authorize/logout with id_token_hint, post_logout_redirect_uri
//! and state: OpenID Connect RP-initiated logout (section 2 requires both methods; the app
//! POSTs so that the ID token hint stays out of URLs). Like the Genesys flavor's /logout it ends
//! nothing server-side (tokens stay valid) and only redirects to the app's origins.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde_json::Value;

use super::BRAND;
use crate::config::origin_of;
use crate::controls::Counter;
use crate::pages::branded_error_page;
use crate::params::{with_query, Params};
use crate::responses::{html, redirect};
use crate::AppState;

pub async fn logout(State(state): State<AppState>, uri: Uri) -> Response {
    end_session(&state, Params::from_query(uri.query()))
}

pub async fn logout_form(State(state): State<AppState>, body: Bytes) -> Response {
    end_session(&state, Params::parse(&body))
}

fn end_session(state: &AppState, params: Params) -> Response {
    state.controls().count(Counter::Logout);
    let reject = |message: &str| {
        html(
            StatusCode::BAD_REQUEST,
            branded_error_page(&BRAND, "Sign-out request rejected", message),
        )
    };

    // A hint must be an ID token this server issued for the client (expired is fine).
    match params.single("id_token_hint") {
        Ok(None) => {}
        Ok(Some(hint)) => {
            let ours = state.cxone.verify(hint).is_some_and(|claims| {
                claims.get("iss").and_then(Value::as_str) == Some(state.cxone.issuer.as_str())
                    && audience_contains(&claims, &state.config.client_id)
            });
            if !ours {
                return reject("id_token_hint is not an ID token issued to this client.");
            }
        }
        Err(_) => return reject("id_token_hint was given more than once."),
    }
    let app_state = match params.single("state") {
        Ok(s) => s,
        Err(_) => return reject("state was given more than once."),
    };
    match params.single("post_logout_redirect_uri") {
        Ok(Some(target))
            if !target.contains('#')
                && origin_of(target).is_some_and(|o| state.allowed_origins.contains(&o)) =>
        {
            match app_state {
                Some(s) => redirect(&with_query(target, &[("state", s)])),
                None => redirect(target),
            }
        }
        _ => reject("post_logout_redirect_uri is not on an origin registered for this client."),
    }
}

fn audience_contains(claims: &Value, client_id: &str) -> bool {
    match claims.get("aud") {
        Some(Value::String(aud)) => aud == client_id,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    }
}

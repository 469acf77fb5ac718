//! GET or POST (form) /auth/authorize/logout with id_token_hint, post_logout_redirect_uri
//! and state: OpenID Connect RP-initiated logout (section 2 requires both methods; the app
//! POSTs so that the ID token hint stays out of URLs). It ends nothing server-side (tokens stay
//! valid: CXone has no revocation) and redirects only with a valid hint, to an origin of the
//! hint's client; without a hint it shows a "signed out" page, as CXone does.

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
    // What CXone leaves the user on when it cannot send them back.
    let signed_out = |message: &str| {
        html(
            StatusCode::OK,
            branded_error_page(&BRAND, "You are signed out", message),
        )
    };

    // `client_id` is ignored: CXone's logout request has none (its OpenAPI types list
    // id_token_hint, post_logout_redirect_uri, state, ui_locales, yes, no). The client is
    // the one the hint was issued to, and only a hint can vouch for the return address.
    let hint_client = match params.single("id_token_hint") {
        Ok(None) => None,
        Ok(Some(hint)) => match hint_audience(state, hint) {
            Some(client) => Some(client),
            None => return reject(
                "id_token_hint is not an ID token issued by this server to a registered client.",
            ),
        },
        Err(_) => return reject("id_token_hint was given more than once."),
    };
    let app_state = match params.single("state") {
        Ok(s) => s,
        Err(_) => return reject("state was given more than once."),
    };
    let target = match params.single("post_logout_redirect_uri") {
        Ok(target) => target,
        Err(_) => return reject("post_logout_redirect_uri was given more than once."),
    };
    let (Some(target), Some(client)) = (target, hint_client) else {
        // RP-Initiated Logout 1.0 section 2: without a hint the OP must not redirect.
        return signed_out(
            "No id_token_hint came with this request, so the application's return address \
             cannot be checked.",
        );
    };
    // The sandbox registers one client; its redirect URIs' origins are where it may return.
    if client != state.config.client_id
        || target.contains('#')
        || !origin_of(target).is_some_and(|o| state.allowed_origins.contains(&o))
    {
        return reject(
            "post_logout_redirect_uri is not registered for the client of id_token_hint.",
        );
    }
    match app_state {
        Some(s) => redirect(&with_query(target, &[("state", s)])),
        None => redirect(target),
    }
}

/// The client a logout hint names: an ID token this server signed (expired is fine),
/// with our issuer and the registered client in `aud`. `None` for anything else:
/// malformed, forged, another issuer's, an access token, another client's.
fn hint_audience(state: &AppState, hint: &str) -> Option<String> {
    let claims = state.cxone.verify(hint)?;
    if claims.get("iss").and_then(Value::as_str) != Some(state.cxone.issuer.as_str()) {
        return None;
    }
    // Access tokens are signed with the same key but carry no `aud`.
    audience_contains(&claims, &state.config.client_id).then(|| state.config.client_id.clone())
}

fn audience_contains(claims: &Value, client_id: &str) -> bool {
    match claims.get("aud") {
        Some(Value::String(aud)) => aud == client_id,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(client_id)),
        _ => false,
    }
}

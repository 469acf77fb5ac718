//! POST /oauth/token: the grants of `oauth::token` with Genesys' responses.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::controls::Settings;
use crate::oauth::token::{grant_route, run_grant};
use crate::params::{is_form_urlencoded, Params};
use crate::responses::{no_store, oauth_error};
use crate::store::IssuedTokens;
use crate::{faults, AppState};

pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let params = is_form_urlencoded(&headers).then(|| Params::parse(&body));
    let grant_type = params.as_ref().map(|p| p.single("grant_type"));

    // Counted and matched against failure rules before any validation, as a
    // server failing in front of the OAuth logic would.
    let (counter, endpoints) = grant_route(&grant_type);
    state.controls().count(counter);
    if let Some(response) = faults::intercept(&state, endpoints).await {
        return response;
    }

    let (Some(params), Some(grant_type)) = (&params, grant_type) else {
        return oauth_error(
            "invalid_request",
            "The token request must be sent as application/x-www-form-urlencoded.",
        );
    };
    // Read once, after any delay, so the response and the stored tokens agree.
    let settings = state.controls().settings();
    match run_grant(&state, &settings, params, grant_type) {
        Ok(tokens) => success(&settings, tokens),
        Err(error) => oauth_error(error.error, &error.description),
    }
}

fn success(settings: &Settings, tokens: IssuedTokens) -> Response {
    let mut body = json!({
        "access_token": tokens.access_token,
        "token_type": "bearer",
        "expires_in": settings.access_token_lifetime.as_secs(),
    });
    // Absent rather than null, as servers that issue none do it.
    if let Some(refresh_token) = tokens.refresh_token {
        body["refresh_token"] = json!(refresh_token);
    }
    no_store(StatusCode::OK, Json(body).into_response())
}

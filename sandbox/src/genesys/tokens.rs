//! GET and DELETE /api/v2/tokens/me: the current token's details, and sign-out.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::auth::authenticate;
use crate::controls::{Counter, Endpoint};
use crate::responses::Refusal;
use crate::users::organization_json;
use crate::{faults, AppState};

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Refusal> {
    state.controls().count(Counter::TokensMe);
    faults::pass(&state, &[Endpoint::Api]).await?;
    let grant = authenticate(&state, &headers)?;
    Ok(Json(json!({
        "organization": organization_json(),
        "homeOrganization": organization_json(),
        "authorizedScope": [],
        "clonedUser": null,
        "OAuthClient": { "id": grant.client_id, "name": "pkce-desk (sandbox)" },
    }))
    .into_response())
}

/// Revokes the whole sign-in (every token from the same code), as sign-out should.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    state.controls().count(Counter::Revoke);
    faults::pass(&state, &[Endpoint::Revoke, Endpoint::Api]).await?;
    let grant = authenticate(&state, &headers)?;
    // The whole family: rotated refresh tokens the client may never have seen included.
    let revoked = state.store().revoke_family(grant.family);
    state.controls().add(Counter::RevokedRefreshTokens, revoked);
    Ok(StatusCode::NO_CONTENT.into_response())
}

//! GET /auth/userinfo and GET /user-management/v1/users/{userId}, both with
//! `Authorization: Bearer <access token>`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::users::{user_json, userinfo_json};
use super::{api_error, authenticate, intercept, invalid_token};
use crate::controls::{Counter, Endpoint};
use crate::users::by_id;
use crate::AppState;

/// OpenID Connect userinfo for the token's user.
pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    state.controls().count(Counter::UsersMe);
    if let Some(response) = intercept(&state, &[Endpoint::UsersMe]).await {
        return response;
    }
    let grant = match authenticate(&state, &headers) {
        Ok(grant) => grant,
        Err(rejection) => return rejection.into_response(),
    };
    match by_id(&grant.user_id) {
        Some(user) => Json(userinfo_json(user)).into_response(),
        None => invalid_token("The access token is invalid, expired or revoked."),
    }
}

/// A user by id; a token may read only its own user (403 for another, 404 unknown).
pub async fn user(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    state.controls().count(Counter::UsersMe);
    if let Some(response) = intercept(&state, &[Endpoint::UsersMe, Endpoint::Api]).await {
        return response;
    }
    let grant = match authenticate(&state, &headers) {
        Ok(grant) => grant,
        Err(rejection) => return rejection.into_response(),
    };
    let Some(user) = by_id(&user_id) else {
        return api_error(StatusCode::NOT_FOUND, "User not found");
    };
    if user.id != grant.user_id {
        return api_error(
            StatusCode::FORBIDDEN,
            "The access token does not allow reading this user.",
        );
    }
    Json(user_json(user)).into_response()
}

//! GET /auth/userinfo and GET /user-management/v1/users/{userId}, both with
//! `Authorization: Bearer <access token>`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::users::{user_json, userinfo_json};
use super::{api_error, authenticate, invalid_token, pass};
use crate::controls::{Counter, Endpoint};
use crate::responses::Refusal;
use crate::users::by_id;
use crate::AppState;

/// OpenID Connect userinfo for the token's user.
pub async fn userinfo(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    state.controls().count(Counter::UsersMe);
    pass(&state, &[Endpoint::UsersMe]).await?;
    let grant = authenticate(&state, &headers)?;
    let user = by_id(&grant.user_id)
        .ok_or_else(|| invalid_token("The access token is invalid, expired or revoked."))?;
    Ok(Json(userinfo_json(user)).into_response())
}

/// A user by id; a token may read only its own user (403 for another, 404 unknown).
pub async fn user(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    state.controls().count(Counter::UsersMe);
    pass(&state, &[Endpoint::UsersMe, Endpoint::Api]).await?;
    let grant = authenticate(&state, &headers)?;
    let user = by_id(&user_id).ok_or_else(|| api_error(StatusCode::NOT_FOUND, "User not found"))?;
    if user.id != grant.user_id {
        return Err(api_error(
            StatusCode::FORBIDDEN,
            "The access token does not allow reading this user.",
        )
        .into());
    }
    Ok(Json(user_json(user)).into_response())
}

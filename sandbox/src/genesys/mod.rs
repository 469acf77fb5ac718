//! The Genesys Cloud flavor (the default): /oauth/*, /api/v2/* and /logout, plus the
//! notification service's WebSocket at /channels/{id} (`socket`).

pub mod authorize;
pub mod controls;
pub mod logout;
pub mod notifications;
pub mod presence;
pub mod queues;
pub mod socket;
pub mod token;
pub mod tokens;
pub mod users;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, head, post};
use axum::Router;

use crate::controls::Endpoint;
use crate::responses::api_error;
use crate::{faults, AppState};

/// The flavor's routes and its 404; `app` adds /health and the test controls.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/oauth/authorize",
            get(authorize::show).post(authorize::submit),
        )
        .route("/oauth/token", axum::routing::post(token::token))
        .route("/api/v2/users/me", get(users::me))
        .route("/api/v2/routing/queues/me", get(queues::me))
        .route(
            "/api/v2/tokens/me",
            get(tokens::show).delete(tokens::revoke),
        )
        .route(
            "/api/v2/notifications/channels",
            post(notifications::create).get(notifications::list),
        )
        .route(
            "/api/v2/notifications/channels/{channel_id}",
            head(notifications::head),
        )
        .route(
            "/api/v2/notifications/channels/{channel_id}/subscriptions",
            get(notifications::subscriptions)
                // POST adds to the list, PUT replaces it.
                .post(notifications::change_subscriptions::<false>)
                .put(notifications::change_subscriptions::<true>)
                .delete(notifications::unsubscribe_all),
        )
        .route("/channels/{channel_id}", get(socket::upgrade))
        .route("/api/v2/presence/definitions", get(presence::definitions))
        .route(
            "/api/v2/presencedefinitions",
            get(presence::legacy_definitions),
        )
        .route(
            "/api/v2/users/{user_id}/presences/{source}",
            get(presence::get_presence).patch(presence::patch),
        )
        .route(
            "/api/v2/users/{user_id}/routingstatus",
            get(presence::routing_status),
        )
        .route("/logout", get(logout::logout))
        .fallback(not_found)
}

/// The Genesys-shaped 404.
async fn not_found(State(state): State<AppState>, uri: Uri) -> Response {
    // An "api" failure rule covers every /api/v2 path, even ones Genesys would 404.
    if uri.path().starts_with("/api/v2/") {
        if let Some(response) = faults::intercept(&state, &[Endpoint::Api]).await {
            return response;
        }
    }
    api_error(
        StatusCode::NOT_FOUND,
        "not.found",
        "The requested resource was not found.",
    )
}

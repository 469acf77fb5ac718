//! Health check and the Genesys-shaped 404.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

use crate::config::Flavor;
use crate::controls::Endpoint;
use crate::responses::api_error;
use crate::{cxone, faults, AppState};

pub async fn health() -> &'static str {
    "ok"
}

pub async fn not_found(State(state): State<AppState>, uri: Uri) -> Response {
    if state.config.flavor == Flavor::Cxone {
        return cxone::not_found(&state, &uri).await;
    }
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

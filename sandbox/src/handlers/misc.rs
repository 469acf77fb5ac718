//! Health check and the Genesys-shaped 404.

use axum::http::StatusCode;
use axum::response::Response;

use crate::responses::api_error;

pub async fn health() -> &'static str {
    "ok"
}

pub async fn not_found() -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        "not.found",
        "The requested resource was not found.",
    )
}

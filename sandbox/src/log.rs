//! One stderr line per request: method, path and status. Never the query string
//! or body, which carry codes, tokens, verifiers and state.
//!
//! `eprintln!` rather than `tracing`: the e2e suite relies on these lines as they are
//! ("GET /health 200"), and tracing-subscriber's formatter would add a timestamp and
//! level unless replaced by a custom formatter longer than this file.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::faults::Dropped;

pub async fn layer(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    // A dropped request's status never reaches the client; say what it did see.
    if response.extensions().get::<Dropped>().is_some() {
        eprintln!("{method} {path} dropped");
    } else {
        eprintln!("{method} {path} {}", response.status().as_u16());
    }
    response
}

//! One stderr line per request: method, path and status. Never the query string
//! or body, which carry codes, tokens, verifiers and state.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

pub async fn layer(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    eprintln!("{method} {path} {}", response.status().as_u16());
    response
}

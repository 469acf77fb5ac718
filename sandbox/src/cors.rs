//! CORS for the app's origins only: the origins of the registered redirect URIs.
//! Other origins get no CORS headers at all, so browsers block their reads.
//!
//! Hand-written rather than tower-http's `CorsLayer` (0.6), which cannot keep that
//! behaviour: it answers every OPTIONS itself (200, not 204, even without a registered
//! Origin) with Allow-Methods, Allow-Headers and Max-Age for any origin, and adds
//! Expose-Headers to every response whatever the origin.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// PUT and PATCH: notification subscriptions and presence changes; HEAD: a channel check.
const ALLOW_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS: &str = "authorization, content-type";
/// Response headers scripts may read: the app honours `Retry-After` on a 429 and reads the
/// bearer error on a 401; neither is CORS-safelisted.
const EXPOSE_HEADERS: &str = "retry-after, www-authenticate";
/// Lets browsers reuse a preflight for ten minutes.
const MAX_AGE: &str = "600";

pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let allowed = allowed_origin(&state, request.headers());

    if request.method() == Method::OPTIONS {
        if let Some(origin) = allowed {
            // Preflight: answered here, whatever the path.
            let mut response = StatusCode::NO_CONTENT.into_response();
            let h = response.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(ALLOW_METHODS),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOW_HEADERS),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static(MAX_AGE),
            );
            add_vary(&mut response);
            return response;
        }
    }

    let mut response = next.run(request).await;
    if let Some(origin) = allowed {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
    // The response depends on Origin either way, so caches must key on it.
    add_vary(&mut response);
    response
}

/// The request's Origin, if it is one of the allowed ones (exact match).
fn allowed_origin(state: &AppState, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    state
        .allowed_origins
        .iter()
        .any(|allowed| allowed == text)
        .then(|| origin.clone())
}

fn add_vary(response: &mut Response) {
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Origin"));
}

//! Response builders shared by the handlers, so the security headers and
//! error shapes are the same everywhere.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::random;

/// An API handler's early answer instead of its result (an injected fault, a 401, a
/// 404...), so handlers can use `?` (axum's error-handling example).
/// Boxed: a `Response` is large and `Result`s carry it on every happy path too.
pub struct Refusal(Box<Response>);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl From<Response> for Refusal {
    fn from(response: Response) -> Self {
        Self(Box::new(response))
    }
}

/// Pages must not be cached, leak their URL (which carries the PKCE challenge
/// and state) in a Referer, run scripts, or be framed.
pub fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // No form-action: Chrome applies it to the redirect that follows the POST,
    // which goes to the app's origin.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; \
             frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// 302 to a URL that carries a code or an error; never cached, no Referer.
pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = StatusCode::FOUND.into_response();
            let h = response.headers_mut();
            h.insert(header::LOCATION, value);
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            response
        }
        // Registered redirect URIs are plain ASCII and the query is percent-encoded,
        // so this only happens with an odd registered URI.
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "redirect URI is not a valid header value",
        )
            .into_response(),
    }
}

/// The status of a token endpoint error (RFC 6749 5.2): invalid_client is 401, the rest 400.
pub fn oauth_error_status(error: &str) -> StatusCode {
    if error == "invalid_client" {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// Genesys' token endpoint error: RFC 6749 5.2 plus `description`, which Genesys adds with
/// the same text (Go SDK `AuthErrorResponse`; a captured body in PROVIDERS.md).
pub fn oauth_error(error: &str, description: &str) -> Response {
    no_store(
        oauth_error_status(error),
        Json(json!({
            "error": error,
            "description": description,
            "error_description": description,
        }))
        .into_response(),
    )
}

/// Token responses must not be cached (RFC 6749 5.1).
pub fn no_store(status: StatusCode, mut response: Response) -> Response {
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Genesys Cloud's API error body.
pub fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({
        "message": message,
        "code": code,
        "status": status.as_u16(),
        "contextId": random::uuid_v4(),
        "details": [],
        "errors": [],
    });
    (status, Json(body)).into_response()
}

/// Genesys Cloud's 403 for a missing permission (`missing.any.permissions`), naming the
/// permissions (`a, b`).
pub fn missing_permissions(permissions: &str) -> Response {
    api_error(
        StatusCode::FORBIDDEN,
        "missing.any.permissions",
        &format!(
            "Unable to perform the requested action. You are missing the following \
             permission(s): [{permissions}]"
        ),
    )
}

/// 401 for a missing or dead bearer token (RFC 6750 3).
pub fn unauthorized(message: &str) -> Response {
    let mut response = api_error(StatusCode::UNAUTHORIZED, "bad.credentials", message);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

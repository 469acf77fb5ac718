//! Bearer-token authentication for the /api/v2 endpoints (RFC 6750 2.1).

use std::time::Instant;

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use crate::responses::unauthorized;
use crate::store::Grant;
use crate::AppState;

/// The token from `Authorization: Bearer <token>`; the scheme is case-insensitive.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A missing or dead token; becomes Genesys's 401.
pub struct Unauthorized(&'static str);

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        unauthorized(self.0)
    }
}

/// The live grant behind the request's bearer token.
pub fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Grant, Unauthorized> {
    let Some(token) = bearer_token(headers) else {
        return Err(Unauthorized(
            "No authentication bearer token specified in authorization header.",
        ));
    };
    state
        .store()
        .access_grant(token, Instant::now())
        .ok_or(Unauthorized("Invalid login credentials."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn parses_bearer_header() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer_token(&h), None);
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc"),
        );
        assert_eq!(bearer_token(&h), Some("abc"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  abc "),
        );
        assert_eq!(bearer_token(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&h), None);
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&h), None);
    }
}

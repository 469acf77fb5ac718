//! Bearer-token authentication for the /api/v2 endpoints (RFC 6750 2.1).

use std::time::Instant;

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use crate::controls::Counter;
use crate::responses::{unauthorized, Refusal};
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

impl From<Unauthorized> for Refusal {
    fn from(rejection: Unauthorized) -> Self {
        rejection.into_response().into()
    }
}

/// The live grant behind the request's bearer token, or why there is none.
/// Counted in the stats (`api_calls`, `api_rejected_401`) for both flavors.
pub fn check_bearer(state: &AppState, headers: &HeaderMap) -> Result<Grant, BearerError> {
    let grant = match bearer_token(headers) {
        None => Err(BearerError::Missing),
        // A temporary guard: the store's lock is released before the controls' is taken.
        Some(token) => state
            .store()
            .access_grant(token, Instant::now())
            .ok_or(BearerError::Dead),
    };
    let mut controls = state.controls();
    controls.count(Counter::ApiCalls);
    if grant.is_err() {
        controls.count(Counter::ApiRejected401);
    }
    grant
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerError {
    Missing,
    /// Unknown, expired or revoked.
    Dead,
}

/// The live grant behind the request's bearer token.
pub fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Grant, Unauthorized> {
    check_bearer(state, headers).map_err(|e| match e {
        BearerError::Missing => {
            Unauthorized("No authentication bearer token specified in authorization header.")
        }
        BearerError::Dead => Unauthorized("Invalid login credentials."),
    })
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

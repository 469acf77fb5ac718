//! The Genesys flavor's login session: a successful form sign-in sets an SSO cookie, and a
//! later authorization request with a live one is answered with a code at once, as a real
//! provider's login session does (issue 11: "Continue session" without a password).
//!
//! The cookie is HttpOnly, SameSite=Lax (sent on the app's top-level navigation to the
//! sign-in page: 127.0.0.1:8180 and :9190 are the same site) and Path=/. Not Secure: the
//! sandbox serves plain http on 127.0.0.1.

use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;

/// Distinct from anything the CXone flavor or the app might set: cookies ignore ports, so
/// every server on 127.0.0.1 receives it.
pub const COOKIE: &str = "genesys_sandbox_sso";
/// A working day, like a typical IdP session.
pub const LIFETIME: Duration = Duration::from_secs(8 * 3600);

/// The SSO cookie's value from the request's `Cookie` header(s), if any.
pub fn session_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE && !value.is_empty())
        .map(|(_, value)| value)
}

/// Adds `Set-Cookie` starting the session `id`; a session cookie (no Max-Age): the
/// server-side expiry is what counts.
pub fn set_cookie(response: &mut Response, id: &str) {
    let cookie = format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax");
    // Session ids are base64url, always a valid header value.
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Adds `Set-Cookie` that deletes the cookie.
pub fn clear_cookie(response: &mut Response) {
    let cookie = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_cookie_among_others() {
        let mut h = HeaderMap::new();
        assert_eq!(session_id(&h), None);
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; genesys_sandbox_sso=abc; b=2"),
        );
        assert_eq!(session_id(&h), Some("abc"));
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("x_genesys_sandbox_sso=no"),
        );
        h.append(
            header::COOKIE,
            HeaderValue::from_static("genesys_sandbox_sso="),
        );
        assert_eq!(session_id(&h), None);
    }
}

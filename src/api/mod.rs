//! Typed calls to the provider's API, one file per call (or family of calls).
//!
//! `queues` is the worked example (Genesys Cloud; `agent_skills` is CXone's): copy it to add
//! your own. Each file has the same three
//! parts: the types the views use, a pure `parse_*` function (unit-tested natively, no
//! browser needed), and an async `fetch_*` function that sends the request through the auth
//! store's `api_get`, which brings a valid token, renews it once on a 401, and waits out a
//! short `Retry-After`. Views call `fetch_*` from a `LocalResource` and render its error
//! with `ErrorPanel`.
//!
//! Here too: [`parse_api_json`], the shared gate plus what an API's failed status means.

pub mod agent_skills;
pub mod queues;

use crate::error::{AuthError, Endpoint};
use crate::reply::{HttpReply, Refusal};
use serde::de::DeserializeOwned;

/// The message of an API error body, in any of the shapes Genesys and CXone use: `message`
/// (Genesys' API errors, CXone's `{message, statusCode}`), then an OAuth-style description in
/// any spelling, then the bare `error` code.
pub fn api_error_message(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let text = |key: &str| {
        value
            .get(key)
            .and_then(|v| v.as_str())
            .filter(|v| !v.trim().is_empty())
            .map(str::to_owned)
    };
    text("message")
        .or_else(|| crate::error::provider_error_description(&value))
        .or_else(|| text("error"))
}

/// Maps a non-success API reply to an error: 403 is a permission problem, 429 carries its
/// `Retry-After`, 401 is left to the caller (it refreshes and retries once).
pub fn api_failure(reply: &HttpReply) -> AuthError {
    match reply.status {
        401 => AuthError::SessionExpired,
        403 => AuthError::Forbidden {
            message: api_error_message(&reply.body),
        },
        429 => AuthError::RateLimited {
            retry_after_secs: reply.retry_after_secs(),
        },
        status => AuthError::ApiFailed {
            status,
            message: api_error_message(&reply.body),
        },
    }
}

/// Checks an API reply through the shared gate (size, status, content type) and decodes its
/// JSON body as `T`, or says what went wrong; `what` names the record in the message ("user
/// record", "queue list"). Every typed API call, the template's own included, goes through
/// here.
pub fn parse_api_json<T: DeserializeOwned>(
    reply: &HttpReply,
    endpoint: Endpoint,
    what: &str,
) -> Result<T, AuthError> {
    match reply.check() {
        Ok(()) => reply.decode(endpoint, what),
        Err(Refusal::Status) => Err(api_failure(reply)),
        Err(refusal) => Err(refusal.into_error(reply, endpoint)),
    }
}

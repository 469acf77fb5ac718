//! Every HTTP reply the app reads passes one gate here before a protocol step looks at it:
//! the size cap, the status, the JSON content type, then the JSON itself. Each step (token,
//! discovery, tenant lookup, user, API calls) keeps only its own checks and says which error
//! each refusal means for it, as oauth4webapi's `process*Response` functions all start with
//! the same shared checks and oidc-client-ts reads every reply through one `JsonService`.

use crate::error::{provider_error_description, AuthError, Endpoint};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Bodies larger than this are refused unread: no reply the app reads is anywhere near it.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// An HTTP answer as the browser glue hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpReply {
    pub status: u16,
    pub content_type: Option<String>,
    pub retry_after: Option<String>,
    pub body: String,
}

/// An `application/json` reply, as the unit tests feed the parsers.
#[cfg(test)]
pub(crate) fn json_reply(status: u16, body: &str) -> HttpReply {
    HttpReply {
        status,
        content_type: Some("application/json".into()),
        retry_after: None,
        body: body.into(),
    }
}

/// Why the shared gate refused a reply, in the order the checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The body is larger than [`MAX_RESPONSE_BYTES`].
    TooLarge,
    /// The status is not 2xx.
    Status,
    /// A 2xx reply that does not say it is JSON.
    NotJson,
}

impl HttpReply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn is_json(&self) -> bool {
        self.content_type.as_deref().is_some_and(|value| {
            let mime = value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            mime == "application/json" || mime.ends_with("+json")
        })
    }

    /// The shared checks: size first (a huge body is never parsed, not even for an error
    /// message), then status, then content type.
    pub fn check(&self) -> Result<(), Refusal> {
        if self.body.len() > MAX_RESPONSE_BYTES {
            Err(Refusal::TooLarge)
        } else if !self.is_success() {
            Err(Refusal::Status)
        } else if !self.is_json() {
            Err(Refusal::NotJson)
        } else {
            Ok(())
        }
    }

    /// The body as any JSON value.
    pub fn json_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(&self.body)
    }

    /// The body as `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.body)
    }

    /// The body as `T`, or `MalformedResponse` naming `what` and the position only: serde's
    /// own message can quote values from the body.
    pub fn decode<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        what: &str,
    ) -> Result<T, AuthError> {
        self.json().map_err(|error| AuthError::MalformedResponse {
            endpoint,
            reason: format!(
                "unexpected {what} (at line {}, column {})",
                error.line(),
                error.column()
            ),
        })
    }

    /// An RFC 6749 section 5.2 error body (`error`, and a description in any provider's
    /// spelling), whatever the content type says.
    pub fn oauth_error(&self) -> Option<OAuthErrorBody> {
        let body = self.json_value().ok()?;
        let error = body.get("error")?.as_str()?.to_owned();
        Some(OAuthErrorBody {
            error,
            description: provider_error_description(&body),
        })
    }

    /// `Retry-After` in seconds (the delta-seconds form; an HTTP date is treated as absent).
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.retry_after
            .as_deref()
            .and_then(|value| value.trim().parse().ok())
    }

    /// A reply of the wrong kind for `endpoint` (an HTML error page, a proxy's answer).
    pub fn unexpected(&self, endpoint: Endpoint) -> AuthError {
        AuthError::UnexpectedResponse {
            endpoint,
            status: self.status,
            content_type: self.content_type.clone(),
        }
    }
}

impl Refusal {
    /// The usual meaning of a refusal; steps that say more about a failed status (an OAuth
    /// error, an API's 403) handle [`Refusal::Status`] themselves first.
    pub fn into_error(self, reply: &HttpReply, endpoint: Endpoint) -> AuthError {
        match self {
            Refusal::TooLarge => AuthError::ResponseTooLarge {
                endpoint,
                limit: MAX_RESPONSE_BYTES,
            },
            Refusal::Status | Refusal::NotJson => reply.unexpected(endpoint),
        }
    }
}

/// The parts of an OAuth error body the app keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthErrorBody {
    pub error: String,
    pub description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, content_type: Option<&str>, body: &str) -> HttpReply {
        HttpReply {
            status,
            content_type: content_type.map(str::to_owned),
            retry_after: None,
            body: body.into(),
        }
    }

    #[test]
    fn the_gate_checks_size_then_status_then_content_type() {
        let huge = " ".repeat(MAX_RESPONSE_BYTES + 1);
        assert_eq!(
            reply(500, Some("text/html"), &huge).check(),
            Err(Refusal::TooLarge)
        );
        let at_limit = " ".repeat(MAX_RESPONSE_BYTES);
        assert_eq!(
            reply(200, Some("application/json"), &at_limit).check(),
            Ok(())
        );
        assert_eq!(
            reply(502, Some("application/json"), "{}").check(),
            Err(Refusal::Status)
        );
        assert_eq!(
            reply(200, Some("text/html"), "{}").check(),
            Err(Refusal::NotJson)
        );
        assert_eq!(reply(200, None, "{}").check(), Err(Refusal::NotJson));
        for json in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/problem+json",
        ] {
            assert_eq!(reply(204, Some(json), "{}").check(), Ok(()), "{json}");
        }
        assert_eq!(
            reply(199, Some("application/json"), "{}").check(),
            Err(Refusal::Status)
        );
        assert_eq!(
            reply(300, Some("application/json"), "{}").check(),
            Err(Refusal::Status)
        );
    }

    #[test]
    fn oauth_error_bodies_are_read_in_any_content_type() {
        let body = r#"{"error":"invalid_grant","errorDescription":"used"}"#;
        assert_eq!(
            reply(400, Some("text/plain"), body).oauth_error(),
            Some(OAuthErrorBody {
                error: "invalid_grant".into(),
                description: Some("used".into()),
            })
        );
        assert_eq!(reply(400, None, r#"{"error":7}"#).oauth_error(), None);
        assert_eq!(reply(400, None, "<html>").oauth_error(), None);
    }

    #[test]
    fn decode_errors_name_the_position_not_the_content() {
        let error = reply(200, Some("application/json"), r#"{"id": "canary-secret""#)
            .decode::<Value>(Endpoint::Api, "queue list")
            .unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(
            shown.contains("unexpected queue list (at line 1"),
            "{shown}"
        );
        assert!(!shown.contains("canary"), "{shown}");
    }
}

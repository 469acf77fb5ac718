//! The one error type for everything that can go wrong while signing in or calling an API.
//!
//! No variant carries a token, code or verifier, so neither `Display` nor `Debug` can leak one.
//! Text that comes from a provider is kept (trimmed and length-capped) because it is often the
//! most useful clue; views render it as text, never as HTML.

use std::fmt;

mod oauth_code;
pub use oauth_code::OAuthErrorCode;

/// Which server an error came from, to say so in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Token,
    CurrentUser,
    Api,
    Discovery,
    TenantLookup,
}

impl Endpoint {
    /// The endpoint named for people ("the user profile API").
    pub fn describe(self) -> &'static str {
        match self {
            Endpoint::Token => "the sign-in service's token endpoint",
            Endpoint::CurrentUser => "the user profile API",
            Endpoint::Api => "the provider's API",
            Endpoint::Discovery => "the provider's discovery document",
            Endpoint::TenantLookup => "CXone's tenant lookup",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// The browser lacks something the flow cannot do without.
    BrowserUnsupported {
        missing: &'static str,
    },
    /// A provider id that is not in config.json.
    UnknownProvider {
        id: String,
    },
    /// The callback carried no `state`.
    MissingState,
    /// No login transaction matches the callback's `state`: already used, from another tab or
    /// browser, or forged.
    UnknownTransaction,
    TransactionExpired,
    /// RFC 9207: the callback's `iss` is not the server the login was started at.
    IssuerMismatch {
        expected: String,
        received: Option<String>,
    },
    /// The authorization server redirected back with `error`.
    AuthorizationDenied {
        error: OAuthErrorCode,
        description: Option<String>,
    },
    /// A success callback without a `code`.
    MissingCode,
    /// The token endpoint answered with an OAuth error body.
    TokenRejected {
        status: u16,
        error: OAuthErrorCode,
        description: Option<String>,
    },
    /// A response that is not the JSON the protocol promises (an HTML error page, say).
    UnexpectedResponse {
        endpoint: Endpoint,
        status: u16,
        content_type: Option<String>,
    },
    /// JSON, but not the expected shape.
    MalformedResponse {
        endpoint: Endpoint,
        reason: String,
    },
    ResponseTooLarge {
        endpoint: Endpoint,
        limit: usize,
    },
    /// The request never got an HTTP answer: offline, DNS, CORS, TLS.
    Network {
        endpoint: Endpoint,
    },
    /// Signed out by the server: the token is no longer accepted and cannot be renewed.
    SessionExpired,
    /// The provider's discovery document is missing, malformed or not for this issuer.
    DiscoveryFailed {
        issuer: String,
        reason: String,
    },
    /// The ID token failed a check (iss, aud, exp, nonce, or shape). Nothing was kept.
    IdTokenRejected {
        reason: String,
    },
    /// The user record belongs to someone else than the ID token's subject.
    UserMismatch,
    /// HTTP 403: signed in, but not allowed.
    Forbidden {
        message: Option<String>,
    },
    /// HTTP 429.
    RateLimited {
        retry_after_secs: Option<u64>,
    },
    /// Any other failed API call.
    ApiFailed {
        status: u16,
        message: Option<String>,
    },
}

/// What a failed refresh means for the session (see [`AuthError::refresh_failure`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshFailure {
    /// A passing problem (network, a failing server, rate limiting, a garbled answer): keep
    /// everything and try again later.
    Transient,
    /// The provider will not renew tokens for this client: drop the refresh token and keep the
    /// session until the access token expires (offer "Continue session" before then). Nothing
    /// was said about the user's session, and an access token the provider has revoked is
    /// caught by the API's 401 anyway.
    RefreshNotAllowed,
    /// The grant itself is dead, or the renewed tokens failed a check: the session is over.
    SessionOver,
}

/// Longest provider-supplied text kept.
const PROVIDER_TEXT_LIMIT: usize = 300;

/// Trims provider text to something safe to show: no control characters, bounded length.
pub fn provider_text(raw: &str) -> String {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_control())
        .take(PROVIDER_TEXT_LIMIT)
        .collect();
    cleaned.trim().to_owned()
}

/// The names providers give an OAuth error's human-readable text, in the order they are read:
/// RFC 6749's `error_description`, CXone's `errorDescription` (its OpenAPI types), and Genesys
/// Cloud's `description` (which it sends next to, or instead of, `error_description`).
pub const ERROR_DESCRIPTION_FIELDS: [&str; 3] =
    ["error_description", "errorDescription", "description"];

/// The provider's description of an error, from a JSON error body in any of the shapes above.
/// Kept as the provider wrote it (the views show it as text; [`provider_text`] bounds it).
pub fn provider_error_description(body: &serde_json::Value) -> Option<String> {
    ERROR_DESCRIPTION_FIELDS.iter().find_map(|name| {
        body.get(name)
            .and_then(serde_json::Value::as_str)
            .filter(|text| !text.trim().is_empty())
            .map(str::to_owned)
    })
}

impl AuthError {
    /// Whether a failed refresh means the session is over (the server refused the refresh
    /// token or the client), as opposed to a passing problem worth retrying (network trouble,
    /// a failing server, rate limiting).
    pub fn ends_session(&self) -> bool {
        match self {
            AuthError::TokenRejected { status, .. } => {
                (400..500).contains(status) && !matches!(status, 408 | 429)
            }
            // A renewed ID token that fails its checks, or names another user: stop.
            AuthError::SessionExpired
            | AuthError::IdTokenRejected { .. }
            | AuthError::UserMismatch => true,
            _ => false,
        }
    }

    /// Classifies a failed refresh.
    ///
    /// - `invalid_grant` (RFC 6749 5.2: the refresh token is invalid, expired, revoked or was
    ///   issued to another client) means the session was ended at the provider (sign-out
    ///   elsewhere, an administrator's revocation, a rotated token replayed): session over.
    /// - `invalid_client`, `unauthorized_client`, `unsupported_grant_type`, `invalid_request`,
    ///   `invalid_scope` and other 4xx refusals are about this client, not this user: Genesys
    ///   documents the refresh grant as "requires client credentials, and is therefore only
    ///   usable by confidential clients" (developer forum, thread 7422), so a public PKCE client
    ///   that does hold a refresh token can expect `invalid_client` ("authentication failed",
    ///   the body Genesys sends for a failed client authentication). The access token it
    ///   already has stays good until it expires: refresh not allowed.
    /// - 408, 429 and 5xx, network trouble and garbled answers: transient.
    /// - A renewed ID token that fails its checks or names another user: session over.
    pub fn refresh_failure(&self) -> RefreshFailure {
        let refused = |status: u16| (400..500).contains(&status) && !matches!(status, 408 | 429);
        match self {
            AuthError::TokenRejected { status, error, .. } if refused(*status) => {
                if *error == OAuthErrorCode::InvalidGrant {
                    RefreshFailure::SessionOver
                } else {
                    RefreshFailure::RefreshNotAllowed
                }
            }
            // A 4xx the server would not explain in JSON: retrying will not change it.
            AuthError::UnexpectedResponse { status, .. } if refused(*status) => {
                RefreshFailure::RefreshNotAllowed
            }
            AuthError::SessionExpired
            | AuthError::IdTokenRejected { .. }
            | AuthError::UserMismatch => RefreshFailure::SessionOver,
            _ => RefreshFailure::Transient,
        }
    }

    /// A short machine-readable code, shown on error pages so support can search for it.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::BrowserUnsupported { .. } => "browser_unsupported",
            AuthError::UnknownProvider { .. } => "unknown_provider",
            AuthError::MissingState => "missing_state",
            AuthError::UnknownTransaction => "unknown_transaction",
            AuthError::TransactionExpired => "transaction_expired",
            AuthError::IssuerMismatch { .. } => "issuer_mismatch",
            AuthError::AuthorizationDenied { .. } => "authorization_error",
            AuthError::MissingCode => "missing_code",
            AuthError::TokenRejected { .. } => "token_rejected",
            AuthError::UnexpectedResponse { .. } => "unexpected_response",
            AuthError::MalformedResponse { .. } => "malformed_response",
            AuthError::ResponseTooLarge { .. } => "response_too_large",
            AuthError::DiscoveryFailed { .. } => "discovery_failed",
            AuthError::IdTokenRejected { .. } => "id_token_rejected",
            AuthError::UserMismatch => "user_mismatch",
            AuthError::Network { .. } => "network",
            AuthError::SessionExpired => "session_expired",
            AuthError::Forbidden { .. } => "forbidden",
            AuthError::RateLimited { .. } => "rate_limited",
            AuthError::ApiFailed { .. } => "api_failed",
        }
    }
}

/// For logs and test messages: the code and the facts, never the page's wording (that is
/// `pages::errors::copy`'s job) and never a secret (no variant holds one).
impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())?;
        match self {
            AuthError::AuthorizationDenied { error, .. } => write!(f, " ({error})"),
            AuthError::TokenRejected { status, error, .. } => {
                write!(f, " ({error}, HTTP {status})")
            }
            AuthError::UnexpectedResponse {
                endpoint, status, ..
            } => write!(f, " ({}, HTTP {status})", endpoint.describe()),
            AuthError::MalformedResponse { endpoint, .. }
            | AuthError::ResponseTooLarge { endpoint, .. }
            | AuthError::Network { endpoint } => write!(f, " ({})", endpoint.describe()),
            AuthError::ApiFailed { status, .. } => write!(f, " (HTTP {status})"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for AuthError {}

#[cfg(test)]
mod tests;

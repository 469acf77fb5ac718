//! The one error type for everything that can go wrong while signing in or calling an API.
//!
//! No variant carries a token, code or verifier, so neither `Display` nor `Debug` can leak one.
//! Text that comes from a provider is kept (trimmed and length-capped) because it is often the
//! most useful clue; views render it as text, never as HTML.

use std::fmt;

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

/// An OAuth `error` code, parsed once where the reply is read (the shape of oauth2-rs'
/// `BasicErrorResponseType`): RFC 6749 4.1.2.1 and 5.2, plus the OpenID Connect Core 3.1.2.6
/// codes a provider may redirect back with. Anything else is kept, cleaned, in `Other`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    ServerError,
    TemporarilyUnavailable,
    LoginRequired,
    ConsentRequired,
    InteractionRequired,
    AccountSelectionRequired,
    Other(String),
}

impl OAuthErrorCode {
    pub fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "unsupported_response_type" => Self::UnsupportedResponseType,
            "invalid_scope" => Self::InvalidScope,
            "access_denied" => Self::AccessDenied,
            "server_error" => Self::ServerError,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            "login_required" => Self::LoginRequired,
            "consent_required" => Self::ConsentRequired,
            "interaction_required" => Self::InteractionRequired,
            "account_selection_required" => Self::AccountSelectionRequired,
            other => Self::Other(provider_text(other)),
        }
    }

    /// The code as the provider spelled it (an unknown one cleaned by [`provider_text`]).
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::InteractionRequired => "interaction_required",
            Self::AccountSelectionRequired => "account_selection_required",
            Self::Other(code) => code,
        }
    }
}

impl From<&str> for OAuthErrorCode {
    fn from(code: &str) -> Self {
        Self::parse(code)
    }
}

impl From<String> for OAuthErrorCode {
    fn from(code: String) -> Self {
        Self::parse(&code)
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
mod tests {
    use super::*;

    #[test]
    fn only_a_refused_refresh_ends_the_session() {
        let rejected = |status: u16, error: &str| AuthError::TokenRejected {
            status,
            error: error.into(),
            description: None,
        };
        assert!(rejected(400, "invalid_grant").ends_session());
        assert!(rejected(401, "invalid_client").ends_session());
        assert!(!rejected(503, "temporarily_unavailable").ends_session());
        assert!(!rejected(429, "slow_down").ends_session());
        assert!(!AuthError::Network {
            endpoint: Endpoint::Token
        }
        .ends_session());
        assert!(!AuthError::UnexpectedResponse {
            endpoint: Endpoint::Token,
            status: 502,
            content_type: None
        }
        .ends_session());
        assert!(!AuthError::MalformedResponse {
            endpoint: Endpoint::Token,
            reason: "x".into()
        }
        .ends_session());
    }

    #[test]
    fn provider_text_is_bounded_and_without_control_characters() {
        let long = format!("{}\u{0007}\n", "x".repeat(1000));
        let cleaned = provider_text(&long);
        assert_eq!(cleaned.chars().count(), PROVIDER_TEXT_LIMIT);
        assert!(!cleaned.contains('\u{0007}'));
    }

    #[test]
    fn reads_the_error_description_of_each_provider() {
        let description =
            |body: &str| provider_error_description(&serde_json::from_str(body).unwrap());
        assert_eq!(
            description(r#"{"error":"invalid_grant","error_description":"code expired"}"#)
                .as_deref(),
            Some("code expired")
        );
        assert_eq!(
            description(r#"{"error":"invalid_grant","errorDescription":"CXone said no"}"#)
                .as_deref(),
            Some("CXone said no")
        );
        assert_eq!(
            description(r#"{"error":"invalid_client","description":"authentication failed"}"#)
                .as_deref(),
            Some("authentication failed")
        );
        // RFC 6749's name wins when several are there; empty text is no text.
        assert_eq!(
            description(r#"{"description":"b","error_description":"a"}"#).as_deref(),
            Some("a")
        );
        assert_eq!(
            description(r#"{"error_description":" ","description":"b"}"#).as_deref(),
            Some("b")
        );
        assert_eq!(description(r#"{"error":"x","description":7}"#), None);
        assert_eq!(description("[]"), None);
    }

    #[test]
    fn a_refresh_refused_for_the_client_keeps_the_session_until_expiry() {
        let rejected = |status: u16, error: &str| AuthError::TokenRejected {
            status,
            error: error.into(),
            description: None,
        };
        // Genesys' answer to a public client's refresh (client credentials required).
        for (status, error) in [
            (401, "invalid_client"),
            (400, "invalid_client"),
            (400, "unauthorized_client"),
            (400, "unsupported_grant_type"),
            (400, "invalid_request"),
            (400, "invalid_scope"),
            (403, "access_denied"),
        ] {
            assert_eq!(
                rejected(status, error).refresh_failure(),
                RefreshFailure::RefreshNotAllowed,
                "{status} {error}"
            );
        }
        assert_eq!(
            AuthError::UnexpectedResponse {
                endpoint: Endpoint::Token,
                status: 401,
                content_type: Some("text/html".into())
            }
            .refresh_failure(),
            RefreshFailure::RefreshNotAllowed
        );
    }

    #[test]
    fn a_dead_grant_ends_the_session_and_passing_trouble_does_not() {
        let rejected = |status: u16, error: &str| AuthError::TokenRejected {
            status,
            error: error.into(),
            description: None,
        };
        assert_eq!(
            rejected(400, "invalid_grant").refresh_failure(),
            RefreshFailure::SessionOver
        );
        for error in [
            AuthError::SessionExpired,
            AuthError::UserMismatch,
            AuthError::IdTokenRejected {
                reason: "sub".into(),
            },
        ] {
            assert_eq!(
                error.refresh_failure(),
                RefreshFailure::SessionOver,
                "{error:?}"
            );
        }
        for error in [
            rejected(503, "temporarily_unavailable"),
            rejected(500, "invalid_grant"),
            rejected(429, "slow_down"),
            rejected(408, "timeout"),
            AuthError::Network {
                endpoint: Endpoint::Token,
            },
            AuthError::UnexpectedResponse {
                endpoint: Endpoint::Token,
                status: 502,
                content_type: None,
            },
            AuthError::MalformedResponse {
                endpoint: Endpoint::Token,
                reason: "x".into(),
            },
        ] {
            assert_eq!(
                error.refresh_failure(),
                RefreshFailure::Transient,
                "{error:?}"
            );
        }
    }

    /// The codes are shown to people and used by the end-to-end tests: each is its own.
    #[test]
    fn codes_are_distinct_snake_case_names() {
        let codes = [
            AuthError::MissingState.code(),
            AuthError::MissingCode.code(),
            AuthError::SessionExpired.code(),
            AuthError::UserMismatch.code(),
            AuthError::UnknownTransaction.code(),
            AuthError::TransactionExpired.code(),
        ];
        assert_eq!(
            codes,
            [
                "missing_state",
                "missing_code",
                "session_expired",
                "user_mismatch",
                "unknown_transaction",
                "transaction_expired"
            ]
        );
    }

    #[test]
    fn a_failed_id_token_check_or_another_user_ends_the_session() {
        for error in [
            AuthError::SessionExpired,
            AuthError::IdTokenRejected { reason: "x".into() },
            AuthError::UserMismatch,
        ] {
            assert!(error.ends_session(), "{error:?}");
        }
    }

    #[test]
    fn oauth_error_codes_are_parsed_once_and_keep_their_spelling() {
        for code in [
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "unsupported_response_type",
            "invalid_scope",
            "access_denied",
            "server_error",
            "temporarily_unavailable",
            "login_required",
            "consent_required",
            "interaction_required",
            "account_selection_required",
        ] {
            let parsed = OAuthErrorCode::parse(code);
            assert!(!matches!(parsed, OAuthErrorCode::Other(_)), "{code}");
            assert_eq!(parsed.as_str(), code);
        }
        assert_eq!(
            OAuthErrorCode::parse("slow_down\u{7}"),
            OAuthErrorCode::Other("slow_down".into())
        );
        assert_eq!(
            OAuthErrorCode::from("invalid_grant"),
            OAuthErrorCode::InvalidGrant
        );
    }

    #[test]
    fn display_names_the_code_and_the_facts() {
        let error = AuthError::TokenRejected {
            status: 400,
            error: "invalid_grant".into(),
            description: Some("code expired".into()),
        };
        assert_eq!(
            error.to_string(),
            "token_rejected (invalid_grant, HTTP 400)"
        );
        assert_eq!(AuthError::MissingState.to_string(), "missing_state");
    }
}

//! The one error type for everything that can go wrong while signing in or calling an API.
//!
//! No variant carries a token, code or verifier, so neither `Display` nor `Debug` can leak one.
//! Text that comes from a provider is kept (trimmed and length-capped) because it is often the
//! most useful clue; views render it as text, never as HTML.

use crate::text::capitalise;
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
    fn describe(self) -> &'static str {
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
        error: String,
        description: Option<String>,
    },
    /// A success callback without a `code`.
    MissingCode,
    /// The token endpoint answered with an OAuth error body.
    TokenRejected {
        status: u16,
        error: String,
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

/// What an error page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPresentation {
    pub title: String,
    pub what_happened: String,
    pub what_to_do: String,
    /// A fresh sign-in is likely to help.
    pub offer_sign_in: bool,
    /// An administrator has to change a setting; a retry alone will not help.
    pub configuration_problem: bool,
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

const ADMIN_OAUTH_CLIENT: &str = "In Genesys Cloud: Admin > Integrations > OAuth, open the client named in config.json and check that its grant type is \"Code Authorization\" with PKCE, that the redirect URI matches this page's /callback exactly, and that it has the scopes this app needs.";

impl AuthError {
    pub fn presentation(&self) -> ErrorPresentation {
        let retry = "Start a fresh sign-in.";
        let (title, what_happened, what_to_do, offer_sign_in, configuration_problem): (String, String, String, bool, bool) = match self {
            AuthError::BrowserUnsupported { missing } => (
                "This browser cannot sign you in".into(),
                format!("The browser does not provide {missing}, which secure sign-in needs."),
                "Use a current version of Chrome, Edge, Firefox or Safari, outside private mode if storage is blocked.".into(),
                false,
                false,
            ),
            AuthError::UnknownProvider { id } => (
                "Unknown sign-in provider".into(),
                format!("The provider \"{}\" is not in this app's configuration.", provider_text(id)),
                "Go back to the sign-in page and pick one of the listed providers.".into(),
                true,
                false,
            ),
            AuthError::MissingState | AuthError::UnknownTransaction => (
                "This sign-in link is not valid here".into(),
                "The sign-in response does not match a sign-in started in this browser tab. It may have been used already, opened in another tab or browser, or altered. Nothing was exchanged.".into(),
                retry.into(),
                true,
                false,
            ),
            AuthError::TransactionExpired => (
                "The sign-in took too long".into(),
                "A sign-in must be completed within 10 minutes of starting it.".into(),
                retry.into(),
                true,
                false,
            ),
            AuthError::IssuerMismatch { expected, received } => (
                "The sign-in response came from the wrong server".into(),
                format!(
                    "The sign-in was started at {} but the response says it comes from {}. It was refused, and no code was sent anywhere.",
                    provider_text(expected),
                    received.as_deref().map(provider_text).unwrap_or_else(|| "no server at all".into())
                ),
                "Start a fresh sign-in. If this keeps happening, tell your administrator: two providers in config.json may be mixed up.".into(),
                true,
                false,
            ),
            AuthError::AuthorizationDenied { error, description } => {
                let detail = description.as_deref().map(provider_text).filter(|d| !d.is_empty());
                let said = detail.map(|d| format!(" The provider said: \u{201c}{d}\u{201d}")).unwrap_or_default();
                match error.as_str() {
                    "access_denied" => (
                        "Sign-in was cancelled or refused".into(),
                        format!("The sign-in did not complete (access_denied).{said}"),
                        "Sign in again. If you did not cancel, ask your administrator whether your account may use this app.".into(),
                        true,
                        false,
                    ),
                    "login_required" | "consent_required" | "interaction_required" | "account_selection_required" => (
                        "The provider needs you to sign in".into(),
                        format!("The provider asked for an interactive sign-in ({}).{said}", provider_text(error)),
                        retry.into(),
                        true,
                        false,
                    ),
                    "server_error" | "temporarily_unavailable" => (
                        "The sign-in service is having trouble".into(),
                        format!("The provider reported a temporary problem ({}).{said}", provider_text(error)),
                        "Wait a minute, then sign in again.".into(),
                        true,
                        false,
                    ),
                    _ => (
                        "The sign-in request was refused".into(),
                        format!("The provider rejected the sign-in request ({}).{said}", provider_text(error)),
                        format!("This is a configuration problem. {ADMIN_OAUTH_CLIENT}"),
                        true,
                        true,
                    ),
                }
            }
            AuthError::MissingCode => (
                "The sign-in response is incomplete".into(),
                "The provider redirected back without an authorization code.".into(),
                retry.into(),
                true,
                false,
            ),
            AuthError::TokenRejected { status, error, description } => {
                let said = description
                    .as_deref()
                    .map(provider_text)
                    .filter(|d| !d.is_empty())
                    .map(|d| format!(" The provider said: \u{201c}{d}\u{201d}"))
                    .unwrap_or_default();
                match error.as_str() {
                    "invalid_grant" => (
                        "The sign-in could not be completed".into(),
                        format!("The sign-in code or session was refused (invalid_grant, HTTP {status}): it expired, was already used, or the session was ended.{said}"),
                        retry.into(),
                        true,
                        false,
                    ),
                    "invalid_client" | "unauthorized_client" | "unsupported_grant_type" | "invalid_scope" | "invalid_request" => (
                        "The app is not set up correctly with the provider".into(),
                        format!("The token endpoint refused this app ({}, HTTP {status}).{said}", provider_text(error)),
                        format!("This is a configuration problem. {ADMIN_OAUTH_CLIENT} Also check client_id in config.json."),
                        true,
                        true,
                    ),
                    _ => (
                        "The sign-in service refused the request".into(),
                        format!("The token endpoint answered with an error ({}, HTTP {status}).{said}", provider_text(error)),
                        retry.into(),
                        true,
                        false,
                    ),
                }
            }
            AuthError::UnexpectedResponse { endpoint, status, content_type } => (
                "The sign-in service sent an unexpected answer".into(),
                format!(
                    "{} answered HTTP {status} with {} instead of JSON. This usually means a proxy or the service itself is failing.",
                    capitalise(endpoint.describe()),
                    content_type.as_deref().map(provider_text).map(|c| format!("\"{c}\"")).unwrap_or_else(|| "no content type".into())
                ),
                "Try again in a minute. If it persists, check login_base/api_base in config.json and the provider's status page.".into(),
                true,
                false,
            ),
            AuthError::MalformedResponse { endpoint, reason } => (
                "The sign-in service sent a malformed answer".into(),
                format!("{} answered with JSON that is not valid here: {}.", capitalise(endpoint.describe()), provider_text(reason)),
                "Try again. If it persists, the configured endpoint may not be a real OAuth server: check config.json.".into(),
                true,
                false,
            ),
            AuthError::ResponseTooLarge { endpoint, limit } => (
                "The sign-in service sent too much data".into(),
                format!("{} sent more than {} KiB; the answer was discarded.", capitalise(endpoint.describe()), limit / 1024),
                "Try again. If it persists, check the configured endpoints in config.json.".into(),
                true,
                false,
            ),
            AuthError::Network { endpoint } => (
                "Cannot reach the sign-in service".into(),
                format!("{} did not answer: the network is down, the address is wrong, or the server does not allow this page's origin (CORS).", capitalise(endpoint.describe())),
                "Check your connection and try again. Administrators: check login_base/api_base in config.json and that this page's origin is allowed on the OAuth client.".into(),
                true,
                false,
            ),
            AuthError::DiscoveryFailed { issuer, reason } => (
                "The sign-in provider is not set up correctly".into(),
                format!(
                    "The OpenID configuration of {} could not be used: {}.",
                    provider_text(issuer),
                    provider_text(reason)
                ),
                "This is a configuration problem. Check the provider's issuer in config.json (it must match the provider's discovery document exactly, including any trailing slash) and that the provider supports the authorization code flow with PKCE (S256).".into(),
                true,
                true,
            ),
            AuthError::IdTokenRejected { reason } => (
                "The sign-in response failed a security check".into(),
                format!(
                    "The identity token from the provider was refused: {}. No tokens were kept.",
                    provider_text(reason)
                ),
                "Start a fresh sign-in. If it keeps failing, tell your administrator: the client_id or issuer in config.json may not match the provider.".into(),
                true,
                false,
            ),
            AuthError::UserMismatch => (
                "The user profile does not match the sign-in".into(),
                "The provider returned a profile for a different user than the one who signed in, so it was not shown.".into(),
                "Sign in again. If it persists, tell your administrator.".into(),
                true,
                false,
            ),
            AuthError::SessionExpired => (
                "Your session has ended".into(),
                "The provider no longer accepts this session (it expired, was revoked, or you signed out elsewhere).".into(),
                "Sign in again; you will come back to the same page.".into(),
                true,
                false,
            ),
            AuthError::Forbidden { message } => (
                "You do not have permission".into(),
                format!(
                    "You are signed in, but your account may not do this.{}",
                    message.as_deref().map(provider_text).map(|m| format!(" The provider said: \u{201c}{m}\u{201d}")).unwrap_or_default()
                ),
                "Ask your administrator for the permission (in Genesys Cloud: a role with the needed permission), or for the OAuth client's scopes to include it.".into(),
                false,
                false,
            ),
            AuthError::RateLimited { retry_after_secs } => (
                "Too many requests".into(),
                "The provider asked this app to slow down.".into(),
                match retry_after_secs {
                    Some(secs) => format!("Try again in {secs} seconds."),
                    None => "Try again in a minute.".into(),
                },
                false,
                false,
            ),
            AuthError::ApiFailed { status, message } => (
                "The request failed".into(),
                format!(
                    "The provider's API answered HTTP {status}.{}",
                    message.as_deref().map(provider_text).map(|m| format!(" It said: \u{201c}{m}\u{201d}")).unwrap_or_default()
                ),
                "Try again in a moment.".into(),
                false,
                false,
            ),
        };
        ErrorPresentation {
            title,
            what_happened,
            what_to_do,
            offer_sign_in,
            configuration_problem,
        }
    }

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
                if error == "invalid_grant" {
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

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.presentation();
        write!(
            f,
            "{} [{}]: {}",
            shown.title,
            self.code(),
            shown.what_happened
        )
    }
}

impl std::error::Error for AuthError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_title_cause_and_remedy() {
        let all = [
            AuthError::BrowserUnsupported {
                missing: "sessionStorage",
            },
            AuthError::UnknownProvider { id: "x".into() },
            AuthError::MissingState,
            AuthError::UnknownTransaction,
            AuthError::TransactionExpired,
            AuthError::IssuerMismatch {
                expected: "https://a".into(),
                received: Some("https://b".into()),
            },
            AuthError::AuthorizationDenied {
                error: "access_denied".into(),
                description: None,
            },
            AuthError::MissingCode,
            AuthError::TokenRejected {
                status: 400,
                error: "invalid_grant".into(),
                description: None,
            },
            AuthError::UnexpectedResponse {
                endpoint: Endpoint::Token,
                status: 502,
                content_type: Some("text/html".into()),
            },
            AuthError::MalformedResponse {
                endpoint: Endpoint::Token,
                reason: "no access_token".into(),
            },
            AuthError::ResponseTooLarge {
                endpoint: Endpoint::Token,
                limit: 65536,
            },
            AuthError::Network {
                endpoint: Endpoint::Token,
            },
            AuthError::SessionExpired,
            AuthError::Forbidden { message: None },
            AuthError::RateLimited {
                retry_after_secs: Some(3),
            },
            AuthError::ApiFailed {
                status: 500,
                message: None,
            },
            AuthError::DiscoveryFailed {
                issuer: "https://x".into(),
                reason: "no issuer".into(),
            },
            AuthError::IdTokenRejected {
                reason: "nonce".into(),
            },
            AuthError::UserMismatch,
        ];
        for error in all {
            let shown = error.presentation();
            assert!(
                !shown.title.is_empty()
                    && !shown.what_happened.is_empty()
                    && !shown.what_to_do.is_empty(),
                "{error:?}"
            );
            assert!(error.to_string().contains(error.code()));
        }
    }

    #[test]
    fn configuration_errors_name_the_admin_setting() {
        for error in [
            "invalid_request",
            "unauthorized_client",
            "unsupported_response_type",
            "invalid_scope",
        ] {
            let shown = AuthError::AuthorizationDenied {
                error: error.into(),
                description: None,
            }
            .presentation();
            assert!(shown.configuration_problem, "{error}");
            assert!(shown.what_to_do.contains("Admin > Integrations > OAuth"));
        }
        let shown = AuthError::TokenRejected {
            status: 401,
            error: "invalid_client".into(),
            description: None,
        }
        .presentation();
        assert!(shown.configuration_problem && shown.what_to_do.contains("client_id"));
        let cancelled = AuthError::AuthorizationDenied {
            error: "access_denied".into(),
            description: None,
        }
        .presentation();
        assert!(!cancelled.configuration_problem && cancelled.offer_sign_in);
    }

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

    /// The presentation is plain text, handed to the view as it is: the view escapes it (a
    /// Leptos text node; end2end signin.spec.ts e2 checks that no markup runs). Escaping here
    /// as well would show the agent `&lt;`; dropping or reshaping it would hide what the
    /// provider said. So: exactly the provider's words, quoted, control characters removed.
    #[test]
    fn provider_description_is_kept_as_plain_text() {
        let markup = "<img src=x onerror=alert(1)><script>alert(1)</script>";
        let error = AuthError::AuthorizationDenied {
            error: "access_denied".into(),
            description: Some(format!("{markup}\u{7}\n")),
        };
        assert_eq!(
            error.presentation().what_happened,
            format!(
                "The sign-in did not complete (access_denied). The provider said: \u{201c}{markup}\u{201d}"
            )
        );
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

    #[test]
    fn endpoints_are_named_for_people() {
        for (endpoint, name) in [
            (Endpoint::Token, "the sign-in service's token endpoint"),
            (Endpoint::CurrentUser, "the user profile API"),
            (Endpoint::Api, "the provider's API"),
            (Endpoint::Discovery, "the provider's discovery document"),
            (Endpoint::TenantLookup, "CXone's tenant lookup"),
        ] {
            assert_eq!(endpoint.describe(), name);
            let shown = AuthError::Network { endpoint }.presentation();
            assert!(
                shown.what_happened.starts_with(&capitalise(name)),
                "{shown:?}"
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
    fn interactive_and_temporary_authorize_errors_are_not_configuration_problems() {
        let denied = |error: &str| {
            AuthError::AuthorizationDenied {
                error: error.into(),
                description: None,
            }
            .presentation()
        };
        for error in [
            "login_required",
            "consent_required",
            "interaction_required",
            "account_selection_required",
        ] {
            let shown = denied(error);
            assert!(
                !shown.configuration_problem && shown.offer_sign_in,
                "{error}"
            );
            assert!(
                shown.what_happened.contains("interactive sign-in"),
                "{error}"
            );
        }
        for error in ["server_error", "temporarily_unavailable"] {
            let shown = denied(error);
            assert!(!shown.configuration_problem, "{error}");
            assert!(shown.what_happened.contains("temporary problem"), "{error}");
        }
        assert!(denied("invalid_scope").configuration_problem);
    }

    #[test]
    fn a_refused_code_or_session_is_not_a_configuration_problem() {
        let rejected = |description: Option<&str>| {
            AuthError::TokenRejected {
                status: 400,
                error: "invalid_grant".into(),
                description: description.map(str::to_owned),
            }
            .presentation()
        };
        let shown = rejected(Some("code expired"));
        assert!(!shown.configuration_problem && shown.offer_sign_in);
        assert!(shown.what_happened.contains("(invalid_grant, HTTP 400)"));
        // invalid_grant has its own explanation, not the generic "answered with an error".
        assert!(shown.what_happened.contains("already used"), "{shown:?}");
        assert!(shown
            .what_happened
            .ends_with(" The provider said: \u{201c}code expired\u{201d}"));
        assert!(!rejected(Some("  ")).what_happened.contains("provider said"));
        assert!(!rejected(None).what_happened.contains("provider said"));
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
}

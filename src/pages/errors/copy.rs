//! What an error page says: the title, what happened, what to do, in words for the agent (and,
//! for configuration problems, for the administrator, naming the right provider's console).
//!
//! `AuthError` (in `error.rs`) says what went wrong; this module alone says it in English.
//! Provider text is kept as plain text (the view renders it as a text node, never as HTML).

use crate::config::ProviderKind;
use crate::error::{provider_text, AuthError, Endpoint, OAuthErrorCode};
use crate::text::capitalise;

/// What an error page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorCopy {
    pub title: String,
    pub what_happened: String,
    pub what_to_do: String,
    /// A fresh sign-in is likely to help.
    pub offer_sign_in: bool,
    /// An administrator has to change a setting; a retry alone will not help.
    pub configuration_problem: bool,
}

impl ErrorCopy {
    /// A passing problem the agent can act on: a fresh sign-in is offered.
    fn retry(title: &str, what_happened: impl Into<String>, what_to_do: &str) -> Self {
        Self::new(title, what_happened.into(), what_to_do.into(), true, false)
    }

    /// A setting an administrator has to change (a fresh sign-in is still offered).
    fn configuration(
        title: &str,
        what_happened: impl Into<String>,
        what_to_do: impl Into<String>,
    ) -> Self {
        Self::new(title, what_happened.into(), what_to_do.into(), true, true)
    }

    /// Signed in, but this request failed: signing in again would not help.
    fn no_sign_in(
        title: &str,
        what_happened: impl Into<String>,
        what_to_do: impl Into<String>,
    ) -> Self {
        Self::new(title, what_happened.into(), what_to_do.into(), false, false)
    }

    fn new(
        title: &str,
        what_happened: String,
        what_to_do: String,
        offer_sign_in: bool,
        configuration_problem: bool,
    ) -> Self {
        Self {
            title: title.into(),
            what_happened,
            what_to_do,
            offer_sign_in,
            configuration_problem,
        }
    }
}

/// Whose console an administrator has to open: the provider the failed attempt was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Console {
    Genesys,
    Cxone,
    Oidc,
    /// The provider is not known (the error came before one was chosen).
    #[default]
    Unknown,
}

impl Console {
    pub fn of(kind: &ProviderKind) -> Self {
        match kind {
            ProviderKind::Genesys { .. } => Console::Genesys,
            ProviderKind::Cxone { .. } => Console::Cxone,
            ProviderKind::Oidc { .. } => Console::Oidc,
        }
    }

    /// Where the OAuth client is registered, and what to check there.
    fn oauth_client_hint(self) -> &'static str {
        match self {
            Console::Genesys => {
                "In Genesys Cloud: Admin > Integrations > OAuth, open the client \
                named in config.json and check that its grant type is \"Code Authorization\" with \
                PKCE, that the redirect URI matches this page's /callback exactly, and that it has \
                the scopes this app needs."
            }
            // CXone registers public apps with their redirect URIs and "web browser origins",
            // and restricts them to PKCE (docs/PROVIDERS.md, NICE CXone).
            Console::Cxone => {
                "In NICE CXone: open the application registration of the client_id \
                in config.json and check that it is a public application using PKCE, that its \
                redirect URI matches this page's /callback exactly, that its web browser origins \
                include this page's origin, and that it may request the scopes this app asks for."
            }
            Console::Oidc | Console::Unknown => {
                "In the provider's client registration: open the \
                client named in config.json and check that it may use the authorization code flow \
                with PKCE (S256) as a public client, that its redirect URI matches this page's \
                /callback exactly, and that it may request the scopes this app asks for."
            }
        }
    }

    /// Where an agent's permissions are granted.
    fn permission_hint(self) -> &'static str {
        match self {
            Console::Genesys => {
                "Ask your administrator for the permission (in Genesys Cloud: a \
                role with the needed permission), or for the OAuth client's scopes to include it."
            }
            Console::Cxone => {
                "Ask your administrator for the permission (in NICE CXone: a role \
                with the needed permission), or for the application's scopes to include it."
            }
            Console::Oidc | Console::Unknown => {
                "Ask your administrator for the permission, or for \
                the OAuth client's scopes to include it."
            }
        }
    }
}

const FRESH_SIGN_IN: &str = "Start a fresh sign-in.";

/// The one place the provider's own words are quoted: `" {who} said: “…”"`, or nothing when
/// there are none. Control characters are removed and the length is bounded.
fn quote(who: &str, text: Option<&str>) -> String {
    text.map(provider_text)
        .filter(|text| !text.is_empty())
        .map(|text| format!(" {who} said: \u{201c}{text}\u{201d}"))
        .unwrap_or_default()
}

fn provider_said(text: &Option<String>) -> String {
    quote("The provider", text.as_deref())
}

fn endpoint(endpoint: &Endpoint) -> String {
    capitalise(endpoint.describe())
}

/// The page's copy for `error`, with admin hints for `console`.
pub fn error_copy(error: &AuthError, console: Console) -> ErrorCopy {
    match error {
        AuthError::BrowserUnsupported { missing } => ErrorCopy::no_sign_in(
            "This browser cannot sign you in",
            format!("The browser does not provide {missing}, which secure sign-in needs."),
            "Use a current version of Chrome, Edge, Firefox or Safari, outside private mode if \
                storage is blocked.",
        ),
        AuthError::UnknownProvider { id } => ErrorCopy::retry(
            "Unknown sign-in provider",
            format!(
                "The provider \"{}\" is not in this app's configuration.",
                provider_text(id)
            ),
            "Go back to the sign-in page and pick one of the listed providers.",
        ),
        AuthError::MissingState | AuthError::UnknownTransaction => ErrorCopy::retry(
            "This sign-in link is not valid here",
            "The sign-in response does not match a sign-in started in this browser tab. It may \
                have been used already, opened in another tab or browser, or altered. Nothing was \
                exchanged.",
            FRESH_SIGN_IN,
        ),
        AuthError::TransactionExpired => ErrorCopy::retry(
            "The sign-in took too long",
            "A sign-in must be completed within 10 minutes of starting it.",
            FRESH_SIGN_IN,
        ),
        AuthError::IssuerMismatch { expected, received } => ErrorCopy::retry(
            "The sign-in response came from the wrong server",
            format!(
                "The sign-in was started at {} but the response says it comes from {}. It was \
                    refused, and no code was sent anywhere.",
                provider_text(expected),
                received
                    .as_deref()
                    .map(provider_text)
                    .unwrap_or_else(|| "no server at all".into())
            ),
            "Start a fresh sign-in. If this keeps happening, tell your administrator: two \
                providers in config.json may be mixed up.",
        ),
        AuthError::AuthorizationDenied { error, description } => {
            authorization_denied(error, &provider_said(description), console)
        }
        AuthError::MissingCode => ErrorCopy::retry(
            "The sign-in response is incomplete",
            "The provider redirected back without an authorization code.",
            FRESH_SIGN_IN,
        ),
        AuthError::TokenRejected {
            status,
            error,
            description,
        } => token_rejected(*status, error, &provider_said(description), console),
        AuthError::UnexpectedResponse {
            endpoint: at,
            status,
            content_type,
        } => ErrorCopy::retry(
            "The sign-in service sent an unexpected answer",
            format!(
                "{} answered HTTP {status} with {} instead of JSON. This usually means a proxy or \
                    the service itself is failing.",
                endpoint(at),
                content_type
                    .as_deref()
                    .map(|c| format!("\"{}\"", provider_text(c)))
                    .unwrap_or_else(|| "no content type".into())
            ),
            "Try again in a minute. If it persists, check login_base/api_base in config.json and \
                the provider's status page.",
        ),
        AuthError::MalformedResponse {
            endpoint: at,
            reason,
        } => ErrorCopy::retry(
            "The sign-in service sent a malformed answer",
            format!(
                "{} answered with JSON that is not valid here: {}.",
                endpoint(at),
                provider_text(reason),
            ),
            "Try again. If it persists, the configured endpoint may not be a real OAuth server: \
                check config.json.",
        ),
        AuthError::ResponseTooLarge {
            endpoint: at,
            limit,
        } => ErrorCopy::retry(
            "The sign-in service sent too much data",
            format!(
                "{} sent more than {} KiB; the answer was discarded.",
                endpoint(at),
                limit / 1024,
            ),
            "Try again. If it persists, check the configured endpoints in config.json.",
        ),
        AuthError::Network { endpoint: at } => ErrorCopy::retry(
            "Cannot reach the sign-in service",
            format!(
                "{} did not answer: the network is down, the address is wrong, or the server \
                does not allow this page's origin (CORS).",
                endpoint(at)
            ),
            "Check your connection and try again. Administrators: check login_base/api_base in \
                config.json and that this page's origin is allowed on the OAuth client.",
        ),
        AuthError::DiscoveryFailed { issuer, reason } => ErrorCopy::configuration(
            "The sign-in provider is not set up correctly",
            format!(
                "The OpenID configuration of {} could not be used: {}.",
                provider_text(issuer),
                provider_text(reason),
            ),
            "This is a configuration problem. Check the provider's issuer in config.json (it must \
                match the provider's discovery document exactly, including any trailing slash) and \
                that the provider supports the authorization code flow with PKCE (S256).",
        ),
        AuthError::IdTokenRejected { reason } => ErrorCopy::retry(
            "The sign-in response failed a security check",
            format!(
                "The identity token from the provider was refused: {}. No tokens were kept.",
                provider_text(reason),
            ),
            "Start a fresh sign-in. If it keeps failing, tell your administrator: the client_id \
                or issuer in config.json may not match the provider.",
        ),
        AuthError::UserMismatch => ErrorCopy::retry(
            "The user profile does not match the sign-in",
            "The provider returned a profile for a different user than the one who signed in, so \
                it was not shown.",
            "Sign in again. If it persists, tell your administrator.",
        ),
        AuthError::SessionExpired => ErrorCopy::retry(
            "Your session has ended",
            "The provider no longer accepts this session (it expired, was revoked, or you signed \
                out elsewhere).",
            "Sign in again; you will come back to the same page.",
        ),
        AuthError::Forbidden { message } => ErrorCopy::no_sign_in(
            "You do not have permission",
            format!(
                "You are signed in, but your account may not do this.{}",
                provider_said(message),
            ),
            console.permission_hint(),
        ),
        AuthError::RateLimited { retry_after_secs } => ErrorCopy::no_sign_in(
            "Too many requests",
            "The provider asked this app to slow down.",
            match retry_after_secs {
                Some(secs) => format!("Try again in {secs} seconds."),
                None => "Try again in a minute.".into(),
            },
        ),
        AuthError::ApiFailed { status, message } => ErrorCopy::no_sign_in(
            "The request failed",
            format!(
                "The provider's API answered HTTP {status}.{}",
                quote("It", message.as_deref()),
            ),
            "Try again in a moment.",
        ),
    }
}

/// The authorization server redirected back with `error` (RFC 6749 4.1.2.1, OIDC Core 3.1.2.6).
fn authorization_denied(error: &OAuthErrorCode, said: &str, console: Console) -> ErrorCopy {
    use OAuthErrorCode::*;
    match error {
        AccessDenied => ErrorCopy::retry(
            "Sign-in was cancelled or refused",
            format!("The sign-in did not complete (access_denied).{said}"),
            "Sign in again. If you did not cancel, ask your administrator whether your account may \
                use this app.",
        ),
        LoginRequired | ConsentRequired | InteractionRequired | AccountSelectionRequired => {
            ErrorCopy::retry(
                "The provider needs you to sign in",
                format!("The provider asked for an interactive sign-in ({error}).{said}"),
                FRESH_SIGN_IN,
            )
        }
        ServerError | TemporarilyUnavailable => ErrorCopy::retry(
            "The sign-in service is having trouble",
            format!("The provider reported a temporary problem ({error}).{said}"),
            "Wait a minute, then sign in again.",
        ),
        _ => ErrorCopy::configuration(
            "The sign-in request was refused",
            format!("The provider rejected the sign-in request ({error}).{said}"),
            format!("This is a configuration problem. {}", console.oauth_client_hint()),
        ),
    }
}

/// The token endpoint answered with an OAuth error body (RFC 6749 5.2).
fn token_rejected(status: u16, error: &OAuthErrorCode, said: &str, console: Console) -> ErrorCopy {
    use OAuthErrorCode::*;
    match error {
        InvalidGrant => ErrorCopy::retry(
            "The sign-in could not be completed",
            format!(
                "The sign-in code or session was refused (invalid_grant, HTTP {status}): it \
                expired, was already used, or the session was ended.{said}"
            ),
            FRESH_SIGN_IN,
        ),
        InvalidClient | UnauthorizedClient | UnsupportedGrantType | InvalidScope
        | InvalidRequest => ErrorCopy::configuration(
            "The app is not set up correctly with the provider",
            format!("The token endpoint refused this app ({error}, HTTP {status}).{said}"),
            format!(
                "This is a configuration problem. {} Also check client_id in config.json.",
                console.oauth_client_hint()
            ),
        ),
        _ => ErrorCopy::retry(
            "The sign-in service refused the request",
            format!("The token endpoint answered with an error ({error}, HTTP {status}).{said}"),
            FRESH_SIGN_IN,
        ),
    }
}

#[cfg(test)]
mod tests;

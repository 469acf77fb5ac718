//! The authorization request checks both flavors' /authorize endpoints share.
//!
//! Client and redirect URI are checked first and failures are shown by the
//! server, never redirected (RFC 6749 4.1.2.1): an unverified redirect URI would
//! make the sandbox an open redirector. Later errors go back to the app.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::controls::{Fault, Mode};
use crate::faults::INJECTED;
use crate::pages::{error_page, SignInForm};
use crate::params::{with_query, Params};
use crate::responses::{html, redirect};
use crate::{pkce, random, AppState};

/// A request whose client and redirect URI have been verified.
pub(crate) struct AuthorizeRequest<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) redirect_uri: &'a str,
    pub(crate) state: Option<&'a str>,
    pub(crate) code_challenge: &'a str,
    pub(crate) code_challenge_method: &'a str,
}

impl<'a> AuthorizeRequest<'a> {
    pub(crate) fn form(&self, username: &'a str, error: Option<&'a str>) -> SignInForm<'a> {
        SignInForm {
            client_id: self.client_id,
            redirect_uri: self.redirect_uri,
            state: self.state,
            code_challenge: self.code_challenge,
            code_challenge_method: self.code_challenge_method,
            username,
            error,
        }
    }

    /// Where to send the browser back to the app with `params`, plus `state` if the app sent one.
    pub(crate) fn location_with(&self, params: &[(&str, &str)]) -> String {
        let mut pairs = params.to_vec();
        if let Some(state) = self.state {
            pairs.push(("state", state));
        }
        with_query(self.redirect_uri, &pairs)
    }

    /// Where to send the browser back with `code`: with the app's `state` or, under a
    /// `wrong_state` rule (`mode`), a real code but a state the app never sent (present
    /// even if it sent none), as a mix-up or injected response would carry; then `iss`
    /// (RFC 9207) if given.
    pub(crate) fn code_location(
        &self,
        code: &str,
        mode: Option<Mode>,
        iss: Option<&str>,
    ) -> String {
        let different_state = random::token();
        let mut pairs = vec![("code", code)];
        match (mode, self.state) {
            (Some(Mode::WrongState), _) => pairs.push(("state", &different_state)),
            (_, Some(app_state)) => pairs.push(("state", app_state)),
            (_, None) => {}
        }
        pairs.extend(iss.map(|iss| ("iss", iss)));
        with_query(self.redirect_uri, &pairs)
    }

    /// An injected error redirect (`redirect_error` rule).
    pub(crate) fn injected_error(&self, fault: &Fault) -> Response {
        redirect(&self.location_with(&[("error", &fault.error), ("error_description", INJECTED)]))
    }
}

/// Why a request was turned down, kept small until it becomes a response.
pub(crate) enum Rejection {
    /// Untrusted client or redirect URI: shown here, never redirected.
    Page(&'static str),
    /// Any other error: sent back to the app (RFC 6749 4.1.2.1).
    Redirect(String),
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::Page(message) => rejection_page(message),
            Rejection::Redirect(location) => redirect(&location),
        }
    }
}

pub(crate) fn rejection_page(message: &str) -> Response {
    html(
        StatusCode::BAD_REQUEST,
        error_page("Sign-in request rejected", message),
    )
}

/// Verifies client_id and redirect_uri (error page), then the rest (error redirect).
pub(crate) fn validate<'a>(
    state: &AppState,
    params: &'a Params,
    require_response_type: bool,
) -> Result<AuthorizeRequest<'a>, Rejection> {
    let client_id = match params.single("client_id") {
        Ok(Some(id)) if id == state.config.client_id => id,
        _ => return Err(Rejection::Page("Unknown client_id.")),
    };
    let redirect_uri = match params.single("redirect_uri") {
        Ok(Some(uri)) if state.config.is_registered_redirect(uri) => uri,
        _ => {
            return Err(Rejection::Page(
                "redirect_uri is not registered for this client.",
            ))
        }
    };

    // From here on the redirect URI is trusted, so errors go back to the app.
    let (app_state, state_error) = match params.single("state") {
        Ok(s) => (s, None),
        Err(_) => (None, Some("state was given more than once")),
    };
    let mut request = AuthorizeRequest {
        client_id,
        redirect_uri,
        state: app_state,
        code_challenge: "",
        code_challenge_method: "",
    };
    let invalid = |request: &AuthorizeRequest<'_>, error: &str, description: &str| {
        Err(Rejection::Redirect(request.location_with(&[
            ("error", error),
            ("error_description", description),
        ])))
    };
    if let Some(description) = state_error {
        return invalid(&request, "invalid_request", description);
    }
    if require_response_type {
        match params.single("response_type") {
            Ok(Some("code")) => {}
            Ok(Some(_)) => {
                return invalid(
                    &request,
                    "unsupported_response_type",
                    "Only response_type=code is supported.",
                )
            }
            Ok(None) => return invalid(&request, "invalid_request", "response_type is required."),
            Err(_) => {
                return invalid(
                    &request,
                    "invalid_request",
                    "response_type was given more than once.",
                )
            }
        }
    }
    request.code_challenge_method = match params.single("code_challenge_method") {
        Ok(Some(m @ "S256")) => m,
        Ok(Some(_)) => {
            return invalid(
                &request,
                "invalid_request",
                "code_challenge_method must be S256 (plain is not supported).",
            )
        }
        Ok(None) => {
            return invalid(
                &request,
                "invalid_request",
                "code_challenge_method is required and must be S256.",
            )
        }
        Err(_) => {
            return invalid(
                &request,
                "invalid_request",
                "code_challenge_method was given more than once.",
            )
        }
    };
    request.code_challenge = match params.single("code_challenge") {
        Ok(Some(c)) if pkce::is_valid_s256_challenge(c) => c,
        Ok(Some(_)) => {
            return invalid(
                &request,
                "invalid_request",
                "code_challenge must be 43 characters of base64url (S256).",
            )
        }
        Ok(None) => {
            return invalid(
                &request,
                "invalid_request",
                "code_challenge is required (PKCE).",
            )
        }
        Err(_) => {
            return invalid(
                &request,
                "invalid_request",
                "code_challenge was given more than once.",
            )
        }
    };
    Ok(request)
}

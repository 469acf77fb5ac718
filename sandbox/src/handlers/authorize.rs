//! GET/POST /oauth/authorize: the sign-in page and its submission.
//!
//! Client and redirect URI are checked first and failures are shown here,
//! never redirected (RFC 6749 4.1.2.1): an unverified redirect URI would make
//! the sandbox an open redirector. Later errors go back to the app.
//!
//! Failure rules for "authorize" (see `controls`) apply only to requests that
//! would succeed: a GET that shows the page or issues a code (SSO, see `sso`), or a
//! POST that issues a code.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::controls::{Counter, Endpoint, Fault, Mode};
use crate::faults::{self, INJECTED};
use crate::pages::{error_page, sign_in_page, SignInForm};
use crate::params::{is_form_urlencoded, with_query, Params};
use crate::responses::{html, redirect};
use crate::{pkce, random, sso, users, AppState};

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

    /// An injected error redirect (`redirect_error` rule).
    fn injected_error(&self, fault: &Fault) -> Response {
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

fn rejection_page(message: &str) -> Response {
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

/// GET: show the sign-in form, or, with a live SSO session and no `prompt=login`, answer
/// with a code at once (every check above still applies).
pub async fn show(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    state.controls().count(Counter::AuthorizePage);
    let params = Params::from_query(uri.query());
    let request = match validate(&state, &params, true) {
        Ok(request) => request,
        Err(rejection) => return rejection.into_response(),
    };
    let forced_login = params
        .all("prompt")
        .any(|p| p.split(' ').any(|v| v == "login"));
    let sso_user = match sso::session_id(&headers) {
        Some(id) if !forced_login => state.store().sso_user(id, Instant::now()),
        _ => None,
    };
    if let Some(user_id) = sso_user {
        state.controls().count(Counter::AuthorizeSilent);
        // As for a form submission that issues a code: every rule applies.
        let fault = faults::triggered(&state, &[Endpoint::Authorize], |_| true).await;
        return code_response(&state, &request, &user_id, fault.as_ref()).0;
    }
    // Rules that alter a code's redirect stay queued for the form submission.
    if let Some(fault) =
        faults::triggered(&state, &[Endpoint::Authorize], |mode| !mode.needs_code()).await
    {
        if fault.mode == Mode::RedirectError {
            return request.injected_error(&fault);
        }
        if let Some(response) = faults::respond(&state, &fault) {
            return response;
        }
    }
    html(StatusCode::OK, sign_in_page(&request.form("", None)))
}

/// POST: cancel, re-prompt on bad credentials, or issue a code (and start an SSO session).
pub async fn submit(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    state.controls().count(Counter::AuthorizeSubmit);
    if !is_form_urlencoded(&headers) {
        return rejection_page(
            "The sign-in form must be sent as application/x-www-form-urlencoded.",
        );
    }
    let params = Params::parse(&body);
    // The form carries no response_type; the GET already insisted on "code".
    let request = match validate(&state, &params, false) {
        Ok(request) => request,
        Err(rejection) => return rejection.into_response(),
    };

    if params.all("action").any(|a| a == "cancel") {
        return redirect(&request.location_with(&[
            ("error", "access_denied"),
            ("error_description", "The user cancelled sign-in"),
        ]));
    }

    let username = params.single("username").ok().flatten().unwrap_or("");
    let password = params.single("password").ok().flatten().unwrap_or("");
    let Some(user) = users::authenticate(username, password) else {
        let page = sign_in_page(&request.form(username, Some("Invalid username or password.")));
        return html(StatusCode::UNAUTHORIZED, page);
    };

    let fault = faults::triggered(&state, &[Endpoint::Authorize], |_| true).await;
    let (mut response, issued) = code_response(&state, &request, user.id, fault.as_ref());
    if issued {
        // A new sign-in replaces the browser's previous session, if any.
        let session = {
            let mut store = state.store();
            if let Some(old) = sso::session_id(&headers) {
                store.end_sso(old);
            }
            store.start_sso(user.id, sso::LIFETIME, Instant::now())
        };
        sso::set_cookie(&mut response, &session);
    }
    response
}

/// Issues a code for `user_id` and redirects back to the app, unless a triggered
/// `fault` answers instead (its error redirect or injected response). The flag says
/// whether a code was issued.
fn code_response(
    state: &AppState,
    request: &AuthorizeRequest<'_>,
    user_id: &str,
    fault: Option<&Fault>,
) -> (Response, bool) {
    match fault {
        Some(fault) if fault.mode == Mode::RedirectError => {
            return (request.injected_error(fault), false)
        }
        Some(fault) => {
            if let Some(response) = faults::respond(state, fault) {
                return (response, false);
            }
        }
        None => {}
    }

    let code = state.store().issue_code(
        request.client_id,
        request.redirect_uri,
        request.code_challenge,
        user_id,
        state.config.code_lifetime,
        Instant::now(),
    );
    let mode = fault.map(|f| f.mode);
    // `wrong_state`: a real code, but a state the app never sent (present even
    // if it sent none), as a mix-up or injected response would carry.
    let different_state = random::token();
    let mut pairs = vec![("code", code.as_str())];
    match (mode, request.state) {
        (Some(Mode::WrongState), _) => pairs.push(("state", &different_state)),
        (_, Some(app_state)) => pairs.push(("state", app_state)),
        (_, None) => {}
    }
    // `iss` (RFC 9207): an issuer, typically the wrong one, for apps that check it.
    if let Some(fault) = fault.filter(|f| f.mode == Mode::Iss) {
        pairs.push(("iss", &fault.error));
    }
    (redirect(&with_query(request.redirect_uri, &pairs)), true)
}

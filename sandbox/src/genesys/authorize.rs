//! GET/POST /oauth/authorize: the sign-in page and its submission. The request
//! checks (client and redirect URI first, shown here, never redirected) are
//! shared with the cxone flavor: see `oauth::authorize`.
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
use crate::faults;
use crate::oauth::authorize::{rejection_page, validate, AuthorizeRequest};
use crate::pages::sign_in_page;
use crate::params::{is_form_urlencoded, Params};
use crate::responses::{html, redirect};
use crate::{sso, users, AppState};

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
    // `iss` (RFC 9207): only under an `iss` rule, typically the wrong issuer, for apps
    // that check it.
    let iss = fault
        .filter(|f| f.mode == Mode::Iss)
        .map(|f| f.error.as_str());
    let location = request.code_location(&code, fault.map(|f| f.mode), iss);
    (redirect(&location), true)
}

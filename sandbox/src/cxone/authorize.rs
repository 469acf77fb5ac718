//! GET/POST /auth/authorize: the Genesys flavor's sign-in (same validation,
//! see `oauth::authorize`) plus OpenID Connect's `scope` (must include
//! `openid`) and `nonce` (bound to the code), and `iss` (RFC 9207) on every
//! redirect back to the app, errors included.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use super::BRAND;
use crate::controls::{Counter, Endpoint, Mode};
use crate::faults::{self, INJECTED};
use crate::oauth::authorize::{validate, AuthorizeRequest, Rejection};
use crate::pages::{branded_error_page, branded_sign_in_page};
use crate::params::{is_form_urlencoded, with_query, Params};
use crate::responses::{html, redirect};
use crate::{users, AppState};

/// The OpenID Connect parameters, checked after the OAuth ones.
struct Oidc<'a> {
    scope: &'a str,
    nonce: Option<&'a str>,
}

fn error_page(message: &str) -> Response {
    html(
        StatusCode::BAD_REQUEST,
        branded_error_page(&BRAND, "Sign-in request rejected", message),
    )
}

/// Back to the app with `params`, the app's `state` and the issuer.
fn back_to_app(
    state: &AppState,
    request: &AuthorizeRequest<'_>,
    params: &[(&str, &str)],
) -> Response {
    let location = request.location_with(params);
    redirect(&with_query(&location, &[("iss", &state.cxone.issuer)]))
}

fn reject(state: &AppState, rejection: Rejection) -> Response {
    match rejection {
        Rejection::Page(message) => error_page(message),
        Rejection::Redirect(location) => {
            redirect(&with_query(&location, &[("iss", &state.cxone.issuer)]))
        }
    }
}

/// Client, redirect URI, response type and PKCE as for Genesys, then scope
/// and nonce. `reject` turns a failure into the response (adding `iss`).
fn check<'a>(
    state: &AppState,
    params: &'a Params,
    require_response_type: bool,
) -> Result<(AuthorizeRequest<'a>, Oidc<'a>), Rejection> {
    let request = validate(state, params, require_response_type)?;
    let error = |error: &str, description: &str| {
        Rejection::Redirect(
            request.location_with(&[("error", error), ("error_description", description)]),
        )
    };
    let scope = match params.single("scope") {
        Ok(Some(scope)) if scope.split(' ').any(|s| s == "openid") => scope,
        Ok(_) => return Err(error("invalid_scope", "The scope must include openid.")),
        Err(_) => return Err(error("invalid_request", "scope was given more than once.")),
    };
    let nonce = match params.single("nonce") {
        Ok(nonce) => nonce,
        Err(_) => return Err(error("invalid_request", "nonce was given more than once.")),
    };
    Ok((request, Oidc { scope, nonce }))
}

fn page(
    request: &AuthorizeRequest<'_>,
    oidc: &Oidc<'_>,
    username: &str,
    error: Option<&str>,
) -> String {
    let mut extra = vec![("scope", oidc.scope)];
    if let Some(nonce) = oidc.nonce {
        extra.push(("nonce", nonce));
    }
    branded_sign_in_page(&BRAND, &request.form(username, error), &extra)
}

/// GET: show the sign-in form.
pub async fn show(State(state): State<AppState>, uri: Uri) -> Response {
    state.controls().count(Counter::AuthorizePage);
    let params = Params::from_query(uri.query());
    let (request, oidc) = match check(&state, &params, true) {
        Ok(checked) => checked,
        Err(rejection) => return reject(&state, rejection),
    };
    // Rules that alter a code's redirect stay queued for the form submission.
    if let Some(fault) =
        faults::triggered(&state, &[Endpoint::Authorize], |mode| !mode.needs_code()).await
    {
        if fault.mode == Mode::RedirectError {
            return back_to_app(
                &state,
                &request,
                &[("error", &fault.error), ("error_description", INJECTED)],
            );
        }
        if let Some(response) = super::respond(&state, &fault) {
            return response;
        }
    }
    html(StatusCode::OK, page(&request, &oidc, "", None))
}

/// POST: cancel, re-prompt on bad credentials, or issue a code.
pub async fn submit(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    state.controls().count(Counter::AuthorizeSubmit);
    if !is_form_urlencoded(&headers) {
        return error_page("The sign-in form must be sent as application/x-www-form-urlencoded.");
    }
    let params = Params::parse(&body);
    let (request, oidc) = match check(&state, &params, false) {
        Ok(checked) => checked,
        Err(rejection) => return reject(&state, rejection),
    };

    if params.all("action").any(|a| a == "cancel") {
        return back_to_app(
            &state,
            &request,
            &[
                ("error", "access_denied"),
                ("error_description", "The user cancelled sign-in"),
            ],
        );
    }

    let username = params.single("username").ok().flatten().unwrap_or("");
    let password = params.single("password").ok().flatten().unwrap_or("");
    let Some(user) = users::authenticate(username, password) else {
        let page = page(
            &request,
            &oidc,
            username,
            Some("Invalid username or password."),
        );
        return html(StatusCode::UNAUTHORIZED, page);
    };

    let fault = faults::triggered(&state, &[Endpoint::Authorize], |_| true).await;
    match &fault {
        Some(fault) if fault.mode == Mode::RedirectError => {
            return back_to_app(
                &state,
                &request,
                &[("error", &fault.error), ("error_description", INJECTED)],
            )
        }
        Some(fault) => {
            if let Some(response) = super::respond(&state, fault) {
                return response;
            }
        }
        None => {}
    }

    let code = {
        let mut store = state.store();
        let code = store.issue_code(
            request.client_id,
            request.redirect_uri,
            request.code_challenge,
            user.id,
            state.config.code_lifetime,
            Instant::now(),
        );
        if let Some(nonce) = oidc.nonce {
            store.set_code_nonce(&code, nonce);
        }
        code
    };
    // Always the issuer (RFC 9207), unless an `iss` rule names another one.
    let iss = match &fault {
        Some(fault) if fault.mode == Mode::Iss => fault.error.as_str(),
        _ => state.cxone.issuer.as_str(),
    };
    let mode = fault.as_ref().map(|f| f.mode);
    redirect(&request.code_location(&code, mode, Some(iss)))
}

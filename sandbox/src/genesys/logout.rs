//! GET /logout?client_id&redirect_uri: ends the browser's SSO session (see `sso`) and
//! sends the browser back to the app, but only to one of the app's own origins.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use crate::config::origin_of;
use crate::controls::Counter;
use crate::pages::error_page;
use crate::params::Params;
use crate::responses::{html, redirect};
use crate::{sso, AppState};

pub async fn logout(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    state.controls().count(Counter::Logout);
    // Whatever the parameters: the user asked to sign out of this browser.
    if let Some(id) = sso::session_id(&headers) {
        state.store().end_sso(id);
    }
    let mut response = redirect_back(&state, &uri);
    sso::clear_cookie(&mut response);
    response
}

fn redirect_back(state: &AppState, uri: &Uri) -> Response {
    let params = Params::from_query(uri.query());
    let reject = |message: &str| {
        html(
            StatusCode::BAD_REQUEST,
            error_page("Sign-out request rejected", message),
        )
    };

    match params.single("client_id") {
        Ok(Some(id)) if id == state.config.client_id => {}
        _ => return reject("Unknown client_id."),
    }
    match params.single("redirect_uri") {
        Ok(Some(target))
            if !target.contains('#')
                && origin_of(target).is_some_and(|o| state.allowed_origins.contains(&o)) =>
        {
            redirect(target)
        }
        _ => reject("redirect_uri is not on an origin registered for this client."),
    }
}

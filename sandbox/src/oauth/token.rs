//! The grants both flavors' token endpoints carry out: authorization_code (with
//! PKCE) and refresh_token, with single-use codes, rotation and reuse detection.
//! Each flavor shapes the responses itself.

use std::time::Instant;

use crate::controls::{Counter, Endpoint, Settings};
use crate::params::{Params, Repeated};
use crate::store::{CodeError, Grant, IssuedTokens, RefreshError};
use crate::{pkce, AppState};

/// An RFC 6749 5.2 error, kept small until it becomes a response.
pub(crate) struct TokenError {
    pub(crate) error: &'static str,
    pub(crate) description: String,
}

fn fail(error: &'static str, description: impl Into<String>) -> TokenError {
    TokenError {
        error,
        description: description.into(),
    }
}

/// The stats counter and the failure-rule endpoints a token request belongs to, by its
/// `grant_type` (shared by both flavors' token endpoints).
pub(crate) fn grant_route(
    grant_type: &Option<Result<Option<&str>, Repeated>>,
) -> (Counter, &'static [Endpoint]) {
    match grant_type {
        Some(Ok(Some("authorization_code"))) => (
            Counter::TokenAuthorizationCode,
            &[Endpoint::Token, Endpoint::TokenCode],
        ),
        Some(Ok(Some("refresh_token"))) => (
            Counter::TokenRefresh,
            &[Endpoint::Token, Endpoint::TokenRefresh],
        ),
        _ => (Counter::TokenOther, &[Endpoint::Token]),
    }
}

/// Carries out the grant a form-encoded token request asks for.
pub(crate) fn run_grant(
    state: &AppState,
    settings: &Settings,
    params: &Params,
    grant_type: Result<Option<&str>, Repeated>,
) -> Result<IssuedTokens, TokenError> {
    match grant_type {
        Ok(Some("authorization_code")) => authorization_code(state, settings, params),
        Ok(Some("refresh_token")) => refresh_token(state, settings, params),
        Ok(Some(_)) => Err(fail(
            "unsupported_grant_type",
            "Only authorization_code and refresh_token are supported.",
        )),
        Ok(None) => Err(fail(
            "invalid_request",
            "Missing required parameter: grant_type.",
        )),
        Err(_) => Err(fail(
            "invalid_request",
            "Parameter grant_type was given more than once.",
        )),
    }
}

/// Every named parameter, present exactly once, in order.
fn required<'a, const N: usize>(
    params: &'a Params,
    names: [&str; N],
) -> Result<[&'a str; N], TokenError> {
    let mut values = [""; N];
    for (value, name) in values.iter_mut().zip(names) {
        *value = match params.single(name) {
            Ok(Some(v)) => v,
            Ok(None) => {
                return Err(fail(
                    "invalid_request",
                    format!("Missing required parameter: {name}."),
                ))
            }
            Err(_) => {
                return Err(fail(
                    "invalid_request",
                    format!("Parameter {name} was given more than once."),
                ))
            }
        };
    }
    Ok(values)
}

/// The sandbox has one public client; anything else is unknown.
fn check_client(state: &AppState, client_id: &str) -> Result<(), TokenError> {
    if client_id == state.config.client_id {
        Ok(())
    } else {
        Err(fail("invalid_client", "Unknown client_id."))
    }
}

fn authorization_code(
    state: &AppState,
    settings: &Settings,
    params: &Params,
) -> Result<IssuedTokens, TokenError> {
    let [code, verifier, client_id, redirect_uri] = required(
        params,
        ["code", "code_verifier", "client_id", "redirect_uri"],
    )?;
    check_client(state, client_id)?;

    let now = Instant::now();
    let mut store = state.store();
    // Consumes the code before any other check, so a failed attempt cannot be retried.
    let bound = store.redeem_code(code, now).map_err(|e| {
        let description = match e {
            CodeError::Unknown => "Unknown authorization code.",
            CodeError::Expired => "The authorization code has expired.",
            CodeError::Reused => {
                "The authorization code was already used; tokens issued from it have been revoked."
            }
        };
        fail("invalid_grant", description)
    })?;
    if bound.client_id != client_id {
        return Err(fail(
            "invalid_grant",
            "The authorization code was issued to another client.",
        ));
    }
    if bound.redirect_uri != redirect_uri {
        return Err(fail(
            "invalid_grant",
            "redirect_uri does not match the one in the authorization request.",
        ));
    }
    if !pkce::verify_s256(verifier, &bound.code_challenge) {
        return Err(fail("invalid_grant", "PKCE verification failed."));
    }
    let grant = Grant {
        client_id: bound.client_id,
        user_id: bound.user_id,
        family: bound.family,
    };
    Ok(store.issue_tokens(
        grant,
        settings.access_token_lifetime,
        settings.issues_refresh_tokens(),
        now,
    ))
}

fn refresh_token(
    state: &AppState,
    settings: &Settings,
    params: &Params,
) -> Result<IssuedTokens, TokenError> {
    let [refresh_token, client_id] = required(params, ["refresh_token", "client_id"])?;
    check_client(state, client_id)?;
    // `--refresh-tokens none`: what Genesys answers a client without credentials, for which
    // this grant is not allowed. Checked after the client so an unknown one still says so.
    if settings.refuses_refresh_grant() {
        return Err(fail("invalid_client", "authentication failed"));
    }

    state
        .store()
        .rotate_refresh(
            refresh_token,
            client_id,
            settings.access_token_lifetime,
            settings.rotates_on_refresh(),
            Instant::now(),
        )
        .map_err(|e| {
            let description = match e {
                RefreshError::Unknown => "Unknown or revoked refresh token.",
                RefreshError::ClientMismatch => "The refresh token was issued to another client.",
                RefreshError::Reused => {
                    "The refresh token was already used; every token of this sign-in has been \
                     revoked."
                }
            };
            fail("invalid_grant", description)
        })
}

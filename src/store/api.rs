//! The API helper every provider call goes through: it brings a valid token, renews once on a
//! 401, waits out a short `Retry-After`, and ends the session when the provider refuses twice.

use super::{AuthStore, UserState};
use crate::browser::http::Method;
use crate::browser::{self, http};
use crate::error::{AuthError, Endpoint};
use crate::id_token::decode_claims;
use crate::provider::UserSource;
use crate::reply::HttpReply;
use crate::secret::AccessToken;
use crate::token::TokenSet;
use crate::user::{genesys_me_url, parse_cxone_user, parse_genesys_user, parse_userinfo};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A `Retry-After` up to this long is waited out once; longer ones are reported.
const MAX_RETRY_AFTER_WAIT_SECS: u64 = 30;
const DEFAULT_RETRY_AFTER_SECS: u64 = 2;

/// One API request, as sent (and sent again after a renewal).
struct Request<'a> {
    method: Method,
    url: &'a str,
    json_body: Option<&'a str>,
    endpoint: Endpoint,
}

impl Request<'_> {
    async fn send(&self, token: &AccessToken) -> Result<HttpReply, AuthError> {
        match self.method {
            Method::Get => http::get_with_bearer(self.url, token, self.endpoint).await,
            method => {
                http::send_with_bearer(method, self.url, token, self.json_body, self.endpoint).await
            }
        }
    }
}

impl AuthStore {
    /// `GET url` with a valid access token: renews first when the token has expired, and on a
    /// 401 renews once and retries once. A second 401 ends the session (the login page then
    /// brings the agent back to the same page). 403 and other errors are the caller's to show.
    pub async fn api_get(&self, url: &str, endpoint: Endpoint) -> Result<HttpReply, AuthError> {
        self.api_send(Method::Get, url, None, endpoint).await
    }

    /// [`AuthStore::api_get`] on behalf of session `session_id` only (see
    /// [`AuthStore::api_send_in`]).
    pub async fn api_get_in(
        &self,
        session_id: &str,
        url: &str,
        endpoint: Endpoint,
    ) -> Result<HttpReply, AuthError> {
        self.api_send_in(session_id, Method::Get, url, None, endpoint)
            .await
    }

    /// [`AuthStore::api_get`] for any method, with an optional JSON body: the same token,
    /// the same one renewal on a 401, the same `Retry-After` handling. A write refused with
    /// 401 or 429 was not carried out, so sending it again is safe.
    pub async fn api_send(
        &self,
        method: Method,
        url: &str,
        json_body: Option<&str>,
        endpoint: Endpoint,
    ) -> Result<HttpReply, AuthError> {
        let session_id = self.session().ok_or(AuthError::SessionExpired)?.session_id;
        self.api_send_in(&session_id, method, url, json_body, endpoint)
            .await
    }

    /// [`AuthStore::api_send`] on behalf of session `session_id`: refused (`SessionExpired`)
    /// unless that session is still the current one, so work that belongs to a session (the
    /// live layer's runs) never sends a request with the token of a sign-in that replaced it,
    /// even before it has heard of the replacement.
    pub async fn api_send_in(
        &self,
        session_id: &str,
        method: Method,
        url: &str,
        json_body: Option<&str>,
        endpoint: Endpoint,
    ) -> Result<HttpReply, AuthError> {
        // The call belongs to this session: if another sign-in replaces it (another tab) while
        // the call is out, its answer is not the new session's to show.
        let tokens = self
            .current_tokens(session_id)
            .ok_or(AuthError::SessionExpired)?;
        if tokens.is_expired(browser::now_ms()) {
            self.refresh().await?;
        }
        let request = Request {
            method,
            url,
            json_body,
            endpoint,
        };
        let (reply, sent_with) = self.send_once(&request, session_id).await?;
        if reply.status != 401 {
            return Ok(reply);
        }
        // A call that left before another one renewed the token only needs the new token;
        // renewing again would waste a request (and, across tabs, a rotated refresh token).
        if self.current_access_token(session_id).as_ref() == Some(&sent_with) {
            self.refresh().await?;
        }
        let (retried, _) = self.send_once(&request, session_id).await?;
        if retried.status == 401 {
            if self.current_access_token(session_id).is_some() {
                self.end_session(Some("Your session has ended. Please sign in again.".into()));
            }
            return Err(AuthError::SessionExpired);
        }
        Ok(retried)
    }

    /// The access token of session `session_id`, if it is still the current one.
    fn current_access_token(&self, session_id: &str) -> Option<AccessToken> {
        self.current_tokens(session_id)
            .map(|tokens| tokens.access_token)
    }

    /// The tokens of session `session_id`, if it is still the current one.
    pub(crate) fn current_tokens(&self, session_id: &str) -> Option<TokenSet> {
        self.session()
            .filter(|session| session.session_id == session_id)
            .map(|session| session.tokens)
    }

    /// One request with the current token (and one more after a short `Retry-After`).
    /// Returns the reply and the token it was sent with.
    async fn send_once(
        &self,
        request: &Request<'_>,
        session_id: &str,
    ) -> Result<(HttpReply, AccessToken), AuthError> {
        let token = self
            .current_access_token(session_id)
            .ok_or(AuthError::SessionExpired)?;
        let reply = request.send(&token).await?;
        if reply.status != 429 {
            return Ok((reply, token));
        }
        // Without a readable Retry-After (the server must expose it to scripts via CORS),
        // a short pause before the one retry.
        match reply.retry_after_secs().unwrap_or(DEFAULT_RETRY_AFTER_SECS) {
            wait if wait <= MAX_RETRY_AFTER_WAIT_SECS => {
                browser::sleep((wait * 1000) as u32).await;
                let token = self
                    .current_access_token(session_id)
                    .ok_or(AuthError::SessionExpired)?;
                let reply = request.send(&token).await?;
                Ok((reply, token))
            }
            _ => Ok((reply, token)),
        }
    }

    /// (Re)loads the signed-in user into `user`, from wherever the provider keeps it.
    pub fn load_user(&self) {
        let Some(session) = self.session() else {
            return;
        };
        let store = self.clone();
        self.user.set(UserState::Loading);
        spawn_local(async move {
            let endpoints = &session.endpoints;
            let claims = session
                .tokens
                .id_token
                .as_ref()
                .and_then(|t| decode_claims(t).ok());
            let result = match endpoints.user_source {
                UserSource::GenesysMe => {
                    let url = genesys_me_url(&endpoints.current_user);
                    store
                        .api_get(&url, Endpoint::CurrentUser)
                        .await
                        .and_then(|reply| parse_genesys_user(&reply))
                }
                UserSource::CxoneUser => {
                    let tenant = claims.as_ref().and_then(|c| c.text("tenant"));
                    store
                        .api_get(&endpoints.current_user, Endpoint::CurrentUser)
                        .await
                        .and_then(|reply| parse_cxone_user(&reply, tenant))
                }
                UserSource::OidcUserinfo => {
                    let subject = claims.as_ref().and_then(|c| c.subject());
                    store
                        .api_get(&endpoints.current_user, Endpoint::CurrentUser)
                        .await
                        .and_then(|reply| parse_userinfo(&reply, subject))
                }
            };
            if store.current_access_token(&session.session_id).is_none() {
                return; // signed out, or another sign-in took over, while it was in flight
            }
            store.user.set(match result {
                Ok(user) => UserState::Loaded(user),
                Err(error) => UserState::Failed(error),
            });
        });
    }
}

//! Signing out: revoke where the provider can, clear everything local (other tabs follow),
//! then end the provider's own login session so the next sign-in is not silent.

use super::{AuthStore, Session};
use crate::browser::{http, page, storage};
use crate::config::ProviderConfig;
use crate::error::Endpoint;
use crate::provider::{EndSession, Revocation};
use crate::query;
use crate::token::revocation_form;
use leptos::task::spawn_local;

impl AuthStore {
    pub fn sign_out(&self) {
        let Some(session) = self.session() else {
            return;
        };
        let provider = self.config.provider(&session.provider_id).cloned();
        let notice = "You have signed out.";
        self.end_session(Some(notice.into()));
        let Some(provider) = provider else { return };
        // The provider's logout page sends the browser back to /login: keep the message for it.
        storage::set_notice(notice);
        spawn_local(async move {
            revoke(&session, &provider).await;
            end_provider_session(&session, &provider);
        });
    }
}

/// Best effort: local state is already gone whatever the answer.
async fn revoke(session: &Session, provider: &ProviderConfig) {
    match &session.endpoints.revocation {
        Some(Revocation::GenesysTokensMe(url)) => {
            let _ =
                http::delete_with_bearer(url, &session.tokens.access_token, Endpoint::Api).await;
        }
        Some(Revocation::Rfc7009(url)) => {
            // The refresh token is the long-lived one; revoking it ends its access tokens too
            // on most servers (RFC 7009 section 2.1).
            let (token, hint) = match &session.tokens.refresh_token {
                Some(refresh) => (refresh, "refresh_token"),
                None => (&session.tokens.access_token, "access_token"),
            };
            let body = revocation_form(token, hint, &provider.client_id);
            let _ = http::post_form(url, &body, Endpoint::Api).await;
        }
        None => {}
    }
}

fn end_provider_session(session: &Session, provider: &ProviderConfig) {
    let back_to = provider
        .post_logout_redirect_uri
        .clone()
        .unwrap_or_else(|| format!("{}/login", page::origin()));
    match &session.endpoints.end_session {
        Some(EndSession::GenesysLogout(url)) => page::leave_for(&query::append_to_url(
            url,
            &[
                ("client_id", &provider.client_id),
                ("redirect_uri", &back_to),
            ],
        )),
        // RP-Initiated Logout 1.0 lets `client_id` identify the client instead of an
        // `id_token_hint`; sending the hint would put the ID token (with the user's name and
        // email) in a URL, the history and server logs. Every OP must accept GET; POST is
        // not enabled everywhere (oidc-provider 9 needs an opt-in).
        Some(EndSession::Oidc(url)) => page::leave_for(&query::append_to_url(
            url,
            &[
                ("client_id", &provider.client_id),
                ("post_logout_redirect_uri", &back_to),
            ],
        )),
        // Nothing to end at the provider: the login page is already showing.
        None => {}
    }
}

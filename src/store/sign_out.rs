//! Signing out: clear everything local at once (other tabs follow), wait until no refresh is
//! in flight, revoke the newest tokens where the provider can, then end the provider's own
//! login session so the next sign-in is not silent. A sign-out is final: nothing in flight
//! when it was clicked can bring the session back.

use super::refresh::REFRESH_LOCK;
use super::{revoke, AuthStore, Session};
use crate::browser::{lock, page, storage};
use crate::config::{ProviderConfig, TokenStorage};
use crate::provider::EndSession;
use crate::query;
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
        let store = self.clone();
        spawn_local(async move {
            // A refresh in flight in this tab sees the sign-out when it returns: it drops its
            // tokens and revokes them before it settles.
            store.refresh_settled().await;
            let written_back = if store.token_storage() == TokenStorage::Local {
                store.take_written_back(&session.session_id).await
            } else {
                None
            };
            let newest = written_back.unwrap_or(session.clone());
            revoke::revoke_tokens(&newest.tokens, &newest.endpoints, &provider.client_id).await;
            if newest.tokens != session.tokens {
                // The tokens this tab had were rotated away by another tab; revoke them too in
                // case the provider does not spend a rotated refresh token.
                revoke::revoke_tokens(&session.tokens, &session.endpoints, &provider.client_id)
                    .await;
            }
            // The provider's logout page sends the browser back to /login: keep the message.
            storage::set_notice(notice);
            end_provider_session(&session, &provider);
        });
    }

    /// With shared tokens, other tabs refresh under the Web Lock. Once this tab holds it, no
    /// refresh is in flight anywhere; one that wrote this session back before it heard of the
    /// sign-out has left the newest tokens in storage: take them out (to revoke them).
    async fn take_written_back(&self, session_id: &str) -> Option<Session> {
        let session_id = session_id.to_owned();
        lock::with_exclusive_lock(REFRESH_LOCK, || async move {
            let stored = storage::load_session(TokenStorage::Local)
                .filter(|stored| stored.session_id == session_id)?;
            storage::clear_session();
            Some(stored)
        })
        .await
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

//! Signing out: clear everything local at once (other tabs follow), wait until no refresh is
//! in flight, revoke the newest tokens where the provider can, then end the provider's own
//! login session so the next sign-in is not silent. A sign-out is final: nothing in flight
//! when it was clicked can bring the session back.

use super::refresh::REFRESH_LOCK;
use super::revoke::{self, EXPIRY_MARGIN_MS};
use super::{AuthStore, Session, SigningOut};
use crate::browser::{self, lock, page, storage};
use crate::config::{ProviderConfig, TokenStorage};
use crate::pkce;
use crate::provider::{end_session_request, logout_state_matches};
use crate::token::TokenSet;
use leptos::prelude::*;
use leptos::task::spawn_local;

impl AuthStore {
    pub fn sign_out(&self) {
        let Some(session) = self.session() else {
            return;
        };
        let provider = self.config.provider(&session.provider_id).cloned();
        let notice = "You have signed out.";
        // The live layer stops before anything else (no request of its own after the click),
        // keeping at most one last request for below.
        let farewell = self
            .sign_out_hook
            .with_value(|hook| hook.clone())
            .and_then(|hook| hook());
        if provider.is_some() {
            // Taken back below, once no refresh is in flight.
            self.signing_out.set_value(Some(SigningOut {
                session_id: session.session_id.clone(),
                late_tokens: None,
            }));
        }
        self.end_session(Some(notice.into()));
        let Some(provider) = provider else { return };
        let store = self.clone();
        spawn_local(async move {
            // A refresh in flight in this tab sees the sign-out when it returns and hands its
            // tokens over (below) instead of keeping them.
            store.refresh_settled().await;
            let late = store.take_late_tokens(&session.session_id);
            let written_back = if store.token_storage() == TokenStorage::Local {
                store.take_written_back(&session.session_id).await
            } else {
                None
            };
            // Every token set this session may still have alive, the newest first.
            let mut held = Vec::new();
            held.extend(written_back.map(|stored| stored.tokens));
            held.extend(late);
            held.push(session.tokens.clone());
            let mut distinct = Vec::with_capacity(held.len());
            for tokens in held {
                if !distinct.contains(&tokens) {
                    distinct.push(tokens);
                }
            }
            if farewell.is_some() && distinct[0].is_expired(browser::now_ms() + EXPIRY_MARGIN_MS) {
                // After a sleep with no refresh of this tab's to hand over (none went out, or
                // another tab's came back and ended the agent session with its own tokens, see
                // refresh.rs), the newest token is dead: renew once so the farewell can still
                // be heard. The renewal is revoked below with the rest, where the provider
                // can revoke (CXone has no revocation endpoint).
                let renewed =
                    revoke::renew_once(&distinct[0], &session.endpoints, &provider.client_id).await;
                if let Some(renewed) = renewed {
                    distinct.insert(0, renewed.renewing(&distinct[0]));
                }
            }
            let newest = Session {
                tokens: distinct[0].clone(),
                ..session.clone()
            };
            // E.g. CXone's agent session ends with the token that can still end it.
            if let Some(farewell) = farewell {
                farewell(newest.tokens.access_token.clone()).await;
            }
            // Older sets too: the provider may not spend a rotated refresh token.
            for tokens in &distinct {
                revoke::revoke_tokens(tokens, &session.endpoints, &provider.client_id).await;
            }
            // Another tab's sign-in may have been adopted meanwhile: leaving now would end the
            // provider session it relies on.
            if store.session().is_none() {
                end_provider_session(&newest, &provider, notice);
            }
        });
    }

    /// A refresh of `session_id` came back after its sign-out: hands its tokens to the
    /// sign-out waiting for it. False when no sign-out of that session waits (or one already
    /// has late tokens): the caller revokes them itself.
    pub(super) fn hand_to_sign_out(&self, session_id: &str, late: TokenSet) -> bool {
        self.signing_out
            .try_update_value(|waiting| match waiting {
                Some(waiting)
                    if waiting.session_id == session_id && waiting.late_tokens.is_none() =>
                {
                    waiting.late_tokens = Some(late);
                    true
                }
                _ => false,
            })
            .unwrap_or(false)
    }

    /// Ends this tab's wait for late tokens of `session_id`, returning what arrived.
    fn take_late_tokens(&self, session_id: &str) -> Option<TokenSet> {
        self.signing_out
            .try_update_value(|waiting| match waiting {
                Some(w) if w.session_id == session_id => waiting.take()?.late_tokens,
                _ => None,
            })
            .flatten()
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

/// Leaves for the provider's logout page, which sends the browser back to /login. The
/// `state` it must hand back is kept for the login page to check ([`logout_state_matches`]).
fn end_provider_session(session: &Session, provider: &ProviderConfig, notice: &str) {
    let Some(end_session) = &session.endpoints.end_session else {
        // Nothing to end at the provider: the login page is already showing.
        return;
    };
    let back_to = provider
        .post_logout_redirect_uri
        .clone()
        .unwrap_or_else(|| format!("{}/login", page::origin()));
    let state = browser::random_bytes()
        .map(|bytes| pkce::base64url(&bytes))
        .unwrap_or_default();
    let request = end_session_request(
        end_session,
        &provider.kind,
        &provider.client_id,
        session.tokens.id_token.as_ref(),
        &back_to,
        &state,
    );
    storage::set_notice(notice, request.expected_state.as_deref());
    page::leave_for(&request.url);
}

/// The login page's notice after a sign-out. Where the provider's logout takes a `state`, the
/// notice stands only if the browser came back with it; the address bar loses it either way.
pub(super) fn notice_on_return(stored: (Option<String>, Option<String>)) -> Option<String> {
    let (notice, expected_state) = stored;
    let Some(expected_state) = expected_state else {
        return notice;
    };
    let returned = page::query();
    if !returned.is_empty() {
        page::replace_url(&page::path());
    }
    if logout_state_matches(Some(&expected_state), &returned) {
        notice
    } else {
        Some(
            "Signed out here. The provider did not confirm its own sign-out: close the browser to \
            be sure."
                .into(),
        )
    }
}

//! Renewing the session: one refresh at a time (in this tab through a shared in-flight
//! request, across tabs through a Web Lock), its checks, and what a failure means. When it
//! runs is `timers.rs`; following other tabs is `other_tabs.rs`.

use super::{live, revoke};
use super::{AuthState, AuthStore, RefreshRecord, Session, HISTORY_LENGTH};
use crate::browser::{self, http, lock, storage};
use crate::config::TokenStorage;
use crate::error::{AuthError, Endpoint, RefreshFailure};
use crate::id_token::{decode_claims, validate_id_token, Expected};
use crate::schedule;
use crate::secret::AccessToken;
use crate::token::{parse_token_response_for, refresh_form, TokenSet};
use futures_channel::oneshot;
use leptos::prelude::*;

/// The Web Lock every tab of the origin takes around a refresh.
pub(super) const REFRESH_LOCK: &str = "pkce-desk.refresh";

/// A refreshed ID token must still come from the same issuer, for this client and the same
/// user (OIDC Core 12.2); it carries no nonce.
fn check_refreshed_id_token(
    tokens: TokenSet,
    session: &Session,
    client_id: &str,
) -> Result<TokenSet, AuthError> {
    let Some(id_token) = &tokens.id_token else {
        return Ok(tokens);
    };
    let expected = Expected {
        issuer: &session.endpoints.issuer,
        client_id,
        nonce: None,
    };
    let claims = validate_id_token(id_token, &expected, browser::now_ms())?;
    let previous = session
        .tokens
        .id_token
        .as_ref()
        .and_then(|t| decode_claims(t).ok());
    if previous.is_some_and(|p| p.subject() != claims.subject()) {
        return Err(AuthError::UserMismatch);
    }
    Ok(tokens)
}

/// The login page's notice when a session that could not be renewed runs out.
pub(super) const SESSION_TIME_UP: &str =
    "Your session reached the end of its time and this provider cannot renew it. Please sign in \
        again.";

pub(super) type RefreshWaiters = Option<Vec<oneshot::Sender<Result<(), AuthError>>>>;

impl AuthStore {
    /// Renews the tokens now. Any number of concurrent callers share one request.
    pub async fn refresh(&self) -> Result<(), AuthError> {
        if let Some(receiver) = self.join_refresh_in_flight() {
            return receiver.await.unwrap_or(Err(AuthError::SessionExpired));
        }
        // No await since the check above: this call is now the one in flight.
        self.refresh_waiters.set_value(Some(Vec::new()));
        let result = if self.config.token_storage == TokenStorage::Local {
            // The token this tab wants replaced: while we wait for the lock, another tab may
            // replace it (and this tab may already have picked that up from a storage event).
            let stale = self.session().map(|session| session.tokens.access_token);
            let store = self.clone();
            lock::with_exclusive_lock(
                REFRESH_LOCK,
                || async move { store.refresh_shared(stale).await },
            )
            .await
        } else {
            self.refresh_at_provider().await
        };
        let waiters = self
            .refresh_waiters
            .try_update_value(Option::take)
            .flatten()
            .unwrap_or_default();
        for waiter in waiters {
            let _ = waiter.send(result.clone());
        }
        result
    }

    /// The outcome of the refresh in flight in this tab, if there is one.
    fn join_refresh_in_flight(&self) -> Option<oneshot::Receiver<Result<(), AuthError>>> {
        self.refresh_waiters
            .try_update_value(|waiters| {
                waiters.as_mut().map(|list| {
                    let (sender, receiver) = oneshot::channel();
                    list.push(sender);
                    receiver
                })
            })
            .flatten()
    }

    /// Resolves once no refresh is in flight in this tab (at once if none is). Sign-out waits
    /// here so that a late refresh has dropped and revoked its tokens before the page leaves.
    pub(super) async fn refresh_settled(&self) {
        if let Some(receiver) = self.join_refresh_in_flight() {
            let _ = receiver.await;
        }
    }

    /// Under the lock: another tab may have renewed, replaced or ended the shared session
    /// meanwhile.
    async fn refresh_shared(&self, stale: Option<AccessToken>) -> Result<(), AuthError> {
        let stale = stale.ok_or(AuthError::SessionExpired)?;
        let current = self.session().ok_or(AuthError::SessionExpired)?;
        let stored = match storage::load_session(TokenStorage::Local) {
            Some(stored) if stored.session_id == current.session_id => stored,
            // Signed out, or replaced by another sign-in: nothing of this session to renew.
            other => {
                self.follow_shared(other);
                return Err(AuthError::SessionExpired);
            }
        };
        if stored.tokens.access_token != stale && !stored.tokens.is_expired(browser::now_ms()) {
            if current != stored {
                self.adopt(stored, "renewed by another tab");
            }
            return Ok(());
        }
        self.refresh_at_provider().await
    }

    async fn refresh_at_provider(&self) -> Result<(), AuthError> {
        let session = self.session().ok_or(AuthError::SessionExpired)?;
        let epoch = self.epoch();
        let (client_id, token_type) = self
            .config
            .provider(&session.provider_id)
            .map(|p| (p.client_id.clone(), p.kind.rules().token_type_rule()))
            .ok_or(AuthError::SessionExpired)?;
        let Some(refresh_token) = session.tokens.refresh_token.clone() else {
            // Nothing to renew with: the session lasts as long as its access token (the
            // dashboard offers Continue session before then). Asked to renew a token of unknown
            // lifetime (after a 401), it is over.
            if session.tokens.is_expired(browser::now_ms())
                || session.tokens.expires_at_ms.is_none()
            {
                self.end_session(Some(SESSION_TIME_UP.into()));
            }
            return Err(AuthError::SessionExpired);
        };
        let body = refresh_form(&refresh_token, &client_id);
        // Read now: a sign-out in another tab clears it at the click.
        let agent_session = match self.config.token_storage {
            TokenStorage::Local => storage::recorded_agent_session(&session.session_id),
            _ => None,
        };
        let sent_at = browser::now_ms();
        let outcome = match http::post_form(&session.endpoints.token, &body, Endpoint::Token).await
        {
            Ok(reply) => parse_token_response_for(&reply, sent_at, token_type)
                .and_then(|tokens| check_refreshed_id_token(tokens, &session, &client_id))
                .map(|tokens| tokens.renewing(&session.tokens)),
            Err(error) => Err(error),
        };
        // The request was out for a while: a sign-out, or another sign-in, may have happened.
        // Its tokens must not bring the session back; they are revoked instead.
        if !self.is_still_current(epoch, &session.session_id) {
            if let Ok(late) = outcome {
                if !self.hand_to_sign_out(&session.session_id, late.clone()) {
                    // Signed out in another tab while this renewal was out: with rotation,
                    // these are the only live tokens of the session, so the agent session it
                    // holds is ended here (the signing-out tab's own attempt may fail).
                    let signed_out = storage::load_session(TokenStorage::Local).is_none();
                    if let Some(agent_session) = agent_session.filter(|_| signed_out) {
                        let api_base = session.endpoints.api_base.as_str();
                        live::end_agent_session(api_base, &agent_session, &late.access_token).await;
                    }
                    revoke::revoke_tokens(&late, &session.endpoints, &client_id).await;
                }
            }
            return Err(AuthError::SessionExpired);
        }
        match outcome {
            Ok(tokens) => {
                let renewed = Session { tokens, ..session };
                if let Err(error) = storage::save_session(self.config.token_storage, &renewed) {
                    // Tokens this tab cannot keep must not stay alive at the provider.
                    revoke::revoke_tokens(&renewed.tokens, &renewed.endpoints, &client_id).await;
                    self.end_session(Some(
                        "Your session could not be saved. Please sign in again.".into(),
                    ));
                    return Err(error);
                }
                self.adopt(renewed, "renewed");
                Ok(())
            }
            Err(error) => match error.refresh_failure() {
                RefreshFailure::SessionOver => {
                    self.end_session(Some("Your session has ended. Please sign in again.".into()));
                    Err(error)
                }
                RefreshFailure::RefreshNotAllowed => {
                    self.keep_without_refresh(session);
                    Err(error)
                }
                RefreshFailure::Transient => Err(self.retry_later(error)),
            },
        }
    }

    /// The provider refused to renew for this client (Genesys allows the refresh grant to
    /// confidential clients only): the session stays until its access token expires.
    fn keep_without_refresh(&self, mut session: Session) {
        if session.tokens.is_expired(browser::now_ms()) {
            self.end_session(Some(SESSION_TIME_UP.into()));
            return;
        }
        session.tokens.refresh_token = None;
        // The tokens are unchanged but for the refresh token: a failed write only costs the
        // same refusal again after a reload.
        let _ = storage::save_session(self.config.token_storage, &session);
        self.adopt(
            session,
            "refused by the provider: the session ends when its token expires",
        );
    }

    /// Network trouble or a failing server: keep the session and try again later.
    fn retry_later(&self, error: AuthError) -> AuthError {
        let failures = self.refresh_failures.get_value().saturating_add(1);
        self.refresh_failures.set_value(failures);
        self.record_refresh(&format!("failed ({}), will retry", error.code()));
        let retry_at = browser::now_ms() + schedule::retry_delay_ms(failures, browser::jitter());
        self.next_refresh_at.set_value(Some(retry_at));
        self.arm_timer(Some(retry_at));
        error
    }

    /// Whether the session `session_id`, which some work started under at `epoch`, is still
    /// the one in force: in this tab, and (with shared tokens) in storage, which another tab
    /// may have changed without this tab having heard yet. Synchronous, so nothing can slip
    /// in between this check and the write that follows it.
    pub(super) fn is_still_current(&self, epoch: u64, session_id: &str) -> bool {
        let shared_agrees = self.config.token_storage != TokenStorage::Local
            || storage::load_session(TokenStorage::Local)
                .is_some_and(|stored| stored.session_id == session_id);
        self.epoch() == epoch && shared_agrees
    }

    /// Switches to renewed tokens (ours or another tab's) and plans the next renewal; the
    /// failure count (the backoff) starts over.
    pub(super) fn adopt(&self, session: Session, outcome: &str) {
        self.refresh_failures.set_value(0);
        self.state.set(AuthState::SignedIn(session));
        self.schedule_refresh();
        self.record_refresh(outcome);
    }

    fn record_refresh(&self, outcome: &str) {
        let record = RefreshRecord {
            at_ms: browser::now_ms(),
            outcome: outcome.to_owned(),
        };
        self.refresh_history.update(|history| {
            history.insert(0, record);
            history.truncate(HISTORY_LENGTH);
        });
    }

    pub(super) fn schedule_refresh(&self) {
        let Some(session) = self.session() else {
            return;
        };
        if session.tokens.refresh_token.is_none() {
            self.next_refresh_at.set_value(None);
            self.plan_session_end(&session.tokens);
            return;
        }
        self.continue_offered.set(false);
        let at = schedule::next_refresh_at(&session.tokens, browser::jitter());
        self.next_refresh_at.set_value(at);
        self.arm_timer(at);
    }
}

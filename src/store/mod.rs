//! The reactive auth store, provided through context. It owns the sign-in state machine, the
//! session's tokens, the refresh timer and the API helper; views only read its signals and
//! call its methods.

use crate::authorize::{authorization_request, redirect_uri_for, LoginRandomness};
use crate::browser::{self, http, page, storage};
use crate::callback::{check_callback, parse_callback};
use crate::config::{AppConfig, ProviderConfig, TokenStorage};
use crate::error::{AuthError, Endpoint};
use crate::query;
use crate::token::{authorization_code_form, parse_token_response};
use crate::user::UserProfile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;

mod api;
mod refresh;

pub use crate::browser::storage::StoredSession as Session;
use refresh::RefreshWaiters;

#[derive(Debug, Clone, PartialEq)]
pub enum AuthState {
    /// `notice` explains why, when it was not the user's own choice to be here.
    SignedOut {
        notice: Option<String>,
    },
    /// On the way to the provider's sign-in page.
    Redirecting,
    /// Back from the provider, exchanging the code.
    Exchanging,
    SignedIn(Session),
    Failed(AuthError),
}

#[derive(Debug, Clone, PartialEq)]
pub enum UserState {
    Idle,
    Loading,
    Loaded(UserProfile),
    Failed(AuthError),
}

/// One line of the dashboard's refresh history.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshRecord {
    pub at_ms: u64,
    pub outcome: String,
}

const HISTORY_LENGTH: usize = 5;

#[derive(Clone)]
pub struct AuthStore {
    config: Arc<AppConfig>,
    pub state: RwSignal<AuthState>,
    pub user: RwSignal<UserState>,
    pub refresh_history: RwSignal<Vec<RefreshRecord>>,
    /// Where to go once the callback has signed the user in.
    pub landing: RwSignal<Option<String>>,
    next_refresh_at: StoredValue<Option<u64>>,
    refresh_timer: StoredValue<Option<TimeoutHandle>>,
    /// `Some` while a refresh request is in flight: later callers wait for its result
    /// instead of sending their own (single flight).
    refresh_waiters: StoredValue<RefreshWaiters, LocalStorage>,
    /// Consecutive refreshes that failed for a passing reason (drives the backoff).
    refresh_failures: StoredValue<u32>,
}

impl AuthStore {
    /// Restores a stored session if there is a usable one.
    pub fn new(config: AppConfig) -> Self {
        let now = browser::now_ms();
        let notice = storage::take_notice();
        let restored = storage::load_session(config.token_storage)
            .filter(|s| config.provider(&s.provider_id).is_some());
        let state = match restored {
            Some(session)
                if !session.tokens.is_expired(now) || session.tokens.refresh_token.is_some() =>
            {
                AuthState::SignedIn(session)
            }
            Some(_) => {
                storage::clear_session();
                AuthState::SignedOut {
                    notice: Some("Your session expired. Please sign in again.".into()),
                }
            }
            None => {
                storage::clear_session();
                AuthState::SignedOut { notice }
            }
        };
        let store = Self {
            config: Arc::new(config),
            state: RwSignal::new(state),
            user: RwSignal::new(UserState::Idle),
            refresh_history: RwSignal::new(Vec::new()),
            landing: RwSignal::new(None),
            next_refresh_at: StoredValue::new(None),
            refresh_timer: StoredValue::new(None),
            refresh_waiters: StoredValue::new_local(None),
            refresh_failures: StoredValue::new(0),
        };
        store.watch_wake_ups();
        store.watch_other_tabs();
        if store.session().is_some() {
            store.schedule_refresh();
            store.load_user();
        }
        store
    }

    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    pub fn token_storage(&self) -> TokenStorage {
        self.config.token_storage
    }

    /// The current session, untracked (for actions, not views).
    pub fn session(&self) -> Option<Session> {
        self.state.with_untracked(|state| match state {
            AuthState::SignedIn(session) => Some(session.clone()),
            _ => None,
        })
    }

    pub fn is_signed_in(&self) -> bool {
        self.state
            .with(|state| matches!(state, AuthState::SignedIn(_)))
    }

    /// The provider of the current session, untracked.
    pub fn session_provider(&self) -> Option<ProviderConfig> {
        let id = self.state.with_untracked(|state| match state {
            AuthState::SignedIn(session) => Some(session.provider_id.clone()),
            _ => None,
        })?;
        self.config.provider(&id).cloned()
    }

    // ----- Sign-in -------------------------------------------------------------------------

    /// Starts a sign-in at `provider_id` and leaves for its authorize page.
    pub fn sign_in(&self, provider_id: &str, return_to: Option<String>) {
        if self
            .state
            .with_untracked(|s| matches!(s, AuthState::Redirecting))
        {
            return; // a double click must not start a second transaction
        }
        match self.prepare_sign_in(provider_id, return_to.as_deref()) {
            Ok(url) => {
                self.state.set(AuthState::Redirecting);
                page::leave_for(&url);
            }
            Err(error) => self.state.set(AuthState::Failed(error)),
        }
    }

    fn prepare_sign_in(
        &self,
        provider_id: &str,
        return_to: Option<&str>,
    ) -> Result<String, AuthError> {
        let provider =
            self.config
                .provider(provider_id)
                .ok_or_else(|| AuthError::UnknownProvider {
                    id: provider_id.to_owned(),
                })?;
        storage::ensure_available()?;
        let now = browser::now_ms();
        storage::purge_expired_transactions(now);
        let randomness = LoginRandomness {
            verifier: browser::random_bytes()?,
            state: browser::random_bytes()?,
        };
        let redirect_uri = redirect_uri_for(provider, &page::origin());
        let request = authorization_request(provider, &redirect_uri, return_to, &randomness, now);
        storage::save_transaction(&request.transaction)?;
        Ok(request.url)
    }

    /// Finishes a sign-in from the callback's query string, which the caller has already
    /// removed from the address bar. On success `landing` says where to go.
    pub async fn complete_sign_in(&self, query_string: String) {
        let already_signed_in = self.session().is_some();
        match self.exchange_code(&query_string).await {
            Ok((session, return_to)) => {
                self.landing.set(Some(return_to));
                self.start_session(session);
            }
            // A stale or forged callback must not end a session that is working.
            Err(_) if already_signed_in => self.landing.set(None),
            Err(error) => self.state.set(AuthState::Failed(error)),
        }
    }

    /// Shows "signing you in" at once, before the exchange starts.
    pub fn mark_exchanging(&self) {
        if self.session().is_none() {
            self.state.set(AuthState::Exchanging);
        }
    }

    async fn exchange_code(&self, query_string: &str) -> Result<(Session, String), AuthError> {
        let params = parse_callback(query_string);
        // Taken out of storage before anything else: this transaction cannot be used twice.
        let transaction = params.state.as_deref().and_then(storage::take_transaction);
        let authorized = check_callback(params, transaction, browser::now_ms())?;
        let transaction = authorized.transaction;
        let provider = self
            .config
            .provider(&transaction.provider_id)
            .ok_or_else(|| AuthError::UnknownProvider {
                id: transaction.provider_id.clone(),
            })?;
        self.mark_exchanging();
        let body = authorization_code_form(
            &authorized.code,
            &transaction.verifier,
            &provider.client_id,
            &transaction.redirect_uri,
        );
        let sent_at = browser::now_ms();
        // The recorded endpoint, never one derived from the callback (mix-up defence).
        let reply = http::post_form(&transaction.token_endpoint, &body, Endpoint::Token).await?;
        let tokens = parse_token_response(&reply, sent_at)?;
        let session = Session {
            provider_id: provider.id.clone(),
            tokens,
        };
        storage::save_session(self.config.token_storage, &session)?;
        Ok((session, transaction.return_to))
    }

    fn start_session(&self, session: Session) {
        self.state.set(AuthState::SignedIn(session));
        self.schedule_refresh();
        self.load_user();
    }

    // ----- Sign-out ------------------------------------------------------------------------

    /// Revokes the tokens where the provider can, clears everything local, then ends the
    /// provider's own login session (else the next sign-in would be silent).
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
            if let Some(revocation) = &provider.endpoints.revocation {
                // Best effort: local state is already gone whatever the answer.
                let _ = http::delete_with_bearer(
                    revocation,
                    &session.tokens.access_token,
                    Endpoint::Api,
                )
                .await;
            }
            if let Some(end_session) = &provider.endpoints.end_session {
                let back_to = provider
                    .post_logout_redirect_uri
                    .clone()
                    .unwrap_or_else(|| format!("{}/login", page::origin()));
                page::leave_for(&query::append_to_url(
                    end_session,
                    &[
                        ("client_id", &provider.client_id),
                        ("redirect_uri", &back_to),
                    ],
                ));
            }
        });
    }

    /// Forgets the session everywhere; the login page shows `notice`.
    pub(super) fn end_session(&self, notice: Option<String>) {
        storage::clear_session();
        self.cancel_refresh_timer();
        self.next_refresh_at.set_value(None);
        self.refresh_failures.set_value(0);
        self.user.set(UserState::Idle);
        self.refresh_history.set(Vec::new());
        self.state.set(AuthState::SignedOut { notice });
    }

    /// Clears a failed sign-in so the login page starts clean.
    pub fn reset_failure(&self) {
        if self
            .state
            .with_untracked(|s| matches!(s, AuthState::Failed(_) | AuthState::Redirecting))
        {
            self.state.set(AuthState::SignedOut { notice: None });
        }
    }
}

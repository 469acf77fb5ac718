//! The reactive auth store, provided through context. It owns the sign-in state machine, the
//! session's tokens, the refresh timer and the API helper; views only read its signals and
//! call its methods.

use crate::authorize::{authorization_request, redirect_uri_for, LoginRandomness};
use crate::browser::{self, http, page, storage};
use crate::callback::{check_callback, parse_callback};
use crate::config::{AppConfig, ProviderConfig, TokenStorage};
use crate::error::{AuthError, Endpoint};
use crate::query;
use crate::schedule;
use crate::token::{
    authorization_code_form, parse_token_response, refresh_form, HttpReply, TokenSet,
};
use crate::user::{parse_genesys_user, UserProfile};
use futures_channel::oneshot;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use std::time::Duration;

pub use crate::browser::storage::StoredSession as Session;

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
const RETRY_AFTER_NETWORK_FAILURE_MS: u64 = 15_000;

type RefreshWaiters = Option<Vec<oneshot::Sender<Result<(), AuthError>>>>;

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
        };
        store.watch_wake_ups();
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
                self.start_session(session, None);
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

    fn start_session(&self, session: Session, refreshed: Option<&str>) {
        self.state.set(AuthState::SignedIn(session));
        self.schedule_refresh();
        if let Some(outcome) = refreshed {
            self.record_refresh(outcome);
        } else {
            self.load_user();
        }
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
    fn end_session(&self, notice: Option<String>) {
        storage::clear_session();
        self.cancel_refresh_timer();
        self.next_refresh_at.set_value(None);
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

    // ----- API helper ----------------------------------------------------------------------

    /// `GET url` with a valid access token: refreshes first when the token has expired, and
    /// on a 401 refreshes once and retries once. A second 401 ends the session.
    pub async fn api_get(&self, url: &str, endpoint: Endpoint) -> Result<HttpReply, AuthError> {
        let session = self.session().ok_or(AuthError::SessionExpired)?;
        if session.tokens.is_expired(browser::now_ms()) {
            self.refresh().await?;
        }
        let reply = self.get_once(url, endpoint).await?;
        if reply.status != 401 {
            return Ok(reply);
        }
        self.refresh().await?;
        let retried = self.get_once(url, endpoint).await?;
        if retried.status == 401 {
            self.end_session(Some("Your session has ended. Please sign in again.".into()));
            return Err(AuthError::SessionExpired);
        }
        Ok(retried)
    }

    async fn get_once(&self, url: &str, endpoint: Endpoint) -> Result<HttpReply, AuthError> {
        let session = self.session().ok_or(AuthError::SessionExpired)?;
        http::get_with_bearer(url, &session.tokens.access_token, endpoint).await
    }

    /// Loads the signed-in user into `user`.
    pub fn load_user(&self) {
        let Some(provider) = self.session_provider() else {
            return;
        };
        let store = self.clone();
        self.user.set(UserState::Loading);
        spawn_local(async move {
            let url = format!(
                "{}?expand=presence,organization",
                provider.endpoints.current_user
            );
            let result = store
                .api_get(&url, Endpoint::CurrentUser)
                .await
                .and_then(|reply| parse_genesys_user(&reply));
            if store.session().is_none() {
                return; // signed out while the request was in flight
            }
            store.user.set(match result {
                Ok(user) => UserState::Loaded(user),
                Err(error) => UserState::Failed(error),
            });
        });
    }

    // ----- Refresh -------------------------------------------------------------------------

    /// Refreshes the tokens now. Concurrent callers share one request.
    pub async fn refresh(&self) -> Result<(), AuthError> {
        let waiting = self
            .refresh_waiters
            .try_update_value(|waiters| match waiters {
                Some(list) => {
                    let (sender, receiver) = oneshot::channel();
                    list.push(sender);
                    Some(receiver)
                }
                None => {
                    *waiters = Some(Vec::new());
                    None
                }
            });
        if let Some(Some(receiver)) = waiting {
            return receiver.await.unwrap_or(Err(AuthError::SessionExpired));
        }
        let result = self.refresh_request().await;
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

    async fn refresh_request(&self) -> Result<(), AuthError> {
        let session = self.session().ok_or(AuthError::SessionExpired)?;
        let provider = self
            .config
            .provider(&session.provider_id)
            .cloned()
            .ok_or(AuthError::SessionExpired)?;
        let Some(refresh_token) = session.tokens.refresh_token.clone() else {
            self.end_session(Some("Your session has ended (the provider gave no refresh token). Please sign in again.".into()));
            return Err(AuthError::SessionExpired);
        };
        let body = refresh_form(&refresh_token, &provider.client_id);
        let sent_at = browser::now_ms();
        let outcome = match http::post_form(&provider.endpoints.token, &body, Endpoint::Token).await
        {
            Ok(reply) => parse_token_response(&reply, sent_at),
            Err(error) => Err(error),
        };
        match outcome {
            Ok(mut tokens) => {
                // RFC 6749 6: without a new refresh token, the old one stays valid.
                if tokens.refresh_token.is_none() {
                    tokens.refresh_token = Some(refresh_token);
                }
                let renewed = Session {
                    provider_id: session.provider_id,
                    tokens,
                };
                storage::save_session(self.config.token_storage, &renewed)?;
                self.start_session(renewed, Some("renewed"));
                Ok(())
            }
            Err(error @ AuthError::TokenRejected { .. }) => {
                self.end_session(Some("Your session has ended. Please sign in again.".into()));
                Err(error)
            }
            Err(error) => {
                // Network trouble or a failing server: keep the session while its token is
                // still good, and try again later.
                self.record_refresh(&format!("failed ({}), will retry", error.code()));
                self.schedule_retry(&session.tokens);
                Err(error)
            }
        }
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

    fn schedule_refresh(&self) {
        let Some(session) = self.session() else {
            return;
        };
        let at = schedule::next_refresh_at(&session.tokens, browser::jitter());
        self.next_refresh_at.set_value(at);
        self.arm_timer(at);
    }

    fn schedule_retry(&self, tokens: &TokenSet) {
        let now = browser::now_ms();
        let retry_at = now + RETRY_AFTER_NETWORK_FAILURE_MS + (browser::jitter() * 5_000.0) as u64;
        let at = tokens
            .expires_at_ms
            .map_or(retry_at, |expires| retry_at.min(expires.max(now)));
        self.next_refresh_at.set_value(Some(at));
        self.arm_timer(Some(at));
    }

    fn arm_timer(&self, at: Option<u64>) {
        self.cancel_refresh_timer();
        let Some(at) = at else { return };
        let delay = schedule::timer_delay_ms(browser::now_ms(), at);
        let store = self.clone();
        let handle = set_timeout_with_handle(
            move || store.refresh_if_due(),
            Duration::from_millis(delay.into()),
        )
        .ok();
        self.refresh_timer.set_value(handle);
    }

    fn cancel_refresh_timer(&self) {
        if let Some(handle) = self.refresh_timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    }

    /// Timers do not run while a laptop sleeps or a tab is hidden: on waking, check the clock.
    fn refresh_if_due(&self) {
        let due = self
            .next_refresh_at
            .get_value()
            .is_some_and(|at| browser::now_ms() + 1_000 >= at);
        if due && self.session().is_some() {
            let store = self.clone();
            spawn_local(async move {
                let _ = store.refresh().await;
            });
        }
    }

    fn watch_wake_ups(&self) {
        for event in ["visibilitychange", "focus", "online"] {
            let store = self.clone();
            // Lives as long as the page: the store is created once.
            std::mem::forget(window_event_listener_untyped(event, move |_| {
                store.refresh_if_due()
            }));
        }
    }
}

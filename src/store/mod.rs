//! The reactive auth store, provided through context. It owns the sign-in state machine, the
//! session's tokens, the refresh timer and the API helper; views only read its signals and
//! call its methods.

use crate::browser::{self, storage};
use crate::config::{AppConfig, ProviderConfig, TokenStorage};
use crate::error::AuthError;
use crate::user::UserProfile;
use leptos::prelude::*;
use std::sync::Arc;

mod api;
mod refresh;
mod sign_in;
mod sign_out;

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

    fn start_session(&self, session: Session) {
        self.state.set(AuthState::SignedIn(session));
        self.schedule_refresh();
        self.load_user();
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

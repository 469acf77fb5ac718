//! The reactive auth store, provided through context. It owns the sign-in state machine, the
//! session's tokens, the refresh timer and the API helper; views only read its signals and
//! call its methods.
//!
//! Every await is a point where a sign-out, another tab's sign-in, a sleep or a late response
//! can arrive. The rule: work captures the [`AuthStore::epoch`] (or the session id) it started
//! under, and a result that comes back under another one is dropped, its new tokens revoked
//! where the provider can (see `refresh.rs` and `sign_in.rs`). A sign-out is final.

use crate::browser::{self, storage};
use crate::config::{AppConfig, ProviderConfig, TokenStorage};
use crate::error::AuthError;
use crate::user::UserProfile;
use leptos::prelude::*;
use std::sync::Arc;

mod api;
mod live;
mod other_tabs;
mod refresh;
mod revoke;
mod sign_in;
mod sign_out;
mod timers;

pub use crate::browser::storage::StoredSession as Session;
pub use live::{CxoneLink, CxoneView, Farewell, GenesysView, LiveStore, LiveView};

/// Run at the click on "Sign out", before local state goes: stops what must stop at once and
/// may hand back a last request (see [`Farewell`]), sent before the tokens are revoked.
pub type SignOutHook = std::rc::Rc<dyn Fn() -> Option<Farewell>>;
use refresh::RefreshWaiters;

// One per app, in a signal: boxing the session would save nothing.
#[allow(clippy::large_enum_variant)]
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
    /// The session cannot be renewed and ends soon: the dashboard offers Continue session.
    pub continue_offered: RwSignal<bool>,
    next_refresh_at: StoredValue<Option<u64>>,
    refresh_timer: StoredValue<Option<TimeoutHandle>>,
    /// `Some` while a refresh request is in flight: later callers wait for its result
    /// instead of sending their own (single flight).
    refresh_waiters: StoredValue<RefreshWaiters, LocalStorage>,
    /// Consecutive refreshes that failed for a passing reason (drives the backoff).
    refresh_failures: StoredValue<u32>,
    /// Bumped whenever a session starts or ends: async work started under an older epoch
    /// must not write its result.
    epoch: StoredValue<u64>,
    /// Sessions this tab has seen end. A late write of one of them to shared storage (a
    /// refresh that lost the race with a sign-out) is never taken for a new sign-in.
    ended_sessions: StoredValue<Vec<String>>,
    /// The provider of the sign-in under way (or last tried), so an error page can send an
    /// administrator to the right provider's console.
    attempted_provider: StoredValue<Option<String>>,
    /// The live layer's [`SignOutHook`].
    sign_out_hook: StoredValue<Option<SignOutHook>, LocalStorage>,
    /// While this tab's sign-out waits for the refresh in flight (see `sign_out.rs`).
    signing_out: StoredValue<Option<SigningOut>>,
}

/// A sign-out waiting for the refresh in flight: the tokens that refresh brings back late are
/// handed to it rather than revoked at once, because they may be the only ones still valid
/// for its last request (CXone's agent session end) before it revokes them.
struct SigningOut {
    session_id: String,
    late_tokens: Option<crate::token::TokenSet>,
}

/// How many ended session ids a tab remembers.
const ENDED_SESSIONS_KEPT: usize = 8;

impl AuthStore {
    /// Restores a stored session if there is a usable one.
    pub fn new(config: AppConfig) -> Self {
        let now = browser::now_ms();
        let notice = sign_out::notice_on_return(storage::take_notice());
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
            continue_offered: RwSignal::new(false),
            next_refresh_at: StoredValue::new(None),
            refresh_timer: StoredValue::new(None),
            refresh_waiters: StoredValue::new_local(None),
            refresh_failures: StoredValue::new(0),
            epoch: StoredValue::new(0),
            ended_sessions: StoredValue::new(Vec::new()),
            attempted_provider: StoredValue::new(None),
            sign_out_hook: StoredValue::new_local(None),
            signing_out: StoredValue::new(None),
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

    /// The Genesys Cloud region domain of provider `id` (`mypurecloud.ie`), if it is one.
    pub fn region_domain(&self, id: &str) -> Option<String> {
        match &self.config.provider(id)?.kind {
            crate::config::ProviderKind::Genesys { domain, .. } => Some((*domain).to_owned()),
            _ => None,
        }
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

    /// The provider an error is about, untracked: the session's, else the sign-in's tried.
    pub fn failing_provider(&self) -> Option<ProviderConfig> {
        self.session_provider().or_else(|| {
            let id = self.attempted_provider.get_value()?;
            self.config.provider(&id).cloned()
        })
    }

    /// Remembers which provider a sign-in is for (see [`AuthStore::failing_provider`]).
    pub(crate) fn attempting(&self, provider_id: &str) {
        self.attempted_provider
            .set_value(Some(provider_id.to_owned()));
    }

    /// Sets what runs at the click on "Sign out" (the live layer's stop and farewell).
    pub fn set_sign_out_hook(&self, hook: SignOutHook) {
        self.sign_out_hook.set_value(Some(hook));
    }

    /// The current session's id, tracked: changes only when a session starts or ends, not
    /// when its tokens are renewed (views keyed on it rebuild for a new sign-in only).
    pub fn session_id(&self) -> Option<String> {
        self.state.with(|state| match state {
            AuthState::SignedIn(session) => Some(session.session_id.clone()),
            _ => None,
        })
    }

    /// The id of the session in shared storage (`local` policy only; `None` otherwise).
    pub(super) fn shared_session_id(&self) -> Option<String> {
        if self.config.token_storage != TokenStorage::Local {
            return None;
        }
        storage::load_session(TokenStorage::Local).map(|session| session.session_id)
    }

    /// The epoch async work starts under; see the module comment.
    pub(super) fn epoch(&self) -> u64 {
        self.epoch.get_value()
    }

    fn next_epoch(&self) {
        self.epoch.update_value(|epoch| *epoch += 1);
    }

    /// Remembers that `session_id` ended (revoked as replaced, or signed out).
    pub(super) fn mark_ended(&self, session_id: &str) {
        self.ended_sessions.update_value(|list| {
            list.insert(0, session_id.to_owned());
            list.truncate(ENDED_SESSIONS_KEPT);
        });
    }

    /// True when `session_id` belongs to a session this tab has seen end.
    pub(super) fn has_ended(&self, session_id: &str) -> bool {
        self.ended_sessions
            .with_value(|ended| ended.iter().any(|id| id == session_id))
    }

    /// A new sign-in (here, or another tab's in shared storage): nothing of the previous
    /// session's state carries over.
    pub(super) fn start_session(&self, session: Session) {
        self.forget_current();
        // The profile request goes out before the views hear of the session: told first, they
        // would navigate and build the dashboard before it was sent (issue 13).
        self.state
            .update_untracked(|state| *state = AuthState::SignedIn(session));
        self.load_user();
        self.state.notify();
        self.schedule_refresh();
    }

    /// Ends the session in this tab (the epoch moves on, timers stop, views reset) without
    /// touching storage.
    fn forget_current(&self) {
        if let Some(ended) = self.session() {
            self.mark_ended(&ended.session_id);
        }
        self.next_epoch();
        self.cancel_refresh_timer();
        self.next_refresh_at.set_value(None);
        self.refresh_failures.set_value(0);
        self.continue_offered.set(false);
        self.user.set(UserState::Idle);
        self.refresh_history.set(Vec::new());
    }

    /// Forgets the session everywhere (every key the app owns; other tabs sharing the
    /// session follow); the login page shows `notice`.
    pub(super) fn end_session(&self, notice: Option<String>) {
        let ending = self.session().map(|session| session.session_id);
        storage::clear_everything(ending.as_deref());
        self.forget_current();
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

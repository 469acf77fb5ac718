//! The live layer's reactive store: the agent's status as it changes, and the controls that
//! change it, on top of the auth store.
//!
//! Lifetime: it starts once a session is signed in and its user is loaded, follows the
//! session through token renewals (REST calls go through [`AuthStore::api_send`], which brings
//! the current token and renews once on a 401; the Genesys socket needs no token at all), and
//! stops when the session ends. At the click on "Sign out" it stops at once (the socket is
//! closed, the poll loop ends) and CXone's agent session is ended with one last `DELETE`,
//! sent before the tokens are revoked; no request follows it.
//!
//! One stream per tab. Each signed-in tab creates its own Genesys channel and socket: a
//! channel takes one socket at a time (a second one disconnects the first), so tabs cannot
//! share one, and a leader tab relaying events would add an election, a relay and a failover
//! for little gain (an agent rarely has more than a couple of tabs; the service allows 20
//! channels per user and app, dropping the oldest unused one first). Each tab likewise polls
//! its own CXone agent session.
//!
//! Every decision (when to ping, reconnect, renew the channel, re-read the state, back off)
//! is made by the pure modules in `crate::live`; this file only runs their commands.

mod cxone;
mod genesys;

pub(super) use cxone::end_agent_session;

use super::{AuthStore, UserState};
use crate::browser::http::Method;
use crate::browser::socket::Socket;
use crate::browser::{self};
use crate::config::ProviderKind;
use crate::error::{AuthError, Endpoint};
use crate::live::cxone::{AgentStateReport, StateRequest};
use crate::live::health::{LinkStatus, RestFailure};
use crate::live::notifications::RejectedTopic;
use crate::live::presence::PresenceOption;
use crate::live::status::ConfirmedStatus;
use crate::reply::HttpReply;
use crate::secret::AccessToken;
use crate::token::TokenSet;
use crate::user::UserProfile;
use cxone::CxoneRun;
use genesys::GenesysRun;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

/// The last request a live layer sends at sign-out, with the session's newest access token.
pub type Farewell = Box<dyn FnOnce(AccessToken) -> Pin<Box<dyn Future<Output = ()>>>>;

/// What the header shows.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveView {
    /// No live layer (signed out, the user not loaded yet, or a provider without one).
    Off,
    Genesys(GenesysView),
    Cxone(CxoneView),
}

impl LiveView {
    fn genesys_mut(&mut self) -> Option<&mut GenesysView> {
        match self {
            LiveView::Genesys(view) => Some(view),
            _ => None,
        }
    }

    fn cxone_mut(&mut self) -> Option<&mut CxoneView> {
        match self {
            LiveView::Cxone(view) => Some(view),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GenesysView {
    pub status: ConfirmedStatus,
    /// The picker's options (empty until loaded).
    pub options: Vec<PresenceOption>,
    pub options_error: Option<AuthError>,
    pub link: LinkStatus,
    pub partly_rejected: Vec<RejectedTopic>,
    /// The last presence change that failed.
    pub set_error: Option<AuthError>,
    /// The API's message when creating the channel or subscribing was refused (403).
    pub refusal: Option<String>,
    /// The state was read after the socket last opened: nothing sent before is missing.
    pub synced: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CxoneLink {
    Starting,
    Live,
    /// Polls are failing; `since_ms` is when the last one succeeded.
    Reconnecting {
        since_ms: u64,
    },
    /// The agent session ended (409, or an end event).
    Ended,
    Failed(AuthError),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CxoneView {
    /// The last `AgentState` event: what the platform confirmed.
    pub state: Option<AgentStateReport>,
    pub codes: Vec<String>,
    pub link: CxoneLink,
    /// A state the agent asked for, until an `AgentState` event arrives or the request fails.
    pub pending: Option<StateRequest>,
    pub set_error: Option<AuthError>,
}

/// The live store, provided through context beside the auth store.
#[derive(Clone, Copy)]
pub struct LiveStore {
    pub view: RwSignal<LiveView>,
    /// The clock, once a second while a live layer runs (for "N s since the last event").
    pub now_ms: RwSignal<u64>,
    run: StoredValue<Option<Run>, LocalStorage>,
}

#[derive(Clone)]
enum Run {
    Genesys(Rc<GenesysRun>),
    Cxone(Rc<CxoneRun>),
}

impl Run {
    fn session_id(&self) -> &str {
        match self {
            Run::Genesys(run) => &run.api.session_id,
            Run::Cxone(run) => &run.api.session_id,
        }
    }

    fn stop(&self) {
        match self {
            Run::Genesys(run) => run.stop(),
            Run::Cxone(run) => {
                run.stop();
            }
        }
    }
}

impl LiveStore {
    /// Creates the store and ties it to `auth`: it follows the signed-in session and its user.
    pub fn new(auth: &AuthStore) -> Self {
        let live = Self {
            view: RwSignal::new(LiveView::Off),
            now_ms: RwSignal::new(browser::now_ms()),
            run: StoredValue::new_local(None),
        };
        let hook_auth = auth.clone();
        auth.set_sign_out_hook(Rc::new(move || live.stop_for_sign_out(&hook_auth)));
        live.watch_page_leaving();
        let auth = auth.clone();
        Effect::new(move |_| {
            let session_id = auth.session_id();
            let user = auth.user.with(|user| match user {
                UserState::Loaded(profile) => Some(profile.clone()),
                _ => None,
            });
            live.follow(&auth, session_id, user);
        });
        live
    }

    fn follow(&self, auth: &AuthStore, session_id: Option<String>, user: Option<UserProfile>) {
        let running = self
            .run
            .with_value(|run| run.as_ref().map(|run| run.session_id().to_owned()));
        if running.is_some() && running == session_id {
            return; // the same session: renewals and user reloads change nothing here
        }
        if running.is_some() {
            self.stop();
        }
        let (Some(session_id), Some(user)) = (session_id, user) else {
            return;
        };
        // Started in a task of its own, after the one that shows the agent's name: started in
        // it, its first requests and the header's live status held the name back (bench:
        // users/me answered -> name shown 53-55 ms, 42-46 deferred; bench/README.md, issue 13).
        // Stopping above stays immediate.
        let (live, auth) = (*self, auth.clone());
        set_timeout(move || live.start(&auth, session_id, user), Duration::ZERO);
    }

    fn start(&self, auth: &AuthStore, session_id: String, user: UserProfile) {
        // Since it was scheduled, the session may have ended or been replaced (checked below),
        // or an earlier schedule for it may have started it.
        if self.run.try_with_value(Option::is_some).unwrap_or(true) {
            return;
        }
        let Some(session) = auth.session().filter(|s| s.session_id == session_id) else {
            return;
        };
        let Some(provider) = auth.session_provider() else {
            return;
        };
        let run = match provider.kind {
            ProviderKind::Genesys { .. } => {
                Run::Genesys(GenesysRun::start(auth, self, &session, user))
            }
            ProviderKind::Cxone { .. } => Run::Cxone(CxoneRun::start(auth, self, &session, user)),
            ProviderKind::Oidc { .. } => return,
        };
        self.run.set_value(Some(run));
    }

    /// Stops the running layer: nothing is sent after this. (A CXone agent session it holds
    /// stays: the session that ended here either lives on in another tab, or is being signed
    /// out by the tab that ends it, or its tokens are gone.)
    fn stop(&self) {
        if let Some(run) = self.run.try_update_value(|run| run.take()).flatten() {
            run.stop();
        }
        self.view.set(LiveView::Off);
    }

    /// At the click on "Sign out": stop at once, and hand back CXone's `DELETE` of the agent
    /// session(s) for the sign-out to send before it revokes the tokens.
    fn stop_for_sign_out(&self, auth: &AuthStore) -> Option<Farewell> {
        let run = self.run.try_update_value(|run| run.take()).flatten();
        self.view.set(LiveView::Off);
        let session = auth.session();
        let cxone_run = match run {
            Some(Run::Cxone(run))
                if session.as_ref().map(|s| &s.session_id) == Some(&run.api.session_id) =>
            {
                Some(run)
            }
            // Genesys, or (never reached by a click: the effect stops a run as soon as its
            // session is replaced) a run of another session, which must not get this one's
            // token.
            Some(other) => {
                other.stop();
                None
            }
            None => None,
        };
        let session = session?;
        match auth.session_provider()?.kind {
            ProviderKind::Cxone { .. } => cxone::farewell(cxone_run, &session),
            _ => None,
        }
    }

    /// A page that goes away for good ends its CXone agent session (see [`CxoneRun::leave`]);
    /// one kept in the back-forward cache keeps it and polls again when shown.
    fn watch_page_leaving(&self) {
        let live = *self;
        let handle = window_event_listener(leptos::ev::pagehide, move |event| {
            if event.persisted() {
                return;
            }
            if let Some(Run::Cxone(run)) = live.run.try_get_value().flatten() {
                run.leave();
            }
        });
        // The store lives as long as the page; so does this listener.
        std::mem::forget(handle);
    }

    /// The agent picked a presence definition (Genesys).
    pub fn set_presence(&self, definition_id: &str) {
        if let Some(Run::Genesys(run)) = self.run.get_value() {
            run.set_presence(definition_id);
        }
    }

    /// Starts a new CXone agent session after the last one ended (e.g. another tab or window
    /// started its own: the platform keeps one per agent, so tabs do not restart on their own
    /// and take it from each other in turn).
    pub fn restart_agent_session(&self) {
        if let Some(Run::Cxone(run)) = self.run.get_value() {
            run.restart();
        }
    }

    /// The agent asked for Available or Unavailable with a code (CXone).
    pub fn set_agent_state(&self, request: StateRequest) {
        if let Some(Run::Cxone(run)) = self.run.get_value() {
            run.set_state(request);
        }
    }
}

/// The auth store's API helper on behalf of one session: every request of a run goes with
/// that session's token or not at all ([`AuthStore::api_send_in`]), so a run that has not yet
/// heard of a new sign-in cannot send with its token.
pub(super) struct SessionApi {
    auth: AuthStore,
    session_id: String,
}

impl SessionApi {
    /// The session's tokens, while it is still the signed-in one.
    fn current_tokens(&self) -> Option<TokenSet> {
        self.auth.current_tokens(&self.session_id)
    }

    async fn get(&self, url: &str) -> Result<HttpReply, AuthError> {
        self.auth
            .api_get_in(&self.session_id, url, Endpoint::Api)
            .await
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        json_body: Option<&str>,
    ) -> Result<HttpReply, AuthError> {
        self.auth
            .api_send_in(&self.session_id, method, url, json_body, Endpoint::Api)
            .await
    }
}

fn jitter() -> f64 {
    browser::jitter()
}

fn rest_failure(error: &AuthError) -> RestFailure {
    match error {
        AuthError::Forbidden { .. } => RestFailure::Forbidden,
        AuthError::ApiFailed { status: 404, .. } => RestFailure::NotFound,
        _ => RestFailure::Passing,
    }
}

/// Drops (closes) a socket after the current event handler returns: the handler may be the
/// socket's own, whose closure must outlive the call.
fn drop_later(socket: Option<Socket>) {
    if let Some(socket) = socket {
        spawn_local(async move { drop(socket) });
    }
}

/// What every run has: the flag that silences it once stopped (nothing is sent or shown
/// after) and its 1 s clock.
#[derive(Default)]
struct Lifetime {
    stopped: Cell<bool>,
    clock: Cell<Option<IntervalHandle>>,
}

impl Lifetime {
    fn is_stopped(&self) -> bool {
        self.stopped.get()
    }

    /// Calls `tick` once a second until [`Lifetime::stop`].
    fn start_clock(&self, tick: impl Fn() + 'static) {
        self.clock
            .set(set_interval_with_handle(tick, Duration::from_secs(1)).ok());
    }

    /// Changes the provider's part of `live`'s view (`pick` finds it) while the run lasts: a
    /// stopped run's late answers change nothing.
    fn update<V>(
        &self,
        live: &LiveStore,
        pick: impl FnOnce(&mut LiveView) -> Option<&mut V>,
        change: impl FnOnce(&mut V),
    ) {
        if self.is_stopped() {
            return;
        }
        live.view.update(|view| {
            if let Some(view) = pick(view) {
                change(view);
            }
        });
    }

    fn stop(&self) {
        self.stopped.set(true);
        if let Some(clock) = self.clock.take() {
            clock.clear();
        }
    }
}

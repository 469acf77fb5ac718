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

use super::{AuthStore, Session, UserState};
use crate::browser::http::{self, Method};
use crate::browser::socket::{preferred_languages, Socket, SocketEvent};
use crate::browser::{self};
use crate::config::ProviderKind;
use crate::error::{AuthError, Endpoint};
use crate::live::cxone::{self, AgentStateReport, Poll, PollNext, SessionEvent, StateRequest};
use crate::live::health::{
    Command, Health, HealthConfig, Input, LinkStatus, RestFailure, SocketId,
};
use crate::live::notifications::{self, Notice, RejectedTopic};
use crate::live::presence::{
    self, PresenceOption, PresenceReport, RoutingReport, RoutingStatus, SystemPresence,
};
use crate::live::status::ConfirmedStatus;
use crate::secret::AccessToken;
use crate::user::UserProfile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
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
            Run::Genesys(run) => &run.session_id,
            Run::Cxone(run) => &run.session_id,
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
        auth.set_sign_out_hook(Rc::new(move || live.stop_for_sign_out()));
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

    /// Stops the running layer: nothing is sent after this.
    fn stop(&self) {
        if let Some(run) = self.run.try_update_value(|run| run.take()).flatten() {
            match run {
                Run::Genesys(run) => run.stop(),
                Run::Cxone(run) => {
                    run.stop();
                }
            }
        }
        self.view.set(LiveView::Off);
    }

    /// At the click on "Sign out": stop at once, and hand back CXone's `DELETE` of the agent
    /// session for the sign-out to send before it revokes the tokens.
    fn stop_for_sign_out(&self) -> Option<Farewell> {
        let run = self.run.try_update_value(|run| run.take()).flatten();
        self.view.set(LiveView::Off);
        match run? {
            Run::Genesys(run) => {
                run.stop();
                None
            }
            Run::Cxone(run) => run.stop(),
        }
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

/// A 1 s clock for a run; `tick` gets `None` once the run is gone.
fn every_second(tick: impl Fn() + 'static) -> Option<IntervalHandle> {
    set_interval_with_handle(tick, Duration::from_secs(1)).ok()
}

// ---------------------------------------------------------------------------------------
// Genesys Cloud

struct GenesysRun {
    session_id: String,
    user_id: String,
    api_base: String,
    auth: AuthStore,
    live: LiveStore,
    health: RefCell<Health>,
    sockets: RefCell<HashMap<SocketId, Socket>>,
    stopped: Cell<bool>,
    clock: Cell<Option<IntervalHandle>>,
}

impl GenesysRun {
    fn start(auth: &AuthStore, live: &LiveStore, session: &Session, user: UserProfile) -> Rc<Self> {
        // Until the first read, what `/users/me` said at sign-in (confirmed, if not fresh).
        let mut status = ConfirmedStatus::default();
        if let Some(system) = &user.presence {
            status.confirm_presence(PresenceReport {
                definition_id: String::new(),
                system: SystemPresence::parse(system),
                modified_ms: None,
            });
        }
        if let Some(routing) = &user.routing_status {
            status.confirm_routing(RoutingReport {
                status: RoutingStatus::parse(routing),
                since_ms: None,
            });
        }
        live.view.set(LiveView::Genesys(GenesysView {
            status,
            options: Vec::new(),
            options_error: None,
            link: LinkStatus::Connecting,
            partly_rejected: Vec::new(),
            set_error: None,
            refusal: None,
            synced: false,
        }));
        let run = Rc::new(Self {
            session_id: session.session_id.clone(),
            user_id: user.id,
            api_base: session.endpoints.api_base.as_str().to_owned(),
            auth: auth.clone(),
            live: *live,
            health: RefCell::new(Health::new(HealthConfig::default())),
            sockets: RefCell::new(HashMap::new()),
            stopped: Cell::new(false),
            clock: Cell::new(None),
        });
        let weak = Rc::downgrade(&run);
        run.clock.set(every_second(move || {
            if let Some(run) = weak.upgrade() {
                run.tick();
            }
        }));
        run.load_definitions();
        let commands = run.health.borrow_mut().start(browser::now_ms());
        run.execute(commands);
        run
    }

    fn stop(&self) {
        self.stopped.set(true);
        if let Some(clock) = self.clock.take() {
            clock.clear();
        }
        let _ = self.health.borrow_mut().stop();
        let sockets: Vec<Socket> = self.sockets.borrow_mut().drain().map(|(_, s)| s).collect();
        drop(sockets); // closes them
    }

    fn update(&self, change: impl FnOnce(&mut GenesysView)) {
        if self.stopped.get() {
            return;
        }
        self.live.view.update(|view| {
            if let LiveView::Genesys(view) = view {
                change(view);
            }
        });
    }

    fn tick(self: &Rc<Self>) {
        if self.stopped.get() {
            return;
        }
        let now = browser::now_ms();
        self.live.now_ms.set(now);
        let commands = self.health.borrow_mut().tick(now, jitter());
        self.execute(commands);
        self.show_link(now);
    }

    fn show_link(&self, now: u64) {
        let (link, partly) = {
            let health = self.health.borrow();
            (health.status(now), health.partly_rejected().to_vec())
        };
        let changed = self.live.view.with_untracked(|view| match view {
            LiveView::Genesys(view) => view.link != link || view.partly_rejected != partly,
            _ => false,
        });
        if changed {
            self.update(|view| {
                view.link = link;
                view.partly_rejected = partly;
            });
        }
    }

    fn feed(self: &Rc<Self>, input: Input) {
        if self.stopped.get() {
            return;
        }
        let now = browser::now_ms();
        let commands = self.health.borrow_mut().handle(input, now, jitter());
        self.execute(commands);
        self.show_link(now);
    }

    fn execute(self: &Rc<Self>, commands: Vec<Command>) {
        for command in commands {
            if self.stopped.get() {
                return;
            }
            match command {
                Command::CreateChannel => {
                    let run = self.clone();
                    spawn_local(async move {
                        let url = notifications::channels_url(&run.api_base);
                        let result = run
                            .auth
                            .api_send(Method::Post, &url, None, Endpoint::Api)
                            .await
                            .and_then(|reply| notifications::parse_channel(&reply, &run.api_base));
                        run.note_refusal(&result);
                        run.feed(match result {
                            Ok(channel) => Input::ChannelCreated(channel),
                            Err(error) => Input::ChannelFailed(rest_failure(&error)),
                        });
                    });
                }
                Command::Subscribe(channel) => {
                    let run = self.clone();
                    spawn_local(async move {
                        let url = notifications::subscriptions_url(&run.api_base, &channel.id);
                        let body =
                            notifications::subscription_body(&[notifications::user_status_topic(
                                &run.user_id,
                            )]);
                        let result = run
                            .auth
                            .api_send(Method::Post, &url, Some(&body), Endpoint::Api)
                            .await
                            .and_then(|reply| notifications::parse_subscriptions(&reply));
                        run.note_refusal(&result);
                        run.feed(match result {
                            Ok(subscription) => Input::Subscribed(subscription),
                            Err(error) => Input::SubscribeFailed(rest_failure(&error)),
                        });
                    });
                }
                Command::Connect { socket, uri } => {
                    let weak: Weak<Self> = Rc::downgrade(self);
                    let opened = Socket::open(&uri, move |event| {
                        if let Some(run) = weak.upgrade() {
                            run.on_socket(socket, event);
                        }
                    });
                    match opened {
                        Some(opened) => {
                            self.sockets.borrow_mut().insert(socket, opened);
                        }
                        None => self.feed(Input::Closed(socket)),
                    }
                }
                Command::Ping(socket) => {
                    if let Some(open) = self.sockets.borrow().get(&socket) {
                        open.send(notifications::PING_MESSAGE);
                    }
                }
                Command::Close(socket) => {
                    let closed = self.sockets.borrow_mut().remove(&socket);
                    drop_later(closed);
                }
                Command::Resync => self.resync(),
            }
        }
    }

    /// Keeps a 403's message for the header's admin hint.
    fn note_refusal<T>(&self, result: &Result<T, AuthError>) {
        if let Err(AuthError::Forbidden { message }) = result {
            let message = message.clone();
            self.update(|view| view.refusal = message);
        }
    }

    fn on_socket(self: &Rc<Self>, socket: SocketId, event: SocketEvent) {
        if self.stopped.get() {
            return;
        }
        match event {
            SocketEvent::Opened => self.feed(Input::Opened(socket)),
            SocketEvent::Closed => {
                let closed = self.sockets.borrow_mut().remove(&socket);
                drop_later(closed);
                self.feed(Input::Closed(socket));
            }
            SocketEvent::Message(text) => {
                let notice = notifications::parse_notice(&text, &self.user_id);
                if self.health.borrow().owns(socket) {
                    match &notice {
                        Notice::Presence(report) => {
                            let report = report.clone();
                            self.update(|view| {
                                view.status.confirm_presence(report);
                            });
                        }
                        Notice::Routing(report) => {
                            let report = report.clone();
                            self.update(|view| {
                                view.status.confirm_routing(report);
                            });
                        }
                        _ => {}
                    }
                }
                self.feed(Input::Message(socket, notice));
            }
        }
    }

    /// Reads the current presence and routing status (after a socket opens: events sent while
    /// none was connected are not replayed).
    fn resync(self: &Rc<Self>) {
        self.update(|view| view.synced = false);
        let run = self.clone();
        spawn_local(async move {
            let url = presence::purecloud_presence_url(&run.api_base, &run.user_id);
            if let Ok(Some(report)) = run
                .auth
                .api_get(&url, Endpoint::Api)
                .await
                .and_then(|reply| presence::parse_user_presence(&reply))
            {
                run.update(|view| {
                    view.status.confirm_presence(report);
                });
            }
            if run.stopped.get() {
                return; // nothing is sent once stopped (signed out)
            }
            let url = presence::routing_status_url(&run.api_base, &run.user_id);
            if let Ok(report) = run
                .auth
                .api_get(&url, Endpoint::Api)
                .await
                .and_then(|reply| presence::parse_routing_status(&reply))
            {
                run.update(|view| {
                    view.status.confirm_routing(report);
                });
            }
            run.update(|view| view.synced = true);
        });
    }

    fn load_definitions(self: &Rc<Self>) {
        let run = self.clone();
        spawn_local(async move {
            let url = presence::definitions_url(&run.api_base);
            let result = run
                .auth
                .api_get(&url, Endpoint::Api)
                .await
                .and_then(|reply| presence::parse_definitions(&reply, &preferred_languages()));
            run.update(|view| match result {
                Ok(options) => {
                    view.options = options;
                    view.options_error = None;
                }
                Err(error) => view.options_error = Some(error),
            });
        });
    }

    fn set_presence(self: &Rc<Self>, definition_id: &str) {
        let mut send = false;
        self.update(|view| {
            view.set_error = None;
            send = view.status.request(definition_id);
        });
        if !send {
            return;
        }
        let run = self.clone();
        let definition_id = definition_id.to_owned();
        spawn_local(async move {
            let url = presence::purecloud_presence_url(&run.api_base, &run.user_id);
            let body = presence::set_presence_body(&definition_id);
            let result = run
                .auth
                .api_send(Method::Patch, &url, Some(&body), Endpoint::Api)
                .await
                .and_then(|reply| presence::parse_user_presence(&reply));
            run.update(|view| {
                match result {
                    // The answer is a confirmation too (the event may come before or after).
                    Ok(Some(report)) => {
                        view.status.confirm_presence(report);
                    }
                    Ok(None) => {}
                    Err(error) => view.set_error = Some(error),
                }
                view.status.request_settled(&definition_id);
            });
        });
    }
}

// ---------------------------------------------------------------------------------------
// NICE CXone

struct CxoneRun {
    session_id: String,
    /// The agent's CXone user id (the states path takes it, as the agent id).
    agent_id: String,
    api_base: String,
    team_id: Option<String>,
    auth: AuthStore,
    live: LiveStore,
    /// The agent session's id, once started (the poll answer may replace it).
    agent_session: RefCell<Option<String>>,
    /// A start request is in flight.
    starting: Cell<bool>,
    /// The id a start in flight brought back after the run stopped (for the farewell).
    started_late: RefCell<Option<String>>,
    stopped: Cell<bool>,
    clock: Cell<Option<IntervalHandle>>,
}

impl CxoneRun {
    fn start(auth: &AuthStore, live: &LiveStore, session: &Session, user: UserProfile) -> Rc<Self> {
        live.view.set(LiveView::Cxone(CxoneView {
            state: None,
            codes: Vec::new(),
            link: CxoneLink::Starting,
            pending: None,
            set_error: None,
        }));
        let run = Rc::new(Self {
            session_id: session.session_id.clone(),
            agent_id: user.id,
            api_base: session.endpoints.api_base.as_str().to_owned(),
            team_id: user.team_id,
            auth: auth.clone(),
            live: *live,
            agent_session: RefCell::new(None),
            starting: Cell::new(false),
            started_late: RefCell::new(None),
            stopped: Cell::new(false),
            clock: Cell::new(None),
        });
        let now_ms = live.now_ms;
        let weak = Rc::downgrade(&run);
        run.clock.set(every_second(move || {
            if weak.upgrade().is_some_and(|run| !run.stopped.get()) {
                now_ms.set(browser::now_ms());
            }
        }));
        run.load_codes();
        let poller = run.clone();
        spawn_local(async move { poller.run_session().await });
        run
    }

    /// Stops; returns the `DELETE` of the agent session when one was started, or is being
    /// started (then the farewell waits for the start's answer, so the session it opens is
    /// ended with a token that is still valid: the sign-out revokes only after).
    fn stop(self: &Rc<Self>) -> Option<Farewell> {
        self.stopped.set(true);
        if let Some(clock) = self.clock.take() {
            clock.clear();
        }
        let known = self.agent_session.borrow_mut().take();
        if known.is_none() && !self.starting.get() {
            return None;
        }
        let run = self.clone();
        Some(Box::new(move |token: AccessToken| {
            Box::pin(async move {
                let mut agent_session = known;
                // Bounded by the request timeout of the start in flight.
                for _ in 0..250 {
                    if agent_session.is_some() || !run.starting.get() {
                        break;
                    }
                    browser::sleep(100).await;
                }
                if agent_session.is_none() {
                    agent_session = run.started_late.borrow_mut().take();
                }
                let Some(agent_session) = agent_session else {
                    return;
                };
                let url = cxone::end_session_url(&run.api_base, &agent_session);
                let _ = http::send_with_bearer(
                    Method::Delete,
                    &url,
                    &token,
                    Some(&cxone::end_session_body()),
                    Endpoint::Api,
                )
                .await;
            })
        }))
    }

    fn update(&self, change: impl FnOnce(&mut CxoneView)) {
        if self.stopped.get() {
            return;
        }
        self.live.view.update(|view| {
            if let LiveView::Cxone(view) = view {
                change(view);
            }
        });
    }

    fn load_codes(self: &Rc<Self>) {
        let Some(team_id) = self.team_id.clone() else {
            return;
        };
        let run = self.clone();
        spawn_local(async move {
            let url = cxone::unavailable_codes_url(&run.api_base, &team_id);
            if let Ok(codes) = run
                .auth
                .api_get(&url, Endpoint::Api)
                .await
                .and_then(|reply| cxone::parse_unavailable_codes(&reply))
            {
                run.update(|view| view.codes = codes);
            }
        });
    }

    fn restart(self: &Rc<Self>) {
        let ended = self.live.view.with_untracked(|view| {
            matches!(
                view,
                LiveView::Cxone(CxoneView {
                    link: CxoneLink::Ended,
                    ..
                })
            )
        });
        if !ended || self.stopped.get() || self.agent_session.borrow().is_some() {
            return;
        }
        self.update(|view| {
            view.link = CxoneLink::Starting;
            view.set_error = None;
        });
        let run = self.clone();
        spawn_local(async move { run.run_session().await });
    }

    /// Starts the agent session (retrying passing failures), then polls until it ends.
    async fn run_session(self: Rc<Self>) {
        let mut failures = 0;
        let agent_session = loop {
            if self.stopped.get() {
                return;
            }
            let body = cxone::start_session_body();
            self.starting.set(true);
            let result = self
                .auth
                .api_send(
                    Method::Post,
                    &cxone::sessions_url(&self.api_base),
                    Some(&body),
                    Endpoint::Api,
                )
                .await
                .and_then(|reply| cxone::parse_start_session(&reply));
            self.starting.set(false);
            if self.stopped.get() {
                // Stopped while the start was in flight: the farewell (at sign-out) ends what
                // it started.
                if let Ok(id) = result {
                    *self.started_late.borrow_mut() = Some(id);
                }
                return;
            }
            match result {
                Ok(id) => break id,
                Err(error @ (AuthError::Forbidden { .. } | AuthError::SessionExpired)) => {
                    self.update(|view| view.link = CxoneLink::Failed(error));
                    return;
                }
                Err(_) => {
                    failures += 1;
                    browser::sleep(cxone::poll_retry_delay_ms(failures, jitter()) as u32).await;
                }
            }
        };
        *self.agent_session.borrow_mut() = Some(agent_session);
        self.poll().await;
    }

    async fn poll(self: Rc<Self>) {
        let mut failures = 0;
        let mut last_heard = browser::now_ms();
        loop {
            let Some(agent_session) = self.agent_session.borrow().clone() else {
                return;
            };
            if self.stopped.get() {
                return;
            }
            let url =
                cxone::next_event_url(&self.api_base, &agent_session, cxone::POLL_TIMEOUT_SECS);
            let result = self
                .auth
                .api_get(&url, Endpoint::Api)
                .await
                .and_then(|reply| cxone::parse_next_event(&reply));
            if self.stopped.get() {
                return;
            }
            if result.is_ok() && failures > 0 {
                // Back after a gap: read the current state too, in case what happened
                // meanwhile is not in the queue any more.
                self.read_state();
            }
            if let Ok(poll) = &result {
                last_heard = browser::now_ms();
                self.update(|view| view.link = CxoneLink::Live);
                if let Poll::Events { session_id, events } = poll {
                    if let Some(new_id) = session_id {
                        *self.agent_session.borrow_mut() = Some(new_id.clone());
                    }
                    self.apply(events);
                }
            }
            match cxone::after_poll(&result, &mut failures, jitter()) {
                PollNext::Now => {}
                PollNext::After(wait) => {
                    self.update(|view| {
                        view.link = CxoneLink::Reconnecting {
                            since_ms: last_heard,
                        }
                    });
                    browser::sleep(wait.min(u32::MAX as u64) as u32).await;
                }
                PollNext::Ended => {
                    self.agent_session.borrow_mut().take();
                    self.update(|view| {
                        view.link = CxoneLink::Ended;
                        view.pending = None;
                    });
                    return;
                }
                PollNext::GiveUp => {
                    if let Err(error) = result {
                        self.update(|view| view.link = CxoneLink::Failed(error));
                    }
                    return;
                }
            }
        }
    }

    fn read_state(self: &Rc<Self>) {
        let run = self.clone();
        spawn_local(async move {
            let url = cxone::agent_states_url(&run.api_base, &run.agent_id);
            if let Ok(Some(read)) = run
                .auth
                .api_get(&url, Endpoint::Api)
                .await
                .and_then(|reply| cxone::parse_agent_states(&reply))
            {
                run.update(|view| {
                    if cxone::read_is_current(&read, view.state.as_ref()) {
                        view.state = Some(read);
                    }
                });
            }
        });
    }

    fn apply(self: &Rc<Self>, events: &[SessionEvent]) {
        for event in events {
            match event {
                SessionEvent::AgentState(report) => {
                    let report = report.clone();
                    self.update(|view| {
                        view.state = Some(report);
                        // Confirmed, or overtaken by what the platform decided.
                        view.pending = None;
                    });
                }
                SessionEvent::CodesChanged => self.load_codes(),
                SessionEvent::SessionEnded | SessionEvent::Other => {}
            }
        }
    }

    fn set_state(self: &Rc<Self>, request: StateRequest) {
        let Some(agent_session) = self.agent_session.borrow().clone() else {
            return;
        };
        let pending = request.clone();
        self.update(|view| {
            view.set_error = None;
            view.pending = Some(pending);
        });
        let run = self.clone();
        spawn_local(async move {
            let url = cxone::state_url(&run.api_base, &agent_session);
            let body = cxone::set_state_body(&request);
            let result = run
                .auth
                .api_send(Method::Post, &url, Some(&body), Endpoint::Api)
                .await
                .and_then(|reply| cxone::parse_accepted(&reply));
            if let Err(error) = result {
                run.update(|view| {
                    view.set_error = Some(error);
                    if view.pending.as_ref() == Some(&request) {
                        view.pending = None;
                    }
                });
            }
        });
    }
}

//! The NICE CXone run of the live store: the agent session, its long poll and the agent
//! state controls.
//!
//! Over 300 lines on purpose: one run's lifecycle (start, poll loop, state changes, the
//! farewell at sign-out) reads best in one place; its decisions live in `crate::live::cxone`.

use super::{jitter, CxoneLink, CxoneView, Farewell, Lifetime, LiveStore, LiveView, SessionApi};
use crate::browser::http::{self, Method};
use crate::browser::{self, storage};
use crate::config::TokenStorage;
use crate::error::{AuthError, Endpoint};
use crate::live::cxone::{self, Poll, PollNext, SessionEvent, StateRequest};
use crate::secret::AccessToken;
use crate::store::{AuthStore, Session};
use crate::user::UserProfile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The least time between two long polls that brought nothing.
const MIN_EMPTY_POLL_SPACING_MS: u64 = 1_000;

pub(super) struct CxoneRun {
    /// The agent's CXone user id (the states path takes it, as the agent id).
    agent_id: String,
    api_base: String,
    team_id: Option<String>,
    /// API calls on behalf of the run's session only.
    pub(super) api: SessionApi,
    live: LiveStore,
    /// The agent session's id, once started (the poll answer may replace it).
    agent_session: RefCell<Option<String>>,
    /// A start request is in flight.
    starting: Cell<bool>,
    /// The id a start in flight brought back after the run stopped (for the farewell).
    started_late: RefCell<Option<String>>,
    /// A sign-out's farewell waits for the start in flight (else the run ends a late start
    /// itself).
    farewell_waits: Cell<bool>,
    lifetime: Lifetime,
}

/// At sign-out: stops `run` (this tab's, if any) and returns the `DELETE` of every agent
/// session the signed-out session may hold: this tab's, one whose start is still in flight
/// (the farewell waits for its answer, so that session too is ended with a token that is
/// still valid: the sign-out revokes only after), and the one another tab sharing the
/// session recorded (the agent may have gone on working in that tab).
pub(super) fn farewell(run: Option<Rc<CxoneRun>>, session: &Session) -> Option<Farewell> {
    let recorded = storage::recorded_agent_session(&session.session_id);
    let known = run.as_ref().and_then(|run| run.stop());
    let starting = run.filter(|run| run.starting.get());
    if let Some(run) = &starting {
        run.farewell_waits.set(true);
    }
    if recorded.is_none() && known.is_none() && starting.is_none() {
        return None;
    }
    let api_base = session.endpoints.api_base.as_str().to_owned();
    Some(Box::new(move |token: AccessToken| {
        Box::pin(async move {
            let mut ended = Vec::new();
            ended.extend(known);
            if let Some(run) = starting {
                // Bounded by the request timeout of the start in flight.
                for _ in 0..250 {
                    if !run.starting.get() {
                        break;
                    }
                    browser::sleep(100).await;
                }
                // Given up waiting: a start landing later ends what it started itself.
                run.farewell_waits.set(false);
                ended.extend(run.started_late.borrow_mut().take());
            }
            ended.extend(recorded.filter(|recorded| !ended.contains(recorded)));
            for agent_session in ended {
                end_agent_session(&api_base, &agent_session, &token).await;
            }
        })
    }))
}

/// `DELETE`s an agent session. With keepalive: the agent may close the tab right after
/// clicking Sign out. Where the browser refuses that at once (no keepalive with a CORS
/// preflight), an ordinary request; not after a failure that took time (a network down or a
/// timeout), which would only hold the sign-out longer.
pub(in crate::store) async fn end_agent_session(
    api_base: &str,
    agent_session: &str,
    token: &AccessToken,
) {
    /// A refusal by the browser itself comes back faster than this.
    const QUICK_REFUSAL_MS: u64 = 1_000;
    let url = cxone::end_session_url(api_base, agent_session);
    let body = cxone::end_session_body();
    let sent_at = browser::now_ms();
    let answered = http::send_keepalive(Method::Delete, &url, token, Some(&body)).await;
    if !answered && browser::now_ms().saturating_sub(sent_at) < QUICK_REFUSAL_MS {
        let _ =
            http::send_with_bearer(Method::Delete, &url, token, Some(&body), Endpoint::Api).await;
    }
}

impl CxoneRun {
    pub(super) fn start(
        auth: &AuthStore,
        live: &LiveStore,
        session: &Session,
        user: UserProfile,
    ) -> Rc<Self> {
        live.view.set(LiveView::Cxone(CxoneView {
            state: None,
            codes: Vec::new(),
            link: CxoneLink::Starting,
            pending: None,
            set_error: None,
        }));
        let run = Rc::new(Self {
            agent_id: user.id,
            api_base: session.endpoints.api_base.as_str().to_owned(),
            team_id: user.team_id,
            api: SessionApi {
                auth: auth.clone(),
                session_id: session.session_id.clone(),
            },
            live: *live,
            agent_session: RefCell::new(None),
            starting: Cell::new(false),
            started_late: RefCell::new(None),
            farewell_waits: Cell::new(false),
            lifetime: Lifetime::default(),
        });
        let now_ms = live.now_ms;
        let weak = Rc::downgrade(&run);
        run.lifetime.start_clock(move || {
            if weak.upgrade().is_some_and(|run| !run.lifetime.is_stopped()) {
                now_ms.set(browser::now_ms());
            }
        });
        run.load_codes();
        let poller = run.clone();
        spawn_local(async move { poller.run_session().await });
        run
    }

    /// Stops: nothing more is sent or shown. Returns the agent session it holds, if any.
    pub(super) fn stop(&self) -> Option<String> {
        self.lifetime.stop();
        self.agent_session.borrow_mut().take()
    }

    /// The page is going away for good (closed, reloaded, left; not kept in the back-forward
    /// cache): the agent session it holds is ended by a request that outlives the page, so
    /// the agent is not left logged in to the ACD with no desktop to take contacts.
    pub(super) fn leave(&self) {
        let Some(agent_session) = self.stop() else {
            return;
        };
        let token = self
            .api
            .current_tokens()
            .filter(|tokens| !tokens.is_expired(browser::now_ms()));
        if let Some(tokens) = token {
            // Not awaited: the page is going. The record stays: if this request is lost (an
            // old browser without keepalive), a sign-out in another tab still ends it.
            let sent = http::send_keepalive(
                Method::Delete,
                &cxone::end_session_url(&self.api_base, &agent_session),
                &tokens.access_token,
                Some(&cxone::end_session_body()),
            );
            spawn_local(async move {
                sent.await;
            });
        }
    }

    /// With shared tokens, records the agent session for a sign-out in any tab. False when
    /// the shared session is no longer this run's (checked synchronously with the write): a
    /// tab that has not yet heard of another sign-in or a sign-out must not overwrite that
    /// one's record, and must end what it just got itself, since no other tab knows of it.
    fn record(&self, agent_session: &str) -> bool {
        if self.api.auth.token_storage() != TokenStorage::Local {
            return true;
        }
        let shared = storage::load_session(TokenStorage::Local);
        if shared.is_none_or(|shared| shared.session_id != self.api.session_id) {
            return false;
        }
        storage::record_agent_session(&self.api.session_id, agent_session);
        true
    }

    fn update(&self, change: impl FnOnce(&mut CxoneView)) {
        self.lifetime
            .update(&self.live, LiveView::cxone_mut, change);
    }

    fn load_codes(self: &Rc<Self>) {
        let Some(team_id) = self.team_id.clone() else {
            return;
        };
        let run = self.clone();
        spawn_local(async move {
            let url = cxone::unavailable_codes_url(&run.api_base, &team_id);
            if let Ok(codes) = run
                .api
                .get(&url)
                .await
                .and_then(|reply| cxone::parse_unavailable_codes(&reply))
            {
                run.update(|view| view.codes = codes);
            }
        });
    }

    pub(super) fn restart(self: &Rc<Self>) {
        let ended = self.live.view.with_untracked(|view| {
            matches!(
                view,
                LiveView::Cxone(CxoneView {
                    link: CxoneLink::Ended,
                    ..
                })
            )
        });
        if !ended || self.lifetime.is_stopped() || self.agent_session.borrow().is_some() {
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
            if self.lifetime.is_stopped() {
                return;
            }
            let body = cxone::start_session_body();
            // For a start that lands after the run stopped with no farewell to end it.
            let token_at_start = self.api.current_tokens().map(|tokens| tokens.access_token);
            self.starting.set(true);
            let result = self
                .api
                .send(
                    Method::Post,
                    &cxone::sessions_url(&self.api_base),
                    Some(&body),
                )
                .await
                .and_then(|reply| cxone::parse_start_session(&reply));
            self.starting.set(false);
            if self.lifetime.is_stopped() {
                // Stopped while the start was in flight: a sign-out's farewell in this tab ends
                // what it started. Else (another tab signed out, or another sign-in replaced
                // the session) nobody else knows of it: end it now, with the token the start
                // went out with, before the signing-out tab revokes it (best effort).
                match (result, token_at_start) {
                    (Ok(id), _) if self.farewell_waits.get() => {
                        *self.started_late.borrow_mut() = Some(id);
                    }
                    (Ok(id), Some(token)) => end_agent_session(&self.api_base, &id, &token).await,
                    _ => {}
                }
                return;
            }
            match result {
                Ok(id) if !self.record(&id) => {
                    if let Some(token) = token_at_start {
                        end_agent_session(&self.api_base, &id, &token).await;
                    }
                    return;
                }
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
            if self.lifetime.is_stopped() {
                return;
            }
            let url =
                cxone::next_event_url(&self.api_base, &agent_session, cxone::POLL_TIMEOUT_SECS);
            let asked_at = browser::now_ms();
            let result = self
                .api
                .get(&url)
                .await
                .and_then(|reply| cxone::parse_next_event(&reply));
            if self.lifetime.is_stopped() {
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
                    if let Some(new_id) = session_id.as_ref().filter(|id| **id != agent_session) {
                        *self.agent_session.borrow_mut() = Some(new_id.clone());
                        if !self.record(new_id) {
                            return; // the session is gone: its sign-out ends the recorded one
                        }
                    }
                    self.apply(events);
                }
            }
            // A long poll that came back empty at once (a gateway that ignores `timeout`)
            // must not turn into a busy loop: such answers are spaced a second apart.
            let empty = matches!(&result, Ok(Poll::Nothing))
                || matches!(&result, Ok(Poll::Events { events, .. }) if events.is_empty());
            let took_ms = browser::now_ms().saturating_sub(asked_at);
            match cxone::after_poll(&result, &mut failures, jitter()) {
                PollNext::Now if empty && took_ms < MIN_EMPTY_POLL_SPACING_MS => {
                    browser::sleep((MIN_EMPTY_POLL_SPACING_MS - took_ms) as u32).await;
                }
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
                    if let Some(ended) = self.agent_session.borrow_mut().take() {
                        storage::forget_agent_session(&ended);
                    }
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
                .api
                .get(&url)
                .await
                .and_then(|reply| cxone::parse_agent_states(&reply))
            {
                run.update(|view| {
                    if cxone::read_is_current(&read, view.state.as_ref()) {
                        view.state = Some(read);
                        // What the platform holds now settles a change asked for before the
                        // gap: its event may have been lost with the gap, and the buttons
                        // must not stay disabled waiting for it.
                        view.pending = None;
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

    pub(super) fn set_state(self: &Rc<Self>, request: StateRequest) {
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
                .api
                .send(Method::Post, &url, Some(&body))
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

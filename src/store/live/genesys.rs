//! The Genesys Cloud run of the live store: channel, socket and presence, driven by
//! `crate::live::health`.
//!
//! Over 300 lines on purpose: one run's lifecycle (start, socket events, the health machine's
//! commands, presence changes) reads best in one place; its decisions live in `crate::live`.

use super::{
    drop_later, jitter, rest_failure, GenesysView, Lifetime, LiveStore, LiveView, SessionApi,
};
use crate::browser::http::Method;
use crate::browser::socket::{preferred_languages, Socket, SocketEvent};
use crate::browser::{self};
use crate::error::AuthError;
use crate::live::health::{Command, Health, HealthConfig, Input, LinkStatus, SocketId};
use crate::live::notifications::{self, Notice};
use crate::live::presence::{self, PresenceReport, RoutingReport, RoutingStatus, SystemPresence};
use crate::live::status::ConfirmedStatus;
use crate::schedule;
use crate::store::{AuthStore, Session};
use crate::user::UserProfile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::time::Duration;

/// A failed re-read of the status is tried again after 2 s, doubling up to a minute.
const RESYNC_RETRY_FIRST_MS: u64 = 2_000;
const RESYNC_RETRY_MAX_MS: u64 = 60_000;

pub(super) struct GenesysRun {
    user_id: String,
    api_base: String,
    /// The Genesys region's domain, whose `streaming.` host the socket may use.
    region_domain: Option<String>,
    /// API calls on behalf of the run's session only.
    pub(super) api: SessionApi,
    live: LiveStore,
    health: RefCell<Health>,
    sockets: RefCell<HashMap<SocketId, Socket>>,
    lifetime: Lifetime,
    /// Counts re-reads: only the latest one may retry or settle `synced`, so reconnects do
    /// not pile up retry chains.
    resync_generation: Cell<u64>,
}

impl GenesysRun {
    pub(super) fn start(
        auth: &AuthStore,
        live: &LiveStore,
        session: &Session,
        user: UserProfile,
    ) -> Rc<Self> {
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
            user_id: user.id,
            api_base: session.endpoints.api_base.as_str().to_owned(),
            region_domain: auth.region_domain(&session.provider_id),
            api: SessionApi {
                auth: auth.clone(),
                session_id: session.session_id.clone(),
            },
            live: *live,
            health: RefCell::new(Health::new(HealthConfig::default())),
            sockets: RefCell::new(HashMap::new()),
            lifetime: Lifetime::default(),
            resync_generation: Cell::new(0),
        });
        let weak = Rc::downgrade(&run);
        run.lifetime.start_clock(move || {
            if let Some(run) = weak.upgrade() {
                run.tick();
            }
        });
        run.load_definitions();
        let commands = run.health.borrow_mut().start(browser::now_ms());
        run.execute(commands);
        run
    }

    pub(super) fn stop(&self) {
        self.lifetime.stop();
        let _ = self.health.borrow_mut().stop();
        let sockets: Vec<Socket> = self.sockets.borrow_mut().drain().map(|(_, s)| s).collect();
        drop(sockets); // closes them
    }

    fn update(&self, change: impl FnOnce(&mut GenesysView)) {
        self.lifetime
            .update(&self.live, LiveView::genesys_mut, change);
    }

    fn tick(self: &Rc<Self>) {
        if self.lifetime.is_stopped() {
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
        if self.lifetime.is_stopped() {
            return;
        }
        let now = browser::now_ms();
        let commands = self.health.borrow_mut().handle(input, now, jitter());
        self.execute(commands);
        self.show_link(now);
    }

    fn execute(self: &Rc<Self>, commands: Vec<Command>) {
        for command in commands {
            if self.lifetime.is_stopped() {
                return;
            }
            match command {
                Command::CreateChannel => {
                    let run = self.clone();
                    spawn_local(async move {
                        let url = notifications::channels_url(&run.api_base);
                        let result =
                            run.api
                                .send(Method::Post, &url, None)
                                .await
                                .and_then(|reply| {
                                    notifications::parse_channel(
                                        &reply,
                                        &run.api_base,
                                        run.region_domain.as_deref(),
                                    )
                                });
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
                            .api
                            .send(Method::Post, &url, Some(&body))
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
        if self.lifetime.is_stopped() {
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
    /// Reads presence and routing status again (events missed while no socket listened are
    /// not replayed). Only a re-read that got both counts: until then `synced` stays false
    /// (tests wait for it), and a failed one is tried again with backoff rather than leaving
    /// a status that may be stale looking as good as a fresh one.
    fn resync(self: &Rc<Self>) {
        let generation = self.resync_generation.get().wrapping_add(1);
        self.resync_generation.set(generation);
        self.resync_attempt(generation, 1);
    }

    fn resync_attempt(self: &Rc<Self>, generation: u64, attempt: u32) {
        self.update(|view| view.synced = false);
        let run = self.clone();
        spawn_local(async move {
            let current =
                || run.resync_generation.get() == generation && !run.lifetime.is_stopped();
            let url = presence::purecloud_presence_url(&run.api_base, &run.user_id);
            let presence = run
                .api
                .get(&url)
                .await
                .and_then(|reply| presence::parse_user_presence(&reply));
            if let Ok(Some(report)) = &presence {
                let report = report.clone();
                run.update(|view| {
                    view.status.confirm_presence(report);
                });
            }
            if !current() {
                return; // signed out, or a newer re-read has taken over
            }
            let url = presence::routing_status_url(&run.api_base, &run.user_id);
            let routing = run
                .api
                .get(&url)
                .await
                .and_then(|reply| presence::parse_routing_status(&reply));
            if let Ok(report) = &routing {
                let report = report.clone();
                run.update(|view| {
                    view.status.confirm_routing(report);
                });
            }
            if !current() {
                return;
            }
            let errors = [presence.err(), routing.err()];
            if errors.iter().all(Option::is_none) {
                run.update(|view| view.synced = true);
                return;
            }
            // A refusal will not change by asking again: the status stays "last known"
            // (never live) until the next socket opens; anything else is tried again.
            if errors
                .iter()
                .flatten()
                .any(|e| matches!(e, AuthError::Forbidden { .. }))
            {
                return;
            }
            let delay = schedule::backoff_ms(
                RESYNC_RETRY_FIRST_MS,
                RESYNC_RETRY_MAX_MS,
                attempt,
                jitter(),
            );
            let again = run.clone();
            set_timeout(
                move || {
                    if again.resync_generation.get() == generation && !again.lifetime.is_stopped() {
                        again.resync_attempt(generation, attempt.saturating_add(1));
                    }
                },
                Duration::from_millis(delay),
            );
        });
    }

    fn load_definitions(self: &Rc<Self>) {
        let run = self.clone();
        spawn_local(async move {
            let url = presence::definitions_url(&run.api_base);
            let result = run
                .api
                .get(&url)
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

    pub(super) fn set_presence(self: &Rc<Self>, definition_id: &str) {
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
                .api
                .send(Method::Patch, &url, Some(&body))
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

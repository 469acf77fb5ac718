//! The Genesys event stream's connection health, as a pure state machine: the browser glue
//! feeds it what happened (a channel was created, a socket opened, a message or a close
//! arrived, a second passed) and does what it answers ([`Command`]). Every decision about
//! when to ping, reconnect, replace the channel or re-read the state is made (and tested)
//! here.
//!
//! The rules, from the Genesys SDKs' notification handlers and the notification docs:
//! - the service sends a heartbeat (about every 30 s, a community observation; the interval
//!   is not documented); after [`HealthConfig::ping_after_silence_ms`] of silence the app
//!   sends `{"message":"ping"}` (as the Java and .NET SDKs do), and a socket that stays
//!   silent for [`HealthConfig::pong_timeout_ms`] after that is closed and replaced. Once two
//!   heartbeats have been seen, both waits shrink to fit the observed interval (three
//!   intervals of silence, two to answer, within [`MIN_PING_AFTER_MS`] and
//!   [`MIN_PONG_TIMEOUT_MS`]), so a server with fast heartbeats is watched as closely;
//! - on `v2.system.socket_closing` a new socket is connected before the old one closes
//!   (clients "have up to one minute"); the SDKs reconnect to the same `connectUri`, and a
//!   second socket on a channel disconnects the first, so the old one's close is expected;
//! - a closed socket is reconnected with exponential backoff and jitter;
//! - a channel lives 24 h: shortly before `expires`, and when the channel is gone (`{"result":
//!   "404"}`, or sockets that close without ever opening), a new channel is created and
//!   subscribed, then connected before the old socket is closed;
//! - after any socket opens, the current state is read again ([`Command::Resync`]): events
//!   sent while no socket was connected are not replayed.
//!
//! Over 300 lines on purpose: it is one state machine, and its transitions depend on each
//! other (a close, a renewal and a resync share the socket table and the retry state), so
//! they read and are tested together (`health/tests.rs`).

use super::notifications::{Channel, Notice, RejectedTopic, Subscription};
use crate::schedule::backoff_ms;

/// Timings; [`HealthConfig::default`] is what the app uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthConfig {
    /// Silence (no message at all) after which the app pings.
    pub ping_after_silence_ms: u64,
    /// How long a ping may go unanswered (by anything) before the socket is given up.
    pub pong_timeout_ms: u64,
    /// How long before the channel's `expires` a new channel replaces it.
    pub channel_renewal_margin_ms: u64,
    /// Sockets that close without opening on one channel before it is presumed gone.
    pub failed_opens_before_new_channel: u32,
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            // The heartbeat comes about every 30 s: a little more than that.
            ping_after_silence_ms: 40_000,
            pong_timeout_ms: 10_000,
            channel_renewal_margin_ms: 10 * 60_000,
            // The socket's refusal does not say why (a browser reports no status), and a
            // channel that expired early is the usual reason: a new one at the first failure.
            failed_opens_before_new_channel: 1,
        }
    }
}

/// The shortest silence before a ping, whatever the heartbeat interval.
pub const MIN_PING_AFTER_MS: u64 = 3_000;
/// The shortest wait for an answer to a ping.
pub const MIN_PONG_TIMEOUT_MS: u64 = 2_000;

/// First reconnect delay after a failure; doubled per consecutive failure up to
/// [`MAX_RECONNECT_DELAY_MS`].
pub const FIRST_RECONNECT_DELAY_MS: u64 = 1_000;
pub const MAX_RECONNECT_DELAY_MS: u64 = 30_000;

/// The least time a channel is used before a renewal replaces it.
pub const MIN_CHANNEL_USE_MS: u64 = 5 * 60_000;

/// How long a socket must have stayed open before a message from it resets the backoff.
pub const STABLE_LINK_MS: u64 = 10_000;

/// Backoff before the `failures`-th consecutive reconnect (1 = first), plus up to 20 % jitter
/// (`jitter` in 0..1) so that many agents coming back online do not all reconnect at once.
/// [`crate::schedule::backoff_ms`] with shorter steps than a token refresh: a desk without live
/// status is worse than one without a renewed token.
pub fn reconnect_delay_ms(failures: u32, jitter: f64) -> u64 {
    backoff_ms(
        FIRST_RECONNECT_DELAY_MS,
        MAX_RECONNECT_DELAY_MS,
        failures,
        jitter,
    )
}

/// Which socket a command or an input is about: each connect gets a new id, so the close of
/// a socket the machine already replaced is told from the close of the current one.
pub type SocketId = u64;

/// What the glue must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `POST /api/v2/notifications/channels`, then report [`Input::ChannelCreated`] or
    /// [`Input::ChannelFailed`].
    CreateChannel,
    /// `POST .../channels/{id}/subscriptions` with the status topic, then report
    /// [`Input::Subscribed`] or [`Input::SubscribeFailed`].
    Subscribe(Channel),
    /// Open a WebSocket to `uri` and report its open, messages and close under `socket`.
    Connect { socket: SocketId, uri: String },
    /// Send [`super::notifications::PING_MESSAGE`] on `socket`.
    Ping(SocketId),
    /// Close `socket`; its close is then reported (and ignored) as usual.
    Close(SocketId),
    /// Read the current presence and routing status again (events may have been missed).
    Resync,
}

/// A failed REST step, as far as the machine cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestFailure {
    /// 403: retrying will not help; the admin must grant something.
    Forbidden,
    /// 404 on the channel: it is gone.
    NotFound,
    /// Anything else (network, 5xx, 429): retry later.
    Passing,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    ChannelCreated(Channel),
    ChannelFailed(RestFailure),
    Subscribed(Subscription),
    SubscribeFailed(RestFailure),
    Opened(SocketId),
    /// A text frame on `socket` (already read with `parse_notice`).
    Message(SocketId, Notice),
    Closed(SocketId),
}

/// Why live status cannot work until an admin acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocked {
    /// 403 creating the channel or subscribing.
    Forbidden,
    /// Every topic was rejected.
    Rejected(Vec<RejectedTopic>),
    /// 404 creating a channel: this server has no notification service (an API proxy or a
    /// stand-in without it). Retrying would only add traffic.
    Unavailable,
}

/// What the header shows about the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkStatus {
    /// Not live yet: the first channel, subscription or socket is under way.
    Connecting,
    /// A socket is open and answering.
    Live,
    /// It was live and is not now; `silent_ms` since the last message of any kind.
    Reconnecting {
        silent_ms: u64,
    },
    Blocked(Blocked),
    /// Signed out: nothing more happens.
    Stopped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    NewChannel,
    Reconnect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rest {
    CreatingChannel,
    Subscribing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Socket {
    id: SocketId,
    open: bool,
    /// A message arrived after the socket had stayed open [`STABLE_LINK_MS`]: the link
    /// proved itself, and the reconnect backoff starts over.
    heard: bool,
    opened_ms: u64,
    last_message_ms: u64,
    last_heartbeat_ms: Option<u64>,
    ping_sent_ms: Option<u64>,
}

/// The machine. One per signed-in tab (one channel per tab).
#[derive(Debug, Clone)]
pub struct Health {
    config: HealthConfig,
    started: bool,
    stopped: bool,
    blocked: Option<Blocked>,
    /// Topics refused while others were permitted (a partial grant the header explains).
    partly_rejected: Vec<RejectedTopic>,
    channel: Option<Channel>,
    /// When the current channel was created: a channel is used at least
    /// [`MIN_CHANNEL_USE_MS`] before a renewal replaces it.
    channel_created_ms: u64,
    rest: Option<Rest>,
    /// The socket events are read from.
    current: Option<Socket>,
    /// The socket being replaced: kept until `current` opens, then closed.
    previous: Option<Socket>,
    retry: Option<(u64, Retry)>,
    failures: u32,
    failed_opens: u32,
    next_socket: SocketId,
    last_message_ms: Option<u64>,
    was_live: bool,
    /// The gap between the last two heartbeats seen on one socket.
    heartbeat_gap_ms: Option<u64>,
}

impl Health {
    pub fn new(config: HealthConfig) -> Self {
        Self {
            config,
            started: false,
            stopped: false,
            blocked: None,
            partly_rejected: Vec::new(),
            channel: None,
            channel_created_ms: 0,
            rest: None,
            current: None,
            previous: None,
            retry: None,
            failures: 0,
            failed_opens: 0,
            next_socket: 1,
            last_message_ms: None,
            was_live: false,
            heartbeat_gap_ms: None,
        }
    }

    /// Begins: create a channel. Once only.
    pub fn start(&mut self, now_ms: u64) -> Vec<Command> {
        if self.started || self.stopped {
            return Vec::new();
        }
        self.started = true;
        self.last_message_ms = Some(now_ms);
        self.rest = Some(Rest::CreatingChannel);
        vec![Command::CreateChannel]
    }

    /// Ends for good (sign-out, or the session ended): close every socket. Nothing is
    /// commanded after this, whatever arrives.
    pub fn stop(&mut self) -> Vec<Command> {
        if self.stopped {
            return Vec::new();
        }
        self.stopped = true;
        self.retry = None;
        self.rest = None;
        [self.current.take(), self.previous.take()]
            .into_iter()
            .flatten()
            .map(|socket| Command::Close(socket.id))
            .collect()
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// Topics refused while others were permitted.
    pub fn partly_rejected(&self) -> &[RejectedTopic] {
        &self.partly_rejected
    }

    /// Whether messages from `socket` are still the machine's (the current socket or the one
    /// it is replacing): the glue drops events from any other.
    pub fn owns(&self, socket: SocketId) -> bool {
        !self.stopped
            && [self.current, self.previous]
                .iter()
                .flatten()
                .any(|s| s.id == socket)
    }

    pub fn status(&self, now_ms: u64) -> LinkStatus {
        if self.stopped {
            return LinkStatus::Stopped;
        }
        if let Some(blocked) = &self.blocked {
            return LinkStatus::Blocked(blocked.clone());
        }
        let open = [self.current, self.previous]
            .iter()
            .flatten()
            .any(|socket| socket.open);
        match (open, self.was_live) {
            (true, _) => LinkStatus::Live,
            (false, false) => LinkStatus::Connecting,
            (false, true) => LinkStatus::Reconnecting {
                silent_ms: now_ms.saturating_sub(self.last_message_ms.unwrap_or(now_ms)),
            },
        }
    }

    /// Feeds one input; `jitter` in 0..1 spreads the backoff.
    pub fn handle(&mut self, input: Input, now_ms: u64, jitter: f64) -> Vec<Command> {
        if self.stopped || !self.started {
            return Vec::new();
        }
        match input {
            Input::ChannelCreated(channel) => {
                if self.rest != Some(Rest::CreatingChannel) {
                    return Vec::new();
                }
                self.channel = Some(channel.clone());
                self.channel_created_ms = now_ms;
                self.failed_opens = 0;
                self.rest = Some(Rest::Subscribing);
                vec![Command::Subscribe(channel)]
            }
            Input::ChannelFailed(failure) | Input::SubscribeFailed(failure) => {
                let creating = self.rest == Some(Rest::CreatingChannel);
                if self.rest.is_none() {
                    return Vec::new();
                }
                self.rest = None;
                match failure {
                    RestFailure::Forbidden => return self.block(Blocked::Forbidden),
                    // A subscription's 404 means the channel is gone: a new one below.
                    RestFailure::NotFound if creating => return self.block(Blocked::Unavailable),
                    _ => {}
                }
                self.schedule(Retry::NewChannel, now_ms, jitter);
                Vec::new()
            }
            Input::Subscribed(subscription) => {
                if self.rest != Some(Rest::Subscribing) {
                    return Vec::new();
                }
                self.rest = None;
                if subscription.all_rejected() {
                    return self.block(Blocked::Rejected(subscription.rejected));
                }
                self.partly_rejected = subscription.rejected;
                self.connect()
            }
            Input::Opened(id) => self.opened(id, now_ms),
            Input::Message(id, notice) => self.message(id, notice, now_ms, jitter),
            Input::Closed(id) => self.closed(id, now_ms, jitter),
        }
    }

    /// Called about once a second: pings, pong timeouts, due retries, channel renewal.
    pub fn tick(&mut self, now_ms: u64, jitter: f64) -> Vec<Command> {
        if self.stopped || !self.started || self.blocked.is_some() {
            return Vec::new();
        }
        let mut commands = Vec::new();
        if let Some((at, retry)) = self.retry {
            if now_ms >= at && self.rest.is_none() {
                self.retry = None;
                commands.extend(match retry {
                    Retry::NewChannel => self.new_channel(),
                    Retry::Reconnect => self.connect(),
                });
            }
        }
        let open = self
            .current
            .filter(|s| s.open)
            .map(|s| (s.id, s.ping_sent_ms, s.last_message_ms));
        if let Some((id, ping_sent, last_message)) = open {
            let (ping_after, pong_timeout) = self.waits();
            match ping_sent {
                Some(sent) if now_ms.saturating_sub(sent) >= pong_timeout => {
                    // Silent after a ping: the link is dead even if the browser has not
                    // noticed. Close it and go on as after any loss.
                    commands.push(Command::Close(id));
                    commands.extend(self.lost(now_ms, jitter));
                }
                None if now_ms.saturating_sub(last_message) >= ping_after => {
                    if let Some(socket) = self.current.as_mut() {
                        socket.ping_sent_ms = Some(now_ms);
                    }
                    commands.push(Command::Ping(id));
                }
                _ => {}
            }
        }
        let renewal_due = self
            .channel
            .as_ref()
            .and_then(|c| c.expires_ms)
            .is_some_and(|expires| {
                now_ms.saturating_add(self.config.channel_renewal_margin_ms) >= expires
            })
            // An `expires` already inside the margin (a server's mistake, or a clock a day
            // ahead) must not renew at every tick.
            && now_ms >= self.channel_created_ms.saturating_add(MIN_CHANNEL_USE_MS);
        if renewal_due && self.rest.is_none() && self.retry.is_none() {
            commands.extend(self.new_channel());
        }
        commands
    }

    /// The silence before a ping and the wait for its answer: the configured ones, shrunk to
    /// fit the heartbeat interval once it is known.
    fn waits(&self) -> (u64, u64) {
        match self.heartbeat_gap_ms {
            None => (
                self.config.ping_after_silence_ms,
                self.config.pong_timeout_ms,
            ),
            Some(gap) => (
                gap.saturating_mul(3).clamp(
                    MIN_PING_AFTER_MS,
                    self.config.ping_after_silence_ms.max(MIN_PING_AFTER_MS),
                ),
                gap.saturating_mul(2).clamp(
                    MIN_PONG_TIMEOUT_MS,
                    self.config.pong_timeout_ms.max(MIN_PONG_TIMEOUT_MS),
                ),
            ),
        }
    }

    fn block(&mut self, blocked: Blocked) -> Vec<Command> {
        self.blocked = Some(blocked);
        self.retry = None;
        [self.current.take(), self.previous.take()]
            .into_iter()
            .flatten()
            .map(|socket| Command::Close(socket.id))
            .collect()
    }

    fn new_channel(&mut self) -> Vec<Command> {
        self.rest = Some(Rest::CreatingChannel);
        // The old channel stays in use until the new one's socket opens.
        vec![Command::CreateChannel]
    }

    fn schedule(&mut self, retry: Retry, now_ms: u64, jitter: f64) {
        self.failures = self.failures.saturating_add(1);
        let at = now_ms.saturating_add(reconnect_delay_ms(self.failures, jitter));
        // A channel retry wins over a plain reconnect planned earlier.
        let retry = match self.retry {
            Some((_, Retry::NewChannel)) => Retry::NewChannel,
            _ => retry,
        };
        self.retry = Some((at, retry));
    }

    /// Connects a new socket to the channel; an open current socket is kept as `previous`
    /// until the new one opens (make before break).
    fn connect(&mut self) -> Vec<Command> {
        let Some(channel) = &self.channel else {
            return self.new_channel();
        };
        let uri = channel.connect_uri.clone();
        let mut commands = Vec::new();
        // An open current socket serves until the new one opens; one still opening is
        // closed, or it would stay open with nobody listening.
        let replaced = match self.current.take() {
            Some(socket) if socket.open => Some(socket),
            Some(opening) => {
                commands.push(Command::Close(opening.id));
                None
            }
            None => None,
        };
        if let Some(older) = self.previous.take() {
            commands.push(Command::Close(older.id));
        }
        self.previous = replaced;
        let id = self.next_socket;
        self.next_socket += 1;
        self.current = Some(Socket {
            id,
            open: false,
            heard: false,
            opened_ms: 0,
            last_message_ms: 0,
            last_heartbeat_ms: None,
            ping_sent_ms: None,
        });
        commands.push(Command::Connect { socket: id, uri });
        commands
    }

    fn opened(&mut self, id: SocketId, now_ms: u64) -> Vec<Command> {
        let Some(socket) = self.current.as_mut().filter(|s| s.id == id && !s.open) else {
            return Vec::new();
        };
        socket.open = true;
        socket.opened_ms = now_ms;
        socket.last_message_ms = now_ms;
        self.was_live = true;
        self.failed_opens = 0;
        let mut commands = Vec::new();
        if let Some(old) = self.previous.take() {
            commands.push(Command::Close(old.id));
        }
        commands.push(Command::Resync);
        commands
    }

    fn message(&mut self, id: SocketId, notice: Notice, now_ms: u64, jitter: f64) -> Vec<Command> {
        if !notice.is_alive() || !self.owns(id) {
            return Vec::new();
        }
        let is_current = self.current.is_some_and(|s| s.id == id);
        let mut heartbeat_gap = None;
        if let Some(socket) = [self.current.as_mut(), self.previous.as_mut()]
            .into_iter()
            .flatten()
            .find(|s| s.id == id)
        {
            if notice == Notice::Heartbeat {
                heartbeat_gap = socket
                    .last_heartbeat_ms
                    .map(|last| now_ms.saturating_sub(last));
                socket.last_heartbeat_ms = Some(now_ms);
            }
            socket.last_message_ms = now_ms;
            socket.ping_sent_ms = None;
            // Not at its first message: a server that accepts, says one thing and closes
            // would otherwise be reconnected to every second for ever.
            if socket.open && !socket.heard && now_ms >= socket.opened_ms + STABLE_LINK_MS {
                socket.heard = true;
                if is_current {
                    self.failures = 0;
                }
            }
        }
        if heartbeat_gap.is_some() {
            self.heartbeat_gap_ms = heartbeat_gap;
        }
        self.last_message_ms = Some(now_ms);
        match notice {
            Notice::SocketClosing if is_current && self.rest.is_none() => self.connect(),
            Notice::ChannelGone if is_current => {
                let mut commands = vec![Command::Close(id)];
                self.current = None;
                self.channel = None;
                self.schedule(Retry::NewChannel, now_ms, jitter);
                commands.extend(self.promote_previous());
                commands
            }
            _ => Vec::new(),
        }
    }

    fn closed(&mut self, id: SocketId, now_ms: u64, jitter: f64) -> Vec<Command> {
        if self.previous.is_some_and(|s| s.id == id) {
            self.previous = None;
            return Vec::new();
        }
        if self.current.is_none_or(|s| s.id != id) {
            return Vec::new();
        }
        self.lost(now_ms, jitter)
    }

    /// The current socket is gone (closed, or given up): plan the way back.
    fn lost(&mut self, now_ms: u64, jitter: f64) -> Vec<Command> {
        let Some(socket) = self.current.take() else {
            return Vec::new();
        };
        let channel_expired = self
            .channel
            .as_ref()
            .and_then(|c| c.expires_ms)
            .is_some_and(|expires| now_ms >= expires);
        if !socket.open {
            self.failed_opens += 1;
        }
        let channel_gone = channel_expired
            || self.channel.is_none()
            || self.failed_opens >= self.config.failed_opens_before_new_channel;
        if channel_gone {
            self.channel = None;
            self.failed_opens = 0;
        }
        let retry = if channel_gone {
            Retry::NewChannel
        } else {
            Retry::Reconnect
        };
        if self.rest.is_none() {
            self.schedule(retry, now_ms, jitter);
        }
        self.promote_previous()
    }

    /// A replacement that failed while the old socket still works: keep reading the old one.
    fn promote_previous(&mut self) -> Vec<Command> {
        if self.current.is_none() {
            self.current = self.previous.take();
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests;

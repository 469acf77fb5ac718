//! The Genesys event stream's connection health, as a pure state machine: the browser glue
//! feeds it what happened (a channel was created, a socket opened, a message or a close
//! arrived, a second passed) and does what it answers ([`Command`]). Every decision about
//! when to ping, reconnect, replace the channel or re-read the state is made (and tested)
//! here.
//!
//! The rules, from `../shared/AGENT-APIS.md` section 3:
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

use super::notifications::{Channel, Notice, RejectedTopic, Subscription};

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

/// Backoff before the `failures`-th consecutive reconnect (1 = first), plus up to 20 % jitter
/// (`jitter` in 0..1) so that many agents coming back online do not all reconnect at once.
/// The shape of [`crate::schedule::retry_delay_ms`], with shorter steps: a desk without live
/// status is worse than one without a renewed token.
pub fn reconnect_delay_ms(failures: u32, jitter: f64) -> u64 {
    let exponent = failures.saturating_sub(1).min(16);
    let base = FIRST_RECONNECT_DELAY_MS
        .saturating_mul(1 << exponent)
        .min(MAX_RECONNECT_DELAY_MS);
    let jitter = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    base + (base as f64 * 0.2 * jitter) as u64
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
    /// A message arrived since it opened (the link proved itself: backoff resets).
    heard: bool,
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
            });
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
        let replaced = self.current.take().filter(|socket| socket.open);
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
            if socket.open && !socket.heard {
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
mod tests {
    use super::*;
    use crate::live::notifications::Subscription;

    const START: u64 = 1_000_000;

    fn channel(id: &str, expires_ms: Option<u64>) -> Channel {
        Channel {
            id: id.into(),
            connect_uri: format!("wss://streaming.example/channels/{id}"),
            expires_ms,
        }
    }

    fn permitted() -> Subscription {
        Subscription {
            permitted: vec!["v2.users.u1?presence&routingStatus".into()],
            rejected: vec![],
        }
    }

    /// A machine with socket 1 open on channel `c1` (expiring in a day).
    fn live() -> Health {
        let mut health = Health::new(HealthConfig::default());
        assert_eq!(health.start(START), [Command::CreateChannel]);
        assert_eq!(health.status(START), LinkStatus::Connecting);
        let c1 = channel("c1", Some(START + 86_400_000));
        assert_eq!(
            health.handle(Input::ChannelCreated(c1.clone()), START, 0.0),
            [Command::Subscribe(c1)]
        );
        assert_eq!(
            health.handle(Input::Subscribed(permitted()), START, 0.0),
            [Command::Connect {
                socket: 1,
                uri: "wss://streaming.example/channels/c1".into()
            }]
        );
        assert_eq!(health.status(START), LinkStatus::Connecting);
        assert_eq!(
            health.handle(Input::Opened(1), START, 0.0),
            [Command::Resync]
        );
        assert_eq!(health.status(START), LinkStatus::Live);
        health
    }

    fn heartbeat(health: &mut Health, socket: SocketId, at: u64) -> Vec<Command> {
        health.handle(Input::Message(socket, Notice::Heartbeat), at, 0.0)
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        assert_eq!(reconnect_delay_ms(1, 0.0), 1_000);
        assert_eq!(reconnect_delay_ms(2, 0.0), 2_000);
        assert_eq!(reconnect_delay_ms(5, 0.0), 16_000);
        assert_eq!(reconnect_delay_ms(6, 0.0), MAX_RECONNECT_DELAY_MS);
        assert_eq!(reconnect_delay_ms(u32::MAX, 0.0), MAX_RECONNECT_DELAY_MS);
        assert_eq!(reconnect_delay_ms(0, 0.0), 1_000);
        assert_eq!(reconnect_delay_ms(1, 1.0), 1_200);
        assert_eq!(reconnect_delay_ms(1, 9.0), 1_200, "jitter is clamped");
        assert_eq!(reconnect_delay_ms(1, f64::NAN), 1_000);
    }

    #[test]
    fn pings_after_silence_and_gives_up_without_an_answer() {
        let mut health = live();
        let ping_at = START + HealthConfig::default().ping_after_silence_ms;
        assert_eq!(health.tick(ping_at - 1, 0.0), []);
        assert_eq!(health.tick(ping_at, 0.0), [Command::Ping(1)]);
        assert_eq!(health.tick(ping_at + 1, 0.0), [], "one ping at a time");
        let give_up = ping_at + HealthConfig::default().pong_timeout_ms;
        assert_eq!(health.tick(give_up - 1, 0.0), []);
        assert_eq!(health.tick(give_up, 0.0), [Command::Close(1)]);
        assert_eq!(
            health.status(give_up),
            LinkStatus::Reconnecting {
                silent_ms: give_up - START
            }
        );
        // The close the glue then reports changes nothing more.
        assert_eq!(health.handle(Input::Closed(1), give_up, 0.0), []);
        assert_eq!(
            health.tick(give_up + 1_000, 0.0),
            [Command::Connect {
                socket: 2,
                uri: "wss://streaming.example/channels/c1".into()
            }],
            "reconnects to the same channel after the first backoff step"
        );
    }

    #[test]
    fn a_pong_or_any_message_clears_the_ping() {
        let mut health = live();
        let ping_at = START + 40_000;
        assert_eq!(health.tick(ping_at, 0.0), [Command::Ping(1)]);
        assert_eq!(
            health.handle(Input::Message(1, Notice::Pong), ping_at + 100, 0.0),
            []
        );
        assert_eq!(health.tick(ping_at + 10_000, 0.0), []);
        assert_eq!(health.status(ping_at + 10_000), LinkStatus::Live);
        // Heartbeats keep it from pinging at all.
        for n in 1..10 {
            assert_eq!(heartbeat(&mut health, 1, ping_at + n * 30_000), []);
            assert_eq!(health.tick(ping_at + n * 30_000 + 29_000, 0.0), []);
        }
    }

    #[test]
    fn fast_heartbeats_shrink_the_waits() {
        let mut health = live();
        // Heartbeats every 500 ms (as the sandbox sends in tests).
        heartbeat(&mut health, 1, START + 500);
        heartbeat(&mut health, 1, START + 1_000);
        assert_eq!(health.tick(START + 1_000 + MIN_PING_AFTER_MS - 1, 0.0), []);
        let ping_at = START + 1_000 + MIN_PING_AFTER_MS;
        assert_eq!(health.tick(ping_at, 0.0), [Command::Ping(1)]);
        assert_eq!(health.tick(ping_at + MIN_PONG_TIMEOUT_MS - 1, 0.0), []);
        assert_eq!(
            health.tick(ping_at + MIN_PONG_TIMEOUT_MS, 0.0),
            [Command::Close(1)]
        );
    }

    #[test]
    fn slow_heartbeats_never_stretch_the_waits_past_the_configured_ones() {
        let mut health = live();
        heartbeat(&mut health, 1, START + 60_000);
        heartbeat(&mut health, 1, START + 120_000);
        let ping_at = START + 120_000 + HealthConfig::default().ping_after_silence_ms;
        assert_eq!(health.tick(ping_at - 1, 0.0), []);
        assert_eq!(health.tick(ping_at, 0.0), [Command::Ping(1)]);
        let give_up = ping_at + HealthConfig::default().pong_timeout_ms;
        assert_eq!(health.tick(give_up - 1, 0.0), []);
        assert_eq!(health.tick(give_up, 0.0), [Command::Close(1)]);
    }

    #[test]
    fn unreadable_frames_do_not_count_as_alive() {
        let mut health = live();
        health.handle(Input::Message(1, Notice::Unreadable), START + 39_000, 0.0);
        assert_eq!(health.tick(START + 40_000, 0.0), [Command::Ping(1)]);
    }

    #[test]
    fn a_dropped_socket_reconnects_with_growing_backoff_and_resyncs() {
        let mut health = live();
        heartbeat(&mut health, 1, START + 1);
        assert_eq!(health.handle(Input::Closed(1), START + 10, 0.0), []);
        assert_eq!(
            health.status(START + 5_010),
            LinkStatus::Reconnecting { silent_ms: 5_009 }
        );
        assert_eq!(health.tick(START + 1_009, 0.0), []);
        let connect = health.tick(START + 1_010, 0.0);
        assert!(matches!(connect[..], [Command::Connect { socket: 2, .. }]));
        // It opens, then drops before a single message: the next wait is longer.
        assert_eq!(
            health.handle(Input::Opened(2), START + 1_100, 0.0),
            [Command::Resync],
            "the state is read again after reconnecting"
        );
        health.handle(Input::Closed(2), START + 1_200, 0.0);
        assert_eq!(health.tick(START + 1_200 + 1_999, 0.0), []);
        assert!(matches!(
            health.tick(START + 1_200 + 2_000, 0.0)[..],
            [Command::Connect { socket: 3, .. }]
        ));
        // A socket that proves itself resets the backoff.
        health.handle(Input::Opened(3), START + 3_300, 0.0);
        heartbeat(&mut health, 3, START + 3_400);
        health.handle(Input::Closed(3), START + 3_500, 0.0);
        assert!(matches!(
            health.tick(START + 3_500 + 1_000, 0.0)[..],
            [Command::Connect { socket: 4, .. }]
        ));
    }

    #[test]
    fn sockets_that_never_open_mean_the_channel_is_gone() {
        let mut health = live();
        health.handle(Input::Closed(1), START, 0.0);
        assert!(
            matches!(
                health.tick(START + 1_000, 0.0)[..],
                [Command::Connect { socket: 2, .. }]
            ),
            "a socket that was open: the same channel first"
        );
        health.handle(Input::Closed(2), START + 1_100, 0.0);
        assert_eq!(health.tick(START + 1_100 + 1_999, 0.0), []);
        assert_eq!(
            health.tick(START + 1_100 + 2_000, 0.0),
            [Command::CreateChannel],
            "refused without opening: a new channel"
        );
        let c2 = channel("c2", None);
        assert_eq!(
            health.handle(Input::ChannelCreated(c2.clone()), START + 3_200, 0.0),
            [Command::Subscribe(c2)],
            "the new channel is subscribed again"
        );
        assert_eq!(
            health.handle(Input::Subscribed(permitted()), START + 3_300, 0.0),
            [Command::Connect {
                socket: 3,
                uri: "wss://streaming.example/channels/c2".into()
            }]
        );
    }

    #[test]
    fn socket_closing_connects_a_new_socket_before_the_old_one_closes() {
        let mut health = live();
        assert_eq!(
            health.handle(Input::Message(1, Notice::SocketClosing), START + 5, 0.0),
            [Command::Connect {
                socket: 2,
                uri: "wss://streaming.example/channels/c1".into()
            }]
        );
        assert_eq!(
            health.status(START + 6),
            LinkStatus::Live,
            "the old one still works"
        );
        assert!(health.owns(1) && health.owns(2));
        assert_eq!(
            health.handle(Input::Opened(2), START + 50, 0.0),
            [Command::Close(1), Command::Resync]
        );
        assert!(!health.owns(1));
        assert_eq!(
            health.handle(Input::Closed(1), START + 60, 0.0),
            [],
            "the old socket's close is expected"
        );
        assert_eq!(health.status(START + 60), LinkStatus::Live);
        assert_eq!(health.tick(START + 2_000, 0.0), [], "no reconnect planned");
    }

    #[test]
    fn the_old_socket_closing_first_is_fine_too() {
        let mut health = live();
        health.handle(Input::Message(1, Notice::SocketClosing), START + 5, 0.0);
        // The server closes the old socket when the new one connects.
        assert_eq!(health.handle(Input::Closed(1), START + 20, 0.0), []);
        assert_eq!(
            health.handle(Input::Opened(2), START + 30, 0.0),
            [Command::Resync]
        );
        assert_eq!(health.status(START + 30), LinkStatus::Live);
    }

    #[test]
    fn a_failed_replacement_keeps_the_old_socket() {
        let mut health = live();
        health.handle(Input::Message(1, Notice::SocketClosing), START + 5, 0.0);
        assert_eq!(health.handle(Input::Closed(2), START + 20, 0.0), []);
        assert!(health.owns(1), "events are still read from the old socket");
        assert_eq!(health.status(START + 20), LinkStatus::Live);
        assert_eq!(
            health.tick(START + 20 + 1_000, 0.0),
            [Command::CreateChannel]
        );
        health.handle(
            Input::ChannelCreated(channel("c2", None)),
            START + 1_100,
            0.0,
        );
        health.handle(Input::Subscribed(permitted()), START + 1_200, 0.0);
        assert_eq!(
            health.handle(Input::Opened(3), START + 1_300, 0.0),
            [Command::Close(1), Command::Resync],
            "the old socket is closed once the new channel's opens"
        );
    }

    #[test]
    fn channel_gone_makes_a_new_channel_and_resubscribes() {
        let mut health = live();
        assert_eq!(
            health.handle(Input::Message(1, Notice::ChannelGone), START + 5, 0.0),
            [Command::Close(1)]
        );
        assert!(matches!(
            health.status(START + 5),
            LinkStatus::Reconnecting { .. }
        ));
        assert_eq!(health.tick(START + 1_005, 0.0), [Command::CreateChannel]);
        let c2 = channel("c2", None);
        assert_eq!(
            health.handle(Input::ChannelCreated(c2.clone()), START + 1_100, 0.0),
            [Command::Subscribe(c2)]
        );
    }

    #[test]
    fn the_channel_is_replaced_before_it_expires() {
        let mut health = Health::new(HealthConfig::default());
        health.start(START);
        let expires = START + 86_400_000;
        health.handle(
            Input::ChannelCreated(channel("c1", Some(expires))),
            START,
            0.0,
        );
        health.handle(Input::Subscribed(permitted()), START, 0.0);
        health.handle(Input::Opened(1), START, 0.0);
        let margin = HealthConfig::default().channel_renewal_margin_ms;
        // Keep the socket chatty so that only the renewal acts.
        heartbeat(&mut health, 1, expires - margin - 1);
        assert_eq!(health.tick(expires - margin - 1, 0.0), []);
        assert_eq!(health.tick(expires - margin, 0.0), [Command::CreateChannel]);
        assert_eq!(health.tick(expires - margin + 1, 0.0), [], "once");
        let c2 = channel("c2", Some(expires + 86_400_000));
        health.handle(Input::ChannelCreated(c2), expires - margin + 2, 0.0);
        assert_eq!(
            health.handle(Input::Subscribed(permitted()), expires - margin + 3, 0.0),
            [Command::Connect {
                socket: 2,
                uri: "wss://streaming.example/channels/c2".into()
            }]
        );
        assert_eq!(health.status(expires - margin + 3), LinkStatus::Live);
        assert_eq!(
            health.handle(Input::Opened(2), expires - margin + 4, 0.0),
            [Command::Close(1), Command::Resync]
        );
        assert_eq!(health.tick(expires - margin + 5, 0.0), []);
    }

    #[test]
    fn rest_failures_back_off_and_a_403_blocks() {
        let mut health = Health::new(HealthConfig::default());
        health.start(START);
        assert_eq!(
            health.handle(Input::ChannelFailed(RestFailure::Passing), START, 0.0),
            []
        );
        assert_eq!(health.tick(START + 999, 0.0), []);
        assert_eq!(health.tick(START + 1_000, 0.0), [Command::CreateChannel]);
        health.handle(
            Input::ChannelCreated(channel("c1", None)),
            START + 1_100,
            0.0,
        );
        assert_eq!(
            health.handle(
                Input::SubscribeFailed(RestFailure::NotFound),
                START + 1_200,
                0.0
            ),
            []
        );
        assert_eq!(
            health.tick(START + 1_200 + 2_000, 0.0),
            [Command::CreateChannel]
        );
        health.handle(
            Input::ChannelFailed(RestFailure::Forbidden),
            START + 3_300,
            0.0,
        );
        assert_eq!(
            health.status(START + 3_300),
            LinkStatus::Blocked(Blocked::Forbidden)
        );
        assert_eq!(
            health.tick(START + 100_000, 0.0),
            [],
            "no retry once blocked"
        );
    }

    #[test]
    fn a_server_without_channels_is_not_asked_again() {
        let mut health = Health::new(HealthConfig::default());
        health.start(START);
        health.handle(Input::ChannelFailed(RestFailure::NotFound), START, 0.0);
        assert_eq!(
            health.status(START),
            LinkStatus::Blocked(Blocked::Unavailable)
        );
        assert_eq!(health.tick(START + 3_600_000, 0.0), []);
    }

    #[test]
    fn rejected_topics_block_or_are_reported() {
        let rejected = RejectedTopic {
            topic: "v2.users.u1?presence&routingStatus".into(),
            missing_permissions: vec!["presence:userPresence:view".into()],
            reason: None,
        };
        let mut health = Health::new(HealthConfig::default());
        health.start(START);
        health.handle(Input::ChannelCreated(channel("c1", None)), START, 0.0);
        let refused = Subscription {
            permitted: vec![],
            rejected: vec![rejected.clone()],
        };
        assert_eq!(health.handle(Input::Subscribed(refused), START, 0.0), []);
        assert_eq!(
            health.status(START),
            LinkStatus::Blocked(Blocked::Rejected(vec![rejected.clone()]))
        );

        let mut health = Health::new(HealthConfig::default());
        health.start(START);
        health.handle(Input::ChannelCreated(channel("c1", None)), START, 0.0);
        let partial = Subscription {
            permitted: vec!["v2.users.u1.presence".into()],
            rejected: vec![rejected.clone()],
        };
        assert!(matches!(
            health.handle(Input::Subscribed(partial), START, 0.0)[..],
            [Command::Connect { .. }]
        ));
        assert_eq!(health.partly_rejected(), [rejected]);
    }

    #[test]
    fn stop_closes_everything_and_nothing_follows() {
        let mut health = live();
        health.handle(Input::Message(1, Notice::SocketClosing), START + 5, 0.0);
        assert_eq!(health.stop(), [Command::Close(2), Command::Close(1)]);
        assert_eq!(health.status(START + 6), LinkStatus::Stopped);
        assert!(!health.owns(1) && !health.owns(2));
        assert_eq!(health.handle(Input::Opened(2), START + 7, 0.0), []);
        assert_eq!(health.handle(Input::Closed(1), START + 8, 0.0), []);
        assert_eq!(
            health.handle(Input::ChannelCreated(channel("c9", None)), START + 9, 0.0),
            []
        );
        assert_eq!(health.tick(START + 1_000_000, 0.0), []);
        assert_eq!(health.start(START), [], "a stopped machine never restarts");
        assert_eq!(health.stop(), []);
    }

    #[test]
    fn late_or_foreign_inputs_are_ignored() {
        let mut health = live();
        assert_eq!(health.handle(Input::Opened(9), START, 0.0), []);
        assert_eq!(health.handle(Input::Closed(9), START, 0.0), []);
        assert_eq!(
            health.handle(Input::Message(9, Notice::ChannelGone), START, 0.0),
            []
        );
        assert_eq!(
            health.handle(Input::ChannelCreated(channel("late", None)), START, 0.0),
            [],
            "no channel was asked for"
        );
        assert_eq!(health.status(START), LinkStatus::Live);
        let mut unstarted = Health::new(HealthConfig::default());
        assert_eq!(unstarted.tick(START, 0.0), []);
        assert_eq!(unstarted.handle(Input::Opened(1), START, 0.0), []);
    }
}

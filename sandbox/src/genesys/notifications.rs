//! Genesys Cloud's notification service (AGENT-APIS.md §1-3): channels, their
//! subscriptions, and the `Hub` that holds them, each user's presence and routing status,
//! and the sockets events are sent to (`socket` runs them).
//!
//! - POST /api/v2/notifications/channels → `{connectUri, id, expires}` (24 h); at most 20
//!   per user and OAuth client: the 21st evicts the least recently used, unconnected first
//! - GET /api/v2/notifications/channels → `{entities: [Channel]}`
//! - HEAD /api/v2/notifications/channels/{id} → 200 or 404
//! - POST (add), PUT (replace), GET, DELETE /api/v2/notifications/channels/{id}/subscriptions
//!
//! Events are not kept for a channel without a socket: a client that reconnects re-reads
//! the state (the real service promises nothing more).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::presence::{self, PresenceDef};
use crate::auth::authenticate;
use crate::clock::iso8601;
use crate::controls::{Counter, Endpoint};
use crate::params::Params;
use crate::responses::{api_error, missing_permissions, Refusal};
use crate::store::Grant;
use crate::users::by_id;
use crate::{faults, random, AppState};

/// "Channels remain active for 24 hours."
pub const CHANNEL_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// "There is a limit of 20 channels per user/app combination."
pub const MAX_CHANNELS: usize = 20;
/// "Each WebSocket connection is limited to 1,000 topics."
pub const MAX_TOPICS: usize = 1000;
/// "A combined topic can contain up to 200 characters" (quoted secondhand).
pub const MAX_COMBINED_TOPIC: usize = 200;
/// The user topics the sandbox knows (JS SDK `notificationMappings.json`).
pub const USER_TOPICS: &[&str] = &["presence", "routingStatus", "activity", "conversations"];

/// What a socket's task is told to do.
#[derive(Debug)]
pub enum Outgoing {
    Text(String),
    /// Close frame with code and reason, or `None`: end the TCP connection without one.
    Close(Option<(u16, String)>),
    /// Settings changed: recompute the heartbeat timer.
    Wake,
}

#[derive(Debug)]
pub struct SocketHandle {
    pub id: u64,
    pub tx: mpsc::UnboundedSender<Outgoing>,
}

impl SocketHandle {
    fn send(&self, message: Outgoing) {
        // A socket whose task has ended is being detached anyway.
        let _ = self.tx.send(message);
    }
}

#[derive(Debug)]
pub struct Channel {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub expires: SystemTime,
    pub last_used: Instant,
    /// As subscribed (a combined topic stays combined).
    pub topics: Vec<String>,
    pub socket: Option<SocketHandle>,
}

impl Channel {
    fn is_live(&self, now: SystemTime) -> bool {
        now < self.expires
    }

    fn covers(&self, topic: &str) -> bool {
        self.topics
            .iter()
            .any(|t| expand(t).iter().any(|e| e == topic))
    }

    pub fn json(&self, host: &str) -> Value {
        json!({
            "connectUri": format!("ws://{host}/channels/{}", self.id),
            "id": self.id,
            "expires": iso8601(self.expires),
        })
    }
}

/// A user's presence and routing status as the platform holds them.
#[derive(Debug, Clone)]
pub struct AgentState {
    pub presence: &'static PresenceDef,
    pub message: String,
    pub presence_modified: SystemTime,
    pub routing_status: &'static str,
    pub routing_start: SystemTime,
}

impl AgentState {
    /// Signed out of queues: Available and OFF_QUEUE ("A routing status is set by the
    /// system when an agent is on queue").
    fn initial(since: SystemTime) -> Self {
        Self {
            presence: presence::AVAILABLE,
            message: String::new(),
            presence_modified: since,
            routing_status: "OFF_QUEUE",
            routing_start: since,
        }
    }

    /// The `presence` of /users/me?expand=presence (the contract fixture's fields).
    pub fn me_presence_json(&self) -> Value {
        json!({
            "source": "PURECLOUD",
            "primary": true,
            "presenceDefinition": {
                "id": self.presence.id,
                "systemPresence": self.presence.legacy,
            },
            "modifiedDate": iso8601(self.presence_modified),
        })
    }

    /// A UserPresence (PATCH and GET …/presences/purecloud).
    pub fn presence_json(&self, user_id: &str) -> Value {
        json!({
            "source": "PURECLOUD",
            "primary": true,
            "presenceDefinition": self.presence.reference(),
            "message": self.message,
            "modifiedDate": iso8601(self.presence_modified),
            "selfUri": format!("/api/v2/users/{user_id}/presences/PURECLOUD"),
        })
    }

    /// `RoutingStatus {userId, status, startTime}`.
    pub fn routing_json(&self, user_id: &str) -> Value {
        json!({
            "userId": user_id,
            "status": self.routing_status,
            "startTime": iso8601(self.routing_start),
        })
    }

    /// `PresenceEventUserPresence`.
    fn presence_event(&self) -> Value {
        json!({
            "source": "PURECLOUD",
            "presenceDefinition": {
                "id": self.presence.id,
                "systemPresence": self.presence.legacy,
            },
            "primary": true,
            "message": self.message,
            "modifiedDate": iso8601(self.presence_modified),
        })
    }

    /// `UserRoutingStatusUserRoutingStatus`.
    fn routing_event(&self, user_id: &str) -> Value {
        json!({
            "id": user_id,
            "routingStatus": {
                "status": self.routing_status,
                "startTime": iso8601(self.routing_start),
            },
        })
    }
}

/// Splits `prefix?a&b` into `prefix.a`, `prefix.b` ("A combined topic generates separate
/// notifications for each topic under the original, expanded topic name").
pub fn expand(topic: &str) -> Vec<String> {
    match topic.split_once('?') {
        None => vec![topic.to_string()],
        Some((prefix, suffixes)) => suffixes
            .split('&')
            .map(|suffix| format!("{prefix}.{suffix}"))
            .collect(),
    }
}

/// The expanded names of a topic the sandbox can serve, or why not (a 400).
pub fn check_topic(topic: &str) -> Result<Vec<String>, String> {
    if topic.contains('?') && topic.len() > MAX_COMBINED_TOPIC {
        return Err(format!(
            "A combined topic can contain up to {MAX_COMBINED_TOPIC} characters: {topic}"
        ));
    }
    let expanded = expand(topic);
    for name in &expanded {
        let valid = name
            .strip_prefix("v2.users.")
            .and_then(|rest| rest.split_once('.'))
            .is_some_and(|(user, suffix)| by_id(user).is_some() && USER_TOPICS.contains(&suffix));
        if !valid {
            return Err(format!("Invalid topic: {topic}"));
        }
    }
    Ok(expanded)
}

/// The message a socket gets for one event.
pub fn envelope(topic_name: &str, event_body: Value) -> String {
    json!({
        "topicName": topic_name,
        "version": "2",
        "eventBody": event_body,
        "metadata": { "CorrelationId": random::uuid_v4() },
    })
    .to_string()
}

/// `channel.metadata` messages: the heartbeat and the pong.
pub fn metadata(message: &str) -> String {
    json!({ "topicName": "channel.metadata", "eventBody": { "message": message } }).to_string()
}

#[derive(Default)]
struct HubState {
    channels: HashMap<String, Channel>,
    agents: HashMap<String, AgentState>,
    next_socket: u64,
}

/// Channels, sockets and agent states; one short critical section per method, never
/// held with the store's or the controls' lock.
pub struct Hub {
    inner: Mutex<HubState>,
    started: SystemTime,
}

/// One socket of a channel, for the test controls' listing.
pub struct SocketInfo {
    pub channel_id: String,
    pub socket_id: u64,
}

impl Hub {
    pub fn new(started: SystemTime) -> Self {
        Self {
            inner: Mutex::new(HubState::default()),
            started,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HubState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn agent<'a>(
        state: &'a mut HubState,
        started: SystemTime,
        user_id: &str,
    ) -> &'a mut AgentState {
        state
            .agents
            .entry(user_id.to_string())
            .or_insert_with(|| AgentState::initial(started))
    }

    pub fn agent_state(&self, user_id: &str) -> AgentState {
        let mut state = self.lock();
        Self::agent(&mut state, self.started, user_id).clone()
    }

    pub fn user_presence(&self, user_id: &str) -> Value {
        self.agent_state(user_id).presence_json(user_id)
    }

    pub fn routing_status(&self, user_id: &str) -> Value {
        self.agent_state(user_id).routing_json(user_id)
    }

    /// Every agent back to Available / OFF_QUEUE (test controls' reset).
    pub fn reset_agents(&self) {
        self.lock().agents.clear();
    }

    /// Sends an event to every socket whose channel is subscribed to `topic`.
    fn publish(state: &HubState, topic: &str, body: &Value) -> usize {
        let mut sent = 0;
        for channel in state.channels.values() {
            if let (Some(socket), true) = (&channel.socket, channel.covers(topic)) {
                socket.send(Outgoing::Text(envelope(topic, body.clone())));
                sent += 1;
            }
        }
        sent
    }

    /// A presence change: the new presence, its event, and the routing status the
    /// platform derives from it (IDLE on entering On Queue, OFF_QUEUE on leaving).
    pub fn set_presence(
        &self,
        user_id: &str,
        definition: &'static PresenceDef,
        message: String,
        now: SystemTime,
    ) -> Value {
        let mut state = self.lock();
        let agent = Self::agent(&mut state, self.started, user_id);
        agent.presence = definition;
        agent.message = message;
        agent.presence_modified = now;
        let routing = if definition.is_on_queue() {
            (agent.routing_status == "OFF_QUEUE").then_some("IDLE")
        } else {
            (agent.routing_status != "OFF_QUEUE").then_some("OFF_QUEUE")
        };
        if let Some(status) = routing {
            agent.routing_status = status;
            agent.routing_start = now;
        }
        let agent = agent.clone();
        Self::publish(
            &state,
            &format!("v2.users.{user_id}.presence"),
            &agent.presence_event(),
        );
        if routing.is_some() {
            Self::publish(
                &state,
                &format!("v2.users.{user_id}.routingStatus"),
                &agent.routing_event(user_id),
            );
        }
        agent.presence_json(user_id)
    }

    /// The platform sets the routing status (test controls: a call arrives...).
    pub fn set_routing_status(&self, user_id: &str, status: &'static str, now: SystemTime) {
        let mut state = self.lock();
        let agent = Self::agent(&mut state, self.started, user_id);
        agent.routing_status = status;
        agent.routing_start = now;
        let body = agent.routing_event(user_id);
        Self::publish(&state, &format!("v2.users.{user_id}.routingStatus"), &body);
    }

    /// Drops channels past their 24 hours (closing their sockets).
    fn prune(state: &mut HubState, now: SystemTime) {
        state.channels.retain(|_, channel| {
            let live = channel.is_live(now);
            if let (false, Some(socket)) = (live, &channel.socket) {
                socket.send(Outgoing::Close(Some((1001, "Channel expired".into()))));
            }
            live
        });
    }

    pub fn create_channel(&self, grant: &Grant, host: &str, now: SystemTime) -> Value {
        let mut state = self.lock();
        Self::prune(&mut state, now);
        let mine = |c: &Channel| c.user_id == grant.user_id && c.client_id == grant.client_id;
        if state.channels.values().filter(|c| mine(c)).count() >= MAX_CHANNELS {
            // "Creating a 21st channel will remove the channel with oldest last used
            // date. Channels without an active connection will be removed first."
            let evicted = state
                .channels
                .values()
                .filter(|c| mine(c))
                .min_by_key(|c| (c.socket.is_some(), c.last_used))
                .map(|c| c.id.clone());
            if let Some(channel) = evicted.and_then(|id| state.channels.remove(&id)) {
                if let Some(socket) = channel.socket {
                    socket.send(Outgoing::Close(Some((1001, "Channel removed".into()))));
                }
            }
        }
        let channel = Channel {
            id: format!("streaming-0-{}", random::lower_alnum(26)),
            user_id: grant.user_id.clone(),
            client_id: grant.client_id.clone(),
            expires: now + CHANNEL_LIFETIME,
            last_used: Instant::now(),
            topics: Vec::new(),
            socket: None,
        };
        let body = channel.json(host);
        state.channels.insert(channel.id.clone(), channel);
        body
    }

    /// The user and client's live channels.
    pub fn list_channels(&self, grant: &Grant, host: &str, now: SystemTime) -> Vec<Value> {
        let mut state = self.lock();
        Self::prune(&mut state, now);
        let mut channels: Vec<&Channel> = state
            .channels
            .values()
            .filter(|c| c.user_id == grant.user_id && c.client_id == grant.client_id)
            .collect();
        channels.sort_by_key(|c| c.last_used);
        channels.iter().map(|c| c.json(host)).collect()
    }

    /// Runs `f` on a live channel of the grant's user (another user's is as unknown).
    pub fn with_channel<T>(
        &self,
        id: &str,
        grant: &Grant,
        now: SystemTime,
        f: impl FnOnce(&mut Channel) -> T,
    ) -> Option<T> {
        let mut state = self.lock();
        Self::prune(&mut state, now);
        let channel = state
            .channels
            .get_mut(id)
            .filter(|c| c.user_id == grant.user_id)?;
        channel.last_used = Instant::now();
        Some(f(channel))
    }

    /// Whether a channel exists and is live (the socket upgrade's check).
    pub fn is_live(&self, id: &str, now: SystemTime) -> bool {
        let mut state = self.lock();
        Self::prune(&mut state, now);
        state.channels.contains_key(id)
    }

    /// Makes a new socket the channel's one; the previous one is closed ("If you connect
    /// a second WebSocket with the same channel ID, the first WebSocket disconnects").
    /// `None` if the channel is gone.
    pub fn attach(
        &self,
        id: &str,
        now: SystemTime,
    ) -> Option<(u64, mpsc::UnboundedReceiver<Outgoing>, SystemTime)> {
        let mut state = self.lock();
        Self::prune(&mut state, now);
        state.next_socket += 1;
        let socket_id = state.next_socket;
        let channel = state.channels.get_mut(id)?;
        let (tx, rx) = mpsc::unbounded_channel();
        if let Some(old) = channel.socket.replace(SocketHandle { id: socket_id, tx }) {
            old.send(Outgoing::Close(Some((
                1000,
                "Another WebSocket connected to this channel".into(),
            ))));
        }
        channel.last_used = Instant::now();
        Some((socket_id, rx, channel.expires))
    }

    /// Forgets a socket whose task ended (unless a newer one replaced it).
    pub fn detach(&self, id: &str, socket_id: u64) {
        let mut state = self.lock();
        if let Some(channel) = state.channels.get_mut(id) {
            if channel.socket.as_ref().is_some_and(|s| s.id == socket_id) {
                channel.socket = None;
                channel.last_used = Instant::now();
            }
        }
    }

    pub fn sockets_open(&self) -> usize {
        self.lock()
            .channels
            .values()
            .filter(|c| c.socket.is_some())
            .count()
    }

    /// Test controls: runs `f` on each socket of the user's channels; returns how many.
    pub fn for_user_sockets(&self, user_id: &str, f: impl Fn(&Channel, &SocketHandle)) -> usize {
        let state = self.lock();
        let mut n = 0;
        for channel in state.channels.values().filter(|c| c.user_id == user_id) {
            if let Some(socket) = &channel.socket {
                f(channel, socket);
                n += 1;
            }
        }
        n
    }

    /// Test controls: the sockets of the user's channels.
    pub fn user_sockets(&self, user_id: &str) -> Vec<SocketInfo> {
        let state = self.lock();
        state
            .channels
            .values()
            .filter(|c| c.user_id == user_id)
            .filter_map(|c| {
                c.socket.as_ref().map(|s| SocketInfo {
                    channel_id: c.id.clone(),
                    socket_id: s.id,
                })
            })
            .collect()
    }

    /// Test controls: sends `message` to one socket if it is still the channel's.
    pub fn send_to_socket(&self, info: &SocketInfo, message: Outgoing) -> bool {
        let state = self.lock();
        match state
            .channels
            .get(&info.channel_id)
            .and_then(|c| c.socket.as_ref())
        {
            Some(socket) if socket.id == info.socket_id => {
                socket.send(message);
                true
            }
            _ => false,
        }
    }

    /// Test controls: ends the user's channels now (all, or the one named); their sockets
    /// are closed and later requests for them get 404. Returns how many.
    pub fn expire_channels(&self, user_id: &str, only: Option<&str>) -> usize {
        let mut state = self.lock();
        let doomed: Vec<String> = state
            .channels
            .values()
            .filter(|c| c.user_id == user_id && only.is_none_or(|id| id == c.id))
            .map(|c| c.id.clone())
            .collect();
        for id in &doomed {
            if let Some(Channel {
                socket: Some(socket),
                ..
            }) = state.channels.remove(id)
            {
                socket.send(Outgoing::Close(Some((1001, "Channel expired".into()))));
            }
        }
        doomed.len()
    }

    /// Shutdown: every socket gets a 1001 close frame.
    pub fn close_all(&self) {
        for channel in self.lock().channels.values() {
            if let Some(socket) = &channel.socket {
                socket.send(Outgoing::Close(Some((1001, "Server shutting down".into()))));
            }
        }
    }

    /// Tells every socket that the settings changed.
    pub fn wake_all(&self) {
        for channel in self.lock().channels.values() {
            if let Some(socket) = &channel.socket {
                socket.send(Outgoing::Wake);
            }
        }
    }

    /// Test controls: every live channel, for `GET /__sandbox/genesys/channels`.
    pub fn describe(&self, now: SystemTime) -> Vec<Value> {
        let mut state = self.lock();
        Self::prune(&mut state, now);
        let mut channels: Vec<&Channel> = state.channels.values().collect();
        channels.sort_by_key(|c| c.last_used);
        channels
            .iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "user_id": c.user_id,
                    "topics": c.topics,
                    "connected": c.socket.is_some(),
                    "expires": iso8601(c.expires),
                })
            })
            .collect()
    }

    /// Test controls: an event on `topic` for the user's subscribed sockets (system and
    /// `channel.metadata` topics go to every socket of the user). Returns how many got it.
    pub fn push(&self, user_id: &str, topic: &str, body: Value) -> usize {
        let everyone = topic.starts_with("v2.system.") || topic == "channel.metadata";
        let state = self.lock();
        let mut sent = 0;
        for channel in state.channels.values().filter(|c| c.user_id == user_id) {
            if let (Some(socket), true) = (&channel.socket, everyone || channel.covers(topic)) {
                socket.send(Outgoing::Text(envelope(topic, body.clone())));
                sent += 1;
            }
        }
        sent
    }
}

/// `ws://<the Host the request was sent to>`: the app reaches the sandbox through the
/// address it was given, so its WebSocket does too.
pub fn request_host(state: &AppState, headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .map(str::to_string)
        .unwrap_or_else(|| format!("127.0.0.1:{}", state.config.port))
}

fn channel_not_found() -> Refusal {
    api_error(
        StatusCode::NOT_FOUND,
        "not.found",
        "The requested resource was not found.",
    )
    .into()
}

fn bad_request(message: &str) -> Refusal {
    api_error(StatusCode::BAD_REQUEST, "bad.request", message).into()
}

/// Bearer check and failure rules shared by the channel endpoints.
/// [`Hub::with_channel`] with the clock read now; 404 when there is no such channel.
fn on_channel<T>(
    state: &AppState,
    grant: &Grant,
    id: &str,
    f: impl FnOnce(&mut Channel) -> T,
) -> Result<T, Refusal> {
    state
        .genesys_live
        .with_channel(id, grant, SystemTime::now(), f)
        .ok_or_else(channel_not_found)
}

async fn gate(state: &AppState, headers: &HeaderMap) -> Result<Grant, Refusal> {
    faults::pass(state, &[Endpoint::Live]).await?;
    Ok(authenticate(state, headers)?)
}

/// POST /api/v2/notifications/channels (no body).
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let grant = gate(&state, &headers).await?;
    let host = request_host(&state, &headers);
    let channel = state
        .genesys_live
        .create_channel(&grant, &host, SystemTime::now());
    state.controls().count(Counter::ChannelsCreated);
    Ok(Json(channel).into_response())
}

/// GET /api/v2/notifications/channels[?includechannels=token|oauthclient]: both list the
/// user and client's channels (the sandbox does not tell tokens of one client apart).
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Refusal> {
    let grant = gate(&state, &headers).await?;
    match Params::from_query(uri.query()).single("includechannels") {
        Ok(None | Some("token" | "oauthclient")) => {}
        _ => return Err(bad_request("includechannels must be token or oauthclient")),
    }
    let host = request_host(&state, &headers);
    let entities = state
        .genesys_live
        .list_channels(&grant, &host, SystemTime::now());
    Ok(Json(json!({ "entities": entities })).into_response())
}

/// HEAD /api/v2/notifications/channels/{id}: "200 OK if channel exists, and a 404 Not
/// Found if it doesnt".
pub async fn head(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let grant = gate(&state, &headers).await?;
    on_channel(&state, &grant, &id, |_| ())?;
    Ok(StatusCode::OK.into_response())
}

#[derive(Deserialize)]
struct TopicRef {
    id: String,
}

/// How one requested topic came out.
struct Outcome {
    topic: String,
    rejected: Option<(String, Vec<String>)>,
}

fn topic_entity(outcome: &Outcome) -> Value {
    match &outcome.rejected {
        None => json!({ "id": outcome.topic, "state": "Permitted" }),
        Some((reason, missing)) => json!({
            "id": outcome.topic,
            "state": "Rejected",
            "rejectionReason": reason,
            "missingPermissions": missing,
        }),
    }
}

/// Checks a subscriptions body: a JSON array of `{"id": topic}`. Invalid topics are a 400;
/// topics a `reject-topic` control names come out Rejected.
fn evaluate(state: &AppState, body: &[u8]) -> Result<Vec<Outcome>, Refusal> {
    let topics: Vec<TopicRef> = serde_json::from_slice(body)
        .map_err(|_| bad_request("The body must be a JSON array of {\"id\": topic}."))?;
    if topics.len() > MAX_TOPICS {
        return Err(bad_request(&format!(
            "Each channel is limited to {MAX_TOPICS} topics."
        )));
    }
    let controls = state.controls();
    let live = controls.live();
    topics
        .into_iter()
        .map(|t| {
            let expanded = check_topic(&t.id).map_err(|m| bad_request(&m))?;
            let mut missing: Vec<String> = Vec::new();
            let mut reason = None;
            for name in &expanded {
                if let Some(rule) = live.rejection(name) {
                    reason.get_or_insert_with(|| rule.reason.clone());
                    for p in &rule.missing_permissions {
                        if !missing.contains(p) {
                            missing.push(p.clone());
                        }
                    }
                }
            }
            Ok(Outcome {
                topic: t.id,
                rejected: reason.map(|r| (r, missing)),
            })
        })
        .collect()
}

/// `ignoreErrors=true`: Rejected topics are listed and the rest subscribed. Without it
/// ("Optionally prevent throwing of errors for failed permissions checks", default false),
/// a rejected topic fails the whole request with 403 naming the missing permissions.
fn ignore_errors(uri: &Uri) -> Result<bool, Refusal> {
    match Params::from_query(uri.query()).single("ignoreErrors") {
        Ok(None | Some("false")) => Ok(false),
        Ok(Some("true")) => Ok(true),
        _ => Err(bad_request("ignoreErrors must be true or false")),
    }
}

fn permission_error(outcomes: &[Outcome]) -> Option<Refusal> {
    let mut missing: Vec<&str> = Vec::new();
    for (_, perms) in outcomes.iter().filter_map(|o| o.rejected.as_ref()) {
        for p in perms {
            if !missing.contains(&p.as_str()) {
                missing.push(p);
            }
        }
    }
    (!missing.is_empty()).then(|| missing_permissions(&missing.join(", ")).into())
}

/// POST …/subscriptions adds to the list (`REPLACE` false), PUT replaces it (true): one
/// handler, as the two differ in that alone.
pub async fn change_subscriptions<const REPLACE: bool>(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Result<Response, Refusal> {
    let grant = gate(&state, &headers).await?;
    let ignore = ignore_errors(&uri)?;
    let outcomes = evaluate(&state, &body)?;
    if !ignore {
        if let Some(refusal) = permission_error(&outcomes) {
            return Err(refusal);
        }
    }
    let permitted: Vec<String> = outcomes
        .iter()
        .filter(|o| o.rejected.is_none())
        .map(|o| o.topic.clone())
        .collect();
    let too_many = on_channel(&state, &grant, &id, |channel| {
        let mut topics = if REPLACE {
            Vec::new()
        } else {
            channel.topics.clone()
        };
        for topic in permitted {
            if !topics.contains(&topic) {
                topics.push(topic);
            }
        }
        if topics.len() > MAX_TOPICS {
            return true;
        }
        channel.topics = topics;
        false
    })?;
    if too_many {
        return Err(bad_request(&format!(
            "Each channel is limited to {MAX_TOPICS} topics."
        )));
    }
    let entities: Vec<Value> = outcomes.iter().map(topic_entity).collect();
    Ok(Json(json!({ "entities": entities })).into_response())
}

/// GET …/subscriptions: the current list, every topic Permitted.
pub async fn subscriptions(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let grant = gate(&state, &headers).await?;
    let topics = on_channel(&state, &grant, &id, |c| c.topics.clone())?;
    let entities: Vec<Value> = topics
        .into_iter()
        .map(|t| json!({ "id": t, "state": "Permitted" }))
        .collect();
    Ok(Json(json!({ "entities": entities })).into_response())
}

/// DELETE …/subscriptions: removes them all; 204.
pub async fn unsubscribe_all(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let grant = gate(&state, &headers).await?;
    on_channel(&state, &grant, &id, |c| c.topics.clear())?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADA: &str = "5f3c9a1e-7b2d-4c8e-9a41-0d6e2b7f1ada";

    #[test]
    fn combined_topics_expand() {
        assert_eq!(
            expand(&format!("v2.users.{ADA}?presence&routingStatus")),
            [
                format!("v2.users.{ADA}.presence"),
                format!("v2.users.{ADA}.routingStatus")
            ]
        );
        assert_eq!(expand("v2.x.y"), ["v2.x.y"]);
    }

    #[test]
    fn topics_are_checked() {
        assert!(check_topic(&format!("v2.users.{ADA}?presence&routingStatus")).is_ok());
        assert!(check_topic(&format!("v2.users.{ADA}.conversations")).is_ok());
        for bad in [
            format!("v2.users.{ADA}.nonsense"),
            "v2.users.someone.presence".to_string(),
            "channel.metadata".to_string(),
            "v2.system.socket_closing".to_string(),
            format!("v2.users.{ADA}?presence&{}", "x".repeat(200)),
        ] {
            assert!(check_topic(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn messages_are_genesys_shaped() {
        let message: Value = serde_json::from_str(&envelope("t", json!({"a": 1}))).unwrap();
        assert_eq!(message["topicName"], "t");
        assert_eq!(message["eventBody"]["a"], 1);
        assert_eq!(
            message["metadata"]["CorrelationId"].as_str().unwrap().len(),
            36
        );
        let heartbeat: Value = serde_json::from_str(&metadata("WebSocket Heartbeat")).unwrap();
        assert_eq!(
            heartbeat,
            json!({"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}})
        );
    }

    fn grant(user: &str) -> Grant {
        Grant {
            client_id: "c".into(),
            user_id: user.into(),
            family: 1,
        }
    }

    #[test]
    fn twenty_first_channel_evicts_the_least_recently_used_unconnected_one() {
        let hub = Hub::new(SystemTime::now());
        let now = SystemTime::now();
        let g = grant(ADA);
        let ids: Vec<String> = (0..MAX_CHANNELS)
            .map(|_| {
                hub.create_channel(&g, "h", now)["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        // The oldest is connected, so the second oldest goes first.
        let (_socket, _rx, _) = hub.attach(&ids[0], now).unwrap();
        hub.create_channel(&g, "h", now);
        assert!(hub.is_live(&ids[0], now));
        assert!(!hub.is_live(&ids[1], now));
        assert_eq!(hub.list_channels(&g, "h", now).len(), MAX_CHANNELS);
        // Another user's channels do not count.
        hub.create_channel(&grant("other"), "h", now);
        assert!(hub.is_live(&ids[2], now));
        // Past 24 hours every channel is gone.
        assert!(!hub.is_live(&ids[3], now + CHANNEL_LIFETIME));
    }

    #[test]
    fn on_queue_moves_routing_status() {
        let hub = Hub::new(SystemTime::now());
        assert_eq!(hub.agent_state(ADA).routing_status, "OFF_QUEUE");
        let now = SystemTime::now();
        hub.set_presence(ADA, presence::ON_QUEUE, String::new(), now);
        assert_eq!(hub.agent_state(ADA).routing_status, "IDLE");
        hub.set_routing_status(ADA, "INTERACTING", now);
        // Staying On Queue leaves the routing status alone.
        hub.set_presence(ADA, presence::ON_QUEUE, String::new(), now);
        assert_eq!(hub.agent_state(ADA).routing_status, "INTERACTING");
        hub.set_presence(ADA, presence::AVAILABLE, String::new(), now);
        assert_eq!(hub.agent_state(ADA).routing_status, "OFF_QUEUE");
        hub.reset_agents();
        assert_eq!(hub.agent_state(ADA).presence, presence::AVAILABLE);
    }
}

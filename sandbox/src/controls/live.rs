//! The live layer's test controls: the run-time switches both flavors read (heartbeats,
//! pong, the long-poll cap, rejected topics, withheld permissions) and the parsing of the
//! `/__sandbox/genesys/*` and `/__sandbox/cxone/*` bodies. The flavors act on them
//! (`genesys::controls`, `cxone::controls`); this module knows no flavor.
//!
//! Bodies are strict like the other controls: unknown fields, wrong types and unknown
//! users are a 400 whose message names the field.

use std::collections::HashSet;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::object;
use crate::config::SandboxConfig;
use crate::users::{DemoUser, DEMO_USERS};

/// Longest interval a control may set (heartbeat, close delay): a stuck test should fail
/// on its own timeout.
pub const MAX_INTERVAL_MS: u64 = 600_000;
/// CXone documents get-next-event's timeout as 0 to 60 seconds.
pub const MAX_LONG_POLL: Duration = Duration::from_secs(60);
/// The permission a user needs to go On Queue ("Routing > Agent > OnQueue" in Genesys
/// Cloud's help, articles/onqueue-offqueue/). The exact string is not verified.
pub const ON_QUEUE_PERMISSION: &str = "routing:agent:onQueue";

/// Settings tests may change at run time; `reset` restores the command line's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveSettings {
    /// Genesys: how often each socket gets `channel.metadata` "WebSocket Heartbeat".
    pub heartbeat_interval: Duration,
    /// Off: no heartbeats at all (a silent but open socket).
    pub heartbeats: bool,
    /// Off: `{"message":"ping"}` gets no pong.
    pub pongs: bool,
    /// CXone: the longest a get-next-event request is held, whatever its `timeout`.
    pub long_poll_cap: Duration,
}

impl LiveSettings {
    pub fn from_config(config: &SandboxConfig) -> Self {
        Self {
            heartbeat_interval: config.heartbeat_interval,
            heartbeats: true,
            pongs: true,
            long_poll_cap: config.long_poll_cap,
        }
    }
}

/// A topic that subscriptions reject (`reject-topic`), with what it says is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicRejection {
    pub topic: String,
    pub missing_permissions: Vec<String>,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct LiveControls {
    pub settings: LiveSettings,
    pub rejections: Vec<TopicRejection>,
    /// Demo user ids that lack `ON_QUEUE_PERMISSION`.
    pub on_queue_denied: HashSet<String>,
}

impl LiveControls {
    pub fn new(settings: LiveSettings) -> Self {
        Self {
            settings,
            rejections: Vec::new(),
            on_queue_denied: HashSet::new(),
        }
    }

    /// The rejection rule for one expanded topic name, if any.
    pub fn rejection(&self, topic: &str) -> Option<&TopicRejection> {
        self.rejections.iter().find(|r| r.topic == topic)
    }

    pub fn may_go_on_queue(&self, user_id: &str) -> bool {
        !self.on_queue_denied.contains(user_id)
    }

    pub fn update(&mut self, update: LiveSettingsBody) {
        let s = &mut self.settings;
        if let Some(ms) = update.heartbeat_interval_ms {
            s.heartbeat_interval = Duration::from_millis(ms);
        }
        if let Some(on) = update.heartbeats {
            s.heartbeats = on;
        }
        if let Some(on) = update.pong {
            s.pongs = on;
        }
        if let Some(ms) = update.long_poll_cap_ms {
            s.long_poll_cap = Duration::from_millis(ms);
        }
    }
}

/// A demo user named by username (case-insensitive) or id.
pub fn demo_user(name: &str) -> Result<&'static DemoUser, String> {
    DEMO_USERS
        .iter()
        .find(|u| u.id == name || u.username.eq_ignore_ascii_case(name))
        .ok_or_else(|| format!("user: no demo user {name:?} (give a username or a user id)"))
}

fn interval(field: &str, ms: Option<u64>, min: u64, max: u64) -> Result<(), String> {
    match ms {
        Some(ms) if ms < min || ms > max => Err(format!("{field} must be {min} to {max}")),
        _ => Ok(()),
    }
}

/// POST /__sandbox/live-settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveSettingsBody {
    pub heartbeat_interval_ms: Option<u64>,
    pub heartbeats: Option<bool>,
    pub pong: Option<bool>,
    pub long_poll_cap_ms: Option<u64>,
}

pub fn parse_live_settings(body: &[u8]) -> Result<LiveSettingsBody, String> {
    let body: LiveSettingsBody = object(body)?;
    interval(
        "heartbeat_interval_ms",
        body.heartbeat_interval_ms,
        10,
        MAX_INTERVAL_MS,
    )?;
    interval(
        "long_poll_cap_ms",
        body.long_poll_cap_ms,
        0,
        MAX_LONG_POLL.as_millis() as u64,
    )?;
    Ok(body)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserBody {
    user: String,
}

/// A body that only names a user: `{"user": "ada@example.com"}`.
pub fn parse_user(body: &[u8]) -> Result<&'static DemoUser, String> {
    let body: UserBody = object(body)?;
    demo_user(&body.user)
}

/// POST /__sandbox/genesys/push: any message to the user's sockets.
pub struct Push {
    pub user: &'static DemoUser,
    pub topic_name: String,
    pub event_body: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PushBody {
    user: String,
    topic_name: String,
    event_body: Map<String, Value>,
}

pub fn parse_push(body: &[u8]) -> Result<Push, String> {
    let body: PushBody = object(body)?;
    if body.topic_name.is_empty() {
        return Err("topic_name must not be empty".into());
    }
    Ok(Push {
        user: demo_user(&body.user)?,
        topic_name: body.topic_name,
        event_body: Value::Object(body.event_body),
    })
}

/// POST /__sandbox/genesys/agent-state: the platform changes a user's state.
pub struct AgentStateChange {
    pub user: &'static DemoUser,
    /// A presence definition id or system presence ("Away", "On Queue", "OnQueue").
    pub presence: Option<String>,
    pub routing_status: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentStateBody {
    user: String,
    presence: Option<String>,
    routing_status: Option<String>,
}

pub fn parse_agent_state(body: &[u8]) -> Result<AgentStateChange, String> {
    let body: AgentStateBody = object(body)?;
    if body.presence.is_none() && body.routing_status.is_none() {
        return Err("give presence, routing_status or both".into());
    }
    Ok(AgentStateChange {
        user: demo_user(&body.user)?,
        presence: body.presence,
        routing_status: body.routing_status,
    })
}

/// POST /__sandbox/genesys/socket-closing.
pub struct SocketClosing {
    pub user: &'static DemoUser,
    /// The sockets warned are closed this long afterwards (if still open).
    pub close_after: Duration,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SocketClosingBody {
    user: String,
    close_after_ms: Option<u64>,
}

/// Genesys: clients "have up to one minute" to connect a new socket (AGENT-APIS.md §3).
pub const DEFAULT_CLOSE_AFTER_MS: u64 = 60_000;

pub fn parse_socket_closing(body: &[u8]) -> Result<SocketClosing, String> {
    let body: SocketClosingBody = object(body)?;
    interval("close_after_ms", body.close_after_ms, 0, MAX_INTERVAL_MS)?;
    Ok(SocketClosing {
        user: demo_user(&body.user)?,
        close_after: Duration::from_millis(body.close_after_ms.unwrap_or(DEFAULT_CLOSE_AFTER_MS)),
    })
}

/// POST /__sandbox/genesys/drop-sockets.
pub struct DropSockets {
    pub user: &'static DemoUser,
    /// Send a close frame (1001) first; otherwise the TCP connection just ends.
    pub close_frame: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DropSocketsBody {
    user: String,
    close_frame: Option<bool>,
}

pub fn parse_drop_sockets(body: &[u8]) -> Result<DropSockets, String> {
    let body: DropSocketsBody = object(body)?;
    Ok(DropSockets {
        user: demo_user(&body.user)?,
        close_frame: body.close_frame.unwrap_or(false),
    })
}

/// POST /__sandbox/genesys/expire-channels.
pub struct ExpireChannels {
    pub user: &'static DemoUser,
    /// Only this one; all the user's when absent.
    pub channel_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpireChannelsBody {
    user: String,
    channel_id: Option<String>,
}

pub fn parse_expire_channels(body: &[u8]) -> Result<ExpireChannels, String> {
    let body: ExpireChannelsBody = object(body)?;
    Ok(ExpireChannels {
        user: demo_user(&body.user)?,
        channel_id: body.channel_id,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RejectTopicBody {
    topic: String,
    missing_permissions: Vec<String>,
    reason: Option<String>,
}

/// POST /__sandbox/genesys/reject-topic: later subscriptions to `topic` (an expanded
/// topic name) are Rejected.
pub fn parse_reject_topic(body: &[u8]) -> Result<TopicRejection, String> {
    let body: RejectTopicBody = object(body)?;
    if !body.topic.starts_with("v2.") || body.topic.contains('?') {
        return Err("topic must be an expanded topic name such as v2.users.{id}.presence".into());
    }
    if body.missing_permissions.is_empty() || body.missing_permissions.iter().any(String::is_empty)
    {
        return Err("missing_permissions must list at least one permission".into());
    }
    Ok(TopicRejection {
        topic: body.topic,
        missing_permissions: body.missing_permissions,
        reason: body
            .reason
            .unwrap_or_else(|| "Missing permissions for this topic.".into()),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PermissionsBody {
    user: String,
    on_queue: bool,
}

/// POST /__sandbox/genesys/permissions: `{"user", "on_queue": false}` withholds
/// `ON_QUEUE_PERMISSION` from the user.
pub fn parse_permissions(body: &[u8]) -> Result<(&'static DemoUser, bool), String> {
    let body: PermissionsBody = object(body)?;
    Ok((demo_user(&body.user)?, body.on_queue))
}

/// POST /__sandbox/cxone/push: one event for the user's live agent session.
pub struct CxonePush {
    pub user: &'static DemoUser,
    pub event: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CxonePushBody {
    user: String,
    event: Map<String, Value>,
}

pub fn parse_cxone_push(body: &[u8]) -> Result<CxonePush, String> {
    let body: CxonePushBody = object(body)?;
    match body.event.get("Type") {
        Some(Value::String(t)) if !t.is_empty() => {}
        _ => return Err("event.Type must be a non-empty string (the event type)".into()),
    }
    Ok(CxonePush {
        user: demo_user(&body.user)?,
        event: body.event,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndSessionBody {
    user: String,
    event: Option<bool>,
}

/// POST /__sandbox/cxone/end-session: `(user, with a RemoteAgentSessionEnd event)`.
pub fn parse_end_session(body: &[u8]) -> Result<(&'static DemoUser, bool), String> {
    let body: EndSessionBody = object(body)?;
    Ok((demo_user(&body.user)?, body.event.unwrap_or(true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_by_name_or_id() {
        assert_eq!(demo_user("Ada@Example.com").unwrap().name, "Ada Lovelace");
        assert_eq!(demo_user(DEMO_USERS[1].id).unwrap().name, "Grace Hopper");
        assert!(demo_user("bob").err().unwrap().contains("no demo user"));
    }

    #[test]
    fn bodies_are_strict() {
        for (result, expected) in [
            (
                parse_live_settings(br#"{"heartbeat_ms":5}"#).map(|_| ()),
                "unknown field `heartbeat_ms`",
            ),
            (
                parse_live_settings(br#"{"heartbeat_interval_ms":5}"#).map(|_| ()),
                "heartbeat_interval_ms must be 10 to",
            ),
            (
                parse_live_settings(br#"{"long_poll_cap_ms":60001}"#).map(|_| ()),
                "long_poll_cap_ms must be 0 to 60000",
            ),
            (
                parse_push(br#"{"user":"ada@example.com","topic_name":"x","event_body":[]}"#)
                    .map(|_| ()),
                "event_body: invalid type: sequence",
            ),
            (
                parse_agent_state(br#"{"user":"ada@example.com"}"#).map(|_| ()),
                "give presence, routing_status or both",
            ),
            (
                parse_reject_topic(br#"{"topic":"v2.users.x.presence","missing_permissions":[]}"#)
                    .map(|_| ()),
                "at least one permission",
            ),
            (
                parse_reject_topic(
                    br#"{"topic":"v2.users.x?presence","missing_permissions":["a"]}"#,
                )
                .map(|_| ()),
                "expanded topic name",
            ),
            (
                parse_permissions(br#"{"user":"ada@example.com","on_queue":"no"}"#).map(|_| ()),
                "on_queue: invalid type: string",
            ),
            (
                parse_cxone_push(br#"{"user":"ada@example.com","event":{"CurrentState":"x"}}"#)
                    .map(|_| ()),
                "event.Type must be",
            ),
            (
                parse_socket_closing(br#"{"user":"nobody"}"#).map(|_| ()),
                "no demo user",
            ),
        ] {
            let message = result.unwrap_err();
            assert!(message.contains(expected), "{message}");
        }
        let closing = parse_socket_closing(br#"{"user":"ada@example.com"}"#).unwrap();
        assert_eq!(closing.close_after, Duration::from_secs(60));
        assert!(
            !parse_drop_sockets(br#"{"user":"ada@example.com"}"#)
                .unwrap()
                .close_frame
        );
        assert!(
            parse_end_session(br#"{"user":"ada@example.com"}"#)
                .unwrap()
                .1
        );
    }

    #[test]
    fn settings_update_and_lookups() {
        let config = SandboxConfig::default();
        let mut live = LiveControls::new(LiveSettings::from_config(&config));
        assert_eq!(live.settings.heartbeat_interval, Duration::from_secs(30));
        live.update(parse_live_settings(br#"{"heartbeat_interval_ms":50,"pong":false}"#).unwrap());
        assert_eq!(live.settings.heartbeat_interval, Duration::from_millis(50));
        assert!(!live.settings.pongs && live.settings.heartbeats);
        live.rejections.push(
            parse_reject_topic(br#"{"topic":"v2.users.a.presence","missing_permissions":["p"]}"#)
                .unwrap(),
        );
        assert!(live.rejection("v2.users.a.presence").is_some());
        assert!(live.rejection("v2.users.a.routingStatus").is_none());
        live.on_queue_denied.insert("a".into());
        assert!(!live.may_go_on_queue("a") && live.may_go_on_queue("b"));
    }
}

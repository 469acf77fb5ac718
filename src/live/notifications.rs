//! Genesys Cloud's notification service: the channel, the subscription, and the messages that
//! arrive on the channel's WebSocket.
//!
//! Sources: the JS SDK v259 (`Channel`,
//! `ChannelTopic`, `NotificationsApi.js`, `notificationMappings.json`); the Java SDK's
//! `NotificationHandler` (`sendPing` sends `{"message":"ping"}`; it opens `connectUri` with no
//! headers) and `NotificationEvent`/`Metadata` (the envelope); the Genesys CLI's
//! `listenchannel.go` (the `channel.metadata` heartbeat); the agent-monitoring blueprint (the
//! combined topic `v2.users.{id}?presence&routingStatus`, delivered under the expanded names).
//! The pong reply and `{"result":"404"}` are third-party observations: read them, but never
//! rely on them alone (the health machine also times out).

use super::presence::{routing_report, PresenceReport, RoutingReport, UserPresenceWire};
use super::time::parse_iso_ms;
use crate::api::parse_api_json;
use crate::error::{AuthError, Endpoint};
use crate::query;
use crate::reply::HttpReply;
use serde::Deserialize;
use std::fmt;

pub const CHANNELS_PATH: &str = "/api/v2/notifications/channels";

/// The text frame that asks the service for a pong.
pub const PING_MESSAGE: &str = r#"{"message":"ping"}"#;

/// Messages larger than this are dropped unread; events here are a few hundred bytes.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// `POST` here creates a channel (no body).
pub fn channels_url(api_base: &str) -> String {
    format!("{}{CHANNELS_PATH}", api_base.trim_end_matches('/'))
}

/// `POST` here adds topics to the channel. `ignoreErrors=true` ("prevent throwing of errors
/// for failed permissions checks", JS SDK `NotificationsApi.md`): a refused topic comes back
/// as a `Rejected` entity naming its `missingPermissions`, which the header can show, rather
/// than failing the whole request.
pub fn subscriptions_url(api_base: &str, channel_id: &str) -> String {
    format!(
        "{}{CHANNELS_PATH}/{}/subscriptions?ignoreErrors=true",
        api_base.trim_end_matches('/'),
        query::encode(channel_id)
    )
}

/// The one topic the app subscribes to: presence and routing status in one combined topic.
pub fn user_status_topic(user_id: &str) -> String {
    format!("v2.users.{user_id}?presence&routingStatus")
}

/// The subscription body: a JSON array of `{id: topic}`.
pub fn subscription_body(topics: &[String]) -> String {
    let list: Vec<serde_json::Value> = topics
        .iter()
        .map(|topic| serde_json::json!({ "id": topic }))
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// A notification channel. `connect_uri` holds the channel id, the only credential the socket
/// needs: it is not printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Channel {
    pub id: String,
    pub connect_uri: String,
    /// `expires` (about 24 h after creation).
    pub expires_ms: Option<u64>,
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("id", &"[redacted]")
            .field("connect_uri", &"[redacted]")
            .field("expires_ms", &self.expires_ms)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChannelWire {
    id: String,
    connect_uri: String,
    expires: Option<String>,
}

/// `POST /api/v2/notifications/channels` -> `{connectUri, id, expires}`. The socket URL must be
/// `wss://`; plain `ws://` only when the API itself is plain `http://` (the local sandbox), so
/// a tampered answer cannot send the event stream in clear text. Its host must be the
/// region's streaming host (`streaming.<domain>`, as the Genesys CLI builds it), the API host
/// with `api.` changed to `streaming.`, or the API host itself (the sandbox): anywhere else
/// would learn the channel id, which is all it takes to read the agent's events.
pub fn parse_channel(
    reply: &HttpReply,
    api_base: &str,
    region_domain: Option<&str>,
) -> Result<Channel, AuthError> {
    let wire: ChannelWire = parse_api_json(reply, Endpoint::Api, "notification channel")?;
    let malformed = |reason: &str| AuthError::MalformedResponse {
        endpoint: Endpoint::Api,
        reason: reason.into(),
    };
    if !query::is_path_segment(wire.id.trim()) {
        return Err(malformed("the notification channel has no usable id"));
    }
    let uri = wire.connect_uri.trim();
    let lower = uri.to_ascii_lowercase();
    let plain_api = api_base.trim().to_ascii_lowercase().starts_with("http://");
    let scheme_ok = lower.starts_with("wss://") || (plain_api && lower.starts_with("ws://"));
    if !scheme_ok || uri.contains(char::is_whitespace) {
        return Err(malformed(
            "the notification channel's connectUri is not a secure WebSocket URL",
        ));
    }
    if !socket_host_allowed(&lower, api_base, region_domain) {
        return Err(malformed(
            "the notification channel's connectUri names a host that is not the region's \
             streaming host",
        ));
    }
    Ok(Channel {
        id: wire.id,
        connect_uri: uri.to_owned(),
        expires_ms: wire.expires.as_deref().and_then(parse_iso_ms),
    })
}

/// The host (and port) of a URL: after the scheme, up to the path, query or fragment.
/// `None` when it carries userinfo (`user@host`), which a channel answer has no reason to.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    (!authority.is_empty() && !authority.contains('@')).then_some(authority)
}

fn socket_host_allowed(connect_uri: &str, api_base: &str, region_domain: Option<&str>) -> bool {
    let Some(socket) = authority(connect_uri) else {
        return false;
    };
    let api_base = api_base.trim().to_ascii_lowercase();
    let Some(api) = authority(&api_base) else {
        return false;
    };
    let streaming_of_api = api
        .strip_prefix("api.")
        .map(|rest| format!("streaming.{rest}"));
    let streaming_of_region =
        region_domain.map(|domain| format!("streaming.{}", domain.to_ascii_lowercase()));
    socket == api
        || streaming_of_api.as_deref() == Some(socket)
        || streaming_of_region.as_deref() == Some(socket)
}

/// A topic the service refused, and what the admin must grant for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedTopic {
    pub topic: String,
    pub missing_permissions: Vec<String>,
    pub reason: Option<String>,
}

#[derive(Deserialize)]
struct TopicListing {
    #[serde(default)]
    entities: Vec<TopicWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TopicWire {
    id: String,
    state: Option<String>,
    rejection_reason: Option<String>,
    #[serde(default)]
    missing_permissions: Vec<String>,
}

/// What the service answered to a subscription.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Subscription {
    /// Topics not refused (`Permitted`, or a state this app does not know).
    pub permitted: Vec<String>,
    /// Topics refused (`state: Rejected`), with what the admin must grant.
    pub rejected: Vec<RejectedTopic>,
}

impl Subscription {
    /// Nothing will arrive: every topic named was refused.
    pub fn all_rejected(&self) -> bool {
        self.permitted.is_empty() && !self.rejected.is_empty()
    }
}

/// The subscription answer (`ChannelTopicEntityListing`, `state` one of `Permitted` and
/// `Rejected`).
pub fn parse_subscriptions(reply: &HttpReply) -> Result<Subscription, AuthError> {
    let listing: TopicListing = parse_api_json(reply, Endpoint::Api, "subscription list")?;
    let (rejected, permitted): (Vec<TopicWire>, Vec<TopicWire>) =
        listing.entities.into_iter().partition(|topic| {
            topic
                .state
                .as_deref()
                .is_some_and(|state| state.trim().eq_ignore_ascii_case("rejected"))
        });
    let rejected = rejected
        .into_iter()
        .map(|topic| RejectedTopic {
            topic: topic.id,
            missing_permissions: topic
                .missing_permissions
                .into_iter()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect(),
            reason: topic.rejection_reason.filter(|r| !r.trim().is_empty()),
        })
        .collect();
    Ok(Subscription {
        permitted: permitted.into_iter().map(|topic| topic.id).collect(),
        rejected,
    })
}

/// One message from the channel's socket, as the app uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// `channel.metadata` "WebSocket Heartbeat".
    Heartbeat,
    /// `channel.metadata` "pong": the answer to [`PING_MESSAGE`].
    Pong,
    /// `v2.system.socket_closing`: connect a new socket before this one closes.
    SocketClosing,
    /// `{"result":"404"}`: the channel no longer exists (expired, or evicted).
    ChannelGone,
    Presence(PresenceReport),
    Routing(RoutingReport),
    /// Any other well-formed message (another topic, another user's, a subscribe answer).
    Other,
    /// Not JSON, too large, or not an envelope.
    Unreadable,
}

impl Notice {
    /// Whether the message shows the socket is alive (everything readable does).
    pub fn is_alive(&self) -> bool {
        !matches!(self, Notice::Unreadable)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnvelopeWire {
    topic_name: Option<String>,
    event_body: Option<serde_json::Value>,
    result: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoutingEventWire {
    routing_status: Option<RoutingStatusBody>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoutingStatusBody {
    status: Option<String>,
    start_time: Option<String>,
}

/// Reads one text frame. Events are taken only under the expanded topic names of `user_id`
/// (`v2.users.{id}.presence`, `v2.users.{id}.routingStatus`): the service expands the combined
/// topic into separate messages named so.
pub fn parse_notice(text: &str, user_id: &str) -> Notice {
    if text.len() > MAX_MESSAGE_BYTES {
        return Notice::Unreadable;
    }
    let Ok(envelope) = serde_json::from_str::<EnvelopeWire>(text) else {
        return Notice::Unreadable;
    };
    if let Some(result) = &envelope.result {
        let code = match result {
            serde_json::Value::String(code) => code.trim().to_owned(),
            other => other.to_string(),
        };
        return if code == "404" {
            Notice::ChannelGone
        } else {
            Notice::Other
        };
    }
    let Some(topic) = envelope.topic_name else {
        return Notice::Unreadable;
    };
    let body = envelope.event_body.unwrap_or(serde_json::Value::Null);
    match topic.as_str() {
        "channel.metadata" => {
            let message = body
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            match message.as_str() {
                "pong" => Notice::Pong,
                "websocket heartbeat" => Notice::Heartbeat,
                _ => Notice::Other,
            }
        }
        "v2.system.socket_closing" => Notice::SocketClosing,
        _ if topic == format!("v2.users.{user_id}.presence") => {
            serde_json::from_value::<UserPresenceWire>(body)
                .ok()
                .and_then(UserPresenceWire::into_report)
                .map_or(Notice::Other, Notice::Presence)
        }
        _ if topic == format!("v2.users.{user_id}.routingStatus") => {
            serde_json::from_value::<RoutingEventWire>(body)
                .ok()
                .and_then(|event| event.routing_status)
                .and_then(|r| routing_report(r.status, r.start_time))
                .map_or(Notice::Other, Notice::Routing)
        }
        _ => Notice::Other,
    }
}

#[cfg(test)]
mod tests;

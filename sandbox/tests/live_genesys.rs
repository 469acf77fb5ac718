//! The genesys flavor's live layer over real HTTP and WebSocket: notification channels,
//! subscriptions, the socket at `connectUri`, presence and routing status, and the live
//! test controls. The sandbox runs in-process on 127.0.0.1:0, as in `http.rs`.

mod common;

use std::time::{Duration, SystemTime};

use common::{location, start_with, GenesysFlow, Sandbox, CHALLENGE, CLIENT, VERIFIER};
use futures_util::{SinkExt, StreamExt};
use pkce_desk_sandbox::clock::iso8601;
use pkce_desk_sandbox::config::RefreshTokens;
use pkce_desk_sandbox::SandboxConfig;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const ADA: &str = "5f3c9a1e-7b2d-4c8e-9a41-0d6e2b7f1ada";
const GRACE: &str = "8e4b2d7a-1c6f-4e3b-b5a9-3f2c7d9e0ace";
const ON_QUEUE: &str = "e08eaf1b-ee47-4fa9-a231-1200e284798f";
const AVAILABLE: &str = "6a3af858-942f-489d-9700-5f9bcdcdae9b";
const AWAY: &str = "5e5c5c66-ea97-4e7f-ac41-6424784829f2";
/// Long enough that a quiet socket is quiet; short tests set their own.
const QUIET: Duration = Duration::from_secs(600);

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn start_heartbeat(heartbeat_interval: Duration) -> Sandbox {
    start_with(SandboxConfig {
        test_controls: true,
        refresh_tokens: RefreshTokens::Rotate,
        heartbeat_interval,
        ..SandboxConfig::default()
    })
    .await
}

async fn start() -> Sandbox {
    start_heartbeat(QUIET).await
}

fn combined(user: &str) -> String {
    format!("v2.users.{user}?presence&routingStatus")
}

fn subscriptions_path(channel: &Value) -> String {
    format!(
        "/api/v2/notifications/channels/{}/subscriptions",
        channel["id"].as_str().unwrap()
    )
}

impl Sandbox {
    /// `username`'s access token, through the sign-in form and the code exchange.
    async fn token_for(&self, username: &str) -> String {
        let response = self.sign_in(username, "demo", Some("st"), CHALLENGE).await;
        let code = location(&response).1["code"].clone();
        let response = GenesysFlow::token(self, &common::code_grant(&code, VERIFIER, CLIENT)).await;
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_string()
    }

    async fn ada(&self) -> String {
        self.token_for("ada@example.com").await
    }

    async fn channel(&self, token: &str) -> Value {
        let (status, channel) = self
            .api_json(Method::POST, "/api/v2/notifications/channels", token, None)
            .await;
        assert_eq!(status, StatusCode::OK, "{channel}");
        channel
    }

    async fn subscribe(
        &self,
        token: &str,
        channel: &Value,
        topics: &[&str],
    ) -> (StatusCode, Value) {
        let body: Vec<Value> = topics.iter().map(|t| json!({ "id": t })).collect();
        let path = subscriptions_path(channel);
        self.api_json(Method::POST, &path, token, Some(json!(body)))
            .await
    }

    /// A new channel subscribed to Ada's presence and routing status, and its socket.
    async fn subscribed_socket(&self, token: &str) -> (Value, Ws) {
        let channel = self.channel(token).await;
        let (status, body) = self.subscribe(token, &channel, &[&combined(ADA)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let ws = connect(&channel).await;
        (channel, ws)
    }

    async fn set_presence(&self, token: &str, user: &str, definition: &str) -> (StatusCode, Value) {
        self.api_json(
            Method::PATCH,
            &format!("/api/v2/users/{user}/presences/purecloud"),
            token,
            Some(json!({ "presenceDefinition": { "id": definition } })),
        )
        .await
    }

    async fn control(&self, path: &str, body: Value) -> Response {
        self.post_json(path, &body).await
    }

    async fn control_json(&self, path: &str, body: Value) -> Value {
        let response = self.control(path, body).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// `user`'s routing status as `GET /api/v2/users/{user}/routingstatus` has it.
    async fn routing_status(&self, token: &str, user: &str) -> Value {
        let path = format!("/api/v2/users/{user}/routingstatus");
        self.api_get(&path, token).await.1["status"].clone()
    }

    async fn stats(&self) -> Value {
        self.get_json("/__sandbox/stats").await.1
    }

    async fn head_channel(&self, token: &str, channel: &Value) -> StatusCode {
        let path = format!(
            "/api/v2/notifications/channels/{}",
            channel["id"].as_str().unwrap()
        );
        self.api(Method::HEAD, &path, token, None).await.status()
    }
}

async fn connect(channel: &Value) -> Ws {
    let (ws, response) = tokio_tungstenite::connect_async(channel["connectUri"].as_str().unwrap())
        .await
        .expect("the socket opens");
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    ws
}

/// Asserts the socket at the channel's `connectUri` is refused with `status`.
async fn assert_upgrade_refused(channel: &Value, status: StatusCode) {
    match tokio_tungstenite::connect_async(channel["connectUri"].as_str().unwrap()).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), status)
        }
        other => panic!(
            "expected a {status}, got {:?}",
            other.map(|(_, r)| r.status())
        ),
    }
}

/// The next frame, failing the test after 5 s; `None` when the connection ended
/// (cleanly or not).
async fn next_frame(ws: &mut Ws) -> Option<Message> {
    match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
        Ok(Some(Ok(message))) => Some(message),
        Ok(_) => None,
        Err(_) => panic!("no message within 5 s"),
    }
}

fn json_of(message: &Message) -> Value {
    match message {
        Message::Text(text) => serde_json::from_str(text.as_str()).unwrap(),
        other => panic!("not a text frame: {other:?}"),
    }
}

/// The next text message that is not a heartbeat.
async fn next_event(ws: &mut Ws) -> Value {
    loop {
        let message = next_frame(ws).await.expect("the socket is open");
        let value = json_of(&message);
        if value["eventBody"]["message"] != "WebSocket Heartbeat" {
            return value;
        }
    }
}

/// Asserts nothing but heartbeats arrives within `wait`.
async fn assert_quiet(ws: &mut Ws, wait: Duration) {
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(frame) = tokio::time::timeout_at(deadline, ws.next()).await {
        let message = frame.expect("open").expect("a frame");
        let value = json_of(&message);
        assert_eq!(
            value["eventBody"]["message"], "WebSocket Heartbeat",
            "{value}"
        );
    }
}

/// The next frame is a close frame with `code`.
async fn assert_closed_with(ws: &mut Ws, code: u16) {
    loop {
        match next_frame(ws).await {
            Some(Message::Close(Some(frame))) => {
                assert_eq!(frame.code, CloseCode::from(code));
                return;
            }
            Some(Message::Text(_)) => continue,
            other => panic!("expected a close frame {code}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn channel_is_created_listed_and_checked() {
    let sb = start().await;
    let token = sb.ada().await;
    let channel = sb.channel(&token).await;
    let id = channel["id"].as_str().unwrap();
    assert!(id.starts_with("streaming-"), "{id}");
    let port = sb.base.rsplit(':').next().unwrap();
    assert_eq!(
        channel["connectUri"],
        format!("ws://127.0.0.1:{port}/channels/{id}")
    );
    // expires: 24 hours from now (to the minute).
    let tomorrow = iso8601(SystemTime::now() + Duration::from_secs(24 * 3600));
    assert_eq!(&channel["expires"].as_str().unwrap()[..15], &tomorrow[..15]);
    assert_eq!(channel.as_object().unwrap().len(), 3);

    let (status, list) = sb.api_get("/api/v2/notifications/channels", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["entities"][0]["id"], id);
    assert_eq!(sb.head_channel(&token, &channel).await, StatusCode::OK);
    let unknown = json!({ "id": "streaming-0-nope" });
    assert_eq!(
        sb.head_channel(&token, &unknown).await,
        StatusCode::NOT_FOUND
    );

    // Another user's channel is as unknown; no token is a 401.
    let grace = sb.token_for("grace@example.com").await;
    assert_eq!(
        sb.head_channel(&grace, &channel).await,
        StatusCode::NOT_FOUND
    );
    let response = sb
        .api(Method::POST, "/api/v2/notifications/channels", "nope", None)
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(sb.stats().await["channels_created"], 1);
}

#[tokio::test]
async fn subscriptions_add_replace_list_and_delete() {
    let sb = start().await;
    let token = sb.ada().await;
    let channel = sb.channel(&token).await;
    let (status, body) = sb.subscribe(&token, &channel, &[&combined(ADA)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({ "entities": [{ "id": combined(ADA), "state": "Permitted" }] })
    );
    let conversations = format!("v2.users.{ADA}.conversations");
    sb.subscribe(&token, &channel, &[&conversations]).await;
    let path = subscriptions_path(&channel);
    let (_, listed) = sb.api_get(&path, &token).await;
    let ids: Vec<&str> = listed["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [combined(ADA), conversations.clone()]);

    // PUT replaces the list.
    let presence = format!("v2.users.{ADA}.presence");
    let (status, _) = sb
        .api_json(
            Method::PUT,
            &path,
            &token,
            Some(json!([{ "id": presence }])),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = sb.api_get(&path, &token).await;
    assert_eq!(
        listed["entities"],
        json!([{ "id": presence, "state": "Permitted" }])
    );

    // DELETE removes them all.
    let response = sb.api(Method::DELETE, &path, &token, None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, listed) = sb.api_get(&path, &token).await;
    assert_eq!(listed["entities"], json!([]));

    // Topics the service does not have, a body that is not a list, too many topics: 400.
    for bad in [
        json!([{ "id": format!("v2.users.{ADA}.nonsense") }]),
        json!([{ "id": "channel.metadata" }]),
        json!({ "id": presence }),
        json!((0..1001)
            .map(|_| json!({ "id": presence }))
            .collect::<Vec<_>>()),
    ] {
        let (status, body) = sb.api_json(Method::POST, &path, &token, Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["code"], "bad.request");
    }
    // An unknown channel is 404.
    let (status, _) = sb
        .api_json(
            Method::POST,
            "/api/v2/notifications/channels/streaming-0-nope/subscriptions",
            &token,
            Some(json!([{ "id": presence }])),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_21st_channel_evicts_the_least_recently_used_unconnected_one() {
    let sb = start().await;
    let token = sb.ada().await;
    let mut channels = Vec::new();
    for _ in 0..20 {
        channels.push(sb.channel(&token).await);
    }
    let _connected = connect(&channels[0]).await;
    // Used since, so the connected one is the least recently used of all.
    for channel in &channels[1..] {
        assert_eq!(sb.head_channel(&token, channel).await, StatusCode::OK);
    }
    sb.channel(&token).await;
    assert_eq!(sb.head_channel(&token, &channels[0]).await, StatusCode::OK);
    assert_eq!(
        sb.head_channel(&token, &channels[1]).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(sb.head_channel(&token, &channels[2]).await, StatusCode::OK);
    let (_, list) = sb.api_get("/api/v2/notifications/channels", &token).await;
    assert_eq!(list["entities"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn presence_changes_reach_the_socket_as_separate_expanded_topics() {
    let sb = start().await;
    let token = sb.ada().await;
    // No Authorization header on the socket: the channel id is the credential.
    let (_, mut ws) = sb.subscribed_socket(&token).await;

    let (status, presence) = sb.set_presence(&token, ADA, ON_QUEUE).await;
    assert_eq!(status, StatusCode::OK, "{presence}");
    assert_eq!(presence["presenceDefinition"]["id"], ON_QUEUE);
    assert_eq!(presence["presenceDefinition"]["systemPresence"], "On Queue");
    assert_eq!(presence["source"], "PURECLOUD");

    let event = next_event(&mut ws).await;
    assert_eq!(event["topicName"], format!("v2.users.{ADA}.presence"));
    assert_eq!(event["version"], "2");
    assert_eq!(event["eventBody"]["presenceDefinition"]["id"], ON_QUEUE);
    assert_eq!(event["eventBody"]["source"], "PURECLOUD");
    assert!(event["metadata"]["CorrelationId"].is_string());
    let event = next_event(&mut ws).await;
    assert_eq!(event["topicName"], format!("v2.users.{ADA}.routingStatus"));
    assert_eq!(event["eventBody"]["id"], ADA);
    assert_eq!(event["eventBody"]["routingStatus"]["status"], "IDLE");

    // The REST views agree.
    let (_, routing) = sb
        .api_get(&format!("/api/v2/users/{ADA}/routingstatus"), &token)
        .await;
    assert_eq!(routing["status"], "IDLE");
    assert_eq!(routing["userId"], ADA);
    let (_, current) = sb
        .api_get(&format!("/api/v2/users/{ADA}/presences/PURECLOUD"), &token)
        .await;
    assert_eq!(current["presenceDefinition"]["id"], ON_QUEUE);
    let me: Value = sb.me(&token).await.json().await.unwrap();
    assert!(me.get("presence").is_none());
    let (_, me) = sb
        .api_get("/api/v2/users/me?expand=presence,routingStatus", &token)
        .await;
    assert_eq!(
        me["presence"]["presenceDefinition"]["systemPresence"],
        "On Queue"
    );
    assert_eq!(me["routingStatus"]["status"], "IDLE");

    // Away: leaving the queue sets OFF_QUEUE.
    sb.set_presence(&token, ADA, AWAY).await;
    let event = next_event(&mut ws).await;
    assert_eq!(
        event["eventBody"]["presenceDefinition"]["systemPresence"],
        "Away"
    );
    let event = next_event(&mut ws).await;
    assert_eq!(event["eventBody"]["routingStatus"]["status"], "OFF_QUEUE");
    // Away to Available: no routing change, so one message only.
    sb.set_presence(&token, ADA, AVAILABLE).await;
    let event = next_event(&mut ws).await;
    assert_eq!(event["topicName"], format!("v2.users.{ADA}.presence"));
    assert_quiet(&mut ws, Duration::from_millis(300)).await;
    assert_eq!(sb.stats().await["presence_patches"], 3);
}

#[tokio::test]
async fn presence_patch_checks_its_request() {
    let sb = start().await;
    let token = sb.ada().await;
    let (status, body) = sb.set_presence(&token, ADA, "not-a-definition").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = sb
        .api_json(
            Method::PATCH,
            &format!("/api/v2/users/{ADA}/presences/purecloud"),
            &token,
            Some(json!({ "message": "no definition" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Someone else's presence, or another source.
    let (status, _) = sb.set_presence(&token, GRACE, AWAY).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = sb
        .api_json(
            Method::PATCH,
            &format!("/api/v2/users/{ADA}/presences/microsoftteams"),
            &token,
            Some(json!({ "presenceDefinition": { "id": AWAY } })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nothing changed.
    let (_, routing) = sb
        .api_get(&format!("/api/v2/users/{ADA}/presences/purecloud"), &token)
        .await;
    assert_eq!(routing["presenceDefinition"]["id"], AVAILABLE);
}

#[tokio::test]
async fn on_queue_without_the_permission_is_403_naming_it() {
    let sb = start().await;
    let token = sb.ada().await;
    let response = sb
        .control(
            "/__sandbox/genesys/permissions",
            json!({"user": "ada@example.com", "on_queue": false}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = sb.set_presence(&token, ADA, ON_QUEUE).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "missing.any.permissions");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("[routing:agent:onQueue]"),
        "{body}"
    );
    // Other presences still work; the routing status never moved.
    assert_eq!(sb.set_presence(&token, ADA, AWAY).await.0, StatusCode::OK);
    assert_eq!(sb.routing_status(&token, ADA).await, "OFF_QUEUE");
    // Granted again (or reset), On Queue works.
    sb.control("/__sandbox/reset", json!({})).await;
    assert_eq!(
        sb.set_presence(&token, ADA, ON_QUEUE).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn definitions_current_and_legacy() {
    let sb = start().await;
    let token = sb.ada().await;
    let (status, current) = sb.api_get("/api/v2/presence/definitions", &token).await;
    assert_eq!(status, StatusCode::OK);
    let entities = current["entities"].as_array().unwrap();
    assert_eq!(current["total"], entities.len());
    let on_queue = entities.iter().find(|e| e["id"] == ON_QUEUE).unwrap();
    assert_eq!(on_queue["systemPresence"], "OnQueue");
    assert_eq!(on_queue["type"], "System");
    assert_eq!(on_queue["languageLabels"]["en_US"], "On Queue");
    assert!(entities.iter().any(|e| e["type"] == "User"));

    let (status, legacy) = sb
        .api_get(
            "/api/v2/presencedefinitions?pageSize=5&pageNumber=2",
            &token,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(legacy["pageSize"], 5);
    assert_eq!(legacy["pageNumber"], 2);
    assert_eq!(legacy["total"], entities.len());
    assert_eq!(legacy["pageCount"], 3);
    assert_eq!(legacy["entities"].as_array().unwrap().len(), 5);
    assert!(legacy["nextUri"].is_string() && legacy["previousUri"].is_string());
    let (_, all) = sb.api_get("/api/v2/presencedefinitions", &token).await;
    let on_queue = all["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == ON_QUEUE)
        .unwrap();
    assert_eq!(
        on_queue,
        &json!({"id": ON_QUEUE, "languageLabels": {"en_US": "On Queue", "de": "In Warteschlange"},
                "systemPresence": "On Queue", "deactivated": false, "primary": true})
    );
    for bad in [
        "?pageSize=0",
        "?pageSize=101",
        "?pageNumber=x",
        "?deleted=maybe",
    ] {
        let (status, _) = sb
            .api_get(&format!("/api/v2/presencedefinitions{bad}"), &token)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let response = sb
        .api(Method::GET, "/api/v2/presence/definitions", "nope", None)
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn heartbeat_and_pong() {
    let sb = start_heartbeat(Duration::from_millis(100)).await;
    let token = sb.ada().await;
    let channel = sb.channel(&token).await;
    let mut ws = connect(&channel).await;
    let heartbeat = json_of(&next_frame(&mut ws).await.unwrap());
    assert_eq!(
        heartbeat,
        json!({"topicName": "channel.metadata", "eventBody": {"message": "WebSocket Heartbeat"}})
    );

    // No heartbeats: a silent open socket; ping is still answered.
    sb.control("/__sandbox/live-settings", json!({"heartbeats": false}))
        .await;
    ws.send(Message::text(r#"{"message":"ping"}"#))
        .await
        .unwrap();
    let pong = next_event(&mut ws).await;
    assert_eq!(
        pong,
        json!({"topicName": "channel.metadata", "eventBody": {"message": "pong"}})
    );
    assert_quiet_at_all(&mut ws, Duration::from_millis(400)).await;

    // No pong either: the ping goes unanswered.
    sb.control("/__sandbox/live-settings", json!({"pong": false}))
        .await;
    ws.send(Message::text(r#"{"message":"ping"}"#))
        .await
        .unwrap();
    assert_quiet_at_all(&mut ws, Duration::from_millis(400)).await;
    let stats = sb.stats().await;
    assert_eq!(stats["pings"], 2);
    assert_eq!(stats["sockets_open"], 1);
    assert_eq!(stats["sockets_opened"], 1);

    // Bad settings are refused.
    let response = sb
        .control(
            "/__sandbox/live-settings",
            json!({"heartbeat_interval_ms": 1}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // A client's close is answered with a close frame (a clean close), and the socket is gone.
    ws.close(None).await.unwrap();
    assert!(matches!(next_frame(&mut ws).await, Some(Message::Close(_))));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sb.stats().await["sockets_open"], 0);
}

/// Asserts no frame at all arrives within `wait`.
async fn assert_quiet_at_all(ws: &mut Ws, wait: Duration) {
    if let Ok(frame) = tokio::time::timeout(wait, ws.next()).await {
        panic!("unexpected frame {frame:?}");
    }
}

#[tokio::test]
async fn a_second_socket_disconnects_the_first() {
    let sb = start().await;
    let token = sb.ada().await;
    let channel = sb.channel(&token).await;
    sb.subscribe(&token, &channel, &[&combined(ADA)]).await;
    let mut first = connect(&channel).await;
    let mut second = connect(&channel).await;
    assert_closed_with(&mut first, 1000).await;
    sb.set_presence(&token, ADA, AWAY).await;
    let event = next_event(&mut second).await;
    assert_eq!(event["eventBody"]["presenceDefinition"]["id"], AWAY);
}

#[tokio::test]
async fn expired_channel_closes_its_socket_and_refuses_upgrades() {
    let sb = start().await;
    let token = sb.ada().await;
    let channel = sb.channel(&token).await;
    let mut ws = connect(&channel).await;
    let body = sb
        .control_json(
            "/__sandbox/genesys/expire-channels",
            json!({"user": "ada@example.com"}),
        )
        .await;
    assert_eq!(body, json!({"channels": 1}));
    assert_closed_with(&mut ws, 1001).await;
    assert_upgrade_refused(&channel, StatusCode::NOT_FOUND).await;
    assert_eq!(
        sb.head_channel(&token, &channel).await,
        StatusCode::NOT_FOUND
    );
    let (status, _) = sb.subscribe(&token, &channel, &[&combined(ADA)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn socket_closing_warns_then_closes_the_old_socket() {
    let sb = start().await;
    let token = sb.ada().await;
    let (channel, mut ws) = sb.subscribed_socket(&token).await;
    let body = sb
        .control_json(
            "/__sandbox/genesys/socket-closing",
            json!({"user": "ada@example.com", "close_after_ms": 200}),
        )
        .await;
    assert_eq!(body, json!({"sockets": 1}));
    let warning = next_event(&mut ws).await;
    assert_eq!(warning["topicName"], "v2.system.socket_closing");
    assert_eq!(warning["eventBody"]["channelId"], channel["id"]);
    assert_closed_with(&mut ws, 1001).await;
    // The same channel takes a new socket, which gets the events.
    let mut fresh = connect(&channel).await;
    sb.set_presence(&token, ADA, AWAY).await;
    assert_eq!(
        next_event(&mut fresh).await["eventBody"]["presenceDefinition"]["id"],
        AWAY
    );

    // A new socket connected in time replaces the warned one, and stays.
    sb.control_json(
        "/__sandbox/genesys/socket-closing",
        json!({"user": "ada@example.com", "close_after_ms": 200}),
    )
    .await;
    assert_eq!(
        next_event(&mut fresh).await["topicName"],
        "v2.system.socket_closing"
    );
    let mut replacement = connect(&channel).await;
    assert_closed_with(&mut fresh, 1000).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    sb.set_presence(&token, ADA, AVAILABLE).await;
    assert_eq!(
        next_event(&mut replacement).await["eventBody"]["presenceDefinition"]["id"],
        AVAILABLE
    );
}

#[tokio::test]
async fn drop_sockets_with_and_without_a_close_frame() {
    let sb = start().await;
    let token = sb.ada().await;
    let channel = sb.channel(&token).await;
    let mut ws = connect(&channel).await;
    sb.control_json(
        "/__sandbox/genesys/drop-sockets",
        json!({"user": "ada@example.com", "close_frame": true}),
    )
    .await;
    assert_closed_with(&mut ws, 1001).await;

    let mut ws = connect(&channel).await;
    let body = sb
        .control_json(
            "/__sandbox/genesys/drop-sockets",
            json!({"user": "ada@example.com"}),
        )
        .await;
    assert_eq!(body, json!({"sockets": 1}));
    // No close frame: the stream just ends (or errors).
    match next_frame(&mut ws).await {
        None => {}
        Some(other) => panic!("expected the connection to end, got {other:?}"),
    }
    // The channel itself is fine.
    assert_eq!(sb.head_channel(&token, &channel).await, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sb.stats().await["sockets_open"], 0);
}

#[tokio::test]
async fn push_delivers_to_subscribed_sockets_only() {
    let sb = start().await;
    let token = sb.ada().await;
    let (_, mut ws) = sb.subscribed_socket(&token).await;
    let routing = format!("v2.users.{ADA}.routingStatus");
    let body = sb
        .control_json(
            "/__sandbox/genesys/push",
            json!({"user": "ada@example.com", "topic_name": routing,
                   "event_body": {"id": ADA, "routingStatus": {"status": "INTERACTING"}}}),
        )
        .await;
    assert_eq!(body, json!({"sockets": 1}));
    let event = next_event(&mut ws).await;
    assert_eq!(event["topicName"], routing);
    assert_eq!(event["eventBody"]["routingStatus"]["status"], "INTERACTING");
    // Not subscribed: not delivered.
    let body = sb
        .control_json(
            "/__sandbox/genesys/push",
            json!({"user": "ada@example.com", "topic_name": format!("v2.users.{ADA}.conversations"),
                   "event_body": {}}),
        )
        .await;
    assert_eq!(body, json!({"sockets": 0}));
    let response = sb
        .control(
            "/__sandbox/genesys/push",
            json!({"user": "ada@example.com", "topic": "x"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn agent_state_control_changes_the_state_with_events() {
    let sb = start().await;
    let token = sb.ada().await;
    let (_, mut ws) = sb.subscribed_socket(&token).await;
    let response = sb
        .control(
            "/__sandbox/genesys/agent-state",
            json!({"user": "ada@example.com", "presence": "On Queue",
                   "routing_status": "INTERACTING"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        next_event(&mut ws).await["eventBody"]["presenceDefinition"]["id"],
        ON_QUEUE
    );
    assert_eq!(
        next_event(&mut ws).await["eventBody"]["routingStatus"]["status"],
        "IDLE"
    );
    assert_eq!(
        next_event(&mut ws).await["eventBody"]["routingStatus"]["status"],
        "INTERACTING"
    );
    assert_eq!(sb.routing_status(&token, ADA).await, "INTERACTING");
    for bad in [
        json!({"user": "ada@example.com", "routing_status": "BUSY"}),
        json!({"user": "ada@example.com", "presence": "Sleeping"}),
    ] {
        assert_eq!(
            sb.control("/__sandbox/genesys/agent-state", bad)
                .await
                .status(),
            StatusCode::BAD_REQUEST
        );
    }
    // Reset puts the agent back.
    sb.control("/__sandbox/reset", json!({})).await;
    assert_eq!(sb.routing_status(&token, ADA).await, "OFF_QUEUE");
}

#[tokio::test]
async fn rejected_topics_name_the_missing_permissions() {
    let sb = start().await;
    let token = sb.ada().await;
    let channel = sb.channel(&token).await;
    let routing = format!("v2.users.{ADA}.routingStatus");
    let response = sb
        .control(
            "/__sandbox/genesys/reject-topic",
            json!({"topic": routing, "missing_permissions": ["routing:agent:view"]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    // Without ignoreErrors: 403 naming the permission, nothing subscribed.
    let presence = format!("v2.users.{ADA}.presence");
    let (status, body) = sb
        .subscribe(&token, &channel, &[&presence, &combined(ADA)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("[routing:agent:view]"));
    let path = subscriptions_path(&channel);
    let (_, listed) = sb.api_get(&path, &token).await;
    assert_eq!(listed["entities"], json!([]));

    // With ignoreErrors=true: the rejected (combined) topic is listed as Rejected, the
    // rest subscribed.
    let (status, body) = sb
        .api_json(
            Method::POST,
            &format!("{path}?ignoreErrors=true"),
            &token,
            Some(json!([{ "id": presence }, { "id": combined(ADA) }])),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["entities"][0],
        json!({"id": presence, "state": "Permitted"})
    );
    assert_eq!(body["entities"][1]["state"], "Rejected");
    assert_eq!(
        body["entities"][1]["missingPermissions"],
        json!(["routing:agent:view"])
    );
    assert!(body["entities"][1]["rejectionReason"].is_string());
    let (_, listed) = sb.api_get(&path, &token).await;
    assert_eq!(
        listed["entities"],
        json!([{"id": presence, "state": "Permitted"}])
    );
}

#[tokio::test]
async fn live_failure_rules_apply_to_channels_and_the_upgrade() {
    let sb = start().await;
    let token = sb.ada().await;
    sb.control(
        "/__sandbox/fail-next",
        json!({"endpoint": "live", "mode": "rate_limited"}),
    )
    .await;
    let response = sb
        .api(Method::POST, "/api/v2/notifications/channels", &token, None)
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let channel = sb.channel(&token).await;
    sb.control(
        "/__sandbox/fail-next",
        json!({"endpoint": "live", "mode": "unauthorized"}),
    )
    .await;
    assert_upgrade_refused(&channel, StatusCode::UNAUTHORIZED).await;
    connect(&channel).await;
}

#[tokio::test]
async fn control_listing_shows_channels_and_sockets() {
    let sb = start().await;
    let token = sb.ada().await;
    let (channel, _ws) = sb.subscribed_socket(&token).await;
    let (status, body) = sb.get_json("/__sandbox/genesys/channels").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["sockets_open"], 1);
    assert_eq!(body["channels"][0]["id"], channel["id"]);
    assert_eq!(body["channels"][0]["user_id"], ADA);
    assert_eq!(body["channels"][0]["connected"], true);
    assert_eq!(body["channels"][0]["topics"], json!([combined(ADA)]));
}

#[tokio::test]
async fn without_test_controls_the_live_controls_are_404() {
    let sb = start_with(SandboxConfig::default()).await;
    for path in ["/__sandbox/genesys/push", "/__sandbox/live-settings"] {
        let response = sb.post_json(path, &json!({})).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

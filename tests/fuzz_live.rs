//! Property-based fuzzing of the live layer (issue 14): whatever a socket, a poll or a REST
//! reply brings, the parsers answer without panicking; whatever happens in whatever order, the
//! health machine never panics, never commands anything once stopped, and only closes or pings
//! sockets it opened.

use pkce_desk::live::cxone::{
    parse_agent_states, parse_next_event, parse_start_session, parse_unavailable_codes,
};
use pkce_desk::live::health::{Command, Health, HealthConfig, Input, RestFailure};
use pkce_desk::live::notifications::{
    parse_channel, parse_notice, parse_subscriptions, Channel, Notice, Subscription,
};
use pkce_desk::live::presence::{parse_definitions, parse_routing_status, parse_user_presence};
use pkce_desk::live::time::parse_iso_ms;
use pkce_desk::reply::HttpReply;
use proptest::prelude::*;

fn reply(status: u16, body: String) -> HttpReply {
    HttpReply {
        status,
        content_type: Some("application/json".into()),
        retry_after: None,
        body,
    }
}

/// Socket frames: garbage, JSON-ish text, and envelopes with random topics and bodies.
fn frames() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\{[\"a-zA-Z_:, 0-9\\[\\]\\{\\}.?&-]{0,200}\\}",
        (
            prop_oneof![
                Just("channel.metadata".to_string()),
                Just("v2.system.socket_closing".to_string()),
                Just("v2.users.u1.presence".to_string()),
                Just("v2.users.u1.routingStatus".to_string()),
                any::<String>(),
            ],
            "\\{[\"a-zA-Z_:, 0-9\\[\\]\\{\\}.-]{0,120}\\}",
        )
            .prop_map(|(topic, body)| format!(
                r#"{{"topicName":{},"eventBody":{body}}}"#,
                serde_json::Value::String(topic)
            )),
    ]
}

fn notices() -> impl Strategy<Value = Notice> {
    prop_oneof![
        Just(Notice::Heartbeat),
        Just(Notice::Pong),
        Just(Notice::SocketClosing),
        Just(Notice::ChannelGone),
        Just(Notice::Other),
        Just(Notice::Unreadable),
    ]
}

fn failures() -> impl Strategy<Value = RestFailure> {
    prop_oneof![
        Just(RestFailure::Forbidden),
        Just(RestFailure::NotFound),
        Just(RestFailure::Passing),
    ]
}

#[derive(Debug, Clone)]
enum Step {
    Input(Input),
    Tick(u64),
    Stop,
}

fn steps() -> impl Strategy<Value = Step> {
    let socket = 0u64..6;
    prop_oneof![
        (any::<u8>(), proptest::option::of(0u64..200_000_000)).prop_map(|(n, expires)| {
            Step::Input(Input::ChannelCreated(Channel {
                id: format!("c{n}"),
                connect_uri: format!("wss://streaming.example/channels/c{n}"),
                expires_ms: expires,
            }))
        }),
        failures().prop_map(|f| Step::Input(Input::ChannelFailed(f))),
        failures().prop_map(|f| Step::Input(Input::SubscribeFailed(f))),
        Just(Step::Input(Input::Subscribed(Subscription {
            permitted: vec!["t".into()],
            rejected: vec![],
        }))),
        socket.clone().prop_map(|s| Step::Input(Input::Opened(s))),
        socket.clone().prop_map(|s| Step::Input(Input::Closed(s))),
        (socket, notices()).prop_map(|(s, n)| Step::Input(Input::Message(s, n))),
        (0u64..120_000).prop_map(Step::Tick),
        Just(Step::Stop),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, ..ProptestConfig::default() })]

    #[test]
    fn socket_frames_never_panic(frame in frames(), user in any::<String>()) {
        let _ = parse_notice(&frame, &user);
        let _ = parse_notice(&frame, "u1");
    }

    #[test]
    fn timestamps_never_panic(text in prop_oneof![
        any::<String>(),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,9})?(Z|[+-][0-9:]{0,6})?.{0,3}",
    ]) {
        let _ = parse_iso_ms(&text);
    }

    #[test]
    fn live_replies_never_panic(status in 100u16..600, body in prop_oneof![
        any::<String>(),
        "\\{[\"a-zA-Z_:, 0-9\\[\\]\\{\\}.-]{0,200}\\}",
    ], base in any::<String>()) {
        let reply = reply(status, body);
        let _ = parse_channel(&reply, &base, Some(&base));
        let _ = parse_subscriptions(&reply);
        let _ = parse_definitions(&reply, &["en-US".to_string(), base.clone()]);
        let _ = parse_user_presence(&reply);
        let _ = parse_routing_status(&reply);
        let _ = parse_start_session(&reply);
        let _ = parse_next_event(&reply);
        let _ = parse_unavailable_codes(&reply);
        let _ = parse_agent_states(&reply);
    }

    #[test]
    fn the_health_machine_survives_any_order_and_stops_for_good(
        script in proptest::collection::vec(steps(), 0..60),
        jitter in 0.0f64..1.0,
    ) {
        let mut health = Health::new(HealthConfig::default());
        let mut now = 1_000_000u64;
        let mut connected: Vec<u64> = Vec::new();
        let mut stopped = false;
        let mut commands = health.start(now);
        for step in script {
            for command in &commands {
                match command {
                    Command::Connect { socket, .. } => connected.push(*socket),
                    Command::Close(socket) | Command::Ping(socket) => {
                        prop_assert!(connected.contains(socket), "{command:?} of a socket never opened");
                    }
                    _ => {}
                }
            }
            commands = match step {
                Step::Input(input) => health.handle(input, now, jitter),
                Step::Tick(by) => {
                    now += by;
                    health.tick(now, jitter)
                }
                Step::Stop => {
                    let closing = health.stop();
                    stopped = true;
                    closing
                }
            };
            if stopped {
                prop_assert!(commands.iter().all(|c| matches!(c, Command::Close(_))));
                let _ = health.stop();
                prop_assert!(health.tick(now + 10_000_000, jitter).is_empty());
            }
        }
    }
}

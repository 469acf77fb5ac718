use super::*;
use crate::live::presence::{RoutingStatus, SystemPresence};
use crate::reply::json_reply;

const CHANNEL: &str = r#"{
    "connectUri":"wss://streaming.mypurecloud.com/channels/streaming-2-aa5h48uk0srhpugh2994klj918",
    "id":"streaming-2-aa5h48uk0srhpugh2994klj918","expires":"2021-02-03T17:59:07.650Z"}"#;

#[test]
fn urls_topic_and_body() {
    assert_eq!(
        channels_url("https://api.mypurecloud.com/"),
        "https://api.mypurecloud.com/api/v2/notifications/channels"
    );
    assert_eq!(
        subscriptions_url("https://api.x", "streaming-2-a"),
        "https://api.x/api/v2/notifications/channels/streaming-2-a/subscriptions?ignoreErrors=true"
    );
    assert_eq!(
        user_status_topic("u1"),
        "v2.users.u1?presence&routingStatus"
    );
    assert_eq!(
        subscription_body(&[user_status_topic("u1")]),
        r#"[{"id":"v2.users.u1?presence&routingStatus"}]"#
    );
}

#[test]
fn reads_the_channel_and_hides_its_uri() {
    let channel = parse_channel(
        &json_reply(200, CHANNEL),
        "https://api.mypurecloud.com",
        None,
    )
    .unwrap();
    assert_eq!(channel.id, "streaming-2-aa5h48uk0srhpugh2994klj918");
    assert_eq!(channel.expires_ms, Some(1_612_375_147_650));
    let shown = format!("{channel:?}");
    assert!(!shown.contains("aa5h48"), "{shown}");
}

#[test]
fn the_socket_must_be_secure_unless_the_api_is_local_http() {
    let plain = CHANNEL.replace("wss://", "ws://");
    assert!(parse_channel(
        &json_reply(200, &plain),
        "https://api.mypurecloud.com",
        None
    )
    .is_err());
    let local = CHANNEL.replace("wss://streaming.mypurecloud.com", "ws://127.0.0.1:9190");
    assert!(parse_channel(&json_reply(200, &local), "http://127.0.0.1:9190", None).is_ok());
    let https = CHANNEL.replace("wss://streaming.mypurecloud.com", "https://127.0.0.1:9190");
    assert!(parse_channel(&json_reply(200, &https), "http://127.0.0.1:9190", None).is_err());
    let no_id = CHANNEL.replace(
        "\"id\":\"streaming-2-aa5h48uk0srhpugh2994klj918\"",
        "\"id\":\" \"",
    );
    assert!(parse_channel(&json_reply(200, &no_id), "https://api.x", None).is_err());
    for dots in [".", ".."] {
        let dot_id = CHANNEL.replace(
            "\"id\":\"streaming-2-aa5h48uk0srhpugh2994klj918\"",
            &format!("\"id\":\"{dots}\""),
        );
        assert!(
            parse_channel(
                &json_reply(200, &dot_id),
                "https://api.mypurecloud.com",
                None
            )
            .is_err(),
            "a channel id {dots} would move the subscriptions request up the path"
        );
    }
    assert!(matches!(
        parse_channel(&json_reply(429, "{}"), "https://api.x", None),
        Err(AuthError::RateLimited { .. })
    ));
}

#[test]
fn rejected_topics_name_the_missing_permissions() {
    let answer = r#"{"entities":[
            {"id":"v2.users.u1.presence","state":"Permitted","selfUri":"/x"},
            {"id":"v2.users.u1.routingStatus","state":"Rejected",
             "rejectionReason":"Missing permissions",
             "missingPermissions":["routing:agent:view"," "]}]}"#;
    let answered = parse_subscriptions(&json_reply(200, answer)).unwrap();
    assert_eq!(
        answered.rejected,
        [RejectedTopic {
            topic: "v2.users.u1.routingStatus".into(),
            missing_permissions: vec!["routing:agent:view".into()],
            reason: Some("Missing permissions".into()),
        }]
    );
    assert_eq!(answered.permitted, ["v2.users.u1.presence"]);
    assert!(!answered.all_rejected());
    let fine = parse_subscriptions(&json_reply(
        200,
        r#"{"entities":[{"id":"t","state":"permitted"}]}"#,
    ))
    .unwrap();
    assert!(fine.rejected.is_empty() && !fine.all_rejected());
    let refused = parse_subscriptions(&json_reply(
        200,
        r#"{"entities":[{"id":"v2.users.u1?presence&routingStatus","state":"REJECTED",
                "missingPermissions":["presence:userPresence:view"]}]}"#,
    ))
    .unwrap();
    assert!(refused.all_rejected());
    assert!(matches!(
        parse_subscriptions(&json_reply(404, r#"{"message":"channel not found"}"#)),
        Err(AuthError::ApiFailed { status: 404, .. })
    ));
}

#[test]
fn health_messages() {
    assert_eq!(
        parse_notice(
            r#"{"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}}"#,
            "u1"
        ),
        Notice::Heartbeat
    );
    assert_eq!(
        parse_notice(
            r#"{"topicName":"channel.metadata","eventBody":{"message":"pong"}}"#,
            "u1"
        ),
        Notice::Pong
    );
    assert_eq!(
        parse_notice(
            r#"{"topicName":"v2.system.socket_closing","version":"2",
                "eventBody":{"message":"closing","reason":"maintenance"},
                "metadata":{"CorrelationId":"c"}}"#,
            "u1"
        ),
        Notice::SocketClosing
    );
    assert_eq!(
        parse_notice(r#"{"result":"404"}"#, "u1"),
        Notice::ChannelGone
    );
    assert_eq!(parse_notice(r#"{"result":404}"#, "u1"), Notice::ChannelGone);
    assert_eq!(
        parse_notice(r#"{"result":"200","status":"subscribed"}"#, "u1"),
        Notice::Other
    );
}

#[test]
fn status_events_under_the_expanded_topic_names() {
    let presence = r#"{"topicName":"v2.users.u1.presence","version":"2","eventBody":{
            "source":"PURECLOUD","presenceDefinition":{"id":"e08eaf1b","systemPresence":"ON_QUEUE"},
            "primary":true,"message":"","modifiedDate":"2026-12-01T18:00:01.000Z"},
             "metadata":{"CorrelationId":"c"}}"#;
    assert_eq!(
        parse_notice(presence, "u1"),
        Notice::Presence(PresenceReport {
            definition_id: "e08eaf1b".into(),
            system: SystemPresence::OnQueue,
            modified_ms: parse_iso_ms("2026-12-01T18:00:01.000Z"),
        })
    );
    let routing = r#"{"topicName":"v2.users.u1.routingStatus","version":"2","eventBody":{
            "id":"u1","routingStatus":{"status":"IDLE","startTime":"2026-12-01T18:00:01Z"}}}"#;
    assert!(matches!(
        parse_notice(routing, "u1"),
        Notice::Routing(RoutingReport {
            status: RoutingStatus::Idle,
            ..
        })
    ));
}

#[test]
fn events_of_other_users_or_topics_or_shapes_are_not_taken() {
    let presence = r#"{"topicName":"v2.users.u2.presence",
        "eventBody":{"presenceDefinition":{"id":"p","systemPresence":"Available"}}}"#;
    assert_eq!(parse_notice(presence, "u1"), Notice::Other);
    let combined = r#"{"topicName":"v2.users.u1?presence&routingStatus",
        "eventBody":{"presenceDefinition":{"id":"p"}}}"#;
    assert_eq!(parse_notice(combined, "u1"), Notice::Other);
    let no_definition =
        r#"{"topicName":"v2.users.u1.presence","eventBody":{"source":"PURECLOUD"}}"#;
    assert_eq!(parse_notice(no_definition, "u1"), Notice::Other);
    let secondary = r#"{"topicName":"v2.users.u1.presence","eventBody":{"primary":false,
        "presenceDefinition":{"id":"p"}}}"#;
    assert_eq!(parse_notice(secondary, "u1"), Notice::Other);
    assert_eq!(parse_notice("not json", "u1"), Notice::Unreadable);
    assert_eq!(parse_notice("{}", "u1"), Notice::Unreadable);
    let huge = format!(
        r#"{{"topicName":"channel.metadata","eventBody":{{"message":"pong","pad":"{}"}}}}"#,
        " ".repeat(MAX_MESSAGE_BYTES)
    );
    assert_eq!(parse_notice(&huge, "u1"), Notice::Unreadable);
    assert!(!Notice::Unreadable.is_alive());
    assert!(Notice::Other.is_alive());
}

#[test]
fn the_socket_may_only_go_to_the_regions_streaming_host() {
    let channel = |uri: &str| {
        json_reply(
            200,
            &format!(r#"{{"connectUri":"{uri}","id":"streaming-1","expires":null}}"#),
        )
    };
    let api = "https://api.mypurecloud.ie";
    let ok = |uri: &str, api: &str, domain: Option<&str>| {
        parse_channel(&channel(uri), api, domain).is_ok()
    };
    assert!(ok(
        "wss://streaming.mypurecloud.ie/channels/streaming-1",
        api,
        None
    ));
    assert!(ok(
        "wss://STREAMING.mypurecloud.ie/channels/streaming-1",
        api,
        None
    ));
    // Behind an API proxy, the region still names its streaming host.
    assert!(ok(
        "wss://streaming.mypurecloud.ie/channels/s",
        "https://proxy.example/genesys",
        Some("mypurecloud.ie")
    ));
    // The local sandbox serves both from one host.
    assert!(ok(
        "ws://127.0.0.1:9190/channels/s",
        "http://127.0.0.1:9190",
        None
    ));
    for uri in [
        "wss://evil.example/channels/streaming-1",
        "wss://streaming.mypurecloud.ie.evil.example/channels/s",
        "wss://streaming.mypurecloud.com/channels/s",
        "wss://streaming.mypurecloud.ie@evil.example/channels/s",
        "wss://api.mypurecloud.ie:444/channels/s",
    ] {
        assert!(!ok(uri, api, Some("mypurecloud.ie")), "{uri}");
    }
    assert!(!ok(
        "ws://127.0.0.1:9999/channels/s",
        "http://127.0.0.1:9190",
        None
    ));
}

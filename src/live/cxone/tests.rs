use super::*;

fn reply(status: u16, body: &str) -> HttpReply {
    HttpReply {
        status,
        content_type: Some("application/json; charset=utf-8".into()),
        retry_after: None,
        body: body.into(),
    }
}

const BASE: &str = "https://api-na1.niceincontact.com/";

#[test]
fn urls_follow_the_sdk_paths() {
    assert_eq!(
        sessions_url(BASE),
        "https://api-na1.niceincontact.com/InContactAPI/services/v23.0/agent-sessions"
    );
    assert_eq!(
        next_event_url(BASE, "s 1", 15),
        "https://api-na1.niceincontact.com/InContactAPI/services/v23.0/agent-sessions/s%201/\
         get-next-event?timeout=15"
    );
    assert!(next_event_url(BASE, "s", 600).ends_with("?timeout=60"));
    assert!(state_url(BASE, "s").ends_with("/agent-sessions/s/state"));
    assert!(end_session_url(BASE, "s").ends_with("/agent-sessions/s"));
    assert_eq!(
        unavailable_codes_url(BASE, "42"),
        "https://api-na1.niceincontact.com/InContactAPI/services/v23.0/teams/42/unavailable-codes"
    );
}

#[test]
fn bodies() {
    let json = |text: String| serde_json::from_str::<Value>(&text).unwrap();
    assert_eq!(
        json(start_session_body()),
        serde_json::json!({"stationId":"","stationPhoneNumber":"WebRTC"})
    );
    assert_eq!(
        json(set_state_body(&StateRequest::Available)),
        serde_json::json!({"state":"Available","reason":""})
    );
    assert_eq!(
        json(set_state_body(&StateRequest::Unavailable(
            "Lunch \"break\"".into()
        ))),
        serde_json::json!({"state":"Unavailable","reason":"Lunch \"break\""})
    );
    assert_eq!(json(end_session_body())["endContacts"], Value::Bool(false));
}

#[test]
fn start_answer() {
    assert_eq!(
        parse_start_session(&reply(202, r#"{"sessionId":"abc"}"#)).unwrap(),
        "abc"
    );
    assert_eq!(
        parse_start_session(&reply(200, r#"{"sessionId":58070815}"#)).unwrap(),
        "58070815"
    );
    assert!(parse_start_session(&reply(200, r#"{"sessionId":""}"#)).is_err());
    // A dot segment would move the state, poll and end requests up the API's path.
    for dots in [".", ".."] {
        let body = format!(r#"{{"sessionId":"{dots}"}}"#);
        assert!(parse_start_session(&reply(202, &body)).is_err(), "{dots}");
        let poll = format!(r#"{{"sessionId":"{dots}","events":[]}}"#);
        assert_eq!(
            parse_next_event(&reply(200, &poll)),
            Ok(Poll::Events {
                session_id: None,
                events: Vec::new()
            }),
            "a replacement id {dots} is ignored"
        );
    }
    assert!(matches!(
        parse_start_session(&reply(403, r#"{"message":"no ACD role"}"#)),
        Err(AuthError::Forbidden { .. })
    ));
}

#[test]
fn accepted_writes() {
    assert_eq!(parse_accepted(&reply(202, "")), Ok(()));
    let empty = HttpReply {
        content_type: None,
        ..reply(204, "")
    };
    assert_eq!(parse_accepted(&empty), Ok(()));
    assert!(matches!(
        parse_accepted(&reply(409, r#"{"message":"ACW code without a contact"}"#)),
        Err(AuthError::ApiFailed { status: 409, .. })
    ));
}

#[test]
fn poll_statuses() {
    let no_body = HttpReply {
        content_type: None,
        ..reply(304, "")
    };
    assert_eq!(parse_next_event(&no_body), Ok(Poll::Nothing));
    assert_eq!(parse_next_event(&reply(409, "")), Ok(Poll::Ended));
    assert!(matches!(
        parse_next_event(&reply(500, "{}")),
        Err(AuthError::ApiFailed { status: 500, .. })
    ));
    assert!(matches!(
        parse_next_event(&HttpReply {
            content_type: Some("text/html".into()),
            ..reply(200, "<html>")
        }),
        Err(AuthError::UnexpectedResponse { .. })
    ));
}

#[test]
fn agent_state_events() {
    let body = r#"{"sessionId":"new-id","events":[
            {"Type":"AgentSessionStart","BusNo":"4500","AgentId":"12214","SessionId":"58070815"},
            {"Type":"AgentState","CurrentState":"Unavailable","CurrentOutReason":"Lunch",
             "StartTimeUTC":"2026-12-01T18:00:00.000Z","AcwTimeout":"","IsAcw":"False",
             "NextStates":[{"State":"Available","OutReason":""}],"NextIsAcw":"False",
             "IISHost":"h","VCHost":"v"},
            {"Type":"AgentState","CurrentState":"inboundContact","IsAcw":true},
            {"Type":"AgentState"},
            {"Type":"UpdateUnavailableCodes"},
            {"Type":"CallContactEvent","ContactID":"1"}]}"#;
    let Poll::Events { session_id, events } = parse_next_event(&reply(200, body)).unwrap() else {
        panic!("events expected");
    };
    assert_eq!(session_id.as_deref(), Some("new-id"));
    assert_eq!(
        events,
        [
            SessionEvent::Other,
            SessionEvent::AgentState(AgentStateReport {
                state: AgentState::Unavailable,
                out_reason: Some("Lunch".into()),
                since_ms: parse_iso_ms("2026-12-01T18:00:00.000Z"),
                is_acw: false,
            }),
            SessionEvent::AgentState(AgentStateReport {
                state: AgentState::Working("inboundContact".into()),
                out_reason: None,
                since_ms: None,
                is_acw: true,
            }),
            SessionEvent::Other,
            SessionEvent::CodesChanged,
            SessionEvent::Other,
        ]
    );
    assert_eq!(AgentState::parse("AVAILABLE"), AgentState::Available);
    assert_eq!(AgentState::parse("LoggedOut").label(), "Logged out");
    assert_eq!(AgentState::parse("Dialer").label(), "Working");
}

#[test]
fn the_current_state_is_read_after_a_gap() {
    assert!(agent_states_url(BASE, "3181501")
        .ends_with("/InContactAPI/services/v23.0/agents/3181501/states"));
    let body = r#"{"agentStates":[{"agentId":3181501,"agentStateId":2,
        "agentStateName":"Unavailable",
            "businessUnitId":4600123,"isACW":false,"isOutbound":false,"openContacts":0,
            "outStateDescription":"Lunch","startDate":"2026-12-01T09:00:00.000Z"}]}"#;
    let read = parse_agent_states(&reply(200, body)).unwrap().unwrap();
    assert_eq!(
        read,
        AgentStateReport {
            state: AgentState::Unavailable,
            out_reason: Some("Lunch".into()),
            since_ms: parse_iso_ms("2026-12-01T09:00:00.000Z"),
            is_acw: false,
        }
    );
    assert_eq!(
        parse_agent_states(&reply(200, r#"{"agentStates":[]}"#)).unwrap(),
        None
    );
    let newer = AgentStateReport {
        since_ms: read.since_ms.map(|ms| ms + 1),
        ..read.clone()
    };
    assert!(read_is_current(&read, None));
    assert!(read_is_current(&read, Some(&read)));
    assert!(
        !read_is_current(&read, Some(&newer)),
        "an event that came in meanwhile wins"
    );
    assert!(read_is_current(&newer, Some(&read)));
}

#[test]
fn unavailable_codes_leave_out_inactive_and_acw() {
    let body = r#"{"unavailableCodes":[
            {"outStateName":"Lunch","isAcw":false,"isActive":true,"isPersonalConnection":false,
             "skillName":""},
            {"outStateName":"Wrap up","isAcw":true,"isActive":true},
            {"outStateName":"Old","isAcw":false,"isActive":false},
            {"outStateName":" Training ","isAcw":false},
            {"outStateName":"Lunch","isAcw":false,"isActive":true},
            {"outStateName":"","isActive":true}]}"#;
    assert_eq!(
        parse_unavailable_codes(&reply(200, body)).unwrap(),
        ["Lunch", "Training"]
    );
    assert_eq!(
        parse_unavailable_codes(&reply(200, "{}")).unwrap(),
        Vec::<String>::new()
    );
}

#[test]
fn the_poll_loop_backs_off_on_errors_only() {
    let mut failures = 0;
    let network = Err(AuthError::Network {
        endpoint: Endpoint::Api,
    });
    assert_eq!(
        after_poll(&network, &mut failures, 0.0),
        PollNext::After(2_000)
    );
    assert_eq!(
        after_poll(&network, &mut failures, 0.0),
        PollNext::After(4_000)
    );
    assert_eq!(
        after_poll(&network, &mut failures, 1.0),
        PollNext::After(9_600)
    );
    assert_eq!(
        after_poll(&Ok(Poll::Nothing), &mut failures, 0.0),
        PollNext::Now
    );
    assert_eq!(failures, 0, "a good poll resets the backoff");
    assert_eq!(
        after_poll(&network, &mut failures, 0.0),
        PollNext::After(2_000)
    );
    for _ in 0..20 {
        after_poll(&network, &mut failures, 0.0);
    }
    assert_eq!(
        after_poll(&network, &mut failures, 0.0),
        PollNext::After(MAX_POLL_RETRY_DELAY_MS)
    );
    let limited = Err(AuthError::RateLimited {
        retry_after_secs: Some(120),
    });
    assert_eq!(
        after_poll(&limited, &mut failures, 0.0),
        PollNext::After(120_000)
    );
}

#[test]
fn the_poll_loop_stops_when_the_session_or_permission_ends() {
    let mut failures = 0;
    assert_eq!(
        after_poll(&Ok(Poll::Ended), &mut failures, 0.0),
        PollNext::Ended
    );
    let ended = Ok(Poll::Events {
        session_id: None,
        events: vec![SessionEvent::Other, SessionEvent::SessionEnded],
    });
    assert_eq!(after_poll(&ended, &mut failures, 0.0), PollNext::Ended);
    assert_eq!(
        after_poll(
            &Err(AuthError::Forbidden { message: None }),
            &mut failures,
            0.0
        ),
        PollNext::GiveUp
    );
    assert_eq!(
        after_poll(&Err(AuthError::SessionExpired), &mut failures, 0.0),
        PollNext::GiveUp
    );
}

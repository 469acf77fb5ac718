//! The cxone flavor's agent sessions, unavailable codes and skills over real HTTP, with
//! the live test controls. The sandbox runs in-process on 127.0.0.1:0.

mod common;

use std::time::{Duration, Instant};

use common::{code_grant, location, start_with, Sandbox, CHALLENGE, REDIRECT, VERIFIER};
use pkce_desk_sandbox::SandboxConfig;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::task::JoinHandle;

const CLIENT: &str = "pkce-desk demo@Sandbox";
const BASE: &str = "/InContactAPI/services/v23.0";
const ADA_TEAM: &str = "11ec7d2a-4b1e-4c3f-9a8d-2e6f1c0b7a11";
const ADA_AGENT: u64 = 3181501;

async fn start_capped(long_poll_cap: Duration) -> Sandbox {
    start_with(SandboxConfig {
        test_controls: true,
        long_poll_cap,
        ..SandboxConfig::cxone()
    })
    .await
}

async fn start() -> Sandbox {
    start_capped(Duration::from_secs(60)).await
}

impl Sandbox {
    async fn token_for(&self, username: &str) -> String {
        let form = [
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("scope", "openid"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("state", "st"),
            ("username", username),
            ("password", "demo"),
            ("action", "sign-in"),
        ];
        let response = self.post_form("/auth/authorize", &form).await;
        let code = location(&response).1["code"].clone();
        let response = self
            .post_form("/auth/token", &code_grant(&code, VERIFIER, CLIENT))
            .await;
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_string()
    }

    /// A GET of `path` below the API base.
    async fn get_api(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.api_get(&format!("{BASE}{path}"), token).await
    }

    async fn post_session(&self, token: &str, body: Value) -> (StatusCode, Value) {
        let path = format!("{BASE}/agent-sessions");
        self.api_json(Method::POST, &path, token, Some(body)).await
    }

    /// Starts a session as the SDK's sample app does; returns its id.
    async fn start_session(&self, token: &str) -> String {
        let station = json!({"stationId": "", "stationPhoneNumber": "WebRTC"});
        let (status, body) = self.post_session(token, station).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        body["sessionId"].as_str().unwrap().to_string()
    }

    /// Ends `session` (DELETE, with `body` if any); the answer's status.
    async fn end_session(&self, token: &str, session: &str, body: Option<Value>) -> StatusCode {
        let path = format!("{BASE}/agent-sessions/{session}");
        self.api(Method::DELETE, &path, token, body).await.status()
    }

    /// A get-next-event poll sent in the background for the sandbox to hold: its
    /// status, body text and how long it took to answer.
    fn held_poll(
        &self,
        token: &str,
        session: &str,
        timeout: u64,
    ) -> JoinHandle<(StatusCode, String, Duration)> {
        let http = self.http.clone();
        let url = self.url(&format!(
            "{BASE}/agent-sessions/{session}/get-next-event?timeout={timeout}"
        ));
        let token = token.to_string();
        tokio::spawn(async move {
            let began = Instant::now();
            let response = http.get(url).bearer_auth(token).send().await.unwrap();
            let status = response.status();
            (status, response.text().await.unwrap(), began.elapsed())
        })
    }

    /// A test control's JSON answer.
    async fn control_json(&self, path: &str, body: Value) -> Value {
        self.post_json(path, &body).await.json().await.unwrap()
    }

    async fn poll(&self, token: &str, session: &str, timeout: u64) -> (StatusCode, Value) {
        self.api_json(
            Method::GET,
            &format!("{BASE}/agent-sessions/{session}/get-next-event?timeout={timeout}"),
            token,
            None,
        )
        .await
    }

    /// The events of the next 200, failing on anything else.
    async fn events(&self, token: &str, session: &str) -> Vec<Value> {
        let (status, body) = self.poll(token, session, 5).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["sessionId"], session);
        body["events"].as_array().unwrap().clone()
    }

    async fn set_state(&self, token: &str, session: &str, body: Value) -> (StatusCode, Value) {
        self.api_json(
            Method::POST,
            &format!("{BASE}/agent-sessions/{session}/state"),
            token,
            Some(body),
        )
        .await
    }

    async fn stats(&self) -> Value {
        self.get_json("/__sandbox/stats").await.1
    }
}

/// The status of a held poll's answer, failing when none comes within 5 s.
async fn held_status(held: JoinHandle<(StatusCode, String, Duration)>) -> StatusCode {
    let (status, _, _) = tokio::time::timeout(Duration::from_secs(5), held)
        .await
        .expect("the held poll answered")
        .unwrap();
    status
}

#[tokio::test]
async fn a_session_starts_with_session_start_and_unavailable() {
    let sb = start().await;
    let token = sb.token_for("ada@example.com").await;
    let session = sb.start_session(&token).await;
    let events = sb.events(&token, &session).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["Type"], "AgentSessionStart");
    assert_eq!(events[0]["AgentId"], ADA_AGENT.to_string());
    assert_eq!(events[0]["BusNo"], "4600123");
    assert_eq!(events[0]["StationPhoneNumber"], "WebRTC");
    assert_ne!(events[0]["SessionId"], session);
    assert_eq!(events[1]["Type"], "AgentState");
    assert_eq!(events[1]["CurrentState"], "Unavailable");
    assert_eq!(events[1]["CurrentOutReason"], "");
    assert_eq!(events[1]["IsAcw"], "False");
    assert!(events[1]["StartTimeUTC"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        events[1]["NextStates"][0],
        json!({"State": "Available", "OutReason": ""})
    );
    let stats = sb.stats().await;
    assert_eq!(stats["agent_sessions_started"], 1);
    assert_eq!(stats["agent_sessions_live"], 1);
}

#[tokio::test]
async fn start_takes_query_parameters_and_wants_a_station() {
    let sb = start().await;
    let token = sb.token_for("ada@example.com").await;
    let (status, body) = sb
        .api_json(
            Method::POST,
            "/inContactAPI/services/v13.0/agent-sessions?stationPhoneNumber=WebRTC",
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert!(body["sessionId"].is_string());
    for bad in [
        json!({}),
        json!({"stationId": ""}),
        json!({"stationId": 5}),
        json!(["x"]),
    ] {
        let (status, _) = sb.post_session(&token, bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let as_other = json!({"stationPhoneNumber": "WebRTC", "asAgentId": 3190602});
    let (status, _) = sb.post_session(&token, as_other).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // No token: CXone's 401; a path version that is not one: 404.
    let response = sb
        .api(
            Method::POST,
            &format!("{BASE}/agent-sessions"),
            "nope",
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = sb
        .api_json(
            Method::POST,
            "/InContactAPI/services/latest/agent-sessions",
            &token,
            Some(json!({"stationPhoneNumber": "WebRTC"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn get_next_event_holds_then_answers_304_and_wakes_on_an_event() {
    let sb = start_capped(Duration::from_millis(300)).await;
    let token = sb.token_for("ada@example.com").await;
    let session = sb.start_session(&token).await;
    sb.events(&token, &session).await;

    // Held up to the cap (300 ms here), then 304 with no body.
    let began = Instant::now();
    assert_eq!(
        sb.poll(&token, &session, 60).await.0,
        StatusCode::NOT_MODIFIED
    );
    let held = began.elapsed();
    assert!(held >= Duration::from_millis(250), "{held:?}");
    assert!(held < Duration::from_secs(5), "{held:?}");
    // timeout=0 answers at once.
    let began = Instant::now();
    assert_eq!(
        sb.poll(&token, &session, 0).await.0,
        StatusCode::NOT_MODIFIED
    );
    assert!(began.elapsed() < Duration::from_millis(250));

    // A held poll wakes as soon as an event is queued.
    sb.post_json(
        "/__sandbox/live-settings",
        &json!({"long_poll_cap_ms": 60000}),
    )
    .await;
    let waiting = sb.held_poll(&token, &session, 30);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, _) = sb
        .set_state(
            &token,
            &session,
            json!({"state": "Available", "reason": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, body, took) = waiting.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["events"][0]["CurrentState"], "Available");
    assert!(took < Duration::from_secs(5), "{took:?}");

    for bad in ["61", "-1", "x", ""] {
        let path = format!("/agent-sessions/{session}/get-next-event?timeout={bad}");
        let (status, _) = sb.get_api(&token, &path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let (status, _) = sb.poll(&token, "no-such-session", 0).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another agent cannot read this session.
    let grace = sb.token_for("grace@example.com").await;
    assert_eq!(sb.poll(&grace, &session, 0).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn state_changes_with_unavailable_codes() {
    let sb = start().await;
    let token = sb.token_for("ada@example.com").await;
    let session = sb.start_session(&token).await;
    sb.events(&token, &session).await;

    let (status, _) = sb
        .set_state(
            &token,
            &session,
            json!({"state": "Unavailable", "reason": "Lunch"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let events = sb.events(&token, &session).await;
    assert_eq!(events[0]["Type"], "AgentState");
    assert_eq!(events[0]["CurrentState"], "Unavailable");
    assert_eq!(events[0]["CurrentOutReason"], "Lunch");

    // As query parameters, as NICE's generated spec has them.
    let path = format!("{BASE}/agent-sessions/{session}/state?state=Available");
    let (status, _) = sb.api_json(Method::POST, &path, &token, None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(
        sb.events(&token, &session).await[0]["CurrentState"],
        "Available"
    );

    for (body, status) in [
        (
            json!({"state": "Unavailable", "reason": "Nap"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"state": "Unavailable", "reason": "Old break"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"state": "Available", "reason": "Lunch"}),
            StatusCode::BAD_REQUEST,
        ),
        (json!({"state": "InboundContact"}), StatusCode::BAD_REQUEST),
        (
            json!({"state": "Unavailable", "reason": "Follow-up"}),
            StatusCode::CONFLICT,
        ),
    ] {
        let (got, answer) = sb.set_state(&token, &session, body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert!(answer["message"].is_string(), "{answer}");
    }
    // None of those changed anything.
    assert_eq!(
        sb.poll(&token, &session, 0).await.0,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(sb.stats().await["agent_state_changes"], 2);
}

#[tokio::test]
async fn unavailable_codes_of_the_team() {
    let sb = start().await;
    let token = sb.token_for("ada@example.com").await;
    let (status, body) = sb
        .get_api(&token, &format!("/teams/{ADA_TEAM}/unavailable-codes"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let codes = body["unavailableCodes"].as_array().unwrap();
    assert_eq!(
        codes[1],
        json!({"outStateName": "Lunch", "isAcw": false, "isActive": true,
               "isPersonalConnection": false, "skillName": ""})
    );
    assert!(codes.iter().any(|c| c["isAcw"] == true));
    assert!(codes.iter().any(|c| c["isActive"] == false));
    let (status, _) = sb.get_api(&token, "/teams/nope/unavailable-codes").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ending_a_session_sends_agent_session_end_then_409() {
    let sb = start().await;
    let token = sb.token_for("ada@example.com").await;
    let session = sb.start_session(&token).await;
    sb.events(&token, &session).await;
    let options = json!({"forceLogoff": false, "endContacts": false, "ignorePersonalQueue": false});
    assert_eq!(
        sb.end_session(&token, &session, Some(options)).await,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        sb.events(&token, &session).await[0]["Type"],
        "AgentSessionEnd"
    );
    let (status, body) = sb.poll(&token, &session, 5).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["statusCode"], 409);
    let (status, _) = sb
        .set_state(&token, &session, json!({"state": "Available"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        sb.end_session(&token, &session, None).await,
        StatusCode::CONFLICT
    );
    let stats = sb.stats().await;
    assert_eq!(stats["agent_sessions_ended"], 1);
    assert_eq!(stats["agent_sessions_live"], 0);
}

#[tokio::test]
async fn a_held_poll_learns_of_the_end_at_once() {
    let sb = start().await;
    let token = sb.token_for("ada@example.com").await;
    let session = sb.start_session(&token).await;
    sb.events(&token, &session).await;
    assert_eq!(sb.stats().await["agent_session_polls_held"], 0);
    let waiting = sb.held_poll(&token, &session, 30);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sb.stats().await["agent_session_polls_held"], 1);
    // The platform ends it without a word: the held poll gets 409 at once.
    let ended = sb
        .control_json(
            "/__sandbox/cxone/end-session",
            json!({"user": "ada@example.com", "event": false}),
        )
        .await;
    assert_eq!(ended, json!({"sessions": 1}));
    assert_eq!(held_status(waiting).await, StatusCode::CONFLICT);
    assert_eq!(sb.stats().await["agent_session_polls_held"], 0);
}

#[tokio::test]
async fn remote_end_push_and_a_second_session() {
    let sb = start().await;
    let token = sb.token_for("ada@example.com").await;
    let first = sb.start_session(&token).await;
    sb.events(&token, &first).await;

    let event = json!({"Type": "AgentState", "CurrentState": "InboundContact"});
    let pushed = sb
        .control_json(
            "/__sandbox/cxone/push",
            json!({"user": "ada@example.com", "event": event}),
        )
        .await;
    assert_eq!(pushed, json!({"sessions": 1}));
    assert_eq!(
        sb.events(&token, &first).await[0]["CurrentState"],
        "InboundContact"
    );
    let response = sb
        .post_json(
            "/__sandbox/cxone/push",
            &json!({"user": "ada@example.com", "event": {}}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // A new session ends the previous one, whose held poll learns of it at once.
    let held = sb.held_poll(&token, &first, 30);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = sb.start_session(&token).await;
    assert_eq!(held_status(held).await, StatusCode::CONFLICT);
    assert_eq!(sb.poll(&token, &first, 5).await.0, StatusCode::CONFLICT);
    sb.events(&token, &second).await;

    let response = sb
        .post_json(
            "/__sandbox/cxone/end-session",
            &json!({"user": "ada@example.com"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        sb.events(&token, &second).await[0]["Type"],
        "RemoteAgentSessionEnd"
    );
    assert_eq!(sb.poll(&token, &second, 5).await.0, StatusCode::CONFLICT);
    let (_, listing) = sb.get_json("/__sandbox/cxone/sessions").await;
    assert_eq!(listing["sessions"].as_array().unwrap().len(), 2);
    assert!(listing["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["ended"] == true));
}

#[tokio::test]
async fn skills_of_the_signed_in_agent() {
    let sb = start().await;
    let token = sb.token_for("ada@example.com").await;
    let (status, body) = sb
        .get_api(&token, &format!("/agents/{ADA_AGENT}/skills"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["businessUnitId"], 4600123);
    let skills = body["agentSkillAssignments"].as_array().unwrap();
    assert_eq!(body["totalRecords"], skills.len());
    assert_eq!(skills[0]["skillName"], "Customer Care Voice");
    assert_eq!(skills[0]["mediaTypeName"], "Phone Call");
    assert_eq!(skills[0]["agentProficiencyValue"], 1);
    assert_eq!(skills[0]["isSkillActive"], true);
    // By user id too; another agent's are refused, an unknown one is 404.
    for (agent, status) in [
        ("5f3c9a1e-7b2d-4c8e-9a41-0d6e2b7f1ada", StatusCode::OK),
        ("3190602", StatusCode::FORBIDDEN),
        ("1", StatusCode::NOT_FOUND),
    ] {
        let (got, _) = sb.get_api(&token, &format!("/agents/{agent}/skills")).await;
        assert_eq!(got, status, "{agent}");
    }
}

#[tokio::test]
async fn live_failure_rules_apply_to_polls() {
    let sb = start().await;
    let token = sb.token_for("ada@example.com").await;
    let session = sb.start_session(&token).await;
    sb.post_json(
        "/__sandbox/fail-next",
        &json!({"endpoint": "live", "mode": "unauthorized"}),
    )
    .await;
    assert_eq!(
        sb.poll(&token, &session, 0).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(sb.events(&token, &session).await.len(), 2);
    assert_eq!(sb.stats().await["agent_session_polls"], 2);
}

#[tokio::test]
async fn shutdown_answers_held_polls_at_once() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sb = Sandbox {
        base: format!("http://{}", listener.local_addr().unwrap()),
        http: common::client(),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(pkce_desk_sandbox::serve_with_shutdown(
        SandboxConfig::cxone(),
        listener,
        async move {
            let _ = stopped.await;
        },
    ));
    let token = sb.token_for("ada@example.com").await;
    let session = sb.start_session(&token).await;
    sb.events(&token, &session).await;
    let held = sb.held_poll(&token, &session, 60);
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    assert_eq!(held_status(held).await, StatusCode::NOT_MODIFIED);
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stopped")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn agent_states_read_the_current_state() {
    let sb = start().await;
    let token = sb.token_for("ada@example.com").await;
    let path = format!("/agents/{ADA_AGENT}/states");
    let (status, body) = sb.get_api(&token, &path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["agentStates"][0]["agentStateName"], "LoggedOut");
    assert_eq!(body["agentStates"][0]["agentStateId"], 0);

    let session = sb.start_session(&token).await;
    let (_, body) = sb.get_api(&token, &path).await;
    assert_eq!(body["agentStates"][0]["agentStateName"], "Unavailable");
    sb.set_state(
        &token,
        &session,
        json!({"state": "Unavailable", "reason": "Break"}),
    )
    .await;
    let (_, body) = sb.get_api(&token, &path).await;
    let now = &body["agentStates"][0];
    assert_eq!(now["agentStateName"], "Unavailable");
    assert_eq!(now["agentStateId"], 2);
    assert_eq!(now["outStateDescription"], "Break");
    assert_eq!(now["agentId"], ADA_AGENT);
    assert_eq!(now["teamId"], ADA_TEAM);
    assert_eq!(now["stationPhoneNumber"], "WebRTC");

    sb.end_session(&token, &session, None).await;
    let (_, body) = sb.get_api(&token, &path).await;
    assert_eq!(body["agentStates"][0]["agentStateName"], "LoggedOut");
    let (status, _) = sb.get_api(&token, "/agents/3190602/states").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

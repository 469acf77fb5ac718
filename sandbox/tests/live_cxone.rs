//! The cxone flavor's agent sessions, unavailable codes and skills over real HTTP, with
//! the live test controls. The sandbox runs in-process on 127.0.0.1:0.

mod common;

use std::time::{Duration, Instant};

use common::{code_grant, location, send, start_with, Sandbox, CHALLENGE, REDIRECT, VERIFIER};
use pkce_desk_sandbox::SandboxConfig;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

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

    async fn call(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Response {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        send(request).await
    }

    async fn call_json(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let response = self.call(method, path, token, body).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Starts a session as the SDK's sample app does; returns its id.
    async fn start_session(&self, token: &str) -> String {
        let (status, body) = self
            .call_json(
                Method::POST,
                &format!("{BASE}/agent-sessions"),
                token,
                Some(json!({"stationId": "", "stationPhoneNumber": "WebRTC"})),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        body["sessionId"].as_str().unwrap().to_string()
    }

    async fn poll(&self, token: &str, session: &str, timeout: u64) -> (StatusCode, Value) {
        self.call_json(
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
        self.call_json(
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
        .call_json(
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
        let (status, _) = sb
            .call_json(
                Method::POST,
                &format!("{BASE}/agent-sessions"),
                &token,
                Some(bad.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let (status, _) = sb
        .call_json(
            Method::POST,
            &format!("{BASE}/agent-sessions"),
            &token,
            Some(json!({"stationPhoneNumber": "WebRTC", "asAgentId": 3190602})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // No token: CXone's 401; a path version that is not one: 404.
    let response = sb
        .call(
            Method::POST,
            &format!("{BASE}/agent-sessions"),
            "nope",
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = sb
        .call_json(
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
    let response = sb
        .call(
            Method::GET,
            &format!("{BASE}/agent-sessions/{session}/get-next-event?timeout=60"),
            &token,
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
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
    let waiting = {
        let http = sb.http.clone();
        let url = sb.url(&format!(
            "{BASE}/agent-sessions/{session}/get-next-event?timeout=30"
        ));
        let token = token.clone();
        tokio::spawn(async move {
            let began = Instant::now();
            let response = http.get(url).bearer_auth(token).send().await.unwrap();
            (
                response.status(),
                response.json::<Value>().await.unwrap(),
                began.elapsed(),
            )
        })
    };
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
    assert_eq!(body["events"][0]["CurrentState"], "Available");
    assert!(took < Duration::from_secs(5), "{took:?}");

    for bad in ["61", "-1", "x", ""] {
        let (status, _) = sb
            .call_json(
                Method::GET,
                &format!("{BASE}/agent-sessions/{session}/get-next-event?timeout={bad}"),
                &token,
                None,
            )
            .await;
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
    let response = sb
        .call(
            Method::POST,
            &format!("{BASE}/agent-sessions/{session}/state?state=Available"),
            &token,
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
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
        .call_json(
            Method::GET,
            &format!("{BASE}/teams/{ADA_TEAM}/unavailable-codes"),
            &token,
            None,
        )
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
    let (status, _) = sb
        .call_json(
            Method::GET,
            &format!("{BASE}/teams/nope/unavailable-codes"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ending_a_session_sends_agent_session_end_then_409() {
    let sb = start().await;
    let token = sb.token_for("ada@example.com").await;
    let session = sb.start_session(&token).await;
    sb.events(&token, &session).await;
    let response = sb
        .call(
            Method::DELETE,
            &format!("{BASE}/agent-sessions/{session}"),
            &token,
            Some(json!({"forceLogoff": false, "endContacts": false, "ignorePersonalQueue": false})),
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
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
    let response = sb
        .call(
            Method::DELETE,
            &format!("{BASE}/agent-sessions/{session}"),
            &token,
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
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
    let waiting = {
        let http = sb.http.clone();
        let url = sb.url(&format!(
            "{BASE}/agent-sessions/{session}/get-next-event?timeout=30"
        ));
        let token = token.clone();
        tokio::spawn(async move {
            let response = http.get(url).bearer_auth(token).send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The platform ends it without a word: the held poll gets 409 at once.
    let response = sb
        .post_json(
            "/__sandbox/cxone/end-session",
            &json!({"user": "ada@example.com", "event": false}),
        )
        .await;
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"sessions": 1})
    );
    let (status, _) = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the held poll answered")
        .unwrap();
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn remote_end_push_and_a_second_session() {
    let sb = start().await;
    let token = sb.token_for("ada@example.com").await;
    let first = sb.start_session(&token).await;
    sb.events(&token, &first).await;

    let response = sb
        .post_json(
            "/__sandbox/cxone/push",
            &json!({"user": "ada@example.com", "event": {"Type": "AgentState", "CurrentState": "InboundContact"}}),
        )
        .await;
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"sessions": 1})
    );
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
    let held = {
        let http = sb.http.clone();
        let url = sb.url(&format!(
            "{BASE}/agent-sessions/{first}/get-next-event?timeout=30"
        ));
        let token = token.clone();
        tokio::spawn(async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = sb.start_session(&token).await;
    let status = tokio::time::timeout(Duration::from_secs(5), held)
        .await
        .expect("the held poll answered")
        .unwrap();
    assert_eq!(status, StatusCode::CONFLICT);
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
        .call_json(
            Method::GET,
            &format!("{BASE}/agents/{ADA_AGENT}/skills"),
            &token,
            None,
        )
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
    let (status, _) = sb
        .call_json(
            Method::GET,
            &format!("{BASE}/agents/5f3c9a1e-7b2d-4c8e-9a41-0d6e2b7f1ada/skills"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = sb
        .call_json(
            Method::GET,
            &format!("{BASE}/agents/3190602/skills"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = sb
        .call_json(
            Method::GET,
            &format!("{BASE}/agents/1/skills"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
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
    let response = sb
        .call(
            Method::GET,
            &format!("{BASE}/agent-sessions/{session}/get-next-event?timeout=0"),
            &token,
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
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
    let held = {
        let http = sb.http.clone();
        let url = sb.url(&format!(
            "{BASE}/agent-sessions/{session}/get-next-event?timeout=60"
        ));
        tokio::spawn(async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    let status = tokio::time::timeout(Duration::from_secs(5), held)
        .await
        .expect("the held poll answered")
        .unwrap();
    assert_eq!(status, StatusCode::NOT_MODIFIED);
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
    let path = format!("{BASE}/agents/{ADA_AGENT}/states");
    let (status, body) = sb.call_json(Method::GET, &path, &token, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["agentStates"][0]["agentStateName"], "LoggedOut");
    assert_eq!(body["agentStates"][0]["agentStateId"], 0);

    let session = sb.start_session(&token).await;
    let (_, body) = sb.call_json(Method::GET, &path, &token, None).await;
    assert_eq!(body["agentStates"][0]["agentStateName"], "Unavailable");
    sb.set_state(
        &token,
        &session,
        json!({"state": "Unavailable", "reason": "Break"}),
    )
    .await;
    let (_, body) = sb.call_json(Method::GET, &path, &token, None).await;
    let now = &body["agentStates"][0];
    assert_eq!(now["agentStateName"], "Unavailable");
    assert_eq!(now["agentStateId"], 2);
    assert_eq!(now["outStateDescription"], "Break");
    assert_eq!(now["agentId"], ADA_AGENT);
    assert_eq!(now["teamId"], ADA_TEAM);
    assert_eq!(now["stationPhoneNumber"], "WebRTC");

    sb.call(
        Method::DELETE,
        &format!("{BASE}/agent-sessions/{session}"),
        &token,
        None,
    )
    .await;
    let (_, body) = sb.call_json(Method::GET, &path, &token, None).await;
    assert_eq!(body["agentStates"][0]["agentStateName"], "LoggedOut");
    let (status, _) = sb
        .call_json(
            Method::GET,
            &format!("{BASE}/agents/3190602/states"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

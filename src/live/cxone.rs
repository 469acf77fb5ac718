//! NICE CXone's agent session: start one, read its events by long polling, set the agent
//! state, list the team's unavailable codes, end it.
//!
//! Sources (see `../shared/AGENT-APIS.md` section 6): `@nice-devone/acd-sdk` 26.2.1 in
//! `nice-devone/nice-cxone-agent-sdk` (`dist/core-sdk/src/constants/api-uri-constants.js` for
//! the v23.0 paths; `acd-session-manager.js` `startSession` and the sample `AcdSdk.tsx` for the
//! start body `{stationId:"", stationPhoneNumber:"WebRTC"}` and the set-state body `{state,
//! reason}`; `util-worker.js` / `get-next-event-provider.js` for 304 = no events and 409 =
//! session ended; `agent-state-event.js` for the `AgentState` fields). The end-session body
//! values are not documented anywhere the facts file found: see [`end_session_body`].

use super::time::parse_iso_ms;
use crate::api::{api_failure, parse_api_json};
use crate::error::{AuthError, Endpoint};
use crate::query;
use crate::reply::{HttpReply, Refusal};
use serde::Deserialize;
use serde_json::Value;

const SERVICES: &str = "/InContactAPI/services/v23.0";

/// How long one `get-next-event` is held (0-60 s allowed). Below the app's 20 s fetch timeout,
/// as the SDK's short variant (15).
pub const POLL_TIMEOUT_SECS: u32 = 15;

/// `POST` starts a session.
pub fn sessions_url(api_base: &str) -> String {
    format!(
        "{}{SERVICES}/agent-sessions",
        api_base.trim_end_matches('/')
    )
}

fn session_url(api_base: &str, session_id: &str) -> String {
    format!("{}/{}", sessions_url(api_base), query::encode(session_id))
}

/// `GET`: the next events, held up to `timeout_secs`.
pub fn next_event_url(api_base: &str, session_id: &str, timeout_secs: u32) -> String {
    format!(
        "{}/get-next-event?timeout={}",
        session_url(api_base, session_id),
        timeout_secs.min(60)
    )
}

/// `POST`: set the agent state.
pub fn state_url(api_base: &str, session_id: &str) -> String {
    format!("{}/state", session_url(api_base, session_id))
}

/// `DELETE`: end the session.
pub fn end_session_url(api_base: &str, session_id: &str) -> String {
    session_url(api_base, session_id)
}

/// `GET`: the team's unavailable codes.
pub fn unavailable_codes_url(api_base: &str, team_id: &str) -> String {
    format!(
        "{}{SERVICES}/teams/{}/unavailable-codes",
        api_base.trim_end_matches('/'),
        query::encode(team_id)
    )
}

/// `GET`: the agent's current state (the Real-Time Data API's `GET /agents/{agentId}/states`,
/// as the third-party client generated from NICE's specs types it, `RealtimedataRealtimeService.ts`;
/// the version prefix is not verified), read again after a gap in polling.
pub fn agent_states_url(api_base: &str, agent_id: &str) -> String {
    format!(
        "{}{SERVICES}/agents/{}/states",
        api_base.trim_end_matches('/'),
        query::encode(agent_id)
    )
}

/// The start body of NICE's sample agent (a WebRTC station, no station id).
pub fn start_session_body() -> String {
    serde_json::json!({ "stationId": "", "stationPhoneNumber": "WebRTC" }).to_string()
}

/// The end body the SDK sends (`{forceLogoff, endContacts, ignorePersonalQueue}`). The values
/// are this app's choice: sign-out logs the agent off, but never ends a customer's contact.
pub fn end_session_body() -> String {
    serde_json::json!({ "forceLogoff": true, "endContacts": false, "ignorePersonalQueue": false })
        .to_string()
}

/// The two states an agent may set; the platform sets all the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateRequest {
    Available,
    /// With the unavailable code's name (`outStateName`).
    Unavailable(String),
}

pub fn set_state_body(request: &StateRequest) -> String {
    let (state, reason) = match request {
        StateRequest::Available => ("Available", ""),
        StateRequest::Unavailable(code) => ("Unavailable", code.as_str()),
    };
    serde_json::json!({ "state": state, "reason": reason }).to_string()
}

fn malformed(reason: &str) -> AuthError {
    AuthError::MalformedResponse {
        endpoint: Endpoint::Api,
        reason: reason.into(),
    }
}

/// A JSON string or number as text (CXone sends ids either way).
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.trim().to_owned()).filter(|t| !t.is_empty()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartWire {
    session_id: Option<Value>,
}

/// The start answer, `{sessionId}`: the id the other calls use.
pub fn parse_start_session(reply: &HttpReply) -> Result<String, AuthError> {
    let wire: StartWire = parse_api_json(reply, Endpoint::Api, "agent session")?;
    wire.session_id
        .as_ref()
        .and_then(text_of)
        .ok_or_else(|| malformed("the agent session has no sessionId"))
}

/// A write whose answer carries nothing the app reads (set state, end session): any 2xx.
pub fn parse_accepted(reply: &HttpReply) -> Result<(), AuthError> {
    match reply.check() {
        Ok(()) | Err(Refusal::NotJson) => Ok(()),
        Err(Refusal::Status) => Err(api_failure(reply)),
        Err(refusal) => Err(refusal.into_error(reply, Endpoint::Api)),
    }
}

/// An agent state, compared case-insensitively as the SDK does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentState {
    Available,
    Unavailable,
    LoggedOut,
    /// Handling a contact (`InboundContact`, `OutboundConsult`, `Dialer` ...), kept as sent.
    Working(String),
    Other(String),
}

impl AgentState {
    pub fn parse(value: &str) -> Self {
        let value = value.trim();
        match value.to_ascii_lowercase().as_str() {
            "available" => Self::Available,
            "unavailable" => Self::Unavailable,
            "loggedout" => Self::LoggedOut,
            "inboundcontact" | "outboundcontact" | "inboundconsult" | "outboundconsult"
            | "dialer" | "dialerpending" => Self::Working(value.to_owned()),
            _ => Self::Other(value.to_owned()),
        }
    }

    pub fn label(&self) -> &str {
        match self {
            Self::Available => "Available",
            Self::Unavailable => "Unavailable",
            Self::LoggedOut => "Logged out",
            Self::Working(_) => "Working",
            Self::Other(value) => value,
        }
    }
}

/// An `AgentState` event: the state the platform confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentStateReport {
    pub state: AgentState,
    /// `CurrentOutReason`: the unavailable code, when unavailable.
    pub out_reason: Option<String>,
    /// `StartTimeUTC`: since when.
    pub since_ms: Option<u64>,
    pub is_acw: bool,
}

/// One event of a `get-next-event` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    AgentState(AgentStateReport),
    /// `AgentSessionEnd` or `RemoteAgentSessionEnd`.
    SessionEnded,
    /// `UpdateUnavailableCodes`: read the codes again.
    CodesChanged,
    Other,
}

/// What one poll brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll {
    /// 200: events, and the session id to use from now on when the answer names one (the
    /// SDK replaces its id then).
    Events {
        session_id: Option<String>,
        events: Vec<SessionEvent>,
    },
    /// 304: the timeout passed with nothing; poll again at once.
    Nothing,
    /// 409: the session is over.
    Ended,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NextEventWire {
    session_id: Option<Value>,
    #[serde(default)]
    events: Vec<Value>,
}

/// `GET .../get-next-event`. A 401 never reaches here (the API helper renews and retries).
pub fn parse_next_event(reply: &HttpReply) -> Result<Poll, AuthError> {
    match reply.status {
        304 => return Ok(Poll::Nothing),
        409 => return Ok(Poll::Ended),
        _ => {}
    }
    let wire: NextEventWire = parse_api_json(reply, Endpoint::Api, "agent event list")?;
    Ok(Poll::Events {
        session_id: wire.session_id.as_ref().and_then(text_of),
        events: wire.events.iter().map(parse_event).collect(),
    })
}

fn field(event: &Value, name: &str) -> Option<String> {
    event.get(name).and_then(text_of)
}

fn parse_event(event: &Value) -> SessionEvent {
    let kind = field(event, "Type").unwrap_or_default();
    match kind.as_str() {
        "AgentState" => {
            let Some(state) = field(event, "CurrentState") else {
                return SessionEvent::Other;
            };
            let is_acw = match event.get("IsAcw") {
                Some(Value::Bool(flag)) => *flag,
                Some(Value::String(flag)) => flag.trim().eq_ignore_ascii_case("true"),
                _ => false,
            };
            SessionEvent::AgentState(AgentStateReport {
                state: AgentState::parse(&state),
                out_reason: field(event, "CurrentOutReason"),
                since_ms: field(event, "StartTimeUTC").and_then(|t| parse_iso_ms(&t)),
                is_acw,
            })
        }
        "AgentSessionEnd" | "RemoteAgentSessionEnd" => SessionEvent::SessionEnded,
        "UpdateUnavailableCodes" => SessionEvent::CodesChanged,
        _ => SessionEvent::Other,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CodesWire {
    #[serde(default)]
    unavailable_codes: Vec<CodeWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CodeWire {
    out_state_name: Option<String>,
    is_acw: Option<bool>,
    is_active: Option<bool>,
}

/// `GET .../teams/{teamId}/unavailable-codes`: the names an agent may pick, without inactive
/// codes and without after-call-work codes (setting one with no contact is refused with 409).
pub fn parse_unavailable_codes(reply: &HttpReply) -> Result<Vec<String>, AuthError> {
    let wire: CodesWire = parse_api_json(reply, Endpoint::Api, "unavailable code list")?;
    let mut names: Vec<String> = Vec::new();
    for code in wire.unavailable_codes {
        if code.is_active == Some(false) || code.is_acw == Some(true) {
            continue;
        }
        let Some(name) = code
            .out_state_name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AgentStatesWire {
    #[serde(default)]
    agent_states: Vec<AgentStateWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AgentStateWire {
    agent_state_name: Option<String>,
    out_state_description: Option<String>,
    start_date: Option<String>,
    #[serde(rename = "isACW")]
    is_acw: Option<bool>,
}

/// `GET .../agents/{agentId}/states`: the first entry as a report, `None` when it names no
/// state.
pub fn parse_agent_states(reply: &HttpReply) -> Result<Option<AgentStateReport>, AuthError> {
    let wire: AgentStatesWire = parse_api_json(reply, Endpoint::Api, "agent state")?;
    Ok(wire.agent_states.into_iter().next().and_then(|entry| {
        let name = entry.agent_state_name.filter(|n| !n.trim().is_empty())?;
        Some(AgentStateReport {
            state: AgentState::parse(&name),
            out_reason: entry
                .out_state_description
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty()),
            since_ms: entry.start_date.as_deref().and_then(parse_iso_ms),
            is_acw: entry.is_acw.unwrap_or(false),
        })
    }))
}

/// Whether a state read (`read`) may replace the state shown (`shown`): not when the shown
/// one is newer (an event that came in while the read was out).
pub fn read_is_current(read: &AgentStateReport, shown: Option<&AgentStateReport>) -> bool {
    match (read.since_ms, shown.and_then(|s| s.since_ms)) {
        (Some(read), Some(shown)) => read >= shown,
        _ => true,
    }
}

/// What the poll loop does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollNext {
    /// Poll again at once (events or a 304).
    Now,
    /// Wait this long, then poll again (a passing failure).
    After(u64),
    /// The session is over (409, an end event): stop polling.
    Ended,
    /// Polling cannot help (403; the auth session ended): stop.
    GiveUp,
}

/// First wait after a failed poll; doubled per consecutive failure up to
/// [`MAX_POLL_RETRY_DELAY_MS`]. (The SDK waits a flat 10 s.)
pub const FIRST_POLL_RETRY_DELAY_MS: u64 = 2_000;
pub const MAX_POLL_RETRY_DELAY_MS: u64 = 30_000;

pub fn poll_retry_delay_ms(failures: u32, jitter: f64) -> u64 {
    let exponent = failures.saturating_sub(1).min(16);
    let base = FIRST_POLL_RETRY_DELAY_MS
        .saturating_mul(1 << exponent)
        .min(MAX_POLL_RETRY_DELAY_MS);
    let jitter = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    base + (base as f64 * 0.2 * jitter) as u64
}

/// The loop's decision after one poll; `failures` counts consecutive failed polls.
pub fn after_poll(result: &Result<Poll, AuthError>, failures: &mut u32, jitter: f64) -> PollNext {
    match result {
        Ok(Poll::Ended) => PollNext::Ended,
        Ok(Poll::Events { events, .. }) if events.contains(&SessionEvent::SessionEnded) => {
            PollNext::Ended
        }
        Ok(_) => {
            *failures = 0;
            PollNext::Now
        }
        Err(AuthError::Forbidden { .. } | AuthError::SessionExpired) => PollNext::GiveUp,
        Err(error) => {
            *failures = failures.saturating_add(1);
            let wait = poll_retry_delay_ms(*failures, jitter);
            // A long Retry-After is the server's to set.
            let wait = match error {
                AuthError::RateLimited {
                    retry_after_secs: Some(secs),
                } => wait.max(secs.saturating_mul(1000)),
                _ => wait,
            };
            PollNext::After(wait)
        }
    }
}

#[cfg(test)]
mod tests {
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
            "https://api-na1.niceincontact.com/InContactAPI/services/v23.0/agent-sessions/s%201/get-next-event?timeout=15"
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
        let Poll::Events { session_id, events } = parse_next_event(&reply(200, body)).unwrap()
        else {
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
        let body = r#"{"agentStates":[{"agentId":3181501,"agentStateId":2,"agentStateName":"Unavailable",
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
            {"outStateName":"Lunch","isAcw":false,"isActive":true,"isPersonalConnection":false,"skillName":""},
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
}

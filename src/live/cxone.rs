//! NICE CXone's agent session: start one, read its events by long polling, set the agent
//! state, list the team's unavailable codes, end it.
//!
//! Sources: `@nice-devone/acd-sdk` 26.2.1 in
//! `nice-devone/nice-cxone-agent-sdk` (`dist/core-sdk/src/constants/api-uri-constants.js` for
//! the v23.0 paths; `acd-session-manager.js` `startSession` and the sample `AcdSdk.tsx` for the
//! start body `{stationId:"", stationPhoneNumber:"WebRTC"}` and the set-state body `{state,
//! reason}`; `util-worker.js` / `get-next-event-provider.js` for 304 = no events and 409 =
//! session ended; `agent-state-event.js` for the `AgentState` fields). The end-session body
//! values are not documented anywhere the facts file found: see [`end_session_body`].
//!
//! This file reads the answers; [`requests`] builds the paths and bodies, [`poll`] decides
//! what the poll loop does next.

use super::time::parse_iso_ms;
use crate::api::{api_failure, parse_api_json};
use crate::error::{AuthError, Endpoint};
use crate::query;
use crate::reply::{HttpReply, Refusal};
use serde::Deserialize;
use serde_json::Value;

mod poll;
mod requests;

pub use poll::{
    after_poll, poll_retry_delay_ms, PollNext, FIRST_POLL_RETRY_DELAY_MS, MAX_POLL_RETRY_DELAY_MS,
};
pub use requests::{
    agent_states_url, end_session_body, end_session_url, next_event_url, sessions_url,
    set_state_body, start_session_body, state_url, unavailable_codes_url, StateRequest,
    POLL_TIMEOUT_SECS,
};

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
        .filter(|id| query::is_path_segment(id))
        .ok_or_else(|| malformed("the agent session has no usable sessionId"))
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
        // A replacement id that cannot go in a URL is ignored: the current one stays.
        session_id: wire
            .session_id
            .as_ref()
            .and_then(text_of)
            .filter(|id| query::is_path_segment(id)),
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

#[cfg(test)]
mod tests;

//! The CXone agent session's requests: the v23.0 paths and the JSON bodies (sources in the
//! parent module's header).

use crate::query;

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
/// as the third-party client generated from NICE's specs types it,
/// `RealtimedataRealtimeService.ts`; the version prefix is not verified), read again after a
/// gap in polling.
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

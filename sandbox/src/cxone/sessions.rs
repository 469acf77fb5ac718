//! CXone agent sessions (AGENT-APIS.md §6), at the paths NICE's SDK uses under the
//! tenant's `api_endpoint` (`/InContactAPI/services/v23.0/…`; any `vN.M` and the docs'
//! `/inContactAPI/` spelling are accepted too):
//!
//! - POST …/agent-sessions (JSON body or query: `stationId` / `stationPhoneNumber`) →
//!   202 `{sessionId}`; queues `AgentSessionStart`, then `AgentState` Unavailable, no reason
//! - GET …/agent-sessions/{sid}/get-next-event?timeout=N (0-60): held until an event
//!   arrives or the timeout (at most the long-poll cap) passes; 200 `{sessionId, events}`,
//!   304 with none, 409 once the session has ended and its last events were read
//! - POST …/agent-sessions/{sid}/state `{state, reason}` (JSON or query) → 202; queues
//!   `AgentState`
//! - DELETE …/agent-sessions/{sid} → 202; queues `AgentSessionEnd`, later polls 409
//!
//! An agent has one session: starting another ends the previous one (its polls get 409).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use tokio::sync::Notify;

use super::agents::{check_version, codes_of, UnavailableCode};
use super::users::{profile, CxoneProfile};
use super::{api_error, authenticate, pass, BUSINESS_UNIT_ID};
use crate::clock::iso8601;
use crate::controls::{Counter, Endpoint};
use crate::params::Params;
use crate::responses::Refusal;
use crate::users::{by_id, DemoUser};
use crate::{random, AppState};

/// Where a session stands.
#[derive(Debug)]
struct Session {
    user_id: String,
    events: VecDeque<Value>,
    ended: bool,
    station_phone: String,
    /// The agent state the last `AgentState` event of the API reported.
    current: AgentNow,
    /// Woken whenever an event is queued or the session ends.
    notify: Arc<Notify>,
}

/// An agent's state in a live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentNow {
    pub state: &'static str,
    pub reason: String,
    pub since: SystemTime,
    pub station_phone: String,
}

#[derive(Default)]
struct SessionsState {
    sessions: HashMap<String, Session>,
    /// The server is stopping: polls answer 304 at once.
    released: bool,
}

pub struct Sessions {
    inner: Mutex<SessionsState>,
    /// Polls waiting now (past their token's check, held for an event): tests wait for one
    /// before changing tokens, so that no poll is still on its way in.
    polls_held: AtomicUsize,
}

/// Counts one held poll for as long as it lives (a poll whose client went away is dropped
/// mid-wait, and is uncounted then too).
struct HeldPoll<'a>(&'a AtomicUsize);

impl<'a> HeldPoll<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for HeldPoll<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What a poll finds.
enum Poll {
    Events(Vec<Value>),
    Ended,
    Wait(Arc<Notify>),
}

impl Sessions {
    pub fn new(_started: SystemTime) -> Self {
        Self {
            inner: Mutex::new(SessionsState::default()),
            polls_held: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SessionsState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn live_sessions(&self) -> usize {
        self.lock().sessions.values().filter(|s| !s.ended).count()
    }

    pub fn polls_held(&self) -> usize {
        self.polls_held.load(Ordering::SeqCst)
    }

    /// Nothing to reset: a session's state lives and dies with it.
    pub fn reset_agents(&self) {}

    fn queue(session: &mut Session, event: Value) {
        session.events.push_back(event);
        session.notify.notify_waiters();
    }

    fn start(
        &self,
        user_id: &str,
        station_phone: &str,
        since: SystemTime,
        first_events: Vec<Value>,
    ) -> String {
        let mut state = self.lock();
        for old in state.sessions.values_mut() {
            if old.user_id == user_id && !old.ended {
                old.ended = true;
                old.notify.notify_waiters();
            }
        }
        let id = random::lower_alnum(32);
        state.sessions.insert(
            id.clone(),
            Session {
                user_id: user_id.to_string(),
                events: first_events.into(),
                ended: false,
                station_phone: station_phone.to_string(),
                current: AgentNow {
                    state: "Unavailable",
                    reason: String::new(),
                    since,
                    station_phone: station_phone.to_string(),
                },
                notify: Arc::new(Notify::new()),
            },
        );
        id
    }

    /// Runs `f` on the user's session `id`; `None` if there is none.
    fn with_session<T>(
        &self,
        id: &str,
        user_id: &str,
        f: impl FnOnce(&mut Session) -> T,
    ) -> Option<T> {
        let mut state = self.lock();
        let session = state
            .sessions
            .get_mut(id)
            .filter(|s| s.user_id == user_id)?;
        Some(f(session))
    }

    /// Shutdown: every held poll answers now, later ones at once.
    pub fn release_all(&self) {
        let mut state = self.lock();
        state.released = true;
        for s in state.sessions.values() {
            s.notify.notify_waiters();
        }
    }

    fn released(&self) -> bool {
        self.lock().released
    }

    fn poll(&self, id: &str, user_id: &str) -> Option<Poll> {
        self.with_session(id, user_id, |s| {
            if !s.events.is_empty() {
                Poll::Events(s.events.drain(..).collect())
            } else if s.ended {
                Poll::Ended
            } else {
                Poll::Wait(s.notify.clone())
            }
        })
    }

    /// The state of the user's live session; `None` when logged out.
    pub fn current(&self, user_id: &str) -> Option<AgentNow> {
        let state = self.lock();
        state
            .sessions
            .values()
            .find(|s| s.user_id == user_id && !s.ended)
            .map(|s| s.current.clone())
    }

    /// Test controls: an event for each of the user's live sessions; returns how many.
    pub fn push(&self, user_id: &str, event: Value) -> usize {
        let mut state = self.lock();
        let mut n = 0;
        for s in state.sessions.values_mut() {
            if s.user_id == user_id && !s.ended {
                Self::queue(s, event.clone());
                n += 1;
            }
        }
        n
    }

    /// Test controls: ends the user's live sessions from the platform's side, after a
    /// `RemoteAgentSessionEnd` event or (without) at once: their next poll gets 409.
    pub fn end_remotely(&self, user_id: &str, with_event: bool) -> usize {
        let mut state = self.lock();
        let mut n = 0;
        for s in state.sessions.values_mut() {
            if s.user_id == user_id && !s.ended {
                if with_event {
                    s.events
                        .push_back(event("RemoteAgentSessionEnd", Map::new()));
                } else {
                    s.events.clear();
                }
                s.ended = true;
                s.notify.notify_waiters();
                n += 1;
            }
        }
        n
    }

    /// Test controls: `[{session_id, user_id, ended, queued}]`.
    pub fn describe(&self) -> Vec<Value> {
        let state = self.lock();
        let mut list: Vec<Value> = state
            .sessions
            .iter()
            .map(|(id, s)| {
                json!({
                    "session_id": id,
                    "user_id": s.user_id,
                    "ended": s.ended,
                    "queued": s.events.len(),
                })
            })
            .collect();
        list.sort_by_key(|v| v["session_id"].as_str().unwrap_or_default().to_string());
        list
    }
}

/// An event as get-next-event returns it: `Type`, the hosts the generated spec shows on
/// each event, then `fields`. Every value a string, as in NICE's examples.
pub fn event(kind: &str, fields: Map<String, Value>) -> Value {
    let mut e = Map::new();
    e.insert("Type".into(), json!(kind));
    e.insert("IISHost".into(), json!("SANDBOX-IIS01"));
    e.insert("VCHost".into(), json!("SANDBOX-VC01"));
    e.extend(fields);
    Value::Object(e)
}

fn fields(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// `AgentSessionStart`, with the fields of NICE's documented example.
fn start_event(profile: &CxoneProfile, station_phone: &str) -> Value {
    event(
        "AgentSessionStart",
        fields(&[
            ("BusNo", json!(BUSINESS_UNIT_ID.to_string())),
            ("AgentId", json!(profile.agent_id.to_string())),
            // "NOT the same as the session ID used by the API".
            (
                "SessionId",
                json!(format!("{}", 58_000_000 + profile.agent_id % 1_000_000)),
            ),
            ("StationPhoneNumber", json!(station_phone)),
            ("StationCallerId", json!("")),
            ("DialerCampaign", json!("")),
            ("SupervisorPermissionLevel", json!("0")),
            ("CanMask", json!("False")),
        ]),
    )
}

/// `AgentState`: the fields NICE's SDK parses (`agent-state-event.js`).
pub fn state_event(
    state: &str,
    reason: &str,
    since: SystemTime,
    codes: &[UnavailableCode],
) -> Value {
    let mut next = vec![
        json!({"State": "Available", "OutReason": ""}),
        json!({"State": "Unavailable", "OutReason": ""}),
    ];
    next.extend(
        codes
            .iter()
            .filter(|c| c.is_active && !c.is_acw)
            .map(|c| json!({"State": "Unavailable", "OutReason": c.name})),
    );
    event(
        "AgentState",
        fields(&[
            ("CurrentState", json!(state)),
            ("CurrentOutReason", json!(reason)),
            ("StartTimeUTC", json!(iso8601(since))),
            ("AcwTimeout", json!("")),
            ("IsAcw", json!("False")),
            ("NextStates", Value::Array(next)),
            ("NextIsAcw", json!("False")),
        ]),
    )
}

fn bad_request(message: &str) -> Refusal {
    api_error(StatusCode::BAD_REQUEST, message).into()
}

fn session_not_found() -> Refusal {
    api_error(StatusCode::NOT_FOUND, "Agent session not found").into()
}

fn session_ended() -> Response {
    api_error(StatusCode::CONFLICT, "The agent session has ended.")
}

/// The request's parameters: a JSON object body, or else the query string (NICE's
/// generated spec has them as query parameters, the SDK sends JSON).
fn parameters(uri: &Uri, body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    if body.iter().any(|b| !b.is_ascii_whitespace()) {
        return match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(bad_request("The request body must be a JSON object.")),
        };
    }
    let params = Params::from_query(uri.query());
    let mut map = Map::new();
    for name in [
        "stationId",
        "stationPhoneNumber",
        "asAgentId",
        "state",
        "reason",
        "forceLogoff",
        "endContacts",
        "ignorePersonalQueue",
    ] {
        match params.single(name) {
            Ok(Some(v)) => {
                map.insert(name.into(), json!(v));
            }
            Ok(None) => {}
            Err(_) => return Err(bad_request(&format!("{name} was given more than once"))),
        }
    }
    Ok(map)
}

/// A string parameter (absent or null: empty; another type: 400).
fn text<'a>(map: &'a Map<String, Value>, name: &str) -> Result<&'a str, Refusal> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(bad_request(&format!("{name} must be a string"))),
    }
}

/// The token's demo user.
async fn agent(state: &AppState, headers: &HeaderMap) -> Result<&'static DemoUser, Refusal> {
    pass(state, &[Endpoint::Live]).await?;
    let grant = authenticate(state, headers)?;
    Ok(by_id(&grant.user_id)
        .ok_or_else(|| super::invalid_token("The access token is invalid, expired or revoked."))?)
}

/// The checks every request with parameters starts with: the path's version, the token's
/// agent; then its parameters (query and JSON body).
async fn agent_with_params(
    state: &AppState,
    version: &str,
    headers: &HeaderMap,
    uri: &Uri,
    body: &[u8],
) -> Result<(&'static DemoUser, Map<String, Value>), Refusal> {
    check_version(version)?;
    let user = agent(state, headers).await?;
    Ok((user, parameters(uri, body)?))
}

/// POST …/agent-sessions.
pub async fn start(
    State(state): State<AppState>,
    Path(version): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Result<Response, Refusal> {
    let (user, params) = agent_with_params(&state, &version, &headers, &uri, &body).await?;
    let station_id = text(&params, "stationId")?;
    let station_phone = text(&params, "stationPhoneNumber")?;
    if station_id.is_empty() && station_phone.is_empty() {
        return Err(bad_request("stationId or stationPhoneNumber is required."));
    }
    let p = profile(user);
    match params.get("asAgentId") {
        None | Some(Value::Null) => {}
        Some(v)
            if v.as_u64() == Some(p.agent_id) || v.as_str() == Some(&p.agent_id.to_string()) => {}
        Some(_) => {
            return Err(api_error(
                StatusCode::FORBIDDEN,
                "You do not have permission to start a session as another agent.",
            )
            .into())
        }
    }
    let now = SystemTime::now();
    let first = vec![
        start_event(p, station_phone),
        state_event("Unavailable", "", now, codes_of(p.team_id)),
    ];
    let session_id = state.cxone_live.start(user.id, station_phone, now, first);
    state.controls().count(Counter::AgentSessionsStarted);
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "sessionId": session_id })),
    )
        .into_response())
}

/// The `timeout` query parameter: whole seconds, 0 to 60.
fn poll_timeout(uri: &Uri) -> Result<Duration, Refusal> {
    match Params::from_query(uri.query()).single("timeout") {
        Ok(Some(v)) => match v.parse::<u64>() {
            Ok(secs @ 0..=60) => Ok(Duration::from_secs(secs)),
            _ => Err(bad_request(
                "timeout must be a whole number of seconds from 0 to 60.",
            )),
        },
        Ok(None) => Err(bad_request("timeout is required.")),
        Err(_) => Err(bad_request("timeout was given more than once.")),
    }
}

/// GET …/agent-sessions/{sid}/get-next-event?timeout=N.
pub async fn next_event(
    State(state): State<AppState>,
    Path((version, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Refusal> {
    check_version(&version)?;
    state.controls().count(Counter::AgentSessionPolls);
    let user = agent(&state, &headers).await?;
    let timeout = poll_timeout(&uri)?;
    let cap = state.controls().live().settings.long_poll_cap;
    let deadline = tokio::time::Instant::now() + timeout.min(cap);
    loop {
        let notify = match state.cxone_live.poll(&session_id, user.id) {
            None => return Err(session_not_found()),
            Some(Poll::Events(events)) => {
                return Ok(
                    Json(json!({ "sessionId": session_id, "events": events })).into_response()
                )
            }
            Some(Poll::Ended) => return Ok(session_ended()),
            Some(Poll::Wait(notify)) => notify,
        };
        let notified = notify.notified();
        tokio::pin!(notified);
        // Registered before looking again, so an event queued in between is not missed.
        notified.as_mut().enable();
        if state.cxone_live.released() {
            return Ok(StatusCode::NOT_MODIFIED.into_response());
        }
        let ready = !matches!(
            state.cxone_live.poll_peek(&session_id, user.id),
            Some(false)
        );
        if !ready {
            let _held = HeldPoll::new(&state.cxone_live.polls_held);
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(StatusCode::NOT_MODIFIED.into_response());
            }
        }
    }
}

impl Sessions {
    /// Whether a poll would answer at once (events queued or session ended).
    fn poll_peek(&self, id: &str, user_id: &str) -> Option<bool> {
        self.with_session(id, user_id, |s| !s.events.is_empty() || s.ended)
    }
}

/// POST …/agent-sessions/{sid}/state `{state: Available|Unavailable, reason}`: only these
/// two can be set ("the platform sets the other states"). `reason` is one of the team's
/// active unavailable codes (400 otherwise); an ACW code without a contact is 409, as the
/// CXone Studio help says of Set Agent State.
pub async fn set_state(
    State(state): State<AppState>,
    Path((version, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Result<Response, Refusal> {
    let (user, params) = agent_with_params(&state, &version, &headers, &uri, &body).await?;
    let wanted = text(&params, "state")?;
    let reason = text(&params, "reason")?;
    let codes = codes_of(profile(user).team_id);
    let new_state = if wanted.eq_ignore_ascii_case("available") {
        if !reason.is_empty() {
            return Err(bad_request(
                "A reason applies to the Unavailable state only.",
            ));
        }
        "Available"
    } else if wanted.eq_ignore_ascii_case("unavailable") {
        if !reason.is_empty() {
            match codes.iter().find(|c| c.name == reason && c.is_active) {
                None => return Err(bad_request(&format!("Invalid unavailable code: {reason}"))),
                Some(code) if code.is_acw => {
                    return Err(api_error(
                        StatusCode::CONFLICT,
                        "An after-call-work code needs an active contact.",
                    )
                    .into())
                }
                Some(_) => {}
            }
        }
        "Unavailable"
    } else {
        return Err(bad_request("state must be Available or Unavailable."));
    };
    let now = SystemTime::now();
    let event = state_event(new_state, reason, now, codes);
    change_live_session(
        &state,
        &session_id,
        user.id,
        Counter::AgentStateChanges,
        |s| {
            s.current = AgentNow {
                state: new_state,
                reason: reason.to_string(),
                since: now,
                station_phone: s.station_phone.clone(),
            };
            Sessions::queue(s, event);
        },
    )
}

/// DELETE …/agent-sessions/{sid} (`forceLogoff`, `endContacts`, `ignorePersonalQueue`
/// accepted and ignored: the demo agents have no contacts).
pub async fn end(
    State(state): State<AppState>,
    Path((version, session_id)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Result<Response, Refusal> {
    let (user, _) = agent_with_params(&state, &version, &headers, &uri, &body).await?;
    change_live_session(
        &state,
        &session_id,
        user.id,
        Counter::AgentSessionsEnded,
        |s| {
            s.events.push_back(event("AgentSessionEnd", Map::new()));
            s.ended = true;
            s.notify.notify_waiters();
        },
    )
}

/// Applies `change` to the agent's session `session_id` if it is still live, and answers as
/// the state and end requests do: 202 (counted), 409 once it has ended, 404 if it is not
/// this agent's.
fn change_live_session(
    state: &AppState,
    session_id: &str,
    user_id: &str,
    counter: Counter,
    change: impl FnOnce(&mut Session),
) -> Result<Response, Refusal> {
    let outcome = state.cxone_live.with_session(session_id, user_id, |s| {
        if s.ended {
            return false;
        }
        change(s);
        true
    });
    match outcome {
        None => Err(session_not_found()),
        Some(false) => Ok(session_ended()),
        Some(true) => {
            state.controls().count(counter);
            Ok(StatusCode::ACCEPTED.into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cxone::users::PROFILES;

    #[test]
    fn state_event_lists_the_settable_states() {
        let codes = codes_of(PROFILES[0].team_id);
        let e = state_event("Unavailable", "Lunch", SystemTime::UNIX_EPOCH, codes);
        assert_eq!(e["Type"], "AgentState");
        assert_eq!(e["CurrentOutReason"], "Lunch");
        assert_eq!(e["IsAcw"], "False");
        assert_eq!(e["StartTimeUTC"], "1970-01-01T00:00:00.000Z");
        let next = e["NextStates"].as_array().unwrap();
        assert_eq!(next[0], json!({"State": "Available", "OutReason": ""}));
        // Inactive and ACW codes cannot be chosen.
        assert!(next.iter().all(|n| n["OutReason"] != "Follow-up"));
        assert!(next.iter().all(|n| n["OutReason"] != "Old break"));
        assert!(next.iter().any(|n| n["OutReason"] == "Lunch"));
    }

    #[test]
    fn a_new_session_ends_the_agents_previous_one() {
        let sessions = Sessions::new(SystemTime::now());
        let now = SystemTime::now();
        let first = sessions.start("u", "WebRTC", now, vec![json!({"Type": "A"})]);
        assert_eq!(sessions.current("u").unwrap().state, "Unavailable");
        assert!(matches!(sessions.poll(&first, "u"), Some(Poll::Events(e)) if e.len() == 1));
        assert!(matches!(sessions.poll(&first, "u"), Some(Poll::Wait(_))));
        assert!(sessions.poll(&first, "someone else").is_none());
        let second = sessions.start("u", "WebRTC", now, Vec::new());
        assert!(matches!(sessions.poll(&first, "u"), Some(Poll::Ended)));
        assert_eq!(sessions.live_sessions(), 1);
        assert_eq!(sessions.end_remotely("u", true), 1);
        let ended = sessions.poll(&second, "u");
        assert!(matches!(ended, Some(Poll::Events(e)) if e[0]["Type"] == "RemoteAgentSessionEnd"));
        assert!(matches!(sessions.poll(&second, "u"), Some(Poll::Ended)));
        assert_eq!(sessions.current("u"), None);
    }
}

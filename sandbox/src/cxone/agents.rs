//! What an agent desktop reads about the agent besides its session, under the same
//! `/InContactAPI/services/{version}/` prefix:
//!
//! - GET …/teams/{teamId}/unavailable-codes → `{unavailableCodes: [{outStateName, isAcw,
//!   isActive, isPersonalConnection, skillName}]}` (NICE's SDK, `api-uri-constants.js`)
//! - GET …/agents/{agentId}/states → `{agentStates: [{agentId, agentStateId, agentStateName,
//!   …}]}` (the Real-Time Data API as the same third-party client types it,
//!   `RealtimedataRealtimeService.ts`): the current state, for re-reading after a gap
//! - GET …/agents/{agentId}/skills → `{totalRecords, _links, businessUnitId, lastPollTime,
//!   agentSkillAssignments: [...]}` (NICE's Admin API "Returns Skills assigned to an agent",
//!   `GET /agents/{agentId|userId}/skills`, as typed by the third-party client generated
//!   from NICE's specs, calljacob/nice-cxone-api `AdminAgentsService.ts`)

use std::time::SystemTime;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::users::{names, profile, PROFILES};
use super::{api_error, authenticate, pass, BUSINESS_UNIT_ID};
use crate::clock::iso8601;
use crate::controls::Endpoint;
use crate::responses::Refusal;
use crate::users::by_id;
use crate::AppState;

/// `v23.0`, `v13.0`...: the API versions in NICE's paths.
pub fn check_version(version: &str) -> Result<(), Refusal> {
    let valid = version
        .strip_prefix('v')
        .and_then(|v| v.split_once('.'))
        .is_some_and(|(major, minor)| {
            !major.is_empty()
                && !minor.is_empty()
                && major.len() <= 3
                && minor.len() <= 3
                && major
                    .bytes()
                    .chain(minor.bytes())
                    .all(|b| b.is_ascii_digit())
        });
    if valid {
        Ok(())
    } else {
        Err(api_error(StatusCode::NOT_FOUND, "Not found").into())
    }
}

/// One unavailable code of a team.
#[derive(Debug, PartialEq, Eq)]
pub struct UnavailableCode {
    pub name: &'static str,
    pub is_acw: bool,
    pub is_active: bool,
}

const fn code(name: &'static str, is_acw: bool, is_active: bool) -> UnavailableCode {
    UnavailableCode {
        name,
        is_acw,
        is_active,
    }
}

/// Both demo teams have the same codes: four to choose, one for after-call work (which
/// needs a contact) and one retired.
pub const CODES: &[UnavailableCode] = &[
    code("Break", false, true),
    code("Lunch", false, true),
    code("Meeting", false, true),
    code("Training", false, true),
    code("Follow-up", true, true),
    code("Old break", false, false),
];

/// The codes of a team (every demo team has `CODES`; an unknown team none).
pub fn codes_of(team_id: &str) -> &'static [UnavailableCode] {
    if PROFILES.iter().any(|p| p.team_id == team_id) {
        CODES
    } else {
        &[]
    }
}

/// GET …/teams/{teamId}/unavailable-codes; 404 for a team that is not a demo team.
pub async fn unavailable_codes(
    State(state): State<AppState>,
    Path((version, team_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    check_version(&version)?;
    pass(&state, &[Endpoint::Live]).await?;
    authenticate(&state, &headers)?;
    if !PROFILES.iter().any(|p| p.team_id == team_id) {
        return Err(api_error(StatusCode::NOT_FOUND, "Team not found").into());
    }
    let codes: Vec<Value> = codes_of(&team_id)
        .iter()
        .map(|c| {
            json!({
                "outStateName": c.name,
                "isAcw": c.is_acw,
                "isActive": c.is_active,
                "isPersonalConnection": false,
                "skillName": "",
            })
        })
        .collect();
    Ok(Json(json!({ "unavailableCodes": codes })).into_response())
}

/// The demo profile an `{agentId}` path segment names (agent id or user id), if it is the
/// caller's own: 403 for the other demo agent, 404 for anyone else.
fn own_profile(
    agent_id: &str,
    user_id: &str,
) -> Result<&'static super::users::CxoneProfile, Refusal> {
    let target = PROFILES
        .iter()
        .find(|p| p.agent_id.to_string() == agent_id || p.user_id == agent_id)
        .ok_or_else(|| api_error(StatusCode::NOT_FOUND, "Agent not found"))?;
    if target.user_id != user_id {
        return Err(api_error(
            StatusCode::FORBIDDEN,
            "You do not have permission to read this agent's data.",
        )
        .into());
    }
    Ok(target)
}

/// NICE's agent state ids (`agent-states-id.d.ts`): 0 LoggedOut, 1 Available, 2 Unavailable.
fn state_id(name: &str) -> u64 {
    match name {
        "Available" => 1,
        "Unavailable" => 2,
        _ => 0,
    }
}

/// GET …/agents/{agentId}/states: the agent's state in its live session, `LoggedOut`
/// without one. A subset of the typed fields: those the sandbox can fill.
pub async fn states(
    State(state): State<AppState>,
    Path((version, agent_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    check_version(&version)?;
    pass(&state, &[Endpoint::Live]).await?;
    let grant = authenticate(&state, &headers)?;
    let p = own_profile(&agent_id, &grant.user_id)?;
    let user = by_id(p.user_id).expect("every profile is a demo user's");
    let (first, last) = names(user);
    let now = state.cxone_live.current(user.id);
    let (name, reason, since, phone) = match &now {
        Some(n) => (
            n.state,
            n.reason.as_str(),
            n.since,
            n.station_phone.as_str(),
        ),
        None => ("LoggedOut", "", state.started, ""),
    };
    let poll = iso8601(SystemTime::now());
    Ok(Json(json!({
        "agentStates": [{
            "agentId": p.agent_id,
            "agentStateId": state_id(name),
            "agentStateName": name,
            "businessUnitId": BUSINESS_UNIT_ID,
            "firstName": first,
            "lastName": last,
            "isACW": false,
            "isOutbound": false,
            "openContacts": 0,
            "outStateDescription": reason,
            "startDate": iso8601(since),
            "lastUpdateTime": iso8601(since),
            "lastPollTime": poll,
            "stationPhoneNumber": phone,
            "teamId": p.team_id,
        }]
    }))
    .into_response())
}

/// One skill a demo agent has: id, name, media type, proficiency.
struct DemoSkill {
    id: u64,
    name: &'static str,
    media_type_id: u64,
    media_type: &'static str,
    proficiency: u64,
    outbound: bool,
}

/// NICE's media type ids: 1 email, 3 chat, 4 phone call (as in its skill records).
const ADA_SKILLS: &[DemoSkill] = &[
    DemoSkill {
        id: 1_101_001,
        name: "Customer Care Voice",
        media_type_id: 4,
        media_type: "Phone Call",
        proficiency: 1,
        outbound: false,
    },
    DemoSkill {
        id: 1_101_002,
        name: "Billing Chat",
        media_type_id: 3,
        media_type: "Chat",
        proficiency: 2,
        outbound: false,
    },
    DemoSkill {
        id: 1_101_003,
        name: "Refunds Email",
        media_type_id: 1,
        media_type: "Email",
        proficiency: 3,
        outbound: false,
    },
];

const GRACE_SKILLS: &[DemoSkill] = &[
    DemoSkill {
        id: 1_102_001,
        name: "Technical Support Voice",
        media_type_id: 4,
        media_type: "Phone Call",
        proficiency: 1,
        outbound: false,
    },
    DemoSkill {
        id: 1_102_002,
        name: "Escalations Callback",
        media_type_id: 4,
        media_type: "Phone Call",
        proficiency: 1,
        outbound: true,
    },
];

/// Proficiency names as CXone shows them (1 is the highest).
fn proficiency_name(value: u64) -> &'static str {
    match value {
        1 => "High",
        2 => "Medium",
        _ => "Low",
    }
}

/// GET …/agents/{agentId}/skills (the path also takes the user id). An agent reads its
/// own: 403 for the other demo agent, 404 for anyone else.
pub async fn skills(
    State(state): State<AppState>,
    Path((version, agent_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    check_version(&version)?;
    pass(&state, &[Endpoint::Live]).await?;
    let grant = authenticate(&state, &headers)?;
    let target = own_profile(&agent_id, &grant.user_id)?;
    let user = by_id(target.user_id).expect("every profile is a demo user's");
    let (first, last) = names(user);
    let p = profile(user);
    let list = if p.agent_id == PROFILES[0].agent_id {
        ADA_SKILLS
    } else {
        GRACE_SKILLS
    };
    let now = iso8601(SystemTime::now());
    let assignments: Vec<Value> = list
        .iter()
        .map(|s| {
            json!({
                "userId": user.id,
                "firstName": first,
                "lastName": last,
                "skillId": s.id,
                "skillName": s.name,
                "mediaTypeId": s.media_type_id,
                "mediaTypeName": s.media_type,
                "isOutbound": s.outbound,
                "isActive": true,
                "isSkillActive": true,
                "agentProficiencyValue": s.proficiency,
                "agentProficiencyName": proficiency_name(s.proficiency),
                "lastUpdateTime": "2026-01-05T09:00:00.000Z",
            })
        })
        .collect();
    Ok(Json(json!({
        "totalRecords": assignments.len(),
        "_links": { "self": format!("/InContactAPI/services/{version}/agents/{agent_id}/skills"), "next": null, "previous": null },
        "businessUnitId": BUSINESS_UNIT_ID,
        "lastPollTime": now,
        "agentSkillAssignments": assignments,
    }))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        for good in ["v23.0", "v13.0", "v2.0", "v33.0"] {
            assert!(check_version(good).is_ok(), "{good}");
        }
        for bad in ["23.0", "v23", "v.0", "vx.0", "v23.0.1", "v1234.0"] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn teams_have_codes() {
        assert_eq!(codes_of(PROFILES[1].team_id).len(), CODES.len());
        assert!(codes_of("nope").is_empty());
        assert_eq!(CODES.iter().filter(|c| c.is_acw).count(), 1);
    }
}

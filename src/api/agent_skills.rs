//! CXone's worked example of a typed API call, beside Genesys Cloud's "My queues": the skills
//! assigned to the signed-in agent, from `GET /agents/{agentId}/skills` under the tenant's API
//! base. The same three parts as `queues.rs`: view types, a pure parser tested below, and a
//! fetch through the auth store's API helper.
//!
//! Source: NICE's Admin API "Returns Skills assigned to an agent" (`GET /agents/{agentId}/
//! skills`, the agent id or the user id), shaped as a client generated from NICE's published
//! specs types it (`calljacob/nice-cxone-api` `AdminAgentsService.ts`, third-party):
//! `{totalRecords, businessUnitId, lastPollTime, agentSkillAssignments: [{skillId, skillName,
//! mediaTypeName, isOutbound, isActive, isSkillActive, agentProficiencyName, ...}]}`. The
//! version prefix (`v23.0`, as the agent-session paths of NICE's SDK) is not verified.
//! The agent needs a CXone role that may view their own skills; without it CXone answers 403.

use crate::api::parse_api_json;
use crate::config::{ProviderConfig, ProviderKind};
use crate::error::{AuthError, Endpoint};
use crate::query;
use crate::reply::HttpReply;
use crate::store::{AuthStore, UserState};
use leptos::prelude::*;
use serde::Deserialize;

/// The path under the tenant's API base, with the agent's id in place of `{agentId}`.
pub const AGENT_SKILLS_PATH: &str = "/InContactAPI/services/v23.0/agents/{agentId}/skills";

/// One skill, as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skill {
    pub id: String,
    pub name: String,
    /// "Phone Call", "Chat", "Email"...
    pub media: Option<String>,
    pub outbound: bool,
    pub proficiency: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SkillListing {
    #[serde(default)]
    agent_skill_assignments: Vec<SkillWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SkillWire {
    skill_id: serde_json::Value,
    skill_name: Option<String>,
    media_type_name: Option<String>,
    is_outbound: Option<bool>,
    is_active: Option<bool>,
    is_skill_active: Option<bool>,
    agent_proficiency_name: Option<String>,
}

pub fn agent_skills_url(api_base: &str, agent_id: &str) -> String {
    format!(
        "{}{}",
        api_base.trim_end_matches('/'),
        AGENT_SKILLS_PATH.replace("{agentId}", &query::encode(agent_id))
    )
}

/// CXone only.
pub fn offered_by(provider: &ProviderConfig) -> bool {
    matches!(provider.kind, ProviderKind::Cxone { .. })
}

fn text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The agent's skills, without inactive assignments or inactive skills.
pub fn parse_agent_skills(reply: &HttpReply) -> Result<Vec<Skill>, AuthError> {
    let listing: SkillListing = parse_api_json(reply, Endpoint::Api, "skill list")?;
    let mut skills = Vec::new();
    for wire in listing.agent_skill_assignments {
        if wire.is_active == Some(false) || wire.is_skill_active == Some(false) {
            continue;
        }
        let id = match wire.skill_id {
            serde_json::Value::String(id) if !id.trim().is_empty() => id.trim().to_owned(),
            serde_json::Value::Number(id) => id.to_string(),
            _ => {
                return Err(AuthError::MalformedResponse {
                    endpoint: Endpoint::Api,
                    reason: "a skill has no skillId".into(),
                })
            }
        };
        skills.push(Skill {
            name: text(wire.skill_name).unwrap_or_else(|| id.clone()),
            id,
            media: text(wire.media_type_name),
            outbound: wire.is_outbound.unwrap_or(false),
            proficiency: text(wire.agent_proficiency_name),
        });
    }
    Ok(skills)
}

/// The signed-in agent's CXone user id, once the profile is loaded (tracked).
pub fn agent_id(store: &AuthStore) -> Option<String> {
    store
        .user
        .with(|user| match user {
            UserState::Loaded(profile) => Some(profile.id.clone()),
            _ => None,
        })
        .filter(|id| !id.is_empty())
}

/// Loads the skills of `agent_id` (the signed-in agent's user id) through the auth store's
/// API helper.
pub async fn fetch_agent_skills(
    store: &AuthStore,
    agent_id: &str,
) -> Result<Vec<Skill>, AuthError> {
    let session = store.session().ok_or(AuthError::SessionExpired)?;
    let url = agent_skills_url(&session.endpoints.api_base, agent_id);
    let reply = store.api_get(&url, Endpoint::Api).await?;
    parse_agent_skills(&reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(status: u16, body: &str) -> HttpReply {
        HttpReply {
            status,
            content_type: Some("application/json".into()),
            retry_after: None,
            body: body.into(),
        }
    }

    #[test]
    fn url_under_the_tenant_api() {
        assert_eq!(
            agent_skills_url("https://api-na1.niceincontact.com/", "5f3c/9"),
            "https://api-na1.niceincontact.com/InContactAPI/services/v23.0/agents/5f3c%2F9/skills"
        );
    }

    #[test]
    fn reads_the_assignments() {
        let body = r#"{"totalRecords":3,"_links":{"self":"x","next":null,"previous":null},
            "businessUnitId":4600123,"lastPollTime":"2026-12-01T09:00:00.000Z","agentSkillAssignments":[
            {"userId":"u","skillId":11001,"skillName":"Customer Care Voice","mediaTypeId":4,"mediaTypeName":"Phone Call",
             "isOutbound":false,"isActive":true,"isSkillActive":true,"agentProficiencyValue":1,"agentProficiencyName":"High"},
            {"skillId":"11002","skillName":" ","mediaTypeName":"","isOutbound":true},
            {"skillId":11003,"skillName":"Retired","isActive":false},
            {"skillId":11004,"skillName":"Paused skill","isSkillActive":false}]}"#;
        assert_eq!(
            parse_agent_skills(&json(200, body)).unwrap(),
            [
                Skill {
                    id: "11001".into(),
                    name: "Customer Care Voice".into(),
                    media: Some("Phone Call".into()),
                    outbound: false,
                    proficiency: Some("High".into()),
                },
                Skill {
                    id: "11002".into(),
                    name: "11002".into(),
                    media: None,
                    outbound: true,
                    proficiency: None,
                },
            ]
        );
        assert_eq!(parse_agent_skills(&json(200, "{}")).unwrap(), []);
    }

    #[test]
    fn failures_are_typed() {
        assert!(matches!(
            parse_agent_skills(&json(403, r#"{"message":"Forbidden","statusCode":403}"#)),
            Err(AuthError::Forbidden { message: Some(m) }) if m == "Forbidden"
        ));
        assert!(matches!(
            parse_agent_skills(&json(
                200,
                r#"{"agentSkillAssignments":[{"skillName":"x"}]}"#
            )),
            Err(AuthError::MalformedResponse { .. })
        ));
        assert!(matches!(
            parse_agent_skills(&json(
                200,
                r#"{"agentSkillAssignments":[{"skillId":null}]}"#
            )),
            Err(AuthError::MalformedResponse { .. })
        ));
    }
}

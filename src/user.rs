//! The signed-in user, normalised from each provider's own shape into one type the views use.

use crate::api::parse_api_json;
use crate::error::{AuthError, Endpoint};
use crate::id_token::IdClaims;
use crate::reply::HttpReply;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserProfile {
    pub id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub username: Option<String>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub organization: Option<String>,
    pub presence: Option<String>,
    /// Genesys Cloud's ACD routing status (`routingStatus.status`: `IDLE`, `INTERACTING`,
    /// `OFF_QUEUE`...), when the provider reports one.
    pub routing_status: Option<String>,
    /// CXone's `teamId`: the team whose unavailable codes the agent may pick. An id, not
    /// shown (the record names no team).
    pub team_id: Option<String>,
}

impl UserProfile {
    /// Up to two initials for the avatar.
    pub fn initials(&self) -> String {
        self.display_name
            .split_whitespace()
            .filter_map(|word| word.chars().next())
            .filter(|c| c.is_alphanumeric())
            .take(2)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    }
}

#[derive(Deserialize)]
struct GenesysUser {
    id: String,
    name: Option<String>,
    email: Option<String>,
    username: Option<String>,
    title: Option<String>,
    department: Option<String>,
    organization: Option<Named>,
    presence: Option<GenesysPresence>,
    #[serde(rename = "routingStatus")]
    routing_status: Option<GenesysRoutingStatus>,
}

#[derive(Deserialize)]
struct GenesysRoutingStatus {
    status: Option<String>,
}

#[derive(Deserialize)]
struct Named {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenesysPresence {
    presence_definition: Option<PresenceDefinition>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PresenceDefinition {
    system_presence: Option<String>,
}

/// What the profile asks Genesys Cloud to add to `/api/v2/users/me`: presence, routing status
/// and the organization's name.
pub const GENESYS_ME_EXPAND: [&str; 3] = ["presence", "routingStatus", "organization"];

/// `/api/v2/users/me` with its expansions, one `expand=` per value: the official SDK declares
/// `expand` with collection format `multi` (`UsersApi.getUsersMe`), and no Genesys document
/// was found that promises the comma-separated form.
pub fn genesys_me_url(current_user: &str) -> String {
    let pairs: Vec<(&str, &str)> = GENESYS_ME_EXPAND
        .iter()
        .map(|value| ("expand", *value))
        .collect();
    crate::query::append_to_url(current_user, &pairs)
}

/// `GET /api/v2/users/me` on Genesys Cloud.
pub fn parse_genesys_user(reply: &HttpReply) -> Result<UserProfile, AuthError> {
    let user: GenesysUser = parse_api_json(reply, Endpoint::CurrentUser, "user record")?;
    // The id goes into the presence and routing status paths.
    if !crate::query::is_path_segment(&user.id) {
        return Err(AuthError::MalformedResponse {
            endpoint: Endpoint::CurrentUser,
            reason: "the user record has no usable id".into(),
        });
    }
    let non_empty =
        |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let email = non_empty(user.email);
    let username = non_empty(user.username);
    let display_name = non_empty(user.name)
        .or_else(|| username.clone())
        .or_else(|| email.clone())
        .unwrap_or_else(|| user.id.clone());
    Ok(UserProfile {
        id: user.id,
        display_name,
        email,
        username,
        title: non_empty(user.title),
        department: non_empty(user.department),
        organization: non_empty(user.organization.and_then(|o| o.name)),
        presence: non_empty(
            user.presence
                .and_then(|p| p.presence_definition)
                .and_then(|d| d.system_presence),
        ),
        routing_status: non_empty(user.routing_status.and_then(|r| r.status)),
        team_id: None,
    })
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

#[derive(Deserialize)]
struct CxoneUserEnvelope {
    user: CxoneUser,
}

/// The fields of NICE's user model (`CXoneUserDetails` in `@nice-devone/core-sdk`: `id,
/// userName, firstName, lastName, displayName, fullName, emailAddress, status, teamId,
/// roleUUID, timeZone, type`) that the profile shows. `teamId` and `roleUUID` are bare ids
/// with no names in the record, so they are not shown (no invented team or role names).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CxoneUser {
    id: Option<serde_json::Value>,
    user_name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    display_name: Option<String>,
    full_name: Option<String>,
    email_address: Option<String>,
    team_id: Option<serde_json::Value>,
}

/// The signed-in user's CXone user id, read as NICE's agent SDK reads it
/// (`CXoneUser.setUserDetails` in `@nice-devone/auth-sdk` 26.2.1: `user.userId ||
/// user.sub.slice(5)`): the `userId` claim, else `sub` without its `user:` prefix. A `sub`
/// without the prefix is used whole (the SDK would cut five characters off it).
pub fn cxone_user_id(claims: &IdClaims) -> Option<String> {
    let user_id = claims
        .text("userId")
        .map(str::trim)
        .filter(|id| !id.is_empty());
    let from_subject = || {
        claims
            .subject()
            .map(|sub| sub.strip_prefix("user:").unwrap_or(sub).trim())
            .filter(|id| !id.is_empty())
    };
    user_id
        .or_else(from_subject)
        .filter(|id| crate::query::is_path_segment(id))
        .map(str::to_owned)
}

/// CXone `GET /user-management/v1/users/<userId>`, `{"user": {...}}`. CXone has no job title
/// or department, and the record names no team or role (only their ids), so those stay empty;
/// `tenant` (the ID token's tenant name) stands in for the organisation. Presence is not part
/// of this record either, so it is left out rather than guessed.
pub fn parse_cxone_user(reply: &HttpReply, tenant: Option<&str>) -> Result<UserProfile, AuthError> {
    let CxoneUserEnvelope { user } = parse_api_json(reply, Endpoint::CurrentUser, "user record")?;
    let id = match user.id {
        Some(serde_json::Value::String(id)) => id,
        Some(serde_json::Value::Number(id)) => id.to_string(),
        _ => String::new(),
    };
    // The ids go into the agent state, skills and unavailable-code paths.
    if !crate::query::is_path_segment(&id) {
        return Err(AuthError::MalformedResponse {
            endpoint: Endpoint::CurrentUser,
            reason: "the user record has no usable id".into(),
        });
    }
    let username = non_empty(user.user_name);
    let email = non_empty(user.email_address);
    let first_last = non_empty(Some(format!(
        "{} {}",
        user.first_name.unwrap_or_default(),
        user.last_name.unwrap_or_default()
    )));
    let display_name = non_empty(user.full_name)
        .or(non_empty(user.display_name))
        .or(first_last)
        .or_else(|| username.clone())
        .or_else(|| email.clone())
        .unwrap_or_else(|| id.clone());
    Ok(UserProfile {
        id,
        display_name,
        email,
        username,
        organization: non_empty(tenant.map(str::to_owned)),
        team_id: match user.team_id {
            Some(serde_json::Value::String(id)) => non_empty(Some(id)),
            Some(serde_json::Value::Number(id)) => Some(id.to_string()),
            _ => None,
        }
        .filter(|id| crate::query::is_path_segment(id)),
        ..Default::default()
    })
}

#[derive(Deserialize)]
struct Userinfo {
    sub: String,
    name: Option<String>,
    email: Option<String>,
    preferred_username: Option<String>,
}

/// OpenID Connect userinfo. Its `sub` must be the ID token's (OIDC Core 5.3.4), or the
/// profile could be someone else's.
pub fn parse_userinfo(
    reply: &HttpReply,
    expected_subject: Option<&str>,
) -> Result<UserProfile, AuthError> {
    let info: Userinfo = parse_api_json(reply, Endpoint::CurrentUser, "user record")?;
    if expected_subject.is_some_and(|sub| sub != info.sub) {
        return Err(AuthError::UserMismatch);
    }
    let email = non_empty(info.email);
    let username = non_empty(info.preferred_username);
    let display_name = non_empty(info.name)
        .or_else(|| username.clone())
        .or_else(|| email.clone())
        .unwrap_or_else(|| info.sub.clone());
    Ok(UserProfile {
        id: info.sub,
        display_name,
        email,
        username,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests;

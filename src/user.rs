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
    user_id.or_else(from_subject).map(str::to_owned)
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
        },
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
mod tests {
    use super::*;
    use crate::api::api_error_message;
    use crate::reply::MAX_RESPONSE_BYTES;

    fn reply(status: u16, body: &str) -> HttpReply {
        HttpReply {
            status,
            content_type: Some("application/json".into()),
            retry_after: None,
            body: body.into(),
        }
    }

    #[test]
    fn reads_a_genesys_user_with_expansions() {
        let user = parse_genesys_user(&reply(
            200,
            r#"{"id":"u1","name":"Ada Lovelace","email":"ada@example.com","title":"Senior Agent","department":"Customer Care",
                "username":"ada@example.com","division":{"id":"d","name":"Home"},"organization":{"id":"o","name":"Sandbox Contact Center"},
                "presence":{"presenceDefinition":{"id":"p","systemPresence":"Available"}},"routingStatus":{"status":"IDLE"}}"#,
        ))
        .unwrap();
        assert_eq!(user.display_name, "Ada Lovelace");
        assert_eq!(user.title.as_deref(), Some("Senior Agent"));
        assert_eq!(user.department.as_deref(), Some("Customer Care"));
        assert_eq!(user.organization.as_deref(), Some("Sandbox Contact Center"));
        assert_eq!(user.presence.as_deref(), Some("Available"));
        assert_eq!(user.routing_status.as_deref(), Some("IDLE"));
        assert_eq!(user.initials(), "AL");
    }

    #[test]
    fn falls_back_when_optional_fields_are_missing() {
        let user = parse_genesys_user(&reply(
            200,
            r#"{"id":"u2","name":" ","email":"x@example.com","title":""}"#,
        ))
        .unwrap();
        assert_eq!(user.display_name, "x@example.com");
        assert_eq!(user.title, None);
        assert_eq!(user.presence, None);
        assert_eq!(user.routing_status, None);
        assert_eq!(
            parse_genesys_user(&reply(200, r#"{"id":"u3"}"#))
                .unwrap()
                .display_name,
            "u3"
        );
    }

    #[test]
    fn reads_a_cxone_user_in_the_sdk_model() {
        // The fields of NICE's CXoneUserDetails; teamId and roleUUID are ids only.
        let user = parse_cxone_user(
            &reply(200, r#"{"user":{"id":"11ec-u-9","userName":"ada@example.com","firstName":"Ada","lastName":"Lovelace",
                "displayName":"","fullName":"Ada Lovelace","emailAddress":"ada@example.com","status":"Active",
                "teamId":"11ec-t-1","roleUUID":"11ec-r-1","timeZone":"Europe/London","type":"Agent","billable":"true"}}"#),
            Some("Sandbox Contact Center"),
        )
        .unwrap();
        assert_eq!(user.id, "11ec-u-9");
        assert_eq!(user.display_name, "Ada Lovelace");
        assert_eq!(user.email.as_deref(), Some("ada@example.com"));
        assert_eq!(user.username.as_deref(), Some("ada@example.com"));
        assert_eq!(user.title, None, "no role name is invented from roleUUID");
        assert_eq!(
            user.department, None,
            "no team name is invented from teamId"
        );
        assert_eq!(user.organization.as_deref(), Some("Sandbox Contact Center"));
        assert_eq!(user.team_id.as_deref(), Some("11ec-t-1"));
        assert_eq!(
            user.presence, None,
            "CXone's user record has no presence: omitted, not guessed"
        );
        let sparse = parse_cxone_user(
            &reply(
                200,
                r#"{"user":{"id":7,"firstName":"Grace","lastName":"Hopper"}}"#,
            ),
            None,
        )
        .unwrap();
        assert_eq!(sparse.display_name, "Grace Hopper");
        assert_eq!(sparse.id, "7");
        assert!(parse_cxone_user(&reply(200, r#"{"id":"x"}"#), None).is_err());
    }

    #[test]
    fn reads_userinfo_and_checks_its_subject() {
        let body = r#"{"sub":"s-1","name":"Ada Lovelace","email":"ada@example.com","preferred_username":"ada"}"#;
        let user = parse_userinfo(&reply(200, body), Some("s-1")).unwrap();
        assert_eq!(user.display_name, "Ada Lovelace");
        assert_eq!(user.username.as_deref(), Some("ada"));
        assert_eq!(
            parse_userinfo(&reply(200, body), Some("s-2")).unwrap_err(),
            AuthError::UserMismatch
        );
        assert_eq!(
            parse_userinfo(&reply(200, r#"{"sub":"s-3"}"#), None)
                .unwrap()
                .display_name,
            "s-3"
        );
    }

    #[test]
    fn api_errors_are_typed() {
        assert_eq!(
            parse_genesys_user(&reply(401, "{}")).unwrap_err(),
            AuthError::SessionExpired
        );
        assert_eq!(
            parse_genesys_user(&reply(
                403,
                r#"{"message":"Missing permission","code":"missing.permissions","status":403}"#
            ))
            .unwrap_err(),
            AuthError::Forbidden {
                message: Some("Missing permission".into())
            }
        );
        let limited = HttpReply {
            retry_after: Some("7".into()),
            ..reply(429, "{}")
        };
        assert_eq!(
            parse_genesys_user(&limited).unwrap_err(),
            AuthError::RateLimited {
                retry_after_secs: Some(7)
            }
        );
        assert!(matches!(
            parse_genesys_user(&reply(200, "{\"name\":1}")),
            Err(AuthError::MalformedResponse { .. })
        ));
        let html = HttpReply {
            content_type: Some("text/html".into()),
            ..reply(200, "<html>")
        };
        assert!(matches!(
            parse_genesys_user(&html),
            Err(AuthError::UnexpectedResponse { .. })
        ));
    }

    #[test]
    fn api_error_messages_in_every_shape() {
        for (body, expected) in [
            (
                r#"{"message":"Missing permission","code":"missing.permissions","status":403}"#,
                "Missing permission",
            ),
            (
                r#"{"message":"Not found","statusCode":404,"traceId":"t"}"#,
                "Not found",
            ),
            (
                r#"{"error":"invalid_token","error_description":"expired"}"#,
                "expired",
            ),
            (
                r#"{"error":"invalid_token","errorDescription":"CXone expired"}"#,
                "CXone expired",
            ),
            (
                r#"{"error":"invalid_client","description":"authentication failed"}"#,
                "authentication failed",
            ),
            (r#"{"error":"invalid_token"}"#, "invalid_token"),
        ] {
            assert_eq!(api_error_message(body).as_deref(), Some(expected), "{body}");
        }
        assert_eq!(api_error_message("<html>"), None);
    }

    #[test]
    fn cxone_user_id_comes_from_user_id_else_the_subject() {
        let claims = |json: serde_json::Value| IdClaims(json.as_object().unwrap().clone());
        assert_eq!(
            cxone_user_id(&claims(
                serde_json::json!({"sub":"user:11ec-a","userId":"11ec-b"})
            ))
            .as_deref(),
            Some("11ec-b"),
            "userId wins"
        );
        assert_eq!(
            cxone_user_id(&claims(serde_json::json!({"sub":"user:11ec-a"}))).as_deref(),
            Some("11ec-a"),
            "sub without its user: prefix"
        );
        assert_eq!(
            cxone_user_id(&claims(
                serde_json::json!({"sub":"user:11ec-a","userId":""})
            ))
            .as_deref(),
            Some("11ec-a"),
            "an empty userId is no userId"
        );
        assert_eq!(
            cxone_user_id(&claims(serde_json::json!({"sub":"11ec-c"}))).as_deref(),
            Some("11ec-c")
        );
        assert_eq!(
            cxone_user_id(&claims(serde_json::json!({"sub":"user:"}))),
            None
        );
        assert_eq!(
            cxone_user_id(&claims(serde_json::json!({"userId":5}))),
            None
        );
    }

    #[test]
    fn genesys_expand_is_sent_once_per_value() {
        assert_eq!(
            genesys_me_url("https://api.mypurecloud.ie/api/v2/users/me"),
            "https://api.mypurecloud.ie/api/v2/users/me?expand=presence&expand=routingStatus&expand=organization"
        );
    }

    /// Whole-record comparisons: a field dropped on the way to the dashboard fails here.
    #[test]
    fn cxone_and_userinfo_profiles_keep_every_field() {
        let cxone = parse_cxone_user(
            &reply(
                200,
                r#"{"user":{"id":"u-9","userName":"ada.l","fullName":"Ada Lovelace",
                "emailAddress":"ada@example.com","teamId":"t-1","roleUUID":"r-1"}}"#,
            ),
            Some("Tenant"),
        )
        .unwrap();
        assert_eq!(
            cxone,
            UserProfile {
                id: "u-9".into(),
                display_name: "Ada Lovelace".into(),
                email: Some("ada@example.com".into()),
                username: Some("ada.l".into()),
                // NICE's user model names team and role by id only: nothing is made up.
                organization: Some("Tenant".into()),
                // Kept (not shown) for the team's unavailable codes.
                team_id: Some("t-1".into()),
                ..Default::default()
            }
        );
        let body = r#"{"sub":"s-1","name":"Ada Lovelace","email":"ada@example.com","preferred_username":"ada"}"#;
        assert_eq!(
            parse_userinfo(&reply(200, body), Some("s-1")).unwrap(),
            UserProfile {
                id: "s-1".into(),
                display_name: "Ada Lovelace".into(),
                email: Some("ada@example.com".into()),
                username: Some("ada".into()),
                ..Default::default()
            }
        );
    }

    #[test]
    fn api_bodies_up_to_64_kib_are_read_and_longer_ones_refused() {
        let json = r#"{"sub":"s-1"}"#;
        // Trailing white space is valid JSON, so it pads the body to an exact length.
        let at_limit = format!("{json}{}", " ".repeat(MAX_RESPONSE_BYTES - json.len()));
        assert!(parse_userinfo(&reply(200, &at_limit), None).is_ok());
        assert!(matches!(
            parse_userinfo(&reply(200, &format!("{at_limit} ")), None),
            Err(AuthError::ResponseTooLarge { .. })
        ));
    }
}

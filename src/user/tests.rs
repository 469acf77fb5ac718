//! Tests of `user.rs`.

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
        r#"{"id":"u1","name":"Ada Lovelace","email":"ada@example.com","title":"Senior Agent",
            "department":"Customer Care","username":"ada@example.com","division":{"id":"d",
            "name":"Home"},"organization":{"id":"o","name":"Sandbox Contact Center"},
            "presence":{"presenceDefinition":{"id":"p","systemPresence":"Available"}},
            "routingStatus":{"status":"IDLE"}}"#,
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
        &reply(
            200,
            r#"{"user":{"id":"11ec-u-9","userName":"ada@example.com","firstName":"Ada",
            "lastName":"Lovelace","displayName":"","fullName":"Ada Lovelace",
            "emailAddress":"ada@example.com","status":"Active","teamId":"11ec-t-1",
            "roleUUID":"11ec-r-1","timeZone":"Europe/London","type":"Agent","billable":"true"}}"#,
        ),
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
    assert_eq!(user.team_id.as_deref(), Some("11ec-t-1"));
    assert_eq!(user.organization.as_deref(), Some("Sandbox Contact Center"));
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
    let body = r#"{"sub":"s-1","name":"Ada Lovelace","email":"ada@example.com",
        "preferred_username":"ada"}"#;
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
        concat!(
            "https://api.mypurecloud.ie/api/v2/users/me",
            "?expand=presence&expand=routingStatus&expand=organization"
        )
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
    let body = r#"{"sub":"s-1","name":"Ada Lovelace","email":"ada@example.com",
        "preferred_username":"ada"}"#;
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

#[test]
fn ids_that_would_be_dot_segments_in_api_paths_are_refused() {
    for dots in [".", ".."] {
        let genesys = format!(r#"{{"id":"{dots}","name":"Ada"}}"#);
        assert!(parse_genesys_user(&reply(200, &genesys)).is_err(), "{dots}");
        let cxone = format!(r#"{{"user":{{"id":"{dots}","fullName":"Ada"}}}}"#);
        assert!(
            parse_cxone_user(&reply(200, &cxone), None).is_err(),
            "{dots}"
        );
        let team = format!(r#"{{"user":{{"id":"u-9","fullName":"Ada","teamId":"{dots}"}}}}"#);
        let user = parse_cxone_user(&reply(200, &team), None).unwrap();
        assert_eq!(user.team_id, None, "team {dots}");
        let sub = serde_json::json!({ "sub": format!("user:{dots}") });
        let claims = IdClaims(sub.as_object().unwrap().clone());
        assert_eq!(cxone_user_id(&claims), None, "sub user:{dots}");
    }
}

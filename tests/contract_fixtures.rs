//! The contract fixtures (`tests/fixtures/`, sources in its README) parsed with the app's own
//! parsers: bodies in the shapes of the providers' SDK models must be read as the app expects.
//! The sandbox's contract test compares its responses with the same files, so the app, the
//! sandbox and the providers' documented shapes cannot drift apart unnoticed.

use pkce_desk::api::queues::parse_my_queues;
use pkce_desk::discovery::{cxone_api_base, endpoints_from_discovery};
use pkce_desk::error::{AuthError, RefreshFailure};
use pkce_desk::id_token::IdClaims;
use pkce_desk::provider::{EndSession, UserSource};
use pkce_desk::reply::HttpReply;
use pkce_desk::token::{parse_token_response, parse_token_response_for, TokenTypeRule};
use pkce_desk::user::{
    cxone_user_id, parse_cxone_user, parse_genesys_user, parse_userinfo, UserProfile,
};
use std::path::Path;

const GENESYS_TOKEN: &str = include_str!("fixtures/genesys/token.json");
const GENESYS_TOKEN_WITH_REFRESH: &str = include_str!("fixtures/genesys/token-with-refresh.json");
const GENESYS_TOKEN_ERROR: &str = include_str!("fixtures/genesys/token-error.json");
const GENESYS_ME: &str = include_str!("fixtures/genesys/users-me.json");
const GENESYS_ME_PRESENCE: &str = include_str!("fixtures/genesys/users-me-expand-presence.json");
const GENESYS_ME_ROUTING: &str =
    include_str!("fixtures/genesys/users-me-expand-routing-status.json");
const GENESYS_ME_ORGANIZATION: &str =
    include_str!("fixtures/genesys/users-me-expand-organization.json");
const GENESYS_ME_ALL: &str = include_str!("fixtures/genesys/users-me-expand-all.json");
const GENESYS_QUEUES: &str = include_str!("fixtures/genesys/queues-me.json");
const CXONE_DISCOVERY: &str = include_str!("fixtures/cxone/openid-configuration.json");
const CXONE_CONFIGURATION: &str = include_str!("fixtures/cxone/cxone-configuration.json");
const CXONE_TOKEN: &str = include_str!("fixtures/cxone/token.json");
const CXONE_TOKEN_ERROR: &str = include_str!("fixtures/cxone/token-error.json");
const CXONE_USER: &str = include_str!("fixtures/cxone/user.json");
const USERINFO: &str = include_str!("fixtures/oidc/userinfo.json");

/// Every fixture this file parses; a new fixture must be added here (and parsed below).
const PARSED: &[&str] = &[
    "genesys/token.json",
    "genesys/token-with-refresh.json",
    "genesys/token-error.json",
    "genesys/users-me.json",
    "genesys/users-me-expand-presence.json",
    "genesys/users-me-expand-routing-status.json",
    "genesys/users-me-expand-organization.json",
    "genesys/users-me-expand-all.json",
    "genesys/queues-me.json",
    "cxone/openid-configuration.json",
    "cxone/cxone-configuration.json",
    "cxone/token.json",
    "cxone/token-error.json",
    "cxone/user.json",
    "oidc/userinfo.json",
];

fn json(status: u16, body: &str) -> HttpReply {
    HttpReply {
        status,
        content_type: Some("application/json;charset=UTF-8".into()),
        retry_after: None,
        body: body.into(),
    }
}

fn json_files(dir: &Path, base: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, base, found);
        } else if path.extension().is_some_and(|e| e == "json") {
            let relative = path.strip_prefix(base).unwrap();
            found.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_fixture_is_parsed_here() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut found = Vec::new();
    json_files(&base, &base, &mut found);
    found.sort();
    let mut parsed: Vec<String> = PARSED.iter().map(|p| p.to_string()).collect();
    parsed.sort();
    assert_eq!(found, parsed, "tests/fixtures and PARSED differ");
}

#[test]
fn genesys_token_responses() {
    let rule = TokenTypeRule::BearerWhenMissing;
    let tokens = parse_token_response_for(&json(200, GENESYS_TOKEN), 1_000, rule).unwrap();
    assert!(!tokens.access_token.is_empty());
    assert_eq!(
        tokens.refresh_token, None,
        "the PKCE grant most likely gives none"
    );
    assert_eq!(tokens.expires_at_ms, Some(1_000 + 86_399_000));
    let with_refresh =
        parse_token_response_for(&json(200, GENESYS_TOKEN_WITH_REFRESH), 0, rule).unwrap();
    assert!(with_refresh.refresh_token.is_some());
    // The same bodies without token_type are still a Genesys sign-in.
    let mut without: serde_json::Value = serde_json::from_str(GENESYS_TOKEN).unwrap();
    without.as_object_mut().unwrap().remove("token_type");
    assert!(parse_token_response_for(&json(200, &without.to_string()), 0, rule).is_ok());
}

#[test]
fn genesys_token_error() {
    let error = parse_token_response(&json(401, GENESYS_TOKEN_ERROR), 0).unwrap_err();
    assert_eq!(
        error,
        AuthError::TokenRejected {
            status: 401,
            error: "invalid_client".into(),
            description: Some("authentication failed".into()),
        }
    );
    assert_eq!(error.refresh_failure(), RefreshFailure::RefreshNotAllowed);
}

fn genesys_user(body: &str) -> UserProfile {
    parse_genesys_user(&json(200, body)).unwrap()
}

#[test]
fn genesys_users_me_with_each_expand() {
    let plain = genesys_user(GENESYS_ME);
    assert_eq!(plain.display_name, "Ada Lovelace");
    assert_eq!(plain.email.as_deref(), Some("ada@example.com"));
    assert_eq!(plain.username.as_deref(), Some("ada@example.com"));
    assert_eq!(plain.title.as_deref(), Some("Senior Agent"));
    assert_eq!(plain.department.as_deref(), Some("Customer Care"));
    assert_eq!(
        (&plain.presence, &plain.routing_status, &plain.organization),
        (&None, &None, &None)
    );

    let presence = genesys_user(GENESYS_ME_PRESENCE);
    assert_eq!(presence.presence.as_deref(), Some("Available"));
    assert_eq!(presence.routing_status, None);

    let routing = genesys_user(GENESYS_ME_ROUTING);
    assert_eq!(routing.routing_status.as_deref(), Some("IDLE"));
    assert_eq!(routing.presence, None);

    let organization = genesys_user(GENESYS_ME_ORGANIZATION);
    assert_eq!(
        organization.organization.as_deref(),
        Some("Example Contact Center")
    );

    let all = genesys_user(GENESYS_ME_ALL);
    assert_eq!(all.presence.as_deref(), Some("Available"));
    assert_eq!(all.routing_status.as_deref(), Some("IDLE"));
    assert_eq!(all.organization.as_deref(), Some("Example Contact Center"));
    assert_eq!(all.id, plain.id);
}

#[test]
fn genesys_queues_me() {
    let queues = parse_my_queues(&json(200, GENESYS_QUEUES)).unwrap();
    assert_eq!(queues.total, 1);
    assert_eq!(queues.queues[0].name, "Customer Care");
    assert!(queues.queues[0].joined);
    assert_eq!(queues.queues[0].member_count, Some(24));
}

#[test]
fn cxone_discovery() {
    let endpoints = endpoints_from_discovery(
        &json(200, CXONE_DISCOVERY),
        "https://cxone.niceincontact.com",
        UserSource::CxoneUser,
    )
    .unwrap();
    assert_eq!(
        endpoints.authorize,
        "https://cxone.niceincontact.com/auth/authorize"
    );
    assert_eq!(
        endpoints.token,
        "https://cxone.niceincontact.com/auth/token"
    );
    assert_eq!(endpoints.revocation, None);
    assert_eq!(
        endpoints.end_session,
        Some(EndSession::Oidc(
            "https://cxone.niceincontact.com/auth/authorize/logout".into()
        ))
    );
    assert!(!endpoints.iss_required);
}

#[test]
fn cxone_configuration() {
    assert_eq!(
        cxone_api_base(&json(200, CXONE_CONFIGURATION)).unwrap(),
        "https://api-na1.niceincontact.com"
    );
    // Without api_endpoint, area and domain give the same host (as NICE's SDK builds it).
    let mut without: serde_json::Value = serde_json::from_str(CXONE_CONFIGURATION).unwrap();
    without.as_object_mut().unwrap().remove("api_endpoint");
    assert_eq!(
        cxone_api_base(&json(200, &without.to_string())).unwrap(),
        "https://api-na1.niceincontact.com"
    );
}

#[test]
fn cxone_token_responses() {
    let tokens =
        parse_token_response_for(&json(200, CXONE_TOKEN), 0, TokenTypeRule::Required).unwrap();
    assert!(
        tokens.refresh_token.is_some(),
        "CXone renews with openid alone"
    );
    assert!(tokens.id_token.is_some());
    assert_eq!(tokens.expires_at_ms, Some(3_600_000));
    let error = parse_token_response(&json(400, CXONE_TOKEN_ERROR), 0).unwrap_err();
    assert_eq!(
        error,
        AuthError::TokenRejected {
            status: 400,
            error: "invalid_grant".into(),
            description: Some("The authorization code is invalid or has expired.".into()),
        }
    );
    assert_eq!(error.refresh_failure(), RefreshFailure::SessionOver);
}

#[test]
fn cxone_user_and_userinfo_name_the_same_user() {
    let user = parse_cxone_user(&json(200, CXONE_USER), Some("Example Tenant")).unwrap();
    assert_eq!(user.display_name, "Ada Lovelace");
    assert_eq!(user.email.as_deref(), Some("ada@example.com"));
    assert_eq!(user.title, None, "only a roleUUID: no role name shown");
    assert_eq!(user.department, None, "only a teamId: no team name shown");
    assert_eq!(user.organization.as_deref(), Some("Example Tenant"));

    let info: serde_json::Value = serde_json::from_str(USERINFO).unwrap();
    let sub = info["sub"].as_str().unwrap();
    let profile = parse_userinfo(&json(200, USERINFO), Some(sub)).unwrap();
    assert_eq!(profile.display_name, "Ada Lovelace");
    // The `user:` subject names the record the user API returns.
    let claims = IdClaims(
        serde_json::json!({ "sub": sub })
            .as_object()
            .unwrap()
            .clone(),
    );
    assert_eq!(cxone_user_id(&claims).as_deref(), Some(user.id.as_str()));
}

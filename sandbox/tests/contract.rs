//! The sandbox against the contract fixtures (`tests/fixtures/` at the workspace root, in
//! the shapes of the providers' SDK models and documents): each response the app parses
//! must have exactly the fixture's fields, recursively, with the same JSON types.
//! Values are not compared; see tests/fixtures/README.md for where each shape comes from.

mod common;

use std::path::PathBuf;

use common::{
    authorize_params, code_grant, location, refresh_grant, start_genesys, start_with, str_of,
    Sandbox, CHALLENGE, CLIENT, REDIRECT, VERIFIER,
};
use pkce_desk_sandbox::config::RefreshTokens;
use pkce_desk_sandbox::SandboxConfig;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "tests", "fixtures", name]
        .iter()
        .collect();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether `actual` has `expected`'s shape: the same type; for objects the same set of
/// fields, each of the same shape; for arrays, every element of `actual` shaped like
/// `expected`'s first (an empty fixture array only matches an empty one, since nothing
/// says what its elements look like). The first difference found, with its path.
fn same_shape(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
            let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
            if !missing.is_empty() || !extra.is_empty() {
                return Err(format!(
                    "{path}: missing fields {missing:?}, fields not in the fixture {extra:?}"
                ));
            }
            want.iter()
                .try_for_each(|(k, v)| same_shape(v, &got[k], &format!("{path}.{k}")))
        }
        (Value::Array(want), Value::Array(got)) => match want.first() {
            None if got.is_empty() => Ok(()),
            None => Err(format!(
                "{path}: the fixture's array is empty, this one is not"
            )),
            Some(_) if got.is_empty() => Err(format!("{path}: empty array, the fixture's is not")),
            Some(first) => got
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| same_shape(first, v, &format!("{path}[{i}]"))),
        },
        _ if type_name(expected) == type_name(actual) => Ok(()),
        _ => Err(format!(
            "{path}: {} in the fixture, {} here",
            type_name(expected),
            type_name(actual)
        )),
    }
}

fn assert_matches(fixture_name: &str, actual: &Value) {
    if let Err(difference) = same_shape(&fixture(fixture_name), actual, "$") {
        panic!("{fixture_name}: {difference}\nsandbox sent: {actual}");
    }
}

async fn json_of(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

#[test]
fn same_shape_finds_every_kind_of_difference() {
    let want = json!({"a": "x", "b": {"c": 1, "d": [{"e": true}]}, "f": []});
    assert_eq!(
        same_shape(
            &want,
            &json!({"a": "y", "b": {"c": 2.5, "d": [{"e": false}, {"e": true}]}, "f": []}),
            "$"
        ),
        Ok(())
    );
    for (actual, expected_path) in [
        (
            json!({"b": {"c": 1, "d": [{"e": true}]}, "f": []}),
            "$: missing",
        ),
        (
            json!({"a": "x", "z": 1, "b": {"c": 1, "d": [{"e": true}]}, "f": []}),
            "$: missing fields [], fields not in the fixture [\"z\"]",
        ),
        (
            json!({"a": 1, "b": {"c": 1, "d": [{"e": true}]}, "f": []}),
            "$.a: string in the fixture, number",
        ),
        (
            json!({"a": "x", "b": {"c": "1", "d": [{"e": true}]}, "f": []}),
            "$.b.c:",
        ),
        (
            json!({"a": "x", "b": {"c": 1, "d": [{"e": true}, {"e": 1}]}, "f": []}),
            "$.b.d[1].e:",
        ),
        (
            json!({"a": "x", "b": {"c": 1, "d": [{"e": true, "g": 1}]}, "f": []}),
            "$.b.d[0]: missing fields [], fields not in the fixture [\"g\"]",
        ),
        (
            json!({"a": "x", "b": {"c": 1, "d": []}, "f": []}),
            "$.b.d: empty array",
        ),
        (
            json!({"a": "x", "b": {"c": 1, "d": [{"e": true}]}, "f": [1]}),
            "$.f: the fixture's array is empty",
        ),
        (
            json!({"a": "x", "b": null, "f": []}),
            "$.b: object in the fixture, null",
        ),
    ] {
        let difference = same_shape(&want, &actual, "$").unwrap_err();
        assert!(difference.starts_with(expected_path), "{difference}");
    }
}

// ---- Genesys ----

impl Sandbox {
    async fn genesys_code(&self) -> String {
        let response = self
            .sign_in("ada@example.com", "demo", Some("st"), CHALLENGE)
            .await;
        location(&response).1["code"].clone()
    }

    async fn genesys_tokens(&self) -> Value {
        let code = self.genesys_code().await;
        let response = self
            .post_form("/oauth/token", &code_grant(&code, VERIFIER, CLIENT))
            .await;
        json_of(response, StatusCode::OK).await
    }
}

#[tokio::test]
async fn genesys_token_responses() {
    let sb = start_genesys(RefreshTokens::None).await;
    assert_matches("genesys/token.json", &sb.genesys_tokens().await);
    // The refused refresh grant and an ordinary grant error.
    let response = sb
        .post_form("/oauth/token", &refresh_grant("whatever", CLIENT))
        .await;
    assert_matches(
        "genesys/token-error.json",
        &json_of(response, StatusCode::UNAUTHORIZED).await,
    );
    let response = sb
        .post_form("/oauth/token", &code_grant("unknown", VERIFIER, CLIENT))
        .await;
    assert_matches(
        "genesys/token-error.json",
        &json_of(response, StatusCode::BAD_REQUEST).await,
    );
    // Injected errors too.
    sb.post_json(
        "/__sandbox/fail-next",
        &json!({"endpoint": "token", "mode": "invalid_grant"}),
    )
    .await;
    let response = sb
        .post_form("/oauth/token", &code_grant("x", VERIFIER, CLIENT))
        .await;
    assert_matches(
        "genesys/token-error.json",
        &json_of(response, StatusCode::BAD_REQUEST).await,
    );

    let sb = start_genesys(RefreshTokens::Rotate).await;
    let tokens = sb.genesys_tokens().await;
    assert_matches("genesys/token-with-refresh.json", &tokens);
    let response = sb
        .post_form(
            "/oauth/token",
            &refresh_grant(str_of(&tokens, "refresh_token"), CLIENT),
        )
        .await;
    assert_matches(
        "genesys/token-with-refresh.json",
        &json_of(response, StatusCode::OK).await,
    );
}

#[tokio::test]
async fn genesys_api_responses() {
    let sb = start_genesys(RefreshTokens::None).await;
    let tokens = sb.genesys_tokens().await;
    let access = str_of(&tokens, "access_token");
    for (query, name) in [
        ("", "genesys/users-me.json"),
        ("?expand=presence", "genesys/users-me-expand-presence.json"),
        (
            "?expand=routingStatus",
            "genesys/users-me-expand-routing-status.json",
        ),
        (
            "?expand=organization",
            "genesys/users-me-expand-organization.json",
        ),
        (
            "?expand=presence&expand=routingStatus&expand=organization",
            "genesys/users-me-expand-all.json",
        ),
    ] {
        let response = sb
            .bearer_get(&format!("/api/v2/users/me{query}"), access)
            .await;
        assert_matches(name, &json_of(response, StatusCode::OK).await);
    }
    let response = sb.bearer_get("/api/v2/routing/queues/me", access).await;
    assert_matches(
        "genesys/queues-me.json",
        &json_of(response, StatusCode::OK).await,
    );
}

// ---- CXone ----

async fn cxone() -> Sandbox {
    start_with(SandboxConfig {
        test_controls: true,
        ..SandboxConfig::cxone()
    })
    .await
}

const CXONE_CLIENT: &str = "pkce-desk demo@Sandbox";

impl Sandbox {
    async fn cxone_tokens(&self) -> Value {
        let mut form: Vec<(&str, &str)> = authorize_params(Some("st"), CHALLENGE)
            .into_iter()
            .filter(|(k, _)| *k != "response_type")
            .map(|(k, v)| {
                if k == "client_id" {
                    (k, CXONE_CLIENT)
                } else {
                    (k, v)
                }
            })
            .collect();
        form.extend([
            ("scope", "openid"),
            ("username", "ada@example.com"),
            ("password", "demo"),
        ]);
        let response = self.post_form("/auth/authorize", &form).await;
        let (base, params) = location(&response);
        assert_eq!(base, REDIRECT);
        let response = self
            .post_form(
                "/auth/token",
                &code_grant(&params["code"], VERIFIER, CXONE_CLIENT),
            )
            .await;
        json_of(response, StatusCode::OK).await
    }
}

#[tokio::test]
async fn cxone_discovery_documents() {
    let sb = cxone().await;
    let (status, body) = sb.get_json("/.well-known/openid-configuration").await;
    assert_eq!(status, StatusCode::OK);
    assert_matches("cxone/openid-configuration.json", &body);
    let (status, body) = sb
        .get_json("/.well-known/cxone-configuration?tenantId=11EC-SANDBOX-TENANT")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_matches("cxone/cxone-configuration.json", &body);
}

#[tokio::test]
async fn cxone_token_responses() {
    let sb = cxone().await;
    let tokens = sb.cxone_tokens().await;
    assert_matches("cxone/token.json", &tokens);
    let response = sb
        .post_form(
            "/auth/token",
            &refresh_grant(str_of(&tokens, "refresh_token"), CXONE_CLIENT),
        )
        .await;
    assert_matches("cxone/token.json", &json_of(response, StatusCode::OK).await);

    let response = sb
        .post_form(
            "/auth/token",
            &code_grant("unknown", VERIFIER, CXONE_CLIENT),
        )
        .await;
    assert_matches(
        "cxone/token-error.json",
        &json_of(response, StatusCode::BAD_REQUEST).await,
    );
    let response = sb
        .post_form("/auth/token", &[("grant_type", "password")])
        .await;
    assert_matches(
        "cxone/token-error.json",
        &json_of(response, StatusCode::BAD_REQUEST).await,
    );
    sb.post_json(
        "/__sandbox/fail-next",
        &json!({"endpoint": "token", "mode": "invalid_client"}),
    )
    .await;
    let response = sb
        .post_form("/auth/token", &code_grant("x", VERIFIER, CXONE_CLIENT))
        .await;
    assert_matches(
        "cxone/token-error.json",
        &json_of(response, StatusCode::UNAUTHORIZED).await,
    );
}

#[tokio::test]
async fn cxone_user_and_userinfo() {
    let sb = cxone().await;
    let tokens = sb.cxone_tokens().await;
    let access = str_of(&tokens, "access_token");
    let response = sb.bearer_get("/auth/userinfo", access).await;
    let userinfo = json_of(response, StatusCode::OK).await;
    assert_matches("oidc/userinfo.json", &userinfo);
    // The user id as NICE's SDK finds it: `sub` without its `user:` prefix.
    let user_id = str_of(&userinfo, "sub").strip_prefix("user:").unwrap();
    let response = sb
        .bearer_get(&format!("/user-management/v1/users/{user_id}"), access)
        .await;
    assert_matches("cxone/user.json", &json_of(response, StatusCode::OK).await);
}

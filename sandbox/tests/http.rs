//! End-to-end tests over real HTTP: the sandbox runs in-process on 127.0.0.1:0
//! and reqwest talks to it with redirects disabled, as a browser's fetch would
//! see it.

mod common;

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{
    assert_allows_origin, assert_bad_credentials, assert_html, assert_no_cors, assert_no_store,
    authorize_params, code_grant, header, location, query_string, refresh_grant, rotating,
    start_rotating, start_with, Sandbox, APP_ORIGIN, CHALLENGE, CLIENT, REDIRECT, VERIFIER,
};
use pkce_desk_sandbox::SandboxConfig;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};

const OTHER_REDIRECT: &str = "http://localhost:8080/callback";
const FORM: &str = "application/x-www-form-urlencoded";

fn challenge_for(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Sandbox {
    async fn get_authorize(&self, pairs: &[(&str, &str)]) -> Response {
        self.get_query("/oauth/authorize", pairs).await
    }

    async fn post_authorize(&self, pairs: &[(&str, &str)]) -> Response {
        self.post_form("/oauth/authorize", pairs).await
    }

    /// Signs Ada in and returns the authorization code for `challenge`.
    async fn code_for(&self, challenge: &str) -> String {
        let response = self
            .sign_in("ada@example.com", "demo", Some("st"), challenge)
            .await;
        assert_eq!(response.status(), StatusCode::FOUND);
        let (base, params) = location(&response);
        assert_eq!(base, REDIRECT);
        assert_eq!(params["state"], "st");
        params["code"].clone()
    }

    async fn token(&self, pairs: &[(&str, &str)]) -> Response {
        self.post_form("/oauth/token", pairs).await
    }

    async fn exchange(&self, code: &str, verifier: &str) -> Response {
        self.token(&code_grant(code, verifier, CLIENT)).await
    }

    async fn refresh(&self, refresh_token: &str) -> Response {
        self.token(&refresh_grant(refresh_token, CLIENT)).await
    }

    /// Full sign-in; returns (access_token, refresh_token).
    async fn tokens(&self) -> (String, String) {
        let code = self.code_for(CHALLENGE).await;
        let response = self.exchange(&code, VERIFIER).await;
        assert_eq!(response.status(), StatusCode::OK);
        token_pair(response).await
    }

    async fn me(&self, token: &str, query: &str) -> Response {
        self.bearer_get(&format!("/api/v2/users/me{query}"), token)
            .await
    }
}

async fn token_pair(response: Response) -> (String, String) {
    let body: Value = response.json().await.unwrap();
    (
        body["access_token"].as_str().unwrap().to_string(),
        body["refresh_token"].as_str().unwrap().to_string(),
    )
}

/// Asserts an RFC 6749 5.2 error response and returns its description.
async fn assert_oauth_error(response: Response, status: StatusCode, error: &str) -> String {
    assert_eq!(response.status(), status);
    assert_no_store(&response);
    assert_eq!(header(response.headers(), "pragma"), Some("no-cache"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error, "body: {body}");
    body["error_description"].as_str().unwrap().to_string()
}

/// Asserts a 400 `invalid_grant` error response and returns its description.
async fn assert_invalid_grant(response: Response) -> String {
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await
}

/// Asserts a 400 `invalid_request` error response and returns its description.
async fn assert_invalid_request(response: Response) -> String {
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_request").await
}

/// Asserts Genesys's 401 for a missing or dead token.
async fn assert_unauthorized(response: Response) {
    let body = assert_bad_credentials(response).await;
    assert_eq!(body["status"], 401);
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(body["contextId"].as_str().unwrap().len(), 36);
    assert_eq!(body["details"], Value::Array(vec![]));
    assert_eq!(body["errors"], Value::Array(vec![]));
}

#[tokio::test]
async fn full_flow_sign_in_exchange_and_profile() {
    let sb = start_rotating().await;

    // Sign-in page.
    let mut params = authorize_params(Some("s t&x"), CHALLENGE);
    params.extend([("scope", "openid"), ("prompt", "login"), ("nonce", "n")]);
    let page = sb.get_authorize(&params).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(
        header(page.headers(), "referrer-policy"),
        Some("no-referrer")
    );
    assert_no_store(&page);
    assert_html(&page);
    let html = page.text().await.unwrap();
    assert!(html.contains("<title>Sign in — Genesys Cloud (sandbox)</title>"));
    assert!(html.contains("<label for=\"username\">Username</label>"));
    assert!(html.contains("<input id=\"username\" name=\"username\" autocomplete=\"username\">"));
    assert!(html.contains("<label for=\"password\">Password</label>"));
    assert!(html.contains("<input id=\"password\" name=\"password\" type=\"password\">"));
    assert!(html.contains(">Sign in</button>"));
    assert!(html.contains("name=\"action\" value=\"cancel\">Cancel</button>"));
    assert!(html.contains("action=\"/oauth/authorize\""));
    assert!(html.contains(&format!("name=\"code_challenge\" value=\"{CHALLENGE}\"")));
    assert!(html.contains("name=\"state\" value=\"s t&amp;x\""));
    assert!(html.contains("ada@example.com"));

    // Submitting the form yields a code and echoes state, percent-encoded.
    let response = sb
        .sign_in("ada@example.com", "demo", Some("s t&x"), CHALLENGE)
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let raw_location = header(response.headers(), "location").unwrap().to_string();
    assert!(raw_location.contains("state=s+t%26x"), "{raw_location}");
    let (base, query) = location(&response);
    assert_eq!(base, REDIRECT);
    assert_eq!(query["state"], "s t&x");
    let code = &query["code"];
    assert_eq!(code.len(), 43);

    // Token exchange.
    let response = sb.exchange(code, VERIFIER).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    assert_eq!(header(response.headers(), "pragma"), Some("no-cache"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    let access = body["access_token"].as_str().unwrap();
    let refresh = body["refresh_token"].as_str().unwrap();
    assert!(access.len() >= 32 && refresh.len() >= 32 && access != refresh);

    // Profile.
    let response = sb.me(access, "").await;
    assert_eq!(response.status(), StatusCode::OK);
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["name"], "Ada Lovelace");
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["username"], "ada@example.com");
    assert_eq!(me["title"], "Senior Agent");
    assert_eq!(me["department"], "Customer Care");
    assert_eq!(me["state"], "active");
    assert_eq!(me["version"], 1);
    assert_eq!(me["acdAutoAnswer"], false);
    assert_eq!(me["division"]["name"], "Home");
    assert_eq!(me["primaryContactInfo"][0]["mediaType"], "EMAIL");
    assert_eq!(me["primaryContactInfo"][0]["type"], "PRIMARY");
    assert_eq!(me["primaryContactInfo"][0]["address"], "ada@example.com");
    assert!(me["chat"]["jabberId"].as_str().is_some());
    let id = me["id"].as_str().unwrap();
    assert_eq!(me["selfUri"], format!("/api/v2/users/{id}"));
    assert!(me.get("presence").is_none());
    assert!(me.get("routingStatus").is_none());
    assert!(me.get("organization").is_none());

    // Expansions.
    let me: Value = sb
        .me(access, "?expand=presence,routingStatus,organization")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        me["presence"]["presenceDefinition"]["systemPresence"],
        "Available"
    );
    assert!(me["presence"]["modifiedDate"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    // Not on queue until the agent goes On Queue (see tests/live_genesys.rs).
    assert_eq!(me["routingStatus"]["status"], "OFF_QUEUE");
    assert_eq!(me["routingStatus"]["userId"], id);
    assert_eq!(me["organization"]["name"], "Sandbox Contact Center");
    let me: Value = sb
        .me(access, "?expand=organization")
        .await
        .json()
        .await
        .unwrap();
    assert!(me.get("presence").is_none());
    assert_eq!(me["organization"]["name"], "Sandbox Contact Center");

    // Token details.
    let response = sb.bearer_get("/api/v2/tokens/me", access).await;
    assert_eq!(response.status(), StatusCode::OK);
    let info: Value = response.json().await.unwrap();
    assert_eq!(info["OAuthClient"]["id"], CLIENT);
    assert_eq!(info["OAuthClient"]["name"], "pkce-desk (sandbox)");
    assert_eq!(info["organization"]["name"], "Sandbox Contact Center");
    assert_eq!(info["homeOrganization"]["name"], "Sandbox Contact Center");
    assert_eq!(info["authorizedScope"], Value::Array(vec![]));
    assert!(info["clonedUser"].is_null());
}

#[tokio::test]
async fn second_user_gets_own_profile() {
    let sb = start_rotating().await;
    let response = sb
        .sign_in("grace@example.com", "demo", None, CHALLENGE)
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let (_, query) = location(&response);
    assert!(!query.contains_key("state"), "state must not be invented");
    let (access, _) = token_pair(sb.exchange(&query["code"], VERIFIER).await).await;
    let me: Value = sb.me(&access, "").await.json().await.unwrap();
    assert_eq!(me["name"], "Grace Hopper");
    assert_eq!(me["title"], "Team Lead");
    assert_eq!(me["department"], "Technical Support");
}

#[tokio::test]
async fn pkce_mismatch_is_invalid_grant() {
    let sb = start_rotating().await;
    let code = sb.code_for(CHALLENGE).await;
    let wrong = "x".repeat(43);
    let description = assert_invalid_grant(sb.exchange(&code, &wrong).await).await;
    assert!(description.contains("PKCE"), "{description}");
    // The failed attempt consumed the code.
    assert_invalid_grant(sb.exchange(&code, VERIFIER).await).await;
}

#[tokio::test]
async fn malformed_verifier_is_invalid_grant_even_if_it_hashes_right() {
    let sb = start_rotating().await;
    let verifier = "too-short";
    let code = sb
        .code_for(&challenge_for(&format!("{verifier}{}", "a".repeat(34))))
        .await;
    let description = assert_invalid_grant(sb.exchange(&code, verifier).await).await;
    assert!(description.contains("PKCE"));

    // A 43-char verifier with a forbidden character, whose hash does match the challenge.
    let bad = format!("{}+", "a".repeat(42));
    let code = sb.code_for(&challenge_for(&bad)).await;
    assert_invalid_grant(sb.exchange(&code, &bad).await).await;
}

#[tokio::test]
async fn other_valid_pkce_pair_works() {
    let sb = start_rotating().await;
    let verifier = "0123456789abcdefghijklmnopqrstuvwxyz-._~ABCDEFGHIJ";
    let code = sb.code_for(&challenge_for(verifier)).await;
    assert_eq!(sb.exchange(&code, verifier).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn code_reuse_is_rejected_and_revokes_tokens() {
    let sb = start_rotating().await;
    let code = sb.code_for(CHALLENGE).await;
    let (access, refresh) = token_pair(sb.exchange(&code, VERIFIER).await).await;
    assert_eq!(sb.me(&access, "").await.status(), StatusCode::OK);

    let description = assert_invalid_grant(sb.exchange(&code, VERIFIER).await).await;
    assert!(description.contains("already used"), "{description}");
    assert_unauthorized(sb.me(&access, "").await).await;
    assert_invalid_grant(sb.refresh(&refresh).await).await;
}

#[tokio::test]
async fn expired_code_is_invalid_grant() {
    let sb = start_with(SandboxConfig {
        code_lifetime: Duration::from_millis(200),
        ..rotating()
    })
    .await;
    let code = sb.code_for(CHALLENGE).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let description = assert_invalid_grant(sb.exchange(&code, VERIFIER).await).await;
    assert!(description.contains("expired"), "{description}");
}

#[tokio::test]
async fn unknown_code_is_invalid_grant() {
    let sb = start_rotating().await;
    assert_invalid_grant(sb.exchange("no-such-code", VERIFIER).await).await;
}

#[tokio::test]
async fn redirect_uri_mismatch_at_authorize_is_an_error_page() {
    let sb = start_rotating().await;
    for bad in [
        "http://127.0.0.1:8080/callback/",
        "http://127.0.0.1:8080/Callback",
        "http://127.0.0.1:8080/callback?x=1",
        "https://evil.example/callback",
        "",
    ] {
        let mut params = authorize_params(Some("st"), CHALLENGE);
        params[1].1 = bad;
        let response = sb.get_authorize(&params).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(response.headers().get(LOCATION).is_none());
        assert_html(&response);
        let html = response.text().await.unwrap();
        assert!(
            html.contains("redirect_uri is not registered for this client"),
            "{bad}"
        );
    }
    // The POST re-validates too.
    let mut form = authorize_params(None, CHALLENGE);
    form[1].1 = "https://evil.example/callback";
    form.extend([("username", "ada@example.com"), ("password", "demo")]);
    let response = sb.post_authorize(&form).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get(LOCATION).is_none());
}

#[tokio::test]
async fn redirect_uri_mismatch_at_token_is_invalid_grant() {
    let sb = start_rotating().await;
    let code = sb.code_for(CHALLENGE).await;
    let response = sb
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", VERIFIER),
            ("client_id", CLIENT),
            // Registered, but not the one the code was issued for.
            ("redirect_uri", OTHER_REDIRECT),
        ])
        .await;
    let description = assert_invalid_grant(response).await;
    assert!(description.contains("redirect_uri"), "{description}");
}

#[tokio::test]
async fn unknown_client_id() {
    let sb = start_rotating().await;
    let mut params = authorize_params(Some("st"), CHALLENGE);
    params[0].1 = "someone-else";
    let response = sb.get_authorize(&params).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get(LOCATION).is_none());
    assert!(response.text().await.unwrap().contains("Unknown client_id"));

    let code = sb.code_for(CHALLENGE).await;
    let response = sb.token(&code_grant(&code, VERIFIER, "someone-else")).await;
    assert_oauth_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
    let response = sb.token(&refresh_grant("x", "someone-else")).await;
    assert_oauth_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

#[tokio::test]
async fn configured_client_id_is_the_only_known_one() {
    let sb = start_with(SandboxConfig {
        client_id: "other-client".into(),
        ..rotating()
    })
    .await;
    // With a different registered client, the default one is unknown everywhere.
    let response = sb.get_authorize(&authorize_params(None, CHALLENGE)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn wrong_password_rerenders_form_with_message() {
    let sb = start_rotating().await;
    let response = sb
        .sign_in("ada@example.com", "wrong", Some("st"), CHALLENGE)
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().get(LOCATION).is_none());
    assert_no_store(&response);
    let html = response.text().await.unwrap();
    assert!(html.contains("Invalid username or password."));
    assert!(html.contains("name=\"username\" autocomplete=\"username\" value=\"ada@example.com\""));
    assert!(html.contains("name=\"state\" value=\"st\""));
    assert!(
        !html.contains("value=\"wrong\""),
        "password must not be echoed"
    );

    let response = sb
        .sign_in("nobody@example.com", "demo", None, CHALLENGE)
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cancel_redirects_access_denied_with_state() {
    let sb = start_rotating().await;
    let mut form = authorize_params(Some("keep-me"), CHALLENGE);
    form.push(("action", "cancel"));
    let response = sb.post_authorize(&form).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let raw = header(response.headers(), "location").unwrap();
    assert!(
        raw.contains("error_description=The+user+cancelled+sign-in"),
        "{raw}"
    );
    let (base, query) = location(&response);
    assert_eq!(base, REDIRECT);
    assert_eq!(query["error"], "access_denied");
    assert_eq!(query["state"], "keep-me");
    assert!(!query.contains_key("code"));
}

#[tokio::test]
async fn authorize_errors_are_redirected_with_state() {
    let sb = start_rotating().await;
    let cases: [(&str, &str, &str); 5] = [
        ("response_type", "token", "unsupported_response_type"),
        ("code_challenge_method", "plain", "invalid_request"),
        ("code_challenge_method", "", "invalid_request"),
        ("code_challenge", "short", "invalid_request"),
        ("code_challenge", "", "invalid_request"),
    ];
    for (name, value, expected) in cases {
        let mut params = authorize_params(Some("st"), CHALLENGE);
        params.iter_mut().find(|(n, _)| *n == name).unwrap().1 = value;
        let response = sb.get_authorize(&params).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{name}={value}");
        let (base, query) = location(&response);
        assert_eq!(base, REDIRECT);
        assert_eq!(query["error"], expected, "{name}={value}");
        assert!(!query["error_description"].is_empty());
        assert_eq!(query["state"], "st");
    }
    // A challenge with a non-base64url character.
    let bad = CHALLENGE.replace('-', "+");
    let response = sb.get_authorize(&authorize_params(None, &bad)).await;
    let (_, query) = location(&response);
    assert_eq!(query["error"], "invalid_request");
    assert!(!query.contains_key("state"));
}

#[tokio::test]
async fn code_is_appended_to_existing_query() {
    let redirect = "http://127.0.0.1:8080/callback?tenant=a";
    let sb = start_with(SandboxConfig {
        redirect_uris: vec![redirect.into()],
        ..rotating()
    })
    .await;
    let response = sb
        .post_authorize(&[
            ("client_id", CLIENT),
            ("redirect_uri", redirect),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("username", "ada@example.com"),
            ("password", "demo"),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let raw = header(response.headers(), "location").unwrap();
    assert!(
        raw.starts_with("http://127.0.0.1:8080/callback?tenant=a&code="),
        "{raw}"
    );
    let (_, query) = location(&response);
    let response = sb
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &query["code"]),
            ("code_verifier", VERIFIER),
            ("client_id", CLIENT),
            ("redirect_uri", redirect),
        ])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn access_token_expires() {
    let sb = start_with(SandboxConfig {
        access_token_lifetime: Duration::from_secs(1),
        ..rotating()
    })
    .await;
    let code = sb.code_for(CHALLENGE).await;
    let response = sb.exchange(&code, VERIFIER).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["expires_in"], 1);
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(sb.me(access, "").await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_unauthorized(sb.me(access, "").await).await;

    // The refresh token still works after the access token expired.
    let refresh = body["refresh_token"].as_str().unwrap();
    let (fresh, _) = token_pair(sb.refresh(refresh).await).await;
    assert_eq!(sb.me(&fresh, "").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn missing_or_unknown_bearer_token_is_401() {
    let sb = start_rotating().await;
    assert_unauthorized(sb.get("/api/v2/users/me").await).await;
    assert_unauthorized(sb.me("not-a-token", "").await).await;
    let response = sb
        .http
        .get(sb.url("/api/v2/tokens/me"))
        .header("authorization", "Basic YWRhOmRlbW8=")
        .send()
        .await
        .unwrap();
    assert_unauthorized(response).await;
    assert_unauthorized(sb.bearer_delete("/api/v2/tokens/me", "nope").await).await;
}

#[tokio::test]
async fn refresh_rotation_and_reuse_detection() {
    let sb = start_rotating().await;
    let (access1, refresh1) = sb.tokens().await;

    let response = sb.refresh(&refresh1).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    let access2 = body["access_token"].as_str().unwrap().to_string();
    let refresh2 = body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(access2, access1);
    assert_ne!(refresh2, refresh1);
    let me: Value = sb.me(&access2, "").await.json().await.unwrap();
    assert_eq!(me["name"], "Ada Lovelace");

    // Rotate once more, then replay the first (rotated-away) refresh token.
    let (access3, refresh3) = token_pair(sb.refresh(&refresh2).await).await;
    assert_eq!(sb.me(&access3, "").await.status(), StatusCode::OK);
    let description = assert_invalid_grant(sb.refresh(&refresh1).await).await;
    assert!(description.contains("already used"), "{description}");

    // The whole family is gone.
    for access in [&access1, &access2, &access3] {
        assert_unauthorized(sb.me(access, "").await).await;
    }
    assert_invalid_grant(sb.refresh(&refresh3).await).await;
}

#[tokio::test]
async fn reuse_revokes_only_its_own_family() {
    let sb = start_rotating().await;
    let (access_a, refresh_a) = sb.tokens().await;
    let (access_b, _) = sb.tokens().await;
    let _ = token_pair(sb.refresh(&refresh_a).await).await;
    assert_invalid_grant(sb.refresh(&refresh_a).await).await;
    assert_unauthorized(sb.me(&access_a, "").await).await;
    assert_eq!(sb.me(&access_b, "").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn refresh_errors() {
    let sb = start_rotating().await;
    assert_invalid_grant(sb.refresh("unknown").await).await;
    let response = sb
        .token(&[("grant_type", "refresh_token"), ("client_id", CLIENT)])
        .await;
    assert_invalid_request(response).await;
    let response = sb
        .token(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
        .await;
    assert_invalid_request(response).await;
}

#[tokio::test]
async fn delete_tokens_me_revokes_the_sign_in() {
    let sb = start_rotating().await;
    let (access, refresh) = sb.tokens().await;
    let (other_access, _) = sb.tokens().await;
    let response = sb.bearer_delete("/api/v2/tokens/me", &access).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_unauthorized(sb.me(&access, "").await).await;
    assert_invalid_grant(sb.refresh(&refresh).await).await;
    assert_unauthorized(sb.bearer_delete("/api/v2/tokens/me", &access).await).await;
    // Another sign-in is unaffected.
    assert_eq!(sb.me(&other_access, "").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn cors_for_allowed_origin_only() {
    let sb = start_rotating().await;
    let (access, _) = sb.tokens().await;

    for origin in [APP_ORIGIN, "http://localhost:8080"] {
        let response = sb
            .preflight_get(origin, "/api/v2/users/me", Some("authorization"))
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let h = response.headers();
        assert_eq!(header(h, "access-control-allow-origin"), Some(origin));
        let methods = header(h, "access-control-allow-methods").unwrap();
        for m in ["GET", "POST", "DELETE", "OPTIONS"] {
            assert!(methods.contains(m), "{methods}");
        }
        let allowed = header(h, "access-control-allow-headers")
            .unwrap()
            .to_ascii_lowercase();
        assert!(allowed.contains("authorization") && allowed.contains("content-type"));
        assert!(h.get_all("vary").iter().any(|v| v == "Origin"));
    }

    // Actual requests carry the header too, including errors.
    let response = sb
        .bearer_get_from(APP_ORIGIN, "/api/v2/users/me", &access)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_allows_origin(&response, APP_ORIGIN);
    // The app must be able to read Retry-After on a 429.
    assert_eq!(
        header(response.headers(), "access-control-expose-headers"),
        Some("retry-after, www-authenticate")
    );
    assert!(response
        .headers()
        .get_all("vary")
        .iter()
        .any(|v| v == "Origin"));
    let response = sb
        .post_form_from(APP_ORIGIN, "/oauth/token", &refresh_grant("x", CLIENT))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_allows_origin(&response, APP_ORIGIN);

    // Anyone else gets nothing.
    for evil in [
        "https://evil.example",
        "http://127.0.0.1:8081",
        "null",
        "http://127.0.0.1:8080/",
    ] {
        let response = sb.preflight_get(evil, "/api/v2/users/me", None).await;
        assert_ne!(response.status(), StatusCode::NO_CONTENT, "{evil}");
        assert_no_cors(response.headers());
        let response = sb.bearer_get_from(evil, "/api/v2/users/me", &access).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_no_cors(response.headers());
    }
}

#[tokio::test]
async fn token_endpoint_requires_form_encoding() {
    let sb = start_rotating().await;
    let code = sb.code_for(CHALLENGE).await;
    let json = serde_json::json!({
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": VERIFIER,
        "client_id": CLIENT,
        "redirect_uri": REDIRECT,
    });
    let response = sb.post_json("/oauth/token", &json).await;
    assert_invalid_request(response).await;
    let response = sb
        .http
        .post(sb.url("/oauth/token"))
        .body(query_string(&[("grant_type", "authorization_code")]))
        .send()
        .await
        .unwrap();
    assert_invalid_request(response).await;
    // The code was not consumed by requests that never got that far.
    let body = query_string(&code_grant(&code, VERIFIER, CLIENT));
    let response = sb
        .http
        .post(sb.url("/oauth/token"))
        .header(CONTENT_TYPE, format!("{FORM};charset=UTF-8"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn token_request_validation() {
    let sb = start_rotating().await;
    let code = sb.code_for(CHALLENGE).await;
    let full = code_grant(&code, VERIFIER, CLIENT);
    for skip in 0..full.len() {
        let partial: Vec<_> = full
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, p)| *p)
            .collect();
        let description = assert_invalid_request(sb.token(&partial).await).await;
        assert!(description.contains(full[skip].0), "{description}");
    }
    let mut repeated = full.to_vec();
    repeated.push(("code", "again"));
    assert_invalid_request(sb.token(&repeated).await).await;
    let response = sb
        .token(&[("grant_type", "password"), ("username", "ada@example.com")])
        .await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
    let response = sb.token(&[("grant_type", "client_credentials")]).await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
    // None of that touched the code.
    assert_eq!(sb.exchange(&code, VERIFIER).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn state_is_html_escaped_in_page() {
    let sb = start_rotating().await;
    let evil = "\"><script>alert(1)</script>";
    let response = sb
        .get_authorize(&authorize_params(Some(evil), CHALLENGE))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script>"));
    assert!(html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));

    let response = sb
        .sign_in("<script>x</script>", "bad", Some(evil), CHALLENGE)
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script>"));
    assert!(html.contains("value=\"&lt;script&gt;x&lt;/script&gt;\""));

    // And the state round-trips intact through the redirect.
    let response = sb
        .sign_in("ada@example.com", "demo", Some(evil), CHALLENGE)
        .await;
    let (_, query) = location(&response);
    assert_eq!(query["state"], evil);
}

#[tokio::test]
async fn logout_redirects_only_to_app_origins() {
    let sb = start_rotating().await;
    let response = sb
        .get_query(
            "/logout",
            &[
                ("client_id", CLIENT),
                ("redirect_uri", "http://localhost:8080/"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        header(response.headers(), "location"),
        Some("http://localhost:8080/")
    );

    for (client, target) in [
        (CLIENT, "https://evil.example/"),
        (CLIENT, "http://localhost:8081/"),
        ("someone-else", "http://localhost:8080/"),
        (CLIENT, ""),
    ] {
        let response = sb
            .get_query(
                "/logout",
                &[("client_id", client), ("redirect_uri", target)],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "{client} {target}"
        );
        assert!(response.headers().get(LOCATION).is_none());
        assert_html(&response);
    }
}

#[tokio::test]
async fn health_and_not_found() {
    let sb = start_rotating().await;
    let response = sb.get("/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok");

    let response = sb.get("/api/v2/nothing-here").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 404);
    assert_eq!(body["code"], "not.found");
    assert!(body["message"].is_string());
    assert!(body["contextId"].is_string());
    assert!(body["details"].is_array() && body["errors"].is_array());
}

//! The NICE CXone flavor (`--flavor cxone`) over real HTTP: the sandbox runs
//! in-process on 127.0.0.1:0, as in `http.rs`, with a known signing key so the
//! ID tokens' HS256 signatures can be checked with this file's own HMAC.

mod common;

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{
    assert_allows_origin, assert_error, assert_html, assert_invalid_token_challenge,
    assert_no_store, assert_stats, code_grant, header, query_string, refresh_grant, start_with,
    start_with_controls, str_of, Sandbox, APP_ORIGIN, CHALLENGE, REDIRECT, VERIFIER,
};
use pkce_desk_sandbox::config::Flavor;
use pkce_desk_sandbox::SandboxConfig;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The CXone flavor's demo client (the Genesys one is `common::CLIENT`).
const CLIENT: &str = "pkce-desk demo@Sandbox";
const NONCE: &str = "n-0S6_WzA2Mj";
const KEY: &[u8] = b"a signing key the tests know, 32+";
const ADA_ID: &str = "5f3c9a1e-7b2d-4c8e-9a41-0d6e2b7f1ada";
const GRACE_ID: &str = "8e4b2d7a-1c6f-4e3b-b5a9-3f2c7d9e0ace";
const TENANT: &str = "11EC-SANDBOX-TENANT";

async fn start() -> Sandbox {
    start_with(SandboxConfig {
        signing_key: Some(KEY.to_vec()),
        test_controls: true,
        ..SandboxConfig::cxone()
    })
    .await
}

// ---- this file's own HS256, independent of the sandbox's ----

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    assert!(key.len() <= 64);
    let mut padded = key.to_vec();
    padded.resize(64, 0);
    let ipad: Vec<u8> = padded.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = padded.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .to_vec()
}

#[test]
fn own_hmac_matches_rfc4231_test_case_2() {
    let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

fn b64_json(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

/// Header and claims of a JWT whose HS256 signature (by `KEY`) is checked.
fn verified(token: &str) -> (Value, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWS: {token}");
    let mac = hmac_sha256(KEY, format!("{}.{}", parts[0], parts[1]).as_bytes());
    assert_eq!(
        URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
        mac,
        "bad signature"
    );
    (b64_json(parts[0]), b64_json(parts[1]))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

// ---- HTTP helpers ----

/// Asserts a redirect and splits its Location (see `common::location`).
fn location(response: &Response) -> (String, HashMap<String, String>) {
    assert_eq!(response.status(), StatusCode::FOUND);
    common::location(response)
}

/// The authorization request's parameters, with `scope=openid`.
fn authorize_pairs<'a>(state: &'a str, nonce: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut pairs = vec![
        ("client_id", CLIENT),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("state", state),
    ];
    if let Some(nonce) = nonce {
        pairs.push(("nonce", nonce));
    }
    pairs
}

/// What the sign-in page's form posts (no response_type), signing Ada in.
fn sign_in_pairs(nonce: Option<&str>) -> Vec<(&str, &str)> {
    let mut pairs: Vec<(&str, &str)> = authorize_pairs("st", nonce)
        .into_iter()
        .filter(|(k, _)| *k != "response_type")
        .collect();
    pairs.extend([
        ("username", "ada@example.com"),
        ("password", "demo"),
        ("action", "sign-in"),
    ]);
    pairs
}

impl Sandbox {
    async fn get_authorize(&self, pairs: &[(&str, &str)]) -> Response {
        self.get_query("/auth/authorize", pairs).await
    }

    async fn post_authorize(&self, pairs: &[(&str, &str)]) -> Response {
        self.post_form("/auth/authorize", pairs).await
    }

    /// Signs Ada in and returns the code, checking state and iss.
    async fn code(&self, nonce: Option<&str>) -> String {
        let response = self.post_authorize(&sign_in_pairs(nonce)).await;
        let (base, params) = location(&response);
        assert_eq!(base, REDIRECT);
        assert_eq!(params["state"], "st");
        assert_eq!(params["iss"], self.base);
        params["code"].clone()
    }

    async fn token(&self, pairs: &[(&str, &str)]) -> Response {
        self.post_form("/auth/token", pairs).await
    }

    async fn exchange(&self, code: &str, verifier: &str) -> Response {
        self.token(&code_grant(code, verifier, CLIENT)).await
    }

    /// A full sign-in: the token response.
    async fn tokens(&self, nonce: Option<&str>) -> Value {
        let code = self.code(nonce).await;
        let response = self.exchange(&code, VERIFIER).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    async fn refresh(&self, refresh_token: &str) -> Response {
        self.token(&refresh_grant(refresh_token, CLIENT)).await
    }

    /// Refreshes with the refresh token of a token response: the new token response.
    async fn refreshed(&self, tokens: &Value) -> Value {
        self.refresh(str_of(tokens, "refresh_token"))
            .await
            .json()
            .await
            .unwrap()
    }

    async fn fail_next(&self, rule: Value) -> Response {
        self.post_json("/__sandbox/fail-next", &rule).await
    }

    async fn stats(&self) -> Value {
        self.get_json("/__sandbox/stats").await.1
    }
}

async fn assert_invalid_token(response: Response) {
    assert_invalid_token_challenge(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_token");
    assert!(body["error_description"].is_string());
    assert_eq!(body.as_object().unwrap().len(), 2);
}

// ---- tests ----

#[tokio::test]
async fn discovery_document() {
    let sb = start().await;
    let response = sb
        .get_from(APP_ORIGIN, "/.well-known/openid-configuration")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_allows_origin(&response, APP_ORIGIN);
    assert_no_store(&response);
    let iss = &sb.base;
    assert!(iss.starts_with("http://127.0.0.1:"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "issuer": iss,
            "authorization_endpoint": format!("{iss}/auth/authorize"),
            "token_endpoint": format!("{iss}/auth/token"),
            "userinfo_endpoint": format!("{iss}/auth/userinfo"),
            "jwks_uri": format!("{iss}/auth/jwks"),
            "end_session_endpoint": format!("{iss}/auth/authorize/logout"),
            "scopes_supported": ["openid"],
            "response_types_supported": ["code"],
            "display_values_supported": ["page", "popup"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["HS256"],
        })
    );
    assert!(body.get("revocation_endpoint").is_none());
    assert!(body
        .get("authorization_response_iss_parameter_supported")
        .is_none());

    // Other origins get no CORS headers.
    let response = sb
        .get_from("http://evil.example", "/.well-known/openid-configuration")
        .await;
    assert_eq!(
        header(response.headers(), "access-control-allow-origin"),
        None
    );

    let (status, jwks) = sb.get_json("/auth/jwks").await;
    assert_eq!((status, jwks), (StatusCode::OK, json!({"keys": []})));
    assert_eq!(sb.get("/health").await.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn full_flow_with_nonce_and_signed_id_token() {
    let sb = start().await;
    let page = sb.get_authorize(&authorize_pairs("st", Some(NONCE))).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("<title>Sign in — NICE CXone (sandbox)</title>"));
    assert!(html.contains("action=\"/auth/authorize\""));
    assert!(html.contains("<input type=\"hidden\" name=\"nonce\" value=\"n-0S6_WzA2Mj\">"));
    assert!(html.contains("<input type=\"hidden\" name=\"scope\" value=\"openid\">"));
    assert!(html.contains(">Username</label>") && html.contains(">Password</label>"));
    assert!(html.contains(">Sign in</button>") && html.contains(">Cancel</button>"));

    let code = sb.code(Some(NONCE)).await;
    let response = sb.exchange(&code, VERIFIER).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_store(&response);
    let tokens: Value = response.json().await.unwrap();
    let mut fields: Vec<&str> = tokens
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "access_token",
            "expires_in",
            "id_token",
            "issued_token_type",
            "refresh_token",
            "token_type"
        ]
    );
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(
        tokens["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    assert_eq!(str_of(&tokens, "refresh_token").split('.').count(), 1);

    let raw_header = URL_SAFE_NO_PAD
        .decode(str_of(&tokens, "id_token").split('.').next().unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(raw_header).unwrap(),
        r#"{"alg":"HS256","typ":"JWT","kid":"sandbox-hs256"}"#
    );
    let (_, claims) = verified(str_of(&tokens, "id_token"));
    let iat = claims["iat"].as_u64().unwrap();
    assert!(iat.abs_diff(now()) <= 5);
    assert_eq!(
        claims,
        json!({
            "iss": sb.base,
            "aud": CLIENT,
            "sub": format!("user:{ADA_ID}"),
            "userId": ADA_ID,
            "tenantId": TENANT,
            "tenant": "Sandbox Contact Center",
            "name": "Ada Lovelace",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "icBUId": 4600123,
            "icClusterId": "B32",
            "icDomain": "niceincontact.com",
            "icAgentId": claims["icAgentId"],
            "iat": iat,
            "exp": iat + 3600,
            "nonce": NONCE,
        })
    );
    let agent_id = str_of(&claims, "icAgentId");
    assert!(!agent_id.is_empty() && agent_id.bytes().all(|b| b.is_ascii_digit()));

    // The access token is a JWT too.
    let access = str_of(&tokens, "access_token");
    let (header_json, at) = verified(access);
    assert_eq!(header_json["alg"], "HS256");
    assert_eq!(at["iss"], sb.base.as_str());
    assert_eq!(at["sub"], format!("user:{ADA_ID}"));
    assert_eq!(at["tenantId"], TENANT);
    assert_eq!(
        at["exp"].as_u64().unwrap(),
        at["iat"].as_u64().unwrap() + 3600
    );
    assert!(!str_of(&at, "jti").is_empty());

    // The token works, and the user agrees with the ID token.
    let response = sb.bearer_get("/auth/userinfo", access).await;
    assert_eq!(response.status(), StatusCode::OK);
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["sub"], claims["sub"]);
    let response = sb
        .bearer_get(&format!("/user-management/v1/users/{ADA_ID}"), access)
        .await;
    let user: Value = response.json().await.unwrap();
    assert_eq!(user["user"]["id"], claims["userId"]);

    // Without a nonce in the request, the ID token has none.
    let tokens = sb.tokens(None).await;
    let (_, claims) = verified(str_of(&tokens, "id_token"));
    assert!(claims.get("nonce").is_none());
    // The code is single-use.
    let response = sb.exchange(&code, VERIFIER).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn iss_on_success_and_error_redirects() {
    let sb = start().await;
    // Missing PKCE challenge: an error redirect with state and iss.
    let pairs: Vec<_> = authorize_pairs("st", None)
        .into_iter()
        .filter(|(k, _)| *k != "code_challenge")
        .collect();
    let (base, params) = location(&sb.get_authorize(&pairs).await);
    assert_eq!(base, REDIRECT);
    assert_eq!(params["error"], "invalid_request");
    assert_eq!(params["state"], "st");
    assert_eq!(params["iss"], sb.base);

    // Unsupported response type.
    let mut pairs = authorize_pairs("st", None);
    pairs[2] = ("response_type", "token");
    let (_, params) = location(&sb.get_authorize(&pairs).await);
    assert_eq!(params["error"], "unsupported_response_type");
    assert_eq!(params["iss"], sb.base);

    // Cancel.
    let mut pairs = sign_in_pairs(None);
    pairs.retain(|(k, _)| *k != "action");
    pairs.push(("action", "cancel"));
    let (_, params) = location(&sb.post_authorize(&pairs).await);
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["iss"], sb.base);

    // The percent-encoded issuer in the raw Location.
    let response = sb.post_authorize(&sign_in_pairs(None)).await;
    let raw = header(response.headers(), "location").unwrap().to_string();
    let encoded_iss = query_string(&[("iss", &sb.base)]);
    assert!(raw.ends_with(&format!("&{encoded_iss}")), "{raw}");
    assert!(encoded_iss.contains("http%3A%2F%2F127.0.0.1%3A"));

    // An injected error redirect carries it too; an `iss` rule replaces it.
    sb.fail_next(json!({"endpoint": "authorize", "mode": "redirect_error", "error": "temporarily_unavailable"}))
        .await;
    let (_, params) = location(&sb.get_authorize(&authorize_pairs("st", None)).await);
    assert_eq!(params["error"], "temporarily_unavailable");
    assert_eq!(params["iss"], sb.base);
    sb.fail_next(json!({"endpoint": "authorize", "mode": "iss", "error": "https://evil.example"}))
        .await;
    let (_, params) = location(&sb.post_authorize(&sign_in_pairs(None)).await);
    assert!(params.contains_key("code"));
    assert_eq!(params["iss"], "https://evil.example");

    // A bad client or redirect URI is never redirected.
    let mut pairs = authorize_pairs("st", None);
    pairs[1] = ("redirect_uri", "http://evil.example/cb");
    let response = sb.get_authorize(&pairs).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Error — NICE CXone (sandbox)</title>"));
    assert!(html.contains("redirect_uri is not registered"));
}

#[tokio::test]
async fn client_id_with_space_and_at_round_trips() {
    let sb = start().await;
    assert_eq!(SandboxConfig::cxone().client_id, CLIENT);
    assert_eq!(SandboxConfig::cxone().flavor, Flavor::Cxone);
    // `+` for the space (form encoding) and `%20` (URI encoding) both decode.
    for encoded in ["pkce-desk+demo%40Sandbox", "pkce-desk%20demo@Sandbox"] {
        let path = format!(
            "/auth/authorize?client_id={encoded}&{}",
            query_string(&authorize_pairs("st", None)[1..])
        );
        let response = sb.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{encoded}");
        let html = response.text().await.unwrap();
        assert!(html.contains("name=\"client_id\" value=\"pkce-desk demo@Sandbox\""));
    }
    // Close is not enough.
    for wrong in [
        "pkce-desk demo",
        "pkce-desk-demo@Sandbox",
        "pkce-desk demo@sandbox",
    ] {
        let mut pairs = authorize_pairs("st", None);
        pairs[0] = ("client_id", wrong);
        let response = sb.get_authorize(&pairs).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{wrong}");
    }
    let tokens = sb.tokens(Some(NONCE)).await;
    let (_, claims) = verified(str_of(&tokens, "id_token"));
    assert_eq!(claims["aud"], CLIENT);
    // The token endpoint decodes it too, and insists on it.
    let code = sb.code(None).await;
    let response = sb
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", VERIFIER),
            ("client_id", "pkce-desk demo"),
            ("redirect_uri", REDIRECT),
        ])
        .await;
    assert_error(response, StatusCode::UNAUTHORIZED, "invalid_client").await;
}

#[tokio::test]
async fn scope_must_include_openid() {
    let sb = start().await;
    for scope in [Some("profile email"), Some("openidx"), None] {
        let mut pairs = authorize_pairs("st", Some(NONCE));
        pairs.retain(|(k, _)| *k != "scope");
        if let Some(scope) = scope {
            pairs.push(("scope", scope));
        }
        let (base, params) = location(&sb.get_authorize(&pairs).await);
        assert_eq!(base, REDIRECT);
        assert_eq!(params["error"], "invalid_scope", "{scope:?}");
        assert_eq!(params["state"], "st");
        assert_eq!(params["iss"], sb.base);
    }
    // openid among others is fine.
    let mut pairs = authorize_pairs("st", None);
    pairs[3] = ("scope", "profile openid offline_access");
    assert_eq!(sb.get_authorize(&pairs).await.status(), StatusCode::OK);
    // The form submission is checked too.
    let mut pairs = sign_in_pairs(None);
    pairs.retain(|(k, _)| *k != "scope");
    let (_, params) = location(&sb.post_authorize(&pairs).await);
    assert_eq!(params["error"], "invalid_scope");
    assert!(!params.contains_key("code"));
}

#[tokio::test]
async fn pkce_mismatch_is_invalid_grant_and_consumes_the_code() {
    let sb = start().await;
    let code = sb.code(Some(NONCE)).await;
    let response = sb
        .exchange(&code, "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        .await;
    let body = assert_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
    // CXone's camel case (OpenAPI types), not RFC 6749's error_description.
    assert_eq!(body["errorDescription"], "PKCE verification failed.");
    assert_eq!(body.as_object().unwrap().len(), 2);
    let response = sb.exchange(&code, VERIFIER).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn refresh_rotation_and_reuse_detection() {
    let sb = start().await;
    let first = sb.tokens(Some(NONCE)).await;
    let response = sb.refresh(str_of(&first, "refresh_token")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let second: Value = response.json().await.unwrap();
    assert_eq!(second["token_type"], "Bearer");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    // A fresh ID token, without a nonce.
    let (_, claims) = verified(str_of(&second, "id_token"));
    assert_eq!(claims["sub"], format!("user:{ADA_ID}"));
    assert_eq!(claims["aud"], CLIENT);
    assert!(claims.get("nonce").is_none());
    let access = str_of(&second, "access_token");
    assert_eq!(
        sb.bearer_get("/auth/userinfo", access).await.status(),
        StatusCode::OK
    );

    // The spent refresh token comes back: the whole family is revoked.
    let response = sb.refresh(str_of(&first, "refresh_token")).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
    assert_invalid_token(sb.bearer_get("/auth/userinfo", access).await).await;
    assert_invalid_token(
        sb.bearer_get("/auth/userinfo", str_of(&first, "access_token"))
            .await,
    )
    .await;
    let response = sb.refresh(str_of(&second, "refresh_token")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn userinfo() {
    let sb = start().await;
    let tokens = sb.tokens(None).await;
    let response = sb
        .bearer_get_from(
            APP_ORIGIN,
            "/auth/userinfo",
            str_of(&tokens, "access_token"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_allows_origin(&response, APP_ORIGIN);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "sub": format!("user:{ADA_ID}"),
            "name": "Ada Lovelace",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "email": "ada@example.com",
        })
    );
    assert_invalid_token(sb.get("/auth/userinfo").await).await;
    assert_invalid_token(sb.bearer_get("/auth/userinfo", "not-a-token").await).await;
    // A JWT this server never issued (by its exact string) is no good either.
    let access = str_of(&tokens, "access_token");
    let (head, rest) = access.split_once('.').unwrap();
    let (claims, _) = rest.split_once('.').unwrap();
    let forged_sig = URL_SAFE_NO_PAD.encode(hmac_sha256(KEY, b"something else"));
    assert_invalid_token(
        sb.bearer_get("/auth/userinfo", &format!("{head}.{claims}.{forged_sig}"))
            .await,
    )
    .await;
}

#[tokio::test]
async fn tenant_configuration() {
    let sb = start().await;
    let (status, body) = sb
        .get_json(&format!(
            "/.well-known/cxone-configuration?tenantId={TENANT}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({
            "private": false,
            "area": "na1",
            "cluster": "B32",
            "domain": "niceincontact.com",
            "acdDomain": "nice-incontact.com",
            "uhDomain": "nice-incontact.com",
            "ui_endpoint": sb.base,
            "auth_endpoint": sb.base,
            "api_endpoint": sb.base,
            "tenantId": TENANT,
        })
    );
    let (status, body) = sb
        .get_json("/.well-known/cxone-configuration?tenantId=11EC-OTHER")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({"message": "Tenant not found", "statusCode": 404})
    );
    let (status, body) = sb.get_json("/.well-known/cxone-configuration").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["statusCode"], 400);
}

#[tokio::test]
async fn user_management_user() {
    let sb = start().await;
    let tokens = sb.tokens(None).await;
    let access = str_of(&tokens, "access_token");
    let response = sb
        .bearer_get(&format!("/user-management/v1/users/{ADA_ID}"), access)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let user = &body["user"];
    assert_eq!(body.as_object().unwrap().len(), 1);
    for (field, value) in [
        ("id", json!(ADA_ID)),
        ("userName", json!("ada@example.com")),
        ("firstName", json!("Ada")),
        ("lastName", json!("Lovelace")),
        ("displayName", json!("Ada Lovelace")),
        ("fullName", json!("Ada Lovelace")),
        ("emailAddress", json!("ada@example.com")),
        ("status", json!("Active")),
        ("timeZone", json!("Europe/London")),
        ("type", json!("Agent")),
    ] {
        assert_eq!(user[field], value, "{field}");
    }
    assert!(user["teamId"].is_string() && user["roleUUID"].is_string());
    // NICE's SDK model and nothing else: no team or role names, no agent id.
    assert_eq!(user.as_object().unwrap().len(), 12);

    // Grace's own token reads Grace.
    let mut pairs = sign_in_pairs(None);
    pairs.iter_mut().for_each(|p| {
        if p.0 == "username" {
            p.1 = "grace@example.com";
        }
    });
    let (_, params) = location(&sb.post_authorize(&pairs).await);
    let response = sb.exchange(&params["code"], VERIFIER).await;
    let grace: Value = response.json().await.unwrap();
    let response = sb
        .bearer_get(
            &format!("/user-management/v1/users/{GRACE_ID}"),
            str_of(&grace, "access_token"),
        )
        .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["id"], GRACE_ID);
    assert_ne!(body["user"]["teamId"], user["teamId"]);

    // Ada's token may not read Grace; unknown ids are 404; no token is 401.
    let response = sb
        .bearer_get(&format!("/user-management/v1/users/{GRACE_ID}"), access)
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["statusCode"], 403);
    let response = sb
        .bearer_get("/user-management/v1/users/nobody", access)
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_invalid_token(sb.get(&format!("/user-management/v1/users/{ADA_ID}")).await).await;
    assert_invalid_token(
        sb.bearer_get(&format!("/user-management/v1/users/{ADA_ID}"), "nope")
            .await,
    )
    .await;
}

#[tokio::test]
async fn logout() {
    let sb = start().await;
    let tokens = sb.tokens(Some(NONCE)).await;
    let id_token = str_of(&tokens, "id_token");
    let logout = |pairs: &[(&str, &str)]| format!("/auth/authorize/logout?{}", query_string(pairs));

    // A valid hint: back to the app with the state echoed. `client_id` is not part of
    // CXone's request and is ignored, whatever it says.
    for extra in [None, Some(("client_id", "another-app@OtherVendor"))] {
        let mut pairs = vec![
            ("id_token_hint", id_token),
            ("post_logout_redirect_uri", "http://127.0.0.1:8080/"),
            ("state", "bye"),
        ];
        pairs.extend(extra);
        let response = sb.get(&logout(&pairs)).await;
        let (base, params) = location(&response);
        assert_eq!(base, "http://127.0.0.1:8080/");
        assert_eq!(params["state"], "bye");
    }

    // Without a hint the return address cannot be checked: no redirect (RP-Initiated
    // Logout 1.0 section 2), the user stays on the provider's "signed out" page, even
    // with our own client_id.
    for pairs in [
        vec![(
            "post_logout_redirect_uri",
            "http://localhost:8080/signed-out",
        )],
        vec![
            ("client_id", CLIENT),
            ("post_logout_redirect_uri", "http://127.0.0.1:8080/"),
        ],
        vec![],
    ] {
        let response = sb.get(&logout(&pairs)).await;
        assert_eq!(response.status(), StatusCode::OK, "{pairs:?}");
        assert!(header(response.headers(), "location").is_none());
        assert!(response
            .text()
            .await
            .unwrap()
            .contains("You are signed out"));
    }
    // A valid hint without a return address: signed out, nowhere to go.
    let response = sb.get(&logout(&[("id_token_hint", id_token)])).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(response.headers(), "location").is_none());

    // Another client's ID token (signed by us, `aud` someone else's) and an ID token of
    // another CXone (another key and issuer) are foreign hints.
    sb.fail_next(json!({"endpoint": "token_code", "mode": "id_token_wrong_aud"}))
        .await;
    let other_client = sb.tokens(None).await;
    let other = start().await;
    let other_tokens = other.tokens(None).await;
    for (what, pairs) in [
        (
            "foreign origin",
            vec![
                ("id_token_hint", id_token),
                ("post_logout_redirect_uri", "http://evil.example/"),
            ],
        ),
        (
            "unregistered port",
            vec![
                ("id_token_hint", id_token),
                ("post_logout_redirect_uri", "http://127.0.0.1:9999/"),
            ],
        ),
        (
            "malformed hint",
            vec![
                ("id_token_hint", "not.a.token"),
                ("post_logout_redirect_uri", "http://127.0.0.1:8080/"),
            ],
        ),
        // An access token is signed by us but is no ID token for the client.
        (
            "access token",
            vec![
                ("id_token_hint", str_of(&tokens, "access_token")),
                ("post_logout_redirect_uri", "http://127.0.0.1:8080/"),
            ],
        ),
        (
            "another client's",
            vec![
                ("id_token_hint", str_of(&other_client, "id_token")),
                ("post_logout_redirect_uri", "http://127.0.0.1:8080/"),
            ],
        ),
        (
            "another issuer's",
            vec![
                ("id_token_hint", str_of(&other_tokens, "id_token")),
                ("post_logout_redirect_uri", "http://127.0.0.1:8080/"),
            ],
        ),
        (
            "repeated hint",
            vec![
                ("id_token_hint", id_token),
                ("id_token_hint", id_token),
                ("post_logout_redirect_uri", "http://127.0.0.1:8080/"),
            ],
        ),
    ] {
        let response = sb.get(&logout(&pairs)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{what}");
        assert!(header(response.headers(), "location").is_none(), "{what}");
        assert_html(&response);
        assert!(response.text().await.unwrap().contains("NICE CXone"));
    }
    assert_eq!(sb.stats().await["logout"], 13);

    // RP-Initiated Logout section 2: the same request as a form POST (the app's way, which
    // keeps the ID token out of URLs).
    let response = sb
        .post_form(
            "/auth/authorize/logout",
            &[
                ("id_token_hint", id_token),
                ("post_logout_redirect_uri", "http://127.0.0.1:8080/login"),
                ("state", "s2"),
            ],
        )
        .await;
    assert_eq!(
        header(response.headers(), "location"),
        Some("http://127.0.0.1:8080/login?state=s2")
    );
    let response = sb
        .post_form(
            "/auth/authorize/logout",
            &[
                ("id_token_hint", id_token),
                ("post_logout_redirect_uri", "http://evil.example/"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // Nothing is revoked: CXone has no revocation.
    assert_eq!(
        sb.bearer_get("/auth/userinfo", str_of(&tokens, "access_token"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn id_token_fail_modes() {
    let sb = start().await;
    let iat_ok = |claims: &Value| claims["exp"].as_u64().unwrap() > now();

    // Each issues real, working tokens with the ID token altered as named.
    for (mode, check) in [
        ("id_token_wrong_nonce", "nonce"),
        ("id_token_wrong_aud", "aud"),
        ("id_token_wrong_iss", "iss"),
        ("id_token_expired", "exp"),
        ("id_token_malformed", "parts"),
        ("no_id_token", "absent"),
    ] {
        let endpoint = if mode == "no_id_token" {
            "token"
        } else {
            "token_code"
        };
        let response = sb
            .fail_next(json!({"endpoint": endpoint, "mode": mode}))
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{mode}");
        let tokens = sb.tokens(Some(NONCE)).await;
        let access = str_of(&tokens, "access_token");
        assert_eq!(
            sb.bearer_get("/auth/userinfo", access).await.status(),
            StatusCode::OK,
            "{mode}"
        );
        assert!(tokens["refresh_token"].is_string());
        match check {
            "absent" => assert!(tokens.get("id_token").is_none()),
            "parts" => {
                let id_token = str_of(&tokens, "id_token");
                assert_ne!(id_token.split('.').count(), 3, "{id_token}");
            }
            _ => {
                let (_, claims) = verified(str_of(&tokens, "id_token"));
                match check {
                    "nonce" => {
                        assert_ne!(claims["nonce"], NONCE);
                        assert!(claims["nonce"].is_string());
                    }
                    "aud" => assert_ne!(claims["aud"], CLIENT),
                    "iss" => assert_ne!(claims["iss"], sb.base.as_str()),
                    "exp" => {
                        assert!(claims["exp"].as_u64().unwrap() + 60 < now());
                        assert!(claims["iat"].as_u64().unwrap() < claims["exp"].as_u64().unwrap());
                    }
                    _ => unreachable!(),
                }
                // Only the named claim is off.
                if check != "nonce" {
                    assert_eq!(claims["nonce"], NONCE, "{mode}");
                }
                if check != "aud" {
                    assert_eq!(claims["aud"], CLIENT, "{mode}");
                }
                if check != "iss" {
                    assert_eq!(claims["iss"], sb.base.as_str(), "{mode}");
                }
                if check != "exp" {
                    assert!(iat_ok(&claims), "{mode}");
                }
            }
        }
        // The rule was used up: the next sign-in is normal.
        let tokens = sb.tokens(Some(NONCE)).await;
        let (_, claims) = verified(str_of(&tokens, "id_token"));
        assert_eq!(claims["nonce"], NONCE, "{mode}");
    }

    // A wrong nonce is present even if the app sent none.
    sb.fail_next(json!({"endpoint": "token_code", "mode": "id_token_wrong_nonce"}))
        .await;
    let tokens = sb.tokens(None).await;
    let (_, claims) = verified(str_of(&tokens, "id_token"));
    assert!(claims["nonce"].is_string());

    // An ID token rule on "token" waits for a code grant: a refresh leaves it queued.
    let first = sb.tokens(Some(NONCE)).await;
    sb.fail_next(json!({"endpoint": "token", "mode": "no_id_token"}))
        .await;
    let refreshed = sb.refreshed(&first).await;
    assert!(refreshed["id_token"].is_string());
    let tokens = sb.tokens(Some(NONCE)).await;
    assert!(tokens.get("id_token").is_none());

    // Only for the token endpoint's code grant.
    for endpoint in ["token_refresh", "authorize", "users_me"] {
        let response = sb
            .fail_next(json!({"endpoint": endpoint, "mode": "id_token_expired"}))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{endpoint}");
    }
}

#[tokio::test]
async fn id_token_modes_need_the_cxone_flavor() {
    let sb = start_with_controls().await;
    let response = sb
        .fail_next(json!({"endpoint": "token", "mode": "id_token_wrong_aud"}))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert!(str_of(&body, "message").contains("--flavor cxone"));
    // The Genesys flavor serves none of the CXone paths, and has the new counters at 0.
    for path in [
        "/.well-known/openid-configuration",
        "/auth/authorize",
        "/auth/userinfo",
        "/.well-known/cxone-configuration?tenantId=11EC-SANDBOX-TENANT",
    ] {
        assert_eq!(sb.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let stats = sb.stats().await;
    assert_eq!(
        (stats["discovery"].clone(), stats["tenant_config"].clone()),
        (json!(0), json!(0))
    );
}

#[tokio::test]
async fn genesys_paths_are_404() {
    let sb = start().await;
    let access = str_of(&sb.tokens(None).await, "access_token").to_string();
    for path in [
        "/oauth/authorize",
        "/api/v2/users/me",
        "/api/v2/tokens/me",
        "/api/v2/routing/queues/me",
        "/logout",
    ] {
        let response = sb.bearer_get(path, &access).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"message": "Not found", "statusCode": 404}));
    }
    let response = sb
        .post_form("/oauth/token", &[("grant_type", "refresh_token")])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // An "api" rule is about /user-management here, not /api/v2.
    sb.fail_next(json!({"endpoint": "api", "mode": "forbidden"}))
        .await;
    assert_eq!(
        sb.bearer_get("/api/v2/users/me", &access).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sb.get("/user-management/v1/unknown").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn test_controls_map_to_cxone_endpoints() {
    let sb = start().await;
    let tokens = sb.tokens(None).await;
    let access = str_of(&tokens, "access_token").to_string();
    let user_path = format!("/user-management/v1/users/{ADA_ID}");

    // users_me: userinfo and user-management users, in CXone's 401 shape.
    sb.fail_next(json!({"endpoint": "users_me", "mode": "unauthorized", "count": 2}))
        .await;
    assert_invalid_token(sb.bearer_get("/auth/userinfo", &access).await).await;
    assert_invalid_token(sb.bearer_get(&user_path, &access).await).await;
    assert_eq!(
        sb.bearer_get("/auth/userinfo", &access).await.status(),
        StatusCode::OK
    );

    // api: user-management only, not userinfo.
    sb.fail_next(json!({"endpoint": "api", "mode": "rate_limited", "retry_after": 3}))
        .await;
    assert_eq!(
        sb.bearer_get("/auth/userinfo", &access).await.status(),
        StatusCode::OK
    );
    let response = sb.bearer_get(&user_path, &access).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(response.headers(), "retry-after"), Some("3"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["statusCode"], 429);

    // token_refresh / token: /auth/token.
    sb.fail_next(json!({"endpoint": "token_refresh", "mode": "invalid_grant"}))
        .await;
    let response = sb.refresh(str_of(&tokens, "refresh_token")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // Not processed: the refresh token still works.
    let response = sb.refresh(str_of(&tokens, "refresh_token")).await;
    assert_eq!(response.status(), StatusCode::OK);
    sb.fail_next(json!({"endpoint": "token", "mode": "wrong_content_type"}))
        .await;
    let code = sb.code(None).await;
    let response = sb.exchange(&code, VERIFIER).await;
    assert_eq!(
        header(response.headers(), "content-type"),
        Some("text/plain")
    );
    let fake: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(fake["token_type"], "Bearer");
    assert!(fake["id_token"].is_string());
    // The code was not consumed.
    assert_eq!(sb.exchange(&code, VERIFIER).await.status(), StatusCode::OK);

    // authorize: /auth/authorize.
    sb.fail_next(json!({"endpoint": "authorize", "mode": "html_502"}))
        .await;
    let response = sb.get_authorize(&authorize_pairs("st", None)).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);

    // Stats: the new counters and the usual ones.
    sb.get("/.well-known/openid-configuration").await;
    sb.get("/.well-known/openid-configuration").await;
    sb.get(&format!(
        "/.well-known/cxone-configuration?tenantId={TENANT}"
    ))
    .await;
    sb.get("/.well-known/cxone-configuration?tenantId=nope")
        .await;
    sb.get("/.well-known/cxone-configuration").await;
    assert_stats(
        &sb.stats().await,
        &[
            ("authorize_page", 1),
            ("authorize_submit", 2),
            ("token_authorization_code", 3),
            ("token_refresh", 2),
            ("users_me", 5),
            ("tenant_config", 3),
            ("discovery", 2),
            // The two userinfo calls no rule answered; two sign-ins' refresh tokens.
            ("api_calls", 2),
            ("live_refresh_tokens", 2),
        ],
    );
}

#[tokio::test]
async fn expire_access_tokens_and_settings_apply() {
    let sb = start().await;
    let response = sb
        .post_json(
            "/__sandbox/settings",
            &json!({"access_token_lifetime": 5, "rotate_refresh_tokens": false}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let tokens = sb.tokens(Some(NONCE)).await;
    assert_eq!(tokens["expires_in"], 5);
    let (_, claims) = verified(str_of(&tokens, "id_token"));
    assert_eq!(
        claims["exp"].as_u64().unwrap(),
        claims["iat"].as_u64().unwrap() + 5
    );
    let (_, at) = verified(str_of(&tokens, "access_token"));
    assert_eq!(at["exp"].as_u64().unwrap(), at["iat"].as_u64().unwrap() + 5);

    let response = sb
        .http
        .post(sb.url("/__sandbox/expire-access-tokens"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_invalid_token(
        sb.bearer_get("/auth/userinfo", str_of(&tokens, "access_token"))
            .await,
    )
    .await;
    // No rotation: no new refresh token, the old one keeps working.
    let refreshed = sb.refreshed(&tokens).await;
    assert!(refreshed.get("refresh_token").is_none());
    assert!(refreshed["id_token"].is_string());
    assert_eq!(
        sb.bearer_get("/auth/userinfo", str_of(&refreshed, "access_token"))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        sb.refresh(str_of(&tokens, "refresh_token")).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn issuer_follows_the_config_and_the_port_is_a_fallback() {
    // An explicit issuer wins over the bound address.
    let sb = start_with(SandboxConfig {
        issuer: Some("http://127.0.0.1:9091".into()),
        ..SandboxConfig::cxone()
    })
    .await;
    let (_, body) = sb.get_json("/.well-known/openid-configuration").await;
    assert_eq!(body["issuer"], "http://127.0.0.1:9091");
    assert_eq!(body["token_endpoint"], "http://127.0.0.1:9091/auth/token");
}

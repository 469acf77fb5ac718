//! What the app's session-integrity and provider-fidelity tests (issues 10 and 11) rely
//! on: `--refresh-tokens none|rotate`, held responses, the token and API stats,
//! `token-status`, oversized bodies without Content-Length, and the Genesys SSO cookie.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::{
    assert_bad_credentials, authorize_params, code_grant, header, location, refresh_grant,
    rotating, send, start_genesys, start_with, str_of, GenesysFlow, Sandbox, APP_ORIGIN, CHALLENGE,
    CLIENT, REDIRECT,
};
use pkce_desk_sandbox::config::RefreshTokens;
use pkce_desk_sandbox::SandboxConfig;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

/// The largest body the app accepts; the oversized modes must exceed it.
const APP_BODY_CAP: usize = 64 * 1024;

impl Sandbox {
    async fn control(&self, path: &str, body: Value) -> Response {
        send(self.http.post(self.url(path)).json(&body)).await
    }

    async fn fail_next(&self, rule: Value) {
        let response = self.control("/__sandbox/fail-next", rule).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }

    async fn stats(&self) -> Value {
        self.get_json("/__sandbox/stats").await.1
    }

    async fn refresh_status(&self, refresh_token: &str) -> String {
        let response = self
            .control(
                "/__sandbox/token-status",
                json!({ "refresh_token": refresh_token }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        str_of(&body, "refresh_token_status").to_string()
    }

    /// GET /oauth/authorize with `cookie` (if any) and extra parameters.
    async fn authorize_with(&self, cookie: Option<&str>, extra: &[(&str, &str)]) -> Response {
        let mut pairs = authorize_params(Some("st"), CHALLENGE);
        pairs.extend_from_slice(extra);
        let url = self.url(&format!(
            "/oauth/authorize?{}",
            common::query_string(&pairs)
        ));
        let mut request = self.http.get(url);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        send(request).await
    }
}

// ---- --refresh-tokens none|rotate ----

#[tokio::test]
async fn genesys_default_issues_no_refresh_token_and_refuses_the_grant() {
    let sb = start_genesys(SandboxConfig::default().refresh_tokens).await;
    let tokens = sb.tokens().await;
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(sb.stats().await["live_refresh_tokens"], 0);

    // What Genesys answers a public client for this grant: 401 invalid_client, with its
    // extra `description` next to RFC 6749's `error_description`.
    let response = sb.refresh("anything").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error": "invalid_client", "description": "authentication failed",
               "error_description": "authentication failed"})
    );
    // An unknown client is still told so first.
    let response = sb.token(&refresh_grant("anything", "someone-else")).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["description"], "Unknown client_id.");

    // Switched at run time; `reset` goes back to the command line's `none`.
    let response = sb
        .control("/__sandbox/settings", json!({"refresh_tokens": "rotate"}))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let tokens = sb.tokens().await;
    let refresh = str_of(&tokens, "refresh_token");
    assert_eq!(sb.refresh(refresh).await.status(), StatusCode::OK);
    let response = sb.control("/__sandbox/reset", json!({})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(sb.tokens().await.get("refresh_token").is_none());
    let response = sb
        .control("/__sandbox/settings", json!({"refresh_tokens": "always"}))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn rotate_mode_from_the_command_line() {
    let sb = start_genesys(RefreshTokens::Rotate).await;
    let tokens = sb.tokens().await;
    let first = str_of(&tokens, "refresh_token").to_string();
    let response = sb.refresh(&first).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_ne!(str_of(&body, "refresh_token"), first);
    assert_eq!(sb.refresh_status(&first).await, "spent");
}

// ---- a refresh answered late, then sign-out ----

/// The e2e scenario of issue 10: the refresh is processed (a new refresh token exists)
/// but its response is held; the app signs out with the pre-rotation access token
/// meanwhile. The held response still arrives with the rotated token, which the
/// sign-out's family revocation has killed, and the stats say so.
#[tokio::test]
async fn hold_response_then_revocation_revokes_the_late_refresh_token() {
    let sb = start_with(SandboxConfig {
        test_controls: true,
        ..rotating()
    })
    .await;
    let tokens = sb.tokens().await;
    let access = str_of(&tokens, "access_token").to_string();
    let refresh = str_of(&tokens, "refresh_token").to_string();
    sb.fail_next(json!({"endpoint": "token_refresh", "mode": "hold_response", "delay_ms": 800}))
        .await;

    let started = Instant::now();
    let held = {
        let request = sb
            .http
            .post(sb.url("/oauth/token"))
            .form(&refresh_grant(&refresh, CLIENT));
        tokio::spawn(async move { request.send().await.unwrap() })
    };
    // The refresh is processed at once: the presented token is spent before the answer.
    let deadline = Instant::now() + Duration::from_secs(5);
    while sb.refresh_status(&refresh).await != "spent" {
        assert!(Instant::now() < deadline, "the refresh was not processed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // ... and its response is still being held.
    assert!(!held.is_finished());
    assert_eq!(sb.stats().await["live_refresh_tokens"], 1);

    // Sign-out while the response is in flight.
    let response = sb.bearer_delete("/api/v2/tokens/me", &access).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let response = held.await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(800));
    assert_eq!(response.status(), StatusCode::OK);
    let late: Value = response.json().await.unwrap();
    let late_refresh = str_of(&late, "refresh_token");
    assert_ne!(late_refresh, refresh);
    assert_eq!(sb.refresh_status(late_refresh).await, "revoked");
    assert_bad_credentials(sb.me(str_of(&late, "access_token")).await).await;
    let stats = sb.stats().await;
    assert_eq!(stats["revoked_refresh_tokens"], 1);
    assert_eq!(stats["live_refresh_tokens"], 0);
    assert_eq!(
        sb.refresh(late_refresh).await.status(),
        StatusCode::BAD_REQUEST
    );
}

/// Without a sign-out the held response's tokens are live, and a held response
/// really waits.
#[tokio::test]
async fn hold_response_delivers_live_tokens_late() {
    let sb = start_with(SandboxConfig {
        test_controls: true,
        ..rotating()
    })
    .await;
    let tokens = sb.tokens().await;
    sb.fail_next(json!({"endpoint": "token_refresh", "mode": "hold_response", "delay_ms": 300}))
        .await;
    let started = Instant::now();
    let response = sb.refresh(str_of(&tokens, "refresh_token")).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(response.status(), StatusCode::OK);
    let late: Value = response.json().await.unwrap();
    assert_eq!(
        sb.refresh_status(str_of(&late, "refresh_token")).await,
        "live"
    );
    assert_eq!(
        sb.me(str_of(&late, "access_token")).await.status(),
        StatusCode::OK
    );
}

/// `delay` waits *before* handling: a sign-out during the wait revokes the presented
/// refresh token, and the late refresh fails. (`hold_response` is the in-flight case.)
#[tokio::test]
async fn delay_waits_before_handling() {
    let sb = start_with(SandboxConfig {
        test_controls: true,
        ..rotating()
    })
    .await;
    let tokens = sb.tokens().await;
    let refresh = str_of(&tokens, "refresh_token").to_string();
    sb.fail_next(json!({"endpoint": "token_refresh", "mode": "delay", "delay_ms": 500}))
        .await;
    let delayed = {
        let request = sb
            .http
            .post(sb.url("/oauth/token"))
            .form(&refresh_grant(&refresh, CLIENT));
        tokio::spawn(async move { request.send().await.unwrap() })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sb.refresh_status(&refresh).await, "live");
    let response = sb
        .bearer_delete("/api/v2/tokens/me", str_of(&tokens, "access_token"))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = delayed.await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(sb.refresh_status(&refresh).await, "revoked");
}

#[tokio::test]
async fn token_status_control() {
    let sb = start_genesys(RefreshTokens::Rotate).await;
    assert_eq!(sb.refresh_status("never-issued").await, "unknown");
    for body in [
        json!({}),
        json!({"refresh_token": 1}),
        json!({"refresh_token": "a", "x": 1}),
    ] {
        let response = sb.control("/__sandbox/token-status", body.clone()).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    }
}

// ---- API call counters ----

/// Every API call that reaches the token check is counted, and each one with no, an
/// expired or a revoked token also as a 401: a test can assert that no stale token was used.
#[tokio::test]
async fn api_calls_and_401s_are_counted() {
    let sb = start_genesys(RefreshTokens::None).await;
    let tokens = sb.tokens().await;
    let access = str_of(&tokens, "access_token");
    assert_eq!(sb.me(access).await.status(), StatusCode::OK);
    let response = sb.bearer_get("/api/v2/routing/queues/me", access).await;
    assert_eq!(response.status(), StatusCode::OK);
    let stats = sb.stats().await;
    assert_eq!(
        (
            stats["api_calls"].clone(),
            stats["api_rejected_401"].clone()
        ),
        (json!(2), json!(0))
    );

    // Expired, missing, unknown.
    let response = sb
        .control("/__sandbox/expire-access-tokens", json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_bad_credentials(sb.me(access).await).await;
    assert_bad_credentials(sb.get("/api/v2/users/me").await).await;
    assert_bad_credentials(sb.me("nope").await).await;
    // An injected 401 is not a stale token: not counted as either.
    sb.fail_next(json!({"endpoint": "api", "mode": "unauthorized"}))
        .await;
    assert_bad_credentials(sb.me(access).await).await;
    let stats = sb.stats().await;
    assert_eq!(
        (
            stats["api_calls"].clone(),
            stats["api_rejected_401"].clone()
        ),
        (json!(5), json!(3))
    );
}

// ---- oversized bodies without Content-Length ----

async fn assert_chunked_oversized(response: Response) {
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(response.headers(), "content-length").is_none());
    assert_eq!(
        header(response.headers(), "transfer-encoding"),
        Some("chunked")
    );
    assert_eq!(
        header(response.headers(), "content-type"),
        Some("application/json")
    );
    let body = response.bytes().await.unwrap();
    assert!(body.len() > APP_BODY_CAP + 64 * 1024, "{}", body.len());
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert!(json["access_token"].is_string());
}

#[tokio::test]
async fn oversized_chunked_has_no_content_length() {
    let sb = start_genesys(RefreshTokens::Rotate).await;
    let tokens = sb.tokens().await;
    let access = str_of(&tokens, "access_token");
    sb.fail_next(json!({"endpoint": "token_refresh", "mode": "oversized_chunked"}))
        .await;
    assert_chunked_oversized(sb.refresh(str_of(&tokens, "refresh_token")).await).await;
    sb.fail_next(json!({"endpoint": "users_me", "mode": "oversized_chunked"}))
        .await;
    let response = sb.me(access).await;
    assert_eq!(
        header(response.headers(), "access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
    assert_chunked_oversized(response).await;
    sb.fail_next(json!({"endpoint": "token_code", "mode": "oversized_chunked"}))
        .await;
    let code = sb.code().await;
    assert_chunked_oversized(sb.exchange(&code).await).await;
}

#[tokio::test]
async fn oversized_gzip_is_small_on_the_wire() {
    let sb = start_genesys(RefreshTokens::Rotate).await;
    let tokens = sb.tokens().await;
    for endpoint in ["token", "api"] {
        sb.fail_next(json!({"endpoint": endpoint, "mode": "oversized_gzip"}))
            .await;
        // reqwest here has no gzip feature: it hands over the compressed bytes.
        let response = if endpoint == "token" {
            sb.refresh(str_of(&tokens, "refresh_token")).await
        } else {
            sb.me(str_of(&tokens, "access_token")).await
        };
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(response.headers(), "content-encoding"), Some("gzip"));
        let wire = response.bytes().await.unwrap();
        assert!(wire.len() < 4 * 1024, "{endpoint}: {} bytes", wire.len());
        let mut inflated = Vec::new();
        flate2::read::GzDecoder::new(&wire[..])
            .read_to_end(&mut inflated)
            .unwrap();
        assert!(inflated.len() > APP_BODY_CAP + 64 * 1024);
        let json: Value = serde_json::from_slice(&inflated).unwrap();
        assert!(json["access_token"].is_string());
    }
}

// ---- the Genesys SSO cookie ----

/// The SSO cookie of a response's Set-Cookie, as `name=value`.
fn sso_cookie(response: &Response) -> String {
    let set_cookie = header(response.headers(), "set-cookie").expect("Set-Cookie");
    let (pair, attributes) = set_cookie.split_once(';').unwrap();
    assert!(pair.starts_with("genesys_sandbox_sso="), "{set_cookie}");
    for attribute in ["Path=/", "HttpOnly", "SameSite=Lax"] {
        assert!(
            attributes.split(';').any(|a| a.trim() == attribute),
            "{attribute} missing in {set_cookie}"
        );
    }
    pair.to_string()
}

#[tokio::test]
async fn sso_session_skips_the_form_until_logout() {
    let sb = start_genesys(RefreshTokens::None).await;
    // No cookie: the form.
    let response = sb.authorize_with(None, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    // A form sign-in starts the session.
    let response = sb
        .sign_in("ada@example.com", "demo", Some("st"), CHALLENGE)
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let cookie = sso_cookie(&response);
    // Failed and cancelled sign-ins start none.
    let response = sb
        .sign_in("ada@example.com", "wrong", Some("st"), CHALLENGE)
        .await;
    assert!(header(response.headers(), "set-cookie").is_none());

    // With the cookie: a code at once, with the app's state, and it redeems with PKCE.
    let response = sb.authorize_with(Some(&cookie), &[]).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let (base, params) = location(&response);
    assert_eq!(base, REDIRECT);
    assert_eq!(params["state"], "st");
    assert!(header(response.headers(), "set-cookie").is_none());
    let wrong_verifier = sb
        .token(&code_grant(
            &params["code"],
            "x".repeat(43).as_str(),
            CLIENT,
        ))
        .await;
    assert_eq!(wrong_verifier.status(), StatusCode::BAD_REQUEST);
    let response = sb.authorize_with(Some(&cookie), &[]).await;
    let code = location(&response).1["code"].clone();
    let response = sb.exchange(&code).await;
    assert_eq!(response.status(), StatusCode::OK);
    let tokens: Value = response.json().await.unwrap();
    let me: Value = sb
        .me(str_of(&tokens, "access_token"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "ada@example.com");
    assert_eq!(sb.stats().await["authorize_silent"], 2);

    // Every check of the request still applies; prompt=login shows the form.
    let response = sb
        .authorize_with(Some(&cookie), &[("prompt", "login")])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut bad = authorize_params(Some("st"), CHALLENGE);
    bad[1].1 = "http://evil.example/callback";
    let response = send(
        sb.http
            .get(sb.url(&format!("/oauth/authorize?{}", common::query_string(&bad))))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = sb
        .authorize_with(Some(&cookie), &[("code_challenge_method", "plain")])
        .await;
    assert_eq!(location(&response).1["error"], "invalid_request");
    // Failure rules apply to a silent authorization as to a form submission.
    sb.fail_next(json!({"endpoint": "authorize", "mode": "wrong_state"}))
        .await;
    let response = sb.authorize_with(Some(&cookie), &[]).await;
    assert_ne!(location(&response).1["state"], "st");
    assert_eq!(sb.stats().await["authorize_silent"], 3);

    // /logout ends it: the cookie is cleared, and the old one no longer works.
    let response = sb
        .get_query(
            "/logout",
            &[("client_id", CLIENT), ("redirect_uri", APP_ORIGIN)],
        )
        .await;
    let cleared = header(response.headers(), "set-cookie")
        .unwrap()
        .to_string();
    let response = send(
        sb.http
            .get(sb.url(&format!(
                "/logout?{}",
                common::query_string(&[("client_id", CLIENT), ("redirect_uri", APP_ORIGIN)])
            )))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let set_cookie = header(response.headers(), "set-cookie").unwrap();
    assert!(
        set_cookie.starts_with("genesys_sandbox_sso=;"),
        "{set_cookie}"
    );
    assert!(set_cookie.contains("Max-Age=0"));
    assert_eq!(cleared, set_cookie);
    let response = sb.authorize_with(Some(&cookie), &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn expire_sso_sessions_control() {
    let sb = start_genesys(RefreshTokens::None).await;
    let response = sb
        .sign_in("grace@example.com", "demo", Some("st"), CHALLENGE)
        .await;
    let cookie = sso_cookie(&response);
    assert_eq!(
        sb.authorize_with(Some(&cookie), &[]).await.status(),
        StatusCode::FOUND
    );
    let response = sb
        .control("/__sandbox/expire-sso-sessions", json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sb.authorize_with(Some(&cookie), &[]).await.status(),
        StatusCode::OK
    );
    // A new form sign-in replaces the old session.
    let response = send(
        sb.http
            .post(sb.url("/oauth/authorize"))
            .header("cookie", &cookie)
            .form(&[
                ("client_id", CLIENT),
                ("redirect_uri", REDIRECT),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
                ("username", "grace@example.com"),
                ("password", "demo"),
            ]),
    )
    .await;
    let fresh = sso_cookie(&response);
    assert_ne!(fresh, cookie);
    assert_eq!(
        sb.authorize_with(Some(&fresh), &[]).await.status(),
        StatusCode::FOUND
    );
}

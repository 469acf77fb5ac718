//! The test controls (`--test-controls`, /__sandbox/*) over real HTTP: the
//! sandbox runs in-process on 127.0.0.1:0, as in `http.rs`.

mod common;

use std::time::{Duration, Instant};

use common::{
    assert_allows_origin, assert_bad_credentials, assert_error, assert_invalid_token_challenge,
    assert_no_cors, assert_stats, authorize_params, client, code_grant, header, location,
    query_string, rotating, send, start_with, start_with_controls, str_of, GenesysFlow, Sandbox,
    APP_ORIGIN, CHALLENGE, CLIENT, REDIRECT, VERIFIER,
};
use pkce_desk_sandbox::SandboxConfig;
use reqwest::header::LOCATION;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;

impl Sandbox {
    async fn fail_next(&self, rule: Value) {
        let response = self.control("/__sandbox/fail-next", Some(rule)).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }

    async fn settings(&self, settings: Value) {
        let response = self.control("/__sandbox/settings", Some(settings)).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }

    async fn control(&self, path: &str, body: Option<Value>) -> Response {
        let mut request = self.http.post(self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        send(request).await
    }

    async fn stats(&self) -> Value {
        let response = self.get("/__sandbox/stats").await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    async fn get_authorize(&self, state: &str) -> Response {
        self.get_query(
            "/oauth/authorize",
            &authorize_params(Some(state), CHALLENGE),
        )
        .await
    }

    /// Submits the sign-in form as Ada, with state "st".
    async fn sign_in_ada(&self, password: &str) -> Response {
        self.sign_in("ada@example.com", password, Some("st"), CHALLENGE)
            .await
    }

    /// Asserts that the access token of a token response's body works.
    async fn assert_access_works(&self, tokens: &Value) {
        assert_eq!(
            self.me(str_of(tokens, "access_token")).await.status(),
            StatusCode::OK
        );
    }

    /// Asserts that `refresh_token` refreshes, without a new refresh token.
    async fn assert_refresh_keeps_token(&self, refresh_token: &str) {
        let response = self.refresh(refresh_token).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        assert!(body.get("refresh_token").is_none(), "{body}");
        self.assert_access_works(&body).await;
    }
}

#[tokio::test]
async fn controls_are_404_without_the_flag() {
    let sb = start_with(rotating()).await;
    for path in [
        "/__sandbox/fail-next",
        "/__sandbox/settings",
        "/__sandbox/expire-access-tokens",
        "/__sandbox/reset",
        "/__sandbox/stats",
        "/__sandbox/anything",
    ] {
        let body = json!({"endpoint": "token", "mode": "drop"});
        let response = sb.post_json(path, &body).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "POST {path}");
        let response = sb.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "GET {path}");
    }
    // And nothing was queued: the token endpoint behaves, and connections are
    // only closed after each response with the flag.
    let response = sb.refresh("unknown").await;
    assert_eq!(header(response.headers(), "connection"), None);
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_grant").await;
}

#[tokio::test]
async fn bad_control_requests_are_400_with_a_message() {
    let sb = start_with_controls().await;
    let cases: [(&str, &str, &str); 7] = [
        ("/__sandbox/fail-next", "not json", "not valid JSON"),
        (
            "/__sandbox/fail-next",
            r#"{"endpoint":"tokens","mode":"drop"}"#,
            "endpoint: unknown variant `tokens`",
        ),
        (
            "/__sandbox/fail-next",
            r#"{"endpoint":"token","mode":"boom"}"#,
            "mode: unknown variant `boom`",
        ),
        (
            "/__sandbox/fail-next",
            r#"{"endpoint":"token","mode":"iss","error":"x"}"#,
            "only applies to endpoint \"authorize\"",
        ),
        (
            "/__sandbox/fail-next",
            r#"{"endpoint":"token","mode":"drop","count":0}"#,
            "count must be at least 1",
        ),
        (
            "/__sandbox/settings",
            r#"{"access_token_lifetime":"5"}"#,
            "access_token_lifetime: invalid type: string \"5\"",
        ),
        (
            "/__sandbox/settings",
            r#"{"rotate":false}"#,
            "unknown field `rotate`",
        ),
    ];
    for (path, body, expected) in cases {
        let response = sb
            .http
            .post(sb.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let error: Value = response.json().await.unwrap();
        let message = str_of(&error, "message");
        assert!(message.contains(expected), "{body}: {message}");
    }
    // None of them queued anything.
    let code = sb.code().await;
    assert_eq!(sb.exchange(&code).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn token_endpoint_failure_modes() {
    let sb = start_with_controls().await;
    // Every failure answers instead of the handler, so the same code stays usable throughout.
    let code = sb.code().await;

    for mode in [
        "invalid_grant",
        "invalid_client",
        "oauth_error",
        "unauthorized",
        "forbidden",
        "rate_limited",
        "html_502",
        "malformed_json",
        "wrong_content_type",
        "oversized",
    ] {
        sb.fail_next(json!({
            "endpoint": "token",
            "mode": mode,
            "error": "temporarily_unavailable",
            "retry_after": 7,
        }))
        .await;
        let response = sb.exchange(&code).await;
        let headers = response.headers().clone();
        // The browser must be able to read every one of them.
        assert_eq!(
            header(&headers, "access-control-allow-origin"),
            Some(APP_ORIGIN),
            "{mode}"
        );
        let status = response.status();
        let content_type = header(&headers, "content-type").unwrap_or("").to_string();
        let text = response.text().await.unwrap();
        let json = || -> Value { serde_json::from_str(&text).unwrap() };
        match mode {
            "invalid_grant" | "invalid_client" | "oauth_error" => {
                let (expected_status, expected_error) = match mode {
                    "invalid_client" => (StatusCode::UNAUTHORIZED, "invalid_client"),
                    "oauth_error" => (StatusCode::BAD_REQUEST, "temporarily_unavailable"),
                    _ => (StatusCode::BAD_REQUEST, "invalid_grant"),
                };
                assert_eq!(status, expected_status, "{mode}");
                assert_eq!(content_type, "application/json");
                assert_eq!(header(&headers, "cache-control"), Some("no-store"));
                let body = json();
                assert_eq!(body["error"], expected_error);
                assert!(str_of(&body, "error_description").contains("test control"));
            }
            "unauthorized" | "forbidden" | "rate_limited" => {
                let (expected_status, code) = match mode {
                    "unauthorized" => (StatusCode::UNAUTHORIZED, "bad.credentials"),
                    "forbidden" => (StatusCode::FORBIDDEN, "missing.any.permissions"),
                    _ => (StatusCode::TOO_MANY_REQUESTS, "too.many.requests"),
                };
                assert_eq!(status, expected_status, "{mode}");
                assert_eq!(content_type, "application/json");
                let body = json();
                assert_eq!(body["code"], code);
                assert_eq!(body["status"], expected_status.as_u16());
                assert!(!str_of(&body, "message").is_empty());
                assert_eq!(str_of(&body, "contextId").len(), 36);
                match mode {
                    "unauthorized" => assert_eq!(
                        header(&headers, "www-authenticate"),
                        Some("Bearer error=\"invalid_token\"")
                    ),
                    "rate_limited" => {
                        assert_eq!(header(&headers, "retry-after"), Some("7"));
                        assert!(str_of(&body, "message").contains("[7]"));
                    }
                    _ => {}
                }
            }
            "html_502" => {
                assert_eq!(status, StatusCode::BAD_GATEWAY);
                assert_eq!(content_type, "text/html");
                assert_eq!(text, "<html><body><h1>502 Bad Gateway</h1></body></html>");
            }
            "malformed_json" => {
                assert_eq!(status, StatusCode::OK);
                assert_eq!(content_type, "application/json");
                assert_eq!(text, "{\"access_token\": \"trunc");
                assert!(serde_json::from_str::<Value>(&text).is_err());
            }
            "wrong_content_type" | "oversized" => {
                assert_eq!(status, StatusCode::OK);
                let body = json();
                assert_eq!(body["token_type"], "bearer");
                assert_eq!(body["expires_in"], 3600);
                assert_eq!(str_of(&body, "access_token").len(), 43);
                assert_eq!(str_of(&body, "refresh_token").len(), 43);
                if mode == "oversized" {
                    assert_eq!(content_type, "application/json");
                    assert!(text.len() > 100 * 1024, "{}", text.len());
                    assert!(str_of(&body, "padding").len() > 100 * 1024);
                } else {
                    assert_eq!(content_type, "text/plain");
                }
                // Well-formed, but never issued.
                let response = sb.me(str_of(&body, "access_token")).await;
                assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
            }
            _ => unreachable!(),
        }
    }

    // The code survived all of that, and each rule was used once.
    let response = sb.exchange(&code).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    sb.assert_access_works(&body).await;
}

#[tokio::test]
async fn drop_closes_the_connection_without_a_response() {
    let sb = start_with_controls().await;
    let code = sb.code().await;

    // Raw TCP: not one byte comes back.
    sb.fail_next(json!({"endpoint": "token", "mode": "drop"}))
        .await;
    let body = query_string(&code_grant(&code, VERIFIER, CLIENT));
    let addr = sb.base.trim_start_matches("http://").to_string();
    let request = format!(
        "POST /oauth/token HTTP/1.1\r\nHost: {addr}\r\nOrigin: {APP_ORIGIN}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    // Plain blocking sockets keep the test free of extra tokio features.
    let (read, received) = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut received = Vec::new();
        let read = stream.read_to_end(&mut received);
        (read, received)
    })
    .await
    .unwrap();
    // A clean close (EOF) or a reset are both fine; a response or a timeout are not.
    match read {
        Ok(_) => assert!(
            received.is_empty(),
            "{}",
            String::from_utf8_lossy(&received)
        ),
        Err(e) => assert!(
            !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "the sandbox should close the connection: {e}"
        ),
    }

    // An HTTP client sees a failed request, not a status.
    sb.fail_next(json!({"endpoint": "users_me", "mode": "drop"}))
        .await;
    let result = sb
        .http
        .get(sb.url("/api/v2/users/me"))
        .header("origin", APP_ORIGIN)
        .bearer_auth("whatever")
        .send()
        .await;
    assert!(result.is_err(), "{result:?}");

    // The code was not touched, and every response closes its connection so a
    // browser never resends a dropped request on a reused one.
    let response = sb.exchange(&code).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(response.headers(), "connection"), Some("close"));
}

#[tokio::test]
async fn drop_without_abortable_listener_is_an_empty_200_without_cors() {
    // In-process users of `app` on a plain listener get the documented fallback.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = pkce_desk_sandbox::app(SandboxConfig {
        test_controls: true,
        ..rotating()
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = client();
    let response = http
        .post(format!("{base}/__sandbox/fail-next"))
        .json(&json!({"endpoint": "token", "mode": "drop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = http
        .post(format!("{base}/oauth/token"))
        .header("origin", APP_ORIGIN)
        .form(&[("grant_type", "refresh_token")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_cors(response.headers());
    assert!(response.text().await.unwrap().is_empty());
}

#[tokio::test]
async fn count_and_endpoint_filters() {
    let sb = start_with_controls().await;
    let tokens = sb.tokens().await;
    let refresh = str_of(&tokens, "refresh_token").to_string();

    // Two failures, then normal service.
    sb.fail_next(json!({"endpoint": "token_refresh", "mode": "html_502", "count": 2}))
        .await;
    // The refresh-only rule leaves the code grant alone.
    let code = sb.code().await;
    assert_eq!(sb.exchange(&code).await.status(), StatusCode::OK);
    assert_eq!(sb.refresh(&refresh).await.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(sb.refresh(&refresh).await.status(), StatusCode::BAD_GATEWAY);
    let response = sb.refresh(&refresh).await;
    assert_eq!(response.status(), StatusCode::OK);
    let refresh: Value = response.json().await.unwrap();
    let refresh = str_of(&refresh, "refresh_token").to_string();

    // A code-only rule leaves refreshes alone; "token" catches both grants.
    sb.fail_next(json!({"endpoint": "token_code", "mode": "invalid_grant"}))
        .await;
    let response = sb.refresh(&refresh).await;
    assert_eq!(response.status(), StatusCode::OK);
    let refresh: Value = response.json().await.unwrap();
    let refresh = str_of(&refresh, "refresh_token").to_string();
    let code = sb.code().await;
    assert_eq!(sb.exchange(&code).await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(sb.exchange(&code).await.status(), StatusCode::OK);
    sb.fail_next(json!({"endpoint": "token", "mode": "forbidden", "count": 2}))
        .await;
    assert_eq!(sb.refresh(&refresh).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        sb.token(&[("grant_type", "password")]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(sb.refresh(&refresh).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn oldest_matching_rule_goes_first() {
    let sb = start_with_controls().await;
    sb.fail_next(json!({"endpoint": "token", "mode": "html_502"}))
        .await;
    sb.fail_next(json!({"endpoint": "token", "mode": "forbidden"}))
        .await;
    let status = |r: Response| r.status();
    assert_eq!(status(sb.refresh("x").await), StatusCode::BAD_GATEWAY);
    assert_eq!(status(sb.refresh("x").await), StatusCode::FORBIDDEN);
    assert_eq!(status(sb.refresh("x").await), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn delay_postpones_the_response() {
    let sb = start_with_controls().await;
    let code = sb.code().await;
    sb.fail_next(json!({"endpoint": "token_code", "mode": "delay", "delay_ms": 400}))
        .await;
    let started = Instant::now();
    let response = sb.exchange(&code).await;
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(response.status(), StatusCode::OK, "handled normally");

    // delay_ms also postpones the other modes.
    sb.fail_next(json!({"endpoint": "token", "mode": "html_502", "delay_ms": 300}))
        .await;
    let started = Instant::now();
    assert_eq!(sb.refresh("x").await.status(), StatusCode::BAD_GATEWAY);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // Without a rule, no delay to speak of.
    let started = Instant::now();
    sb.refresh("x").await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn api_rules() {
    let sb = start_with_controls().await;
    let tokens = sb.tokens().await;
    let access = str_of(&tokens, "access_token").to_string();
    let tokens_me = || {
        sb.http
            .get(sb.url("/api/v2/tokens/me"))
            .bearer_auth(&access)
            .send()
    };

    // users_me: only GET /api/v2/users/me; the token itself stays good.
    sb.fail_next(json!({"endpoint": "users_me", "mode": "unauthorized"}))
        .await;
    assert_eq!(tokens_me().await.unwrap().status(), StatusCode::OK);
    let response = sb.me(&access).await;
    assert_invalid_token_challenge(&response);
    assert_allows_origin(&response, APP_ORIGIN);
    assert_eq!(sb.me(&access).await.status(), StatusCode::OK);

    // api: every /api/v2 request, known or not.
    sb.fail_next(json!({"endpoint": "api", "mode": "rate_limited", "count": 3, "retry_after": 3}))
        .await;
    let response = sb.me(&access).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(response.headers(), "retry-after"), Some("3"));
    assert_eq!(
        tokens_me().await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let response = sb.get("/api/v2/nothing-here").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sb.me(&access).await.status(), StatusCode::OK);

    // revoke: only DELETE /api/v2/tokens/me, which then did not revoke anything.
    sb.fail_next(json!({"endpoint": "revoke", "mode": "forbidden"}))
        .await;
    assert_eq!(sb.me(&access).await.status(), StatusCode::OK);
    let revoke = || {
        sb.http
            .delete(sb.url("/api/v2/tokens/me"))
            .bearer_auth(&access)
            .send()
    };
    let response = revoke().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "missing.any.permissions");
    assert_eq!(sb.me(&access).await.status(), StatusCode::OK);
    assert_eq!(revoke().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(sb.me(&access).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn authorize_redirect_error() {
    let sb = start_with_controls().await;
    sb.fail_next(json!({"endpoint": "authorize", "mode": "redirect_error", "error": "temporarily_unavailable"}))
        .await;

    // An untrusted client or redirect URI is still refused on the spot, and
    // does not use up the rule.
    let mut params = authorize_params(None, CHALLENGE);
    params[1].1 = "https://evil.example/cb";
    let response = sb.get_query("/oauth/authorize", &params).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get(LOCATION).is_none());

    // The sign-in page is replaced by the error redirect.
    let response = sb.get_authorize("s t").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let (base, query) = location(&response);
    assert_eq!(base, REDIRECT);
    assert_eq!(query["error"], "temporarily_unavailable");
    assert!(query["error_description"].contains("test control"));
    assert_eq!(query["state"], "s t");
    assert!(!query.contains_key("code"));

    // Next time the page is back.
    assert_eq!(sb.get_authorize("s").await.status(), StatusCode::OK);

    // A submission with good credentials is redirected with the error instead
    // of a code; bad credentials do not trigger the rule.
    sb.fail_next(json!({"endpoint": "authorize", "mode": "redirect_error"}))
        .await;
    assert_eq!(
        sb.sign_in_ada("wrong").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let response = sb.sign_in_ada("demo").await;
    let (_, query) = location(&response);
    assert_eq!(query["error"], "server_error");
    assert_eq!(query["state"], "st");
    assert!(!query.contains_key("code"));

    // Generic modes apply to the page too.
    sb.fail_next(json!({"endpoint": "authorize", "mode": "html_502"}))
        .await;
    assert_eq!(
        sb.get_authorize("s").await.status(),
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(sb.sign_in_ada("demo").await.status(), StatusCode::FOUND);
}

#[tokio::test]
async fn authorize_wrong_state_and_iss() {
    let sb = start_with_controls().await;
    sb.fail_next(json!({"endpoint": "authorize", "mode": "wrong_state"}))
        .await;
    // The page is shown as usual: the rule waits for a code to be issued.
    assert_eq!(sb.get_authorize("st").await.status(), StatusCode::OK);
    let response = sb.sign_in_ada("demo").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let (base, query) = location(&response);
    assert_eq!(base, REDIRECT);
    assert_ne!(query["state"], "st");
    assert!(!query["state"].is_empty());
    assert!(!query.contains_key("iss"));
    // The code is real.
    assert_eq!(sb.exchange(&query["code"]).await.status(), StatusCode::OK);

    sb.fail_next(
        json!({"endpoint": "authorize", "mode": "iss", "error": "https://login.evil.example"}),
    )
    .await;
    assert_eq!(sb.get_authorize("st").await.status(), StatusCode::OK);
    let response = sb.sign_in_ada("demo").await;
    let raw = header(response.headers(), "location").unwrap().to_string();
    assert!(
        raw.ends_with("&iss=https%3A%2F%2Flogin.evil.example"),
        "{raw}"
    );
    let (_, query) = location(&response);
    assert_eq!(query["state"], "st");
    assert_eq!(query["iss"], "https://login.evil.example");
    assert_eq!(sb.exchange(&query["code"]).await.status(), StatusCode::OK);

    // Used up: the next sign-in is plain.
    let (_, query) = location(&sb.sign_in_ada("demo").await);
    assert_eq!(query["state"], "st");
    assert!(!query.contains_key("iss"));
}

#[tokio::test]
async fn settings_change_later_tokens() {
    let sb = start_with_controls().await;
    let before = sb.tokens().await;

    sb.settings(json!({"access_token_lifetime": 1})).await;
    let tokens = sb.tokens().await;
    assert_eq!(tokens["expires_in"], 1);
    let access = str_of(&tokens, "access_token");
    assert_eq!(sb.me(access).await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(sb.me(access).await.status(), StatusCode::UNAUTHORIZED);
    // Tokens issued earlier kept their lifetime.
    sb.assert_access_works(&before).await;

    // No refresh tokens from either grant; a refresh token from before still works.
    sb.settings(json!({"access_token_lifetime": 60, "issue_refresh_tokens": false}))
        .await;
    let tokens = sb.tokens().await;
    assert_eq!(tokens["expires_in"], 60);
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    let old_refresh = str_of(&before, "refresh_token").to_string();
    for _ in 0..2 {
        sb.assert_refresh_keeps_token(&old_refresh).await;
    }

    // Without rotation: no new refresh token, and the old one stays valid.
    sb.settings(json!({"issue_refresh_tokens": true, "rotate_refresh_tokens": false}))
        .await;
    let tokens = sb.tokens().await;
    let refresh = str_of(&tokens, "refresh_token").to_string();
    for _ in 0..3 {
        sb.assert_refresh_keeps_token(&refresh).await;
    }

    // Rotation back on: the same token rotates once, then counts as reuse.
    sb.settings(json!({"rotate_refresh_tokens": true})).await;
    let response = sb.refresh(&refresh).await;
    let body: Value = response.json().await.unwrap();
    assert_ne!(str_of(&body, "refresh_token"), refresh);
    assert_eq!(sb.refresh(&refresh).await.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn expire_access_tokens_keeps_refresh_tokens() {
    let sb = start_with_controls().await;
    let a = sb.tokens().await;
    let b = sb.tokens().await;
    let response = sb.control("/__sandbox/expire-access-tokens", None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    for tokens in [&a, &b] {
        assert_bad_credentials(sb.me(str_of(tokens, "access_token")).await).await;
    }
    let response = sb.refresh(str_of(&a, "refresh_token")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let fresh: Value = response.json().await.unwrap();
    sb.assert_access_works(&fresh).await;
    // Tokens issued afterwards are unaffected.
    let c = sb.tokens().await;
    sb.assert_access_works(&c).await;
}

#[tokio::test]
async fn stats_count_every_request_that_reached_a_handler() {
    let sb = start_with_controls().await;
    assert_stats(&sb.stats().await, &[]);

    sb.get_authorize("st").await;
    let tokens = sb.tokens().await; // submit + code grant
    let access = str_of(&tokens, "access_token").to_string();
    sb.sign_in_ada("wrong").await; // a failed submission counts too
    sb.refresh(str_of(&tokens, "refresh_token")).await;
    sb.fail_next(json!({"endpoint": "token_refresh", "mode": "drop"}))
        .await;
    let _ = sb
        .http
        .post(sb.url("/oauth/token"))
        .form(&[("grant_type", "refresh_token")])
        .send()
        .await; // dropped, still counted
    sb.token(&[("grant_type", "password")]).await;
    sb.http
        .post(sb.url("/oauth/token"))
        .body("grant_type=refresh_token")
        .send()
        .await
        .unwrap(); // not form-encoded: "other"
    sb.me(&access).await;
    sb.me(&access).await;
    // Preflights are answered by the CORS layer and never counted.
    let preflight = sb
        .preflight_get(APP_ORIGIN, "/api/v2/users/me", Some("authorization"))
        .await;
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    sb.bearer_get("/api/v2/tokens/me", &access).await;
    sb.bearer_delete("/api/v2/tokens/me", &access).await;
    sb.get_query(
        "/logout",
        &[("client_id", CLIENT), ("redirect_uri", APP_ORIGIN)],
    )
    .await;

    assert_stats(
        &sb.stats().await,
        &[
            ("authorize_page", 1),
            ("authorize_submit", 2),
            ("token_authorization_code", 1),
            ("token_refresh", 2),
            ("token_other", 2),
            ("users_me", 2),
            ("tokens_me", 1),
            ("revoke", 1),
            ("logout", 1),
            // Four API calls reached the token check, none with a dead token; the sign-out
            // revoked the one live (rotated) refresh token.
            ("api_calls", 4),
            ("revoked_refresh_tokens", 1),
        ],
    );

    // Readable from the app's origin too.
    let response = sb.get_from(APP_ORIGIN, "/__sandbox/stats").await;
    assert_allows_origin(&response, APP_ORIGIN);
}

#[tokio::test]
async fn reset_clears_rules_and_stats_and_restores_settings() {
    let sb = start_with(SandboxConfig {
        test_controls: true,
        access_token_lifetime: Duration::from_secs(120),
        ..rotating()
    })
    .await;
    let before = sb.tokens().await;
    sb.settings(json!({"access_token_lifetime": 5, "issue_refresh_tokens": false}))
        .await;
    sb.fail_next(json!({"endpoint": "token", "mode": "html_502", "count": 5}))
        .await;
    assert_ne!(sb.stats().await["token_authorization_code"], 0);

    let response = sb.control("/__sandbox/reset", None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(sb.stats().await["token_authorization_code"], 0);
    assert_eq!(sb.stats().await["authorize_submit"], 0);
    // No rule left, the command line's lifetime and refresh tokens are back.
    let tokens = sb.tokens().await;
    assert_eq!(tokens["expires_in"], 120);
    assert!(tokens["refresh_token"].is_string());
    // Existing tokens survive a reset.
    sb.assert_access_works(&before).await;
    let stats = sb.stats().await;
    assert_eq!(stats["token_authorization_code"], 1);
    assert_eq!(stats["users_me"], 1);
}

//! The harness the integration tests share: the sandbox runs in-process on
//! 127.0.0.1:0 and reqwest talks to it with redirects disabled, as a browser's
//! fetch would see it. Each test file does `mod common;` and adds its own
//! flavor's requests (`impl Sandbox` blocks of its own).

// Each test file is a crate of its own and uses only part of this module.
#![allow(dead_code)]

use std::collections::HashMap;

use pkce_desk_sandbox::config::RefreshTokens;
use pkce_desk_sandbox::{serve_with_shutdown, SandboxConfig};
use reqwest::header::HeaderMap;
use reqwest::redirect::Policy;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;

// RFC 7636 Appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// The Genesys flavor's demo client (`cxone.rs` has the CXone flavor's own).
pub const CLIENT: &str = "pkce-desk-demo";
pub const REDIRECT: &str = "http://127.0.0.1:8080/callback";
pub const APP_ORIGIN: &str = "http://127.0.0.1:8080";

/// Every counter `/__sandbox/stats` reports.
pub const STATS_COUNTERS: [&str; 27] = [
    "authorize_page",
    "authorize_submit",
    "token_authorization_code",
    "token_refresh",
    "token_other",
    "users_me",
    "tokens_me",
    "revoke",
    "logout",
    "tenant_config",
    "discovery",
    "authorize_silent",
    "api_calls",
    "api_rejected_401",
    "revoked_refresh_tokens",
    "live_refresh_tokens",
    "channels_created",
    "sockets_opened",
    "pings",
    "presence_patches",
    "agent_sessions_started",
    "agent_session_polls",
    "agent_state_changes",
    "agent_sessions_ended",
    "sockets_open",
    "agent_sessions_live",
    "agent_session_polls_held",
];

/// Asserts `stats` is exactly the whole counter set: each of `nonzero` at its count, every
/// other counter 0 (no counter missing, none extra).
pub fn assert_stats(stats: &Value, nonzero: &[(&str, u64)]) {
    let mut expected: Map<String, Value> = STATS_COUNTERS
        .iter()
        .map(|name| (name.to_string(), json!(0)))
        .collect();
    for (name, count) in nonzero {
        assert!(STATS_COUNTERS.contains(name), "no counter {name}");
        expected.insert(name.to_string(), json!(count));
    }
    assert_eq!(stats, &Value::Object(expected));
}

pub struct Sandbox {
    pub base: String,
    pub http: reqwest::Client,
}

/// An HTTP client that follows no redirects and uses no proxy.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

/// Serves `config` in-process on a free port for the rest of the test.
pub async fn start_with(config: SandboxConfig) -> Sandbox {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve_with_shutdown(
        config,
        listener,
        std::future::pending(),
    ));
    Sandbox {
        base,
        http: client(),
    }
}

/// The Genesys flavor with rotating refresh tokens (`--refresh-tokens rotate`; the
/// default is `none`), which most tests exercise, as the e2e suite's sandbox does.
pub fn rotating() -> SandboxConfig {
    SandboxConfig {
        refresh_tokens: RefreshTokens::Rotate,
        ..SandboxConfig::default()
    }
}

pub async fn start_rotating() -> Sandbox {
    start_with(rotating()).await
}

/// The Genesys flavor with rotating refresh tokens and the test controls (`/__sandbox/*`) on.
pub async fn start_with_controls() -> Sandbox {
    start_with(SandboxConfig {
        test_controls: true,
        ..rotating()
    })
    .await
}

/// A Genesys-flavored sandbox with test controls, issuing refresh tokens as `refresh_tokens` says.
pub async fn start_genesys(refresh_tokens: RefreshTokens) -> Sandbox {
    start_with(SandboxConfig {
        test_controls: true,
        refresh_tokens,
        ..SandboxConfig::default()
    })
    .await
}

pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

/// Splits a Location header into the part before `?` and its decoded query.
pub fn location(response: &Response) -> (String, HashMap<String, String>) {
    let loc = header(response.headers(), "location")
        .expect("Location header")
        .to_string();
    let (base, query) = loc.split_once('?').unwrap_or((&loc, ""));
    let params = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    (base.to_string(), params)
}

/// A string field of a JSON body.
pub fn str_of<'a>(body: &'a Value, field: &str) -> &'a str {
    body[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} missing in {body}"))
}

pub fn assert_no_cors(headers: &HeaderMap) {
    for name in headers.keys() {
        assert!(
            !name.as_str().starts_with("access-control-"),
            "unexpected {name}"
        );
    }
}

/// Asserts the response's status and its JSON body's `error`; returns the body.
pub async fn assert_error(response: Response, status: StatusCode, error: &str) -> Value {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error, "body: {body}");
    body
}

/// Asserts a 401 that challenges with `Bearer error="invalid_token"`.
pub fn assert_invalid_token_challenge(response: &Response) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        header(response.headers(), "www-authenticate"),
        Some("Bearer error=\"invalid_token\"")
    );
}

/// Asserts Genesys's 401 for a missing or dead token; returns its body.
pub async fn assert_bad_credentials(response: Response) -> Value {
    assert_invalid_token_challenge(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "bad.credentials");
    body
}

/// Asserts `Cache-Control: no-store`.
pub fn assert_no_store(response: &Response) {
    assert_eq!(
        header(response.headers(), "cache-control"),
        Some("no-store")
    );
}

/// Asserts an HTML content type.
pub fn assert_html(response: &Response) {
    assert!(header(response.headers(), "content-type")
        .unwrap()
        .starts_with("text/html"));
}

/// Asserts the CORS header that lets `origin` read the response.
pub fn assert_allows_origin(response: &Response, origin: &str) {
    assert_eq!(
        header(response.headers(), "access-control-allow-origin"),
        Some(origin)
    );
}

/// The Genesys authorization request's parameters.
pub fn authorize_params<'a>(state: Option<&'a str>, challenge: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("client_id", CLIENT),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    if let Some(s) = state {
        p.push(("state", s));
    }
    p
}

/// A token request for the authorization-code grant.
pub fn code_grant<'a>(
    code: &'a str,
    verifier: &'a str,
    client_id: &'a str,
) -> [(&'a str, &'a str); 5] {
    [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("code_verifier", verifier),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
    ]
}

/// A token request for the refresh-token grant.
pub fn refresh_grant<'a>(refresh_token: &'a str, client_id: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", client_id),
    ]
}

/// Sends a request that must get a response (any status).
pub async fn send(request: RequestBuilder) -> Response {
    request.send().await.unwrap()
}

impl Sandbox {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// An API call with a bearer token and an optional JSON body.
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        send(request).await
    }

    /// [`Sandbox::api`], with the answer's body read as JSON (`Null` when it is not).
    pub async fn api_json(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let response = self.api(method, path, token, body).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A GET with a bearer token, read as [`Sandbox::api_json`] reads its answer.
    pub async fn api_get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.api_json(Method::GET, path, token, None).await
    }

    /// A GET request for `path`, to be adorned and sent with `send`.
    fn get_request(&self, path: &str) -> RequestBuilder {
        self.http.get(self.url(path))
    }

    pub async fn get(&self, path: &str) -> Response {
        send(self.get_request(path)).await
    }

    /// A GET of `path` with `pairs` as its query string.
    pub async fn get_query(&self, path: &str, pairs: &[(&str, &str)]) -> Response {
        self.get(&format!("{path}?{}", query_string(pairs))).await
    }

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    pub async fn bearer_get(&self, path: &str, token: &str) -> Response {
        send(self.get_request(path).bearer_auth(token)).await
    }

    /// A GET sent from `origin`, as a browser would.
    pub async fn get_from(&self, origin: &str, path: &str) -> Response {
        send(self.get_request(path).header("origin", origin)).await
    }

    /// A GET with a bearer token, sent from `origin` as a browser would.
    pub async fn bearer_get_from(&self, origin: &str, path: &str, token: &str) -> Response {
        send(
            self.get_request(path)
                .header("origin", origin)
                .bearer_auth(token),
        )
        .await
    }

    /// A CORS preflight for a GET from `origin`, asking for `request_headers` if any.
    pub async fn preflight_get(
        &self,
        origin: &str,
        path: &str,
        request_headers: Option<&str>,
    ) -> Response {
        let mut request = self
            .http
            .request(reqwest::Method::OPTIONS, self.url(path))
            .header("origin", origin)
            .header("access-control-request-method", "GET");
        if let Some(headers) = request_headers {
            request = request.header("access-control-request-headers", headers);
        }
        send(request).await
    }

    pub async fn bearer_delete(&self, path: &str, token: &str) -> Response {
        send(self.http.delete(self.url(path)).bearer_auth(token)).await
    }

    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> Response {
        send(self.http.post(self.url(path)).form(pairs)).await
    }

    /// A form POST sent from `origin`, as a browser would.
    pub async fn post_form_from(
        &self,
        origin: &str,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Response {
        send(
            self.http
                .post(self.url(path))
                .header("origin", origin)
                .form(pairs),
        )
        .await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        send(self.http.post(self.url(path)).json(body)).await
    }

    /// Submits the Genesys sign-in form the way the page would.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        state: Option<&str>,
        challenge: &str,
    ) -> Response {
        let mut form = vec![
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
            ("username", username),
            ("password", password),
            ("action", "sign-in"),
        ];
        if let Some(s) = state {
            form.push(("state", s));
        }
        self.post_form("/oauth/authorize", &form).await
    }
}

/// A sign-in at the Genesys flavor, step by step, as Ada. A trait, so that test files with
/// steps of their own (other flavors, other verifiers) keep their names.
#[allow(async_fn_in_trait)]
pub trait GenesysFlow {
    async fn code(&self) -> String;
    async fn token(&self, pairs: &[(&str, &str)]) -> Response;
    async fn exchange(&self, code: &str) -> Response;
    async fn refresh(&self, refresh_token: &str) -> Response;
    async fn tokens(&self) -> Value;
    async fn me(&self, access_token: &str) -> Response;
}

impl GenesysFlow for Sandbox {
    /// Ada's authorization code, through the sign-in form (state "st").
    async fn code(&self) -> String {
        let response = self
            .sign_in("ada@example.com", "demo", Some("st"), CHALLENGE)
            .await;
        assert_eq!(response.status(), StatusCode::FOUND);
        location(&response).1["code"].clone()
    }

    /// POST /oauth/token from the app's origin, as the browser would send it.
    async fn token(&self, pairs: &[(&str, &str)]) -> Response {
        self.post_form_from(APP_ORIGIN, "/oauth/token", pairs).await
    }

    async fn exchange(&self, code: &str) -> Response {
        GenesysFlow::token(self, &code_grant(code, VERIFIER, CLIENT)).await
    }

    async fn refresh(&self, refresh_token: &str) -> Response {
        GenesysFlow::token(self, &refresh_grant(refresh_token, CLIENT)).await
    }

    /// Full sign-in as Ada: the token response's body.
    async fn tokens(&self) -> Value {
        let code = GenesysFlow::code(self).await;
        let response = GenesysFlow::exchange(self, &code).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    async fn me(&self, access_token: &str) -> Response {
        self.bearer_get_from(APP_ORIGIN, "/api/v2/users/me", access_token)
            .await
    }
}

//! GET /api/v2/routing/queues/me over real HTTP (the dashboard's worked example of an API
//! call): the sandbox runs in-process on 127.0.0.1:0, as in `http.rs`.

use std::collections::HashMap;

use pkce_desk_sandbox::{serve_with_shutdown, SandboxConfig};
use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;

// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const CLIENT: &str = "pkce-desk-demo";
const REDIRECT: &str = "http://127.0.0.1:8080/callback";
const APP_ORIGIN: &str = "http://127.0.0.1:8080";
const PATH: &str = "/api/v2/routing/queues/me";

struct Sandbox {
    base: String,
    http: reqwest::Client,
}

impl Sandbox {
    async fn start(config: SandboxConfig) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(serve_with_shutdown(
            config,
            listener,
            std::future::pending(),
        ));
        let http = reqwest::Client::builder()
            .redirect(Policy::none())
            .no_proxy()
            .build()
            .unwrap();
        Self { base, http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Signs `username` in through the form and the code exchange; returns the access token.
    async fn access_token(&self, username: &str) -> String {
        let response = self
            .http
            .post(self.url("/oauth/authorize"))
            .form(&[
                ("client_id", CLIENT),
                ("redirect_uri", REDIRECT),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
                ("state", "st"),
                ("username", username),
                ("password", "demo"),
                ("action", "sign-in"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let query = location.split_once('?').unwrap().1;
        let params: HashMap<String, String> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let response = self
            .http
            .post(self.url("/oauth/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", params["code"].as_str()),
                ("code_verifier", VERIFIER),
                ("client_id", CLIENT),
                ("redirect_uri", REDIRECT),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn queues(&self, token: Option<&str>) -> Response {
        let mut request = self.http.get(self.url(PATH)).header("Origin", APP_ORIGIN);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }
}

#[tokio::test]
async fn lists_the_signed_in_users_queues_as_a_genesys_page() {
    let sb = Sandbox::start(SandboxConfig::default()).await;
    let token = sb.access_token("ada@example.com").await;
    let response = sb.queues(Some(&token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        APP_ORIGIN
    );
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["pageSize"], 25);
    assert_eq!(page["pageNumber"], 1);
    assert_eq!(page["pageCount"], 1);
    assert_eq!(page["total"], 3);
    let entities = page["entities"].as_array().unwrap();
    assert_eq!(entities.len(), 3);
    assert_eq!(
        entities[0],
        json!({
            "id": "0c7a51d2-3b64-4e8f-a9d1-6b2e4f8c1a01",
            "name": "Customer Care",
            "joined": true,
            "memberCount": 24,
            "selfUri": "/api/v2/routing/queues/0c7a51d2-3b64-4e8f-a9d1-6b2e4f8c1a01",
        })
    );

    // Another user gets their own queues.
    let token = sb.access_token("grace@example.com").await;
    let page: Value = sb.queues(Some(&token)).await.json().await.unwrap();
    let names: Vec<&str> = page["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|queue| queue["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Technical Support", "Escalations"]);
    assert_eq!(page["total"], 2);
}

#[tokio::test]
async fn wants_a_live_bearer_token() {
    let sb = Sandbox::start(SandboxConfig::default()).await;
    for token in [None, Some("not-a-token")] {
        let response = sb.queues(token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer error=\"invalid_token\""
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "bad.credentials");
    }

    // Revoked at sign-out: refused too.
    let token = sb.access_token("ada@example.com").await;
    let revoked = sb
        .http
        .delete(sb.url("/api/v2/tokens/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sb.queues(Some(&token)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn api_failure_rules_apply() {
    let sb = Sandbox::start(SandboxConfig {
        test_controls: true,
        ..SandboxConfig::default()
    })
    .await;
    let token = sb.access_token("ada@example.com").await;
    let rule = sb
        .http
        .post(sb.url("/__sandbox/fail-next"))
        .json(&json!({"endpoint": "api", "mode": "forbidden"}))
        .send()
        .await
        .unwrap();
    assert_eq!(rule.status(), StatusCode::NO_CONTENT);
    let refused = sb.queues(Some(&token)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "missing.any.permissions");
    // One count: the next call goes through.
    assert_eq!(sb.queues(Some(&token)).await.status(), StatusCode::OK);
}

//! GET /api/v2/routing/queues/me over real HTTP (the dashboard's worked example of an API
//! call): the sandbox runs in-process on 127.0.0.1:0, as in `http.rs`.

mod common;

use common::{
    assert_bad_credentials, code_grant, location, send, start_rotating, start_with_controls,
    Sandbox, APP_ORIGIN, CHALLENGE, CLIENT, VERIFIER,
};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

const PATH: &str = "/api/v2/routing/queues/me";

impl Sandbox {
    /// Signs `username` in through the form and the code exchange; returns the access token.
    async fn access_token(&self, username: &str) -> String {
        let response = self.sign_in(username, "demo", Some("st"), CHALLENGE).await;
        assert_eq!(response.status(), StatusCode::FOUND);
        let (_, params) = location(&response);
        let response = self
            .post_form(
                "/oauth/token",
                &code_grant(&params["code"], VERIFIER, CLIENT),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn queues(&self, token: Option<&str>) -> Response {
        let mut request = self.http.get(self.url(PATH)).header("Origin", APP_ORIGIN);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        send(request).await
    }
}

#[tokio::test]
async fn lists_the_signed_in_users_queues_as_a_genesys_page() {
    let sb = start_rotating().await;
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
    let sb = start_rotating().await;
    for token in [None, Some("not-a-token")] {
        assert_bad_credentials(sb.queues(token).await).await;
    }

    // Revoked at sign-out: refused too.
    let token = sb.access_token("ada@example.com").await;
    let revoked = sb.bearer_delete("/api/v2/tokens/me", &token).await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sb.queues(Some(&token)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn api_failure_rules_apply() {
    let sb = start_with_controls().await;
    let token = sb.access_token("ada@example.com").await;
    let rule = sb
        .post_json(
            "/__sandbox/fail-next",
            &json!({"endpoint": "api", "mode": "forbidden"}),
        )
        .await;
    assert_eq!(rule.status(), StatusCode::NO_CONTENT);
    let refused = sb.queues(Some(&token)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "missing.any.permissions");
    // One count: the next call goes through.
    assert_eq!(sb.queues(Some(&token)).await.status(), StatusCode::OK);
}

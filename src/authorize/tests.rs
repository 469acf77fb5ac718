//! Tests of `authorize.rs`.

use super::*;
use crate::config::{parse_config, ProviderKind};
use crate::provider::{genesys_endpoints, genesys_region, UserSource};

fn sandbox_provider() -> ProviderConfig {
    parse_config(
        r#"{"providers":[{"id":"sandbox-genesys","label":"Sandbox","kind":"genesys",
            "region":"mypurecloud.com","client_id":"App Name@Vendor",
            "login_base":"http://127.0.0.1:9090","api_base":"http://127.0.0.1:9090"}]}"#,
    )
    .unwrap()
    .providers
    .remove(0)
}

fn genesys() -> (ProviderConfig, Endpoints) {
    let provider = sandbox_provider();
    let endpoints = genesys_endpoints(
        genesys_region("mypurecloud.com").unwrap(),
        Some("http://127.0.0.1:9090"),
        Some("http://127.0.0.1:9090"),
    );
    (provider, endpoints)
}

fn cxone() -> (ProviderConfig, Endpoints) {
    let provider = parse_config(
        r#"{"providers":[{"id":"cx","label":"CXone","kind":"cxone",
            "issuer":"http://127.0.0.1:9091","client_id":"pkce-desk demo@Sandbox"}]}"#,
    )
    .unwrap()
    .providers
    .remove(0);
    let issuer = "http://127.0.0.1:9091".to_string();
    let endpoints = Endpoints {
        iss_required: false,
        authorize: format!("{issuer}/auth/authorize").into(),
        token: format!("{issuer}/auth/token").into(),
        userinfo: Some(format!("{issuer}/auth/userinfo").into()),
        api_base: issuer.clone().into(),
        current_user: Default::default(),
        user_source: UserSource::CxoneUser,
        revocation: None,
        end_session: None,
        issuer: issuer.into(),
    };
    (provider, endpoints)
}

fn randomness() -> LoginRandomness {
    LoginRandomness {
        verifier: [7; RANDOM_BYTES],
        state: [9; RANDOM_BYTES],
        nonce: [11; RANDOM_BYTES],
    }
}

/// The authorization request for `(provider, endpoints)` from the local demo's callback.
fn request_for((provider, endpoints): (ProviderConfig, Endpoints)) -> AuthorizationRequest {
    authorization_request(
        &provider,
        &endpoints,
        "http://127.0.0.1:8080/callback",
        None,
        &randomness(),
        1_000,
    )
}

/// The transaction a Genesys sign-in started at `now` stores.
fn genesys_transaction(return_to: Option<&str>, now: u64) -> LoginTransaction {
    let (provider, endpoints) = genesys();
    authorization_request(
        &provider,
        &endpoints,
        "http://x/callback",
        return_to,
        &randomness(),
        now,
    )
    .transaction
}

/// The query pairs of the authorize URL for `provider`, with fixed randomness.
fn authorize_pairs(provider: &ProviderConfig, endpoints: &Endpoints) -> Vec<(String, String)> {
    let request = authorization_request(
        provider,
        endpoints,
        "http://a/callback",
        None,
        &randomness(),
        1,
    );
    query::parse(request.url.split_once('?').unwrap().1)
}

#[test]
fn genesys_authorize_url_carries_exactly_the_pkce_parameters() {
    let request = request_for(genesys());
    let (base, query_string) = request.url.split_once('?').unwrap();
    assert_eq!(base, "http://127.0.0.1:9090/oauth/authorize");
    let pairs = query::parse(query_string);
    assert_eq!(query::first(&pairs, "response_type"), Some("code"));
    assert_eq!(query::first(&pairs, "client_id"), Some("App Name@Vendor"));
    assert!(query_string.contains("client_id=App%20Name%40Vendor"));
    assert_eq!(
        query::first(&pairs, "redirect_uri"),
        Some("http://127.0.0.1:8080/callback")
    );
    assert_eq!(query::first(&pairs, "code_challenge_method"), Some("S256"));
    let challenge = query::first(&pairs, "code_challenge").unwrap();
    assert_eq!(
        challenge,
        pkce::challenge_s256(&request.transaction.verifier)
    );
    assert_eq!(challenge.len(), 43);
    let state = query::first(&pairs, "state").unwrap();
    assert_eq!(state.len(), 43);
    assert_eq!(state, request.transaction.state);
    assert_eq!(
        query::first(&pairs, "scope"),
        None,
        "Genesys takes scopes from the OAuth client"
    );
    assert_eq!(query::first(&pairs, "nonce"), None);
    assert!(
        !crate::secret::shows_part_of(&request.url, request.transaction.verifier.expose(), 8),
        "the verifier never leaves the browser"
    );
    assert_eq!(pairs.len(), 6);
}

#[test]
fn openid_providers_get_scope_and_a_nonce() {
    let request = request_for(cxone());
    let (base, query_string) = request.url.split_once('?').unwrap();
    assert_eq!(base, "http://127.0.0.1:9091/auth/authorize");
    let pairs = query::parse(query_string);
    assert_eq!(query::first(&pairs, "scope"), Some("openid"));
    assert!(query_string.contains("client_id=pkce-desk%20demo%40Sandbox"));
    let nonce = query::first(&pairs, "nonce").unwrap();
    assert_eq!(nonce.len(), 43);
    assert_ne!(nonce, request.transaction.state);
    assert_eq!(request.transaction.nonce.as_deref(), Some(nonce));
    assert_eq!(query::first(&pairs, "prompt"), None);
}

#[test]
fn offline_access_asks_for_consent() {
    let (mut provider, endpoints) = cxone();
    provider.kind = ProviderKind::Oidc {
        issuer: "http://127.0.0.1:9091".into(),
    };
    provider.scopes = vec!["openid".into(), "offline_access".into()];
    let pairs = authorize_pairs(&provider, &endpoints);
    assert_eq!(query::first(&pairs, "scope"), Some("openid offline_access"));
    assert_eq!(query::first(&pairs, "prompt"), Some("consent"));
}

#[test]
fn transaction_records_where_the_code_may_go() {
    let tx = genesys_transaction(Some("//evil"), 5);
    assert_eq!(tx.endpoints.token, "http://127.0.0.1:9090/oauth/token");
    assert_eq!(tx.endpoints.issuer, "http://127.0.0.1:9090");
    assert_eq!(tx.provider_id, "sandbox-genesys");
    assert_eq!(tx.return_to, "/dashboard");
    assert_eq!(tx.created_at_ms, 5);
    assert_eq!(tx.nonce, None);
}

/// The stored transaction (and the session's `Endpoints`) keep the JSON shape they had
/// before the typed secrets and URLs: plain strings, so stored data and e2e tests that
/// read or tamper with it still work.
#[test]
fn stored_transaction_json_keeps_plain_strings() {
    let tx = genesys_transaction(None, 5);
    let json: serde_json::Value = serde_json::to_value(&tx).unwrap();
    assert_eq!(json["verifier"], tx.verifier.expose());
    assert_eq!(json["return_to"], tx.return_to.as_str());
    let stored = &json["endpoints"];
    assert_eq!(stored["issuer"], "http://127.0.0.1:9090");
    assert_eq!(stored["authorize"], "http://127.0.0.1:9090/oauth/authorize");
    assert_eq!(stored["token"], "http://127.0.0.1:9090/oauth/token");
    assert_eq!(stored["api_base"], "http://127.0.0.1:9090");
    assert_eq!(
        stored["current_user"],
        "http://127.0.0.1:9090/api/v2/users/me"
    );
    assert_eq!(
        stored["revocation"],
        serde_json::json!({"GenesysTokensMe": "http://127.0.0.1:9090/api/v2/tokens/me"})
    );
    assert_eq!(
        stored["end_session"],
        serde_json::json!({"GenesysLogout": "http://127.0.0.1:9090/logout"})
    );
    let back: LoginTransaction = serde_json::from_value(json).unwrap();
    assert_eq!(back, tx);
}

#[test]
fn transaction_expires_after_ten_minutes() {
    let tx = genesys_transaction(None, 1_000_000);
    assert!(!tx.is_expired(1_000_000));
    assert!(!tx.is_expired(1_000_000 + TRANSACTION_TTL_MS));
    assert!(tx.is_expired(1_000_000 + TRANSACTION_TTL_MS + 1));
    assert!(
        tx.is_expired(0),
        "a clock far behind the creation time is not trusted"
    );
}

#[test]
fn redirect_uri_defaults_to_the_callback_route() {
    let mut provider = sandbox_provider();
    assert_eq!(
        redirect_uri_for(&provider, "https://desk.example"),
        "https://desk.example/callback"
    );
    provider.redirect_uri = Some("https://desk.example/auth/cb".into());
    assert_eq!(
        redirect_uri_for(&provider, "https://other"),
        "https://desk.example/auth/cb"
    );
}

#[test]
fn cxone_never_gets_prompt_consent() {
    // Even if a CXone provider were built with offline_access (config validation refuses
    // it), CXone's prompt takes only `none` or `login`.
    let (mut provider, endpoints) = cxone();
    provider.scopes = vec!["openid".into(), "offline_access".into()];
    let pairs = authorize_pairs(&provider, &endpoints);
    assert_eq!(query::first(&pairs, "prompt"), None);
}

#[test]
fn transaction_ttl_is_ten_minutes_each_way() {
    assert_eq!(TRANSACTION_TTL_MS, 600_000);
    let created = 1_000_000;
    let tx = genesys_transaction(None, created);
    // A clock that has gone back by up to the TTL is tolerated, not further.
    assert!(!tx.is_expired(created - TRANSACTION_TTL_MS));
    assert!(tx.is_expired(created - TRANSACTION_TTL_MS - 1));
}

//! Step 1 of the flow: the login transaction and the authorization request URL.

use crate::config::ProviderConfig;
use crate::pkce::{self, RANDOM_BYTES};
use crate::provider::Endpoints;
use crate::query;
use crate::return_to::safe_return_path;
use crate::secret::PkceVerifier;
use serde::{Deserialize, Serialize};

/// How long a started sign-in may take before its callback is refused.
pub const TRANSACTION_TTL_MS: u64 = 10 * 60 * 1000;

/// What the callback needs to finish a sign-in, kept in sessionStorage under its `state`
/// and removed before the code is exchanged (single use).
/// Not `Clone`: it holds the PKCE verifier, which is used once.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginTransaction {
    pub state: String,
    pub verifier: PkceVerifier,
    /// Sent when `openid` is requested; the ID token must carry it back.
    pub nonce: Option<String>,
    pub provider_id: String,
    /// The server the login was sent to: its issuer is what a callback's `iss` must say
    /// (RFC 9207), and its token endpoint is the only place the code may go.
    pub endpoints: Endpoints,
    pub client_id: String,
    pub redirect_uri: String,
    pub return_to: String,
    pub created_at_ms: u64,
}

impl LoginTransaction {
    /// Expired, or created in the future (the clock moved backwards a lot): either way stale.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        now_ms.saturating_sub(self.created_at_ms) > TRANSACTION_TTL_MS
            || self.created_at_ms > now_ms.saturating_add(TRANSACTION_TTL_MS)
    }
}

/// Fresh randomness for one sign-in, read from the browser's CSPRNG by the caller.
pub struct LoginRandomness {
    pub verifier: [u8; RANDOM_BYTES],
    pub state: [u8; RANDOM_BYTES],
    pub nonce: [u8; RANDOM_BYTES],
}

/// A sign-in ready to go: send the browser to `url` after storing `transaction`.
#[derive(Debug)]
pub struct AuthorizationRequest {
    pub url: String,
    pub transaction: LoginTransaction,
}

/// Builds the authorization request for `provider`, whose server is described by `endpoints`.
pub fn authorization_request(
    provider: &ProviderConfig,
    endpoints: &Endpoints,
    redirect_uri: &str,
    return_to: Option<&str>,
    randomness: &LoginRandomness,
    now_ms: u64,
) -> AuthorizationRequest {
    let verifier = pkce::verifier_from_bytes(&randomness.verifier);
    let state = pkce::state_from_bytes(&randomness.state);
    let challenge = pkce::challenge_s256(&verifier);
    let nonce = provider
        .requests_openid()
        .then(|| pkce::state_from_bytes(&randomness.nonce));
    let mut params: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", &provider.client_id),
        ("redirect_uri", redirect_uri),
        ("code_challenge", &challenge),
        ("code_challenge_method", pkce::CHALLENGE_METHOD),
        ("state", &state),
    ];
    let rules = provider.kind.rules();
    let scope = provider.scopes.join(" ");
    if rules.sends_scope() {
        params.push(("scope", &scope));
    }
    if let Some(nonce) = &nonce {
        params.push(("nonce", nonce));
    }
    // OIDC Core 11: a request for offline access (a refresh token) must ask for consent.
    if rules.asks_consent_for_offline_access()
        && provider.requests_openid()
        && provider.scopes.iter().any(|s| s == "offline_access")
    {
        params.push(("prompt", "consent"));
    }
    let url = query::append_to_url(&endpoints.authorize, &params);
    let transaction = LoginTransaction {
        state,
        verifier,
        nonce,
        provider_id: provider.id.clone(),
        endpoints: endpoints.clone(),
        client_id: provider.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        return_to: safe_return_path(return_to),
        created_at_ms: now_ms,
    };
    AuthorizationRequest { url, transaction }
}

/// `<origin>/callback` unless config.json names another redirect URI.
pub fn redirect_uri_for(provider: &ProviderConfig, page_origin: &str) -> String {
    provider
        .redirect_uri
        .clone()
        .unwrap_or_else(|| format!("{page_origin}/callback"))
}

#[cfg(test)]
mod tests;

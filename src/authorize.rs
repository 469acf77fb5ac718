//! Step 1 of the flow: the login transaction and the authorization request URL.

use crate::config::{ProviderConfig, ProviderKind};
use crate::pkce::{self, RANDOM_BYTES};
use crate::query;
use crate::return_to::safe_return_path;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};

/// How long a started sign-in may take before its callback is refused.
pub const TRANSACTION_TTL_MS: u64 = 10 * 60 * 1000;

/// What the callback needs to finish a sign-in, kept in sessionStorage under its `state`
/// and removed before the code is exchanged (single use).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginTransaction {
    pub state: String,
    pub verifier: Secret,
    pub provider_id: String,
    /// The authorization server the login was sent to (RFC 9207 mix-up defence).
    pub issuer: String,
    /// The callback must carry `iss` (the server advertises RFC 9207 support).
    pub issuer_required: bool,
    /// The code goes here and nowhere else, whatever the callback says.
    pub token_endpoint: String,
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
}

/// A sign-in ready to go: send the browser to `url` after storing `transaction`.
#[derive(Debug)]
pub struct AuthorizationRequest {
    pub url: String,
    pub transaction: LoginTransaction,
}

/// Builds the authorization request for `provider`.
pub fn authorization_request(
    provider: &ProviderConfig,
    redirect_uri: &str,
    return_to: Option<&str>,
    randomness: &LoginRandomness,
    now_ms: u64,
) -> AuthorizationRequest {
    let verifier = pkce::verifier_from_bytes(&randomness.verifier);
    let state = pkce::state_from_bytes(&randomness.state);
    let challenge = pkce::challenge_s256(&verifier);
    let url = match provider.kind {
        // Genesys takes no `scope`: scopes are set on the OAuth client in the admin UI.
        ProviderKind::Genesys { .. } => query::append_to_url(
            &provider.endpoints.authorize,
            &[
                ("response_type", "code"),
                ("client_id", &provider.client_id),
                ("redirect_uri", redirect_uri),
                ("code_challenge", &challenge),
                ("code_challenge_method", pkce::CHALLENGE_METHOD),
                ("state", &state),
            ],
        ),
    };
    let transaction = LoginTransaction {
        state,
        verifier,
        provider_id: provider.id.clone(),
        issuer: provider.endpoints.issuer.clone(),
        issuer_required: false,
        token_endpoint: provider.endpoints.token.clone(),
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
mod tests {
    use super::*;
    use crate::config::parse_config;

    fn sandbox_provider() -> ProviderConfig {
        parse_config(
            r#"{"providers":[{"id":"sandbox-genesys","label":"Sandbox","kind":"genesys","region":"mypurecloud.com",
                "client_id":"App Name@Vendor","login_base":"http://127.0.0.1:9090","api_base":"http://127.0.0.1:9090"}]}"#,
        )
        .unwrap()
        .providers
        .remove(0)
    }

    fn randomness() -> LoginRandomness {
        LoginRandomness {
            verifier: [7; RANDOM_BYTES],
            state: [9; RANDOM_BYTES],
        }
    }

    #[test]
    fn genesys_authorize_url_carries_exactly_the_pkce_parameters() {
        let provider = sandbox_provider();
        let request = authorization_request(
            &provider,
            "http://127.0.0.1:8080/callback",
            None,
            &randomness(),
            1_000,
        );
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
        assert!(
            !request.url.contains(request.transaction.verifier.expose()),
            "the verifier never leaves the browser"
        );
        assert_eq!(pairs.len(), 6);
    }

    #[test]
    fn transaction_records_where_the_code_may_go() {
        let provider = sandbox_provider();
        let tx = authorization_request(
            &provider,
            "http://x/callback",
            Some("//evil"),
            &randomness(),
            5,
        )
        .transaction;
        assert_eq!(tx.token_endpoint, "http://127.0.0.1:9090/oauth/token");
        assert_eq!(tx.issuer, "http://127.0.0.1:9090");
        assert_eq!(tx.provider_id, "sandbox-genesys");
        assert_eq!(tx.return_to, "/dashboard");
        assert_eq!(tx.created_at_ms, 5);
    }

    #[test]
    fn transaction_expires_after_ten_minutes() {
        let tx = authorization_request(
            &sandbox_provider(),
            "http://x/callback",
            None,
            &randomness(),
            1_000_000,
        )
        .transaction;
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
}

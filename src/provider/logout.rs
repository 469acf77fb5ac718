//! Sign-out's trip through the provider's logout page, and recognising the way back.

use super::EndSession;
use crate::config::ProviderKind;
use crate::query;
use crate::secret::IdToken;

/// A sign-out's trip through the provider's logout page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndSessionRequest {
    pub url: String,
    /// What the provider must hand back as `state` at the post-logout URI (keep it in
    /// sessionStorage, compare with [`logout_state_matches`]); `None` when the provider takes
    /// no `state` (Genesys Cloud).
    pub expected_state: Option<String>,
}

/// The URL that ends the provider's own login session and comes back to
/// `post_logout_redirect_uri`, per provider:
/// - Genesys Cloud (`ApiClient.logout` in its SDK): `client_id` and `redirect_uri`, no state;
/// - NICE CXone (its OpenAPI logout request: `id_token_hint`, `post_logout_redirect_uri`,
///   `state`; there is no `client_id`): CXone checks the return URI against the client the
///   hint names, so without the hint the agent stays on CXone's logout page;
/// - any other OpenID provider (RP-Initiated Logout 1.0 section 2): `id_token_hint` when an ID
///   token exists, else `client_id` to name the client, plus the return URI and `state`.
///
/// The ID token in the URL is an accepted exception to "no credentials in URLs": it names the
/// user and the client, and no API accepts it as a bearer credential.
pub fn end_session_request(
    end_session: &EndSession,
    kind: &ProviderKind,
    client_id: &str,
    id_token: Option<&IdToken>,
    post_logout_redirect_uri: &str,
    state: &str,
) -> EndSessionRequest {
    let url = match end_session {
        EndSession::GenesysLogout(url) => {
            let pairs = [
                ("client_id", client_id),
                ("redirect_uri", post_logout_redirect_uri),
            ];
            return EndSessionRequest {
                url: query::append_to_url(url, &pairs),
                expected_state: None,
            };
        }
        EndSession::Oidc(url) => url,
    };
    let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(3);
    match id_token {
        Some(id_token) => pairs.push(("id_token_hint", id_token.expose())),
        None if kind.rules().logout_names_client() => pairs.push(("client_id", client_id)),
        None => {}
    }
    pairs.push(("post_logout_redirect_uri", post_logout_redirect_uri));
    pairs.push(("state", state));
    EndSessionRequest {
        url: query::append_to_url(url, &pairs),
        expected_state: Some(state.to_owned()),
    }
}

/// Whether the browser came back from the provider's logout with the `state` this tab sent
/// (the provider passes it back unchanged). A missing or different state means the return was
/// not ours: say nothing about a sign-out then.
pub fn logout_state_matches(expected_state: Option<&str>, return_query: &str) -> bool {
    let pairs = query::parse(return_query);
    match (expected_state, query::first(&pairs, "state")) {
        (Some(expected), Some(returned)) => !expected.is_empty() && expected == returned,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{genesys_endpoints, genesys_region};

    fn logout_pairs(request: &EndSessionRequest) -> (String, Vec<(String, String)>) {
        let (base, query_string) = request.url.split_once('?').unwrap();
        (base.to_owned(), query::parse(query_string))
    }

    #[test]
    fn cxone_logout_sends_the_hint_and_state_but_no_client_id() {
        let id_token = IdToken::new("eyJ.id.token");
        let request = end_session_request(
            &EndSession::Oidc("https://cxone.niceincontact.com/auth/authorize/logout".into()),
            &ProviderKind::Cxone {
                issuer: "https://cxone.niceincontact.com".into(),
            },
            "App Name@Vendor",
            Some(&id_token),
            "https://desk.example/login",
            "st-1",
        );
        let (base, pairs) = logout_pairs(&request);
        assert_eq!(
            base,
            "https://cxone.niceincontact.com/auth/authorize/logout"
        );
        assert_eq!(query::first(&pairs, "id_token_hint"), Some("eyJ.id.token"));
        assert_eq!(
            query::first(&pairs, "post_logout_redirect_uri"),
            Some("https://desk.example/login")
        );
        assert_eq!(query::first(&pairs, "state"), Some("st-1"));
        assert_eq!(
            query::first(&pairs, "client_id"),
            None,
            "CXone's logout has no client_id"
        );
        assert_eq!(pairs.len(), 3);
        assert_eq!(request.expected_state.as_deref(), Some("st-1"));
        // Without an ID token there is still no client_id.
        let bare = end_session_request(
            &EndSession::Oidc("https://c/logout".into()),
            &ProviderKind::Cxone {
                issuer: "https://c".into(),
            },
            "c",
            None,
            "https://d/login",
            "st",
        );
        assert_eq!(query::first(&logout_pairs(&bare).1, "client_id"), None);
    }

    #[test]
    fn oidc_logout_sends_the_hint_or_else_the_client_id() {
        let kind = ProviderKind::Oidc {
            issuer: "https://sso.example.com".into(),
        };
        let endpoint = EndSession::Oidc("https://sso.example.com/session/end".into());
        let id_token = IdToken::new("id.tok.en");
        let with_hint = end_session_request(
            &endpoint,
            &kind,
            "desk",
            Some(&id_token),
            "https://d/login",
            "s2",
        );
        let (_, pairs) = logout_pairs(&with_hint);
        assert_eq!(query::first(&pairs, "id_token_hint"), Some("id.tok.en"));
        assert_eq!(query::first(&pairs, "client_id"), None);
        assert_eq!(query::first(&pairs, "state"), Some("s2"));
        assert_eq!(
            query::first(&pairs, "post_logout_redirect_uri"),
            Some("https://d/login")
        );
        let without = end_session_request(&endpoint, &kind, "desk", None, "https://d/login", "s3");
        let (_, pairs) = logout_pairs(&without);
        assert_eq!(query::first(&pairs, "id_token_hint"), None);
        assert_eq!(query::first(&pairs, "client_id"), Some("desk"));
        assert_eq!(query::first(&pairs, "state"), Some("s3"));
        assert_eq!(without.expected_state.as_deref(), Some("s3"));
    }

    #[test]
    fn genesys_logout_is_unchanged() {
        let region = genesys_region("mypurecloud.ie").unwrap();
        let kind = ProviderKind::Genesys {
            region: region.name,
            domain: region.domain,
            endpoints: genesys_endpoints(region, None, None),
        };
        let id_token = IdToken::new("never.sent.here");
        let request = end_session_request(
            &EndSession::GenesysLogout("https://login.mypurecloud.ie/logout".into()),
            &kind,
            "pkce-desk",
            Some(&id_token),
            "https://d/login",
            "s",
        );
        assert_eq!(
            request.url,
            concat!(
                "https://login.mypurecloud.ie/logout",
                "?client_id=pkce-desk&redirect_uri=https%3A%2F%2Fd%2Flogin"
            )
        );
        assert_eq!(request.expected_state, None);
    }

    #[test]
    fn logout_return_must_carry_our_state() {
        assert!(logout_state_matches(Some("st-1"), "?state=st-1"));
        assert!(!logout_state_matches(Some("st-1"), "?state=st-2"));
        assert!(!logout_state_matches(Some("st-1"), ""));
        assert!(
            !logout_state_matches(None, "?state=st-1"),
            "nothing was sent"
        );
        assert!(!logout_state_matches(Some(""), "?state="));
    }
}

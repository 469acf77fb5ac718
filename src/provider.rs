//! The provider catalog: which hosts and paths each kind of authorization server uses.
//!
//! Genesys Cloud's regions and paths follow the official JavaScript SDK
//! (`purecloud-platform-client-v2`, `PureCloudRegionHosts.js` and `ApiClient.js`); CXone's
//! issuers from its auth SDK and discovery documents.

use crate::config::ProviderKind;
pub use crate::endpoint_url::{
    ApiBaseUrl, AuthUrl, CurrentUserUrl, EndSessionUrl, IssuerUrl, RevocationUrl, TokenUrl,
    UserInfoUrl,
};
use crate::query;
use crate::secret::IdToken;
use serde::{Deserialize, Serialize};

/// One Genesys Cloud region: the login host is `login.<domain>`, the API host `api.<domain>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenesysRegion {
    /// The SDK's name for the region, e.g. `us_east_1`.
    pub name: &'static str,
    pub domain: &'static str,
}

pub const GENESYS_REGIONS: &[GenesysRegion] = &[
    GenesysRegion {
        name: "us_east_1",
        domain: "mypurecloud.com",
    },
    GenesysRegion {
        name: "eu_west_1",
        domain: "mypurecloud.ie",
    },
    GenesysRegion {
        name: "ap_southeast_2",
        domain: "mypurecloud.com.au",
    },
    GenesysRegion {
        name: "ap_northeast_1",
        domain: "mypurecloud.jp",
    },
    GenesysRegion {
        name: "eu_central_1",
        domain: "mypurecloud.de",
    },
    GenesysRegion {
        name: "us_west_2",
        domain: "usw2.pure.cloud",
    },
    GenesysRegion {
        name: "ca_central_1",
        domain: "cac1.pure.cloud",
    },
    GenesysRegion {
        name: "ap_northeast_2",
        domain: "apne2.pure.cloud",
    },
    GenesysRegion {
        name: "eu_west_2",
        domain: "euw2.pure.cloud",
    },
    GenesysRegion {
        name: "ap_south_1",
        domain: "aps1.pure.cloud",
    },
    GenesysRegion {
        name: "us_east_2",
        domain: "use2.us-gov-pure.cloud",
    },
    GenesysRegion {
        name: "sa_east_1",
        domain: "sae1.pure.cloud",
    },
    GenesysRegion {
        name: "me_central_1",
        domain: "mec1.pure.cloud",
    },
    GenesysRegion {
        name: "ap_northeast_3",
        domain: "apne3.pure.cloud",
    },
    GenesysRegion {
        name: "eu_central_2",
        domain: "euc2.pure.cloud",
    },
    GenesysRegion {
        name: "mx_central_1",
        domain: "mxc1.pure.cloud",
    },
    GenesysRegion {
        name: "ap_southeast_1",
        domain: "apse1.pure.cloud",
    },
    GenesysRegion {
        name: "eusc_de_east_1",
        domain: "edee1.eusc-pure.cloud",
    },
];

/// Finds a region by its domain (`mypurecloud.ie`) or its SDK name (`eu_west_1`).
pub fn genesys_region(name_or_domain: &str) -> Option<GenesysRegion> {
    let wanted = name_or_domain.trim().to_ascii_lowercase();
    GENESYS_REGIONS
        .iter()
        .copied()
        .find(|region| region.domain == wanted || region.name == wanted)
}

/// How the signed-in user is loaded, and in which shape it comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserSource {
    /// Genesys Cloud `GET /api/v2/users/me`.
    GenesysMe,
    /// CXone user management `GET <api>/user-management/v1/users/<userId>`.
    CxoneUser,
    /// OpenID Connect userinfo.
    OidcUserinfo,
}

/// How a sign-out revokes tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Revocation {
    /// Genesys Cloud: `DELETE /api/v2/tokens/me` with the access token.
    GenesysTokensMe(RevocationUrl),
    /// RFC 7009: `POST token=<refresh token>` to the revocation endpoint.
    Rfc7009(RevocationUrl),
}

/// How a sign-out ends the provider's own login session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndSession {
    /// Genesys Cloud: `GET /logout?client_id&redirect_uri`.
    GenesysLogout(EndSessionUrl),
    /// OpenID Connect RP-initiated logout (CXone's too): see [`end_session_request`].
    Oidc(EndSessionUrl),
}

/// Everything the flow needs to talk to one authorization server and its API. Fixed by the
/// catalog for Genesys Cloud; read from the discovery document for CXone and OpenID providers.
/// Kept with the login transaction and the session, so a code or refresh token only ever goes
/// to the server it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// Identifies the authorization server; compared with a callback's `iss` (RFC 9207) and
    /// an ID token's `iss`.
    pub issuer: IssuerUrl,
    /// The server advertises RFC 9207, so a callback without `iss` is refused.
    pub iss_required: bool,
    pub authorize: AuthUrl,
    pub token: TokenUrl,
    pub userinfo: Option<UserInfoUrl>,
    /// Base URL for API calls, without a trailing slash.
    pub api_base: ApiBaseUrl,
    /// The URL the current user is loaded from, and its shape.
    pub current_user: CurrentUserUrl,
    pub user_source: UserSource,
    pub revocation: Option<Revocation>,
    pub end_session: Option<EndSession>,
}

/// Genesys Cloud endpoints for a region; `login_base`/`api_base` replace the real hosts
/// (the local sandbox, or a proxy). Both must already be normalised (no trailing slash).
pub fn genesys_endpoints(
    region: GenesysRegion,
    login_base: Option<&str>,
    api_base: Option<&str>,
) -> Endpoints {
    let login = login_base
        .map(str::to_owned)
        .unwrap_or_else(|| format!("https://login.{}", region.domain));
    let api = api_base
        .map(str::to_owned)
        .unwrap_or_else(|| format!("https://api.{}", region.domain));
    Endpoints {
        issuer: IssuerUrl::new(login.clone()),
        iss_required: false,
        authorize: AuthUrl::new(format!("{login}/oauth/authorize")),
        token: TokenUrl::new(format!("{login}/oauth/token")),
        userinfo: None,
        current_user: CurrentUserUrl::new(format!("{api}/api/v2/users/me")),
        user_source: UserSource::GenesysMe,
        revocation: Some(Revocation::GenesysTokensMe(RevocationUrl::new(format!(
            "{api}/api/v2/tokens/me"
        )))),
        end_session: Some(EndSession::GenesysLogout(EndSessionUrl::new(format!(
            "{login}/logout"
        )))),
        api_base: ApiBaseUrl::new(api),
    }
}

/// NICE CXone's issuers (its tenants' data regions are not separate issuers).
pub const CXONE_ISSUERS: &[(&str, &str)] = &[
    ("global", "https://cxone.niceincontact.com"),
    ("fedramp", "https://cxone-gov.niceincontact.com"),
    ("au", "https://nicecxone-sov1.au"),
    ("eu", "https://nicecxone-sov1.eu"),
    ("uk", "https://nicecxone-sov1.uk"),
];

/// The CXone issuer for an environment name (`global`, `fedramp`, `au`, `eu`, `uk`).
pub fn cxone_issuer(environment: &str) -> Option<&'static str> {
    let wanted = environment.trim().to_ascii_lowercase();
    CXONE_ISSUERS
        .iter()
        .find(|(name, _)| *name == wanted)
        .map(|(_, issuer)| *issuer)
}

/// Where an issuer's OpenID discovery document lives (OIDC Discovery 1.0 section 4).
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// CXone's tenant lookup, which names the base URL of the tenant's APIs.
pub fn cxone_tenant_config_url(issuer: &str, tenant_id: &str) -> String {
    crate::query::append_to_url(
        &format!(
            "{}/.well-known/cxone-configuration",
            issuer.trim_end_matches('/')
        ),
        &[("tenantId", tenant_id)],
    )
}

/// CXone's user record for `user_id`, under the tenant's API base (NICE's core-sdk:
/// `ApiUriConstants.UH_GET_USERS = '/user-management/v1/users/'`).
pub fn cxone_user_url(api_base: &str, user_id: &str) -> String {
    format!(
        "{}/user-management/v1/users/{}",
        api_base.trim_end_matches('/'),
        crate::query::encode(user_id)
    )
}

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
    match (id_token, kind) {
        (Some(id_token), _) => pairs.push(("id_token_hint", id_token.expose())),
        (None, ProviderKind::Cxone { .. }) => {}
        (None, _) => pairs.push(("client_id", client_id)),
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

    #[test]
    fn every_region_is_listed_once() {
        assert_eq!(GENESYS_REGIONS.len(), 18);
        for (i, a) in GENESYS_REGIONS.iter().enumerate() {
            for b in &GENESYS_REGIONS[i + 1..] {
                assert_ne!(a.domain, b.domain);
                assert_ne!(a.name, b.name);
            }
        }
    }

    #[test]
    fn finds_regions_by_domain_or_name() {
        assert_eq!(genesys_region("mypurecloud.ie").unwrap().name, "eu_west_1");
        assert_eq!(
            genesys_region("EU_WEST_1").unwrap().domain,
            "mypurecloud.ie"
        );
        assert_eq!(
            genesys_region(" edee1.eusc-pure.cloud ").unwrap().name,
            "eusc_de_east_1"
        );
        assert!(genesys_region("mypurecloud.co").is_none());
    }

    #[test]
    fn real_region_uses_login_and_api_hosts() {
        let endpoints = genesys_endpoints(genesys_region("mypurecloud.de").unwrap(), None, None);
        assert_eq!(
            endpoints.authorize,
            "https://login.mypurecloud.de/oauth/authorize"
        );
        assert_eq!(endpoints.token, "https://login.mypurecloud.de/oauth/token");
        assert_eq!(
            endpoints.current_user,
            "https://api.mypurecloud.de/api/v2/users/me"
        );
        assert_eq!(
            endpoints.end_session,
            Some(EndSession::GenesysLogout(
                "https://login.mypurecloud.de/logout".into()
            ))
        );
        assert_eq!(endpoints.issuer, "https://login.mypurecloud.de");
    }

    #[test]
    fn overrides_replace_hosts_but_keep_paths() {
        let region = genesys_region("mypurecloud.com").unwrap();
        let endpoints = genesys_endpoints(
            region,
            Some("http://127.0.0.1:9090"),
            Some("http://127.0.0.1:9091"),
        );
        assert_eq!(endpoints.authorize, "http://127.0.0.1:9090/oauth/authorize");
        assert_eq!(endpoints.token, "http://127.0.0.1:9090/oauth/token");
        assert_eq!(
            endpoints.current_user,
            "http://127.0.0.1:9091/api/v2/users/me"
        );
        assert_eq!(
            endpoints.revocation,
            Some(Revocation::GenesysTokensMe(
                "http://127.0.0.1:9091/api/v2/tokens/me".into()
            ))
        );
    }

    #[test]
    fn cxone_environments_and_well_known_urls() {
        assert_eq!(
            cxone_issuer("Global"),
            Some("https://cxone.niceincontact.com")
        );
        assert_eq!(cxone_issuer("eu"), Some("https://nicecxone-sov1.eu"));
        assert_eq!(cxone_issuer("mars"), None);
        assert_eq!(
            discovery_url("https://cxone.niceincontact.com/"),
            "https://cxone.niceincontact.com/.well-known/openid-configuration"
        );
        assert_eq!(
            cxone_tenant_config_url("https://cxone.niceincontact.com", "11EC-A B"),
            "https://cxone.niceincontact.com/.well-known/cxone-configuration?tenantId=11EC-A%20B"
        );
    }

    #[test]
    fn cxone_user_url_encodes_the_id() {
        assert_eq!(
            cxone_user_url("https://api-na1.niceincontact.com/", "11ec-a/../b"),
            "https://api-na1.niceincontact.com/user-management/v1/users/11ec-a%2F..%2Fb"
        );
    }

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
            "https://login.mypurecloud.ie/logout?client_id=pkce-desk&redirect_uri=https%3A%2F%2Fd%2Flogin"
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

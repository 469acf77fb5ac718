//! Genesys Cloud: regions and endpoints from a catalog (no discovery document), the user from
//! `GET /api/v2/users/me`, revocation through `DELETE /api/v2/tokens/me`.
//!
//! Regions and paths follow the official JavaScript SDK (`purecloud-platform-client-v2`,
//! `PureCloudRegionHosts.js` and `ApiClient.js`).

use super::{ApiBaseUrl, AuthUrl, CurrentUserUrl, IssuerUrl, RevocationUrl, TokenUrl};
use super::{EndSession, EndSessionUrl, Endpoints, ProviderRules, Revocation, UserSource};
use crate::token::TokenTypeRule;

/// What Genesys Cloud does differently from a standard OpenID provider.
pub struct GenesysRules;

impl ProviderRules for GenesysRules {
    fn display_name(&self) -> &'static str {
        "Genesys Cloud"
    }

    fn location_label(&self) -> &'static str {
        "Region"
    }

    // Scopes are set on the OAuth client in the admin UI; the request carries none, so no
    // `openid` either, and no ID token to check.
    fn sends_scope(&self) -> bool {
        false
    }

    fn honours_openid_scope(&self) -> bool {
        false
    }

    fn token_type_rule(&self) -> TokenTypeRule {
        TokenTypeRule::BearerWhenMissing
    }

    fn user_source(&self) -> UserSource {
        UserSource::GenesysMe
    }

    fn offers_routing_queues(&self) -> bool {
        true
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{EndSession, Revocation};

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
}

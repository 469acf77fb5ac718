//! NICE CXone: issuers from a catalog of environments, endpoints from discovery, the user from
//! CXone's user API under the tenant's API base (looked up after sign-in).

use super::{ProviderRules, UserSource};

/// What NICE CXone does differently from a standard OpenID provider.
pub struct CxoneRules;

impl ProviderRules for CxoneRules {
    fn display_name(&self) -> &'static str {
        "NICE CXone"
    }

    // CXone's `prompt` takes `none` or `login` (its OpenAPI spec), and config validation keeps
    // `offline_access` away from it anyway.
    fn asks_consent_for_offline_access(&self) -> bool {
        false
    }

    fn user_source(&self) -> UserSource {
        UserSource::CxoneUser
    }

    // CXone's logout request has no `client_id` (its OpenAPI spec); it checks the return URI
    // against the client the `id_token_hint` names.
    fn logout_names_client(&self) -> bool {
        false
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::discovery_url;

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
}

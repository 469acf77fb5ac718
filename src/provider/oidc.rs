//! Any other OpenID provider: everything from its discovery document, the user from userinfo.
//! Its rules are the defaults of [`ProviderRules`].

use super::ProviderRules;

/// A standard OpenID provider: no exceptions to the defaults.
pub struct OidcRules;

impl ProviderRules for OidcRules {
    fn display_name(&self) -> &'static str {
        "OpenID Connect"
    }
}

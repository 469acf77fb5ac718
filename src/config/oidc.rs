//! Any OpenID provider: found through its issuer's discovery document.

use super::{secure_url, validate_common, ConfigError, Entry};
use super::{ProviderConfig, ProviderKind};

super::provider_entry!(RawOidc { issuer: Option<String> });

pub(super) fn validate(at: &Entry, raw: RawOidc) -> Result<ProviderConfig, ConfigError> {
    let (common, overrides, (issuer,)) = raw.into_parts();
    validate_common(at, common, overrides, |overrides, scopes| {
        overrides.refuse(at)?;
        let issuer = issuer.as_deref().ok_or_else(|| {
            at.error(
                "issuer",
                "is required for an OpenID provider (its discovery document lives under it)",
            )
        })?;
        if scopes.is_empty() {
            scopes.extend(["openid", "profile", "email"].map(String::from));
        }
        let issuer = secure_url(issuer).map_err(|p| at.error("issuer", p))?;
        require_openid(at, scopes)?;
        Ok(ProviderKind::Oidc { issuer })
    })
}

/// The user is identified by the ID token, which only the `openid` scope brings.
pub(super) fn require_openid(at: &Entry, scopes: &[String]) -> Result<(), ConfigError> {
    if scopes.iter().any(|s| s == "openid") {
        return Ok(());
    }
    Err(at.error(
        "scopes",
        "must include \"openid\" for an OpenID provider (the user is identified by its ID token)",
    ))
}

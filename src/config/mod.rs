//! `config.json`: read at start-up (so a deployment changes it without rebuilding), validated
//! here once, then trusted everywhere else.
//!
//! Each kind's own fields and checks live in its file, what every entry shares in `entry.rs`,
//! the URL checks (which `discovery` reuses) in `url_checks.rs`; this one holds the public types
//! and reads the document.

mod cxone;
mod entry;
mod genesys;
mod oidc;
mod url_checks;

use crate::provider::Endpoints;
use entry::{provider_entry, validate_common, Entry};
use serde::Deserialize;
use std::fmt;
#[cfg(test)]
use url_checks::optional_base_url;
pub use url_checks::secure_url;

/// Where tokens live between page loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenStorage {
    /// Gone on reload: the safest, and the agent signs in again after every reload.
    Memory,
    /// Per tab, survives reloads, gone when the tab closes.
    #[default]
    Session,
    /// Shared by every tab of the origin; survives closing the browser.
    Local,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppConfig {
    pub token_storage: TokenStorage,
    pub providers: Vec<ProviderConfig>,
    /// Shows the lifecycle lab on the dashboard (force a renewal, fire parallel API calls):
    /// for demos and tests, not for agents.
    pub diagnostics: bool,
}

impl AppConfig {
    pub fn provider(&self, id: &str) -> Option<&ProviderConfig> {
        self.providers.iter().find(|provider| provider.id == id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderConfig {
    pub id: String,
    pub label: String,
    pub kind: ProviderKind,
    pub client_id: String,
    pub scopes: Vec<String>,
    /// Overrides the default `<page origin>/callback`.
    pub redirect_uri: Option<String>,
    /// Where the provider's logout sends the browser back; defaults to `<page origin>/login`.
    pub post_logout_redirect_uri: Option<String>,
}

impl ProviderConfig {
    /// The `openid` scope is requested: a nonce is sent and the ID token is checked. Genesys
    /// Cloud takes its scopes from the OAuth client, so it never gets one.
    pub fn requests_openid(&self) -> bool {
        self.kind.rules().honours_openid_scope() && self.scopes.iter().any(|s| s == "openid")
    }
}

// One per configured provider: boxing the large variant would save nothing worth a pointer.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderKind {
    /// Endpoints from the region catalog (and the overrides).
    Genesys {
        region: &'static str,
        domain: &'static str,
        endpoints: Endpoints,
    },
    /// NICE CXone: discovery at the issuer, the user from CXone's user API.
    Cxone { issuer: String },
    /// Any OpenID provider: discovery at the issuer, the user from userinfo.
    Oidc { issuer: String },
}

impl ProviderKind {
    pub fn display_name(&self) -> &'static str {
        self.rules().display_name()
    }

    /// The region or issuer as shown to the user.
    pub fn region(&self) -> String {
        match self {
            ProviderKind::Genesys { region, domain, .. } => format!("{domain} ({region})"),
            ProviderKind::Cxone { issuer } | ProviderKind::Oidc { issuer } => issuer.clone(),
        }
    }
}

/// Why the configuration cannot be used: where, and what is wrong, in words an
/// administrator can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub location: String,
    pub problem: String,
}

impl ConfigError {
    fn at(location: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            location: location.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.problem)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    token_storage: TokenStorage,
    providers: Vec<RawProvider>,
    #[serde(default)]
    diagnostics: bool,
}

/// One `providers[]` entry, as written, chosen by its `kind`. Each kind's struct denies unknown
/// fields (serde allows `deny_unknown_fields` on the variants of an internally tagged enum; the
/// tag is taken out first), so a field of another kind, such as `region` on an OpenID provider,
/// is refused rather than ignored.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum RawProvider {
    Genesys(genesys::RawGenesys),
    Cxone(cxone::RawCxone),
    Oidc(oidc::RawOidc),
    /// Any other `kind`: caught here so that the error names the field, not serde's variant list.
    #[serde(other)]
    Unknown,
}

/// Parses and validates `config.json`.
pub fn parse_config(json: &str) -> Result<AppConfig, ConfigError> {
    let raw: RawConfig = serde_json::from_str(json)
        .map_err(|error| ConfigError::at("config.json", format!("is not valid: {error}")))?;
    if raw.providers.is_empty() {
        return Err(ConfigError::at(
            "config.json: providers",
            "lists no provider; add at least one",
        ));
    }
    let mut providers: Vec<ProviderConfig> = Vec::with_capacity(raw.providers.len());
    for (index, entry) in raw.providers.into_iter().enumerate() {
        let at = Entry { index };
        let provider = match entry {
            RawProvider::Genesys(raw) => genesys::validate(&at, raw)?,
            RawProvider::Cxone(raw) => cxone::validate(&at, raw)?,
            RawProvider::Oidc(raw) => oidc::validate(&at, raw)?,
            RawProvider::Unknown => return Err(unknown_kind(&at, json)),
        };
        if providers.iter().any(|seen| seen.id == provider.id) {
            return Err(at.error(
                "id",
                format!(
                    "\"{}\" is used twice; each provider needs its own id",
                    provider.id
                ),
            ));
        }
        providers.push(provider);
    }
    Ok(AppConfig {
        token_storage: raw.token_storage,
        providers,
        diagnostics: raw.diagnostics,
    })
}

/// The error for a `kind` this app does not know. serde's `other` variant keeps no value, so the
/// name is read again from the document (only on this error path).
fn unknown_kind(at: &Entry, json: &str) -> ConfigError {
    #[derive(Deserialize)]
    struct Kinds {
        providers: Vec<Kind>,
    }
    #[derive(Deserialize)]
    struct Kind {
        kind: String,
    }
    let name = serde_json::from_str::<Kinds>(json)
        .ok()
        .and_then(|kinds| kinds.providers.into_iter().nth(at.index))
        .map(|entry| entry.kind)
        .unwrap_or_default();
    at.error(
        "kind",
        format!(
            "\"{name}\" is not a provider kind this app knows; \
             use \"genesys\", \"cxone\" or \"oidc\""
        ),
    )
}

#[cfg(test)]
mod tests;

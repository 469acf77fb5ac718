//! One `providers[]` entry: the fields every kind has (declared into each kind's struct by
//! `provider_entry!`), where the entry sits (for errors that name the field), and the checks
//! common to every kind.

use super::url_checks::{optional_base_url, optional_url};
use super::{ConfigError, ProviderConfig, ProviderKind};

/// The fields every kind has.
pub(super) struct CommonFields {
    pub(super) id: String,
    pub(super) label: String,
    pub(super) client_id: String,
    pub(super) scopes: Vec<String>,
    pub(super) redirect_uri: Option<String>,
    pub(super) post_logout_redirect_uri: Option<String>,
}

/// Genesys Cloud's endpoint overrides. Accepted by every kind so that the other kinds can refuse
/// them with a sentence that says why, rather than "unknown field".
pub(super) struct EndpointOverrides {
    pub(super) login_base: Option<String>,
    pub(super) api_base: Option<String>,
}

/// Declares one kind's entry: the fields every kind has, then the kind's own, all denying unknown
/// fields; `into_parts` hands back the common fields, the overrides and a tuple of the kind's own.
/// The common fields are written in by this macro rather than `#[serde(flatten)]`ed: with flatten,
/// serde reports a missing field before an unknown one, so `"clientId"` would be blamed on a
/// missing `client_id` instead of being named.
macro_rules! provider_entry {
    ($name:ident { $($field:ident: $ty:ty),* $(,)? }) => {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(super) struct $name {
            id: String,
            label: String,
            client_id: String,
            #[serde(default)]
            scopes: Vec<String>,
            redirect_uri: Option<String>,
            post_logout_redirect_uri: Option<String>,
            login_base: Option<String>,
            api_base: Option<String>,
            $($field: $ty,)*
        }

        impl $name {
            fn into_parts(
                self,
            ) -> (super::entry::CommonFields, super::entry::EndpointOverrides, ($($ty,)*)) {
                let common = super::entry::CommonFields {
                    id: self.id,
                    label: self.label,
                    client_id: self.client_id,
                    scopes: self.scopes,
                    redirect_uri: self.redirect_uri,
                    post_logout_redirect_uri: self.post_logout_redirect_uri,
                };
                let overrides = super::entry::EndpointOverrides {
                    login_base: self.login_base,
                    api_base: self.api_base,
                };
                (common, overrides, ($(self.$field,)*))
            }
        }
    };
}
pub(super) use provider_entry;

/// Checked endpoint overrides: base URLs without a trailing slash.
pub(super) struct CheckedOverrides {
    pub(super) login_base: Option<String>,
    pub(super) api_base: Option<String>,
}

impl CheckedOverrides {
    /// For the kinds found through their issuer, which have no use for Genesys' overrides.
    pub(super) fn refuse(&self, at: &Entry) -> Result<(), ConfigError> {
        for (name, value) in [
            ("login_base", &self.login_base),
            ("api_base", &self.api_base),
        ] {
            if value.is_some() {
                return Err(at.error(
                    name,
                    "applies to Genesys Cloud providers only; \
                     OpenID providers are found through their issuer",
                ));
            }
        }
        Ok(())
    }
}

/// Where in `config.json` a provider entry sits, for errors that name the field.
pub(super) struct Entry {
    pub(super) index: usize,
}

impl Entry {
    pub(super) fn error(&self, name: &str, problem: impl Into<String>) -> ConfigError {
        ConfigError::at(
            format!("config.json: providers[{}].{name}", self.index),
            problem,
        )
    }
}

/// Checks the fields every kind has and the endpoint overrides, in the order an administrator
/// reads them; `kind` then turns the kind's own fields into a [`ProviderKind`] and may add
/// default scopes.
pub(super) fn validate_common(
    at: &Entry,
    common: CommonFields,
    overrides: EndpointOverrides,
    kind: impl FnOnce(CheckedOverrides, &mut Vec<String>) -> Result<ProviderKind, ConfigError>,
) -> Result<ProviderConfig, ConfigError> {
    let valid_id = !common.id.is_empty()
        && common.id.len() <= 64
        && common
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !valid_id {
        return Err(at.error("id", "must be 1-64 characters of a-z, 0-9, '-' or '_'"));
    }
    if common.label.trim().is_empty() {
        return Err(at.error("label", "must not be empty"));
    }
    if common.client_id.trim().is_empty() {
        return Err(at.error(
            "client_id",
            "must not be empty; \
             copy the Client ID of the OAuth client from the provider's admin portal",
        ));
    }
    if let Some(scope) = common
        .scopes
        .iter()
        .find(|s| s.is_empty() || s.contains(char::is_whitespace))
    {
        return Err(at.error("scopes", format!("\"{scope}\" is not a single scope name")));
    }
    let overrides = CheckedOverrides {
        login_base: optional_base_url(overrides.login_base.as_deref())
            .map_err(|p| at.error("login_base", p))?,
        api_base: optional_base_url(overrides.api_base.as_deref())
            .map_err(|p| at.error("api_base", p))?,
    };
    let redirect_uri =
        optional_url(common.redirect_uri.as_deref()).map_err(|p| at.error("redirect_uri", p))?;
    let post_logout_redirect_uri = optional_url(common.post_logout_redirect_uri.as_deref())
        .map_err(|p| at.error("post_logout_redirect_uri", p))?;
    let mut scopes = common.scopes;
    let kind = kind(overrides, &mut scopes)?;
    Ok(ProviderConfig {
        id: common.id,
        label: common.label.trim().to_owned(),
        kind,
        client_id: common.client_id.trim().to_owned(),
        scopes,
        redirect_uri,
        post_logout_redirect_uri,
    })
}

//! A Genesys Cloud provider entry: a region from the catalog, and optional endpoint overrides.

use super::{validate_common, ConfigError, Entry};
use super::{ProviderConfig, ProviderKind};
use crate::provider::{genesys_endpoints, genesys_region, GENESYS_REGIONS};

super::provider_entry!(RawGenesys { region: Option<String> });

pub(super) fn validate(at: &Entry, raw: RawGenesys) -> Result<ProviderConfig, ConfigError> {
    let (common, overrides, (region,)) = raw.into_parts();
    validate_common(at, common, overrides, |overrides, _scopes| {
        let name = region.as_deref().ok_or_else(|| {
            at.error(
                "region",
                "is required for a Genesys Cloud provider (e.g. \"mypurecloud.com\")",
            )
        })?;
        let region = genesys_region(name).ok_or_else(|| {
            let known: Vec<&str> = GENESYS_REGIONS.iter().map(|r| r.domain).collect();
            at.error(
                "region",
                format!(
                    "\"{name}\" is not a Genesys Cloud region; use one of: {}",
                    known.join(", ")
                ),
            )
        })?;
        Ok(ProviderKind::Genesys {
            region: region.name,
            domain: region.domain,
            endpoints: genesys_endpoints(
                region,
                overrides.login_base.as_deref(),
                overrides.api_base.as_deref(),
            ),
        })
    })
}

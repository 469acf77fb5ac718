//! A NICE CXone provider entry: an environment from the catalog (or an issuer), scope `openid`.

use super::{secure_url, validate_common, ConfigError, Entry};
use super::{ProviderConfig, ProviderKind};
use crate::provider::{cxone_issuer, CXONE_ISSUERS};

super::provider_entry!(RawCxone { issuer: Option<String>, environment: Option<String> });

pub(super) fn validate(at: &Entry, raw: RawCxone) -> Result<ProviderConfig, ConfigError> {
    let (common, overrides, (issuer, environment)) = raw.into_parts();
    validate_common(at, common, overrides, |overrides, scopes| {
        overrides.refuse(at)?;
        // An explicit issuer wins over the environment catalog.
        let issuer = match issuer {
            Some(issuer) => secure_url(&issuer).map_err(|p| at.error("issuer", p))?,
            None => {
                let name = environment.as_deref().unwrap_or("global");
                cxone_issuer(name).map(str::to_owned).ok_or_else(|| {
                    let known: Vec<&str> = CXONE_ISSUERS.iter().map(|(n, _)| *n).collect();
                    at.error(
                        "environment",
                        format!(
                            "\"{name}\" is not a CXone environment; use one of: {}",
                            known.join(", ")
                        ),
                    )
                })?
            }
        };
        // Only `openid` gets past this, so the OpenID providers' "must include openid" check
        // has nothing left to catch here.
        if scopes.is_empty() {
            scopes.push("openid".into());
        }
        if let Some(scope) = scopes.iter().find(|s| *s != "openid") {
            return Err(at.error("scopes", scope_problem(scope)));
        }
        Ok(ProviderKind::Cxone { issuer })
    })
}

/// Why a scope other than `openid` is refused for CXone. CXone's authorize endpoint takes
/// `scope=openid` only (its OpenAPI spec lists no other value) and issues a refresh token with
/// `openid` alone (NICE's agent SDK refreshes with `scope=openid`): any other scope is at best
/// ignored and at worst gets the sign-in refused, so it is caught here, where it is clear why.
fn scope_problem(scope: &str) -> String {
    let why = "NICE CXone accepts only the \"openid\" scope, \
               and it issues refresh tokens with \"openid\" alone";
    let fix = "Use [\"openid\"] or leave scopes out";
    if scope == "offline_access" {
        format!("\"offline_access\" is not accepted by NICE CXone and not needed: {why}. {fix}")
    } else {
        format!(
            "\"{scope}\" is not accepted by NICE CXone: {why}. \
             API permissions come from the user's CXone role, not from scopes. {fix}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_config, tests::error_of};

    #[test]
    fn cxone_accepts_the_openid_scope_only() {
        let with_scopes = |scopes: &str| {
            format!(
                r#"{{"providers":[{{"id":"cx","label":"CXone","kind":"cxone","client_id":"c",
                    "scopes":{scopes}}}]}}"#
            )
        };
        assert_eq!(
            parse_config(&with_scopes(r#"["openid"]"#))
                .unwrap()
                .providers[0]
                .scopes,
            vec!["openid".to_string()]
        );
        let offline = error_of(&with_scopes(r#"["openid","offline_access"]"#));
        assert_eq!(offline.location, "config.json: providers[0].scopes");
        assert!(offline.problem.contains("offline_access"), "{offline}");
        assert!(
            offline
                .problem
                .contains("refresh tokens with \"openid\" alone"),
            "says why: {offline}"
        );
        let profile = error_of(&with_scopes(r#"["openid","profile"]"#));
        assert!(profile.problem.contains("\"profile\""), "{profile}");
        assert!(profile.problem.contains("only the \"openid\" scope"));
        // Generic OpenID providers keep offline_access.
        let oidc = r#"{"providers":[{"id":"kc","label":"K","kind":"oidc",
            "issuer":"https://sso.example.com","client_id":"c","scopes":["openid",
            "offline_access"]}]}"#;
        assert!(parse_config(oidc).is_ok());
    }
}

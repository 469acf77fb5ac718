//! OpenID Provider discovery (OIDC Discovery 1.0, RFC 8414): the document is checked before
//! any of its endpoints is trusted.

use crate::config::secure_url;
use crate::error::{AuthError, Endpoint};
use crate::provider::{
    ApiBaseUrl, AuthUrl, CurrentUserUrl, EndSession, EndSessionUrl, Endpoints, IssuerUrl,
    Revocation, RevocationUrl, TokenUrl, UserInfoUrl, UserSource,
};
use crate::reply::{HttpReply, Refusal};
use serde::Deserialize;

#[derive(Deserialize)]
struct Document {
    issuer: Option<String>,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    userinfo_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    end_session_endpoint: Option<String>,
    response_types_supported: Option<Vec<String>>,
    code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
}

/// Validates a discovery document fetched for `issuer` and turns it into endpoints.
/// `user_source` says how the user is loaded afterwards (userinfo, or CXone's user API).
pub fn endpoints_from_discovery(
    reply: &HttpReply,
    issuer: &str,
    user_source: UserSource,
) -> Result<Endpoints, AuthError> {
    let failed = |reason: String| AuthError::DiscoveryFailed {
        issuer: issuer.to_owned(),
        reason,
    };
    reply.check().map_err(|refusal| match refusal {
        Refusal::TooLarge => failed("the discovery document is larger than 64 KiB".into()),
        Refusal::Status => failed(format!(
            "the discovery document could not be loaded (HTTP {})",
            reply.status
        )),
        Refusal::NotJson => reply.unexpected(Endpoint::Discovery),
    })?;
    let document: Document = reply.json().map_err(|_| {
        failed("the discovery document is not a valid JSON object of the expected shape".into())
    })?;

    // OIDC Discovery 4.3: the issuer must be exactly the one the document was fetched for,
    // or an impostor's document could redirect every request.
    match document.issuer.as_deref() {
        Some(found) if found == issuer => {}
        Some(found) => {
            return Err(failed(format!(
                "the document names issuer \"{found}\", not the configured \"{issuer}\""
            )))
        }
        None => return Err(failed("the document has no issuer".into())),
    }
    let supports = |list: &Option<Vec<String>>, wanted: &str| {
        list.as_ref()
            .is_some_and(|values| values.iter().any(|v| v == wanted))
    };
    if !supports(&document.response_types_supported, "code") {
        return Err(failed(
            "the provider does not list the authorization code flow (response_types_supported \
                lacks \"code\")"
                .into(),
        ));
    }
    if !supports(&document.code_challenge_methods_supported, "S256") {
        return Err(failed(
            "the provider does not advertise PKCE with S256 (code_challenge_methods_supported)"
                .into(),
        ));
    }
    let required = |name: &str, value: Option<String>| -> Result<String, AuthError> {
        let value = value.ok_or_else(|| failed(format!("the document has no {name}")))?;
        secure_url(&value).map_err(|problem| failed(format!("{name}: {problem}")))
    };
    let optional = |name: &str, value: Option<String>| -> Result<Option<String>, AuthError> {
        value.map(|v| required(name, Some(v))).transpose()
    };
    let authorize = required("authorization_endpoint", document.authorization_endpoint)?;
    let token = required("token_endpoint", document.token_endpoint)?;
    let userinfo = optional("userinfo_endpoint", document.userinfo_endpoint)?;
    let revocation = optional("revocation_endpoint", document.revocation_endpoint)?;
    let end_session = optional("end_session_endpoint", document.end_session_endpoint)?;
    let current_user = match user_source {
        UserSource::OidcUserinfo => userinfo
            .clone()
            .map(CurrentUserUrl::new)
            .ok_or_else(|| failed("the document has no userinfo_endpoint".into()))?,
        // Known only after sign-in, from the tenant lookup.
        UserSource::CxoneUser | UserSource::GenesysMe => CurrentUserUrl::default(),
    };
    Ok(Endpoints {
        issuer: IssuerUrl::new(issuer),
        iss_required: document.authorization_response_iss_parameter_supported,
        authorize: AuthUrl::new(authorize),
        token: TokenUrl::new(token),
        userinfo: userinfo.map(UserInfoUrl::new),
        api_base: ApiBaseUrl::new(issuer.trim_end_matches('/')),
        current_user,
        user_source,
        revocation: revocation.map(|url| Revocation::Rfc7009(RevocationUrl::new(url))),
        end_session: end_session.map(|url| EndSession::Oidc(EndSessionUrl::new(url))),
    })
}

#[derive(Deserialize)]
struct TenantConfiguration {
    api_endpoint: Option<String>,
    area: Option<String>,
    domain: Option<String>,
}

/// One DNS label as CXone names areas (`na1`, `au1`): lowercase letters, digits, hyphens.
fn is_dns_label(text: &str) -> bool {
    (1..=63).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

/// `https://api-{area}.{domain}`, the host NICE's SDK builds for its user API
/// (`CXoneConfiguration.getAPIFacadeBaseUri`), when both parts are plain DNS names.
fn cxone_api_base_from_area(area: &str, domain: &str) -> Option<String> {
    let labels: Vec<&str> = domain.split('.').collect();
    (is_dns_label(area) && labels.len() >= 2 && labels.iter().all(|l| is_dns_label(l)))
        .then(|| format!("https://api-{area}.{domain}"))
}

/// CXone's `/.well-known/cxone-configuration?tenantId=...`: the tenant's API base URL, its
/// `api_endpoint`, else `https://api-{area}.{domain}` as NICE's SDK builds it (the two were
/// equal in the one published sample).
pub fn cxone_api_base(reply: &HttpReply) -> Result<String, AuthError> {
    let malformed = |reason: &str| AuthError::MalformedResponse {
        endpoint: Endpoint::TenantLookup,
        reason: reason.into(),
    };
    reply
        .check()
        .map_err(|refusal| refusal.into_error(reply, Endpoint::TenantLookup))?;
    let config: TenantConfiguration = reply
        .json()
        .map_err(|_| malformed("the tenant configuration is not the expected JSON"))?;
    let from_area = || match (config.area.as_deref(), config.domain.as_deref()) {
        (Some(area), Some(domain)) => cxone_api_base_from_area(area, domain),
        _ => None,
    };
    let api = config
        .api_endpoint
        .filter(|api| !api.trim().is_empty())
        .or_else(from_area)
        .ok_or_else(|| {
            malformed(
                "the tenant configuration names no api_endpoint (nor a usable area and domain)",
            )
        })?;
    secure_url(&api)
        .map(|url| url.trim_end_matches('/').to_owned())
        .map_err(|problem| malformed(&format!("api_endpoint {problem}")))
}

#[cfg(test)]
mod tests;

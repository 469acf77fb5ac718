//! `config.json`: read at start-up (so a deployment changes it without rebuilding), validated
//! here once, then trusted everywhere else.
//!
//! Each kind's own fields and checks live in its file. This one runs past 300 lines (about 430
//! of code, the rest tests) because it keeps together what every kind shares: the public types,
//! the entry macro, the common field checks and the URL checks that `discovery` reuses too.

mod cxone;
mod genesys;
mod oidc;

use crate::provider::Endpoints;
use serde::Deserialize;
use std::fmt;

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

/// The fields every kind has.
struct CommonFields {
    id: String,
    label: String,
    client_id: String,
    scopes: Vec<String>,
    redirect_uri: Option<String>,
    post_logout_redirect_uri: Option<String>,
}

/// Genesys Cloud's endpoint overrides. Accepted by every kind so that the other kinds can refuse
/// them with a sentence that says why, rather than "unknown field".
struct EndpointOverrides {
    login_base: Option<String>,
    api_base: Option<String>,
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
            ) -> (super::CommonFields, super::EndpointOverrides, ($($ty,)*)) {
                let common = super::CommonFields {
                    id: self.id,
                    label: self.label,
                    client_id: self.client_id,
                    scopes: self.scopes,
                    redirect_uri: self.redirect_uri,
                    post_logout_redirect_uri: self.post_logout_redirect_uri,
                };
                let overrides = super::EndpointOverrides {
                    login_base: self.login_base,
                    api_base: self.api_base,
                };
                (common, overrides, ($(self.$field,)*))
            }
        }
    };
}
use provider_entry;

/// Checked endpoint overrides: base URLs without a trailing slash.
struct CheckedOverrides {
    login_base: Option<String>,
    api_base: Option<String>,
}

impl CheckedOverrides {
    /// For the kinds found through their issuer, which have no use for Genesys' overrides.
    fn refuse(&self, at: &Entry) -> Result<(), ConfigError> {
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
struct Entry {
    index: usize,
}

impl Entry {
    fn error(&self, name: &str, problem: impl Into<String>) -> ConfigError {
        ConfigError::at(
            format!("config.json: providers[{}].{name}", self.index),
            problem,
        )
    }
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

/// Checks the fields every kind has and the endpoint overrides, in the order an administrator
/// reads them; `kind` then turns the kind's own fields into a [`ProviderKind`] and may add
/// default scopes.
fn validate_common(
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

/// A URL the app may send tokens to: `https://`, or `http://` on a loopback host.
pub fn secure_url(url: &str) -> Result<String, String> {
    optional_url(Some(url)).map(|checked| checked.unwrap_or_default())
}

fn optional_base_url(value: Option<&str>) -> Result<Option<String>, String> {
    let Some(url) = optional_url(value)? else {
        return Ok(None);
    };
    if url.contains('?') || url.contains('#') {
        return Err("must be a base URL without a query or fragment".into());
    }
    Ok(Some(url.trim_end_matches('/').to_owned()))
}

/// Accepts `https://…`, or `http://…` on a loopback host only: tokens must not cross a network
/// in clear text.
fn optional_url(value: Option<&str>) -> Result<Option<String>, String> {
    let Some(url) = value.map(str::trim) else {
        return Ok(None);
    };
    let (secure, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(format!(
            "\"{url}\" must start with https:// (or http:// for 127.0.0.1 and localhost)"
        ));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host_of(authority);
    if host.is_empty() || authority.contains('@') {
        return Err(format!("\"{url}\" has no valid host"));
    }
    if !secure && !is_loopback(host) {
        return Err(format!(
            "\"{url}\" must use https:// unless the host is 127.0.0.1, localhost or [::1]"
        ));
    }
    Ok(Some(url.to_owned()))
}

fn host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        // An IPv6 literal up to its `]`; with no `]` there is no host (`https://[::1` once
        // panicked here, and discovery documents come from the network).
        return authority.find(']').map_or("", |end| &authority[..=end]);
    }
    authority.split(':').next().unwrap_or_default()
}

fn is_loopback(host: &str) -> bool {
    let ipv4: Vec<&str> = host.split('.').collect();
    let loopback_v4 =
        ipv4.len() == 4 && ipv4[0] == "127" && ipv4.iter().all(|octet| octet.parse::<u8>().is_ok());
    host == "localhost" || host == "[::1]" || loopback_v4
}

#[cfg(test)]
mod tests {
    use super::*;

    const SANDBOX: &str = r#"{ "token_storage": "session",
        "providers": [
          { "id": "sandbox-genesys", "label": "Genesys Cloud (sandbox)", "kind": "genesys",
            "region": "mypurecloud.com", "client_id": "pkce-desk-demo",
            "scopes": ["openid", "profile", "email", "users:readonly"],
            "login_base": "http://127.0.0.1:9090/", "api_base": "http://127.0.0.1:9090" } ] }"#;

    pub(super) fn error_of(json: &str) -> ConfigError {
        parse_config(json).expect_err("config should be rejected")
    }

    #[test]
    fn parses_the_documented_example() {
        let config = parse_config(SANDBOX).unwrap();
        assert_eq!(config.token_storage, TokenStorage::Session);
        let provider = config.provider("sandbox-genesys").unwrap();
        let ProviderKind::Genesys { endpoints, .. } = &provider.kind else {
            panic!("a Genesys provider")
        };
        assert_eq!(endpoints.token, "http://127.0.0.1:9090/oauth/token");
        assert!(
            !provider.requests_openid(),
            "Genesys gets no scope parameter"
        );
        assert_eq!(provider.scopes.len(), 4);
        assert_eq!(provider.kind.region(), "mypurecloud.com (us_east_1)");
    }

    #[test]
    fn storage_defaults_to_session_and_accepts_the_three_policies() {
        let minimal = r#"{"providers":[{"id":"g","label":"G","kind":"genesys","region":"eu_west_1","client_id":"c"}]}"#;
        assert_eq!(
            parse_config(minimal).unwrap().token_storage,
            TokenStorage::Session
        );
        for (word, policy) in [
            ("memory", TokenStorage::Memory),
            ("local", TokenStorage::Local),
        ] {
            let json = minimal.replacen('{', &format!("{{\"token_storage\":\"{word}\","), 1);
            assert_eq!(parse_config(&json).unwrap().token_storage, policy);
        }
        assert!(
            error_of(&minimal.replacen('{', "{\"token_storage\":\"cookie\",", 1))
                .problem
                .contains("cookie")
        );
    }

    #[test]
    fn names_the_field_that_is_wrong() {
        let bad_region = SANDBOX.replace("mypurecloud.com\"", "mypurecloud.co\"");
        let error = error_of(&bad_region);
        assert_eq!(error.location, "config.json: providers[0].region");
        assert!(error.problem.contains("mypurecloud.ie"));

        assert_eq!(
            error_of(&SANDBOX.replace("pkce-desk-demo", " ")).location,
            "config.json: providers[0].client_id"
        );
        assert_eq!(
            error_of(&SANDBOX.replace("\"genesys\"", "\"okta\"")).location,
            "config.json: providers[0].kind"
        );
        assert!(error_of(&SANDBOX.replace("client_id", "clientId"))
            .problem
            .contains("clientId"));
        assert!(error_of("{\"providers\": []}")
            .problem
            .contains("no provider"));
        assert!(error_of("not json").problem.contains("not valid"));
        assert!(error_of("").location.contains("config.json"));
    }

    #[test]
    fn diagnostics_are_off_unless_asked_for() {
        assert!(!parse_config(SANDBOX).unwrap().diagnostics);
        let on = SANDBOX.replacen('{', "{\"diagnostics\": true,", 1);
        assert!(parse_config(&on).unwrap().diagnostics);
    }

    #[test]
    fn cxone_and_oidc_providers() {
        let json = r#"{"providers":[
            {"id":"cx","label":"CXone","kind":"cxone","client_id":"App Name@Vendor"},
            {"id":"cx-eu","label":"CXone EU","kind":"cxone","environment":"eu","client_id":"c"},
            {"id":"cx-local","label":"CXone sandbox","kind":"cxone","issuer":"http://127.0.0.1:9091","client_id":"c"},
            {"id":"kc","label":"Keycloak","kind":"oidc","issuer":"https://sso.example.com/realms/desk","client_id":"desk","scopes":["openid","offline_access"]}]}"#;
        let config = parse_config(json).unwrap();
        assert_eq!(
            config.providers[0].kind,
            ProviderKind::Cxone {
                issuer: "https://cxone.niceincontact.com".into()
            }
        );
        assert_eq!(config.providers[0].scopes, vec!["openid".to_string()]);
        assert!(config.providers[0].requests_openid());
        assert_eq!(
            config.providers[1].kind,
            ProviderKind::Cxone {
                issuer: "https://nicecxone-sov1.eu".into()
            }
        );
        assert_eq!(config.providers[2].kind.region(), "http://127.0.0.1:9091");
        assert_eq!(
            config.providers[3].kind,
            ProviderKind::Oidc {
                issuer: "https://sso.example.com/realms/desk".into()
            }
        );

        let no_issuer = r#"{"providers":[{"id":"o","label":"O","kind":"oidc","client_id":"c"}]}"#;
        assert_eq!(
            error_of(no_issuer).location,
            "config.json: providers[0].issuer"
        );
        let no_openid = r#"{"providers":[{"id":"o","label":"O","kind":"oidc","issuer":"https://o","client_id":"c","scopes":["profile"]}]}"#;
        assert_eq!(
            error_of(no_openid).location,
            "config.json: providers[0].scopes"
        );
        let clear = r#"{"providers":[{"id":"o","label":"O","kind":"oidc","issuer":"http://sso.example.com","client_id":"c"}]}"#;
        assert!(error_of(clear).problem.contains("https"));
        let bad_env = r#"{"providers":[{"id":"o","label":"O","kind":"cxone","environment":"mars","client_id":"c"}]}"#;
        assert!(error_of(bad_env).problem.contains("fedramp"));
        let base = r#"{"providers":[{"id":"o","label":"O","kind":"cxone","login_base":"https://x","client_id":"c"}]}"#;
        assert_eq!(
            error_of(base).location,
            "config.json: providers[0].login_base"
        );
    }

    /// Each kind takes its own fields only: one of another kind is named, not silently ignored.
    #[test]
    fn each_kind_refuses_the_fields_of_another_kind() {
        for (kind, own, foreign) in [
            ("genesys", r#""region":"mypurecloud.ie""#, "issuer"),
            ("genesys", r#""region":"mypurecloud.ie""#, "environment"),
            ("cxone", r#""environment":"eu""#, "region"),
            ("oidc", r#""issuer":"https://o.example""#, "environment"),
            ("oidc", r#""issuer":"https://o.example""#, "region"),
        ] {
            let json = format!(
                r#"{{"providers":[{{"id":"p","label":"P","kind":"{kind}","client_id":"c",{own},"{foreign}":"x"}}]}}"#
            );
            let error = error_of(&json);
            assert_eq!(error.location, "config.json", "{kind} + {foreign}");
            assert!(
                error
                    .problem
                    .contains(&format!("unknown field `{foreign}`")),
                "{kind} + {foreign}: {error}"
            );
        }
    }

    #[test]
    fn an_unknown_kind_is_named_whatever_else_the_entry_holds() {
        for kind in [r#""okta""#, r#""Genesys""#] {
            let json = format!(
                r#"{{"providers":[{{"id":"o","label":"O","kind":{kind},"client_id":"c","region":"x"}}]}}"#
            );
            let error = error_of(&json);
            assert_eq!(error.location, "config.json: providers[0].kind", "{kind}");
        }
    }

    #[test]
    fn rejects_duplicate_ids() {
        let twice = r#"{"providers":[{"id":"g","label":"G","kind":"genesys","region":"mypurecloud.ie","client_id":"c"},
                                      {"id":"g","label":"H","kind":"genesys","region":"mypurecloud.de","client_id":"d"}]}"#;
        assert_eq!(error_of(twice).location, "config.json: providers[1].id");
    }

    #[test]
    fn clear_text_http_only_on_loopback() {
        for ok in [
            "http://127.0.0.1:9090",
            "http://localhost:1",
            "http://[::1]:9",
            "https://proxy.example.com/genesys",
        ] {
            assert!(optional_base_url(Some(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "http://proxy.example.com",
            "ftp://x",
            "https://",
            "http://127.0.0.1.evil.com@evil.com",
            "http://127.0.0.1.evil.com",
            "https://x/?q",
        ] {
            assert!(optional_base_url(Some(bad)).is_err(), "{bad}");
        }
    }

    /// Userinfo before the host is refused even where the text before `@` looks like an
    /// allowed host: `http://localhost:1@evil.example` goes to evil.example in clear text.
    #[test]
    fn userinfo_in_a_url_is_refused() {
        for bad in [
            "http://localhost:1@evil.example",
            "http://127.0.0.1:80@evil.example/",
            "http://[::1]@evil.example",
            "https://user@idp.example",
            "https://user:pass@idp.example/realms/x",
            "https://@idp.example",
        ] {
            let problem = secure_url(bad).unwrap_err();
            assert!(problem.contains("no valid host"), "{bad}: {problem}");
            assert!(optional_base_url(Some(bad)).is_err(), "{bad}");
        }
        // An `@` after the authority is only a path or query character.
        for ok in ["https://idp.example/users/@me", "https://idp.example/?a=@b"] {
            assert_eq!(secure_url(ok).as_deref(), Ok(ok));
        }
    }

    #[test]
    fn url_checks_know_what_a_loopback_host_is() {
        for ok in [
            "http://127.0.0.1",
            "http://127.255.0.9:8080/x",
            "http://localhost",
            "http://localhost/path",
            "http://[::1]",
            "http://[::1]:9/",
            "https://idp.example:8443",
        ] {
            assert_eq!(secure_url(ok).as_deref(), Ok(ok), "{ok}");
        }
        for bad in [
            "http://128.0.0.1",
            "http://127.0.0",
            "http://127.0.0.1.2",
            "http://127.0.0.256",
            "http://127.0.0.x",
            "http://localhost.evil.example",
            "http://[::2]",
            "http://[::1",
            "http://",
            "http://:80",
            "https://",
            "https:///path",
            "HTTPS://idp.example",
            " //idp.example",
        ] {
            assert!(secure_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            secure_url("  https://idp.example  ").as_deref(),
            Ok("https://idp.example")
        );
        assert!(secure_url("http://idp.example")
            .unwrap_err()
            .contains("must use https://"));
        assert!(secure_url("ftp://idp.example")
            .unwrap_err()
            .contains("must start with https://"));
    }

    #[test]
    fn base_urls_lose_their_trailing_slashes_only() {
        assert_eq!(
            optional_base_url(Some("https://proxy.example/genesys//")),
            Ok(Some("https://proxy.example/genesys".into()))
        );
        assert_eq!(optional_base_url(None), Ok(None));
        assert!(optional_base_url(Some("https://proxy.example/#x")).is_err());
    }

    fn oidc_provider(id: &str, scopes: &str) -> String {
        format!(
            r#"{{"providers":[{{"id":"{id}","label":"O","kind":"oidc","issuer":"https://o.example","client_id":"c","scopes":{scopes}}}]}}"#
        )
    }

    #[test]
    fn provider_ids_are_short_lowercase_names() {
        for ok in ["a", "a-b", "a_b", "x9", &"a".repeat(64)] {
            assert!(
                parse_config(&oidc_provider(ok, r#"["openid"]"#)).is_ok(),
                "{ok}"
            );
        }
        for bad in ["", "A", "a b", "a.b", "é", &"a".repeat(65)] {
            let error = error_of(&oidc_provider(bad, r#"["openid"]"#));
            assert_eq!(error.location, "config.json: providers[0].id", "{bad}");
        }
    }

    #[test]
    fn each_scope_is_one_name() {
        assert!(parse_config(&oidc_provider("o", r#"["openid","profile"]"#)).is_ok());
        for bad in [
            r#"["openid",""]"#,
            r#"["openid profile"]"#,
            r#"["openid","a\tb"]"#,
        ] {
            let error = error_of(&oidc_provider("o", bad));
            assert_eq!(error.location, "config.json: providers[0].scopes", "{bad}");
        }
    }

    #[test]
    fn errors_and_kinds_read_well() {
        let error = error_of(&oidc_provider("A", r#"["openid"]"#));
        assert_eq!(
            error.to_string(),
            format!("{}: {}", error.location, error.problem)
        );
        assert!(error
            .to_string()
            .starts_with("config.json: providers[0].id: must be"));
        let config = parse_config(SANDBOX).unwrap();
        assert_eq!(config.providers[0].kind.display_name(), "Genesys Cloud");
        let oidc = parse_config(&oidc_provider("o", r#"["openid"]"#)).unwrap();
        assert_eq!(oidc.providers[0].kind.display_name(), "OpenID Connect");
        let cxone = parse_config(
            r#"{"providers":[{"id":"c","label":"C","kind":"cxone","issuer":"https://cxone.niceincontact.com","client_id":"c"}]}"#,
        )
        .unwrap();
        assert_eq!(cxone.providers[0].kind.display_name(), "NICE CXone");
    }
}

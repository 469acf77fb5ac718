//! The provider catalog and what differs per kind of authorization server.
//!
//! Everything a kind does differently from a standard OpenID provider is one method of
//! [`ProviderRules`], answered in that kind's module (`genesys.rs`, `cxone.rs`, `oidc.rs`);
//! [`ProviderKind::rules`] is the one place that maps a configured kind to its rules. The
//! protocol steps ask the rules, not the kind, so adding a kind adds a module here instead of
//! an arm in every step.

mod cxone;
mod genesys;
mod logout;
mod oidc;

use crate::config::ProviderKind;
pub use crate::endpoint_url::{
    ApiBaseUrl, AuthUrl, CurrentUserUrl, EndSessionUrl, IssuerUrl, RevocationUrl, TokenUrl,
    UserInfoUrl,
};
use crate::token::TokenTypeRule;
pub use cxone::{cxone_issuer, cxone_tenant_config_url, cxone_user_url, CXONE_ISSUERS};
pub use genesys::{genesys_endpoints, genesys_region, GenesysRegion, GENESYS_REGIONS};
pub use logout::{end_session_request, logout_state_matches, EndSessionRequest};
use serde::{Deserialize, Serialize};

/// How one kind of provider departs from a standard OpenID provider. The defaults are the
/// standard behaviour, so a kind overrides only what it does differently.
pub trait ProviderRules: Sync {
    /// The product's name, shown beside the sign-in button.
    fn display_name(&self) -> &'static str;

    /// What the dashboard calls the place the agent signed in to.
    fn location_label(&self) -> &'static str {
        "Sign-in server"
    }

    /// Whether the authorization request carries the configured `scope`.
    fn sends_scope(&self) -> bool {
        true
    }

    /// Whether `openid` among the scopes makes this an OpenID sign-in (nonce sent, ID token
    /// checked).
    fn honours_openid_scope(&self) -> bool {
        true
    }

    /// OIDC Core 11: a request for `offline_access` asks for consent (`prompt=consent`).
    fn asks_consent_for_offline_access(&self) -> bool {
        true
    }

    /// What a token response without `token_type` means.
    fn token_type_rule(&self) -> TokenTypeRule {
        TokenTypeRule::Required
    }

    /// Where the signed-in user is loaded from.
    fn user_source(&self) -> UserSource {
        UserSource::OidcUserinfo
    }

    /// Whether a logout without an ID token names the client with `client_id` (RP-Initiated
    /// Logout 1.0 section 2).
    fn logout_names_client(&self) -> bool {
        true
    }

    /// Whether the provider has Genesys Cloud's routing queues (the "My queues" example).
    fn offers_routing_queues(&self) -> bool {
        false
    }
}

impl ProviderKind {
    /// The rules of this kind: the one match from a configured kind to its behaviour.
    pub fn rules(&self) -> &'static dyn ProviderRules {
        match self {
            ProviderKind::Genesys { .. } => &genesys::GenesysRules,
            ProviderKind::Cxone { .. } => &cxone::CxoneRules,
            ProviderKind::Oidc { .. } => &oidc::OidcRules,
        }
    }
}

/// How the signed-in user is loaded, and in which shape it comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserSource {
    /// Genesys Cloud `GET /api/v2/users/me`.
    GenesysMe,
    /// CXone user management `GET <api>/user-management/v1/users/<userId>`.
    CxoneUser,
    /// OpenID Connect userinfo.
    OidcUserinfo,
}

/// How a sign-out revokes tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Revocation {
    /// Genesys Cloud: `DELETE /api/v2/tokens/me` with the access token.
    GenesysTokensMe(RevocationUrl),
    /// RFC 7009: `POST token=<refresh token>` to the revocation endpoint.
    Rfc7009(RevocationUrl),
}

/// How a sign-out ends the provider's own login session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndSession {
    /// Genesys Cloud: `GET /logout?client_id&redirect_uri`.
    GenesysLogout(EndSessionUrl),
    /// OpenID Connect RP-initiated logout (CXone's too): see [`logout::end_session_request`].
    Oidc(EndSessionUrl),
}

/// Everything the flow needs to talk to one authorization server and its API. Fixed by the
/// catalog for Genesys Cloud; read from the discovery document for CXone and OpenID providers.
/// Kept with the login transaction and the session, so a code or refresh token only ever goes
/// to the server it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// Identifies the authorization server; compared with a callback's `iss` (RFC 9207) and
    /// an ID token's `iss`.
    pub issuer: IssuerUrl,
    /// The server advertises RFC 9207, so a callback without `iss` is refused.
    pub iss_required: bool,
    pub authorize: AuthUrl,
    pub token: TokenUrl,
    pub userinfo: Option<UserInfoUrl>,
    /// Base URL for API calls, without a trailing slash.
    pub api_base: ApiBaseUrl,
    /// The URL the current user is loaded from, and its shape.
    pub current_user: CurrentUserUrl,
    pub user_source: UserSource,
    pub revocation: Option<Revocation>,
    pub end_session: Option<EndSession>,
}

/// Where an issuer's OpenID discovery document lives (OIDC Discovery 1.0 section 4).
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kind's departures from standard OpenID, in one table: a changed rule shows here.
    #[test]
    fn each_kind_answers_its_own_rules() {
        let region = genesys_region("mypurecloud.com").unwrap();
        let kinds = [
            ProviderKind::Genesys {
                region: region.name,
                domain: region.domain,
                endpoints: genesys_endpoints(region, None, None),
            },
            ProviderKind::Cxone {
                issuer: "https://cxone.niceincontact.com".into(),
            },
            ProviderKind::Oidc {
                issuer: "https://sso.example.com".into(),
            },
        ];
        let yes_no = |flag: bool| if flag { "yes" } else { "no" };
        let table: Vec<String> = kinds
            .iter()
            .map(|kind| {
                let rules = kind.rules();
                format!(
                    "{} at {:?}: scope {}, openid {}, consent {}, \
                     {:?}, {:?}, logout client_id {}, queues {}",
                    rules.display_name(),
                    rules.location_label(),
                    yes_no(rules.sends_scope()),
                    yes_no(rules.honours_openid_scope()),
                    yes_no(rules.asks_consent_for_offline_access()),
                    rules.token_type_rule(),
                    rules.user_source(),
                    yes_no(rules.logout_names_client()),
                    yes_no(rules.offers_routing_queues()),
                )
            })
            .collect();
        assert_eq!(
            table,
            [
                "Genesys Cloud at \"Region\": scope no, openid no, consent yes, \
                 BearerWhenMissing, GenesysMe, logout client_id yes, queues yes",
                "NICE CXone at \"Sign-in server\": scope yes, openid yes, consent no, \
                 Required, CxoneUser, logout client_id no, queues no",
                "OpenID Connect at \"Sign-in server\": scope yes, openid yes, consent yes, \
                 Required, OidcUserinfo, logout client_id yes, queues no",
            ]
        );
    }
}

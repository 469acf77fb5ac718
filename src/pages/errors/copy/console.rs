//! Whose console an administrator has to open after a failure, and what to check there: the
//! admin hints the error copy adds, one per provider kind.

use crate::config::ProviderKind;

/// Whose console an administrator has to open: the provider the failed attempt was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Console {
    Genesys,
    Cxone,
    Oidc,
    /// The provider is not known (the error came before one was chosen).
    #[default]
    Unknown,
}

impl Console {
    pub fn of(kind: &ProviderKind) -> Self {
        match kind {
            ProviderKind::Genesys { .. } => Console::Genesys,
            ProviderKind::Cxone { .. } => Console::Cxone,
            ProviderKind::Oidc { .. } => Console::Oidc,
        }
    }

    /// Where the OAuth client is registered, and what to check there.
    pub(super) fn oauth_client_hint(self) -> &'static str {
        match self {
            Console::Genesys => {
                "In Genesys Cloud: Admin > Integrations > OAuth, open the client \
                named in config.json and check that its grant type is \"Code Authorization\" with \
                PKCE, that the redirect URI matches this page's /callback exactly, and that it has \
                the scopes this app needs."
            }
            // CXone registers public apps with their redirect URIs and "web browser origins",
            // and restricts them to PKCE (docs/PROVIDERS.md, NICE CXone).
            Console::Cxone => {
                "In NICE CXone: open the application registration of the client_id \
                in config.json and check that it is a public application using PKCE, that its \
                redirect URI matches this page's /callback exactly, that its web browser origins \
                include this page's origin, and that it may request the scopes this app asks for."
            }
            Console::Oidc | Console::Unknown => {
                "In the provider's client registration: open the \
                client named in config.json and check that it may use the authorization code flow \
                with PKCE (S256) as a public client, that its redirect URI matches this page's \
                /callback exactly, and that it may request the scopes this app asks for."
            }
        }
    }

    /// Where an agent's permissions are granted.
    pub(super) fn permission_hint(self) -> &'static str {
        match self {
            Console::Genesys => {
                "Ask your administrator for the permission (in Genesys Cloud: a \
                role with the needed permission), or for the OAuth client's scopes to include it."
            }
            Console::Cxone => {
                "Ask your administrator for the permission (in NICE CXone: a role \
                with the needed permission), or for the application's scopes to include it."
            }
            Console::Oidc | Console::Unknown => {
                "Ask your administrator for the permission, or for \
                the OAuth client's scopes to include it."
            }
        }
    }
}

//! Signing in: discovery where the provider needs it, the login transaction and the
//! authorize redirect, then the callback: checks, the one code exchange, the ID token, and
//! (for CXone) the tenant lookup that names the API base.

use super::refresh::REFRESH_LOCK;
use super::revoke::{self, EXPIRY_MARGIN_MS};
use super::{live, AuthState, AuthStore, Session};
use crate::authorize::{
    authorization_request, redirect_uri_for, LoginRandomness, LoginTransaction,
};
use crate::browser::{self, http, lock, page, storage};
use crate::callback::{check_callback, parse_callback};
use crate::config::{ProviderConfig, ProviderKind, TokenStorage};
use crate::discovery::{cxone_api_base, endpoints_from_discovery};
use crate::error::{AuthError, Endpoint};
use crate::id_token::{validate_id_token, Expected, IdClaims};
use crate::pkce;
use crate::provider::{
    cxone_tenant_config_url, cxone_user_url, discovery_url, ApiBaseUrl, CurrentUserUrl, Endpoints,
    UserSource,
};
use crate::return_to::landing_path;
use crate::token::{authorization_code_form, parse_token_response_for};
use crate::user::cxone_user_id;
use leptos::prelude::*;
use leptos::task::spawn_local;

impl AuthStore {
    /// Starts a sign-in at `provider_id` and leaves for its authorize page.
    pub fn sign_in(&self, provider_id: &str, return_to: Option<String>) {
        if self
            .state
            .with_untracked(|s| matches!(s, AuthState::Redirecting))
        {
            return; // a double click must not start a second transaction
        }
        self.state.set(AuthState::Redirecting);
        self.attempting(provider_id);
        let store = self.clone();
        let provider_id = provider_id.to_owned();
        spawn_local(async move {
            match store
                .prepare_sign_in(&provider_id, return_to.as_deref())
                .await
            {
                Ok(url) => page::leave_for(&url),
                Err(error) => store.state.set(AuthState::Failed(error)),
            }
        });
    }

    /// Continue session, for a session the provider will not renew: a fresh top-level
    /// authorization at the same provider (new PKCE and state) that comes back to `return_to`.
    /// The provider's own login session normally completes it without a password. Never in a
    /// hidden iframe: browsers block the third-party cookies that would need.
    pub fn continue_session(&self, return_to: String) {
        let Some(session) = self.session() else {
            return;
        };
        let epoch = self.epoch();
        let store = self.clone();
        spawn_local(async move {
            let prepared = store
                .prepare_sign_in(&session.provider_id, Some(&return_to))
                .await;
            if store.epoch() != epoch {
                // Signed out (or another sign-in took over) meanwhile: that stands.
                storage::purge_all_transactions();
                return;
            }
            match prepared {
                Ok(url) => page::leave_for(&url),
                Err(error) => store.end_session(Some(format!(
                    "Your session could not be continued ({}). Please sign in again.",
                    error.code()
                ))),
            }
        });
    }

    async fn prepare_sign_in(
        &self,
        provider_id: &str,
        return_to: Option<&str>,
    ) -> Result<String, AuthError> {
        let provider =
            self.config
                .provider(provider_id)
                .ok_or_else(|| AuthError::UnknownProvider {
                    id: provider_id.to_owned(),
                })?;
        storage::ensure_available()?;
        let endpoints = endpoints_for(provider).await?;
        let now = browser::now_ms();
        storage::purge_expired_transactions(now);
        let randomness = LoginRandomness {
            verifier: browser::random_bytes()?,
            state: browser::random_bytes()?,
            nonce: browser::random_bytes()?,
        };
        let redirect_uri = redirect_uri_for(provider, &page::origin());
        let request = authorization_request(
            provider,
            &endpoints,
            &redirect_uri,
            return_to,
            &randomness,
            now,
        );
        storage::save_transaction(&request.transaction)?;
        Ok(request.url)
    }

    /// Finishes a sign-in from the callback's query string, which the caller has already
    /// removed from the address bar. On success `landing` says where to go.
    pub async fn complete_sign_in(&self, query_string: String) {
        let already_signed_in = self.session().is_some();
        match self.exchange_code(&query_string).await {
            Ok(Exchanged::SignedIn { session, return_to }) => {
                // Checked again where it is used: the transaction came from storage.
                self.landing.set(Some(landing_path(&return_to)));
                self.start_session(session);
            }
            // Signed out (or signed in elsewhere) while the code was being exchanged: that
            // decision stands, and the tokens were revoked.
            Ok(Exchanged::Superseded) => {}
            // A stale or forged callback must not end a session that is working.
            Err(_) if already_signed_in => self.landing.set(None),
            Err(error) => self.state.set(AuthState::Failed(error)),
        }
    }

    /// Shows "signing you in" at once, before the exchange starts.
    pub fn mark_exchanging(&self) {
        if self.session().is_none() {
            self.state.set(AuthState::Exchanging);
        }
    }

    async fn exchange_code(&self, query_string: &str) -> Result<Exchanged, AuthError> {
        let params = parse_callback(query_string);
        // Taken out of storage before anything else: this transaction cannot be used twice.
        let transaction = params.state.as_deref().and_then(storage::take_transaction);
        if let Some(transaction) = &transaction {
            self.attempting(&transaction.provider_id);
        }
        let authorized = check_callback(params, transaction, browser::now_ms())?;
        let transaction = authorized.transaction;
        let token_type = match self.config.provider(&transaction.provider_id) {
            Some(provider) => provider.kind.rules().token_type_rule(),
            None => {
                return Err(AuthError::UnknownProvider {
                    id: transaction.provider_id.clone(),
                })
            }
        };
        self.mark_exchanging();
        // A sign-out or another tab's sign-in from here on moves the epoch (or, before this
        // tab hears of it, changes the shared session).
        let epoch = self.epoch();
        let before = self.shared_session_id();
        let body = authorization_code_form(
            &authorized.code,
            &transaction.verifier,
            &transaction.client_id,
            &transaction.redirect_uri,
        );
        let sent_at = browser::now_ms();
        // The recorded endpoint, never one derived from the callback (mix-up defence).
        let reply = http::post_form(&transaction.endpoints.token, &body, Endpoint::Token).await?;
        let tokens = parse_token_response_for(&reply, sent_at, token_type)?;
        // Every check passes before anything is stored: a refused ID token keeps nothing.
        let claims = check_id_token(&transaction, tokens.id_token.as_ref())?;
        let endpoints = complete_endpoints(&transaction.endpoints, claims.as_ref()).await?;
        let session = Session {
            session_id: pkce::base64url(&browser::random_bytes()?),
            provider_id: transaction.provider_id,
            tokens,
            endpoints,
        };
        let return_to = transaction.return_to;
        if self.config.token_storage != TokenStorage::Local {
            let replaced = self.session();
            return self.save_new_session(session, epoch, &before, return_to, replaced);
        }
        // Under the refresh lock, so that no tab is renewing the session this one replaces.
        let store = self.clone();
        lock::with_exclusive_lock(REFRESH_LOCK, || async move {
            let replaced = storage::load_session(TokenStorage::Local);
            store.save_new_session(session, epoch, &before, return_to, replaced)
        })
        .await
    }

    /// Stores a new session, unless a sign-out (or another tab's sign-in) came while it was
    /// being obtained: the epoch moved, or shared storage no longer holds the session it held
    /// when the exchange began (`before`; another tab's event may not have arrived yet). That
    /// one wins, and the new tokens are revoked instead. A session it replaces (another user,
    /// or the same one continuing) has its tokens revoked; every tab follows the new sign-in.
    fn save_new_session(
        &self,
        session: Session,
        epoch: u64,
        before: &Option<String>,
        return_to: String,
        replaced: Option<Session>,
    ) -> Result<Exchanged, AuthError> {
        let shared_changed = self.config.token_storage == TokenStorage::Local
            && replaced.as_ref().map(|r| &r.session_id) != before.as_ref();
        let (to_revoke, outcome) = if self.epoch() != epoch || shared_changed {
            (Some(session), Exchanged::Superseded)
        } else {
            storage::save_session(self.config.token_storage, &session)?;
            if let Some(old) = &replaced {
                self.mark_ended(&old.session_id);
            }
            (replaced, Exchanged::SignedIn { session, return_to })
        };
        if let Some(old) = to_revoke {
            // The replaced session's CXone agent session (another tab may hold it) ends with
            // it: the agent who signed in now must not find the last one still in the ACD.
            let agent_session = storage::recorded_agent_session(&old.session_id);
            if let Some(agent_session) = &agent_session {
                storage::forget_agent_session(agent_session);
            }
            // Revoked as the client it was issued to (it may be another provider's session).
            if let Some(provider) = self.config.provider(&old.provider_id) {
                let client_id = provider.client_id.clone();
                spawn_local(async move {
                    if let Some(agent_session) = agent_session {
                        // Saved under the lock: no tab renews the old session any more, so a
                        // dead token (after a sleep) can be renewed once for this.
                        let token = if old.tokens.is_expired(browser::now_ms() + EXPIRY_MARGIN_MS) {
                            revoke::renew_once(&old.tokens, &old.endpoints, &client_id)
                                .await
                                .map(|renewed| renewed.access_token)
                        } else {
                            Some(old.tokens.access_token.clone())
                        };
                        if let Some(token) = token {
                            let api_base = old.endpoints.api_base.as_str();
                            live::end_agent_session(api_base, &agent_session, &token).await;
                        }
                    }
                    revoke::revoke_tokens(&old.tokens, &old.endpoints, &client_id).await;
                });
            }
        }
        Ok(outcome)
    }
}

// One per callback, moved straight into the store: boxing would save nothing.
#[allow(clippy::large_enum_variant)]
/// What a callback's code exchange came to.
enum Exchanged {
    SignedIn {
        session: Session,
        return_to: String,
    },
    /// A sign-out (or another tab's sign-in) came while the code was being exchanged.
    Superseded,
}

/// The provider's endpoints: from the catalog, or from its discovery document (fetched once
/// per browser session and kept in sessionStorage).
async fn endpoints_for(provider: &ProviderConfig) -> Result<Endpoints, AuthError> {
    let issuer = match &provider.kind {
        ProviderKind::Genesys { endpoints, .. } => return Ok(endpoints.clone()),
        ProviderKind::Cxone { issuer } | ProviderKind::Oidc { issuer } => issuer,
    };
    let source = provider.kind.rules().user_source();
    if let Some(cached) = storage::load_discovery(issuer).filter(|e| e.user_source == source) {
        return Ok(cached);
    }
    let reply = http::get(&discovery_url(issuer), Endpoint::Discovery).await?;
    let endpoints = endpoints_from_discovery(&reply, issuer, source)?;
    storage::save_discovery(issuer, &endpoints);
    Ok(endpoints)
}

/// When `openid` was requested (a nonce was sent), the ID token must be there and pass.
fn check_id_token(
    transaction: &LoginTransaction,
    id_token: Option<&crate::secret::IdToken>,
) -> Result<Option<IdClaims>, AuthError> {
    let Some(nonce) = transaction.nonce.as_deref() else {
        return Ok(None);
    };
    let id_token = id_token.ok_or(AuthError::IdTokenRejected {
        reason: "the provider returned no ID token although openid was requested".into(),
    })?;
    let expected = Expected {
        issuer: &transaction.endpoints.issuer,
        client_id: &transaction.client_id,
        nonce: Some(nonce),
    };
    validate_id_token(id_token, &expected, browser::now_ms()).map(Some)
}

/// CXone names the tenant's API base only after sign-in: look it up from the ID token's
/// `tenantId`, and point the current-user URL at the signed-in user (`userId`, else `sub`).
async fn complete_endpoints(
    endpoints: &Endpoints,
    claims: Option<&IdClaims>,
) -> Result<Endpoints, AuthError> {
    if endpoints.user_source != UserSource::CxoneUser {
        return Ok(endpoints.clone());
    }
    let missing = |claim: &str| AuthError::IdTokenRejected {
        reason: format!("it has no {claim} claim, which CXone tokens carry"),
    };
    let claims = claims.ok_or_else(|| missing("tenantId"))?;
    let tenant_id = claims.text("tenantId").ok_or_else(|| missing("tenantId"))?;
    let user_id = cxone_user_id(claims).ok_or_else(|| missing("userId (or sub)"))?;
    let reply = http::get(
        &cxone_tenant_config_url(&endpoints.issuer, tenant_id),
        Endpoint::TenantLookup,
    )
    .await?;
    let api_base = cxone_api_base(&reply)?;
    let mut completed = endpoints.clone();
    completed.current_user = CurrentUserUrl::new(cxone_user_url(&api_base, &user_id));
    completed.api_base = ApiBaseUrl::new(api_base);
    Ok(completed)
}

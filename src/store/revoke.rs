//! Revoking tokens at the provider: on sign-out, and for tokens that arrive after their
//! session ended (a late refresh or exchange). Best effort: local state is already gone
//! whatever the provider answers.

use crate::browser::{self, http};
use crate::error::Endpoint;
use crate::provider::{Endpoints, Revocation};
use crate::token::{
    parse_token_response_for, refresh_form, revocation_form, RevocableToken, TokenSet,
    TokenTypeRule,
};

/// An access token closer than this to its expiry is renewed before it is used to revoke (or,
/// at sign-out, to end CXone's agent session).
pub(super) const EXPIRY_MARGIN_MS: u64 = 60_000;

/// Revokes what `tokens` can still do at the server they came from (`endpoints`).
pub(super) async fn revoke_tokens(tokens: &TokenSet, endpoints: &Endpoints, client_id: &str) {
    match &endpoints.revocation {
        Some(Revocation::GenesysTokensMe(url)) => {
            // `DELETE /api/v2/tokens/me` authenticates with the access token it revokes (and
            // ends the whole sign-in with it). After a sleep that token has expired and the
            // call would silently fail, leaving a refresh token alive: renew first. Without a
            // refresh token an expired access token already grants nothing.
            // With a margin: a token that expires on the way is refused just the same.
            let access_token = if tokens.is_expired(browser::now_ms() + EXPIRY_MARGIN_MS) {
                match renew_once(tokens, endpoints, client_id).await {
                    Some(renewed) => renewed.access_token,
                    None => return,
                }
            } else {
                tokens.access_token.clone()
            };
            let _ = http::delete_with_bearer(url, &access_token, Endpoint::Api).await;
        }
        Some(Revocation::Rfc7009(url)) => {
            // The refresh token is the long-lived one; revoking it ends its access tokens too
            // on most servers (RFC 7009 section 2.1). It needs no valid access token.
            let token = match &tokens.refresh_token {
                Some(refresh) => RevocableToken::Refresh(refresh),
                None => RevocableToken::Access(&tokens.access_token),
            };
            let body = revocation_form(token, client_id);
            let _ = http::post_form(url, &body, Endpoint::Api).await;
        }
        None => {}
    }
}

/// A fresh access token for a session that is ending (to revoke with, or to send its last
/// request), when a refresh token allows one. Its answer is not kept: the caller revokes it.
pub(super) async fn renew_once(
    tokens: &TokenSet,
    endpoints: &Endpoints,
    client_id: &str,
) -> Option<TokenSet> {
    let refresh_token = tokens.refresh_token.as_ref()?;
    let sent_at = browser::now_ms();
    let reply = http::post_form(
        &endpoints.token,
        &refresh_form(refresh_token, client_id),
        Endpoint::Token,
    )
    .await
    .ok()?;
    // Genesys may leave out token_type; every other provider's answer is read the same way
    // (a missing token_type taken for Bearer does no harm for a token that is only spent).
    parse_token_response_for(&reply, sent_at, TokenTypeRule::BearerWhenMissing).ok()
}

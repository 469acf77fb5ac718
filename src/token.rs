//! Step 3: the token endpoint. Request bodies for both grants, and strict validation of what
//! comes back before anything is stored.

use crate::error::{AuthError, Endpoint};
use crate::query;
use crate::reply::{HttpReply, Refusal};
use crate::secret::{AccessToken, AuthorizationCode, IdToken, PkceVerifier, RefreshToken, Secret};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `expires_in` above this is treated as this: a token "valid for years" is a server mistake,
/// and re-checking every few days costs nothing. It sits above the longest lifetime a provider
/// documents: Genesys Cloud's admin UI allows 300 to 172800 s (48 h) on an OAuth client.
pub const MAX_LIFETIME_SECS: u64 = 72 * 60 * 60;

/// The longest access token lifetime Genesys Cloud's admin UI allows on an OAuth client.
pub const GENESYS_MAX_LIFETIME_SECS: u64 = 172_800;

/// What a token response without `token_type` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenTypeRule {
    /// RFC 6749 section 5.1: `token_type` is required; a response without one is refused.
    Required,
    /// Genesys Cloud: none of its SDKs reads `token_type` and no captured PKCE token response
    /// shows one, so a missing (or null) one is taken as Bearer. Any other value is refused.
    BearerWhenMissing,
}

/// The tokens of one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    pub id_token: Option<IdToken>,
    pub scope: Option<String>,
    /// When the request that obtained these tokens was sent (local clock).
    pub issued_at_ms: u64,
    /// `issued_at_ms + expires_in`, or `None` when the server did not say (see [`lifetime_secs`]).
    pub expires_at_ms: Option<u64>,
}

impl TokenSet {
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.expires_at_ms
            .is_some_and(|expires_at| now_ms >= expires_at)
    }

    /// A refresh answer completed from the set it renewed: without a new refresh token the
    /// old one stays valid (RFC 6749 section 6), and without a new ID token the old one still
    /// names the user (and CXone tenant) and is the logout hint.
    pub fn renewing(mut self, previous: &TokenSet) -> TokenSet {
        if self.refresh_token.is_none() {
            self.refresh_token = previous.refresh_token.clone();
        }
        if self.id_token.is_none() {
            self.id_token = previous.id_token.clone();
        }
        self
    }
}

/// Form body for `grant_type=authorization_code` (RFC 6749 4.1.3 with the PKCE verifier).
pub fn authorization_code_form(
    code: &AuthorizationCode,
    verifier: &PkceVerifier,
    client_id: &str,
    redirect_uri: &str,
) -> Secret {
    Secret::new(query::encode_pairs(&[
        ("grant_type", "authorization_code"),
        ("code", code.expose()),
        ("code_verifier", verifier.expose()),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
    ]))
}

/// Form body for `grant_type=refresh_token` (RFC 6749 section 6; public clients send client_id).
pub fn refresh_form(refresh_token: &RefreshToken, client_id: &str) -> Secret {
    Secret::new(query::encode_pairs(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose()),
        ("client_id", client_id),
    ]))
}

/// A token that RFC 7009 can revoke; the kind decides the `token_type_hint`, so the hint
/// cannot disagree with the token.
#[derive(Debug, Clone, Copy)]
pub enum RevocableToken<'a> {
    Access(&'a AccessToken),
    Refresh(&'a RefreshToken),
}

/// Form body for RFC 7009 revocation (a public client identifies itself with client_id).
pub fn revocation_form(token: RevocableToken<'_>, client_id: &str) -> Secret {
    let (token, hint) = match token {
        RevocableToken::Access(token) => (token.expose(), "access_token"),
        RevocableToken::Refresh(token) => (token.expose(), "refresh_token"),
    };
    Secret::new(query::encode_pairs(&[
        ("token", token),
        ("token_type_hint", hint),
        ("client_id", client_id),
    ]))
}

/// The documented rule for `expires_in`:
/// - a positive number of seconds (or a string of digits, which some servers send) is used,
///   capped at [`MAX_LIFETIME_SECS`];
/// - missing, zero, negative, fractional-only, non-numeric or null means "lifetime unknown":
///   no proactive refresh, and the first 401 from the API triggers the refresh instead.
///
/// Never a panic, and never a lifetime of zero that would make a refresh loop.
pub fn lifetime_secs(expires_in: Option<&Value>) -> Option<u64> {
    let seconds = match expires_in? {
        Value::Number(number) => number.as_u64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.is_finite() && *f >= 1.0)
                .map(|f| f as u64)
        })?,
        Value::String(text) => text.trim().parse::<u64>().ok()?,
        _ => return None,
    };
    (seconds > 0).then(|| seconds.min(MAX_LIFETIME_SECS))
}

/// Validates a token endpoint answer that must carry `token_type` (see
/// [`parse_token_response_for`]).
pub fn parse_token_response(reply: &HttpReply, sent_at_ms: u64) -> Result<TokenSet, AuthError> {
    parse_token_response_for(reply, sent_at_ms, TokenTypeRule::Required)
}

/// Validates a token endpoint answer. `sent_at_ms` is when the request left, so a slow
/// network or a skewed server clock can only make the token look shorter-lived, never longer.
/// `token_type` says what a response without `token_type` means for this provider.
pub fn parse_token_response_for(
    reply: &HttpReply,
    sent_at_ms: u64,
    token_type: TokenTypeRule,
) -> Result<TokenSet, AuthError> {
    match reply.check() {
        Ok(()) => {}
        // RFC 6749 section 5.2: a refused grant says why in an OAuth error body.
        Err(Refusal::Status) => {
            return Err(match reply.oauth_error() {
                Some(body) => AuthError::TokenRejected {
                    status: reply.status,
                    error: body.error.into(),
                    description: body.description,
                },
                None => reply.unexpected(Endpoint::Token),
            })
        }
        Err(refusal) => return Err(refusal.into_error(reply, Endpoint::Token)),
    }
    let malformed = |reason: &str| AuthError::MalformedResponse {
        endpoint: Endpoint::Token,
        reason: reason.into(),
    };
    let body = reply
        .json_value()
        .map_err(|_| malformed("the body is not valid JSON"))?;
    let object = body
        .as_object()
        .ok_or_else(|| malformed("the body is not a JSON object"))?;
    let access_token = match object.get("access_token") {
        Some(Value::String(token)) if !token.is_empty() => AccessToken::new(token.as_str()),
        Some(Value::String(_)) => return Err(malformed("access_token is empty")),
        Some(_) => return Err(malformed("access_token is not a string")),
        None => return Err(malformed("access_token is missing")),
    };
    match (object.get("token_type"), token_type) {
        (Some(Value::String(kind)), _) if kind.eq_ignore_ascii_case("bearer") => {}
        (None | Some(Value::Null), TokenTypeRule::BearerWhenMissing) => {}
        (Some(Value::String(_)), _) => return Err(malformed("token_type is not Bearer")),
        _ => return Err(malformed("token_type is missing")),
    }
    let optional_string = |name: &str| -> Result<Option<&str>, AuthError> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(value)) if value.is_empty() => Ok(None),
            Some(Value::String(value)) => Ok(Some(value.as_str())),
            Some(_) => Err(malformed(&format!("{name} is not a string"))),
        }
    };
    let refresh_token = optional_string("refresh_token")?.map(RefreshToken::new);
    let id_token = optional_string("id_token")?.map(IdToken::new);
    let scope = object
        .get("scope")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let expires_at_ms =
        lifetime_secs(object.get("expires_in")).map(|secs| sent_at_ms.saturating_add(secs * 1000));
    Ok(TokenSet {
        access_token,
        refresh_token,
        id_token,
        scope,
        issued_at_ms: sent_at_ms,
        expires_at_ms,
    })
}

#[cfg(test)]
mod tests;

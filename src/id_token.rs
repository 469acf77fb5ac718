//! ID token checks (OpenID Connect Core 3.1.3.7): `iss`, `aud`, `azp`, `exp` and `nonce`.
//!
//! The signature is not verified: the token comes straight from the token endpoint over TLS,
//! which OIDC Core 3.1.3.7 step 6 allows in place of a signature check, and the app never
//! accepts an ID token from anywhere else (no implicit or hybrid flow).

use crate::error::AuthError;
use crate::secret::IdToken;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

/// Tolerated clock difference for `exp` (and `iat` in the future).
pub const CLOCK_LEEWAY_SECS: u64 = 120;

/// Longest ID token accepted.
const MAX_JWT_BYTES: usize = 16 * 1024;

/// What an ID token must say to be accepted.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The transaction's nonce; `None` for a token from a refresh (it carries none).
    pub nonce: Option<&'a str>,
}

/// The claims of an accepted ID token.
#[derive(Debug, Clone, PartialEq)]
pub struct IdClaims(pub Map<String, Value>);

impl IdClaims {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    pub fn subject(&self) -> Option<&str> {
        self.text("sub")
    }
}

fn rejected(reason: impl Into<String>) -> AuthError {
    AuthError::IdTokenRejected {
        reason: reason.into(),
    }
}

/// Decodes the claims of a JWT without checking them (for claims of a token already accepted).
pub fn decode_claims(token: &IdToken) -> Result<IdClaims, AuthError> {
    let jwt = token.expose();
    if jwt.len() > MAX_JWT_BYTES {
        return Err(rejected("the ID token is too large"));
    }
    let mut parts = jwt.split('.');
    let (Some(header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(rejected(
            "the ID token is not a JWT (three dot-separated parts)",
        ));
    };
    let header: Value =
        decode_part(header).ok_or_else(|| rejected("the ID token header is not base64url JSON"))?;
    match header.get("alg").and_then(Value::as_str) {
        // An unsecured JWT (RFC 7519 section 6) is never an ID token from the token endpoint:
        // OIDC Core 2 forbids `none` there. "None" too: whatever reads it next may ignore case.
        Some(alg) if alg.eq_ignore_ascii_case("none") => {
            return Err(rejected("the ID token is unsigned (alg \"none\")"))
        }
        Some(_) => {}
        None => return Err(rejected("the ID token header names no algorithm")),
    }
    match decode_part(payload) {
        Some(Value::Object(claims)) => Ok(IdClaims(claims)),
        _ => Err(rejected(
            "the ID token payload is not a base64url JSON object",
        )),
    }
}

fn decode_part(part: &str) -> Option<Value> {
    // Some servers pad; base64url in JWTs should not, but padding is harmless to accept.
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Checks an ID token received from the token endpoint.
pub fn validate_id_token(
    token: &IdToken,
    expected: &Expected<'_>,
    now_ms: u64,
) -> Result<IdClaims, AuthError> {
    let claims = decode_claims(token)?;
    let now = now_ms / 1000;
    match claims.text("iss") {
        Some(iss) if iss == expected.issuer => {}
        Some(iss) => {
            return Err(rejected(format!(
                "it was issued by \"{iss}\", not by \"{}\"",
                expected.issuer
            )))
        }
        None => return Err(rejected("it has no issuer (iss)")),
    }
    let audiences: Vec<&str> = match claims.0.get("aud") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => return Err(rejected("it has no audience (aud)")),
    };
    // Step 3.
    if !audiences.contains(&expected.client_id) {
        return Err(rejected(
            "it was issued for another application (aud does not contain this client_id)",
        ));
    }
    // Steps 4 and 5 as OIDC Core 1.0 with errata set 1 words them (errata set 2 left them to
    // extensions; the stricter rule is still allowed): several audiences need an `azp`, and an
    // `azp` must name this client. An `azp` naming this client is also what makes the other
    // audiences of step 3 trusted: the provider issued the token to this app.
    match claims.0.get("azp") {
        None if audiences.len() > 1 => {
            return Err(rejected(
                "it names several audiences but no authorized party (azp)",
            ))
        }
        None => {}
        Some(Value::String(azp)) if azp == expected.client_id => {}
        Some(_) => return Err(rejected("it was issued for another application (azp)")),
    }
    // Step 9 (no exp, no token).
    match claims.0.get("exp").and_then(Value::as_f64) {
        Some(exp) if exp + CLOCK_LEEWAY_SECS as f64 > now as f64 => {}
        Some(_) => return Err(rejected("it has expired (exp)")),
        None => return Err(rejected("it has no expiry (exp)")),
    }
    // Step 10: the acceptable range is the client's choice; the same leeway as `exp`, the
    // rule oidc-client-js applied (its `clockSkew` served both). A token the provider has not
    // issued yet by this computer's clock means the clock is wrong or the token is not fresh.
    match claims.0.get("iat") {
        None => return Err(rejected("it has no issue time (iat)")),
        Some(iat) => match iat.as_f64() {
            Some(iat) if iat <= (now + CLOCK_LEEWAY_SECS) as f64 => {}
            Some(_) => {
                return Err(rejected(
                    "it was issued in the future (iat); check this computer's clock",
                ))
            }
            None => return Err(rejected("its issue time (iat) is not a number")),
        },
    }
    if claims.subject().is_none_or(str::is_empty) {
        return Err(rejected("it has no subject (sub)"));
    }
    if let Some(nonce) = expected.nonce {
        match claims.text("nonce") {
            Some(found) if found == nonce => {}
            Some(_) => {
                return Err(rejected(
                    "its nonce does not match this sign-in (possible replay)",
                ))
            }
            None => return Err(rejected("it has no nonce, but this sign-in sent one")),
        }
    }
    Ok(claims)
}

#[cfg(test)]
mod tests;

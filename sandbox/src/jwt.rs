//! Compact JWS tokens signed with HS256 (RFC 7515, RFC 7519), for the CXone
//! flavor's access and ID tokens. Written out (with the `hmac` crate) rather than
//! `jsonwebtoken`, which would add its own header member order and claim checks.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// The `kid` of the one (unpublished, per-process) signing key.
pub const KEY_ID: &str = "sandbox-hs256";
/// Written out so that the header's member order is the documented one.
pub const HEADER: &str = r#"{"alg":"HS256","typ":"JWT","kid":"sandbox-hs256"}"#;

/// `base64url(header).base64url(claims).base64url(HMAC-SHA256(key, first two parts))`.
pub fn sign_hs256(claims: &Value, key: &[u8]) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(HEADER),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = mac(key, &signing_input).finalize().into_bytes();
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The claims of a token signed by `key` with HS256; `None` if it is malformed,
/// uses another algorithm or its signature does not match. Claims are not checked.
pub fn verify_hs256(token: &str, key: &[u8]) -> Option<Value> {
    let mut parts = token.split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header_json: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    if header_json.get("alg").and_then(Value::as_str) != Some("HS256") {
        return None;
    }
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    // `verify_slice` compares in constant time.
    mac(key, &format!("{header}.{claims}"))
        .verify_slice(&signature)
        .ok()?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).ok()?).ok()?;
    claims.is_object().then_some(claims)
}

/// HMAC-SHA256 (RFC 2104) of `signing_input` under `key`.
fn mac(key: &[u8], signing_input: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(signing_input.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn token_bytes_are_pinned() {
        // Computed with Python's hmac/hashlib, so the bytes do not depend on this crate's HMAC.
        assert_eq!(
            sign_hs256(&json!({"sub": "user:1", "n": 2}), b"secret"),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InNhbmRib3gtaHMyNTYifQ\
             .eyJuIjoyLCJzdWIiOiJ1c2VyOjEifQ\
             .PRqGcDjMoPIVV_IvoIRa8LSet-J4XGFpG23b3GEQ2ko"
        );
    }

    #[test]
    fn round_trip_and_tampering() {
        let key = b"secret";
        let claims = json!({"sub": "user:1", "n": 2});
        let token = sign_hs256(&claims, key);
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(
            URL_SAFE_NO_PAD
                .decode(token.split('.').next().unwrap())
                .unwrap(),
            HEADER.as_bytes()
        );
        assert_eq!(verify_hs256(&token, key), Some(claims));
        assert_eq!(verify_hs256(&token, b"other"), None);

        let parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(r#"{"sub":"user:2","n":2}"#);
        assert_eq!(
            verify_hs256(&format!("{}.{forged}.{}", parts[0], parts[2]), key),
            None
        );
        let none_alg = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        assert_eq!(
            verify_hs256(&format!("{none_alg}.{}.", parts[1]), key),
            None
        );
        assert_eq!(
            verify_hs256(&format!("{}.{}", parts[0], parts[1]), key),
            None
        );
        assert_eq!(verify_hs256(&format!("{token}.x"), key), None);
        assert_eq!(verify_hs256("", key), None);
    }
}

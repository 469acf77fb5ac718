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
mod tests {
    use super::*;

    const NOW_MS: u64 = 1_700_000_000_000;

    fn jwt(claims: &Value) -> IdToken {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"k1"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        IdToken::new(format!("{header}.{payload}.c2lnbmF0dXJl"))
    }

    fn good() -> Value {
        serde_json::json!({
            "iss": "https://cxone.niceincontact.com", "aud": "client-1", "sub": "user:42",
            "exp": NOW_MS / 1000 + 600, "iat": NOW_MS / 1000, "nonce": "n-1",
            "tenantId": "T1", "userId": "42"
        })
    }

    fn expected() -> Expected<'static> {
        Expected {
            issuer: "https://cxone.niceincontact.com",
            client_id: "client-1",
            nonce: Some("n-1"),
        }
    }

    fn check(claims: Value) -> Result<IdClaims, AuthError> {
        validate_id_token(&jwt(&claims), &expected(), NOW_MS)
    }

    fn with(key: &str, value: Value) -> Value {
        let mut claims = good();
        claims[key] = value;
        claims
    }

    fn reason(result: Result<IdClaims, AuthError>) -> String {
        match result {
            Err(AuthError::IdTokenRejected { reason }) => reason,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn accepts_a_matching_token_and_exposes_claims() {
        let claims = check(good()).unwrap();
        assert_eq!(claims.text("tenantId"), Some("T1"));
        assert_eq!(claims.subject(), Some("user:42"));
    }

    #[test]
    fn issuer_must_match_exactly() {
        assert!(reason(check(with("iss", "https://evil.example".into()))).contains("evil.example"));
        assert!(check(with("iss", "https://cxone.niceincontact.com/".into())).is_err());
        let mut no_iss = good();
        no_iss.as_object_mut().unwrap().remove("iss");
        assert!(reason(check(no_iss)).contains("iss"));
    }

    #[test]
    fn audience_must_contain_the_client() {
        assert!(reason(check(with("aud", "other".into()))).contains("aud"));
        assert!(check(with("aud", serde_json::json!(["client-1"]))).is_ok());
        assert!(reason(check(with("aud", serde_json::json!(["other"])))).contains("aud"));
        assert!(check(with("aud", serde_json::json!([]))).is_err());
        assert!(check(with("aud", 7.into())).is_err());
        let mut none = good();
        none.as_object_mut().unwrap().remove("aud");
        assert!(reason(check(none)).contains("aud"));
    }

    #[test]
    fn expiry_allows_small_leeway_only() {
        let now = NOW_MS / 1000;
        assert!(check(with("exp", (now - 60).into())).is_ok());
        assert!(check(with("exp", (now - CLOCK_LEEWAY_SECS + 1).into())).is_ok());
        assert!(reason(check(with("exp", (now - CLOCK_LEEWAY_SECS).into()))).contains("expired"));
        assert!(
            reason(check(with("exp", (now - CLOCK_LEEWAY_SECS - 1).into()))).contains("expired")
        );
        assert!(reason(check(with("exp", "soon".into()))).contains("no expiry"));
        let mut none = good();
        none.as_object_mut().unwrap().remove("exp");
        assert!(reason(check(none)).contains("no expiry"));
    }

    #[test]
    fn nonce_must_match_when_one_was_sent() {
        assert!(reason(check(with("nonce", "n-2".into()))).contains("nonce"));
        let mut none = good();
        none.as_object_mut().unwrap().remove("nonce");
        assert!(reason(check(none.clone())).contains("nonce"));
        let refresh = Expected {
            nonce: None,
            ..expected()
        };
        assert!(validate_id_token(&jwt(&none), &refresh, NOW_MS).is_ok());
    }

    #[test]
    fn malformed_jwts_are_rejected_without_panicking() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#);
        let payload = URL_SAFE_NO_PAD.encode(good().to_string());
        for token in [
            String::new(),
            "abc".into(),
            "a.b".into(),
            "a.b.c.d".into(),
            format!("{header}.{payload}"),
            format!("{header}.!!!.sig"),
            format!("{header}.{}.sig", URL_SAFE_NO_PAD.encode("[1,2]")),
            format!("{}.{payload}.sig", URL_SAFE_NO_PAD.encode("{}")),
            format!("{}.{payload}.sig", URL_SAFE_NO_PAD.encode("not json")),
            "x".repeat(20_000),
        ] {
            assert!(
                matches!(
                    validate_id_token(&IdToken::new(token.clone()), &expected(), NOW_MS),
                    Err(AuthError::IdTokenRejected { .. })
                ),
                "{}",
                &token[..token.len().min(40)]
            );
        }
        assert!(validate_id_token(
            &IdToken::new(format!("{header}.{payload}=.sig")),
            &expected(),
            NOW_MS
        )
        .is_ok());
    }

    #[test]
    fn rejection_text_never_shows_any_part_of_the_token() {
        let mut bad_header = with_header(r#"{"alg":"none"}"#, &good())
            .expose()
            .to_owned();
        bad_header.push_str("x.y");
        for token in [
            jwt(&with("aud", "other".into())),
            jwt(&with("iss", "https://evil.example".into())),
            jwt(&with("exp", 1.into())),
            with_header(r#"{"alg":"none"}"#, &good()),
            IdToken::new(bad_header),
        ] {
            let error = validate_id_token(&token, &expected(), NOW_MS).unwrap_err();
            let shown = format!(
                "{error} {error:?} {:?}",
                crate::pages::error_copy(&error, crate::pages::Console::Unknown)
            );
            assert!(
                !crate::secret::shows_part_of(&shown, token.expose(), 8),
                "{shown}"
            );
        }
    }

    fn with_header(header: &str, claims: &Value) -> IdToken {
        let header = URL_SAFE_NO_PAD.encode(header);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        IdToken::new(format!("{header}.{payload}.c2lnbmF0dXJl"))
    }

    #[test]
    fn several_audiences_need_an_authorized_party_naming_this_client() {
        let two = || with("aud", serde_json::json!(["other", "client-1"]));
        // OIDC Core 3.1.3.7 step 4 (errata set 1): several audiences, no azp.
        assert!(reason(check(two())).contains("azp"));
        let mut ours = two();
        ours["azp"] = "client-1".into();
        assert!(check(ours).is_ok());
        let mut theirs = two();
        theirs["azp"] = "other".into();
        assert!(reason(check(theirs)).contains("azp"));
    }

    #[test]
    fn an_authorized_party_must_be_this_client_even_with_one_audience() {
        // Step 5: with `aud` = this client alone, an `azp` naming someone else still rejects.
        assert!(reason(check(with("azp", "other".into()))).contains("azp"));
        assert!(reason(check(with("azp", serde_json::json!(["client-1"])))).contains("azp"));
        assert!(reason(check(with("azp", Value::Null))).contains("azp"));
        assert!(check(with("azp", "client-1".into())).is_ok());
    }

    #[test]
    fn unsigned_tokens_are_rejected() {
        for header in [
            r#"{"alg":"none"}"#,
            r#"{"alg":"None","typ":"JWT"}"#,
            r#"{"alg":"NONE"}"#,
        ] {
            let token = with_header(header, &good());
            assert!(decode_claims(&token).is_err(), "{header}");
            assert!(
                reason(validate_id_token(&token, &expected(), NOW_MS)).contains("unsigned"),
                "{header}"
            );
        }
        for header in [
            r#"{"alg":7}"#,
            r#"{"typ":"JWT"}"#,
            r#"["alg","RS256"]"#,
            "{",
        ] {
            let token = with_header(header, &good());
            assert!(
                validate_id_token(&token, &expected(), NOW_MS).is_err(),
                "{header}"
            );
        }
        assert!(validate_id_token(
            &with_header(r#"{"alg":"ES256"}"#, &good()),
            &expected(),
            NOW_MS
        )
        .is_ok());
    }

    #[test]
    fn issue_time_may_be_ahead_by_the_leeway_only() {
        let now = NOW_MS / 1000;
        assert!(check(with("iat", (now + CLOCK_LEEWAY_SECS).into())).is_ok());
        assert!(check(with("iat", (now - 7 * 24 * 3600).into())).is_ok());
        assert!(reason(check(with("iat", (now + CLOCK_LEEWAY_SECS + 1).into()))).contains("iat"));
        assert!(reason(check(with("iat", (now + 3600).into()))).contains("iat"));
        assert!(reason(check(with("iat", "now".into()))).contains("iat"));
        let mut none = good();
        none.as_object_mut().unwrap().remove("iat");
        assert!(reason(check(none)).contains("iat"));
    }

    #[test]
    fn the_subject_must_be_present_and_not_empty() {
        assert!(reason(check(with("sub", "".into()))).contains("sub"));
        assert!(reason(check(with("sub", 42.into()))).contains("sub"));
        let mut none = good();
        none.as_object_mut().unwrap().remove("sub");
        assert!(reason(check(none)).contains("sub"));
    }

    #[test]
    fn tokens_up_to_16_kib_are_read_and_longer_ones_refused() {
        assert_eq!(MAX_JWT_BYTES, 16 * 1024);
        // The signature part is not decoded, so it can pad the token to an exact length.
        let short = jwt(&good()).expose().to_owned();
        let at_limit = format!("{short}{}", "A".repeat(MAX_JWT_BYTES - short.len()));
        assert_eq!(at_limit.len(), MAX_JWT_BYTES);
        assert!(validate_id_token(&IdToken::new(at_limit.clone()), &expected(), NOW_MS).is_ok());
        let over = IdToken::new(format!("{at_limit}A"));
        assert!(reason(validate_id_token(&over, &expected(), NOW_MS)).contains("too large"));
        assert!(decode_claims(&over).is_err());
    }
}

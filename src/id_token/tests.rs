//! Tests of `id_token.rs`.

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
    assert!(reason(check(with("exp", (now - CLOCK_LEEWAY_SECS - 1).into()))).contains("expired"));
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

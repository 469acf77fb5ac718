//! Tests of `token.rs`.

use super::*;
use crate::reply::MAX_RESPONSE_BYTES;

fn json_reply(status: u16, body: &str) -> HttpReply {
    HttpReply {
        status,
        content_type: Some("application/json;charset=UTF-8".into()),
        retry_after: None,
        body: body.into(),
    }
}

fn parse(body: &str) -> Result<TokenSet, AuthError> {
    parse_token_response(&json_reply(200, body), 1_000_000)
}

#[test]
fn accepts_a_genesys_shaped_response() {
    let tokens = parse(
        r#"{"access_token":"at","token_type":"bearer","expires_in":86399,
        "refresh_token":"rt","extra":{"x":1}}"#,
    )
    .unwrap();
    assert_eq!(tokens.access_token.expose(), "at");
    assert_eq!(tokens.refresh_token.unwrap().expose(), "rt");
    assert_eq!(tokens.expires_at_ms, Some(1_000_000 + 86_399_000));
    assert_eq!(tokens.issued_at_ms, 1_000_000);
}

#[test]
fn token_type_is_case_insensitive_but_required() {
    assert!(parse(r#"{"access_token":"a","token_type":"Bearer"}"#).is_ok());
    assert!(parse(r#"{"access_token":"a","token_type":"BEARER"}"#).is_ok());
    assert!(matches!(
        parse(r#"{"access_token":"a","token_type":"mac"}"#),
        Err(AuthError::MalformedResponse { .. })
    ));
    assert!(matches!(
        parse(r#"{"access_token":"a"}"#),
        Err(AuthError::MalformedResponse { .. })
    ));
}

#[test]
fn access_token_must_be_a_non_empty_string() {
    for body in [
        r#"{"token_type":"bearer"}"#,
        r#"{"access_token":"","token_type":"bearer"}"#,
        r#"{"access_token":42,"token_type":"bearer"}"#,
        r#"{"access_token":null,"token_type":"bearer"}"#,
        r#"[]"#,
        r#""at""#,
        r#"{"access_token":"a","token_type":"bearer","refresh_token":7}"#,
    ] {
        assert!(
            matches!(parse(body), Err(AuthError::MalformedResponse { .. })),
            "{body}"
        );
    }
}

#[test]
fn malformed_json_and_wrong_content_type_are_typed_errors() {
    assert!(matches!(
        parse(r#"{"access_token":"#),
        Err(AuthError::MalformedResponse { .. })
    ));
    let html = HttpReply {
        status: 200,
        content_type: Some("text/html".into()),
        retry_after: None,
        body: "<html>".into(),
    };
    assert!(matches!(
        parse_token_response(&html, 0),
        Err(AuthError::UnexpectedResponse { status: 200, .. })
    ));
    let none = HttpReply {
        content_type: None,
        ..html
    };
    assert!(matches!(
        parse_token_response(&none, 0),
        Err(AuthError::UnexpectedResponse { .. })
    ));
}

#[test]
fn html_502_is_an_unexpected_response() {
    let reply = HttpReply {
        status: 502,
        content_type: Some("text/html".into()),
        retry_after: None,
        body: "<h1>Bad Gateway</h1>".into(),
    };
    assert_eq!(
        parse_token_response(&reply, 0).unwrap_err(),
        AuthError::UnexpectedResponse {
            endpoint: Endpoint::Token,
            status: 502,
            content_type: Some("text/html".into())
        }
    );
}

#[test]
fn oauth_error_bodies_keep_the_server_error() {
    let reply = json_reply(
        400,
        r#"{"error":"invalid_grant","error_description":"code already used"}"#,
    );
    assert_eq!(
        parse_token_response(&reply, 0).unwrap_err(),
        AuthError::TokenRejected {
            status: 400,
            error: "invalid_grant".into(),
            description: Some("code already used".into())
        }
    );
}

#[test]
fn oversized_bodies_are_refused() {
    let huge = format!(
        r#"{{"access_token":"{}","token_type":"bearer"}}"#,
        "a".repeat(MAX_RESPONSE_BYTES)
    );
    assert!(matches!(
        parse(&huge),
        Err(AuthError::ResponseTooLarge { .. })
    ));
}

#[test]
fn expires_in_rule() {
    let lifetime = |v: &str| lifetime_secs(Some(&serde_json::from_str(v).unwrap()));
    assert_eq!(lifetime("3600"), Some(3600));
    assert_eq!(lifetime("\"3600\""), Some(3600));
    assert_eq!(lifetime("59.9"), Some(59));
    assert_eq!(lifetime("0"), None);
    assert_eq!(lifetime("-5"), None);
    assert_eq!(lifetime("0.5"), None);
    assert_eq!(lifetime("null"), None);
    assert_eq!(lifetime("\"soon\""), None);
    assert_eq!(lifetime("true"), None);
    assert_eq!(
        lifetime("315360000"),
        Some(MAX_LIFETIME_SECS),
        "ten years is capped"
    );
    assert_eq!(lifetime("1e300"), Some(MAX_LIFETIME_SECS));
    assert_eq!(lifetime_secs(None), None);
    let tokens =
        parse(r#"{"access_token":"a","token_type":"bearer","expires_in":"never"}"#).unwrap();
    assert_eq!(tokens.expires_at_ms, None);
    assert!(!tokens.is_expired(u64::MAX));
}

#[test]
fn expiry_counts_from_when_the_request_was_sent() {
    let reply = json_reply(
        200,
        r#"{"access_token":"a","token_type":"bearer","expires_in":60}"#,
    );
    let tokens = parse_token_response(&reply, 5_000).unwrap();
    assert_eq!(tokens.expires_at_ms, Some(65_000));
    assert!(!tokens.is_expired(64_999));
    assert!(tokens.is_expired(65_000));
}

#[test]
fn canary_tokens_never_reach_error_text() {
    const CANARY: &str = "canary-5f0c1e";
    for (status, content_type, body) in [
        (
            200,
            "application/json",
            format!(r#"{{"access_token":"{CANARY}","token_type":"mac"}}"#),
        ),
        (
            200,
            "application/json",
            format!(r#"{{"access_token":"{CANARY}"}}"#),
        ),
        (
            200,
            "application/json",
            format!(r#"{{"access_token":"{CANARY}","token_type":"bearer","refresh_token":5}}"#),
        ),
        (
            200,
            "application/json",
            format!(r#"{{"access_token":"{CANARY}","#),
        ),
        (
            200,
            "text/plain",
            format!(r#"{{"access_token":"{CANARY}","token_type":"bearer"}}"#),
        ),
        (502, "text/html", format!("<p>{CANARY}</p>")),
        (
            200,
            "application/json",
            format!(
                r#"{{"access_token":"{CANARY}","pad":"{}"}}"#,
                "x".repeat(MAX_RESPONSE_BYTES)
            ),
        ),
    ] {
        let reply = HttpReply {
            status,
            content_type: Some(content_type.into()),
            retry_after: None,
            body,
        };
        let error = parse_token_response(&reply, 0).unwrap_err();
        let shown = format!(
            "{error} {error:?} {:?}",
            crate::pages::error_copy(&error, crate::pages::Console::Unknown)
        );
        assert!(!crate::secret::shows_part_of(&shown, CANARY, 8), "{shown}");
    }
    let tokens = parse_token_response(
        &json_reply(
            200,
            &format!(
                r#"{{"access_token":"{CANARY}","token_type":"bearer",
            "refresh_token":"{CANARY}-r","id_token":"{CANARY}-i"}}"#
            ),
        ),
        0,
    )
    .unwrap();
    assert!(!crate::secret::shows_part_of(
        &format!("{tokens:?}"),
        CANARY,
        8
    ));
}

/// `session.tokens.access_token` and `.refresh_token` stay plain strings in storage.
#[test]
fn stored_tokens_keep_plain_strings() {
    let tokens = TokenSet {
        access_token: AccessToken::new("a"),
        refresh_token: Some(RefreshToken::new("r")),
        id_token: None,
        scope: None,
        issued_at_ms: 1,
        expires_at_ms: Some(2),
    };
    assert_eq!(
        serde_json::to_string(&tokens).unwrap(),
        concat!(
            r#"{"access_token":"a","refresh_token":"r","id_token":null,"scope":null,"#,
            r#""issued_at_ms":1,"expires_at_ms":2}"#
        )
    );
    assert_eq!(
        format!("{tokens:?}"),
        "TokenSet { access_token: AccessToken([redacted]), \
         refresh_token: Some(RefreshToken([redacted])), id_token: None, scope: None, \
         issued_at_ms: 1, expires_at_ms: Some(2) }"
    );
}

#[test]
fn form_bodies_are_encoded_and_never_printable() {
    let body = authorization_code_form(
        &AuthorizationCode::new("c+d"),
        &PkceVerifier::new("v"),
        "App Name@Vendor",
        "http://a/callback",
    );
    assert_eq!(
        body.expose(),
        concat!(
            "grant_type=authorization_code&code=c%2Bd&code_verifier=v",
            "&client_id=App%20Name%40Vendor&redirect_uri=http%3A%2F%2Fa%2Fcallback"
        )
    );
    assert!(!format!("{body:?}").contains("code_verifier"));
    assert_eq!(
        revocation_form(RevocableToken::Refresh(&RefreshToken::new("r")), "c d").expose(),
        "token=r&token_type_hint=refresh_token&client_id=c%20d"
    );
    assert_eq!(
        revocation_form(RevocableToken::Access(&AccessToken::new("a")), "c").expose(),
        "token=a&token_type_hint=access_token&client_id=c"
    );
    assert_eq!(
        refresh_form(&RefreshToken::new("r"), "c").expose(),
        "grant_type=refresh_token&refresh_token=r&client_id=c"
    );
}

#[test]
fn token_errors_keep_each_providers_description() {
    for (body, expected) in [
        (
            r#"{"error":"invalid_grant","error_description":"code already used"}"#,
            "code already used",
        ),
        // CXone (OpenAPI types): camel case.
        (
            r#"{"error":"invalid_grant","errorDescription":"Authorization code is invalid"}"#,
            "Authorization code is invalid",
        ),
        // Genesys Cloud: `description` next to the standard fields.
        (
            r#"{"error":"invalid_client","description":"authentication failed"}"#,
            "authentication failed",
        ),
    ] {
        match parse_token_response(&json_reply(400, body), 0).unwrap_err() {
            AuthError::TokenRejected { description, .. } => {
                assert_eq!(description.as_deref(), Some(expected), "{body}")
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    // Markup stays text: it is shown, never interpreted.
    let markup = json_reply(
        400,
        r#"{"error":"invalid_grant","description":"<b>no</b>"}"#,
    );
    let error = parse_token_response(&markup, 0).unwrap_err();
    assert!(
        crate::pages::error_copy(&error, crate::pages::Console::Unknown)
            .what_happened
            .contains("<b>no</b>")
    );
}

#[test]
fn genesys_alone_may_leave_out_token_type() {
    let reply = json_reply(200, r#"{"access_token":"at","expires_in":86399}"#);
    let genesys = parse_token_response_for(&reply, 0, TokenTypeRule::BearerWhenMissing).unwrap();
    assert_eq!(genesys.access_token.expose(), "at");
    let null = json_reply(200, r#"{"access_token":"at","token_type":null}"#);
    assert!(parse_token_response_for(&null, 0, TokenTypeRule::BearerWhenMissing).is_ok());
    // Said, it must still be Bearer.
    let mac = json_reply(200, r#"{"access_token":"at","token_type":"mac"}"#);
    assert!(matches!(
        parse_token_response_for(&mac, 0, TokenTypeRule::BearerWhenMissing),
        Err(AuthError::MalformedResponse { .. })
    ));
    // Every other provider must say Bearer (which kind gets which rule: provider/mod.rs).
    assert!(matches!(
        parse_token_response_for(&reply, 0, TokenTypeRule::Required),
        Err(AuthError::MalformedResponse { .. })
    ));
}

#[test]
fn genesys_longest_lifetime_is_kept_whole() {
    const { assert!(MAX_LIFETIME_SECS > GENESYS_MAX_LIFETIME_SECS) };
    let reply = json_reply(
        200,
        r#"{"access_token":"a","token_type":"bearer","expires_in":172800}"#,
    );
    let tokens = parse_token_response(&reply, 1_000).unwrap();
    assert_eq!(tokens.expires_at_ms, Some(1_000 + 172_800_000));
    let lifetime = |v: u64| lifetime_secs(Some(&Value::from(v)));
    assert_eq!(lifetime(GENESYS_MAX_LIFETIME_SECS), Some(172_800));
    assert_eq!(lifetime(MAX_LIFETIME_SECS + 1), Some(MAX_LIFETIME_SECS));
}

#[test]
fn bodies_up_to_64_kib_are_read_and_longer_ones_refused() {
    assert_eq!(MAX_RESPONSE_BYTES, 64 * 1024);
    let json = r#"{"access_token":"a","token_type":"bearer"}"#;
    // Trailing white space is valid JSON, so it pads the body to an exact length.
    let at_limit = format!("{json}{}", " ".repeat(MAX_RESPONSE_BYTES - json.len()));
    assert_eq!(at_limit.len(), MAX_RESPONSE_BYTES);
    assert!(parse(&at_limit).is_ok());
    assert!(matches!(
        parse(&format!("{at_limit} ")),
        Err(AuthError::ResponseTooLarge { .. })
    ));
}

/// A wrong token_type and a missing one are different server mistakes; the message must
/// say which.
#[test]
fn token_type_errors_say_whether_it_is_wrong_or_missing() {
    let reason = |body: &str| match parse(body) {
        Err(AuthError::MalformedResponse { reason, .. }) => reason,
        other => panic!("expected a malformed response, got {other:?}"),
    };
    let wrong = reason(r#"{"access_token":"a","token_type":"mac"}"#);
    let missing = reason(r#"{"access_token":"a"}"#);
    assert!(missing.contains("missing"), "{missing}");
    assert!(!wrong.contains("missing"), "{wrong}");
}

/// An empty `refresh_token` or `id_token` is absent, not a token: storing "" would make the
/// next refresh send `refresh_token=` and fail, instead of keeping the session's old one.
#[test]
fn empty_optional_tokens_count_as_absent() {
    let tokens =
        parse(r#"{"access_token":"a","token_type":"bearer","refresh_token":"","id_token":""}"#)
            .unwrap();
    assert!(tokens.refresh_token.is_none());
    assert!(tokens.id_token.is_none());
}

#[test]
fn a_renewal_keeps_what_the_refresh_answer_left_out() {
    let previous = parse(
        r#"{"access_token":"a1","token_type":"Bearer","expires_in":60,
            "refresh_token":"r1","id_token":"i1"}"#,
    )
    .unwrap();
    let bare = parse(r#"{"access_token":"a2","token_type":"Bearer","expires_in":60}"#).unwrap();
    let renewed = bare.renewing(&previous);
    assert_eq!(renewed.access_token.expose(), "a2");
    assert_eq!(
        renewed.refresh_token, previous.refresh_token,
        "RFC 6749 section 6"
    );
    assert_eq!(renewed.id_token, previous.id_token, "still the logout hint");
    let rotated = parse(
        r#"{"access_token":"a3","token_type":"Bearer","expires_in":60,
            "refresh_token":"r3","id_token":"i3"}"#,
    )
    .unwrap()
    .renewing(&previous);
    assert_eq!(rotated.refresh_token.unwrap().expose(), "r3");
    assert_eq!(rotated.id_token.unwrap().expose(), "i3");
}

//! Tests of `discovery.rs`.

use super::*;
use crate::reply::MAX_RESPONSE_BYTES;

const ISSUER: &str = "https://cxone.niceincontact.com";

fn document(body: &str) -> HttpReply {
    HttpReply {
        status: 200,
        content_type: Some("application/json".into()),
        retry_after: None,
        body: body.into(),
    }
}

fn cxone_production() -> String {
    r#"{"issuer":"https://cxone.niceincontact.com",
        "authorization_endpoint":"https://cxone.niceincontact.com/auth/authorize",
        "token_endpoint":"https://cxone.niceincontact.com/auth/token",
        "userinfo_endpoint":"https://cxone.niceincontact.com/auth/userinfo",
        "jwks_uri":"https://cxone.niceincontact.com/auth/jwks",
        "end_session_endpoint":"https://cxone.niceincontact.com/auth/authorize/logout",
        "scopes_supported":["openid"],"response_types_supported":["code"],
        "display_values_supported":["page","popup"],"code_challenge_methods_supported":["S256"],
        "id_token_signing_alg_values_supported":["RS256"]}"#
        .into()
}

fn reason(result: Result<Endpoints, AuthError>) -> String {
    match result {
        Err(AuthError::DiscoveryFailed { reason, .. }) => reason,
        other => panic!("expected a discovery failure, got {other:?}"),
    }
}

// The happy path is `tests/contract_fixtures.rs::cxone_discovery`, on the captured document;
// here the document is the base that each test breaks in one way.

#[test]
fn issuer_must_match_exactly() {
    let other = cxone_production().replacen(ISSUER, "https://evil.example", 1);
    assert!(reason(endpoints_from_discovery(
        &document(&other),
        ISSUER,
        UserSource::CxoneUser
    ))
    .contains("evil.example"));
    let slash = cxone_production().replacen("niceincontact.com\"", "niceincontact.com/\"", 1);
    assert!(endpoints_from_discovery(&document(&slash), ISSUER, UserSource::CxoneUser).is_err());
    let missing = cxone_production().replacen("\"issuer\"", "\"issuer_x\"", 1);
    assert!(reason(endpoints_from_discovery(
        &document(&missing),
        ISSUER,
        UserSource::CxoneUser
    ))
    .contains("no issuer"));
}

#[test]
fn requires_code_and_s256() {
    let plain = cxone_production().replace("[\"S256\"]", "[\"plain\"]");
    assert!(reason(endpoints_from_discovery(
        &document(&plain),
        ISSUER,
        UserSource::CxoneUser
    ))
    .contains("S256"));
    let no_pkce = cxone_production().replace("\"code_challenge_methods_supported\"", "\"x\"");
    assert!(endpoints_from_discovery(&document(&no_pkce), ISSUER, UserSource::CxoneUser).is_err());
    let implicit = cxone_production().replace(
        "\"response_types_supported\":[\"code\"]",
        "\"response_types_supported\":[\"token\"]",
    );
    assert!(reason(endpoints_from_discovery(
        &document(&implicit),
        ISSUER,
        UserSource::CxoneUser
    ))
    .contains("code"));
}

#[test]
fn endpoints_must_be_https_and_present() {
    let clear = cxone_production().replace(
        "https://cxone.niceincontact.com/auth/token",
        "http://cxone.niceincontact.com/auth/token",
    );
    assert!(reason(endpoints_from_discovery(
        &document(&clear),
        ISSUER,
        UserSource::CxoneUser
    ))
    .contains("token_endpoint"));
    let no_token = cxone_production().replace("\"token_endpoint\"", "\"t\"");
    assert!(endpoints_from_discovery(&document(&no_token), ISSUER, UserSource::CxoneUser).is_err());
    let no_userinfo = cxone_production().replace("\"userinfo_endpoint\"", "\"u\"");
    assert!(
        endpoints_from_discovery(&document(&no_userinfo), ISSUER, UserSource::OidcUserinfo)
            .is_err()
    );
}

#[test]
fn reads_rfc9207_and_revocation_for_generic_providers() {
    let body = r#"{"issuer":"http://127.0.0.1:9192",
        "authorization_endpoint":"http://127.0.0.1:9192/auth",
        "token_endpoint":"http://127.0.0.1:9192/token",
        "userinfo_endpoint":"http://127.0.0.1:9192/me",
        "revocation_endpoint":"http://127.0.0.1:9192/token/revocation",
        "end_session_endpoint":"http://127.0.0.1:9192/session/end",
        "response_types_supported":["code","none"],"code_challenge_methods_supported":["S256"],
        "authorization_response_iss_parameter_supported":true}"#;
    let endpoints = endpoints_from_discovery(
        &document(body),
        "http://127.0.0.1:9192",
        UserSource::OidcUserinfo,
    )
    .unwrap();
    assert!(endpoints.iss_required);
    assert_eq!(endpoints.current_user, "http://127.0.0.1:9192/me");
    assert_eq!(
        endpoints.revocation,
        Some(Revocation::Rfc7009(
            "http://127.0.0.1:9192/token/revocation".into()
        ))
    );
}

#[test]
fn reads_the_cxone_tenant_api_base() {
    let body = r#"{"private":false,"area":"na1","cluster":"B32","domain":"niceincontact.com",
        "api_endpoint":"https://api-na1.niceincontact.com/","tenantId":"T"}"#;
    assert_eq!(
        cxone_api_base(&document(body)).unwrap(),
        "https://api-na1.niceincontact.com"
    );
    assert!(cxone_api_base(&document(r#"{"area":"na1"}"#)).is_err());
    assert!(cxone_api_base(&document(r#"{"api_endpoint":"http://evil.example"}"#)).is_err());
    let not_found = HttpReply {
        status: 404,
        ..document(r#"{"message":"Tenant not found"}"#)
    };
    assert!(matches!(
        cxone_api_base(&not_found),
        Err(AuthError::UnexpectedResponse { status: 404, .. })
    ));
}

#[test]
fn broken_documents_are_typed_errors() {
    for body in ["", "[]", "{\"issuer\": 5}", "not json", "{\"issuer\":"] {
        assert!(
            matches!(
                endpoints_from_discovery(&document(body), ISSUER, UserSource::CxoneUser),
                Err(AuthError::DiscoveryFailed { .. })
            ),
            "{body}"
        );
    }
    let html = HttpReply {
        content_type: Some("text/html".into()),
        ..document("<html>")
    };
    assert!(matches!(
        endpoints_from_discovery(&html, ISSUER, UserSource::CxoneUser),
        Err(AuthError::UnexpectedResponse { .. })
    ));
    let missing = HttpReply {
        status: 404,
        ..document("{}")
    };
    assert!(reason(endpoints_from_discovery(
        &missing,
        ISSUER,
        UserSource::CxoneUser
    ))
    .contains("404"));
    // The shared size cap comes first: a huge document is not even parsed.
    let huge = document(&" ".repeat(crate::reply::MAX_RESPONSE_BYTES + 1));
    assert_eq!(
        reason(endpoints_from_discovery(
            &huge,
            ISSUER,
            UserSource::CxoneUser
        )),
        "the discovery document is larger than 64 KiB"
    );
}

#[test]
fn cxone_api_base_falls_back_to_area_and_domain() {
    let base = |body: &str| cxone_api_base(&document(body));
    assert_eq!(
        base(
            r#"{"area":"na1","domain":"niceincontact.com",
            "api_endpoint":"https://api-na1.niceincontact.com"}"#
        )
        .unwrap(),
        "https://api-na1.niceincontact.com"
    );
    assert_eq!(
        base(r#"{"area":"au1","domain":"niceincontact.com"}"#).unwrap(),
        "https://api-au1.niceincontact.com",
        "no api_endpoint: built as the SDK builds it"
    );
    assert_eq!(
        base(r#"{"area":"au1","domain":"niceincontact.com","api_endpoint":""}"#).unwrap(),
        "https://api-au1.niceincontact.com"
    );
    assert_eq!(
        base(r#"{"area":"eu1","domain":"x.example","api_endpoint":"https://api.other.example/"}"#)
            .unwrap(),
        "https://api.other.example",
        "api_endpoint wins"
    );
    for body in [
        r#"{"area":"na1"}"#,
        r#"{"domain":"niceincontact.com"}"#,
        r#"{"area":"na1/x","domain":"niceincontact.com"}"#,
        r#"{"area":"na1","domain":"evil.example/@x"}"#,
        r#"{"area":"na1","domain":"localhost"}"#,
        r#"{"area":"NA1.evil.example#","domain":"niceincontact.com"}"#,
    ] {
        assert!(base(body).is_err(), "{body}");
    }
}

#[test]
fn documents_up_to_64_kib_are_read_and_longer_ones_refused() {
    // Trailing white space is valid JSON, so it pads a body to an exact length.
    let pad = |json: String| format!("{json}{}", " ".repeat(MAX_RESPONSE_BYTES - json.len()));
    let at_limit = pad(cxone_production());
    assert_eq!(at_limit.len(), MAX_RESPONSE_BYTES);
    assert!(endpoints_from_discovery(&document(&at_limit), ISSUER, UserSource::CxoneUser).is_ok());
    let over = format!("{at_limit} ");
    assert!(reason(endpoints_from_discovery(
        &document(&over),
        ISSUER,
        UserSource::CxoneUser
    ))
    .contains("64 KiB"));

    let tenant = pad(r#"{"api_endpoint":"https://api-na1.niceincontact.com"}"#.into());
    assert!(cxone_api_base(&document(&tenant)).is_ok());
    assert!(matches!(
        cxone_api_base(&document(&format!("{tenant} "))),
        Err(AuthError::ResponseTooLarge { .. })
    ));
}

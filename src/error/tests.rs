//! Tests of `error.rs`.

use super::*;

#[test]
fn only_a_refused_refresh_ends_the_session() {
    let rejected = |status: u16, error: &str| AuthError::TokenRejected {
        status,
        error: error.into(),
        description: None,
    };
    assert!(rejected(400, "invalid_grant").ends_session());
    assert!(rejected(401, "invalid_client").ends_session());
    assert!(!rejected(503, "temporarily_unavailable").ends_session());
    assert!(!rejected(429, "slow_down").ends_session());
    assert!(!AuthError::Network {
        endpoint: Endpoint::Token
    }
    .ends_session());
    assert!(!AuthError::UnexpectedResponse {
        endpoint: Endpoint::Token,
        status: 502,
        content_type: None
    }
    .ends_session());
    assert!(!AuthError::MalformedResponse {
        endpoint: Endpoint::Token,
        reason: "x".into()
    }
    .ends_session());
}

#[test]
fn provider_text_is_bounded_and_without_control_characters() {
    let long = format!("{}\u{0007}\n", "x".repeat(1000));
    let cleaned = provider_text(&long);
    assert_eq!(cleaned.chars().count(), PROVIDER_TEXT_LIMIT);
    assert!(!cleaned.contains('\u{0007}'));
}

#[test]
fn reads_the_error_description_of_each_provider() {
    let description = |body: &str| provider_error_description(&serde_json::from_str(body).unwrap());
    assert_eq!(
        description(r#"{"error":"invalid_grant","error_description":"code expired"}"#).as_deref(),
        Some("code expired")
    );
    assert_eq!(
        description(r#"{"error":"invalid_grant","errorDescription":"CXone said no"}"#).as_deref(),
        Some("CXone said no")
    );
    assert_eq!(
        description(r#"{"error":"invalid_client","description":"authentication failed"}"#)
            .as_deref(),
        Some("authentication failed")
    );
    // RFC 6749's name wins when several are there; empty text is no text.
    assert_eq!(
        description(r#"{"description":"b","error_description":"a"}"#).as_deref(),
        Some("a")
    );
    assert_eq!(
        description(r#"{"error_description":" ","description":"b"}"#).as_deref(),
        Some("b")
    );
    assert_eq!(description(r#"{"error":"x","description":7}"#), None);
    assert_eq!(description("[]"), None);
}

#[test]
fn a_refresh_refused_for_the_client_keeps_the_session_until_expiry() {
    let rejected = |status: u16, error: &str| AuthError::TokenRejected {
        status,
        error: error.into(),
        description: None,
    };
    // Genesys' answer to a public client's refresh (client credentials required).
    for (status, error) in [
        (401, "invalid_client"),
        (400, "invalid_client"),
        (400, "unauthorized_client"),
        (400, "unsupported_grant_type"),
        (400, "invalid_request"),
        (400, "invalid_scope"),
        (403, "access_denied"),
    ] {
        assert_eq!(
            rejected(status, error).refresh_failure(),
            RefreshFailure::RefreshNotAllowed,
            "{status} {error}"
        );
    }
    assert_eq!(
        AuthError::UnexpectedResponse {
            endpoint: Endpoint::Token,
            status: 401,
            content_type: Some("text/html".into())
        }
        .refresh_failure(),
        RefreshFailure::RefreshNotAllowed
    );
}

#[test]
fn a_dead_grant_ends_the_session_and_passing_trouble_does_not() {
    let rejected = |status: u16, error: &str| AuthError::TokenRejected {
        status,
        error: error.into(),
        description: None,
    };
    assert_eq!(
        rejected(400, "invalid_grant").refresh_failure(),
        RefreshFailure::SessionOver
    );
    for error in [
        AuthError::SessionExpired,
        AuthError::UserMismatch,
        AuthError::IdTokenRejected {
            reason: "sub".into(),
        },
    ] {
        assert_eq!(
            error.refresh_failure(),
            RefreshFailure::SessionOver,
            "{error:?}"
        );
    }
    for error in [
        rejected(503, "temporarily_unavailable"),
        rejected(500, "invalid_grant"),
        rejected(429, "slow_down"),
        rejected(408, "timeout"),
        AuthError::Network {
            endpoint: Endpoint::Token,
        },
        AuthError::UnexpectedResponse {
            endpoint: Endpoint::Token,
            status: 502,
            content_type: None,
        },
        AuthError::MalformedResponse {
            endpoint: Endpoint::Token,
            reason: "x".into(),
        },
    ] {
        assert_eq!(
            error.refresh_failure(),
            RefreshFailure::Transient,
            "{error:?}"
        );
    }
}

/// The codes are shown to people and used by the end-to-end tests: each is its own.
#[test]
fn codes_are_distinct_snake_case_names() {
    let codes = [
        AuthError::MissingState.code(),
        AuthError::MissingCode.code(),
        AuthError::SessionExpired.code(),
        AuthError::UserMismatch.code(),
        AuthError::UnknownTransaction.code(),
        AuthError::TransactionExpired.code(),
    ];
    assert_eq!(
        codes,
        [
            "missing_state",
            "missing_code",
            "session_expired",
            "user_mismatch",
            "unknown_transaction",
            "transaction_expired"
        ]
    );
}

#[test]
fn a_failed_id_token_check_or_another_user_ends_the_session() {
    for error in [
        AuthError::SessionExpired,
        AuthError::IdTokenRejected { reason: "x".into() },
        AuthError::UserMismatch,
    ] {
        assert!(error.ends_session(), "{error:?}");
    }
}

#[test]
fn oauth_error_codes_are_parsed_once_and_keep_their_spelling() {
    for code in [
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "unsupported_response_type",
        "invalid_scope",
        "access_denied",
        "server_error",
        "temporarily_unavailable",
        "login_required",
        "consent_required",
        "interaction_required",
        "account_selection_required",
    ] {
        let parsed = OAuthErrorCode::parse(code);
        assert!(!matches!(parsed, OAuthErrorCode::Other(_)), "{code}");
        assert_eq!(parsed.as_str(), code);
    }
    assert_eq!(
        OAuthErrorCode::parse("slow_down\u{7}"),
        OAuthErrorCode::Other("slow_down".into())
    );
    assert_eq!(
        OAuthErrorCode::from("invalid_grant"),
        OAuthErrorCode::InvalidGrant
    );
}

#[test]
fn display_names_the_code_and_the_facts() {
    let error = AuthError::TokenRejected {
        status: 400,
        error: "invalid_grant".into(),
        description: Some("code expired".into()),
    };
    assert_eq!(
        error.to_string(),
        "token_rejected (invalid_grant, HTTP 400)"
    );
    assert_eq!(AuthError::MissingState.to_string(), "missing_state");
}

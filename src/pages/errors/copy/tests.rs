use super::*;

/// The copy the end-to-end tests see: the sandbox's provider is a Genesys one.
trait GenesysCopy {
    fn genesys_copy(&self) -> ErrorCopy;
}

impl GenesysCopy for AuthError {
    fn genesys_copy(&self) -> ErrorCopy {
        error_copy(self, Console::Genesys)
    }
}

#[test]
fn every_variant_has_a_title_cause_and_remedy() {
    let all = [
        AuthError::BrowserUnsupported {
            missing: "sessionStorage",
        },
        AuthError::UnknownProvider { id: "x".into() },
        AuthError::MissingState,
        AuthError::UnknownTransaction,
        AuthError::TransactionExpired,
        AuthError::IssuerMismatch {
            expected: "https://a".into(),
            received: Some("https://b".into()),
        },
        AuthError::AuthorizationDenied {
            error: "access_denied".into(),
            description: None,
        },
        AuthError::MissingCode,
        AuthError::TokenRejected {
            status: 400,
            error: "invalid_grant".into(),
            description: None,
        },
        AuthError::UnexpectedResponse {
            endpoint: Endpoint::Token,
            status: 502,
            content_type: Some("text/html".into()),
        },
        AuthError::MalformedResponse {
            endpoint: Endpoint::Token,
            reason: "no access_token".into(),
        },
        AuthError::ResponseTooLarge {
            endpoint: Endpoint::Token,
            limit: 65536,
        },
        AuthError::Network {
            endpoint: Endpoint::Token,
        },
        AuthError::SessionExpired,
        AuthError::Forbidden { message: None },
        AuthError::RateLimited {
            retry_after_secs: Some(3),
        },
        AuthError::ApiFailed {
            status: 500,
            message: None,
        },
        AuthError::DiscoveryFailed {
            issuer: "https://x".into(),
            reason: "no issuer".into(),
        },
        AuthError::IdTokenRejected {
            reason: "nonce".into(),
        },
        AuthError::UserMismatch,
    ];
    for error in all {
        let shown = error.genesys_copy();
        assert!(
            !shown.title.is_empty()
                && !shown.what_happened.is_empty()
                && !shown.what_to_do.is_empty(),
            "{error:?}"
        );
        assert!(error.to_string().contains(error.code()));
    }
}

#[test]
fn configuration_errors_name_the_admin_setting() {
    for error in [
        "invalid_request",
        "unauthorized_client",
        "unsupported_response_type",
        "invalid_scope",
    ] {
        let shown = AuthError::AuthorizationDenied {
            error: error.into(),
            description: None,
        }
        .genesys_copy();
        assert!(shown.configuration_problem, "{error}");
        assert!(shown.what_to_do.contains("Admin > Integrations > OAuth"));
    }
    let shown = AuthError::TokenRejected {
        status: 401,
        error: "invalid_client".into(),
        description: None,
    }
    .genesys_copy();
    assert!(shown.configuration_problem && shown.what_to_do.contains("client_id"));
    let cancelled = AuthError::AuthorizationDenied {
        error: "access_denied".into(),
        description: None,
    }
    .genesys_copy();
    assert!(!cancelled.configuration_problem && cancelled.offer_sign_in);
}

/// The copy is plain text, handed to the view as it is: the view escapes it (a
/// Leptos text node; end2end signin.spec.ts e2 checks that no markup runs). Escaping here
/// as well would show the agent `&lt;`; dropping or reshaping it would hide what the
/// provider said. So: exactly the provider's words, quoted, control characters removed.
#[test]
fn provider_description_is_kept_as_plain_text() {
    let markup = "<img src=x onerror=alert(1)><script>alert(1)</script>";
    let error = AuthError::AuthorizationDenied {
        error: "access_denied".into(),
        description: Some(format!("{markup}\u{7}\n")),
    };
    assert_eq!(
        error.genesys_copy().what_happened,
        format!(
            "The sign-in did not complete (access_denied). \
             The provider said: \u{201c}{markup}\u{201d}"
        )
    );
}

#[test]
fn endpoints_are_named_for_people() {
    for (endpoint, name) in [
        (Endpoint::Token, "the sign-in service's token endpoint"),
        (Endpoint::CurrentUser, "the user profile API"),
        (Endpoint::Api, "the provider's API"),
        (Endpoint::Discovery, "the provider's discovery document"),
        (Endpoint::TenantLookup, "CXone's tenant lookup"),
    ] {
        assert_eq!(endpoint.describe(), name);
        let shown = AuthError::Network { endpoint }.genesys_copy();
        assert!(
            shown.what_happened.starts_with(&capitalise(name)),
            "{shown:?}"
        );
    }
}

#[test]
fn interactive_and_temporary_authorize_errors_are_not_configuration_problems() {
    let denied = |error: &str| {
        AuthError::AuthorizationDenied {
            error: error.into(),
            description: None,
        }
        .genesys_copy()
    };
    for error in [
        "login_required",
        "consent_required",
        "interaction_required",
        "account_selection_required",
    ] {
        let shown = denied(error);
        assert!(
            !shown.configuration_problem && shown.offer_sign_in,
            "{error}"
        );
        assert!(
            shown.what_happened.contains("interactive sign-in"),
            "{error}"
        );
    }
    for error in ["server_error", "temporarily_unavailable"] {
        let shown = denied(error);
        assert!(!shown.configuration_problem, "{error}");
        assert!(shown.what_happened.contains("temporary problem"), "{error}");
    }
    assert!(denied("invalid_scope").configuration_problem);
}

#[test]
fn a_refused_code_or_session_is_not_a_configuration_problem() {
    let rejected = |description: Option<&str>| {
        AuthError::TokenRejected {
            status: 400,
            error: "invalid_grant".into(),
            description: description.map(str::to_owned),
        }
        .genesys_copy()
    };
    let shown = rejected(Some("code expired"));
    assert!(!shown.configuration_problem && shown.offer_sign_in);
    assert!(shown.what_happened.contains("(invalid_grant, HTTP 400)"));
    // invalid_grant has its own explanation, not the generic "answered with an error".
    assert!(shown.what_happened.contains("already used"), "{shown:?}");
    assert!(shown
        .what_happened
        .ends_with(" The provider said: \u{201c}code expired\u{201d}"));
    assert!(!rejected(Some("  ")).what_happened.contains("provider said"));
    assert!(!rejected(None).what_happened.contains("provider said"));
}

/// An administrator is sent to the console of the provider that failed, never to another's.
#[test]
fn admin_hints_name_the_failing_providers_console() {
    let refused = AuthError::TokenRejected {
        status: 401,
        error: "invalid_client".into(),
        description: None,
    };
    let denied = AuthError::AuthorizationDenied {
        error: "invalid_scope".into(),
        description: None,
    };
    for error in [&refused, &denied] {
        let genesys = error_copy(error, Console::Genesys).what_to_do;
        assert!(
            genesys.contains("Admin > Integrations > OAuth"),
            "{genesys}"
        );
        let cxone = error_copy(error, Console::Cxone).what_to_do;
        assert!(
            cxone.contains("In NICE CXone") && !cxone.contains("Genesys"),
            "{cxone}"
        );
        for console in [Console::Oidc, Console::Unknown] {
            let generic = error_copy(error, console).what_to_do;
            assert!(
                generic.contains("the provider's client registration")
                    && !generic.contains("Genesys")
                    && !generic.contains("CXone"),
                "{generic}"
            );
        }
    }
    let forbidden = AuthError::Forbidden { message: None };
    assert!(error_copy(&forbidden, Console::Genesys)
        .what_to_do
        .contains("in Genesys Cloud"));
    assert!(!error_copy(&forbidden, Console::Oidc)
        .what_to_do
        .contains("Genesys"));
}

#[test]
fn the_provider_is_quoted_the_same_way_everywhere() {
    let said = " The provider said: \u{201c}why\u{201d}";
    for error in [
        AuthError::AuthorizationDenied {
            error: "server_error".into(),
            description: Some("why".into()),
        },
        AuthError::TokenRejected {
            status: 400,
            error: "invalid_client".into(),
            description: Some("why\n".into()),
        },
        AuthError::Forbidden {
            message: Some("why".into()),
        },
    ] {
        let shown = error.genesys_copy();
        assert!(shown.what_happened.ends_with(said), "{shown:?}");
    }
}

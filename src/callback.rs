//! Step 2: the redirect back to `/callback`, checked in the order careful clients use:
//! state and transaction first, then `iss`, only then `error`, and finally the code.

use crate::authorize::LoginTransaction;
use crate::error::AuthError;
use crate::query;
use crate::secret::AuthorizationCode;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackParams {
    pub state: Option<String>,
    pub code: Option<AuthorizationCode>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

impl CallbackParams {
    /// Whether the URL carries an authorization response at all (a reload after success does not).
    pub fn is_empty(&self) -> bool {
        self.state.is_none() && self.code.is_none() && self.error.is_none() && self.iss.is_none()
    }
}

/// Reads the authorization response from the callback URL's query string.
pub fn parse_callback(query_string: &str) -> CallbackParams {
    let pairs = query::parse(query_string);
    let get = |name: &str| query::first(&pairs, name).map(str::to_owned);
    CallbackParams {
        state: get("state"),
        code: get("code").map(AuthorizationCode::new),
        iss: get("iss"),
        error: get("error"),
        // RFC 6749's name first; CXone's error redirect is undocumented, so its API's camel
        // case and Genesys' `description` are read too.
        error_description: crate::error::ERROR_DESCRIPTION_FIELDS
            .iter()
            .find_map(|name| get(name).filter(|text| !text.trim().is_empty())),
    }
}

/// A code that may be exchanged, with the transaction it belongs to.
#[derive(Debug)]
pub struct AuthorizedCode {
    pub code: AuthorizationCode,
    pub transaction: LoginTransaction,
}

/// Checks the response against the transaction that `state` named (already removed from
/// storage by the caller, so it cannot be used twice).
pub fn check_callback(
    params: CallbackParams,
    transaction: Option<LoginTransaction>,
    now_ms: u64,
) -> Result<AuthorizedCode, AuthError> {
    if params.state.is_none() {
        return Err(AuthError::MissingState);
    }
    let transaction = transaction.ok_or(AuthError::UnknownTransaction)?;
    if params.state.as_deref() != Some(transaction.state.as_str()) {
        return Err(AuthError::UnknownTransaction);
    }
    if transaction.is_expired(now_ms) {
        return Err(AuthError::TransactionExpired);
    }
    let issuer = &transaction.endpoints.issuer;
    match params.iss.as_deref() {
        Some(iss) if issuer != iss => {
            return Err(AuthError::IssuerMismatch {
                expected: issuer.to_string(),
                received: Some(iss.to_owned()),
            })
        }
        None if transaction.endpoints.iss_required => {
            return Err(AuthError::IssuerMismatch {
                expected: issuer.to_string(),
                received: None,
            })
        }
        _ => {}
    }
    if let Some(error) = params.error {
        return Err(AuthError::AuthorizationDenied {
            error: error.into(),
            description: params.error_description,
        });
    }
    match params.code {
        Some(code) if !code.is_empty() => Ok(AuthorizedCode { code, transaction }),
        _ => Err(AuthError::MissingCode),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transaction() -> LoginTransaction {
        LoginTransaction {
            state: "s1".into(),
            verifier: crate::secret::PkceVerifier::new("v"),
            nonce: None,
            provider_id: "p".into(),
            endpoints: crate::provider::genesys_endpoints(
                crate::provider::genesys_region("mypurecloud.com").unwrap(),
                Some("https://login.example"),
                None,
            ),
            client_id: "c".into(),
            redirect_uri: "https://app/callback".into(),
            return_to: "/dashboard".into(),
            created_at_ms: 1_000,
        }
    }

    fn access_denied(description: &str) -> AuthError {
        AuthError::AuthorizationDenied {
            error: "access_denied".into(),
            description: Some(description.into()),
        }
    }

    fn check(
        query_string: &str,
        tx: Option<LoginTransaction>,
    ) -> Result<AuthorizedCode, AuthError> {
        check_callback(parse_callback(query_string), tx, 2_000)
    }

    #[test]
    fn accepts_a_matching_response() {
        let ok = check("?code=abc&state=s1", Some(transaction())).unwrap();
        assert_eq!(ok.code.expose(), "abc");
        assert_eq!(
            ok.transaction.endpoints.token,
            "https://login.example/oauth/token"
        );
    }

    #[test]
    fn state_problems_come_first() {
        let cases = [
            ("?code=abc", true, AuthError::MissingState),
            ("?code=abc&state=s1", false, AuthError::UnknownTransaction),
            ("?code=abc&state=other", true, AuthError::UnknownTransaction),
            // Even an error response is not believed without a matching state.
            (
                "?error=access_denied&state=forged",
                false,
                AuthError::UnknownTransaction,
            ),
        ];
        for (query_string, started, expected) in cases {
            let tx = started.then(transaction);
            assert_eq!(
                check(query_string, tx).unwrap_err(),
                expected,
                "{query_string}"
            );
        }
    }

    #[test]
    fn expired_transaction_is_refused() {
        let mut tx = transaction();
        tx.created_at_ms = 0;
        let result = check_callback(parse_callback("?code=a&state=s1"), Some(tx), 11 * 60 * 1000);
        assert_eq!(result.unwrap_err(), AuthError::TransactionExpired);
    }

    #[test]
    fn issuer_is_checked_before_error_and_code() {
        let wrong = check(
            "?code=a&state=s1&iss=https%3A%2F%2Fevil.example",
            Some(transaction()),
        )
        .unwrap_err();
        assert!(matches!(
            wrong,
            AuthError::IssuerMismatch { received: Some(ref r), .. } if r == "https://evil.example"
        ));
        let wrong_with_error = check(
            "?error=access_denied&state=s1&iss=https://evil",
            Some(transaction()),
        )
        .unwrap_err();
        assert!(matches!(wrong_with_error, AuthError::IssuerMismatch { .. }));
        assert!(check(
            "?code=a&state=s1&iss=https%3A%2F%2Flogin.example",
            Some(transaction())
        )
        .is_ok());
        let mut required = transaction();
        required.endpoints.iss_required = true;
        assert!(matches!(
            check("?code=a&state=s1", Some(required)).unwrap_err(),
            AuthError::IssuerMismatch { received: None, .. }
        ));
    }

    #[test]
    fn provider_error_is_reported_with_its_description() {
        let error = check(
            "?error=access_denied&error_description=%3Cscript%3Ex%3C%2Fscript%3E&state=s1",
            Some(transaction()),
        )
        .unwrap_err();
        assert_eq!(error, access_denied("<script>x</script>"));
    }

    #[test]
    fn missing_or_empty_code_is_refused() {
        assert_eq!(
            check("?state=s1", Some(transaction())).unwrap_err(),
            AuthError::MissingCode
        );
        assert_eq!(
            check("?state=s1&code=", Some(transaction())).unwrap_err(),
            AuthError::MissingCode
        );
    }

    #[test]
    fn knows_an_empty_callback() {
        assert!(parse_callback("").is_empty());
        assert!(!parse_callback("?state=x").is_empty());
    }

    #[test]
    fn error_description_is_read_in_each_providers_spelling() {
        for name in ["error_description", "errorDescription", "description"] {
            let error = check(
                &format!("?error=access_denied&{name}=Nope%20%3Ci%3E&state=s1"),
                Some(transaction()),
            )
            .unwrap_err();
            assert_eq!(error, access_denied("Nope <i>"), "{name}");
        }
    }

    #[test]
    fn genesys_iss_is_checked_when_present_but_never_required() {
        // No evidence that Genesys Cloud sends `iss` (RFC 9207) in its authorization response.
        let genesys = || {
            let mut tx = transaction();
            tx.endpoints = crate::provider::genesys_endpoints(
                crate::provider::genesys_region("mypurecloud.ie").unwrap(),
                None,
                None,
            );
            tx
        };
        assert!(!genesys().endpoints.iss_required);
        assert!(
            check("?code=a&state=s1", Some(genesys())).is_ok(),
            "absent: accepted"
        );
        assert!(
            check(
                "?code=a&state=s1&iss=https%3A%2F%2Flogin.mypurecloud.ie",
                Some(genesys())
            )
            .is_ok(),
            "present and right: accepted"
        );
        assert_eq!(
            check(
                "?code=a&state=s1&iss=https%3A%2F%2Flogin.mypurecloud.com",
                Some(genesys())
            )
            .unwrap_err(),
            AuthError::IssuerMismatch {
                expected: "https://login.mypurecloud.ie".into(),
                received: Some("https://login.mypurecloud.com".into()),
            },
            "present and wrong (another region): refused"
        );
    }

    /// Any one of the four response parameters makes it a callback to handle (a reload after
    /// success carries none of them).
    #[test]
    fn any_response_parameter_alone_makes_a_callback() {
        for query_string in ["?state=x", "?code=x", "?error=x", "?iss=x"] {
            assert!(!parse_callback(query_string).is_empty(), "{query_string}");
        }
        assert!(parse_callback("?other=1&error_description=x").is_empty());
    }
}

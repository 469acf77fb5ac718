//! Strings that must never be printed: tokens, codes, verifiers, one type per kind.
//!
//! The value is reachable only through `expose()`, so a leak into a log or an error message
//! needs a deliberate call, and `Debug`/`Display` print `Name([redacted])`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Defines a string newtype that never prints its value: `Debug` and `Display` both show
/// `Name([redacted])`, and the value is reachable only through `expose()`. One type per kind
/// of credential, so a refresh token cannot be passed where a code is expected (the pattern of
/// oauth2-rs' `new_secret_type!` in its `types.rs`). Serialized as the plain string
/// (`serde(transparent)`), so stored sessions and transactions keep their JSON shape.
/// `Clone` is opt-in through the attributes: a PKCE verifier is used once and is not cloned.
macro_rules! new_secret_type {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        #[derive(PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The raw value, for the one place that must send it (a form body or a header).
            pub fn expose(&self) -> &str {
                &self.0
            }

            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self, f)
            }
        }
    };
}

new_secret_type!(
    /// Any other secret string, such as a form body that carries a credential.
    #[derive(Clone)]
    Secret
);
new_secret_type!(
    /// RFC 6749 section 1.4: sent as a bearer token to the API.
    #[derive(Clone)]
    AccessToken
);
new_secret_type!(
    /// RFC 6749 section 1.5: sent only to the token endpoint it came from (and revocation).
    #[derive(Clone)]
    RefreshToken
);
new_secret_type!(
    /// RFC 6749 section 4.1.2: the single-use code from the callback URL.
    #[derive(Clone)]
    AuthorizationCode
);
new_secret_type!(
    /// OpenID Connect Core section 2: a JWT about the user, validated before use.
    #[derive(Clone)]
    IdToken
);
new_secret_type!(
    /// RFC 7636 `code_verifier`. Not `Clone`: it lives in the stored login transaction, is
    /// taken out of storage once and consumed by one code exchange.
    PkceVerifier
);

/// Test oracle for "never shown": whether `text` holds any run of `window` characters of
/// `secret`. Looking for the whole secret would miss a truncated or partly masked leak.
#[cfg(test)]
pub(crate) fn shows_part_of(text: &str, secret: &str, window: usize) -> bool {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .windows(window.min(chars.len()).max(1))
        .any(|part| text.contains(&part.iter().collect::<String>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("canary-7f3a");
        let shown = format!("{secret:?} {:?}", Some(secret.clone()));
        assert!(!shows_part_of(&shown, secret.expose(), 3), "{shown}");
        assert_eq!(
            format!("{secret:?}"),
            "Secret([redacted])",
            "says what it hides"
        );
        assert_eq!(secret.expose(), "canary-7f3a");
    }

    #[test]
    fn every_secret_type_prints_its_name_and_hides_the_value() {
        let value = "canary-5e9d";
        let shown = [
            (
                format!("{:?}", AccessToken::new(value)),
                "AccessToken([redacted])",
            ),
            (
                format!("{}", AccessToken::new(value)),
                "AccessToken([redacted])",
            ),
            (
                format!("{:?}", RefreshToken::new(value)),
                "RefreshToken([redacted])",
            ),
            (
                format!("{}", RefreshToken::new(value)),
                "RefreshToken([redacted])",
            ),
            (
                format!("{:?}", AuthorizationCode::new(value)),
                "AuthorizationCode([redacted])",
            ),
            (
                format!("{}", AuthorizationCode::new(value)),
                "AuthorizationCode([redacted])",
            ),
            (format!("{:?}", IdToken::new(value)), "IdToken([redacted])"),
            (format!("{}", IdToken::new(value)), "IdToken([redacted])"),
            (
                format!("{:?}", PkceVerifier::new(value)),
                "PkceVerifier([redacted])",
            ),
            (
                format!("{}", PkceVerifier::new(value)),
                "PkceVerifier([redacted])",
            ),
            (format!("{}", Secret::new(value)), "Secret([redacted])"),
        ];
        for (text, expected) in shown {
            assert_eq!(text, expected);
            assert!(!shows_part_of(&text, value, 3), "{text}");
        }
        assert_eq!(PkceVerifier::new(value).expose(), value);
    }

    #[test]
    fn typed_secrets_serialize_as_plain_strings() {
        let verifier: PkceVerifier = serde_json::from_str("\"v-1\"").unwrap();
        assert_eq!(serde_json::to_string(&verifier).unwrap(), "\"v-1\"");
        assert_eq!(
            serde_json::to_string(&AccessToken::new("a")).unwrap(),
            "\"a\""
        );
        assert_eq!(
            serde_json::to_string(&Some(RefreshToken::new("r"))).unwrap(),
            "\"r\""
        );
    }

    #[test]
    fn serializes_as_a_plain_string_for_storage() {
        let json = serde_json::to_string(&Secret::new("abc")).unwrap();
        assert_eq!(json, "\"abc\"");
        let back: Secret = serde_json::from_str(&json).unwrap();
        assert_eq!(back.expose(), "abc");
    }

    #[test]
    fn the_leak_oracle_finds_partial_leaks_only() {
        let secret = "eyJhbGciOiJSUzI1NiJ9.payload";
        assert!(shows_part_of("token=eyJhbGci…", secret, 8));
        assert!(shows_part_of("…OiJSUzI1…", secret, 8));
        assert!(!shows_part_of("eyJhbGc OiJSUzI", secret, 8));
        assert!(!shows_part_of("", secret, 8));
        assert!(
            shows_part_of("ab", "ab", 8),
            "a secret shorter than the window"
        );
    }
}

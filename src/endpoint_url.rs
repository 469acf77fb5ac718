//! One type per endpoint URL, so an `Endpoints` field cannot be filled with the wrong URL and
//! a token request cannot be sent to the revocation endpoint by a swapped argument (the
//! pattern of oauth2-rs' `new_url_type!` in its `types.rs`). URLs are not secrets: they print
//! as they are. Serialized as the plain string (`serde(transparent)`), so stored sessions,
//! transactions and cached discovery documents keep their JSON shape.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Deref;

macro_rules! new_url_type {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(url: impl Into<String>) -> Self {
                Self(url.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        /// Read as a `&str` where a URL is only sent or compared (`fetch`, query building).
        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(url: &str) -> Self {
                Self(url.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(url: String) -> Self {
                Self(url)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

new_url_type!(
    /// The authorization server's identifier (RFC 8414 `issuer`), compared with `iss`.
    IssuerUrl
);
new_url_type!(
    /// Where the browser is sent to sign in (RFC 6749 section 3.1).
    AuthUrl
);
new_url_type!(
    /// Where codes and refresh tokens are exchanged (RFC 6749 section 3.2).
    TokenUrl
);
new_url_type!(
    /// OpenID Connect userinfo.
    UserInfoUrl
);
new_url_type!(
    /// Where tokens are revoked (RFC 7009, or Genesys Cloud's `DELETE /api/v2/tokens/me`).
    RevocationUrl
);
new_url_type!(
    /// The provider's logout page (RP-Initiated Logout, or Genesys Cloud's `/logout`).
    EndSessionUrl
);
new_url_type!(
    /// Base URL for API calls, without a trailing slash.
    ApiBaseUrl
);
new_url_type!(
    /// The URL the signed-in user's record is loaded from.
    CurrentUserUrl
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_a_plain_string_and_prints_as_is() {
        let url = TokenUrl::new("https://login.example/oauth/token");
        assert_eq!(
            serde_json::to_string(&url).unwrap(),
            "\"https://login.example/oauth/token\""
        );
        assert_eq!(url.to_string(), "https://login.example/oauth/token");
        assert_eq!(url, "https://login.example/oauth/token");
        let back: TokenUrl = serde_json::from_str("\"x\"").unwrap();
        assert_eq!(back.as_str(), "x");
    }
}

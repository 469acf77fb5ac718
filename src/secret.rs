//! A string that must never be printed: tokens, codes, verifiers.
//!
//! The value is reachable only through [`Secret::expose`], so a leak into a log or an
//! error message needs a deliberate call, and `Debug` prints `[redacted]`.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
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

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

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

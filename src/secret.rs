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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("canary-7f3a");
        let shown = format!("{secret:?} {:?}", Some(secret.clone()));
        assert!(!shown.contains("canary"), "{shown}");
        assert_eq!(secret.expose(), "canary-7f3a");
    }

    #[test]
    fn serializes_as_a_plain_string_for_storage() {
        let json = serde_json::to_string(&Secret::new("abc")).unwrap();
        assert_eq!(json, "\"abc\"");
        let back: Secret = serde_json::from_str(&json).unwrap();
        assert_eq!(back.expose(), "abc");
    }
}

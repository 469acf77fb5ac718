//! PKCE (RFC 7636) checks, written independently of the app's own implementation
//! so the sandbox catches mistakes in it instead of sharing them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// RFC 7636 4.1: 43..=128 characters of the unreserved set.
pub fn is_valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len()) && verifier.bytes().all(is_unreserved)
}

/// An S256 challenge is BASE64URL-NOPAD of a 32-byte hash: exactly 43 base64url characters.
pub fn is_valid_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// BASE64URL-NOPAD(SHA256(ASCII(verifier))).
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// True if `verifier` is well formed and hashes to `challenge`.
pub fn verify_s256(verifier: &str, challenge: &str) -> bool {
    is_valid_verifier(verifier)
        && constant_time_eq(s256_challenge(verifier).as_bytes(), challenge.as_bytes())
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Avoids an early-exit comparison, out of habit for secret-derived values.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc7636_appendix_b_vector() {
        assert_eq!(s256_challenge(RFC_VERIFIER), RFC_CHALLENGE);
        assert!(verify_s256(RFC_VERIFIER, RFC_CHALLENGE));
    }

    #[test]
    fn mismatch_is_rejected() {
        let other = "eBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(is_valid_verifier(other));
        assert!(!verify_s256(other, RFC_CHALLENGE));
        // "plain" semantics must not pass: the challenge itself is not an accepted verifier.
        assert!(!verify_s256(RFC_CHALLENGE, RFC_CHALLENGE));
    }

    #[test]
    fn verifier_length_bounds() {
        assert!(!is_valid_verifier(&"a".repeat(42)));
        assert!(is_valid_verifier(&"a".repeat(43)));
        assert!(is_valid_verifier(&"a".repeat(128)));
        assert!(!is_valid_verifier(&"a".repeat(129)));
    }

    #[test]
    fn verifier_charset() {
        let ok = format!("{}-._~", "A9z".repeat(14));
        assert!(is_valid_verifier(&ok));
        for bad in ['+', '/', '=', ' ', '%', 'é'] {
            let v = format!("{}{bad}", "a".repeat(43));
            assert!(!is_valid_verifier(&v), "accepted {bad:?}");
        }
        // A verifier with a bad character is rejected even if its hash would match.
        let bad = format!("{}+", "a".repeat(43));
        assert!(!verify_s256(&bad, &s256_challenge(&bad)));
    }

    #[test]
    fn challenge_syntax() {
        assert!(is_valid_s256_challenge(RFC_CHALLENGE));
        assert!(!is_valid_s256_challenge(&RFC_CHALLENGE[..42]));
        assert!(!is_valid_s256_challenge(&format!("{RFC_CHALLENGE}A")));
        assert!(!is_valid_s256_challenge(&RFC_CHALLENGE.replace('-', "+")));
        assert!(!is_valid_s256_challenge(&format!(
            "{}=",
            &RFC_CHALLENGE[..42]
        )));
    }
}

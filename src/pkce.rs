//! PKCE (RFC 7636) with S256 only, plus the random `state` value.
//!
//! Randomness comes in as bytes so that this module stays pure and testable; the browser's
//! CSPRNG is read in `browser::random_bytes`.

use crate::secret::PkceVerifier;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Bytes of entropy behind the verifier, `state` and `nonce` (43 base64url characters).
pub const RANDOM_BYTES: usize = 32;

/// The only challenge method this client ever sends. `plain` is never a fallback.
pub const CHALLENGE_METHOD: &str = "S256";

/// base64url without padding, as RFC 7636 and RFC 6749 use it.
pub fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A verifier from 32 random bytes: 43 characters of the unreserved alphabet.
pub fn verifier_from_bytes(bytes: &[u8; RANDOM_BYTES]) -> PkceVerifier {
    PkceVerifier::new(base64url(bytes))
}

/// `BASE64URL(SHA256(ASCII(verifier)))`.
pub fn challenge_s256(verifier: &PkceVerifier) -> String {
    base64url(&Sha256::digest(verifier.expose().as_bytes()))
}

/// An opaque `state` value (also used for `nonce`): no personal data, only randomness.
pub fn state_from_bytes(bytes: &[u8; RANDOM_BYTES]) -> String {
    base64url(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            challenge_s256(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn rfc7636_appendix_b_verifier_comes_from_its_octets() {
        let octets: [u8; 32] = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        assert_eq!(
            verifier_from_bytes(&octets).expose(),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
    }

    #[test]
    fn generated_values_have_the_required_shape() {
        for seed in [0u8, 1, 127, 255] {
            let bytes = [seed; RANDOM_BYTES];
            let verifier = verifier_from_bytes(&bytes);
            assert_eq!(verifier.expose().len(), 43);
            assert!(verifier
                .expose()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            let challenge = challenge_s256(&verifier);
            assert_eq!(challenge.len(), 43);
            assert!(!challenge.contains('='));
            assert_eq!(state_from_bytes(&bytes).len(), 43);
        }
    }

    #[test]
    fn different_bytes_give_different_verifiers() {
        assert_ne!(
            verifier_from_bytes(&[1; RANDOM_BYTES]).expose(),
            verifier_from_bytes(&[2; RANDOM_BYTES]).expose()
        );
    }
}

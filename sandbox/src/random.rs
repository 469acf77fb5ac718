//! Unguessable values straight from the operating system's CSPRNG.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::TryRngCore;

fn bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // Without OS randomness every code and token would be guessable: better to stop.
    OsRng
        .try_fill_bytes(&mut buf)
        .expect("operating system randomness is unavailable");
    buf
}

/// 32 random bytes, base64url without padding (43 characters): codes and tokens.
pub fn token() -> String {
    URL_SAFE_NO_PAD.encode(bytes::<32>())
}

/// `n` random lowercase letters and digits, the shape of Genesys channel ids
/// ("streaming-2-aa5h48uk0srhpugh2994klj918") and of the sandbox's CXone session ids.
pub fn lower_alnum(n: usize) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(n);
    while out.len() < n {
        for b in bytes::<32>() {
            if out.len() == n {
                break;
            }
            out.push(ALPHABET[usize::from(b & 31)] as char);
        }
    }
    out
}

/// A random (version 4) UUID, the shape Genesys uses for contextId.
pub fn uuid_v4() -> String {
    let mut b = bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shape_and_uniqueness() {
        let a = token();
        assert_eq!(a.len(), 43);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(a, token());
    }

    #[test]
    fn lower_alnum_shape() {
        let id = lower_alnum(40);
        assert_eq!(id.len(), 40);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        assert_ne!(id, lower_alnum(40));
    }

    #[test]
    fn uuid_shape() {
        let u = uuid_v4();
        let parts: Vec<&str> = u.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
    }
}

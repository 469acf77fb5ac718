//! Percent-encoding for URLs and `application/x-www-form-urlencoded` bodies, and query parsing.
//!
//! Everything outside RFC 3986's unreserved set is encoded, which is valid in both a query
//! string and a form body (CXone client ids contain spaces and `@`).

/// Encodes one query or form component.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(hex_digit(byte >> 4));
            out.push(hex_digit(byte & 0x0f));
        }
    }
    out
}

/// Whether an id from an API or a token can stand as one path segment of a URL built from
/// it: [`encode`] keeps `.`, and a segment of `.` or `..` (or their `%2e` spellings, which
/// URL parsers treat alike) would move the request up the API's path. Empty ids name nothing.
pub fn is_path_segment(id: &str) -> bool {
    !matches!(id, "" | "." | "..")
}

fn hex_digit(nibble: u8) -> char {
    char::from(b"0123456789ABCDEF"[usize::from(nibble)])
}

/// `k1=v1&k2=v2`, each side encoded.
pub fn encode_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Appends encoded pairs to a URL that may already carry a query.
pub fn append_to_url(url: &str, pairs: &[(&str, &str)]) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{}", encode_pairs(pairs))
}

/// Decodes a query string (with or without its leading `?`) into pairs, in order.
/// `+` is a space; malformed escapes are kept literally; invalid UTF-8 is replaced.
pub fn parse(query: &str) -> Vec<(String, String)> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let query = query.split('#').next().unwrap_or_default();
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((key, value)) => (decode(key), decode(value)),
            None => (decode(part), String::new()),
        })
        .collect()
}

/// The first value of `name` in a parsed query.
pub fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

fn decode(component: &str) -> String {
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).and_then(hex_value),
                bytes.get(i + 2).and_then(hex_value),
            ) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(byte: &u8) -> Option<u8> {
    char::from(*byte).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved() {
        assert_eq!(encode("App Name@Vendor"), "App%20Name%40Vendor");
        assert_eq!(
            encode("http://127.0.0.1:8080/callback"),
            "http%3A%2F%2F127.0.0.1%3A8080%2Fcallback"
        );
        assert_eq!(encode("a-b.c_d~e"), "a-b.c_d~e");
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn round_trips_through_parse() {
        let raw = "x y&z=1/2?#é";
        let query = encode_pairs(&[("k", raw), ("empty", "")]);
        let pairs = parse(&query);
        assert_eq!(first(&pairs, "k"), Some(raw));
        assert_eq!(first(&pairs, "empty"), Some(""));
    }

    #[test]
    fn parses_plus_malformed_escapes_and_fragments() {
        let pairs = parse("?a=1+2&b=%zz&c=%4&d&e=%41#frag=x");
        assert_eq!(first(&pairs, "a"), Some("1 2"));
        assert_eq!(first(&pairs, "b"), Some("%zz"));
        assert_eq!(first(&pairs, "c"), Some("%4"));
        assert_eq!(first(&pairs, "d"), Some(""));
        assert_eq!(first(&pairs, "e"), Some("A"));
        assert_eq!(first(&pairs, "frag"), None);
    }

    #[test]
    fn appends_with_the_right_separator() {
        assert_eq!(
            append_to_url("https://x/a", &[("k", "v")]),
            "https://x/a?k=v"
        );
        assert_eq!(
            append_to_url("https://x/a?q=1", &[("k", "v")]),
            "https://x/a?q=1&k=v"
        );
    }
}

//! Where to go after sign-in: only ever one of the app's own landing routes, so the app can be
//! used neither as an open redirector (`//evil.example`, `https://evil.example`, `/\evil.example`,
//! `javascript:`) nor sent back into its own sign-in pages in a loop (`/callback/`,
//! `/CALLBACK`, `/%63allback`, `/dashboard/../callback`).
//!
//! An allowlist, not a normaliser: browsers and routers disagree on dot segments, trailing
//! slashes, case and percent-decoding, and every normaliser so far had a gap. A path is either
//! byte for byte a route listed here, or it is replaced by the dashboard.

/// Where a sign-in lands when no (acceptable) return path was given.
pub const DEFAULT_RETURN_PATH: &str = "/dashboard";

/// The routes of `app.rs` that a sign-in may land on. `/login` and `/callback` are left out on
/// purpose: landing on them would start the sign-in again.
const LANDING_ROUTES: [&str; 2] = ["/", "/dashboard"];

const MAX_RETURN_PATH_LEN: usize = 512;

/// `candidate` if it is a landing route of this app (with a safe query and fragment), else the
/// dashboard.
pub fn safe_return_path(candidate: Option<&str>) -> String {
    candidate.map_or_else(|| DEFAULT_RETURN_PATH.to_owned(), landing_path)
}

/// The path to navigate to after a sign-in whose transaction said `raw`: `raw` itself if it is
/// one of the app's landing routes followed by a safe query and fragment, else the dashboard.
/// Call it again where the value is used, not only where it was stored: storage is writable by
/// anything on the origin.
pub fn landing_path(raw: &str) -> String {
    if is_landing_path(raw) {
        raw.to_owned()
    } else {
        DEFAULT_RETURN_PATH.to_owned()
    }
}

fn is_landing_path(raw: &str) -> bool {
    let split = raw.find(['?', '#']).unwrap_or(raw.len());
    let (route, rest) = raw.split_at(split);
    raw.len() <= MAX_RETURN_PATH_LEN
        && LANDING_ROUTES.contains(&route)
        && rest.bytes().all(is_safe_suffix_byte)
}

/// The query and fragment may hold printable ASCII except characters that browsers rewrite or
/// that some tool may read as a separator or markup: `\` (a slash to WHATWG URL parsers),
/// space, `"`, `<`, `>` and backtick. No control characters, no non-ASCII.
fn is_safe_suffix_byte(byte: u8) -> bool {
    byte.is_ascii_graphic() && !matches!(byte, b'\\' | b'"' | b'<' | b'>' | b'`')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_landing_routes_with_their_query_and_fragment() {
        for path in [
            "/dashboard",
            "/dashboard?tab=2#top",
            "/dashboard?q=a%2Fb&x=~!$'()*+,;=:@/?",
            "/",
            "/?next=1",
            "/#section",
        ] {
            assert_eq!(landing_path(path), path);
            assert_eq!(safe_return_path(Some(path)), path);
        }
    }

    #[test]
    fn refuses_everything_that_could_leave_the_origin() {
        for attack in [
            "//evil.example",
            "//evil.example/dashboard",
            "https://evil.example/",
            "https://evil.example/dashboard",
            "http:evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "\\/evil.example",
            "javascript:alert(1)",
            "/dashboard\\..\\..\\evil",
            " /dashboard",
            "/dashboard ",
            "\t/dashboard",
            "/dash\nboard",
            "/dashboard\r\n",
            "/dashboard\u{0}",
            "",
        ] {
            assert_eq!(landing_path(attack), DEFAULT_RETURN_PATH, "{attack:?}");
        }
        assert_eq!(safe_return_path(None), DEFAULT_RETURN_PATH);
    }

    #[test]
    fn refuses_every_spelling_of_the_sign_in_pages() {
        for loop_back in [
            "/login",
            "/login?return_to=/dashboard",
            "/callback",
            "/callback/",
            "/callback?code=x",
            "/callback/?code=x",
            "/callback#x",
            "/dashboard/../callback",
            "/dashboard/./../callback?code=x",
            "/./callback",
            "/%2e%2e/callback",
            "/dashboard/%2e%2e/callback",
            "/dashboard/%2E%2E/callback",
            "/CALLBACK",
            "/Callback",
            "/LOGIN",
            "/%63allback",
            "/%6C%6F%67%69%6E",
            "/callback%2F",
            "/callback;x",
            "/dashboard/",
            "/dashboard/x",
            "/dashboard%3Fx",
            "/dashboard\\..\\callback",
            "//callback",
        ] {
            assert_eq!(
                landing_path(loop_back),
                DEFAULT_RETURN_PATH,
                "{loop_back:?}"
            );
        }
    }

    #[test]
    fn the_query_and_fragment_must_be_plain_printable_ascii() {
        for unsafe_suffix in [
            "/dashboard?a=\\evil",
            "/dashboard?a=<script>",
            "/dashboard?a=\"x\"",
            "/dashboard#`x`",
            "/dashboard? x",
            "/dashboard?\u{7f}",
            "/dashboard?é",
            "/dashboard#\u{2028}",
        ] {
            assert_eq!(
                landing_path(unsafe_suffix),
                DEFAULT_RETURN_PATH,
                "{unsafe_suffix:?}"
            );
        }
    }

    #[test]
    fn length_is_capped() {
        let at_cap = format!("/dashboard?{}", "a".repeat(MAX_RETURN_PATH_LEN - 11));
        assert_eq!(at_cap.len(), MAX_RETURN_PATH_LEN);
        assert_eq!(landing_path(&at_cap), at_cap);
        let over = format!("{at_cap}a");
        assert_eq!(landing_path(&over), DEFAULT_RETURN_PATH);
    }
}

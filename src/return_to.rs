//! Where to go after sign-in: only ever a path on this origin, so the app cannot be used as an
//! open redirector (`//evil.example`, `https://evil.example`, `/\evil.example`, `javascript:`).

/// Where a sign-in lands when no (acceptable) return path was given.
pub const DEFAULT_RETURN_PATH: &str = "/dashboard";

const MAX_RETURN_PATH_LEN: usize = 512;

/// `candidate` if it is a same-origin path worth returning to, else the dashboard.
pub fn safe_return_path(candidate: Option<&str>) -> String {
    match candidate {
        Some(path) if is_safe_return_path(path) => path.to_owned(),
        _ => DEFAULT_RETURN_PATH.to_owned(),
    }
}

fn is_safe_return_path(path: &str) -> bool {
    let route = path.split(['?', '#']).next().unwrap_or_default();
    path.len() <= MAX_RETURN_PATH_LEN
        && path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        // Returning to the sign-in pages themselves would loop.
        && !matches!(route, "/login" | "/callback")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_same_origin_paths() {
        for path in ["/dashboard", "/dashboard?tab=2#top", "/", "/a/b%2F%2Fc"] {
            assert_eq!(safe_return_path(Some(path)), path);
        }
    }

    #[test]
    fn refuses_everything_that_could_leave_the_origin_or_loop() {
        for attack in [
            "//evil.example",
            "https://evil.example/",
            "http:evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            " /dashboard",
            "/dash\nboard",
            "/login",
            "/callback?code=x",
            "",
        ] {
            assert_eq!(
                safe_return_path(Some(attack)),
                DEFAULT_RETURN_PATH,
                "{attack:?}"
            );
        }
        assert_eq!(
            safe_return_path(Some(&format!("/{}", "a".repeat(600)))),
            DEFAULT_RETURN_PATH
        );
        assert_eq!(safe_return_path(None), DEFAULT_RETURN_PATH);
    }
}

//! Small text helpers shared by error messages and views.

/// `"the token endpoint"` -> `"The token endpoint"`. ASCII only, on purpose: Rust's Unicode case
/// tables cost about 15 KB of gzipped wasm, and every string passed here is ASCII.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| {
            std::iter::once(first.to_ascii_uppercase())
                .chain(chars)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_cases_the_first_letter_only() {
        assert_eq!(capitalise("off queue"), "Off queue");
        assert_eq!(capitalise("the API"), "The API");
        assert_eq!(capitalise(""), "");
        assert_eq!(capitalise("élan"), "élan", "non-ASCII is left as it is");
    }
}

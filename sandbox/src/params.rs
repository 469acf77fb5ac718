//! Reading `application/x-www-form-urlencoded` query strings and bodies, and
//! building redirect URLs with properly encoded query parameters.

use axum::http::{header, HeaderMap};

/// Decoded name/value pairs, in order, duplicates kept (so they can be rejected).
pub struct Params(Vec<(String, String)>);

/// A parameter that appeared more than once (RFC 6749 3.1 forbids it).
#[derive(Debug, PartialEq, Eq)]
pub struct Repeated(pub String);

impl Params {
    pub fn parse(input: &[u8]) -> Self {
        Self(form_urlencoded::parse(input).into_owned().collect())
    }

    pub fn from_query(query: Option<&str>) -> Self {
        Self::parse(query.unwrap_or("").as_bytes())
    }

    /// The parameter's value; an empty value counts as absent (RFC 6749 3.1).
    pub fn single(&self, name: &str) -> Result<Option<&str>, Repeated> {
        let mut found = self.0.iter().filter(|(n, v)| n == name && !v.is_empty());
        let first = found.next().map(|(_, v)| v.as_str());
        if found.next().is_some() {
            return Err(Repeated(name.to_string()));
        }
        Ok(first)
    }

    /// Every value of a parameter that may repeat (e.g. `expand`).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// True if the request body is declared as a URL-encoded form (parameters like
/// `charset` allowed, media type compared case-insensitively).
pub fn is_form_urlencoded(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            mime.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// Appends percent-encoded parameters to `base`, keeping any query it already has.
pub fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    let query = serializer.finish();
    let separator = match base.find('?') {
        None => "?",
        Some(_) if base.ends_with('?') || base.ends_with('&') => "",
        Some(_) => "&",
    };
    format!("{base}{separator}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn single_all_and_repeats() {
        let p = Params::parse(b"a=1&b=&c=x%20y+z&d=1&d=2&e=3");
        assert_eq!(p.single("a"), Ok(Some("1")));
        assert_eq!(p.single("b"), Ok(None));
        assert_eq!(p.single("c"), Ok(Some("x y z")));
        assert_eq!(p.single("missing"), Ok(None));
        assert_eq!(p.single("d"), Err(Repeated("d".into())));
        assert_eq!(p.all("d").collect::<Vec<_>>(), ["1", "2"]);
    }

    #[test]
    fn query_building() {
        assert_eq!(
            with_query("http://h/cb", &[("code", "a b&c")]),
            "http://h/cb?code=a+b%26c"
        );
        assert_eq!(
            with_query("http://h/cb?x=1", &[("s", "é")]),
            "http://h/cb?x=1&s=%C3%A9"
        );
        assert_eq!(
            with_query("http://h/cb?", &[("a", "1"), ("b", "2")]),
            "http://h/cb?a=1&b=2"
        );
    }

    #[test]
    fn content_type_detection() {
        let mut h = HeaderMap::new();
        assert!(!is_form_urlencoded(&h));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
        );
        assert!(is_form_urlencoded(&h));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        assert!(!is_form_urlencoded(&h));
    }
}

//! Property-based fuzzing of everything that parses outside input: whatever arrives in a
//! callback URL, a token response, a discovery document, a JWT or config.json, the parsers
//! answer with a value or a typed error, never a panic.

use pkce_desk::callback::{check_callback, parse_callback};
use pkce_desk::config::parse_config;
use pkce_desk::discovery::{cxone_api_base, endpoints_from_discovery};
use pkce_desk::id_token::{decode_claims, validate_id_token, Expected};
use pkce_desk::provider::UserSource;
use pkce_desk::query;
use pkce_desk::reply::HttpReply;
use pkce_desk::return_to::safe_return_path;
use pkce_desk::secret::IdToken;
use pkce_desk::token::{lifetime_secs, parse_token_response};
use pkce_desk::user::{parse_cxone_user, parse_genesys_user, parse_userinfo};
use proptest::prelude::*;

fn reply(status: u16, content_type: Option<String>, body: String) -> HttpReply {
    HttpReply {
        status,
        content_type,
        retry_after: None,
        body,
    }
}

/// Bodies that are often JSON-ish, sometimes garbage.
fn bodies() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\{[\"a-z_:, 0-9\\[\\]\\{\\}.-]{0,200}\\}",
        (any::<String>(), any::<i64>(), any::<String>()).prop_map(|(token, expires, kind)| {
            serde_json::json!({"access_token": token, "expires_in": expires, "token_type": kind})
                .to_string()
        }),
    ]
}

fn content_types() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("application/json".to_string())),
        Just(Some("text/html".to_string())),
        any::<String>().prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn callback_query_never_panics(query_string in any::<String>(), now in any::<u64>()) {
        let params = parse_callback(&query_string);
        // With no transaction to match, nothing is ever accepted.
        prop_assert!(check_callback(params, None, now).is_err());
        let _ = query::parse(&query_string);
    }

    #[test]
    fn percent_encoding_round_trips(value in any::<String>()) {
        let encoded = query::encode_pairs(&[("k", &value)]);
        let decoded = query::parse(&encoded);
        prop_assert_eq!(query::first(&decoded, "k"), Some(value.as_str()));
    }

    #[test]
    fn token_responses_never_panic(
        status in 100u16..600,
        content_type in content_types(),
        body in bodies(),
        sent in any::<u64>(),
    ) {
        let reply = reply(status, content_type, body);
        if let Ok(tokens) = parse_token_response(&reply, sent) {
            prop_assert!(!tokens.access_token.is_empty());
            prop_assert!(reply.is_success());
        }
    }

    #[test]
    fn expires_in_is_never_zero(value in prop_oneof![
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::from),
    ]) {
        if let Some(secs) = lifetime_secs(Some(&value)) {
            prop_assert!((1..=pkce_desk::token::MAX_LIFETIME_SECS).contains(&secs));
        }
    }

    #[test]
    fn discovery_documents_never_panic(
        content_type in content_types(),
        body in bodies(),
        issuer in any::<String>(),
    ) {
        let reply = reply(200, content_type, body);
        let _ = endpoints_from_discovery(&reply, &issuer, UserSource::OidcUserinfo);
        let _ = cxone_api_base(&reply);
    }

    #[test]
    fn jwts_never_panic(
        header in any::<Vec<u8>>(),
        payload in bodies(),
        signature in any::<String>(),
        now in any::<u64>(),
    ) {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        const RS256_HEADER: &[u8] = br#"{"alg":"RS256"}"#;
        for token in [
            format!("{}.{}.{signature}", engine.encode(&header), engine.encode(payload.as_bytes())),
            format!("{}.{}.s", engine.encode(RS256_HEADER), engine.encode(payload.as_bytes())),
            payload.clone(),
        ] {
            let secret = IdToken::new(token);
            let _ = decode_claims(&secret);
            let expected = Expected {
                issuer: "https://issuer.example",
                client_id: "c",
                nonce: Some("n"),
            };
            let result = validate_id_token(&secret, &expected, now);
            prop_assert!(result.is_err() || payload.contains("issuer.example"));
        }
    }

    #[test]
    fn user_records_never_panic(status in 100u16..600, body in bodies()) {
        let reply = reply(status, Some("application/json".into()), body);
        let _ = parse_genesys_user(&reply);
        let _ = parse_cxone_user(&reply, Some("tenant"));
        let _ = parse_userinfo(&reply, Some("sub"));
    }

    #[test]
    fn config_files_never_panic(body in bodies()) {
        let _ = parse_config(&body);
    }

    /// The oracle is the `url` crate (a WHATWG URL parser, as in browsers), not the allowlist
    /// itself: wherever the browser would really go from the callback page must be this
    /// origin, and a route that is not a sign-in page under any spelling the router might
    /// accept (case, trailing slash, dot segments, percent-encoding).
    #[test]
    fn return_paths_stay_on_this_origin_and_off_the_sign_in_pages(
        prefix in prop::sample::select(RETURN_PATH_PREFIXES.to_vec()),
        tail in prop_oneof![any::<String>(), "[/?#.%a-fA-F0-9\\\\:@]{0,12}"],
    ) {
        let candidate = format!("{prefix}{tail}");
        let landing = safe_return_path(Some(&candidate));
        let base = url::Url::parse("https://app.example/callback?code=c&state=s").unwrap();
        let target = base.join(&landing).unwrap();
        prop_assert_eq!(target.origin(), base.origin(), "{:?} -> {:?}", candidate, landing);
        let route = percent_decoded(target.path()).to_ascii_lowercase();
        let route = route.trim_end_matches('/');
        prop_assert!(
            !route.ends_with("/callback") && !route.ends_with("/login"),
            "{:?} -> {:?}",
            candidate,
            landing
        );
        prop_assert!(!landing.chars().any(char::is_control), "{:?}", landing);
    }
}

/// Starts of candidate return paths: attacks and near misses, so that the random tails land on
/// interesting inputs more often than `any::<String>()` alone would.
const RETURN_PATH_PREFIXES: [&str; 16] = [
    "",
    "/",
    "/dashboard",
    "/dashboard?",
    "/dashboard#",
    "/dashboard/../",
    "/callback",
    "/CALLBACK",
    "/%63allback",
    "/login",
    "//",
    "/\\",
    "\\",
    "https://evil.example",
    "javascript:",
    "/%2e%2e/",
];

/// Percent-decoding written out here so that the oracle shares no code with the app.
fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

//! Tests of `config/mod.rs`.

use super::*;

const SANDBOX: &str = r#"{ "token_storage": "session",
    "providers": [
      { "id": "sandbox-genesys", "label": "Genesys Cloud (sandbox)", "kind": "genesys",
        "region": "mypurecloud.com", "client_id": "pkce-desk-demo",
        "scopes": ["openid", "profile", "email", "users:readonly"],
        "login_base": "http://127.0.0.1:9090/", "api_base": "http://127.0.0.1:9090" } ] }"#;

pub(super) fn error_of(json: &str) -> ConfigError {
    parse_config(json).expect_err("config should be rejected")
}

#[test]
fn parses_the_documented_example() {
    let config = parse_config(SANDBOX).unwrap();
    assert_eq!(config.token_storage, TokenStorage::Session);
    let provider = config.provider("sandbox-genesys").unwrap();
    let ProviderKind::Genesys { endpoints, .. } = &provider.kind else {
        panic!("a Genesys provider")
    };
    assert_eq!(endpoints.token, "http://127.0.0.1:9090/oauth/token");
    assert!(
        !provider.requests_openid(),
        "Genesys gets no scope parameter"
    );
    assert_eq!(provider.scopes.len(), 4);
    assert_eq!(provider.kind.region(), "mypurecloud.com (us_east_1)");
}

#[test]
fn storage_defaults_to_session_and_accepts_the_three_policies() {
    let minimal = r#"{"providers":[{"id":"g","label":"G","kind":"genesys","region":"eu_west_1",
        "client_id":"c"}]}"#;
    assert_eq!(
        parse_config(minimal).unwrap().token_storage,
        TokenStorage::Session
    );
    for (word, policy) in [
        ("memory", TokenStorage::Memory),
        ("local", TokenStorage::Local),
    ] {
        let json = minimal.replacen('{', &format!("{{\"token_storage\":\"{word}\","), 1);
        assert_eq!(parse_config(&json).unwrap().token_storage, policy);
    }
    assert!(
        error_of(&minimal.replacen('{', "{\"token_storage\":\"cookie\",", 1))
            .problem
            .contains("cookie")
    );
}

#[test]
fn names_the_field_that_is_wrong() {
    let bad_region = SANDBOX.replace("mypurecloud.com\"", "mypurecloud.co\"");
    let error = error_of(&bad_region);
    assert_eq!(error.location, "config.json: providers[0].region");
    assert!(error.problem.contains("mypurecloud.ie"));

    assert_eq!(
        error_of(&SANDBOX.replace("pkce-desk-demo", " ")).location,
        "config.json: providers[0].client_id"
    );
    assert_eq!(
        error_of(&SANDBOX.replace("\"genesys\"", "\"okta\"")).location,
        "config.json: providers[0].kind"
    );
    assert!(error_of(&SANDBOX.replace("client_id", "clientId"))
        .problem
        .contains("clientId"));
    assert!(error_of("{\"providers\": []}")
        .problem
        .contains("no provider"));
    assert!(error_of("not json").problem.contains("not valid"));
    assert!(error_of("").location.contains("config.json"));
}

#[test]
fn diagnostics_are_off_unless_asked_for() {
    assert!(!parse_config(SANDBOX).unwrap().diagnostics);
    let on = SANDBOX.replacen('{', "{\"diagnostics\": true,", 1);
    assert!(parse_config(&on).unwrap().diagnostics);
}

#[test]
fn cxone_and_oidc_providers() {
    let json = r#"{"providers":[
        {"id":"cx","label":"CXone","kind":"cxone","client_id":"App Name@Vendor"},
        {"id":"cx-eu","label":"CXone EU","kind":"cxone","environment":"eu","client_id":"c"},
        {"id":"cx-local","label":"CXone sandbox","kind":"cxone","issuer":"http://127.0.0.1:9091",
            "client_id":"c"},
        {"id":"kc","label":"Keycloak","kind":"oidc","issuer":"https://sso.example.com/realms/desk",
            "client_id":"desk","scopes":["openid","offline_access"]}]}"#;
    let config = parse_config(json).unwrap();
    assert_eq!(
        config.providers[0].kind,
        ProviderKind::Cxone {
            issuer: "https://cxone.niceincontact.com".into()
        }
    );
    assert_eq!(config.providers[0].scopes, vec!["openid".to_string()]);
    assert!(config.providers[0].requests_openid());
    assert_eq!(
        config.providers[1].kind,
        ProviderKind::Cxone {
            issuer: "https://nicecxone-sov1.eu".into()
        }
    );
    assert_eq!(config.providers[2].kind.region(), "http://127.0.0.1:9091");
    assert_eq!(
        config.providers[3].kind,
        ProviderKind::Oidc {
            issuer: "https://sso.example.com/realms/desk".into()
        }
    );

    let no_issuer = r#"{"providers":[{"id":"o","label":"O","kind":"oidc","client_id":"c"}]}"#;
    assert_eq!(
        error_of(no_issuer).location,
        "config.json: providers[0].issuer"
    );
    let no_openid = r#"{"providers":[{"id":"o","label":"O","kind":"oidc","issuer":"https://o",
        "client_id":"c","scopes":["profile"]}]}"#;
    assert_eq!(
        error_of(no_openid).location,
        "config.json: providers[0].scopes"
    );
    let clear = r#"{"providers":[{"id":"o","label":"O","kind":"oidc",
        "issuer":"http://sso.example.com","client_id":"c"}]}"#;
    assert!(error_of(clear).problem.contains("https"));
    let bad_env = r#"{"providers":[{"id":"o","label":"O","kind":"cxone","environment":"mars",
        "client_id":"c"}]}"#;
    assert!(error_of(bad_env).problem.contains("fedramp"));
    let base = r#"{"providers":[{"id":"o","label":"O","kind":"cxone","login_base":"https://x",
        "client_id":"c"}]}"#;
    assert_eq!(
        error_of(base).location,
        "config.json: providers[0].login_base"
    );
}

/// Each kind takes its own fields only: one of another kind is named, not silently ignored.
#[test]
fn each_kind_refuses_the_fields_of_another_kind() {
    for (kind, own, foreign) in [
        ("genesys", r#""region":"mypurecloud.ie""#, "issuer"),
        ("genesys", r#""region":"mypurecloud.ie""#, "environment"),
        ("cxone", r#""environment":"eu""#, "region"),
        ("oidc", r#""issuer":"https://o.example""#, "environment"),
        ("oidc", r#""issuer":"https://o.example""#, "region"),
    ] {
        let json = format!(
            r#"{{"providers":[{{"id":"p","label":"P","kind":"{kind}","client_id":"c",{own},
                "{foreign}":"x"}}]}}"#
        );
        let error = error_of(&json);
        assert_eq!(error.location, "config.json", "{kind} + {foreign}");
        assert!(
            error
                .problem
                .contains(&format!("unknown field `{foreign}`")),
            "{kind} + {foreign}: {error}"
        );
    }
}

#[test]
fn an_unknown_kind_is_named_whatever_else_the_entry_holds() {
    for kind in [r#""okta""#, r#""Genesys""#] {
        let json = format!(
            r#"{{"providers":[{{"id":"o","label":"O","kind":{kind},"client_id":"c",
                "region":"x"}}]}}"#
        );
        let error = error_of(&json);
        assert_eq!(error.location, "config.json: providers[0].kind", "{kind}");
    }
}

#[test]
fn rejects_duplicate_ids() {
    let twice = r#"{"providers":[
        {"id":"g","label":"G","kind":"genesys","region":"mypurecloud.ie","client_id":"c"},
        {"id":"g","label":"H","kind":"genesys","region":"mypurecloud.de","client_id":"d"}]}"#;
    assert_eq!(error_of(twice).location, "config.json: providers[1].id");
}

#[test]
fn clear_text_http_only_on_loopback() {
    for ok in [
        "http://127.0.0.1:9090",
        "http://localhost:1",
        "http://[::1]:9",
        "https://proxy.example.com/genesys",
    ] {
        assert!(optional_base_url(Some(ok)).is_ok(), "{ok}");
    }
    for bad in [
        "http://proxy.example.com",
        "ftp://x",
        "https://",
        "http://127.0.0.1.evil.com@evil.com",
        "http://127.0.0.1.evil.com",
        "https://x/?q",
    ] {
        assert!(optional_base_url(Some(bad)).is_err(), "{bad}");
    }
}

/// Userinfo before the host is refused even where the text before `@` looks like an
/// allowed host: `http://localhost:1@evil.example` goes to evil.example in clear text.
#[test]
fn userinfo_in_a_url_is_refused() {
    for bad in [
        "http://localhost:1@evil.example",
        "http://127.0.0.1:80@evil.example/",
        "http://[::1]@evil.example",
        "https://user@idp.example",
        "https://user:pass@idp.example/realms/x",
        "https://@idp.example",
    ] {
        let problem = secure_url(bad).unwrap_err();
        assert!(problem.contains("no valid host"), "{bad}: {problem}");
        assert!(optional_base_url(Some(bad)).is_err(), "{bad}");
    }
    // An `@` after the authority is only a path or query character.
    for ok in ["https://idp.example/users/@me", "https://idp.example/?a=@b"] {
        assert_eq!(secure_url(ok).as_deref(), Ok(ok));
    }
}

#[test]
fn url_checks_know_what_a_loopback_host_is() {
    for ok in [
        "http://127.0.0.1",
        "http://127.255.0.9:8080/x",
        "http://localhost",
        "http://localhost/path",
        "http://[::1]",
        "http://[::1]:9/",
        "https://idp.example:8443",
    ] {
        assert_eq!(secure_url(ok).as_deref(), Ok(ok), "{ok}");
    }
    for bad in [
        "http://128.0.0.1",
        "http://127.0.0",
        "http://127.0.0.1.2",
        "http://127.0.0.256",
        "http://127.0.0.x",
        "http://localhost.evil.example",
        "http://[::2]",
        "http://[::1",
        "http://",
        "http://:80",
        "https://",
        "https:///path",
        "HTTPS://idp.example",
        " //idp.example",
    ] {
        assert!(secure_url(bad).is_err(), "{bad}");
    }
    assert_eq!(
        secure_url("  https://idp.example  ").as_deref(),
        Ok("https://idp.example")
    );
    assert!(secure_url("http://idp.example")
        .unwrap_err()
        .contains("must use https://"));
    assert!(secure_url("ftp://idp.example")
        .unwrap_err()
        .contains("must start with https://"));
}

#[test]
fn base_urls_lose_their_trailing_slashes_only() {
    assert_eq!(
        optional_base_url(Some("https://proxy.example/genesys//")),
        Ok(Some("https://proxy.example/genesys".into()))
    );
    assert_eq!(optional_base_url(None), Ok(None));
    assert!(optional_base_url(Some("https://proxy.example/#x")).is_err());
}

fn oidc_provider(id: &str, scopes: &str) -> String {
    format!(
        r#"{{"providers":[{{"id":"{id}","label":"O","kind":"oidc","issuer":"https://o.example",
            "client_id":"c","scopes":{scopes}}}]}}"#
    )
}

#[test]
fn provider_ids_are_short_lowercase_names() {
    for ok in ["a", "a-b", "a_b", "x9", &"a".repeat(64)] {
        assert!(
            parse_config(&oidc_provider(ok, r#"["openid"]"#)).is_ok(),
            "{ok}"
        );
    }
    for bad in ["", "A", "a b", "a.b", "é", &"a".repeat(65)] {
        let error = error_of(&oidc_provider(bad, r#"["openid"]"#));
        assert_eq!(error.location, "config.json: providers[0].id", "{bad}");
    }
}

#[test]
fn each_scope_is_one_name() {
    assert!(parse_config(&oidc_provider("o", r#"["openid","profile"]"#)).is_ok());
    for bad in [
        r#"["openid",""]"#,
        r#"["openid profile"]"#,
        r#"["openid","a\tb"]"#,
    ] {
        let error = error_of(&oidc_provider("o", bad));
        assert_eq!(error.location, "config.json: providers[0].scopes", "{bad}");
    }
}

#[test]
fn errors_and_kinds_read_well() {
    let error = error_of(&oidc_provider("A", r#"["openid"]"#));
    assert_eq!(
        error.to_string(),
        format!("{}: {}", error.location, error.problem)
    );
    assert!(error
        .to_string()
        .starts_with("config.json: providers[0].id: must be"));
    let config = parse_config(SANDBOX).unwrap();
    assert_eq!(config.providers[0].kind.display_name(), "Genesys Cloud");
    let oidc = parse_config(&oidc_provider("o", r#"["openid"]"#)).unwrap();
    assert_eq!(oidc.providers[0].kind.display_name(), "OpenID Connect");
    let cxone = parse_config(
        r#"{"providers":[{"id":"c","label":"C","kind":"cxone",
            "issuer":"https://cxone.niceincontact.com","client_id":"c"}]}"#,
    )
    .unwrap();
    assert_eq!(cxone.providers[0].kind.display_name(), "NICE CXone");
}

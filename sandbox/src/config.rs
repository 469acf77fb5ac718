//! Command-line options and the configuration they produce.
//!
//! Parsed by hand (no clap) to keep the dependency tree small.

use std::time::Duration;

use crate::users::DEMO_USERS;

pub const DEFAULT_PORT: u16 = 9090;
pub const DEFAULT_CLIENT_ID: &str = "pkce-desk-demo";
/// The cxone flavor's default client id: like CXone's legacy "App Name@Vendor"
/// ids it has a space and an `@`, so every layer has to encode it properly.
pub const CXONE_DEFAULT_CLIENT_ID: &str = "pkce-desk demo@Sandbox";
pub const DEFAULT_ACCESS_TOKEN_LIFETIME_SECS: u64 = 3600;
pub const DEFAULT_REDIRECT_URIS: [&str; 2] = [
    "http://127.0.0.1:8080/callback",
    "http://localhost:8080/callback",
];
/// Genesys Cloud authorization codes are short-lived; 60 s matches the brief.
pub const DEFAULT_CODE_LIFETIME: Duration = Duration::from_secs(60);
/// Genesys: a community post observes a heartbeat every 30 s (AGENT-APIS.md §3; unverified).
pub const DEFAULT_HEARTBEAT_SECS: u64 = 30;
/// CXone: get-next-event's timeout is "between 0 and 60 seconds".
pub const DEFAULT_LONG_POLL_CAP_SECS: u64 = 60;

/// Which product's authorization server and API the sandbox imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavor {
    /// Genesys Cloud: /oauth/*, /api/v2/* (see `genesys`).
    #[default]
    Genesys,
    /// NICE CXone: OpenID Connect discovery, /auth/*, /user-management/* (see `cxone`).
    Cxone,
}

/// Whether the authorization server gives the public client refresh tokens.
/// Named "none" and "rotate" on the command line and in the test controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RefreshTokens {
    /// No refresh token in the code grant's response, and the refresh grant is refused with
    /// `invalid_client`: Genesys documents that grant as needing client credentials, so a PKCE
    /// (public) client most likely gets none (see PROVIDERS.md, "second source check").
    None,
    /// Refresh tokens are issued and rotate on every refresh, with reuse detection.
    Rotate,
}

impl RefreshTokens {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "none" => Some(Self::None),
            "rotate" => Some(Self::Rotate),
            _ => None,
        }
    }
}

/// Everything the server needs to know. Tests build this directly.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub port: u16,
    pub access_token_lifetime: Duration,
    /// Not a CLI option: tests shorten it to exercise code expiry quickly.
    pub code_lifetime: Duration,
    pub client_id: String,
    /// Registered redirect URIs, compared byte-for-byte at /oauth/authorize and /oauth/token.
    pub redirect_uris: Vec<String>,
    /// Serves the `/__sandbox/*` endpoints that make the sandbox fail on demand
    /// (see `controls`). Off by default so a demo cannot be sabotaged by accident.
    pub test_controls: bool,
    /// `--flavor`: which product's endpoints are served.
    pub flavor: Flavor,
    /// The cxone flavor's issuer. `None`: `serve` uses `http://<bound address>`
    /// (`http://127.0.0.1:<port>`); `app` alone falls back to `http://127.0.0.1:<port field>`.
    pub issuer: Option<String>,
    /// The cxone flavor's HS256 key. `None`: 32 random bytes per process. Not a
    /// CLI option: in-process tests set it to check signatures.
    pub signing_key: Option<Vec<u8>>,
    /// `--refresh-tokens`: `None` by default for genesys, `Rotate` for cxone (which issues
    /// refresh tokens with `scope=openid` alone).
    pub refresh_tokens: RefreshTokens,
    /// `--heartbeat-interval`: the genesys flavor's WebSocket heartbeat period.
    pub heartbeat_interval: Duration,
    /// `--long-poll-cap`: the longest the cxone flavor holds a get-next-event request.
    pub long_poll_cap: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            port: DEFAULT_PORT,
            access_token_lifetime: Duration::from_secs(DEFAULT_ACCESS_TOKEN_LIFETIME_SECS),
            code_lifetime: DEFAULT_CODE_LIFETIME,
            client_id: DEFAULT_CLIENT_ID.to_string(),
            redirect_uris: DEFAULT_REDIRECT_URIS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            test_controls: false,
            flavor: Flavor::Genesys,
            issuer: None,
            signing_key: None,
            refresh_tokens: RefreshTokens::None,
            heartbeat_interval: Duration::from_secs(DEFAULT_HEARTBEAT_SECS),
            long_poll_cap: Duration::from_secs(DEFAULT_LONG_POLL_CAP_SECS),
        }
    }
}

impl SandboxConfig {
    /// The defaults of the cxone flavor (its own default client id).
    pub fn cxone() -> Self {
        Self {
            flavor: Flavor::Cxone,
            client_id: CXONE_DEFAULT_CLIENT_ID.to_string(),
            refresh_tokens: RefreshTokens::Rotate,
            ..Self::default()
        }
    }

    /// CORS origins: the distinct origins of the registered redirect URIs.
    pub fn allowed_origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = Vec::new();
        for uri in &self.redirect_uris {
            if let Some(origin) = origin_of(uri) {
                if !origins.contains(&origin) {
                    origins.push(origin);
                }
            }
        }
        origins
    }

    pub fn is_registered_redirect(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }
}

/// What the command line asked for.
#[derive(Debug)]
pub enum Command {
    Run(SandboxConfig),
    Help,
}

/// Parses `args` (without the program name).
pub fn parse_args<I>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = String>,
{
    let mut config = SandboxConfig::default();
    let mut redirect_uris: Vec<String> = Vec::new();
    let mut client_id_given = false;
    let mut refresh_tokens: Option<RefreshTokens> = None;
    let mut args = args.into_iter();

    while let Some(arg) = args.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline_value) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match inline_value.clone() {
                Some(v) => Ok(v),
                None => args.next().ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--port" => {
                let v = value("--port")?;
                config.port = v
                    .parse()
                    .map_err(|_| format!("--port: not a port number: {v}"))?;
            }
            "--access-token-lifetime" => {
                let v = value("--access-token-lifetime")?;
                let secs: u64 = v.parse().map_err(|_| {
                    format!("--access-token-lifetime: not a number of seconds: {v}")
                })?;
                if secs == 0 {
                    return Err("--access-token-lifetime must be at least 1 second".into());
                }
                config.access_token_lifetime = Duration::from_secs(secs);
            }
            "--client-id" => {
                let v = value("--client-id")?;
                if v.is_empty() {
                    return Err("--client-id must not be empty".into());
                }
                config.client_id = v;
                client_id_given = true;
            }
            "--flavor" => {
                let v = value("--flavor")?;
                config.flavor = match v.as_str() {
                    "genesys" => Flavor::Genesys,
                    "cxone" => Flavor::Cxone,
                    _ => return Err(format!("--flavor must be genesys or cxone, not: {v}")),
                };
            }
            "--refresh-tokens" => {
                let v = value("--refresh-tokens")?;
                refresh_tokens =
                    Some(RefreshTokens::parse(&v).ok_or_else(|| {
                        format!("--refresh-tokens must be none or rotate, not: {v}")
                    })?);
            }
            "--heartbeat-interval" => {
                let v = value("--heartbeat-interval")?;
                match v.parse::<u64>() {
                    Ok(secs @ 1..=3600) => config.heartbeat_interval = Duration::from_secs(secs),
                    _ => {
                        return Err(format!(
                            "--heartbeat-interval must be 1 to 3600 seconds, not: {v}"
                        ))
                    }
                }
            }
            "--long-poll-cap" => {
                let v = value("--long-poll-cap")?;
                match v.parse::<u64>() {
                    Ok(secs @ 0..=60) => config.long_poll_cap = Duration::from_secs(secs),
                    _ => return Err(format!("--long-poll-cap must be 0 to 60 seconds, not: {v}")),
                }
            }
            "--redirect-uri" => {
                let v = value("--redirect-uri")?;
                validate_redirect_uri(&v)?;
                redirect_uris.push(v);
            }
            // A switch: `--test-controls=yes` is as much a mistake as any unknown argument.
            "--test-controls" if inline_value.is_none() => config.test_controls = true,
            _ => return Err(format!("unknown argument: {arg}")),
        }
    }
    if !redirect_uris.is_empty() {
        config.redirect_uris = redirect_uris;
    }
    if config.flavor == Flavor::Cxone && !client_id_given {
        config.client_id = CXONE_DEFAULT_CLIENT_ID.to_string();
    }
    config.refresh_tokens = refresh_tokens.unwrap_or(match config.flavor {
        Flavor::Genesys => RefreshTokens::None,
        Flavor::Cxone => RefreshTokens::Rotate,
    });
    Ok(Command::Run(config))
}

/// A redirect URI must be absolute http(s) without a fragment (RFC 6749 3.1.2).
fn validate_redirect_uri(uri: &str) -> Result<(), String> {
    if uri.contains('#') {
        return Err(format!("--redirect-uri must not contain a fragment: {uri}"));
    }
    if origin_of(uri).is_none() {
        return Err(format!(
            "--redirect-uri must be an absolute http(s) URL: {uri}"
        ));
    }
    Ok(())
}

/// The serialized origin (`scheme://host[:port]`) of an absolute http(s) URL,
/// as a browser would send it in the `Origin` header: lowercase, default port omitted.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // Userinfo in a redirect URI is never legitimate here.
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let (host, port) = if authority.starts_with('[') {
        // IPv6 literal: [::1]:8080
        let end = authority.find(']')?;
        let host = &authority[..=end];
        match &authority[end + 1..] {
            "" => (host, None),
            p => (host, Some(p.strip_prefix(':')?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let host = host.to_ascii_lowercase();
    match port {
        None => Some(format!("{scheme}://{host}")),
        Some(p) => {
            let n: u16 = p.parse().ok()?;
            if n.to_string() == default_port {
                Some(format!("{scheme}://{host}"))
            } else {
                Some(format!("{scheme}://{host}:{n}"))
            }
        }
    }
}

/// Usage text; `--help` also lists the demo users.
pub fn usage() -> String {
    format!(
        "Usage: sandbox [--flavor genesys|cxone] [--port PORT] [--access-token-lifetime SECONDS] [--client-id ID] [--redirect-uri URL]... [--refresh-tokens none|rotate] [--heartbeat-interval SECONDS] [--long-poll-cap SECONDS] [--test-controls]\n\
         \n\
         A local stand-in for Genesys Cloud's or NICE CXone's authorization server and API\n\
         (listens on 127.0.0.1 only).\n\
         \n\
         Options:\n\
         \x20 --flavor genesys|cxone           which product to imitate (default genesys). cxone serves\n\
         \x20                                  OpenID Connect discovery, /auth/* and /user-management/*\n\
         \x20                                  with issuer http://127.0.0.1:PORT, instead of /oauth/*\n\
         \x20                                  and /api/v2/*\n\
         \x20 --port PORT                      port to listen on (default {DEFAULT_PORT}; 0 picks a free one)\n\
         \x20 --access-token-lifetime SECONDS  access token lifetime (default {DEFAULT_ACCESS_TOKEN_LIFETIME_SECS})\n\
         \x20 --client-id ID                   the one registered OAuth client (default {DEFAULT_CLIENT_ID};\n\
         \x20                                  with --flavor cxone: {CXONE_DEFAULT_CLIENT_ID})\n\
         \x20 --redirect-uri URL               a registered redirect URI, repeatable\n\
         \x20                                  (default {} and {})\n\
         \x20 --refresh-tokens none|rotate     none: no refresh tokens, the refresh grant is refused\n\
         \x20                                  (invalid_client) as Genesys most likely does for a PKCE\n\
         \x20                                  client; rotate: rotating refresh tokens with reuse\n\
         \x20                                  detection (default none; with --flavor cxone: rotate)\n\
         \x20 --heartbeat-interval SECONDS     genesys: WebSocket heartbeat period (default {DEFAULT_HEARTBEAT_SECS})\n\
         \x20 --long-poll-cap SECONDS          cxone: longest hold of a get-next-event request,\n\
         \x20                                  whatever its timeout (0-60, default {DEFAULT_LONG_POLL_CAP_SECS})\n\
         \x20 --test-controls                  serve /__sandbox/* so tests can inject failures,\n\
         \x20                                  change token settings and read request counts\n\
         \x20                                  (and close every connection after its response)\n\
         \x20 -h, --help                       show this help and the demo users\n",
        DEFAULT_REDIRECT_URIS[0], DEFAULT_REDIRECT_URIS[1]
    )
}

pub fn help() -> String {
    let mut text = usage();
    text.push_str("\nDemo users:\n");
    for user in DEMO_USERS {
        text.push_str(&format!(
            "  {:<20} password: {:<6} {} ({}, {})\n",
            user.username, user.password, user.name, user.title, user.department
        ));
    }
    text.push_str(&format!(
        "  (--flavor cxone: tenant {} \"{}\", the same users)\n",
        crate::users::TENANT_ID,
        crate::users::ORGANIZATION_NAME
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults() {
        let Command::Run(c) = parse_args(args(&[])).unwrap() else {
            panic!("expected Run")
        };
        assert_eq!(c.port, 9090);
        assert_eq!(c.client_id, "pkce-desk-demo");
        assert_eq!(c.access_token_lifetime, Duration::from_secs(3600));
        assert!(!c.test_controls);
        assert_eq!(c.flavor, Flavor::Genesys);
        assert_eq!(c.issuer, None);
        assert_eq!(c.refresh_tokens, RefreshTokens::None);
        assert_eq!(
            c.redirect_uris,
            vec![
                "http://127.0.0.1:8080/callback",
                "http://localhost:8080/callback"
            ]
        );
        assert_eq!(
            c.allowed_origins(),
            vec!["http://127.0.0.1:8080", "http://localhost:8080"]
        );
    }

    #[test]
    fn all_options_and_repeated_redirects() {
        let Command::Run(c) = parse_args(args(&[
            "--port",
            "0",
            "--access-token-lifetime=5",
            "--client-id",
            "x",
            "--redirect-uri",
            "http://a.test:1/cb",
            "--redirect-uri=https://b.test/cb?x=1",
            "--test-controls",
        ]))
        .unwrap() else {
            panic!("expected Run")
        };
        assert_eq!(c.port, 0);
        assert_eq!(c.access_token_lifetime, Duration::from_secs(5));
        assert_eq!(c.client_id, "x");
        assert!(c.test_controls);
        assert_eq!(
            c.redirect_uris,
            vec!["http://a.test:1/cb", "https://b.test/cb?x=1"]
        );
        assert_eq!(
            c.allowed_origins(),
            vec!["http://a.test:1", "https://b.test"]
        );
    }

    #[test]
    fn flavor_and_its_default_client() {
        let Command::Run(c) = parse_args(args(&["--flavor", "cxone"])).unwrap() else {
            panic!("expected Run")
        };
        assert_eq!(c.flavor, Flavor::Cxone);
        assert_eq!(c.client_id, "pkce-desk demo@Sandbox");
        assert_eq!(c.client_id, SandboxConfig::cxone().client_id);
        assert_eq!(c.refresh_tokens, RefreshTokens::Rotate);
        assert_eq!(SandboxConfig::cxone().refresh_tokens, RefreshTokens::Rotate);
        // An explicit client id wins, in either order.
        for list in [
            ["--client-id", "a b@c", "--flavor=cxone"],
            ["--flavor=cxone", "--client-id", "a b@c"],
        ] {
            let Command::Run(c) = parse_args(args(&list)).unwrap() else {
                panic!("expected Run")
            };
            assert_eq!((c.flavor, c.client_id.as_str()), (Flavor::Cxone, "a b@c"));
        }
        let Command::Run(c) = parse_args(args(&["--flavor=genesys"])).unwrap() else {
            panic!("expected Run")
        };
        assert_eq!(
            (c.flavor, c.client_id.as_str()),
            (Flavor::Genesys, "pkce-desk-demo")
        );
        assert_eq!(c.refresh_tokens, RefreshTokens::None);
        assert!(parse_args(args(&["--flavor", "nice"])).is_err());
        assert!(parse_args(args(&["--flavor"])).is_err());
        assert!(usage().contains("--flavor genesys|cxone"));
    }

    #[test]
    fn refresh_tokens_flag() {
        for (list, expected) in [
            (&["--refresh-tokens", "rotate"][..], RefreshTokens::Rotate),
            (&["--refresh-tokens=none"][..], RefreshTokens::None),
            (
                &["--flavor=cxone", "--refresh-tokens=none"][..],
                RefreshTokens::None,
            ),
            (
                &["--refresh-tokens=none", "--flavor=cxone"][..],
                RefreshTokens::None,
            ),
        ] {
            let Command::Run(c) = parse_args(args(list)).unwrap() else {
                panic!("expected Run")
            };
            assert_eq!(c.refresh_tokens, expected, "{list:?}");
        }
        assert!(parse_args(args(&["--refresh-tokens", "yes"])).is_err());
        assert!(parse_args(args(&["--refresh-tokens"])).is_err());
        assert!(usage().contains("--refresh-tokens none|rotate"));
    }

    #[test]
    fn errors_and_help() {
        assert!(matches!(parse_args(args(&["--help"])), Ok(Command::Help)));
        assert!(parse_args(args(&["--bogus"])).is_err());
        assert!(parse_args(args(&["--port"])).is_err());
        assert!(parse_args(args(&["--port", "70000"])).is_err());
        assert!(parse_args(args(&["--access-token-lifetime", "0"])).is_err());
        assert!(parse_args(args(&["--redirect-uri", "/relative"])).is_err());
        assert!(parse_args(args(&["--redirect-uri", "http://a/cb#frag"])).is_err());
        assert!(parse_args(args(&["--test-controls=1"])).is_err());
        assert!(usage().contains("--test-controls"));
        assert!(parse_args(args(&["--heartbeat-interval", "0"])).is_err());
        assert!(parse_args(args(&["--long-poll-cap", "61"])).is_err());
        let Command::Run(c) =
            parse_args(args(&["--heartbeat-interval=2", "--long-poll-cap", "5"])).unwrap()
        else {
            panic!("expected Run")
        };
        assert_eq!(c.heartbeat_interval, Duration::from_secs(2));
        assert_eq!(c.long_poll_cap, Duration::from_secs(5));
        assert!(usage().contains("--heartbeat-interval SECONDS"));
        assert!(help().contains("ada@example.com"));
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("HTTP://LocalHost:80/x").as_deref(),
            Some("http://localhost")
        );
        assert_eq!(origin_of("https://h:443").as_deref(), Some("https://h"));
        assert_eq!(
            origin_of("http://[::1]:8080/cb").as_deref(),
            Some("http://[::1]:8080")
        );
        assert_eq!(
            origin_of("http://h:8080?q").as_deref(),
            Some("http://h:8080")
        );
        assert_eq!(origin_of("ftp://h/"), None);
        assert_eq!(origin_of("http://u@h/"), None);
        assert_eq!(origin_of("http:///x"), None);
    }
}

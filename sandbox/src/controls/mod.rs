//! State behind the test controls (`--test-controls`): failure rules waiting
//! to be triggered, request counters and the token settings tests can change
//! at run time.
//!
//! Lives behind its own `Mutex` (see `lib.rs`), separate from the token store,
//! so that a handler never holds both. The settings and counters are used even
//! without the flag; only the `/__sandbox/*` endpoints that change them are gated.

pub mod live;
pub mod routes;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::{Flavor, RefreshTokens, SandboxConfig};

/// What a failure rule applies to. A request matches several at once: a refresh
/// matches `Token` and `TokenRefresh`, GET /api/v2/users/me matches `UsersMe` and `Api`.
/// Named in rules in snake case ("token_refresh").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// GET /oauth/authorize that would show the page, POST that would issue a code.
    Authorize,
    /// POST /oauth/token, any grant.
    Token,
    TokenRefresh,
    TokenCode,
    UsersMe,
    /// Any /api/v2/* request.
    Api,
    /// DELETE /api/v2/tokens/me.
    Revoke,
    /// The live layer: Genesys /api/v2/notifications/*, presence and routing-status
    /// requests and the WebSocket upgrade; CXone agent-session, unavailable-code and
    /// skill requests.
    Live,
}

/// How a matching request is answered; `faults` turns these into responses.
/// Named in rules in snake case ("invalid_grant").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Drop,
    Delay,
    InvalidGrant,
    InvalidClient,
    OauthError,
    Unauthorized,
    Forbidden,
    RateLimited,
    #[serde(rename = "html_502")]
    Html502,
    MalformedJson,
    WrongContentType,
    Oversized,
    /// `oversized`'s body sent chunked, without Content-Length.
    OversizedChunked,
    /// A small gzip body (Content-Encoding: gzip) that inflates to `oversized`'s.
    OversizedGzip,
    /// A chunked body that keeps coming (8 KiB every 50 ms, for up to 30 s).
    EndlessChunked,
    /// Handled at once (code consumed, refresh token rotated), but the response is held
    /// back for `delay_ms`: a response still in flight when the client moves on.
    HoldResponse,
    RedirectError,
    WrongState,
    Iss,
    /// cxone flavor, code grant: a normal token response whose ID token is
    /// altered as named (or left out). The tokens are stored and valid.
    IdTokenWrongNonce,
    IdTokenWrongAud,
    IdTokenWrongIss,
    IdTokenExpired,
    IdTokenMalformed,
    NoIdToken,
}

impl Mode {
    /// The name a rule gives this mode, for error messages.
    pub fn name(self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::String(name)) => name,
            _ => format!("{self:?}"),
        }
    }

    /// Modes that only make sense as the authorization endpoint's redirect.
    pub fn is_redirect_only(self) -> bool {
        matches!(self, Mode::RedirectError | Mode::WrongState | Mode::Iss)
    }

    /// Modes that alter a freshly issued code's redirect, so the sign-in page
    /// (GET) leaves them for the form submission (POST) to trigger.
    pub fn needs_code(self) -> bool {
        matches!(self, Mode::WrongState | Mode::Iss)
    }

    /// Modes that alter the ID token of a code grant's response (cxone flavor
    /// only); a refresh leaves them queued for the next code grant.
    pub fn is_id_token(self) -> bool {
        matches!(
            self,
            Mode::IdTokenWrongNonce
                | Mode::IdTokenWrongAud
                | Mode::IdTokenWrongIss
                | Mode::IdTokenExpired
                | Mode::IdTokenMalformed
                | Mode::NoIdToken
        )
    }
}

/// What one triggered rule asks for; handed to `faults`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub mode: Mode,
    /// Waited before answering, whatever the mode.
    pub delay: Duration,
    /// Seconds, for the Retry-After header of `rate_limited`.
    pub retry_after: u64,
    /// The OAuth error code (`oauth_error`, `redirect_error`) or issuer (`iss`).
    pub error: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub endpoint: Endpoint,
    pub remaining: u32,
    pub fault: Fault,
}

pub const DEFAULT_RETRY_AFTER_SECS: u64 = 1;
/// The OAuth error used by `oauth_error` and `redirect_error` when none is given.
pub const DEFAULT_ERROR: &str = "server_error";
/// A stuck test should fail on its own timeout, not wait on the sandbox forever.
pub const MAX_DELAY_MS: u64 = 600_000;

/// Token behaviour that tests may change while the server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub access_token_lifetime: Duration,
    /// `None`: no refresh tokens at all and the refresh grant is refused; the two
    /// switches below only matter with `Rotate`.
    pub refresh_tokens: RefreshTokens,
    /// Off: neither grant returns a refresh token.
    pub issue_refresh_tokens: bool,
    /// Off: a refresh returns no new refresh token and the old one stays valid.
    pub rotate_refresh_tokens: bool,
}

impl Settings {
    pub fn from_config(config: &SandboxConfig) -> Self {
        Self {
            access_token_lifetime: config.access_token_lifetime,
            refresh_tokens: config.refresh_tokens,
            issue_refresh_tokens: true,
            rotate_refresh_tokens: true,
        }
    }

    /// Whether a refresh spends the old refresh token and returns a new one.
    /// When it does not, the client keeps using the old one (RFC 6749 6), so
    /// that one must stay valid or its next refresh would look like reuse.
    pub fn rotates_on_refresh(&self) -> bool {
        self.issues_refresh_tokens() && self.rotate_refresh_tokens
    }

    /// Whether the code grant's response carries a refresh token.
    pub fn issues_refresh_tokens(&self) -> bool {
        self.refresh_tokens == RefreshTokens::Rotate && self.issue_refresh_tokens
    }

    /// Whether the refresh grant is refused outright (`invalid_client`), as for a
    /// public client that may not use it.
    pub fn refuses_refresh_grant(&self) -> bool {
        self.refresh_tokens == RefreshTokens::None
    }
}

/// One request counter per handler; `Stats` has a field for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    AuthorizePage,
    AuthorizeSubmit,
    TokenAuthorizationCode,
    TokenRefresh,
    TokenOther,
    UsersMe,
    TokensMe,
    Revoke,
    Logout,
    /// cxone flavor: GET /.well-known/cxone-configuration.
    TenantConfig,
    /// cxone flavor: GET /.well-known/openid-configuration.
    Discovery,
    /// GET /oauth/authorize answered with a code at once, thanks to a live SSO session.
    AuthorizeSilent,
    /// Bearer-protected API requests that reached the token check (not those a
    /// failure rule answered).
    ApiCalls,
    /// Of those, the ones rejected with 401: no, unknown, expired or revoked token.
    ApiRejected401,
    /// Refresh tokens that were live when DELETE /api/v2/tokens/me revoked their sign-in.
    RevokedRefreshTokens,
    /// genesys: POST /api/v2/notifications/channels that created a channel.
    ChannelsCreated,
    /// genesys: WebSocket connections accepted at a channel's connectUri.
    SocketsOpened,
    /// genesys: `{"message":"ping"}` frames received.
    Pings,
    /// genesys: PATCH /api/v2/users/{id}/presences/purecloud that reached the token check.
    PresencePatches,
    /// cxone: sessions started (POST …/agent-sessions answered 200).
    AgentSessionsStarted,
    /// cxone: GET …/get-next-event requests that reached the token check.
    AgentSessionPolls,
    /// cxone: POST …/agent-sessions/{id}/state requests that changed the state.
    AgentStateChanges,
    /// cxone: sessions ended, by DELETE or the test controls.
    AgentSessionsEnded,
}

/// Requests that reached a handler, whatever their outcome (failure rules
/// included). CORS preflights are answered before any handler, so never count.
/// Serialized as the stats body: one member per `Counter`, by field name.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub authorize_page: u64,
    pub authorize_submit: u64,
    pub token_authorization_code: u64,
    pub token_refresh: u64,
    pub token_other: u64,
    pub users_me: u64,
    pub tokens_me: u64,
    pub revoke: u64,
    pub logout: u64,
    pub tenant_config: u64,
    pub discovery: u64,
    pub authorize_silent: u64,
    pub api_calls: u64,
    pub api_rejected_401: u64,
    pub revoked_refresh_tokens: u64,
    pub channels_created: u64,
    pub sockets_opened: u64,
    pub pings: u64,
    pub presence_patches: u64,
    pub agent_sessions_started: u64,
    pub agent_session_polls: u64,
    pub agent_state_changes: u64,
    pub agent_sessions_ended: u64,
}

impl Stats {
    fn slot(&mut self, counter: Counter) -> &mut u64 {
        match counter {
            Counter::AuthorizePage => &mut self.authorize_page,
            Counter::AuthorizeSubmit => &mut self.authorize_submit,
            Counter::TokenAuthorizationCode => &mut self.token_authorization_code,
            Counter::TokenRefresh => &mut self.token_refresh,
            Counter::TokenOther => &mut self.token_other,
            Counter::UsersMe => &mut self.users_me,
            Counter::TokensMe => &mut self.tokens_me,
            Counter::Revoke => &mut self.revoke,
            Counter::Logout => &mut self.logout,
            Counter::TenantConfig => &mut self.tenant_config,
            Counter::Discovery => &mut self.discovery,
            Counter::AuthorizeSilent => &mut self.authorize_silent,
            Counter::ApiCalls => &mut self.api_calls,
            Counter::ApiRejected401 => &mut self.api_rejected_401,
            Counter::RevokedRefreshTokens => &mut self.revoked_refresh_tokens,
            Counter::ChannelsCreated => &mut self.channels_created,
            Counter::SocketsOpened => &mut self.sockets_opened,
            Counter::Pings => &mut self.pings,
            Counter::PresencePatches => &mut self.presence_patches,
            Counter::AgentSessionsStarted => &mut self.agent_sessions_started,
            Counter::AgentSessionPolls => &mut self.agent_session_polls,
            Counter::AgentStateChanges => &mut self.agent_state_changes,
            Counter::AgentSessionsEnded => &mut self.agent_sessions_ended,
        }
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("counters serialize as a JSON object")
    }
}

pub struct Controls {
    /// Oldest first: a request consumes the oldest rule that matches it.
    rules: Vec<Rule>,
    stats: Stats,
    settings: Settings,
    /// What `reset` goes back to: the command line's settings.
    initial: Settings,
    /// The live layer's switches (heartbeats, pong, long-poll cap, rejections, permissions).
    live: live::LiveControls,
    initial_live: live::LiveSettings,
}

impl Controls {
    pub fn new(config: &SandboxConfig) -> Self {
        let settings = Settings::from_config(config);
        let live = live::LiveSettings::from_config(config);
        Self {
            rules: Vec::new(),
            stats: Stats::default(),
            settings,
            initial: settings,
            live: live::LiveControls::new(live),
            initial_live: live,
        }
    }

    pub fn add_rule(&mut self, rule: Rule) {
        self.rules.push(rule);
    }

    /// Consumes one count of the oldest rule for any of `endpoints` whose mode
    /// `applies`, dropping the rule when it is used up.
    pub fn take(
        &mut self,
        endpoints: &[Endpoint],
        applies: impl Fn(Mode) -> bool,
    ) -> Option<Fault> {
        let index = self
            .rules
            .iter()
            .position(|r| endpoints.contains(&r.endpoint) && applies(r.fault.mode))?;
        let rule = &mut self.rules[index];
        rule.remaining -= 1;
        let fault = rule.fault.clone();
        if rule.remaining == 0 {
            self.rules.remove(index);
        }
        Some(fault)
    }

    pub fn pending_rules(&self) -> usize {
        self.rules.len()
    }

    pub fn count(&mut self, counter: Counter) {
        self.add(counter, 1);
    }

    pub fn add(&mut self, counter: Counter, n: u64) {
        *self.stats.slot(counter) += n;
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub fn settings(&self) -> Settings {
        self.settings
    }

    pub fn update_settings(&mut self, update: SettingsUpdate) {
        if let Some(lifetime) = update.access_token_lifetime {
            self.settings.access_token_lifetime = lifetime;
        }
        if let Some(refresh_tokens) = update.refresh_tokens {
            self.settings.refresh_tokens = refresh_tokens;
        }
        if let Some(issue) = update.issue_refresh_tokens {
            self.settings.issue_refresh_tokens = issue;
        }
        if let Some(rotate) = update.rotate_refresh_tokens {
            self.settings.rotate_refresh_tokens = rotate;
        }
    }

    pub fn live(&self) -> &live::LiveControls {
        &self.live
    }

    pub fn live_mut(&mut self) -> &mut live::LiveControls {
        &mut self.live
    }

    /// Forgets rules and counts and goes back to the command line's settings.
    pub fn reset(&mut self) {
        self.rules.clear();
        self.stats = Stats::default();
        self.settings = self.initial;
        self.live = live::LiveControls::new(self.initial_live);
    }
}

/// The fields of a POST /__sandbox/settings body; absent ones stay as they are.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SettingsUpdate {
    pub access_token_lifetime: Option<Duration>,
    pub refresh_tokens: Option<RefreshTokens>,
    pub issue_refresh_tokens: Option<bool>,
    pub rotate_refresh_tokens: Option<bool>,
}

/// A POST /__sandbox/fail-next body as sent. Unknown fields are rejected so a typo
/// ("delayMs") fails loudly instead of being ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleBody {
    endpoint: Option<Endpoint>,
    mode: Option<Mode>,
    count: Option<u32>,
    delay_ms: Option<u64>,
    retry_after: Option<u64>,
    error: Option<String>,
}

/// Parses a POST /__sandbox/fail-next body. Errors name the offending field,
/// since they are read by whoever is writing the test.
pub fn parse_rule(body: &[u8]) -> Result<Rule, String> {
    let body: RuleBody = object(body)?;
    let endpoint = body.endpoint.ok_or("endpoint is required")?;
    let mode = body.mode.ok_or("mode is required")?;
    if mode.is_redirect_only() && endpoint != Endpoint::Authorize {
        return Err(format!(
            "mode \"{}\" only applies to endpoint \"authorize\"",
            mode.name()
        ));
    }
    if mode.is_id_token() && !matches!(endpoint, Endpoint::Token | Endpoint::TokenCode) {
        return Err(format!(
            "mode \"{}\" only applies to endpoints \"token\" and \"token_code\"",
            mode.name()
        ));
    }
    let count = match body.count {
        None => 1,
        Some(0) => return Err("count must be at least 1".into()),
        Some(n) => n,
    };
    let delay_ms = body.delay_ms.unwrap_or(0);
    if delay_ms > MAX_DELAY_MS {
        return Err(format!("delay_ms must be at most {MAX_DELAY_MS}"));
    }
    let retry_after = body.retry_after.unwrap_or(DEFAULT_RETRY_AFTER_SECS);
    let error = match body.error {
        Some(e) if e.is_empty() => return Err("error must not be empty".into()),
        Some(e) => e,
        // An issuer has no sensible default: the test is about a specific wrong one.
        None if mode == Mode::Iss => {
            return Err("mode \"iss\" needs error: the issuer to add to the redirect".into())
        }
        None => DEFAULT_ERROR.to_string(),
    };
    Ok(Rule {
        endpoint,
        remaining: count,
        fault: Fault {
            mode,
            delay: Duration::from_millis(delay_ms),
            retry_after,
            error,
        },
    })
}

/// Rejects rules the running flavor can never trigger: the ID token modes
/// need `--flavor cxone` (Genesys issues no ID token).
pub fn check_flavor(rule: &Rule, flavor: Flavor) -> Result<(), String> {
    if rule.fault.mode.is_id_token() && flavor != Flavor::Cxone {
        return Err(format!(
            "mode \"{}\" needs --flavor cxone (this sandbox issues no ID tokens)",
            rule.fault.mode.name()
        ));
    }
    Ok(())
}

/// A POST /__sandbox/settings body as sent; unknown fields are rejected.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    access_token_lifetime: Option<u64>,
    refresh_tokens: Option<RefreshTokens>,
    issue_refresh_tokens: Option<bool>,
    rotate_refresh_tokens: Option<bool>,
}

/// Parses a POST /__sandbox/settings body.
pub fn parse_settings(body: &[u8]) -> Result<SettingsUpdate, String> {
    let body: SettingsBody = object(body)?;
    let access_token_lifetime = match body.access_token_lifetime {
        Some(0) => return Err("access_token_lifetime must be at least 1 second".into()),
        secs => secs.map(Duration::from_secs),
    };
    Ok(SettingsUpdate {
        access_token_lifetime,
        refresh_tokens: body.refresh_tokens,
        issue_refresh_tokens: body.issue_refresh_tokens,
        rotate_refresh_tokens: body.rotate_refresh_tokens,
    })
}

/// A JSON object's fields as `T`. Checked to be an object first: serde would also
/// take a struct from an array. Errors start with the field's name
/// ("count: invalid value: integer `-1`, expected u32").
pub(crate) fn object<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let value = match serde_json::from_slice(body) {
        Ok(value @ Value::Object(_)) => value,
        Ok(_) => return Err("the body must be a JSON object".into()),
        Err(e) => return Err(format!("the body is not valid JSON: {e}")),
    };
    serde_path_to_error::deserialize(value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(body: &str) -> Result<Rule, String> {
        parse_rule(body.as_bytes())
    }

    #[test]
    fn rule_defaults_and_fields() {
        let r = rule(r#"{"endpoint":"token","mode":"invalid_grant"}"#).unwrap();
        assert_eq!(r.endpoint, Endpoint::Token);
        assert_eq!(r.remaining, 1);
        assert_eq!(r.fault.mode, Mode::InvalidGrant);
        assert_eq!(r.fault.delay, Duration::ZERO);
        assert_eq!(r.fault.retry_after, DEFAULT_RETRY_AFTER_SECS);
        assert_eq!(r.fault.error, "server_error");

        let r = rule(
            r#"{"endpoint":"authorize","mode":"iss","count":3,"delay_ms":5,"retry_after":7,"error":"https://x"}"#,
        )
        .unwrap();
        assert_eq!(r.remaining, 3);
        assert_eq!(r.fault.delay, Duration::from_millis(5));
        assert_eq!(r.fault.retry_after, 7);
        assert_eq!(r.fault.error, "https://x");
    }

    #[test]
    fn every_endpoint_and_mode_name_is_accepted() {
        // The names rules use (end2end/tests and sandbox/README.md), one per variant.
        let endpoints = "authorize token token_refresh token_code users_me api revoke live";
        let modes = [
            "drop delay invalid_grant invalid_client oauth_error",
            "unauthorized forbidden rate_limited html_502 malformed_json",
            "wrong_content_type oversized oversized_chunked oversized_gzip endless_chunked",
            "hold_response redirect_error wrong_state iss id_token_wrong_nonce",
            "id_token_wrong_aud id_token_wrong_iss id_token_expired id_token_malformed no_id_token",
        ]
        .join(" ");
        for name in endpoints.split_whitespace() {
            let r = rule(&format!(r#"{{"endpoint":"{name}","mode":"drop"}}"#));
            assert!(r.is_ok(), "{name}: {r:?}");
        }
        for name in modes.split_whitespace() {
            // Each mode with an endpoint it applies to.
            let endpoint = match name {
                "redirect_error" | "wrong_state" | "iss" => "authorize",
                _ => "token",
            };
            let r = rule(&format!(
                r#"{{"endpoint":"{endpoint}","mode":"{name}","error":"x"}}"#
            ))
            .unwrap();
            assert_eq!(r.fault.mode.name(), name);
        }
        assert!(rule(r#"["token","drop"]"#)
            .unwrap_err()
            .contains("JSON object"));
    }

    #[test]
    fn rule_errors_name_the_problem() {
        let cases = [
            ("", "not valid JSON"),
            ("[]", "JSON object"),
            (r#"{"mode":"drop"}"#, "endpoint is required"),
            (r#"{"endpoint":"token"}"#, "mode is required"),
            (
                r#"{"endpoint":"tokens","mode":"drop"}"#,
                "endpoint: unknown variant `tokens`",
            ),
            (
                r#"{"endpoint":"token","mode":"explode"}"#,
                "mode: unknown variant `explode`",
            ),
            (
                r#"{"endpoint":"token","mode":"drop","delayMs":1}"#,
                "unknown field `delayMs`, expected one of `endpoint`, `mode`",
            ),
            (
                r#"{"endpoint":"token","mode":"drop","count":0}"#,
                "count must be at least 1",
            ),
            (
                r#"{"endpoint":"token","mode":"drop","count":-1}"#,
                "count: invalid value: integer `-1`",
            ),
            (
                r#"{"endpoint":"token","mode":"drop","count":"2"}"#,
                "count: invalid type: string \"2\"",
            ),
            (
                r#"{"endpoint":"token","mode":"wrong_state"}"#,
                "only applies to endpoint \"authorize\"",
            ),
            (r#"{"endpoint":"authorize","mode":"iss"}"#, "needs error"),
            (
                r#"{"endpoint":"token","mode":"oauth_error","error":""}"#,
                "error must not be empty",
            ),
            (
                r#"{"endpoint":"token","mode":"delay","delay_ms":600001}"#,
                "delay_ms must be at most",
            ),
            (
                r#"{"endpoint":1,"mode":"drop"}"#,
                "endpoint: invalid type: integer `1`",
            ),
        ];
        for (body, expected) in cases {
            let message = rule(body).unwrap_err();
            assert!(message.contains(expected), "{body}: {message}");
        }
    }

    #[test]
    fn id_token_modes() {
        for name in [
            "id_token_wrong_nonce",
            "id_token_wrong_aud",
            "id_token_wrong_iss",
            "id_token_expired",
            "id_token_malformed",
            "no_id_token",
        ] {
            for endpoint in ["token", "token_code"] {
                let r = rule(&format!(r#"{{"endpoint":"{endpoint}","mode":"{name}"}}"#)).unwrap();
                assert!(r.fault.mode.is_id_token());
                assert!(check_flavor(&r, Flavor::Cxone).is_ok());
                let message = check_flavor(&r, Flavor::Genesys).unwrap_err();
                assert!(message.contains("--flavor cxone"), "{message}");
            }
            for endpoint in ["token_refresh", "authorize", "api"] {
                let message =
                    rule(&format!(r#"{{"endpoint":"{endpoint}","mode":"{name}"}}"#)).unwrap_err();
                assert!(
                    message.contains("\"token\" and \"token_code\""),
                    "{message}"
                );
            }
        }
        assert!(!Mode::Drop.is_id_token());
        let r = rule(r#"{"endpoint":"token","mode":"drop"}"#).unwrap();
        assert!(check_flavor(&r, Flavor::Genesys).is_ok());
    }

    #[test]
    fn settings_parsing() {
        assert_eq!(parse_settings(b"{}").unwrap(), SettingsUpdate::default());
        let u = parse_settings(
            br#"{"access_token_lifetime":5,"issue_refresh_tokens":false,"rotate_refresh_tokens":true}"#,
        )
        .unwrap();
        assert_eq!(u.access_token_lifetime, Some(Duration::from_secs(5)));
        assert_eq!(u.issue_refresh_tokens, Some(false));
        assert_eq!(u.rotate_refresh_tokens, Some(true));
        assert_eq!(u.refresh_tokens, None);
        let u = parse_settings(br#"{"refresh_tokens":"rotate"}"#).unwrap();
        assert_eq!(u.refresh_tokens, Some(RefreshTokens::Rotate));
        for (body, expected) in [
            (r#"{"access_token_lifetime":0}"#, "at least 1 second"),
            (
                r#"{"access_token_lifetime":1.5}"#,
                "access_token_lifetime: invalid type: floating point",
            ),
            (
                r#"{"issue_refresh_tokens":"no"}"#,
                "issue_refresh_tokens: invalid type: string \"no\", expected a boolean",
            ),
            (r#"{"lifetime":5}"#, "unknown field `lifetime`"),
            (
                r#"{"refresh_tokens":"always"}"#,
                "refresh_tokens: unknown variant `always`, expected `none` or `rotate`",
            ),
            (
                r#"{"refresh_tokens":true}"#,
                "refresh_tokens: invalid type: boolean `true`",
            ),
        ] {
            let message = parse_settings(body.as_bytes()).unwrap_err();
            assert!(message.contains(expected), "{body}: {message}");
        }
    }

    #[test]
    fn oldest_matching_rule_is_consumed_count_times() {
        let mut c = Controls::new(&SandboxConfig::default());
        c.add_rule(rule(r#"{"endpoint":"token_refresh","mode":"drop","count":2}"#).unwrap());
        c.add_rule(rule(r#"{"endpoint":"token","mode":"html_502"}"#).unwrap());
        let code = [Endpoint::Token, Endpoint::TokenCode];
        let refresh = [Endpoint::Token, Endpoint::TokenRefresh];
        // The code grant skips the refresh-only rule.
        assert_eq!(c.take(&code, |_| true).unwrap().mode, Mode::Html502);
        assert_eq!(c.take(&code, |_| true), None);
        assert_eq!(c.take(&refresh, |_| true).unwrap().mode, Mode::Drop);
        assert_eq!(c.take(&refresh, |_| true).unwrap().mode, Mode::Drop);
        assert_eq!(c.take(&refresh, |_| true), None);
        assert_eq!(c.pending_rules(), 0);
    }

    #[test]
    fn rules_a_request_cannot_trigger_wait_for_one_that_can() {
        let mut c = Controls::new(&SandboxConfig::default());
        c.add_rule(rule(r#"{"endpoint":"authorize","mode":"wrong_state"}"#).unwrap());
        assert_eq!(c.take(&[Endpoint::Authorize], |m| !m.needs_code()), None);
        assert_eq!(
            c.take(&[Endpoint::Authorize], |_| true).unwrap().mode,
            Mode::WrongState
        );
    }

    #[test]
    fn stats_settings_and_reset() {
        let config = SandboxConfig::default();
        let mut c = Controls::new(&config);
        c.count(Counter::TokenRefresh);
        c.count(Counter::TokenRefresh);
        c.count(Counter::Logout);
        let json = c.stats().to_json();
        assert_eq!(json["token_refresh"], 2);
        assert_eq!(json["logout"], 1);
        assert_eq!(json["authorize_page"], 0);
        assert_eq!(json.as_object().unwrap().len(), 23);
        assert_eq!(json["api_rejected_401"], 0);
        assert_eq!(json["tenant_config"], 0);
        assert_eq!(json["discovery"], 0);

        // The genesys default: no refresh tokens, whatever the two switches say.
        let s = c.settings();
        assert!(s.refuses_refresh_grant() && !s.issues_refresh_tokens() && !s.rotates_on_refresh());
        c.update_settings(SettingsUpdate {
            refresh_tokens: Some(RefreshTokens::Rotate),
            ..SettingsUpdate::default()
        });
        let s = c.settings();
        assert!(!s.refuses_refresh_grant() && s.issues_refresh_tokens() && s.rotates_on_refresh());
        c.update_settings(SettingsUpdate {
            access_token_lifetime: Some(Duration::from_secs(5)),
            refresh_tokens: None,
            issue_refresh_tokens: None,
            rotate_refresh_tokens: Some(false),
        });
        let s = c.settings();
        assert_eq!(s.access_token_lifetime, Duration::from_secs(5));
        assert!(s.issue_refresh_tokens && !s.rotate_refresh_tokens && !s.rotates_on_refresh());
        c.add(Counter::RevokedRefreshTokens, 3);
        assert_eq!(c.stats().to_json()["revoked_refresh_tokens"], 3);

        c.add_rule(rule(r#"{"endpoint":"api","mode":"forbidden"}"#).unwrap());
        c.reset();
        assert_eq!(c.pending_rules(), 0);
        assert_eq!(c.stats().token_refresh, 0);
        assert_eq!(c.settings(), Settings::from_config(&config));
    }
}

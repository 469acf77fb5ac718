//! All mutable server state: authorization codes, access tokens, refresh tokens
//! and the token families that tie them to the code they came from.
//!
//! Lives behind one `Mutex` (see `lib.rs`); every method is a single short
//! critical section, so check-and-update steps cannot interleave.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::random;

/// Everything issued from one authorization code shares a family, so that
/// code replay or refresh-token reuse can revoke all of it at once.
pub type FamilyId = u64;

/// How long a spent or expired code is remembered, so a replay is still
/// recognised as one (and revokes its tokens) rather than as an unknown code.
const USED_CODE_MEMORY: Duration = Duration::from_secs(600);

#[derive(Debug, Clone)]
pub struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub user_id: String,
    pub expires_at: Instant,
    pub used: bool,
    pub family: FamilyId,
    /// The OpenID Connect `nonce` of the authorization request (cxone flavor).
    pub nonce: Option<String>,
}

/// What a valid access token stands for.
#[derive(Debug, Clone)]
pub struct Grant {
    pub client_id: String,
    pub user_id: String,
    pub family: FamilyId,
}

#[derive(Debug)]
struct AccessToken {
    grant: Grant,
    expires_at: Instant,
}

#[derive(Debug)]
struct RefreshToken {
    grant: Grant,
    /// Rotated away: presenting it again means it leaked.
    used: bool,
}

/// Tokens handed to the client by a successful grant.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_token: String,
    /// `None` when the test controls turned refresh tokens (or their rotation) off.
    pub refresh_token: Option<String>,
    /// What the tokens stand for (the cxone flavor's ID token is built from it).
    pub grant: Grant,
}

/// Makes the string of a new access token for a grant and lifetime; the cxone
/// flavor's are JWTs. The store still looks tokens up by their exact string.
pub type AccessTokenMinter = Box<dyn Fn(&Grant, Duration) -> String + Send>;

#[derive(Debug, PartialEq, Eq)]
pub enum CodeError {
    Unknown,
    Expired,
    /// Second presentation; the code's tokens have been revoked.
    Reused,
}

/// Where a refresh token stands, for the test controls' `token-status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshStatus {
    /// Can be presented.
    Live,
    /// Rotated away; presenting it again revokes its family.
    Spent,
    /// Its family was revoked (sign-out, code replay or reuse detection).
    Revoked,
    /// Never issued by this server (or issued before a restart).
    Unknown,
}

impl RefreshStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Spent => "spent",
            Self::Revoked => "revoked",
            Self::Unknown => "unknown",
        }
    }
}

/// A signed-in browser at the sign-in page (the SSO cookie's server side).
#[derive(Debug, Clone)]
pub struct SsoSession {
    pub user_id: String,
    pub expires_at: Instant,
}

#[derive(Debug, PartialEq, Eq)]
pub enum RefreshError {
    Unknown,
    ClientMismatch,
    /// A rotated-away token came back; its whole family has been revoked.
    Reused,
}

#[derive(Default)]
pub struct Store {
    codes: HashMap<String, AuthCode>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    /// Refresh tokens dropped by `revoke_family`, so tests can ask whether a given
    /// one was revoked. Only strings: small enough to keep for a demo's lifetime.
    revoked_refresh: HashSet<String>,
    /// SSO cookie value -> session.
    sso: HashMap<String, SsoSession>,
    next_family: FamilyId,
    /// `None`: opaque random access tokens.
    minter: Option<AccessTokenMinter>,
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    /// A store whose access tokens are made by `minter` instead of being random strings.
    pub fn with_access_token_minter(minter: AccessTokenMinter) -> Self {
        Self {
            minter: Some(minter),
            ..Self::default()
        }
    }

    /// Stores a fresh single-use code and returns its value.
    pub fn issue_code(
        &mut self,
        client_id: &str,
        redirect_uri: &str,
        code_challenge: &str,
        user_id: &str,
        lifetime: Duration,
        now: Instant,
    ) -> String {
        self.prune(now);
        self.next_family += 1;
        let code = random::token();
        self.codes.insert(
            code.clone(),
            AuthCode {
                client_id: client_id.to_string(),
                redirect_uri: redirect_uri.to_string(),
                code_challenge: code_challenge.to_string(),
                user_id: user_id.to_string(),
                expires_at: now + lifetime,
                used: false,
                family: self.next_family,
                nonce: None,
            },
        );
        code
    }

    /// Binds an OpenID Connect nonce to a code just issued.
    pub fn set_code_nonce(&mut self, code: &str, nonce: &str) {
        if let Some(entry) = self.codes.get_mut(code) {
            entry.nonce = Some(nonce.to_string());
        }
    }

    /// The nonce of the code a family was issued from (codes are remembered
    /// for a while after use, so this works right after the code grant).
    pub fn code_nonce(&self, family: FamilyId) -> Option<String> {
        self.codes
            .values()
            .find(|c| c.family == family)
            .and_then(|c| c.nonce.clone())
    }

    /// Marks the code used (whatever the caller decides next) and returns its
    /// binding for the caller to check. A second presentation revokes every
    /// token issued from the code (RFC 6749 4.1.2).
    pub fn redeem_code(&mut self, code: &str, now: Instant) -> Result<AuthCode, CodeError> {
        let Some(entry) = self.codes.get_mut(code) else {
            return Err(CodeError::Unknown);
        };
        if entry.used {
            let family = entry.family;
            self.revoke_family(family);
            return Err(CodeError::Reused);
        }
        entry.used = true;
        if now >= entry.expires_at {
            return Err(CodeError::Expired);
        }
        Ok(entry.clone())
    }

    /// Issues an access token, and a refresh token if `with_refresh`, in `grant`'s family.
    pub fn issue_tokens(
        &mut self,
        grant: Grant,
        access_lifetime: Duration,
        with_refresh: bool,
        now: Instant,
    ) -> IssuedTokens {
        self.prune(now);
        let access_token = match &self.minter {
            Some(mint) => mint(&grant, access_lifetime),
            None => random::token(),
        };
        self.access.insert(
            access_token.clone(),
            AccessToken {
                grant: grant.clone(),
                expires_at: now + access_lifetime,
            },
        );
        let refresh_token = with_refresh.then(|| {
            let token = random::token();
            self.refresh.insert(
                token.clone(),
                RefreshToken {
                    grant: grant.clone(),
                    used: false,
                },
            );
            token
        });
        IssuedTokens {
            access_token,
            refresh_token,
            grant,
        }
    }

    /// A new access token for a refresh token. With `rotate`, the old refresh
    /// token is spent and a new one issued (reuse detection applies to the old
    /// one); without, no new one is issued and the old one stays valid.
    pub fn rotate_refresh(
        &mut self,
        refresh_token: &str,
        client_id: &str,
        access_lifetime: Duration,
        rotate: bool,
        now: Instant,
    ) -> Result<IssuedTokens, RefreshError> {
        let Some(entry) = self.refresh.get_mut(refresh_token) else {
            return Err(RefreshError::Unknown);
        };
        if entry.used {
            let family = entry.grant.family;
            self.revoke_family(family);
            return Err(RefreshError::Reused);
        }
        if entry.grant.client_id != client_id {
            return Err(RefreshError::ClientMismatch);
        }
        if rotate {
            entry.used = true;
        }
        let grant = entry.grant.clone();
        Ok(self.issue_tokens(grant, access_lifetime, rotate, now))
    }

    /// Every access token issued so far stops working now; refresh tokens are
    /// untouched, so a client can recover by refreshing.
    pub fn expire_access_tokens(&mut self, now: Instant) {
        for token in self.access.values_mut() {
            token.expires_at = token.expires_at.min(now);
        }
    }

    /// The grant behind a live access token; `None` if unknown, expired or revoked.
    pub fn access_grant(&self, access_token: &str, now: Instant) -> Option<Grant> {
        self.access
            .get(access_token)
            .filter(|t| now < t.expires_at)
            .map(|t| t.grant.clone())
    }

    /// Drops every access and refresh token of the family and returns how many of
    /// the refresh tokens were live (not spent). Codes stay (marked used) so a later
    /// replay is still recognised.
    pub fn revoke_family(&mut self, family: FamilyId) -> u64 {
        self.access.retain(|_, t| t.grant.family != family);
        let mut live = 0;
        let revoked = &mut self.revoked_refresh;
        self.refresh.retain(|token, t| {
            if t.grant.family != family {
                return true;
            }
            live += u64::from(!t.used);
            revoked.insert(token.clone());
            false
        });
        for code in self.codes.values_mut() {
            if code.family == family {
                code.used = true;
            }
        }
        live
    }

    pub fn refresh_status(&self, refresh_token: &str) -> RefreshStatus {
        match self.refresh.get(refresh_token) {
            Some(t) if t.used => RefreshStatus::Spent,
            Some(_) => RefreshStatus::Live,
            None if self.revoked_refresh.contains(refresh_token) => RefreshStatus::Revoked,
            None => RefreshStatus::Unknown,
        }
    }

    /// Refresh tokens that can still be presented (they never expire here).
    pub fn live_refresh_tokens(&self) -> usize {
        self.refresh.values().filter(|t| !t.used).count()
    }

    /// Starts an SSO session for `user_id`; returns the cookie value.
    pub fn start_sso(&mut self, user_id: &str, lifetime: Duration, now: Instant) -> String {
        self.sso.retain(|_, s| s.expires_at > now);
        let id = random::token();
        self.sso.insert(
            id.clone(),
            SsoSession {
                user_id: user_id.to_string(),
                expires_at: now + lifetime,
            },
        );
        id
    }

    /// The user of a live SSO session.
    pub fn sso_user(&self, id: &str, now: Instant) -> Option<String> {
        self.sso
            .get(id)
            .filter(|s| now < s.expires_at)
            .map(|s| s.user_id.clone())
    }

    pub fn end_sso(&mut self, id: &str) {
        self.sso.remove(id);
    }

    /// Every SSO session ends now (test control).
    pub fn end_all_sso(&mut self) {
        self.sso.clear();
    }

    /// Keeps memory bounded in a long-running demo.
    fn prune(&mut self, now: Instant) {
        self.codes
            .retain(|_, c| c.expires_at + USED_CODE_MEMORY > now);
        self.access.retain(|_, t| t.expires_at > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    fn code(store: &mut Store, now: Instant) -> String {
        store.issue_code(
            "client",
            "http://x/cb",
            "challenge",
            "user",
            Duration::from_secs(60),
            now,
        )
    }

    /// Renews with `tokens`' refresh token, rotating, for an hour.
    fn rotate(
        s: &mut Store,
        tokens: &IssuedTokens,
        client: &str,
        now: Instant,
    ) -> Result<IssuedTokens, RefreshError> {
        let refresh_token = tokens.refresh_token.as_deref().unwrap();
        s.rotate_refresh(refresh_token, client, HOUR, true, now)
    }

    fn grant_of(c: &AuthCode) -> Grant {
        Grant {
            client_id: c.client_id.clone(),
            user_id: c.user_id.clone(),
            family: c.family,
        }
    }

    #[test]
    fn code_is_single_use_and_replay_revokes() {
        let mut s = Store::new();
        let now = Instant::now();
        let c = code(&mut s, now);
        let bound = s.redeem_code(&c, now).unwrap();
        assert_eq!(bound.redirect_uri, "http://x/cb");
        let tokens = s.issue_tokens(grant_of(&bound), HOUR, true, now);
        assert!(s.access_grant(&tokens.access_token, now).is_some());
        assert_eq!(s.redeem_code(&c, now).unwrap_err(), CodeError::Reused);
        assert!(s.access_grant(&tokens.access_token, now).is_none());
        assert_eq!(
            rotate(&mut s, &tokens, "client", now).unwrap_err(),
            RefreshError::Unknown
        );
    }

    #[test]
    fn expired_code_is_rejected_and_consumed() {
        let mut s = Store::new();
        let now = Instant::now();
        let c = code(&mut s, now);
        let later = now + Duration::from_secs(61);
        assert_eq!(s.redeem_code(&c, later).unwrap_err(), CodeError::Expired);
        assert_eq!(s.redeem_code(&c, later).unwrap_err(), CodeError::Reused);
        assert_eq!(s.redeem_code("nope", now).unwrap_err(), CodeError::Unknown);
    }

    #[test]
    fn access_token_expires() {
        let mut s = Store::new();
        let now = Instant::now();
        let c = code(&mut s, now);
        let g = grant_of(&s.redeem_code(&c, now).unwrap());
        let t = s.issue_tokens(g, Duration::from_secs(5), true, now);
        assert!(s
            .access_grant(&t.access_token, now + Duration::from_secs(4))
            .is_some());
        assert!(s
            .access_grant(&t.access_token, now + Duration::from_secs(5))
            .is_none());
    }

    #[test]
    fn refresh_rotation_and_reuse_detection() {
        let mut s = Store::new();
        let now = Instant::now();
        let c = code(&mut s, now);
        let g = grant_of(&s.redeem_code(&c, now).unwrap());
        let first = s.issue_tokens(g, HOUR, true, now);
        assert_eq!(
            rotate(&mut s, &first, "other", now).unwrap_err(),
            RefreshError::ClientMismatch
        );
        let second = rotate(&mut s, &first, "client", now).unwrap();
        assert_ne!(second.refresh_token, first.refresh_token);
        assert!(s.access_grant(&second.access_token, now).is_some());
        assert_eq!(
            rotate(&mut s, &first, "client", now).unwrap_err(),
            RefreshError::Reused
        );
        assert!(s.access_grant(&first.access_token, now).is_none());
        assert!(s.access_grant(&second.access_token, now).is_none());
        assert_eq!(
            rotate(&mut s, &second, "client", now).unwrap_err(),
            RefreshError::Unknown
        );
    }

    #[test]
    fn families_are_independent() {
        let mut s = Store::new();
        let now = Instant::now();
        let c1 = code(&mut s, now);
        let c2 = code(&mut s, now);
        let g1 = grant_of(&s.redeem_code(&c1, now).unwrap());
        let t1 = s.issue_tokens(g1, HOUR, true, now);
        let g2 = grant_of(&s.redeem_code(&c2, now).unwrap());
        let t2 = s.issue_tokens(g2.clone(), HOUR, true, now);
        assert_eq!(s.live_refresh_tokens(), 2);
        assert_eq!(s.revoke_family(g2.family), 1);
        assert!(s.access_grant(&t1.access_token, now).is_some());
        assert!(s.access_grant(&t2.access_token, now).is_none());
        assert_eq!(s.live_refresh_tokens(), 1);
        let r1 = t1.refresh_token.unwrap();
        let r2 = t2.refresh_token.unwrap();
        assert_eq!(s.refresh_status(&r1), RefreshStatus::Live);
        assert_eq!(s.refresh_status(&r2), RefreshStatus::Revoked);
        assert_eq!(s.refresh_status("never-issued"), RefreshStatus::Unknown);
    }

    #[test]
    fn revoking_a_family_counts_its_rotated_live_token_only() {
        let mut s = Store::new();
        let now = Instant::now();
        let c = code(&mut s, now);
        let g = grant_of(&s.redeem_code(&c, now).unwrap());
        let first = s.issue_tokens(g.clone(), HOUR, true, now);
        let first_refresh = first.refresh_token.unwrap();
        let second = s
            .rotate_refresh(&first_refresh, "client", HOUR, true, now)
            .unwrap();
        let second_refresh = second.refresh_token.unwrap();
        assert_eq!(s.refresh_status(&first_refresh), RefreshStatus::Spent);
        assert_eq!(s.refresh_status(&second_refresh), RefreshStatus::Live);
        // Revoked with the first (pre-rotation) access token's family: the rotated one goes too.
        assert_eq!(s.revoke_family(g.family), 1);
        assert_eq!(s.refresh_status(&first_refresh), RefreshStatus::Revoked);
        assert_eq!(s.refresh_status(&second_refresh), RefreshStatus::Revoked);
        assert_eq!(s.live_refresh_tokens(), 0);
    }

    #[test]
    fn sso_sessions_expire_and_end() {
        let mut s = Store::new();
        let now = Instant::now();
        let a = s.start_sso("ada", Duration::from_secs(10), now);
        let b = s.start_sso("grace", Duration::from_secs(10), now);
        assert_ne!(a, b);
        assert_eq!(s.sso_user(&a, now).as_deref(), Some("ada"));
        assert_eq!(s.sso_user(&a, now + Duration::from_secs(10)), None);
        s.end_sso(&a);
        assert_eq!(s.sso_user(&a, now), None);
        assert_eq!(s.sso_user(&b, now).as_deref(), Some("grace"));
        s.end_all_sso();
        assert_eq!(s.sso_user(&b, now), None);
    }

    #[test]
    fn refresh_without_rotation_keeps_the_old_token() {
        let mut s = Store::new();
        let now = Instant::now();
        let c = code(&mut s, now);
        let g = grant_of(&s.redeem_code(&c, now).unwrap());
        let first = s.issue_tokens(g, HOUR, true, now);
        let refresh = first.refresh_token.unwrap();
        for _ in 0..2 {
            let next = s
                .rotate_refresh(&refresh, "client", HOUR, false, now)
                .unwrap();
            assert_eq!(next.refresh_token, None);
            assert!(s.access_grant(&next.access_token, now).is_some());
        }
        // Rotation can resume with the same token.
        assert!(s
            .rotate_refresh(&refresh, "client", HOUR, true, now)
            .unwrap()
            .refresh_token
            .is_some());
    }

    #[test]
    fn nonce_and_access_token_minter() {
        let minted = std::sync::atomic::AtomicU32::new(0);
        let mut s = Store::with_access_token_minter(Box::new(move |grant, lifetime| {
            let n = minted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            format!("{}.{}.{n}", grant.user_id, lifetime.as_secs())
        }));
        let now = Instant::now();
        let c = code(&mut s, now);
        s.set_code_nonce(&c, "n-1");
        let other = code(&mut s, now);
        let bound = s.redeem_code(&c, now).unwrap();
        assert_eq!(bound.nonce.as_deref(), Some("n-1"));
        let tokens = s.issue_tokens(grant_of(&bound), HOUR, true, now);
        assert_eq!(tokens.access_token, "user.3600.0");
        assert_eq!(tokens.grant.family, bound.family);
        assert!(s.access_grant(&tokens.access_token, now).is_some());
        assert_eq!(s.code_nonce(bound.family).as_deref(), Some("n-1"));
        let other = s.redeem_code(&other, now).unwrap();
        assert_eq!(other.nonce, None);
        assert_eq!(s.code_nonce(other.family), None);
        // Refreshed tokens come from the same minter.
        let next = rotate(&mut s, &tokens, "client", now).unwrap();
        assert_eq!(next.access_token, "user.3600.1");
        assert!(s.access_grant("user.3600.1", now).is_some());
    }

    #[test]
    fn issuing_without_refresh_token_and_expiring_access_tokens() {
        let mut s = Store::new();
        let now = Instant::now();
        let c = code(&mut s, now);
        let g = grant_of(&s.redeem_code(&c, now).unwrap());
        let bare = s.issue_tokens(g.clone(), HOUR, false, now);
        assert_eq!(bare.refresh_token, None);
        let full = s.issue_tokens(g, HOUR, true, now);
        s.expire_access_tokens(now);
        assert!(s.access_grant(&bare.access_token, now).is_none());
        assert!(s.access_grant(&full.access_token, now).is_none());
        let fresh = rotate(&mut s, &full, "client", now).unwrap();
        assert!(s.access_grant(&fresh.access_token, now).is_some());
    }
}

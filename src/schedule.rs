//! When to refresh: pure arithmetic on the local clock, so it is tested without a browser.

use crate::token::TokenSet;

/// `setTimeout` silently fires at once for delays above 2^31-1 ms.
pub const MAX_TIMER_DELAY_MS: u64 = 2_147_483_647;

/// A refresh is never scheduled sooner than this after now, so a server that hands out
/// very short lifetimes cannot make the app spin.
pub const MIN_REFRESH_DELAY_MS: u64 = 2_000;

/// Fixed margin kept before expiry, when the lifetime allows it.
const MARGIN_MS: u64 = 60_000;

/// The moment to refresh a token issued at `issued_at_ms` that expires at `expires_at_ms`:
/// `min(0.8 x lifetime, lifetime - 60 s)`, never earlier than half the lifetime, moved
/// earlier by up to 5 % of the lifetime (`jitter` in 0..1) so tabs and clients spread out.
pub fn refresh_at_ms(issued_at_ms: u64, expires_at_ms: u64, jitter: f64) -> u64 {
    let lifetime = expires_at_ms.saturating_sub(issued_at_ms);
    let proportional = lifetime / 5 * 4;
    let with_margin = lifetime.saturating_sub(MARGIN_MS);
    let offset = proportional.min(with_margin).max(lifetime / 2);
    let spread = (lifetime as f64 * 0.05 * jitter.clamp(0.0, 1.0)) as u64;
    issued_at_ms.saturating_add(offset.saturating_sub(spread))
}

/// When the next refresh is due for `tokens`, or `None` when it cannot be planned (no
/// refresh token, or no known lifetime).
pub fn next_refresh_at(tokens: &TokenSet, jitter: f64) -> Option<u64> {
    let expires_at = tokens.expires_at_ms?;
    tokens.refresh_token.as_ref()?;
    Some(refresh_at_ms(tokens.issued_at_ms, expires_at, jitter))
}

/// How long before expiry "Continue session" is offered, when the lifetime allows it.
pub const CONTINUE_SESSION_LEAD_MS: u64 = 5 * 60_000;

/// When to offer "Continue session" (a fresh top-level sign-in that the provider's own login
/// session normally completes without a password) for tokens that cannot be renewed silently:
/// [`CONTINUE_SESSION_LEAD_MS`] before expiry, or the last quarter of a short lifetime (a
/// 300 s Genesys token: 75 s before), never before the token was issued and never before
/// `now_ms` (a restored session past that point offers it at once). `None` once expired: the
/// session is over and expiry signs out.
pub fn continue_session_at_ms(issued_at_ms: u64, expires_at_ms: u64, now_ms: u64) -> Option<u64> {
    if now_ms >= expires_at_ms {
        return None;
    }
    let lifetime = expires_at_ms.saturating_sub(issued_at_ms);
    let lead = CONTINUE_SESSION_LEAD_MS.min(lifetime / 4);
    Some(
        expires_at_ms
            .saturating_sub(lead)
            .max(issued_at_ms)
            .max(now_ms)
            .min(expires_at_ms),
    )
}

/// When to offer "Continue session" for `tokens`: only without a refresh token (never given,
/// or dropped after the provider refused to renew) and with a known lifetime.
pub fn next_continue_session_at(tokens: &TokenSet, now_ms: u64) -> Option<u64> {
    if tokens.refresh_token.is_some() {
        return None;
    }
    continue_session_at_ms(tokens.issued_at_ms, tokens.expires_at_ms?, now_ms)
}

/// First retry after a refresh failed for a passing reason; doubled per failure up to
/// [`MAX_RETRY_DELAY_MS`].
pub const FIRST_RETRY_DELAY_MS: u64 = 5_000;
pub const MAX_RETRY_DELAY_MS: u64 = 60_000;

/// Backoff after the `failures`-th consecutive failed refresh (1 = first), plus up to 20 %
/// jitter so that many clients coming back online do not all retry at once.
pub fn retry_delay_ms(failures: u32, jitter: f64) -> u64 {
    let exponent = failures.saturating_sub(1).min(16);
    let base = FIRST_RETRY_DELAY_MS
        .saturating_mul(1 << exponent)
        .min(MAX_RETRY_DELAY_MS);
    base + (base as f64 * 0.2 * jitter.clamp(0.0, 1.0)) as u64
}

/// A timer delay for `target_ms`, clamped to what `setTimeout` can do.
pub fn timer_delay_ms(now_ms: u64, target_ms: u64) -> u32 {
    target_ms
        .saturating_sub(now_ms)
        .clamp(MIN_REFRESH_DELAY_MS, MAX_TIMER_DELAY_MS) as u32
}

/// `1 h 02 min`, `4 min 05 s`, `12 s`, or `expired`: the countdown on the dashboard.
pub fn format_remaining(now_ms: u64, expires_at_ms: u64) -> String {
    if now_ms >= expires_at_ms {
        return "expired".into();
    }
    let secs = (expires_at_ms - now_ms).div_ceil(1000);
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s:02} s"),
        (h, m, _) => format!("{h} h {m:02} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::{AccessToken, RefreshToken};

    #[test]
    fn long_lifetimes_refresh_at_eighty_percent() {
        assert_eq!(refresh_at_ms(0, 3_600_000, 0.0), 2_880_000);
    }

    #[test]
    fn medium_lifetimes_keep_a_minute_of_margin() {
        assert_eq!(refresh_at_ms(0, 240_000, 0.0), 180_000);
    }

    #[test]
    fn short_lifetimes_refresh_at_half() {
        assert_eq!(refresh_at_ms(1_000, 31_000, 0.0), 16_000);
        assert_eq!(refresh_at_ms(0, 0, 0.0), 0);
    }

    #[test]
    fn jitter_only_moves_earlier_and_by_at_most_five_percent() {
        let plain = refresh_at_ms(0, 3_600_000, 0.0);
        let jittered = refresh_at_ms(0, 3_600_000, 1.0);
        assert_eq!(plain - jittered, 180_000);
        assert_eq!(
            refresh_at_ms(0, 3_600_000, 7.0),
            jittered,
            "jitter is clamped"
        );
        assert_eq!(refresh_at_ms(0, 3_600_000, f64::NAN), plain);
    }

    #[test]
    fn absurd_inputs_do_not_overflow() {
        assert_eq!(refresh_at_ms(u64::MAX, u64::MAX, 0.5), u64::MAX);
        assert_eq!(
            refresh_at_ms(10, 5, 0.0),
            10,
            "expiry before issue means refresh now"
        );
    }

    #[test]
    fn timer_delays_are_clamped() {
        assert_eq!(timer_delay_ms(1_000, 0), MIN_REFRESH_DELAY_MS as u32);
        assert_eq!(timer_delay_ms(0, 10_000), 10_000);
        assert_eq!(timer_delay_ms(0, u64::MAX), MAX_TIMER_DELAY_MS as u32);
    }

    /// Tokens issued at 0 without a refresh token.
    fn tokens_expiring_at(expires_at_ms: u64) -> TokenSet {
        TokenSet {
            access_token: AccessToken::new("a"),
            refresh_token: None,
            id_token: None,
            scope: None,
            issued_at_ms: 0,
            expires_at_ms: Some(expires_at_ms),
        }
    }

    #[test]
    fn nothing_is_planned_without_a_refresh_token_or_lifetime() {
        let mut tokens = tokens_expiring_at(100_000);
        assert_eq!(next_refresh_at(&tokens, 0.0), None);
        tokens.refresh_token = Some(RefreshToken::new("r"));
        assert_eq!(next_refresh_at(&tokens, 0.0), Some(50_000));
        tokens.expires_at_ms = None;
        assert_eq!(next_refresh_at(&tokens, 0.0), None);
    }

    #[test]
    fn retries_back_off_exponentially_and_stay_bounded() {
        assert_eq!(retry_delay_ms(1, 0.0), 5_000);
        assert_eq!(retry_delay_ms(2, 0.0), 10_000);
        assert_eq!(retry_delay_ms(4, 0.0), 40_000);
        assert_eq!(retry_delay_ms(5, 0.0), MAX_RETRY_DELAY_MS);
        assert_eq!(retry_delay_ms(u32::MAX, 0.0), MAX_RETRY_DELAY_MS);
        assert_eq!(retry_delay_ms(0, 0.0), 5_000);
        assert_eq!(retry_delay_ms(1, 1.0), 6_000);
    }

    #[test]
    fn countdown_reads_naturally() {
        assert_eq!(format_remaining(0, 12_000), "12 s");
        assert_eq!(format_remaining(0, 245_000), "4 min 05 s");
        assert_eq!(format_remaining(0, 3_720_000), "1 h 02 min");
        assert_eq!(format_remaining(5, 5), "expired");
        assert_eq!(format_remaining(0, 1), "1 s");
    }

    #[test]
    fn continue_session_is_offered_five_minutes_before_expiry() {
        const MIN: u64 = 60_000;
        assert_eq!(continue_session_at_ms(0, 60 * MIN, 0), Some(55 * MIN));
        // Genesys' longest lifetime (48 h).
        assert_eq!(
            continue_session_at_ms(0, 172_800_000, 0),
            Some(172_800_000 - 5 * MIN)
        );
        // Short lifetimes: the last quarter (Genesys' shortest, 300 s; the demo's 120 s).
        assert_eq!(continue_session_at_ms(0, 300_000, 0), Some(225_000));
        assert_eq!(continue_session_at_ms(1_000, 121_000, 1_000), Some(91_000));
    }

    #[test]
    fn continue_session_is_never_offered_in_the_past() {
        // Restored after the offer time but before expiry: at once.
        assert_eq!(
            continue_session_at_ms(0, 3_600_000, 3_500_000),
            Some(3_500_000)
        );
        // Expired: nothing to continue.
        assert_eq!(continue_session_at_ms(0, 3_600_000, 3_600_000), None);
        assert_eq!(continue_session_at_ms(0, 3_600_000, u64::MAX), None);
        // Nonsense inputs stay inside [now, expiry].
        assert_eq!(continue_session_at_ms(10_000, 5_000, 0), Some(5_000));
        assert_eq!(continue_session_at_ms(0, 0, 0), None);
        assert_eq!(
            continue_session_at_ms(u64::MAX - 4, u64::MAX, 0),
            Some(u64::MAX - 1)
        );
    }

    #[test]
    fn continue_session_only_without_a_refresh_token() {
        let mut tokens = tokens_expiring_at(3_600_000);
        assert_eq!(next_continue_session_at(&tokens, 0), Some(3_300_000));
        tokens.refresh_token = Some(RefreshToken::new("r"));
        assert_eq!(next_continue_session_at(&tokens, 0), None);
        tokens.refresh_token = None;
        tokens.expires_at_ms = None;
        assert_eq!(next_continue_session_at(&tokens, 0), None);
    }

    #[test]
    fn the_countdown_counts_from_now() {
        assert_eq!(format_remaining(10_000, 22_000), "12 s");
        assert_eq!(
            format_remaining(1_700_000_000_000, 1_700_000_245_000),
            "4 min 05 s"
        );
    }
}

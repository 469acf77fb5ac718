//! The CXone poll loop's decisions: poll again at once, after a backoff, or stop.

use super::{Poll, SessionEvent};
use crate::error::AuthError;
use crate::schedule::backoff_ms;

/// What the poll loop does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollNext {
    /// Poll again at once (events or a 304).
    Now,
    /// Wait this long, then poll again (a passing failure).
    After(u64),
    /// The session is over (409, an end event): stop polling.
    Ended,
    /// Polling cannot help (403; the auth session ended): stop.
    GiveUp,
}

/// First wait after a failed poll; doubled per consecutive failure up to
/// [`MAX_POLL_RETRY_DELAY_MS`]. (The SDK waits a flat 10 s.)
pub const FIRST_POLL_RETRY_DELAY_MS: u64 = 2_000;
pub const MAX_POLL_RETRY_DELAY_MS: u64 = 30_000;

pub fn poll_retry_delay_ms(failures: u32, jitter: f64) -> u64 {
    backoff_ms(
        FIRST_POLL_RETRY_DELAY_MS,
        MAX_POLL_RETRY_DELAY_MS,
        failures,
        jitter,
    )
}

/// The loop's decision after one poll; `failures` counts consecutive failed polls.
pub fn after_poll(result: &Result<Poll, AuthError>, failures: &mut u32, jitter: f64) -> PollNext {
    match result {
        Ok(Poll::Ended) => PollNext::Ended,
        Ok(Poll::Events { events, .. }) if events.contains(&SessionEvent::SessionEnded) => {
            PollNext::Ended
        }
        Ok(_) => {
            *failures = 0;
            PollNext::Now
        }
        Err(AuthError::Forbidden { .. } | AuthError::SessionExpired) => PollNext::GiveUp,
        Err(error) => {
            *failures = failures.saturating_add(1);
            let wait = poll_retry_delay_ms(*failures, jitter);
            // A long Retry-After is the server's to set.
            let wait = match error {
                AuthError::RateLimited {
                    retry_after_secs: Some(secs),
                } => wait.max(secs.saturating_mul(1000)),
                _ => wait,
            };
            PollNext::After(wait)
        }
    }
}

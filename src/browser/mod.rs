//! Thin glue to the browser: clock, randomness, storage, fetch and the address bar.
//! No protocol decisions are made here; they live in the pure modules.

pub mod boot;
pub mod http;
pub mod lock;
pub mod page;
pub mod socket;
pub mod storage;

use crate::error::AuthError;
use crate::pkce::RANDOM_BYTES;
use rand::{rngs::OsRng, TryRngCore};

/// Milliseconds since the epoch on the local clock.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// 32 bytes from `crypto.getRandomValues`. Fails (rather than falling back to anything
/// weaker) when the browser has no CSPRNG.
pub fn random_bytes() -> Result<[u8; RANDOM_BYTES], AuthError> {
    let mut bytes = [0u8; RANDOM_BYTES];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|_| AuthError::BrowserUnsupported {
            missing: "a secure random number generator (crypto.getRandomValues)",
        })?;
    Ok(bytes)
}

/// Resolves after `ms` milliseconds (used to honour `Retry-After`).
pub async fn sleep(ms: u32) {
    let (done, wait) = futures_channel::oneshot::channel::<()>();
    leptos::prelude::set_timeout(
        move || {
            let _ = done.send(());
        },
        std::time::Duration::from_millis(ms.into()),
    );
    let _ = wait.await;
}

/// A number in 0..1 for spreading timers; not security relevant.
pub fn jitter() -> f64 {
    js_sys::Math::random()
}

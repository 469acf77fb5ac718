//! The session's clocks: the renewal timer, the Continue session offer and session end for a
//! session that cannot be renewed, and the wake-ups (visibility, focus, online) that catch up
//! after a sleep, since timers do not run while a laptop sleeps.

use super::refresh::SESSION_TIME_UP;
use super::AuthStore;
use crate::browser;
use crate::schedule;
use crate::token::TokenSet;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

impl AuthStore {
    pub(super) fn arm_timer(&self, at: Option<u64>) {
        let store = self.clone();
        self.arm_timer_with(at, move || store.refresh_if_due());
    }

    fn arm_timer_with(&self, at: Option<u64>, due: impl FnOnce() + 'static) {
        self.cancel_refresh_timer();
        let Some(at) = at else { return };
        let delay = schedule::timer_delay_ms(browser::now_ms(), at);
        let handle = set_timeout_with_handle(due, Duration::from_millis(delay.into())).ok();
        self.refresh_timer.set_value(handle);
    }

    /// A session that cannot be renewed: offer Continue session a few minutes before its
    /// token expires, and end it (with a notice) when it does.
    pub(super) fn plan_session_end(&self, tokens: &TokenSet) {
        let Some(expires_at) = tokens.expires_at_ms else {
            return; // no known lifetime: the API's 401 will tell
        };
        let now = browser::now_ms();
        let offer_at = schedule::next_continue_session_at(tokens, now);
        self.continue_offered
            .set(offer_at.is_some_and(|at| at <= now));
        let next = match offer_at {
            Some(at) if at > now => at,
            _ => expires_at,
        };
        let store = self.clone();
        self.arm_timer_with(Some(next), move || store.check_session_end());
    }

    /// The session-end timer fired, or the tab woke up: offer, end, or plan again.
    fn check_session_end(&self) {
        let Some(session) = self.session() else {
            return;
        };
        if session.tokens.refresh_token.is_some() {
            return;
        }
        if session.tokens.is_expired(browser::now_ms()) {
            self.end_session(Some(SESSION_TIME_UP.into()));
        } else {
            self.plan_session_end(&session.tokens);
        }
    }

    pub(super) fn cancel_refresh_timer(&self) {
        if let Some(handle) = self.refresh_timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    }

    /// Timers do not run while a laptop sleeps or a tab is hidden: on waking, check the clock.
    fn refresh_if_due(&self) {
        if self
            .session()
            .is_some_and(|session| session.tokens.refresh_token.is_none())
        {
            return self.check_session_end();
        }
        let due = self
            .next_refresh_at
            .get_value()
            .is_some_and(|at| browser::now_ms() + 1_000 >= at);
        if due && self.session().is_some() {
            let store = self.clone();
            spawn_local(async move {
                let _ = store.refresh().await;
            });
        }
    }

    pub(super) fn watch_wake_ups(&self) {
        for event in ["visibilitychange", "focus"] {
            let store = self.clone();
            // The store is created once and lives as long as the page; so do these listeners.
            std::mem::forget(window_event_listener_untyped(event, move |_| {
                store.refresh_if_due()
            }));
        }
        let store = self.clone();
        std::mem::forget(window_event_listener_untyped("online", move |_| {
            store.retry_after_reconnect()
        }));
    }

    /// Back online: a refresh that failed for want of a network is retried now rather than
    /// when its backoff runs out (the backoff is for a failing server, not a lost network).
    fn retry_after_reconnect(&self) {
        if self.refresh_failures.get_value() > 0 {
            self.next_refresh_at.set_value(Some(browser::now_ms()));
        }
        self.refresh_if_due();
    }
}

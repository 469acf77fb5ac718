//! The banner's live status: Genesys Cloud's presence (with the picker) and routing status,
//! or CXone's agent state (with Available / Unavailable + code). Everything shown is what the
//! server confirmed (`crate::store::LiveStore`); a change asked for shows as "Changing to …"
//! beside it, never in its place, and a lost stream says so with the time since the last
//! event instead of passing off the last known status as live.
//!
//! One file per provider ([`genesys`], [`cxone`]); this one holds what both show.

mod cxone;
mod genesys;

pub(super) use cxone::CxoneLiveStatus;
pub(super) use genesys::GenesysLiveStatus;

use crate::error::AuthError;
use crate::store::{LiveStore, LiveView};
use leptos::prelude::*;

pub(super) use crate::pages::part;

/// Which live layer runs, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LiveKind {
    Off,
    Genesys,
    Cxone,
}

pub(super) fn live_kind(live: Option<LiveStore>) -> Memo<LiveKind> {
    Memo::new(move |_| match live {
        None => LiveKind::Off,
        Some(live) => live.view.with(|view| match view {
            LiveView::Off => LiveKind::Off,
            LiveView::Genesys(_) => LiveKind::Genesys,
            LiveView::Cxone(_) => LiveKind::Cxone,
        }),
    })
}

pub(super) fn api_message(error: &AuthError) -> Option<String> {
    match error {
        AuthError::Forbidden { message } | AuthError::ApiFailed { message, .. } => message.clone(),
        _ => None,
    }
}

/// "Offline, reconnecting (12 s since last event)". Only the words are a live region: the
/// seconds count in place and are not announced every second.
pub(super) fn reconnecting_line(silent: impl Fn() -> String + Send + 'static) -> impl IntoView {
    view! {
        <p class="live-note live-note-warn" data-testid="live-reconnecting">
            <span role="status">"Offline, reconnecting"</span>
            " ("{silent}" since last event)"
        </p>
    }
}
